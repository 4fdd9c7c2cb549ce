/* SPDX-License-Identifier: GPL-2.0 */
/* A test-only fault point on the allocations of configuration changes. */
#ifndef _VS_FAULT_H
#define _VS_FAULT_H

#include <linux/types.h>

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include <kunit/resource.h>
#include <kunit/test.h>
#include <linux/sched.h>

#ifdef VS_HAVE_KUNIT_GET_CURRENT_TEST
#include <kunit/test-bug.h>
#else
static inline struct kunit *kunit_get_current_test(void)
{
	return current->kunit_test;
}
#endif

/*
 * A KUnit test arms it with n (vs_fault_arm() below): the nth vs_fault()
 * in that test's own task returns true, and its caller fails as if the
 * allocation next to it had. failslab cannot do this from KUnit: by
 * default it ignores allocations that may sleep, and those are the ones
 * configuration changes make. Work items and RCU callbacks run in other
 * tasks and never fail.
 */
struct vs_fault {
	unsigned int nth;	/* 0: disarmed */
	unsigned int calls;	/* since armed */
	bool hit;		/* the nth call happened */
};

#define VS_FAULT_RESOURCE "vsched-fault"

static inline bool vs_fault(void)
{
	struct kunit *test = kunit_get_current_test();
	struct kunit_resource *res;
	struct vs_fault *f;
	bool fail;

	if (!test)
		return false;
	res = kunit_find_named_resource(test, VS_FAULT_RESOURCE);
	if (!res)
		return false;
	f = res->data;
	fail = f->nth && ++f->calls == f->nth;
	f->hit |= fail;
	kunit_put_resource(res);
	return fail;
}

/*
 * Fail the @nth vs_fault() of @test from now on; the result tells whether
 * that call happened. 0 disarms it and keeps that record.
 */
static inline struct vs_fault *vs_fault_arm(struct kunit *test,
					    unsigned int nth)
{
	struct kunit_resource *res;
	struct vs_fault *f;
	int err;

	res = kunit_find_named_resource(test, VS_FAULT_RESOURCE);
	if (res) {
		f = res->data;
		kunit_put_resource(res);
	} else {
		f = kunit_kzalloc(test, sizeof(*f), GFP_KERNEL);
		res = kunit_kzalloc(test, sizeof(*res), GFP_KERNEL);
		KUNIT_ASSERT_TRUE(test, f && res);
		err = kunit_add_named_resource(test, NULL, NULL, res,
					       VS_FAULT_RESOURCE, f);
		KUNIT_ASSERT_EQ(test, err, 0);
	}
	f->nth = nth;
	if (nth) {
		f->calls = 0;
		f->hit = false;
	}
	return f;
}
#else
/* Compiled away outside KUnit. */
static inline bool vs_fault(void)
{
	return false;
}
#endif

#endif /* _VS_FAULT_H */
