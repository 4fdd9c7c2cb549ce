// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm -L: services, connections and timeouts, laid out as ipvsadm -L
 * lays them out (columns, truncation, K/M/G counters), or as JSON (-j),
 * through the one print path of out.c. JSON addresses are always numeric
 * and JSON always carries the counters.
 *
 * When the kernel reports health (any server with a STATE), the server
 * lines gain the effective weight after the admin weight and, after the
 * connection counts, the state, its age and the reason; a listing
 * without health information keeps ipvsadm's exact layout.
 */

#include <arpa/inet.h>
#include <string.h>

#include "line.h"
#include "out.h"
#include "text.h"
#include "vsadm.h"

static void print_stats(struct vsadm_out *o, const struct vs_stats *st,
			unsigned int fmt)
{
	static const struct {
		const char *key;
		size_t off;
	} fields[] = {
		{ "conns",	offsetof(struct vs_stats, conns) },
		{ "inpkts",	offsetof(struct vs_stats, inpkts) },
		{ "outpkts",	offsetof(struct vs_stats, outpkts) },
		{ "inbytes",	offsetof(struct vs_stats, inbytes) },
		{ "outbytes",	offsetof(struct vs_stats, outbytes) },
	};
	bool text = fmt & VSADM_F_STATS;
	char buf[32];
	size_t i;

	out_open_obj(o, "stats");
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
		uint64_t v;

		memcpy(&v, (const char *)st + fields[i].off, sizeof(v));
		if (text && !o->json) {
			vsadm_largenum(v, fmt & VSADM_F_EXACT, buf, sizeof(buf));
			out_text(o, "%s", buf);
		}
		out_uint(o, fields[i].key, NULL, v);
	}
	out_close(o);
}

/* The last text column: "[sorry] [drain 29s left] reason". */
static void dest_notes(const struct vs_dest *d, char *buf, size_t len)
{
	char left[32];
	int n = 0;

	buf[0] = '\0';
	if (d->flags & VSCHED_DEST_F_SORRY)
		n += snprintf(buf + n, len - (size_t)n, "[sorry] ");
	if ((d->has & VS_DEST_HAS_DRAIN_LEFT) && (size_t)n < len) {
		vsadm_age_str(d->drain_left_ms, left, sizeof(left));
		n += snprintf(buf + n, len - (size_t)n, "[drain %s left] ",
			      left);
	}
	/* Any netlink client can set the reason: no control character
	 * or broken UTF-8 reaches the terminal (text.h).
	 */
	if ((d->has & VS_DEST_HAS_REASON) && (size_t)n < len)
		vs_text_clean(buf + n, len - (size_t)n, d->reason,
			      strnlen(d->reason, sizeof(d->reason)));
	/* No trailing blank when there is no reason. */
	n = (int)strlen(buf);
	while (n && buf[n - 1] == ' ')
		buf[--n] = '\0';
}

/* Health as the kernel reported it (JSON): keys only for what it sent. */
static void print_dest_health(struct vsadm_out *o, const struct vs_dest *d)
{
	if (d->has & VS_DEST_HAS_STATE)
		out_str(o, "state", NULL, vsadm_dest_state_name(d->state));
	if (d->has & VS_DEST_HAS_STATE_AGE)
		out_uint(o, "state_age_ms", NULL, d->state_age_ms);
	if (d->has & VS_DEST_HAS_REASON)
		out_str(o, "reason", NULL, d->reason);
	if (d->has & VS_DEST_HAS_HEALTH)
		out_str(o, "health", NULL,
			d->health == VSCHED_HEALTH_UP ? "up" : "down");
	if (d->has & VS_DEST_HAS_PCT)
		out_uint(o, "health_pct", NULL, d->health_pct);
	if (d->has & VS_DEST_HAS_CAP) {
		if (d->health_cap == VSCHED_HEALTH_CAP_NONE)
			out_null(o, "health_cap");
		else
			out_uint(o, "health_cap", NULL, d->health_cap);
	}
	if (d->has & VS_DEST_HAS_DRAIN_LEFT)
		out_uint(o, "drain_left_ms", NULL, d->drain_left_ms);
	else if (d->has & VS_DEST_HAS_STATE)
		out_null(o, "drain_left_ms");	/* not draining */
}

/* The health columns of a text line: state, age, "[sorry] ... reason". */
static void line_dest_health(struct line_buf *l, const struct vs_dest *d)
{
	char notes[4 * VSCHED_REASON_MAX + 64];
	size_t start;

	line_str(l, " ");
	start = l->len;
	line_str(l, d->has & VS_DEST_HAS_STATE ?
		 vsadm_dest_state_name(d->state) : "-");
	line_pad(l, start, 8, false);
	line_str(l, " ");
	start = l->len;
	if (d->has & VS_DEST_HAS_STATE_AGE)
		line_age(l, d->state_age_ms);
	else
		line_str(l, "-");
	/* Padded only when something follows: no trailing blanks. */
	dest_notes(d, notes, sizeof(notes));
	if (notes[0]) {
		line_pad(l, start, 7, false);
		line_str(l, " ");
		line_str(l, notes);
	}
}

/*
 * A server in text, written at once: a printf per line (and one more per
 * column before that) made formatting most of what -Ln of 100,000
 * servers cost. The effective weight and the health columns come after
 * ipvsadm's columns, so scripts that read them by position keep working.
 */
static void print_dest_text(FILE *f, const struct vs_svc *svc,
			    const struct vs_dest *d, unsigned int fmt,
			    bool health)
{
	struct line_buf l;
	char name[300], big[32];
	size_t start, i;

	line_init(&l);
	line_str(&l, "  -> ");
	start = l.len;
	if (fmt & VSADM_F_NUMERIC) {
		line_addrport4(&l, d->addr, d->port);
	} else {
		vsadm_addrport_str(d->addr, d->port, svc->protocol, false,
				   name, sizeof(name));
		line_str(&l, name);
	}
	line_pad(&l, start, 28, true);		/* ipvsadm's column */
	if (fmt & VSADM_F_STATS) {
		const uint64_t v[] = {
			d->stats.conns, d->stats.inpkts, d->stats.outpkts,
			d->stats.inbytes, d->stats.outbytes,
		};

		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			vsadm_largenum(v[i], fmt & VSADM_F_EXACT, big,
				       sizeof(big));
			line_str(&l, big);
		}
	} else {
		const uint64_t v[] = {
			d->weight, d->active_conns, d->inact_conns,
		};
		static const size_t width[] = { 6, 10, 10 };

		line_str(&l, " ");
		start = l.len;
		line_str(&l, vsadm_fwd_name(d->fwd));
		line_pad(&l, start, 7, false);
		for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
			line_str(&l, " ");
			start = l.len;
			line_uint(&l, v[i]);
			line_pad(&l, start, width[i], false);
		}
		if (health) {
			line_str(&l, " ");
			start = l.len;
			if (d->has & VS_DEST_HAS_EFF_WEIGHT)
				line_uint(&l, d->eff_weight);
			else
				line_str(&l, "-");
			line_pad(&l, start, 6, false);
			line_dest_health(&l, d);
		}
	}
	line_str(&l, "\n");
	fwrite(l.buf, 1, l.len, f);
}

static void print_dest(struct vsadm_out *o, const struct vs_svc *svc,
		       const struct vs_dest *d, unsigned int fmt, bool health)
{
	char a[INET_ADDRSTRLEN];

	if (!o->json) {
		print_dest_text(o->f, svc, d, fmt, health);
		return;
	}
	out_open_obj(o, NULL);
	inet_ntop(AF_INET, &d->addr, a, sizeof(a));
	out_str(o, "address", NULL, a);
	out_uint(o, "port", NULL, d->port);
	out_str(o, "forward", NULL, d->fwd == VSCHED_FWD_MASQ ? "masq" : "?");
	out_uint(o, "weight", NULL, d->weight);
	out_bool(o, "sorry", d->flags & VSCHED_DEST_F_SORRY);
	out_uint(o, "active_conns", NULL, d->active_conns);
	out_uint(o, "inactive_conns", NULL, d->inact_conns);
	if (d->has & VS_DEST_HAS_EFF_WEIGHT)
		out_uint(o, "eff_weight", NULL, d->eff_weight);
	print_dest_health(o, d);
	print_stats(o, &d->stats, fmt);
	out_close(o);
}

/* As ipvsadm: "sh (sh-fallback,sh-port)"; in JSON, an array of names. */
static void print_sched_flags(struct vsadm_out *o, const struct vs_svc *svc,
			      bool stats)
{
	char name[32];
	unsigned int bit, n = 0;

	if (!(svc->has & VS_SVC_HAS_SCHED_FLAGS))
		return;
	out_open_arr(o, "sched_flags");
	for (bit = 0; bit < 32; bit++)
		if (svc->sched_flags & (1U << bit))
			out_str(o, NULL, stats ? NULL : n++ ? ",%s" : " (%s",
				vsadm_sched_flag_name(svc->sched, bit, name,
						      sizeof(name)));
	out_close(o);
	if (n)
		out_text(o, ")");
}

static void print_svc(struct vsadm_out *o, const struct vsadm_svc_entry *e,
		      unsigned int fmt, bool health)
{
	const struct vs_svc *svc = &e->svc;
	bool stats = fmt & VSADM_F_STATS;
	char name[320], ap[300], a[INET_ADDRSTRLEN];
	size_t i;

	out_open_obj(o, NULL);
	if (!o->json) {
		vsadm_addrport_str(svc->addr, svc->port, svc->protocol,
				   fmt & VSADM_F_NUMERIC, ap, sizeof(ap));
		snprintf(name, sizeof(name), "%s  %s",
			 vsadm_proto_name(svc->protocol), ap);
		name[33] = '\0';	/* ipvsadm's column */
		out_text(o, stats ? "%-33s" : "%s", name);
	}
	inet_ntop(AF_INET, &svc->addr, a, sizeof(a));
	out_str(o, "protocol", NULL, vsadm_proto_name(svc->protocol));
	out_str(o, "address", NULL, a);
	out_uint(o, "port", NULL, svc->port);
	out_str(o, "scheduler", stats ? NULL : " %s", svc->sched);
	print_sched_flags(o, svc, stats);
	out_open_arr(o, "flags");
	if (svc->flags & VSCHED_SVC_F_EXPIRE_ON_DELETE)
		out_str(o, NULL, stats ? NULL : " %s", "expire_on_delete");
	if (svc->flags & VSCHED_SVC_F_DOWN_RESET)
		out_str(o, NULL, stats ? NULL : " %s", "down_reset");
	out_close(o);
	if (svc->has & VS_SVC_HAS_FLAGS)
		out_str(o, "down_policy", NULL,
			svc->flags & VSCHED_SVC_F_DOWN_RESET ? "reset" :
							       "quiesce");
	if (svc->has & VS_SVC_HAS_WARMUP)
		out_uint(o, "warmup", stats || !svc->warmup ? NULL :
				      " warmup %llu", svc->warmup);
	print_stats(o, &svc->stats, fmt);
	out_text(o, "\n");
	out_open_arr(o, "real_servers");
	for (i = 0; i < e->n_dests; i++)
		print_dest(o, svc, &e->dests[i], fmt, health);
	out_close(o);
	out_close(o);
}

void vsadm_print_services(FILE *f, const struct vs_info *info,
			  const struct vsadm_state *st, bool header,
			  unsigned int fmt)
{
	struct vsadm_out o;
	bool health = false;
	size_t i, j;

	for (i = 0; i < st->n; i++)
		for (j = 0; j < st->svcs[i].n_dests; j++)
			if (st->svcs[i].dests[j].has & VS_DEST_HAS_STATE)
				health = true;
	out_begin(&o, f, fmt & VSADM_F_JSON);
	if (header && info) {
		out_str(&o, "version", "vsched version %s", info->version);
		out_uint(&o, "connections", " (connections %llu",
			 info->conn_count);
		out_uint(&o, "max_connections", "/%llu)\n", info->conn_max);
	}
	if (fmt & VSADM_F_STATS)
		out_text(&o, "%-33s %8s %8s %8s %8s %8s\n"
			 "  -> RemoteAddress:Port\n",
			 "Prot LocalAddress:Port", "Conns", "InPkts",
			 "OutPkts", "InBytes", "OutBytes");
	else if (health)
		out_text(&o, "Prot LocalAddress:Port Scheduler Flags\n"
			 "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn  EffWgt State    Since   Reason\n");
	else
		out_text(&o, "Prot LocalAddress:Port Scheduler Flags\n"
			 "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n");
	out_open_arr(&o, "services");
	for (i = 0; i < st->n; i++)
		print_svc(&o, &st->svcs[i], fmt, health);
	out_close(&o);
	out_end(&o);
}

void vsadm_print_conns(FILE *f, const struct vs_conn *conns, size_t n,
		       unsigned int fmt)
{
	bool numeric = fmt & VSADM_F_NUMERIC;
	char c[300], v[300], d[300], a[INET_ADDRSTRLEN], exp[16];
	struct vsadm_out o;
	size_t i;

	out_begin(&o, f, fmt & VSADM_F_JSON);
	out_text(&o, "vsched connection entries\n"
		 "pro expire %-11s %-18s %-18s %s\n",
		 "state", "source", "virtual", "destination");
	out_open_arr(&o, "connections");
	for (i = 0; i < n; i++) {
		const struct vs_conn *cn = &conns[i];
		unsigned int secs = cn->expires_ms / 1000;

		out_open_obj(&o, NULL);
		if (!o.json) {
			vsadm_addrport_str(cn->caddr, cn->cport, cn->protocol,
					   numeric, c, sizeof(c));
			vsadm_addrport_str(cn->vaddr, cn->vport, cn->protocol,
					   numeric, v, sizeof(v));
			vsadm_addrport_str(cn->daddr, cn->dport, cn->protocol,
					   numeric, d, sizeof(d));
			snprintf(exp, sizeof(exp), "%02u:%02u", secs / 60,
				 secs % 60);
			out_text(&o, "%-3s %-6s %-11s %-18s %-18s %s\n",
				 vsadm_proto_name(cn->protocol), exp,
				 vsadm_state_name(cn->protocol, cn->state),
				 c, v, d);
		}
		out_str(&o, "protocol", NULL, vsadm_proto_name(cn->protocol));
		out_uint(&o, "expires_ms", NULL, cn->expires_ms);
		out_str(&o, "state", NULL,
			vsadm_state_name(cn->protocol, cn->state));
		inet_ntop(AF_INET, &cn->caddr, a, sizeof(a));
		out_str(&o, "client_address", NULL, a);
		out_uint(&o, "client_port", NULL, cn->cport);
		inet_ntop(AF_INET, &cn->vaddr, a, sizeof(a));
		out_str(&o, "virtual_address", NULL, a);
		out_uint(&o, "virtual_port", NULL, cn->vport);
		inet_ntop(AF_INET, &cn->daddr, a, sizeof(a));
		out_str(&o, "server_address", NULL, a);
		out_uint(&o, "server_port", NULL, cn->dport);
		out_str(&o, "forward", NULL,
			cn->fwd == VSCHED_FWD_MASQ ? "masq" : "?");
		out_close(&o);
	}
	out_close(&o);
	out_end(&o);
}

void vsadm_print_timeouts(FILE *f, const struct vs_config *cfg,
			  unsigned int fmt)
{
	struct vsadm_out o;

	out_begin(&o, f, fmt & VSADM_F_JSON);
	out_uint(&o, "tcp", "Timeout (tcp tcpfin udp): %llu", cfg->tcp_est);
	out_uint(&o, "tcpfin", " %llu", cfg->tcp_fin);
	out_uint(&o, "udp", " %llu\n", cfg->udp);
	out_uint(&o, "tcp_syn", NULL, cfg->tcp_syn);
	out_uint(&o, "tcp_time_wait", NULL, cfg->tcp_time_wait);
	out_uint(&o, "tcp_close", NULL, cfg->tcp_close);
	out_uint(&o, "max_connections", NULL, cfg->conn_max);
	out_end(&o);
}
