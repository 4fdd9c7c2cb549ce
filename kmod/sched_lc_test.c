// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: lc and wlc pick what IPVS's ip_vs_lc.c and ip_vs_wlc.c pick in a
 * pool that fits one window, and stay balanced with a moving window in a
 * larger one. Included at the end of sched_lc.c.
 */

#include <kunit/test.h>

struct vs_lc_fixture {
	struct vs_service svc;
	struct vs_sched_data *data;
	struct vs_dest *dests;
	unsigned int n;
};

/* @n servers of weight @w[i] (1 each if @w is NULL), no connections. */
static struct vs_lc_fixture *vs_lc_fixture(struct kunit *test,
					   const u32 *w, unsigned int n)
{
	struct vs_lc_fixture *f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, f);
	f->dests = kunit_kcalloc(test, n, sizeof(*f->dests), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f->dests);
	f->n = n;
	INIT_LIST_HEAD(&f->svc.dests);
	for (i = 0; i < n; i++) {
		f->dests[i].weight = w ? w[i] : 1;
		f->dests[i].eff_weight = f->dests[i].weight;
		f->dests[i].svc = &f->svc;
		list_add_tail(&f->dests[i].list, &f->svc.dests);
	}
	f->svc.num_dests = n;
	return f;
}

static void vs_lc_fixture_build(struct kunit *test, struct vs_lc_fixture *f,
				bool weighted)
{
	f->data = vs_lc_build_common(&f->svc, weighted);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->data));
}

static void vs_lc_fixture_free(struct vs_lc_fixture *f)
{
	vs_lc_free(f->data);
	kvfree(f->data);
}

/* The index of the next pick, -1 for none. */
static int vs_lc_pick(struct vs_lc_fixture *f)
{
	struct vs_dest *d = vs_lc_schedule(f->data, NULL);

	return d ? (int)(d - f->dests) : -1;
}

static void vs_lc_set(struct vs_lc_fixture *f, unsigned int i, int active,
		      int inact)
{
	atomic_set(&f->dests[i].activeconns, active);
	atomic_set(&f->dests[i].inactconns, inact);
}

/* An active connection weighs 256 inactive ones, as in IPVS. */
static void vs_test_lc_least(struct kunit *test)
{
	struct vs_lc_fixture *f = vs_lc_fixture(test, NULL, 4);

	vs_lc_fixture_build(test, f, false);
	vs_lc_set(f, 0, 1, 0);
	vs_lc_set(f, 1, 0, 300);
	vs_lc_set(f, 2, 0, 255);
	vs_lc_set(f, 3, 1, 1);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 2);
	vs_lc_set(f, 2, 0, 256);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 0);	/* 256 = 256: first */
	vs_lc_set(f, 0, 2, 0);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 2);
	vs_lc_fixture_free(f);
}

/* Idle servers: IPVS's lc and wlc take the first in list order. */
static void vs_test_lc_ties(struct kunit *test)
{
	static const u32 w[] = { 1, 5, 5 };
	struct vs_lc_fixture *f = vs_lc_fixture(test, w, 3);
	unsigned int i;

	vs_lc_fixture_build(test, f, false);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 0);
	vs_lc_fixture_free(f);
	vs_lc_fixture_build(test, f, true);
	for (i = 0; i < 5; i++)
		KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 0);
	/* 1/1 > 4/5: the loaded heavier server is the less busy one. */
	vs_lc_set(f, 0, 0, 1);
	vs_lc_set(f, 1, 0, 4);
	vs_lc_set(f, 2, 0, 5);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 1);
	vs_lc_fixture_free(f);
}

/*
 * From idle servers, each pick opens a connection on its server: @picks
 * picks, the count of each server's into @got.
 */
static void vs_lc_run(struct vs_lc_fixture *f, unsigned int picks,
		      unsigned int *got)
{
	unsigned int i;
	int p;

	memset(got, 0, f->n * sizeof(*got));
	for (i = 0; i < f->n; i++)
		vs_lc_set(f, i, 0, 0);
	for (i = 0; i < picks; i++) {
		p = vs_lc_pick(f);
		if (p < 0)
			continue;
		got[p]++;
		atomic_inc(&f->dests[p].inactconns);
	}
}

/* lc ignores weights; wlc shares connections by weight. */
static void vs_test_lc_shares(struct kunit *test)
{
	static const u32 w[] = { 1, 2, 3 };
	struct vs_lc_fixture *f = vs_lc_fixture(test, w, 3);
	unsigned int got[3], i;

	vs_lc_fixture_build(test, f, false);
	vs_lc_run(f, 300, got);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, got[i], 100U);
	vs_lc_fixture_free(f);
	vs_lc_fixture_build(test, f, true);
	vs_lc_run(f, 600, got);
	for (i = 0; i < 3; i++)
		KUNIT_EXPECT_EQ(test, got[i], 100 * w[i]);
	vs_lc_fixture_free(f);
}

/* Servers of weight 0 and dead ones are not in the pool; none: NULL. */
static void vs_test_lc_usable(struct kunit *test)
{
	static const u32 w[] = { 1, 0, 1 };
	struct vs_lc_fixture *f = vs_lc_fixture(test, w, 3);

	vs_lc_set(f, 0, 0, 5);
	vs_lc_set(f, 2, 0, 5);
	vs_lc_fixture_build(test, f, false);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 0);
	vs_lc_fixture_free(f);
	set_bit(VS_DEST_F_DEAD, &f->dests[0].flags);
	vs_lc_fixture_build(test, f, false);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), 2);
	vs_lc_fixture_free(f);
	set_bit(VS_DEST_F_DEAD, &f->dests[2].flags);
	vs_lc_fixture_build(test, f, true);
	KUNIT_EXPECT_EQ(test, vs_lc_pick(f), -1);
	vs_lc_fixture_free(f);
}

/*
 * 1,000 servers, more than a window: a pick examines VS_LC_WINDOW of
 * them, yet an idle server among busy ones is found within one pass of
 * the windows over the pool, and connections stay evenly spread.
 */
static void vs_test_lc_window(struct kunit *test)
{
	const unsigned int n = 1000, pass = DIV_ROUND_UP(n, VS_LC_WINDOW);
	struct vs_lc_fixture *f = vs_lc_fixture(test, NULL, n);
	unsigned int *got, i, lo = UINT_MAX, hi = 0, found = 0;

	got = kunit_kcalloc(test, n, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	vs_lc_fixture_build(test, f, false);
	KUNIT_ASSERT_NOT_NULL(test, container_of(f->data, struct vs_lc_data,
						 base)->cursor);
	for (i = 0; i < n; i++)
		vs_lc_set(f, i, 1, 0);
	vs_lc_set(f, 777, 0, 3);
	for (i = 1; i <= pass && !found; i++)
		if (vs_lc_pick(f) == 777)
			found = i;
	KUNIT_EXPECT_GT_MSG(test, found, 0U, "not found in %u picks", pass);

	vs_lc_run(f, 100 * n, got);
	for (i = 0; i < n; i++) {
		lo = min(lo, got[i]);
		hi = max(hi, got[i]);
	}
	kunit_info(test, "lc, 1000 servers, 100,000 picks: %u..%u each\n",
		   lo, hi);
	KUNIT_EXPECT_GE(test, lo, 98U);
	KUNIT_EXPECT_LE(test, hi, 102U);
	vs_lc_fixture_free(f);
}

/* wlc over 1,000 servers of weights 1..4: shares follow the weights. */
static void vs_test_wlc_window(struct kunit *test)
{
	const unsigned int n = 1000;
	struct vs_lc_fixture *f;
	unsigned int *got, i, bad = 0;
	u32 *w;

	w = kunit_kcalloc(test, n, sizeof(*w), GFP_KERNEL);
	got = kunit_kcalloc(test, n, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, w && got);
	for (i = 0; i < n; i++)
		w[i] = 1 + i % 4;
	f = vs_lc_fixture(test, w, n);
	vs_lc_fixture_build(test, f, true);
	/* 2,500 weight units: 40 connections per unit. */
	vs_lc_run(f, 100000, got);
	for (i = 0; i < n; i++)
		if (got[i] + 2 < 40 * w[i] || got[i] > 40 * w[i] + 2)
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0U,
			    "servers off their weight's share by more than 2");
	vs_lc_fixture_free(f);
}

/*
 * Each allocation of the build failing in turn, with more servers than a
 * window so that the per-CPU cursor is allocated too: the build fails
 * cleanly each time, then succeeds. The server array used to be freed
 * twice when the cursor could not be allocated. KASAN (run.sh --debug)
 * reports a double free outright; plain SLUB takes it silently and hands
 * the object out twice, which the two allocations below catch.
 */
static void vs_test_lc_build_faults(struct kunit *test)
{
	const unsigned int n = VS_LC_WINDOW + 8;
	struct vs_lc_fixture *f = vs_lc_fixture(test, NULL, n);
	size_t sz = n * sizeof(struct vs_dest *);
	struct vs_fault *fault;
	unsigned int nth;
	void *a, *b;

	for (nth = 1;; nth++) {
		fault = vs_fault_arm(test, nth);
		f->data = vs_lc_build_common(&f->svc, nth & 1);
		vs_fault_arm(test, 0);
		if (!fault->hit)
			break;
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(f->data), -ENOMEM);
		a = kmalloc(sz, GFP_KERNEL);
		b = kmalloc(sz, GFP_KERNEL);
		KUNIT_EXPECT_PTR_NE_MSG(test, a, b, "fault %u: double free", nth);
		kfree(a);
		if (b != a)
			kfree(b);
	}
	/* The window's allocation is the third: all were tried. */
	KUNIT_EXPECT_EQ(test, nth, 4U);
	KUNIT_ASSERT_FALSE(test, IS_ERR(f->data));
	KUNIT_EXPECT_NOT_NULL(test, container_of(f->data, struct vs_lc_data,
						 base)->cursor);
	vs_lc_fixture_free(f);
}

static struct kunit_case vs_lc_cases[] = {
	KUNIT_CASE(vs_test_lc_least),
	KUNIT_CASE(vs_test_lc_ties),
	KUNIT_CASE(vs_test_lc_shares),
	KUNIT_CASE(vs_test_lc_usable),
	KUNIT_CASE(vs_test_lc_window),
	KUNIT_CASE(vs_test_wlc_window),
	KUNIT_CASE(vs_test_lc_build_faults),
	{}
};

static struct kunit_suite vs_lc_suite = {
	.name = "vsched-sched-lc",
	.test_cases = vs_lc_cases,
};

kunit_test_suite(vs_lc_suite);
