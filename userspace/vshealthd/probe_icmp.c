// SPDX-License-Identifier: GPL-2.0
/*
 * ICMP check: one echo request, up when the matching reply comes. An
 * unprivileged ping socket (SOCK_DGRAM, IPPROTO_ICMP) first; where
 * net.ipv4.ping_group_range does not allow it, a raw socket (needs
 * CAP_NET_RAW). Both are connected to the server, so that only its
 * packets arrive; replies are matched by identifier (the kernel does it
 * for a ping socket), sequence number and a random payload.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netinet/ip_icmp.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>

#include "probe_int.h"

/* From <linux/icmp.h>, which clashes with <netinet/ip_icmp.h>. */
#ifndef ICMP_FILTER
#define ICMP_FILTER	1
#endif
#ifndef SOL_RAW
#define SOL_RAW		255
#endif

#define ICMP_COOKIE	16

struct echo {
	sd_event_source *io;
	bool raw;
	uint16_t id, seq;		/* host order */
	uint8_t cookie[ICMP_COOKIE];
};

static uint16_t echo_seq;

static uint16_t icmp_csum(const void *data, size_t len)
{
	const uint8_t *b = data;
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

static int icmp_io(sd_event_source *s, int fd, uint32_t revents,
		   void *userdata)
{
	struct vh_probe *p = userdata;
	struct echo *ic = p->priv;
	uint8_t buf[1500];
	struct icmphdr h;
	size_t off = 0;
	ssize_t n;

	(void)s;
	(void)revents;
	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return 0;
		if (n < 0) {
			vh_probe_done(p, false, "icmp: %s", strerror(errno));
			return 0;
		}
		/* A raw socket's packets start with the IP header. */
		off = ic->raw && n > 0 ? (buf[0] & 0xf) * 4 : 0;
		if ((size_t)n < off + sizeof(h) + ICMP_COOKIE)
			continue;
		memcpy(&h, buf + off, sizeof(h));
		if (h.type != ICMP_ECHOREPLY ||
		    ntohs(h.un.echo.sequence) != ic->seq ||
		    (ic->raw && ntohs(h.un.echo.id) != ic->id) ||
		    memcmp(buf + off + sizeof(h), ic->cookie, ICMP_COOKIE))
			continue;
		vh_probe_up(p);
		return 0;
	}
}

static int icmp_socket(bool *raw)
{
	int fd;

	*raw = false;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMP);
	if (fd >= 0 || (errno != EACCES && errno != EPERM &&
			errno != EPROTONOSUPPORT))
		return fd < 0 ? -errno : fd;
	*raw = true;
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	return fd;
}

static int icmp_start(struct vh_probe *p)
{
	uint8_t pkt[sizeof(struct icmphdr) + ICMP_COOKIE];
	uint32_t filter = ~(1U << ICMP_ECHOREPLY);
	struct icmphdr h = { .type = ICMP_ECHO };
	struct echo *ic;
	int fd, ret;

	ic = calloc(1, sizeof(*ic));
	if (!ic)
		return -ENOMEM;
	/* No permission for either socket is the daemon's problem, not
	 * the server's: an error for the caller to log, not a down.
	 */
	fd = icmp_socket(&ic->raw);
	if (fd < 0) {
		free(ic);
		return fd;
	}
	if (ic->raw)
		setsockopt(fd, SOL_RAW, ICMP_FILTER, &filter, sizeof(filter));
	ret = sd_event_add_io(p->ev, &ic->io, fd, EPOLLIN, icmp_io, p);
	if (ret < 0) {
		close(fd);
		free(ic);
		return ret;
	}
	sd_event_source_set_io_fd_own(ic->io, true);
	p->priv = ic;
	if (getrandom(ic->cookie, sizeof(ic->cookie), GRND_NONBLOCK) !=
	    sizeof(ic->cookie))
		memcpy(ic->cookie, &p->start_ns, sizeof(p->start_ns));
	ic->seq = ++echo_seq;
	/* The kernel puts its own identifier into a ping socket's packets. */
	ic->id = (getpid() ^ ic->seq ^ ic->cookie[0] << 8) & 0xffff;
	h.un.echo.id = htons(ic->id);
	h.un.echo.sequence = htons(ic->seq);
	memcpy(pkt, &h, sizeof(h));
	memcpy(pkt + sizeof(h), ic->cookie, ICMP_COOKIE);
	h.checksum = icmp_csum(pkt, sizeof(pkt));
	memcpy(pkt, &h, sizeof(h));
	if (connect(fd, (struct sockaddr *)&p->dst, sizeof(p->dst)) < 0 ||
	    send(fd, pkt, sizeof(pkt), 0) < 0) {
		vh_probe_done(p, false, "icmp: %s", strerror(errno));
		return 0;
	}
	p->phase = "no echo reply";
	return 0;
}

static void icmp_stop(struct vh_probe *p)
{
	struct echo *ic = p->priv;

	if (!ic)
		return;
	sd_event_source_disable_unref(ic->io);
	free(ic);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_icmp_ops = {
	.start = icmp_start,
	.stop = icmp_stop,
};
