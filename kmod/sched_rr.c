// SPDX-License-Identifier: GPL-2.0
/*
 * Round-robin scheduling: each new connection goes to the next usable
 * real server in list order. Lock-free: a shared position counter over an
 * array of the usable servers, rebuilt whenever they change.
 */

#include <linux/atomic.h>
#include <linux/slab.h>

#include "fault.h"
#include "sched.h"
#include "service.h"

struct vs_rr_data {
	struct vs_sched_data base;
	atomic_t pos;
	unsigned int n;
	struct vs_dest *dests[];
};

static struct vs_sched_data *vs_rr_build(struct vs_service *svc)
{
	struct vs_rr_data *d;

	d = vs_fault() ? NULL :
	    kvzalloc(struct_size(d, dests, svc->num_dests), GFP_KERNEL_ACCOUNT);
	if (!d)
		return ERR_PTR(-ENOMEM);
	d->n = vs_sched_usable(svc, d->dests);
	atomic_set(&d->pos, 0);
	return &d->base;
}

static struct vs_dest *vs_rr_schedule(struct vs_sched_data *data,
				      const struct sk_buff *skb)
{
	struct vs_rr_data *d = container_of(data, struct vs_rr_data, base);
	u32 pos;

	if (!d->n)
		return NULL;
	pos = (u32)atomic_inc_return(&d->pos) - 1;
	return d->dests[pos % d->n];
}

static struct vs_sched_ops vs_rr_ops = {
	.name		= "rr",
	.build		= vs_rr_build,
	.schedule	= vs_rr_schedule,
};

int vs_sched_rr_init(void)
{
	return vs_sched_register(&vs_rr_ops);
}

void vs_sched_rr_exit(void)
{
	vs_sched_unregister(&vs_rr_ops);
}
