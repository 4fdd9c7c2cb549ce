// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus endpoint: libmicrohttpd driven from the daemon's own
 * sd-event loop (MHD_USE_EPOLL without an internal thread, its epoll fd
 * watched by sd-event, MHD_run() when it is readable or its timeout
 * expires), so the registry is only ever read from the loop's thread.
 * GET /metrics (or /) answers metrics_text.c's rendering.
 *
 * Connections that never finish a request must not keep a scrape out.
 * Each connection is tracked (MHD_OPTION_NOTIFY_CONNECTION) with its
 * client's address and the time of its accept or of its last answer:
 * - it has VH_METRICS_DEADLINE_MS from then to complete its next
 *   request and read the answer, however active it is (a byte every
 *   second no longer buys time, as MHD's idle timeout alone allowed);
 * - one client address holds at most VH_METRICS_PER_CLIENT of them, and
 *   all clients VH_METRICS_CONNS: a new connection over either limit
 *   evicts the oldest one of that client, or of all, preferring one
 *   that is not being answered. The newest is always served, so a
 *   scrape gets through however many idle connections came first.
 * An eviction is a shutdown() of the socket: MHD sees the end of the
 * stream and closes the connection itself (it has no call to close one
 * of its connections). MHD's own limit is higher than ours, for the
 * connections accepted in one pass before the evicted ones are closed.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "daemon.h"
#include "log.h"
#include "report.h"

#define VH_METRICS_CONNS	16
#define VH_METRICS_PER_CLIENT	4
#define VH_METRICS_MHD_LIMIT	64

uint32_t vh_metrics_deadline_ms = 10000;

/* One connection; the list is in order of @since, oldest first. */
struct vh_mconn {
	struct vh_mconn *prev, *next;
	int fd;
	struct in_addr peer;
	uint64_t since;			/* usec: accepted or last answered */
	bool busy;			/* a request is being answered */
	bool evicted;			/* shut down, MHD closes it soon */
};

struct vh_metrics {
	struct vh_daemon *d;
	struct MHD_Daemon *mhd;
	sd_event_source *io, *timer;
	struct sockaddr_in addr;
	struct vh_mconn *head, *tail;
};

static uint64_t now_usec(struct vh_metrics *m)
{
	uint64_t now = 0;

	sd_event_now(m->d->ev, CLOCK_MONOTONIC, &now);
	return now;
}

static void conn_unlink(struct vh_metrics *m, struct vh_mconn *c)
{
	*(c->prev ? &c->prev->next : &m->head) = c->next;
	*(c->next ? &c->next->prev : &m->tail) = c->prev;
	c->prev = c->next = NULL;
}

static void conn_append(struct vh_metrics *m, struct vh_mconn *c)
{
	c->prev = m->tail;
	c->next = NULL;
	*(m->tail ? &m->tail->next : &m->head) = c;
	m->tail = c;
}

static void conn_evict(struct vh_mconn *c)
{
	shutdown(c->fd, SHUT_RDWR);
	c->evicted = true;
}

/*
 * When @c, the newest, takes the count of live connections (of @c's
 * client when @same_peer) over @max: evict the oldest other one, idle
 * rather than busy.
 */
static void conn_limit(struct vh_metrics *m, struct vh_mconn *c,
		       bool same_peer, unsigned int max)
{
	struct vh_mconn *i, *idle = NULL, *any = NULL;
	unsigned int n = 0;

	for (i = m->head; i; i = i->next) {
		if (i->evicted ||
		    (same_peer && i->peer.s_addr != c->peer.s_addr))
			continue;
		n++;
		if (i == c)
			continue;
		if (!any)
			any = i;
		if (!idle && !i->busy)
			idle = i;
	}
	if (n > max && (idle || any))
		conn_evict(idle ? idle : any);
}

static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct vh_metrics *m = cls;
	const union MHD_ConnectionInfo *fd, *addr;
	struct vh_mconn *c = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (c) {
			conn_unlink(m, c);
			free(c);
		}
		*socket_context = NULL;
		return;
	}
	fd = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	addr = MHD_get_connection_info(conn,
				       MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	c = calloc(1, sizeof(*c));
	if (!c || !fd) {
		free(c);
		return;
	}
	c->fd = fd->connect_fd;
	if (addr && addr->client_addr &&
	    addr->client_addr->sa_family == AF_INET)
		c->peer = ((const struct sockaddr_in *)addr->client_addr)->sin_addr;
	c->since = now_usec(m);
	conn_append(m, c);
	*socket_context = c;
	conn_limit(m, c, true, VH_METRICS_PER_CLIENT);
	conn_limit(m, c, false, VH_METRICS_CONNS);
}

static struct vh_mconn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	return ci ? ci->socket_context : NULL;
}

/* An answer sent (or given up): the connection's next deadline starts. */
static void on_completed(void *cls, struct MHD_Connection *conn,
			 void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct vh_metrics *m = cls;
	struct vh_mconn *c = conn_of(conn);

	(void)con_cls;
	(void)toe;
	if (!c)
		return;
	c->busy = false;
	c->since = now_usec(m);
	conn_unlink(m, c);
	conn_append(m, c);
}

/* Evict the connections past their deadline; the next deadline (usec),
 * or 0 for none.
 */
static uint64_t conn_deadlines(struct vh_metrics *m)
{
	uint64_t now = now_usec(m), limit = vh_metrics_deadline_ms * 1000ULL;
	struct vh_mconn *c;

	for (c = m->head; c; c = c->next) {
		if (c->evicted)
			continue;
		if (c->since + limit > now)
			return c->since + limit;
		conn_evict(c);
	}
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	struct vh_metrics *m = cls;
	struct MHD_Response *resp;
	struct vh_mconn *c;
	enum MHD_Result ret;
	unsigned int status = MHD_HTTP_OK;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)con_cls;
	c = conn_of(conn);
	if (c)
		c->busy = true;
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

/* After every MHD_run(): when MHD next wants to run without I/O, or
 * the next connection's deadline, whichever comes first.
 */
static void rearm(struct vh_metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms;
	uint64_t at = conn_deadlines(m), mhd;

	if (MHD_get_timeout(m->mhd, &ms) == MHD_YES) {
		mhd = now_usec(m) + ms * 1000;
		if (!at || mhd < at)
			at = mhd;
	}
	if (!at) {
		sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
		return;
	}
	sd_event_source_set_time(m->timer, at);
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
	/* Connections past their deadline are shut down first, so that
	 * this MHD_run() closes them.
	 */
	conn_deadlines(arg);
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
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)(vh_metrics_deadline_ms + 999) / 1000,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)VH_METRICS_MHD_LIMIT,
				  MHD_OPTION_NOTIFY_CONNECTION, on_connection, m,
				  MHD_OPTION_NOTIFY_COMPLETED, on_completed, m,
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
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_BIND_PORT);
	if (info && info->port)
		vh_addr_str(cfg->metrics_addr.sin_addr, info->port, ab,
			    sizeof(ab));
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

uint16_t vh_metrics_port(const struct vh_daemon *d)
{
	const union MHD_DaemonInfo *info;

	if (!d->metrics)
		return 0;
	info = MHD_get_daemon_info(d->metrics->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}
