// SPDX-License-Identifier: GPL-2.0
/* vsadm's command line: every ipvsadm form, and the refusals. */

#include <arpa/inet.h>
#include <stdlib.h>

#include "harness.h"
#include "vsadm.h"

static char err[512];

/* Parse @line split on spaces; returns vsadm_parse()'s result. */
static int parse(const char *line, struct vsadm_opts *o)
{
	char *copy = strdup(line), *words[64], *save, *w;
	int n = 0, ret;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	ret = vsadm_parse(n, words, o, err, sizeof(err));
	free(copy);
	return ret;
}

static bool is_addr(struct in_addr a, const char *s)
{
	struct in_addr b;

	return inet_pton(AF_INET, s, &b) == 1 && a.s_addr == b.s_addr;
}

/* @line is rejected with a message containing @msg. */
static void rejects(const char *line, const char *msg)
{
	struct vsadm_opts o;
	int ret = parse(line, &o);

	if (ret != -1)
		printf("    accepted: %s\n", line);
	CHECK(ret == -1);
	CHECK_HAS(err, msg);
}

TEST(args_add_service)
{
	struct vsadm_opts o;

	CHECK(parse("-A -t 198.18.100.1:80 -s rr", &o) == 0);
	CHECK(o.cmd == VSADM_ADD_SVC);
	CHECK(o.has_svc && !o.has_dest);
	CHECK(o.svc.af == AF_INET);
	CHECK(o.svc.protocol == IPPROTO_TCP);
	CHECK(is_addr(o.svc.addr, "198.18.100.1"));
	CHECK(o.svc.port == 80);
	CHECK(o.svc.has & VS_SVC_HAS_SCHED);
	CHECK_STR(o.svc.sched, "rr");
}

TEST(args_add_service_default_scheduler)
{
	struct vsadm_opts o;

	/* No -s: no SCHED_NAME, the kernel picks its default. */
	CHECK(parse("-A -u 10.0.0.1:53", &o) == 0);
	CHECK(o.svc.protocol == IPPROTO_UDP);
	CHECK(!(o.svc.has & VS_SVC_HAS_SCHED));
}

TEST(args_long_options)
{
	struct vsadm_opts o;

	CHECK(parse("--add-service --tcp-service 1.2.3.4:443 --scheduler wrr",
		    &o) == 0);
	CHECK(o.cmd == VSADM_ADD_SVC && o.svc.port == 443);
	CHECK_STR(o.svc.sched, "wrr");
	CHECK(parse("--edit-service --udp-service=1.2.3.4:53 --scheduler=rr",
		    &o) == 0);
	CHECK(o.cmd == VSADM_EDIT_SVC && o.svc.protocol == IPPROTO_UDP);
	CHECK(parse("--delete-service -t 1.2.3.4:80", &o) == 0);
	CHECK(o.cmd == VSADM_DEL_SVC);
	CHECK(parse("--add-server -t 1.2.3.4:80 --real-server 10.0.0.2:8080 --masquerading --weight 3",
		    &o) == 0);
	CHECK(o.cmd == VSADM_ADD_DEST && o.dest.port == 8080);
	CHECK(o.dest.weight == 3);
	CHECK(parse("--edit-server -t 1.2.3.4:80 -r 10.0.0.2 -w 0", &o) == 0);
	CHECK(o.cmd == VSADM_EDIT_DEST && o.dest.weight == 0);
	CHECK(parse("--delete-server -t 1.2.3.4:80 -r 10.0.0.2", &o) == 0);
	CHECK(o.cmd == VSADM_DEL_DEST);
	CHECK(parse("--list --numeric --stats --exact", &o) == 0);
	CHECK(o.cmd == VSADM_LIST);
	CHECK(o.fmt == (VSADM_F_NUMERIC | VSADM_F_STATS | VSADM_F_EXACT));
	CHECK(parse("--list --connection", &o) == 0);
	CHECK(o.fmt & VSADM_F_CONN);
	CHECK(parse("--clear", &o) == 0 && o.cmd == VSADM_FLUSH);
	CHECK(parse("--zero", &o) == 0 && o.cmd == VSADM_ZERO && !o.has_svc);
	CHECK(parse("--save --numeric", &o) == 0 && o.cmd == VSADM_SAVE);
	CHECK(parse("--restore", &o) == 0 && o.cmd == VSADM_RESTORE);
	CHECK(parse("--restore-replace", &o) == 0 &&
	      o.cmd == VSADM_RESTORE_REPLACE);
	CHECK(parse("--help", &o) == 0 && o.cmd == VSADM_HELP);
	CHECK(parse("--version", &o) == 0 && o.cmd == VSADM_VERSION_CMD);
}

TEST(args_add_server)
{
	struct vsadm_opts o;

	CHECK(parse("-a -t 198.18.100.1:80 -r 10.0.0.1:8080 -m -w 5", &o) == 0);
	CHECK(o.cmd == VSADM_ADD_DEST);
	CHECK(o.has_svc && o.has_dest);
	CHECK(is_addr(o.dest.addr, "10.0.0.1"));
	CHECK(o.dest.port == 8080);
	CHECK(o.dest.weight == 5);
	CHECK(o.dest.fwd == VSCHED_FWD_MASQ);
	CHECK((o.dest.has & (VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT |
			     VS_DEST_HAS_FWD)) ==
	      (VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT | VS_DEST_HAS_FWD));
}

TEST(args_server_defaults)
{
	struct vsadm_opts o;

	/* Port: the service's; weight: 1 on -a, unchanged on -e. */
	CHECK(parse("-a -t 198.18.100.1:80 -r 10.0.0.1", &o) == 0);
	CHECK(o.dest.port == 80);
	CHECK(o.dest.weight == 1 && (o.dest.has & VS_DEST_HAS_WEIGHT));
	CHECK(parse("-e -t 198.18.100.1:80 -r 10.0.0.1", &o) == 0);
	CHECK(!(o.dest.has & VS_DEST_HAS_WEIGHT));
	CHECK(parse("-d -t 198.18.100.1:80 -r 10.0.0.1:81", &o) == 0);
	CHECK(o.dest.port == 81 && !(o.dest.has & VS_DEST_HAS_FWD));
}

TEST(args_short_clusters)
{
	struct vsadm_opts o;

	CHECK(parse("-Ln", &o) == 0);
	CHECK(o.cmd == VSADM_LIST && o.fmt == VSADM_F_NUMERIC);
	CHECK(parse("-Lnc", &o) == 0);
	CHECK(o.fmt == (VSADM_F_NUMERIC | VSADM_F_CONN));
	CHECK(parse("-ln", &o) == 0 && o.cmd == VSADM_LIST);
	CHECK(parse("-A -t1.2.3.4:80 -srr", &o) == 0);
	CHECK(o.svc.port == 80);
	CHECK_STR(o.svc.sched, "rr");
	CHECK(parse("-Sn", &o) == 0 && o.cmd == VSADM_SAVE);
	CHECK(parse("-L -j", &o) == 0 && (o.fmt & VSADM_F_JSON));
	CHECK(parse("-L --json -t 1.2.3.4:80", &o) == 0 && o.has_svc);
	CHECK(parse("-L --timeout", &o) == 0 && (o.fmt & VSADM_F_TIMEOUT));
	CHECK(parse("-Z -t 1.2.3.4:80", &o) == 0 && o.has_svc);
	CHECK(parse("-V", &o) == 0 && o.cmd == VSADM_VERSION_CMD);
	CHECK(parse("-h", &o) == 0 && o.cmd == VSADM_HELP);
}

TEST(args_set_timeouts)
{
	struct vsadm_opts o;

	CHECK(parse("--set 900 120 300", &o) == 0);
	CHECK(o.cmd == VSADM_SET);
	CHECK(o.set.tcp_est == 900 && o.set.tcp_fin == 120 &&
	      o.set.udp == 300);
	CHECK(o.set.tcp_syn == 0 && o.set.conn_max == 0);
	CHECK(parse("--set 0 0 60", &o) == 0);
	CHECK(o.set.tcp_est == 0 && o.set.udp == 60);
	rejects("--set 900 120", "needs 3 arguments");
	rejects("--set 900 x 300", "invalid timeout 'x'");
	rejects("--set 900 -1 300", "invalid timeout");
	rejects("--set 99999999 1 1", "invalid timeout");
}

TEST(args_refusals)
{
	rejects("", "no command given");
	rejects("-t 1.2.3.4:80", "no command given");
	rejects("-A", "needs a service");
	rejects("-a -t 1.2.3.4:80", "needs a real server");
	rejects("-A -L", "more than one command");
	rejects("-A -t 1.2.3.4:80 -u 1.2.3.4:80", "more than one service");
	rejects("-A -t 1.2.3.4:80 -t 1.2.3.5:80", "given twice");
	rejects("-A -t 1.2.3.4:80 -w 3", "-w (--weight) cannot be used with -A");
	rejects("-L -r 1.2.3.4", "cannot be used with -L");
	rejects("-C -t 1.2.3.4:80", "cannot be used with -C");
	rejects("-A -t 1.2.3.4:80 -s RR", "invalid scheduler name 'RR'");
	rejects("-A -t 1.2.3.4:80 -s averyveryverylongname",
		"invalid scheduler name");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -w 65536", "invalid weight '65536'");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -w -1", "invalid weight");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -w x", "invalid weight");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -g", "not supported yet");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -i", "not supported yet");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 --gatewaying", "not supported yet");
	rejects("-A -t 1.2.3.4:80 -p 300", "-p (--persistent) is not supported");
	rejects("-A -f 1", "-f (--fwmark-service) is not supported");
	rejects("--foo", "unknown option --foo");
	rejects("-Q", "unknown option -Q");
	rejects("-L extra", "unexpected argument 'extra'");
	rejects("-A -t", "needs an argument");
	rejects("--list=yes", "takes no '=' value");
	rejects("-L -c -t 1.2.3.4:80", "-c (--connection)");
	rejects("-L --exact", "--exact only applies with --stats");
	rejects("-L --timeout --stats", "--timeout");
	/* Exact long options only: no prefix matching. */
	rejects("--add -t 1.2.3.4:80", "unknown option --add");
	rejects("--lis", "unknown option --lis");
}

TEST(addr_parse)
{
	struct in_addr a;
	uint16_t port;

	CHECK(vsadm_parse_addrport("198.18.100.1:80", IPPROTO_TCP, &a, &port,
				   0, err, sizeof(err)) == 0);
	CHECK(is_addr(a, "198.18.100.1") && port == 80);
	CHECK(vsadm_parse_addrport("10.1.2.3:65535", IPPROTO_TCP, &a, &port,
				   0, err, sizeof(err)) == 0);
	CHECK(port == 65535);
	/* Service names from /etc/services, as ipvsadm. */
	if (vsadm_parse_addrport("10.1.2.3:http", IPPROTO_TCP, &a, &port, 0,
				 err, sizeof(err)) == 0)
		CHECK(port == 80);
	CHECK(vsadm_parse_addrport("10.1.2.3", IPPROTO_TCP, &a, &port, 8080,
				   err, sizeof(err)) == 0);
	CHECK(port == 8080);
}

static void addr_rejects(const char *s, uint16_t def, const char *msg)
{
	struct in_addr a;
	uint16_t port;

	CHECK(vsadm_parse_addrport(s, IPPROTO_TCP, &a, &port, def, err,
				   sizeof(err)) == -1);
	CHECK_HAS(err, msg);
}

TEST(addr_parse_refusals)
{
	addr_rejects("10.1.2.3", 0, "missing port");
	addr_rejects("10.1.2.3:0", 0, "port must be between 1 and 65535");
	addr_rejects("10.1.2.3:65536", 0, "invalid port '65536'");
	addr_rejects("10.1.2.3:-1", 0, "invalid port");
	addr_rejects("10.1.2.3:", 0, "invalid port ''");
	addr_rejects("10.1.2.3:80x", 0, "invalid port");
	addr_rejects("256.1.2.3:80", 0, "invalid IPv4 address");
	addr_rejects("1.2.3:80", 0, "invalid IPv4 address");
	addr_rejects(":80", 0, "missing or invalid address");
	addr_rejects("[2001:db8::1]:80", 0, "IPv6 is not supported yet");
	addr_rejects("2001:db8::1", 0, "IPv6 is not supported yet");
}

/* -b: ipvsadm's names, checked against -s, all bits for sh and mh. */
TEST(args_sched_flags)
{
	struct vsadm_opts o;

	CHECK(parse("-A -t 1.2.3.4:80 -s sh -b sh-fallback,sh-port", &o) == 0);
	CHECK(o.svc.has & VS_SVC_HAS_SCHED_FLAGS);
	CHECK(o.svc.sched_flags ==
	      (VSCHED_SCHED_F_FALLBACK | VSCHED_SCHED_F_PORT));
	CHECK(parse("-A -t 1.2.3.4:80 -s mh --sched-flags=mh-port", &o) == 0);
	CHECK(o.svc.sched_flags == VSCHED_SCHED_F_PORT);
	CHECK(parse("-A -t 1.2.3.4:80 -b mh-fallback -s mh", &o) == 0);
	CHECK(o.svc.sched_flags == VSCHED_SCHED_F_FALLBACK);
	/* IPVS's generic names, with any scheduler (ipvsadm shows them). */
	CHECK(parse("-A -t 1.2.3.4:80 -s rr -b flag-1,flag-2", &o) == 0);
	CHECK(o.svc.sched_flags ==
	      (VSCHED_SCHED_F_FALLBACK | VSCHED_SCHED_F_PORT));
	/* -E without -s: the names of one scheduler; "" clears. */
	CHECK(parse("-E -t 1.2.3.4:80 -b mh-port", &o) == 0);
	CHECK(o.svc.sched_flags == VSCHED_SCHED_F_PORT);
	CHECK(!(o.svc.has & VS_SVC_HAS_SCHED));
	/* ...which cmds.c checks against the service's scheduler. */
	CHECK_STR(o.sched_flags_of, "mh");
	CHECK(parse("-E -t 1.2.3.4:80 -b flag-2", &o) == 0);
	CHECK_STR(o.sched_flags_of, "");
	CHECK(parse("-E -t 1.2.3.4:80 -b sh-port -b sh-port", &o) == -1);
	{
		char *argv[] = { "-E", "-t", "1.2.3.4:80", "-b", "" };

		CHECK(vsadm_parse(5, argv, &o, err, sizeof(err)) == 0);
		CHECK(o.svc.has & VS_SVC_HAS_SCHED_FLAGS);
		CHECK(o.svc.sched_flags == 0);
	}
	/* Without -b, nothing is sent: -E keeps the service's flags. */
	CHECK(parse("-E -t 1.2.3.4:80 -s sh", &o) == 0);
	CHECK(!(o.svc.has & VS_SVC_HAS_SCHED_FLAGS));
}

TEST(args_sched_flags_rejects)
{
	rejects("-A -t 1.2.3.4:80 -s rr -b sh-port",
		"incompatible scheduler flag 'sh-port': it is for -s sh, not rr");
	rejects("-A -t 1.2.3.4:80 -s mh -b sh-fallback",
		"incompatible scheduler flag 'sh-fallback'");
	/* -A without -s is an rr service. */
	rejects("-A -t 1.2.3.4:80 -b mh-port", "incompatible scheduler flag");
	rejects("-E -t 1.2.3.4:80 -b sh-port,mh-port",
		"scheduler flags of two schedulers");
	rejects("-A -t 1.2.3.4:80 -s sh -b bogus",
		"invalid scheduler flag 'bogus' (sh-fallback, sh-port");
	rejects("-A -t 1.2.3.4:80 -s sh -b sh-port,", "invalid scheduler flag ''");
	rejects("-A -t 1.2.3.4:80 -s sh -b sh-portx", "invalid scheduler flag");
	rejects("-A -t 1.2.3.4:80 -s sh -b sh-", "invalid scheduler flag 'sh-'");
	rejects("-A -t 1.2.3.4:80 -s sh -b flag-3",
		"scheduler flag 'flag-3' is not supported by vsched");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 -b sh-port",
		"-b (--sched-flags) cannot be used with -a");
	rejects("-A -t 1.2.3.4:80 -s sh -b", "needs an argument");
}
