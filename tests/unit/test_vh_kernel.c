// SPDX-License-Identifier: GPL-2.0
/* vshealthd following the kernel: a full listing applied over what the
 * daemon has (mark and sweep, state kept), and change events.
 */

#include "daemon.h"
#include "harness.h"
#include "vh_util.h"

static const char conf[] =
	"checks = { web = { type = \"tcp\"; rise = 1; fall = 1; }; };\n"
	"services = (\n"
	"	{ service = \"tcp 198.18.100.1:80\"; checks = [ \"web\" ]; },\n"
	"	{ service = \"tcp 198.18.100.2:80\"; checks = [ \"web\" ]; }\n"
	");\n";

TEST(vh_kernel_list_marks_and_sweeps)
{
	struct vs_svc svcs[2] = { vh_t_svc("198.18.100.1", 80),
				  vh_t_svc("198.18.100.2", 80) };
	struct vs_dest l1[2] = { vh_t_dest("10.0.0.1", 80, 10),
				 vh_t_dest("10.0.0.2", 80, 10) };
	struct vs_dest l2[1] = { vh_t_dest("10.0.0.7", 80, 10) };
	struct vs_dest *dests[2] = { l1, l2 };
	size_t n_dests[2] = { 2, 1 };
	struct vh_result up = vh_t_res(true, "ok");
	struct vh_config *cfg = vh_t_config(conf);
	struct vh_t_ops ops = { 0 };
	struct vh_health *h;
	struct vh_dest *d;

	CHECK(cfg != NULL);
	if (!cfg)
		return;
	h = vh_health_new(cfg, &vh_t_fake_ops, &ops);
	vh_kernel_apply_list(h, svcs, 2, dests, n_dests, 1000);
	CHECK(h->n_svcs == 2 && h->n_dests == 3 && h->n_pairs == 3);
	d = vh_health_find_dest(h, &svcs[0], l1[0].addr, 80);
	CHECK(d != NULL);
	if (!d)
		goto out;
	vh_health_result(h, d->pairs[0], &up, 2000);
	CHECK(ops.n_sent == 1);

	/* The same listing again (a resync): nothing changes, no send. */
	vh_kernel_apply_list(h, svcs, 2, dests, n_dests, 3000);
	CHECK(h->n_dests == 3 && h->n_pairs == 3 && ops.pair_del == 0);
	d = vh_health_find_dest(h, &svcs[0], l1[0].addr, 80);
	CHECK(d && d->n_pairs == 1 && d->pairs[0]->state == VH_UP);
	CHECK(ops.n_sent == 1);

	/* 10.0.0.2 and the second service are gone from the kernel. */
	n_dests[0] = 1;
	vh_kernel_apply_list(h, svcs, 1, dests, n_dests, 4000);
	CHECK(h->n_svcs == 1 && h->n_dests == 1 && h->n_pairs == 1);
	CHECK(ops.pair_del == 2);
	CHECK(vh_health_find_dest(h, &svcs[0], l1[1].addr, 80) == NULL);
	CHECK(vh_health_find_dest(h, &svcs[1], l2[0].addr, 80) == NULL);
	d = vh_health_find_dest(h, &svcs[0], l1[0].addr, 80);
	CHECK(d && d->pairs[0]->state == VH_UP);

	/* An empty kernel (flushed): nothing left. */
	vh_kernel_apply_list(h, NULL, 0, NULL, NULL, 5000);
	CHECK(h->n_svcs == 0 && h->n_dests == 0 && h->n_pairs == 0);
	CHECK(ops.n_sent == 1);	/* never a create, delete or extra send */
out:
	vh_health_free(h);
	vh_config_free(cfg);
}

TEST(vh_kernel_events)
{
	struct vs_event ev = { 0 };
	struct vh_config *cfg = vh_t_config(conf);
	struct vh_t_ops ops = { 0 };
	struct vh_health *h;
	struct vh_dest *d;

	CHECK(cfg != NULL);
	if (!cfg)
		return;
	h = vh_health_new(cfg, &vh_t_fake_ops, &ops);
	ev.cmd = VSCHED_CMD_SVC_NEW;
	ev.svc = vh_t_svc("198.18.100.1", 80);
	vh_kernel_apply_event(h, &ev, 1000);
	CHECK(h->n_svcs == 1 && h->n_dests == 0);

	ev.cmd = VSCHED_CMD_DEST_NEW;
	ev.has_dest = true;
	ev.dest = vh_t_dest("10.0.0.1", 80, 10);
	vh_kernel_apply_event(h, &ev, 1000);
	CHECK(h->n_dests == 1 && h->n_pairs == 1);

	/* Our own health update comes back as DEST_SET: kept as the
	 * kernel's view, no resend.
	 */
	ev.cmd = VSCHED_CMD_DEST_SET;
	ev.dest.has |= VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON;
	ev.dest.health = VSCHED_HEALTH_DOWN;
	strcpy(ev.dest.reason, "web: refused");
	vh_kernel_apply_event(h, &ev, 1100);
	d = vh_health_find_dest(h, &ev.svc, ev.dest.addr, 80);
	CHECK(d && d->kd.health == VSCHED_HEALTH_DOWN);
	CHECK_STR(d ? d->kd.reason : NULL, "web: refused");
	CHECK(ops.n_sent == 0);

	ev.cmd = VSCHED_CMD_DEST_DEL;
	vh_kernel_apply_event(h, &ev, 1200);
	CHECK(h->n_dests == 0 && h->n_pairs == 0 && ops.pair_del == 1);

	ev.cmd = VSCHED_CMD_DEST_NEW;
	vh_kernel_apply_event(h, &ev, 1300);
	CHECK(h->n_dests == 1);
	ev.cmd = VSCHED_CMD_SVC_DEL;
	ev.has_dest = false;
	vh_kernel_apply_event(h, &ev, 1400);
	CHECK(h->n_svcs == 0 && h->n_dests == 0 && h->n_pairs == 0);
	vh_health_free(h);
	vh_config_free(cfg);
}
