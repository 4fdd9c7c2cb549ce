/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the daemon tells people and Prometheus, as pure functions of the
 * health registry and a clock: the control socket's "show" (text and
 * JSON) and the metrics text. No I/O but the FILE they write to, so the
 * unit tests can read them.
 */
#ifndef VH_REPORT_H
#define VH_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "health.h"

struct vh_stats;

/* Times: @now_ms on health.c's monotonic clock, @wall_ms the same instant
 * in ms since the epoch (for absolute "since" timestamps).
 */
struct vh_clock {
	uint64_t now_ms;
	uint64_t wall_ms;
};

/* Every (service, server) with its verdict, checks and their history. */
void vh_show_text(FILE *f, const struct vh_health *h,
		  const struct vh_clock *clk);
json_t *vh_show_json(const struct vh_health *h, const struct vh_clock *clk);

/* The Prometheus text exposition format (version 0.0.4). */
void vh_metrics_render(FILE *f, const struct vh_health *h,
		       const struct vh_stats *st, bool kernel_connected);

/* The dests of @h sorted by service then server, for stable output;
 * malloc()ed, *@n set. NULL with *@n = 0 when there are none.
 */
struct vh_dest **vh_sorted_dests(const struct vh_health *h, size_t *n);

#endif /* VH_REPORT_H */
