/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the vshealthd tests: a configuration from a string (via a
 * temporary file, as the daemon reads it), and a fake vh_health_ops that
 * records what the state machine asks for.
 */
#ifndef VH_TEST_UTIL_H
#define VH_TEST_UTIL_H

#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>

#include "config.h"
#include "health.h"
#include "log.h"

/* Writes @text to a fresh file; returns its malloc()ed name. */
static inline char *vh_t_write(const char *text)
{
	char *name = strdup("/tmp/vh-unit-XXXXXX");
	int fd = mkstemp(name);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f) {
		free(name);
		return NULL;
	}
	fputs(text, f);
	fclose(f);
	return name;
}

/* Loads @text; NULL (with the errors printed) if it is not valid. */
static inline struct vh_config *vh_t_config(const char *text)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg = NULL;
	char *name = vh_t_write(text);
	size_t i;

	vh_log_setup(VH_LOG_NONE, 0);
	if (name && vh_config_load(name, &cfg, &errs))
		for (i = 0; i < errs.n; i++)
			printf("    config: %s\n", errs.msg[i]);
	vh_errors_free(&errs);
	if (name)
		unlink(name);
	free(name);
	return cfg;
}

#define VH_T_MAX_SENT 64

/* What the fake ops saw. */
struct vh_t_ops {
	struct { struct vs_svc svc; struct vs_dest d; } sent[VH_T_MAX_SENT];
	int n_sent;
	int send_err;			/* returned by send when set */
	int pair_new, pair_del;
	int quorum_up, quorum_down;
	uint32_t quorum_weight;
};

static inline int vh_t_send(void *arg, const struct vs_svc *svc,
			    const struct vs_dest *d)
{
	struct vh_t_ops *o = arg;

	if (o->send_err)
		return o->send_err;
	if (o->n_sent < VH_T_MAX_SENT) {
		o->sent[o->n_sent].svc = *svc;
		o->sent[o->n_sent].d = *d;
	}
	o->n_sent++;
	return 0;
}

static inline void vh_t_pair_new(void *arg, struct vh_pair *p)
{
	(void)p;
	((struct vh_t_ops *)arg)->pair_new++;
}

static inline void vh_t_pair_del(void *arg, struct vh_pair *p)
{
	(void)p;
	((struct vh_t_ops *)arg)->pair_del++;
}

static inline void vh_t_quorum(void *arg, const struct vh_service_cfg *s,
			       bool up, uint32_t weight)
{
	struct vh_t_ops *o = arg;

	(void)s;
	if (up)
		o->quorum_up++;
	else
		o->quorum_down++;
	o->quorum_weight = weight;
}

static const struct vh_health_ops vh_t_fake_ops = {
	.send = vh_t_send,
	.pair_new = vh_t_pair_new,
	.pair_del = vh_t_pair_del,
	.quorum = vh_t_quorum,
};

static inline struct vs_svc vh_t_svc(const char *addr, uint16_t port)
{
	struct vs_svc s = { .af = AF_INET, .protocol = IPPROTO_TCP,
			    .port = port };

	inet_pton(AF_INET, addr, &s.addr);
	return s;
}

/* A dest as the kernel lists it: weight @w, no health attributes unless
 * the caller adds them.
 */
static inline struct vs_dest vh_t_dest(const char *addr, uint16_t port,
				       uint32_t w)
{
	struct vs_dest d = { .port = port, .weight = w,
			     .has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT };

	inet_pton(AF_INET, addr, &d.addr);
	return d;
}

static inline struct vh_result vh_t_res(bool up, const char *reason)
{
	struct vh_result r = { .up = up, .pct = VH_NONE, .cap = VH_NONE,
			       .duration_us = 1500 };

	snprintf(r.reason, sizeof(r.reason), "%s", reason);
	return r;
}

#endif /* VH_TEST_UTIL_H */
