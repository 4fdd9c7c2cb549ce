// SPDX-License-Identifier: GPL-2.0
/*
 * Plain HTTP checks: one GET over a socket of our own, the response read
 * by http-parser (Node.js's HTTP/1.x parser, Debian's libhttp-parser),
 * the verdict by vh_http_judge() as for HTTPS. Lighter than curl, which
 * makes about 40 system calls and several allocations a probe: here a
 * probe is socket, connect, one wait for the connection, send, one wait
 * for the answer, recv and close, which is what keeps 1,000 servers a
 * second below keepalived's own hand-written HTTP_GET in CPU.
 *
 * The request is HTTP/1.1 with "Connection: close", the Host header the
 * check's (else the server's address, as curl sends it). The response
 * may end by its length, by chunks or by the close; a check without a
 * body match is decided as soon as the status line and headers are in.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <http_parser.h>

#include "probe_int.h"

struct http1 {
	http_parser parser;
	char *req;
	size_t req_len, sent;
	bool want_body;
	bool enough;			/* the verdict can be made */
	char *body;			/* want_body: HTTP_BODY_MAX + 1 */
	size_t len;
};

static int on_headers_complete(http_parser *hp)
{
	struct http1 *h = hp->data;

	if (!h->want_body)
		h->enough = true;
	return 0;
}

static int on_body(http_parser *hp, const char *at, size_t n)
{
	struct http1 *h = hp->data;
	size_t room = HTTP_BODY_MAX - h->len;

	if (!h->want_body || h->enough)
		return 0;
	if (n > room)
		n = room;
	memcpy(h->body + h->len, at, n);
	h->len += n;
	if (h->len == HTTP_BODY_MAX)
		h->enough = true;
	return 0;
}

static int on_message_complete(http_parser *hp)
{
	struct http1 *h = hp->data;

	h->enough = true;
	/* Stop here: bytes after the message are not ours to parse. */
	http_parser_pause(hp, 1);
	return 0;
}

static const http_parser_settings h1_settings = {
	.on_headers_complete = on_headers_complete,
	.on_body = on_body,
	.on_message_complete = on_message_complete,
};

static void h1_verdict(struct vh_probe *p, struct http1 *h)
{
	vh_http_judge(p, h->parser.status_code, h->body ? h->body : "",
		      h->len);
}

/* Feed @n bytes (0: the server closed); true once the probe is done. */
static bool h1_parse(struct vh_probe *p, struct http1 *h, const char *buf,
		     size_t n)
{
	enum http_errno err;

	http_parser_execute(&h->parser, &h1_settings, buf, n);
	err = HTTP_PARSER_ERRNO(&h->parser);
	if (h->enough) {
		h1_verdict(p, h);
		return true;
	}
	if (!n) {
		vh_probe_done(p, false, "connection closed %s",
			      h->parser.status_code ? "during the response" :
			      "before a response");
		return true;
	}
	if (err != HPE_OK) {
		vh_probe_done(p, false, "bad HTTP response: %s",
			      http_errno_description(err));
		return true;
	}
	return false;
}

bool vh_http1_feed(struct vh_probe *p, const char *buf, size_t n)
{
	return h1_parse(p, p->priv, buf, n);
}

static void h1_read(struct vh_probe *p, struct http1 *h, int fd)
{
	char buf[4096];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				vh_probe_done(p, false, "recv: %s",
					      strerror(errno));
			return;
		}
		if (h1_parse(p, h, buf, n) || !n)
			return;
		/* A short read: the socket is empty, wait for more. */
		if ((size_t)n < sizeof(buf))
			return;
	}
}

static void h1_send(struct vh_probe *p, struct http1 *h, int fd)
{
	ssize_t n;

	while (h->sent < h->req_len) {
		n = send(fd, h->req + h->sent, h->req_len - h->sent,
			 MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				vh_probe_done(p, false, "send: %s",
					      strerror(errno));
			return;
		}
		h->sent += n;
	}
	p->phase = "waiting for the response";
	if (vh_probe_io_events(p, EPOLLIN) < 0)
		vh_probe_done(p, false, "cannot wait for the response");
}

static void h1_io(struct vh_probe *p, int fd, uint32_t revents)
{
	struct http1 *h = p->priv;
	int err;

	if (!h->sent) {
		err = vh_probe_conn_error(fd);
		if (err) {
			vh_probe_done(p, false, "connect: %s", strerror(err));
			return;
		}
	}
	if (h->sent < h->req_len) {
		if (revents & (EPOLLOUT | EPOLLERR | EPOLLHUP))
			h1_send(p, h, fd);
		return;
	}
	h1_read(p, h, fd);
}

/* The request, once per probe: the path and Host of the check. */
static int h1_request(struct vh_probe *p, struct http1 *h)
{
	const struct vh_check_cfg *cfg = p->cfg;
	unsigned int port = vh_probe_port(p);
	char host[INET_ADDRSTRLEN + 8];
	int n;

	inet_ntop(AF_INET, &p->dst.sin_addr, host, sizeof(host));
	if (port != 80)
		snprintf(host + strlen(host), sizeof(host) - strlen(host),
			 ":%u", port);
	n = asprintf(&h->req,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: vshealthd\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n",
		     cfg->path ? cfg->path : "/", cfg->host ? cfg->host : host);
	if (n < 0) {
		h->req = NULL;
		return -ENOMEM;
	}
	h->req_len = n;
	return 0;
}

static void h1_free(struct http1 *h)
{
	free(h->req);
	free(h->body);
	free(h);
}

int vh_http1_prepare(struct vh_probe *p)
{
	const struct vh_check_cfg *cfg = p->cfg;
	struct http1 *h;

	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->want_body = cfg->body || cfg->has_body_re;
	if ((h->want_body && !(h->body = malloc(HTTP_BODY_MAX + 1))) ||
	    h1_request(p, h) < 0) {
		h1_free(h);
		return -ENOMEM;
	}
	http_parser_init(&h->parser, HTTP_RESPONSE);
	h->parser.data = h;
	p->priv = h;
	return 0;
}

static int h1_start(struct vh_probe *p)
{
	const struct vh_check_cfg *cfg = p->cfg;
	int fd, ret;

	/* Checked by the config parser; a header must not be split. */
	if ((cfg->host && strpbrk(cfg->host, "\r\n")) ||
	    (cfg->path && strpbrk(cfg->path, "\r\n "))) {
		vh_probe_done(p, false, "bad %s", cfg->host &&
			      strpbrk(cfg->host, "\r\n") ? "Host header" :
			      "path");
		return 0;
	}
	ret = vh_http1_prepare(p);
	if (ret < 0)
		return ret;
	ret = vh_probe_tcp_connect(p, &fd);
	if (ret < 0 || fd < 0) {
		h1_free(p->priv);
		p->priv = NULL;
		return ret;
	}
	ret = vh_probe_io_add(p, fd, EPOLLOUT, h1_io);
	if (ret < 0) {
		h1_free(p->priv);
		p->priv = NULL;
		return ret;
	}
	p->phase = "connecting";
	return 0;
}

static void h1_stop(struct vh_probe *p)
{
	if (p->priv)
		h1_free(p->priv);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_http1_ops = {
	.start = h1_start,
	.stop = h1_stop,
	.inline_report = true,
};
