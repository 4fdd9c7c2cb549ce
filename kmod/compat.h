/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Compatibility between the kernel lines vsched builds for. Force-included
 * into every object; the feature macros come from compat-gen.h, which
 * gen-compat.sh writes from the headers of the target kernel.
 */
#ifndef _VS_COMPAT_H
#define _VS_COMPAT_H

#include <compat-gen.h>	/* in $(obj), see Kbuild */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#ifdef VS_HAVE_GENL_SPLIT_OPS
#define vs_genl_pre_ops genl_split_ops
#else
#define vs_genl_pre_ops genl_ops
#endif

/* Request attributes of a dump, parsed and validated by genetlink. */
#ifdef VS_HAVE_GENL_INFO_DUMP
#define vs_dump_attrs(cb) (genl_info_dump(cb)->attrs)
#else
#define vs_dump_attrs(cb) (genl_dumpit_info(cb)->attrs)
#endif

#endif /* _VS_COMPAT_H */
