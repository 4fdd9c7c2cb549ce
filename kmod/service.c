// SPDX-License-Identifier: GPL-2.0
/*
 * Services and real servers. Every change runs under the namespace's
 * mutex; the packet path finds services through an RCU hash table and
 * real servers through the scheduler state, never through the lists here.
 */

#include <linux/slab.h>

#include "conn.h"
#include "fault.h"
#include "netlink.h"
#include "sched.h"
#include "service.h"

static const struct rhashtable_params vs_svc_params = {
	.head_offset		= offsetof(struct vs_service, node),
	.key_offset		= offsetof(struct vs_service, key),
	.key_len		= sizeof(struct vs_svc_key),
	.automatic_shrinking	= true,
};

/* Packet path, under RCU. */
struct vs_service *vs_svc_lookup(struct vs_net *vn,
				 const struct vs_svc_key *key)
{
	return rhashtable_lookup(&vn->svc_table, key, vs_svc_params);
}

/* Configuration path, under vn->lock. */
struct vs_service *vs_svc_find(struct vs_net *vn, const struct vs_svc_key *key)
{
	lockdep_assert_held(&vn->lock);
	return rhashtable_lookup_fast(&vn->svc_table, key, vs_svc_params);
}

/*
 * Servers and services are freed as soon as their last reference goes:
 * by then no RCU reader can reach them. The packet path reaches a service
 * through the service table and a server through scheduler state, and
 * deleting either waits a grace period before dropping the reference the
 * table or list held; it reaches a server through a connection entry, and
 * entries drop their reference from an RCU callback.
 */
static void vs_svc_put(struct vs_service *svc)
{
	if (refcount_dec_and_test(&svc->refcnt)) {
		pr_debug("service %u destroyed\n", svc->id);
		free_percpu(svc->stats);
		kfree(svc);
	}
}

/* May run in softirq, from the last connection's RCU callback. */
void vs_dest_put(struct vs_dest *dest)
{
	if (refcount_dec_and_test(&dest->refcnt)) {
		pr_debug("dest %pI4:%u destroyed\n", &dest->addr.ip,
			 ntohs(dest->port));
		vs_svc_put(dest->svc);
		free_percpu(dest->stats);
		kfree(dest);
	}
}

static void vs_net_changed(struct vs_net *vn)
{
	vn->gen++;
}

/*
 * Rebuild the scheduler state and the sorry list of @svc (with @ops, or
 * its current scheduler) and let go of the servers deleted meanwhile.
 *
 * A failed rebuild (no memory) leaves the old state and sorry list
 * published, and they hold raw pointers to the servers they were built
 * from, which may have been deleted since. So a deleted server is not put
 * when it is unlinked but moved to svc->retired, and only put once a
 * rebuild has replaced both and a grace period has passed: until then it
 * stays allocated, marked dead, and vs_sched_pick() passes over it. A
 * failure also puts the service on vn->stale_svcs for the GC work to
 * retry (vs_svc_tick()), so that neither a stale state nor the retired
 * servers outlive an allocation failure by more than a GC interval, and
 * deleting the service hands them to its graveyard (vs_svc_unlink()).
 */
static int vs_svc_rebuild(struct vs_service *svc,
			  const struct vs_sched_ops *ops,
			  struct netlink_ext_ack *extack)
{
	struct vs_dest *dest, *tmp;
	LIST_HEAD(gone);
	int err;

	lockdep_assert_held(&svc->vn->lock);
	err = vs_sched_rebuild(svc, ops);
	if (err) {
		if (err == -E2BIG)
			NL_SET_ERR_MSG_MOD(extack,
					   "too many real servers for the scheduler's table");
		if (list_empty(&svc->stale))
			list_add_tail(&svc->stale, &svc->vn->stale_svcs);
		return err;
	}
	list_del_init(&svc->stale);
	if (list_empty(&svc->retired))
		return 0;
	list_splice_init(&svc->retired, &gone);
	/* Rare (after a failure): no reader of the old state is left. */
	synchronize_rcu();
	list_for_each_entry_safe(dest, tmp, &gone, list)
		vs_dest_put(dest);
	return 0;
}

int vs_svc_add(struct vs_net *vn, const struct vs_svc_key *key,
	       const char *sched, u32 flags, u32 warmup, u32 sched_flags,
	       struct netlink_ext_ack *extack, struct vs_service **out)
{
	const struct vs_sched_ops *ops;
	struct vs_service *svc;
	u32 id;
	int err;

	lockdep_assert_held(&vn->lock);
	ops = vs_sched_find(sched ?: VS_SCHED_DEFAULT);
	if (!ops) {
		NL_SET_ERR_MSG_MOD(extack, "unknown scheduler");
		return -ENOENT;
	}
	if (vs_svc_find(vn, key)) {
		NL_SET_ERR_MSG_MOD(extack, "service already exists");
		return -EEXIST;
	}
	if (vn->svc_count >= READ_ONCE(vs_svc_max)) {
		NL_SET_ERR_MSG_MOD(extack,
				   "too many services (module parameter max_services)");
		return -ENOSPC;
	}

	vs_net_memcg_set(vn);
	svc = vs_fault() ? NULL : kzalloc(sizeof(*svc), GFP_KERNEL_ACCOUNT);
	if (!svc)
		return -ENOMEM;
	svc->stats = vs_fault() ? NULL : vs_stats_alloc();
	if (!svc->stats) {
		err = -ENOMEM;
		goto err_free;
	}
	svc->key = *key;
	svc->flags = flags;
	svc->warmup = warmup;
	svc->sched_flags = sched_flags;
	svc->vn = vn;
	INIT_LIST_HEAD(&svc->dests);
	INIT_LIST_HEAD(&svc->retired);
	INIT_LIST_HEAD(&svc->stale);
	refcount_set(&svc->refcnt, 1);
	/* Not published yet: nothing to retire, nothing to retry. */
	err = vs_sched_rebuild(svc, ops);
	if (err)
		goto err_free;

	err = vs_fault() ? -ENOMEM :
	      xa_alloc_cyclic(&vn->svc_ids, &id, svc, xa_limit_32b,
			      &vn->svc_next_id, GFP_KERNEL_ACCOUNT);
	if (err < 0)
		goto err_sched;
	svc->id = id;
	err = vs_hooks_get(vn);
	if (err) {
		NL_SET_ERR_MSG_MOD(extack, "cannot register netfilter hooks");
		goto err_id;
	}
	err = vs_fault() ? -ENOMEM :
	      rhashtable_insert_fast(&vn->svc_table, &svc->node, vs_svc_params);
	if (err)
		goto err_hooks;
	vn->svc_count++;
	vs_net_changed(vn);
	pr_debug("service %u created\n", svc->id);
	if (out)
		*out = svc;
	return 0;

err_hooks:
	/* Not counted yet: off again if it was the first service. */
	vs_hooks_put_if_idle(vn);
err_id:
	xa_erase(&vn->svc_ids, svc->id);
err_sched:
	vs_sched_release(svc);
err_free:
	free_percpu(svc->stats);
	kfree(svc);
	return err;
}

int vs_svc_edit(struct vs_service *svc, const char *sched, const u32 *flags,
		const u32 *warmup, const u32 *sched_flags,
		struct netlink_ext_ack *extack)
{
	const struct vs_sched_ops *ops = NULL;
	u32 old_sched_flags = svc->sched_flags;
	struct vs_dest *dest;
	int err;

	lockdep_assert_held(&svc->vn->lock);
	if (sched) {
		ops = vs_sched_find(sched);
		if (!ops) {
			NL_SET_ERR_MSG_MOD(extack, "unknown scheduler");
			return -ENOENT;
		}
	}
	/* build() reads the scheduler flags from the service. */
	if (sched_flags)
		svc->sched_flags = *sched_flags;
	if (ops || svc->sched_flags != old_sched_flags) {
		err = vs_svc_rebuild(svc, ops, extack);
		if (err) {
			svc->sched_flags = old_sched_flags;
			return err;
		}
	}
	if (flags) {
		svc->flags = *flags;
		list_for_each_entry(dest, &svc->dests, list)
			WRITE_ONCE(dest->svc_flags, *flags);
	}
	/* Ramps in progress follow the new period from the next tick. */
	if (warmup)
		svc->warmup = *warmup;
	vs_net_changed(svc->vn);
	return 0;
}

/* Unlink from the service; the caller rebuilds and waits a grace period. */
static void vs_dest_unlink(struct vs_dest *dest)
{
	set_bit(VS_DEST_F_DEAD, &dest->flags);
	list_del(&dest->list);
	list_del_init(&dest->timed);
	dest->svc->num_dests--;
}

/*
 * Deleting services is two steps around one grace period, so that a flush
 * of many services waits once: unlink makes a service and its servers
 * unreachable for new connections, finish drops the references.
 */
struct vs_svc_graveyard {
	struct list_head dests;
	struct list_head svcs;
};

static void vs_svc_unlink(struct vs_service *svc, struct vs_svc_graveyard *g)
{
	struct vs_net *vn = svc->vn;
	struct vs_dest *dest, *tmp;

	lockdep_assert_held(&vn->lock);
	rhashtable_remove_fast(&vn->svc_table, &svc->node, vs_svc_params);
	xa_erase(&vn->svc_ids, svc->id);
	vn->svc_count--;
	vs_net_changed(vn);
	list_for_each_entry_safe(dest, tmp, &svc->dests, list) {
		vs_dest_unlink(dest);
		list_add(&dest->list, &g->dests);
	}
	/* Put with the others, after the grace period: see vs_svc_rebuild(). */
	list_splice_init(&svc->retired, &g->dests);
	list_del_init(&svc->stale);
	vs_sched_release(svc);
	list_add(&svc->gc, &g->svcs);
}

static void vs_svc_finish(struct vs_svc_graveyard *g)
{
	struct vs_service *svc, *stmp;
	struct vs_dest *dest, *dtmp;

	list_for_each_entry_safe(dest, dtmp, &g->dests, list)
		vs_dest_put(dest);
	list_for_each_entry_safe(svc, stmp, &g->svcs, gc)
		vs_svc_put(svc);
}

void vs_svc_del(struct vs_service *svc)
{
	struct vs_svc_graveyard g = {
		.dests = LIST_HEAD_INIT(g.dests),
		.svcs = LIST_HEAD_INIT(g.svcs),
	};
	struct vs_net *vn = svc->vn;

	vs_svc_unlink(svc, &g);
	/* No CPU can schedule to these servers once this returns. */
	synchronize_rcu();
	vs_svc_finish(&g);
	vs_hooks_put_if_idle(vn);
}

void vs_svc_flush(struct vs_net *vn)
{
	struct vs_svc_graveyard g = {
		.dests = LIST_HEAD_INIT(g.dests),
		.svcs = LIST_HEAD_INIT(g.svcs),
	};
	struct vs_service *svc;
	unsigned long id;

	lockdep_assert_held(&vn->lock);
	xa_for_each(&vn->svc_ids, id, svc)
		vs_svc_unlink(svc, &g);
	synchronize_rcu();
	vs_svc_finish(&g);
	vs_hooks_put_if_idle(vn);
}

struct vs_dest *vs_dest_find(struct vs_service *svc, const union vs_addr *addr,
			     __be16 port)
{
	struct vs_dest *dest;

	lockdep_assert_held(&svc->vn->lock);
	list_for_each_entry(dest, &svc->dests, list)
		if (dest->addr.ip == addr->ip && dest->port == port)
			return dest;
	return NULL;
}

/*
 * The weight schedulers use, derived from the operator's weight and the
 * health checker's view (uapi/linux/vsched.h, "Weights and health").
 */
static u32 vs_dest_eff(struct vs_dest *dest)
{
	unsigned long ramp, elapsed;
	u64 w;

	if (dest->health != VSCHED_HEALTH_UP ||
	    test_bit(VS_DEST_F_DRAINING, &dest->flags))
		return 0;
	w = min(dest->weight, dest->health_cap);
	if (!w || !dest->health_pct)
		return 0;
	w = max_t(u64, div_u64(w * dest->health_pct, 100), 1);
	if (!test_bit(VS_DEST_F_WARMING, &dest->flags))
		return w;
	ramp = (unsigned long)dest->svc->warmup * HZ;
	elapsed = jiffies - dest->up_since;
	if (elapsed >= ramp) {
		clear_bit(VS_DEST_F_WARMING, &dest->flags);
		return w;
	}
	return max_t(u64, div_u64(w * elapsed, ramp), 1);
}

/*
 * Recompute the effective weight and the membership of the timed list.
 * Returns whether the scheduler state must be rebuilt.
 */
static bool vs_dest_refresh(struct vs_dest *dest)
{
	u32 eff = vs_dest_eff(dest);
	bool changed = eff != dest->eff_weight;

	WRITE_ONCE(dest->eff_weight, eff);
	if (test_bit(VS_DEST_F_WARMING, &dest->flags) ||
	    test_bit(VS_DEST_F_DRAINING, &dest->flags)) {
		if (list_empty(&dest->timed))
			list_add_tail(&dest->timed, &dest->svc->vn->timed_dests);
	} else {
		list_del_init(&dest->timed);
	}
	return changed;
}

u8 vs_dest_state(const struct vs_dest *dest)
{
	if (test_bit(VS_DEST_F_DRAINING, &dest->flags))
		return VSCHED_DS_DRAINING;
	if (dest->health != VSCHED_HEALTH_UP)
		return VSCHED_DS_DOWN;
	if (test_bit(VS_DEST_F_WARMING, &dest->flags))
		return VSCHED_DS_WARMING;
	return VSCHED_DS_UP;
}

/* Let the GC work end the server's flows now rather than in a second. */
static void vs_dest_reset_conns(struct vs_dest *dest)
{
	set_bit(VS_DEST_F_RESET, &dest->flags);
	mod_delayed_work(system_power_efficient_wq, &dest->svc->vn->gc_work, 0);
}

/*
 * Apply @conf to @dest; the caller rebuilds the scheduler state. Returns
 * whether the server's connections are to be reset, which the caller does
 * once the change is accepted (vs_dest_reset_conns()).
 */
static bool vs_dest_apply(struct vs_dest *dest, const struct vs_dest_conf *conf)
{
	struct vs_net *vn = dest->svc->vn;
	u8 old_health = dest->health;
	bool reset = false;

	if (conf->weight) {
		dest->weight = *conf->weight;
		if (dest->weight)
			dest->last_weight = dest->weight;
	}
	if (conf->fwd)
		dest->fwd = *conf->fwd;
	if (conf->dflags)
		dest->dflags = *conf->dflags;
	if (conf->health_pct)
		dest->health_pct = *conf->health_pct;
	if (conf->health_cap)
		dest->health_cap = *conf->health_cap;
	if (conf->reason)
		strscpy(dest->reason, conf->reason, sizeof(dest->reason));
	if (conf->health && *conf->health != old_health) {
		dest->health = *conf->health;
		dest->state_since = jiffies;
		if (dest->health == VSCHED_HEALTH_UP) {
			clear_bit(VS_DEST_F_RESET, &dest->flags);
			if (dest->svc->warmup) {
				dest->up_since = jiffies;
				set_bit(VS_DEST_F_WARMING, &dest->flags);
			}
		} else {
			clear_bit(VS_DEST_F_WARMING, &dest->flags);
			reset = dest->svc_flags & VSCHED_SVC_F_DOWN_RESET;
		}
	}
	if (conf->drain) {
		dest->state_since = jiffies;
		if (*conf->drain) {
			dest->drain_end = jiffies + *conf->drain * HZ;
			/* A sweep running now may have passed its flows. */
			dest->drain_sweep = READ_ONCE(vn->sweeps) + 1;
			set_bit(VS_DEST_F_DRAINING, &dest->flags);
		} else {
			clear_bit(VS_DEST_F_DRAINING, &dest->flags);
		}
	}
	return reset;
}

/* Undo vs_dest_apply() after a refused edit: every field it may set. */
static void vs_dest_restore(struct vs_dest *dest, const struct vs_dest *old)
{
	dest->weight = old->weight;
	dest->last_weight = old->last_weight;
	dest->fwd = old->fwd;
	dest->dflags = old->dflags;
	dest->health = old->health;
	dest->health_pct = old->health_pct;
	dest->health_cap = old->health_cap;
	memcpy(dest->reason, old->reason, sizeof(dest->reason));
	dest->state_since = old->state_since;
	dest->up_since = old->up_since;
	dest->drain_end = old->drain_end;
	dest->drain_sweep = old->drain_sweep;
	dest->flags = old->flags;
	vs_dest_refresh(dest);
}

int vs_dest_add(struct vs_service *svc, const union vs_addr *addr, __be16 port,
		const struct vs_dest_conf *conf, struct netlink_ext_ack *extack,
		struct vs_dest **out)
{
	struct vs_dest *dest;
	int err;

	lockdep_assert_held(&svc->vn->lock);
	if (vs_dest_find(svc, addr, port)) {
		NL_SET_ERR_MSG_MOD(extack, "real server already exists");
		return -EEXIST;
	}
	dest = vs_fault() ? NULL : kzalloc(sizeof(*dest), GFP_KERNEL_ACCOUNT);
	if (!dest)
		return -ENOMEM;
	dest->stats = vs_fault() ? NULL : vs_stats_alloc();
	if (!dest->stats) {
		kfree(dest);
		return -ENOMEM;
	}
	dest->addr = *addr;
	dest->port = port;
	dest->af = svc->key.af;
	dest->fwd = VSCHED_FWD_MASQ;
	dest->weight = 1;
	dest->health = VSCHED_HEALTH_UP;
	dest->health_pct = 100;
	dest->health_cap = VSCHED_HEALTH_CAP_NONE;
	dest->state_since = jiffies;
	dest->svc_flags = svc->flags;
	INIT_LIST_HEAD(&dest->timed);
	atomic_set(&dest->activeconns, 0);
	atomic_set(&dest->inactconns, 0);
	refcount_set(&dest->refcnt, 1);
	refcount_inc(&svc->refcnt);
	dest->svc = svc;
	/* A new server starts where the checker put it: no ramp, no drain. */
	vs_dest_apply(dest, &(struct vs_dest_conf){
		.weight = conf->weight, .fwd = conf->fwd,
		.dflags = conf->dflags, .reason = conf->reason,
		.health_pct = conf->health_pct,
		.health_cap = conf->health_cap,
	});
	if (conf->health)
		dest->health = *conf->health;
	list_add_tail(&dest->list, &svc->dests);
	svc->num_dests++;
	vs_dest_refresh(dest);

	err = vs_svc_rebuild(svc, NULL, extack);
	if (err) {
		list_del(&dest->list);
		list_del(&dest->timed);
		svc->num_dests--;
		/* Never visible to the packet path: free at once. */
		vs_svc_put(svc);
		free_percpu(dest->stats);
		kfree(dest);
		return err;
	}
	vs_net_changed(svc->vn);
	pr_debug("dest %pI4:%u created\n", &addr->ip, ntohs(port));
	if (out)
		*out = dest;
	return 0;
}

int vs_dest_edit(struct vs_dest *dest, const struct vs_dest_conf *conf,
		 struct netlink_ext_ack *extack)
{
	struct vs_dest old = *dest;
	bool reset;
	int err;

	lockdep_assert_held(&dest->svc->vn->lock);
	if (conf->drain && !*conf->drain &&
	    !test_bit(VS_DEST_F_DRAINING, &dest->flags)) {
		NL_SET_ERR_MSG_MOD(extack, "real server is not draining");
		return -EINVAL;
	}
	reset = vs_dest_apply(dest, conf);
	/* sh and mh also read the last weight and (no fallback) the health. */
	if (vs_dest_refresh(dest) || dest->dflags != old.dflags ||
	    dest->last_weight != old.last_weight ||
	    dest->health != old.health) {
		err = vs_svc_rebuild(dest->svc, NULL, extack);
		if (err) {
			/* Refused: the server is left as it was. */
			vs_dest_restore(dest, &old);
			return err;
		}
	}
	if (reset)
		vs_dest_reset_conns(dest);
	vs_net_changed(dest->svc->vn);
	return 0;
}

/*
 * Called by the GC work after each sweep of the connection table, under
 * vn->lock: move warm-up ramps on, and finish drains whose flows have all
 * ended (no live flow in a whole sweep that started after the drain) or
 * whose deadline has passed (their flows are reset).
 */
void vs_svc_tick(struct vs_net *vn, unsigned int sweep)
{
	struct vs_service *svc, *stmp;
	struct vs_dest *dest, *tmp;

	lockdep_assert_held(&vn->lock);
	list_for_each_entry_safe(dest, tmp, &vn->timed_dests, timed) {
		if (test_bit(VS_DEST_F_DRAINING, &dest->flags)) {
			bool idle = sweep > dest->drain_sweep &&
				    READ_ONCE(dest->live_sweep) != sweep;

			if (!idle && time_before(jiffies, dest->drain_end))
				continue;
			pr_debug("dest %pI4:%u drained%s\n", &dest->addr.ip,
				 ntohs(dest->port), idle ? "" : " at deadline");
			if (!idle)
				vs_dest_reset_conns(dest);
			vs_notify_dest(dest, VSCHED_CMD_DEST_DEL);
			vs_dest_del(dest);
			continue;
		}
		if (vs_dest_refresh(dest) &&
		    vs_svc_rebuild(dest->svc, NULL, NULL))
			pr_warn_ratelimited("scheduler rebuild failed\n");
	}
	list_for_each_entry_safe(svc, stmp, &vn->stale_svcs, stale)
		vs_svc_rebuild(svc, NULL, NULL);
}

void vs_dest_del(struct vs_dest *dest)
{
	struct vs_service *svc = dest->svc;

	lockdep_assert_held(&svc->vn->lock);
	vs_dest_unlink(dest);
	/*
	 * Marked dead, so builders skip it; put by the rebuild once no
	 * scheduler state or sorry list can lead to it, or kept until one
	 * succeeds (vs_svc_rebuild()).
	 */
	list_add_tail(&dest->list, &svc->retired);
	if (vs_svc_rebuild(svc, NULL, NULL))
		pr_warn_ratelimited("scheduler rebuild failed: deleted server kept until one succeeds\n");
	vs_net_changed(svc->vn);
}

int vs_service_net_init(struct vs_net *vn)
{
	xa_init_flags(&vn->svc_ids, XA_FLAGS_ALLOC);
	vn->svc_next_id = 0;
	vn->svc_count = 0;
	INIT_LIST_HEAD(&vn->timed_dests);
	INIT_LIST_HEAD(&vn->stale_svcs);
	return rhashtable_init(&vn->svc_table, &vs_svc_params);
}

/* After vs_hooks_off() (vs_net_exit()): no packet can reach the table. */
void vs_service_net_exit(struct vs_net *vn)
{
	WARN_ON_ONCE(READ_ONCE(vn->hooks_on));
	mutex_lock(&vn->lock);
	vs_svc_flush(vn);
	mutex_unlock(&vn->lock);
	rhashtable_destroy(&vn->svc_table);
	xa_destroy(&vn->svc_ids);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "service_test.c"
#include "service_fault_test.c"
#endif
