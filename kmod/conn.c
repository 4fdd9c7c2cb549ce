// SPDX-License-Identifier: GPL-2.0
/*
 * Connection table: one resizable RCU hash table per namespace, seeded
 * siphash, lockless lookups, per-bucket locks for writers (rhashtable).
 * Expired entries are collected by one delayed work per namespace that
 * walks the table, not by a timer per connection.
 */

#include <linux/memcontrol.h>
#include <linux/sched/mm.h>
#include <linux/siphash.h>
#include <linux/slab.h>
#include <net/tcp.h>

#include "conn.h"
#include "service.h"

static struct kmem_cache *vs_conn_cache __read_mostly;
static siphash_key_t vs_conn_secret __read_mostly;

#define VS_GC_INTERVAL		HZ
#define VS_GC_BATCH		256

/*
 * Entry creation is atomic per flow. rhltable_insert() accepts duplicate
 * keys, so two CPUs that both missed the lookup for the first packets of
 * one flow (a multithreaded client on one UDP socket, a retransmitted
 * SYN, RPS) would each insert an entry and schedule the flow twice. So
 * creators take one of these locks, chosen by the same key, around a
 * second lookup and the insert; the loser gets the winner's entry. As in
 * conntrack (nf_conntrack_locks): striped, global, never nested, taken
 * only to create. Lookups and the packets of known flows take none.
 */
#define VS_CONN_LOCKS		1024

static spinlock_t vs_conn_locks[VS_CONN_LOCKS] __cacheline_aligned_in_smp;

static u32 vs_conn_hashfn(const void *data, u32 len, u32 seed)
{
	const struct vs_conn_key *k = data;

	return siphash_3u32((__force u32)k->caddr,
			    (__force u32)k->cport << 16 | k->protocol << 8 |
			    k->af, seed, &vs_conn_secret);
}

static const struct rhashtable_params vs_conn_params = {
	.head_offset		= offsetof(struct vs_conn, node),
	.key_offset		= offsetof(struct vs_conn, key),
	.key_len		= sizeof(struct vs_conn_key),
	.hashfn			= vs_conn_hashfn,
	.min_size		= 256,
	.automatic_shrinking	= true,
};

/* The entry of the full tuple: the client's side and the VIP's. */
static struct vs_conn *vs_conn_find(struct vs_net *vn,
				    const struct vs_conn_key *key,
				    __be32 vaddr, __be16 vport)
{
	struct rhlist_head *list, *pos;
	struct vs_conn *cp;

	list = rhltable_lookup(&vn->conn_table, key, vs_conn_params);
	rhl_for_each_entry_rcu(cp, pos, list, node)
		if (cp->vaddr == vaddr && cp->vport == vport)
			return cp;
	return NULL;
}

/* Packet from the client: source is the client, destination the VIP. */
struct vs_conn *vs_conn_in_get(struct vs_net *vn, u8 protocol, __be32 saddr,
			       __be16 sport, __be32 daddr, __be16 dport)
{
	struct vs_conn_key key = {
		.caddr = saddr, .cport = sport,
		.protocol = protocol, .af = AF_INET,
	};

	return vs_conn_find(vn, &key, daddr, dport);
}

/* Reply from a real server: source is the server, destination the client. */
struct vs_conn *vs_conn_out_get(struct vs_net *vn, u8 protocol, __be32 saddr,
				__be16 sport, __be32 daddr, __be16 dport)
{
	struct vs_conn_key key = {
		.caddr = daddr, .cport = dport,
		.protocol = protocol, .af = AF_INET,
	};
	struct rhlist_head *list, *pos;
	struct vs_conn *cp;

	list = rhltable_lookup(&vn->conn_table, &key, vs_conn_params);
	rhl_for_each_entry_rcu(cp, pos, list, node)
		if (cp->daddr == saddr && cp->dport == sport)
			return cp;
	return NULL;
}

static unsigned long vs_conn_timeout(struct vs_net *vn, u8 protocol, u8 state)
{
	if (protocol == IPPROTO_TCP)
		return READ_ONCE(vn->cfg.timeout[state]);
	return READ_ONCE(vn->cfg.udp_timeout);
}

/*
 * Eviction when the table is at conn_max. A SYN flood from spoofed
 * sources fills the table with half-open entries that live for the SYN
 * timeout, and without eviction every new flow, legitimate or not, is
 * refused until they expire. So a new flow that finds the table full
 * expires one entry that carries no live connection: a TCP entry still
 * in SYN state, or already in TIME_WAIT or CLOSE. Established flows and
 * UDP flows are never evicted.
 *
 * The victim is the one closest to expiry (the oldest, for a given
 * state) among a sample: the evictable entries of consecutive buckets,
 * until VS_EVICT_SAMPLE are seen or VS_EVICT_BUCKETS buckets are walked,
 * as in approximated LRU. So a legitimate handshake a few milliseconds
 * old is almost never the victim while older flood entries sit beside
 * it. Each CPU moves its own hand over the buckets: no global lock, no
 * shared cache line written per packet, and the cost is bounded by
 * VS_EVICT_BUCKETS bucket walks under RCU. Two CPUs may pick the same
 * victim; vs_conn_expire() lets only one free it, and the loser's new
 * flow is refused as before (best effort).
 *
 * Memory at the limit: an unlinked entry is freed only after an RCU grace
 * period, and a flood that evicted one entry per new flow held up to three
 * times conn_max in memory (grace periods are long under load). So
 * conn_max bounds conn_held, the table plus the entries waiting for their
 * grace period, and eviction starts at 7/8 of it: from there every new
 * entry first evicts one, the table stays near 7/8, and the entries
 * waiting to be freed have the last eighth. A new flow is refused only
 * when those overflow it (a grace period slower than an eighth of the
 * table's turnover) or when nothing is evictable.
 */
#define VS_EVICT_SAMPLE		8
#define VS_EVICT_BUCKETS	64

static DEFINE_PER_CPU(u32, vs_evict_hand);

static bool vs_conn_evictable(const struct vs_conn *cp)
{
	u8 state = READ_ONCE(cp->state);

	return cp->key.protocol == IPPROTO_TCP &&
	       (state == VSCHED_CS_SYN || state == VSCHED_CS_TIME_WAIT ||
		state == VSCHED_CS_CLOSE);
}

static void vs_conn_evict(struct vs_net *vn)
{
	struct rhashtable *ht = &vn->conn_table.ht;
	struct vs_conn *cp, *victim = NULL;
	unsigned int seen = 0, i;
	unsigned long oldest = 0;
	struct bucket_table *tbl;
	struct rhlist_head *list;
	struct rhash_head *pos;
	u32 hand;

	rcu_read_lock();
	tbl = rht_dereference_rcu(ht->tbl, ht);
	hand = this_cpu_read(vs_evict_hand);
	for (i = 0; i < VS_EVICT_BUCKETS && seen < VS_EVICT_SAMPLE; i++) {
		rht_for_each_rcu(pos, tbl, (hand + i) & (tbl->size - 1)) {
			list = container_of(pos, struct rhlist_head, rhead);
			for (; list; list = rcu_dereference(list->next)) {
				unsigned long expires;

				cp = container_of(list, struct vs_conn, node);
				if (!vs_conn_evictable(cp))
					continue;
				seen++;
				expires = READ_ONCE(cp->expires);
				if (!victim || time_before(expires, oldest)) {
					victim = cp;
					oldest = expires;
				}
			}
		}
	}
	this_cpu_add(vs_evict_hand, i);
	if (victim)
		vs_conn_expire(vn, victim);
	rcu_read_unlock();
}

/*
 * A charged entry (vs_net_memcg_set()) is allocated without __GFP_HIGH:
 * memcg lets atomic high-priority charges exceed memory.max, and the
 * container's limit must hold. At the limit the flow is dropped and
 * counted (drop_nomem), like any allocation failure.
 */
static struct vs_conn *vs_conn_alloc(struct vs_net *vn)
{
	struct mem_cgroup *memcg = READ_ONCE(vn->memcg), *old;
	struct vs_conn *cp;

	if (!memcg)
		return kmem_cache_alloc(vs_conn_cache, GFP_ATOMIC);
	old = set_active_memcg(memcg);
	cp = kmem_cache_alloc(vs_conn_cache,
			      GFP_NOWAIT | __GFP_NOWARN | __GFP_ACCOUNT);
	set_active_memcg(old);
	return cp;
}

/* A slot under conn_max, evicting once above 7/8 of it. */
static bool vs_conn_reserve(struct vs_net *vn)
{
	u32 max = READ_ONCE(vn->cfg.conn_max);
	u32 held = atomic_inc_return(&vn->conn_held);

	if (held > max - max / 8)
		vs_conn_evict(vn);
	if (held <= max) {
		atomic_inc(&vn->conn_count);
		return true;
	}
	atomic_dec(&vn->conn_held);
	return false;
}

/*
 * The entry of a new flow, to @dest; or, when another CPU created one for
 * the same tuple meanwhile, that one (*@existed set): the caller then
 * follows it and its server, and this attempt leaves no trace (its slot,
 * memory and reference to @dest are given back).
 */
struct vs_conn *vs_conn_new(struct vs_net *vn, const struct vs_conn_key *key,
			    __be32 vaddr, __be16 vport, struct vs_dest *dest,
			    bool *existed)
{
	struct vs_conn *cp, *old;
	spinlock_t *lock;	/* the stripe of @key */
	int err;

	*existed = false;
	if (!vs_conn_reserve(vn))
		return ERR_PTR(-ENOSPC);
	cp = vs_conn_alloc(vn);
	if (!cp) {
		err = -ENOMEM;
		goto err_count;
	}
	if (!vs_dest_hold(dest)) {
		err = -ENOENT;
		goto err_free;
	}
	cp->key = *key;
	cp->vaddr = vaddr;
	cp->vport = vport;
	cp->daddr = dest->addr.ip;
	cp->dport = dest->port;
	cp->state = key->protocol == IPPROTO_TCP ? VSCHED_CS_SYN :
						    VSCHED_CS_NONE;
	cp->flags = 0;
	cp->seq_in = 0;
	cp->seq_out = 0;
	spin_lock_init(&cp->lock);
	cp->dest = dest;
	cp->expires = jiffies + vs_conn_timeout(vn, key->protocol, cp->state);

	/* _bh: the packet path creates in softirq, tests and KUnit not. */
	lock = &vs_conn_locks[vs_conn_hashfn(key, 0, 0) % VS_CONN_LOCKS];
	rcu_read_lock();
	spin_lock_bh(lock);
	old = vs_conn_find(vn, key, vaddr, vport);
	if (old) {
		spin_unlock_bh(lock);
		rcu_read_unlock();
		*existed = true;
		vs_dest_put(dest);
		kmem_cache_free(vs_conn_cache, cp);
		atomic_dec(&vn->conn_count);
		atomic_dec(&vn->conn_held);
		return old;
	}
	atomic_inc(&dest->inactconns);
	err = rhltable_insert(&vn->conn_table, &cp->node, vs_conn_params);
	spin_unlock_bh(lock);
	rcu_read_unlock();
	if (err) {
		atomic_dec(&dest->inactconns);
		vs_dest_put(dest);
		goto err_free;
	}
	return cp;

err_free:
	kmem_cache_free(vs_conn_cache, cp);
err_count:
	atomic_dec(&vn->conn_count);
	atomic_dec(&vn->conn_held);
	return ERR_PTR(err);
}

/* The entry's server holds its service, which knows the namespace; the
 * namespace's exit waits for these callbacks (vs_conn_net_exit()).
 */
static void vs_conn_free_rcu(struct rcu_head *head)
{
	struct vs_conn *cp = container_of(head, struct vs_conn, rcu);
	struct vs_net *vn = cp->dest->svc->vn;

	vs_dest_put(cp->dest);
	kmem_cache_free(vs_conn_cache, cp);
	atomic_dec(&vn->conn_held);
}

/* Safe to race: only the caller whose removal succeeds frees the entry. */
void vs_conn_expire(struct vs_net *vn, struct vs_conn *cp)
{
	if (rhltable_remove(&vn->conn_table, &cp->node, vs_conn_params))
		return;
	spin_lock_bh(&cp->lock);
	cp->flags |= VS_CONN_F_UNLINKED;
	if (cp->flags & VS_CONN_F_ACTIVE)
		atomic_dec(&cp->dest->activeconns);
	else
		atomic_dec(&cp->dest->inactconns);
	spin_unlock_bh(&cp->lock);
	atomic_dec(&vn->conn_count);
	call_rcu(&cp->rcu, vs_conn_free_rcu);
}

/* The TCP state a packet moves the entry to; called under cp->lock. */
static u8 vs_tcp_next_state(struct vs_conn *cp, bool dir_in, u8 fl)
{
	if (fl & TCPHDR_RST)
		return VSCHED_CS_CLOSE;
	if (!dir_in)
		cp->flags |= VS_CONN_F_REPLIED;
	if (fl & TCPHDR_FIN)
		cp->flags |= dir_in ? VS_CONN_F_FIN_IN : VS_CONN_F_FIN_OUT;
	if ((cp->flags & (VS_CONN_F_FIN_IN | VS_CONN_F_FIN_OUT)) ==
	    (VS_CONN_F_FIN_IN | VS_CONN_F_FIN_OUT))
		return VSCHED_CS_TIME_WAIT;
	if (cp->flags & (VS_CONN_F_FIN_IN | VS_CONN_F_FIN_OUT))
		return VSCHED_CS_FIN_WAIT;
	if (cp->state == VSCHED_CS_SYN && dir_in && (fl & TCPHDR_ACK) &&
	    !(fl & TCPHDR_SYN) && (cp->flags & VS_CONN_F_REPLIED))
		return VSCHED_CS_ESTABLISHED;
	return cp->state;
}

static void vs_tcp_update(struct vs_conn *cp, bool dir_in, u8 fl)
{
	struct vs_dest *dest = cp->dest;
	u8 old, new;

	spin_lock(&cp->lock);
	old = cp->state;
	new = vs_tcp_next_state(cp, dir_in, fl);
	if (new != old && !(cp->flags & VS_CONN_F_UNLINKED)) {
		if (new == VSCHED_CS_ESTABLISHED) {
			cp->flags |= VS_CONN_F_ACTIVE;
			atomic_inc(&dest->activeconns);
			atomic_dec(&dest->inactconns);
		} else if (cp->flags & VS_CONN_F_ACTIVE) {
			cp->flags &= ~VS_CONN_F_ACTIVE;
			atomic_dec(&dest->activeconns);
			atomic_inc(&dest->inactconns);
		}
	}
	WRITE_ONCE(cp->state, new);
	spin_unlock(&cp->lock);
}

/* Packet path, BHs disabled. */
void vs_conn_update(struct vs_net *vn, struct vs_conn *cp, bool dir_in, u8 fl)
{
	unsigned long expires;
	u8 state;

	if (cp->key.protocol == IPPROTO_TCP &&
	    (READ_ONCE(cp->state) != VSCHED_CS_ESTABLISHED ||
	     (fl & (TCPHDR_SYN | TCPHDR_FIN | TCPHDR_RST))))
		vs_tcp_update(cp, dir_in, fl);
	state = READ_ONCE(cp->state);
	expires = jiffies + vs_conn_timeout(vn, cp->key.protocol, state);
	if (READ_ONCE(cp->expires) != expires)
		WRITE_ONCE(cp->expires, expires);
}

static bool vs_conn_dead(const struct vs_conn *cp)
{
	const struct vs_dest *dest = cp->dest;

	if (time_after_eq(jiffies, READ_ONCE(cp->expires)))
		return true;
	return test_bit(VS_DEST_F_DEAD, &dest->flags) &&
	       (READ_ONCE(dest->svc_flags) & VSCHED_SVC_F_EXPIRE_ON_DELETE);
}

/* A flow that has not ended yet: what a drain waits for. */
static bool vs_conn_live(const struct vs_conn *cp)
{
	u8 state = READ_ONCE(cp->state);

	return state != VSCHED_CS_TIME_WAIT && state != VSCHED_CS_CLOSE;
}

/*
 * One entry, seen by the GC sweep: expire it when it timed out or its
 * server's flows must end (reset them first when the server is marked
 * for it), and note live flows of draining servers.
 */
static void vs_conn_check(struct vs_net *vn, struct vs_conn *cp,
			  unsigned int sweep)
{
	struct vs_dest *dest = cp->dest;

	if (vs_conn_dead(cp)) {
		vs_conn_expire(vn, cp);
		return;
	}
	if (test_bit(VS_DEST_F_RESET, &dest->flags)) {
		if (cp->key.protocol == IPPROTO_TCP && vs_conn_live(cp))
			vs_conn_send_resets(vn, cp);
		vs_conn_expire(vn, cp);
		return;
	}
	if (test_bit(VS_DEST_F_DRAINING, &dest->flags) && vs_conn_live(cp))
		WRITE_ONCE(dest->live_sweep, sweep);
}

/*
 * Walk the table: expire every entry (@all), or check each. The walk runs
 * in process context, batches of entries under RCU with BHs disabled:
 * each expiry enables BHs again on its way out (its locks are _bh), and
 * on a CPU flooded with packets every such point ran up to 2 ms of
 * softirq work inside the walk's RCU read-side section; a batch of 1,024
 * then held a grace period for 21 s (an RCU stall in make bench, with a
 * 10,000-rule iptables lane saturating that CPU). Pending softirqs now
 * run between batches, outside the section.
 */
static void vs_conn_sweep(struct vs_net *vn, bool all)
{
	unsigned int sweep = READ_ONCE(vn->sweeps) + 1;
	struct rhashtable_iter iter;
	unsigned int n = 0;
	struct vs_conn *cp;

	rhltable_walk_enter(&vn->conn_table, &iter);
	local_bh_disable();
	rhashtable_walk_start(&iter);
	while ((cp = rhashtable_walk_next(&iter))) {
		if (IS_ERR(cp)) {
			if (PTR_ERR(cp) == -EAGAIN)
				continue;	/* resized under us */
			break;
		}
		if (all)
			vs_conn_expire(vn, cp);
		else
			vs_conn_check(vn, cp, sweep);
		if (++n % VS_GC_BATCH == 0) {
			rhashtable_walk_stop(&iter);
			local_bh_enable();
			cond_resched();
			local_bh_disable();
			rhashtable_walk_start(&iter);
		}
	}
	rhashtable_walk_stop(&iter);
	local_bh_enable();
	rhashtable_walk_exit(&iter);
	WRITE_ONCE(vn->sweeps, sweep);
}

static void vs_conn_gc(struct work_struct *work)
{
	struct vs_net *vn = container_of(to_delayed_work(work), struct vs_net,
					 gc_work);

	vs_conn_sweep(vn, false);
	mutex_lock(&vn->lock);
	vs_svc_tick(vn, READ_ONCE(vn->sweeps));
	vs_hooks_put_if_idle(vn);
	mutex_unlock(&vn->lock);
	if (READ_ONCE(vn->hooks_on))
		queue_delayed_work(system_power_efficient_wq, &vn->gc_work,
				   VS_GC_INTERVAL);
}

/*
 * Expire every entry. One walk is not enough: a walk that stops and
 * restarts, or meets a resize, may miss entries that moved while others
 * were removed (rhashtable_walk_next() promises no more), so walk again
 * while entries remain. Packets may add entries meanwhile: a few passes,
 * then what came after the flush started is left to the GC.
 */
void vs_conn_flush(struct vs_net *vn)
{
	int pass;

	for (pass = 0; pass < 8 && vs_conn_count(vn); pass++)
		vs_conn_sweep(vn, true);
}

unsigned int vs_conn_buckets(struct vs_net *vn)
{
	struct rhashtable *ht = &vn->conn_table.ht;
	unsigned int size;

	rcu_read_lock();
	size = rht_dereference_rcu(ht->tbl, ht)->size;
	rcu_read_unlock();
	return size;
}

int vs_conn_net_init(struct vs_net *vn)
{
	atomic_set(&vn->conn_count, 0);
	atomic_set(&vn->conn_held, 0);
	INIT_DELAYED_WORK(&vn->gc_work, vs_conn_gc);
	return rhltable_init(&vn->conn_table, &vs_conn_params);
}

/*
 * Hooks are gone and the GC work is cancelled (vs_net_exit()): nothing
 * else reaches the table. A table destroyed under registered hooks is
 * read freed by the next packet, so the order is asserted, not assumed.
 */
void vs_conn_net_exit(struct vs_net *vn)
{
	WARN_ON_ONCE(READ_ONCE(vn->hooks_on));
	while (vs_conn_count(vn))
		vs_conn_sweep(vn, true);
	rhltable_destroy(&vn->conn_table);
	/* The frees still queued touch vn (conn_held). */
	rcu_barrier();
}

int vs_conn_init(void)
{
	unsigned int i;

	for (i = 0; i < VS_CONN_LOCKS; i++)
		spin_lock_init(&vs_conn_locks[i]);
	get_random_bytes(&vs_conn_secret, sizeof(vs_conn_secret));
	vs_conn_cache = kmem_cache_create("vsched_conn", sizeof(struct vs_conn),
					  0, 0, NULL);
	return vs_conn_cache ? 0 : -ENOMEM;
}

/* After rcu_barrier(): every entry has been freed. */
void vs_conn_exit(void)
{
	kmem_cache_destroy(vs_conn_cache);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "conn_test.c"
#endif
