// SPDX-License-Identifier: GPL-2.0
/* vsched: in-kernel L4 virtual-server load balancer. Module entry. */

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/vsched.h>
#include <net/genetlink.h>

#include "conn.h"
#include "netlink.h"
#include "netns.h"
#include "sched.h"
#include "sched_hash.h"

bool vs_allow_userns __read_mostly;
module_param_named(allow_userns, vs_allow_userns, bool, 0444);
MODULE_PARM_DESC(allow_userns,
		 "Let CAP_NET_ADMIN over a network namespace (container root) manage vsched in it (default: initial user namespace only)");

unsigned int vs_conn_max_ceiling __read_mostly = 1U << 22;
module_param_named(conn_max_ceiling, vs_conn_max_ceiling, uint, 0644);
MODULE_PARM_DESC(conn_max_ceiling,
		 "Host-wide ceiling for each namespace's connection limit");

unsigned int vs_svc_max __read_mostly = 1U << 16;
module_param_named(max_services, vs_svc_max, uint, 0644);
MODULE_PARM_DESC(max_services, "Maximum number of services per namespace");

static int __init vs_init(void)
{
	int ret;

	ret = vs_conn_init();
	if (ret)
		goto err_conn;
	ret = vs_sched_hash_init();
	if (ret)
		goto err_hash;
	ret = vs_sched_rr_init();
	if (ret)
		goto err_rr;
	ret = vs_sched_wrr_init();
	if (ret)
		goto err_wrr;
	ret = vs_sched_lc_init();
	if (ret)
		goto err_lc;
	ret = vs_netns_init();
	if (ret)
		goto err_netns;
	ret = vs_genl_init();
	if (ret)
		goto err_genl;
	pr_info("version " VSCHED_VERSION " loaded\n");
	return 0;

err_genl:
	vs_netns_exit();
err_netns:
	rcu_barrier();
	vs_sched_lc_exit();
err_lc:
	vs_sched_wrr_exit();
err_wrr:
	vs_sched_rr_exit();
err_rr:
	vs_sched_hash_exit();
err_hash:
	vs_conn_exit();
err_conn:
	return ret;
}

static void __exit vs_exit(void)
{
	vs_genl_exit();
	vs_netns_exit();
	/* Entries, servers and scheduler state are freed in RCU callbacks. */
	rcu_barrier();
	vs_sched_lc_exit();
	vs_sched_wrr_exit();
	vs_sched_rr_exit();
	vs_sched_hash_exit();
	vs_conn_exit();
	pr_debug("unloaded\n");
}

module_init(vs_init);
module_exit(vs_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("vsched: in-kernel L4 virtual-server load balancer");
MODULE_AUTHOR("The vsched developers");
MODULE_VERSION(VSCHED_VERSION);
MODULE_ALIAS_GENL_FAMILY(VSCHED_GENL_NAME);
