// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition (format 0.0.4) of the health registry:
 * per server (service, server) and per check (server, check), plus the
 * daemon's own counters. A pure function (report.h): metrics.c serves it.
 */

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "report.h"

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *name, const char *val, bool comma)
{
	fprintf(f, "%s%s=\"", comma ? "," : "", name);
	for (; *val; val++) {
		if (*val == '\\' || *val == '"')
			fprintf(f, "\\%c", *val);
		else if (*val == '\n')
			fputs("\\n", f);
		else
			fputc(*val, f);
	}
	fputc('"', f);
}

static void head(FILE *f, const char *name, const char *type,
		 const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void dest_labels(FILE *f, const struct vh_dest *d)
{
	char sb[48], db[32];

	put_label(f, "service", vh_svc_str(&d->svc, sb, sizeof(sb)), false);
	put_label(f, "server", vh_addr_str(d->kd.addr, d->kd.port, db,
					   sizeof(db)), true);
}

static void pair_labels(FILE *f, const struct vh_pair *p)
{
	char ab[32];

	put_label(f, "server", vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		  false);
	put_label(f, "check", p->check->name, true);
	put_label(f, "type", vh_check_type_name(p->check->type), true);
}

/* Pairs in a stable order: by creation, oldest first. */
static struct vh_pair **pairs_in_order(const struct vh_health *h, size_t *n)
{
	struct vh_pair **v, *p;
	size_t i = h->n_pairs;

	*n = 0;
	if (!h->n_pairs)
		return NULL;
	v = calloc(h->n_pairs, sizeof(*v));
	if (!v)
		return NULL;
	/* The list is newest first. */
	for (p = h->pairs; p && i; p = p->next)
		v[--i] = p;
	*n = h->n_pairs - i;
	if (i)
		memmove(v, v + i, *n * sizeof(*v));
	return v;
}

static void render_dests(FILE *f, const struct vh_health *h)
{
	struct vh_dest **v;
	size_t n, i;

	v = vh_sorted_dests(h, &n);
	head(f, "vshealthd_server_up", "gauge",
	     "1 if the checks say the real server is up, 0 if down (absent while they have no opinion).");
	for (i = 0; i < n; i++) {
		if (!v[i]->n_pairs || !v[i]->verdict.known)
			continue;
		fputs("vshealthd_server_up{", f);
		dest_labels(f, v[i]);
		fprintf(f, "} %d\n",
			v[i]->verdict.health == VSCHED_HEALTH_UP);
	}
	head(f, "vshealthd_server_weight_percent", "gauge",
	     "Share of the admin weight the checks allow (HEALTH_PCT), while up.");
	for (i = 0; i < n; i++) {
		if (!v[i]->verdict.known ||
		    v[i]->verdict.health != VSCHED_HEALTH_UP)
			continue;
		fputs("vshealthd_server_weight_percent{", f);
		dest_labels(f, v[i]);
		fprintf(f, "} %u\n", v[i]->verdict.pct);
	}
	head(f, "vshealthd_health_updates_sent_total", "counter",
	     "Health updates (HEALTH, REASON, PCT, CAP) sent to the kernel for the server.");
	for (i = 0; i < n; i++) {
		fputs("vshealthd_health_updates_sent_total{", f);
		dest_labels(f, v[i]);
		fprintf(f, "} %llu\n", (unsigned long long)v[i]->n_sent);
	}
	free(v);
}

static void render_pairs(FILE *f, const struct vh_health *h)
{
	struct vh_pair **v;
	size_t n, i;

	v = pairs_in_order(h, &n);
	head(f, "vshealthd_check_up", "gauge",
	     "1 if the check passes (after rise), 0 if it fails (after fall), -1 while unknown.");
	for (i = 0; i < n; i++) {
		fputs("vshealthd_check_up{", f);
		pair_labels(f, v[i]);
		fprintf(f, "} %d\n", v[i]->state == VH_UP ? 1 :
			v[i]->state == VH_DOWN ? 0 : -1);
	}
	head(f, "vshealthd_check_results_total", "counter",
	     "Probe results of the check against the server.");
	for (i = 0; i < n; i++) {
		fputs("vshealthd_check_results_total{", f);
		pair_labels(f, v[i]);
		fprintf(f, ",result=\"up\"} %llu\n",
			(unsigned long long)v[i]->n_up);
		fputs("vshealthd_check_results_total{", f);
		pair_labels(f, v[i]);
		fprintf(f, ",result=\"down\"} %llu\n",
			(unsigned long long)v[i]->n_down);
	}
	head(f, "vshealthd_check_skipped_total", "counter",
	     "Probe ticks skipped because the previous probe was still running.");
	for (i = 0; i < n; i++) {
		fputs("vshealthd_check_skipped_total{", f);
		pair_labels(f, v[i]);
		fprintf(f, "} %llu\n", (unsigned long long)v[i]->n_skipped);
	}
	head(f, "vshealthd_probe_duration_seconds", "gauge",
	     "How long the latest probe of the check took.");
	for (i = 0; i < n; i++) {
		if (!v[i]->n_up && !v[i]->n_down)
			continue;
		fputs("vshealthd_probe_duration_seconds{", f);
		pair_labels(f, v[i]);
		fprintf(f, "} %.6f\n", v[i]->last_duration_us / 1e6);
	}
	free(v);
}

static void render_quorums(FILE *f, const struct vh_health *h)
{
	char sb[48];
	size_t i;

	head(f, "vshealthd_quorum_reached", "gauge",
	     "1 if the service's up servers reach its quorum, 0 if not.");
	for (i = 0; i < h->n_quorums; i++) {
		if (h->quorums[i].state < 0)
			continue;
		fputs("vshealthd_quorum_reached{", f);
		put_label(f, "service", vh_svc_str(&h->quorums[i].svc, sb,
						   sizeof(sb)), false);
		fprintf(f, "} %d\n", h->quorums[i].state);
	}
	head(f, "vshealthd_quorum_weight", "gauge",
	     "Total weight of the service's up servers, as the quorum counts it.");
	for (i = 0; i < h->n_quorums; i++) {
		fputs("vshealthd_quorum_weight{", f);
		put_label(f, "service", vh_svc_str(&h->quorums[i].svc, sb,
						   sizeof(sb)), false);
		fprintf(f, "} %u\n", h->quorums[i].weight);
	}
}

static void counter(FILE *f, const char *name, const char *help,
		    uint64_t v)
{
	head(f, name, "counter", help);
	fprintf(f, "%s %llu\n", name, (unsigned long long)v);
}

void vh_metrics_render(FILE *f, const struct vh_health *h,
		       const struct vh_stats *st, bool kernel_connected)
{
	render_dests(f, h);
	render_pairs(f, h);
	render_quorums(f, h);
	head(f, "vshealthd_kernel_connected", "gauge",
	     "1 while the vsched generic netlink family is reachable.");
	fprintf(f, "vshealthd_kernel_connected %d\n", kernel_connected);
	head(f, "vshealthd_checks_active", "gauge",
	     "(server, check) pairs being probed.");
	fprintf(f, "vshealthd_checks_active %zu\n", h->n_pairs);
	counter(f, "vshealthd_health_update_errors_total",
		"Health updates the kernel refused or that could not be sent.",
		h->n_send_errors);
	counter(f, "vshealthd_config_reloads_total",
		"Configuration reloads (SIGHUP) that were applied.",
		st->reloads_ok);
	counter(f, "vshealthd_config_reload_failures_total",
		"Configuration reloads refused because the new file had errors.",
		st->reloads_failed);
	counter(f, "vshealthd_kernel_resyncs_total",
		"Full re-reads of the kernel's servers after lost events.",
		st->kernel_resyncs);
	counter(f, "vshealthd_kernel_losses_total",
		"Times the vsched module went away.", st->kernel_losses);
	counter(f, "vshealthd_probe_start_errors_total",
		"Probes that could not start for a local reason (no result counted).",
		st->probe_start_errors);
	counter(f, "vshealthd_quorum_commands_total",
		"quorum_up / quorum_down commands started.", st->quorum_cmds);
	counter(f, "vshealthd_quorum_command_failures_total",
		"quorum_up / quorum_down commands that could not start or exited non-zero.",
		st->quorum_cmd_failures);
}
