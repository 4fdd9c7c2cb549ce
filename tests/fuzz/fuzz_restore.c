// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm -R: a restore file parsed (vsadm_restore_parse(), every option
 * of every line) and, when it parses, planned against an empty kernel
 * both as a merge and as --restore-replace (vsadm_restore_plan()).
 */

#include <netdb.h>

#include "fuzz.h"
#include "vsadm.h"

/*
 * Names resolve without the network, the same way every time: this
 * getaddrinfo() takes the place of libc's for vsadm's code linked in
 * here. "localhost" and "real.example" are known, nothing else.
 */
int getaddrinfo(const char *node, const char *service,
		const struct addrinfo *hints, struct addrinfo **res)
{
	struct {
		struct addrinfo ai;
		struct sockaddr_in sin;
	} *r;
	uint32_t a;

	(void)service;
	(void)hints;
	if (!node)
		return EAI_NONAME;
	if (!strcmp(node, "localhost"))
		a = 0x7f000001;
	else if (!strcmp(node, "real.example"))
		a = 0x0a000009;
	else
		return EAI_NONAME;
	r = calloc(1, sizeof(*r));
	if (!r)
		return EAI_MEMORY;
	r->sin.sin_family = AF_INET;
	r->sin.sin_addr.s_addr = htonl(a);
	r->ai.ai_family = AF_INET;
	r->ai.ai_addrlen = sizeof(r->sin);
	r->ai.ai_addr = (struct sockaddr *)&r->sin;
	*res = &r->ai;
	return 0;
}

void freeaddrinfo(struct addrinfo *res)
{
	free(res);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vsadm_state cur = { 0 };
	struct vsadm_line *lines = NULL;
	struct vsadm_plan plan = { 0 };
	char err[512];
	size_t n = 0;
	FILE *f;
	int r;

	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	err[0] = '\0';
	r = vsadm_restore_parse(f, "fuzz", &lines, &n, err, sizeof(err));
	fclose(f);
	FUZZ_ASSERT(memchr(err, '\0', sizeof(err)));
	if (r) {
		FUZZ_ASSERT(!strncmp(err, "fuzz:", 5));
		free(lines);
		return 0;
	}
	for (r = 0; r < 2; r++) {
		err[0] = '\0';
		if (vsadm_restore_plan(&cur, lines, n, r, "fuzz", &plan, err,
				       sizeof(err)))
			FUZZ_ASSERT(!strncmp(err, "fuzz:", 5));
		vsadm_plan_free(&plan);
		memset(&plan, 0, sizeof(plan));
	}
	free(lines);
	return 0;
}
