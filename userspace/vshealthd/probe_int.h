/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What probe.c shares with the probe_*.c modules (one per check type, as
 * keepalived's check_*.c): the probe object, the ops each type provides
 * and the helpers that report a result. Not for other users.
 *
 * Life of a probe: vh_probe_start() arms the common timeout and calls
 * ops->start(). The type then calls vh_probe_done() once it knows (from
 * its event sources, or from start() itself when it fails at once). The
 * first vh_probe_done() wins: it records the result, calls ops->stop()
 * to release everything the type holds, and the callback follows with
 * the probe already freed. The caller is never called back from inside
 * vh_probe_start() or from inside a library callback (curl's): there the
 * callback is queued on a defer source. A type that watches its socket
 * with vh_probe_io_add() reports straight from the loop instead, after
 * its io handler has returned: no extra loop iteration per probe, which
 * at 1,000 probes a second is a good part of the daemon's CPU. A timeout
 * is a vh_probe_done() by probe.c, reported the same way.
 */
#ifndef VH_PROBE_INT_H
#define VH_PROBE_INT_H

#include "probe.h"

struct vh_probe_ops {
	/* Once per process, optional (HTTP: the curl multi handle). */
	int (*init)(sd_event *ev);
	void (*exit)(void);
	/* 0, or a negative errno with nothing left behind: then the probe
	 * never reports. A failure that says something about the server
	 * (connect refused at once) is a vh_probe_done() and a 0 instead;
	 * stop() then follows as soon as start() has returned.
	 */
	int (*start)(struct vh_probe *p);
	/* Release p->priv and everything in it; called exactly once, after
	 * a successful start(): on the result, at timeout or on cancel.
	 */
	void (*stop)(struct vh_probe *p);
	/* Every event the type waits for comes through vh_probe_io_add():
	 * vh_probe_done() happens only there or inside start().
	 */
	bool inline_report;
};

/* An event on the socket of vh_probe_io_add(). */
typedef void (*vh_probe_io_fn)(struct vh_probe *p, int fd, uint32_t revents);

extern const struct vh_probe_ops vh_probe_tcp_ops, vh_probe_http_ops,
	vh_probe_http1_ops,
	vh_probe_icmp_ops, vh_probe_udp_ops, vh_probe_dns_ops,
	vh_probe_script_ops, vh_probe_agent_ops;

struct vh_probe {
	const struct vh_check_cfg *cfg;
	const struct vh_probe_ops *ops;
	sd_event *ev;
	struct sockaddr_in dst;		/* server address, probed port */
	vh_probe_done_fn fn;
	void *arg;
	sd_event_source *timer;		/* the timeout */
	sd_event_source *report;	/* the queued callback */
	sd_event_source *io;		/* vh_probe_io_add(), owns the fd */
	vh_probe_io_fn io_cb;
	bool in_cb;			/* inside a callback probe.c runs */
	uint64_t start_ns;		/* CLOCK_MONOTONIC */
	bool started;			/* ops->start() returned 0 */
	bool done;			/* result recorded, stop() called */
	const char *phase;		/* what it waits for, for timeouts */
	struct vh_result res;
	void *priv;			/* the type's state */
};

/* The probed port in host order: the check's, else the server's. */
static inline uint16_t vh_probe_port(const struct vh_probe *p)
{
	return ntohs(p->dst.sin_port);
}

/* The result; the reason is printf-formatted ("ok" for an up result
 * without one). pct and cap default to VH_NONE: set p->res.pct/cap
 * before calling to report them.
 */
void vh_probe_done(struct vh_probe *p, bool up, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void vh_probe_up(struct vh_probe *p)
{
	vh_probe_done(p, true, "ok");
}

/*
 * A non-blocking TCP socket connecting to p->dst: 0 and *@fd (the
 * connection is in progress or made; wait for EPOLLOUT and read SO_ERROR
 * with vh_probe_conn_error()); 0 and *@fd = -1 when connect() failed at
 * once (the probe is done: down, "connect: ..."); or a negative errno
 * when no socket could be made (a local problem, not the server's).
 */
int vh_probe_tcp_connect(struct vh_probe *p, int *fd);
int vh_probe_conn_error(int fd);

/*
 * Watch @fd (which the probe now owns: it is closed when the probe is
 * done) for @events; @cb runs on each event, and a vh_probe_done() in it
 * is reported as soon as it returns. vh_probe_io_events() changes what
 * is waited for. TCP sockets are closed with a reset (SO_LINGER 0): a
 * check leaves no TIME_WAIT behind, as HAProxy's checks; 1,000 servers
 * probed every second would otherwise hold 60,000 of them.
 */
int vh_probe_io_add(struct vh_probe *p, int fd, uint32_t events,
		    vh_probe_io_fn cb);
int vh_probe_io_events(struct vh_probe *p, uint32_t events);

/* HTTP checks: the body is matched within its first 64 KiB. */
#define HTTP_BODY_MAX	(64 * 1024)

/* The verdict on a response: status @code in the check's ranges, then
 * its body substring and regex against @body (@len bytes, with room for
 * a NUL after them, which is not needed).
 */
void vh_http_judge(struct vh_probe *p, long code, const char *body,
		   size_t len);

/*
 * What each type makes of the bytes a server sent, without the socket:
 * the io handlers call these, and so do the fuzz targets (tests/fuzz)
 * on a probe made by hand (p->cfg set, nothing started: vh_probe_done()
 * then only records the result).
 *
 * vh_http1_prepare() sets p->priv up as a plain HTTP probe's start does
 * (the request and the parser; vh_probe_http1_ops.stop frees it);
 * vh_http1_feed() gives it @n bytes of the response (0: the server
 * closed), true once the probe is done. vh_dns_reply() judges a reply
 * to query @id, vh_udp_reply() a UDP reply.
 */
int vh_http1_prepare(struct vh_probe *p);
bool vh_http1_feed(struct vh_probe *p, const char *buf, size_t n);
void vh_dns_reply(struct vh_probe *p, uint16_t id, const unsigned char *buf,
		  size_t n);
void vh_udp_reply(struct vh_probe *p, const uint8_t *buf, size_t n);

#endif /* VH_PROBE_INT_H */
