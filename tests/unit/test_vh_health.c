// SPDX-License-Identifier: GPL-2.0
/* vshealthd's state machine through vh_health_*, with fake ops: rise and
 * fall, no opinion no send, one probe for a pair shared by services,
 * reconfiguration keeping state, quorum.
 */

#include "harness.h"
#include "vh_util.h"

static const char conf[] =
	"checks = {\n"
	"	web = { type = \"tcp\"; rise = 3; fall = 2; };\n"
	"	agent = { type = \"agent\"; port = 7777; rise = 1; fall = 1; };\n"
	"};\n"
	"services = (\n"
	"	{ service = \"tcp 198.18.100.1:80\"; checks = [ \"web\" ];\n"
	"	  quorum = 15; quorum_up = \"true\"; quorum_down = \"true\"; },\n"
	"	{ service = \"tcp 198.18.100.2:80\"; checks = [ \"web\" ]; },\n"
	"	{ service = \"tcp 198.18.100.3:80\"; checks = [ \"web\", \"agent\" ]; }\n"
	");\n";

struct fixture {
	struct vh_config *cfg;
	struct vh_t_ops ops;
	struct vh_health *h;
};

static bool setup(struct fixture *f, const char *text)
{
	memset(f, 0, sizeof(*f));
	f->cfg = vh_t_config(text);
	if (!f->cfg)
		return false;
	f->h = vh_health_new(f->cfg, &vh_t_fake_ops, &f->ops);
	return f->h != NULL;
}

static void teardown(struct fixture *f)
{
	vh_health_free(f->h);
	vh_config_free(f->cfg);
}

/* The only pair of @d (a dest with one check). */
static struct vh_pair *pair_of(struct fixture *f, const struct vs_svc *s,
			       const char *addr, uint16_t port)
{
	struct in_addr a;
	struct vh_dest *d;

	inet_pton(AF_INET, addr, &a);
	d = vh_health_find_dest(f->h, s, a, port);
	return d && d->n_pairs ? d->pairs[0] : NULL;
}

static void feed(struct fixture *f, struct vh_pair *p, bool up, int n,
		 uint64_t *now)
{
	struct vh_result r = vh_t_res(up, up ? "ok" : "connect: Connection refused");

	while (n--)
		vh_health_result(f->h, p, &r, (*now += 1000));
}

TEST(vh_health_rise_fall_and_no_send_before_opinion)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;
	struct vh_pair *p;
	uint64_t now = 1000;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_svc_add(f.h, &s);
	vh_health_dest_update(f.h, &s, &d, now);
	CHECK(f.ops.pair_new == 1);
	CHECK(f.ops.n_sent == 0);	/* a new server has no opinion yet */
	p = pair_of(&f, &s, "10.0.0.1", 80);
	CHECK(p && p->state == VH_UNKNOWN);
	if (!p)
		goto out;

	feed(&f, p, true, 2, &now);
	CHECK(p->state == VH_UNKNOWN);
	CHECK(f.ops.n_sent == 0);	/* rise = 3 not reached */
	feed(&f, p, true, 1, &now);
	CHECK(p->state == VH_UP);
	CHECK(f.ops.n_sent == 1);
	CHECK(f.ops.sent[0].d.health == VSCHED_HEALTH_UP);
	CHECK_STR(f.ops.sent[0].d.reason, "ok");
	CHECK(f.ops.sent[0].d.has & VS_DEST_HAS_HEALTH);
	CHECK(f.ops.sent[0].d.has & VS_DEST_HAS_REASON);
	/* Health only: never the admin weight. */
	CHECK(!(f.ops.sent[0].d.has & VS_DEST_HAS_WEIGHT));
	CHECK(f.ops.sent[0].d.health_pct == 100);
	CHECK(f.ops.sent[0].d.health_cap == VSCHED_HEALTH_CAP_NONE);

	/* More successes: the kernel already has it, nothing sent. */
	feed(&f, p, true, 5, &now);
	CHECK(f.ops.n_sent == 1);
	/* One failure (fall = 2): still up; a success resets the run. */
	feed(&f, p, false, 1, &now);
	feed(&f, p, true, 1, &now);
	feed(&f, p, false, 1, &now);
	CHECK(p->state == VH_UP);
	CHECK(f.ops.n_sent == 1);
	feed(&f, p, false, 1, &now);
	CHECK(p->state == VH_DOWN);
	CHECK(f.ops.n_sent == 2);
	CHECK(f.ops.sent[1].d.health == VSCHED_HEALTH_DOWN);
	CHECK_STR(f.ops.sent[1].d.reason, "web: connect: Connection refused");
	CHECK(!(f.ops.sent[1].d.has & VS_DEST_HAS_WEIGHT));
	CHECK(p->n_up == 9 && p->n_down == 3);
out:
	teardown(&f);
}

TEST(vh_health_restart_keeps_kernel_state_until_opinion)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;
	struct vh_pair *p;
	uint64_t now = 1000;

	/* The kernel says down (a previous daemon's verdict). */
	d.has |= VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON | VS_DEST_HAS_PCT |
		 VS_DEST_HAS_CAP;
	d.health = VSCHED_HEALTH_DOWN;
	strcpy(d.reason, "web: HTTP 500");
	d.health_pct = 100;
	d.health_cap = VSCHED_HEALTH_CAP_NONE;
	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s, &d, now);
	p = pair_of(&f, &s, "10.0.0.1", 80);
	CHECK(p != NULL);
	if (!p)
		goto out;
	feed(&f, p, true, 2, &now);
	CHECK(f.ops.n_sent == 0);	/* no flap to up before rise */
	feed(&f, p, false, 2, &now);
	/* Down for another reason than the kernel's: that is sent. */
	CHECK(f.ops.n_sent == 1);
	CHECK_STR(f.ops.sent[0].d.reason, "web: connect: Connection refused");
	/* Rising again: the down verdict keeps the failure's reason (no
	 * "web: ok" while still down), so nothing is sent until up.
	 */
	f.ops.n_sent = 0;
	feed(&f, p, true, 2, &now);
	CHECK(f.ops.n_sent == 0);
	feed(&f, p, true, 1, &now);
	CHECK(f.ops.n_sent == 1);
	CHECK(f.ops.sent[0].d.health == VSCHED_HEALTH_UP);
out:
	teardown(&f);
}

TEST(vh_health_kernel_already_agrees)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;
	struct vh_pair *p;
	uint64_t now = 1000;

	d.has |= VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON | VS_DEST_HAS_PCT |
		 VS_DEST_HAS_CAP;
	d.health = VSCHED_HEALTH_UP;
	strcpy(d.reason, "ok");
	d.health_pct = 100;
	d.health_cap = VSCHED_HEALTH_CAP_NONE;
	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s, &d, now);
	p = pair_of(&f, &s, "10.0.0.1", 80);
	if (p)
		feed(&f, p, true, 4, &now);
	CHECK(p && p->state == VH_UP);
	CHECK(f.ops.n_sent == 0);
	teardown(&f);
}

TEST(vh_health_pair_shared_by_two_services_probed_once)
{
	struct vs_svc s1 = vh_t_svc("198.18.100.1", 80);
	struct vs_svc s2 = vh_t_svc("198.18.100.2", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;
	struct vh_pair *p1, *p2;
	uint64_t now = 1000;
	int i;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s1, &d, now);
	vh_health_dest_update(f.h, &s2, &d, now);
	CHECK(f.h->n_dests == 2);
	CHECK(f.h->n_pairs == 1);
	CHECK(f.ops.pair_new == 1);
	p1 = pair_of(&f, &s1, "10.0.0.1", 80);
	p2 = pair_of(&f, &s2, "10.0.0.1", 80);
	CHECK(p1 && p1 == p2);
	if (!p1)
		goto out;
	CHECK(p1->n_dests == 2);
	feed(&f, p1, true, 3, &now);
	/* One result, both services told. */
	CHECK(f.ops.n_sent == 2);
	for (i = 0; i < 2 && i < f.ops.n_sent; i++)
		CHECK(f.ops.sent[i].d.health == VSCHED_HEALTH_UP);
	CHECK(f.ops.n_sent == 2 &&
	      f.ops.sent[0].svc.addr.s_addr != f.ops.sent[1].svc.addr.s_addr);

	/* One service lets go: the pair stays for the other. */
	vh_health_dest_del(f.h, &s1, &d, now);
	CHECK(f.ops.pair_del == 0);
	CHECK(f.h->n_pairs == 1);
	vh_health_svc_del(f.h, &s2, now);
	CHECK(f.ops.pair_del == 1);
	CHECK(f.h->n_pairs == 0 && f.h->n_dests == 0);
out:
	teardown(&f);
}

TEST(vh_health_one_down_check_is_enough)
{
	struct vs_svc s = vh_t_svc("198.18.100.3", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;
	struct vh_dest *x;
	struct vh_result r;
	uint64_t now = 1000;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s, &d, now);
	x = vh_health_find_dest(f.h, &s, d.addr, 80);
	CHECK(x && x->n_pairs == 2);
	if (!x || x->n_pairs != 2)
		goto out;
	/* web still unknown; the agent (fall = 1) says down: down now. */
	r = vh_t_res(false, "agent: cpu=95 > 90");
	vh_health_result(f.h, x->pairs[1], &r, now += 1000);
	CHECK(f.ops.n_sent == 1);
	CHECK(f.ops.sent[0].d.health == VSCHED_HEALTH_DOWN);
	CHECK_STR(f.ops.sent[0].d.reason, "agent: agent: cpu=95 > 90");
	/* Agent up at 75%, web not yet risen: no opinion, nothing sent. */
	r = vh_t_res(true, "ok");
	r.pct = 75;
	vh_health_result(f.h, x->pairs[1], &r, now += 1000);
	CHECK(!x->verdict.known);
	CHECK(f.ops.n_sent == 1);
	feed(&f, x->pairs[0], true, 3, &now);
	CHECK(f.ops.n_sent == 2);
	CHECK(f.ops.sent[1].d.health == VSCHED_HEALTH_UP);
	CHECK(f.ops.sent[1].d.health_pct == 75);
	CHECK(f.ops.sent[1].d.has & VS_DEST_HAS_PCT);
out:
	teardown(&f);
}

TEST(vh_health_reconfigure_keeps_state)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct vh_config *same, *changed;
	struct fixture f;
	struct vh_pair *p;
	uint64_t now = 1000;
	char *alt, *at;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s, &d, now);
	p = pair_of(&f, &s, "10.0.0.1", 80);
	if (!p)
		goto out;
	feed(&f, p, true, 3, &now);
	CHECK(f.ops.n_sent == 1);

	/* The same file again (a SIGHUP without changes). */
	same = vh_t_config(conf);
	CHECK(same != NULL);
	if (!same)
		goto out;
	vh_health_reconfigure(f.h, same, now);
	vh_config_free(f.cfg);
	f.cfg = same;
	CHECK(f.ops.pair_new == 1 && f.ops.pair_del == 0);
	CHECK(pair_of(&f, &s, "10.0.0.1", 80) == p);
	CHECK(p->state == VH_UP);
	CHECK(p->check == vh_config_check(same, "web"));
	CHECK(f.ops.n_sent == 1);

	/* web's definition changes: a new pair, state starts over. */
	alt = strdup(conf);
	at = strstr(alt, "rise = 3");
	at[7] = '2';
	changed = vh_t_config(alt);
	free(alt);
	CHECK(changed != NULL);
	if (!changed)
		goto out;
	vh_health_reconfigure(f.h, changed, now);
	vh_config_free(f.cfg);
	f.cfg = changed;
	CHECK(f.ops.pair_new == 2 && f.ops.pair_del == 1);
	p = pair_of(&f, &s, "10.0.0.1", 80);
	CHECK(p && p->state == VH_UNKNOWN && p->check->rise == 2);
	CHECK(f.ops.n_sent == 1);	/* no opinion: the kernel keeps up */
out:
	teardown(&f);
}

TEST(vh_health_quorum_with_hysteresis_free)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_dest d1 = vh_t_dest("10.0.0.1", 80, 10);
	struct vs_dest d2 = vh_t_dest("10.0.0.2", 80, 10);
	struct fixture f;
	struct vh_pair *p1, *p2;
	uint64_t now = 1000;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_svc_add(f.h, &s);
	vh_health_dest_update(f.h, &s, &d1, now);
	vh_health_dest_update(f.h, &s, &d2, now);
	p1 = pair_of(&f, &s, "10.0.0.1", 80);
	p2 = pair_of(&f, &s, "10.0.0.2", 80);
	if (!p1 || !p2)
		goto out;
	/* Nothing while a server has no opinion. */
	feed(&f, p1, true, 3, &now);
	CHECK(f.ops.quorum_up + f.ops.quorum_down == 0);
	feed(&f, p2, true, 3, &now);
	CHECK(f.ops.quorum_up == 1 && f.ops.quorum_weight == 20);
	feed(&f, p2, false, 2, &now);
	CHECK(f.ops.quorum_down == 1 && f.ops.quorum_weight == 10);
	/* Clearing (module gone) runs no command. */
	vh_health_clear(f.h);
	CHECK(f.ops.quorum_up == 1 && f.ops.quorum_down == 1);
	CHECK(f.ops.pair_del == 2 && f.h->n_pairs == 0);
out:
	teardown(&f);
}

TEST(vh_health_unconfigured_service_not_checked)
{
	struct vs_svc s = vh_t_svc("198.18.100.9", 80);
	struct vs_dest d = vh_t_dest("10.0.0.1", 80, 10);
	struct fixture f;

	CHECK(setup(&f, conf));
	if (!f.h)
		return;
	vh_health_dest_update(f.h, &s, &d, 1000);
	CHECK(f.h->n_dests == 1);
	CHECK(f.h->n_pairs == 0 && f.ops.pair_new == 0);
	CHECK(f.ops.n_sent == 0);
	teardown(&f);
}
