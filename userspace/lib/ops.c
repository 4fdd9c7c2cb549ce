// SPDX-License-Identifier: GPL-2.0
/* One function per vsched command, over vs_req_build() and vs_transact(). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "msg.h"
#include "nl.h"

/* A consistent dump is retried this many times before giving up. */
#define VS_DUMP_TRIES	5

static int vs_do(struct vs_handle *h, uint8_t cmd, const struct vs_svc *svc,
		 const struct vs_dest *dest, const struct vs_config *cfg)
{
	return vs_transact(h, vs_req_build(h->family, cmd, svc, dest, cfg),
			   NULL, NULL, NULL);
}

int vs_svc_add(struct vs_handle *h, const struct vs_svc *svc)
{
	return vs_do(h, VSCHED_CMD_SVC_NEW, svc, NULL, NULL);
}

int vs_svc_edit(struct vs_handle *h, const struct vs_svc *svc)
{
	return vs_do(h, VSCHED_CMD_SVC_SET, svc, NULL, NULL);
}

int vs_svc_del(struct vs_handle *h, const struct vs_svc *svc)
{
	return vs_do(h, VSCHED_CMD_SVC_DEL, svc, NULL, NULL);
}

int vs_dest_add(struct vs_handle *h, const struct vs_svc *svc,
		const struct vs_dest *dest)
{
	return vs_do(h, VSCHED_CMD_DEST_NEW, svc, dest, NULL);
}

int vs_dest_edit(struct vs_handle *h, const struct vs_svc *svc,
		 const struct vs_dest *dest)
{
	return vs_do(h, VSCHED_CMD_DEST_SET, svc, dest, NULL);
}

int vs_dest_del(struct vs_handle *h, const struct vs_svc *svc,
		const struct vs_dest *dest)
{
	return vs_do(h, VSCHED_CMD_DEST_DEL, svc, dest, NULL);
}

int vs_flush(struct vs_handle *h)
{
	return vs_do(h, VSCHED_CMD_FLUSH, NULL, NULL, NULL);
}

int vs_zero(struct vs_handle *h, const struct vs_svc *svc)
{
	return vs_do(h, VSCHED_CMD_ZERO, svc, NULL, NULL);
}

int vs_config_set(struct vs_handle *h, const struct vs_config *cfg)
{
	return vs_do(h, VSCHED_CMD_CONFIG_SET, NULL, NULL, cfg);
}

/* Single replies */

struct vs_one {
	int (*parse)(struct nl_msg *msg, void *out);
	void *out;
	bool got;
};

static int vs_one_cb(struct nl_msg *msg, void *arg)
{
	struct vs_one *one = arg;
	int err = one->parse(msg, one->out);

	if (!err)
		one->got = true;
	return err;
}

static int vs_get_one(struct vs_handle *h, uint8_t cmd,
		      const struct vs_svc *svc,
		      int (*parse)(struct nl_msg *, void *), void *out)
{
	struct vs_one one = { .parse = parse, .out = out };
	int err;

	err = vs_transact(h, vs_req_build(h->family, cmd, svc, NULL, NULL),
			  vs_one_cb, &one, NULL);
	if (!err && !one.got)
		err = -EIO;
	return err;
}

static int vs_parse_svc_any(struct nl_msg *msg, void *out)
{
	return vs_parse_svc_msg(msg, out);
}

static int vs_parse_info_any(struct nl_msg *msg, void *out)
{
	return vs_parse_info_msg(msg, out);
}

static int vs_parse_config_any(struct nl_msg *msg, void *out)
{
	return vs_parse_config_msg(msg, out);
}

int vs_svc_get(struct vs_handle *h, const struct vs_svc *key,
	       struct vs_svc *out)
{
	return vs_get_one(h, VSCHED_CMD_SVC_GET, key, vs_parse_svc_any, out);
}

int vs_info_get(struct vs_handle *h, struct vs_info *info)
{
	return vs_get_one(h, VSCHED_CMD_INFO_GET, NULL, vs_parse_info_any,
			  info);
}

int vs_config_get(struct vs_handle *h, struct vs_config *cfg)
{
	return vs_get_one(h, VSCHED_CMD_CONFIG_GET, NULL, vs_parse_config_any,
			  cfg);
}

/* Dumps into a growing array */

struct vs_vec {
	char *items;
	size_t n, cap, size;
	int (*parse)(struct nl_msg *msg, void *item);
};

static int vs_vec_cb(struct nl_msg *msg, void *arg)
{
	struct vs_vec *v = arg;
	void *item;
	int err;

	if (v->n == v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 16;
		char *p = realloc(v->items, cap * v->size);

		if (!p)
			return -ENOMEM;
		v->items = p;
		v->cap = cap;
	}
	item = v->items + v->n * v->size;
	err = v->parse(msg, item);
	if (err)
		return err;
	v->n++;
	return 0;
}

/* @consistent: retry while the kernel marks the dump interrupted. */
static int vs_dump(struct vs_handle *h, uint8_t cmd, const struct vs_svc *svc,
		   struct vs_vec *v, bool consistent, void **out, size_t *n)
{
	int tries = consistent ? VS_DUMP_TRIES : 1;
	bool intr = false;
	int err;

	*out = NULL;
	*n = 0;
	while (tries--) {
		v->n = 0;
		err = vs_transact(h, vs_req_build(h->family, cmd, svc, NULL,
						  NULL),
				  vs_vec_cb, v, &intr);
		if (err || !consistent || !intr)
			break;
		err = -EAGAIN;	/* changed under us on every try */
	}
	if (err) {
		free(v->items);
		return err;
	}
	*out = v->items;
	*n = v->n;
	return 0;
}

static int vs_parse_svc_item(struct nl_msg *msg, void *item)
{
	return vs_parse_svc_msg(msg, item);
}

static int vs_parse_dest_item(struct nl_msg *msg, void *item)
{
	struct vs_svc svc;

	return vs_parse_dest_msg(msg, &svc, item);
}

static int vs_parse_conn_item(struct nl_msg *msg, void *item)
{
	return vs_parse_conn_msg(msg, item);
}

int vs_svc_list(struct vs_handle *h, struct vs_svc **svcs, size_t *n)
{
	struct vs_vec v = { .size = sizeof(**svcs),
			    .parse = vs_parse_svc_item };

	return vs_dump(h, VSCHED_CMD_SVC_GET, NULL, &v, true, (void **)svcs, n);
}

int vs_dest_list(struct vs_handle *h, const struct vs_svc *svc,
		 struct vs_dest **dests, size_t *n)
{
	struct vs_vec v = { .size = sizeof(**dests),
			    .parse = vs_parse_dest_item };

	return vs_dump(h, VSCHED_CMD_DEST_GET, svc, &v, true, (void **)dests,
		       n);
}

/* Each server straight to the caller: no array of the whole table. */
struct vs_walk {
	vs_dest_fn fn;
	void *arg;
	size_t calls;
};

static int vs_walk_cb(struct nl_msg *msg, void *arg)
{
	struct vs_walk *w = arg;
	struct vs_dest dest;
	struct vs_svc svc;
	int err;

	err = vs_parse_dest_msg(msg, &svc, &dest);
	if (err)
		return err;
	w->calls++;
	return w->fn(&svc, &dest, w->arg);
}

int vs_dest_walk(struct vs_handle *h, uint32_t dump_flags, vs_dest_fn fn,
		 void *arg)
{
	struct vs_walk w = { .fn = fn, .arg = arg };
	bool intr = false;
	int err;

	err = vs_transact(h, vs_req_dest_dump(h->family, dump_flags),
			  vs_walk_cb, &w, &intr);
	/* A module without VSCHED_A_DUMP_FLAGS refuses it before any reply. */
	if (err == -EINVAL && dump_flags && !w.calls)
		err = vs_transact(h, vs_req_dest_dump(h->family, 0),
				  vs_walk_cb, &w, &intr);
	if (!err && intr)
		err = -EAGAIN;
	return err;
}

int vs_conn_list(struct vs_handle *h, struct vs_conn **conns, size_t *n)
{
	struct vs_vec v = { .size = sizeof(**conns),
			    .parse = vs_parse_conn_item };

	/* Best effort by design: never marked interrupted (see the uapi). */
	return vs_dump(h, VSCHED_CMD_CONN_GET, NULL, &v, false,
		       (void **)conns, n);
}
