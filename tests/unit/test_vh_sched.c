// SPDX-License-Identifier: GPL-2.0
/* vshealthd's probe scheduling (sched.c) with the real TCP probe on a
 * private loop against 127.0.0.1: a listening server rises to up, a
 * closed one falls to down, each reported to the (fake) kernel once;
 * clearing the registry stops every timer.
 */

#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>

#include "daemon.h"
#include "harness.h"
#include "probe_util.h"
#include "vh_util.h"

/* The daemon, as sched.c sees it, plus what the fake kernel got. */
struct sched_fx {
	struct vh_daemon d;		/* first: ops get &fx as a daemon */
	struct vh_t_ops rec;
};

static int fx_send(void *arg, const struct vs_svc *svc,
		   const struct vs_dest *dest)
{
	return vh_t_send(&((struct sched_fx *)arg)->rec, svc, dest);
}

static const struct vh_health_ops fx_ops = {
	.send = fx_send,
	.pair_new = vh_sched_pair_new,
	.pair_del = vh_sched_pair_del,
};

/* Run the loop until @n sends were recorded or @ms passed. */
static void run_until_sent(struct sched_fx *fx, int n, int ms)
{
	uint64_t start = 0, now = 0;

	sd_event_now(fx->d.ev, CLOCK_MONOTONIC, &start);
	while (fx->rec.n_sent < n && now < start + (uint64_t)ms * 1000) {
		sd_event_run(fx->d.ev, 50000);
		sd_event_now(fx->d.ev, CLOCK_MONOTONIC, &now);
	}
}

static const char conf_fmt[] =
	"checks = { c = { type = \"tcp\"; interval = 0.1; timeout = 0.1;\n"
	"		  jitter = 0.02; rise = 2; fall = 2; }; };\n"
	"services = ( { service = \"tcp 198.18.100.1:80\"; checks = [ \"c\" ]; } );\n";

TEST(vh_sched_probes_rise_fall_and_stop)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct sched_fx fx = { 0 };
	struct vh_pair *p;
	struct vs_dest d;
	uint16_t port;
	int lfd;

	lfd = tcp_listener(&port, 64);
	CHECK(lfd >= 0);
	fx.d.cfg = vh_t_config(conf_fmt);
	CHECK(fx.d.cfg != NULL);
	if (lfd < 0 || !fx.d.cfg)
		return;
	CHECK(sd_event_new(&fx.d.ev) >= 0);
	CHECK(vh_probes_init(fx.d.ev) == 0);
	fx.d.health = vh_health_new(fx.d.cfg, &fx_ops, &fx);
	d = vh_t_dest("127.0.0.1", port, 10);
	vh_health_dest_update(fx.d.health, &s, &d, vh_now_ms(&fx.d));
	p = fx.d.health->pairs;
	CHECK(p && p->sched);
	if (!p || !p->sched)
		goto out;

	/* Up after rise = 2 probes, ~0.1-0.2 s; allow for a slow machine. */
	run_until_sent(&fx, 1, 3000);
	CHECK(fx.rec.n_sent == 1);
	CHECK(fx.rec.n_sent >= 1 &&
	      fx.rec.sent[0].d.health == VSCHED_HEALTH_UP);
	CHECK(p->state == VH_UP);
	CHECK(p->n_up >= 2);

	/* The listener gone: refused, down after fall = 2. */
	close(lfd);
	lfd = -1;
	run_until_sent(&fx, 2, 3000);
	CHECK(fx.rec.n_sent == 2);
	CHECK(fx.rec.n_sent >= 2 &&
	      fx.rec.sent[1].d.health == VSCHED_HEALTH_DOWN);
	CHECK_HAS(fx.rec.n_sent >= 2 ? fx.rec.sent[1].d.reason : NULL,
		  "refused");
	/* Results keep coming at the interval, nothing more is sent. */
	run_until_sent(&fx, 3, 400);
	CHECK(fx.rec.n_sent == 2);
	CHECK(p->n_down > 2);

	/* Forgetting the server stops its timer: nothing left to run. */
	vh_health_clear(fx.d.health);
	CHECK(fx.d.health->n_pairs == 0);
	CHECK(sd_event_run(fx.d.ev, 300000) == 0);
out:
	if (lfd >= 0)
		close(lfd);
	vh_health_free(fx.d.health);
	vh_probes_exit();
	sd_event_unref(fx.d.ev);
	vh_config_free(fx.d.cfg);
}

static const char conf_many[] =
	"checks = { c = { type = \"tcp\"; interval = 0.1; timeout = 0.05;\n"
	"		  jitter = 0.05; rise = 1; fall = 1; }; };\n"
	"services = ( { service = \"tcp 198.18.100.1:80\"; checks = [ \"c\" ]; } );\n";

static uint32_t results(const struct vh_pair *p)
{
	return p->n_up + p->n_down;
}

/* 60 pairs share the scheduler's heap: each ticks at its own interval,
 * those deleted (from the middle of the heap too) stop, the others go on,
 * and the last one gone frees the heap and its timer.
 */
TEST(vh_sched_many_pairs_share_one_timer)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct sched_fx fx = { 0 };
	struct vh_pair *p;
	uint16_t base = closed_port();
	uint32_t lo = UINT32_MAX, hi = 0, before[60], got;
	bool going = true;
	int i;

	fx.d.cfg = vh_t_config(conf_many);
	CHECK(fx.d.cfg != NULL);
	if (!fx.d.cfg)
		return;
	CHECK(sd_event_new(&fx.d.ev) >= 0);
	CHECK(vh_probes_init(fx.d.ev) == 0);
	fx.d.health = vh_health_new(fx.d.cfg, &fx_ops, &fx);
	for (i = 0; i < 60; i++) {
		struct vs_dest d = vh_t_dest("127.0.0.1", base + i, 1);

		vh_health_dest_update(fx.d.health, &s, &d, vh_now_ms(&fx.d));
	}
	CHECK(fx.d.health->n_pairs == 60 && fx.d.sched_q);
	run_until_sent(&fx, 1000, 1000);
	for (p = fx.d.health->pairs; p; p = p->next) {
		lo = results(p) < lo ? results(p) : lo;
		hi = results(p) > hi ? results(p) : hi;
	}
	/* 1 s at 0.1 s: about 10 each (first at once, jitter < 0.05 s). */
	CHECK(lo >= 7 && hi <= 12);
	if (lo < 7 || hi > 12)
		fprintf(stderr, "    results per pair: %u..%u\n", lo, hi);

	/* Delete every other server; then the rest must go on alone. */
	for (i = 0; i < 60; i += 2) {
		struct vs_dest d = vh_t_dest("127.0.0.1", base + i, 1);

		vh_health_dest_del(fx.d.health, &s, &d, vh_now_ms(&fx.d));
	}
	CHECK(fx.d.health->n_pairs == 30);
	for (i = 0, p = fx.d.health->pairs; p && i < 60; p = p->next)
		before[i++] = results(p);
	run_until_sent(&fx, 1000, 500);
	for (i = 0, p = fx.d.health->pairs; p && i < 60; p = p->next) {
		got = results(p) - before[i++];
		going &= got >= 3 && got <= 7;
	}
	CHECK(going);

	vh_health_clear(fx.d.health);
	CHECK(fx.d.sched_q == NULL);
	CHECK(sd_event_run(fx.d.ev, 200000) == 0);
	vh_health_free(fx.d.health);
	vh_probes_exit();
	sd_event_unref(fx.d.ev);
	vh_config_free(fx.d.cfg);
}
