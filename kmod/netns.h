/* SPDX-License-Identifier: GPL-2.0 */
/* Per network namespace state of vsched. */
#ifndef _VS_NETNS_H
#define _VS_NETNS_H

#include <linux/mutex.h>
#include <linux/rhashtable.h>
#include <linux/xarray.h>
#include <linux/workqueue.h>
#include <linux/vsched.h>
#include <net/net_namespace.h>
#include <net/netns/generic.h>

#include "stats.h"

/*
 * Tunables, read locklessly on the packet path (READ_ONCE), written under
 * vs_net.lock. Timeouts are in jiffies.
 */
struct vs_config {
	unsigned long timeout[__VSCHED_CS_MAX];	/* TCP, by state */
	unsigned long udp_timeout;
	u32 conn_max;
};

/* Packets dropped or refused by a decision of ours, and races, per CPU. */
struct vs_net_stats {
	unsigned long drop_no_dest;	/* new flow, no server available */
	unsigned long drop_no_conn;	/* TCP non-SYN without an entry */
	unsigned long drop_conn_limit;	/* new flow over conn_max */
	unsigned long drop_nomem;	/* entry allocation failed */
	/* New flow whose entry another CPU created first (not a drop: the
	 * packet followed that entry).
	 */
	unsigned long conn_races;
};

struct vs_net {
	struct net *net;
	/* Serialises every configuration change of this namespace. */
	struct mutex lock;
	struct rhashtable svc_table;	/* by (af, protocol, addr, port) */
	struct xarray svc_ids;		/* by id: ordered, resumable dumps */
	u32 svc_next_id;
	unsigned int svc_count;
	unsigned int gen;		/* bumped on every change, for dumps */
	bool hooks_on;

	struct rhltable conn_table;	/* by client (addr, port, proto) */
	atomic_t conn_count;		/* entries in the table */
	/* Entries in memory: the table's and those unlinked but waiting
	 * for an RCU grace period before they are freed. conn_max bounds
	 * this one (vs_conn_reserve()).
	 */
	atomic_t conn_held;
	struct delayed_work gc_work;
	unsigned int sweeps;		/* GC sweeps completed */
	/* Real servers warming up or draining, ticked by the GC work. */
	struct list_head timed_dests;
	/* Services whose last rebuild failed, retried by the GC work. */
	struct list_head stale_svcs;

	struct vs_config cfg;
	struct vs_net_stats __percpu *stats;
	/* Connection entries of a namespace other than the host's are
	 * charged to the memory cgroup of whoever added its first service
	 * (the container), so that its memory.max caps them; NULL: not
	 * charged (the host's own namespace, or memcg off).
	 */
	struct mem_cgroup *memcg;
};

extern unsigned int vs_net_id;
extern bool vs_allow_userns;
extern unsigned int vs_conn_max_ceiling;
extern unsigned int vs_svc_max;

static inline struct vs_net *vs_net(const struct net *net)
{
	return net_generic(net, vs_net_id);
}

int vs_hooks_get(struct vs_net *vn);
void vs_net_memcg_set(struct vs_net *vn);
void vs_hooks_put_if_idle(struct vs_net *vn);

int vs_netns_init(void);
void vs_netns_exit(void);

#endif /* _VS_NETNS_H */
