// SPDX-License-Identifier: GPL-2.0
/* The probe core and the TCP check, against sockets on 127.0.0.1. */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <sys/socket.h>

#include "harness.h"
#include "probe_util.h"

TEST(probe_type_names)
{
	CHECK_STR(vh_check_type_name(VH_CHECK_TCP), "tcp");
	CHECK_STR(vh_check_type_name(VH_CHECK_HTTPS), "https");
	CHECK_STR(vh_check_type_name(VH_CHECK_AGENT), "agent");
	CHECK_STR(vh_check_type_name(__VH_CHECK_MAX), "unknown");
}

TEST(probe_not_initialised)
{
	struct vh_target t = { .port = 1 };
	struct vh_check_cfg c;
	struct vh_probe *p;

	probe_cfg(&c, VH_CHECK_TCP, 100);
	CHECK(vh_probe_start(&c, &t, NULL, NULL, &p) == -ENOTCONN);
}

TEST(probe_tcp_up)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int fd = tcp_listener(&port, 16);

	probe_cfg(&c, VH_CHECK_TCP, 500);
	probe_run(&c, port, &r);
	CHECK(r.ret == 0);
	CHECK(r.calls_at_start == 0);
	CHECK(r.calls == 1);
	CHECK(r.res.up);
	CHECK_STR(r.res.reason, "ok");
	CHECK(r.res.pct == VH_NONE && r.res.cap == VH_NONE);
	CHECK(r.res.duration_us > 0 && r.res.duration_us < 500000);
	close(fd);
}

/* cfg->port wins over the server's port. */
TEST(probe_tcp_port_override)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int fd = tcp_listener(&port, 16);

	probe_cfg(&c, VH_CHECK_TCP, 500);
	c.port = port;
	probe_run(&c, closed_port(), &r);
	CHECK(r.calls == 1 && r.res.up);
	c.port = closed_port();
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	close(fd);
}

TEST(probe_tcp_refused)
{
	struct vh_check_cfg c;
	struct probe_run r;

	probe_cfg(&c, VH_CHECK_TCP, 500);
	probe_run(&c, closed_port(), &r);
	CHECK(r.ret == 0);
	CHECK(r.calls_at_start == 0);
	CHECK(r.calls == 1);
	CHECK(!r.res.up);
	CHECK_STR(r.res.reason, "connect: Connection refused");
}

/*
 * A listener whose accept queue is full drops further SYNs: the connect
 * hangs, which is what a dead host looks like, on loopback.
 */
static int full_listener(uint16_t *port, int *clients)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = tcp_listener(port, 0), i;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(*port);
	for (i = 0; i < 2; i++) {
		clients[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(clients[i], (struct sockaddr *)&a, sizeof(a));
	}
	usleep(20000);
	return fd;
}

TEST(probe_tcp_timeout)
{
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port;
	int cl[2], fd = full_listener(&port, cl);

	probe_cfg(&c, VH_CHECK_TCP, 200);
	probe_run(&c, port, &r);
	CHECK(r.calls == 1);
	CHECK(!r.res.up);
	CHECK_HAS(r.res.reason, "timeout after 200 ms");
	CHECK(r.elapsed_ms >= 195 && r.elapsed_ms < 400);
	close(cl[0]);
	close(cl[1]);
	close(fd);
}

TEST(probe_tcp_cancel)
{
	struct vh_check_cfg c;
	uint16_t port;
	int cl[2], fd = full_listener(&port, cl);

	probe_cfg(&c, VH_CHECK_TCP, 200);
	/* In flight: never reports. */
	CHECK(probe_cancel(&c, port, 50) == 0);
	/* Cancelled before the loop has seen the refusal: no report. */
	CHECK(probe_cancel(&c, closed_port(), 0) == 0);
	close(cl[0]);
	close(cl[1]);
	close(fd);
}

/*
 * Callbacks run on the loop, outside the probe code: one may cancel a
 * probe whose result is already queued (it must then never come) and
 * start the next attempt. Two probes that fail inside vh_probe_start()
 * (a script that cannot run), so that both results are queued at once:
 * whichever reports first cancels the other and starts a TCP probe.
 */
struct chain {
	struct vh_check_cfg *cfg;
	struct vh_target t;
	struct vh_probe *probe[2], *next;
	int calls[2], third;
};

static void chain_third(void *arg, const struct vh_result *res)
{
	struct chain *c = arg;

	c->third += res->up ? 1 : 100;
}

static void chain_done(struct chain *c, int me)
{
	c->calls[me]++;
	vh_probe_cancel(c->probe[!me]);
	c->t.port = c->cfg->port;
	CHECK(vh_probe_start(c->cfg, &c->t, chain_third, c, &c->next) == 0);
}

static void chain_a(void *arg, const struct vh_result *res)
{
	(void)res;
	chain_done(arg, 0);
}

static void chain_b(void *arg, const struct vh_result *res)
{
	(void)res;
	chain_done(arg, 1);
}

TEST(probe_cancel_from_callback)
{
	char *argv[] = { "/nonexistent/check", NULL };
	struct chain c = { 0 };
	struct vh_check_cfg cfg, bad;
	uint16_t port;
	sd_event *ev = NULL;
	int fd = tcp_listener(&port, 16), i;

	probe_cfg(&cfg, VH_CHECK_TCP, 300);
	c.cfg = &cfg;
	cfg.port = port;		/* the third one is up */
	probe_cfg(&bad, VH_CHECK_SCRIPT, 300);
	bad.argv = argv;
	inet_pton(AF_INET, "127.0.0.1", &c.t.addr);
	CHECK(sd_event_new(&ev) >= 0 && vh_probes_init(ev) == 0);
	CHECK(vh_probe_start(&bad, &c.t, chain_a, &c, &c.probe[0]) == 0);
	CHECK(vh_probe_start(&bad, &c.t, chain_b, &c, &c.probe[1]) == 0);
	for (i = 0; i < 50 && !c.third; i++)
		sd_event_run(ev, 10000);
	for (i = 0; i < 5; i++)
		sd_event_run(ev, 10000);
	CHECK(c.calls[0] + c.calls[1] == 1);
	CHECK(c.third == 1);
	vh_probes_exit();
	sd_event_unref(ev);
	close(fd);
}
