// SPDX-License-Identifier: GPL-2.0
/*
 * Source hashing, like IPVS's ip_vs_sh.c: buckets dealt out to the
 * servers in list order, w buckets each in turn for a server of weight w,
 * and a client's bucket chosen by a hash of its source address (and port,
 * VSCHED_SCHED_F_PORT). The same client gets the same server while the
 * servers and their weights stay the same; adding, deleting or reweighting
 * one deals the buckets again, which moves most clients (mh moves few).
 *
 * IPVS has 256 buckets, so its 257th server gets none and weights round
 * to 256ths. Here the table has as many buckets as the weights add up to,
 * at least 256 like IPVS and at most 64 Ki (weights are halved until one
 * round fits), so every weight is honoured exactly up to that size.
 */

#include <linux/minmax.h>
#include <linux/slab.h>

#include "sched.h"
#include "sched_hash.h"
#include "service.h"

#define VS_SH_SIZE_MIN		256U
#define VS_SH_SIZE_MAX		65536U

/* Deal the buckets: server j takes weights[j] of them, in turn. */
static int vs_sh_layout(struct vs_hash_tab *t)
{
	unsigned int i, j, cnt, shift = 0;
	u64 total;
	int err;

	/* At most VS_HASH_MEMBERS_MAX members: all weights 1 fit. */
	for (;;) {
		for (i = 0, total = 0; i < t->n; i++)
			total += max(t->weights[i] >> shift, 1U);
		if (total <= VS_SH_SIZE_MAX)
			break;
		shift++;
	}
	for (i = 0; i < t->n; i++)
		t->weights[i] = max(t->weights[i] >> shift, 1U);
	err = vs_hash_tab_alloc(t, max_t(u32, total, VS_SH_SIZE_MIN));
	if (err)
		return err;
	for (i = 0, j = 0, cnt = 0; i < t->size; i++) {
		t->tab[i] = j;
		if (++cnt >= t->weights[j]) {
			cnt = 0;
			j = j + 1 < t->n ? j + 1 : 0;
		}
	}
	return 0;
}

static struct vs_sched_data *vs_sh_build(struct vs_service *svc)
{
	return vs_hash_build(svc, vs_sh_layout);
}

static struct vs_sched_ops vs_sh_ops = {
	.name		= "sh",
	.build		= vs_sh_build,
	.schedule	= vs_hash_schedule,
	.free		= vs_hash_free,
};

int vs_sched_sh_init(void)
{
	return vs_sched_register(&vs_sh_ops);
}

void vs_sched_sh_exit(void)
{
	vs_sched_unregister(&vs_sh_ops);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_sh_test.c"
#endif
