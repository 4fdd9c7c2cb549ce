/* SPDX-License-Identifier: GPL-2.0 */
/* Connection table: remembers which real server each flow goes to. */
#ifndef _VS_CONN_H
#define _VS_CONN_H

#include <linux/jiffies.h>
#include <linux/rhashtable.h>
#include <linux/spinlock.h>

#include "netns.h"

struct vs_dest;

/*
 * Entries are hashed by the client's side of the flow only, as in IPVS:
 * a packet from the client (source = client) and a reply to it
 * (destination = client) find the same bucket, and the rest of the tuple
 * tells the two apart. So a reply handled on another CPU finds its entry
 * in the one shared table.
 */
struct vs_conn_key {
	__be32 caddr;
	__be16 cport;
	u8 protocol;
	u8 af;
};

enum {
	VS_CONN_F_FIN_IN	= 1 << 0,	/* client sent FIN */
	VS_CONN_F_FIN_OUT	= 1 << 1,	/* server sent FIN */
	VS_CONN_F_REPLIED	= 1 << 2,	/* server answered */
	VS_CONN_F_ACTIVE	= 1 << 3,	/* counted in activeconns */
	VS_CONN_F_UNLINKED	= 1 << 4,	/* removed from the table */
};

/* 88 bytes on x86_64 (IPVS: 288). */
struct vs_conn {
	struct rhlist_head node;
	struct vs_conn_key key;
	__be32 vaddr;
	__be32 daddr;
	__be16 vport;
	__be16 dport;
	u8 state;			/* enum vsched_conn_state */
	u8 flags;			/* VS_CONN_F_* */
	spinlock_t lock;		/* state transitions */
	unsigned long expires;		/* jiffies */
	/* TCP: the next sequence number each side will send, for resets. */
	u32 seq_in;			/* client -> server */
	u32 seq_out;			/* server -> client */
	struct vs_dest *dest;		/* holds a reference */
	struct rcu_head rcu;
};

struct vs_conn *vs_conn_in_get(struct vs_net *vn, u8 protocol, __be32 saddr,
			       __be16 sport, __be32 daddr, __be16 dport);
struct vs_conn *vs_conn_out_get(struct vs_net *vn, u8 protocol, __be32 saddr,
				__be16 sport, __be32 daddr, __be16 dport);
struct vs_conn *vs_conn_new(struct vs_net *vn, const struct vs_conn_key *key,
			    __be32 vaddr, __be16 vport, struct vs_dest *dest,
			    bool *existed);
void vs_conn_expire(struct vs_net *vn, struct vs_conn *cp);
void vs_conn_flush(struct vs_net *vn);
/* Reset a TCP flow at both ends (reset.c). */
void vs_conn_send_resets(struct vs_net *vn, const struct vs_conn *cp);

/* Called for every packet of a flow; dir_in is client to server. */
void vs_conn_update(struct vs_net *vn, struct vs_conn *cp, bool dir_in,
		    u8 tcp_flags);

static inline u32 vs_conn_count(struct vs_net *vn)
{
	return atomic_read(&vn->conn_count);
}

int vs_conn_net_init(struct vs_net *vn);
void vs_conn_net_exit(struct vs_net *vn);
unsigned int vs_conn_buckets(struct vs_net *vn);
int vs_conn_init(void);
void vs_conn_exit(void);

#endif /* _VS_CONN_H */
