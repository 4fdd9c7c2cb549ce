/* SPDX-License-Identifier: GPL-2.0 */
/* Netfilter hooks: where packets enter vsched. */
#ifndef _VS_HOOKS_H
#define _VS_HOOKS_H

#include <linux/netfilter.h>

extern const struct nf_hook_ops vs_hook_ops[];
extern const unsigned int vs_hook_ops_count;

#endif /* _VS_HOOKS_H */
