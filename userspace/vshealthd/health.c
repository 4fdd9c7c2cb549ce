// SPDX-License-Identifier: GPL-2.0
/*
 * The check registry and the rise/fall state machine (health.h): pairs
 * shared between services, verdicts per (service, dest), quorum. Pure
 * bookkeeping; what it decides leaves through struct vh_health_ops.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"
#include "log.h"
#include "text.h"

#define VH_HASH_BITS	12
#define VH_HASH_SIZE	(1U << VH_HASH_BITS)
#define VH_MAX_CHECKS	64		/* per dest */
#define VH_RUN_MAX	1000000000U	/* counters saturate */

const char *vh_state_name(enum vh_state s)
{
	switch (s) {
	case VH_UP:	return "up";
	case VH_DOWN:	return "down";
	default:	return "unknown";
	}
}

const char *vh_addr_str(struct in_addr a, uint16_t port, char *buf,
			size_t len)
{
	char ip[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(buf, len, "%s:%u", ip, port);
	return buf;
}

const char *vh_svc_str(const struct vs_svc *s, char *buf, size_t len)
{
	char a[32];

	snprintf(buf, len, "%s %s", s->protocol == IPPROTO_UDP ? "udp" : "tcp",
		 vh_addr_str(s->addr, s->port, a, sizeof(a)));
	return buf;
}

static uint32_t mix(uint32_t h, uint32_t v)
{
	h ^= v;
	h *= 0x9e3779b1U;
	return h ^ (h >> 15);
}

static bool svc_eq(const struct vs_svc *a, const struct vs_svc *b)
{
	return a->protocol == b->protocol && a->addr.s_addr == b->addr.s_addr &&
	       a->port == b->port;
}

static uint32_t dest_hash(const struct vs_svc *s, struct in_addr a,
			  uint16_t port)
{
	uint32_t h = mix(mix(mix(s->protocol, s->addr.s_addr), s->port),
			 a.s_addr);

	return mix(h, port) & (VH_HASH_SIZE - 1);
}

static uint32_t pair_hash(struct in_addr a, uint16_t port, const char *name)
{
	uint32_t h = mix(a.s_addr, port);

	while (*name)
		h = mix(h, (unsigned char)*name++);
	return h & (VH_HASH_SIZE - 1);
}

struct vh_health *vh_health_new(const struct vh_config *cfg,
				const struct vh_health_ops *ops, void *arg)
{
	struct vh_health *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->dest_hash = calloc(VH_HASH_SIZE, sizeof(*h->dest_hash));
	h->pair_hash = calloc(VH_HASH_SIZE, sizeof(*h->pair_hash));
	if (!h->dest_hash || !h->pair_hash) {
		free(h->dest_hash);
		free(h->pair_hash);
		free(h);
		return NULL;
	}
	h->cfg = cfg;
	h->ops = ops;
	h->arg = arg;
	return h;
}

/* Pairs. */

static struct vh_pair *pair_acquire(struct vh_health *h, struct in_addr a,
				    uint16_t port,
				    const struct vh_check_cfg *c)
{
	uint32_t b = pair_hash(a, port, c->name);
	struct vh_pair *p;

	for (p = h->pair_hash[b]; p; p = p->hnext) {
		if (p->addr.s_addr != a.s_addr || p->port != port ||
		    strcmp(p->check->name, c->name))
			continue;
		if (p->check != c && !vh_check_cfg_equal(p->check, c))
			continue;	/* changed: a new pair takes over */
		p->check = c;
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->addr = a;
	p->port = port;
	p->check = c;
	p->state = VH_UNKNOWN;
	p->pct = VH_NONE;
	p->cap = VH_NONE;
	p->hist_cap = h->cfg->history ? h->cfg->history : 1;
	p->hist = calloc(p->hist_cap, sizeof(*p->hist));
	if (!p->hist) {
		free(p);
		return NULL;
	}
	p->hnext = h->pair_hash[b];
	h->pair_hash[b] = p;
	p->next = h->pairs;
	if (h->pairs)
		h->pairs->prev = p;
	h->pairs = p;
	h->n_pairs++;
	if (h->ops->pair_new)
		h->ops->pair_new(h->arg, p);
	return p;
}

static void pair_free(struct vh_health *h, struct vh_pair *p)
{
	struct vh_pair **pp;

	if (h->ops->pair_del)
		h->ops->pair_del(h->arg, p);
	for (pp = &h->pair_hash[pair_hash(p->addr, p->port, p->check->name)];
	     *pp; pp = &(*pp)->hnext)
		if (*pp == p) {
			*pp = p->hnext;
			break;
		}
	if (p->prev)
		p->prev->next = p->next;
	else
		h->pairs = p->next;
	if (p->next)
		p->next->prev = p->prev;
	h->n_pairs--;
	free(p->dests);
	free(p->hist);
	free(p);
}

static int pair_link(struct vh_pair *p, struct vh_dest *d)
{
	if (p->n_dests == p->cap_dests) {
		size_t n = p->cap_dests ? 2 * p->cap_dests : 2;
		struct vh_dest **nd = realloc(p->dests, n * sizeof(*nd));

		if (!nd)
			return -1;
		p->dests = nd;
		p->cap_dests = n;
	}
	p->dests[p->n_dests++] = d;
	return 0;
}

static void pair_unlink(struct vh_health *h, struct vh_pair *p,
			struct vh_dest *d)
{
	size_t i;

	for (i = 0; i < p->n_dests; i++)
		if (p->dests[i] == d) {
			p->dests[i] = p->dests[--p->n_dests];
			break;
		}
	if (!p->n_dests)
		pair_free(h, p);
}

/* Verdicts. */

void vh_verdict_derive(struct vh_pair *const *pairs, size_t n,
		       struct vh_verdict *v)
{
	bool unknown = false;
	size_t i;

	memset(v, 0, sizeof(*v));
	if (!n)
		return;
	v->pct = 100;
	v->cap = VSCHED_HEALTH_CAP_NONE;
	for (i = 0; i < n; i++) {
		const struct vh_pair *p = pairs[i];

		if (p->state == VH_DOWN) {
			v->known = true;
			v->health = VSCHED_HEALTH_DOWN;
			char r[2 * VSCHED_REASON_MAX + 64];

			/* Cut to what the kernel keeps, on purpose, and
			 * between characters: a UTF-8 sequence cut in two
			 * is not valid text.
			 */
			snprintf(r, sizeof(r), "%s: %s", p->check->name,
				 p->fail_reason);
			vs_text_clean(v->reason, sizeof(v->reason), r,
				      strlen(r));
			v->pct = 100;
			v->cap = VSCHED_HEALTH_CAP_NONE;
			return;
		}
		if (p->state == VH_UNKNOWN) {
			unknown = true;
			continue;
		}
		if (p->pct != VH_NONE && (uint32_t)p->pct < v->pct)
			v->pct = p->pct;
		if (p->cap != VH_NONE && (uint32_t)p->cap < v->cap)
			v->cap = p->cap;
	}
	if (unknown)
		return;
	v->known = true;
	v->health = VSCHED_HEALTH_UP;
	strcpy(v->reason, "ok");
}

static bool verdict_eq(const struct vh_verdict *a, const struct vh_verdict *b)
{
	if (a->known != b->known)
		return false;
	if (!a->known)
		return true;
	return a->health == b->health && !strcmp(a->reason, b->reason) &&
	       (a->health == VSCHED_HEALTH_DOWN ||
		(a->pct == b->pct && a->cap == b->cap));
}

/* Does the kernel already have @v? Down verdicts ignore pct and cap: they
 * are not sent, so that the kernel keeps its own.
 */
static bool kernel_has(const struct vs_dest *kd, const struct vh_verdict *v)
{
	uint32_t pct = kd->has & VS_DEST_HAS_PCT ? kd->health_pct : 100;
	uint32_t cap = kd->has & VS_DEST_HAS_CAP ? kd->health_cap :
		VSCHED_HEALTH_CAP_NONE;

	if (!(kd->has & VS_DEST_HAS_HEALTH) || kd->health != v->health)
		return false;
	if (!(kd->has & VS_DEST_HAS_REASON) ||
	    strncmp(kd->reason, v->reason, sizeof(kd->reason)))
		return false;
	return v->health == VSCHED_HEALTH_DOWN || (pct == v->pct && cap == v->cap);
}

/* Derive @d's verdict and tell the kernel if it differs from what it has.
 * True if the verdict or the kernel's health changed.
 */
static bool dest_sync(struct vh_health *h, struct vh_dest *d, uint64_t now)
{
	struct vh_verdict v;
	struct vs_dest m;
	char sb[48], db[32];
	bool changed = false;
	int err;

	vh_verdict_derive(d->pairs, d->n_pairs, &v);
	if (!verdict_eq(&v, &d->verdict)) {
		if (v.known)
			vh_notice("%s %s: %s (%s)",
				  vh_svc_str(&d->svc, sb, sizeof(sb)),
				  vh_addr_str(d->kd.addr, d->kd.port, db,
					      sizeof(db)),
				  v.health == VSCHED_HEALTH_UP ? "up" : "down",
				  v.reason);
		d->verdict = v;
		d->changed_ms = now;
		changed = true;
	}
	if (!v.known || kernel_has(&d->kd, &v))
		return changed;
	memset(&m, 0, sizeof(m));
	m.addr = d->kd.addr;
	m.port = d->kd.port;
	m.has = VS_DEST_HAS_PORT | VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON;
	m.health = v.health;
	memcpy(m.reason, v.reason, sizeof(m.reason));
	if (v.health == VSCHED_HEALTH_UP) {
		m.has |= VS_DEST_HAS_PCT | VS_DEST_HAS_CAP;
		m.health_pct = v.pct;
		m.health_cap = v.cap;
	}
	err = h->ops->send ? h->ops->send(h->arg, &d->svc, &m) : 0;
	if (err) {
		h->n_send_errors++;
		vh_log(err == -ENOENT ? LOG_DEBUG : LOG_WARNING,
		       "%s %s: cannot set health: %s",
		       vh_svc_str(&d->svc, sb, sizeof(sb)),
		       vh_addr_str(d->kd.addr, d->kd.port, db, sizeof(db)),
		       strerror(-err));
		return changed;
	}
	/* The event for it will say the same; until then, this is what the
	 * kernel has.
	 */
	d->kd.has |= m.has & ~VS_DEST_HAS_PORT;
	d->kd.health = m.health;
	memcpy(d->kd.reason, m.reason, sizeof(d->kd.reason));
	if (m.has & VS_DEST_HAS_PCT) {
		d->kd.health_pct = m.health_pct;
		d->kd.health_cap = m.health_cap;
	}
	d->n_sent++;
	h->n_sent++;
	return true;
}

/* Quorum. */

uint32_t vh_dest_quorum_weight(const struct vh_dest *d)
{
	const struct vs_dest *k = &d->kd;
	uint64_t w = k->weight;
	uint32_t pct = k->has & VS_DEST_HAS_PCT ? k->health_pct : 100;

	if ((k->flags & VSCHED_DEST_F_SORRY) || k->state == VSCHED_DS_DRAINING)
		return 0;
	if ((k->has & VS_DEST_HAS_HEALTH) && k->health != VSCHED_HEALTH_UP)
		return 0;
	if ((k->has & VS_DEST_HAS_CAP) && k->health_cap < w)
		w = k->health_cap;
	if (!w || !pct)
		return 0;
	w = w * pct / 100;
	return w ? w : 1;
}

static bool svc_known(struct vh_health *h, const struct vs_svc *s)
{
	size_t i;

	for (i = 0; i < h->n_svcs; i++)
		if (svc_eq(&h->svcs[i], s))
			return true;
	return false;
}

static struct vh_quorum *quorum_get(struct vh_health *h,
				    const struct vs_svc *s, bool create)
{
	struct vh_quorum *nq;
	size_t i;

	for (i = 0; i < h->n_quorums; i++)
		if (svc_eq(&h->quorums[i].svc, s))
			return &h->quorums[i];
	if (!create)
		return NULL;
	nq = realloc(h->quorums, (h->n_quorums + 1) * sizeof(*nq));
	if (!nq)
		return NULL;
	h->quorums = nq;
	nq = &h->quorums[h->n_quorums++];
	memset(nq, 0, sizeof(*nq));
	nq->svc = *s;
	nq->state = -1;
	return nq;
}

static void quorum_drop(struct vh_health *h, const struct vs_svc *s)
{
	struct vh_quorum *q = quorum_get(h, s, false);

	if (q)
		*q = h->quorums[--h->n_quorums];
}

static void quorum_eval(struct vh_health *h, const struct vs_svc *s)
{
	const struct vh_service_cfg *c;
	struct vh_quorum *q;
	struct vh_dest *d;
	uint64_t sum = 0;
	bool pending = false;
	size_t n = 0;
	int state;
	char sb[48];

	c = vh_config_service(h->cfg, s->protocol, s->addr, s->port);
	if (!c || !c->has_quorum || !svc_known(h, s))
		return;
	q = quorum_get(h, s, true);
	if (!q)
		return;
	for (d = h->dests; d; d = d->next) {
		if (!svc_eq(&d->svc, s))
			continue;
		n++;
		if (d->n_pairs && !d->verdict.known)
			pending = true;
		sum += vh_dest_quorum_weight(d);
	}
	q->weight = sum > UINT32_MAX ? UINT32_MAX : sum;
	state = q->state;
	if (state < 0) {
		/* Not before every checked server has an opinion, nor for
		 * a service whose servers are not known yet: at start and
		 * during a restore, the service comes before its servers.
		 */
		if (pending || !n)
			return;
		state = sum >= c->quorum;
	} else if (state == 1 && sum + c->hysteresis < c->quorum) {
		state = 0;
	} else if (state == 0 && sum >= (uint64_t)c->quorum + c->hysteresis) {
		state = 1;
	}
	if (state == q->state)
		return;
	q->state = state;
	vh_notice("%s: quorum %s (weight %u, quorum %u)",
		  vh_svc_str(s, sb, sizeof(sb)), state ? "reached" : "lost",
		  q->weight, c->quorum);
	if (h->ops->quorum)
		h->ops->quorum(h->arg, c, state, q->weight);
}

/* Dests. */

struct vh_dest *vh_health_find_dest(struct vh_health *h,
				    const struct vs_svc *svc,
				    struct in_addr addr, uint16_t port)
{
	struct vh_dest *d;

	for (d = h->dest_hash[dest_hash(svc, addr, port)]; d; d = d->hnext)
		if (svc_eq(&d->svc, svc) && d->kd.addr.s_addr == addr.s_addr &&
		    d->kd.port == port)
			return d;
	return NULL;
}

/* Attach @d to the pairs its configuration gives it. */
static void dest_bind(struct vh_health *h, struct vh_dest *d)
{
	const struct vh_check_cfg *checks[VH_MAX_CHECKS];
	size_t n = 0, i;

	d->cfg = vh_config_service(h->cfg, d->svc.protocol, d->svc.addr,
				   d->svc.port);
	d->pairs = NULL;
	d->n_pairs = 0;
	if (d->cfg)
		n = vh_config_dest_checks(d->cfg, d->kd.addr, d->kd.port,
					  checks, VH_MAX_CHECKS);
	if (!n)
		return;
	d->pairs = calloc(n, sizeof(*d->pairs));
	if (!d->pairs)
		return;
	for (i = 0; i < n; i++) {
		uint16_t port = checks[i]->port ? checks[i]->port : d->kd.port;
		struct vh_pair *p = pair_acquire(h, d->kd.addr, port, checks[i]);

		if (!p)
			continue;
		if (pair_link(p, d)) {
			if (!p->n_dests)
				pair_free(h, p);
			continue;
		}
		d->pairs[d->n_pairs++] = p;
	}
}

static void pairs_release(struct vh_health *h, struct vh_dest *d,
			  struct vh_pair **pairs, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pair_unlink(h, pairs[i], d);
	free(pairs);
}

static void dest_free(struct vh_health *h, struct vh_dest *d)
{
	struct vh_dest **pp;

	for (pp = &h->dest_hash[dest_hash(&d->svc, d->kd.addr, d->kd.port)];
	     *pp; pp = &(*pp)->hnext)
		if (*pp == d) {
			*pp = d->hnext;
			break;
		}
	if (d->prev)
		d->prev->next = d->next;
	else
		h->dests = d->next;
	if (d->next)
		d->next->prev = d->prev;
	h->n_dests--;
	pairs_release(h, d, d->pairs, d->n_pairs);
	free(d);
}

void vh_health_svc_add(struct vh_health *h, const struct vs_svc *svc)
{
	struct vs_svc *ns;

	if (svc_known(h, svc))
		return;
	ns = realloc(h->svcs, (h->n_svcs + 1) * sizeof(*ns));
	if (!ns)
		return;
	h->svcs = ns;
	memset(&ns[h->n_svcs], 0, sizeof(*ns));
	ns[h->n_svcs].af = svc->af;
	ns[h->n_svcs].protocol = svc->protocol;
	ns[h->n_svcs].addr = svc->addr;
	ns[h->n_svcs].port = svc->port;
	h->n_svcs++;
	/* Lists the quorum (state unknown) for show and metrics; it is
	 * decided once the service's servers are known and checked.
	 */
	quorum_eval(h, svc);
}

void vh_health_svc_del(struct vh_health *h, const struct vs_svc *svc,
		       uint64_t now)
{
	struct vh_dest *d, *next;
	size_t i;

	(void)now;
	for (d = h->dests; d; d = next) {
		next = d->next;
		if (svc_eq(&d->svc, svc))
			dest_free(h, d);
	}
	for (i = 0; i < h->n_svcs; i++)
		if (svc_eq(&h->svcs[i], svc)) {
			h->svcs[i] = h->svcs[--h->n_svcs];
			break;
		}
	/* A deleted service has no quorum to lose: no command runs. */
	quorum_drop(h, svc);
}

void vh_health_dest_update(struct vh_health *h, const struct vs_svc *svc,
			   const struct vs_dest *dest, uint64_t now)
{
	struct vh_dest *d = vh_health_find_dest(h, svc, dest->addr, dest->port);
	uint32_t b;

	vh_health_svc_add(h, svc);
	if (d) {
		struct vs_dest old = d->kd;

		d->kd = *dest;
		/* A reply without health (an older library) keeps ours. */
		if (!(dest->has & VS_DEST_HAS_HEALTH)) {
			d->kd.has |= old.has & (VS_DEST_HAS_HEALTH |
				VS_DEST_HAS_REASON | VS_DEST_HAS_PCT |
				VS_DEST_HAS_CAP);
			d->kd.health = old.health;
			memcpy(d->kd.reason, old.reason, sizeof(old.reason));
			d->kd.health_pct = old.health_pct;
			d->kd.health_cap = old.health_cap;
		}
		dest_sync(h, d, now);
		quorum_eval(h, svc);
		return;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return;
	d->svc.af = svc->af;
	d->svc.protocol = svc->protocol;
	d->svc.addr = svc->addr;
	d->svc.port = svc->port;
	d->kd = *dest;
	d->changed_ms = now;
	b = dest_hash(svc, dest->addr, dest->port);
	d->hnext = h->dest_hash[b];
	h->dest_hash[b] = d;
	d->next = h->dests;
	if (h->dests)
		h->dests->prev = d;
	h->dests = d;
	h->n_dests++;
	dest_bind(h, d);
	dest_sync(h, d, now);
	quorum_eval(h, svc);
}

void vh_health_dest_del(struct vh_health *h, const struct vs_svc *svc,
			const struct vs_dest *dest, uint64_t now)
{
	struct vh_dest *d = vh_health_find_dest(h, svc, dest->addr, dest->port);

	(void)now;
	if (!d)
		return;
	dest_free(h, d);
	quorum_eval(h, svc);
}

void vh_health_clear(struct vh_health *h)
{
	while (h->dests)
		dest_free(h, h->dests);
	free(h->svcs);
	h->svcs = NULL;
	h->n_svcs = 0;
	free(h->quorums);
	h->quorums = NULL;
	h->n_quorums = 0;
}

void vh_health_free(struct vh_health *h)
{
	if (!h)
		return;
	vh_health_clear(h);
	free(h->dest_hash);
	free(h->pair_hash);
	free(h);
}

/* Results. */

void vh_health_result(struct vh_health *h, struct vh_pair *p,
		      const struct vh_result *res, uint64_t now)
{
	enum vh_state old = p->state;
	struct vh_hist *e = &p->hist[p->hist_next];
	char ab[32];
	size_t i;

	e->at_ms = now;
	e->duration_us = res->duration_us;
	e->up = res->up;
	snprintf(e->reason, sizeof(e->reason), "%s", res->reason);
	p->hist_next = (p->hist_next + 1) % p->hist_cap;
	if (p->hist_len < p->hist_cap)
		p->hist_len++;
	p->last_duration_us = res->duration_us;
	snprintf(p->reason, sizeof(p->reason), "%s", res->reason);
	if (res->up) {
		p->n_up++;
		p->fail_run = 0;
		if (p->ok_run < VH_RUN_MAX)
			p->ok_run++;
		p->pct = res->pct;
		p->cap = res->cap;
		if (p->state != VH_UP && p->ok_run >= p->check->rise)
			p->state = VH_UP;
	} else {
		snprintf(p->fail_reason, sizeof(p->fail_reason), "%s",
			 res->reason);
		p->n_down++;
		p->ok_run = 0;
		if (p->fail_run < VH_RUN_MAX)
			p->fail_run++;
		if (p->state != VH_DOWN && p->fail_run >= p->check->fall)
			p->state = VH_DOWN;
	}
	if (p->state != old) {
		p->changed_ms = now;
		vh_info("%s %s: %s after %u %s (%s)",
			vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
			p->check->name, vh_state_name(p->state),
			p->state == VH_UP ? p->ok_run : p->fail_run,
			p->state == VH_UP ? "successes" : "failures",
			p->reason);
	}
	/* Every result, not only transitions: this also repairs a kernel
	 * whose health someone else changed, and retries a failed send.
	 */
	for (i = 0; i < p->n_dests; i++)
		if (dest_sync(h, p->dests[i], now))
			quorum_eval(h, &p->dests[i]->svc);
}

void vh_health_reconfigure(struct vh_health *h, const struct vh_config *cfg,
			   uint64_t now)
{
	struct vh_dest *d;
	struct vh_pair *p;
	size_t i;

	h->cfg = cfg;
	/* Bind to the new checks first, so that unchanged pairs never drop
	 * to zero users and keep their state; then let go of the old ones.
	 */
	for (d = h->dests; d; d = d->next) {
		struct vh_pair **old = d->pairs;
		size_t n_old = d->n_pairs;

		dest_bind(h, d);
		pairs_release(h, d, old, n_old);
	}
	for (p = h->pairs; p; p = p->next) {
		uint32_t want = cfg->history ? cfg->history : 1;
		struct vh_hist *nh;

		if (p->hist_cap == want)
			continue;
		nh = calloc(want, sizeof(*nh));
		if (!nh)
			continue;
		free(p->hist);
		p->hist = nh;
		p->hist_cap = want;
		p->hist_len = p->hist_next = 0;
	}
	for (d = h->dests; d; d = d->next)
		dest_sync(h, d, now);
	for (i = 0; i < h->n_quorums;) {
		const struct vh_service_cfg *c =
			vh_config_service(cfg, h->quorums[i].svc.protocol,
					  h->quorums[i].svc.addr,
					  h->quorums[i].svc.port);

		if (!c || !c->has_quorum)
			h->quorums[i] = h->quorums[--h->n_quorums];
		else
			i++;
	}
	for (i = 0; i < h->n_svcs; i++)
		quorum_eval(h, &h->svcs[i]);
}
