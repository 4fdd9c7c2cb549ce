// SPDX-License-Identifier: GPL-2.0
/*
 * Agent check, as HAProxy's agent-check: connect to the agent's port,
 * read one line (bounded), and take the server's state and weight share
 * from its words (vh_agent_parse()). Load figures "cpu=N" and "mem=N"
 * are compared with the check's thresholds.
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "probe_int.h"
#include "text.h"

/* HAProxy's agent lines are a few words; anything longer is broken. */
#define AGENT_LINE_MAX	256

/* "N" in 0..@max, nothing else; -1 if not. */
static long agent_number(const char *s, const char *end, long max)
{
	long v = 0;

	if (s == end)
		return -1;
	for (; s < end; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > max)
			return -1;
	}
	return v;
}

/* A load figure "cpu=N" / "mem=N": 0 fine, 1 above @max, -1 bad. */
static int agent_load(const char *w, const char *key, uint32_t max,
		      struct vh_result *res, bool *over)
{
	long v = agent_number(w + strlen(key) + 1, w + strlen(w), 100);

	if (v < 0)
		return -1;
	if (max && v > max && !*over) {
		*over = true;
		snprintf(res->reason, sizeof(res->reason),
			 "agent: %s=%ld > %u", key, v, max);
	}
	return 0;
}

/* The agent's own words in a reason, cleaned (text.h). */
static void __attribute__((format(printf, 2, 3)))
agent_reason(struct vh_result *res, const char *fmt, ...)
{
	char text[2 * AGENT_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	vs_text_clean(res->reason, sizeof(res->reason), text, strlen(text));
}

int vh_agent_parse(const char *line, const struct vh_check_cfg *cfg,
		   struct vh_result *res)
{
	char buf[AGENT_LINE_MAX + 1], *desc, *w, *save;
	const char *down = NULL;
	bool over = false, any = false;
	int pct = VH_NONE;

	res->up = false;
	res->pct = VH_NONE;
	res->cap = VH_NONE;
	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "\r\n")] = '\0';		/* one line */
	/* "down#text": HAProxy's description, for the reason. */
	desc = strchr(buf, '#');
	if (desc)
		*desc++ = '\0';
	for (w = strtok_r(buf, " ,\t\r\n", &save); w;
	     w = strtok_r(NULL, " ,\t\r\n", &save)) {
		size_t len = strlen(w);
		long v;

		any = true;
		if (!strcasecmp(w, "up") || !strcasecmp(w, "ready"))
			continue;
		if (!strcasecmp(w, "down") || !strcasecmp(w, "fail") ||
		    !strcasecmp(w, "stopped") || !strcasecmp(w, "maint")) {
			if (!down)
				down = w;
			continue;
		}
		if (!strcasecmp(w, "drain")) {
			pct = 0;
			continue;
		}
		if (w[len - 1] == '%') {
			v = agent_number(w, w + len - 1, 100);
			if (v < 0)
				goto bad;
			if (pct == VH_NONE || v < pct)
				pct = v;
			continue;
		}
		if (!strncasecmp(w, "cpu=", 4)) {
			if (agent_load(w, "cpu", cfg->agent_cpu_max, res,
				       &over) < 0)
				goto bad;
			continue;
		}
		if (!strncasecmp(w, "mem=", 4)) {
			if (agent_load(w, "mem", cfg->agent_mem_max, res,
				       &over) < 0)
				goto bad;
			continue;
		}
		goto bad;
	}
	if (!any) {
		snprintf(res->reason, sizeof(res->reason),
			 "agent: empty line");
		return -EINVAL;
	}
	if (down) {
		while (desc && *desc == ' ')
			desc++;
		if (desc && *desc) {
			size_t n = strlen(desc);

			while (n && desc[n - 1] == ' ')
				desc[--n] = '\0';
		}
		if (desc && *desc)
			agent_reason(res, "agent: %s (%s)", down, desc);
		else
			agent_reason(res, "agent: %s", down);
		return 0;
	}
	if (over)
		return 0;
	res->up = true;
	res->pct = pct;
	snprintf(res->reason, sizeof(res->reason), "ok");
	return 0;
bad:
	agent_reason(res, "agent: bad word \"%.30s\"", w);
	return -EINVAL;
}

struct agent {
	sd_event_source *io;
	bool connected;
	size_t len;
	char line[AGENT_LINE_MAX + 1];
};

static void agent_finish(struct vh_probe *p, struct agent *a)
{
	struct vh_result r;

	a->line[a->len] = '\0';
	vh_agent_parse(a->line, p->cfg, &r);
	p->res.pct = r.pct;
	p->res.cap = r.cap;
	vh_probe_done(p, r.up, "%s", r.reason);
}

static int agent_io(sd_event_source *s, int fd, uint32_t revents,
		    void *userdata)
{
	struct vh_probe *p = userdata;
	struct agent *a = p->priv;
	ssize_t n;
	char *nl;
	int err;

	(void)revents;
	if (!a->connected) {
		err = vh_probe_conn_error(fd);
		if (err) {
			vh_probe_done(p, false, "connect: %s", strerror(err));
			return 0;
		}
		a->connected = true;
		p->phase = "waiting for the agent's line";
		sd_event_source_set_io_events(s, EPOLLIN);
		return 0;
	}
	while (a->len < AGENT_LINE_MAX) {
		n = read(fd, a->line + a->len, AGENT_LINE_MAX - a->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			vh_probe_done(p, false, "agent: read: %s",
				      strerror(errno));
			return 0;
		}
		if (n == 0) {
			/* HAProxy takes a line without its newline too. */
			if (!a->len)
				vh_probe_done(p, false,
					      "agent: closed without a line");
			else
				agent_finish(p, a);
			return 0;
		}
		nl = memchr(a->line + a->len, '\n', n);
		a->len += n;
		if (nl) {
			a->len = nl - a->line;
			agent_finish(p, a);
			return 0;
		}
	}
	vh_probe_done(p, false, "agent: no newline in %d bytes",
		      AGENT_LINE_MAX);
	return 0;
}

static int agent_start(struct vh_probe *p)
{
	struct agent *a = calloc(1, sizeof(*a));
	int fd, ret;

	if (!a)
		return -ENOMEM;
	ret = vh_probe_tcp_connect(p, &fd);
	if (ret < 0 || fd < 0) {
		free(a);
		return ret;
	}
	ret = sd_event_add_io(p->ev, &a->io, fd, EPOLLIN | EPOLLOUT, agent_io,
			      p);
	if (ret < 0) {
		close(fd);
		free(a);
		return ret;
	}
	sd_event_source_set_io_fd_own(a->io, true);
	p->priv = a;
	p->phase = "connecting";
	return 0;
}

static void agent_stop(struct vh_probe *p)
{
	struct agent *a = p->priv;

	if (!a)
		return;
	sd_event_source_disable_unref(a->io);
	free(a);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_agent_ops = {
	.start = agent_start,
	.stop = agent_stop,
};
