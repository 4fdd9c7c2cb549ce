// SPDX-License-Identifier: GPL-2.0
/* KUnit: scheduler sequences. Included at the end of sched.c. */

#include <kunit/test.h>

struct vs_sched_fixture {
	struct vs_net vn;
	struct vs_service svc;
	struct vs_dest dests[4];
};

static struct vs_sched_fixture *vs_sched_fixture(struct kunit *test,
						 const u32 *weights,
						 unsigned int n)
{
	struct vs_sched_fixture *f;
	unsigned int i;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	mutex_init(&f->vn.lock);
	f->svc.vn = &f->vn;
	INIT_LIST_HEAD(&f->svc.dests);
	for (i = 0; i < n; i++) {
		f->dests[i].weight = weights[i];
		f->dests[i].eff_weight = weights[i];
		f->dests[i].svc = &f->svc;
		list_add_tail(&f->dests[i].list, &f->svc.dests);
		f->svc.num_dests++;
	}
	return f;
}

static void vs_sched_set(struct kunit *test, struct vs_sched_fixture *f,
			 const char *name)
{
	mutex_lock(&f->vn.lock);
	KUNIT_ASSERT_EQ(test, vs_sched_rebuild(&f->svc, vs_sched_find(name)),
			0);
	mutex_unlock(&f->vn.lock);
}

static void vs_sched_done(struct vs_sched_fixture *f)
{
	mutex_lock(&f->vn.lock);
	vs_sched_release(&f->svc);
	mutex_unlock(&f->vn.lock);
	rcu_barrier();
}

/* Picks @n servers and writes their indexes (or -1) into @out. */
static void vs_sched_run(struct vs_sched_fixture *f, int *out, unsigned int n)
{
	unsigned int i;

	rcu_read_lock();
	for (i = 0; i < n; i++) {
		struct vs_dest *d = vs_sched_pick(&f->svc, NULL);

		out[i] = d ? (int)(d - f->dests) : -1;
	}
	rcu_read_unlock();
}

static void vs_expect_seq(struct kunit *test, const int *got, const int *want,
			  unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "pick %u", i);
}

static void vs_test_rr(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1 };
	static const int want[] = { 0, 1, 2, 0, 1, 2, 0 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 3);
	int got[ARRAY_SIZE(want)];

	vs_sched_set(test, f, "rr");
	vs_sched_run(f, got, ARRAY_SIZE(got));
	vs_expect_seq(test, got, want, ARRAY_SIZE(want));
	vs_sched_done(f);
}

static void vs_test_rr_skips_quiesced_and_dead(struct kunit *test)
{
	static const u32 w[] = { 1, 0, 1, 1 };
	static const int want[] = { 0, 3, 0, 3 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 4);
	int got[ARRAY_SIZE(want)];

	set_bit(VS_DEST_F_DEAD, &f->dests[2].flags);
	vs_sched_set(test, f, "rr");
	vs_sched_run(f, got, ARRAY_SIZE(got));
	vs_expect_seq(test, got, want, ARRAY_SIZE(want));
	vs_sched_done(f);
}

static void vs_test_rr_none(struct kunit *test)
{
	static const u32 w[] = { 0, 0 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 2);
	int got[2];

	vs_sched_set(test, f, "rr");
	vs_sched_run(f, got, 2);
	KUNIT_EXPECT_EQ(test, got[0], -1);
	KUNIT_EXPECT_EQ(test, got[1], -1);
	vs_sched_done(f);
}

/* The L4 design notes' example, as IPVS's wrr interleaves it. */
static void vs_test_wrr_321(struct kunit *test)
{
	static const u32 w[] = { 3, 2, 1 };
	static const int want[] = { 0, 0, 1, 0, 1, 2, 0, 0, 1, 0, 1, 2 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 3);
	int got[ARRAY_SIZE(want)];

	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, ARRAY_SIZE(got));
	vs_expect_seq(test, got, want, ARRAY_SIZE(want));
	vs_sched_done(f);
}

static void vs_test_wrr_gcd(struct kunit *test)
{
	static const u32 w[] = { 4, 2, 0 };
	static const int want[] = { 0, 0, 1, 0, 0, 1 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 3);
	int got[ARRAY_SIZE(want)];

	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, ARRAY_SIZE(got));
	vs_expect_seq(test, got, want, ARRAY_SIZE(want));
	vs_sched_done(f);
}

/* Shares over a long run match the weights exactly, even extreme ones. */
static void vs_test_wrr_shares(struct kunit *test)
{
	static const u32 w[] = { 65535, 1, 300, 7 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 4);
	unsigned int counts[4] = { 0 }, total = 65535 + 1 + 300 + 7, i;
	int *got;

	got = kunit_kmalloc_array(test, total, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, total);
	for (i = 0; i < total; i++) {
		KUNIT_ASSERT_GE(test, got[i], 0);
		counts[got[i]]++;
	}
	for (i = 0; i < 4; i++)
		KUNIT_EXPECT_EQ(test, counts[i], w[i]);
	vs_sched_done(f);
}

/* A weight change publishes new state; readers never see a mix. */
static void vs_test_switch_scheduler(struct kunit *test)
{
	static const u32 w[] = { 2, 1 };
	static const int want_rr[] = { 0, 1, 0, 1 };
	static const int want_wrr[] = { 0, 0, 1, 0 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 2);
	int got[4];

	vs_sched_set(test, f, "rr");
	vs_sched_run(f, got, 4);
	vs_expect_seq(test, got, want_rr, ARRAY_SIZE(want_rr));
	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, 4);
	vs_expect_seq(test, got, want_wrr, ARRAY_SIZE(want_wrr));
	KUNIT_EXPECT_NULL(test, vs_sched_find("no-such"));
	vs_sched_done(f);
}

/* Sorry servers: only when no other server is usable, in turn. */
static void vs_test_sorry(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1, 1 };
	static const int want_up[] = { 0, 1, 0, 1 };
	static const int want_sorry[] = { 2, 3, 2, 3 };
	struct vs_sched_fixture *f = vs_sched_fixture(test, w, 4);
	int got[4];

	f->dests[2].dflags = VSCHED_DEST_F_SORRY;
	f->dests[3].dflags = VSCHED_DEST_F_SORRY;
	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, 4);
	vs_expect_seq(test, got, want_up, ARRAY_SIZE(want_up));

	f->dests[0].eff_weight = 0;
	set_bit(VS_DEST_F_DEAD, &f->dests[1].flags);
	vs_sched_set(test, f, "wrr");
	vs_sched_run(f, got, 4);
	vs_expect_seq(test, got, want_sorry, ARRAY_SIZE(want_sorry));

	/* A sorry server that is down itself is not used either. */
	f->dests[2].eff_weight = 0;
	f->dests[3].eff_weight = 0;
	vs_sched_set(test, f, "rr");
	vs_sched_run(f, got, 1);
	KUNIT_EXPECT_EQ(test, got[0], -1);
	vs_sched_done(f);
}

static struct kunit_case vs_sched_cases[] = {
	KUNIT_CASE(vs_test_rr),
	KUNIT_CASE(vs_test_rr_skips_quiesced_and_dead),
	KUNIT_CASE(vs_test_rr_none),
	KUNIT_CASE(vs_test_wrr_321),
	KUNIT_CASE(vs_test_wrr_gcd),
	KUNIT_CASE(vs_test_wrr_shares),
	KUNIT_CASE(vs_test_switch_scheduler),
	KUNIT_CASE(vs_test_sorry),
	{}
};

static struct kunit_suite vs_sched_suite = {
	.name = "vsched-sched",
	.test_cases = vs_sched_cases,
};

kunit_test_suite(vs_sched_suite);

#ifdef CONFIG_VSCHED_KUNIT_BENCH
/*
 * Microbenchmarks (make bench): a scheduling decision's cost with 3, 100
 * and 1,000 real servers, rr, wrr, lc and wlc (wrr and wlc: weights
 * 1..5), in ns per pick. For lc and wlc each pick opens a connection on
 * its server and the pick VS_BENCH_LIVE * n picks before closes one, so
 * the servers carry load as in a real pool; that accounting (two atomics,
 * as the connection table does) is in the figure. The shares (rr, wrr:
 * of the picks; lc, wlc: of the open connections) are checked, so a
 * broken scheduler fails.
 */
#define VS_BENCH_PICKS	1000000U
#define VS_BENCH_LIVE	4U

static void vs_bench_sched(struct kunit *test, const char *name,
			   unsigned int n)
{
	bool lc = !strcmp(name, "lc") || !strcmp(name, "wlc");
	unsigned int i, total = 0, *picks, live = 0, slack;
	struct vs_dest *dests, **ring;
	struct vs_service *svc;
	struct vs_net *vn;
	bool fair = true;
	u64 t0, ns;

	vn = kunit_kzalloc(test, sizeof(*vn), GFP_KERNEL);
	svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	dests = kunit_kcalloc(test, n, sizeof(*dests), GFP_KERNEL);
	picks = kunit_kcalloc(test, n, sizeof(*picks), GFP_KERNEL);
	ring = kunit_kcalloc(test, VS_BENCH_LIVE * n, sizeof(*ring),
			     GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, vn && svc && dests && picks && ring);
	mutex_init(&vn->lock);
	svc->vn = vn;
	INIT_LIST_HEAD(&svc->dests);
	for (i = 0; i < n; i++) {
		dests[i].weight = strcmp(name, "rr") && strcmp(name, "lc") ?
				  1 + i % 5 : 1;
		dests[i].eff_weight = dests[i].weight;
		dests[i].svc = svc;
		list_add_tail(&dests[i].list, &svc->dests);
		total += dests[i].weight;
		svc->num_dests++;
	}
	mutex_lock(&vn->lock);
	KUNIT_ASSERT_EQ(test, vs_sched_rebuild(svc, vs_sched_find(name)), 0);
	mutex_unlock(&vn->lock);
	t0 = ktime_get_ns();
	rcu_read_lock();
	for (i = 0; i < VS_BENCH_PICKS; i++) {
		struct vs_dest *d = vs_sched_pick(svc, NULL);

		if (!d)
			continue;
		picks[d - dests]++;
		if (!lc)
			continue;
		atomic_inc(&d->inactconns);
		if (ring[live])
			atomic_dec(&ring[live]->inactconns);
		ring[live] = d;
		if (++live == VS_BENCH_LIVE * n)
			live = 0;
	}
	rcu_read_unlock();
	ns = ktime_get_ns() - t0;
	/*
	 * Each server's share is its weight's, within one round (rr, wrr),
	 * or within two connections per unit of weight (lc, wlc: least
	 * connection balances what servers hold, not the picks).
	 */
	for (i = 0; i < n; i++) {
		u32 got = lc ? atomic_read(&dests[i].inactconns) : picks[i];
		u64 want = div_u64((u64)(lc ? VS_BENCH_LIVE * n : VS_BENCH_PICKS) *
				   dests[i].weight, total);

		slack = dests[i].weight * (lc ? 2 : 1);
		fair &= got + slack >= want && got <= want + slack;
	}
	KUNIT_EXPECT_TRUE_MSG(test, fair, "%s with %u servers: unfair shares",
			      name, n);
	kunit_info(test, "vsched-bench sched_%s servers=%u ops=%u ns_per_op=%llu\n",
		   name, n, VS_BENCH_PICKS, div_u64(ns, VS_BENCH_PICKS));
	mutex_lock(&vn->lock);
	vs_sched_release(svc);
	mutex_unlock(&vn->lock);
	rcu_barrier();
}

static void vs_bench_sched_all(struct kunit *test)
{
	static const unsigned int sizes[] = { 3, 100, 1000 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		vs_bench_sched(test, "rr", sizes[i]);
		vs_bench_sched(test, "wrr", sizes[i]);
		vs_bench_sched(test, "lc", sizes[i]);
		vs_bench_sched(test, "wlc", sizes[i]);
	}
}

static struct kunit_case vs_bench_sched_cases[] = {
	KUNIT_CASE(vs_bench_sched_all),
	{}
};

static struct kunit_suite vs_bench_sched_suite = {
	.name = "vsched-bench-sched",
	.test_cases = vs_bench_sched_cases,
};

kunit_test_suite(vs_bench_sched_suite);
#endif
