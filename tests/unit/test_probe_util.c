// SPDX-License-Identifier: GPL-2.0
/* Helpers for the probe tests (probe_util.h); no tests of their own. */

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include "probe_util.h"

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

void probe_cfg(struct vh_check_cfg *c, enum vh_check_type type,
	       uint32_t timeout_ms)
{
	static struct vh_status_range ok = { 200, 299 };
	static char slash[] = "/";

	memset(c, 0, sizeof(*c));
	c->name = "test";
	c->type = type;
	c->timeout_ms = timeout_ms;
	c->interval_ms = timeout_ms;
	c->rise = c->fall = 1;
	c->path = slash;
	c->status = &ok;
	c->n_status = 1;
	c->dns_type = 1;		/* A */
	c->dns_rcodes = 1;		/* NOERROR */
}

static void on_done(void *arg, const struct vh_result *res)
{
	struct probe_run *r = arg;

	r->calls++;
	r->res = *res;
}

static sd_event *loop_new(void)
{
	sd_event *ev = NULL;

	if (sd_event_new(&ev) < 0 || vh_probes_init(ev) < 0) {
		printf("    cannot set up an sd-event loop\n");
		abort();
	}
	return ev;
}

static void loop_free(sd_event *ev)
{
	vh_probes_exit();
	sd_event_unref(ev);
}

static void loop_for(sd_event *ev, uint32_t ms, const int *stop)
{
	uint64_t end = now_ms() + ms;

	while (now_ms() < end && !(stop && *stop))
		sd_event_run(ev, 10000);
}

void probe_run_many(const struct vh_check_cfg *const *cfgs,
		    const uint16_t *ports, size_t n, struct probe_run *r)
{
	struct vh_probe *p;
	sd_event *ev = loop_new();
	uint64_t start, end;
	size_t i, pending = 0;

	memset(r, 0, n * sizeof(*r));
	start = now_ms();
	for (i = 0; i < n; i++) {
		struct vh_target t = { .port = ports[i] };

		inet_pton(AF_INET, "127.0.0.1", &t.addr);
		r[i].ret = vh_probe_start(cfgs[i], &t, on_done, &r[i], &p);
		r[i].calls_at_start = r[i].calls;
		pending += !r[i].ret;
	}
	end = start + 3000;
	while (pending && now_ms() < end) {
		sd_event_run(ev, 10000);
		for (i = 0, pending = 0; i < n; i++) {
			if (!r[i].ret && r[i].calls && !r[i].elapsed_ms)
				r[i].elapsed_ms = now_ms() - start;
			pending += !r[i].ret && !r[i].calls;
		}
	}
	loop_for(ev, 30, NULL);
	loop_free(ev);
	for (i = 0; getenv("VS_TEST_VERBOSE") && i < n; i++)
		printf("    %s probe: ret %d calls %d %s \"%s\" %u ms\n",
		       vh_check_type_name(cfgs[i]->type), r[i].ret, r[i].calls,
		       r[i].res.up ? "up" : "down", r[i].res.reason,
		       r[i].elapsed_ms);
}

void probe_run(const struct vh_check_cfg *cfg, uint16_t port,
	       struct probe_run *r)
{
	probe_run_many(&cfg, &port, 1, r);
}

int probe_cancel(const struct vh_check_cfg *cfg, uint16_t port,
		 uint32_t cancel_ms)
{
	struct vh_target t = { .port = port };
	struct probe_run r = { 0 };
	struct vh_probe *p;
	sd_event *ev = loop_new();
	int ret;

	inet_pton(AF_INET, "127.0.0.1", &t.addr);
	ret = vh_probe_start(cfg, &t, on_done, &r, &p);
	if (!ret) {
		if (cancel_ms)
			loop_for(ev, cancel_ms, NULL);
		/* Cancel must win even over a result already queued. */
		if (!r.calls)
			vh_probe_cancel(p);
		loop_for(ev, cfg->timeout_ms + 100, NULL);
		ret = r.calls;
	}
	loop_free(ev);
	return ret;
}

static int bound(int type, uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, type | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &len) < 0) {
		printf("    cannot bind on 127.0.0.1: %s\n", strerror(errno));
		abort();
	}
	*port = ntohs(a.sin_port);
	return fd;
}

int tcp_listener(uint16_t *port, int backlog)
{
	int fd = bound(SOCK_STREAM, port);

	if (listen(fd, backlog) < 0)
		abort();
	return fd;
}

int udp_bound(uint16_t *port)
{
	return bound(SOCK_DGRAM, port);
}

void http_read_request(int c, char *req, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len < size - 1 && (n = read(c, req + len, size - 1 - len)) > 0) {
		len += n;
		req[len] = '\0';
		if (strstr(req, "\r\n\r\n"))
			break;
	}
	req[len] = '\0';
}

uint16_t closed_port(void)
{
	uint16_t port;

	close(bound(SOCK_STREAM, &port));
	return port;
}

pid_t fork_server(void (*fn)(int fd, const void *arg), int fd,
		  const void *arg)
{
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		abort();
	if (pid == 0) {
		/* The parent blocked it for sd-event; servers want it. */
		sigset_t all;

		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		signal(SIGPIPE, SIG_IGN);	/* a probe may hang up early */
		fn(fd, arg);
		_exit(0);
	}
	close(fd);
	return pid;
}

void stop_server(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}
