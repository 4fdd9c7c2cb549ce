/* SPDX-License-Identifier: GPL-2.0 */
/* /proc/net/vsched and /proc/net/vsched_conn, in the layout of IPVS's. */
#ifndef _VS_PROC_H
#define _VS_PROC_H

#include "netns.h"

int vs_proc_net_init(struct vs_net *vn);
void vs_proc_net_exit(struct vs_net *vn);

#endif /* _VS_PROC_H */
