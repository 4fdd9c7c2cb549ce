/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A tiny unit-test harness: TEST(name) { ... CHECK(cond); ... } registers
 * a test; main() runs them all and ends with "N passed, N failed". A test
 * fails when any of its checks does; a failed check prints where and why.
 */
#ifndef VS_HARNESS_H
#define VS_HARNESS_H

#include <stdio.h>
#include <string.h>

struct vs_test {
	const char *name;
	void (*fn)(void);
	struct vs_test *next;
};

void vs_test_register(struct vs_test *t);
extern int vs_test_failed_checks;

#define TEST(name)							\
	static void test_##name(void);					\
	static struct vs_test vs_test_##name = { #name, test_##name, NULL }; \
	__attribute__((constructor)) static void reg_##name(void)	\
	{								\
		vs_test_register(&vs_test_##name);			\
	}								\
	static void test_##name(void)

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			printf("    %s:%d: CHECK(%s) failed\n", __FILE__,	\
			       __LINE__, #cond);			\
			vs_test_failed_checks++;			\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_)) {			\
			printf("    %s:%d: \"%s\" != \"%s\"\n", __FILE__,	\
			       __LINE__, a_ ? a_ : "(null)",		\
			       b_ ? b_ : "(null)");			\
			vs_test_failed_checks++;			\
		}							\
	} while (0)

/* @haystack contains @needle */
#define CHECK_HAS(haystack, needle)					\
	do {								\
		const char *h_ = (haystack), *n_ = (needle);		\
		if (!h_ || !strstr(h_, n_)) {				\
			printf("    %s:%d: \"%s\" does not contain \"%s\"\n", \
			       __FILE__, __LINE__, h_ ? h_ : "(null)", n_); \
			vs_test_failed_checks++;			\
		}							\
	} while (0)

#endif /* VS_HARNESS_H */
