// SPDX-License-Identifier: GPL-2.0
/* KUnit: effective weights from admin weight and health. Included at the
 * end of service.c.
 */

#include <kunit/test.h>

struct vs_eff_fixture {
	struct vs_net vn;
	struct vs_service svc;
	struct vs_dest dest;
};

static struct vs_eff_fixture *vs_eff_fixture(struct kunit *test, u32 weight)
{
	struct vs_eff_fixture *f;

	f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, f);
	INIT_LIST_HEAD(&f->vn.timed_dests);
	f->svc.vn = &f->vn;
	f->dest.svc = &f->svc;
	f->dest.weight = weight;
	f->dest.health = VSCHED_HEALTH_UP;
	f->dest.health_pct = 100;
	f->dest.health_cap = VSCHED_HEALTH_CAP_NONE;
	INIT_LIST_HEAD(&f->dest.timed);
	return f;
}

static void vs_test_eff_health(struct kunit *test)
{
	struct vs_eff_fixture *f = vs_eff_fixture(test, 10);
	struct vs_dest *d = &f->dest;

	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 10U);
	d->health_pct = 75;
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 7U);
	d->health_pct = 1;		/* never rounds a live server to 0 */
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 1U);
	d->health_pct = 0;		/* agent "drain" */
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 0U);
	d->health_pct = 100;
	d->health_cap = 4;		/* script exit 6 */
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 4U);
	d->health_cap = 40;		/* never above the admin weight */
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 10U);
	d->health = VSCHED_HEALTH_DOWN;
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 0U);
	KUNIT_EXPECT_EQ(test, vs_dest_state(d), (u8)VSCHED_DS_DOWN);
	d->health = VSCHED_HEALTH_UP;
	d->weight = 0;			/* quiesced by the operator */
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 0U);
	d->weight = 10;
	set_bit(VS_DEST_F_DRAINING, &d->flags);
	KUNIT_EXPECT_EQ(test, vs_dest_eff(d), 0U);
	KUNIT_EXPECT_EQ(test, vs_dest_state(d), (u8)VSCHED_DS_DRAINING);
}

/* Down -> up ramps linearly from 1 to the full weight over warmup. */
static void vs_test_eff_warmup(struct kunit *test)
{
	struct vs_eff_fixture *f = vs_eff_fixture(test, 100);
	struct vs_dest *d = &f->dest;
	u8 down = VSCHED_HEALTH_DOWN, up = VSCHED_HEALTH_UP;
	u32 eff;

	f->svc.warmup = 10;
	KUNIT_EXPECT_TRUE(test, vs_dest_refresh(d));
	KUNIT_EXPECT_EQ(test, d->eff_weight, 100U);
	vs_dest_apply(d, &(struct vs_dest_conf){ .health = &down });
	KUNIT_EXPECT_TRUE(test, vs_dest_refresh(d));
	KUNIT_EXPECT_EQ(test, d->eff_weight, 0U);
	vs_dest_apply(d, &(struct vs_dest_conf){ .health = &up });
	KUNIT_EXPECT_TRUE(test, test_bit(VS_DEST_F_WARMING, &d->flags));
	KUNIT_EXPECT_EQ(test, vs_dest_state(d), (u8)VSCHED_DS_WARMING);
	vs_dest_refresh(d);
	KUNIT_EXPECT_FALSE(test, list_empty(&d->timed));
	KUNIT_EXPECT_LE(test, d->eff_weight, 2U);
	KUNIT_EXPECT_GE(test, d->eff_weight, 1U);

	d->up_since = jiffies - 4 * HZ;
	eff = vs_dest_eff(d);
	KUNIT_EXPECT_GE(test, eff, 39U);
	KUNIT_EXPECT_LE(test, eff, 41U);

	d->up_since = jiffies - 11 * HZ;
	vs_dest_refresh(d);
	KUNIT_EXPECT_EQ(test, d->eff_weight, 100U);
	KUNIT_EXPECT_FALSE(test, test_bit(VS_DEST_F_WARMING, &d->flags));
	KUNIT_EXPECT_TRUE(test, list_empty(&d->timed));
	KUNIT_EXPECT_EQ(test, vs_dest_state(d), (u8)VSCHED_DS_UP);
}

/* Health and admin weight never overwrite each other. */
static void vs_test_eff_admin_apart(struct kunit *test)
{
	struct vs_eff_fixture *f = vs_eff_fixture(test, 3);
	struct vs_dest *d = &f->dest;
	u8 down = VSCHED_HEALTH_DOWN, up = VSCHED_HEALTH_UP;
	u32 w = 5;
	struct vs_dest_conf conf = { .health = &down, .reason = "HTTP 500" };

	vs_dest_apply(d, &conf);
	vs_dest_apply(d, &(struct vs_dest_conf){ .weight = &w });
	vs_dest_refresh(d);
	KUNIT_EXPECT_EQ(test, d->weight, 5U);
	KUNIT_EXPECT_EQ(test, d->eff_weight, 0U);
	KUNIT_EXPECT_STREQ(test, d->reason, "HTTP 500");
	vs_dest_apply(d, &(struct vs_dest_conf){ .health = &up });
	vs_dest_refresh(d);
	KUNIT_EXPECT_EQ(test, d->eff_weight, 5U);
}

static struct kunit_case vs_service_cases[] = {
	KUNIT_CASE(vs_test_eff_health),
	KUNIT_CASE(vs_test_eff_warmup),
	KUNIT_CASE(vs_test_eff_admin_apart),
	{}
};

static struct kunit_suite vs_service_suite = {
	.name = "vsched-service",
	.test_cases = vs_service_cases,
};

kunit_test_suite(vs_service_suite);
