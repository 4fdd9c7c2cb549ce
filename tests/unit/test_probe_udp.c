// SPDX-License-Identifier: GPL-2.0
/* UDP and DNS checks against responders forked on 127.0.0.1. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "harness.h"
#include "probe_util.h"

/* Echo every datagram (arg NULL) or answer with the string @arg. */
static void udp_server(int fd, const void *arg)
{
	struct sockaddr_in from;
	socklen_t len;
	char buf[2048];
	ssize_t n;

	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &len);
		if (n < 0)
			continue;
		if (arg)
			sendto(fd, arg, strlen(arg), 0,
			       (struct sockaddr *)&from, len);
		else
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
	}
}

TEST(probe_udp)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port, pong_port;
	pid_t echo = fork_server(udp_server, udp_bound(&port), NULL);
	pid_t pong = fork_server(udp_server, udp_bound(&pong_port), "pong!");

	probe_cfg(&c, VH_CHECK_UDP, 300);
	c.payload = (uint8_t *)"ping";
	c.payload_len = 4;
	probe_run(&c, port, &r);
	CHECK(r.ret == 0 && r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up);
	CHECK_STR(r.res.reason, "ok");

	c.expect = (uint8_t *)"pi";
	c.expect_len = 2;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);

	c.expect = (uint8_t *)"pong";
	c.expect_len = 4;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "reply does not match (4 bytes)");
	probe_run(&c, pong_port, &r);
	CHECK(r.calls == 1 && r.res.up);

	/* A reply shorter than what is expected. */
	c.expect = (uint8_t *)"pingpong";
	c.expect_len = 8;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);

	stop_server(echo);
	stop_server(pong);
}

/* ICMP port unreachable, seen as ECONNREFUSED on the connected socket. */
TEST(probe_udp_refused)
{
	struct vh_check_cfg c;
	struct probe_run r;

	probe_cfg(&c, VH_CHECK_UDP, 300);
	c.payload = (uint8_t *)"x";
	c.payload_len = 1;
	probe_run(&c, closed_port(), &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "udp: Connection refused");
}

TEST(probe_udp_timeout_cancel)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int fd = udp_bound(&port);	/* bound, never answers */

	probe_cfg(&c, VH_CHECK_UDP, 200);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "timeout after 200 ms (no reply)");
	CHECK(r.elapsed_ms >= 195 && r.elapsed_ms < 400);
	CHECK(probe_cancel(&c, port, 50) == 0);
	close(fd);
}

struct dns_srv {
	int rcode;
	uint16_t qtype;		/* asked for, else FORMERR */
	bool wrong_id_first;	/* a stray answer first: ignored */
	bool malformed;		/* right ID, broken message */
};

/* Answers with the question echoed and the flags of a response. */
static void dns_server(int fd, const void *arg)
{
	const struct dns_srv *s = arg;
	struct sockaddr_in from;
	unsigned char buf[512];
	socklen_t len;
	ns_msg msg;
	ns_rr rr;
	ssize_t n;
	int rcode;

	for (;;) {
		len = sizeof(from);
		n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from,
			     &len);
		if (n < NS_HFIXEDSZ)
			continue;
		rcode = s->rcode;
		if (ns_initparse(buf, n, &msg) < 0 ||
		    ns_msg_count(msg, ns_s_qd) != 1 ||
		    ns_parserr(&msg, ns_s_qd, 0, &rr) < 0 ||
		    strcmp(ns_rr_name(rr), "www.example.test") ||
		    ns_rr_type(rr) != s->qtype || ns_rr_class(rr) != ns_c_in ||
		    ns_msg_getflag(msg, ns_f_qr))
			rcode = ns_r_formerr;
		buf[2] |= 0x80;				/* QR */
		buf[3] = (buf[3] & 0xf0) | rcode;
		if (s->wrong_id_first) {
			buf[0] ^= 0xff;
			sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
			buf[0] ^= 0xff;
		}
		if (s->malformed) {
			buf[5] = 9;		/* 9 questions, in 12 bytes */
			n = NS_HFIXEDSZ;
		}
		sendto(fd, buf, n, 0, (struct sockaddr *)&from, len);
	}
}

static void dns_probe(const struct dns_srv *s, uint16_t qtype,
		      uint32_t rcodes, struct probe_run *r)
{
	struct vh_check_cfg c;
	uint16_t port;
	pid_t pid = fork_server(dns_server, udp_bound(&port), s);

	probe_cfg(&c, VH_CHECK_DNS, 300);
	c.dns_name = "www.example.test";
	c.dns_type = qtype;
	c.dns_rcodes = rcodes;
	probe_run(&c, port, r);
	stop_server(pid);
}

TEST(probe_dns)
{
	static const struct dns_srv ok = { ns_r_noerror, ns_t_a, false, false };
	static const struct dns_srv nx = { ns_r_nxdomain, ns_t_a, false,
					   false };
	static const struct dns_srv aaaa = { ns_r_noerror, ns_t_aaaa, false,
					     false };
	static const struct dns_srv stray = { ns_r_noerror, ns_t_a, true,
					      false };
	static const struct dns_srv bad = { ns_r_noerror, ns_t_a, false,
					    true };
	struct probe_run r;

	dns_probe(&ok, ns_t_a, 1U << ns_r_noerror, &r);
	CHECK(r.ret == 0 && r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up);
	CHECK_STR(r.res.reason, "ok");

	dns_probe(&nx, ns_t_a, 1U << ns_r_noerror, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "DNS NXDOMAIN");
	dns_probe(&nx, ns_t_a, 1U << ns_r_noerror | 1U << ns_r_nxdomain, &r);
	CHECK(r.calls == 1 && r.res.up);

	/* The query asks for the configured type (else FORMERR). */
	dns_probe(&aaaa, ns_t_aaaa, 1U << ns_r_noerror, &r);
	CHECK(r.calls == 1 && r.res.up);
	dns_probe(&aaaa, ns_t_a, 1U << ns_r_noerror, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "DNS FORMERR");

	dns_probe(&stray, ns_t_a, 1U << ns_r_noerror, &r);
	CHECK(r.calls == 1 && r.res.up);

	dns_probe(&bad, ns_t_a, 1U << ns_r_noerror, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "dns: malformed reply");
}

TEST(probe_dns_refused_timeout)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int fd = udp_bound(&port);

	probe_cfg(&c, VH_CHECK_DNS, 200);
	c.dns_name = "www.example.test";
	probe_run(&c, closed_port(), &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "dns: Connection refused");
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "timeout after 200 ms (no answer)");
	CHECK(probe_cancel(&c, port, 50) == 0);
	close(fd);
}
