// SPDX-License-Identifier: GPL-2.0
/*
 * DNS check: one query (res_mkquery()) over UDP to the server, up when
 * the answer's rcode is one of cfg->dns_rcodes. Replies with another ID,
 * or that are not responses, are ignored: the attempt goes on waiting.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/nameser.h>
#include <netinet/in.h>
#include <resolv.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include "probe_int.h"

struct dns {
	sd_event_source *io;
	uint16_t id;
};

/* p_rcode() is deprecated in glibc; the names of RFC 1035 and 2136. */
static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

void vh_dns_reply(struct vh_probe *p, uint16_t id, const unsigned char *buf,
		  size_t n)
{
	uint32_t ok = p->cfg->dns_rcodes ? p->cfg->dns_rcodes : 1;
	ns_msg msg;
	int rcode;

	if (n < NS_HFIXEDSZ || ns_get16(buf) != id)
		return;
	if (ns_initparse(buf, n, &msg) < 0) {
		vh_probe_done(p, false, "dns: malformed reply");
		return;
	}
	if (!ns_msg_getflag(msg, ns_f_qr))
		return;
	rcode = ns_msg_getflag(msg, ns_f_rcode);
	if (ok & (1U << rcode))
		vh_probe_up(p);
	else if ((size_t)rcode < sizeof(rcode_names) / sizeof(*rcode_names))
		vh_probe_done(p, false, "DNS %s", rcode_names[rcode]);
	else
		vh_probe_done(p, false, "DNS rcode %d", rcode);
}

static int dns_io(sd_event_source *s, int fd, uint32_t revents,
		  void *userdata)
{
	struct vh_probe *p = userdata;
	struct dns *d = p->priv;
	unsigned char buf[4096];
	ssize_t n;

	(void)s;
	(void)revents;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n < 0) {
		vh_probe_done(p, false, "dns: %s", strerror(errno));
		return 0;
	}
	vh_dns_reply(p, d->id, buf, n);
	return 0;
}

static int dns_start(struct vh_probe *p)
{
	const struct vh_check_cfg *cfg = p->cfg;
	unsigned char q[NS_PACKETSZ];
	struct dns *d;
	int fd, n, ret;

	n = res_mkquery(ns_o_query, cfg->dns_name ? cfg->dns_name : ".",
			ns_c_in, cfg->dns_type ? cfg->dns_type : ns_t_a, NULL,
			0, NULL, q, sizeof(q));
	if (n < 0) {
		vh_probe_done(p, false, "dns: cannot ask for \"%.32s\"",
			      cfg->dns_name ? cfg->dns_name : ".");
		return 0;
	}
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->id = ns_get16(q);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		ret = -errno;
		free(d);
		return ret;
	}
	ret = sd_event_add_io(p->ev, &d->io, fd, EPOLLIN, dns_io, p);
	if (ret < 0) {
		close(fd);
		free(d);
		return ret;
	}
	sd_event_source_set_io_fd_own(d->io, true);
	p->priv = d;
	if (connect(fd, (struct sockaddr *)&p->dst, sizeof(p->dst)) < 0 ||
	    send(fd, q, n, 0) < 0) {
		vh_probe_done(p, false, "dns: %s", strerror(errno));
		return 0;
	}
	p->phase = "no answer";
	return 0;
}

static void dns_stop(struct vh_probe *p)
{
	struct dns *d = p->priv;

	if (!d)
		return;
	sd_event_source_disable_unref(d->io);
	free(d);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_dns_ops = {
	.start = dns_start,
	.stop = dns_stop,
};
