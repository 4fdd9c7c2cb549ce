// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: wrr's two ways to a pick, the table of a whole cycle and the
 * search, give the same sequence. Included at the end of sched_wrr.c.
 */

#include <kunit/test.h>

static void vs_wrr_test_seq(struct kunit *test, const u32 *w, unsigned int n)
{
	struct vs_service *svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	struct vs_dest *dests = kunit_kcalloc(test, n, sizeof(*dests),
					      GFP_KERNEL);
	struct vs_sched_data *data;
	struct vs_wrr_data *d;
	struct vs_dest **got;
	unsigned int i, cycle, diff = 0;
	u32 *seq;

	KUNIT_ASSERT_TRUE(test, svc && dests);
	INIT_LIST_HEAD(&svc->dests);
	for (i = 0; i < n; i++) {
		dests[i].weight = w[i];
		dests[i].eff_weight = w[i];
		dests[i].svc = svc;
		list_add_tail(&dests[i].list, &svc->dests);
	}
	svc->num_dests = n;
	data = vs_wrr_build(svc);
	KUNIT_ASSERT_FALSE(test, IS_ERR(data));
	d = container_of(data, struct vs_wrr_data, base);
	KUNIT_ASSERT_NOT_NULL(test, d->seq);
	cycle = d->cum[d->passes - 1];
	got = kunit_kcalloc(test, 2 * cycle, sizeof(*got), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, got);
	for (i = 0; i < 2 * cycle; i++)
		got[i] = vs_wrr_schedule(data, NULL);
	/* The same positions again, by the search. */
	seq = d->seq;
	d->seq = NULL;
	atomic_set(&d->pos, 0);
	for (i = 0; i < 2 * cycle; i++)
		diff += got[i] != vs_wrr_schedule(data, NULL);
	d->seq = seq;
	KUNIT_EXPECT_EQ(test, diff, 0U);
	vs_wrr_free_cum(data);
	kvfree(d);
}

static void vs_test_wrr_table_equals_search(struct kunit *test)
{
	static const u32 a[] = { 5, 3, 3, 1, 4 };
	static const u32 b[] = { 100, 50, 1, 75, 1, 20 };
	u32 *many = kunit_kcalloc(test, 1000, sizeof(*many), GFP_KERNEL);
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, many);
	for (i = 0; i < 1000; i++)
		many[i] = 1 + i % 7;
	vs_wrr_test_seq(test, a, ARRAY_SIZE(a));
	vs_wrr_test_seq(test, b, ARRAY_SIZE(b));
	vs_wrr_test_seq(test, many, 1000);
}

/* Too long a cycle for the table: the search alone, still exact. */
static void vs_test_wrr_no_table_for_huge_cycles(struct kunit *test)
{
	struct vs_service *svc = kunit_kzalloc(test, sizeof(*svc), GFP_KERNEL);
	struct vs_dest *dests = kunit_kcalloc(test, 2, sizeof(*dests),
					      GFP_KERNEL);
	struct vs_sched_data *data;
	unsigned int i;

	KUNIT_ASSERT_TRUE(test, svc && dests);
	INIT_LIST_HEAD(&svc->dests);
	for (i = 0; i < 2; i++) {
		dests[i].weight = 65535 - i;
		dests[i].eff_weight = dests[i].weight;
		dests[i].svc = svc;
		list_add_tail(&dests[i].list, &svc->dests);
	}
	svc->num_dests = 2;
	data = vs_wrr_build(svc);
	KUNIT_ASSERT_FALSE(test, IS_ERR(data));
	KUNIT_EXPECT_NULL(test, container_of(data, struct vs_wrr_data,
					     base)->seq);
	KUNIT_EXPECT_PTR_EQ(test, vs_wrr_schedule(data, NULL), &dests[0]);
	vs_wrr_free_cum(data);
	kvfree(container_of(data, struct vs_wrr_data, base));
}

static struct kunit_case vs_wrr_cases[] = {
	KUNIT_CASE(vs_test_wrr_table_equals_search),
	KUNIT_CASE(vs_test_wrr_no_table_for_huge_cycles),
	{}
};

static struct kunit_suite vs_wrr_suite = {
	.name = "vsched-wrr",
	.test_cases = vs_wrr_cases,
};

kunit_test_suite(vs_wrr_suite);
