// SPDX-License-Identifier: GPL-2.0
/* Runs every registered test, in name order; exit status 1 on failure. */

#include <stdlib.h>

#include "harness.h"

static struct vs_test *vs_tests;
int vs_test_failed_checks;

void vs_test_register(struct vs_test *t)
{
	struct vs_test **p = &vs_tests;

	while (*p && strcmp((*p)->name, t->name) < 0)
		p = &(*p)->next;
	t->next = *p;
	*p = t;
}

int main(int argc, char **argv)
{
	unsigned int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;
	struct vs_test *t;

	for (t = vs_tests; t; t = t->next) {
		int before = vs_test_failed_checks;

		if (only && !strstr(t->name, only))
			continue;
		t->fn();
		if (vs_test_failed_checks == before) {
			passed++;
			printf("ok   %s\n", t->name);
		} else {
			failed++;
			printf("FAIL %s\n", t->name);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
