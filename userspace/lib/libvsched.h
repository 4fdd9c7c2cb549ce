/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libvsched: client library for the "vsched" generic netlink family, the
 * one place in userspace that speaks netlink (vsadm and vshealthd link it).
 *
 * Every function returns 0 or a negative errno. After a failure,
 * vs_errmsg() returns the kernel's extended-ack text for the last request
 * ("" when the kernel sent none) so that callers can print it. Ports are
 * in host order and addresses in network order (struct in_addr), as in
 * the rest of the C library.
 */
#ifndef VS_LIBVSCHED_H
#define VS_LIBVSCHED_H

#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/vsched.h>

/* Error returned by vs_open() when the family cannot be resolved, even
 * after the kernel tried to autoload the module.
 */
#define VS_ENOFAMILY	ENOENT

struct vs_stats {
	uint64_t conns;
	uint64_t inpkts;
	uint64_t outpkts;
	uint64_t inbytes;
	uint64_t outbytes;
};

/*
 * Which optional attributes of a vs_svc / vs_dest are set. A request
 * sends only the attributes whose bit is set (so a DEST_SET with just
 * HEALTH and REASON leaves the admin weight alone); a parsed reply or
 * event sets the bit of every attribute it carried.
 */
#define VS_SVC_HAS_SCHED	(1U << 0)
#define VS_SVC_HAS_FLAGS	(1U << 1)
#define VS_SVC_HAS_WARMUP	(1U << 2)
#define VS_SVC_HAS_SCHED_FLAGS	(1U << 3)

struct vs_svc {
	/* The key: af, protocol, addr, port. */
	uint16_t af;			/* AF_INET */
	uint8_t protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct in_addr addr;
	uint16_t port;
	unsigned int has;		/* VS_SVC_HAS_* */
	char sched[VSCHED_SCHED_NAME_MAX];
	uint32_t flags;			/* enum vsched_svc_flags */
	uint32_t warmup;		/* seconds */
	uint32_t sched_flags;		/* enum vsched_sched_flags */
	/* Replies only. */
	uint32_t num_dests;
	struct vs_stats stats;
};

#define VS_DEST_HAS_PORT	(1U << 0)
#define VS_DEST_HAS_WEIGHT	(1U << 1)
#define VS_DEST_HAS_FWD		(1U << 2)
#define VS_DEST_HAS_FLAGS	(1U << 3)
#define VS_DEST_HAS_HEALTH	(1U << 4)
#define VS_DEST_HAS_REASON	(1U << 5)
#define VS_DEST_HAS_PCT		(1U << 6)
#define VS_DEST_HAS_CAP		(1U << 7)
#define VS_DEST_HAS_DRAIN	(1U << 8)	/* requests only */
#define VS_DEST_HAS_DRAIN_LEFT	(1U << 9)	/* replies only */
#define VS_DEST_HAS_STATE	(1U << 10)	/* replies only */
#define VS_DEST_HAS_STATE_AGE	(1U << 11)	/* replies only */
#define VS_DEST_HAS_EFF_WEIGHT	(1U << 12)	/* replies only */

struct vs_dest {
	struct in_addr addr;
	uint16_t port;
	unsigned int has;		/* VS_DEST_HAS_* */
	uint32_t weight;
	uint8_t fwd;			/* enum vsched_fwd_method */
	uint32_t flags;			/* enum vsched_dest_flags */
	/* Health, as the health checker set it (see uapi/linux/vsched.h). */
	uint8_t health;			/* enum vsched_health */
	char reason[VSCHED_REASON_MAX];
	uint32_t health_pct;		/* 0..100 */
	uint32_t health_cap;		/* or VSCHED_HEALTH_CAP_NONE */
	uint32_t drain;			/* seconds; 0 cancels (requests) */
	/* Replies only. */
	uint8_t state;			/* enum vsched_dest_state */
	uint64_t state_age_ms;
	uint32_t eff_weight;
	uint32_t drain_left_ms;		/* with VS_DEST_HAS_DRAIN_LEFT */
	uint32_t active_conns;
	uint32_t inact_conns;
	struct vs_stats stats;
};

struct vs_conn {
	uint16_t af;
	uint8_t protocol;
	struct in_addr caddr, vaddr, daddr;
	uint16_t cport, vport, dport;
	uint8_t state;			/* enum vsched_conn_state */
	uint8_t fwd;
	uint32_t expires_ms;
};

struct vs_info {
	char version[32];
	uint32_t conn_count;
	uint32_t conn_max;
	uint32_t svc_count;
	uint32_t table_buckets;
	uint64_t drop_no_dest;
	uint64_t drop_no_conn;
	uint64_t drop_conn_limit;
	uint64_t conn_races;	/* 0 from a module without the counter */
};

/* Seconds; in vs_config_set() a zero field is left unchanged (zero is
 * never a valid value).
 */
struct vs_config {
	uint32_t tcp_syn;
	uint32_t tcp_est;
	uint32_t tcp_fin;
	uint32_t tcp_time_wait;
	uint32_t tcp_close;
	uint32_t udp;
	uint32_t conn_max;
};

/* A change reported on the "events" multicast group. */
struct vs_event {
	uint8_t cmd;			/* VSCHED_CMD_{SVC,DEST}_{NEW,SET,DEL} */
	struct vs_svc svc;
	bool has_dest;
	struct vs_dest dest;
};

struct vs_handle;

int vs_open(struct vs_handle **hp);
void vs_close(struct vs_handle *h);
const char *vs_errmsg(const struct vs_handle *h);

int vs_svc_add(struct vs_handle *h, const struct vs_svc *svc);
int vs_svc_edit(struct vs_handle *h, const struct vs_svc *svc);
int vs_svc_del(struct vs_handle *h, const struct vs_svc *svc);
int vs_svc_get(struct vs_handle *h, const struct vs_svc *key,
	       struct vs_svc *out);
/* *svcs is malloc()ed; free() it. */
int vs_svc_list(struct vs_handle *h, struct vs_svc **svcs, size_t *n);

int vs_dest_add(struct vs_handle *h, const struct vs_svc *svc,
		const struct vs_dest *dest);
int vs_dest_edit(struct vs_handle *h, const struct vs_svc *svc,
		 const struct vs_dest *dest);
int vs_dest_del(struct vs_handle *h, const struct vs_svc *svc,
		const struct vs_dest *dest);
int vs_dest_list(struct vs_handle *h, const struct vs_svc *svc,
		 struct vs_dest **dests, size_t *n);

/*
 * Every real server of every service in one dump, in the kernel's
 * service order: @fn is called with each and the key of its service
 * (valid during the call only); a negative return of @fn becomes the
 * result. @dump_flags (VSCHED_DUMP_F_*) say what the caller can do
 * without: a module older than them is asked again without, so they
 * only ever spare work. -EAGAIN when the table changed during the dump:
 * what @fn was given may be inconsistent; start again. A module older
 * than this dump answers -EINVAL (it wants a service): list per service
 * then.
 */
typedef int (*vs_dest_fn)(const struct vs_svc *svc,
			  const struct vs_dest *dest, void *arg);
int vs_dest_walk(struct vs_handle *h, uint32_t dump_flags, vs_dest_fn fn,
		 void *arg);

int vs_flush(struct vs_handle *h);
/* @svc NULL zeroes every counter. */
int vs_zero(struct vs_handle *h, const struct vs_svc *svc);
int vs_conn_list(struct vs_handle *h, struct vs_conn **conns, size_t *n);
int vs_info_get(struct vs_handle *h, struct vs_info *info);
int vs_config_get(struct vs_handle *h, struct vs_config *cfg);
int vs_config_set(struct vs_handle *h, const struct vs_config *cfg);

/*
 * Events: vs_events_subscribe() turns a handle into a listener (use a
 * handle of its own); poll vs_events_fd() for POLLIN and call
 * vs_events_recv(), which calls @fn for each change it read.
 */
int vs_events_subscribe(struct vs_handle *h);
int vs_events_fd(const struct vs_handle *h);
int vs_events_recv(struct vs_handle *h,
		   void (*fn)(const struct vs_event *ev, void *arg),
		   void *arg);

#endif /* VS_LIBVSCHED_H */
