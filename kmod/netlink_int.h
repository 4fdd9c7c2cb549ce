/* SPDX-License-Identifier: GPL-2.0 */
/* Shared by netlink.c and netlink_ns.c only: the family's internals. */
#ifndef _VS_NETLINK_INT_H
#define _VS_NETLINK_INT_H

#include <net/genetlink.h>
#include <linux/vsched.h>

extern struct genl_family vs_family;
extern const struct nla_policy vs_config_policy[VSCHED_CONFIG_A_MAX + 1];

/* CAP_NET_ADMIN in the initial user namespace unless allow_userns. */
int vs_check_perm(const struct sk_buff *skb, struct netlink_ext_ack *extack);
/* -EINVAL unless the request is without VSCHED_A_DUMP_FLAGS. */
int vs_no_dump_flags(struct nlattr **attrs, struct netlink_ext_ack *extack);

int vs_conn_dump_start(struct netlink_callback *cb);
int vs_conn_dump(struct sk_buff *skb, struct netlink_callback *cb);
int vs_conn_dump_done(struct netlink_callback *cb);
int vs_info_get(struct sk_buff *skb, struct genl_info *info);
int vs_config_get(struct sk_buff *skb, struct genl_info *info);
int vs_config_set(struct sk_buff *skb, struct genl_info *info);

#endif /* _VS_NETLINK_INT_H */
