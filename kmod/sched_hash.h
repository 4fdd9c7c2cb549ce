/* SPDX-License-Identifier: GPL-2.0 */
/* What the hashing schedulers (sh, mh) share: their table and its lookup. */
#ifndef _VS_SCHED_HASH_H
#define _VS_SCHED_HASH_H

#include <linux/skbuff.h>
#include <linux/types.h>

#include "sched.h"

struct vs_service;
struct vs_dest;

/*
 * A lookup table over the service's "members": the servers that are not
 * sorry servers, deleted or never given a weight, and, without
 * VSCHED_SCHED_F_FALLBACK, not down (uapi/linux/vsched.h, "Scheduler
 * flags"). Each entry names a member; a client's entry is a hash of its
 * source address (and port with VSCHED_SCHED_F_PORT), so a client keeps
 * its server as long as the members and their weights stay the same.
 * Members that cannot take a new connection stay in place, unavailable:
 * their clients get no server or, with the fallback flag, the first
 * available member after a second hash of the client in the table.
 */
struct vs_hash_tab {
	u32 flags;		/* enum vsched_sched_flags, at build time */
	u32 size;		/* entries; 0 when there is no member */
	unsigned int n;		/* members */
	struct vs_dest **dests;	/* n members, in list order */
	u32 *weights;		/* n layout weights (build only) */
	struct vs_dest **avail;	/* n: dests[i] if available, else NULL */
	u16 *tab;		/* size member indexes */
	u16 *next;		/* size member indexes, or NULL: fallback */
};

#define VS_HASH_MEMBERS_MAX	65535U	/* member indexes are u16 */

/* A hashing scheduler's state: its table, laid out by the scheduler. */
struct vs_hash_data {
	struct vs_sched_data base;
	struct vs_hash_tab t;
};

struct vs_sched_data *vs_hash_build(struct vs_service *svc,
				    int (*layout)(struct vs_hash_tab *t));
struct vs_dest *vs_hash_schedule(struct vs_sched_data *data,
				 const struct sk_buff *skb);
void vs_hash_free(struct vs_sched_data *data);

int vs_hash_tab_init(struct vs_hash_tab *t, struct vs_service *svc);
int vs_hash_tab_alloc(struct vs_hash_tab *t, u32 size);
int vs_hash_tab_finish(struct vs_hash_tab *t);
void vs_hash_tab_free(struct vs_hash_tab *t);
struct vs_dest *vs_hash_tab_lookup(const struct vs_hash_tab *t, __be32 saddr,
				   __be16 sport);
struct vs_dest *vs_hash_tab_pick(const struct vs_hash_tab *t,
				 const struct sk_buff *skb);
u32 vs_hash_dest(const struct vs_dest *dest, u32 seed);

#if IS_ENABLED(CONFIG_VSCHED_KUNIT_TEST)
#include "service.h"

struct kunit;

/* KUnit fixture of sched_hash_test.c, for the sh and mh suites. */
struct vs_hash_fixture {
	struct vs_net vn;
	struct vs_service svc;
	unsigned int n;
	struct vs_dest *dests;
	struct sk_buff *skb;	/* a UDP packet from each client in turn */
};

struct vs_hash_fixture *vs_hash_fixture(struct kunit *test, const u32 *weights,
					unsigned int n, u32 sched_flags);
void vs_hash_rebuild(struct kunit *test, struct vs_hash_fixture *f,
		     const char *name);
void vs_hash_del(struct vs_hash_fixture *f, unsigned int i);
void vs_hash_map(struct vs_hash_fixture *f, int *out, unsigned int nsrc,
		 u16 sport);
void vs_hash_expect_shares(struct kunit *test, const int *got,
			   unsigned int nsrc, const u32 *weights,
			   unsigned int n, unsigned int tol_pct);
void vs_hash_done(struct vs_hash_fixture *f);
#endif

int vs_sched_sh_init(void);
void vs_sched_sh_exit(void);
int vs_sched_mh_init(void);
void vs_sched_mh_exit(void);
int vs_sched_hash_init(void);
void vs_sched_hash_exit(void);

#endif /* _VS_SCHED_HASH_H */
