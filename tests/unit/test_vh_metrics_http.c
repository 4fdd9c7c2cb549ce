// SPDX-License-Identifier: GPL-2.0
/* vshealthd's metrics endpoint on a private loop, on 127.0.0.1: GET
 * /metrics answers the Prometheus text, other paths 404; a non-loopback
 * address is refused without metrics_allow_remote.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "harness.h"
#include "vh_util.h"

/* A port free on 127.0.0.1 a moment ago. */
static uint16_t free_port(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t len = sizeof(sa);
	uint16_t port = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && !bind(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	    !getsockname(fd, (struct sockaddr *)&sa, &len))
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static char *get(struct vh_daemon *d, uint16_t port, const char *req)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	char *out = calloc(1, 65536);
	size_t len = 0;
	int fd, i;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	for (i = 0; i < 300; i++) {
		ssize_t n;

		sd_event_run(d->ev, 10000);
		if (req) {
			if (write(fd, req, strlen(req)) > 0)
				req = NULL;
			continue;
		}
		n = read(fd, out + len, 65535 - len);
		if (n == 0)
			break;
		if (n > 0)
			len += n;
	}
	close(fd);
	return out;
}

TEST(vh_metrics_http_endpoint)
{
	char text[512], *out;
	struct vh_daemon d = { 0 };
	struct vh_t_ops ops = { 0 };
	uint16_t port = free_port();

	CHECK(port != 0);
	snprintf(text, sizeof(text),
		 "daemon = { metrics = \"127.0.0.1:%u\"; };\n"
		 "checks = { web = { type = \"tcp\"; }; };\n"
		 "services = ( { service = \"tcp 198.18.100.1:80\"; checks = \"web\"; } );\n",
		 port);
	d.cfg = vh_t_config(text);
	CHECK(d.cfg != NULL);
	if (!d.cfg || sd_event_new(&d.ev) < 0)
		return;
	d.health = vh_health_new(d.cfg, &vh_t_fake_ops, &ops);
	d.stats.reloads_ok = 7;
	CHECK(vh_metrics_start(&d) == 0);

	out = get(&d, port, "GET /metrics HTTP/1.0\r\n\r\n");
	CHECK_HAS(out, " 200 OK\r\n");
	CHECK_HAS(out, "text/plain; version=0.0.4");
	CHECK_HAS(out, "\nvshealthd_config_reloads_total 7\n");
	CHECK_HAS(out, "\nvshealthd_kernel_connected 0\n");
	free(out);
	out = get(&d, port, "GET /other HTTP/1.0\r\n\r\n");
	CHECK_HAS(out, " 404 ");
	free(out);
	vh_metrics_stop(&d);
	CHECK(d.metrics == NULL);

	/* A remote address slipped past the parser is still refused. */
	free(d.cfg->metrics);
	d.cfg->metrics = strdup("192.0.2.1:9469");
	inet_pton(AF_INET, "192.0.2.1", &d.cfg->metrics_addr.sin_addr);
	d.cfg->metrics_allow_remote = false;
	CHECK(vh_metrics_start(&d) == -EPERM);
	CHECK(d.metrics == NULL);

	vh_health_free(d.health);
	vh_config_free(d.cfg);
	sd_event_unref(d.ev);
}

/* A connection to the endpoint from @src (127.0.0.x), or -1. */
static int conn_from(uint16_t port, const char *src)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	struct sockaddr_in from = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	inet_pton(AF_INET, src, &from.sin_addr);
	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&from, sizeof(from)) ||
	    (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) &&
	     errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The daemon closed @fd (EOF or reset), as far as a read can tell. */
static bool closed_by_peer(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT);

	return n == 0 || (n < 0 && errno != EAGAIN);
}

static void spin(struct vh_daemon *d, int ms)
{
	int i;

	for (i = 0; i < ms / 10; i++)
		sd_event_run(d->ev, 10000);
}

static bool metrics_setup(struct vh_daemon *d, struct vh_t_ops *ops)
{
	memset(d, 0, sizeof(*d));
	d->cfg = vh_t_config("daemon = { metrics = \"127.0.0.1:9469\"; };\n"
			     "checks = { web = { type = \"tcp\"; }; };\n"
			     "services = ( { service = \"tcp 198.18.100.1:80\"; checks = \"web\"; } );\n");
	if (!d->cfg || sd_event_new(&d->ev) < 0)
		return false;
	d->cfg->metrics_addr.sin_port = 0;	/* an ephemeral port */
	d->health = vh_health_new(d->cfg, &vh_t_fake_ops, ops);
	return vh_metrics_start(d) == 0 && vh_metrics_port(d) != 0;
}

static void metrics_teardown(struct vh_daemon *d)
{
	vh_metrics_stop(d);
	vh_health_free(d->health);
	vh_config_free(d->cfg);
	sd_event_unref(d->ev);
}

/*
 * Idle connections cannot keep a scrape out (issue 22, finding 4):
 * twenty from the scraper's own address, then sixteen from sixteen
 * other loopback addresses; a scrape is answered each time, one client
 * keeps at most 4 connections and all clients 16.
 */
TEST(vh_metrics_idle_connections_do_not_block)
{
	struct vh_daemon d;
	struct vh_t_ops ops = { 0 };
	int fds[40], n = 0, i, open_n;
	char src[32], *out;
	uint16_t port;

	CHECK(metrics_setup(&d, &ops));
	port = vh_metrics_port(&d);
	if (!port)
		return;
	for (i = 0; i < 20; i++) {
		fds[n] = conn_from(port, "127.0.0.1");
		CHECK(fds[n] >= 0);
		n++;
		spin(&d, 10);
	}
	spin(&d, 100);
	out = get(&d, port, "GET /metrics HTTP/1.0\r\n\r\n");
	CHECK_HAS(out, " 200 OK\r\n");
	CHECK_HAS(out, "vshealthd_kernel_connected 0\n");
	free(out);
	for (open_n = 0, i = 0; i < n; i++)
		open_n += !closed_by_peer(fds[i]);
	/* 127.0.0.1 keeps 4, one of which the scrape took. */
	CHECK(open_n <= 4);
	/* The oldest went first: the last ones are still there. */
	CHECK(!closed_by_peer(fds[n - 1]));

	for (i = 0; i < 16; i++) {
		snprintf(src, sizeof(src), "127.0.0.%d", i + 2);
		fds[n] = conn_from(port, src);
		CHECK(fds[n] >= 0);
		n++;
		spin(&d, 10);
	}
	spin(&d, 100);
	for (open_n = 0, i = 0; i < n; i++)
		open_n += !closed_by_peer(fds[i]);
	CHECK(open_n <= 16);
	out = get(&d, port, "GET /metrics HTTP/1.0\r\n\r\n");
	CHECK_HAS(out, " 200 OK\r\n");
	free(out);
	for (i = 0; i < n; i++)
		close(fds[i]);
	metrics_teardown(&d);
}

/*
 * A request has a deadline from the accept that activity does not push
 * back: a client sending a header byte every 100 ms is cut off after
 * the deadline (shortened here to 1 s), and an idle one too.
 */
TEST(vh_metrics_request_deadline)
{
	static const char req[] = "GET /metrics HTTP/1.1\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n";
	uint32_t saved = vh_metrics_deadline_ms;
	struct vh_daemon d;
	struct vh_t_ops ops = { 0 };
	bool slow_closed = false;
	int slow, idle, i;
	uint16_t port;

	vh_metrics_deadline_ms = 1000;
	CHECK(metrics_setup(&d, &ops));
	port = vh_metrics_port(&d);
	if (!port) {
		vh_metrics_deadline_ms = saved;
		return;
	}
	slow = conn_from(port, "127.0.0.1");
	idle = conn_from(port, "127.0.0.2");
	for (i = 0; i < 30 && !slow_closed; i++) {
		if (send(slow, req + i, 1, MSG_NOSIGNAL) < 0)
			slow_closed = true;
		spin(&d, 100);
		if (closed_by_peer(slow))
			slow_closed = true;
		/* Not before its time. */
		if (i < 8)
			CHECK(!slow_closed);
	}
	CHECK(slow_closed);
	CHECK(i <= 15);		/* about 1 s, not 3 */
	CHECK(closed_by_peer(idle));
	close(slow);
	close(idle);
	metrics_teardown(&d);
	vh_metrics_deadline_ms = saved;
}
