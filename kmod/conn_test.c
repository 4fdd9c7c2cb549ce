// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: connection table insert, lookup both ways, state, expiry, and
 * one entry per flow when two threads create it at once.
 */

#include <kunit/test.h>
#include <linux/kthread.h>

struct vs_conn_fixture {
	struct vs_net *vn;
	struct vs_service *svc;
	struct vs_dest *dest;
};

#define VS_T_CLIENT	cpu_to_be32(0xc6120102)		/* 198.18.1.2 */
#define VS_T_VIP	cpu_to_be32(0xc6126401)		/* 198.18.100.1 */
#define VS_T_RIP	cpu_to_be32(0xc612020b)		/* 198.18.2.11 */
#define VS_T_RIP2	cpu_to_be32(0xc612020c)		/* 198.18.2.12 */

static int vs_conn_test_init(struct kunit *test)
{
	struct vs_conn_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	f->vn = kunit_kzalloc(test, sizeof(*f->vn), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->vn);
	mutex_init(&f->vn->lock);
	f->vn->cfg.timeout[VSCHED_CS_SYN] = 60 * HZ;
	f->vn->cfg.timeout[VSCHED_CS_ESTABLISHED] = 900 * HZ;
	f->vn->cfg.timeout[VSCHED_CS_FIN_WAIT] = 120 * HZ;
	f->vn->cfg.timeout[VSCHED_CS_TIME_WAIT] = 120 * HZ;
	f->vn->cfg.timeout[VSCHED_CS_CLOSE] = 10 * HZ;
	f->vn->cfg.udp_timeout = 300 * HZ;
	f->vn->cfg.conn_max = 4;
	KUNIT_ASSERT_EQ(test, vs_conn_net_init(f->vn), 0);

	/* Freed by vs_dest_put() when the test drops the list reference. */
	f->svc = kzalloc(sizeof(*f->svc), GFP_KERNEL);
	f->dest = kzalloc(sizeof(*f->dest), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->svc);
	KUNIT_ASSERT_NOT_NULL(test, f->dest);
	f->svc->stats = vs_stats_alloc();
	f->dest->stats = vs_stats_alloc();
	refcount_set(&f->svc->refcnt, 1);
	refcount_set(&f->dest->refcnt, 1);
	f->dest->svc = f->svc;
	f->svc->vn = f->vn;
	f->dest->addr.ip = VS_T_RIP;
	f->dest->port = htons(8080);
	test->priv = f;
	return 0;
}

static void vs_conn_test_exit(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;

	vs_conn_flush(f->vn);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 0U);
	KUNIT_EXPECT_EQ(test, refcount_read(&f->dest->refcnt), 1U);
	vs_dest_put(f->dest);
	rhltable_destroy(&f->vn->conn_table);
}

static struct vs_conn *vs_t_new(struct kunit *test, u8 proto, u16 cport)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn_key key = {
		.caddr = VS_T_CLIENT, .cport = htons(cport),
		.protocol = proto, .af = AF_INET,
	};

	bool existed;

	return vs_conn_new(f->vn, &key, VS_T_VIP, htons(80), f->dest,
			   &existed);
}

/* Lookups for client 198.18.1.2:cport. The caller's entries outlive the
 * read section: only the test itself expires them.
 */
static struct vs_conn *vs_t_in(struct vs_conn_fixture *f, u8 proto,
			       u16 cport, u16 vport)
{
	struct vs_conn *cp;

	rcu_read_lock();
	cp = vs_conn_in_get(f->vn, proto, VS_T_CLIENT, htons(cport), VS_T_VIP,
			    htons(vport));
	rcu_read_unlock();
	return cp;
}

static struct vs_conn *vs_t_out(struct vs_conn_fixture *f, u8 proto,
				u16 rport, u16 cport)
{
	struct vs_conn *cp;

	rcu_read_lock();
	cp = vs_conn_out_get(f->vn, proto, VS_T_RIP, htons(rport),
			     VS_T_CLIENT, htons(cport));
	rcu_read_unlock();
	return cp;
}

static void vs_test_conn_lookup(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn *cp;

	cp = vs_t_new(test, IPPROTO_TCP, 40000);
	KUNIT_ASSERT_FALSE(test, IS_ERR(cp));
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 1U);

	/* Client to VIP, and the real server's reply to the client. */
	KUNIT_EXPECT_PTR_EQ(test, vs_t_in(f, IPPROTO_TCP, 40000, 80), cp);
	KUNIT_EXPECT_PTR_EQ(test, vs_t_out(f, IPPROTO_TCP, 8080, 40000), cp);
	/* Other port, protocol or VIP port: no match. */
	KUNIT_EXPECT_NULL(test, vs_t_in(f, IPPROTO_TCP, 40001, 80));
	KUNIT_EXPECT_NULL(test, vs_t_in(f, IPPROTO_UDP, 40000, 80));
	KUNIT_EXPECT_NULL(test, vs_t_in(f, IPPROTO_TCP, 40000, 81));
	KUNIT_EXPECT_NULL(test, vs_t_out(f, IPPROTO_TCP, 80, 40000));

	vs_conn_expire(f->vn, cp);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 0U);
	KUNIT_EXPECT_NULL(test, vs_t_in(f, IPPROTO_TCP, 40000, 80));
}

static void vs_test_conn_limit(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	unsigned int i;

	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_FALSE(test, IS_ERR(vs_t_new(test, IPPROTO_UDP,
							 1000 + i)));
	KUNIT_EXPECT_EQ(test, PTR_ERR(vs_t_new(test, IPPROTO_UDP, 2000)),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 4U);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->inactconns), 4);
}

static void vs_test_conn_tcp_states(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn *cp = vs_t_new(test, IPPROTO_TCP, 40002);

	KUNIT_ASSERT_FALSE(test, IS_ERR(cp));
	local_bh_disable();
	vs_conn_update(f->vn, cp, true, TCPHDR_SYN);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_SYN);
	/* A client ACK before any answer does not establish. */
	vs_conn_update(f->vn, cp, true, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_SYN);
	vs_conn_update(f->vn, cp, false, TCPHDR_SYN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_SYN);
	vs_conn_update(f->vn, cp, true, TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->activeconns), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->inactconns), 0);
	KUNIT_EXPECT_TRUE(test, time_after(cp->expires, jiffies + 800 * HZ));
	vs_conn_update(f->vn, cp, true, TCPHDR_FIN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_FIN_WAIT);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->activeconns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->inactconns), 1);
	vs_conn_update(f->vn, cp, false, TCPHDR_FIN | TCPHDR_ACK);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_TIME_WAIT);
	vs_conn_update(f->vn, cp, true, TCPHDR_RST);
	KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_CLOSE);
	KUNIT_EXPECT_TRUE(test, time_before_eq(cp->expires, jiffies + 10 * HZ));
	local_bh_enable();
}

static void vs_test_conn_sweep(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn *old = vs_t_new(test, IPPROTO_UDP, 5000);
	struct vs_conn *young = vs_t_new(test, IPPROTO_UDP, 5001);

	KUNIT_ASSERT_FALSE(test, IS_ERR(old));
	KUNIT_ASSERT_FALSE(test, IS_ERR(young));
	WRITE_ONCE(old->expires, jiffies - 1);
	vs_conn_sweep(f->vn, false);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 1U);
	KUNIT_EXPECT_NULL(test, vs_t_in(f, IPPROTO_UDP, 5000, 80));
	KUNIT_EXPECT_PTR_EQ(test, vs_t_in(f, IPPROTO_UDP, 5001, 80), young);
}

/* A full table makes room for a new flow by evicting a half-open entry. */
static void vs_test_conn_evict(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	unsigned int i, found = 0;
	struct vs_conn *cp;

	/* 200 half-open entries: from 175 (7/8) on, each new one evicts
	 * the oldest of a sample, whose memory then waits for a grace
	 * period. No grace period ends meanwhile (bottom halves off, one
	 * read section), so every evicted entry is still held.
	 */
	f->vn->cfg.conn_max = 200;
	local_bh_disable();
	rcu_read_lock();
	for (i = 0; i < 200; i++) {
		cp = vs_t_new(test, IPPROTO_TCP, 20000 + i);
		KUNIT_EXPECT_FALSE(test, IS_ERR(cp));
		/* Older: closer to expiry than what comes next. */
		if (!IS_ERR(cp))
			WRITE_ONCE(cp->expires, jiffies + 30 * HZ - (200 - i));
	}
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 175U);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held), 200);
	/* Memory is the limit: evicted entries count until freed. */
	KUNIT_EXPECT_EQ(test, PTR_ERR(vs_t_new(test, IPPROTO_TCP, 29999)),
			-ENOSPC);
	rcu_read_unlock();
	local_bh_enable();
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held),
			(int)vs_conn_count(f->vn));
	/* After the grace period there is room again. */
	for (i = 0; i < 20; i++)
		KUNIT_EXPECT_FALSE(test, IS_ERR(vs_t_new(test, IPPROTO_TCP,
							 30000 + i)));
	KUNIT_EXPECT_GE(test, vs_conn_count(f->vn), 174U);
	KUNIT_EXPECT_LE(test, vs_conn_count(f->vn), 175U);
	for (i = 0; i < 20; i++)
		found += !!vs_t_in(f, IPPROTO_TCP, 30000 + i, 80);
	/* The newest entries are the youngest: none was a victim. */
	KUNIT_EXPECT_EQ(test, found, 20U);
	for (found = 0, i = 0; i < 200; i++)
		found += !!vs_t_in(f, IPPROTO_TCP, 20000 + i, 80);
	KUNIT_EXPECT_EQ(test, found + 20, vs_conn_count(f->vn));
}

/* Established TCP and UDP flows are never evicted. */
static void vs_test_conn_evict_live(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn *cp;
	unsigned int i;

	f->vn->cfg.conn_max = 200;
	local_bh_disable();
	for (i = 0; i < 200; i++) {
		cp = vs_t_new(test, i % 2 ? IPPROTO_UDP : IPPROTO_TCP,
			      20000 + i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(cp));
		if (i % 2)
			continue;
		vs_conn_update(f->vn, cp, false, TCPHDR_SYN | TCPHDR_ACK);
		vs_conn_update(f->vn, cp, true, TCPHDR_ACK);
		KUNIT_EXPECT_EQ(test, cp->state, VSCHED_CS_ESTABLISHED);
	}
	local_bh_enable();
	KUNIT_EXPECT_EQ(test, PTR_ERR(vs_t_new(test, IPPROTO_TCP, 30000)),
			-ENOSPC);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 200U);
}

/* Many entries force resizes; every one stays reachable. */
static void vs_test_conn_many(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	unsigned int i, found = 0;

	/* Room to spare: no eviction (it starts at 7/8 of conn_max). */
	f->vn->cfg.conn_max = 10000;
	for (i = 0; i < 5000; i++)
		KUNIT_ASSERT_FALSE(test, IS_ERR(vs_t_new(test, IPPROTO_TCP,
							 10000 + i)));
	flush_work(&f->vn->conn_table.ht.run_work);
	KUNIT_EXPECT_GT(test, vs_conn_buckets(f->vn), 256U);
	for (i = 0; i < 5000; i++)
		found += !!vs_t_in(f, IPPROTO_TCP, 10000 + i, 80);
	KUNIT_EXPECT_EQ(test, found, 5000U);
}

/* Entries in the table under client 198.18.1.2:cport, any VIP. */
static unsigned int vs_t_entries(struct vs_conn_fixture *f, u8 proto,
				 u16 cport)
{
	struct vs_conn_key key = {
		.caddr = VS_T_CLIENT, .cport = htons(cport),
		.protocol = proto, .af = AF_INET,
	};
	struct rhlist_head *list, *pos;
	unsigned int n = 0;
	struct vs_conn *cp;

	rcu_read_lock();
	list = rhltable_lookup(&f->vn->conn_table, &key, vs_conn_params);
	rhl_for_each_entry_rcu(cp, pos, list, node)
		n++;
	rcu_read_unlock();
	return n;
}

/* A second real server of the fixture's service; vs_dest_put() frees it. */
static struct vs_dest *vs_t_dest2(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_dest *dest;

	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dest);
	dest->stats = vs_stats_alloc();
	refcount_set(&dest->refcnt, 1);
	refcount_inc(&f->svc->refcnt);
	dest->svc = f->svc;
	dest->addr.ip = VS_T_RIP2;
	dest->port = htons(8080);
	return dest;
}

/*
 * The create path called twice for one flow, as two CPUs that both missed
 * the lookup do: the second call gets the first's entry and server, and
 * gives back all it took. The same client to another VIP port is another
 * flow.
 */
static void vs_test_conn_new_existing(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_dest *d2 = vs_t_dest2(test);
	struct vs_conn_key key = {
		.caddr = VS_T_CLIENT, .cport = htons(41000),
		.protocol = IPPROTO_UDP, .af = AF_INET,
	};
	struct vs_conn *cp, *again, *other;
	bool existed;

	cp = vs_conn_new(f->vn, &key, VS_T_VIP, htons(53), f->dest, &existed);
	KUNIT_ASSERT_FALSE(test, IS_ERR(cp));
	KUNIT_EXPECT_FALSE(test, existed);
	again = vs_conn_new(f->vn, &key, VS_T_VIP, htons(53), d2, &existed);
	KUNIT_EXPECT_PTR_EQ(test, again, cp);
	KUNIT_EXPECT_TRUE(test, existed);
	KUNIT_EXPECT_PTR_EQ(test, cp->dest, f->dest);
	KUNIT_EXPECT_EQ(test, cp->daddr, VS_T_RIP);
	KUNIT_EXPECT_EQ(test, vs_t_entries(f, IPPROTO_UDP, 41000), 1U);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 1U);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->inactconns), 1);
	KUNIT_EXPECT_EQ(test, refcount_read(&f->dest->refcnt), 2U);
	/* The loser's server: no count, no reference left behind. */
	KUNIT_EXPECT_EQ(test, atomic_read(&d2->inactconns), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&d2->refcnt), 1U);

	other = vs_conn_new(f->vn, &key, VS_T_VIP, htons(54), d2, &existed);
	KUNIT_ASSERT_FALSE(test, IS_ERR(other));
	KUNIT_EXPECT_FALSE(test, existed);
	KUNIT_EXPECT_PTR_NE(test, other, cp);
	KUNIT_EXPECT_EQ(test, vs_t_entries(f, IPPROTO_UDP, 41000), 2U);
	KUNIT_EXPECT_PTR_EQ(test, vs_t_in(f, IPPROTO_UDP, 41000, 53), cp);
	KUNIT_EXPECT_PTR_EQ(test, vs_t_in(f, IPPROTO_UDP, 41000, 54), other);

	vs_conn_flush(f->vn);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->dest->inactconns), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&d2->inactconns), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&d2->refcnt), 1U);
	vs_dest_put(d2);
}

#define VS_RACE_ROUNDS	300

/*
 * Two threads make the first packet's work for the same new flows: a
 * lookup that misses, then the create path, each with its own server.
 * Both look up before either creates (a rendezvous per round), the way
 * two CPUs interleave; with SMP they also meet inside the create path.
 */
struct vs_race {
	struct vs_conn_fixture *f;
	struct vs_dest *dest[2];
	wait_queue_head_t wq;
	atomic_t arrived;
	struct completion done[2];
	struct vs_conn *cp[2][VS_RACE_ROUNDS];
	bool existed[2][VS_RACE_ROUNDS];
	unsigned int missed[2];		/* lookups that found no entry */
};

struct vs_race_arg {
	struct vs_race *r;
	unsigned int t;
};

static int vs_race_thread(void *data)
{
	struct vs_race_arg *a = data;
	struct vs_race *r = a->r;
	unsigned int t = a->t, i;
	struct vs_conn_key key = {
		.caddr = VS_T_CLIENT, .protocol = IPPROTO_UDP, .af = AF_INET,
	};
	struct vs_conn *cp;

	for (i = 0; i < VS_RACE_ROUNDS; i++) {
		key.cport = htons(42000 + i);
		cp = vs_t_in(r->f, IPPROTO_UDP, 42000 + i, 53);
		atomic_inc(&r->arrived);
		wake_up_all(&r->wq);
		wait_event(r->wq, atomic_read(&r->arrived) >= 2 * (i + 1));
		if (!cp) {
			r->missed[t]++;
			cp = vs_conn_new(r->f->vn, &key, VS_T_VIP, htons(53),
					 r->dest[t], &r->existed[t][i]);
		}
		r->cp[t][i] = cp;
	}
	complete(&r->done[t]);
	return 0;
}

static void vs_test_conn_new_race(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_race_arg args[2];
	unsigned int i, t, bad = 0, one = 0, won[2] = {};
	struct task_struct *task;
	struct vs_race *r;

	r = kunit_kzalloc(test, sizeof(*r), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	r->f = f;
	r->dest[0] = f->dest;
	r->dest[1] = vs_t_dest2(test);
	f->vn->cfg.conn_max = 4 * VS_RACE_ROUNDS;
	init_waitqueue_head(&r->wq);
	atomic_set(&r->arrived, 0);
	for (t = 0; t < 2; t++) {
		init_completion(&r->done[t]);
		args[t].r = r;
		args[t].t = t;
		task = kthread_run(vs_race_thread, &args[t], "vs-race-%u", t);
		KUNIT_ASSERT_FALSE(test, IS_ERR(task));
	}
	for (t = 0; t < 2; t++)
		wait_for_completion(&r->done[t]);

	/* The rendezvous made every lookup miss: every round raced. */
	KUNIT_EXPECT_EQ(test, r->missed[0], VS_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, r->missed[1], VS_RACE_ROUNDS);
	for (i = 0; i < VS_RACE_ROUNDS; i++) {
		struct vs_conn *cp = r->cp[0][i];

		if (IS_ERR_OR_NULL(cp) || cp != r->cp[1][i] ||
		    r->existed[0][i] == r->existed[1][i] ||
		    cp->dest != r->dest[r->existed[0][i]]) {
			bad++;
			continue;
		}
		won[r->existed[0][i]]++;
		one += vs_t_entries(f, IPPROTO_UDP, 42000 + i) == 1;
	}
	kunit_info(test, "rounds %u: thread 0 created %u, thread 1 %u\n",
		   VS_RACE_ROUNDS, won[0], won[1]);
	KUNIT_EXPECT_EQ(test, bad, 0U);
	KUNIT_EXPECT_EQ(test, one, VS_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), VS_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held), VS_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, atomic_read(&r->dest[0]->inactconns) +
			atomic_read(&r->dest[1]->inactconns), VS_RACE_ROUNDS);
	KUNIT_EXPECT_EQ(test, refcount_read(&r->dest[0]->refcnt) +
			refcount_read(&r->dest[1]->refcnt),
			2U + VS_RACE_ROUNDS);

	vs_conn_flush(f->vn);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 0U);
	KUNIT_EXPECT_EQ(test, atomic_read(&f->vn->conn_held), 0);
	for (t = 0; t < 2; t++) {
		KUNIT_EXPECT_EQ(test, atomic_read(&r->dest[t]->inactconns), 0);
		KUNIT_EXPECT_EQ(test, refcount_read(&r->dest[t]->refcnt), 1U);
	}
	vs_dest_put(r->dest[1]);
}

static struct kunit_case vs_conn_cases[] = {
	KUNIT_CASE(vs_test_conn_lookup),
	KUNIT_CASE(vs_test_conn_limit),
	KUNIT_CASE(vs_test_conn_tcp_states),
	KUNIT_CASE(vs_test_conn_sweep),
	KUNIT_CASE(vs_test_conn_many),
	KUNIT_CASE(vs_test_conn_evict),
	KUNIT_CASE(vs_test_conn_evict_live),
	KUNIT_CASE(vs_test_conn_new_existing),
	KUNIT_CASE(vs_test_conn_new_race),
	{}
};

static struct kunit_suite vs_conn_suite = {
	.name = "vsched-conn",
	.init = vs_conn_test_init,
	.exit = vs_conn_test_exit,
	.test_cases = vs_conn_cases,
};

kunit_test_suite(vs_conn_suite);

#ifdef CONFIG_VSCHED_KUNIT_BENCH
/*
 * Microbenchmarks (make bench, tests/bench/micro.sh): the table's cost
 * per lookup among 100,000 entries and per entry made and expired, in ns
 * per operation. Each checks its results too, so a broken table fails.
 */
#define VS_BENCH_ENTRIES	100000U
#define VS_BENCH_LOOKUPS	2000000U
#define VS_BENCH_CHURN		200000U

/* Entry @i: client 198.18.1.2 + i / 65536, port i % 65536. */
static struct vs_conn_key vs_bench_key(unsigned int i)
{
	struct vs_conn_key key = {
		.caddr = cpu_to_be32(be32_to_cpu(VS_T_CLIENT) + (i >> 16)),
		.cport = htons(i & 0xffff),
		.protocol = IPPROTO_TCP, .af = AF_INET,
	};

	return key;
}

static void vs_bench_lookup(struct kunit *test, unsigned int n)
{
	struct vs_conn_fixture *f = test->priv;
	unsigned int i, k, found = 0;
	struct vs_conn_key key;
	bool existed;
	u64 t0, ns;

	f->vn->cfg.conn_max = 2 * n;
	for (i = 0; i < n; i++) {
		key = vs_bench_key(i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(vs_conn_new(f->vn, &key,
							    VS_T_VIP, htons(80),
							    f->dest,
							    &existed)));
	}
	flush_work(&f->vn->conn_table.ht.run_work);
	t0 = ktime_get_ns();
	rcu_read_lock();
	for (i = 0; i < VS_BENCH_LOOKUPS; i++) {
		/* Scattered over the table, as clients are. */
		k = (i * 2654435761U) % n;
		key = vs_bench_key(k);
		found += !!vs_conn_in_get(f->vn, IPPROTO_TCP, key.caddr,
					  key.cport, VS_T_VIP, htons(80));
	}
	rcu_read_unlock();
	ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, found, VS_BENCH_LOOKUPS);
	kunit_info(test, "vsched-bench conn_lookup entries=%u buckets=%u ops=%u ns_per_op=%llu\n",
		   n, vs_conn_buckets(f->vn), VS_BENCH_LOOKUPS,
		   div_u64(ns, VS_BENCH_LOOKUPS));
	vs_conn_flush(f->vn);
	rcu_barrier();
}

/* A table that fits the caches, and one that does not. */
static void vs_bench_conn_lookup(struct kunit *test)
{
	vs_bench_lookup(test, 1000);
	vs_bench_lookup(test, VS_BENCH_ENTRIES);
}

/* A new connection's table work: the entry made, then expired. */
static void vs_bench_conn_new_expire(struct kunit *test)
{
	struct vs_conn_fixture *f = test->priv;
	struct vs_conn_key key;
	struct vs_conn *cp;
	unsigned int i;
	bool existed;
	u64 t0, ns;

	/* Freed entries count until their grace period: room for all. */
	f->vn->cfg.conn_max = 2 * VS_BENCH_CHURN;
	t0 = ktime_get_ns();
	for (i = 0; i < VS_BENCH_CHURN; i++) {
		key = vs_bench_key(i);
		cp = vs_conn_new(f->vn, &key, VS_T_VIP, htons(80), f->dest,
				 &existed);
		KUNIT_ASSERT_FALSE(test, IS_ERR(cp));
		vs_conn_expire(f->vn, cp);
	}
	ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, vs_conn_count(f->vn), 0U);
	kunit_info(test, "vsched-bench conn_new_expire ops=%u ns_per_op=%llu\n",
		   VS_BENCH_CHURN, div_u64(ns, VS_BENCH_CHURN));
}

static struct kunit_case vs_bench_conn_cases[] = {
	KUNIT_CASE(vs_bench_conn_lookup),
	KUNIT_CASE(vs_bench_conn_new_expire),
	{}
};

static struct kunit_suite vs_bench_conn_suite = {
	.name = "vsched-bench-conn",
	.init = vs_conn_test_init,
	.exit = vs_conn_test_exit,
	.test_cases = vs_bench_conn_cases,
};

kunit_test_suite(vs_bench_conn_suite);
#endif
