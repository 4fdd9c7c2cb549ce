// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm -S/-R and the health ABI: warm-up, down policy and the sorry flag
 * are saved and restored; health state, effective weight and drains never.
 */

#include <arpa/inet.h>
#include <stdlib.h>

#include "harness.h"
#include "vsadm.h"

static char err[512];

/* As the kernel reports it: every admin setting, and health besides. */
static void mk_state(struct vsadm_state *st)
{
	struct vsadm_svc_entry *e;
	struct vs_dest *d;

	st->n = 2;
	st->svcs = calloc(2, sizeof(*st->svcs));
	e = &st->svcs[0];
	e->svc.af = AF_INET;
	e->svc.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.100.1", &e->svc.addr);
	e->svc.port = 80;
	strcpy(e->svc.sched, "wrr");
	e->svc.has = VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP;
	e->svc.warmup = 45;
	/* EXPIRE_ON_DELETE: set by something else, vsadm must keep it. */
	e->svc.flags = VSCHED_SVC_F_DOWN_RESET | VSCHED_SVC_F_EXPIRE_ON_DELETE;
	e->n_dests = 2;
	e->dests = calloc(2, sizeof(*e->dests));
	d = &e->dests[0];
	inet_pton(AF_INET, "10.0.0.1", &d->addr);
	d->port = 8080;
	d->weight = 100;
	d->has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT | VS_DEST_HAS_FLAGS |
		 VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON | VS_DEST_HAS_PCT |
		 VS_DEST_HAS_STATE | VS_DEST_HAS_EFF_WEIGHT |
		 VS_DEST_HAS_DRAIN_LEFT;
	d->health = VSCHED_HEALTH_DOWN;
	strcpy(d->reason, "timeout");
	d->health_pct = 30;
	d->state = VSCHED_DS_DRAINING;
	d->eff_weight = 7;
	d->drain_left_ms = 5000;
	d = &e->dests[1];
	inet_pton(AF_INET, "10.0.0.9", &d->addr);
	d->port = 8080;
	d->weight = 1;
	d->flags = VSCHED_DEST_F_SORRY;
	d->has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT | VS_DEST_HAS_FLAGS;
	e = &st->svcs[1];
	e->svc.af = AF_INET;
	e->svc.protocol = IPPROTO_UDP;
	inet_pton(AF_INET, "198.18.100.1", &e->svc.addr);
	e->svc.port = 53;
	strcpy(e->svc.sched, "rr");
	e->svc.has = VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP;
}

static const char saved[] =
	"-A -t 198.18.100.1:80 -s wrr --warmup 45 --down-policy reset\n"
	"-a -t 198.18.100.1:80 -r 10.0.0.1:8080 -m -w 100\n"
	"-a -t 198.18.100.1:80 -r 10.0.0.9:8080 -m -w 1 --sorry\n"
	"-A -u 198.18.100.1:53 -s rr\n";

static char *save_str(const struct vsadm_state *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_save(f, st, true);
	fclose(f);
	return buf;
}

static int plan_text(const struct vsadm_state *cur, const char *text,
		     bool replace, struct vsadm_plan *plan)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct vsadm_line *lines;
	size_t n;
	int ret;

	ret = vsadm_restore_parse(f, "stdin", &lines, &n, err, sizeof(err));
	fclose(f);
	if (ret)
		return -2;
	ret = vsadm_restore_plan(cur, lines, n, replace, "stdin", plan, err,
				 sizeof(err));
	free(lines);
	return ret;
}

TEST(save_admin_settings_only)
{
	struct vsadm_state st = { 0 };
	char *out;

	mk_state(&st);
	out = save_str(&st);
	/* Admin weight 100, not the effective 7; no "down", no drain. */
	CHECK_STR(out, saved);
	CHECK(!strstr(out, "timeout") && !strstr(out, "drain"));
	free(out);
	vsadm_state_free(&st);
}

TEST(restore_health_roundtrip_changes_nothing)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	CHECK(plan_text(&st, saved, false, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	CHECK(plan_text(&st, saved, true, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_health_settings_into_empty)
{
	struct vsadm_state empty = { 0 };
	struct vsadm_plan plan;

	CHECK(plan_text(&empty, saved, true, &plan) == 0);
	CHECK(plan.n == 4);
	if (plan.n == 4) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_NEW);
		CHECK(plan.acts[0].svc.has == (VS_SVC_HAS_SCHED |
					       VS_SVC_HAS_WARMUP |
					       VS_SVC_HAS_FLAGS));
		CHECK(plan.acts[0].svc.warmup == 45);
		CHECK(plan.acts[0].svc.flags == VSCHED_SVC_F_DOWN_RESET);
		/* Defaults are not sent. */
		CHECK(plan.acts[1].op == VSADM_ACT_SVC_NEW);
		CHECK(plan.acts[1].svc.has == VS_SVC_HAS_SCHED);
		CHECK(plan.acts[2].op == VSADM_ACT_DEST_NEW);
		CHECK(plan.acts[2].dest.weight == 100);
		CHECK(!(plan.acts[2].dest.has & VS_DEST_HAS_FLAGS));
		CHECK(plan.acts[3].op == VSADM_ACT_DEST_NEW);
		CHECK((plan.acts[3].dest.has & VS_DEST_HAS_FLAGS) &&
		      plan.acts[3].dest.flags == VSCHED_DEST_F_SORRY);
	}
	vsadm_plan_free(&plan);
}

TEST(restore_never_sends_health)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;
	const unsigned int health = VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON |
				    VS_DEST_HAS_PCT | VS_DEST_HAS_CAP |
				    VS_DEST_HAS_DRAIN;

	mk_state(&st);
	CHECK(plan_text(&st, "-e -t 198.18.100.1:80 -r 10.0.0.1:8080 -w 5\n",
			false, &plan) == 0);
	CHECK(plan.n == 1);
	if (plan.n == 1) {
		CHECK(plan.acts[0].op == VSADM_ACT_DEST_SET);
		CHECK(plan.acts[0].dest.weight == 5);
		CHECK(!(plan.acts[0].dest.has & health));
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_health_changes)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	/* Merge: only what the lines say; the unmanaged flag is kept. */
	CHECK(plan_text(&st, "-E -t 198.18.100.1:80 --down-policy quiesce\n"
			"-e -t 198.18.100.1:80 -r 10.0.0.9:8080 --no-sorry\n"
			"-E -u 198.18.100.1:53 --warmup 10\n", false,
			&plan) == 0);
	CHECK(plan.n == 3);
	if (plan.n == 3) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_SET);
		CHECK(plan.acts[0].svc.protocol == IPPROTO_TCP);
		CHECK(plan.acts[0].svc.flags == VSCHED_SVC_F_EXPIRE_ON_DELETE);
		CHECK(plan.acts[0].svc.warmup == 45);
		CHECK(plan.acts[1].op == VSADM_ACT_SVC_SET);
		CHECK(plan.acts[1].svc.warmup == 10);
		CHECK(plan.acts[2].op == VSADM_ACT_DEST_SET);
		CHECK((plan.acts[2].dest.has & VS_DEST_HAS_FLAGS) &&
		      plan.acts[2].dest.flags == 0);
		CHECK(plan.acts[2].dest.weight == 1);
	}
	vsadm_plan_free(&plan);

	/* Replace: a line without --warmup, --down-policy or --sorry
	 * means the defaults.
	 */
	CHECK(plan_text(&st, "-A -t 198.18.100.1:80 -s wrr\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.1:8080 -w 100\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.9:8080 -w 1\n"
			"-A -u 198.18.100.1:53 -s rr\n", true, &plan) == 0);
	CHECK(plan.n == 2);
	if (plan.n == 2) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_SET);
		CHECK(plan.acts[0].svc.warmup == 0 &&
		      (plan.acts[0].svc.has & VS_SVC_HAS_WARMUP));
		CHECK(plan.acts[0].svc.flags == VSCHED_SVC_F_EXPIRE_ON_DELETE);
		CHECK(plan.acts[1].op == VSADM_ACT_DEST_SET);
		CHECK(plan.acts[1].dest.flags == 0);
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_refuses_drain)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	CHECK(plan_text(&st, "-A -t 198.18.100.1:80\n"
			"-e -t 198.18.100.1:80 -r 10.0.0.1:8080 --drain 30\n",
			false, &plan) == -2);
	CHECK_STR(err, "stdin:2: --drain cannot be used in a restore file (run it as its own vsadm -e command)");
	vsadm_state_free(&st);
}
