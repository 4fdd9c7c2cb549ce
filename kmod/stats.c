// SPDX-License-Identifier: GPL-2.0
/* Per-CPU traffic counters: allocation, summing and netlink export. */

#include <linux/vsched.h>
#include "stats.h"

struct vs_stats_cpu __percpu *vs_stats_alloc(void)
{
	struct vs_stats_cpu __percpu *stats;
	int cpu;

	stats = alloc_percpu_gfp(struct vs_stats_cpu, GFP_KERNEL_ACCOUNT);
	if (!stats)
		return NULL;
	for_each_possible_cpu(cpu)
		u64_stats_init(&per_cpu_ptr(stats, cpu)->syncp);
	return stats;
}

void vs_stats_sum(struct vs_stats_cpu __percpu *stats, struct vs_stats_sum *sum)
{
	int cpu;

	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct vs_stats_cpu *s = per_cpu_ptr(stats, cpu);
		u64 conns, inpkts, outpkts, inbytes, outbytes;
		unsigned int start;

		do {
			start = u64_stats_fetch_begin(&s->syncp);
			conns = u64_stats_read(&s->conns);
			inpkts = u64_stats_read(&s->inpkts);
			outpkts = u64_stats_read(&s->outpkts);
			inbytes = u64_stats_read(&s->inbytes);
			outbytes = u64_stats_read(&s->outbytes);
		} while (u64_stats_fetch_retry(&s->syncp, start));
		sum->conns += conns;
		sum->inpkts += inpkts;
		sum->outpkts += outpkts;
		sum->inbytes += inbytes;
		sum->outbytes += outbytes;
	}
}

/*
 * Zeroing races with writers on other CPUs: a packet counted while we
 * zero may survive or vanish. That is what an operator's "zero" means.
 */
void vs_stats_zero(struct vs_stats_cpu __percpu *stats)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct vs_stats_cpu *s = per_cpu_ptr(stats, cpu);

		local_bh_disable();
		u64_stats_update_begin(&s->syncp);
		u64_stats_set(&s->conns, 0);
		u64_stats_set(&s->inpkts, 0);
		u64_stats_set(&s->outpkts, 0);
		u64_stats_set(&s->inbytes, 0);
		u64_stats_set(&s->outbytes, 0);
		u64_stats_update_end(&s->syncp);
		local_bh_enable();
	}
}

int vs_stats_fill(struct sk_buff *skb, int attr,
		  struct vs_stats_cpu __percpu *stats)
{
	struct vs_stats_sum sum;
	struct nlattr *nest;

	vs_stats_sum(stats, &sum);
	nest = nla_nest_start(skb, attr);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u64_64bit(skb, VSCHED_STATS_A_CONNS, sum.conns,
			      VSCHED_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_STATS_A_INPKTS, sum.inpkts,
			      VSCHED_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_STATS_A_OUTPKTS, sum.outpkts,
			      VSCHED_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_STATS_A_INBYTES, sum.inbytes,
			      VSCHED_STATS_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_STATS_A_OUTBYTES, sum.outbytes,
			      VSCHED_STATS_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}
