// SPDX-License-Identifier: GPL-2.0
/*
 * The namespace-wide commands of the "vsched" family: the connection
 * dump, INFO_GET, CONFIG_GET and CONFIG_SET. netlink.c has the policies,
 * the service and real-server commands and the family itself.
 */

#include <linux/vsched.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "conn.h"
#include "netlink_int.h"
#include "service.h"

/*
 * The connection dump is a best-effort walk of a table that changes
 * under load all the time: entries created or expired during the dump
 * may or may not appear, and a resize may repeat some. It is never
 * marked interrupted.
 */
int vs_conn_dump_start(struct netlink_callback *cb)
{
	struct vs_net *vn = vs_net(sock_net(cb->skb->sk));
	struct rhashtable_iter *iter;
	int err;

	err = vs_check_perm(cb->skb, cb->extack);
	if (err)
		return err;
	iter = kmalloc(sizeof(*iter), GFP_KERNEL);
	if (!iter)
		return -ENOMEM;
	rhltable_walk_enter(&vn->conn_table, iter);
	cb->args[0] = (long)iter;
	return 0;
}

int vs_conn_dump_done(struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[0];

	if (iter) {
		rhashtable_walk_exit(iter);
		kfree(iter);
	}
	return 0;
}

static int vs_fill_conn(struct sk_buff *skb, const struct vs_conn *cp)
{
	long left = (long)(READ_ONCE(cp->expires) - jiffies);
	struct nlattr *nest;

	nest = nla_nest_start(skb, VSCHED_A_CONN);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, VSCHED_CONN_A_AF, cp->key.af) ||
	    nla_put_u8(skb, VSCHED_CONN_A_PROTOCOL, cp->key.protocol) ||
	    nla_put_in_addr(skb, VSCHED_CONN_A_CADDR4, cp->key.caddr) ||
	    nla_put_u16(skb, VSCHED_CONN_A_CPORT, ntohs(cp->key.cport)) ||
	    nla_put_in_addr(skb, VSCHED_CONN_A_VADDR4, cp->vaddr) ||
	    nla_put_u16(skb, VSCHED_CONN_A_VPORT, ntohs(cp->vport)) ||
	    nla_put_in_addr(skb, VSCHED_CONN_A_DADDR4, cp->daddr) ||
	    nla_put_u16(skb, VSCHED_CONN_A_DPORT, ntohs(cp->dport)) ||
	    nla_put_u8(skb, VSCHED_CONN_A_STATE, READ_ONCE(cp->state)) ||
	    nla_put_u32(skb, VSCHED_CONN_A_EXPIRES,
			left > 0 ? jiffies_to_msecs(left) : 0) ||
	    nla_put_u8(skb, VSCHED_CONN_A_FWD_METHOD, cp->dest->fwd)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

int vs_conn_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct rhashtable_iter *iter = (void *)cb->args[0];
	struct vs_conn *cp;
	void *hdr;
	int err;

	err = vs_no_dump_flags(vs_dump_attrs(cb), cb->extack);
	if (err)
		return err;
	rhashtable_walk_start(iter);
	/* peek: an entry that did not fit last time is sent first. */
	for (cp = rhashtable_walk_peek(iter); cp;
	     cp = rhashtable_walk_next(iter)) {
		if (IS_ERR(cp)) {
			if (PTR_ERR(cp) == -EAGAIN)
				continue;
			break;
		}
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vs_family, NLM_F_MULTI,
				  VSCHED_CMD_CONN_GET);
		if (!hdr)
			break;
		if (vs_fill_conn(skb, cp)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
	}
	rhashtable_walk_stop(iter);
	return skb->len;
}

static int vs_fill_info(struct sk_buff *skb, struct vs_net *vn)
{
	u64 no_dest = 0, no_conn = 0, limit = 0, races = 0;
	struct nlattr *nest;
	int cpu;

	for_each_possible_cpu(cpu) {
		const struct vs_net_stats *s = per_cpu_ptr(vn->stats, cpu);

		no_dest += READ_ONCE(s->drop_no_dest);
		no_conn += READ_ONCE(s->drop_no_conn);
		limit += READ_ONCE(s->drop_conn_limit) +
			 READ_ONCE(s->drop_nomem);
		races += READ_ONCE(s->conn_races);
	}
	nest = nla_nest_start(skb, VSCHED_A_INFO);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_string(skb, VSCHED_INFO_A_VERSION, VSCHED_VERSION) ||
	    nla_put_u32(skb, VSCHED_INFO_A_CONN_COUNT, vs_conn_count(vn)) ||
	    nla_put_u32(skb, VSCHED_INFO_A_CONN_MAX, READ_ONCE(vn->cfg.conn_max)) ||
	    nla_put_u32(skb, VSCHED_INFO_A_SVC_COUNT, vn->svc_count) ||
	    nla_put_u32(skb, VSCHED_INFO_A_TABLE_BUCKETS, vs_conn_buckets(vn)) ||
	    nla_put_u64_64bit(skb, VSCHED_INFO_A_DROP_NO_DEST, no_dest,
			      VSCHED_INFO_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_INFO_A_DROP_NO_CONN, no_conn,
			      VSCHED_INFO_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_INFO_A_DROP_CONN_LIMIT, limit,
			      VSCHED_INFO_A_PAD) ||
	    nla_put_u64_64bit(skb, VSCHED_INFO_A_CONN_RACES, races,
			      VSCHED_INFO_A_PAD)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vs_fill_config(struct sk_buff *skb, struct vs_net *vn)
{
	const struct vs_config *cfg = &vn->cfg;
	struct nlattr *nest;

	nest = nla_nest_start(skb, VSCHED_A_CONFIG);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u32(skb, VSCHED_CONFIG_A_TCP_SYN,
			cfg->timeout[VSCHED_CS_SYN] / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_TCP_EST,
			cfg->timeout[VSCHED_CS_ESTABLISHED] / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_TCP_FIN,
			cfg->timeout[VSCHED_CS_FIN_WAIT] / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_TCP_TIME_WAIT,
			cfg->timeout[VSCHED_CS_TIME_WAIT] / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_TCP_CLOSE,
			cfg->timeout[VSCHED_CS_CLOSE] / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_UDP, cfg->udp_timeout / HZ) ||
	    nla_put_u32(skb, VSCHED_CONFIG_A_CONN_MAX, cfg->conn_max)) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

static int vs_reply_with(struct genl_info *info, u8 cmd,
			 int (*fill)(struct sk_buff *, struct vs_net *))
{
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct sk_buff *msg;
	void *hdr;
	int err;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &vs_family, 0, cmd);
	if (!hdr) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	mutex_lock(&vn->lock);
	err = fill(msg, vn);
	mutex_unlock(&vn->lock);
	if (err) {
		nlmsg_free(msg);
		return err;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int vs_info_get(struct sk_buff *skb, struct genl_info *info)
{
	return vs_reply_with(info, VSCHED_CMD_INFO_GET, vs_fill_info);
}

int vs_config_get(struct sk_buff *skb, struct genl_info *info)
{
	return vs_reply_with(info, VSCHED_CMD_CONFIG_GET, vs_fill_config);
}

static const struct {
	int attr;
	int state;	/* -1: UDP */
} vs_timeout_attrs[] = {
	{ VSCHED_CONFIG_A_TCP_SYN,	  VSCHED_CS_SYN },
	{ VSCHED_CONFIG_A_TCP_EST,	  VSCHED_CS_ESTABLISHED },
	{ VSCHED_CONFIG_A_TCP_FIN,	  VSCHED_CS_FIN_WAIT },
	{ VSCHED_CONFIG_A_TCP_TIME_WAIT, VSCHED_CS_TIME_WAIT },
	{ VSCHED_CONFIG_A_TCP_CLOSE,	  VSCHED_CS_CLOSE },
	{ VSCHED_CONFIG_A_UDP,		  -1 },
};

/* All or nothing: everything is checked before anything is applied. */
int vs_config_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_CONFIG_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	unsigned int i;
	int err;

	/* GENL_REQ_ATTR_CHECK() names the attribute but sets no message. */
	if (GENL_REQ_ATTR_CHECK(info, VSCHED_A_CONFIG)) {
		NL_SET_ERR_MSG_MOD(info->extack,
				   "missing configuration (VSCHED_A_CONFIG)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, VSCHED_CONFIG_A_MAX,
			       info->attrs[VSCHED_A_CONFIG], vs_config_policy,
			       info->extack);
	if (err)
		return err;
	if (tb[VSCHED_CONFIG_A_CONN_MAX] &&
	    nla_get_u32(tb[VSCHED_CONFIG_A_CONN_MAX]) >
	    READ_ONCE(vs_conn_max_ceiling)) {
		NL_SET_ERR_MSG_ATTR(info->extack, tb[VSCHED_CONFIG_A_CONN_MAX],
				    "above the host's ceiling (module parameter conn_max_ceiling)");
		return -ERANGE;
	}
	mutex_lock(&vn->lock);
	for (i = 0; i < ARRAY_SIZE(vs_timeout_attrs); i++) {
		struct nlattr *a = tb[vs_timeout_attrs[i].attr];
		unsigned long t;

		if (!a)
			continue;
		t = (unsigned long)nla_get_u32(a) * HZ;
		if (vs_timeout_attrs[i].state < 0)
			WRITE_ONCE(vn->cfg.udp_timeout, t);
		else
			WRITE_ONCE(vn->cfg.timeout[vs_timeout_attrs[i].state],
				   t);
	}
	if (tb[VSCHED_CONFIG_A_CONN_MAX])
		WRITE_ONCE(vn->cfg.conn_max,
			   nla_get_u32(tb[VSCHED_CONFIG_A_CONN_MAX]));
	mutex_unlock(&vn->lock);
	return 0;
}
