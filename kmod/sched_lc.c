// SPDX-License-Identifier: GPL-2.0
/*
 * Least-connection scheduling, lc and wlc, with IPVS's measure of a
 * server's load (ip_vs_dest_conn_overhead()): 256 per active (established
 * TCP) connection plus 1 per inactive one. lc picks the server with the
 * smallest load, wlc the smallest load per unit of weight; on a tie the
 * first in list order wins, as in IPVS.
 *
 * IPVS scans every server on every new connection, so its rate falls as
 * the pool grows. Here a pick examines at most VS_LC_WINDOW servers: all
 * of them in a pool that small (IPVS's exact choice), otherwise a window
 * of consecutive servers that moves on by its own length with each pick,
 * so every server is examined once every n / VS_LC_WINDOW picks of a CPU.
 * The pick is the least loaded server of its window: a server that falls
 * behind (a new or restarted one) is chosen as soon as a window reaches
 * it, and a busy one is passed over whenever its window holds a less
 * loaded one. The window's position is per CPU: no shared cache line is
 * written on the packet path.
 */

#include <linux/atomic.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "fault.h"
#include "sched.h"
#include "service.h"

#define VS_LC_WINDOW	32U

struct vs_lc_entry {
	struct vs_dest *dest;
	u32 weight;		/* eff_weight at build time (wlc) */
};

struct vs_lc_data {
	struct vs_sched_data base;
	bool weighted;		/* wlc */
	unsigned int n;
	u32 __percpu *cursor;	/* first server of the next window; n > window */
	struct vs_lc_entry e[];
};

/* IPVS's ip_vs_dest_conn_overhead(). */
static u32 vs_lc_overhead(const struct vs_dest *dest)
{
	return ((u32)atomic_read(&dest->activeconns) << 8) +
	       (u32)atomic_read(&dest->inactconns);
}

static struct vs_sched_data *vs_lc_build_common(struct vs_service *svc,
						bool weighted)
{
	struct vs_dest **dests;
	struct vs_lc_data *d;
	unsigned int i;

	d = vs_fault() ? NULL :
	    kvzalloc(struct_size(d, e, svc->num_dests), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	dests = vs_fault() ? NULL :
		kvmalloc_array(svc->num_dests, sizeof(*dests),
			       GFP_KERNEL_ACCOUNT);
	if (!dests)
		goto err;
	d->weighted = weighted;
	d->n = vs_sched_usable(svc, dests);
	for (i = 0; i < d->n; i++) {
		d->e[i].dest = dests[i];
		d->e[i].weight = READ_ONCE(dests[i]->eff_weight);
	}
	/* Freed here: from now on err frees d alone. */
	kvfree(dests);
	if (d->n > VS_LC_WINDOW) {
		if (!vs_fault())
			d->cursor = alloc_percpu_gfp(u32, GFP_KERNEL_ACCOUNT);
		if (!d->cursor)
			goto err;
		/* CPUs start spread over the pool, not on the same window. */
		for_each_possible_cpu(i) {
			u32 *start = per_cpu_ptr(d->cursor, i);

			*start = (u32)div_u64((u64)d->n * i, nr_cpu_ids);
		}
	}
	return &d->base;

err:
	kvfree(d);
	return ERR_PTR(-ENOMEM);
}

static struct vs_sched_data *vs_lc_build(struct vs_service *svc)
{
	return vs_lc_build_common(svc, false);
}

static struct vs_sched_data *vs_wlc_build(struct vs_service *svc)
{
	return vs_lc_build_common(svc, true);
}

static void vs_lc_free(struct vs_sched_data *data)
{
	struct vs_lc_data *d = container_of(data, struct vs_lc_data, base);

	free_percpu(d->cursor);
}

static struct vs_dest *vs_lc_schedule(struct vs_sched_data *data,
				      const struct sk_buff *skb)
{
	struct vs_lc_data *d = container_of(data, struct vs_lc_data, base);
	unsigned int i, k, len = d->n, best;
	u32 oh, best_oh;

	if (!d->n)
		return NULL;
	i = 0;
	if (d->cursor) {
		len = VS_LC_WINDOW;
		i = (this_cpu_add_return(*d->cursor, len) - len) % d->n;
	}
	best = i;
	best_oh = vs_lc_overhead(d->e[i].dest);
	/* Nothing beats an idle server: ties keep the first. */
	for (k = 1; k < len && best_oh; k++) {
		if (++i == d->n)
			i = 0;
		oh = vs_lc_overhead(d->e[i].dest);
		/* wlc: oh / w < best_oh / best_w, as IPVS, without division. */
		if (d->weighted ?
		    (u64)oh * d->e[best].weight < (u64)best_oh * d->e[i].weight :
		    oh < best_oh) {
			best = i;
			best_oh = oh;
		}
	}
	return d->e[best].dest;
}

static struct vs_sched_ops vs_lc_ops = {
	.name		= "lc",
	.build		= vs_lc_build,
	.schedule	= vs_lc_schedule,
	.free		= vs_lc_free,
};

static struct vs_sched_ops vs_wlc_ops = {
	.name		= "wlc",
	.build		= vs_wlc_build,
	.schedule	= vs_lc_schedule,
	.free		= vs_lc_free,
};

int vs_sched_lc_init(void)
{
	int ret;

	ret = vs_sched_register(&vs_lc_ops);
	if (ret)
		return ret;
	ret = vs_sched_register(&vs_wlc_ops);
	if (ret)
		vs_sched_unregister(&vs_lc_ops);
	return ret;
}

void vs_sched_lc_exit(void)
{
	vs_sched_unregister(&vs_wlc_ops);
	vs_sched_unregister(&vs_lc_ops);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "sched_lc_test.c"
#endif
