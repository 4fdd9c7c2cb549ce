// SPDX-License-Identifier: GPL-2.0
/* TCP check: up when a non-blocking connect() to the server completes. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "probe_int.h"

static void tcp_io(struct vh_probe *p, int fd, uint32_t revents)
{
	int err = vh_probe_conn_error(fd);

	(void)revents;
	if (err)
		vh_probe_done(p, false, "connect: %s", strerror(err));
	else
		vh_probe_up(p);
}

static int tcp_start(struct vh_probe *p)
{
	int fd, ret;

	ret = vh_probe_tcp_connect(p, &fd);
	if (ret < 0 || fd < 0)
		return ret;
	ret = vh_probe_io_add(p, fd, EPOLLOUT, tcp_io);
	if (ret < 0)
		return ret;
	p->phase = "connecting";
	return 0;
}

/* Nothing of its own: probe.c closes the socket (with a reset), so the
 * server sees a connection made and ended, as with keepalived's
 * TCP_CHECK, and no TIME_WAIT stays behind here.
 */
static void tcp_stop(struct vh_probe *p)
{
	(void)p;
}

const struct vh_probe_ops vh_probe_tcp_ops = {
	.start = tcp_start,
	.stop = tcp_stop,
	.inline_report = true,
};
