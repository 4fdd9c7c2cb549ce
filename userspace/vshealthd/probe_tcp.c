// SPDX-License-Identifier: GPL-2.0
/* TCP check: up when a non-blocking connect() to the server completes. */

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>

#include "probe_int.h"

static int tcp_io(sd_event_source *s, int fd, uint32_t revents, void *userdata)
{
	struct vh_probe *p = userdata;
	int err = vh_probe_conn_error(fd);

	(void)s;
	(void)revents;
	if (err)
		vh_probe_done(p, false, "connect: %s", strerror(err));
	else
		vh_probe_up(p);
	return 0;
}

static int tcp_start(struct vh_probe *p)
{
	sd_event_source *src = NULL;
	int fd, ret;

	ret = vh_probe_tcp_connect(p, &fd);
	if (ret < 0 || fd < 0)
		return ret;
	ret = sd_event_add_io(p->ev, &src, fd, EPOLLOUT, tcp_io, p);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	sd_event_source_set_io_fd_own(src, true);
	p->priv = src;
	p->phase = "connecting";
	return 0;
}

/* Closing the socket ends the connection: the server sees a connect
 * and a close, as with keepalived's TCP_CHECK.
 */
static void tcp_stop(struct vh_probe *p)
{
	sd_event_source_disable_unref(p->priv);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_tcp_ops = {
	.start = tcp_start,
	.stop = tcp_stop,
};
