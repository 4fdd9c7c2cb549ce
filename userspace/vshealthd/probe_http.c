// SPDX-License-Identifier: GPL-2.0
/*
 * HTTPS checks (and the verdict of every HTTP check, vh_http_judge()):
 * one GET with libcurl's multi interface, driven
 * by the daemon's sd-event loop (curl's socket and timer callbacks become
 * io and time sources). The connection always goes to the real server's
 * address; for HTTPS the URL carries the TLS name (cfg->sni, else the
 * host name) and CURLOPT_CONNECT_TO sends it to that address, so that
 * SNI and certificate checks use the name while no DNS is asked.
 * CONNECT_TO rather than RESOLVE: RESOLVE fills the DNS cache shared by
 * the whole multi handle, and two servers behind one name would clash.
 * Plain HTTP has a lighter engine of its own (probe_http1.c): curl costs
 * about 40 system calls a probe, four times what the GET needs.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <curl/curl.h>

#include "probe_int.h"


static CURLM *vh_multi;
static sd_event *http_ev;
static sd_event_source *http_timer;

struct http {
	struct vh_probe *p;
	CURL *easy;
	struct curl_slist *connect_to, *headers;
	char *body;			/* NULL: the body is not checked */
	size_t len;
	bool enough;			/* transfer stopped on purpose */
	char err[CURL_ERROR_SIZE];
};

static void http_check_done(void);

static bool http_sock_gone(curl_socket_t fd);
static void http_sock_drop(curl_socket_t fd);

/* @fd is our duplicate; curl knows the socket by its own number. */
static int http_io(sd_event_source *s, int fd, uint32_t revents,
		   void *userdata)
{
	int action = 0, running;

	(void)s;
	fd = (int)(intptr_t)userdata;
	/* Closed by curl and never announced: stop watching it, or a
	 * writable socket would wake the loop forever.
	 */
	if (http_sock_gone(fd)) {
		http_sock_drop(fd);
		return 0;
	}
	if (revents & EPOLLIN)
		action |= CURL_CSELECT_IN;
	if (revents & EPOLLOUT)
		action |= CURL_CSELECT_OUT;
	if (revents & (EPOLLERR | EPOLLHUP))
		action |= CURL_CSELECT_ERR;
	curl_multi_socket_action(vh_multi, fd, action, &running);
	http_check_done();
	return 0;
}

static int http_timer_fired(sd_event_source *s, uint64_t usec, void *userdata)
{
	int running;

	(void)s;
	(void)usec;
	(void)userdata;
	curl_multi_socket_action(vh_multi, CURL_SOCKET_TIMEOUT, 0, &running);
	http_check_done();
	return 0;
}

/*
 * The io source watching each of curl's sockets, by curl's descriptor.
 * It watches a duplicate of the socket that it owns, not curl's
 * descriptor: libcurl 7.88 closes a socket it gives up while connecting
 * (a cancelled probe: its server deleted) before it says
 * CURL_POLL_REMOVE, and takes no close-socket callback for it. A closed
 * descriptor cannot be taken out of epoll any more (EBADF), and its
 * registration stays if another process still holds the socket (a quorum
 * command or script between fork and exec): epoll then reports events
 * for a source that was freed, and sd-event aborts ("Code should not be
 * reached ... process_epoll()"). Our duplicate keeps the socket open
 * until its source is dropped, so the removal always works. The inode
 * tells a socket from a later one curl got under the same number.
 */
struct http_sock {
	sd_event_source *src;		/* owns the duplicate */
	ino_t ino;
};

static struct http_sock *http_socks;
static size_t http_n_socks;

static void http_sock_drop(curl_socket_t fd)
{
	if (fd >= 0 && (size_t)fd < http_n_socks && http_socks[fd].src)
		http_socks[fd].src =
			sd_event_source_disable_unref(http_socks[fd].src);
}

/* curl's @fd no longer is the socket our source watches. */
static bool http_sock_gone(curl_socket_t fd)
{
	struct stat st;

	return fstat(fd, &st) < 0 || st.st_ino != http_socks[fd].ino;
}

static int http_sock_add(curl_socket_t fd, uint32_t events)
{
	struct http_sock *hs;
	struct stat st;
	int dup, ret;

	if (fstat(fd, &st) < 0)
		return -1;
	if ((size_t)fd >= http_n_socks) {
		size_t n = (size_t)fd + 64;
		struct http_sock *ns = realloc(http_socks, n * sizeof(*ns));

		if (!ns)
			return -1;
		memset(ns + http_n_socks, 0, (n - http_n_socks) * sizeof(*ns));
		http_socks = ns;
		http_n_socks = n;
	}
	hs = &http_socks[fd];
	if (hs->src && hs->ino != st.st_ino)
		http_sock_drop(fd);	/* an old socket, gone unannounced */
	if (hs->src)
		return sd_event_source_set_io_events(hs->src, events) < 0 ?
			-1 : 0;
	dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dup < 0)
		return -1;
	ret = sd_event_add_io(http_ev, &hs->src, dup, events, http_io,
			      (void *)(intptr_t)fd);
	if (ret < 0) {
		close(dup);
		return -1;
	}
	sd_event_source_set_io_fd_own(hs->src, true);
	hs->ino = st.st_ino;
	return 0;
}

/* curl wants @fd watched for @what. */
static int http_socket_cb(CURL *easy, curl_socket_t fd, int what,
			  void *userp, void *socketp)
{
	uint32_t events = 0;

	(void)easy;
	(void)userp;
	(void)socketp;
	if (fd < 0)
		return -1;
	if (what == CURL_POLL_REMOVE) {
		http_sock_drop(fd);
		return 0;
	}
	if (what & CURL_POLL_IN)
		events |= EPOLLIN;
	if (what & CURL_POLL_OUT)
		events |= EPOLLOUT;
	return http_sock_add(fd, events);
}

/* Every socket curl makes is close-on-exec: no child inherits it. */
static curl_socket_t http_open_cb(void *clientp, curlsocktype purpose,
				  struct curl_sockaddr *a)
{
	(void)clientp;
	(void)purpose;
	return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

/* curl wants to be called in @timeout_ms (-1: never). Not from here:
 * curl forbids calling it back from inside its timer callback.
 */
static int http_timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (timeout_ms < 0)
		return sd_event_source_set_enabled(http_timer,
						   SD_EVENT_OFF) < 0 ? -1 : 0;
	if (sd_event_source_set_time_relative(http_timer,
					      timeout_ms * 1000ULL) < 0 ||
	    sd_event_source_set_enabled(http_timer, SD_EVENT_ONESHOT) < 0)
		return -1;
	return 0;
}

static int http_init(sd_event *ev)
{
	int ret;

	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -ENOMEM;
	vh_multi = curl_multi_init();
	if (!vh_multi) {
		ret = -ENOMEM;
		goto err_global;
	}
	ret = sd_event_add_time_relative(ev, &http_timer, CLOCK_MONOTONIC, 0,
					 1000, http_timer_fired, NULL);
	if (ret < 0)
		goto err_multi;
	sd_event_source_set_enabled(http_timer, SD_EVENT_OFF);
	http_ev = sd_event_ref(ev);
	curl_multi_setopt(vh_multi, CURLMOPT_SOCKETFUNCTION, http_socket_cb);
	curl_multi_setopt(vh_multi, CURLMOPT_TIMERFUNCTION, http_timer_cb);
	/* Each probe its own connection: no HTTP/2 multiplexing of two
	 * probes to one server into one connection.
	 */
	curl_multi_setopt(vh_multi, CURLMOPT_PIPELINING, CURLPIPE_NOTHING);
	return 0;
err_multi:
	curl_multi_cleanup(vh_multi);
	vh_multi = NULL;
err_global:
	curl_global_cleanup();
	return ret;
}

static void http_exit(void)
{
	curl_multi_cleanup(vh_multi);
	vh_multi = NULL;
	for (size_t fd = 0; fd < http_n_socks; fd++)
		http_sock_drop(fd);
	http_n_socks = 0;
	free(http_socks);
	http_socks = NULL;
	http_timer = sd_event_source_disable_unref(http_timer);
	http_ev = sd_event_unref(http_ev);
	curl_global_cleanup();
}

static size_t http_write(char *data, size_t size, size_t n, void *userdata)
{
	struct http *h = userdata;
	size_t room;

	n *= size;
	if (!h->body) {
		/* The status is known: nothing more to wait for. */
		h->enough = true;
		return 0;
	}
	room = HTTP_BODY_MAX - h->len;
	if (n > room)
		n = room;
	memcpy(h->body + h->len, data, n);
	h->len += n;
	if (h->len == HTTP_BODY_MAX) {
		h->enough = true;
		return 0;
	}
	return n;
}

static bool status_ok(const struct vh_check_cfg *cfg, long code)
{
	size_t i;

	if (!cfg->n_status)
		return code >= 200 && code <= 299;
	for (i = 0; i < cfg->n_status; i++)
		if (code >= cfg->status[i].lo && code <= cfg->status[i].hi)
			return true;
	return false;
}

void vh_http_judge(struct vh_probe *p, long code, const char *body,
		   size_t len)
{
	const struct vh_check_cfg *cfg = p->cfg;
	regmatch_t m[1];

	if (!status_ok(cfg, code)) {
		vh_probe_done(p, false, "HTTP %ld", code);
		return;
	}
	if (cfg->body && !memmem(body, len, cfg->body, strlen(cfg->body))) {
		vh_probe_done(p, false, "body does not contain \"%.24s\"",
			      cfg->body);
		return;
	}
	/* REG_STARTEND: the body may hold NUL bytes. */
	m[0].rm_so = 0;
	m[0].rm_eo = len;
	if (cfg->has_body_re &&
	    regexec(&cfg->body_re, body, 1, m, REG_STARTEND)) {
		vh_probe_done(p, false, "body does not match /%.24s/",
			      cfg->body_regex ? cfg->body_regex : "");
		return;
	}
	vh_probe_up(p);
}

static void http_result(struct http *h, CURLcode rc)
{
	struct vh_probe *p = h->p;
	long code = 0, err = 0;

	if (rc == CURLE_WRITE_ERROR && h->enough)
		rc = CURLE_OK;
	if (rc == CURLE_COULDNT_CONNECT &&
	    curl_easy_getinfo(h->easy, CURLINFO_OS_ERRNO, &err) == CURLE_OK &&
	    err) {
		vh_probe_done(p, false, "connect: %s", strerror(err));
		return;
	}
	if (rc != CURLE_OK) {
		/* OpenSSL's "OpenSSL/3.0.19: error:0A000458:SSL routines::
		 * tlsv1 unrecognized name" would not fit the reason.
		 */
		const char *tls = strstr(h->err, "routines::");

		if (tls)
			vh_probe_done(p, false, "TLS: %s", tls + 10);
		else
			vh_probe_done(p, false, "%s", h->err[0] ? h->err :
				      curl_easy_strerror(rc));
		return;
	}
	curl_easy_getinfo(h->easy, CURLINFO_RESPONSE_CODE, &code);
	vh_http_judge(p, code, h->body, h->len);
}

static void http_check_done(void)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(vh_multi, &left))) {
		struct http *h = NULL;
		CURLcode rc = msg->data.result;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &h);
		/* vh_probe_done() removes the handle: msg is gone after. */
		if (h)
			http_result(h, rc);
	}
}

/* A host name for the URL and for TLS: letters, digits, '-', '.', '_'
 * only, so that it cannot change the URL's meaning. "host:port" is cut
 * at the colon.
 */
static int tls_name(const struct vh_check_cfg *cfg, char *buf, size_t len)
{
	const char *name = cfg->sni ? cfg->sni : cfg->host;
	size_t i;

	buf[0] = '\0';
	if (!name)
		return 0;
	for (i = 0; name[i] && name[i] != ':'; i++) {
		if (i + 1 >= len || !(isalnum((unsigned char)name[i]) ||
				      strchr("-._", name[i])))
			return -1;
		buf[i] = name[i];
	}
	buf[i] = '\0';
	return 0;
}

static void http_free(struct http *h)
{
	if (h->easy) {
		curl_multi_remove_handle(vh_multi, h->easy);
		curl_easy_cleanup(h->easy);
	}
	curl_slist_free_all(h->connect_to);
	curl_slist_free_all(h->headers);
	free(h->body);
	free(h);
}

static int http_setup(struct vh_probe *p, struct http *h)
{
	const struct vh_check_cfg *cfg = p->cfg;
	bool tls = cfg->type == VH_CHECK_HTTPS;
	char ip[INET_ADDRSTRLEN], name[256], *s = NULL;
	unsigned int port = vh_probe_port(p);
	CURL *e = h->easy;
	int ret;

	inet_ntop(AF_INET, &p->dst.sin_addr, ip, sizeof(ip));
	if (tls && tls_name(cfg, name, sizeof(name))) {
		vh_probe_done(p, false, "bad TLS name \"%.40s\"",
			      cfg->sni ? cfg->sni : cfg->host);
		return 0;
	}
	if (!tls || !name[0] || !strcmp(name, ip)) {
		ret = asprintf(&s, "%s://%s:%u%s", tls ? "https" : "http", ip,
			       port, cfg->path ? cfg->path : "/");
	} else {
		ret = asprintf(&s, "%s:%u:%s:%u", name, port, ip, port);
		if (ret >= 0) {
			h->connect_to = curl_slist_append(NULL, s);
			free(s);
			ret = h->connect_to ?
				asprintf(&s, "https://%s:%u%s", name, port,
					 cfg->path ? cfg->path : "/") : -1;
		}
	}
	if (ret < 0)
		return -ENOMEM;
	curl_easy_setopt(e, CURLOPT_URL, s);
	free(s);
	if (h->connect_to)
		curl_easy_setopt(e, CURLOPT_CONNECT_TO, h->connect_to);
	if (cfg->host && strpbrk(cfg->host, "\r\n")) {
		vh_probe_done(p, false, "bad Host header");
		return 0;
	}
	if (cfg->host) {
		if (asprintf(&s, "Host: %s", cfg->host) < 0)
			return -ENOMEM;
		h->headers = curl_slist_append(NULL, s);
		free(s);
		if (!h->headers)
			return -ENOMEM;
		curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	}
	curl_easy_setopt(e, CURLOPT_PRIVATE, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->err);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, http_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, http_open_cb);
	curl_easy_setopt(e, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_IPRESOLVE, (long)CURL_IPRESOLVE_V4);
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION,
			 (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "vshealthd");
	/* A new connection and a full handshake every time: a resumed
	 * session would not notice a certificate gone bad.
	 */
	curl_easy_setopt(e, CURLOPT_FRESH_CONNECT, 1L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_SESSIONID_CACHE, 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
	/* An internal CA: its file alone, not the system's store too. */
	if (cfg->tls_ca) {
		curl_easy_setopt(e, CURLOPT_CAINFO, cfg->tls_ca);
		curl_easy_setopt(e, CURLOPT_CAPATH, NULL);
	}
	if (curl_multi_add_handle(vh_multi, e) != CURLM_OK) {
		/* Not added: do not let http_free() remove it. */
		curl_easy_cleanup(e);
		h->easy = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int http_start(struct vh_probe *p)
{
	const struct vh_check_cfg *cfg = p->cfg;
	struct http *h = calloc(1, sizeof(*h));
	int ret;

	if (!h)
		return -ENOMEM;
	h->p = p;
	h->easy = curl_easy_init();
	if (cfg->body || cfg->has_body_re)
		h->body = malloc(HTTP_BODY_MAX + 1);
	if (!h->easy || ((cfg->body || cfg->has_body_re) && !h->body)) {
		http_free(h);
		return -ENOMEM;
	}
	p->priv = h;
	ret = http_setup(p, h);
	if (ret < 0) {
		p->priv = NULL;
		http_free(h);
	}
	return ret;
}

static void http_stop(struct vh_probe *p)
{
	if (p->priv)
		http_free(p->priv);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_http_ops = {
	.init = http_init,
	.exit = http_exit,
	.start = http_start,
	.stop = http_stop,
};
