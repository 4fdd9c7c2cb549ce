// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path. Four IPv4 hooks, registered in a namespace only while
 * it has a service or a connection entry:
 *
 *  PRE_ROUTING, just before conntrack (vs_in): packets from clients to a
 *	VIP are scheduled or follow their entry, and get the real server as
 *	destination. Running before routing lets a VIP be any address routed
 *	through the box, local or not; running before conntrack makes
 *	conntrack see the flow as client -> real server, the same tuple the
 *	replies carry, so stateful firewalls see it ESTABLISHED without any
 *	setting (IPVS, which rewrites after conntrack, needs conntrack=1).
 *  FORWARD and LOCAL_IN, just before the filter table (vs_out): replies
 *	from real servers get the VIP back as source. Not earlier: routing
 *	must see the real server as source, or a VIP that is a local
 *	address would make every reply a martian, and the MTU check of
 *	forwarding would send "fragmentation needed" to the VIP instead of
 *	to the server that must hear it (IPVS un-NATs at FORWARD too).
 *  LOCAL_OUT, just before conntrack (vs_local): like vs_in, for clients
 *	on this host; the packet is rerouted after the rewrite.
 *
 * So filter chains see client -> real server on the way in and VIP ->
 * client on the way back; conntrack has matched both to one flow, so
 * ESTABLISHED rules cover the replies (Documentation/design.rst).
 * Fragments were reassembled by nf_defrag_ipv4 (priority -400).
 *
 * Context. All hooks run under rcu_read_lock(), but not always in
 * softirq: LOCAL_OUT runs in the sending process, and after a rule that
 * queues to userspace (NFQUEUE, from a table at a priority before ours:
 * an IPS such as Suricata) nf_reinject() runs the remaining hooks, ours
 * included, in the queue daemon's sendmsg() with BHs enabled. The entry
 * locks (cp->lock) are also taken in softirq, and a softirq on the same
 * CPU for the same flow would spin on the lock it interrupted; per-CPU
 * counters must not move to another CPU halfway. So each hook disables
 * BHs when it finds them enabled (vs_bh_enter()), as IPVS does in
 * ip_vs_in_stats(); on the usual softirq path that is one test of the
 * preempt count.
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/netfilter_ipv4.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/ip.h>
#include <net/netfilter/ipv4/nf_reject.h>
#include <net/tcp.h>

#include "conn.h"
#include "hooks.h"
#include "nat.h"
#include "sched.h"
#include "service.h"

struct vs_pkt {
	unsigned int thoff;
	u32 end_seq;		/* TCP: sequence number after this segment */
	u8 protocol;
	u8 tcp_flags;
	__be16 sport;
	__be16 dport;
};

#define VS_TCP_SYN_ONLY(fl) \
	(((fl) & (TCPHDR_SYN | TCPHDR_ACK | TCPHDR_RST)) == TCPHDR_SYN)

/* TCP or UDP, not a fragment, transport header present. */
static bool vs_parse(const struct sk_buff *skb, struct vs_pkt *p)
{
	const struct iphdr *iph = ip_hdr(skb);

	if (ip_is_fragment(iph))
		return false;
	p->protocol = iph->protocol;
	p->thoff = ip_hdrlen(skb);
	if (p->protocol == IPPROTO_TCP) {
		struct tcphdr _th;
		const struct tcphdr *th;

		th = skb_header_pointer(skb, p->thoff, sizeof(_th), &_th);
		if (!th || th->doff < sizeof(_th) / 4)
			return false;
		p->sport = th->source;
		p->dport = th->dest;
		p->tcp_flags = tcp_flag_byte(th);
		p->end_seq = ntohl(th->seq) + th->syn + th->fin +
			     skb->len - p->thoff - th->doff * 4;
		return true;
	}
	if (p->protocol == IPPROTO_UDP) {
		struct udphdr _uh;
		const struct udphdr *uh;

		uh = skb_header_pointer(skb, p->thoff, sizeof(_uh), &_uh);
		if (!uh)
			return false;
		p->sport = uh->source;
		p->dport = uh->dest;
		p->tcp_flags = 0;
		return true;
	}
	return false;
}

/* After a rewrite of the destination: make routing look again. */
static int vs_reroute(struct sk_buff *skb, const struct nf_hook_state *state)
{
	if (state->hook == NF_INET_LOCAL_OUT)
		return ip_route_me_harder(state->net, state->sk, skb,
					  RTN_UNSPEC);
	skb_dst_drop(skb);
	return 0;
}

/* Refuse a new flow the way a host without the port would. */
static void vs_refuse(struct sk_buff *skb, const struct vs_pkt *p,
		      const struct nf_hook_state *state)
{
	if (p->protocol == IPPROTO_TCP) {
		if (!(p->tcp_flags & TCPHDR_RST))
			nf_send_reset(state->net, NULL, skb, state->hook);
	} else {
		nf_send_unreach(skb, ICMP_PORT_UNREACH, state->hook);
	}
}

/* A new flow to a service: pick a server and create the entry. */
static unsigned int vs_schedule(struct vs_net *vn, struct sk_buff *skb,
				const struct vs_pkt *p,
				const struct nf_hook_state *state,
				bool had_conn, struct vs_conn **cpp)
{
	const struct iphdr *iph = ip_hdr(skb);
	struct vs_svc_key key = {
		.addr.ip = iph->daddr, .port = p->dport,
		.protocol = p->protocol, .af = AF_INET,
	};
	struct vs_conn_key ck = {
		.caddr = iph->saddr, .cport = p->sport,
		.protocol = p->protocol, .af = AF_INET,
	};
	struct vs_service *svc;
	struct vs_dest *dest;
	struct vs_conn *cp;
	bool existed;

	svc = vs_svc_lookup(vn, &key);
	if (!svc && !had_conn)
		return NF_ACCEPT;	/* not ours */
	if (!svc || (p->protocol == IPPROTO_TCP &&
		     !VS_TCP_SYN_ONLY(p->tcp_flags))) {
		/* Mid-flow packet we hold no entry for: the client's
		 * connection is gone, tell it at once.
		 */
		this_cpu_inc(vn->stats->drop_no_conn);
		vs_refuse(skb, p, state);
		return NF_DROP;
	}
	dest = vs_sched_pick(svc, skb);
	if (!dest) {
		this_cpu_inc(vn->stats->drop_no_dest);
		vs_refuse(skb, p, state);
		return NF_DROP;
	}
	cp = vs_conn_new(vn, &ck, iph->daddr, p->dport, dest, &existed);
	if (IS_ERR(cp)) {
		if (PTR_ERR(cp) == -ENOSPC)
			this_cpu_inc(vn->stats->drop_conn_limit);
		else
			this_cpu_inc(vn->stats->drop_nomem);
		return NF_DROP;
	}
	*cpp = cp;
	if (unlikely(existed)) {
		/* Another CPU scheduled this flow first: follow its entry,
		 * not our pick (one flow, one server, one connection).
		 */
		this_cpu_inc(vn->stats->conn_races);
		return NF_ACCEPT;
	}
	vs_stats_conn(dest->stats);
	vs_stats_conn(svc->stats);
	return NF_ACCEPT;
}

/* An entry that must not carry this packet: start over with a new one. */
static bool vs_conn_stale(const struct vs_conn *cp, const struct vs_pkt *p)
{
	const struct vs_dest *dest = cp->dest;
	u8 state;

	if (test_bit(VS_DEST_F_DEAD, &dest->flags) &&
	    (READ_ONCE(dest->svc_flags) & VSCHED_SVC_F_EXPIRE_ON_DELETE))
		return true;
	/* Being reset (its server went down): never carry more. */
	if (test_bit(VS_DEST_F_RESET, &dest->flags))
		return true;
	if (p->protocol != IPPROTO_TCP || !VS_TCP_SYN_ONLY(p->tcp_flags))
		return false;
	/* A new SYN reusing the ports of a closed connection. */
	state = READ_ONCE(cp->state);
	return state == VSCHED_CS_TIME_WAIT || state == VSCHED_CS_CLOSE;
}

/* Remember how far each side has sent, for vs_conn_send_resets(). */
static void vs_track_seq(struct vs_conn *cp, const struct vs_pkt *p,
			 bool dir_in)
{
	u32 *seq = dir_in ? &cp->seq_in : &cp->seq_out;
	u32 old = READ_ONCE(*seq);

	if (p->protocol != IPPROTO_TCP || (p->tcp_flags & TCPHDR_RST))
		return;
	/* Not backwards on a retransmission (0: nothing seen yet). */
	if (!old || after(p->end_seq, old))
		WRITE_ONCE(*seq, p->end_seq);
}

static void vs_count(struct vs_conn *cp, bool dir_in, unsigned int len)
{
	vs_stats_pkt(cp->dest->stats, dir_in, len);
	vs_stats_pkt(cp->dest->svc->stats, dir_in, len);
}

/*
 * Translate an ICMP error quoting a balanced flow; *hit tells whether it
 * quoted one. See vs_nat_icmp() for the two directions.
 */
static unsigned int vs_icmp(struct vs_net *vn, struct sk_buff *skb,
			    const struct nf_hook_state *state, bool dir_in,
			    bool *hit)
{
	unsigned int ihl = ip_hdrlen(skb), inner_off, inner_ihl;
	struct icmphdr _icmph;
	const struct icmphdr *icmph;
	struct iphdr _ciph;
	const struct iphdr *ciph;
	__be16 _ports[2];
	const __be16 *ports;
	struct vs_conn *cp;

	if (ip_is_fragment(ip_hdr(skb)))
		return NF_ACCEPT;
	icmph = skb_header_pointer(skb, ihl, sizeof(_icmph), &_icmph);
	if (!icmph || !icmp_is_err(icmph->type))
		return NF_ACCEPT;
	inner_off = ihl + sizeof(_icmph);
	ciph = skb_header_pointer(skb, inner_off, sizeof(_ciph), &_ciph);
	if (!ciph || ciph->ihl < 5 ||
	    (ciph->protocol != IPPROTO_TCP && ciph->protocol != IPPROTO_UDP) ||
	    (ciph->frag_off & htons(IP_OFFSET)))
		return NF_ACCEPT;
	inner_ihl = ciph->ihl * 4;
	ports = skb_header_pointer(skb, inner_off + inner_ihl, sizeof(_ports),
				   _ports);
	if (!ports)
		return NF_ACCEPT;

	if (dir_in)	/* quotes VIP:vport -> client:cport */
		cp = vs_conn_in_get(vn, ciph->protocol, ciph->daddr, ports[1],
				    ciph->saddr, ports[0]);
	else		/* quotes client:cport -> server:dport */
		cp = vs_conn_out_get(vn, ciph->protocol, ciph->daddr, ports[1],
				     ciph->saddr, ports[0]);
	if (!cp)
		return NF_ACCEPT;
	*hit = true;
	vs_count(cp, dir_in, skb->len);
	if (vs_nat_icmp(skb, cp, dir_in, inner_off, inner_ihl))
		return NF_DROP;
	if (dir_in && vs_reroute(skb, state))
		return NF_DROP;
	return NF_ACCEPT;
}

static unsigned int vs_in(struct vs_net *vn, struct sk_buff *skb,
			  const struct nf_hook_state *state)
{
	struct vs_conn *cp = NULL;
	bool had_conn = false;
	unsigned int verdict;
	struct vs_pkt p;

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP) {
		bool hit = false;

		verdict = vs_icmp(vn, skb, state, true, &hit);
		/*
		 * An error this host sends about a client's packet it could
		 * not forward to a real server (fragmentation needed) quotes
		 * client -> real server: the client must see the VIP.
		 */
		if (!hit && state->hook == NF_INET_LOCAL_OUT)
			verdict = vs_icmp(vn, skb, state, false, &hit);
		return verdict;
	}
	if (!vs_parse(skb, &p))
		return NF_ACCEPT;
	cp = vs_conn_in_get(vn, p.protocol, ip_hdr(skb)->saddr, p.sport,
			    ip_hdr(skb)->daddr, p.dport);
	if (cp && unlikely(vs_conn_stale(cp, &p))) {
		vs_conn_expire(vn, cp);
		cp = NULL;
		had_conn = true;
	}
	if (!cp) {
		verdict = vs_schedule(vn, skb, &p, state, had_conn, &cp);
		if (!cp)
			return verdict;
	}
	vs_conn_update(vn, cp, true, p.tcp_flags);
	vs_track_seq(cp, &p, true);
	vs_count(cp, true, skb->len);
	if (vs_nat_l4(skb, p.thoff, p.protocol, true, cp->daddr, cp->dport))
		return NF_DROP;
	if (vs_reroute(skb, state))
		return NF_DROP;
	return NF_ACCEPT;
}

static unsigned int vs_out(struct vs_net *vn, struct sk_buff *skb,
			   const struct nf_hook_state *state)
{
	struct vs_conn *cp;
	struct vs_pkt p;

	if (ip_hdr(skb)->protocol == IPPROTO_ICMP) {
		bool hit = false;

		return vs_icmp(vn, skb, state, false, &hit);
	}
	if (!vs_parse(skb, &p))
		return NF_ACCEPT;
	cp = vs_conn_out_get(vn, p.protocol, ip_hdr(skb)->saddr, p.sport,
			     ip_hdr(skb)->daddr, p.dport);
	if (!cp)
		return NF_ACCEPT;
	vs_conn_update(vn, cp, false, p.tcp_flags);
	vs_track_seq(cp, &p, false);
	vs_count(cp, false, skb->len);
	if (vs_nat_l4(skb, p.thoff, p.protocol, false, cp->vaddr, cp->vport))
		return NF_DROP;
	return NF_ACCEPT;
}

/*
 * Whether the hook must disable BHs itself: not in softirq, nor in a
 * section that disabled them already (in_softirq() covers both).
 */
static __always_inline bool vs_bh_enter(void)
{
	if (likely(in_softirq()))
		return false;
	local_bh_disable();
	return true;
}

static __always_inline void vs_bh_exit(bool disabled)
{
	if (disabled)
		local_bh_enable();
}

/* PRE_ROUTING and LOCAL_OUT: the client's side. */
static unsigned int vs_in_hook(void *priv, struct sk_buff *skb,
			       const struct nf_hook_state *state)
{
	bool bh = vs_bh_enter();
	unsigned int verdict;

	verdict = vs_in(vs_net(state->net), skb, state);
	vs_bh_exit(bh);
	return verdict;
}

/* FORWARD and LOCAL_IN: the real servers' replies. */
static unsigned int vs_out_hook(void *priv, struct sk_buff *skb,
				const struct nf_hook_state *state)
{
	bool bh = vs_bh_enter();
	unsigned int verdict;

	verdict = vs_out(vs_net(state->net), skb, state);
	vs_bh_exit(bh);
	return verdict;
}

const struct nf_hook_ops vs_hook_ops[] = {
	{
		.hook		= vs_in_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK - 1,
	},
	{
		.hook		= vs_out_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_FORWARD,
		.priority	= NF_IP_PRI_FILTER - 1,
	},
	{
		.hook		= vs_out_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_IN,
		.priority	= NF_IP_PRI_FILTER - 1,
	},
	{
		.hook		= vs_in_hook,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK - 1,
	},
};

const unsigned int vs_hook_ops_count = ARRAY_SIZE(vs_hook_ops);

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "hooks_test.c"
#endif
