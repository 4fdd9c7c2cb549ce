// SPDX-License-Identifier: GPL-2.0
/*
 * NAT forwarding (VSCHED_FWD_MASQ): the destination of client packets is
 * rewritten to the real server, the source of replies back to the VIP.
 *
 * Checksums are updated incrementally with the kernel's helpers, which
 * handle the three states an skb's checksum can be in: CHECKSUM_NONE or
 * UNNECESSARY (fix the header field), CHECKSUM_COMPLETE (also fix
 * skb->csum for the pseudo-header change) and CHECKSUM_PARTIAL (the field
 * holds the pseudo-header sum only, so only address changes apply). A UDP
 * checksum of 0 means "none" over IPv4 and stays 0; an updated checksum
 * that folds to 0 is sent as 0xffff (CSUM_MANGLED_0), as nf_nat does.
 */

#include <linux/icmp.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <net/checksum.h>
#include <net/ip.h>

#include "conn.h"
#include "nat.h"

int vs_nat_l4(struct sk_buff *skb, unsigned int thoff, u8 protocol,
	      bool set_dst, __be32 addr, __be16 port)
{
	unsigned int hlen = protocol == IPPROTO_TCP ? sizeof(struct tcphdr) :
						      sizeof(struct udphdr);
	__be16 *pport;
	__sum16 *check;
	struct iphdr *iph;
	__be32 *paddr;
	bool do_csum;

	if (skb_ensure_writable(skb, thoff + hlen))
		return -ENOMEM;
	iph = ip_hdr(skb);
	paddr = set_dst ? &iph->daddr : &iph->saddr;
	if (protocol == IPPROTO_TCP) {
		struct tcphdr *th = (void *)iph + thoff;

		pport = set_dst ? &th->dest : &th->source;
		check = &th->check;
		do_csum = true;
	} else {
		struct udphdr *uh = (void *)iph + thoff;

		pport = set_dst ? &uh->dest : &uh->source;
		check = &uh->check;
		do_csum = uh->check || skb->ip_summed == CHECKSUM_PARTIAL;
	}
	if (do_csum) {
		inet_proto_csum_replace4(check, skb, *paddr, addr, true);
		inet_proto_csum_replace2(check, skb, *pport, port, false);
		if (protocol == IPPROTO_UDP && !*check)
			*check = CSUM_MANGLED_0;
	}
	*pport = port;
	csum_replace4(&iph->check, *paddr, addr);
	*paddr = addr;
	return 0;
}

/*
 * Translate an ICMP error quoting a balanced flow, so that path-MTU
 * discovery and "port unreachable" reach the right end.
 * dir_in: from the client side, quoting a reply (VIP -> client): the
 *	   quoted source and the outer destination become the real server.
 * !dir_in: from the server side, quoting client -> real server: the
 *	   quoted destination becomes the VIP, and so does the outer source
 *	   when the real server itself sent the error.
 * The quoted transport checksum is left alone (it covers data the error
 * usually truncates, and receivers do not check it); the ICMP checksum
 * is recomputed over the whole message.
 */
int vs_nat_icmp(struct sk_buff *skb, const struct vs_conn *cp, bool dir_in,
		unsigned int inner_off, unsigned int inner_ihl)
{
	unsigned int ihl = ip_hdrlen(skb);
	struct iphdr *iph, *ciph;
	struct icmphdr *icmph;
	__be16 *ports;

	if (skb_ensure_writable(skb, inner_off + inner_ihl + 4))
		return -ENOMEM;
	iph = ip_hdr(skb);
	icmph = (void *)iph + ihl;
	ciph = (void *)iph + inner_off;
	ports = (void *)ciph + inner_ihl;
	if (dir_in) {
		csum_replace4(&ciph->check, ciph->saddr, cp->daddr);
		ciph->saddr = cp->daddr;
		ports[0] = cp->dport;
		csum_replace4(&iph->check, iph->daddr, cp->daddr);
		iph->daddr = cp->daddr;
	} else {
		csum_replace4(&ciph->check, ciph->daddr, cp->vaddr);
		ciph->daddr = cp->vaddr;
		ports[1] = cp->vport;
		if (iph->saddr == cp->daddr) {
			csum_replace4(&iph->check, iph->saddr, cp->vaddr);
			iph->saddr = cp->vaddr;
		}
	}
	icmph->checksum = 0;
	icmph->checksum = csum_fold(skb_checksum(skb, ihl, skb->len - ihl, 0));
	skb->ip_summed = CHECKSUM_NONE;
	return 0;
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "nat_test.c"
#endif
