/* SPDX-License-Identifier: GPL-2.0 */
/* The "vsched" generic netlink family (uapi/linux/vsched.h). */
#ifndef _VS_NETLINK_H
#define _VS_NETLINK_H

int vs_genl_init(void);
void vs_genl_exit(void);

#endif /* _VS_NETLINK_H */
