// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm: a snapshot of the services and their real servers, sorted the
 * way ipvsadm sorts them (protocol, address, port), so that -L and -S are
 * deterministic whatever order the kernel dumps in.
 */

#include <arpa/inet.h>
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

void vsadm_state_sort(struct vsadm_state *st)
{
	size_t i;

	if (st->n)
		qsort(st->svcs, st->n, sizeof(*st->svcs), entry_qcmp);
	for (i = 0; i < st->n; i++)
		if (st->svcs[i].n_dests)
			qsort(st->svcs[i].dests, st->svcs[i].n_dests,
			      sizeof(struct vs_dest), dest_qcmp);
}

void vsadm_state_free(struct vsadm_state *st)
{
	size_t i;

	for (i = 0; i < st->n; i++)
		free(st->svcs[i].dests);
	free(st->svcs);
	st->svcs = NULL;
	st->n = 0;
}

int vsadm_state_load(struct vs_handle *h, struct vsadm_state *st)
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
	for (i = 0; i < n; i++) {
		struct vsadm_svc_entry *e = &st->svcs[i];

		e->svc = svcs[i];
		err = vs_dest_list(h, &e->svc, &e->dests, &e->n_dests);
		/* A service deleted between the two dumps has no servers. */
		if (err == -ENOENT)
			err = 0;
		if (err)
			break;
		st->n++;
	}
	free(svcs);
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
	size_t i;

	for (i = 0; i < st->n; i++)
		if (!vsadm_svc_cmp(&st->svcs[i].svc, key))
			return &st->svcs[i];
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
