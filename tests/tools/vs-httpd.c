// SPDX-License-Identifier: GPL-2.0
/*
 * vs-httpd: a tiny single-process HTTP/1.x test server for vsched.
 *
 *   vs-httpd [-r READY_FILE] [-u] [-q] [-s STATUS_FILE] [-a PORT:AGENT_FILE]
 *            NAME ADDR:PORT...
 *
 * ADDR:PORT is 198.18.2.11:80, [2001:db8::11]:80, 0.0.0.0:80 or [::]:80.
 * Every GET (or HEAD) is answered with 200 and the body "NAME\n", except:
 *   /slow?ms=N    reply after N milliseconds (holds the connection open)
 *   /release      reply to every held /slow connection now; the answer is
 *                 "NAME released N\n" (not counted, never a fault)
 *   /big?bytes=N  a body of N bytes
 *   /count        "NAME N\n", N = requests served so far (not counted)
 * HTTP/1.1 connections are kept alive unless "Connection: close"; HTTP/1.0
 * ones are closed unless "Connection: keep-alive". With -u, a UDP socket
 * on each address answers every datagram with "NAME\n".
 *
 * Faults for health-check tests: while STATUS_FILE holds a number (say
 * 500), every request but /count is answered with that status (a server
 * that accepts connections but is broken). With -a, a TCP port PORT on
 * the first address plays a load agent (HAProxy agent-check): each
 * connection gets the first line of AGENT_FILE ("up" when it is missing)
 * and is closed.
 *
 * Once every socket listens it prints "ready" (unless -q) and writes its
 * pid to READY_FILE (atomically, by rename), so scripts poll instead of
 * sleeping. SIGTERM/SIGINT print "NAME served N" on stderr and exit 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_LISTEN	16
#define MAX_CONN	65536
#define INBUF		4096
#define BIG_MAX		(1ULL << 40)

enum conn_state { ST_READ, ST_WAIT, ST_WRITE };

struct conn {
	int fd;
	enum conn_state state;
	bool keepalive;
	bool head;
	char in[INBUF];
	size_t inlen;
	char out[512];
	size_t outlen, outoff;
	unsigned long long big_left;	/* body bytes still to generate */
	long long deadline_ms;		/* ST_WAIT: when to reply */
};

static const char *status_file;	/* -s */
static const char *agent_file;	/* -a */
static const char *label;	/* NAME as given */
static const char *name;	/* the body, "NAME\n" */
static size_t name_len;
static unsigned long long served;
static volatile sig_atomic_t stop;
static struct conn *conns[MAX_CONN];
static int nwaiting;
static int epfd;
static char filler[65536];

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void die(const char *what)
{
	fprintf(stderr, "vs-httpd: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon;
	char *end;
	long port;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':' || (size_t)(rb - s - 1) >= sizeof(host))
			return -1;
		memcpy(host, s + 1, rb - s - 1);
		host[rb - s - 1] = '\0';
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof(host))
			return -1;
		memcpy(host, s, colon - s);
		host[colon - s] = '\0';
	}
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (errno || *end || port < 1 || port > 65535)
		return -1;
	if (s[0] == '[') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1)
			return -1;
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return -1;
		*len = sizeof(*a);
	}
	return 0;
}

static int open_socket(const struct sockaddr_storage *ss, socklen_t len, int type)
{
	int one = 1, fd;

	fd = socket(ss->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)ss, len) < 0)
		die("bind");
	if (type == SOCK_STREAM && listen(fd, 1024) < 0)
		die("listen");
	return fd;
}

static void ep_set(int fd, uint32_t events, int op)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(epfd, op, fd, &ev) < 0)
		die("epoll_ctl");
}

static void conn_close(struct conn *c)
{
	if (c->state == ST_WAIT)
		nwaiting--;
	epoll_ctl(epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	conns[c->fd] = NULL;
	free(c);
}

/* Value of a "key=N" query parameter, or dflt. */
static unsigned long long query_num(const char *path, const char *key,
				    unsigned long long dflt)
{
	const char *q = strchr(path, '?');
	size_t klen = strlen(key);

	while (q) {
		q++;
		if (!strncmp(q, key, klen) && q[klen] == '=')
			return strtoull(q + klen + 1, NULL, 10);
		q = strchr(q, '&');
	}
	return dflt;
}

static bool path_is(const char *path, const char *p)
{
	size_t n = strlen(p);

	return !strncmp(path, p, n) && (path[n] == '\0' || path[n] == '?');
}

static void set_reply(struct conn *c, int code, const char *reason,
		      const char *body, unsigned long long body_len)
{
	int n;

	n = snprintf(c->out, sizeof(c->out),
		     "HTTP/1.1 %d %s\r\nContent-Type: text/plain\r\n"
		     "Content-Length: %llu\r\nConnection: %s\r\n\r\n",
		     code, reason, body_len, c->keepalive ? "keep-alive" : "close");
	c->outlen = n;
	c->outoff = 0;
	c->big_left = 0;
	if (c->head)
		return;
	if (body) {
		size_t room = sizeof(c->out) - c->outlen;
		size_t bl = body_len < room ? body_len : room;

		memcpy(c->out + c->outlen, body, bl);
		c->outlen += bl;
	} else {
		c->big_left = body_len;
	}
}

static bool header_has(const char *hdrs, const char *hname, const char *value)
{
	size_t hlen = strlen(hname);
	const char *p = hdrs;

	while ((p = strstr(p, "\r\n"))) {
		p += 2;
		if (!strncasecmp(p, hname, hlen) && p[hlen] == ':') {
			const char *v = p + hlen + 1, *e = strstr(v, "\r\n");

			while (*v == ' ' || *v == '\t')
				v++;
			return e && (size_t)(e - v) >= strlen(value) &&
			       !strncasecmp(v, value, strlen(value));
		}
	}
	return false;
}

static int try_write(struct conn *c);

/* Parse one complete request from c->in, if there is one, and reply. */
static int release_waiting(void);

static int handle_request(struct conn *c)
{
	char *end, method[8], path[1024], version[16];
	size_t reqlen;

	c->in[c->inlen] = '\0';
	end = strstr(c->in, "\r\n\r\n");
	if (!end) {
		if (c->inlen >= INBUF - 1)
			return -1;
		return 0;
	}
	reqlen = end + 4 - c->in;
	*end = '\0';
	if (sscanf(c->in, "%7s %1023s %15s", method, path, version) != 3)
		return -1;
	c->head = !strcmp(method, "HEAD");
	if (!strcmp(version, "HTTP/1.1"))
		c->keepalive = !header_has(c->in, "Connection", "close");
	else
		c->keepalive = header_has(c->in, "Connection", "keep-alive");
	memmove(c->in, c->in + reqlen, c->inlen - reqlen);
	c->inlen -= reqlen;

	if (strcmp(method, "GET") && !c->head) {
		c->keepalive = false;
		set_reply(c, 405, "Method Not Allowed", "", 0);
	} else if (path_is(path, "/count")) {
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "%s %llu\n", label, served);

		set_reply(c, 200, "OK", buf, n);
	} else if (path_is(path, "/release")) {
		char buf[128];
		int n = snprintf(buf, sizeof(buf), "%s released %d\n", label,
				 release_waiting());

		set_reply(c, 200, "OK", buf, n);
		c->state = ST_WRITE;
		return try_write(c);
	} else if (path_is(path, "/big")) {
		unsigned long long n = query_num(path, "bytes", 0);

		served++;
		set_reply(c, 200, "OK", NULL, n > BIG_MAX ? BIG_MAX : n);
	} else if (path_is(path, "/slow")) {
		served++;
		set_reply(c, 200, "OK", name, name_len);
		c->state = ST_WAIT;
		c->deadline_ms = now_ms() + (long long)query_num(path, "ms", 1000);
		nwaiting++;
		ep_set(c->fd, EPOLLRDHUP, EPOLL_CTL_MOD);
		return 0;
	} else {
		served++;
		set_reply(c, 200, "OK", name, name_len);
	}
	if (status_file && !path_is(path, "/count")) {
		FILE *f = fopen(status_file, "r");
		int code;

		if (f && fscanf(f, "%d", &code) == 1 && code >= 100 && code < 600)
			set_reply(c, code, "Injected", name, name_len);
		if (f)
			fclose(f);
	}
	c->state = ST_WRITE;
	return try_write(c);
}

/* Returns -1 to close, 0 otherwise. */
static int try_write(struct conn *c)
{
	for (;;) {
		const char *buf;
		size_t len;
		ssize_t n;

		if (c->outoff < c->outlen) {
			buf = c->out + c->outoff;
			len = c->outlen - c->outoff;
		} else if (c->big_left) {
			buf = filler;
			len = c->big_left < sizeof(filler) ? c->big_left : sizeof(filler);
		} else {
			break;
		}
		n = send(c->fd, buf, len, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				ep_set(c->fd, EPOLLOUT, EPOLL_CTL_MOD);
				return 0;
			}
			return -1;
		}
		if (c->outoff < c->outlen)
			c->outoff += n;
		else
			c->big_left -= n;
	}
	if (!c->keepalive)
		return -1;
	c->state = ST_READ;
	ep_set(c->fd, EPOLLIN, EPOLL_CTL_MOD);
	/* A pipelined request may already be buffered. */
	return c->inlen ? handle_request(c) : 0;
}

static int on_readable(struct conn *c)
{
	ssize_t n;

	for (;;) {
		n = recv(c->fd, c->in + c->inlen, INBUF - 1 - c->inlen, 0);
		if (n == 0)
			return -1;
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -1;
		}
		c->inlen += n;
		if (c->inlen >= INBUF - 1)
			break;
	}
	return handle_request(c);
}

static void on_accept(int lfd)
{
	for (;;) {
		int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		struct conn *c;

		if (fd < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && errno != ECONNABORTED)
				perror("vs-httpd: accept");
			return;
		}
		if (fd >= MAX_CONN || !(c = calloc(1, sizeof(*c)))) {
			close(fd);
			continue;
		}
		c->fd = fd;
		c->state = ST_READ;
		conns[fd] = c;
		ep_set(fd, EPOLLIN, EPOLL_CTL_ADD);
	}
}

/* The agent: one line, then close (blocking writes of a few bytes). */
static void on_agent(int lfd)
{
	char line[512] = "up\n";
	int fd;

	while ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		FILE *f = fopen(agent_file, "r");

		if (f) {
			if (!fgets(line, sizeof(line), f))
				strcpy(line, "\n");
			fclose(f);
		}
		if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
			perror("vs-httpd: agent send");
		close(fd);
	}
}

static void on_udp(int fd)
{
	struct sockaddr_storage peer;
	char buf[2048];

	for (;;) {
		socklen_t plen = sizeof(peer);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0,
				     (struct sockaddr *)&peer, &plen);

		if (n < 0)
			return;
		served++;
		sendto(fd, name, name_len, 0, (struct sockaddr *)&peer, plen);
	}
}

/* Make every held /slow connection due now (run_timers() answers them);
 * how many there were.
 */
static int release_waiting(void)
{
	int fd, n = 0;

	for (fd = 0; fd < MAX_CONN; fd++)
		if (conns[fd] && conns[fd]->state == ST_WAIT) {
			conns[fd]->deadline_ms = 0;
			n++;
		}
	return n;
}

/* Reply to the /slow connections whose time has come; next timeout. */
static int run_timers(void)
{
	long long now = now_ms(), next = -1;
	int fd;

	if (!nwaiting)
		return -1;
	for (fd = 0; fd < MAX_CONN; fd++) {
		struct conn *c = conns[fd];

		if (!c || c->state != ST_WAIT)
			continue;
		if (c->deadline_ms <= now) {
			nwaiting--;
			c->state = ST_WRITE;
			if (try_write(c) < 0)
				conn_close(c);
		} else if (next < 0 || c->deadline_ms - now < next) {
			next = c->deadline_ms - now;
		}
	}
	return next;
}

static void write_ready(const char *path)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "w");
	if (!f)
		die(tmp);
	fprintf(f, "%d\n", getpid());
	if (fclose(f) || rename(tmp, path))
		die(path);
}

static void usage(void)
{
	fprintf(stderr, "usage: vs-httpd [-r READY_FILE] [-u] [-q] [-s STATUS_FILE] "
		"[-a PORT:AGENT_FILE] NAME ADDR:PORT...\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int lfds[MAX_LISTEN], ufds[MAX_LISTEN], nl = 0, nu = 0, opt, i;
	int afd = -1, agent_port = 0;
	const char *ready = NULL;
	bool udp = false, quiet = false;
	struct sigaction sa = { .sa_handler = on_signal };

	while ((opt = getopt(argc, argv, "r:uqs:a:h")) != -1) {
		switch (opt) {
		case 'r': ready = optarg; break;
		case 's': status_file = optarg; break;
		case 'a':
			agent_port = atoi(optarg);
			agent_file = strchr(optarg, ':');
			if (agent_port <= 0 || agent_port > 65535 || !agent_file)
				usage();
			agent_file++;
			break;
		case 'u': udp = true; break;
		case 'q': quiet = true; break;
		default: usage();
		}
	}
	if (argc - optind < 2 || argc - optind - 1 > MAX_LISTEN)
		usage();
	label = argv[optind];
	name_len = strlen(label) + 1;
	{
		/* The body is "NAME\n": keep the newline in a static copy. */
		static char body[256];

		if (name_len >= sizeof(body))
			usage();
		snprintf(body, sizeof(body), "%s\n", label);
		name = body;
	}
	memset(filler, 'x', sizeof(filler));
	for (i = 0; i < (int)sizeof(filler); i += 64)
		filler[i + 63] = '\n';

	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		die("epoll_create1");
	for (i = optind + 1; i < argc; i++) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (parse_addr(argv[i], &ss, &len)) {
			fprintf(stderr, "vs-httpd: bad address '%s'\n", argv[i]);
			usage();
		}
		lfds[nl] = open_socket(&ss, len, SOCK_STREAM);
		ep_set(lfds[nl++], EPOLLIN, EPOLL_CTL_ADD);
		if (udp) {
			ufds[nu] = open_socket(&ss, len, SOCK_DGRAM);
			ep_set(ufds[nu++], EPOLLIN, EPOLL_CTL_ADD);
		}
		if (agent_port && afd < 0) {
			/* The first address, on the agent's port. */
			struct sockaddr_storage as = ss;

			if (as.ss_family == AF_INET)
				((struct sockaddr_in *)&as)->sin_port = htons(agent_port);
			else
				((struct sockaddr_in6 *)&as)->sin6_port = htons(agent_port);
			afd = open_socket(&as, len, SOCK_STREAM);
			ep_set(afd, EPOLLIN, EPOLL_CTL_ADD);
		}
	}

	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (ready)
		write_ready(ready);
	if (!quiet) {
		printf("ready\n");
		fflush(stdout);
	}

	while (!stop) {
		struct epoll_event evs[256];
		int n, timeout = run_timers();

		n = epoll_wait(epfd, evs, 256, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("epoll_wait");
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd, j;
			struct conn *c;
			bool handled = false;

			if (fd == afd) {
				on_agent(fd);
				continue;
			}
			for (j = 0; j < nl && !handled; j++)
				if (fd == lfds[j]) {
					on_accept(fd);
					handled = true;
				}
			for (j = 0; j < nu && !handled; j++)
				if (fd == ufds[j]) {
					on_udp(fd);
					handled = true;
				}
			if (handled || !(c = conns[fd]))
				continue;
			if (evs[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
				conn_close(c);
				continue;
			}
			if ((c->state == ST_READ && on_readable(c) < 0) ||
			    (c->state == ST_WRITE && (evs[i].events & EPOLLOUT) &&
			     try_write(c) < 0))
				conn_close(c);
		}
	}
	fprintf(stderr, "%s served %llu\n", label, served);
	return 0;
}
