// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit: the NAT rewrite against a full checksum recompute, for every
 * checksum state an skb can be in. veth offloads checksums, so a wrong
 * incremental update would pass every veth test and break on a NIC.
 */

#include <kunit/test.h>

#define VS_T_SRC	cpu_to_be32(0xc6120102)		/* 198.18.1.2 */
#define VS_T_VIP	cpu_to_be32(0xc6126401)		/* 198.18.100.1 */
#define VS_T_RIP	cpu_to_be32(0xc612020b)		/* 198.18.2.11 */
#define VS_T_PAYLOAD	37	/* odd on purpose */

/* An IPv4 TCP or UDP packet with correct checksums. */
static struct sk_buff *vs_t_pkt(struct kunit *test, u8 proto, __be32 daddr,
				__be16 dport, u16 word)
{
	unsigned int l4len = (proto == IPPROTO_TCP ? sizeof(struct tcphdr) :
			      sizeof(struct udphdr)) + VS_T_PAYLOAD;
	struct sk_buff *skb;
	struct iphdr *iph;
	u8 *l4;
	__wsum sum;

	skb = alloc_skb(LL_MAX_HEADER + sizeof(*iph) + l4len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, LL_MAX_HEADER);
	skb_reset_network_header(skb);
	iph = skb_put_zero(skb, sizeof(*iph));
	iph->version = 4;
	iph->ihl = 5;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->tot_len = htons(sizeof(*iph) + l4len);
	iph->saddr = VS_T_SRC;
	iph->daddr = daddr;
	ip_send_check(iph);
	skb_set_transport_header(skb, sizeof(*iph));
	l4 = skb_put_zero(skb, l4len);
	get_random_bytes(l4 + l4len - VS_T_PAYLOAD, VS_T_PAYLOAD);
	/* memcpy, not put_unaligned_be16(): its header moved in 6.12. */
	memcpy(l4 + l4len - VS_T_PAYLOAD, &(__be16){ cpu_to_be16(word) }, 2);
	if (proto == IPPROTO_TCP) {
		struct tcphdr *th = (void *)l4;

		th->source = htons(40000);
		th->dest = dport;
		th->doff = 5;
		th->ack = 1;
		sum = csum_partial(l4, l4len, 0);
		th->check = csum_tcpudp_magic(iph->saddr, daddr, l4len, proto,
					      sum);
	} else {
		struct udphdr *uh = (void *)l4;

		uh->source = htons(40000);
		uh->dest = dport;
		uh->len = htons(l4len);
		sum = csum_partial(l4, l4len, 0);
		uh->check = csum_tcpudp_magic(iph->saddr, daddr, l4len, proto,
					      sum);
		if (!uh->check)
			uh->check = CSUM_MANGLED_0;
	}
	return skb;
}

static __sum16 *vs_t_check(struct sk_buff *skb)
{
	u8 *l4 = skb_transport_header(skb);

	if (ip_hdr(skb)->protocol == IPPROTO_TCP)
		return &((struct tcphdr *)l4)->check;
	return &((struct udphdr *)l4)->check;
}

/* Full recompute: IP header and transport checksum both verify. */
static void vs_t_verify(struct kunit *test, struct sk_buff *skb)
{
	const struct iphdr *iph = ip_hdr(skb);
	unsigned int l4len = skb->len - sizeof(*iph);
	__wsum sum = csum_partial(skb_transport_header(skb), l4len, 0);

	KUNIT_EXPECT_EQ(test, ip_fast_csum(iph, iph->ihl), 0);
	KUNIT_EXPECT_EQ(test, csum_tcpudp_magic(iph->saddr, iph->daddr, l4len,
						iph->protocol, sum), 0);
}

static void vs_t_rewrite(struct kunit *test, u8 proto, u8 summed)
{
	struct sk_buff *skb = vs_t_pkt(test, proto, VS_T_VIP, htons(80), 0);
	unsigned int l4len = skb->len - sizeof(struct iphdr);
	__sum16 *check = vs_t_check(skb);

	skb->ip_summed = summed;
	if (summed == CHECKSUM_COMPLETE) {
		skb->csum = csum_partial(skb->data, skb->len, 0);
	} else if (summed == CHECKSUM_PARTIAL) {
		/* As the stack hands it to a device: pseudo-header only. */
		*check = ~csum_tcpudp_magic(VS_T_SRC, VS_T_VIP, l4len, proto,
					    0);
		skb->csum_start = skb_transport_header(skb) - skb->head;
		skb->csum_offset = (u8 *)check - skb_transport_header(skb);
	}
	KUNIT_ASSERT_EQ(test, vs_nat_l4(skb, sizeof(struct iphdr), proto, true,
					VS_T_RIP, htons(8080)), 0);
	check = vs_t_check(skb);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->daddr, VS_T_RIP);
	KUNIT_EXPECT_EQ(test, ((struct udphdr *)skb_transport_header(skb))->dest,
			htons(8080));
	if (summed == CHECKSUM_COMPLETE)
		KUNIT_EXPECT_EQ(test, csum_fold(skb->csum),
				csum_fold(csum_partial(skb->data, skb->len, 0)));
	if (summed == CHECKSUM_PARTIAL) {
		KUNIT_EXPECT_EQ(test, *check,
				(__sum16)~csum_tcpudp_magic(VS_T_SRC, VS_T_RIP,
							    l4len, proto, 0));
		KUNIT_ASSERT_EQ(test, skb_checksum_help(skb), 0);
	}
	vs_t_verify(test, skb);

	/* And back: the reply's source becomes the VIP again. */
	swap(ip_hdr(skb)->saddr, ip_hdr(skb)->daddr);
	ip_send_check(ip_hdr(skb));
	skb->ip_summed = CHECKSUM_NONE;
	KUNIT_ASSERT_EQ(test, vs_nat_l4(skb, sizeof(struct iphdr), proto, false,
					VS_T_VIP, htons(80)), 0);
	KUNIT_EXPECT_EQ(test, ip_hdr(skb)->saddr, VS_T_VIP);
	vs_t_verify(test, skb);
	kfree_skb(skb);
}

static void vs_test_nat_tcp_none(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_TCP, CHECKSUM_NONE);
}

static void vs_test_nat_tcp_complete(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_TCP, CHECKSUM_COMPLETE);
}

static void vs_test_nat_tcp_partial(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_TCP, CHECKSUM_PARTIAL);
}

static void vs_test_nat_udp_none(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_UDP, CHECKSUM_NONE);
}

static void vs_test_nat_udp_complete(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_UDP, CHECKSUM_COMPLETE);
}

static void vs_test_nat_udp_partial(struct kunit *test)
{
	vs_t_rewrite(test, IPPROTO_UDP, CHECKSUM_PARTIAL);
}

/* An IPv4 UDP checksum of 0 means "none" and must stay 0. */
static void vs_test_nat_udp_zero(struct kunit *test)
{
	struct sk_buff *skb = vs_t_pkt(test, IPPROTO_UDP, VS_T_VIP, htons(53),
				       0);

	*vs_t_check(skb) = 0;
	skb->ip_summed = CHECKSUM_NONE;
	KUNIT_ASSERT_EQ(test, vs_nat_l4(skb, sizeof(struct iphdr), IPPROTO_UDP,
					true, VS_T_RIP, htons(5353)), 0);
	KUNIT_EXPECT_EQ(test, *vs_t_check(skb), 0);
	KUNIT_EXPECT_EQ(test, ip_fast_csum(ip_hdr(skb), 5), 0);
	kfree_skb(skb);
}

/* A rewritten UDP checksum that computes to 0 is sent as 0xffff. */
static void vs_test_nat_udp_mangled_zero(struct kunit *test)
{
	struct sk_buff *after, *skb;
	unsigned int l4len;
	__wsum sum;
	u16 word;

	/* Pick the payload so that the rewritten packet sums to zero. */
	after = vs_t_pkt(test, IPPROTO_UDP, VS_T_RIP, htons(5353), 0);
	l4len = after->len - sizeof(struct iphdr);
	memset(skb_transport_header(after) + sizeof(struct udphdr), 0,
	       VS_T_PAYLOAD);
	*vs_t_check(after) = 0;
	sum = csum_partial(skb_transport_header(after), l4len, 0);
	word = (__force u16)csum_tcpudp_magic(VS_T_SRC, VS_T_RIP, l4len,
					      IPPROTO_UDP, sum);
	kfree_skb(after);

	skb = vs_t_pkt(test, IPPROTO_UDP, VS_T_VIP, htons(53), 0);
	memset(skb_transport_header(skb) + sizeof(struct udphdr), 0,
	       VS_T_PAYLOAD);
	memcpy(skb_transport_header(skb) + sizeof(struct udphdr), &word,
	       sizeof(word));
	*vs_t_check(skb) = 0;
	*vs_t_check(skb) = csum_tcpudp_magic(VS_T_SRC, VS_T_VIP, l4len,
					     IPPROTO_UDP,
					     csum_partial(skb_transport_header(skb),
							  l4len, 0));
	if (!*vs_t_check(skb))
		*vs_t_check(skb) = CSUM_MANGLED_0;
	skb->ip_summed = CHECKSUM_NONE;
	KUNIT_ASSERT_EQ(test, vs_nat_l4(skb, sizeof(struct iphdr), IPPROTO_UDP,
					true, VS_T_RIP, htons(5353)), 0);
	KUNIT_EXPECT_EQ(test, *vs_t_check(skb), CSUM_MANGLED_0);
	vs_t_verify(test, skb);
	kfree_skb(skb);
}

static struct kunit_case vs_nat_cases[] = {
	KUNIT_CASE(vs_test_nat_tcp_none),
	KUNIT_CASE(vs_test_nat_tcp_complete),
	KUNIT_CASE(vs_test_nat_tcp_partial),
	KUNIT_CASE(vs_test_nat_udp_none),
	KUNIT_CASE(vs_test_nat_udp_complete),
	KUNIT_CASE(vs_test_nat_udp_partial),
	KUNIT_CASE(vs_test_nat_udp_zero),
	KUNIT_CASE(vs_test_nat_udp_mangled_zero),
	{}
};

static struct kunit_suite vs_nat_suite = {
	.name = "vsched-nat",
	.test_cases = vs_nat_cases,
};

kunit_test_suite(vs_nat_suite);

#ifdef CONFIG_VSCHED_KUNIT_BENCH
/*
 * Microbenchmark (make bench): the rewrite of a TCP packet's destination
 * (address, port, incremental checksum update), to the server and back
 * to the VIP, in ns per rewrite; the checksums are verified at the end.
 */
#define VS_BENCH_REWRITES	1000000U

static void vs_bench_nat_tcp(struct kunit *test)
{
	struct sk_buff *skb = vs_t_pkt(test, IPPROTO_TCP, VS_T_VIP, htons(80),
				       0);
	struct iphdr *iph = ip_hdr(skb);
	unsigned int i;
	u64 t0, ns;
	int err = 0;

	skb->ip_summed = CHECKSUM_NONE;
	t0 = ktime_get_ns();
	for (i = 0; i < VS_BENCH_REWRITES; i++) {
		err |= vs_nat_l4(skb, sizeof(*iph), IPPROTO_TCP, true,
				 VS_T_RIP, htons(8080));
		err |= vs_nat_l4(skb, sizeof(*iph), IPPROTO_TCP, true,
				 VS_T_VIP, htons(80));
	}
	ns = ktime_get_ns() - t0;
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, iph->daddr, VS_T_VIP);
	vs_t_verify(test, skb);
	kfree_skb(skb);
	kunit_info(test, "vsched-bench nat_tcp ops=%u ns_per_op=%llu\n",
		   2 * VS_BENCH_REWRITES, div_u64(ns, 2 * VS_BENCH_REWRITES));
}

static struct kunit_case vs_bench_nat_cases[] = {
	KUNIT_CASE(vs_bench_nat_tcp),
	{}
};

static struct kunit_suite vs_bench_nat_suite = {
	.name = "vsched-bench-nat",
	.test_cases = vs_bench_nat_cases,
};

kunit_test_suite(vs_bench_nat_suite);
#endif
