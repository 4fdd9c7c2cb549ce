// SPDX-License-Identifier: GPL-2.0
/*
 * vs-nlfuzz: the model of the configuration that the accepted messages
 * made, and its comparison with what the kernel dumps.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nlfuzz.h"

struct model model;

/* Keys: VIPs 10.0.0.1-4, ports 80/443, TCP/UDP; servers 10.1.0.1-4 on
 * the service port, 8080 or 8081.
 */
void svc_key(int k, uint32_t *addr, uint16_t *port, uint8_t *proto)
{
	*addr = htonl(0x0a000001 + k % 4);
	*port = (k / 4) % 2 ? 443 : 80;
	*proto = k / 8 ? IPPROTO_UDP : IPPROTO_TCP;
}

void dest_key(int k, int j, uint32_t *addr, uint16_t *port)
{
	uint32_t a;
	uint8_t p;

	svc_key(k, &a, port, &p);
	*addr = htonl(0x0a010001 + j / 3);
	if (j % 3)
		*port = 8079 + j % 3;
}

int svc_index(uint32_t addr, uint16_t port, uint8_t proto)
{
	uint32_t a = ntohl(addr) - 0x0a000001;

	if (a >= 4 || (port != 80 && port != 443) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return -2;
	return a + (port == 443) * 4 + (proto == IPPROTO_UDP) * 8;
}

int dest_index(int k, uint32_t addr, uint16_t port)
{
	uint32_t a = ntohl(addr) - 0x0a010001, sa;
	uint16_t sp;
	uint8_t p;

	svc_key(k, &sa, &sp, &p);
	if (a >= 4)
		return -2;
	if (port == sp)
		return a * 3;
	if (port == 8080 || port == 8081)
		return a * 3 + port - 8079;
	return -2;
}

static void dest_defaults(struct mdest *d)
{
	memset(d, 0, sizeof(*d));
	d->exists = true;
	d->weight = 1;
	d->pct = 100;
	d->cap = VSCHED_HEALTH_CAP_NONE;
}

static void get(const void *d, void *v, size_t n)
{
	memcpy(v, d, n);
}

/* Apply the nest of an accepted message to a server of the model. */
static void apply_dest(struct mdest *d, const struct top *t)
{
	int i;

	for (i = 0; i < t->n; i++) {
		const struct leaf *l = &t->l[i];

		switch (l->type) {
		case VSCHED_DEST_A_WEIGHT: get(l->d, &d->weight, 4); break;
		case VSCHED_DEST_A_FWD_METHOD: d->fwd = l->d[0]; break;
		case VSCHED_DEST_A_FLAGS: get(l->d, &d->dflags, 4); break;
		case VSCHED_DEST_A_HEALTH: d->health = l->d[0]; break;
		case VSCHED_DEST_A_HEALTH_PCT: get(l->d, &d->pct, 4); break;
		case VSCHED_DEST_A_HEALTH_CAP: get(l->d, &d->cap, 4); break;
		case VSCHED_DEST_A_HEALTH_REASON:
			snprintf(d->reason, sizeof(d->reason), "%s", (char *)l->d);
			break;
		}
	}
}

static const struct top *top_of(const struct fmsg *m, uint16_t type)
{
	const struct top *t = NULL;
	int i;

	for (i = 0; i < m->n; i++)
		if (m->t[i].type == type)
			t = &m->t[i];
	return t;
}

static uint32_t u(const struct leaf *l)
{
	uint32_t v = 0;

	memcpy(&v, l->d, l->len < 4 ? l->len : 4);
	return l->len == 2 ? (uint16_t)v : l->len == 1 ? (uint8_t)v : v;
}

/* The indexes of the service and server an accepted message names. */
static void keys_of(const struct fmsg *m, int *k, int *j)
{
	const struct top *s = top_of(m, VSCHED_A_SVC), *d = top_of(m, VSCHED_A_DEST);
	uint32_t addr = 0, daddr = 0, sa;
	uint16_t port = 0, dport = 0;
	uint8_t proto = 0;
	int i;

	for (i = 0; s && i < s->n; i++) {
		if (s->l[i].type == VSCHED_SVC_A_ADDR4)
			get(s->l[i].d, &addr, 4);
		else if (s->l[i].type == VSCHED_SVC_A_PORT)
			port = u(&s->l[i]);
		else if (s->l[i].type == VSCHED_SVC_A_PROTOCOL)
			proto = u(&s->l[i]);
	}
	*k = s ? svc_index(addr, port, proto) : -1;
	*j = -1;
	if (*k < 0 || !d)
		return;
	svc_key(*k, &sa, &dport, &proto);
	for (i = 0; i < d->n; i++) {
		if (d->l[i].type == VSCHED_DEST_A_ADDR4)
			get(d->l[i].d, &daddr, 4);
		else if (d->l[i].type == VSCHED_DEST_A_PORT)
			dport = u(&d->l[i]);
	}
	*j = dest_index(*k, daddr, dport);
}

void model_apply(const struct fmsg *m)
{
	const struct top *s = top_of(m, VSCHED_A_SVC), *t;
	struct msvc *sv;
	int k, j, i;

	keys_of(m, &k, &j);
	sv = k >= 0 ? &model.s[k] : NULL;
	switch (m->cmd) {
	case VSCHED_CMD_SVC_NEW:
		memset(sv, 0, sizeof(*sv));
		sv->exists = true;
		strcpy(sv->sched, "rr");
		/* fall through */
	case VSCHED_CMD_SVC_SET:
		for (i = 0; i < s->n; i++) {
			const struct leaf *l = &s->l[i];

			if (l->type == VSCHED_SVC_A_SCHED_NAME)
				snprintf(sv->sched, sizeof(sv->sched), "%s", (char *)l->d);
			else if (l->type == VSCHED_SVC_A_FLAGS)
				get(l->d, &sv->flags, 4);
			else if (l->type == VSCHED_SVC_A_WARMUP)
				get(l->d, &sv->warmup, 4);
			else if (l->type == VSCHED_SVC_A_SCHED_FLAGS)
				get(l->d, &sv->sched_flags, 4);
		}
		break;
	case VSCHED_CMD_SVC_DEL:
		memset(sv, 0, sizeof(*sv));
		break;
	case VSCHED_CMD_DEST_NEW:
		dest_defaults(&sv->d[j]);
		/* fall through */
	case VSCHED_CMD_DEST_SET:
		apply_dest(&sv->d[j], top_of(m, VSCHED_A_DEST));
		break;
	case VSCHED_CMD_DEST_DEL:
		memset(&sv->d[j], 0, sizeof(sv->d[j]));
		break;
	case VSCHED_CMD_FLUSH:
		memset(model.s, 0, sizeof(model.s));
		break;
	case VSCHED_CMD_CONFIG_SET:
		t = top_of(m, VSCHED_A_CONFIG);
		for (i = 0; i < t->n; i++)
			get(t->l[i].d, &model.cfg[t->l[i].type], 4);
		break;
	}
}

/* ---- reading the kernel's configuration --------------------------------- */

static void parse(const void *buf, int len, const struct nlattr **tb, int max)
{
	const struct nlattr *a = buf;

	memset(tb, 0, (max + 1) * sizeof(*tb));
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		int type = a->nla_type & NLA_TYPE_MASK;

		if (type <= max)
			tb[type] = a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

static void parse_nest(const struct nlattr *nest, const struct nlattr **tb, int max)
{
	if (nest)
		parse(nest + 1, nest->nla_len - NLA_HDRLEN, tb, max);
	else
		memset(tb, 0, (max + 1) * sizeof(*tb));
}

static uint32_t na_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a)
		memcpy(&v, a + 1, a->nla_len - NLA_HDRLEN < 4 ? a->nla_len - NLA_HDRLEN : 4);
	if (a && a->nla_len == NLA_HDRLEN + 2)
		v &= 0xffff;
	if (a && a->nla_len == NLA_HDRLEN + 1)
		v &= 0xff;
	return v;
}

struct kstate {
	struct msvc s[NSVC];
	uint32_t cfg[NCFG + 1];
	int nforeign;
	struct { uint32_t addr; uint16_t port; uint8_t proto; int k;
		 uint32_t daddr; uint16_t dport; } foreign[64];
	unsigned long nsvc, ndest;
};

static void top_attrs(const struct nlmsghdr *nh, const struct nlattr **tb)
{
	parse((const char *)NLMSG_DATA(nh) + GENL_HDRLEN,
	      nh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, tb, VSCHED_A_MAX);
}

static void add_foreign(struct kstate *ks, int k, uint32_t addr, uint16_t port,
			uint8_t proto, uint32_t daddr, uint16_t dport)
{
	if (ks->nforeign < 64) {
		ks->foreign[ks->nforeign].addr = addr;
		ks->foreign[ks->nforeign].port = port;
		ks->foreign[ks->nforeign].proto = proto;
		ks->foreign[ks->nforeign].k = k;
		ks->foreign[ks->nforeign].daddr = daddr;
		ks->foreign[ks->nforeign].dport = dport;
	}
	ks->nforeign++;
}

static void on_svc(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[VSCHED_A_MAX + 1], *sb[VSCHED_SVC_A_MAX + 1];
	struct kstate *ks = arg;
	uint32_t addr = 0;
	struct msvc *s;
	int k;

	top_attrs(nh, tb);
	parse_nest(tb[VSCHED_A_SVC], sb, VSCHED_SVC_A_MAX);
	if (sb[VSCHED_SVC_A_ADDR4])
		memcpy(&addr, sb[VSCHED_SVC_A_ADDR4] + 1, 4);
	ks->nsvc++;
	k = svc_index(addr, na_u32(sb[VSCHED_SVC_A_PORT]),
		      na_u32(sb[VSCHED_SVC_A_PROTOCOL]));
	if (k < 0) {
		add_foreign(ks, -1, addr, na_u32(sb[VSCHED_SVC_A_PORT]),
			    na_u32(sb[VSCHED_SVC_A_PROTOCOL]), 0, 0);
		return;
	}
	s = &ks->s[k];
	s->exists = true;
	if (sb[VSCHED_SVC_A_SCHED_NAME])
		snprintf(s->sched, sizeof(s->sched), "%s",
			 (const char *)(sb[VSCHED_SVC_A_SCHED_NAME] + 1));
	s->flags = na_u32(sb[VSCHED_SVC_A_FLAGS]);
	s->warmup = na_u32(sb[VSCHED_SVC_A_WARMUP]);
	s->sched_flags = na_u32(sb[VSCHED_SVC_A_SCHED_FLAGS]);
}

struct dest_arg {
	struct kstate *ks;
	int k;
};

static void on_dest(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[VSCHED_A_MAX + 1], *db[VSCHED_DEST_A_MAX + 1];
	struct dest_arg *da = arg;
	struct mdest *d;
	uint32_t addr = 0, sa;
	uint16_t port, sp;
	uint8_t proto;
	int j;

	top_attrs(nh, tb);
	parse_nest(tb[VSCHED_A_DEST], db, VSCHED_DEST_A_MAX);
	if (db[VSCHED_DEST_A_ADDR4])
		memcpy(&addr, db[VSCHED_DEST_A_ADDR4] + 1, 4);
	port = na_u32(db[VSCHED_DEST_A_PORT]);
	da->ks->ndest++;
	j = dest_index(da->k, addr, port);
	if (j < 0) {
		svc_key(da->k, &sa, &sp, &proto);
		add_foreign(da->ks, da->k, sa, sp, proto, addr, port);
		return;
	}
	d = &da->ks->s[da->k].d[j];
	d->exists = true;
	d->weight = na_u32(db[VSCHED_DEST_A_WEIGHT]);
	d->fwd = na_u32(db[VSCHED_DEST_A_FWD_METHOD]);
	d->dflags = na_u32(db[VSCHED_DEST_A_FLAGS]);
	d->health = na_u32(db[VSCHED_DEST_A_HEALTH]);
	d->pct = na_u32(db[VSCHED_DEST_A_HEALTH_PCT]);
	d->cap = na_u32(db[VSCHED_DEST_A_HEALTH_CAP]);
	if (db[VSCHED_DEST_A_HEALTH_REASON])
		snprintf(d->reason, sizeof(d->reason), "%s",
			 (const char *)(db[VSCHED_DEST_A_HEALTH_REASON] + 1));
}

static void on_config(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[VSCHED_A_MAX + 1], *cb[VSCHED_CONFIG_A_MAX + 1];
	uint32_t *cfg = arg;
	int i;

	top_attrs(nh, tb);
	parse_nest(tb[VSCHED_A_CONFIG], cb, VSCHED_CONFIG_A_MAX);
	for (i = 1; i <= NCFG; i++)
		cfg[i] = na_u32(cb[i]);
}

static void key_msg(struct fmsg *m, uint8_t cmd, uint32_t addr, uint16_t port,
		    uint8_t proto)
{
	struct top *t;

	memset(m, 0, sizeof(*m));
	m->cmd = cmd;
	m->flags = NLM_F_REQUEST | NLM_F_ACK;
	t = msg_add_top(m, VSCHED_A_SVC);
	top_add_u16(t, VSCHED_SVC_A_AF, AF_INET);
	top_add_u8(t, VSCHED_SVC_A_PROTOCOL, proto);
	top_add(t, VSCHED_SVC_A_ADDR4, &addr, 4);
	top_add_u16(t, VSCHED_SVC_A_PORT, port);
}

static int read_kernel(struct kstate *ks)
{
	struct dest_arg da = { ks, 0 };
	uint32_t addr;
	uint16_t port;
	uint8_t proto;
	struct fmsg m;
	int err;

	memset(ks, 0, sizeof(*ks));
	memset(&m, 0, sizeof(m));
	m.cmd = VSCHED_CMD_SVC_GET;
	m.flags = NLM_F_REQUEST | NLM_F_DUMP;
	err = run_quiet(&m, on_svc, ks);
	for (da.k = 0; !err && da.k < NSVC; da.k++) {
		if (!ks->s[da.k].exists)
			continue;
		svc_key(da.k, &addr, &port, &proto);
		key_msg(&m, VSCHED_CMD_DEST_GET, addr, port, proto);
		m.flags = NLM_F_REQUEST | NLM_F_DUMP;
		err = run_quiet(&m, on_dest, &da);
	}
	memset(&m, 0, sizeof(m));
	m.cmd = VSCHED_CMD_CONFIG_GET;
	m.flags = NLM_F_REQUEST | NLM_F_ACK;
	if (!err)
		err = run_quiet(&m, on_config, ks->cfg);
	if (err)
		fprintf(stderr, "vs-nlfuzz: cannot read the configuration: %s\n",
			strerror(-err));
	return err;
}

/* Delete what an accepted random message created outside the key space. */
static void drop_foreign(const struct kstate *ks)
{
	struct fmsg m;
	struct top *t;
	int i;

	for (i = 0; i < ks->nforeign && i < 64; i++) {
		key_msg(&m, ks->foreign[i].k < 0 ? VSCHED_CMD_SVC_DEL :
			VSCHED_CMD_DEST_DEL, ks->foreign[i].addr,
			ks->foreign[i].port, ks->foreign[i].proto);
		if (ks->foreign[i].k >= 0) {
			t = msg_add_top(&m, VSCHED_A_DEST);
			top_add(t, VSCHED_DEST_A_ADDR4, &ks->foreign[i].daddr, 4);
			top_add_u16(t, VSCHED_DEST_A_PORT, ks->foreign[i].dport);
		}
		run_quiet(&m, NULL, NULL);
	}
}

void model_resync(void)
{
	struct kstate ks;

	cnt.resyncs++;
	if (read_kernel(&ks))
		return;
	drop_foreign(&ks);
	memcpy(model.s, ks.s, sizeof(model.s));
	memcpy(model.cfg, ks.cfg, sizeof(model.cfg));
}

void model_init(void)
{
	FILE *f = fopen("/sys/module/vsched/parameters/conn_max_ceiling", "r");
	struct fmsg m = { .cmd = VSCHED_CMD_FLUSH,
			  .flags = NLM_F_REQUEST | NLM_F_ACK };

	if (f) {
		if (fscanf(f, "%u", &model.ceiling) != 1)
			model.ceiling = 0;
		fclose(f);
	}
	if (run_quiet(&m, NULL, NULL)) {
		fprintf(stderr, "vs-nlfuzz: FLUSH failed: are you root?\n");
		exit(2);
	}
	model_resync();
	cnt.resyncs = 0;
}

#define DIFF(cond, ...) do { if (cond) { ok = false; violation(__VA_ARGS__); } } while (0)

struct stats_seen {
	unsigned long dests, with_stats;
};

static void on_dest_stats(const struct nlmsghdr *nh, void *arg)
{
	const struct nlattr *tb[VSCHED_A_MAX + 1], *db[VSCHED_DEST_A_MAX + 1];
	struct stats_seen *seen = arg;

	top_attrs(nh, tb);
	parse_nest(tb[VSCHED_A_DEST], db, VSCHED_DEST_A_MAX);
	seen->dests++;
	if (db[VSCHED_DEST_A_STATS])
		seen->with_stats++;
}

/*
 * The whole-table DEST_GET dump of the @ndest servers there are: each
 * with its counters, or none of them with VSCHED_DUMP_F_NO_STATS.
 */
static bool check_dump_flags(unsigned long ndest)
{
	struct stats_seen all = { 0 }, none = { 0 };
	struct fmsg m = { .cmd = VSCHED_CMD_DEST_GET,
			  .flags = NLM_F_REQUEST | NLM_F_DUMP };
	bool ok = true;

	DIFF(run_quiet(&m, on_dest_stats, &all), "DEST_GET of every service failed");
	add_dump_flags(&m, VSCHED_DUMP_F_NO_STATS);
	DIFF(run_quiet(&m, on_dest_stats, &none),
	     "DEST_GET with VSCHED_DUMP_F_NO_STATS failed");
	DIFF(all.dests != ndest || all.with_stats != ndest,
	     "DEST_GET: %lu servers, %lu with counters, of %lu", all.dests,
	     all.with_stats, ndest);
	DIFF(none.dests != ndest || none.with_stats,
	     "DEST_GET NO_STATS: %lu servers, %lu with counters, of %lu",
	     none.dests, none.with_stats, ndest);
	return ok;
}

void model_compare(void)
{
	struct fmsg m = { .cmd = VSCHED_CMD_FLUSH,
			  .flags = NLM_F_REQUEST | NLM_F_ACK };
	struct kstate ks;
	bool ok = true;
	int k, j, i;

	if (read_kernel(&ks))
		return;
	cnt.final_svcs = ks.nsvc;
	cnt.final_dests = ks.ndest;
	DIFF(ks.nforeign, "%d objects outside the key space", ks.nforeign);
	for (i = 1; i <= NCFG; i++)
		DIFF(ks.cfg[i] != model.cfg[i], "config %d: kernel %u, model %u",
		     i, ks.cfg[i], model.cfg[i]);
	for (k = 0; k < NSVC; k++) {
		const struct msvc *a = &ks.s[k], *b = &model.s[k];

		DIFF(a->exists != b->exists, "service %d: kernel %s, model %s", k,
		     a->exists ? "has it" : "not", b->exists ? "has it" : "not");
		if (!a->exists || !b->exists)
			continue;
		DIFF(strcmp(a->sched, b->sched) || a->flags != b->flags ||
		     a->warmup != b->warmup || a->sched_flags != b->sched_flags,
		     "service %d: kernel %s/%u/%u/%u, model %s/%u/%u/%u", k,
		     a->sched, a->flags, a->warmup, a->sched_flags, b->sched,
		     b->flags, b->warmup, b->sched_flags);
		for (j = 0; j < NDEST; j++) {
			const struct mdest *x = &a->d[j], *y = &b->d[j];

			DIFF(x->exists != y->exists, "server %d/%d: kernel %d, model %d",
			     k, j, x->exists, y->exists);
			if (!x->exists || !y->exists)
				continue;
			DIFF(x->weight != y->weight || x->fwd != y->fwd ||
			     x->dflags != y->dflags || x->health != y->health ||
			     x->pct != y->pct || x->cap != y->cap ||
			     strcmp(x->reason, y->reason),
			     "server %d/%d: kernel w%u f%u F%u h%u p%u c%u '%s', model w%u f%u F%u h%u p%u c%u '%s'",
			     k, j, x->weight, x->fwd, x->dflags, x->health, x->pct,
			     x->cap, x->reason, y->weight, y->fwd, y->dflags,
			     y->health, y->pct, y->cap, y->reason);
		}
	}
	if (!check_dump_flags(ks.ndest))
		ok = false;
	if (run_quiet(&m, NULL, NULL) || read_kernel(&ks) || ks.nsvc) {
		ok = false;
		violation("FLUSH left %lu services", ks.nsvc);
	}
	cnt.flushed_svcs = ks.nsvc;
	cnt.model_ok = ok;
}
