/* SPDX-License-Identifier: GPL-2.0 */
/* Scheduler registry: picks a real server for a new connection. */
#ifndef _VS_SCHED_H
#define _VS_SCHED_H

#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/skbuff.h>
#include <linux/vsched.h>

struct vs_service;
struct vs_dest;

/*
 * A scheduler's state for one service. Every scheduler embeds this at the
 * start of its own structure. The service points to it under RCU, so the
 * packet path sees a scheduler and its matching state atomically, and
 * configuration changes publish a new one instead of locking readers out.
 */
struct vs_sched_data {
	const struct vs_sched_ops *ops;
	struct rcu_head rcu;
};

struct vs_sched_ops {
	const char *name;
	struct list_head list;
	/*
	 * Build state from the service's usable real servers (not dead, not
	 * sorry servers, with an effective weight above zero, in list
	 * order), weighted by dest->eff_weight. Called under the
	 * namespace lock whenever they change. Returns an ERR_PTR on error.
	 * The result is freed with kvfree() after a grace period.
	 */
	struct vs_sched_data *(*build)(struct vs_service *svc);
	/* Under rcu_read_lock(); returns NULL when no server is usable. */
	struct vs_dest *(*schedule)(struct vs_sched_data *data,
				    const struct sk_buff *skb);
	/* Optional: free what build() allocated besides the base block. */
	void (*free)(struct vs_sched_data *data);
};

int vs_sched_register(struct vs_sched_ops *ops);
void vs_sched_unregister(struct vs_sched_ops *ops);
const struct vs_sched_ops *vs_sched_find(const char *name);
int vs_sched_rebuild(struct vs_service *svc, const struct vs_sched_ops *ops);
void vs_sched_release(struct vs_service *svc);

/* The usable sorry servers of a service, tried in turn. */
struct vs_sorry {
	struct rcu_head rcu;
	atomic_t pos;
	unsigned int n;
	struct vs_dest *dests[];
};

struct vs_dest *vs_sched_pick(struct vs_service *svc,
			      const struct sk_buff *skb);

/*
 * Helpers for builders: the usable servers of a service, in order.
 * vs_sched_usable() fills @dests (which must hold svc->num_dests entries)
 * and returns how many there are.
 */
unsigned int vs_sched_usable(struct vs_service *svc, struct vs_dest **dests);
bool vs_dest_usable(const struct vs_dest *dest);

#define VS_SCHED_DEFAULT "rr"

int vs_sched_rr_init(void);
void vs_sched_rr_exit(void);
int vs_sched_wrr_init(void);
void vs_sched_wrr_exit(void);
int vs_sched_lc_init(void);
void vs_sched_lc_exit(void);

#endif /* _VS_SCHED_H */
