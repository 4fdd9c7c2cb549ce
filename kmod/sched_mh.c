// SPDX-License-Identifier: GPL-2.0
/*
 * Maglev hashing, like IPVS's ip_vs_mh.c and Katran: Eisenbud et al.,
 * "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI
 * 2016, section 3.4. Each server has a permutation of the M table
 * entries, from two hashes of its address and port (offset, skip: entry
 * k of it is offset + k * skip mod M, a permutation since M is prime);
 * servers take turns claiming their next free preferred entry until the
 * table is full, and a client's entry is a hash of its source address
 * (and port, VSCHED_SCHED_F_PORT). Weights are honoured as in IPVS: each
 * turn a server claims weight / gcd entries (halved, all alike, until a
 * round of turns is at most M / 8, so that every server gets entries).
 *
 * When a server leaves, its entries go to the others and few other
 * entries change hands: the paper measures a few percent, the KUnit test
 * measures it (vs_test_mh_disruption). A server that goes down without
 * leaving (fallback flag, or weight 0) moves no other client at all.
 *
 * M = 65521, the largest prime below 2^16 (IPVS's largest table but one,
 * its default being 4093; Katran and the paper use 65537): the paper's
 * M > 100 N bound on imbalance holds up to 655 servers, and entries are
 * u16 member indexes, 128 KiB a service (IPVS's 4093 pointers take
 * 32 KiB but give 50 servers only 80 entries each).
 */

#include <linux/gcd.h>
#include <linux/minmax.h>
#include <linux/slab.h>

#include "fault.h"
#include "sched.h"
#include "sched_hash.h"
#include "service.h"

#define VS_MH_SIZE	65521U
#define VS_MH_EMPTY	0xffffU		/* above any member index */

struct vs_mh_perm {
	u32 next;	/* the next entry to try */
	u32 skip;
};

/* Turns per round: weight / gcd, halved until a round fits M / 8. */
static void vs_mh_turns(struct vs_hash_tab *t)
{
	unsigned int i, shift = 0;
	u32 g = 0;
	u64 sum;

	for (i = 0; i < t->n; i++)
		g = g ? gcd(g, t->weights[i]) : t->weights[i];
	for (i = 0; i < t->n; i++)
		t->weights[i] /= g;
	for (; shift < 16; shift++) {
		for (i = 0, sum = 0; i < t->n; i++)
			sum += max(t->weights[i] >> shift, 1U);
		if (sum <= VS_MH_SIZE / 8)
			break;
	}
	for (i = 0; i < t->n; i++)
		t->weights[i] = max(t->weights[i] >> shift, 1U);
}

static int vs_mh_layout(struct vs_hash_tab *t)
{
	struct vs_mh_perm *perm;
	unsigned int j, k, filled = 0;
	int err;
	u32 c;

	if (t->n > VS_MH_SIZE)
		return -E2BIG;
	vs_mh_turns(t);
	perm = vs_fault() ? NULL :
	       kvmalloc_array(t->n, sizeof(*perm), GFP_KERNEL_ACCOUNT);
	if (!perm)
		return -ENOMEM;
	err = vs_hash_tab_alloc(t, VS_MH_SIZE);
	if (err)
		goto out;
	memset(t->tab, 0xff, VS_MH_SIZE * sizeof(*t->tab));
	for (j = 0; j < t->n; j++) {
		perm[j].next = vs_hash_dest(t->dests[j], 0) % VS_MH_SIZE;
		perm[j].skip = vs_hash_dest(t->dests[j], 1) %
			       (VS_MH_SIZE - 1) + 1;
	}
	/* Ends: each permutation visits every entry. */
	for (;;) {
		for (j = 0; j < t->n; j++) {
			for (k = 0; k < t->weights[j]; k++) {
				c = perm[j].next;
				while (t->tab[c] != VS_MH_EMPTY) {
					c += perm[j].skip;
					if (c >= VS_MH_SIZE)
						c -= VS_MH_SIZE;
				}
				perm[j].next = c;
				t->tab[c] = j;
				if (++filled == VS_MH_SIZE)
					goto out;
			}
		}
	}
out:
	kvfree(perm);
	return err;
}

/*
 * Process context, under the namespace lock: 1.2 ms for 1,000 servers in
 * KUnit under UML (vs_test_mh_entries), less for fewer.
 */
static struct vs_sched_data *vs_mh_build(struct vs_service *svc)
{
	return vs_hash_build(svc, vs_mh_layout);
}

static struct vs_sched_ops vs_mh_ops = {
	.name		= "mh",
	.build		= vs_mh_build,
	.schedule	= vs_hash_schedule,
	.free		= vs_hash_free,
};

int vs_sched_mh_init(void)
{
	return vs_sched_register(&vs_mh_ops);
}

void vs_sched_mh_exit(void)
{
	vs_sched_unregister(&vs_mh_ops);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_mh_test.c"
#endif
