// SPDX-License-Identifier: GPL-2.0
/*
 * Per network namespace state, and the switch that registers the hooks in
 * a namespace only while it has something to balance.
 */

#include <linux/memcontrol.h>
#include <linux/netfilter.h>
#include <linux/sched/mm.h>
#include <net/netfilter/ipv4/nf_defrag_ipv4.h>

#include "conn.h"
#include "hooks.h"
#include "proc.h"
#include "service.h"

unsigned int vs_net_id __read_mostly;

/* Called with vn->lock held, when a service is added. */
int vs_hooks_get(struct vs_net *vn)
{
	int err;

	lockdep_assert_held(&vn->lock);
	if (vn->hooks_on)
		return 0;
	err = nf_defrag_ipv4_enable(vn->net);
	if (err)
		return err;
	err = nf_register_net_hooks(vn->net, vs_hook_ops, vs_hook_ops_count);
	if (err) {
		nf_defrag_ipv4_disable(vn->net);
		return err;
	}
	WRITE_ONCE(vn->hooks_on, true);
	queue_delayed_work(system_power_efficient_wq, &vn->gc_work, HZ);
	pr_debug("hooks registered\n");
	return 0;
}

static void vs_hooks_off(struct vs_net *vn)
{
	lockdep_assert_held(&vn->lock);
	if (!vn->hooks_on)
		return;
	nf_unregister_net_hooks(vn->net, vs_hook_ops, vs_hook_ops_count);
	nf_defrag_ipv4_disable(vn->net);
	WRITE_ONCE(vn->hooks_on, false);
	pr_debug("hooks unregistered\n");
}

/*
 * Unregister once nothing is left to balance: no service (so no new
 * entry can appear: deleting a service waits a grace period first) and
 * no entry whose flow is still alive.
 */
void vs_hooks_put_if_idle(struct vs_net *vn)
{
	lockdep_assert_held(&vn->lock);
	if (!vn->svc_count && !vs_conn_count(vn))
		vs_hooks_off(vn);
}

static void vs_config_defaults(struct vs_config *cfg)
{
	cfg->timeout[VSCHED_CS_NONE] = 300 * HZ;
	cfg->timeout[VSCHED_CS_SYN] = 60 * HZ;
	cfg->timeout[VSCHED_CS_ESTABLISHED] = 900 * HZ;
	cfg->timeout[VSCHED_CS_FIN_WAIT] = 120 * HZ;
	cfg->timeout[VSCHED_CS_TIME_WAIT] = 120 * HZ;
	cfg->timeout[VSCHED_CS_CLOSE] = 10 * HZ;
	cfg->udp_timeout = 300 * HZ;
	cfg->conn_max = min_t(u32, 1U << 20, READ_ONCE(vs_conn_max_ceiling));
}

/*
 * Called with vn->lock held, in the task that adds a service. The first
 * one of a namespace other than the host's names the memory cgroup its
 * connection entries are charged to: with allow_userns, the container's
 * root configures its own namespace, and its memory.max then caps the
 * table as it caps the rest of the container's kernel memory (services
 * and real servers are charged to the caller already, GFP_KERNEL_ACCOUNT).
 * Not at namespace creation: a namespace that exists when the module is
 * loaded would be charged to whoever ran insmod.
 */
void vs_net_memcg_set(struct vs_net *vn)
{
	lockdep_assert_held(&vn->lock);
	if (vn->memcg || net_eq(vn->net, &init_net))
		return;
	WRITE_ONCE(vn->memcg, get_mem_cgroup_from_mm(current->mm));
}

static int __net_init vs_net_init(struct net *net)
{
	struct vs_net *vn = vs_net(net);
	int err;

	vn->net = net;
	mutex_init(&vn->lock);
	vs_config_defaults(&vn->cfg);
	vn->stats = alloc_percpu(struct vs_net_stats);
	if (!vn->stats)
		return -ENOMEM;
	err = vs_service_net_init(vn);
	if (err)
		goto err_stats;
	err = vs_conn_net_init(vn);
	if (err)
		goto err_service;
	err = vs_proc_net_init(vn);
	if (err)
		goto err_conn;
	pr_debug("netns created\n");
	return 0;

err_conn:
	vs_conn_net_exit(vn);
err_service:
	vs_service_net_exit(vn);
err_stats:
	free_percpu(vn->stats);
	return err;
}

/*
 * Teardown, for a namespace going away and for every namespace at module
 * unload, runs in the reverse order of setup, and the packet path goes
 * first: nf_unregister_net_hooks() waits for the hooks running on every
 * CPU (synchronize_net()) and drops the packets queued to userspace
 * (NFQUEUE) that would re-enter them, so once vs_hooks_off() returns no
 * packet can reach a table of this namespace. The GC work goes next (it
 * walks the tables, sends resets and re-arms itself while the hooks are
 * on), then each table after the last thing that reads it: the
 * connection entries, which hold their real servers, then the services,
 * then the counters. Nothing may move above vs_hooks_off(): a packet that
 * meets a destroyed table reads freed memory (a locally generated RST
 * passing LOCAL_OUT did, during rmmod under traffic). Configuration
 * cannot come back meanwhile: at unload the netlink family is gone
 * before this runs, and a dying namespace has no socket left to send
 * from. The proc files go before the tables they show: their removal
 * waits for the reads in progress.
 */
static void __net_exit vs_net_exit(struct net *net)
{
	struct vs_net *vn = vs_net(net);

	mutex_lock(&vn->lock);
	vs_hooks_off(vn);
	mutex_unlock(&vn->lock);
	cancel_delayed_work_sync(&vn->gc_work);
	vs_proc_net_exit(vn);
	vs_conn_net_exit(vn);
	vs_service_net_exit(vn);
	/* Entries freed later uncharge through their own objcg reference. */
	mem_cgroup_put(vn->memcg);
	free_percpu(vn->stats);
	pr_debug("netns destroyed\n");
}

static struct pernet_operations vs_net_ops = {
	.init = vs_net_init,
	.exit = vs_net_exit,
	.id   = &vs_net_id,
	.size = sizeof(struct vs_net),
};

int vs_netns_init(void)
{
	return register_pernet_subsys(&vs_net_ops);
}

void vs_netns_exit(void)
{
	unregister_pernet_subsys(&vs_net_ops);
}
