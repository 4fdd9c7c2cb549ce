// SPDX-License-Identifier: GPL-2.0
/*
 * The plain HTTP engine (probe_http1.c) against responders that answer
 * the way real servers do and the ways broken ones do: chunked, ended by
 * the close, dripped in pieces, garbage, nothing at all. Also: TCP and
 * HTTP checks end their connection with a reset (no TIME_WAIT here).
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include "harness.h"
#include "probe_util.h"

/* Each write of the response, with a pause before the next; a NULL
 * ends the response (the server closes).
 */
struct h1_srv {
	const char *parts[6];
	int pause_ms;
};

static void nap(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void h1_server(int fd, const void *arg)
{
	const struct h1_srv *s = arg;

	for (;;) {
		int c = accept(fd, NULL, NULL), i;
		char req[4096];

		if (c < 0)
			continue;
		http_read_request(c, req, sizeof(req));
		for (i = 0; i < 6 && s->parts[i]; i++) {
			if (i)
				nap(s->pause_ms);
			if (write(c, s->parts[i], strlen(s->parts[i])) < 0)
				break;
		}
		close(c);
	}
}

static void h1_run(const struct h1_srv *s, char *body,
		   struct probe_run *r)
{
	struct vh_check_cfg c;
	uint16_t port;
	pid_t pid = fork_server(h1_server, tcp_listener(&port, 16), s);

	probe_cfg(&c, VH_CHECK_HTTP, 1000);
	c.body = body;
	probe_run(&c, port, r);
	stop_server(pid);
}

TEST(probe_http1_chunked)
{
	static const struct h1_srv s = { {
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
		"5\r\nhello\r\n", "6\r\n world\r\n", "0\r\n\r\n" }, 20 };
	struct probe_run r;

	h1_run(&s, "hello world", &r);
	CHECK(r.calls == 1 && r.res.up);
	CHECK_STR(r.res.reason, "ok");
	h1_run(&s, "hello there", &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "body does not contain \"hello there\"");
}

/* No length: the body ends with the connection. */
TEST(probe_http1_body_until_close)
{
	static const struct h1_srv s = { {
		"HTTP/1.0 200 OK\r\nServer: old\r\n\r\nstatus: ", "green\n" },
		30 };
	struct probe_run r;

	h1_run(&s, "status: green", &r);
	CHECK(r.calls == 1 && r.res.up);
	CHECK_STR(r.res.reason, "ok");
}

/* The status line split over three writes, and a 503 after it. */
TEST(probe_http1_dripped_status)
{
	static const struct h1_srv s = { {
		"HTT", "P/1.1 50", "3 Busy\r\nContent-Length: 0\r\n\r\n" },
		40 };
	struct probe_run r;

	h1_run(&s, NULL, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "HTTP 503");
	CHECK(r.elapsed_ms >= 70);
}

TEST(probe_http1_garbage)
{
	static const struct h1_srv s = { { "SSH-2.0-OpenSSH_9.2\r\n" }, 0 };
	struct probe_run r;

	h1_run(&s, NULL, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK(!strncmp(r.res.reason, "bad HTTP response: ", 19));
}

TEST(probe_http1_closed_before_response)
{
	static const struct h1_srv s = { { NULL }, 0 };
	struct probe_run r;

	h1_run(&s, NULL, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "connection closed before a response");
}

TEST(probe_http1_closed_during_response)
{
	static const struct h1_srv s = { {
		"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort" }, 0 };
	struct probe_run r;

	h1_run(&s, "short", &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "connection closed during the response");
	/* Without a body to match, the status decides at once. */
	h1_run(&s, NULL, &r);
	CHECK(r.calls == 1 && r.res.up);
}

/* A probe's connection ends with a reset: the server reads ECONNRESET,
 * not the end of the stream, and no TIME_WAIT stays on our side.
 */
static int reset_seen(enum vh_check_type type)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int fd = tcp_listener(&port, 16), conn, ret = -1;
	char buf[512];
	ssize_t n;

	probe_cfg(&c, type, 500);
	c.timeout_ms = 300;
	if (type == VH_CHECK_HTTP) {
		/* No answer comes: the probe times out and closes. */
		probe_run(&c, port, &r);
		if (r.calls != 1 || r.res.up)
			goto out;
	} else {
		probe_run(&c, port, &r);
		if (r.calls != 1 || !r.res.up)
			goto out;
	}
	conn = accept(fd, NULL, NULL);
	if (conn < 0)
		goto out;
	do
		n = read(conn, buf, sizeof(buf));
	while (n > 0);
	ret = n < 0 && errno == ECONNRESET;
	close(conn);
out:
	close(fd);
	return ret;
}

TEST(probe_tcp_and_http_close_with_reset)
{
	CHECK(reset_seen(VH_CHECK_TCP) == 1);
	CHECK(reset_seen(VH_CHECK_HTTP) == 1);
}

/* Many probes at once to one server, every one answered on its own. */
TEST(probe_http1_many)
{
	static const struct h1_srv s = { {
		"HTTP/1.1 204 No Content\r\n\r\n" }, 0 };
	const struct vh_check_cfg *cfgs[40];
	struct probe_run r[40];
	uint16_t ports[40], port;
	struct vh_check_cfg c;
	pid_t pid = fork_server(h1_server, tcp_listener(&port, 64), &s);
	int i, up = 0;

	probe_cfg(&c, VH_CHECK_HTTP, 2000);
	for (i = 0; i < 40; i++) {
		cfgs[i] = &c;
		ports[i] = port;
	}
	probe_run_many(cfgs, ports, 40, r);
	for (i = 0; i < 40; i++)
		up += r[i].calls == 1 && r[i].res.up;
	CHECK(up == 40);
	stop_server(pid);
}
