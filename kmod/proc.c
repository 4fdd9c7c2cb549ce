// SPDX-License-Identifier: GPL-2.0
/*
 * /proc/net/vsched and /proc/net/vsched_conn: the services and the
 * connection table in the layout of /proc/net/ip_vs and ip_vs_conn
 * (hexadecimal addresses and ports, the same columns), so that tools
 * written for IPVS, node_exporter's ipvs collector among them, can read
 * vsched by changing the file name. Per namespace; root of the namespace
 * only (0440), like every netlink read: they list client addresses.
 * Netlink (vsadm) remains the interface; these are read-only views.
 */

#include <linux/proc_fs.h>
#include <linux/seq_file.h>
#include <net/net_namespace.h>

#include "conn.h"
#include "proc.h"
#include "sched.h"
#include "service.h"

static const char *vs_fwd_name(u8 fwd)
{
	return fwd == VSCHED_FWD_MASQ ? "Masq" : "?";
}

static const char *vs_proto_name(u8 protocol)
{
	return protocol == IPPROTO_TCP ? "TCP" : "UDP";
}

/* Services: one record per service, its real servers with it. */

static void *vs_svc_seq_start(struct seq_file *seq, loff_t *pos)
{
	struct vs_net *vn = vs_net(seq_file_net(seq));
	unsigned long id = *pos ? *pos - 1 : 0;

	mutex_lock(&vn->lock);
	if (!*pos)
		return SEQ_START_TOKEN;
	return xa_find(&vn->svc_ids, &id, ULONG_MAX, XA_PRESENT);
}

static void *vs_svc_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct vs_net *vn = vs_net(seq_file_net(seq));
	unsigned long id = 0;
	struct vs_service *svc;

	if (v == SEQ_START_TOKEN) {
		svc = xa_find(&vn->svc_ids, &id, ULONG_MAX, XA_PRESENT);
	} else {
		id = ((struct vs_service *)v)->id;
		svc = xa_find_after(&vn->svc_ids, &id, ULONG_MAX, XA_PRESENT);
	}
	/* *pos is the next service's id + 1: a restart finds it again. */
	*pos = svc ? (loff_t)id + 1 : (loff_t)U32_MAX + 2;
	return svc;
}

static void vs_svc_seq_stop(struct seq_file *seq, void *v)
{
	mutex_unlock(&vs_net(seq_file_net(seq))->lock);
}

static int vs_svc_seq_show(struct seq_file *seq, void *v)
{
	struct vs_net *vn = vs_net(seq_file_net(seq));
	struct vs_service *svc = v;
	struct vs_sched_data *sd;
	struct vs_dest *dest;

	if (v == SEQ_START_TOKEN) {
		seq_printf(seq, "vsched version %s (size=%u)\n",
			   VSCHED_VERSION, vs_conn_buckets(vn));
		seq_puts(seq, "Prot LocalAddress:Port Scheduler Flags\n");
		seq_puts(seq, "  -> RemoteAddress:Port Forward Weight ActiveConn InActConn\n");
		return 0;
	}
	sd = rcu_dereference_protected(svc->sched,
				       lockdep_is_held(&vn->lock));
	seq_printf(seq, "%s  %08X:%04X %s\n",
		   vs_proto_name(svc->key.protocol), ntohl(svc->key.addr.ip),
		   ntohs(svc->key.port), sd ? sd->ops->name : "none");
	list_for_each_entry(dest, &svc->dests, list) {
		if (test_bit(VS_DEST_F_DEAD, &dest->flags))
			continue;
		seq_printf(seq, "  -> %08X:%04X      %-7s %-6u %-10d %-10d\n",
			   ntohl(dest->addr.ip), ntohs(dest->port),
			   vs_fwd_name(dest->fwd), dest->weight,
			   atomic_read(&dest->activeconns),
			   atomic_read(&dest->inactconns));
	}
	return 0;
}

static const struct seq_operations vs_svc_seq_ops = {
	.start	= vs_svc_seq_start,
	.next	= vs_svc_seq_next,
	.stop	= vs_svc_seq_stop,
	.show	= vs_svc_seq_show,
};

/*
 * Connections: a best-effort walk, like the netlink dump (entries created
 * or expired meanwhile may or may not show, a resize may repeat or skip
 * some). The position is (bucket, offset in its chain), so each read
 * resumes where the last one stopped without walking the table again.
 */
struct vs_conn_seq {
	struct seq_net_private p;	/* first: seq_file_net() */
	unsigned int bucket, offset;
};

/* The entry at the iterator's position or after it; under RCU. */
static struct vs_conn *vs_conn_seq_find(struct seq_file *seq)
{
	struct rhashtable *ht = &vs_net(seq_file_net(seq))->conn_table.ht;
	struct bucket_table *tbl = rht_dereference_rcu(ht->tbl, ht);
	struct vs_conn_seq *s = seq->private;
	struct rhlist_head *list;
	struct rhash_head *pos;
	unsigned int i;

	for (; s->bucket < tbl->size; s->bucket++, s->offset = 0) {
		i = 0;
		rht_for_each_rcu(pos, tbl, s->bucket) {
			list = container_of(pos, struct rhlist_head, rhead);
			for (; list; list = rcu_dereference(list->next))
				if (i++ == s->offset)
					return container_of(list, struct vs_conn,
							    node);
		}
	}
	return NULL;
}

static void *vs_conn_seq_start(struct seq_file *seq, loff_t *pos)
	__acquires(RCU)
{
	struct vs_conn_seq *s = seq->private;

	rcu_read_lock();
	if (!*pos) {
		s->bucket = 0;
		s->offset = 0;
		return SEQ_START_TOKEN;
	}
	return vs_conn_seq_find(seq);
}

static void *vs_conn_seq_next(struct seq_file *seq, void *v, loff_t *pos)
{
	struct vs_conn_seq *s = seq->private;

	++*pos;
	if (v != SEQ_START_TOKEN)
		s->offset++;
	return vs_conn_seq_find(seq);
}

static void vs_conn_seq_stop(struct seq_file *seq, void *v)
	__releases(RCU)
{
	rcu_read_unlock();
}

static const char *vs_conn_state_name(const struct vs_conn *cp)
{
	static const char *const names[] = {
		[VSCHED_CS_NONE]	= "NONE",
		[VSCHED_CS_SYN]		= "SYN_RECV",
		[VSCHED_CS_ESTABLISHED]	= "ESTABLISHED",
		[VSCHED_CS_FIN_WAIT]	= "FIN_WAIT",
		[VSCHED_CS_TIME_WAIT]	= "TIME_WAIT",
		[VSCHED_CS_CLOSE]	= "CLOSE",
	};
	u8 state = READ_ONCE(cp->state);

	if (cp->key.protocol == IPPROTO_UDP)
		return "UDP";
	return state < ARRAY_SIZE(names) ? names[state] : "?";
}

static int vs_conn_seq_show(struct seq_file *seq, void *v)
{
	const struct vs_conn *cp = v;
	long left;

	if (v == SEQ_START_TOKEN) {
		seq_puts(seq, "Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State       Expires PEName PEData\n");
		return 0;
	}
	left = (long)(READ_ONCE(cp->expires) - jiffies);
	seq_printf(seq, "%-3s %08X %04X %08X %04X %08X %04X %-11s %7lu\n",
		   vs_proto_name(cp->key.protocol), ntohl(cp->key.caddr),
		   ntohs(cp->key.cport), ntohl(cp->vaddr), ntohs(cp->vport),
		   ntohl(cp->daddr), ntohs(cp->dport), vs_conn_state_name(cp),
		   left > 0 ? (unsigned long)left / HZ : 0UL);
	return 0;
}

static const struct seq_operations vs_conn_seq_ops = {
	.start	= vs_conn_seq_start,
	.next	= vs_conn_seq_next,
	.stop	= vs_conn_seq_stop,
	.show	= vs_conn_seq_show,
};

int vs_proc_net_init(struct vs_net *vn)
{
	struct net *net = vn->net;

	if (!proc_create_net("vsched", 0440, net->proc_net, &vs_svc_seq_ops,
			     sizeof(struct seq_net_private)))
		return -ENOMEM;
	if (!proc_create_net("vsched_conn", 0440, net->proc_net,
			     &vs_conn_seq_ops, sizeof(struct vs_conn_seq))) {
		remove_proc_entry("vsched", net->proc_net);
		return -ENOMEM;
	}
	return 0;
}

void vs_proc_net_exit(struct vs_net *vn)
{
	remove_proc_entry("vsched_conn", vn->net->proc_net);
	remove_proc_entry("vsched", vn->net->proc_net);
}
