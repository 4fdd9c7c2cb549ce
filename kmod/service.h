/* SPDX-License-Identifier: GPL-2.0 */
/* Virtual services and their real servers ("dests"). */
#ifndef _VS_SERVICE_H
#define _VS_SERVICE_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/refcount.h>
#include <linux/rhashtable.h>

#include "netns.h"
#include "stats.h"

union vs_addr {
	__be32 ip;
	struct in6_addr in6;
};

/* Lookup key of a service; compared with memcmp, so padding is zeroed. */
struct vs_svc_key {
	union vs_addr addr;
	__be16 port;
	u8 protocol;
	u8 af;
};

struct vs_sched_data;

struct vs_service {
	struct rhash_head node;		/* vs_net.svc_table */
	struct vs_svc_key key;
	u32 id;				/* vs_net.svc_ids */
	u32 flags;			/* enum vsched_svc_flags */
	u32 warmup;			/* seconds, slow start */
	u32 sched_flags;		/* enum vsched_sched_flags */
	struct vs_net *vn;
	struct list_head dests;		/* under vs_net.lock */
	unsigned int num_dests;
	/* Scheduler and its state, replaced as a whole under RCU. */
	struct vs_sched_data __rcu *sched;
	/* Usable sorry servers, rebuilt with the scheduler state. */
	struct vs_sorry __rcu *sorry;
	/*
	 * Deleted servers that the published state may still point to,
	 * after a failed rebuild: put once a rebuild succeeds (under lock).
	 */
	struct list_head retired;
	struct list_head stale;		/* vs_net.stale_svcs, under lock */
	refcount_t refcnt;		/* table + one per dest */
	struct list_head gc;		/* while being deleted */
	struct vs_stats_cpu __percpu *stats;
};

enum {
	VS_DEST_F_DEAD,			/* deleted: schedule nothing new */
	VS_DEST_F_RESET,		/* reset its connections (GC work) */
	VS_DEST_F_WARMING,		/* weight ramping up after an outage */
	VS_DEST_F_DRAINING,		/* deleted when its flows have ended */
};

struct vs_dest {
	struct list_head list;		/* vs_service.dests, under lock */
	struct vs_service *svc;		/* holds a reference */
	union vs_addr addr;
	__be16 port;
	u8 af;
	u8 fwd;				/* enum vsched_fwd_method */
	u8 health;			/* enum vsched_health */
	u32 weight;			/* the operator's */
	u32 last_weight;		/* its last non-zero one (sh, mh) */
	u32 eff_weight;			/* what schedulers use (uapi) */
	u32 dflags;			/* enum vsched_dest_flags */
	u32 health_pct;
	u32 health_cap;
	u32 svc_flags;			/* copy of svc->flags for the fast path */
	unsigned long flags;		/* VS_DEST_F_* */
	unsigned long state_since;	/* jiffies: health or drain changed */
	unsigned long up_since;		/* jiffies: back up, for warm-up */
	unsigned long drain_end;	/* jiffies: drain deadline */
	unsigned int drain_sweep;	/* first GC sweep of the drain */
	unsigned int live_sweep;	/* last sweep that saw a live flow */
	struct list_head timed;		/* vs_net.timed_dests, under lock */
	char reason[VSCHED_REASON_MAX];
	atomic_t activeconns;
	atomic_t inactconns;
	refcount_t refcnt;		/* list + one per connection */
	struct vs_stats_cpu __percpu *stats;
};

struct vs_service *vs_svc_lookup(struct vs_net *vn,
				 const struct vs_svc_key *key);
struct vs_service *vs_svc_find(struct vs_net *vn,
			       const struct vs_svc_key *key);
int vs_svc_add(struct vs_net *vn, const struct vs_svc_key *key,
	       const char *sched, u32 flags, u32 warmup, u32 sched_flags,
	       struct netlink_ext_ack *extack, struct vs_service **out);
int vs_svc_edit(struct vs_service *svc, const char *sched, const u32 *flags,
		const u32 *warmup, const u32 *sched_flags,
		struct netlink_ext_ack *extack);
void vs_svc_del(struct vs_service *svc);
void vs_svc_flush(struct vs_net *vn);

struct vs_dest *vs_dest_find(struct vs_service *svc, const union vs_addr *addr,
			     __be16 port);
/*
 * What a command sets on a real server; a NULL pointer (or has_* false)
 * leaves the field alone.
 */
struct vs_dest_conf {
	const u32 *weight;
	const u8 *fwd;
	const u32 *dflags;
	const u8 *health;
	const char *reason;
	const u32 *health_pct;
	const u32 *health_cap;
	const u32 *drain;		/* seconds, 0 cancels; edit only */
};

int vs_dest_add(struct vs_service *svc, const union vs_addr *addr, __be16 port,
		const struct vs_dest_conf *conf, struct netlink_ext_ack *extack,
		struct vs_dest **out);
int vs_dest_edit(struct vs_dest *dest, const struct vs_dest_conf *conf,
		 struct netlink_ext_ack *extack);
void vs_dest_del(struct vs_dest *dest);
u8 vs_dest_state(const struct vs_dest *dest);
void vs_svc_tick(struct vs_net *vn, unsigned int sweep);

static inline bool vs_dest_hold(struct vs_dest *dest)
{
	return refcount_inc_not_zero(&dest->refcnt);
}

void vs_dest_put(struct vs_dest *dest);

int vs_service_net_init(struct vs_net *vn);
void vs_service_net_exit(struct vs_net *vn);

#endif /* _VS_SERVICE_H */
