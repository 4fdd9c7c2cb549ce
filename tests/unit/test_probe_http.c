// SPDX-License-Identifier: GPL-2.0
/* HTTP checks against a tiny responder forked on 127.0.0.1. */

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "harness.h"
#include "probe_util.h"

struct http_srv {
	int status;
	const char *body;		/* NULL: a 200 KB body */
	const char *want[3];		/* in the request, else a 400 */
	bool silent;			/* read the request, never answer */
};

static void http_server(int fd, const void *arg)
{
	const struct http_srv *s = arg;

	for (;;) {
		int c = accept(fd, NULL, NULL), status = s->status, i;
		char req[4096], *body;
		size_t len = 0, blen;
		ssize_t n;

		if (c < 0)
			continue;
		http_read_request(c, req, sizeof(req));
		if (s->silent) {
			pause();
			continue;
		}
		if (s->body) {
			body = strdup(s->body);
		} else {
			body = malloc(200 * 1024 + 1);
			memset(body, 'z', 200 * 1024);
			body[200 * 1024] = '\0';
		}
		for (i = 0; i < 3 && s->want[i]; i++)
			if (!strstr(req, s->want[i])) {
				status = 400;
				free(body);
				body = strdup(req);
				break;
			}
		blen = strlen(body);
		dprintf(c, "HTTP/1.1 %d Test\r\nContent-Length: %zu\r\n"
			"Connection: close\r\n\r\n", status, blen);
		for (len = 0; len < blen; len += n)
			if ((n = write(c, body + len, blen - len)) <= 0)
				break;
		free(body);
		close(c);
	}
}

static pid_t http_fork(const struct http_srv *s, uint16_t *port)
{
	return fork_server(http_server, tcp_listener(port, 16), s);
}

static const struct http_srv srv_ok = { 200, "all systems go\n", { 0 }, false };

TEST(probe_http_up)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv_ok, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	probe_run(&c, port, &r);
	CHECK(r.ret == 0 && r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up);
	CHECK_STR(r.res.reason, "ok");
	CHECK(r.res.duration_us > 0 && r.res.pct == VH_NONE);
	stop_server(pid);
}

TEST(probe_http_status)
{
	static const struct http_srv srv = { 500, "oops", { 0 }, false };
	struct vh_status_range ranges[] = { { 200, 299 }, { 500, 503 } };
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "HTTP 500");
	c.status = ranges;
	c.n_status = 2;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	c.n_status = 1;			/* 200-299 only */
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	stop_server(pid);
}

/* The path and the Host header reach the server. */
TEST(probe_http_path_host)
{
	static const struct http_srv srv = { 204, "", {
		"GET /health?x=1 HTTP/1.1\r\n",
		"\r\nHost: www.example.test\r\n", "vshealthd" }, false };
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	c.path = "/health?x=1";
	c.host = "www.example.test";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	CHECK_STR(r.res.reason, "ok");
	/* Without them, the responder says 400: the test can tell. */
	c.host = NULL;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "HTTP 400");
	stop_server(pid);
}

TEST(probe_http_body)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv_ok, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	c.body = "systems";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	c.body = "nope";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "body does not contain \"nope\"");

	c.body = NULL;
	c.body_regex = "^all [a-z]+ go$";
	CHECK(regcomp(&c.body_re, c.body_regex,
		      REG_EXTENDED | REG_NOSUB | REG_NEWLINE) == 0);
	c.has_body_re = true;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	regfree(&c.body_re);
	c.body_regex = "^fail";
	CHECK(regcomp(&c.body_re, c.body_regex, REG_EXTENDED | REG_NOSUB) == 0);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "body does not match /^fail/");
	regfree(&c.body_re);
	stop_server(pid);
}

/* A big body: not read to the end when nothing is checked in it, and
 * matched within its first 64 KiB when something is.
 */
TEST(probe_http_big_body)
{
	static const struct http_srv srv = { 200, NULL, { 0 }, false };
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 800);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	c.body = "zzzz";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	c.body = "y";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	stop_server(pid);
}

TEST(probe_http_refused)
{
	struct vh_check_cfg c;
	struct probe_run r;

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	probe_run(&c, closed_port(), &r);
	CHECK(r.calls_at_start == 0 && r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "connect: Connection refused");
}

TEST(probe_http_timeout_cancel)
{
	static const struct http_srv srv = { 200, "", { 0 }, true };
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	pid_t pid = http_fork(&srv, &port);

	probe_cfg(&c, VH_CHECK_HTTP, 300);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "timeout after 300 ms (waiting for the response)");
	CHECK(r.elapsed_ms >= 295 && r.elapsed_ms < 500);
	CHECK(probe_cancel(&c, port, 50) == 0);
	stop_server(pid);
}

/* Several probes on one loop: each gets its own answer. */
TEST(probe_http_concurrent)
{
	static const struct http_srv s500 = { 500, "", { 0 }, false };
	const struct vh_check_cfg *cfgs[4];
	struct vh_check_cfg c, c_port;
	struct probe_run r[4];
	uint16_t ports[4], p200, p500;
	pid_t a = http_fork(&srv_ok, &p200), b = http_fork(&s500, &p500);

	probe_cfg(&c, VH_CHECK_HTTP, 500);
	c_port = c;
	c_port.port = p200;		/* the check's port wins */
	cfgs[0] = cfgs[2] = &c;
	cfgs[1] = &c_port;
	cfgs[3] = &c;
	ports[0] = p200;
	ports[1] = p500;
	ports[2] = p500;
	ports[3] = closed_port();
	probe_run_many(cfgs, ports, 4, r);
	CHECK(r[0].calls == 1 && r[0].res.up);
	CHECK(r[1].calls == 1 && r[1].res.up);
	CHECK(r[2].calls == 1 && !r[2].res.up);
	CHECK_STR(r[2].res.reason, "HTTP 500");
	CHECK(r[3].calls == 1 && !r[3].res.up);
	CHECK_STR(r[3].res.reason, "connect: Connection refused");
	stop_server(a);
	stop_server(b);
}

static void note_done(void *arg, const struct vh_result *res)
{
	(void)res;
	(*(int *)arg)++;
}

/* Sockets open in this process now, as a bitmap of descriptors < 1024. */
static void sockets_open(unsigned char *map)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *e;
	struct stat st;

	memset(map, 0, 1024);
	while (dir && (e = readdir(dir))) {
		int fd = atoi(e->d_name);

		if (fd > 2 && fd < 1024 && fd != dirfd(dir) &&
		    !fstat(fd, &st) && S_ISSOCK(st.st_mode))
			map[fd] = 1;
	}
	if (dir)
		closedir(dir);
}

/* curl's sockets are close-on-exec: a child the daemon starts (quorum
 * command, script check) must not keep one open, which would keep it in
 * the daemon's epoll after the daemon freed its event source.
 */
TEST(probe_http_socket_close_on_exec)
{
	static const struct http_srv srv = { 200, "", { 0 }, true };
	unsigned char before[1024], during[1024];
	struct vh_target t = { .addr = { htonl(INADDR_LOOPBACK) } };
	struct vh_probe *p = NULL;
	struct vh_check_cfg c;
	sd_event *ev = NULL;
	int calls = 0, n = 0, cloexec = 0, fd, i;
	pid_t pid = http_fork(&srv, &t.port);

	probe_cfg(&c, VH_CHECK_HTTP, 2000);
	CHECK(sd_event_new(&ev) >= 0 && vh_probes_init(ev) >= 0);
	sockets_open(before);
	CHECK(vh_probe_start(&c, &t, note_done, &calls, &p) == 0);
	/* Connected, request sent, the server is silent. */
	for (i = 0; i < 20; i++)
		sd_event_run(ev, 10000);
	sockets_open(during);
	for (fd = 3; fd < 1024; fd++) {
		if (!during[fd] || before[fd])
			continue;
		n++;
		if (fcntl(fd, F_GETFD) & FD_CLOEXEC)
			cloexec++;
	}
	CHECK(calls == 0);
	CHECK(n >= 1);
	CHECK(cloexec == n);
	vh_probe_cancel(p);
	for (i = 0; i < 5; i++)
		sd_event_run(ev, 1000);
	sockets_open(during);
	CHECK(memcmp(before, during, sizeof(before)) == 0);
	CHECK(calls == 0);
	vh_probes_exit();
	sd_event_unref(ev);
	stop_server(pid);
}

/*
 * The SIGABRT of health.sh t_drain, as far as it could be reconstructed:
 * a probe cancelled while it connects (its server deleted by the kernel)
 * makes libcurl 7.88 close the socket before it says CURL_POLL_REMOVE.
 * A child forked just before (a quorum command between fork and exec)
 * still holds the socket, so it stays in the loop's epoll, and the loop
 * is woken for the event source it freed. With the close-socket callback
 * the source leaves epoll before the close: nothing is dispatched, and
 * ASan (make check with -fsanitize=address) sees no use after free.
 */
TEST(probe_http_cancel_while_a_child_holds_the_socket)
{
	struct vh_target t = { .addr = { htonl(INADDR_LOOPBACK) } };
	struct vh_check_cfg c;
	int calls = 0, lfd, round, i;

	lfd = tcp_listener(&t.port, 64);
	CHECK(lfd >= 0);
	if (lfd < 0)
		return;
	probe_cfg(&c, VH_CHECK_HTTP, 2000);
	for (round = 0; round < 3; round++) {
		struct vh_probe *p = NULL;
		sd_event *ev = NULL;
		pid_t child;

		CHECK(sd_event_new(&ev) >= 0 && vh_probes_init(ev) >= 0);
		CHECK(vh_probe_start(&c, &t, note_done, &calls, &p) == 0);
		/* One step: curl's timer, the socket made, connecting. */
		sd_event_run(ev, 2000);
		child = fork();
		if (child == 0) {
			usleep(300000);
			_exit(0);
		}
		CHECK(child > 0);
		vh_probe_cancel(p);
		/* The connection is made (EPOLLOUT): a registration left
		 * behind would fire now.
		 */
		for (i = 0; i < 10; i++)
			sd_event_run(ev, 10000);
		CHECK(calls == 0);
		vh_probes_exit();
		sd_event_unref(ev);
		if (child > 0)
			waitpid(child, NULL, 0);
	}
	close(lfd);
}
