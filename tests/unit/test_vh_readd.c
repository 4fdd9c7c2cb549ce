// SPDX-License-Identifier: GPL-2.0
/* A server the kernel deletes and re-adds while its HTTP and agent probes
 * are in flight or their results queued, and quorum commands start on
 * every flap (health.sh t_drain, where vshealthd once died of SIGABRT):
 * the real scheduler, probes and quorum commands on a private loop, the
 * kernel's events fed in between single loop iterations.
 */

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <sys/wait.h>

#include "daemon.h"
#include "harness.h"
#include "probe_util.h"
#include "vh_util.h"

struct readd_fx {
	struct vh_daemon d;		/* first: ops get &fx as a daemon */
	struct vh_t_ops rec;
};

static int fx_send(void *arg, const struct vs_svc *svc,
		   const struct vs_dest *dest)
{
	return vh_t_send(&((struct readd_fx *)arg)->rec, svc, dest);
}

static const struct vh_health_ops fx_ops = {
	.send = fx_send,
	.pair_new = vh_sched_pair_new,
	.pair_del = vh_sched_pair_del,
	.quorum = vh_quorum_run,
};

/* @n single iterations: each dispatches at most one source, so that the
 * events below land between a probe's result and its delivery too.
 */
static void steps(struct readd_fx *fx, int n)
{
	while (n-- > 0)
		sd_event_run(fx->d.ev, 2000);
}

static void event(struct readd_fx *fx, uint8_t cmd, const struct vs_svc *s,
		  const struct vs_dest *d)
{
	struct vs_event ev = { .cmd = cmd, .svc = *s, .has_dest = true,
			       .dest = *d };

	vh_kernel_apply_event(fx->d.health, &ev, vh_now_ms(&fx->d));
}

TEST(vh_dest_readded_with_probes_in_flight)
{
	/* The listener never accepts: connections complete in its backlog
	 * and then hear nothing, so each probe runs to its timeout.
	 */
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct readd_fx fx = { 0 };
	char text[1024];
	sigset_t chld, old;
	struct vs_dest d;
	uint16_t port;
	uint64_t n_res = 0;
	struct vh_pair *p;
	int lfd, i;

	lfd = tcp_listener(&port, 1024);
	CHECK(lfd >= 0);
	snprintf(text, sizeof(text),
		 "checks = {\n"
		 "  web = { type = \"http\"; interval = 0.05; timeout = 0.05;\n"
		 "          jitter = 0.01; rise = 1; fall = 1; };\n"
		 "  load = { type = \"agent\"; port = %u;\n"
		 "           interval = 0.05; timeout = 0.05;\n"
		 "           jitter = 0.01; rise = 1; fall = 1; };\n"
		 "};\n"
		 "services = ( { service = \"tcp 198.18.100.1:80\";\n"
		 "  checks = [ \"web\", \"load\" ]; quorum = 5;\n"
		 "  quorum_up = \"/bin/true\"; quorum_down = \"/bin/true\"; } );\n",
		 port);
	fx.d.cfg = vh_t_config(text);
	CHECK(fx.d.cfg != NULL);
	if (lfd < 0 || !fx.d.cfg)
		return;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	CHECK(sd_event_new(&fx.d.ev) >= 0);
	CHECK(vh_probes_init(fx.d.ev) == 0);
	fx.d.health = vh_health_new(fx.d.cfg, &fx_ops, &fx);
	d = vh_t_dest("127.0.0.1", port, 10);
	event(&fx, VSCHED_CMD_DEST_NEW, &s, &d);
	CHECK(fx.d.health->n_pairs == 2);

	srandom(7);
	for (i = 0; i < 200; i++) {
		steps(&fx, random() % 40);
		event(&fx, VSCHED_CMD_DEST_DEL, &s, &d);
		CHECK(fx.d.health->n_pairs == 0);
		steps(&fx, random() % 3);
		event(&fx, VSCHED_CMD_DEST_NEW, &s, &d);
		CHECK(fx.d.health->n_pairs == 2);
	}
	/* The last pairs still get their results. */
	for (i = 0; i < 400 && n_res < 4; i++) {
		steps(&fx, 1);
		n_res = 0;
		for (p = fx.d.health->pairs; p; p = p->next)
			n_res += p->n_up + p->n_down;
	}
	CHECK(n_res >= 4);
	printf("# %d sends, %llu quorum commands (%llu failed)\n",
	       fx.rec.n_sent, (unsigned long long)fx.d.stats.quorum_cmds,
	       (unsigned long long)fx.d.stats.quorum_cmd_failures);
	CHECK(fx.d.stats.quorum_cmds >= 2);

	/* Every command reaped by the loop, none failed. */
	vh_health_clear(fx.d.health);
	for (i = 0; i < 500; i++) {
		siginfo_t si;

		/* WNOWAIT: look, leave the reaping to the loop. */
		if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
			break;
		sd_event_run(fx.d.ev, 10000);
	}
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	CHECK(fx.d.stats.quorum_cmd_failures == 0);

	vh_health_free(fx.d.health);
	vh_probes_exit();
	sd_event_unref(fx.d.ev);
	sigprocmask(SIG_SETMASK, &old, NULL);
	vh_config_free(fx.d.cfg);
	close(lfd);
}
