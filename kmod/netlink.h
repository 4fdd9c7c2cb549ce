/* SPDX-License-Identifier: GPL-2.0 */
/* The "vsched" generic netlink family (uapi/linux/vsched.h). */
#ifndef _VS_NETLINK_H
#define _VS_NETLINK_H

int vs_genl_init(void);
void vs_genl_exit(void);

struct vs_dest;
/* Tell the event group about a change the kernel made on its own. */
void vs_notify_dest(struct vs_dest *dest, u8 cmd);

#endif /* _VS_NETLINK_H */
