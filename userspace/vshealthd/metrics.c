// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus endpoint: libmicrohttpd driven from the daemon's own
 * sd-event loop (MHD_USE_EPOLL without an internal thread, its epoll fd
 * watched by sd-event, MHD_run() when it is readable or its timeout
 * expires), so the registry is only ever read from the loop's thread.
 * GET /metrics (or /) answers metrics_text.c's rendering.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "daemon.h"
#include "log.h"
#include "report.h"

struct vh_metrics {
	struct vh_daemon *d;
	struct MHD_Daemon *mhd;
	sd_event_source *io, *timer;
	struct sockaddr_in addr;
};

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	struct vh_metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	f = open_memstream(&buf, &len);
	if (!f)
		return MHD_NO;
	if (strcmp(method, "GET") && strcmp(method, "HEAD")) {
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
		fputs("only GET\n", f);
	} else if (strcmp(url, "/metrics") && strcmp(url, "/")) {
		status = MHD_HTTP_NOT_FOUND;
		fputs("not found: the metrics are at /metrics\n", f);
	} else {
		vh_metrics_render(f, m->d->health, &m->d->stats,
				  vh_kernel_connected(m->d));
	}
	fclose(f);
	resp = MHD_create_response_from_buffer(len, buf,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(buf);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type",
				status == MHD_HTTP_OK ?
				"text/plain; version=0.0.4; charset=utf-8" :
				"text/plain; charset=utf-8");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* After every MHD_run(): when MHD next wants to run without I/O. */
static void rearm(struct vh_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t now;

	if (MHD_get_timeout(m->mhd, &ms) != MHD_YES) {
		sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_now(m->d->ev, CLOCK_MONOTONIC, &now);
	sd_event_source_set_time(m->timer, now + ms * 1000);
	sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
}

static int on_io(sd_event_source *src, int fd, uint32_t revents, void *arg)
{
	struct vh_metrics *m = arg;

	(void)src;
	(void)fd;
	(void)revents;
	MHD_run(m->mhd);
	rearm(m);
	return 0;
}

static int on_time(sd_event_source *src, uint64_t usec, void *arg)
{
	(void)usec;
	return on_io(src, -1, 0, arg);
}

int vh_metrics_start(struct vh_daemon *d)
{
	const struct vh_config *cfg = d->cfg;
	const union MHD_DaemonInfo *info;
	struct vh_metrics *m;
	char ab[32];
	int err;

	if (!cfg->metrics)
		return 0;
	vh_addr_str(cfg->metrics_addr.sin_addr,
		    ntohs(cfg->metrics_addr.sin_port), ab, sizeof(ab));
	/* config.c refuses it already; this is the last line of defence
	 * for an endpoint without authentication.
	 */
	if ((ntohl(cfg->metrics_addr.sin_addr.s_addr) >> 24) != 127 &&
	    !cfg->metrics_allow_remote) {
		vh_err("metrics %s: not a loopback address and metrics_allow_remote is not set",
		       ab);
		return -EPERM;
	}
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->d = d;
	m->addr = cfg->metrics_addr;
	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0,
				  NULL, NULL, on_request, m,
				  MHD_OPTION_SOCK_ADDR, &m->addr,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10U,
				  MHD_OPTION_CONNECTION_LIMIT, 16U,
				  MHD_OPTION_END);
	if (!m->mhd) {
		err = errno ? -errno : -EADDRINUSE;
		vh_err("metrics: cannot listen on %s: %s", ab, strerror(-err));
		free(m);
		return err;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	err = info ? sd_event_add_io(d->ev, &m->io, info->epoll_fd, EPOLLIN,
				     on_io, m) : -EINVAL;
	if (err >= 0)
		err = sd_event_add_time(d->ev, &m->timer, CLOCK_MONOTONIC, 0,
					1000, on_time, m);
	if (err < 0) {
		vh_err("metrics: cannot watch the HTTP server: %s",
		       strerror(-err));
		sd_event_source_disable_unref(m->io);
		MHD_stop_daemon(m->mhd);
		free(m);
		return err;
	}
	sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
	rearm(m);
	d->metrics = m;
	vh_info("metrics on http://%s/metrics", ab);
	return 0;
}

void vh_metrics_stop(struct vh_daemon *d)
{
	struct vh_metrics *m = d->metrics;

	if (!m)
		return;
	sd_event_source_disable_unref(m->io);
	sd_event_source_disable_unref(m->timer);
	MHD_stop_daemon(m->mhd);
	free(m);
	d->metrics = NULL;
}
