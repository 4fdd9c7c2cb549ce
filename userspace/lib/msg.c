// SPDX-License-Identifier: GPL-2.0
/*
 * Request construction and reply parsing for the vsched family, as
 * specified in uapi/linux/vsched.h: addresses are exactly 4 bytes in
 * network order, ports u16 in host order, objects in nests.
 */

#include <errno.h>
#include <string.h>

#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "msg.h"

/* What a reply may carry; lengths are checked, unknown types ignored. */
static struct nla_policy vs_top_policy[VSCHED_A_MAX + 1] = {
	[VSCHED_A_SVC]		= { .type = NLA_NESTED },
	[VSCHED_A_DEST]		= { .type = NLA_NESTED },
	[VSCHED_A_CONN]		= { .type = NLA_NESTED },
	[VSCHED_A_INFO]		= { .type = NLA_NESTED },
	[VSCHED_A_CONFIG]	= { .type = NLA_NESTED },
};

#define VS_ADDR4	{ .type = NLA_UNSPEC, .minlen = 4, .maxlen = 4 }

static struct nla_policy vs_svc_policy[VSCHED_SVC_A_MAX + 1] = {
	[VSCHED_SVC_A_AF]		= { .type = NLA_U16 },
	[VSCHED_SVC_A_PROTOCOL]		= { .type = NLA_U8 },
	[VSCHED_SVC_A_ADDR4]		= VS_ADDR4,
	[VSCHED_SVC_A_ADDR6]		= { .minlen = 16, .maxlen = 16 },
	[VSCHED_SVC_A_PORT]		= { .type = NLA_U16 },
	[VSCHED_SVC_A_SCHED_NAME]	= { .type = NLA_STRING,
					    .maxlen = VSCHED_SCHED_NAME_MAX },
	[VSCHED_SVC_A_FLAGS]		= { .type = NLA_U32 },
	[VSCHED_SVC_A_NUM_DESTS]	= { .type = NLA_U32 },
	[VSCHED_SVC_A_STATS]		= { .type = NLA_NESTED },
	[VSCHED_SVC_A_WARMUP]		= { .type = NLA_U32 },
	[VSCHED_SVC_A_SCHED_FLAGS]	= { .type = NLA_U32 },
};

static struct nla_policy vs_dest_policy[VSCHED_DEST_A_MAX + 1] = {
	[VSCHED_DEST_A_ADDR4]		= VS_ADDR4,
	[VSCHED_DEST_A_ADDR6]		= { .minlen = 16, .maxlen = 16 },
	[VSCHED_DEST_A_PORT]		= { .type = NLA_U16 },
	[VSCHED_DEST_A_WEIGHT]		= { .type = NLA_U32 },
	[VSCHED_DEST_A_FWD_METHOD]	= { .type = NLA_U8 },
	[VSCHED_DEST_A_ACTIVE_CONNS]	= { .type = NLA_U32 },
	[VSCHED_DEST_A_INACT_CONNS]	= { .type = NLA_U32 },
	[VSCHED_DEST_A_STATS]		= { .type = NLA_NESTED },
	[VSCHED_DEST_A_FLAGS]		= { .type = NLA_U32 },
	[VSCHED_DEST_A_HEALTH]		= { .type = NLA_U8 },
	[VSCHED_DEST_A_HEALTH_REASON]	= { .type = NLA_STRING,
					    .maxlen = VSCHED_REASON_MAX },
	[VSCHED_DEST_A_HEALTH_PCT]	= { .type = NLA_U32 },
	[VSCHED_DEST_A_HEALTH_CAP]	= { .type = NLA_U32 },
	[VSCHED_DEST_A_DRAIN]		= { .type = NLA_U32 },
	[VSCHED_DEST_A_STATE]		= { .type = NLA_U8 },
	[VSCHED_DEST_A_STATE_AGE]	= { .type = NLA_U64 },
	[VSCHED_DEST_A_EFF_WEIGHT]	= { .type = NLA_U32 },
	[VSCHED_DEST_A_DRAIN_LEFT]	= { .type = NLA_U32 },
};

static struct nla_policy vs_stats_policy[VSCHED_STATS_A_MAX + 1] = {
	[VSCHED_STATS_A_CONNS]		= { .type = NLA_U64 },
	[VSCHED_STATS_A_INPKTS]		= { .type = NLA_U64 },
	[VSCHED_STATS_A_OUTPKTS]	= { .type = NLA_U64 },
	[VSCHED_STATS_A_INBYTES]	= { .type = NLA_U64 },
	[VSCHED_STATS_A_OUTBYTES]	= { .type = NLA_U64 },
};

static struct nla_policy vs_conn_policy[VSCHED_CONN_A_MAX + 1] = {
	[VSCHED_CONN_A_AF]		= { .type = NLA_U16 },
	[VSCHED_CONN_A_PROTOCOL]	= { .type = NLA_U8 },
	[VSCHED_CONN_A_CADDR4]		= VS_ADDR4,
	[VSCHED_CONN_A_CPORT]		= { .type = NLA_U16 },
	[VSCHED_CONN_A_VADDR4]		= VS_ADDR4,
	[VSCHED_CONN_A_VPORT]		= { .type = NLA_U16 },
	[VSCHED_CONN_A_DADDR4]		= VS_ADDR4,
	[VSCHED_CONN_A_DPORT]		= { .type = NLA_U16 },
	[VSCHED_CONN_A_STATE]		= { .type = NLA_U8 },
	[VSCHED_CONN_A_EXPIRES]		= { .type = NLA_U32 },
	[VSCHED_CONN_A_FWD_METHOD]	= { .type = NLA_U8 },
};

static struct nla_policy vs_info_policy[VSCHED_INFO_A_MAX + 1] = {
	[VSCHED_INFO_A_VERSION]		= { .type = NLA_STRING },
	[VSCHED_INFO_A_CONN_COUNT]	= { .type = NLA_U32 },
	[VSCHED_INFO_A_CONN_MAX]	= { .type = NLA_U32 },
	[VSCHED_INFO_A_SVC_COUNT]	= { .type = NLA_U32 },
	[VSCHED_INFO_A_TABLE_BUCKETS]	= { .type = NLA_U32 },
	[VSCHED_INFO_A_DROP_NO_DEST]	= { .type = NLA_U64 },
	[VSCHED_INFO_A_DROP_NO_CONN]	= { .type = NLA_U64 },
	[VSCHED_INFO_A_DROP_CONN_LIMIT]	= { .type = NLA_U64 },
	[VSCHED_INFO_A_CONN_RACES]	= { .type = NLA_U64 },
};

static struct nla_policy vs_config_policy[VSCHED_CONFIG_A_MAX + 1] = {
	[VSCHED_CONFIG_A_TCP_SYN]	= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_TCP_EST]	= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_TCP_FIN]	= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_TCP_TIME_WAIT]	= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_TCP_CLOSE]	= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_UDP]		= { .type = NLA_U32 },
	[VSCHED_CONFIG_A_CONN_MAX]	= { .type = NLA_U32 },
};

/* Requests */

static int vs_put_svc(struct nl_msg *msg, const struct vs_svc *svc,
		      bool full)
{
	struct nlattr *nest = nla_nest_start(msg, VSCHED_A_SVC);

	if (!nest ||
	    nla_put_u16(msg, VSCHED_SVC_A_AF, svc->af) ||
	    nla_put_u8(msg, VSCHED_SVC_A_PROTOCOL, svc->protocol) ||
	    nla_put(msg, VSCHED_SVC_A_ADDR4, sizeof(svc->addr), &svc->addr) ||
	    nla_put_u16(msg, VSCHED_SVC_A_PORT, svc->port))
		return -EMSGSIZE;
	if (full && (svc->has & VS_SVC_HAS_SCHED) &&
	    nla_put_string(msg, VSCHED_SVC_A_SCHED_NAME, svc->sched))
		return -EMSGSIZE;
	if (full && (svc->has & VS_SVC_HAS_FLAGS) &&
	    nla_put_u32(msg, VSCHED_SVC_A_FLAGS, svc->flags))
		return -EMSGSIZE;
	if (full && (svc->has & VS_SVC_HAS_WARMUP) &&
	    nla_put_u32(msg, VSCHED_SVC_A_WARMUP, svc->warmup))
		return -EMSGSIZE;
	if (full && (svc->has & VS_SVC_HAS_SCHED_FLAGS) &&
	    nla_put_u32(msg, VSCHED_SVC_A_SCHED_FLAGS, svc->sched_flags))
		return -EMSGSIZE;
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int vs_put_dest(struct nl_msg *msg, const struct vs_dest *dest,
		       bool full)
{
	struct nlattr *nest = nla_nest_start(msg, VSCHED_A_DEST);
	char reason[VSCHED_REASON_MAX];

	/* The kernel wants a NUL-terminated string shorter than the field:
	 * terminate a copy even if the caller filled the array.
	 */
	memcpy(reason, dest->reason, sizeof(reason) - 1);
	reason[sizeof(reason) - 1] = '\0';
	if (!nest ||
	    nla_put(msg, VSCHED_DEST_A_ADDR4, sizeof(dest->addr), &dest->addr))
		return -EMSGSIZE;
	if ((dest->has & VS_DEST_HAS_PORT) &&
	    nla_put_u16(msg, VSCHED_DEST_A_PORT, dest->port))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_WEIGHT) &&
	    nla_put_u32(msg, VSCHED_DEST_A_WEIGHT, dest->weight))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_FWD) &&
	    nla_put_u8(msg, VSCHED_DEST_A_FWD_METHOD, dest->fwd))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_FLAGS) &&
	    nla_put_u32(msg, VSCHED_DEST_A_FLAGS, dest->flags))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_HEALTH) &&
	    nla_put_u8(msg, VSCHED_DEST_A_HEALTH, dest->health))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_REASON) &&
	    nla_put_string(msg, VSCHED_DEST_A_HEALTH_REASON, reason))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_PCT) &&
	    nla_put_u32(msg, VSCHED_DEST_A_HEALTH_PCT, dest->health_pct))
		return -EMSGSIZE;
	if (full && (dest->has & VS_DEST_HAS_CAP) &&
	    nla_put_u32(msg, VSCHED_DEST_A_HEALTH_CAP, dest->health_cap))
		return -EMSGSIZE;
	/* Sent for NEW too: the kernel then refuses it with a message that
	 * says why, rather than the library dropping it silently.
	 */
	if (full && (dest->has & VS_DEST_HAS_DRAIN) &&
	    nla_put_u32(msg, VSCHED_DEST_A_DRAIN, dest->drain))
		return -EMSGSIZE;
	/* STATE, STATE_AGE, EFF_WEIGHT and DRAIN_LEFT are output only
	 * (NLA_REJECT in the kernel): never sent, whatever has says.
	 */
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

static int vs_put_config(struct nl_msg *msg, const struct vs_config *cfg)
{
	static const struct {
		int attr;
		size_t off;
	} fields[] = {
		{ VSCHED_CONFIG_A_TCP_SYN, offsetof(struct vs_config, tcp_syn) },
		{ VSCHED_CONFIG_A_TCP_EST, offsetof(struct vs_config, tcp_est) },
		{ VSCHED_CONFIG_A_TCP_FIN, offsetof(struct vs_config, tcp_fin) },
		{ VSCHED_CONFIG_A_TCP_TIME_WAIT,
		  offsetof(struct vs_config, tcp_time_wait) },
		{ VSCHED_CONFIG_A_TCP_CLOSE,
		  offsetof(struct vs_config, tcp_close) },
		{ VSCHED_CONFIG_A_UDP, offsetof(struct vs_config, udp) },
		{ VSCHED_CONFIG_A_CONN_MAX,
		  offsetof(struct vs_config, conn_max) },
	};
	struct nlattr *nest = nla_nest_start(msg, VSCHED_A_CONFIG);
	size_t i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint32_t v;

		memcpy(&v, (const char *)cfg + fields[i].off, sizeof(v));
		if (v && nla_put_u32(msg, fields[i].attr, v))
			return -EMSGSIZE;
	}
	return nla_nest_end(msg, nest) < 0 ? -EMSGSIZE : 0;
}

struct nl_msg *vs_req_build(int family, uint8_t cmd, const struct vs_svc *svc,
			    const struct vs_dest *dest,
			    const struct vs_config *cfg)
{
	bool want_svc = false, full_svc = false, want_dest = false;
	bool full_dest = false, want_cfg = false, dump = false;
	struct nl_msg *msg;
	int err = 0;

	switch (cmd) {
	case VSCHED_CMD_SVC_NEW:
	case VSCHED_CMD_SVC_SET:
		want_svc = full_svc = true;
		break;
	case VSCHED_CMD_SVC_DEL:
		want_svc = true;
		break;
	case VSCHED_CMD_SVC_GET:
		want_svc = svc;		/* no key: dump */
		dump = !svc;
		break;
	case VSCHED_CMD_DEST_NEW:
	case VSCHED_CMD_DEST_SET:
		want_svc = want_dest = full_dest = true;
		break;
	case VSCHED_CMD_DEST_DEL:
		want_svc = want_dest = true;
		break;
	case VSCHED_CMD_DEST_GET:
		want_svc = svc;		/* no key: every service's */
		dump = true;
		break;
	case VSCHED_CMD_CONN_GET:
		dump = true;
		break;
	case VSCHED_CMD_FLUSH:
	case VSCHED_CMD_INFO_GET:
	case VSCHED_CMD_CONFIG_GET:
		break;
	case VSCHED_CMD_CONFIG_SET:
		want_cfg = true;
		break;
	case VSCHED_CMD_ZERO:
		want_svc = svc;
		break;
	default:
		return NULL;
	}
	if ((want_svc && !svc) || (want_dest && !dest) || (want_cfg && !cfg))
		return NULL;

	/*
	 * A request is a few hundred bytes at most (two nests of integers,
	 * a scheduler name and a reason under 64 bytes each); nlmsg_alloc()
	 * would zero a whole page for each, 110,000 pages for a restore of
	 * 10,000 x 10. A longer message would fail to build, never be cut.
	 */
	msg = nlmsg_alloc_size(1024);
	if (!msg)
		return NULL;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
			 dump ? NLM_F_DUMP : NLM_F_ACK, cmd, VSCHED_GENL_VERSION))
		goto err;
	if (want_svc)
		err = vs_put_svc(msg, svc, full_svc);
	if (!err && want_dest)
		err = vs_put_dest(msg, dest, full_dest);
	if (!err && want_cfg)
		err = vs_put_config(msg, cfg);
	if (err)
		goto err;
	return msg;
err:
	nlmsg_free(msg);
	return NULL;
}

struct nl_msg *vs_req_dest_dump(int family, uint32_t dump_flags)
{
	struct nl_msg *msg = vs_req_build(family, VSCHED_CMD_DEST_GET, NULL,
					  NULL, NULL);

	if (msg && dump_flags &&
	    nla_put_u32(msg, VSCHED_A_DUMP_FLAGS, dump_flags)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

/* Replies */

static int vs_parse_top(struct nl_msg *msg, struct nlattr **tb)
{
	int err = genlmsg_parse(nlmsg_hdr(msg), 0, tb, VSCHED_A_MAX,
				vs_top_policy);

	return err ? -EINVAL : 0;
}

static int vs_parse_stats(struct nlattr *nest, struct vs_stats *st)
{
	struct nlattr *tb[VSCHED_STATS_A_MAX + 1];

	memset(st, 0, sizeof(*st));
	if (!nest)
		return 0;
	if (nla_parse_nested(tb, VSCHED_STATS_A_MAX, nest, vs_stats_policy))
		return -EINVAL;
	if (tb[VSCHED_STATS_A_CONNS])
		st->conns = nla_get_u64(tb[VSCHED_STATS_A_CONNS]);
	if (tb[VSCHED_STATS_A_INPKTS])
		st->inpkts = nla_get_u64(tb[VSCHED_STATS_A_INPKTS]);
	if (tb[VSCHED_STATS_A_OUTPKTS])
		st->outpkts = nla_get_u64(tb[VSCHED_STATS_A_OUTPKTS]);
	if (tb[VSCHED_STATS_A_INBYTES])
		st->inbytes = nla_get_u64(tb[VSCHED_STATS_A_INBYTES]);
	if (tb[VSCHED_STATS_A_OUTBYTES])
		st->outbytes = nla_get_u64(tb[VSCHED_STATS_A_OUTBYTES]);
	return 0;
}

static int vs_parse_svc(struct nlattr *nest, struct vs_svc *svc)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];

	memset(svc, 0, sizeof(*svc));
	if (!nest || nla_parse_nested(tb, VSCHED_SVC_A_MAX, nest,
				      vs_svc_policy))
		return -EINVAL;
	if (!tb[VSCHED_SVC_A_AF] || !tb[VSCHED_SVC_A_PROTOCOL] ||
	    !tb[VSCHED_SVC_A_ADDR4] || !tb[VSCHED_SVC_A_PORT])
		return -EINVAL;
	svc->af = nla_get_u16(tb[VSCHED_SVC_A_AF]);
	svc->protocol = nla_get_u8(tb[VSCHED_SVC_A_PROTOCOL]);
	memcpy(&svc->addr, nla_data(tb[VSCHED_SVC_A_ADDR4]), 4);
	svc->port = nla_get_u16(tb[VSCHED_SVC_A_PORT]);
	if (tb[VSCHED_SVC_A_SCHED_NAME]) {
		nla_strlcpy(svc->sched, tb[VSCHED_SVC_A_SCHED_NAME],
			    sizeof(svc->sched));
		svc->has |= VS_SVC_HAS_SCHED;
	}
	if (tb[VSCHED_SVC_A_FLAGS]) {
		svc->flags = nla_get_u32(tb[VSCHED_SVC_A_FLAGS]);
		svc->has |= VS_SVC_HAS_FLAGS;
	}
	if (tb[VSCHED_SVC_A_WARMUP]) {
		svc->warmup = nla_get_u32(tb[VSCHED_SVC_A_WARMUP]);
		svc->has |= VS_SVC_HAS_WARMUP;
	}
	if (tb[VSCHED_SVC_A_SCHED_FLAGS]) {
		svc->sched_flags = nla_get_u32(tb[VSCHED_SVC_A_SCHED_FLAGS]);
		svc->has |= VS_SVC_HAS_SCHED_FLAGS;
	}
	if (tb[VSCHED_SVC_A_NUM_DESTS])
		svc->num_dests = nla_get_u32(tb[VSCHED_SVC_A_NUM_DESTS]);
	return vs_parse_stats(tb[VSCHED_SVC_A_STATS], &svc->stats);
}

static int vs_parse_dest(struct nlattr *nest, struct vs_dest *dest)
{
	struct nlattr *tb[VSCHED_DEST_A_MAX + 1];

	memset(dest, 0, sizeof(*dest));
	if (!nest || nla_parse_nested(tb, VSCHED_DEST_A_MAX, nest,
				      vs_dest_policy))
		return -EINVAL;
	if (!tb[VSCHED_DEST_A_ADDR4])
		return -EINVAL;
	memcpy(&dest->addr, nla_data(tb[VSCHED_DEST_A_ADDR4]), 4);
	if (tb[VSCHED_DEST_A_PORT]) {
		dest->port = nla_get_u16(tb[VSCHED_DEST_A_PORT]);
		dest->has |= VS_DEST_HAS_PORT;
	}
	if (tb[VSCHED_DEST_A_WEIGHT]) {
		dest->weight = nla_get_u32(tb[VSCHED_DEST_A_WEIGHT]);
		dest->has |= VS_DEST_HAS_WEIGHT;
	}
	if (tb[VSCHED_DEST_A_FWD_METHOD]) {
		dest->fwd = nla_get_u8(tb[VSCHED_DEST_A_FWD_METHOD]);
		dest->has |= VS_DEST_HAS_FWD;
	}
	if (tb[VSCHED_DEST_A_FLAGS]) {
		dest->flags = nla_get_u32(tb[VSCHED_DEST_A_FLAGS]);
		dest->has |= VS_DEST_HAS_FLAGS;
	}
	if (tb[VSCHED_DEST_A_HEALTH]) {
		dest->health = nla_get_u8(tb[VSCHED_DEST_A_HEALTH]);
		dest->has |= VS_DEST_HAS_HEALTH;
	}
	if (tb[VSCHED_DEST_A_HEALTH_REASON]) {
		nla_strlcpy(dest->reason, tb[VSCHED_DEST_A_HEALTH_REASON],
			    sizeof(dest->reason));
		dest->has |= VS_DEST_HAS_REASON;
	}
	if (tb[VSCHED_DEST_A_HEALTH_PCT]) {
		dest->health_pct = nla_get_u32(tb[VSCHED_DEST_A_HEALTH_PCT]);
		dest->has |= VS_DEST_HAS_PCT;
	}
	if (tb[VSCHED_DEST_A_HEALTH_CAP]) {
		dest->health_cap = nla_get_u32(tb[VSCHED_DEST_A_HEALTH_CAP]);
		dest->has |= VS_DEST_HAS_CAP;
	}
	/* DRAIN is input only; a reply never carries it, so it is not read. */
	if (tb[VSCHED_DEST_A_STATE]) {
		dest->state = nla_get_u8(tb[VSCHED_DEST_A_STATE]);
		dest->has |= VS_DEST_HAS_STATE;
	}
	if (tb[VSCHED_DEST_A_STATE_AGE]) {
		dest->state_age_ms = nla_get_u64(tb[VSCHED_DEST_A_STATE_AGE]);
		dest->has |= VS_DEST_HAS_STATE_AGE;
	}
	if (tb[VSCHED_DEST_A_EFF_WEIGHT]) {
		dest->eff_weight = nla_get_u32(tb[VSCHED_DEST_A_EFF_WEIGHT]);
		dest->has |= VS_DEST_HAS_EFF_WEIGHT;
	}
	if (tb[VSCHED_DEST_A_DRAIN_LEFT]) {
		dest->drain_left_ms = nla_get_u32(tb[VSCHED_DEST_A_DRAIN_LEFT]);
		dest->has |= VS_DEST_HAS_DRAIN_LEFT;
	}
	if (tb[VSCHED_DEST_A_ACTIVE_CONNS])
		dest->active_conns = nla_get_u32(tb[VSCHED_DEST_A_ACTIVE_CONNS]);
	if (tb[VSCHED_DEST_A_INACT_CONNS])
		dest->inact_conns = nla_get_u32(tb[VSCHED_DEST_A_INACT_CONNS]);
	return vs_parse_stats(tb[VSCHED_DEST_A_STATS], &dest->stats);
}

int vs_parse_svc_msg(struct nl_msg *msg, struct vs_svc *svc)
{
	struct nlattr *tb[VSCHED_A_MAX + 1];

	if (vs_parse_top(msg, tb))
		return -EINVAL;
	return vs_parse_svc(tb[VSCHED_A_SVC], svc);
}

int vs_parse_dest_msg(struct nl_msg *msg, struct vs_svc *svc,
		      struct vs_dest *dest)
{
	struct nlattr *tb[VSCHED_A_MAX + 1];

	if (vs_parse_top(msg, tb) || vs_parse_svc(tb[VSCHED_A_SVC], svc))
		return -EINVAL;
	return vs_parse_dest(tb[VSCHED_A_DEST], dest);
}

int vs_parse_conn_msg(struct nl_msg *msg, struct vs_conn *c)
{
	struct nlattr *top[VSCHED_A_MAX + 1], *tb[VSCHED_CONN_A_MAX + 1];

	memset(c, 0, sizeof(*c));
	if (vs_parse_top(msg, top) || !top[VSCHED_A_CONN] ||
	    nla_parse_nested(tb, VSCHED_CONN_A_MAX, top[VSCHED_A_CONN],
			     vs_conn_policy))
		return -EINVAL;
	if (!tb[VSCHED_CONN_A_AF] || !tb[VSCHED_CONN_A_PROTOCOL] ||
	    !tb[VSCHED_CONN_A_CADDR4] || !tb[VSCHED_CONN_A_CPORT] ||
	    !tb[VSCHED_CONN_A_VADDR4] || !tb[VSCHED_CONN_A_VPORT] ||
	    !tb[VSCHED_CONN_A_DADDR4] || !tb[VSCHED_CONN_A_DPORT])
		return -EINVAL;
	c->af = nla_get_u16(tb[VSCHED_CONN_A_AF]);
	c->protocol = nla_get_u8(tb[VSCHED_CONN_A_PROTOCOL]);
	memcpy(&c->caddr, nla_data(tb[VSCHED_CONN_A_CADDR4]), 4);
	memcpy(&c->vaddr, nla_data(tb[VSCHED_CONN_A_VADDR4]), 4);
	memcpy(&c->daddr, nla_data(tb[VSCHED_CONN_A_DADDR4]), 4);
	c->cport = nla_get_u16(tb[VSCHED_CONN_A_CPORT]);
	c->vport = nla_get_u16(tb[VSCHED_CONN_A_VPORT]);
	c->dport = nla_get_u16(tb[VSCHED_CONN_A_DPORT]);
	if (tb[VSCHED_CONN_A_STATE])
		c->state = nla_get_u8(tb[VSCHED_CONN_A_STATE]);
	if (tb[VSCHED_CONN_A_EXPIRES])
		c->expires_ms = nla_get_u32(tb[VSCHED_CONN_A_EXPIRES]);
	if (tb[VSCHED_CONN_A_FWD_METHOD])
		c->fwd = nla_get_u8(tb[VSCHED_CONN_A_FWD_METHOD]);
	return 0;
}

static uint32_t vs_u32_or0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static uint64_t vs_u64_or0(struct nlattr *a)
{
	return a ? nla_get_u64(a) : 0;
}

int vs_parse_info_msg(struct nl_msg *msg, struct vs_info *info)
{
	struct nlattr *top[VSCHED_A_MAX + 1], *tb[VSCHED_INFO_A_MAX + 1];

	memset(info, 0, sizeof(*info));
	if (vs_parse_top(msg, top) || !top[VSCHED_A_INFO] ||
	    nla_parse_nested(tb, VSCHED_INFO_A_MAX, top[VSCHED_A_INFO],
			     vs_info_policy))
		return -EINVAL;
	if (tb[VSCHED_INFO_A_VERSION])
		nla_strlcpy(info->version, tb[VSCHED_INFO_A_VERSION],
			    sizeof(info->version));
	info->conn_count = vs_u32_or0(tb[VSCHED_INFO_A_CONN_COUNT]);
	info->conn_max = vs_u32_or0(tb[VSCHED_INFO_A_CONN_MAX]);
	info->svc_count = vs_u32_or0(tb[VSCHED_INFO_A_SVC_COUNT]);
	info->table_buckets = vs_u32_or0(tb[VSCHED_INFO_A_TABLE_BUCKETS]);
	info->drop_no_dest = vs_u64_or0(tb[VSCHED_INFO_A_DROP_NO_DEST]);
	info->drop_no_conn = vs_u64_or0(tb[VSCHED_INFO_A_DROP_NO_CONN]);
	info->drop_conn_limit = vs_u64_or0(tb[VSCHED_INFO_A_DROP_CONN_LIMIT]);
	info->conn_races = vs_u64_or0(tb[VSCHED_INFO_A_CONN_RACES]);
	return 0;
}

int vs_parse_config_msg(struct nl_msg *msg, struct vs_config *cfg)
{
	struct nlattr *top[VSCHED_A_MAX + 1], *tb[VSCHED_CONFIG_A_MAX + 1];

	memset(cfg, 0, sizeof(*cfg));
	if (vs_parse_top(msg, top) || !top[VSCHED_A_CONFIG] ||
	    nla_parse_nested(tb, VSCHED_CONFIG_A_MAX, top[VSCHED_A_CONFIG],
			     vs_config_policy))
		return -EINVAL;
	cfg->tcp_syn = vs_u32_or0(tb[VSCHED_CONFIG_A_TCP_SYN]);
	cfg->tcp_est = vs_u32_or0(tb[VSCHED_CONFIG_A_TCP_EST]);
	cfg->tcp_fin = vs_u32_or0(tb[VSCHED_CONFIG_A_TCP_FIN]);
	cfg->tcp_time_wait = vs_u32_or0(tb[VSCHED_CONFIG_A_TCP_TIME_WAIT]);
	cfg->tcp_close = vs_u32_or0(tb[VSCHED_CONFIG_A_TCP_CLOSE]);
	cfg->udp = vs_u32_or0(tb[VSCHED_CONFIG_A_UDP]);
	cfg->conn_max = vs_u32_or0(tb[VSCHED_CONFIG_A_CONN_MAX]);
	return 0;
}

int vs_parse_event_msg(struct nl_msg *msg, struct vs_event *ev)
{
	struct nlattr *tb[VSCHED_A_MAX + 1];
	struct genlmsghdr *ghdr = nlmsg_data(nlmsg_hdr(msg));

	memset(ev, 0, sizeof(*ev));
	if (vs_parse_top(msg, tb))
		return -EINVAL;
	ev->cmd = ghdr->cmd;
	switch (ev->cmd) {
	case VSCHED_CMD_SVC_NEW:
	case VSCHED_CMD_SVC_SET:
	case VSCHED_CMD_SVC_DEL:
		return vs_parse_svc(tb[VSCHED_A_SVC], &ev->svc);
	case VSCHED_CMD_DEST_NEW:
	case VSCHED_CMD_DEST_SET:
	case VSCHED_CMD_DEST_DEL:
		ev->has_dest = true;
		if (vs_parse_svc(tb[VSCHED_A_SVC], &ev->svc))
			return -EINVAL;
		return vs_parse_dest(tb[VSCHED_A_DEST], &ev->dest);
	default:
		return -EOPNOTSUPP;
	}
}

/* Errors */

int vs_nlmsg_error(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	const char *payload = NLMSG_DATA(nlh);
	const struct nlattr *attrs, *msg;
	size_t off, total;
	int err;

	if (len)
		buf[0] = '\0';
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EIO;
	total = nlh->nlmsg_len - NLMSG_HDRLEN;
	if (nlh->nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = (const void *)payload;

		if (total < sizeof(*e))
			return -EIO;
		err = e->error;
		off = sizeof(*e);
		/* Without NETLINK_CAP_ACK, the request follows. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED) &&
		    e->msg.nlmsg_len >= NLMSG_HDRLEN)
			off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	} else if (nlh->nlmsg_type == NLMSG_DONE) {
		if (total < sizeof(int))
			return 0;
		memcpy(&err, payload, sizeof(err));
		off = sizeof(int);
	} else {
		return 0;
	}
	off = NLMSG_ALIGN(off);
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off >= total)
		return err;
	attrs = (const void *)(payload + off);
	msg = nla_find((struct nlattr *)attrs, (int)(total - off),
		       NLMSGERR_ATTR_MSG);
	if (msg && len && nla_len(msg) > 0) {
		size_t n = (size_t)nla_len(msg);

		if (n >= len)
			n = len - 1;
		memcpy(buf, nla_data(msg), n);
		buf[n] = '\0';
		/* The attribute is NUL-terminated; trim a trailing newline
		 * or NUL the copy may have kept.
		 */
		n = strlen(buf);
		while (n && buf[n - 1] == '\n')
			buf[--n] = '\0';
	}
	return err;
}
