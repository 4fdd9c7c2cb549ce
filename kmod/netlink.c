// SPDX-License-Identifier: GPL-2.0
/*
 * The "vsched" generic netlink family: policies, lookup helpers, fill
 * functions, handlers, then the ops table and the family. The ABI is
 * specified in uapi/linux/vsched.h.
 */

#include <linux/capability.h>
#include <linux/inetdevice.h>
#include <linux/vsched.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "conn.h"
#include "netlink.h"
#include "netlink_int.h"
#include "sched.h"
#include "service.h"

/* Longest timeout that fits an int of jiffies at HZ=1000. */
#define VS_TIMEOUT_MAX	(INT_MAX / 1000)

enum { VS_MCGRP_EVENTS };

/* Policy min/max are s16: wider bounds need a range struct. */
static struct netlink_range_validation vs_warmup_range = {
	.max = VSCHED_WARMUP_MAX,
};

static const struct nla_policy vs_svc_policy[VSCHED_SVC_A_MAX + 1] = {
	[VSCHED_SVC_A_AF]	  = { .type = NLA_U16 },
	[VSCHED_SVC_A_PROTOCOL]	  = { .type = NLA_U8 },
	[VSCHED_SVC_A_ADDR4]	  = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VSCHED_SVC_A_ADDR6]	  = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VSCHED_SVC_A_PORT]	  = NLA_POLICY_MIN(NLA_U16, 1),
	[VSCHED_SVC_A_SCHED_NAME] = { .type = NLA_NUL_STRING,
				      .len = VSCHED_SCHED_NAME_MAX - 1 },
	[VSCHED_SVC_A_FLAGS]	  = NLA_POLICY_MASK(NLA_U32, __VSCHED_SVC_F_ALL),
	[VSCHED_SVC_A_NUM_DESTS]  = { .type = NLA_REJECT },
	[VSCHED_SVC_A_STATS]	  = { .type = NLA_REJECT },
	[VSCHED_SVC_A_PAD]	  = { .type = NLA_REJECT },
	[VSCHED_SVC_A_WARMUP]	  = NLA_POLICY_FULL_RANGE(NLA_U32, &vs_warmup_range),
	/* Bits checked by vs_parse_sched_flags(), for its own message. */
	[VSCHED_SVC_A_SCHED_FLAGS] = { .type = NLA_U32 },
};

static struct netlink_range_validation vs_weight_range = {
	.max = VSCHED_WEIGHT_MAX,
};

static struct netlink_range_validation vs_drain_range = {
	.max = VSCHED_DRAIN_MAX,
};

static const struct nla_policy vs_dest_policy[VSCHED_DEST_A_MAX + 1] = {
	[VSCHED_DEST_A_ADDR4]	     = NLA_POLICY_EXACT_LEN(sizeof(struct in_addr)),
	[VSCHED_DEST_A_ADDR6]	     = NLA_POLICY_EXACT_LEN(sizeof(struct in6_addr)),
	[VSCHED_DEST_A_PORT]	     = NLA_POLICY_MIN(NLA_U16, 1),
	[VSCHED_DEST_A_WEIGHT]	     = NLA_POLICY_FULL_RANGE(NLA_U32, &vs_weight_range),
	[VSCHED_DEST_A_FWD_METHOD]   = NLA_POLICY_MAX(NLA_U8, VSCHED_FWD_MAX),
	[VSCHED_DEST_A_ACTIVE_CONNS] = { .type = NLA_REJECT },
	[VSCHED_DEST_A_INACT_CONNS]  = { .type = NLA_REJECT },
	[VSCHED_DEST_A_STATS]	     = { .type = NLA_REJECT },
	[VSCHED_DEST_A_PAD]	     = { .type = NLA_REJECT },
	[VSCHED_DEST_A_FLAGS]	     = NLA_POLICY_MASK(NLA_U32, __VSCHED_DEST_F_ALL),
	[VSCHED_DEST_A_HEALTH]	     = NLA_POLICY_MAX(NLA_U8, VSCHED_HEALTH_MAX),
	[VSCHED_DEST_A_HEALTH_REASON] = { .type = NLA_NUL_STRING,
					  .len = VSCHED_REASON_MAX - 1 },
	[VSCHED_DEST_A_HEALTH_PCT]   = NLA_POLICY_MAX(NLA_U32, 100),
	/*
	 * Range checked in vs_parse_dest(): with a validation function here,
	 * the policy that netlink_ack() reports for a rejected attribute
	 * reads the function pointer as min/max and WARNs in
	 * nla_get_range_unsigned() (found by tests/tools/vs-nlfuzz).
	 */
	[VSCHED_DEST_A_HEALTH_CAP]   = { .type = NLA_U32 },
	[VSCHED_DEST_A_DRAIN]	     = NLA_POLICY_FULL_RANGE(NLA_U32, &vs_drain_range),
	[VSCHED_DEST_A_STATE]	     = { .type = NLA_REJECT },
	[VSCHED_DEST_A_STATE_AGE]    = { .type = NLA_REJECT },
	[VSCHED_DEST_A_EFF_WEIGHT]   = { .type = NLA_REJECT },
	[VSCHED_DEST_A_DRAIN_LEFT]   = { .type = NLA_REJECT },
};

static struct netlink_range_validation vs_timeout_range = {
	.min = 1,
	.max = VS_TIMEOUT_MAX,
};

const struct nla_policy vs_config_policy[VSCHED_CONFIG_A_MAX + 1] = {
	[VSCHED_CONFIG_A_TCP_SYN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_TCP_EST]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_TCP_FIN]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_TCP_TIME_WAIT]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_TCP_CLOSE]	= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_UDP]		= NLA_POLICY_FULL_RANGE(NLA_U32, &vs_timeout_range),
	[VSCHED_CONFIG_A_CONN_MAX]	= NLA_POLICY_MIN(NLA_U32, 1),
};

static const struct nla_policy vs_policy[VSCHED_A_MAX + 1] = {
	[VSCHED_A_SVC]	  = NLA_POLICY_NESTED(vs_svc_policy),
	[VSCHED_A_DEST]	  = NLA_POLICY_NESTED(vs_dest_policy),
	[VSCHED_A_CONN]	  = { .type = NLA_REJECT },
	[VSCHED_A_INFO]	  = { .type = NLA_REJECT },
	[VSCHED_A_CONFIG] = NLA_POLICY_NESTED(vs_config_policy),
	[VSCHED_A_DUMP_FLAGS] = NLA_POLICY_MASK(NLA_U32, __VSCHED_DUMP_F_ALL),
};

/* Lookup helpers */

int vs_check_perm(const struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	/* genetlink already checked CAP_NET_ADMIN over the netns. */
	if (vs_allow_userns || netlink_capable(skb, CAP_NET_ADMIN))
		return 0;
	NL_SET_ERR_MSG_MOD(extack,
			   "needs CAP_NET_ADMIN in the initial user namespace (module parameter allow_userns is off)");
	return -EPERM;
}

/*
 * VSCHED_A_DUMP_FLAGS is DEST_GET's: another command refuses it rather
 * than ignore what the caller asked for. Dumps check in their dumpit, not
 * in start: 6.1 gives start no extack to carry the message.
 */
int vs_no_dump_flags(struct nlattr **attrs, struct netlink_ext_ack *extack)
{
	if (!attrs[VSCHED_A_DUMP_FLAGS])
		return 0;
	NL_SET_ERR_MSG_ATTR(extack, attrs[VSCHED_A_DUMP_FLAGS],
			    "VSCHED_A_DUMP_FLAGS is for DEST_GET dumps only");
	return -EINVAL;
}

static bool vs_unicast4(__be32 addr)
{
	return !ipv4_is_zeronet(addr) && !ipv4_is_multicast(addr) &&
	       !ipv4_is_lbcast(addr);
}

static int vs_parse_svc_key(struct nlattr *attr, struct nlattr **tb,
			    struct vs_svc_key *key,
			    struct netlink_ext_ack *extack)
{
	u8 proto;
	int err;

	if (!attr) {
		NL_SET_ERR_MSG_MOD(extack, "missing service (VSCHED_A_SVC)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, VSCHED_SVC_A_MAX, attr, vs_svc_policy,
			       extack);
	if (err)
		return err;
	if (!tb[VSCHED_SVC_A_AF] || !tb[VSCHED_SVC_A_PROTOCOL] ||
	    !tb[VSCHED_SVC_A_PORT]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "service needs address family, protocol, address and port");
		return -EINVAL;
	}
	if (nla_get_u16(tb[VSCHED_SVC_A_AF]) != AF_INET) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_SVC_A_AF],
				    "only AF_INET services are supported");
		return -EAFNOSUPPORT;
	}
	if (!tb[VSCHED_SVC_A_ADDR4] || tb[VSCHED_SVC_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "an AF_INET service needs VSCHED_SVC_A_ADDR4 only");
		return -EINVAL;
	}
	proto = nla_get_u8(tb[VSCHED_SVC_A_PROTOCOL]);
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_SVC_A_PROTOCOL],
				    "protocol must be TCP or UDP");
		return -EPROTONOSUPPORT;
	}
	memset(key, 0, sizeof(*key));
	key->af = AF_INET;
	key->protocol = proto;
	key->addr.ip = nla_get_in_addr(tb[VSCHED_SVC_A_ADDR4]);
	key->port = htons(nla_get_u16(tb[VSCHED_SVC_A_PORT]));
	if (!vs_unicast4(key->addr.ip)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_SVC_A_ADDR4],
				    "virtual address must be unicast");
		return -EINVAL;
	}
	return 0;
}

/*
 * VSCHED_SVC_A_SCHED_FLAGS, if present, into *@flags: 1, 0 if absent. A
 * check here rather than NLA_POLICY_MASK for a message that names it; not
 * NLA_POLICY_VALIDATE_FN, which a policy dump of a u32 would WARN about
 * (nla_get_range_unsigned() reads the function pointer as min and max).
 */
static int vs_parse_sched_flags(struct nlattr **tb, u32 *flags,
				struct netlink_ext_ack *extack)
{
	struct nlattr *attr = tb[VSCHED_SVC_A_SCHED_FLAGS];

	if (!attr)
		return 0;
	*flags = nla_get_u32(attr);
	if (*flags & ~__VSCHED_SCHED_F_ALL) {
		NL_SET_ERR_MSG_ATTR(extack, attr, "unknown scheduler flag");
		return -EINVAL;
	}
	return 1;
}

/* Under vn->lock. */
static struct vs_service *vs_svc_from_attrs(struct vs_net *vn,
					    struct nlattr **attrs,
					    struct nlattr **tb,
					    struct netlink_ext_ack *extack)
{
	struct vs_service *svc;
	struct vs_svc_key key;
	int err;

	err = vs_parse_svc_key(attrs[VSCHED_A_SVC], tb, &key, extack);
	if (err)
		return ERR_PTR(err);
	svc = vs_svc_find(vn, &key);
	if (!svc) {
		NL_SET_ERR_MSG_ATTR(extack, attrs[VSCHED_A_SVC],
				    "no such service");
		return ERR_PTR(-ENOENT);
	}
	return svc;
}

/* A parsed VSCHED_A_DEST; conf points into the values below. */
struct vs_dest_req {
	union vs_addr addr;
	__be16 port;
	struct vs_dest_conf conf;
	u32 weight, dflags, health_pct, health_cap, drain;
	u8 fwd, health;
};

/* Optional u32: NULL when absent, else @store holding the value. */
static const u32 *vs_opt_u32(const struct nlattr *attr, u32 *store)
{
	if (!attr)
		return NULL;
	*store = nla_get_u32(attr);
	return store;
}

static int vs_parse_dest(struct nlattr *attr, const struct vs_service *svc,
			 bool new, struct vs_dest_req *req,
			 struct netlink_ext_ack *extack)
{
	struct nlattr *tb[VSCHED_DEST_A_MAX + 1];
	int err;

	if (!attr) {
		NL_SET_ERR_MSG_MOD(extack, "missing real server (VSCHED_A_DEST)");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, VSCHED_DEST_A_MAX, attr, vs_dest_policy,
			       extack);
	if (err)
		return err;
	if (!tb[VSCHED_DEST_A_ADDR4] || tb[VSCHED_DEST_A_ADDR6]) {
		NL_SET_ERR_MSG_ATTR(extack, attr,
				    "a real server of an AF_INET service needs VSCHED_DEST_A_ADDR4 only");
		return -EINVAL;
	}
	memset(req, 0, sizeof(*req));
	req->conf.health_cap = vs_opt_u32(tb[VSCHED_DEST_A_HEALTH_CAP],
					  &req->health_cap);
	if (req->conf.health_cap && req->health_cap > VSCHED_WEIGHT_MAX &&
	    req->health_cap != VSCHED_HEALTH_CAP_NONE) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_DEST_A_HEALTH_CAP],
				    "health weight cap must be 0..65535 or VSCHED_HEALTH_CAP_NONE");
		return -ERANGE;
	}
	req->addr.ip = nla_get_in_addr(tb[VSCHED_DEST_A_ADDR4]);
	if (!vs_unicast4(req->addr.ip)) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_DEST_A_ADDR4],
				    "real server address must be unicast");
		return -EINVAL;
	}
	req->port = tb[VSCHED_DEST_A_PORT] ?
		    htons(nla_get_u16(tb[VSCHED_DEST_A_PORT])) : svc->key.port;
	req->conf.weight = vs_opt_u32(tb[VSCHED_DEST_A_WEIGHT], &req->weight);
	req->conf.dflags = vs_opt_u32(tb[VSCHED_DEST_A_FLAGS], &req->dflags);
	req->conf.health_pct = vs_opt_u32(tb[VSCHED_DEST_A_HEALTH_PCT],
					  &req->health_pct);
	req->conf.drain = vs_opt_u32(tb[VSCHED_DEST_A_DRAIN], &req->drain);
	if (tb[VSCHED_DEST_A_FWD_METHOD]) {
		req->fwd = nla_get_u8(tb[VSCHED_DEST_A_FWD_METHOD]);
		req->conf.fwd = &req->fwd;
	}
	if (tb[VSCHED_DEST_A_HEALTH]) {
		req->health = nla_get_u8(tb[VSCHED_DEST_A_HEALTH]);
		req->conf.health = &req->health;
	}
	if (tb[VSCHED_DEST_A_HEALTH_REASON])
		req->conf.reason = nla_data(tb[VSCHED_DEST_A_HEALTH_REASON]);
	if (new && req->conf.drain) {
		NL_SET_ERR_MSG_ATTR(extack, tb[VSCHED_DEST_A_DRAIN],
				    "a new real server cannot drain: set DRAIN with DEST_SET");
		return -EINVAL;
	}
	return 0;
}

/* Fill functions */

static int vs_fill_svc(struct sk_buff *skb, struct vs_service *svc, bool full)
{
	const struct vs_svc_key *key = &svc->key;
	const struct vs_sched_data *sched;
	struct nlattr *nest;

	nest = nla_nest_start(skb, VSCHED_A_SVC);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_u16(skb, VSCHED_SVC_A_AF, key->af) ||
	    nla_put_u8(skb, VSCHED_SVC_A_PROTOCOL, key->protocol) ||
	    nla_put_in_addr(skb, VSCHED_SVC_A_ADDR4, key->addr.ip) ||
	    nla_put_u16(skb, VSCHED_SVC_A_PORT, ntohs(key->port)))
		goto cancel;
	if (full) {
		sched = rcu_dereference_protected(svc->sched,
						  lockdep_is_held(&svc->vn->lock));
		if (nla_put_string(skb, VSCHED_SVC_A_SCHED_NAME,
				   sched->ops->name) ||
		    nla_put_u32(skb, VSCHED_SVC_A_FLAGS, svc->flags) ||
		    nla_put_u32(skb, VSCHED_SVC_A_WARMUP, svc->warmup) ||
		    nla_put_u32(skb, VSCHED_SVC_A_SCHED_FLAGS,
				svc->sched_flags) ||
		    nla_put_u32(skb, VSCHED_SVC_A_NUM_DESTS, svc->num_dests) ||
		    vs_stats_fill(skb, VSCHED_SVC_A_STATS, svc->stats))
			goto cancel;
	}
	nla_nest_end(skb, nest);
	return 0;
cancel:
	nla_nest_cancel(skb, nest);
	return -EMSGSIZE;
}

/* @stats: with the counters (VSCHED_DEST_A_STATS), summed over CPUs. */
static int vs_fill_dest(struct sk_buff *skb, struct vs_dest *dest, bool stats)
{
	unsigned long now = jiffies;
	struct nlattr *nest;

	nest = nla_nest_start(skb, VSCHED_A_DEST);
	if (!nest)
		return -EMSGSIZE;
	if (nla_put_in_addr(skb, VSCHED_DEST_A_ADDR4, dest->addr.ip) ||
	    nla_put_u16(skb, VSCHED_DEST_A_PORT, ntohs(dest->port)) ||
	    nla_put_u32(skb, VSCHED_DEST_A_WEIGHT, dest->weight) ||
	    nla_put_u8(skb, VSCHED_DEST_A_FWD_METHOD, dest->fwd) ||
	    nla_put_u32(skb, VSCHED_DEST_A_FLAGS, dest->dflags) ||
	    nla_put_u8(skb, VSCHED_DEST_A_HEALTH, dest->health) ||
	    nla_put_string(skb, VSCHED_DEST_A_HEALTH_REASON, dest->reason) ||
	    nla_put_u32(skb, VSCHED_DEST_A_HEALTH_PCT, dest->health_pct) ||
	    nla_put_u32(skb, VSCHED_DEST_A_HEALTH_CAP, dest->health_cap) ||
	    nla_put_u8(skb, VSCHED_DEST_A_STATE, vs_dest_state(dest)) ||
	    nla_put_u64_64bit(skb, VSCHED_DEST_A_STATE_AGE,
			      jiffies64_to_msecs(now - dest->state_since),
			      VSCHED_DEST_A_PAD) ||
	    nla_put_u32(skb, VSCHED_DEST_A_EFF_WEIGHT, dest->eff_weight) ||
	    (test_bit(VS_DEST_F_DRAINING, &dest->flags) &&
	     nla_put_u32(skb, VSCHED_DEST_A_DRAIN_LEFT,
			 time_after(dest->drain_end, now) ?
			 jiffies_to_msecs(dest->drain_end - now) : 0)) ||
	    nla_put_u32(skb, VSCHED_DEST_A_ACTIVE_CONNS,
			atomic_read(&dest->activeconns)) ||
	    nla_put_u32(skb, VSCHED_DEST_A_INACT_CONNS,
			atomic_read(&dest->inactconns)) ||
	    (stats && vs_stats_fill(skb, VSCHED_DEST_A_STATS, dest->stats))) {
		nla_nest_cancel(skb, nest);
		return -EMSGSIZE;
	}
	nla_nest_end(skb, nest);
	return 0;
}

/* A message for one service, or one of its servers when @dest is set. */
static struct sk_buff *vs_build(struct vs_service *svc, struct vs_dest *dest,
				u8 cmd, u32 portid, u32 seq)
{
	struct sk_buff *skb;
	void *hdr;

	skb = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!skb)
		return NULL;
	hdr = genlmsg_put(skb, portid, seq, &vs_family, 0, cmd);
	if (!hdr)
		goto err;
	if (vs_fill_svc(skb, svc, !dest) || (dest && vs_fill_dest(skb, dest, true)))
		goto err;
	genlmsg_end(skb, hdr);
	return skb;
err:
	nlmsg_free(skb);
	return NULL;
}

/* Tell the event group about a change; best effort, like rtnetlink. */
static void vs_notify(struct vs_service *svc, struct vs_dest *dest, u8 cmd)
{
	struct net *net = svc->vn->net;
	struct sk_buff *skb;

	if (!genl_has_listeners(&vs_family, net, VS_MCGRP_EVENTS))
		return;
	skb = vs_build(svc, dest, cmd, 0, 0);
	if (skb)
		genlmsg_multicast_netns(&vs_family, net, skb, 0,
					VS_MCGRP_EVENTS, GFP_KERNEL);
}

void vs_notify_dest(struct vs_dest *dest, u8 cmd)
{
	vs_notify(dest->svc, dest, cmd);
}

/* Handlers */

static int vs_svc_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	struct vs_svc_key key;
	u32 flags = 0, warmup = 0, sched_flags = 0;
	int err;

	err = vs_parse_svc_key(info->attrs[VSCHED_A_SVC], tb, &key,
			       info->extack);
	if (err)
		return err;
	err = vs_parse_sched_flags(tb, &sched_flags, info->extack);
	if (err < 0)
		return err;
	if (tb[VSCHED_SVC_A_FLAGS])
		flags = nla_get_u32(tb[VSCHED_SVC_A_FLAGS]);
	if (tb[VSCHED_SVC_A_WARMUP])
		warmup = nla_get_u32(tb[VSCHED_SVC_A_WARMUP]);
	mutex_lock(&vn->lock);
	err = vs_svc_add(vn, &key, tb[VSCHED_SVC_A_SCHED_NAME] ?
			 nla_data(tb[VSCHED_SVC_A_SCHED_NAME]) : NULL,
			 flags, warmup, sched_flags, info->extack, &svc);
	if (!err)
		vs_notify(svc, NULL, VSCHED_CMD_SVC_NEW);
	mutex_unlock(&vn->lock);
	return err;
}

static int vs_svc_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	u32 flags, warmup, sched_flags;
	int err;

	mutex_lock(&vn->lock);
	svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = vs_parse_sched_flags(tb, &sched_flags, info->extack);
	if (err < 0)
		goto out;
	if (tb[VSCHED_SVC_A_FLAGS])
		flags = nla_get_u32(tb[VSCHED_SVC_A_FLAGS]);
	if (tb[VSCHED_SVC_A_WARMUP])
		warmup = nla_get_u32(tb[VSCHED_SVC_A_WARMUP]);
	err = vs_svc_edit(svc, tb[VSCHED_SVC_A_SCHED_NAME] ?
			  nla_data(tb[VSCHED_SVC_A_SCHED_NAME]) : NULL,
			  tb[VSCHED_SVC_A_FLAGS] ? &flags : NULL,
			  tb[VSCHED_SVC_A_WARMUP] ? &warmup : NULL,
			  err ? &sched_flags : NULL, info->extack);
	if (!err)
		vs_notify(svc, NULL, VSCHED_CMD_SVC_SET);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vs_svc_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	int err = 0;

	mutex_lock(&vn->lock);
	svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	vs_notify(svc, NULL, VSCHED_CMD_SVC_DEL);
	vs_svc_del(svc);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vs_svc_get(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	struct sk_buff *msg;

	mutex_lock(&vn->lock);
	svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
	if (IS_ERR(svc)) {
		mutex_unlock(&vn->lock);
		return PTR_ERR(svc);
	}
	msg = vs_build(svc, NULL, VSCHED_CMD_SVC_GET, info->snd_portid,
		       info->snd_seq);
	mutex_unlock(&vn->lock);
	if (!msg)
		return -ENOMEM;
	return genlmsg_reply(msg, info);
}

static int vs_dump_start(struct netlink_callback *cb)
{
	return vs_check_perm(cb->skb, cb->extack);
}

/* Services in id order; cb->args[0] is the next id to send. */
static int vs_svc_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct vs_net *vn = vs_net(sock_net(skb->sk));
	struct vs_service *svc;
	unsigned long id;
	void *hdr;
	int err;

	err = vs_no_dump_flags(vs_dump_attrs(cb), cb->extack);
	if (err)
		return err;
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	xa_for_each_start(&vn->svc_ids, id, svc, cb->args[0]) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vs_family, NLM_F_MULTI,
				  VSCHED_CMD_SVC_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (vs_fill_svc(skb, svc, true)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = id + 1;
	}
	mutex_unlock(&vn->lock);
	return skb->len;
}

static int vs_dest_new(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_dest_req req;
	struct vs_service *svc;
	struct vs_dest *dest;
	int err;

	mutex_lock(&vn->lock);
	svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
	if (IS_ERR(svc)) {
		err = PTR_ERR(svc);
		goto out;
	}
	err = vs_parse_dest(info->attrs[VSCHED_A_DEST], svc, true, &req,
			    info->extack);
	if (err)
		goto out;
	err = vs_dest_add(svc, &req.addr, req.port, &req.conf, info->extack,
			  &dest);
	if (!err)
		vs_notify(svc, dest, VSCHED_CMD_DEST_NEW);
out:
	mutex_unlock(&vn->lock);
	return err;
}

/* Under vn->lock: the service and server named in the request. */
static struct vs_dest *vs_dest_from_attrs(struct vs_net *vn,
					  struct genl_info *info,
					  struct vs_dest_req *req)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_service *svc;
	struct vs_dest *dest;
	int err;

	svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
	if (IS_ERR(svc))
		return ERR_CAST(svc);
	err = vs_parse_dest(info->attrs[VSCHED_A_DEST], svc, false, req,
			    info->extack);
	if (err)
		return ERR_PTR(err);
	dest = vs_dest_find(svc, &req->addr, req->port);
	if (!dest) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[VSCHED_A_DEST],
				    "no such real server in this service");
		return ERR_PTR(-ENOENT);
	}
	return dest;
}

static int vs_dest_set(struct sk_buff *skb, struct genl_info *info)
{
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_dest_req req;
	struct vs_dest *dest;
	int err;

	mutex_lock(&vn->lock);
	dest = vs_dest_from_attrs(vn, info, &req);
	if (IS_ERR(dest)) {
		err = PTR_ERR(dest);
		goto out;
	}
	err = vs_dest_edit(dest, &req.conf, info->extack);
	if (!err)
		vs_notify(dest->svc, dest, VSCHED_CMD_DEST_SET);
out:
	mutex_unlock(&vn->lock);
	return err;
}

static int vs_dest_del_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_dest_req req;
	struct vs_dest *dest;
	int err = 0;

	mutex_lock(&vn->lock);
	dest = vs_dest_from_attrs(vn, info, &req);
	if (IS_ERR(dest)) {
		err = PTR_ERR(dest);
		goto out;
	}
	vs_notify(dest->svc, dest, VSCHED_CMD_DEST_DEL);
	vs_dest_del(dest);
out:
	mutex_unlock(&vn->lock);
	return err;
}

/*
 * The servers of @svc in list order, from the cb->args[0]th on; stops
 * with -EMSGSIZE when @skb is full, cb->args[0] counting those sent.
 */
static int vs_dest_dump_svc(struct sk_buff *skb, struct netlink_callback *cb,
			    struct vs_service *svc, bool stats)
{
	struct vs_dest *dest;
	long idx = 0;
	void *hdr;

	list_for_each_entry(dest, &svc->dests, list) {
		if (idx++ < cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &vs_family, NLM_F_MULTI,
				  VSCHED_CMD_DEST_GET);
		if (!hdr)
			return -EMSGSIZE;
		genl_dump_check_consistent(cb, hdr);
		if (vs_fill_svc(skb, svc, false) ||
		    vs_fill_dest(skb, dest, stats)) {
			genlmsg_cancel(skb, hdr);
			return -EMSGSIZE;
		}
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	return 0;
}

/*
 * The servers of the service the request names or, when it names none,
 * of every service in id order: one request lists a whole table (a dump
 * per service cost vsadm -Ln a round trip per service). cb->args[1] is
 * the id of the service being sent.
 */
static int vs_dest_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(sock_net(skb->sk));
	struct nlattr **attrs = vs_dump_attrs(cb);
	struct vs_service *svc;
	unsigned long id;
	bool stats = true;
	int err = 0;

	if (attrs[VSCHED_A_DUMP_FLAGS] &&
	    (nla_get_u32(attrs[VSCHED_A_DUMP_FLAGS]) & VSCHED_DUMP_F_NO_STATS))
		stats = false;
	mutex_lock(&vn->lock);
	cb->seq = vn->gen;
	if (attrs[VSCHED_A_SVC]) {
		svc = vs_svc_from_attrs(vn, attrs, tb, cb->extack);
		if (IS_ERR(svc))
			err = PTR_ERR(svc);
		else
			vs_dest_dump_svc(skb, cb, svc, stats);
		goto out;
	}
	xa_for_each_start(&vn->svc_ids, id, svc, cb->args[1]) {
		if (id != cb->args[1]) {
			cb->args[1] = id;
			cb->args[0] = 0;
		}
		if (vs_dest_dump_svc(skb, cb, svc, stats))
			break;
	}
out:
	mutex_unlock(&vn->lock);
	return err ?: skb->len;
}

static int vs_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	unsigned long id;

	mutex_lock(&vn->lock);
	xa_for_each(&vn->svc_ids, id, svc)
		vs_notify(svc, NULL, VSCHED_CMD_SVC_DEL);
	vs_svc_flush(vn);
	mutex_unlock(&vn->lock);
	return 0;
}

static void vs_zero_svc(struct vs_service *svc)
{
	struct vs_dest *dest;

	vs_stats_zero(svc->stats);
	list_for_each_entry(dest, &svc->dests, list)
		vs_stats_zero(dest->stats);
}

static int vs_zero(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *tb[VSCHED_SVC_A_MAX + 1];
	struct vs_net *vn = vs_net(genl_info_net(info));
	struct vs_service *svc;
	unsigned long id;
	int err = 0;

	mutex_lock(&vn->lock);
	if (info->attrs[VSCHED_A_SVC]) {
		svc = vs_svc_from_attrs(vn, info->attrs, tb, info->extack);
		if (IS_ERR(svc))
			err = PTR_ERR(svc);
		else
			vs_zero_svc(svc);
	} else {
		xa_for_each(&vn->svc_ids, id, svc)
			vs_zero_svc(svc);
	}
	mutex_unlock(&vn->lock);
	return err;
}

static int vs_pre_doit(const struct vs_genl_pre_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	return vs_check_perm(skb, info->extack) ?:
	       vs_no_dump_flags(info->attrs, info->extack);
}

/* Every command needs CAP_NET_ADMIN over the netns, and vs_check_perm(). */
static const struct genl_ops vs_ops[] = {
	{
		.cmd	= VSCHED_CMD_SVC_NEW,
		.doit	= vs_svc_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_SVC_SET,
		.doit	= vs_svc_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_SVC_DEL,
		.doit	= vs_svc_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_SVC_GET,
		.doit	= vs_svc_get,
		.start	= vs_dump_start,
		.dumpit	= vs_svc_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_DEST_NEW,
		.doit	= vs_dest_new,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_DEST_SET,
		.doit	= vs_dest_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_DEST_DEL,
		.doit	= vs_dest_del_doit,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_DEST_GET,
		.start	= vs_dump_start,
		.dumpit	= vs_dest_dump,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_FLUSH,
		.doit	= vs_flush,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_CONN_GET,
		.start	= vs_conn_dump_start,
		.dumpit	= vs_conn_dump,
		.done	= vs_conn_dump_done,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_INFO_GET,
		.doit	= vs_info_get,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_CONFIG_GET,
		.doit	= vs_config_get,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_CONFIG_SET,
		.doit	= vs_config_set,
		.flags	= GENL_UNS_ADMIN_PERM,
	}, {
		.cmd	= VSCHED_CMD_ZERO,
		.doit	= vs_zero,
		.flags	= GENL_UNS_ADMIN_PERM,
	},
};

static const struct genl_multicast_group vs_mcgrps[] = {
	[VS_MCGRP_EVENTS] = {
		.name = VSCHED_GENL_MCGRP_EVENTS,
#ifdef VS_HAVE_GENL_MCAST_CAP
		/* Events name client-facing services: not for everyone. */
		.flags = GENL_MCAST_CAP_NET_ADMIN,
#endif
	},
};

struct genl_family vs_family __ro_after_init = {
	.name		= VSCHED_GENL_NAME,
	.version	= VSCHED_GENL_VERSION,
	.maxattr	= VSCHED_A_MAX,
	.policy		= vs_policy,
	.netnsok	= true,
	.parallel_ops	= true,
	.pre_doit	= vs_pre_doit,
	.module		= THIS_MODULE,
	.ops		= vs_ops,
	.n_ops		= ARRAY_SIZE(vs_ops),
	.resv_start_op	= VSCHED_CMD_MAX + 1,
	.mcgrps		= vs_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(vs_mcgrps),
};

int __init vs_genl_init(void)
{
	return genl_register_family(&vs_family);
}

void vs_genl_exit(void)
{
	genl_unregister_family(&vs_family);
}

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "netlink_test.c"
#endif
