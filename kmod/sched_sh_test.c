// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: source hashing. Clients keep their server, shares follow the
 * weights, the port flag and the fallback flag do what ipvsadm says.
 * Included at the end of sched_sh.c; fixture in sched_hash_test.c.
 */

#include <kunit/test.h>

#define VS_SH_TEST_CLIENTS	10000U

static int *vs_sh_test_map(struct kunit *test, struct vs_hash_fixture *f,
			   u16 sport)
{
	int *got = kunit_kcalloc(test, VS_SH_TEST_CLIENTS, sizeof(*got),
				 GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, got);
	vs_hash_map(f, got, VS_SH_TEST_CLIENTS, sport);
	return got;
}

/* Same client, same server: picked twice and after a rebuild. */
static void vs_test_sh_sticky(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1, 1 };
	struct vs_hash_fixture *f = vs_hash_fixture(test, w, 4, 0);
	unsigned int k, diff = 0;
	int *a, *b, *c;

	vs_hash_rebuild(test, f, "sh");
	a = vs_sh_test_map(test, f, 0);
	b = vs_sh_test_map(test, f, 0);
	vs_hash_rebuild(test, f, "sh");
	c = vs_sh_test_map(test, f, 0);
	for (k = 0; k < VS_SH_TEST_CLIENTS; k++)
		diff += a[k] != b[k] || a[k] != c[k];
	KUNIT_EXPECT_EQ(test, diff, 0U);
	/* Different clients spread: each server within 10% of a quarter. */
	vs_hash_expect_shares(test, a, VS_SH_TEST_CLIENTS, w, 4, 10);
	vs_hash_done(f);
}

/*
 * Weights 1:2:3:4 deal 256 buckets 26:52:78:100 (2.3% off at most); the
 * hash of 10,000 clients adds a few percent: 10% of each share.
 */
static void vs_test_sh_weights(struct kunit *test)
{
	static const u32 w[] = { 1, 2, 3, 4 };
	static const u32 big[] = { 300, 100, 50, 30, 20 };
	struct vs_hash_fixture *f = vs_hash_fixture(test, w, 4, 0);

	vs_hash_rebuild(test, f, "sh");
	vs_hash_expect_shares(test, vs_sh_test_map(test, f, 0),
			      VS_SH_TEST_CLIENTS, w, 4, 10);
	vs_hash_done(f);
	/* More weight than IPVS's 256 buckets: still each its share. */
	f = vs_hash_fixture(test, big, 5, 0);
	vs_hash_rebuild(test, f, "sh");
	vs_hash_expect_shares(test, vs_sh_test_map(test, f, 0),
			      VS_SH_TEST_CLIENTS, big, 5, 15);
	vs_hash_done(f);
}

/* sh-port: one address from many ports reaches several servers. */
static void vs_test_sh_port(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1, 1 };
	struct vs_hash_fixture *f = vs_hash_fixture(test, w, 4, 0);
	unsigned int port, moved = 0, seen = 0;
	int *a, got;

	vs_hash_rebuild(test, f, "sh");
	a = vs_sh_test_map(test, f, 1000);
	for (port = 1001; port < 1064; port++) {
		vs_hash_map(f, &got, 1, port);
		moved += got != a[0];
	}
	KUNIT_EXPECT_EQ(test, moved, 0U);	/* the port is not hashed */

	f->svc.sched_flags = VSCHED_SCHED_F_PORT;
	vs_hash_rebuild(test, f, "sh");
	for (port = 1000; port < 1064; port++) {
		vs_hash_map(f, &got, 1, port);
		KUNIT_ASSERT_GE(test, got, 0);
		seen |= 1U << got;
	}
	/* 64 ports all on one server of 4: odds 4^-63. */
	KUNIT_EXPECT_GT(test, hweight32(seen), 1);
	vs_hash_done(f);
}

/*
 * Server 1 becomes unavailable. Weight 0 keeps its buckets (its last
 * weight): without fallback its clients get no server, with it another
 * one; nobody else moves. Down: without fallback it leaves the table and
 * every client gets a server; with fallback, nobody else moves either.
 */
static void vs_test_sh_fallback(struct kunit *test)
{
	static const u32 w[] = { 1, 1, 1, 1 };
	static const u32 modes[] = { 0, VSCHED_SCHED_F_FALLBACK };
	unsigned int m, down, k, orphans, lost, moved, stray;
	struct vs_hash_fixture *f;
	int *a, *b;

	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (down = 0; down < 2; down++) {
			f = vs_hash_fixture(test, w, 4, modes[m]);
			vs_hash_rebuild(test, f, "sh");
			a = vs_sh_test_map(test, f, 0);
			f->dests[1].eff_weight = 0;
			if (down)
				f->dests[1].health = VSCHED_HEALTH_DOWN;
			else
				f->dests[1].weight = 0;
			vs_hash_rebuild(test, f, "sh");
			b = vs_sh_test_map(test, f, 0);
			orphans = 0, lost = 0, moved = 0, stray = 0;
			for (k = 0; k < VS_SH_TEST_CLIENTS; k++) {
				orphans += a[k] == 1;
				lost += b[k] < 0;
				stray += b[k] == 1;
				moved += a[k] != 1 && a[k] != b[k];
			}
			KUNIT_EXPECT_GT(test, orphans, 0U);
			KUNIT_EXPECT_EQ(test, stray, 0U);
			if (!modes[m] && !down)
				KUNIT_EXPECT_EQ(test, lost, orphans);
			else
				KUNIT_EXPECT_EQ(test, lost, 0U);
			if (modes[m] || !down)
				KUNIT_EXPECT_EQ(test, moved, 0U);
			vs_hash_done(f);
		}
	}
}

/* No server, or only servers that never had a weight: no pick. */
static void vs_test_sh_empty(struct kunit *test)
{
	static const u32 zero[] = { 0, 0 };
	struct vs_hash_fixture *f = vs_hash_fixture(test, zero, 0, 0);
	int got;

	vs_hash_rebuild(test, f, "sh");
	vs_hash_map(f, &got, 1, 0);
	KUNIT_EXPECT_EQ(test, got, -1);
	vs_hash_done(f);
	f = vs_hash_fixture(test, zero, 2, VSCHED_SCHED_F_FALLBACK);
	vs_hash_rebuild(test, f, "sh");
	vs_hash_map(f, &got, 1, 0);
	KUNIT_EXPECT_EQ(test, got, -1);
	vs_hash_done(f);
}

static struct kunit_case vs_sh_cases[] = {
	KUNIT_CASE(vs_test_sh_sticky),
	KUNIT_CASE(vs_test_sh_weights),
	KUNIT_CASE(vs_test_sh_port),
	KUNIT_CASE(vs_test_sh_fallback),
	KUNIT_CASE(vs_test_sh_empty),
	{}
};

static struct kunit_suite vs_sh_suite = {
	.name = "vsched-sh",
	.test_cases = vs_sh_cases,
};

kunit_test_suite(vs_sh_suite);
