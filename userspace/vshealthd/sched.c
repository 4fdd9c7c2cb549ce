// SPDX-License-Identifier: GPL-2.0
/*
 * Probe scheduling: every pair health.c creates ticks once per interval,
 * each tick 0..jitter late (so that checks started together spread out),
 * with at most one probe in flight. A tick that finds the previous probe
 * still running is skipped and counted, never queued: probes of a slow
 * server must not pile up.
 *
 * The ticks of all pairs wait in one min-heap behind one sd-event timer,
 * and every tick that is due runs from one wakeup: sd-event dispatches
 * one source per loop iteration (an epoll_wait and a timer rearm each),
 * which with a timer per pair cost as much as the probes themselves at
 * 1,000 servers a second. The timer may fire a little late
 * (vh_timer_slack_us()), so that the ticks of a few milliseconds share
 * a wakeup.
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
	size_t heap_idx;		/* in vh_sched_q.heap */
	uint64_t due_us;		/* the next tick, jitter included */
	struct vh_probe *probe;		/* in flight, or NULL */
	const struct vh_check_cfg *probe_cfg;	/* the one it runs with */
	uint64_t base_us;		/* the tick's time before jitter */
	int start_err;			/* last vh_probe_start() error logged */
};

struct vh_sched_q {
	sd_event_source *timer;
	struct vh_sched **heap;
	size_t n, cap;
	uint64_t armed_us;		/* the timer's time, 0: off */
};

static void heap_set(struct vh_sched_q *q, size_t i, struct vh_sched *s)
{
	q->heap[i] = s;
	s->heap_idx = i;
}

static void heap_up(struct vh_sched_q *q, size_t i)
{
	struct vh_sched *s = q->heap[i];

	while (i && q->heap[(i - 1) / 2]->due_us > s->due_us) {
		heap_set(q, i, q->heap[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	heap_set(q, i, s);
}

static void heap_down(struct vh_sched_q *q, size_t i)
{
	struct vh_sched *s = q->heap[i];
	size_t c;

	for (; (c = 2 * i + 1) < q->n; i = c) {
		if (c + 1 < q->n && q->heap[c + 1]->due_us < q->heap[c]->due_us)
			c++;
		if (q->heap[c]->due_us >= s->due_us)
			break;
		heap_set(q, i, q->heap[c]);
	}
	heap_set(q, i, s);
}

static void heap_del(struct vh_sched_q *q, struct vh_sched *s)
{
	size_t i = s->heap_idx;
	struct vh_sched *last = q->heap[--q->n];

	if (i == q->n)
		return;
	heap_set(q, i, last);
	heap_up(q, i);
	heap_down(q, last->heap_idx);
}

/* The timer follows the earliest tick; unchanged, it is left alone. */
static void q_arm(struct vh_sched_q *q)
{
	struct vh_sched *top;

	if (!q->n) {
		sd_event_source_set_enabled(q->timer, SD_EVENT_OFF);
		q->armed_us = 0;
		return;
	}
	top = q->heap[0];
	if (q->armed_us == top->due_us)
		return;
	sd_event_source_set_time(q->timer, top->due_us);
	sd_event_source_set_time_accuracy(q->timer,
		vh_timer_slack_us(top->p->check->interval_ms));
	sd_event_source_set_enabled(q->timer, SD_EVENT_ONESHOT);
	q->armed_us = top->due_us;
}

static uint64_t jitter_us(const struct vh_check_cfg *c)
{
	if (!c->jitter_ms)
		return 0;
	return (uint64_t)random() % ((uint64_t)c->jitter_ms * 1000 + 1);
}

/* The next tick of @s, 0..jitter after its base. */
static void schedule(struct vh_sched *s)
{
	s->due_us = s->base_us + jitter_us(s->p->check);
}

static void probe_done(void *arg, const struct vh_result *res)
{
	struct vh_sched *s = arg;

	s->probe = NULL;
	s->probe_cfg = NULL;
	vh_health_result(s->d->health, s->p, res, vh_now_ms(s->d));
}

static void tick(struct vh_sched *s, uint64_t now)
{
	struct vh_pair *p = s->p;
	struct vh_target t = { .addr = p->addr, .port = p->port };
	uint64_t ival = (uint64_t)p->check->interval_ms * 1000;
	char ab[32];
	int err;

	/* The next tick keeps the grid of the first one, so that jitter
	 * does not add up; after a stall (suspend, a slow step) the grid
	 * restarts from now rather than firing the missed ticks at once.
	 */
	s->base_us += ival;
	if (s->base_us <= now)
		s->base_us = now + ival;
	schedule(s);
	if (s->probe) {
		p->n_skipped++;
		vh_debug("%s %s: previous probe still running, tick skipped",
			 vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
			 p->check->name);
		return;
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
		return;
	}
	s->probe_cfg = p->check;
	s->start_err = 0;
}

/* Every tick that is due, earliest first. A probe's start cannot free
 * a pair (results come from the loop, later), so the heap holds still
 * but for the tick just run, which moves back.
 */
static int on_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	struct vh_sched_q *q = arg;
	uint64_t now;

	(void)src;
	(void)usec;
	sd_event_now(sd_event_source_get_event(q->timer), CLOCK_MONOTONIC,
		     &now);
	q->armed_us = 0;
	while (q->n && q->heap[0]->due_us <= now) {
		struct vh_sched *s = q->heap[0];

		tick(s, now);
		heap_down(q, 0);
	}
	q_arm(q);
	return 0;
}

static struct vh_sched_q *q_get(struct vh_daemon *d)
{
	struct vh_sched_q *q = d->sched_q;
	int err;

	if (q)
		return q;
	q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	err = sd_event_add_time(d->ev, &q->timer, CLOCK_MONOTONIC, 0, 1000,
				on_timer, q);
	if (err < 0) {
		vh_err("cannot add the probe timer: %s", strerror(-err));
		free(q);
		return NULL;
	}
	sd_event_source_set_enabled(q->timer, SD_EVENT_OFF);
	d->sched_q = q;
	return q;
}

/* The last pair gone (the daemon ends, or nothing is left to check). */
static void q_put(struct vh_daemon *d)
{
	struct vh_sched_q *q = d->sched_q;

	if (q->n)
		return;
	sd_event_source_disable_unref(q->timer);
	free(q->heap);
	free(q);
	d->sched_q = NULL;
}

void vh_sched_pair_new(void *arg, struct vh_pair *p)
{
	struct vh_daemon *d = arg;
	struct vh_sched *s = calloc(1, sizeof(*s));
	struct vh_sched_q *q = s ? q_get(d) : NULL;
	uint64_t now;
	char ab[32];

	if (q && q->n == q->cap) {
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct vh_sched **nh = realloc(q->heap, cap * sizeof(*nh));

		if (nh) {
			q->heap = nh;
			q->cap = cap;
		}
	}
	if (!q || q->n == q->cap) {
		vh_err("out of memory: %s %s is not probed",
		       vh_addr_str(p->addr, p->port, ab, sizeof(ab)),
		       p->check->name);
		if (q)
			q_put(d);
		free(s);
		return;
	}
	s->d = d;
	s->p = p;
	sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	/* The first probe right away (plus jitter): a new server or a
	 * restarted daemon wants an opinion soon.
	 */
	s->base_us = now;
	schedule(s);
	heap_set(q, q->n++, s);
	heap_up(q, s->heap_idx);
	q_arm(q);
	p->sched = s;
	vh_debug("probing %s with %s every %u ms",
		 vh_addr_str(p->addr, p->port, ab, sizeof(ab)), p->check->name,
		 p->check->interval_ms);
}

void vh_sched_pair_del(void *arg, struct vh_pair *p)
{
	struct vh_sched *s = p->sched;
	struct vh_daemon *d = arg;
	struct vh_sched_q *q = d->sched_q;

	if (!s)
		return;
	if (s->probe)
		vh_probe_cancel(s->probe);
	heap_del(q, s);
	q_arm(q);
	q_put(d);
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
