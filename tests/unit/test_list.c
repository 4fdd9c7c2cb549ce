// SPDX-License-Identifier: GPL-2.0
/* vsadm -L: the text layout of ipvsadm -Ln, and the shape of -j. */

#include <arpa/inet.h>
#include <stdlib.h>

#include <jansson.h>

#include "harness.h"
#include "vsadm.h"

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
	e->svc.has = VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS;
	e->svc.stats.conns = 123456789012ULL;
	e->svc.stats.inpkts = 42;
	e->n_dests = 2;
	e->dests = calloc(2, sizeof(*e->dests));
	inet_pton(AF_INET, "10.0.0.1", &e->dests[0].addr);
	e->dests[0].port = 8080;
	e->dests[0].weight = 3;
	e->dests[0].active_conns = 7;
	e->dests[0].inact_conns = 2;
	e->dests[0].stats.inbytes = 1000;
	inet_pton(AF_INET, "10.0.0.2", &e->dests[1].addr);
	e->dests[1].port = 8080;
	e->dests[1].weight = 1;
}

static const struct vs_info info = {
	.version = "0.1.0", .conn_count = 9, .conn_max = 1048576,
};

static char *list_str(const struct vsadm_state *st, unsigned int fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_print_services(f, &info, st, true, fmt);
	fclose(f);
	return buf;
}

TEST(list_text_layout)
{
	struct vsadm_state st = { 0 };
	char *out;

	mk_state(&st);
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_STR(out,
		  "vsched version 0.1.0 (connections 9/1048576)\n"
		  "Prot LocalAddress:Port Scheduler Flags\n"
		  "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
		  "TCP  198.18.100.1:80 wrr\n"
		  "  -> 10.0.0.1:8080                Masq    3      7          2         \n"
		  "  -> 10.0.0.2:8080                Masq    1      0          0         \n");
	free(out);
	vsadm_state_free(&st);
}

TEST(list_text_stats)
{
	struct vsadm_state st = { 0 };
	char *out;

	mk_state(&st);
	out = list_str(&st, VSADM_F_NUMERIC | VSADM_F_STATS);
	CHECK_HAS(out, "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
		  "  -> RemoteAddress:Port\n");
	/* ipvsadm's abbreviations: 123456789012 is 123G. */
	CHECK_HAS(out, "TCP  198.18.100.1:80                  123G       42        0        0        0\n");
	CHECK_HAS(out, "  -> 10.0.0.1:8080                       0        0        0     1000        0\n");
	free(out);
	out = list_str(&st, VSADM_F_NUMERIC | VSADM_F_STATS | VSADM_F_EXACT);
	CHECK_HAS(out, "TCP  198.18.100.1:80              123456789012       42");
	free(out);
	vsadm_state_free(&st);
}

TEST(largenum)
{
	char b[32];

	vsadm_largenum(99999999, false, b, sizeof(b));
	CHECK_STR(b, " 99999999");
	vsadm_largenum(100000000, false, b, sizeof(b));
	CHECK_STR(b, "  100000K");
	vsadm_largenum(1000000000, false, b, sizeof(b));
	CHECK_STR(b, "    1000M");
	vsadm_largenum(100000000000000ULL, false, b, sizeof(b));
	CHECK_STR(b, "     100T");
	vsadm_largenum(1234567890, true, b, sizeof(b));
	CHECK_STR(b, " 1234567890");
}

TEST(list_json_shape)
{
	struct vsadm_state st = { 0 };
	json_error_t jerr;
	json_t *root, *svcs, *svc, *rs, *d;
	char *out;

	mk_state(&st);
	out = list_str(&st, VSADM_F_JSON);
	root = json_loads(out, 0, &jerr);
	CHECK(root != NULL);
	if (!root) {
		printf("    %s\n", out);
		goto out;
	}
	CHECK_STR(json_string_value(json_object_get(root, "version")), "0.1.0");
	CHECK(json_integer_value(json_object_get(root, "connections")) == 9);
	CHECK(json_integer_value(json_object_get(root, "max_connections")) ==
	      1048576);
	svcs = json_object_get(root, "services");
	CHECK(json_is_array(svcs) && json_array_size(svcs) == 1);
	svc = json_array_get(svcs, 0);
	CHECK_STR(json_string_value(json_object_get(svc, "protocol")), "TCP");
	CHECK_STR(json_string_value(json_object_get(svc, "address")),
		  "198.18.100.1");
	CHECK(json_integer_value(json_object_get(svc, "port")) == 80);
	CHECK_STR(json_string_value(json_object_get(svc, "scheduler")), "wrr");
	CHECK(json_is_array(json_object_get(svc, "flags")));
	CHECK(json_integer_value(json_object_get(
		json_object_get(svc, "stats"), "conns")) == 123456789012LL);
	rs = json_object_get(svc, "real_servers");
	CHECK(json_is_array(rs) && json_array_size(rs) == 2);
	d = json_array_get(rs, 0);
	CHECK_STR(json_string_value(json_object_get(d, "address")), "10.0.0.1");
	CHECK(json_integer_value(json_object_get(d, "port")) == 8080);
	CHECK_STR(json_string_value(json_object_get(d, "forward")), "masq");
	CHECK(json_integer_value(json_object_get(d, "weight")) == 3);
	CHECK(json_integer_value(json_object_get(d, "active_conns")) == 7);
	CHECK(json_integer_value(json_object_get(d, "inactive_conns")) == 2);
	CHECK(json_integer_value(json_object_get(
		json_object_get(d, "stats"), "inbytes")) == 1000);
	/* Nothing but the JSON document on stdout. */
	CHECK(!strstr(out, "Prot"));
	json_decref(root);
out:
	free(out);
	vsadm_state_free(&st);
}

TEST(list_conns)
{
	struct vs_conn c = {
		.af = AF_INET, .protocol = IPPROTO_TCP, .cport = 41234,
		.vport = 80, .dport = 8080, .state = VSCHED_CS_ESTABLISHED,
		.expires_ms = 898500,
	};
	json_error_t jerr;
	json_t *root, *e;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	inet_pton(AF_INET, "192.0.2.5", &c.caddr);
	inet_pton(AF_INET, "198.18.100.1", &c.vaddr);
	inet_pton(AF_INET, "10.0.0.1", &c.daddr);
	f = open_memstream(&buf, &len);
	vsadm_print_conns(f, &c, 1, VSADM_F_NUMERIC);
	fclose(f);
	CHECK_HAS(buf, "pro expire state       source             virtual            destination\n");
	CHECK_HAS(buf, "TCP 14:58  ESTABLISHED 192.0.2.5:41234    198.18.100.1:80    10.0.0.1:8080\n");
	free(buf);

	f = open_memstream(&buf, &len);
	vsadm_print_conns(f, &c, 1, VSADM_F_JSON);
	fclose(f);
	root = json_loads(buf, 0, &jerr);
	CHECK(root != NULL);
	e = json_array_get(json_object_get(root, "connections"), 0);
	CHECK_STR(json_string_value(json_object_get(e, "state")), "ESTABLISHED");
	CHECK_STR(json_string_value(json_object_get(e, "client_address")),
		  "192.0.2.5");
	CHECK(json_integer_value(json_object_get(e, "server_port")) == 8080);
	CHECK(json_integer_value(json_object_get(e, "expires_ms")) == 898500);
	json_decref(root);
	free(buf);
}

TEST(list_timeouts)
{
	struct vs_config cfg = { .tcp_est = 900, .tcp_fin = 120, .udp = 300 };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_print_timeouts(f, &cfg, 0);
	fclose(f);
	CHECK_STR(buf, "Timeout (tcp tcpfin udp): 900 120 300\n");
	free(buf);
}

/* ipvsadm -Ln: "sh (sh-fallback,sh-port)"; -j: an array of names. */
TEST(list_sched_flags)
{
	struct vsadm_state st = { 0 };
	json_t *root, *flags;
	char *out;

	mk_state(&st);
	st.svcs[0].n_dests = 0;
	strcpy(st.svcs[0].svc.sched, "sh");
	st.svcs[0].svc.sched_flags = VSCHED_SCHED_F_FALLBACK |
				     VSCHED_SCHED_F_PORT;
	st.svcs[0].svc.has |= VS_SVC_HAS_SCHED_FLAGS;
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_HAS(out, "\nTCP  198.18.100.1:80 sh (sh-fallback,sh-port)\n");
	free(out);
	strcpy(st.svcs[0].svc.sched, "mh");
	st.svcs[0].svc.sched_flags = VSCHED_SCHED_F_PORT;
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_HAS(out, "\nTCP  198.18.100.1:80 mh (mh-port)\n");
	free(out);
	/* Another scheduler shows IPVS's generic names, as ipvsadm. */
	strcpy(st.svcs[0].svc.sched, "rr");
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_HAS(out, "\nTCP  198.18.100.1:80 rr (flag-2)\n");
	free(out);
	st.svcs[0].svc.sched_flags = 0;
	out = list_str(&st, VSADM_F_NUMERIC);
	CHECK_HAS(out, "\nTCP  198.18.100.1:80 rr\n");
	free(out);
	/* Counters only with --stats. */
	st.svcs[0].svc.sched_flags = VSCHED_SCHED_F_PORT;
	out = list_str(&st, VSADM_F_NUMERIC | VSADM_F_STATS);
	CHECK(!strstr(out, "flag-2"));
	free(out);

	strcpy(st.svcs[0].svc.sched, "mh");
	st.svcs[0].svc.sched_flags = VSCHED_SCHED_F_FALLBACK |
				     VSCHED_SCHED_F_PORT;
	out = list_str(&st, VSADM_F_NUMERIC | VSADM_F_JSON);
	root = json_loads(out, 0, NULL);
	CHECK(root);
	flags = json_object_get(json_array_get(json_object_get(root,
							       "services"),
					       0), "sched_flags");
	CHECK(json_is_array(flags) && json_array_size(flags) == 2);
	CHECK_STR(json_string_value(json_array_get(flags, 0)), "mh-fallback");
	CHECK_STR(json_string_value(json_array_get(flags, 1)), "mh-port");
	json_decref(root);
	free(out);
	vsadm_state_free(&st);
}
