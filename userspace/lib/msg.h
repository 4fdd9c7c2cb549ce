/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Building vsched requests and parsing replies, without a socket: the
 * unit tests call these directly on buffers.
 */
#ifndef VS_MSG_H
#define VS_MSG_H

#include <stddef.h>
#include <netlink/msg.h>

#include "libvsched.h"

/*
 * A complete request for @cmd of family @family: the service key (and,
 * for NEW/SET, the optional attributes marked in svc->has), the real
 * server (key only for DEL), the configuration (CONFIG_SET). Arguments a
 * command does not take are ignored; NULL when one it needs is missing.
 */
struct nl_msg *vs_req_build(int family, uint8_t cmd, const struct vs_svc *svc,
			    const struct vs_dest *dest,
			    const struct vs_config *cfg);

/*
 * A DEST_GET dump of every service's servers; @dump_flags
 * (VSCHED_DUMP_F_*) as VSCHED_A_DUMP_FLAGS when not 0. NULL without memory.
 */
struct nl_msg *vs_req_dest_dump(int family, uint32_t dump_flags);

/* Replies: each parses the nest named in its name out of a whole
 * generic netlink message; -EINVAL if it is missing or malformed.
 */
int vs_parse_svc_msg(struct nl_msg *msg, struct vs_svc *svc);
int vs_parse_dest_msg(struct nl_msg *msg, struct vs_svc *svc,
		      struct vs_dest *dest);
int vs_parse_conn_msg(struct nl_msg *msg, struct vs_conn *conn);
int vs_parse_info_msg(struct nl_msg *msg, struct vs_info *info);
int vs_parse_config_msg(struct nl_msg *msg, struct vs_config *cfg);
int vs_parse_event_msg(struct nl_msg *msg, struct vs_event *ev);

/*
 * The error an NLMSG_ERROR or NLMSG_DONE message carries (0 for an ACK
 * or a clean end of dump) and its extended-ack text, copied into @buf
 * ("" when there is none).
 */
int vs_nlmsg_error(const struct nlmsghdr *nlh, char *buf, size_t len);

#endif /* VS_MSG_H */
