// SPDX-License-Identifier: GPL-2.0
/* vsadm -L with health: the extra text columns and JSON fields. */

#include <arpa/inet.h>
#include <stdlib.h>

#include <jansson.h>

#include "harness.h"
#include "vsadm.h"

#define HEALTH_HAS	(VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT | \
			 VS_DEST_HAS_FWD | VS_DEST_HAS_FLAGS | \
			 VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON | \
			 VS_DEST_HAS_PCT | VS_DEST_HAS_CAP | \
			 VS_DEST_HAS_STATE | VS_DEST_HAS_STATE_AGE | \
			 VS_DEST_HAS_EFF_WEIGHT)

static struct vs_dest dest(const char *addr, uint32_t w, uint8_t state,
			   uint32_t eff, uint64_t age_ms, const char *reason)
{
	struct vs_dest d = {
		.port = 8080, .weight = w, .has = HEALTH_HAS,
		.health = state == VSCHED_DS_DOWN ? VSCHED_HEALTH_DOWN :
						    VSCHED_HEALTH_UP,
		.health_pct = 100, .health_cap = VSCHED_HEALTH_CAP_NONE,
		.state = state, .eff_weight = eff, .state_age_ms = age_ms,
	};

	inet_pton(AF_INET, addr, &d.addr);
	snprintf(d.reason, sizeof(d.reason), "%s", reason);
	return d;
}

/* What the kernel reports for a service with four servers in four states. */
static void mk_state(struct vsadm_state *st)
{
	struct vsadm_svc_entry *e;

	memset(st, 0, sizeof(*st));
	st->n = 1;
	st->svcs = calloc(1, sizeof(*st->svcs));
	e = &st->svcs[0];
	e->svc.af = AF_INET;
	e->svc.protocol = IPPROTO_TCP;
	inet_pton(AF_INET, "198.18.100.1", &e->svc.addr);
	e->svc.port = 80;
	strcpy(e->svc.sched, "wrr");
	e->svc.has = VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP;
	e->svc.flags = VSCHED_SVC_F_DOWN_RESET;
	e->svc.warmup = 60;
	e->n_dests = 4;
	e->dests = calloc(4, sizeof(*e->dests));
	e->dests[0] = dest("10.0.0.1", 100, VSCHED_DS_UP, 50, 312000,
			   "HTTP 200");
	e->dests[0].health_pct = 50;
	e->dests[0].active_conns = 7;
	e->dests[1] = dest("10.0.0.2", 100, VSCHED_DS_DOWN, 0, 12500,
			   "connect: Connection refused");
	e->dests[2] = dest("10.0.0.3", 100, VSCHED_DS_WARMING, 17, 3723000,
			   "");
	e->dests[2].health_cap = 80;
	e->dests[3] = dest("10.0.0.4", 1, VSCHED_DS_DRAINING, 0, 500, "");
	e->dests[3].flags = VSCHED_DEST_F_SORRY;
	e->dests[3].drain_left_ms = 29500;
	e->dests[3].has |= VS_DEST_HAS_DRAIN_LEFT;
}

static char *list_str(const struct vsadm_state *st, unsigned int fmt)
{
	static const struct vs_info info = {
		.version = "0.1.0", .conn_count = 7, .conn_max = 1048576,
	};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_print_services(f, &info, st, true, fmt);
	fclose(f);
	return buf;
}

TEST(list_health_text)
{
	struct vsadm_state st = { 0 };
	char *out;

	mk_state(&st);
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_STR(out,
		  "vsched version 0.1.0 (connections 7/1048576)\n"
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn  EffWgt State    Since   Reason\n"
		  "TCP  198.18.100.1:80 wrr down_reset warmup 60\n"
		  "  -> 10.0.0.1:8080                Masq    100    7          0          50     up       5m12s   HTTP 200\n"
		  "  -> 10.0.0.2:8080                Masq    100    0          0          0      down     12s     connect: Connection refused\n"
		  "  -> 10.0.0.3:8080                Masq    100    0          0          17     warming  1h02m\n"
		  "  -> 10.0.0.4:8080                Masq    1      0          0          0      draining 0s      [sorry] [drain 29s left]\n");
	free(out);
	vsadm_state_free(&st);
}

TEST(list_health_stats_layout_unchanged)
{
	struct vsadm_state st = { 0 };
	char *out;

	/* --stats keeps ipvsadm's counter columns, health or not. */
	mk_state(&st);
	out = list_str(&st, VSADM_F_NUMERIC | VSADM_F_STATS);
	CHECK_HAS(out, "  -> RemoteAddress:Port\n");
	CHECK_HAS(out, "  -> 10.0.0.1:8080                       0        0        0        0        0\n");
	CHECK(!strstr(out, "EffWgt") && !strstr(out, "HTTP 200") &&
	      !strstr(out, "warmup"));
	free(out);
	vsadm_state_free(&st);
}

TEST(list_health_json)
{
	struct vsadm_state st = { 0 };
	json_error_t jerr;
	json_t *root, *svc, *rs, *d;
	char *out;

	mk_state(&st);
	out = list_str(&st, VSADM_F_JSON);
	root = json_loads(out, 0, &jerr);
	CHECK(root != NULL);
	if (!root) {
		printf("    %s\n", out);
		goto out;
	}
	svc = json_array_get(json_object_get(root, "services"), 0);
	CHECK(json_integer_value(json_object_get(svc, "warmup")) == 60);
	CHECK_STR(json_string_value(json_object_get(svc, "down_policy")),
		  "reset");
	CHECK_STR(json_string_value(json_array_get(
		json_object_get(svc, "flags"), 0)), "down_reset");
	rs = json_object_get(svc, "real_servers");
	CHECK(json_array_size(rs) == 4);

	d = json_array_get(rs, 0);
	CHECK_STR(json_string_value(json_object_get(d, "state")), "up");
	CHECK_STR(json_string_value(json_object_get(d, "reason")), "HTTP 200");
	CHECK(json_integer_value(json_object_get(d, "state_age_ms")) == 312000);
	CHECK(json_integer_value(json_object_get(d, "weight")) == 100);
	CHECK(json_integer_value(json_object_get(d, "eff_weight")) == 50);
	CHECK(json_integer_value(json_object_get(d, "health_pct")) == 50);
	CHECK(json_is_null(json_object_get(d, "health_cap")));
	CHECK(json_is_null(json_object_get(d, "drain_left_ms")));
	CHECK(json_is_false(json_object_get(d, "sorry")));

	d = json_array_get(rs, 1);
	CHECK_STR(json_string_value(json_object_get(d, "state")), "down");
	CHECK_STR(json_string_value(json_object_get(d, "health")), "down");
	CHECK(json_integer_value(json_object_get(d, "eff_weight")) == 0);

	d = json_array_get(rs, 2);
	CHECK_STR(json_string_value(json_object_get(d, "state")), "warming");
	CHECK(json_integer_value(json_object_get(d, "health_cap")) == 80);

	d = json_array_get(rs, 3);
	CHECK_STR(json_string_value(json_object_get(d, "state")), "draining");
	CHECK(json_integer_value(json_object_get(d, "drain_left_ms")) == 29500);
	CHECK(json_is_true(json_object_get(d, "sorry")));
	CHECK_STR(json_string_value(json_object_get(d, "reason")), "");
	json_decref(root);
out:
	free(out);
	vsadm_state_free(&st);
}

TEST(list_without_health_has_no_health_keys)
{
	struct vsadm_state st = { 0 };
	json_error_t jerr;
	json_t *root, *d;
	char *out;

	/* A server the kernel sent no health for: no invented values. */
	mk_state(&st);
	st.svcs[0].n_dests = 1;
	st.svcs[0].dests[0].has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT;
	out = list_str(&st, VSADM_F_JSON);
	root = json_loads(out, 0, &jerr);
	CHECK(root != NULL);
	d = json_array_get(json_object_get(json_array_get(
		json_object_get(root, "services"), 0), "real_servers"), 0);
	CHECK(d != NULL);
	CHECK(!json_object_get(d, "state") && !json_object_get(d, "eff_weight"));
	CHECK(!json_object_get(d, "drain_left_ms"));
	CHECK(json_is_false(json_object_get(d, "sorry")));
	json_decref(root);
	free(out);
	out = list_str(&st, VSADM_F_NUMERIC);
	/* ipvsadm's header when no server has health information. */
	CHECK_HAS(out, "Forward Weight ActiveConn InActConn\n");
	free(out);
	vsadm_state_free(&st);
}

TEST(age_format)
{
	char b[32];

	vsadm_age_str(999, b, sizeof(b));
	CHECK_STR(b, "0s");
	vsadm_age_str(59999, b, sizeof(b));
	CHECK_STR(b, "59s");
	vsadm_age_str(60000, b, sizeof(b));
	CHECK_STR(b, "1m00s");
	vsadm_age_str(3599000, b, sizeof(b));
	CHECK_STR(b, "59m59s");
	vsadm_age_str(3600000ULL * 25 + 60000, b, sizeof(b));
	CHECK_STR(b, "1d01h");
	vsadm_age_str(7200000 + 180000, b, sizeof(b));
	CHECK_STR(b, "2h03m");
}

/* A reason that another netlink client set to control bytes and invalid
 * UTF-8 (issue 22, finding 3): text shows it escaped, JSON keeps the
 * "reason" key (jansson refused the string and the key was dropped).
 */
TEST(list_health_hostile_reason)
{
	struct vsadm_state st = { 0 };
	json_t *root, *d;
	char *out;

	mk_state(&st);
	snprintf(st.svcs[0].dests[1].reason, sizeof(st.svcs[0].dests[1].reason),
		 "%s", "down\x1b]0;t\x07\xff\xc2\x9b");
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK(!strchr(out, '\x1b') && !strchr(out, '\x07') &&
	      !strchr(out, '\xff') && !strstr(out, "\xc2\x9b"));
	CHECK_HAS(out, "  -> 10.0.0.2:8080                Masq    100    0          0          0      down     12s     down\\x1b]0;t\\x07\\xff\\xc2\\x9b\n");
	free(out);
	out = list_str(&st, VSADM_F_JSON);
	root = json_loads(out, 0, NULL);
	CHECK(root != NULL);
	d = json_array_get(json_object_get(json_array_get(
		json_object_get(root, "services"), 0), "real_servers"), 1);
	CHECK_STR(json_string_value(json_object_get(d, "reason")),
		  "down\\x1b]0;t\\x07\\xff\\xc2\\x9b");
	json_decref(root);
	free(out);
	vsadm_state_free(&st);
}
