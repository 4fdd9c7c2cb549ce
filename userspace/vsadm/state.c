// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm: a snapshot of the services and their real servers, sorted the
 * way ipvsadm sorts them (protocol, address, port), so that -L and -S are
 * deterministic whatever order the kernel dumps in.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vsadm.h"

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

int vsadm_svc_cmp(const struct vs_svc *a, const struct vs_svc *b)
{
	int r;

	r = cmp_u32(a->protocol, b->protocol);
	if (!r)
		r = cmp_u32(ntohl(a->addr.s_addr), ntohl(b->addr.s_addr));
	if (!r)
		r = cmp_u32(a->port, b->port);
	return r;
}

int vsadm_dest_cmp(const struct vs_dest *a, const struct vs_dest *b)
{
	int r = cmp_u32(ntohl(a->addr.s_addr), ntohl(b->addr.s_addr));

	return r ? r : cmp_u32(a->port, b->port);
}

static int entry_qcmp(const void *a, const void *b)
{
	const struct vsadm_svc_entry *x = a, *y = b;

	return vsadm_svc_cmp(&x->svc, &y->svc);
}

static int dest_qcmp(const void *a, const void *b)
{
	return vsadm_dest_cmp(a, b);
}

/*
 * The index: open addressing over the services' keys, each slot an
 * entry's position + 1 (0 is free), at most half full. A restore looks a
 * service up for every line: 110,000 lines against 10,000 services took
 * 0.8 s natively with a linear search, a few milliseconds with this.
 */
static size_t svc_hash(const struct vs_svc *s)
{
	uint64_t k = (uint64_t)ntohl(s->addr.s_addr) << 24 ^
		     (uint64_t)s->port << 8 ^ s->protocol;

	return (size_t)((k * 0x9e3779b97f4a7c15ULL) >> 32);
}

static void index_put(const struct vsadm_state *st, size_t i)
{
	size_t mask = st->n_slots - 1;
	size_t h = svc_hash(&st->svcs[i].svc) & mask;

	while (st->slots[h])
		h = (h + 1) & mask;
	st->slots[h] = i + 1;
}

/* Builds the index anew, sized for twice the entries; without memory
 * the state goes without one.
 */
void vsadm_state_reindex(struct vsadm_state *st)
{
	size_t want = 16, i;

	while (want < 2 * st->n + 2)
		want *= 2;
	free(st->slots);
	st->slots = calloc(want, sizeof(*st->slots));
	st->n_slots = st->slots ? want : 0;
	for (i = 0; st->n_slots && i < st->n; i++)
		index_put(st, i);
}

/* @st->svcs[st->n - 1] was just appended. */
void vsadm_state_indexed_add(struct vsadm_state *st)
{
	if (2 * st->n >= st->n_slots)
		vsadm_state_reindex(st);
	else
		index_put(st, st->n - 1);
}

void vsadm_state_sort(struct vsadm_state *st)
{
	size_t i;

	if (st->n)
		qsort(st->svcs, st->n, sizeof(*st->svcs), entry_qcmp);
	for (i = 0; i < st->n; i++)
		if (st->svcs[i].n_dests)
			qsort(st->svcs[i].dests, st->svcs[i].n_dests,
			      sizeof(struct vs_dest), dest_qcmp);
	vsadm_state_reindex(st);
}

void vsadm_state_free(struct vsadm_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->svcs[i].dests);
	free(st->svcs);
	free(st->slots);
	memset(st, 0, sizeof(*st));
}

/* A module older than the whole-table dump: one dump per service. */
static int load_dests_per_svc(struct vs_handle *h, struct vsadm_state *st)
{
	size_t i;
	int err;

	for (i = 0; i < st->n; i++) {
		struct vsadm_svc_entry *e = &st->svcs[i];

		err = vs_dest_list(h, &e->svc, &e->dests, &e->n_dests);
		/* A service deleted between the two dumps has no servers. */
		if (err && err != -ENOENT)
			return err;
	}
	return 0;
}

/* A consistent whole-table dump is tried this many times. */
#define LOAD_TRIES	5

/* The whole-table dump under way: each entry's capacity for servers. */
struct dest_load {
	struct vsadm_state *st;
	size_t *cap;
	struct vsadm_svc_entry *last;	/* servers come service by service */
	size_t seen;
};

/*
 * A server to its service's entry, whose array is first sized by the
 * service dump's count. A server of a service added after the service
 * dump is left out, as the servers of a service deleted in between are:
 * -L shows one or the other.
 */
static int load_dest(const struct vs_svc *svc, const struct vs_dest *dest,
		     void *arg)
{
	struct dest_load *l = arg;
	struct vsadm_svc_entry *e = l->last;
	size_t i, cap;

	l->seen++;
	if (!e || vsadm_svc_cmp(&e->svc, svc)) {
		e = vsadm_state_find(l->st, svc);
		if (!e)
			return 0;
		l->last = e;
	}
	i = (size_t)(e - l->st->svcs);
	if (e->n_dests == l->cap[i]) {
		struct vs_dest *p;

		if (l->cap[i])
			cap = 2 * l->cap[i];
		else
			cap = e->svc.num_dests ? e->svc.num_dests : 4;
		p = realloc(e->dests, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		e->dests = p;
		l->cap[i] = cap;
	}
	e->dests[e->n_dests++] = *dest;
	return 0;
}

/* Every server in one dump, retried while the table changes under it. */
static int load_dests(struct vs_handle *h, struct vsadm_state *st,
		      bool counters)
{
	struct dest_load l = { .st = st };
	int tries = LOAD_TRIES, err;
	size_t i;

	l.cap = calloc(st->n ? st->n : 1, sizeof(*l.cap));
	if (!l.cap)
		return -ENOMEM;
	do {
		for (i = 0; i < st->n; i++)
			st->svcs[i].n_dests = 0;
		l.last = NULL;
		err = vs_dest_walk(h, counters ? 0 : VSCHED_DUMP_F_NO_STATS,
				   load_dest, &l);
	} while (err == -EAGAIN && --tries);
	free(l.cap);
	/* Refused before any server came: a module older than the dump. */
	if (err == -EINVAL && !l.seen)
		return load_dests_per_svc(h, st);
	return err;
}

int vsadm_state_load(struct vs_handle *h, struct vsadm_state *st,
		     bool counters)
{
	struct vs_svc *svcs;
	size_t i, n;
	int err;

	memset(st, 0, sizeof(*st));
	err = vs_svc_list(h, &svcs, &n);
	if (err)
		return err;
	st->svcs = calloc(n ? n : 1, sizeof(*st->svcs));
	if (!st->svcs) {
		free(svcs);
		return -ENOMEM;
	}
	st->cap = n ? n : 1;
	for (i = 0; i < n; i++)
		st->svcs[i].svc = svcs[i];
	st->n = n;
	free(svcs);
	vsadm_state_reindex(st);
	err = load_dests(h, st, counters);
	if (err) {
		vsadm_state_free(st);
		return err;
	}
	vsadm_state_sort(st);
	return 0;
}

struct vsadm_svc_entry *vsadm_state_find(const struct vsadm_state *st,
					 const struct vs_svc *key)
{
	size_t i, h;

	if (!st->n_slots) {
		for (i = 0; i < st->n; i++)
			if (!vsadm_svc_cmp(&st->svcs[i].svc, key))
				return &st->svcs[i];
		return NULL;
	}
	for (h = svc_hash(key) & (st->n_slots - 1); st->slots[h];
	     h = (h + 1) & (st->n_slots - 1))
		if (!vsadm_svc_cmp(&st->svcs[st->slots[h] - 1].svc, key))
			return &st->svcs[st->slots[h] - 1];
	return NULL;
}

struct vs_dest *vsadm_entry_find_dest(const struct vsadm_svc_entry *e,
				      const struct vs_dest *key)
{
	size_t i;

	for (i = 0; i < e->n_dests; i++)
		if (!vsadm_dest_cmp(&e->dests[i], key))
			return &e->dests[i];
	return NULL;
}
