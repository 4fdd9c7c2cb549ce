// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm -S, -R and --restore-replace.
 *
 * -S prints the sorted snapshot in ipvsadm -S form, so its output is
 * stable. It saves what the operator set (scheduler and its -b flags,
 * admin weight, the sorry flag, warm-up, down policy; non-default ones
 * only) and never what the health checker or a drain did: a restore must
 * not bring a server back "down" or an effective weight back as an admin
 * one. A restore is done in three steps so that nothing changes
 * unless the whole file is good: every line is parsed (restore_parse),
 * the lines are applied to a model of the kernel's state to get the
 * wanted state and, from its difference with the current one, a plan
 * (restore_plan); only then is the plan sent (cmds.c). Restoring what
 * -S printed gives an empty plan.
 */

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vsadm.h"

void vsadm_save(FILE *f, const struct vsadm_state *st, bool numeric)
{
	char svc[300], dest[300], flags[128];
	size_t i, j;

	for (i = 0; i < st->n; i++) {
		const struct vsadm_svc_entry *e = &st->svcs[i];
		const char *p = e->svc.protocol == IPPROTO_UDP ? "-u" : "-t";

		vsadm_addrport_str(e->svc.addr, e->svc.port, e->svc.protocol,
				   numeric, svc, sizeof(svc));
		fprintf(f, "-A %s %s", p, svc);
		if (e->svc.has & VS_SVC_HAS_SCHED)
			fprintf(f, " -s %s", e->svc.sched);
		if (e->svc.sched_flags) {
			vsadm_sched_flags_str(e->svc.sched, e->svc.sched_flags,
					      flags, sizeof(flags));
			fprintf(f, " -b %s", flags);
		}
		if (e->svc.warmup)
			fprintf(f, " --warmup %u", e->svc.warmup);
		if (e->svc.flags & VSCHED_SVC_F_DOWN_RESET)
			fputs(" --down-policy reset", f);
		fputc('\n', f);
		for (j = 0; j < e->n_dests; j++) {
			const struct vs_dest *d = &e->dests[j];

			vsadm_addrport_str(d->addr, d->port, e->svc.protocol,
					   numeric, dest, sizeof(dest));
			fprintf(f, "-a %s %s -r %s -m -w %u%s\n", p, svc, dest,
				d->weight, d->flags & VSCHED_DEST_F_SORRY ?
					   " --sorry" : "");
		}
	}
}

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

#define VSADM_MAX_WORDS	64

int vsadm_restore_parse(FILE *in, const char *name, struct vsadm_line **lines,
			size_t *n, char *err, size_t errlen)
{
	struct vsadm_line *v = NULL;
	size_t cap = 0, len = 0;
	unsigned int lineno = 0;
	char *buf = NULL, msg[256];
	size_t bufsz = 0;

	*lines = NULL;
	*n = 0;
	while (getline(&buf, &bufsz, in) != -1) {
		char *words[VSADM_MAX_WORDS], *save, *w;
		int nw = 0;

		lineno++;
		for (w = strtok_r(buf, " \t\r\n", &save); w;
		     w = strtok_r(NULL, " \t\r\n", &save)) {
			if (w[0] == '#')
				break;
			if (nw == VSADM_MAX_WORDS) {
				fail(err, errlen, "%s:%u: line too long", name,
				     lineno);
				goto err;
			}
			words[nw++] = w;
		}
		if (!nw)
			continue;
		if (len == cap) {
			struct vsadm_line *p;

			cap = cap ? cap * 2 : 64;
			p = realloc(v, cap * sizeof(*v));
			if (!p) {
				fail(err, errlen, "%s:%u: out of memory", name,
				     lineno);
				goto err;
			}
			v = p;
		}
		v[len].lineno = lineno;
		if (vsadm_parse(nw, words, &v[len].o, msg, sizeof(msg))) {
			fail(err, errlen, "%s:%u: %s", name, lineno, msg);
			goto err;
		}
		switch (v[len].o.cmd) {
		case VSADM_ADD_SVC:
		case VSADM_EDIT_SVC:
		case VSADM_DEL_SVC:
		case VSADM_ADD_DEST:
		case VSADM_EDIT_DEST:
		case VSADM_DEL_DEST:
		case VSADM_SET:
			break;
		default:
			fail(err, errlen,
			     "%s:%u: %s cannot be used in a restore file (only -A -E -D -a -e -d --set)",
			     name, lineno, words[0]);
			goto err;
		}
		/* A drain is an operation, not configuration: -S never
		 * writes one and a plan could not compare it.
		 */
		if (v[len].o.dest.has & VS_DEST_HAS_DRAIN) {
			fail(err, errlen,
			     "%s:%u: --drain cannot be used in a restore file (run it as its own vsadm -e command)",
			     name, lineno);
			goto err;
		}
		len++;
	}
	free(buf);
	*lines = v;
	*n = len;
	return 0;
err:
	free(buf);
	free(v);
	return -1;
}

/* The model: a vsadm_state we own and edit. */

static int model_copy(struct vsadm_state *dst, const struct vsadm_state *src)
{
	size_t i;

	memset(dst, 0, sizeof(*dst));
	dst->svcs = calloc(src->n ? src->n : 1, sizeof(*dst->svcs));
	if (!dst->svcs)
		return -1;
	dst->cap = src->n ? src->n : 1;
	for (i = 0; i < src->n; i++) {
		struct vsadm_svc_entry *e = &dst->svcs[i];

		*e = src->svcs[i];
		e->dests = malloc((e->n_dests ? e->n_dests : 1) *
				  sizeof(*e->dests));
		if (!e->dests)
			return -1;
		if (e->n_dests)
			memcpy(e->dests, src->svcs[i].dests,
			       e->n_dests * sizeof(*e->dests));
		dst->n++;
	}
	vsadm_state_reindex(dst);
	return 0;
}

static struct vsadm_svc_entry *model_add_svc(struct vsadm_state *st,
					     const struct vs_svc *svc)
{
	struct vsadm_svc_entry *p;

	if (st->n >= st->cap) {
		size_t cap = st->n < 8 ? 16 : 2 * st->n;

		p = realloc(st->svcs, cap * sizeof(*p));
		if (!p)
			return NULL;
		st->svcs = p;
		st->cap = cap;
	}
	p = &st->svcs[st->n++];
	memset(p, 0, sizeof(*p));
	p->svc = *svc;
	vsadm_state_indexed_add(st);
	return p;
}

static void model_del_svc(struct vsadm_state *st, struct vsadm_svc_entry *e)
{
	size_t i = (size_t)(e - st->svcs);

	free(e->dests);
	memmove(e, e + 1, (st->n - i - 1) * sizeof(*e));
	st->n--;
	vsadm_state_reindex(st);	/* positions moved */
}

static struct vs_dest *model_add_dest(struct vsadm_svc_entry *e,
				      const struct vs_dest *d)
{
	struct vs_dest *p = realloc(e->dests, (e->n_dests + 1) * sizeof(*p));

	if (!p)
		return NULL;
	e->dests = p;
	p[e->n_dests] = *d;
	return &p[e->n_dests++];
}

static void model_del_dest(struct vsadm_svc_entry *e, struct vs_dest *d)
{
	size_t i = (size_t)(d - e->dests);

	memmove(d, d + 1, (e->n_dests - i - 1) * sizeof(*d));
	e->n_dests--;
}

static int model_apply(struct vsadm_state *st, const struct vsadm_line *l,
		       struct vs_config *cfg, bool *has_cfg, const char *name,
		       char *err, size_t errlen)
{
	const struct vsadm_opts *o = &l->o;
	struct vsadm_svc_entry *e = NULL;
	struct vs_dest *d = NULL;
	char s[64], a[INET_ADDRSTRLEN];

	if (o->cmd == VSADM_SET) {
		if (o->set.tcp_est)
			cfg->tcp_est = o->set.tcp_est;
		if (o->set.tcp_fin)
			cfg->tcp_fin = o->set.tcp_fin;
		if (o->set.udp)
			cfg->udp = o->set.udp;
		*has_cfg = true;
		return 0;
	}
	/* The names are formatted for an error only: 110,000 lines. */
	e = vsadm_state_find(st, &o->svc);
	if (!e && o->cmd != VSADM_ADD_SVC) {
		vsadm_svc_str(&o->svc, s, sizeof(s));
		return fail(err, errlen, "%s:%u: no service %s", name,
			    l->lineno, s);
	}
	if (o->has_dest) {
		d = vsadm_entry_find_dest(e, &o->dest);
		if (!d && o->cmd != VSADM_ADD_DEST) {
			vsadm_svc_str(&o->svc, s, sizeof(s));
			inet_ntop(AF_INET, &o->dest.addr, a, sizeof(a));
			return fail(err, errlen,
				    "%s:%u: no real server %s:%u in %s", name,
				    l->lineno, a, o->dest.port, s);
		}
	}
	switch (o->cmd) {
	case VSADM_ADD_SVC:
		if (!e) {
			e = model_add_svc(st, &o->svc);
			if (!e)
				goto nomem;
			/* A new service starts from the kernel's defaults
			 * (zero), so in a replace a line without --warmup,
			 * --down-policy or -b means "none", "quiesce" and
			 * no scheduler flag.
			 */
			e->svc.has |= VS_SVC_HAS_WARMUP | VS_SVC_HAS_FLAGS |
				      VS_SVC_HAS_SCHED_FLAGS;
		}
		/* An existing service is updated. */
		__attribute__((fallthrough));
	case VSADM_EDIT_SVC:
		if (o->svc.has & VS_SVC_HAS_SCHED) {
			memcpy(e->svc.sched, o->svc.sched, sizeof(e->svc.sched));
			e->svc.has |= VS_SVC_HAS_SCHED;
		}
		if (o->svc.has & VS_SVC_HAS_WARMUP) {
			e->svc.warmup = o->svc.warmup;
			e->svc.has |= VS_SVC_HAS_WARMUP;
		}
		if (o->svc.has & VS_SVC_HAS_SCHED_FLAGS) {
			e->svc.sched_flags = o->svc.sched_flags;
			e->svc.has |= VS_SVC_HAS_SCHED_FLAGS;
		}
		if (o->svc.has & VS_SVC_HAS_FLAGS) {
			e->svc.flags = (e->svc.flags & ~VSADM_SVC_FLAGS) |
				       (o->svc.flags & VSADM_SVC_FLAGS);
			e->svc.has |= VS_SVC_HAS_FLAGS;
		}
		break;
	case VSADM_DEL_SVC:
		model_del_svc(st, e);
		break;
	case VSADM_ADD_DEST:
		if (!d) {
			d = model_add_dest(e, &o->dest);
			if (!d)
				goto nomem;
		}
		d->weight = o->dest.weight;
		d->has |= VS_DEST_HAS_WEIGHT;
		__attribute__((fallthrough));
	case VSADM_EDIT_DEST:
		if (o->dest.has & VS_DEST_HAS_WEIGHT)
			d->weight = o->dest.weight;
		/* -a always carries the flags (vsadm_parse), -e when asked. */
		if (o->dest.has & VS_DEST_HAS_FLAGS) {
			d->flags = (d->flags & ~VSADM_DEST_FLAGS) |
				   (o->dest.flags & VSADM_DEST_FLAGS);
			d->has |= VS_DEST_HAS_FLAGS;
		}
		break;
	case VSADM_DEL_DEST:
		model_del_dest(e, d);
		break;
	default:
		break;
	}
	return 0;
nomem:
	return fail(err, errlen, "%s:%u: out of memory", name, l->lineno);
}

static int plan_add(struct vsadm_plan *plan, enum vsadm_action_op op,
		    const struct vs_svc *svc, const struct vs_dest *dest,
		    const struct vs_config *cfg)
{
	struct vsadm_action *p;

	if (plan->n == plan->cap) {
		size_t cap = plan->cap ? 2 * plan->cap : 64;

		p = realloc(plan->acts, cap * sizeof(*p));
		if (!p)
			return -1;
		plan->acts = p;
		plan->cap = cap;
	}
	p = &plan->acts[plan->n++];
	memset(p, 0, sizeof(*p));
	p->op = op;
	if (svc) {
		/* The key and the admin settings marked in has travel;
		 * plan_diff() decides which.
		 */
		p->svc.af = AF_INET;
		p->svc.protocol = svc->protocol;
		p->svc.addr = svc->addr;
		p->svc.port = svc->port;
		if (op == VSADM_ACT_SVC_NEW || op == VSADM_ACT_SVC_SET) {
			p->svc.has = svc->has & (VS_SVC_HAS_SCHED |
						 VS_SVC_HAS_WARMUP |
						 VS_SVC_HAS_FLAGS |
						 VS_SVC_HAS_SCHED_FLAGS);
			memcpy(p->svc.sched, svc->sched, sizeof(p->svc.sched));
			p->svc.warmup = svc->warmup;
			p->svc.sched_flags = svc->sched_flags;
			p->svc.flags = svc->flags;
		}
	}
	if (dest) {
		p->dest.addr = dest->addr;
		p->dest.port = dest->port;
		p->dest.has = VS_DEST_HAS_PORT;
		if (op == VSADM_ACT_DEST_NEW || op == VSADM_ACT_DEST_SET) {
			p->dest.weight = dest->weight;
			p->dest.fwd = VSCHED_FWD_MASQ;
			p->dest.has |= VS_DEST_HAS_WEIGHT;
			if (op == VSADM_ACT_DEST_NEW)
				p->dest.has |= VS_DEST_HAS_FWD;
			/* Never health, state or a drain: not admin. */
			p->dest.flags = dest->flags;
			p->dest.has |= dest->has & VS_DEST_HAS_FLAGS;
		}
	}
	if (cfg)
		p->cfg = *cfg;
	return 0;
}

/* What the file wants (@w) differs from what the kernel has (@c): only
 * the admin settings the file states count.
 */
static bool svc_differs(const struct vs_svc *c, const struct vs_svc *w)
{
	return ((w->has & VS_SVC_HAS_SCHED) && strcmp(w->sched, c->sched)) ||
	       ((w->has & VS_SVC_HAS_WARMUP) && w->warmup != c->warmup) ||
	       ((w->has & VS_SVC_HAS_SCHED_FLAGS) &&
		w->sched_flags != c->sched_flags) ||
	       ((w->has & VS_SVC_HAS_FLAGS) &&
		((w->flags ^ c->flags) & VSADM_SVC_FLAGS));
}

static bool dest_differs(const struct vs_dest *c, const struct vs_dest *w)
{
	return w->weight != c->weight ||
	       ((w->has & VS_DEST_HAS_FLAGS) &&
		((w->flags ^ c->flags) & VSADM_DEST_FLAGS));
}

/*
 * Additions before deletions, so that replacing a server by another
 * never leaves a service without one.
 */
static int plan_diff(const struct vsadm_state *cur,
		     const struct vsadm_state *want, struct vsadm_plan *plan)
{
	size_t i, j;

	for (i = 0; i < want->n; i++) {
		const struct vsadm_svc_entry *w = &want->svcs[i];
		const struct vsadm_svc_entry *c = vsadm_state_find(cur, &w->svc);

		struct vs_svc s = w->svc;

		if (!c) {
			/* The kernel's defaults need not be sent. */
			if (!s.warmup)
				s.has &= ~VS_SVC_HAS_WARMUP;
			if (!s.flags)
				s.has &= ~VS_SVC_HAS_FLAGS;
			if (!s.sched_flags)
				s.has &= ~VS_SVC_HAS_SCHED_FLAGS;
			if (plan_add(plan, VSADM_ACT_SVC_NEW, &s, NULL, NULL))
				return -1;
		} else if (svc_differs(&c->svc, &s)) {
			/* The kernel replaces all the flags: keep the bits
			 * vsadm does not manage as they are.
			 */
			s.flags = (c->svc.flags & ~VSADM_SVC_FLAGS) |
				  (s.flags & VSADM_SVC_FLAGS);
			if (plan_add(plan, VSADM_ACT_SVC_SET, &s, NULL, NULL))
				return -1;
		}
	}
	for (i = 0; i < want->n; i++) {
		const struct vsadm_svc_entry *w = &want->svcs[i];
		const struct vsadm_svc_entry *c = vsadm_state_find(cur, &w->svc);

		for (j = 0; j < w->n_dests; j++) {
			const struct vs_dest *wd = &w->dests[j];
			const struct vs_dest *cd =
				c ? vsadm_entry_find_dest(c, wd) : NULL;

			struct vs_dest d = *wd;

			if (!cd) {
				if (!d.flags)
					d.has &= ~VS_DEST_HAS_FLAGS;
				if (plan_add(plan, VSADM_ACT_DEST_NEW, &w->svc,
					     &d, NULL))
					return -1;
			} else if (dest_differs(cd, &d)) {
				d.flags = (cd->flags & ~VSADM_DEST_FLAGS) |
					  (d.flags & VSADM_DEST_FLAGS);
				if (plan_add(plan, VSADM_ACT_DEST_SET, &w->svc,
					     &d, NULL))
					return -1;
			}
		}
	}
	for (i = 0; i < cur->n; i++) {
		const struct vsadm_svc_entry *c = &cur->svcs[i];
		const struct vsadm_svc_entry *w = vsadm_state_find(want, &c->svc);

		if (!w)
			continue;	/* the whole service goes below */
		for (j = 0; j < c->n_dests; j++)
			if (!vsadm_entry_find_dest(w, &c->dests[j]) &&
			    plan_add(plan, VSADM_ACT_DEST_DEL, &c->svc,
				     &c->dests[j], NULL))
				return -1;
	}
	for (i = 0; i < cur->n; i++)
		if (!vsadm_state_find(want, &cur->svcs[i].svc) &&
		    plan_add(plan, VSADM_ACT_SVC_DEL, &cur->svcs[i].svc, NULL,
			     NULL))
			return -1;
	return 0;
}

int vsadm_restore_plan(const struct vsadm_state *cur,
		       const struct vsadm_line *lines, size_t n, bool replace,
		       const char *name, struct vsadm_plan *plan,
		       char *err, size_t errlen)
{
	struct vsadm_state want = { 0 };
	struct vs_config cfg = { 0 };
	bool has_cfg = false;
	int ret = -1;
	size_t i;

	memset(plan, 0, sizeof(*plan));
	if (replace) {
		want.svcs = calloc(1, sizeof(*want.svcs));
		if (!want.svcs)
			return fail(err, errlen, "out of memory");
	} else if (model_copy(&want, cur)) {
		fail(err, errlen, "out of memory");
		goto out;
	}
	for (i = 0; i < n; i++)
		if (model_apply(&want, &lines[i], &cfg, &has_cfg, name, err,
				errlen))
			goto out;
	vsadm_state_sort(&want);
	if (plan_diff(cur, &want, plan) ||
	    (has_cfg && plan_add(plan, VSADM_ACT_CONFIG_SET, NULL, NULL, &cfg))) {
		fail(err, errlen, "out of memory");
		vsadm_plan_free(plan);
		goto out;
	}
	ret = 0;
out:
	vsadm_state_free(&want);
	return ret;
}

void vsadm_plan_free(struct vsadm_plan *plan)
{
	free(plan->acts);
	memset(plan, 0, sizeof(*plan));
}
