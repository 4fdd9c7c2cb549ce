// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: each allocation of a configuration change failing in turn
 * (fault.h), for every scheduler: the change is applied or refused as a
 * whole, nothing leaks, and the published scheduler state only leads to
 * servers of the service. The service lives in the test kernel's host
 * namespace and keeps more usable servers than lc's window (44, less
 * those the tests delete), so that lc allocates its cursor too. Included
 * at the end of service.c.
 */

#include <kunit/test.h>
#include <linux/ip.h>
#include <linux/udp.h>
#include <linux/vmalloc.h>

#define VS_FT_DESTS	48
#define VS_FT_VIP	0xc612c801U	/* 198.18.200.1 */
#define VS_FT_RIP	0x0a0000c8U	/* 10.0.0.200, then .201... */
#define VS_FT_PICKS	(4 * VS_FT_DESTS)

static const char *const vs_ft_scheds[] = {
	"rr", "wrr", "lc", "wlc", "sh", "mh"
};

struct vs_ft {
	struct vs_net *vn;
	struct vs_service *svc;
	struct vs_svc_key key;
	struct sk_buff *skb;	/* a UDP packet, for sh and mh */
	struct netlink_ext_ack extack;
	unsigned int failed;	/* operations refused by a fault */
};

static union vs_addr vs_ft_rip(unsigned int i)
{
	return (union vs_addr){ .ip = htonl(VS_FT_RIP + i) };
}

/*
 * A service with VS_FT_DESTS servers of weights 1..5: two sorry servers,
 * one quiesced (weight 0: an unavailable member of sh and mh, so that the
 * fallback table is built too) and one down. A server going down has its
 * flows reset (once the change is accepted).
 */
static struct vs_ft *vs_ft_setup(struct kunit *test, const char *sched)
{
	u32 sorry = VSCHED_DEST_F_SORRY, zero = 0;
	u32 fallback = VSCHED_SCHED_F_FALLBACK;
	u8 down = VSCHED_HEALTH_DOWN;
	struct vs_dest_conf quiesce = { .weight = &zero };
	struct vs_dest_conf go_down = { .health = &down };
	struct vs_dest *dest;
	struct vs_ft *ft;
	unsigned int i;

	ft = kunit_kzalloc(test, sizeof(*ft), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ft);
	ft->vn = vs_net(&init_net);
	ft->key.addr.ip = htonl(VS_FT_VIP);
	ft->key.port = htons(80);
	ft->key.protocol = IPPROTO_UDP;
	ft->key.af = AF_INET;
	ft->skb = alloc_skb(sizeof(struct iphdr) + sizeof(struct udphdr),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ft->skb);
	skb_reset_network_header(ft->skb);
	skb_put_zero(ft->skb, sizeof(struct iphdr) + sizeof(struct udphdr));
	ip_hdr(ft->skb)->version = 4;
	ip_hdr(ft->skb)->ihl = 5;
	ip_hdr(ft->skb)->protocol = IPPROTO_UDP;

	mutex_lock(&ft->vn->lock);
	KUNIT_ASSERT_EQ(test, vs_svc_add(ft->vn, &ft->key, sched,
					 VSCHED_SVC_F_DOWN_RESET, 0, fallback,
					 &ft->extack, &ft->svc), 0);
	for (i = 0; i < VS_FT_DESTS; i++) {
		union vs_addr addr = vs_ft_rip(i);
		u32 w = 1 + i % 5;
		struct vs_dest_conf conf = {
			.weight = &w,
			.dflags = i >= VS_FT_DESTS - 2 ? &sorry : NULL,
		};

		KUNIT_ASSERT_EQ(test, vs_dest_add(ft->svc, &addr, htons(80),
						  &conf, &ft->extack, &dest), 0);
		if (i == 5)
			KUNIT_ASSERT_EQ(test, vs_dest_edit(dest, &quiesce,
							   &ft->extack), 0);
		if (i == 6)
			KUNIT_ASSERT_EQ(test, vs_dest_edit(dest, &go_down,
							   &ft->extack), 0);
	}
	mutex_unlock(&ft->vn->lock);
	return ft;
}

/* Deletes the service: every server and the service itself are freed. */
static void vs_ft_done(struct kunit *test, struct vs_ft *ft)
{
	struct vs_service *svc = ft->svc;

	mutex_lock(&ft->vn->lock);
	refcount_inc(&svc->refcnt);
	vs_svc_del(svc);
	mutex_unlock(&ft->vn->lock);
	/* Each server held a reference: only ours is left. */
	KUNIT_EXPECT_EQ(test, refcount_read(&svc->refcnt), 1U);
	vs_svc_put(svc);
	kfree_skb(ft->skb);
}

static const char *vs_ft_sched_name(struct vs_ft *ft)
{
	struct mutex *lock = &ft->vn->lock;

	return rcu_dereference_protected(ft->svc->sched,
					 lockdep_is_held(lock))->ops->name;
}

static bool vs_ft_listed(struct vs_service *svc, struct vs_dest *dest)
{
	struct vs_dest *d;

	list_for_each_entry(d, &svc->dests, list)
		if (d == dest)
			return true;
	return false;
}

/*
 * Under vn->lock: the lists and counts agree, and no pick leads anywhere
 * but to a live server of the service. Returns the number of retired
 * servers.
 */
static unsigned int vs_ft_check(struct kunit *test, struct vs_ft *ft)
{
	struct vs_service *svc = ft->svc;
	unsigned int n = 0, retired = 0, i, bad = 0;
	struct vs_dest *dest;

	lockdep_assert_held(&ft->vn->lock);
	list_for_each_entry(dest, &svc->dests, list) {
		KUNIT_EXPECT_PTR_EQ(test, dest->svc, svc);
		KUNIT_EXPECT_FALSE(test, test_bit(VS_DEST_F_DEAD,
						  &dest->flags));
		n++;
	}
	KUNIT_EXPECT_EQ(test, n, svc->num_dests);
	/* Deleted, kept for the state of a failed rebuild: still allocated. */
	list_for_each_entry(dest, &svc->retired, list) {
		KUNIT_EXPECT_PTR_EQ(test, dest->svc, svc);
		KUNIT_EXPECT_TRUE(test, test_bit(VS_DEST_F_DEAD, &dest->flags));
		KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 1U);
		retired++;
	}
	/* The table's reference and one per server, retired ones too. */
	KUNIT_EXPECT_EQ(test, refcount_read(&svc->refcnt), 1 + n + retired);
	KUNIT_EXPECT_PTR_EQ(test, vs_svc_find(ft->vn, &ft->key), svc);

	rcu_read_lock();
	for (i = 0; i < VS_FT_PICKS; i++) {
		ip_hdr(ft->skb)->saddr = htonl(0xc0a80000 + i);
		dest = vs_sched_pick(svc, ft->skb);
		if (dest && (!vs_ft_listed(svc, dest) ||
			     test_bit(VS_DEST_F_DEAD, &dest->flags)))
			bad++;
	}
	rcu_read_unlock();
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U, "picks of a server not listed");
	return retired;
}

/* What a refused change must leave as it found. */
struct vs_ft_snap {
	struct vs_sched_data *sched;
	struct vs_sorry *sorry;
	unsigned int num_dests;
	u32 sched_flags;
};

static void vs_ft_snap(struct vs_ft *ft, struct vs_ft_snap *s)
{
	struct mutex *lock = &ft->vn->lock;

	s->sched = rcu_dereference_protected(ft->svc->sched,
					     lockdep_is_held(lock));
	s->sorry = rcu_dereference_protected(ft->svc->sorry,
					     lockdep_is_held(lock));
	s->num_dests = ft->svc->num_dests;
	s->sched_flags = ft->svc->sched_flags;
}

static void vs_ft_expect_refused(struct kunit *test, struct vs_ft *ft,
				 const struct vs_ft_snap *before, int err,
				 const char *what, unsigned int nth)
{
	struct vs_ft_snap now;

	vs_ft_snap(ft, &now);
	KUNIT_EXPECT_EQ_MSG(test, err, -ENOMEM, "%s, fault %u", what, nth);
	KUNIT_EXPECT_PTR_EQ_MSG(test, now.sched, before->sched, "%s, fault %u",
				what, nth);
	KUNIT_EXPECT_PTR_EQ_MSG(test, now.sorry, before->sorry, "%s, fault %u",
				what, nth);
	KUNIT_EXPECT_EQ(test, now.num_dests, before->num_dests);
	KUNIT_EXPECT_EQ(test, now.sched_flags, before->sched_flags);
	vs_ft_check(test, ft);
	ft->failed++;
}

/* Adding a service: each allocation fails in turn, then it is added. */
static void vs_test_fault_svc_add(struct kunit *test)
{
	struct vs_net *vn = vs_net(&init_net);
	struct vs_svc_key key = {
		.addr.ip = htonl(VS_FT_VIP + 1),
		.port = htons(80),
		.protocol = IPPROTO_TCP,
		.af = AF_INET,
	};
	struct netlink_ext_ack extack = {};
	struct vs_service *svc = NULL;
	struct vs_fault *fault;
	unsigned int nth, count;
	int err;

	for (nth = 1;; nth++) {
		mutex_lock(&vn->lock);
		count = vn->svc_count;
		fault = vs_fault_arm(test, nth);
		err = vs_svc_add(vn, &key, "mh", 0, 0, 0, &extack, &svc);
		vs_fault_arm(test, 0);
		if (err) {
			KUNIT_EXPECT_TRUE(test, fault->hit);
			KUNIT_EXPECT_EQ(test, err, -ENOMEM);
			KUNIT_EXPECT_NULL(test, vs_svc_find(vn, &key));
			KUNIT_EXPECT_EQ(test, vn->svc_count, count);
		}
		mutex_unlock(&vn->lock);
		if (!err)
			break;
	}
	KUNIT_EXPECT_FALSE(test, fault->hit);
	kunit_info(test, "service add: %u allocations\n", nth - 1);
	mutex_lock(&vn->lock);
	KUNIT_EXPECT_PTR_EQ(test, vs_svc_find(vn, &key), svc);
	vs_svc_del(svc);
	mutex_unlock(&vn->lock);
}

/* Switching to each scheduler, each of its allocations failing in turn. */
static void vs_test_fault_sched_switch(struct kunit *test)
{
	struct vs_ft *ft = vs_ft_setup(test, "rr");
	struct vs_ft_snap before;
	struct vs_fault *fault;
	unsigned int i, nth;
	int err;

	for (i = 0; i < ARRAY_SIZE(vs_ft_scheds); i++) {
		const char *name = vs_ft_scheds[i];

		for (nth = 1;; nth++) {
			mutex_lock(&ft->vn->lock);
			vs_ft_snap(ft, &before);
			fault = vs_fault_arm(test, nth);
			err = vs_svc_edit(ft->svc, name, NULL, NULL, NULL,
					  &ft->extack);
			vs_fault_arm(test, 0);
			if (err) {
				KUNIT_EXPECT_TRUE(test, fault->hit);
				vs_ft_expect_refused(test, ft, &before, err,
						     name, nth);
			} else {
				/* wrr's table is optional: applied anyway. */
				KUNIT_EXPECT_STREQ(test, vs_ft_sched_name(ft),
						   name);
				vs_ft_check(test, ft);
			}
			mutex_unlock(&ft->vn->lock);
			if (!fault->hit)
				break;
		}
		kunit_info(test, "switch to %s: %u allocations\n", name,
			   nth - 1);
	}
	KUNIT_EXPECT_GT(test, ft->failed, 0U);
	vs_ft_done(test, ft);
}

/* Adding, then editing a server under each scheduler. */
static void vs_test_fault_dest_add_edit(struct kunit *test)
{
	struct vs_ft *ft = vs_ft_setup(test, "rr");
	union vs_addr addr = vs_ft_rip(VS_FT_DESTS);
	u32 w = 7, pct = 50, w0;
	u8 down = VSCHED_HEALTH_DOWN, h0;
	struct vs_dest_conf edit = {
		.weight = &w, .health_pct = &pct, .reason = "fault test",
	};
	u32 w1 = 1, pct100 = 100;
	struct vs_dest_conf undo = {
		.weight = &w1, .health_pct = &pct100, .reason = "",
	};
	struct vs_dest_conf edit_down = { .health = &down };
	struct vs_ft_snap before;
	struct vs_dest *dest, *found;
	struct vs_fault *fault;
	unsigned int i, nth;
	int err;

	for (i = 0; i < ARRAY_SIZE(vs_ft_scheds); i++) {
		const char *name = vs_ft_scheds[i];

		mutex_lock(&ft->vn->lock);
		KUNIT_ASSERT_EQ(test, vs_svc_edit(ft->svc, name, NULL, NULL,
						  NULL, &ft->extack), 0);
		mutex_unlock(&ft->vn->lock);

		for (nth = 1;; nth++) {
			mutex_lock(&ft->vn->lock);
			vs_ft_snap(ft, &before);
			fault = vs_fault_arm(test, nth);
			err = vs_dest_add(ft->svc, &addr, htons(80),
					  &(struct vs_dest_conf){}, &ft->extack,
					  &dest);
			vs_fault_arm(test, 0);
			found = vs_dest_find(ft->svc, &addr, htons(80));
			if (err) {
				KUNIT_EXPECT_TRUE(test, fault->hit);
				KUNIT_EXPECT_NULL(test, found);
				vs_ft_expect_refused(test, ft, &before, err,
						     name, nth);
			} else {
				KUNIT_EXPECT_PTR_EQ(test, found, dest);
				vs_ft_check(test, ft);
			}
			mutex_unlock(&ft->vn->lock);
			if (!err && !fault->hit)
				break;
			if (!err) {
				/* wrr without its table: again. */
				mutex_lock(&ft->vn->lock);
				vs_dest_del(dest);
				mutex_unlock(&ft->vn->lock);
			}
		}

		for (nth = 1;; nth++) {
			mutex_lock(&ft->vn->lock);
			vs_ft_snap(ft, &before);
			w0 = dest->weight;
			fault = vs_fault_arm(test, nth);
			err = vs_dest_edit(dest, &edit, &ft->extack);
			vs_fault_arm(test, 0);
			if (err) {
				KUNIT_EXPECT_TRUE(test, fault->hit);
				KUNIT_EXPECT_EQ(test, dest->weight, w0);
				KUNIT_EXPECT_EQ(test, dest->health_pct, 100U);
				KUNIT_EXPECT_STREQ(test, dest->reason, "");
				vs_ft_expect_refused(test, ft, &before, err,
						     name, nth);
			} else {
				KUNIT_EXPECT_EQ(test, dest->weight, w);
				KUNIT_EXPECT_EQ(test, dest->health_pct, pct);
				KUNIT_EXPECT_STREQ(test, dest->reason,
						   "fault test");
				vs_ft_check(test, ft);
			}
			mutex_unlock(&ft->vn->lock);
			if (!fault->hit)
				break;
			if (!err) {
				/* wrr without its table: undo, again. */
				mutex_lock(&ft->vn->lock);
				err = vs_dest_edit(dest, &undo, &ft->extack);
				KUNIT_EXPECT_EQ(test, err, 0);
				mutex_unlock(&ft->vn->lock);
			}
		}

		/* Down: refused, it stays up (and its flows are not reset). */
		for (nth = 1;; nth++) {
			mutex_lock(&ft->vn->lock);
			vs_ft_snap(ft, &before);
			h0 = dest->health;
			fault = vs_fault_arm(test, nth);
			err = vs_dest_edit(dest, &edit_down, &ft->extack);
			vs_fault_arm(test, 0);
			if (err) {
				KUNIT_EXPECT_TRUE(test, fault->hit);
				KUNIT_EXPECT_EQ(test, dest->health, h0);
				KUNIT_EXPECT_FALSE(test, test_bit(VS_DEST_F_RESET,
								  &dest->flags));
				vs_ft_expect_refused(test, ft, &before, err,
						     name, nth);
			} else {
				KUNIT_EXPECT_EQ(test, dest->health, down);
				vs_ft_check(test, ft);
			}
			mutex_unlock(&ft->vn->lock);
			if (!err)
				break;
		}

		mutex_lock(&ft->vn->lock);
		vs_dest_del(dest);
		vs_ft_check(test, ft);
		mutex_unlock(&ft->vn->lock);
	}
	KUNIT_EXPECT_GT(test, ft->failed, 0U);
	vs_ft_done(test, ft);
}

static bool vs_ft_retired(struct vs_service *svc, struct vs_dest *dest)
{
	struct vs_dest *d;

	list_for_each_entry(d, &svc->retired, list)
		if (d == dest)
			return true;
	return false;
}

/*
 * Deleting a server while its service's rebuild fails, each allocation in
 * turn, under each scheduler. The state the failure leaves published (and
 * the sorry list) still point to the deleted server: it must stay
 * allocated, retired, never picked, until a rebuild succeeds (here the
 * next delete's); then it is freed. The old code freed it after the
 * grace period: vs_ft_check()'s picks then read freed memory (KASAN,
 * run.sh --debug), and it is not on the retired list (any mode).
 */
static void vs_test_fault_dest_del(struct kunit *test)
{
	struct vs_ft_snap before, after;
	unsigned int i, nth, failed;
	struct list_head *retired;
	struct vs_fault *fault;
	struct vs_dest *victim;
	struct vs_ft *ft;
	bool kept;

	for (i = 0; i < ARRAY_SIZE(vs_ft_scheds); i++) {
		const char *name = vs_ft_scheds[i];

		ft = vs_ft_setup(test, name);
		retired = &ft->svc->retired;
		for (nth = 1, failed = 0;; nth++) {
			union vs_addr addr = vs_ft_rip(10 + nth);

			mutex_lock(&ft->vn->lock);
			/* The 12th server, then the next ones: all usable. */
			victim = vs_dest_find(ft->svc, &addr, htons(80));
			KUNIT_ASSERT_NOT_NULL(test, victim);
			vs_ft_snap(ft, &before);
			fault = vs_fault_arm(test, nth);
			vs_dest_del(victim);
			vs_fault_arm(test, 0);
			vs_ft_snap(ft, &after);
			KUNIT_EXPECT_FALSE(test, vs_ft_listed(ft->svc, victim));
			KUNIT_EXPECT_EQ(test, after.num_dests,
					before.num_dests - 1);
			kept = vs_ft_retired(ft->svc, victim);
			if (after.sched == before.sched) {
				/* Failed: the old state may lead to it. */
				KUNIT_EXPECT_TRUE(test, fault->hit);
				KUNIT_EXPECT_TRUE_MSG(test, kept,
						      "%s, fault %u: freed",
						      name, nth);
				failed++;
			} else {
				KUNIT_EXPECT_FALSE(test, kept);
				KUNIT_EXPECT_TRUE(test, list_empty(retired));
			}
			vs_ft_check(test, ft);
			mutex_unlock(&ft->vn->lock);
			if (!fault->hit)
				break;
		}
		KUNIT_EXPECT_GT(test, failed, 0U);
		kunit_info(test, "%s: delete failed at %u of %u allocations\n",
			   name, failed, nth - 1);
		vs_ft_done(test, ft);
	}
}

/* The GC work retries a failed rebuild, and puts the retired server. */
static void vs_test_fault_retry(struct kunit *test)
{
	struct vs_ft *ft = vs_ft_setup(test, "wlc");
	struct vs_fault *fault;
	struct vs_dest *victim;

	mutex_lock(&ft->vn->lock);
	victim = list_last_entry(&ft->svc->dests, struct vs_dest, list);
	fault = vs_fault_arm(test, 1);
	vs_dest_del(victim);
	vs_fault_arm(test, 0);
	KUNIT_EXPECT_TRUE(test, fault->hit);
	KUNIT_EXPECT_TRUE(test, vs_ft_retired(ft->svc, victim));
	KUNIT_EXPECT_FALSE(test, list_empty(&ft->svc->stale));
	KUNIT_EXPECT_EQ(test, vs_ft_check(test, ft), 1U);
	vs_svc_tick(ft->vn, READ_ONCE(ft->vn->sweeps));
	KUNIT_EXPECT_TRUE(test, list_empty(&ft->svc->retired));
	KUNIT_EXPECT_TRUE(test, list_empty(&ft->svc->stale));
	KUNIT_EXPECT_EQ(test, vs_ft_check(test, ft), 0U);
	mutex_unlock(&ft->vn->lock);
	vs_ft_done(test, ft);
}

/* A service deleted with retired servers puts them too. */
static void vs_test_fault_svc_del_retired(struct kunit *test)
{
	struct vs_ft *ft = vs_ft_setup(test, "lc");
	struct vs_fault *fault;
	struct vs_dest *victim;

	mutex_lock(&ft->vn->lock);
	victim = list_first_entry(&ft->svc->dests, struct vs_dest, list);
	fault = vs_fault_arm(test, 1);
	vs_dest_del(victim);
	vs_fault_arm(test, 0);
	KUNIT_EXPECT_TRUE(test, fault->hit);
	KUNIT_EXPECT_TRUE(test, vs_ft_retired(ft->svc, victim));
	KUNIT_EXPECT_FALSE(test, list_empty(&ft->svc->stale));
	mutex_unlock(&ft->vn->lock);
	/* Checks that the service's last reference is the test's own. */
	vs_ft_done(test, ft);
}

/* Memory held by slab (small and large kmalloc) and vmalloc, in pages. */
static unsigned long vs_ft_pages(void)
{
	return global_node_page_state_pages(NR_SLAB_UNRECLAIMABLE_B) +
	       vmalloc_nr_pages();
}

#define VS_FT_LEAK_REPS		1024U
#define VS_FT_LEAK_PAGES	8UL

/*
 * Each failing point of each scheduler's build, many times over: a leak
 * of even the smallest allocation there (64 bytes) would add 16 pages.
 * Under KASAN freed objects wait in quarantine, so the pages only grow:
 * plain mode only.
 */
static void vs_test_fault_no_leak(struct kunit *test)
{
	unsigned int i, nth, k, points = 0;
	unsigned long before, after;
	struct vs_fault *fault;
	struct vs_ft *ft;
	int err;

	if (IS_ENABLED(CONFIG_KASAN))
		kunit_skip(test, "KASAN's quarantine holds freed memory");
	ft = vs_ft_setup(test, "rr");
	for (i = 0; i < ARRAY_SIZE(vs_ft_scheds); i++) {
		const char *name = vs_ft_scheds[i];

		for (nth = 1;; nth++) {
			mutex_lock(&ft->vn->lock);
			rcu_barrier();
			before = vs_ft_pages();
			for (k = 0; k < VS_FT_LEAK_REPS; k++) {
				fault = vs_fault_arm(test, nth);
				err = vs_svc_edit(ft->svc, name, NULL, NULL,
						  NULL, &ft->extack);
				vs_fault_arm(test, 0);
				if (!err)
					break;
			}
			rcu_barrier();
			after = vs_ft_pages();
			mutex_unlock(&ft->vn->lock);
			points += !!err;
			if (err)
				KUNIT_EXPECT_LE_MSG(test, after,
						    before + VS_FT_LEAK_PAGES,
						    "%s, fault %u: %lu pages more",
						    name, nth, after - before);
			if (!fault->hit)
				break;
		}
	}
	KUNIT_EXPECT_GT(test, points, 0U);
	kunit_info(test, "%u failing points, %u times each\n", points,
		   VS_FT_LEAK_REPS);
	vs_ft_done(test, ft);
}

static struct kunit_case vs_fault_cases[] = {
	KUNIT_CASE(vs_test_fault_svc_add),
	KUNIT_CASE(vs_test_fault_sched_switch),
	KUNIT_CASE(vs_test_fault_dest_add_edit),
	KUNIT_CASE(vs_test_fault_dest_del),
	KUNIT_CASE(vs_test_fault_retry),
	KUNIT_CASE(vs_test_fault_svc_del_retired),
	KUNIT_CASE(vs_test_fault_no_leak),
	{}
};

static struct kunit_suite vs_fault_suite = {
	.name = "vsched-fault",
	.test_cases = vs_fault_cases,
};

kunit_test_suite(vs_fault_suite);
