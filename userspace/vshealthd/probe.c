// SPDX-License-Identifier: GPL-2.0
/*
 * The probe core (probe.h, probe_int.h): dispatch by check type, the
 * common timeout, exactly-once reporting from a defer source, cancel.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>

#include "probe_int.h"
#include "text.h"

static sd_event *vh_ev;

static const struct {
	const char *name;
	const struct vh_probe_ops *ops;
} vh_types[__VH_CHECK_MAX] = {
	[VH_CHECK_TCP]		= { "tcp", &vh_probe_tcp_ops },
	[VH_CHECK_HTTP]		= { "http", &vh_probe_http1_ops },
	[VH_CHECK_HTTPS]	= { "https", &vh_probe_http_ops },
	[VH_CHECK_ICMP]		= { "icmp", &vh_probe_icmp_ops },
	[VH_CHECK_UDP]		= { "udp", &vh_probe_udp_ops },
	[VH_CHECK_DNS]		= { "dns", &vh_probe_dns_ops },
	[VH_CHECK_SCRIPT]	= { "script", &vh_probe_script_ops },
	[VH_CHECK_AGENT]	= { "agent", &vh_probe_agent_ops },
};

const char *vh_check_type_name(enum vh_check_type type)
{
	if ((unsigned int)type >= __VH_CHECK_MAX)
		return "unknown";
	return vh_types[type].name;
}

/* HTTP and HTTPS share their ops: init each ops once. */
static bool ops_seen_before(int t)
{
	int k;

	for (k = 0; k < t; k++)
		if (vh_types[k].ops == vh_types[t].ops)
			return true;
	return false;
}

int vh_probes_init(sd_event *ev)
{
	int t, ret;

	if (vh_ev)
		return -EALREADY;
	vh_ev = sd_event_ref(ev);
	for (t = 0; t < __VH_CHECK_MAX; t++) {
		const struct vh_probe_ops *ops = vh_types[t].ops;

		if (!ops->init || ops_seen_before(t))
			continue;
		ret = ops->init(ev);
		if (ret < 0)
			goto err;
	}
	return 0;
err:
	while (--t >= 0)
		if (vh_types[t].ops->exit && !ops_seen_before(t))
			vh_types[t].ops->exit();
	vh_ev = sd_event_unref(vh_ev);
	return ret;
}

void vh_probes_exit(void)
{
	int t;

	if (!vh_ev)
		return;
	for (t = __VH_CHECK_MAX - 1; t >= 0; t--)
		if (vh_types[t].ops->exit && !ops_seen_before(t))
			vh_types[t].ops->exit();
	vh_ev = sd_event_unref(vh_ev);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static void probe_free(struct vh_probe *p)
{
	sd_event_source_disable_unref(p->timer);
	sd_event_source_disable_unref(p->report);
	sd_event_source_disable_unref(p->io);
	free(p);
}

/* The callback runs last, with the probe already freed: it may start
 * the next attempt, or cancel other probes, without surprises.
 */
static void report_now(struct vh_probe *p)
{
	vh_probe_done_fn fn = p->fn;
	void *arg = p->arg;
	struct vh_result res = p->res;

	probe_free(p);
	fn(arg, &res);
}

static int report_cb(sd_event_source *s, void *userdata)
{
	(void)s;
	report_now(userdata);
	return 0;
}

static int probe_io(sd_event_source *s, int fd, uint32_t revents,
		    void *userdata)
{
	struct vh_probe *p = userdata;

	(void)s;
	p->in_cb = true;
	p->io_cb(p, fd, revents);
	p->in_cb = false;
	if (p->done)
		report_now(p);
	return 0;
}

int vh_probe_io_add(struct vh_probe *p, int fd, uint32_t events,
		    vh_probe_io_fn cb)
{
	int ret;

	ret = sd_event_add_io(p->ev, &p->io, fd, events, probe_io, p);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	sd_event_source_set_io_fd_own(p->io, true);
	p->io_cb = cb;
	return 0;
}

int vh_probe_io_events(struct vh_probe *p, uint32_t events)
{
	return sd_event_source_set_io_events(p->io, events);
}

void vh_probe_done(struct vh_probe *p, bool up, const char *fmt, ...)
{
	uint64_t ns = now_ns() - p->start_ns;
	char text[4 * sizeof(p->res.reason)];
	va_list ap;

	if (p->done)
		return;
	p->done = true;
	p->res.up = up;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* Where a server's bytes enter: the reason goes to the kernel,
	 * vsadm -L, --show, the log and JSON, so no control character or
	 * broken UTF-8 goes on.
	 */
	vs_text_clean(p->res.reason, sizeof(p->res.reason), text,
		      strlen(text));
	p->res.duration_us = ns / 1000 > UINT32_MAX ? UINT32_MAX : ns / 1000;
	p->timer = sd_event_source_disable_unref(p->timer);
	p->io = sd_event_source_disable_unref(p->io);
	if (p->started)
		p->ops->stop(p);
	/* Inside our own callback, it reports on return; inside start(),
	 * vh_probe_start() sees to it.
	 */
	if (!p->in_cb && p->report)
		sd_event_source_set_enabled(p->report, SD_EVENT_ONESHOT);
}

static int timeout_cb(sd_event_source *s, uint64_t usec, void *userdata)
{
	struct vh_probe *p = userdata;
	uint32_t ms = p->cfg->timeout_ms ? p->cfg->timeout_ms : 1000;

	(void)s;
	(void)usec;
	p->in_cb = true;
	if (p->phase)
		vh_probe_done(p, false, "timeout after %u ms (%s)", ms,
			      p->phase);
	else
		vh_probe_done(p, false, "timeout after %u ms", ms);
	report_now(p);
	return 0;
}

/* How late a timer may fire: timers that may fire together share one
 * wakeup of the loop. A twentieth of the period, at most 50 ms; a
 * probe's result or a tick that late changes nothing.
 */
uint64_t vh_timer_slack_us(uint32_t period_ms)
{
	uint64_t us = (uint64_t)period_ms * 1000 / 20;

	return us < 1000 ? 1000 : us > 50000 ? 50000 : us;
}

static int report_make(struct vh_probe *p)
{
	int ret = sd_event_add_defer(vh_ev, &p->report, report_cb, p);

	if (ret >= 0)
		ret = sd_event_source_set_enabled(p->report, SD_EVENT_OFF);
	return ret;
}

int vh_probe_start(const struct vh_check_cfg *cfg, const struct vh_target *t,
		   vh_probe_done_fn fn, void *arg, struct vh_probe **out)
{
	struct vh_probe *p;
	uint32_t timeout_ms;
	int ret;

	if (!vh_ev)
		return -ENOTCONN;
	if ((unsigned int)cfg->type >= __VH_CHECK_MAX || !fn)
		return -EINVAL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	p->cfg = cfg;
	p->ops = vh_types[cfg->type].ops;
	p->ev = vh_ev;
	p->fn = fn;
	p->arg = arg;
	p->dst.sin_family = AF_INET;
	p->dst.sin_addr = t->addr;
	p->dst.sin_port = htons(cfg->port ? cfg->port : t->port);
	p->res.pct = VH_NONE;
	p->res.cap = VH_NONE;
	p->start_ns = now_ns();
	/* 0 is "not set": the header's default. */
	timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : 1000;
	ret = sd_event_add_time_relative(vh_ev, &p->timer, CLOCK_MONOTONIC,
					 timeout_ms * 1000ULL,
					 vh_timer_slack_us(timeout_ms),
					 timeout_cb, p);
	/* Made now, enabled by vh_probe_done(): reporting cannot fail. */
	if (ret >= 0 && !p->ops->inline_report)
		ret = report_make(p);
	if (ret < 0) {
		probe_free(p);
		return ret;
	}
	ret = p->ops->start(p);
	if (ret < 0) {
		p->done = true;		/* a late vh_probe_done() is a no-op */
		probe_free(p);
		return ret;
	}
	p->started = true;
	if (p->done) {
		p->ops->stop(p);
		/* Failed at once (connect refused): report from the loop. */
		if (!p->report) {
			ret = report_make(p);
			if (ret < 0) {
				probe_free(p);
				return ret;
			}
			sd_event_source_set_enabled(p->report,
						    SD_EVENT_ONESHOT);
		}
	}
	*out = p;
	return 0;
}

void vh_probe_cancel(struct vh_probe *p)
{
	if (!p)
		return;
	if (!p->done && p->started)
		p->ops->stop(p);
	probe_free(p);
}

int vh_probe_tcp_connect(struct vh_probe *p, int *fd)
{
	int s;

	*fd = -1;
	static const struct linger rst = { .l_onoff = 1, .l_linger = 0 };

	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	/* Close with a reset: see vh_probe_io_add(). */
	setsockopt(s, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	if (connect(s, (struct sockaddr *)&p->dst, sizeof(p->dst)) < 0 &&
	    errno != EINPROGRESS) {
		vh_probe_done(p, false, "connect: %s", strerror(errno));
		close(s);
		return 0;
	}
	*fd = s;
	return 0;
}

int vh_probe_conn_error(int fd)
{
	socklen_t len = sizeof(int);
	int err = 0;

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return errno;
	return err;
}
