// SPDX-License-Identifier: GPL-2.0
/*
 * "show" on the control socket: every (service, server) the kernel has,
 * the daemon's verdict and why, and each check's state and recent
 * results, as text for people or JSON for scripts (report.h).
 */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report.h"
#include "text.h"

/* A reason for the text view: clean already when it comes from a probe
 * (probe.c), cleaned again here because it is what a terminal shows.
 */
#define REASON_SHOWN	(4 * VSCHED_REASON_MAX)

static const char *shown(const char *reason, char *buf)
{
	vs_text_clean(buf, REASON_SHOWN, reason, strlen(reason));
	return buf;
}

static int cmp_u32(uint32_t a, uint32_t b)
{
	return a < b ? -1 : a > b;
}

static int dest_cmp(const void *pa, const void *pb)
{
	const struct vh_dest *a = *(struct vh_dest *const *)pa;
	const struct vh_dest *b = *(struct vh_dest *const *)pb;
	int r;

	if ((r = cmp_u32(a->svc.protocol, b->svc.protocol)) ||
	    (r = cmp_u32(ntohl(a->svc.addr.s_addr),
			 ntohl(b->svc.addr.s_addr))) ||
	    (r = cmp_u32(a->svc.port, b->svc.port)) ||
	    (r = cmp_u32(ntohl(a->kd.addr.s_addr),
			 ntohl(b->kd.addr.s_addr))))
		return r;
	return cmp_u32(a->kd.port, b->kd.port);
}

struct vh_dest **vh_sorted_dests(const struct vh_health *h, size_t *n)
{
	struct vh_dest **v, *d;
	size_t i = 0;

	*n = 0;
	if (!h->n_dests)
		return NULL;
	v = calloc(h->n_dests, sizeof(*v));
	if (!v)
		return NULL;
	for (d = h->dests; d && i < h->n_dests; d = d->next)
		v[i++] = d;
	qsort(v, i, sizeof(*v), dest_cmp);
	*n = i;
	return v;
}

static bool same_svc(const struct vs_svc *a, const struct vs_svc *b)
{
	return a->protocol == b->protocol && a->addr.s_addr == b->addr.s_addr &&
	       a->port == b->port;
}

static const struct vh_quorum *find_quorum(const struct vh_health *h,
					   const struct vs_svc *s)
{
	size_t i;

	for (i = 0; i < h->n_quorums; i++)
		if (same_svc(&h->quorums[i].svc, s))
			return &h->quorums[i];
	return NULL;
}

static const char *verdict_name(const struct vh_verdict *v)
{
	if (!v->known)
		return "unknown";
	return v->health == VSCHED_HEALTH_UP ? "up" : "down";
}

/* Seconds from @then to now; 0 if @then is in the future (clock skew of
 * the tests' fake clock).
 */
static double ago_s(const struct vh_clock *clk, uint64_t then)
{
	return then <= clk->now_ms ? (clk->now_ms - then) / 1000.0 : 0.0;
}

/* ISO 8601 UTC of monotonic instant @then. */
static const char *iso_time(const struct vh_clock *clk, uint64_t then,
			    char *buf, size_t len)
{
	uint64_t back = then <= clk->now_ms ? clk->now_ms - then : 0;
	uint64_t wall = clk->wall_ms > back ? clk->wall_ms - back : 0;
	time_t t = wall / 1000;
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (unsigned int)(wall % 1000));
	return buf;
}

/* The history ring, oldest first: the @i-th entry. */
static const struct vh_hist *hist_at(const struct vh_pair *p, uint32_t i)
{
	return &p->hist[(p->hist_next + p->hist_cap - p->hist_len + i) %
			p->hist_cap];
}

static void text_pair(FILE *f, const struct vh_pair *p,
		      const struct vh_clock *clk)
{
	char ab[32], rb[REASON_SHOWN];
	uint32_t i;

	fprintf(f, "    check %s (%s %s): %s", p->check->name,
		vh_check_type_name(p->check->type),
		vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		vh_state_name(p->state));
	if (p->hist_len)
		fprintf(f, " (%s)", shown(p->reason, rb));
	if (p->changed_ms)
		fprintf(f, " for %.1f s", ago_s(clk, p->changed_ms));
	fprintf(f, ", rise %u/%u fall %u/%u, %llu up, %llu down, %llu skipped\n",
		p->ok_run < p->check->rise ? p->ok_run : p->check->rise,
		p->check->rise,
		p->fail_run < p->check->fall ? p->fail_run : p->check->fall,
		p->check->fall, (unsigned long long)p->n_up,
		(unsigned long long)p->n_down,
		(unsigned long long)p->n_skipped);
	for (i = 0; i < p->hist_len; i++) {
		const struct vh_hist *e = hist_at(p, i);

		fprintf(f, "      %8.1f s ago  %-4s %9.3f ms  %s\n",
			ago_s(clk, e->at_ms), e->up ? "up" : "down",
			e->duration_us / 1000.0, shown(e->reason, rb));
	}
}

static void text_svc_head(FILE *f, const struct vh_health *h,
			  const struct vs_svc *s)
{
	const struct vh_service_cfg *c;
	const struct vh_quorum *q;
	char sb[48];

	c = vh_config_service(h->cfg, s->protocol, s->addr, s->port);
	fprintf(f, "service %s%s\n", vh_svc_str(s, sb, sizeof(sb)),
		c ? "" : " (not in the configuration: not checked)");
	q = find_quorum(h, s);
	if (c && c->has_quorum)
		fprintf(f, "  quorum %s: weight %u of %u (hysteresis %u)\n",
			!q || q->state < 0 ? "unknown" :
			q->state ? "reached" : "lost",
			q ? q->weight : 0, c->quorum, c->hysteresis);
}

void vh_show_text(FILE *f, const struct vh_health *h,
		  const struct vh_clock *clk)
{
	struct vh_dest **v;
	const struct vs_svc *cur = NULL;
	char db[32], rb[REASON_SHOWN];
	size_t n, i, k;

	v = vh_sorted_dests(h, &n);
	/* Services the kernel has without any server: say so. */
	for (i = 0; i < h->n_svcs; i++) {
		for (k = 0; k < n; k++)
			if (same_svc(&v[k]->svc, &h->svcs[i]))
				break;
		if (k == n) {
			text_svc_head(f, h, &h->svcs[i]);
			fprintf(f, "  no real servers\n");
		}
	}
	for (i = 0; i < n; i++) {
		const struct vh_dest *d = v[i];

		if (!cur || !same_svc(cur, &d->svc)) {
			cur = &d->svc;
			text_svc_head(f, h, cur);
		}
		fprintf(f, "  server %s: %s",
			vh_addr_str(d->kd.addr, d->kd.port, db, sizeof(db)),
			d->n_pairs ? verdict_name(&d->verdict) : "not checked");
		if (d->verdict.known)
			fprintf(f, " (%s)", shown(d->verdict.reason, rb));
		if (d->verdict.known && d->verdict.health == VSCHED_HEALTH_UP &&
		    d->verdict.pct != 100)
			fprintf(f, " at %u%%", d->verdict.pct);
		if (d->verdict.known && d->verdict.health == VSCHED_HEALTH_UP &&
		    d->verdict.cap != VSCHED_HEALTH_CAP_NONE)
			fprintf(f, " capped at %u", d->verdict.cap);
		fprintf(f, " for %.1f s, admin weight %u, %llu updates sent\n",
			ago_s(clk, d->changed_ms), d->kd.weight,
			(unsigned long long)d->n_sent);
		for (k = 0; k < d->n_pairs; k++)
			text_pair(f, d->pairs[k], clk);
	}
	if (!h->n_svcs && !n)
		fprintf(f, "no services (is the vsched module loaded and configured?)\n");
	free(v);
}

static json_t *json_pair(const struct vh_pair *p, const struct vh_clock *clk)
{
	json_t *o, *hist = json_array();
	char ab[32], tb[80];
	uint32_t i;

	for (i = 0; i < p->hist_len; i++) {
		const struct vh_hist *e = hist_at(p, i);

		json_array_append_new(hist, json_pack("{s:s, s:f, s:b, s:f, s:o}",
			"at", iso_time(clk, e->at_ms, tb, sizeof(tb)),
			"ago_s", ago_s(clk, e->at_ms), "up", e->up,
			"duration_ms", e->duration_us / 1000.0,
			"reason", vs_json_text(e->reason)));
	}
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:f, s:o}",
		"check", p->check->name,
		"type", vh_check_type_name(p->check->type),
		"target", vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		"state", vh_state_name(p->state),
		"rise", (json_int_t)p->check->rise,
		"fall", (json_int_t)p->check->fall,
		"ok_run", (json_int_t)p->ok_run,
		"fail_run", (json_int_t)p->fail_run,
		"results_up", (json_int_t)p->n_up,
		"results_down", (json_int_t)p->n_down,
		"skipped", (json_int_t)p->n_skipped,
		"last_duration_ms", p->last_duration_us / 1000.0,
		"history", hist);
	if (p->hist_len)
		json_object_set_new(o, "reason", vs_json_text(p->reason));
	if (p->changed_ms) {
		json_object_set_new(o, "since",
			json_string(iso_time(clk, p->changed_ms, tb, sizeof(tb))));
		json_object_set_new(o, "for_s",
				    json_real(ago_s(clk, p->changed_ms)));
	}
	return o;
}

static json_t *json_dest(const struct vh_dest *d, const struct vh_clock *clk)
{
	json_t *o, *checks = json_array();
	char db[32], tb[80];
	size_t k;

	for (k = 0; k < d->n_pairs; k++)
		json_array_append_new(checks, json_pair(d->pairs[k], clk));
	o = json_pack("{s:s, s:s, s:s, s:f, s:I, s:I, s:o}",
		"server", vh_addr_str(d->kd.addr, d->kd.port, db, sizeof(db)),
		"state", d->n_pairs ? verdict_name(&d->verdict) : "unchecked",
		"since", iso_time(clk, d->changed_ms, tb, sizeof(tb)),
		"for_s", ago_s(clk, d->changed_ms),
		"weight", (json_int_t)d->kd.weight,
		"updates_sent", (json_int_t)d->n_sent,
		"checks", checks);
	if (d->verdict.known) {
		json_object_set_new(o, "reason",
				    vs_json_text(d->verdict.reason));
		if (d->verdict.health == VSCHED_HEALTH_UP) {
			json_object_set_new(o, "pct",
					    json_integer(d->verdict.pct));
			if (d->verdict.cap != VSCHED_HEALTH_CAP_NONE)
				json_object_set_new(o, "cap",
					json_integer(d->verdict.cap));
		}
	}
	return o;
}

static json_t *json_svc(const struct vh_health *h, const struct vs_svc *s)
{
	const struct vh_service_cfg *c;
	const struct vh_quorum *q;
	char sb[48];
	json_t *o;

	c = vh_config_service(h->cfg, s->protocol, s->addr, s->port);
	o = json_pack("{s:s, s:b, s:[]}", "service",
		      vh_svc_str(s, sb, sizeof(sb)), "configured", c != NULL,
		      "servers");
	q = find_quorum(h, s);
	if (c && c->has_quorum)
		json_object_set_new(o, "quorum", json_pack("{s:s, s:I, s:I, s:I}",
			"state", !q || q->state < 0 ? "unknown" :
				 q->state ? "reached" : "lost",
			"weight", (json_int_t)(q ? q->weight : 0),
			"quorum", (json_int_t)c->quorum,
			"hysteresis", (json_int_t)c->hysteresis));
	return o;
}

json_t *vh_show_json(const struct vh_health *h, const struct vh_clock *clk)
{
	json_t *root = json_object(), *svcs = json_array(), *cur = NULL;
	const struct vs_svc *cur_svc = NULL;
	struct vh_dest **v;
	size_t n, i, k;

	v = vh_sorted_dests(h, &n);
	for (i = 0; i < h->n_svcs; i++) {
		for (k = 0; k < n; k++)
			if (same_svc(&v[k]->svc, &h->svcs[i]))
				break;
		if (k == n)
			json_array_append_new(svcs, json_svc(h, &h->svcs[i]));
	}
	for (i = 0; i < n; i++) {
		if (!cur_svc || !same_svc(cur_svc, &v[i]->svc)) {
			cur_svc = &v[i]->svc;
			cur = json_svc(h, cur_svc);
			json_array_append_new(svcs, cur);
		}
		json_array_append_new(json_object_get(cur, "servers"),
				      json_dest(v[i], clk));
	}
	free(v);
	json_object_set_new(root, "services", svcs);
	return root;
}
