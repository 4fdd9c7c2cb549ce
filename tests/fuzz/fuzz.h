/* SPDX-License-Identifier: GPL-2.0 */
/* What the fuzz targets share: a probe made by hand, the invariants. */
#ifndef VS_FUZZ_H
#define VS_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probe_int.h"
#include "text.h"

/* A finding: libFuzzer saves the input when the process aborts. */
#define FUZZ_ASSERT(cond)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: %s\n", __FILE__,	\
				__LINE__, #cond);			\
			abort();					\
		}							\
	} while (0)

/* A probe as vh_probe_start() makes it, but nothing started: no timer,
 * no socket, vh_probe_done() only records the result.
 */
static inline void fuzz_probe(struct vh_probe *p,
			      const struct vh_check_cfg *cfg)
{
	memset(p, 0, sizeof(*p));
	p->cfg = cfg;
	p->dst.sin_family = AF_INET;
	p->dst.sin_addr.s_addr = htonl(0xc6120001);	/* 198.18.0.1 */
	p->dst.sin_port = htons(cfg->port ? cfg->port : 80);
	p->res.pct = VH_NONE;
	p->res.cap = VH_NONE;
}

/* A reported result: a NUL-terminated, clean reason (issue 22). */
static inline void fuzz_check_result(const struct vh_result *r)
{
	FUZZ_ASSERT(memchr(r->reason, '\0', sizeof(r->reason)));
	FUZZ_ASSERT(vs_text_is_clean(r->reason));
	FUZZ_ASSERT(r->pct == VH_NONE || (r->pct >= 0 && r->pct <= 100));
}

#endif /* VS_FUZZ_H */
