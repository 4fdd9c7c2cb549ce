// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the hooks entered in process context with BHs enabled, as
 * nf_reinject() enters them after an NFQUEUE verdict. The entry's lock is
 * first taken in softirq (a timer), so lockdep (run.sh --debug) knows it
 * as a softirq lock and reports any later use of it with BHs enabled.
 */

#include <kunit/test.h>
#include <linux/timer.h>

#define VS_H_CLIENT	cpu_to_be32(0xc6120102)		/* 198.18.1.2 */
#define VS_H_VIP	cpu_to_be32(0xc6126401)		/* 198.18.100.1 */
#define VS_H_RIP	cpu_to_be32(0xc612020b)		/* 198.18.2.11 */

/* A TCP segment without payload; checksums are not looked at. */
static struct sk_buff *vs_h_pkt(struct kunit *test, __be32 saddr,
				u16 sport, __be32 daddr, u16 dport, u8 flags)
{
	unsigned int len = sizeof(struct iphdr) + sizeof(struct tcphdr);
	struct sk_buff *skb;
	struct tcphdr *th;
	struct iphdr *iph;

	skb = alloc_skb(LL_MAX_HEADER + len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = IPPROTO_TCP;
	iph->tot_len = htons(len);
	iph->saddr = saddr;
	iph->daddr = daddr;
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
	th = skb_put_zero(skb, sizeof(*th));
	th->source = htons(sport);
	th->dest = htons(dport);
	th->doff = sizeof(*th) / 4;
	tcp_flag_byte(th) = flags;
	return skb;
}

struct vs_h_softirq {
	struct timer_list timer;
	struct vs_net *vn;
	struct vs_conn *cp;
	struct completion done;
};

/* The client's SYN, handled in softirq: takes cp->lock there. */
static void vs_h_timer(struct timer_list *t)
{
	struct vs_h_softirq *s = container_of(t, struct vs_h_softirq, timer);

	vs_conn_update(s->vn, s->cp, true, TCPHDR_SYN);
	complete(&s->done);
}

static void vs_test_hooks_process_context(struct kunit *test)
{
	struct vs_net *vn = vs_net(&init_net);
	struct nf_hook_state in = {
		.hook = NF_INET_PRE_ROUTING, .pf = NFPROTO_IPV4,
		.net = &init_net,
	};
	struct nf_hook_state out = {
		.hook = NF_INET_FORWARD, .pf = NFPROTO_IPV4, .net = &init_net,
	};
	struct vs_conn_key key = {
		.caddr = VS_H_CLIENT, .cport = htons(40000),
		.protocol = IPPROTO_TCP, .af = AF_INET,
	};
	struct vs_h_softirq s = { .vn = vn };
	struct vs_service *svc;
	struct vs_dest *dest;
	struct sk_buff *skb;
	unsigned int verdict;
	bool existed;

	/* Freed by vs_dest_put() at the end. */
	svc = kzalloc(sizeof(*svc), GFP_KERNEL);
	dest = kzalloc(sizeof(*dest), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, svc);
	KUNIT_ASSERT_NOT_NULL(test, dest);
	svc->stats = vs_stats_alloc();
	dest->stats = vs_stats_alloc();
	KUNIT_ASSERT_NOT_NULL(test, svc->stats);
	KUNIT_ASSERT_NOT_NULL(test, dest->stats);
	refcount_set(&svc->refcnt, 1);
	refcount_set(&dest->refcnt, 1);
	svc->vn = vn;
	dest->svc = svc;
	dest->addr.ip = VS_H_RIP;
	dest->port = htons(8080);
	s.cp = vs_conn_new(vn, &key, VS_H_VIP, htons(80), dest, &existed);
	KUNIT_ASSERT_FALSE(test, IS_ERR(s.cp));

	init_completion(&s.done);
	timer_setup_on_stack(&s.timer, vs_h_timer, 0);
	mod_timer(&s.timer, jiffies);
	wait_for_completion(&s.done);
	del_timer_sync(&s.timer);
	destroy_timer_on_stack(&s.timer);

	/* The server's SYN-ACK, then the client's ACK, from a process. */
	KUNIT_ASSERT_FALSE(test, in_softirq());
	skb = vs_h_pkt(test, VS_H_RIP, 8080, VS_H_CLIENT, 40000,
		       TCPHDR_SYN | TCPHDR_ACK);
	rcu_read_lock();
	verdict = vs_out_hook(NULL, skb, &out);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, verdict, NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->saddr, VS_H_VIP);
	KUNIT_EXPECT_EQ(test, tcp_hdr(skb)->source, htons(80));
	KUNIT_EXPECT_TRUE(test, s.cp->flags & VS_CONN_F_REPLIED);
	kfree_skb(skb);

	skb = vs_h_pkt(test, VS_H_CLIENT, 40000, VS_H_VIP, 80, TCPHDR_ACK);
	rcu_read_lock();
	verdict = vs_in_hook(NULL, skb, &in);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, verdict, NF_ACCEPT);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->daddr, VS_H_RIP);
	KUNIT_EXPECT_EQ(test, tcp_hdr(skb)->dest, htons(8080));
	KUNIT_EXPECT_EQ(test, s.cp->state, VSCHED_CS_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, atomic_read(&dest->activeconns), 1);
	kfree_skb(skb);
	/* BHs as they were: enabled again. */
	KUNIT_EXPECT_FALSE(test, in_softirq());

	vs_conn_expire(vn, s.cp);
	rcu_barrier();
	KUNIT_EXPECT_EQ(test, atomic_read(&dest->activeconns), 0);
	KUNIT_EXPECT_EQ(test, refcount_read(&dest->refcnt), 1U);
	vs_dest_put(dest);
}

static struct kunit_case vs_hooks_cases[] = {
	KUNIT_CASE(vs_test_hooks_process_context),
	{}
};

static struct kunit_suite vs_hooks_suite = {
	.name = "vsched-hooks",
	.test_cases = vs_hooks_cases,
};

kunit_test_suite(vs_hooks_suite);
