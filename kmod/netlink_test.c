// SPDX-License-Identifier: GPL-2.0
/* KUnit: request validation, every rejection with an extack message. */

#include <kunit/test.h>

struct vs_t_attr {
	int type;
	int len;	/* -1: end of list */
	u32 val;	/* u8/u16/u32 value, or an address (network order) */
};

/* A VSCHED_A_SVC or VSCHED_A_DEST nest built from @attrs. */
static struct nlattr *vs_t_nest(struct kunit *test, int type,
				const struct vs_t_attr *attrs)
{
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	struct nlattr *nest, *copy;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	nest = nla_nest_start(skb, type);
	for (; attrs->len >= 0; attrs++) {
		u8 buf[16] = { 0 };

		if (attrs->len == 1)
			buf[0] = attrs->val;
		else if (attrs->len == 2)
			memcpy(buf, &(u16){ attrs->val }, 2);
		else
			memcpy(buf, &attrs->val, min(attrs->len, 4));
		KUNIT_ASSERT_EQ(test, nla_put(skb, attrs->type, attrs->len, buf),
				0);
	}
	nla_nest_end(skb, nest);
	/* A copy that lives until the test ends. */
	copy = kunit_kmalloc(test, nest->nla_len, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, copy);
	memcpy(copy, nest, nest->nla_len);
	kfree_skb(skb);
	return copy;
}

#define VS_T_END { 0, -1, 0 }
#define VS_T_AF(af) { VSCHED_SVC_A_AF, 2, af }
#define VS_T_PROTO(p) { VSCHED_SVC_A_PROTOCOL, 1, p }
#define VS_T_ADDR(a) { VSCHED_SVC_A_ADDR4, 4, (__force u32)a }
#define VS_T_PORT(p) { VSCHED_SVC_A_PORT, 2, p }
#define VS_T_VIP cpu_to_be32(0xc6126401)	/* 198.18.100.1 */

static int vs_t_svc(struct kunit *test, const struct vs_t_attr *attrs,
		    struct vs_svc_key *key)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	int err;

	err = vs_parse_svc_key(vs_t_nest(test, VSCHED_A_SVC, attrs), tb, key,
			       &extack);
	if (err)
		KUNIT_EXPECT_NOT_NULL_MSG(test, extack._msg,
					  "rejection without a message");
	return err;
}

static void vs_test_nl_svc_ok(struct kunit *test)
{
	static const struct vs_t_attr a[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), VS_T_END
	};
	struct vs_svc_key key;

	KUNIT_ASSERT_EQ(test, vs_t_svc(test, a, &key), 0);
	KUNIT_EXPECT_EQ(test, key.af, AF_INET);
	KUNIT_EXPECT_EQ(test, key.protocol, IPPROTO_TCP);
	KUNIT_EXPECT_EQ(test, key.addr.ip, VS_T_VIP);
	KUNIT_EXPECT_EQ(test, key.port, htons(80));
}

static void vs_test_nl_svc_rejects(struct kunit *test)
{
	static const struct vs_t_attr no_port[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_END
	};
	static const struct vs_t_attr inet6[] = {
		VS_T_AF(AF_INET6), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), VS_T_END
	};
	static const struct vs_t_attr icmp[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_ICMP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), VS_T_END
	};
	static const struct vs_t_attr short_addr[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP),
		{ VSCHED_SVC_A_ADDR4, 3, 0x010203 }, VS_T_PORT(80), VS_T_END
	};
	static const struct vs_t_attr multicast[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_UDP),
		VS_T_ADDR(cpu_to_be32(0xe0000001)), VS_T_PORT(53), VS_T_END
	};
	static const struct vs_t_attr port0[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(0), VS_T_END
	};
	static const struct vs_t_attr unknown_flag[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), { VSCHED_SVC_A_FLAGS, 4, 1U << 7 }, VS_T_END
	};
	static const struct vs_t_attr output_only[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), { VSCHED_SVC_A_NUM_DESTS, 4, 1 }, VS_T_END
	};
	static const struct vs_t_attr unknown_attr[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), { VSCHED_SVC_A_MAX + 1, 4, 1 }, VS_T_END
	};
	struct vs_svc_key key;

	KUNIT_EXPECT_EQ(test, vs_t_svc(test, no_port, &key), -EINVAL);
	KUNIT_EXPECT_EQ(test, vs_t_svc(test, inet6, &key), -EAFNOSUPPORT);
	KUNIT_EXPECT_EQ(test, vs_t_svc(test, icmp, &key), -EPROTONOSUPPORT);
	KUNIT_EXPECT_LT(test, vs_t_svc(test, short_addr, &key), 0);
	KUNIT_EXPECT_EQ(test, vs_t_svc(test, multicast, &key), -EINVAL);
	KUNIT_EXPECT_LT(test, vs_t_svc(test, port0, &key), 0);
	KUNIT_EXPECT_LT(test, vs_t_svc(test, unknown_flag, &key), 0);
	KUNIT_EXPECT_LT(test, vs_t_svc(test, output_only, &key), 0);
	KUNIT_EXPECT_LT(test, vs_t_svc(test, unknown_attr, &key), 0);
}

/* The parsed attributes of a VSCHED_A_SVC nest into @tb. */
static int vs_t_svc_tb(struct kunit *test, const struct vs_t_attr *attrs,
		       struct nlattr **tb)
{
	struct vs_svc_key key;

	return vs_parse_svc_key(vs_t_nest(test, VSCHED_A_SVC, attrs), tb, &key,
				NULL);
}

/* SCHED_FLAGS: known bits read, an unknown one refused by name. */
static void vs_test_nl_sched_flags(struct kunit *test)
{
	static const struct vs_t_attr both[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), { VSCHED_SVC_A_SCHED_FLAGS, 4,
				 VSCHED_SCHED_F_FALLBACK | VSCHED_SCHED_F_PORT },
		VS_T_END
	};
	static const struct vs_t_attr unknown[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), { VSCHED_SVC_A_SCHED_FLAGS, 4, 1U << 2 },
		VS_T_END
	};
	static const struct vs_t_attr none[] = {
		VS_T_AF(AF_INET), VS_T_PROTO(IPPROTO_TCP), VS_T_ADDR(VS_T_VIP),
		VS_T_PORT(80), VS_T_END
	};
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct netlink_ext_ack extack = {};
	u32 flags = 0;

	KUNIT_ASSERT_EQ(test, vs_t_svc_tb(test, both, tb), 0);
	KUNIT_EXPECT_EQ(test, vs_parse_sched_flags(tb, &flags, &extack), 1);
	KUNIT_EXPECT_EQ(test, flags, (u32)__VSCHED_SCHED_F_ALL);

	KUNIT_ASSERT_EQ(test, vs_t_svc_tb(test, unknown, tb), 0);
	KUNIT_EXPECT_EQ(test, vs_parse_sched_flags(tb, &flags, &extack),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, extack._msg, "unknown scheduler flag");

	flags = 7;
	KUNIT_ASSERT_EQ(test, vs_t_svc_tb(test, none, tb), 0);
	KUNIT_EXPECT_EQ(test, vs_parse_sched_flags(tb, &flags, &extack), 0);
	KUNIT_EXPECT_EQ(test, flags, 7U);	/* absent: left alone */
}

static int vs_t_dest_op(struct kunit *test, const struct vs_t_attr *attrs,
			bool new, struct vs_dest_req *req)
{
	struct netlink_ext_ack extack = {};
	struct vs_service svc = { .key.port = htons(80) };
	int err;

	err = vs_parse_dest(vs_t_nest(test, VSCHED_A_DEST, attrs), &svc, new,
			    req, &extack);
	if (err)
		KUNIT_EXPECT_NOT_NULL_MSG(test, extack._msg,
					  "rejection without a message");
	return err;
}

static int vs_t_dest(struct kunit *test, const struct vs_t_attr *attrs,
		     struct vs_dest_req *req)
{
	return vs_t_dest_op(test, attrs, true, req);
}

#define VS_T_RIP(a) { VSCHED_DEST_A_ADDR4, 4, (__force u32)cpu_to_be32(a) }

static void vs_test_nl_dest(struct kunit *test)
{
	static const struct vs_t_attr defaults[] = {
		VS_T_RIP(0xc612020b), VS_T_END
	};
	static const struct vs_t_attr max_weight[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_WEIGHT, 4, 65535 },
		{ VSCHED_DEST_A_PORT, 2, 8080 }, VS_T_END
	};
	static const struct vs_t_attr big_weight[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_WEIGHT, 4, 65536 },
		VS_T_END
	};
	static const struct vs_t_attr bad_fwd[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_FWD_METHOD, 1, 9 },
		VS_T_END
	};
	static const struct vs_t_attr zero_addr[] = { VS_T_RIP(0), VS_T_END };
	static const struct vs_t_attr no_addr[] = {
		{ VSCHED_DEST_A_WEIGHT, 4, 1 }, VS_T_END
	};
	struct vs_dest_req req;

	KUNIT_ASSERT_EQ(test, vs_t_dest(test, defaults, &req), 0);
	KUNIT_EXPECT_EQ(test, req.port, htons(80));	/* the service's */
	KUNIT_EXPECT_NULL(test, req.conf.weight);
	KUNIT_EXPECT_NULL(test, req.conf.fwd);
	KUNIT_EXPECT_NULL(test, req.conf.health);
	KUNIT_ASSERT_EQ(test, vs_t_dest(test, max_weight, &req), 0);
	KUNIT_ASSERT_NOT_NULL(test, req.conf.weight);
	KUNIT_EXPECT_EQ(test, *req.conf.weight, 65535U);
	KUNIT_EXPECT_EQ(test, req.port, htons(8080));
	KUNIT_EXPECT_LT(test, vs_t_dest(test, big_weight, &req), 0);
	KUNIT_EXPECT_LT(test, vs_t_dest(test, bad_fwd, &req), 0);
	KUNIT_EXPECT_EQ(test, vs_t_dest(test, zero_addr, &req), -EINVAL);
	KUNIT_EXPECT_EQ(test, vs_t_dest(test, no_addr, &req), -EINVAL);
}

static void vs_test_nl_dest_health(struct kunit *test)
{
	static const struct vs_t_attr health[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_HEALTH, 1, 1 },
		{ VSCHED_DEST_A_HEALTH_PCT, 4, 75 },
		{ VSCHED_DEST_A_HEALTH_CAP, 4, VSCHED_HEALTH_CAP_NONE },
		{ VSCHED_DEST_A_FLAGS, 4, VSCHED_DEST_F_SORRY }, VS_T_END
	};
	static const struct vs_t_attr bad_health[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_HEALTH, 1, 2 }, VS_T_END
	};
	static const struct vs_t_attr bad_pct[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_HEALTH_PCT, 4, 101 },
		VS_T_END
	};
	static const struct vs_t_attr bad_cap[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_HEALTH_CAP, 4, 65536 },
		VS_T_END
	};
	static const struct vs_t_attr bad_flag[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_FLAGS, 4, 2 }, VS_T_END
	};
	static const struct vs_t_attr drain[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_DRAIN, 4, 30 }, VS_T_END
	};
	static const struct vs_t_attr long_drain[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_DRAIN, 4, 86401 },
		VS_T_END
	};
	static const struct vs_t_attr state_in[] = {
		VS_T_RIP(0xc612020b), { VSCHED_DEST_A_STATE, 1, 0 }, VS_T_END
	};
	struct vs_dest_req req;

	KUNIT_ASSERT_EQ(test, vs_t_dest(test, health, &req), 0);
	KUNIT_ASSERT_NOT_NULL(test, req.conf.health);
	KUNIT_EXPECT_EQ(test, *req.conf.health, (u8)VSCHED_HEALTH_DOWN);
	KUNIT_EXPECT_EQ(test, *req.conf.health_pct, 75U);
	KUNIT_EXPECT_EQ(test, *req.conf.health_cap, VSCHED_HEALTH_CAP_NONE);
	KUNIT_EXPECT_EQ(test, *req.conf.dflags, (u32)VSCHED_DEST_F_SORRY);
	KUNIT_EXPECT_LT(test, vs_t_dest(test, bad_health, &req), 0);
	KUNIT_EXPECT_LT(test, vs_t_dest(test, bad_pct, &req), 0);
	KUNIT_EXPECT_EQ(test, vs_t_dest(test, bad_cap, &req), -ERANGE);
	KUNIT_EXPECT_LT(test, vs_t_dest(test, bad_flag, &req), 0);
	KUNIT_EXPECT_LT(test, vs_t_dest(test, state_in, &req), 0);
	/* Draining is for servers that exist: DEST_SET, not DEST_NEW. */
	KUNIT_EXPECT_EQ(test, vs_t_dest(test, drain, &req), -EINVAL);
	KUNIT_ASSERT_EQ(test, vs_t_dest_op(test, drain, false, &req), 0);
	KUNIT_EXPECT_EQ(test, *req.conf.drain, 30U);
	KUNIT_EXPECT_LT(test, vs_t_dest_op(test, long_drain, false, &req), 0);
}

/* Top-level attributes of a request, validated as genetlink does. */
static int vs_t_top_u32(struct kunit *test, int type, u32 val,
			struct nlattr **tb, struct netlink_ext_ack *extack)
{
	struct {
		struct nlattr hdr;
		u32 val;
	} a = { .hdr = { .nla_len = nla_attr_size(4), .nla_type = type },
		.val = val };
	int err;

	err = nla_parse(tb, VSCHED_A_MAX, &a.hdr, sizeof(a), vs_policy,
			extack);
	if (err)
		KUNIT_EXPECT_NOT_NULL_MSG(test, extack->_msg,
					  "rejection without a message");
	/* tb points into @a: only whether it was set is of use. */
	return err;
}

static void vs_test_nl_dump_flags(struct kunit *test)
{
	struct nlattr *tb[VSCHED_A_MAX + 1];
	struct netlink_ext_ack extack = {};

	KUNIT_EXPECT_EQ(test, vs_t_top_u32(test, VSCHED_A_DUMP_FLAGS,
					   VSCHED_DUMP_F_NO_STATS, tb, &extack),
			0);
	KUNIT_EXPECT_NOT_NULL(test, tb[VSCHED_A_DUMP_FLAGS]);
	/* Commands other than DEST_GET refuse it, with a message. */
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, vs_no_dump_flags(tb, &extack), -EINVAL);
	KUNIT_EXPECT_NOT_NULL(test, extack._msg);
	tb[VSCHED_A_DUMP_FLAGS] = NULL;
	KUNIT_EXPECT_EQ(test, vs_no_dump_flags(tb, &extack), 0);
	KUNIT_EXPECT_EQ(test, vs_t_top_u32(test, VSCHED_A_DUMP_FLAGS, 0, tb,
					   &extack), 0);
	/* Unknown bits are refused, with a message. */
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, vs_t_top_u32(test, VSCHED_A_DUMP_FLAGS,
					   __VSCHED_DUMP_F_ALL + 1, tb,
					   &extack), -EINVAL);
	memset(&extack, 0, sizeof(extack));
	KUNIT_EXPECT_EQ(test, vs_t_top_u32(test, VSCHED_A_DUMP_FLAGS,
					   1U << 31, tb, &extack), -EINVAL);
}

/* The server nest that vs_fill_dest() wrote, parsed into @tb. */
static void vs_t_fill_dest(struct kunit *test, struct vs_dest *dest,
			   bool stats, struct sk_buff **skbp,
			   struct nlattr **tb)
{
	struct sk_buff *skb = alloc_skb(NLMSG_GOODSIZE, GFP_KERNEL);
	struct nlattr *nest;

	KUNIT_ASSERT_NOT_NULL(test, skb);
	*skbp = skb;
	KUNIT_ASSERT_EQ(test, vs_fill_dest(skb, dest, stats), 0);
	nest = (struct nlattr *)skb->data;
	KUNIT_ASSERT_EQ(test, nla_type(nest), VSCHED_A_DEST);
	KUNIT_ASSERT_EQ(test, nla_parse_nested_deprecated(tb, VSCHED_DEST_A_MAX,
							  nest, NULL, NULL),
			0);
}

static void vs_test_nl_fill_dest_stats(struct kunit *test)
{
	struct nlattr *tb[VSCHED_DEST_A_MAX + 1];
	struct vs_dest *dest;
	struct sk_buff *skb;

	dest = kunit_kzalloc(test, sizeof(*dest), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, dest);
	dest->stats = vs_stats_alloc();
	KUNIT_ASSERT_NOT_NULL(test, dest->stats);
	dest->addr.ip = cpu_to_be32(0xc612020b);
	dest->port = htons(80);
	dest->weight = 3;
	dest->health_cap = VSCHED_HEALTH_CAP_NONE;
	dest->state_since = jiffies;
	atomic_set(&dest->activeconns, 7);

	vs_t_fill_dest(test, dest, true, &skb, tb);
	KUNIT_EXPECT_NOT_NULL(test, tb[VSCHED_DEST_A_STATS]);
	KUNIT_EXPECT_NOT_NULL(test, tb[VSCHED_DEST_A_ACTIVE_CONNS]);
	kfree_skb(skb);

	/* VSCHED_DUMP_F_NO_STATS: everything but the counters. */
	vs_t_fill_dest(test, dest, false, &skb, tb);
	KUNIT_EXPECT_NULL(test, tb[VSCHED_DEST_A_STATS]);
	KUNIT_ASSERT_NOT_NULL(test, tb[VSCHED_DEST_A_ACTIVE_CONNS]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[VSCHED_DEST_A_ACTIVE_CONNS]), 7U);
	KUNIT_ASSERT_NOT_NULL(test, tb[VSCHED_DEST_A_WEIGHT]);
	KUNIT_EXPECT_EQ(test, nla_get_u32(tb[VSCHED_DEST_A_WEIGHT]), 3U);
	KUNIT_EXPECT_NOT_NULL(test, tb[VSCHED_DEST_A_INACT_CONNS]);
	KUNIT_EXPECT_NOT_NULL(test, tb[VSCHED_DEST_A_STATE]);
	kfree_skb(skb);
	free_percpu(dest->stats);
}

static struct kunit_case vs_netlink_cases[] = {
	KUNIT_CASE(vs_test_nl_svc_ok),
	KUNIT_CASE(vs_test_nl_svc_rejects),
	KUNIT_CASE(vs_test_nl_sched_flags),
	KUNIT_CASE(vs_test_nl_dest),
	KUNIT_CASE(vs_test_nl_dest_health),
	KUNIT_CASE(vs_test_nl_dump_flags),
	KUNIT_CASE(vs_test_nl_fill_dest_stats),
	{}
};

static struct kunit_suite vs_netlink_suite = {
	.name = "vsched-netlink",
	.test_cases = vs_netlink_cases,
};

kunit_test_suite(vs_netlink_suite);
