// SPDX-License-Identifier: GPL-2.0
/*
 * Probe scheduling: every pair health.c creates gets a timer that fires
 * once per interval, each tick 0..jitter late (so that checks started
 * together spread out), and at most one probe in flight. A tick that
 * finds the previous probe still running is skipped and counted, never
 * queued: probes of a slow server must not pile up.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"
#include "probe.h"

struct vh_sched {
	struct vh_daemon *d;
	struct vh_pair *p;
	sd_event_source *timer;
	struct vh_probe *probe;		/* in flight, or NULL */
	const struct vh_check_cfg *probe_cfg;	/* the one it runs with */
	uint64_t base_us;		/* the tick's time before jitter */
	int start_err;			/* last vh_probe_start() error logged */
};

static uint64_t jitter_us(const struct vh_check_cfg *c)
{
	if (!c->jitter_ms)
		return 0;
	return (uint64_t)random() % ((uint64_t)c->jitter_ms * 1000 + 1);
}

static void arm(struct vh_sched *s)
{
	sd_event_source_set_time(s->timer, s->base_us + jitter_us(s->p->check));
	sd_event_source_set_enabled(s->timer, SD_EVENT_ONESHOT);
}

static void probe_done(void *arg, const struct vh_result *res)
{
	struct vh_sched *s = arg;

	s->probe = NULL;
	s->probe_cfg = NULL;
	vh_health_result(s->d->health, s->p, res, vh_now_ms(s->d));
}

static int on_tick(sd_event_source *src, uint64_t usec, void *arg)
{
	struct vh_sched *s = arg;
	struct vh_pair *p = s->p;
	struct vh_target t = { .addr = p->addr, .port = p->port };
	uint64_t ival = (uint64_t)p->check->interval_ms * 1000, now;
	char ab[32];
	int err;

	(void)src;
	(void)usec;	/* the time it was set for, not the time it is */
	sd_event_now(s->d->ev, CLOCK_MONOTONIC, &now);
	/* The next tick keeps the grid of the first one, so that jitter
	 * does not add up; after a stall (suspend, a slow step) the grid
	 * restarts from now rather than firing the missed ticks at once.
	 */
	s->base_us += ival;
	if (s->base_us <= now)
		s->base_us = now + ival;
	arm(s);
	if (s->probe) {
		p->n_skipped++;
		vh_debug("%s %s: previous probe still running, tick skipped",
			 vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
			 p->check->name);
		return 0;
	}
	err = vh_probe_start(p->check, &t, probe_done, s, &s->probe);
	if (err) {
		/* A probe that cannot start (no socket, no permission for
		 * ICMP) is a local problem and says nothing about the
		 * server: no result, the check keeps its state. Taking
		 * every server down for it (EMFILE under load) would turn
		 * a daemon problem into an outage.
		 */
		s->probe = NULL;
		s->d->stats.probe_start_errors++;
		if (err != s->start_err)
			vh_err("%s %s: probe not started: %s; no result until it can start",
			       vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
			       p->check->name, strerror(-err));
		s->start_err = err;
		return 0;
	}
	s->probe_cfg = p->check;
	s->start_err = 0;
	return 0;
}

void vh_sched_pair_new(void *arg, struct vh_pair *p)
{
	struct vh_daemon *d = arg;
	struct vh_sched *s = calloc(1, sizeof(*s));
	uint64_t now;
	char ab[32];
	int err;

	if (!s) {
		vh_err("out of memory: %s %s is not probed",
		       vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		       p->check->name);
		return;
	}
	s->d = d;
	s->p = p;
	sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	/* The first probe right away (plus jitter): a new server or a
	 * restarted daemon wants an opinion soon.
	 */
	s->base_us = now;
	err = sd_event_add_time(d->ev, &s->timer, CLOCK_MONOTONIC,
				now + jitter_us(p->check), 1000, on_tick, s);
	if (err < 0) {
		vh_err("cannot add a timer for %s %s: %s",
		       vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		       p->check->name, strerror(-err));
		free(s);
		return;
	}
	p->sched = s;
	vh_debug("probing %s with %s every %u ms",
		 vh_addr_str(p->addr, p->port, ab, sizeof(ab)), p->check->name,
		 p->check->interval_ms);
}

void vh_sched_pair_del(void *arg, struct vh_pair *p)
{
	struct vh_sched *s = p->sched;

	(void)arg;
	if (!s)
		return;
	if (s->probe)
		vh_probe_cancel(s->probe);
	sd_event_source_disable_unref(s->timer);
	free(s);
	p->sched = NULL;
}

void vh_sched_after_reload(struct vh_daemon *d)
{
	struct vh_pair *p;

	for (p = d->health->pairs; p; p = p->next) {
		struct vh_sched *s = p->sched;

		if (s && s->probe && s->probe_cfg != p->check) {
			vh_probe_cancel(s->probe);
			s->probe = NULL;
			s->probe_cfg = NULL;
		}
	}
}

bool vh_sched_busy(const struct vh_pair *p)
{
	const struct vh_sched *s = p->sched;

	return s && s->probe;
}
