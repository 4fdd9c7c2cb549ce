/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the libvsched message tests (test_msg*.c): fixed
 * keys, attribute-type masks of built requests, fake kernel replies.
 * static inline so that a test file that uses only some of them builds
 * warning-free.
 */
#ifndef VS_MSGTEST_H
#define VS_MSGTEST_H

#include <arpa/inet.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include "harness.h"
#include "msg.h"

#define FAMILY	0x1d

static inline struct vs_svc key(void)
{
	struct vs_svc s = { .af = AF_INET, .protocol = IPPROTO_TCP,
			    .port = 8080 };

	inet_pton(AF_INET, "198.18.100.1", &s.addr);
	return s;
}

static inline struct vs_dest rs(void)
{
	struct vs_dest d = { .port = 80, .weight = 300, .fwd = VSCHED_FWD_MASQ,
			     .has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT |
				    VS_DEST_HAS_FWD };

	inet_pton(AF_INET, "10.0.0.1", &d.addr);
	return d;
}

/* The attributes present in a nest, as a bit mask of their types. */
static inline unsigned long nest_types(struct nlattr *nest)
{
	struct nlattr *a;
	unsigned long m = 0;
	int rem;

	nla_for_each_nested(a, nest, rem)
		m |= 1UL << nla_type(a);
	return m;
}

static inline unsigned long top_types(struct nl_msg *msg)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct nlattr *a;
	unsigned long m = 0;
	int rem;

	nla_for_each_attr(a, genlmsg_attrdata(nlmsg_data(nlh), 0),
			  genlmsg_attrlen(nlmsg_data(nlh), 0), rem)
		m |= 1UL << nla_type(a);
	return m;
}

#define B(x)	(1UL << (x))

static inline struct nlattr *top_attr(struct nl_msg *msg, int type)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);

	return nla_find(genlmsg_attrdata(nlmsg_data(nlh), 0),
			genlmsg_attrlen(nlmsg_data(nlh), 0), type);
}

static inline void check_header(struct nl_msg *msg, uint8_t cmd,
				bool dump)
{
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	struct genlmsghdr *g = nlmsg_data(nlh);

	CHECK(nlh->nlmsg_type == FAMILY);
	CHECK(g->cmd == cmd);
	CHECK(g->version == VSCHED_GENL_VERSION);
	CHECK(g->reserved == 0);	/* strict validation rejects others */
	if (dump)
		CHECK((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
	else
		CHECK(nlh->nlmsg_flags & NLM_F_ACK);
}
/* A u64 as the kernel's nla_put_u64_64bit() may put it: after a pad. */
static inline void put_u64_padded(struct nl_msg *msg, int type, int pad,
				  uint64_t v)
{
	nla_put(msg, pad, 0, NULL);
	nla_put_u64(msg, type, v);
}

static inline struct nl_msg *fake_reply(uint8_t cmd, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, 0, 1, FAMILY, 0, flags, cmd, VSCHED_GENL_VERSION);
	return msg;
}

static inline void put_svc(struct nl_msg *msg, bool full)
{
	struct nlattr *nest = nla_nest_start(msg, VSCHED_A_SVC), *st;
	struct in_addr a;

	inet_pton(AF_INET, "198.18.100.1", &a);
	nla_put_u16(msg, VSCHED_SVC_A_AF, AF_INET);
	nla_put_u8(msg, VSCHED_SVC_A_PROTOCOL, IPPROTO_UDP);
	nla_put(msg, VSCHED_SVC_A_ADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_SVC_A_PORT, 53);
	if (full) {
		nla_put_string(msg, VSCHED_SVC_A_SCHED_NAME, "rr");
		nla_put_u32(msg, VSCHED_SVC_A_FLAGS,
			    VSCHED_SVC_F_EXPIRE_ON_DELETE);
		nla_put_u32(msg, VSCHED_SVC_A_NUM_DESTS, 2);
		nla_put_u32(msg, 60, 1);	/* a future attribute */
		st = nla_nest_start(msg, VSCHED_SVC_A_STATS);
		put_u64_padded(msg, VSCHED_STATS_A_CONNS, VSCHED_STATS_A_PAD,
			       1ULL << 40);
		put_u64_padded(msg, VSCHED_STATS_A_OUTBYTES,
			       VSCHED_STATS_A_PAD, 77);
		nla_nest_end(msg, st);
	}
	nla_nest_end(msg, nest);
}


#endif /* VS_MSGTEST_H */
