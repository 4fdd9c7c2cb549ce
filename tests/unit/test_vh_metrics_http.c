// SPDX-License-Identifier: GPL-2.0
/* vshealthd's metrics endpoint on a private loop, on 127.0.0.1: GET
 * /metrics answers the Prometheus text, other paths 404; a non-loopback
 * address is refused without metrics_allow_remote.
 */

#include <arpa/inet.h>
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
