/* SPDX-License-Identifier: GPL-2.0 */
/* NAT forwarding: address and port rewriting with checksum updates. */
#ifndef _VS_NAT_H
#define _VS_NAT_H

#include <linux/skbuff.h>

struct vs_conn;

int vs_nat_l4(struct sk_buff *skb, unsigned int thoff, u8 protocol,
	      bool set_dst, __be32 addr, __be16 port);
int vs_nat_icmp(struct sk_buff *skb, const struct vs_conn *cp, bool dir_in,
		unsigned int inner_off, unsigned int inner_ihl);

#endif /* _VS_NAT_H */
