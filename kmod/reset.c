// SPDX-License-Identifier: GPL-2.0
/*
 * Active resets: a balanced TCP flow ended at both ends at once, when its
 * real server goes down in a service with VSCHED_SVC_F_DOWN_RESET or a
 * drain reaches its deadline, so that clients reconnect (and are
 * scheduled elsewhere) instead of waiting for a timeout.
 *
 * Each side only accepts a reset carrying exactly the sequence number it
 * expects next (RFC 5961 answers anything else in the window with a
 * challenge ACK), so the packet path keeps the next sequence number of
 * each direction in the entry (vs_conn.seq_in/seq_out). The client gets
 * its reset from VIP:vport, the real server from client:cport, as if the
 * other end had sent it. Runs from the GC work, in process context.
 */

#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/route.h>
#include <net/netfilter/nf_conntrack.h>
#include <net/tcp.h>

#include "conn.h"

static void vs_send_rst(struct net *net, __be32 saddr, __be16 sport,
			__be32 daddr, __be16 dport, u32 seq, u32 ack,
			bool untracked)
{
	struct flowi4 fl4 = {};
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;
	struct rtable *rt;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + sizeof(*th),
			GFP_ATOMIC);
	if (!skb)
		return;
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = sizeof(*iph) / 4;
	iph->frag_off = htons(IP_DF);
	iph->ttl = READ_ONCE(net->ipv4.sysctl_ip_default_ttl);
	iph->protocol = IPPROTO_TCP;
	iph->saddr = saddr;
	iph->daddr = daddr;
	skb_set_transport_header(skb, sizeof(*iph));
	th = skb_put_zero(skb, sizeof(*th));
	th->source = sport;
	th->dest = dport;
	th->seq = htonl(seq);
	th->ack_seq = htonl(ack);
	th->doff = sizeof(*th) / 4;
	th->rst = 1;
	th->ack = 1;
	th->check = tcp_v4_check(sizeof(*th), saddr, daddr,
				 csum_partial(th, sizeof(*th), 0));
	skb->ip_summed = CHECKSUM_UNNECESSARY;
	skb->protocol = htons(ETH_P_IP);
	/*
	 * The client's reset has the VIP as source, which conntrack knows
	 * no flow for (it tracks client <-> real server): keep it out of
	 * conntrack rather than let a firewall call it INVALID. The real
	 * server's reset belongs to the tracked flow and closes it there.
	 */
	if (untracked)
		nf_ct_set(skb, NULL, IP_CT_UNTRACKED);
	/*
	 * Route it ourselves: ip_route_me_harder() wants a dst already.
	 * The source is not ours (VIP or client): FLOWI_FLAG_ANYSRC.
	 */
	fl4.daddr = daddr;
	fl4.saddr = saddr;
	fl4.flowi4_proto = IPPROTO_TCP;
	fl4.flowi4_flags = FLOWI_FLAG_ANYSRC;
	rt = ip_route_output_key(net, &fl4);
	if (IS_ERR(rt)) {
		kfree_skb(skb);
		return;
	}
	skb_dst_set(skb, &rt->dst);
	skb->dev = rt->dst.dev;
	ip_local_out(net, NULL, skb);
}

void vs_conn_send_resets(struct vs_net *vn, const struct vs_conn *cp)
{
	u32 seq_in = READ_ONCE(cp->seq_in), seq_out = READ_ONCE(cp->seq_out);

	vs_send_rst(vn->net, cp->key.caddr, cp->key.cport, cp->daddr,
		    cp->dport, seq_in, seq_out, false);
	vs_send_rst(vn->net, cp->vaddr, cp->vport, cp->key.caddr,
		    cp->key.cport, seq_out, seq_in, true);
}
