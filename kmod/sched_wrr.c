// SPDX-License-Identifier: GPL-2.0
/*
 * Weighted round-robin scheduling, interleaved like IPVS's ip_vs_wrr.c:
 * the sequence runs in passes with a current weight cw going from the
 * largest weight down to the gcd of the weights in steps of the gcd, and
 * each pass visits, in list order, the servers whose weight is >= cw.
 * Weights 3, 2, 1 give A A B A B C.
 *
 * IPVS walks that sequence under a per-service spinlock. Here a position
 * counter indexes it instead: cum[j] counts the picks made by the end of
 * pass j, so the pass of a position is a binary search and the server is
 * the k-th one eligible in that pass. No lock on the packet path.
 *
 * Finding the k-th eligible server walks the list: 400 ns a pick with
 * 1,000 servers (make bench). So when a whole cycle of picks (the sum of
 * the weights over their gcd) is at most VS_WRR_SEQ_MAX, the build lays
 * it out in a table and a pick is one lookup, whatever the server count;
 * larger cycles (weights in the tens of thousands) keep the search.
 */

#include <linux/atomic.h>
#include <linux/bits.h>
#include <linux/gcd.h>
#include <linux/slab.h>

#include "fault.h"
#include "sched.h"
#include "service.h"

struct vs_wrr_data {
	struct vs_sched_data base;
	atomic_t pos;
	unsigned int n;		/* usable servers */
	u32 max_weight;
	u32 gcd;
	u32 passes;		/* max_weight / gcd */
	struct vs_dest **dests;	/* n entries, list order */
	u32 *weights;		/* n entries, snapshot of dests[i]->weight */
	u32 *cum;		/* passes entries */
	u32 *seq;		/* a cycle of picks (indexes into dests), or NULL */
};

#define VS_WRR_SEQ_MAX		65536U	/* picks per cycle in the table */
#define VS_WRR_SEQ_WORK		BIT(22)	/* passes x servers to make it */

/* The cycle, pass by pass; on failure picks search instead. */
static void vs_wrr_build_seq(struct vs_wrr_data *d)
{
	u32 total = d->cum[d->passes - 1], j, i, p = 0, cw;

	if (total > VS_WRR_SEQ_MAX || (u64)d->passes * d->n > VS_WRR_SEQ_WORK)
		return;
	d->seq = vs_fault() ? NULL :
		 kvmalloc_array(total, sizeof(*d->seq), GFP_KERNEL_ACCOUNT);
	if (!d->seq)
		return;
	for (j = 0; j < d->passes; j++) {
		cw = d->max_weight - j * d->gcd;
		for (i = 0; i < d->n; i++)
			if (d->weights[i] >= cw)
				d->seq[p++] = i;
	}
}

static struct vs_sched_data *vs_wrr_build(struct vs_service *svc)
{
	unsigned int i, j, n, max = svc->num_dests;
	struct vs_wrr_data *d;
	u32 g = 0, mw = 0, total = 0, per_pass;
	size_t sz;

	d = vs_fault() ? NULL :
	    kvzalloc(sizeof(*d) + max * (sizeof(*d->dests) + sizeof(u32)),
		     GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->dests = (struct vs_dest **)(d + 1);
	d->weights = (u32 *)(d->dests + max);
	n = vs_sched_usable(svc, d->dests);
	for (i = 0; i < n; i++) {
		d->weights[i] = d->dests[i]->eff_weight;
		g = g ? gcd(g, d->weights[i]) : d->weights[i];
		mw = max_t(u32, mw, d->weights[i]);
	}
	d->n = n;
	if (!n)
		return &d->base;
	d->max_weight = mw;
	d->gcd = g;
	d->passes = mw / g;
	sz = array_size(d->passes, sizeof(u32));
	d->cum = vs_fault() ? NULL : kvmalloc(sz, GFP_KERNEL_ACCOUNT);
	if (!d->cum) {
		kvfree(d);
		return ERR_PTR(-ENOMEM);
	}
	/*
	 * Server i takes part in passes (mw - w_i) / g onwards: count the
	 * arrivals per pass, then two prefix sums give picks per pass and
	 * cumulative picks, in O(passes + n) even for extreme weights.
	 */
	memset(d->cum, 0, sz);
	for (i = 0; i < n; i++)
		d->cum[(mw - d->weights[i]) / g]++;
	for (j = 0, per_pass = 0; j < d->passes; j++) {
		per_pass += d->cum[j];
		total += per_pass;
		d->cum[j] = total;
	}
	vs_wrr_build_seq(d);
	return &d->base;
}

/* The generic free only knows the base allocation. */
static void vs_wrr_free_cum(struct vs_sched_data *data)
{
	struct vs_wrr_data *d = container_of(data, struct vs_wrr_data, base);

	kvfree(d->seq);
	kvfree(d->cum);
}

static struct vs_dest *vs_wrr_schedule(struct vs_sched_data *data,
				       const struct sk_buff *skb)
{
	struct vs_wrr_data *d = container_of(data, struct vs_wrr_data, base);
	u32 pos, lo, hi, k, cw, i;

	if (!d->n)
		return NULL;
	pos = ((u32)atomic_inc_return(&d->pos) - 1) % d->cum[d->passes - 1];
	if (d->seq)
		return d->dests[d->seq[pos]];
	/* First pass j with cum[j] > pos. */
	lo = 0;
	hi = d->passes - 1;
	while (lo < hi) {
		u32 mid = lo + (hi - lo) / 2;

		if (d->cum[mid] > pos)
			hi = mid;
		else
			lo = mid + 1;
	}
	k = pos - (lo ? d->cum[lo - 1] : 0);
	cw = d->max_weight - lo * d->gcd;
	for (i = 0; i < d->n; i++)
		if (d->weights[i] >= cw && !k--)
			return d->dests[i];
	return NULL;	/* not reached: pass lo has more than k servers */
}

static struct vs_sched_ops vs_wrr_ops = {
	.name		= "wrr",
	.build		= vs_wrr_build,
	.schedule	= vs_wrr_schedule,
	.free		= vs_wrr_free_cum,
};

int vs_sched_wrr_init(void)
{
	return vs_sched_register(&vs_wrr_ops);
}

void vs_sched_wrr_exit(void)
{
	vs_sched_unregister(&vs_wrr_ops);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_wrr_test.c"
#endif
