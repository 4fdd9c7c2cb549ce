/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The check registry and the health state machine: no sockets, no
 * timers, no kernel. It holds
 *  - every real server the kernel has (struct vh_dest, per service),
 *  - one vh_pair per (server address, probed port, check) in use: a pair
 *    used by several services is probed once and its result applied to
 *    every (service, dest) that uses it,
 * counts rise and fall per pair, derives each dest's health from its
 * pairs and asks ops->send to tell the kernel when, and only when, it
 * differs from what the kernel has. Times are milliseconds on a monotonic
 * clock supplied by the caller, so that tests can drive it.
 *
 * A pair starts UNKNOWN. A dest with an UNKNOWN pair and no DOWN pair has
 * no opinion and nothing is sent for it: a restarted daemon leaves the
 * kernel as it finds it until its checks have spoken. One DOWN pair is
 * enough for a down verdict (every check must pass), even if others are
 * still UNKNOWN: waiting for them would keep a known-dead server in
 * rotation.
 *
 * Up verdicts combine the weight inputs of the checks: the lowest
 * HEALTH_PCT wins (not the product: two checks at 50% mean 50%), and the
 * lowest HEALTH_CAP wins.
 */
#ifndef VH_HEALTH_H
#define VH_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "libvsched.h"
#include "probe.h"

enum vh_state {
	VH_UNKNOWN,
	VH_UP,
	VH_DOWN,
};

const char *vh_state_name(enum vh_state s);

struct vh_hist {
	uint64_t at_ms;
	uint32_t duration_us;
	bool up;
	char reason[VSCHED_REASON_MAX];
};

struct vh_dest;

/* One (server address, probed port, check): probed once. */
struct vh_pair {
	struct vh_pair *hnext;		/* hash chain */
	struct vh_pair *prev, *next;	/* every pair, in creation order */
	struct in_addr addr;
	uint16_t port;			/* probed: check's port or dest's */
	const struct vh_check_cfg *check;
	struct vh_dest **dests;		/* the (service, dest)s using it */
	size_t n_dests, cap_dests;

	enum vh_state state;
	uint32_t ok_run, fail_run;	/* consecutive results */
	int pct, cap;			/* latest up result's, or VH_NONE */
	char reason[VSCHED_REASON_MAX];	/* latest result's */
	char fail_reason[VSCHED_REASON_MAX];	/* latest failure's: what a
						 * down verdict says, also
						 * while successes rise
						 */
	uint64_t changed_ms;		/* last state change; 0: never */
	uint64_t n_up, n_down;		/* results so far */
	uint64_t n_skipped;		/* ticks skipped: previous still ran */
	uint32_t last_duration_us;
	struct vh_hist *hist;		/* ring of the last results */
	uint32_t hist_len, hist_next, hist_cap;

	void *sched;			/* the scheduler's (timer, probe) */
};

/* What the daemon thinks of a dest, in the kernel's terms. */
struct vh_verdict {
	bool known;			/* false: no opinion yet */
	uint8_t health;			/* enum vsched_health */
	char reason[VSCHED_REASON_MAX];
	uint32_t pct;			/* 0..100 (up only) */
	uint32_t cap;			/* or VSCHED_HEALTH_CAP_NONE (up) */
};

struct vh_dest {
	struct vh_dest *hnext;
	struct vh_dest *prev, *next;
	struct vs_svc svc;		/* key fields only */
	struct vs_dest kd;		/* the kernel's view, kept current
					 * by events and our own sends
					 */
	const struct vh_service_cfg *cfg;	/* NULL: not configured */
	struct vh_pair **pairs;
	size_t n_pairs;
	struct vh_verdict verdict;
	uint64_t changed_ms;		/* verdict last changed */
	uint64_t n_sent;		/* health updates sent to the kernel */
};

struct vh_quorum {
	struct vs_svc svc;		/* key */
	int state;			/* -1 unknown, 0 lost, 1 reached */
	uint32_t weight;		/* last computed */
};

struct vh_health_ops {
	/* Tell the kernel: @d carries addr, port and HEALTH, REASON (and
	 * PCT, CAP when up) with their VS_DEST_HAS_* bits. 0 or -errno.
	 */
	int (*send)(void *arg, const struct vs_svc *svc,
		    const struct vs_dest *d);
	/* A pair was created / is about to be freed (start / stop probing). */
	void (*pair_new)(void *arg, struct vh_pair *p);
	void (*pair_del)(void *arg, struct vh_pair *p);
	/* Quorum of @s reached (@up) or lost; @weight is the total. */
	void (*quorum)(void *arg, const struct vh_service_cfg *s, bool up,
		       uint32_t weight);
};

struct vh_health {
	const struct vh_config *cfg;
	const struct vh_health_ops *ops;
	void *arg;
	struct vh_dest *dests;		/* list head */
	struct vh_pair *pairs;
	size_t n_dests, n_pairs;
	struct vh_dest **dest_hash;
	struct vh_pair **pair_hash;
	struct vs_svc *svcs;		/* services the kernel has */
	size_t n_svcs;
	struct vh_quorum *quorums;
	size_t n_quorums;
	uint64_t n_sent, n_send_errors;
};

struct vh_health *vh_health_new(const struct vh_config *cfg,
				const struct vh_health_ops *ops, void *arg);
void vh_health_free(struct vh_health *h);

/* The kernel has service @svc (list or SVC_NEW). */
void vh_health_svc_add(struct vh_health *h, const struct vs_svc *svc);
/* Service @svc is gone, with its dests. */
void vh_health_svc_del(struct vh_health *h, const struct vs_svc *svc,
		       uint64_t now);
/* The kernel has dest @d in @svc, new or changed (list, DEST_NEW/SET). */
void vh_health_dest_update(struct vh_health *h, const struct vs_svc *svc,
			   const struct vs_dest *d, uint64_t now);
void vh_health_dest_del(struct vh_health *h, const struct vs_svc *svc,
			const struct vs_dest *d, uint64_t now);
/* The kernel is gone (module unloaded): forget everything of it. */
void vh_health_clear(struct vh_health *h);

/* One probe result for @p. */
void vh_health_result(struct vh_health *h, struct vh_pair *p,
		      const struct vh_result *res, uint64_t now);

/*
 * Switch to @cfg (the old one must stay valid until this returns): pairs
 * whose check has the same name and definition keep their state.
 */
void vh_health_reconfigure(struct vh_health *h, const struct vh_config *cfg,
			   uint64_t now);

struct vh_dest *vh_health_find_dest(struct vh_health *h,
				    const struct vs_svc *svc,
				    struct in_addr addr, uint16_t port);

/* The verdict for a set of pairs (pure; exposed for tests). */
void vh_verdict_derive(struct vh_pair *const *pairs, size_t n,
		       struct vh_verdict *v);

/* Weight a dest contributes to its service's quorum. */
uint32_t vh_dest_quorum_weight(const struct vh_dest *d);

/* "a.b.c.d:port" into @buf (at least 22 bytes). */
const char *vh_addr_str(struct in_addr a, uint16_t port, char *buf,
			size_t len);
/* "tcp a.b.c.d:port" */
const char *vh_svc_str(const struct vs_svc *s, char *buf, size_t len);

#endif /* VH_HEALTH_H */
