// SPDX-License-Identifier: GPL-2.0
/*
 * UDP check: send cfg->payload from a connected socket, up when a reply
 * arrives that starts with cfg->expect (any reply if none). The socket
 * is connected so that only the server's replies reach it, and so that
 * an ICMP port unreachable comes back as ECONNREFUSED: down.
 */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/socket.h>

#include "probe_int.h"

void vh_udp_reply(struct vh_probe *p, const uint8_t *buf, size_t n)
{
	const struct vh_check_cfg *cfg = p->cfg;

	if (n < cfg->expect_len ||
	    (cfg->expect_len && memcmp(buf, cfg->expect, cfg->expect_len)))
		vh_probe_done(p, false, "reply does not match (%zu bytes)", n);
	else
		vh_probe_up(p);
}

static int udp_io(sd_event_source *s, int fd, uint32_t revents,
		  void *userdata)
{
	struct vh_probe *p = userdata;
	uint8_t buf[2048];
	ssize_t n;

	(void)s;
	(void)revents;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0)
		vh_probe_done(p, false, "udp: %s", strerror(errno));
	else
		vh_udp_reply(p, buf, n);
	return 0;
}

static int udp_start(struct vh_probe *p)
{
	sd_event_source *src = NULL;
	int fd, ret;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	ret = sd_event_add_io(p->ev, &src, fd, EPOLLIN, udp_io, p);
	if (ret < 0) {
		close(fd);
		return ret;
	}
	sd_event_source_set_io_fd_own(src, true);
	p->priv = src;
	if (connect(fd, (struct sockaddr *)&p->dst, sizeof(p->dst)) < 0 ||
	    send(fd, p->cfg->payload, p->cfg->payload_len, 0) < 0) {
		vh_probe_done(p, false, "udp: %s", strerror(errno));
		return 0;
	}
	p->phase = "no reply";
	return 0;
}

static void udp_stop(struct vh_probe *p)
{
	sd_event_source_disable_unref(p->priv);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_udp_ops = {
	.start = udp_start,
	.stop = udp_stop,
};
