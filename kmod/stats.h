/* SPDX-License-Identifier: GPL-2.0 */
/* Per-CPU traffic counters of services and real servers. */
#ifndef _VS_STATS_H
#define _VS_STATS_H

#include <linux/percpu.h>
#include <linux/u64_stats_sync.h>
#include <net/netlink.h>

struct vs_stats_cpu {
	u64_stats_t conns;
	u64_stats_t inpkts;
	u64_stats_t outpkts;
	u64_stats_t inbytes;
	u64_stats_t outbytes;
	struct u64_stats_sync syncp;
};

struct vs_stats_sum {
	u64 conns, inpkts, outpkts, inbytes, outbytes;
};

struct vs_stats_cpu __percpu *vs_stats_alloc(void);
void vs_stats_sum(struct vs_stats_cpu __percpu *stats, struct vs_stats_sum *sum);
void vs_stats_zero(struct vs_stats_cpu __percpu *stats);
int vs_stats_fill(struct sk_buff *skb, int attr, struct vs_stats_cpu __percpu *stats);

/* Called from the packet path, in softirq or with BHs disabled. */
static inline void vs_stats_pkt(struct vs_stats_cpu __percpu *stats, bool in,
				unsigned int len)
{
	struct vs_stats_cpu *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	if (in) {
		u64_stats_inc(&s->inpkts);
		u64_stats_add(&s->inbytes, len);
	} else {
		u64_stats_inc(&s->outpkts);
		u64_stats_add(&s->outbytes, len);
	}
	u64_stats_update_end(&s->syncp);
}

static inline void vs_stats_conn(struct vs_stats_cpu __percpu *stats)
{
	struct vs_stats_cpu *s = this_cpu_ptr(stats);

	u64_stats_update_begin(&s->syncp);
	u64_stats_inc(&s->conns);
	u64_stats_update_end(&s->syncp);
}

#endif /* _VS_STATS_H */
