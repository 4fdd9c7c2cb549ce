// SPDX-License-Identifier: GPL-2.0
/* vshealthd.conf: a valid file read as documented, and bad files whose
 * every error is named by FILE:LINE.
 */

#include "harness.h"
#include "vh_util.h"

static const char valid_conf[] =
	"daemon = {\n"
	"	control = \"/run/test.sock\";\n"
	"	metrics = \"127.0.0.1:9469\";\n"
	"	history = 20;\n"
	"};\n"
	"checks = {\n"
	"	web = { type = \"http\"; path = \"/health\"; status = \"200-299,301\";\n"
	"		interval = 0.5; rise = 2; fall = 4; jitter = 0.1; };\n"
	"	conn = { type = \"tcp\"; port = 8443; };\n"
	"	load = { type = \"agent\"; port = 7777; cpu_max = 90; };\n"
	"	resolve = { type = \"dns\"; name = \"example.test\"; query_type = \"AAAA\";\n"
	"		    rcodes = [ \"NOERROR\", \"NXDOMAIN\" ]; };\n"
	"	probe = { type = \"udp\"; payload_hex = \"de ad\"; expect = \"ok\"; };\n"
	"	ext = { type = \"script\"; command = [ \"/bin/true\", \"-x\" ]; };\n"
	"};\n"
	"services = (\n"
	"	{ service = \"tcp 198.18.100.1:80\"; checks = [ \"web\", \"load\" ];\n"
	"	  quorum = 20; hysteresis = 5; quorum_down = \"logger lost\";\n"
	"	  servers = (\n"
	"		{ server = \"10.0.0.3\"; checks = [ \"conn\" ]; inherit = false; },\n"
	"		{ server = \"10.0.0.3:8080\"; checks = [ \"resolve\" ]; }\n"
	"	  ); },\n"
	"	{ service = \"udp 198.18.100.1:53\"; checks = \"probe\"; }\n"
	");\n";

TEST(vh_config_valid)
{
	struct vh_config *cfg = vh_t_config(valid_conf);
	const struct vh_check_cfg *web, *conn, *dns, *udp, *ext, *out[8];
	const struct vh_service_cfg *s;
	struct in_addr a;
	size_t n;

	CHECK(cfg != NULL);
	if (!cfg)
		return;
	CHECK_STR(cfg->control, "/run/test.sock");
	CHECK_STR(cfg->metrics, "127.0.0.1:9469");
	CHECK(ntohs(cfg->metrics_addr.sin_port) == 9469);
	CHECK(cfg->history == 20);
	CHECK(cfg->n_checks == 6);
	CHECK(cfg->n_services == 2);

	web = vh_config_check(cfg, "web");
	CHECK(web && web->type == VH_CHECK_HTTP);
	CHECK(web && web->interval_ms == 500);
	CHECK(web && web->timeout_ms == 500);	/* default: min(interval, 1 s) */
	CHECK(web && web->jitter_ms == 100);
	CHECK(web && web->rise == 2 && web->fall == 4);
	CHECK(web && web->port == 0);
	CHECK_STR(web ? web->path : NULL, "/health");
	CHECK(web && web->n_status == 2 && web->status[0].lo == 200 &&
	      web->status[0].hi == 299 && web->status[1].lo == 301);

	conn = vh_config_check(cfg, "conn");
	CHECK(conn && conn->type == VH_CHECK_TCP && conn->port == 8443);
	CHECK(conn && conn->interval_ms == 1000 && conn->timeout_ms == 1000);
	CHECK(conn && conn->rise == 3 && conn->fall == 3);

	dns = vh_config_check(cfg, "resolve");
	CHECK(dns && dns->dns_type == 28);	/* AAAA */
	CHECK(dns && dns->dns_rcodes == ((1U << 0) | (1U << 3)));
	udp = vh_config_check(cfg, "probe");
	CHECK(udp && udp->payload_len == 2 && udp->payload[0] == 0xde &&
	      udp->payload[1] == 0xad);
	CHECK(udp && udp->expect_len == 2 && !memcmp(udp->expect, "ok", 2));
	ext = vh_config_check(cfg, "ext");
	CHECK(ext && ext->argv && !strcmp(ext->argv[0], "/bin/true") &&
	      !strcmp(ext->argv[1], "-x") && !ext->argv[2]);
	CHECK(vh_config_check(cfg, "nope") == NULL);

	inet_pton(AF_INET, "198.18.100.1", &a);
	s = vh_config_service(cfg, IPPROTO_TCP, a, 80);
	CHECK(s != NULL);
	if (!s)
		goto out;
	CHECK_STR(s->name, "tcp 198.18.100.1:80");
	CHECK(s->has_quorum && s->quorum == 20 && s->hysteresis == 5);
	CHECK(s->quorum_down.argv && !s->quorum_up.argv);
	CHECK(vh_config_service(cfg, IPPROTO_UDP, a, 80) == NULL);
	CHECK(vh_config_service(cfg, IPPROTO_UDP, a, 53) != NULL);

	/* A server without an entry: the service's checks. */
	inet_pton(AF_INET, "10.0.0.1", &a);
	n = vh_config_dest_checks(s, a, 80, out, 8);
	CHECK(n == 2 && out[0] == web && out[1] == vh_config_check(cfg, "load"));
	/* inherit = false: only its own. */
	inet_pton(AF_INET, "10.0.0.3", &a);
	n = vh_config_dest_checks(s, a, 80, out, 8);
	CHECK(n == 1 && out[0] == conn);
	/* The entry naming the port wins, and inherits. */
	n = vh_config_dest_checks(s, a, 8080, out, 8);
	CHECK(n == 3 && out[2] == dns);
out:
	vh_config_free(cfg);
}

/* Every error of the file, each with its own line. */
static const char bad_conf[] =
	"daemon = { control = \"relative.sock\"; history = 0; };\n"	/* 1 */
	"checks = {\n"							/* 2 */
	"	web = { type = \"http\"; interval = -1; };\n"		/* 3 */
	"	t2 = { type = \"tcp\"; timeout = 2; };\n"		/* 4 */
	"	x = { type = \"nope\"; };\n"				/* 5 */
	"	h = { type = \"http\"; sni = \"a\"; };\n"		/* 6 */
	"};\n"								/* 7 */
	"services = (\n"						/* 8 */
	"	{ service = \"tcp 1.2.3.4\"; },\n"			/* 9 */
	"	{ service = \"tcp 1.2.3.4:80\";\n"			/* 10 */
	"	  checks = [ \"missing\" ]; }\n"			/* 11 */
	");\n";								/* 12 */

TEST(vh_config_errors_name_file_and_line)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg = (void *)1;
	char *name = vh_t_write(bad_conf), want[300];
	static const struct { int line; const char *what; } exp[] = {
		{ 1, "control \"relative.sock\": expected an absolute path" },
		{ 1, "history = 0: out of range 1..100" },
		{ 3, "interval = -1" },
		{ 4, "timeout (2.000 s) must not exceed interval (1.000 s)" },
		{ 5, "unknown type \"nope\"" },
		{ 6, "unknown key \"sni\" in http" },
		{ 9, "service \"tcp 1.2.3.4\": expected" },
		{ 11, "\"missing\" is not defined" },
	};
	size_t i, k;
	int ret;

	CHECK(name != NULL);
	if (!name)
		return;
	ret = vh_config_load(name, &cfg, &errs);
	CHECK(ret == -EINVAL);
	CHECK(cfg == NULL);
	CHECK(errs.n == sizeof(exp) / sizeof(*exp));
	for (k = 0; k < sizeof(exp) / sizeof(*exp); k++) {
		bool found = false;

		snprintf(want, sizeof(want), "%s:%d: ", name, exp[k].line);
		for (i = 0; i < errs.n; i++)
			if (!strncmp(errs.msg[i], want, strlen(want)) &&
			    strstr(errs.msg[i], exp[k].what))
				found = true;
		if (!found)
			printf("    missing: %s%s\n", want, exp[k].what);
		CHECK(found);
	}
	vh_errors_free(&errs);
	unlink(name);
	free(name);
}

/* Path and Host go into the request as they are: nothing that could
 * end a line or split the request line gets in.
 */
TEST(vh_config_http_path_and_host)
{
	static const char conf[] =
		"checks = {\n"
		"	a = { type = \"http\"; path = \"/health check\"; };\n"
		"	b = { type = \"http\"; host = \"x.example\\r\\nX: 1\"; };\n"
		"	c = { type = \"https\"; host = \"x.example/evil\"; };\n"
		"	d = { type = \"http\"; path = \"/health%20check?x=1\";\n"
		"	      host = \"www.example:8080\"; };\n"
		"};\n"
		"services = ( { service = \"tcp 1.2.3.4:80\"; checks = [ \"d\" ]; } );\n";
	struct vh_errors errs = { 0 };
	struct vh_config *cfg = NULL;
	char *name = vh_t_write(conf);

	CHECK(name != NULL);
	if (!name)
		return;
	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	CHECK(errs.n == 3);
	CHECK_HAS(errs.n > 0 ? errs.msg[0] : NULL, ":2: ");
	CHECK_HAS(errs.n > 0 ? errs.msg[0] : NULL, "percent-encode");
	CHECK_HAS(errs.n > 1 ? errs.msg[1] : NULL, ":3: ");
	CHECK_HAS(errs.n > 1 ? errs.msg[1] : NULL, "not a valid Host");
	CHECK_HAS(errs.n > 2 ? errs.msg[2] : NULL, ":4: ");
	vh_errors_free(&errs);
	unlink(name);
	free(name);
}

TEST(vh_config_syntax_error_and_missing_file)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg;
	char *name = vh_t_write("checks = {\n  a = { type = \"tcp\"; };\n"
				"  b = { type = ; };\n};\nservices = ( );\n");
	char want[300];

	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	snprintf(want, sizeof(want), "%s:3: ", name);
	CHECK(errs.n == 1);
	CHECK(errs.n && !strncmp(errs.msg[0], want, strlen(want)));
	vh_errors_free(&errs);
	unlink(name);

	CHECK(vh_config_load(name, &cfg, &errs) == -ENOENT);
	CHECK(errs.n == 1);
	CHECK_HAS(errs.n ? errs.msg[0] : NULL, "cannot read");
	vh_errors_free(&errs);
	free(name);

	/* A file without services checks nothing: refused. */
	name = vh_t_write("checks = { };\n");
	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	CHECK(errs.n == 1);
	CHECK_HAS(errs.n ? errs.msg[0] : NULL, "no \"services\" list");
	vh_errors_free(&errs);
	unlink(name);
	free(name);
}

TEST(vh_config_metrics_loopback_only)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg;
	char *name;

	name = vh_t_write("daemon = { metrics = \"192.0.2.1:9469\"; };\n"
			  "services = ( );\n");
	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	CHECK(errs.n == 1);
	CHECK_HAS(errs.n ? errs.msg[0] : NULL, "not a loopback address");
	vh_errors_free(&errs);
	unlink(name);
	free(name);
	cfg = vh_t_config("daemon = { metrics = \"192.0.2.1:9469\"; metrics_allow_remote = true; };\n"
			  "services = ( );\n");
	CHECK(cfg != NULL);
	vh_config_free(cfg);
}

/* A path longer than any fixed buffer (issue 22, finding 1): the whole
 * "FILE:LINE: message" is kept, and nothing is written out of bounds.
 */
TEST(vh_config_error_long_path)
{
	struct vh_errors errs = { 0 };
	size_t lens[] = { 500, 511, 512, 600, 5000 }, i;
	char *file, want[5100];

	for (i = 0; i < sizeof(lens) / sizeof(*lens); i++) {
		file = malloc(lens[i] + 1);
		memset(file, 'd', lens[i]);
		file[0] = '/';
		file[lens[i]] = '\0';
		vh_errors_add(&errs, file, 42, "the %s is wrong", "value");
		vh_errors_add(&errs, file, 0, "cannot read: %s", "gone");
		snprintf(want, sizeof(want), "%s:42: the value is wrong", file);
		CHECK(errs.n == 2 * i + 2);
		CHECK(errs.n == 2 * i + 2 && !strcmp(errs.msg[2 * i], want));
		snprintf(want, sizeof(want), "%s: cannot read: gone", file);
		CHECK(errs.n == 2 * i + 2 && !strcmp(errs.msg[2 * i + 1], want));
		free(file);
	}
	vh_errors_add(&errs, NULL, 0, "no file");
	CHECK_STR(errs.n ? errs.msg[errs.n - 1] : NULL, "no file");
	vh_errors_free(&errs);
}

/* status as a number is one code, as a string codes and ranges; both
 * forms are accepted (issue 22: the number used to be refused with
 * "expected a string").
 */
TEST(vh_config_status_number_or_string)
{
	struct vh_config *cfg;
	const struct vh_check_cfg *c;
	struct vh_errors errs = { 0 };
	char *name;

	cfg = vh_t_config("checks = {\n"
			  "	a = { type = \"http\"; status = 204; };\n"
			  "	b = { type = \"https\"; status = \"204\"; };\n"
			  "	c = { type = \"http\"; status = \"200-299,301\"; };\n"
			  "	d = { type = \"http\"; };\n"
			  "};\n"
			  "services = ( { service = \"tcp 1.2.3.4:80\"; checks = [ \"a\", \"b\", \"c\", \"d\" ]; } );\n");
	CHECK(cfg != NULL);
	if (!cfg)
		return;
	c = vh_config_check(cfg, "a");
	CHECK(c && c->n_status == 1 && c->status[0].lo == 204 &&
	      c->status[0].hi == 204);
	c = vh_config_check(cfg, "b");
	CHECK(c && c->n_status == 1 && c->status[0].lo == 204 &&
	      c->status[0].hi == 204);
	c = vh_config_check(cfg, "c");
	CHECK(c && c->n_status == 2 && c->status[0].lo == 200 &&
	      c->status[0].hi == 299 && c->status[1].lo == 301);
	c = vh_config_check(cfg, "d");
	CHECK(c && c->n_status == 1 && c->status[0].lo == 200 &&
	      c->status[0].hi == 299);
	vh_config_free(cfg);

	name = vh_t_write("checks = {\n"
			  "	a = { type = \"http\"; status = 99; };\n"
			  "	b = { type = \"http\"; status = 2.5; };\n"
			  "	c = { type = \"http\"; status = \"ok\"; };\n"
			  "};\n"
			  "services = ( );\n");
	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	CHECK(errs.n == 3);
	CHECK_HAS(errs.n > 0 ? errs.msg[0] : NULL, ":2: status = 99: out of range 100..599");
	CHECK_HAS(errs.n > 1 ? errs.msg[1] : NULL, ":3: status: expected a code such as 200");
	CHECK_HAS(errs.n > 2 ? errs.msg[2] : NULL, ":4: status \"ok\": expected codes");
	vh_errors_free(&errs);
	unlink(name);
	free(name);
}

/* tls_ca: an absolute path to a readable file, with tls_verify. */
TEST(vh_config_tls_ca)
{
	struct vh_errors errs = { 0 };
	struct vh_config *cfg;
	char *ca = vh_t_write("not checked here\n"), *name, text[1024];
	const struct vh_check_cfg *c;

	snprintf(text, sizeof(text),
		 "checks = { s = { type = \"https\"; tls_verify = true; tls_ca = \"%s\"; }; };\n"
		 "services = ( { service = \"tcp 1.2.3.4:443\"; checks = \"s\"; } );\n",
		 ca);
	cfg = vh_t_config(text);
	CHECK(cfg != NULL);
	c = cfg ? vh_config_check(cfg, "s") : NULL;
	CHECK_STR(c ? c->tls_ca : NULL, ca);
	vh_config_free(cfg);

	snprintf(text, sizeof(text),
		 "checks = {\n"
		 "	a = { type = \"https\"; tls_verify = true; tls_ca = \"ca.pem\"; };\n"
		 "	b = { type = \"https\"; tls_verify = true; tls_ca = \"/nonexistent/ca.pem\"; };\n"
		 "	c = { type = \"https\"; tls_ca = \"%s\"; };\n"
		 "	d = { type = \"http\"; tls_ca = \"%s\"; };\n"
		 "};\n"
		 "services = ( );\n", ca, ca);
	name = vh_t_write(text);
	CHECK(vh_config_load(name, &cfg, &errs) == -EINVAL);
	CHECK(errs.n == 4);
	CHECK_HAS(errs.n > 0 ? errs.msg[0] : NULL, ":2: tls_ca \"ca.pem\": expected an absolute path");
	CHECK_HAS(errs.n > 1 ? errs.msg[1] : NULL, ":3: tls_ca \"/nonexistent/ca.pem\": No such file");
	CHECK_HAS(errs.n > 2 ? errs.msg[2] : NULL, ":4: tls_ca needs tls_verify = true");
	CHECK_HAS(errs.n > 3 ? errs.msg[3] : NULL, ":5: unknown key \"tls_ca\" in http");
	vh_errors_free(&errs);
	unlink(name);
	free(name);
	unlink(ca);
	free(ca);
}
