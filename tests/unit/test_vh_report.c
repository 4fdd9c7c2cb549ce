// SPDX-License-Identifier: GPL-2.0
/* vshealthd's "show" (text and JSON) and its Prometheus text, rendered
 * from a registry driven through vh_health_* with a fake clock.
 */

#include <jansson.h>

#include "daemon.h"
#include "harness.h"
#include "report.h"
#include "vh_util.h"

static const char conf[] =
	"checks = {\n"
	"	web = { type = \"tcp\"; rise = 1; fall = 1; };\n"
	"};\n"
	"services = (\n"
	"	{ service = \"tcp 198.18.100.1:80\"; checks = [ \"web\" ]; quorum = 5; }\n"
	");\n";

struct fixture {
	struct vh_config *cfg;
	struct vh_t_ops ops;
	struct vh_health *h;
	struct vh_clock clk;
};

/* 10.0.0.1 up after two results, 10.0.0.2 down, 10.0.0.3 unknown; an
 * unconfigured service with one server.
 */
static bool setup(struct fixture *f)
{
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct vs_svc other = vh_t_svc("198.18.100.9", 443);
	struct vs_dest d1 = vh_t_dest("10.0.0.1", 80, 10);
	struct vs_dest d2 = vh_t_dest("10.0.0.2", 80, 5);
	struct vs_dest d3 = vh_t_dest("10.0.0.3", 80, 1);
	struct vh_result up = vh_t_res(true, "ok");
	struct vh_result down = vh_t_res(false, "connect: \"refused\"\\");
	struct vh_dest *x;

	memset(f, 0, sizeof(*f));
	f->cfg = vh_t_config(conf);
	if (!f->cfg)
		return false;
	f->h = vh_health_new(f->cfg, &vh_t_fake_ops, &f->ops);
	vh_health_svc_add(f->h, &s);
	vh_health_dest_update(f->h, &s, &d2, 1000);
	vh_health_dest_update(f->h, &s, &d1, 1000);
	vh_health_dest_update(f->h, &s, &d3, 1000);
	vh_health_dest_update(f->h, &other, &d1, 1000);
	x = vh_health_find_dest(f->h, &s, d1.addr, 80);
	vh_health_result(f->h, x->pairs[0], &up, 2000);
	up.duration_us = 2500;
	vh_health_result(f->h, x->pairs[0], &up, 3000);
	x = vh_health_find_dest(f->h, &s, d2.addr, 80);
	vh_health_result(f->h, x->pairs[0], &down, 3000);
	x->pairs[0]->n_skipped = 4;
	f->clk.now_ms = 5000;
	f->clk.wall_ms = 1700000000000ULL;	/* 2023-11-14T22:13:20Z */
	return true;
}

static void teardown(struct fixture *f)
{
	vh_health_free(f->h);
	vh_config_free(f->cfg);
}

/* Not inlined: GCC then mistakes the memstream buffer for a local. */
static __attribute__((noinline)) char *render_text(struct fixture *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	vh_show_text(m, f->h, &f->clk);
	fclose(m);
	return buf;
}

TEST(vh_show_text_lists_servers_checks_history)
{
	struct fixture f;
	char *t, *a, *b, *c, *o;

	CHECK(setup(&f));
	if (!f.h)
		return;
	t = render_text(&f);
	CHECK_HAS(t, "service tcp 198.18.100.1:80\n");
	CHECK_HAS(t, "  quorum unknown: weight 11 of 5 (hysteresis 0)\n" ) ;
	CHECK_HAS(t, "  server 10.0.0.1:80: up (ok) for 3.0 s, admin weight 10, 1 updates sent\n");
	CHECK_HAS(t, "  server 10.0.0.2:80: down (web: connect: \"refused\"\\) for 2.0 s");
	CHECK_HAS(t, "  server 10.0.0.3:80: unknown for 4.0 s");
	CHECK_HAS(t, "    check web (tcp 10.0.0.1:80): up (ok) for 3.0 s, rise 1/1 fall 0/1, 2 up, 0 down, 0 skipped\n");
	CHECK_HAS(t, "4 skipped");
	/* History, oldest first. */
	CHECK_HAS(t, "           3.0 s ago  up       1.500 ms  ok\n"
		     "           2.0 s ago  up       2.500 ms  ok\n");
	CHECK_HAS(t, "service tcp 198.18.100.9:443 (not in the configuration: not checked)\n"
		     "  server 10.0.0.1:80: not checked");
	/* Sorted: by service, then server address. */
	a = strstr(t, "server 10.0.0.1:80: up");
	b = strstr(t, "server 10.0.0.2:80");
	c = strstr(t, "server 10.0.0.3:80");
	o = strstr(t, "198.18.100.9");
	CHECK(a && b && c && o && a < b && b < c && c < o);
	free(t);
	teardown(&f);
}

TEST(vh_show_json_shape)
{
	struct fixture f;
	json_t *j, *svc, *srv, *chk, *hist;

	CHECK(setup(&f));
	if (!f.h)
		return;
	j = vh_show_json(f.h, &f.clk);
	svc = json_array_get(json_object_get(j, "services"), 0);
	CHECK(json_array_size(json_object_get(j, "services")) == 2);
	CHECK_STR(json_string_value(json_object_get(svc, "service")),
		  "tcp 198.18.100.1:80");
	CHECK(json_is_true(json_object_get(svc, "configured")));
	CHECK_STR(json_string_value(json_object_get(
		json_object_get(svc, "quorum"), "state")), "unknown");
	srv = json_array_get(json_object_get(svc, "servers"), 0);
	CHECK_STR(json_string_value(json_object_get(srv, "server")),
		  "10.0.0.1:80");
	CHECK_STR(json_string_value(json_object_get(srv, "state")), "up");
	CHECK_STR(json_string_value(json_object_get(srv, "reason")), "ok");
	CHECK(json_integer_value(json_object_get(srv, "pct")) == 100);
	CHECK_STR(json_string_value(json_object_get(srv, "since")),
		  "2023-11-14T22:13:17.000Z");
	chk = json_array_get(json_object_get(srv, "checks"), 0);
	CHECK_STR(json_string_value(json_object_get(chk, "check")), "web");
	CHECK_STR(json_string_value(json_object_get(chk, "state")), "up");
	CHECK(json_integer_value(json_object_get(chk, "results_up")) == 2);
	hist = json_object_get(chk, "history");
	CHECK(json_array_size(hist) == 2);
	CHECK(json_real_value(json_object_get(json_array_get(hist, 1),
					      "duration_ms")) == 2.5);
	CHECK(json_is_true(json_object_get(json_array_get(hist, 0), "up")));
	srv = json_array_get(json_object_get(svc, "servers"), 2);
	CHECK_STR(json_string_value(json_object_get(srv, "state")), "unknown");
	CHECK(json_object_get(srv, "reason") == NULL);
	json_decref(j);
	teardown(&f);
}

/* A reason that is not clean text (here put straight into the registry,
 * as a result the probes did not make) is shown escaped, and JSON keeps
 * the server's reason and every history entry (issue 22, finding 3:
 * jansson refused the string and the fields were dropped).
 */
TEST(vh_show_hostile_reason)
{
	struct fixture f;
	struct vs_svc s = vh_t_svc("198.18.100.1", 80);
	struct in_addr a;
	struct vh_result bad = vh_t_res(false, "x\x1b]0;t\x07\xff\xc3");
	struct vh_dest *x;
	json_t *j, *svc, *srv, *chk, *hist;
	size_t i, n;
	char *t;

	CHECK(setup(&f));
	if (!f.h)
		return;
	inet_pton(AF_INET, "10.0.0.3", &a);
	x = vh_health_find_dest(f.h, &s, a, 80);
	CHECK(x != NULL);
	if (!x)
		return;
	vh_health_result(f.h, x->pairs[0], &bad, 4000);

	t = render_text(&f);
	CHECK(!strchr(t, '\x1b') && !strchr(t, '\x07') && !strchr(t, '\xff'));
	CHECK_HAS(t, "  server 10.0.0.3:80: down (web: x\\x1b]0;t\\x07\\xff\\xc3)");
	free(t);

	j = vh_show_json(f.h, &f.clk);
	svc = json_array_get(json_object_get(j, "services"), 0);
	srv = NULL;
	n = json_array_size(json_object_get(svc, "servers"));
	for (i = 0; i < n; i++) {
		json_t *e = json_array_get(json_object_get(svc, "servers"), i);

		const char *name = json_string_value(json_object_get(e,
								     "server"));

		if (name && !strcmp(name, "10.0.0.3:80"))
			srv = e;
	}
	CHECK(srv != NULL);
	CHECK_STR(json_string_value(json_object_get(srv, "reason")),
		  "web: x\\x1b]0;t\\x07\\xff\\xc3");
	chk = json_array_get(json_object_get(srv, "checks"), 0);
	CHECK(chk != NULL);
	CHECK_STR(json_string_value(json_object_get(chk, "reason")),
		  "x\\x1b]0;t\\x07\\xff\\xc3");
	hist = json_object_get(chk, "history");
	CHECK(json_array_size(hist) == 1);
	CHECK_STR(json_string_value(json_object_get(json_array_get(hist, 0),
						    "reason")),
		  "x\\x1b]0;t\\x07\\xff\\xc3");
	json_decref(j);
	teardown(&f);
}

static __attribute__((noinline)) char *render_metrics(struct fixture *f)
{
	struct vh_stats st = { .reloads_ok = 2, .reloads_failed = 1 };
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	vh_metrics_render(m, f->h, &st, true);
	fclose(m);
	return buf;
}

TEST(vh_metrics_text)
{
	struct fixture f;
	char *t, *line;
	int n_type = 0;

	CHECK(setup(&f));
	if (!f.h)
		return;
	t = render_metrics(&f);
	CHECK_HAS(t, "# TYPE vshealthd_server_up gauge\n");
	CHECK_HAS(t, "vshealthd_server_up{service=\"tcp 198.18.100.1:80\",server=\"10.0.0.1:80\"} 1\n");
	CHECK_HAS(t, "vshealthd_server_up{service=\"tcp 198.18.100.1:80\",server=\"10.0.0.2:80\"} 0\n");
	/* No opinion, no sample. */
	CHECK(!strstr(t, "vshealthd_server_up{service=\"tcp 198.18.100.1:80\",server=\"10.0.0.3:80\"}"));
	CHECK_HAS(t, "vshealthd_check_results_total{server=\"10.0.0.1:80\",check=\"web\",type=\"tcp\",result=\"up\"} 2\n");
	CHECK_HAS(t, "vshealthd_check_results_total{server=\"10.0.0.2:80\",check=\"web\",type=\"tcp\",result=\"down\"} 1\n");
	CHECK_HAS(t, "vshealthd_check_up{server=\"10.0.0.3:80\",check=\"web\",type=\"tcp\"} -1\n");
	CHECK_HAS(t, "vshealthd_check_skipped_total{server=\"10.0.0.2:80\",check=\"web\",type=\"tcp\"} 4\n");
	CHECK_HAS(t, "vshealthd_probe_duration_seconds{server=\"10.0.0.1:80\",check=\"web\",type=\"tcp\"} 0.002500\n");
	CHECK_HAS(t, "vshealthd_health_updates_sent_total{service=\"tcp 198.18.100.1:80\",server=\"10.0.0.2:80\"} 1\n");
	/* 10.0.0.3 has no opinion yet: quorum undecided, no sample; the
	 * weight counts what the kernel uses (10.0.0.3's 1 included).
	 */
	CHECK(!strstr(t, "vshealthd_quorum_reached{"));
	CHECK_HAS(t, "vshealthd_quorum_weight{service=\"tcp 198.18.100.1:80\"} 11\n");
	CHECK_HAS(t, "vshealthd_kernel_connected 1\n");
	CHECK_HAS(t, "vshealthd_config_reloads_total 2\n");
	CHECK_HAS(t, "vshealthd_config_reload_failures_total 1\n");
	/* Every sample line belongs to a declared family; TYPE once each. */
	for (line = t; line && *line; line = strchr(line, '\n') + 1) {
		char name[128];

		if (!strncmp(line, "# TYPE ", 7)) {
			n_type++;
			continue;
		}
		if (*line == '#')
			continue;
		sscanf(line, "%127[a-z_]", name);
		char decl[160];
		snprintf(decl, sizeof(decl), "# TYPE %s ", name);
		if (!strstr(t, decl))
			printf("    undeclared: %s\n", name);
		CHECK(strstr(t, decl) != NULL);
	}
	CHECK(n_type >= 15);
	free(t);
	teardown(&f);
}

TEST(vh_metrics_label_escaping)
{
	struct fixture f;
	char *t;

	CHECK(setup(&f));
	if (!f.h)
		return;
	/* A check name cannot hold quotes in libconfig, but the escaping
	 * must hold for any label value: rename one in place.
	 */
	free(f.cfg->checks[0].name);
	f.cfg->checks[0].name = strdup("we\"b\\x\ny");
	t = render_metrics(&f);
	CHECK_HAS(t, "check=\"we\\\"b\\\\x\\ny\"");
	free(t);
	teardown(&f);
}
