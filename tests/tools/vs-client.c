// SPDX-License-Identifier: GPL-2.0
/*
 * vs-client: sequential HTTP (or UDP) test client for vsched.
 *
 *   vs-client [-n N] [-t TIMEOUT_MS] [-p PATH] [-b SRC_ADDR] [-u] [-v]
 *             [-r RATE] [--allow-fail] [--keep [-i INTERVAL_MS]] ADDR:PORT
 *   vs-client -S SRC,SRC,... [-n N] [-t TIMEOUT_MS] [-p PATH] [-u] ADDR:PORT
 *
 * Default: N (100) GET requests, each on a new TCP connection, each with
 * its own timeout. With -u, N datagrams, each from a new UDP socket (so a
 * new source port, i.e. a new flow). With --keep, one TCP connection is
 * opened and N requests are sent on it, one every INTERVAL_MS (default
 * 100): the test for "an established connection survives".
 *
 * stdout: one "NAME COUNT" line per distinct response body (trailing
 * newline removed; bodies longer than 64 bytes are tallied as
 * "bytes:LEN"), sorted by name. stderr: a summary line and the reason of
 * each failure (first 10). With -r RATE, request i starts at i / RATE
 * seconds (a fixed rate, not as fast as answers come) and the summary is
 * followed by "vs-client: latency p50 US p90 US p99 US max US" over the
 * answered requests (connect to last byte, microseconds). Exits 1 if any request failed, unless
 * --allow-fail; 2 on usage errors.
 *
 * With -S, N requests from each source address in turn (the hashing
 * schedulers' clients, in one process instead of one each), and stdout is
 * one "SRC NAME[+NAME...]" line per source: the names that answered it,
 * sorted, or "SRC FAIL" if any of its requests failed. Exits 0 unless
 * every request failed.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NAMES	256
#define MAX_SOURCES	256
#define NAME_MAX_LEN	64

struct tally {
	char name[NAME_MAX_LEN + 16];
	unsigned long count;
};

static struct tally tallies[MAX_NAMES];
static int ntallies;
static unsigned long nfail, nok;
static int timeout_ms = 2000;
static bool verbose;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static long long now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

static int parse_addr(const char *s, bool need_port,
		      struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *hend, *colon = NULL;
	long port = 0;

	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		hend = strchr(s, ']');
		if (!hend)
			return -1;
		s++;
		if (hend[1] == ':')
			colon = hend + 1;
		else if (hend[1])
			return -1;
	} else if (need_port) {
		colon = strrchr(s, ':');
		hend = colon;
	} else {
		hend = s + strlen(s);
	}
	if (!hend || (size_t)(hend - s) >= sizeof(host))
		return -1;
	memcpy(host, s, hend - s);
	host[hend - s] = '\0';
	if (need_port) {
		char *end;

		if (!colon)
			return -1;
		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return -1;
	}
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		*len = sizeof(*a);
		return inet_pton(AF_INET6, host, &a->sin6_addr) == 1 ? 0 : -1;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		*len = sizeof(*a);
		return inet_pton(AF_INET, host, &a->sin_addr) == 1 ? 0 : -1;
	}
}

static void count(const char *body, size_t len)
{
	char key[sizeof(tallies[0].name)];
	int i;

	/* body holds the first NAME_MAX_LEN + 1 bytes of a len-byte body. */
	if (len && len <= NAME_MAX_LEN + 1 && body[len - 1] == '\n')
		len--;
	if (len > NAME_MAX_LEN || memchr(body, '\n', len))
		snprintf(key, sizeof(key), "bytes:%zu", len);
	else
		snprintf(key, sizeof(key), "%.*s", (int)len, body);
	nok++;
	if (verbose)
		fprintf(stderr, "%lu %s\n", nok + nfail, key);
	for (i = 0; i < ntallies; i++)
		if (!strcmp(tallies[i].name, key)) {
			tallies[i].count++;
			return;
		}
	if (ntallies == MAX_NAMES)
		i = ntallies - 1;	/* lump the rest together */
	else
		ntallies++;
	snprintf(tallies[i].name, sizeof(tallies[i].name), "%s", key);
	tallies[i].count++;
}

static void fail(unsigned long seq, const char *fmt, const char *detail)
{
	nfail++;
	if (nfail <= 10 || verbose) {
		fprintf(stderr, "vs-client: request %lu: ", seq);
		fprintf(stderr, fmt, detail);
		fputc('\n', stderr);
	}
}

/* Wait for fd to become ready for events, until deadline. 0 or -1. */
static int wait_fd(int fd, short events, long long deadline)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int n;

	for (;;) {
		left = deadline - now_ms();
		if (left <= 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		n = poll(&p, 1, left);
		if (n > 0)
			return 0;
		if (n < 0 && errno != EINTR)
			return -1;
	}
}

static int open_sock(const struct sockaddr_storage *dst, int type,
		     const struct sockaddr_storage *src, socklen_t srclen)
{
	int fd = socket(dst->ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (srclen && bind(fd, (const struct sockaddr *)src, srclen) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int connect_to(int fd, const struct sockaddr_storage *dst, socklen_t len,
		      long long deadline)
{
	int err = 0;
	socklen_t elen = sizeof(err);

	if (!connect(fd, (const struct sockaddr *)dst, len))
		return 0;
	if (errno != EINPROGRESS)
		return -1;
	if (wait_fd(fd, POLLOUT, deadline))
		return -1;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) < 0)
		return -1;
	errno = err;
	return err ? -1 : 0;
}

static int send_all(int fd, const char *buf, size_t len, long long deadline)
{
	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return -1;
			if (wait_fd(fd, POLLOUT, deadline))
				return -1;
			continue;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* recv() with a deadline: bytes read, 0 on EOF, -1 on error. */
static ssize_t recv_some(int fd, char *buf, size_t len, long long deadline)
{
	for (;;) {
		ssize_t n = recv(fd, buf, len, 0);

		if (n >= 0)
			return n;
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			return -1;
		if (wait_fd(fd, POLLIN, deadline))
			return -1;
	}
}

/*
 * Read one HTTP response: headers, then Content-Length bytes (or until
 * EOF without one). The first body_max bytes of the body go to body,
 * *body_len is its full length. Returns the status code or -1.
 */
static int read_response(int fd, long long deadline, char *body,
			 size_t body_max, size_t *body_len)
{
	char buf[8192], *end, *cl;
	size_t have = 0, hdr_len, clen = 0, total;
	bool has_clen = false;
	ssize_t n;
	int status;

	for (;;) {
		buf[have] = '\0';
		end = strstr(buf, "\r\n\r\n");
		if (end)
			break;
		if (have == sizeof(buf) - 1) {
			errno = EPROTO;
			return -1;
		}
		n = recv_some(fd, buf + have, sizeof(buf) - 1 - have, deadline);
		if (n <= 0) {
			if (!n)
				errno = ECONNRESET;
			return -1;
		}
		have += n;
	}
	if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1) {
		errno = EPROTO;
		return -1;
	}
	hdr_len = end + 4 - buf;
	cl = strcasestr(buf, "\r\nContent-Length:");
	if (cl && cl < end) {
		clen = strtoull(cl + 17, NULL, 10);
		has_clen = true;
	}
	total = have - hdr_len;
	memcpy(body, buf + hdr_len, total < body_max ? total : body_max);
	while (!has_clen || total < clen) {
		n = recv_some(fd, buf, sizeof(buf), deadline);
		if (n < 0)
			return -1;
		if (n == 0) {
			if (!has_clen)
				break;
			errno = ECONNRESET;
			return -1;
		}
		if (total < body_max)
			memcpy(body + total, buf,
			       (size_t)n < body_max - total ? (size_t)n : body_max - total);
		total += n;
	}
	*body_len = total;
	return status;
}

static void one_http(int fd, unsigned long seq, const char *req, long long deadline)
{
	char body[NAME_MAX_LEN + 1];
	size_t blen = 0;
	int status;

	if (send_all(fd, req, strlen(req), deadline)) {
		fail(seq, "send: %s", strerror(errno));
		return;
	}
	status = read_response(fd, deadline, body, sizeof(body), &blen);
	if (status < 0) {
		fail(seq, "receive: %s", strerror(errno));
		return;
	}
	if (status != 200) {
		char s[16];

		snprintf(s, sizeof(s), "%d", status);
		fail(seq, "HTTP status %s", s);
		return;
	}
	count(body, blen);
}

/* N requests (datagrams with @udp), each on a new socket bound to @src if
 * @srclen; with @rate, request i starts at i / @rate s after @start_us and
 * its latency goes to @lat.
 */
static void run_flows(const struct sockaddr_storage *dst, socklen_t dstlen,
		      const struct sockaddr_storage *src, socklen_t srclen,
		      unsigned long n, bool udp, const char *req, double rate,
		      long long start_us, long long *lat, unsigned long *nlatp)
{
	unsigned long i, nlat = *nlatp;

	for (i = 0; i < n; i++) {
		long long deadline, req_us = 0, wait;
		unsigned long ok_before = nok;
		int fd;

		if (rate > 0) {
			wait = start_us + (long long)(i * 1e6 / rate) - now_us();
			if (wait > 0)
				usleep(wait);
			req_us = now_us();
		}
		deadline = now_ms() + timeout_ms;
		fd = open_sock(dst, udp ? SOCK_DGRAM : SOCK_STREAM, src, srclen);

		if (fd < 0) {
			fail(i + 1, "socket: %s", strerror(errno));
			continue;
		}
		if (connect_to(fd, dst, dstlen, deadline)) {
			fail(i + 1, "connect: %s", strerror(errno));
		} else if (udp) {
			char buf[NAME_MAX_LEN + 2];
			ssize_t r;

			if (send(fd, "ping\n", 5, 0) < 0) {
				fail(i + 1, "send: %s", strerror(errno));
			} else if (wait_fd(fd, POLLIN, deadline) ||
				   (r = recv(fd, buf, sizeof(buf), 0)) < 0) {
				fail(i + 1, "receive: %s", strerror(errno));
			} else {
				count(buf, r);
			}
		} else {
			one_http(fd, i + 1, req, deadline);
		}
		close(fd);
		if (lat && nok != ok_before)
			lat[nlat++] = now_us() - req_us;
	}
	*nlatp = nlat;
}

static void sort_tallies(void)
{
	for (int a = 0; a < ntallies; a++)
		for (int b = a + 1; b < ntallies; b++)
			if (strcmp(tallies[a].name, tallies[b].name) > 0) {
				struct tally t = tallies[a];

				tallies[a] = tallies[b];
				tallies[b] = t;
			}
}

static void print_sources_line(const char *src, bool failed)
{
	printf("%s ", src);
	if (failed) {
		printf("FAIL\n");
		return;
	}
	sort_tallies();
	for (int a = 0; a < ntallies; a++)
		printf("%s%s", a ? "+" : "", tallies[a].name);
	printf("\n");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: vs-client [-n N] [-t TIMEOUT_MS] [-p PATH] [-b SRC_ADDR] [-u] [-v]\n"
		"                 [-r RATE] [--allow-fail] [--keep [-i INTERVAL_MS]] ADDR:PORT\n"
		"       vs-client -S SRC,SRC,... [-n N] [-t TIMEOUT_MS] [-p PATH] [-u] ADDR:PORT\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "allow-fail", no_argument, NULL, 'A' },
		{ "keep", no_argument, NULL, 'k' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "path", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "sources", required_argument, NULL, 'S' },
		{ "udp", no_argument, NULL, 'u' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "rate", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	static struct sockaddr_storage srcs[MAX_SOURCES];
	static socklen_t srclens[MAX_SOURCES];
	static char *srcnames[MAX_SOURCES];
	struct sockaddr_storage dst, src;
	socklen_t dstlen, srclen = 0;
	int nsrc = 0;
	char *tok, *save;
	unsigned long n = 100, i;
	long interval_ms = 100;
	double rate = 0;
	long long *lat = NULL, start_us = 0;
	unsigned long nlat = 0;
	bool allow_fail = false, keep = false, udp = false, bad_family;
	const char *path = "/";
	char req[1200];
	long long t0;
	int opt;

	while ((opt = getopt_long(argc, argv, "n:t:p:b:S:i:r:kuvh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'n': n = strtoul(optarg, NULL, 10); break;
		case 't': timeout_ms = atoi(optarg); break;
		case 'p': path = optarg; break;
		case 'i': interval_ms = atol(optarg); break;
		case 'k': keep = true; break;
		case 'u': udp = true; break;
		case 'v': verbose = true; break;
		case 'A': allow_fail = true; break;
		case 'r': rate = strtod(optarg, NULL); if (rate <= 0) usage(); break;
		case 'S':
			for (tok = strtok_r(optarg, ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save)) {
				if (nsrc == MAX_SOURCES ||
				    parse_addr(tok, false, &srcs[nsrc], &srclens[nsrc])) {
					fprintf(stderr, "vs-client: bad or too many sources at '%s'\n", tok);
					usage();
				}
				srcnames[nsrc++] = tok;
			}
			break;
		case 'b':
			if (parse_addr(optarg, false, &src, &srclen)) {
				fprintf(stderr, "vs-client: bad source address '%s'\n", optarg);
				usage();
			}
			break;
		default: usage();
		}
	}
	if (optind != argc - 1 || timeout_ms <= 0 || (keep && udp) || strlen(path) > 1024 ||
	    (nsrc && (keep || rate > 0 || srclen)))
		usage();
	if (parse_addr(argv[optind], true, &dst, &dstlen)) {
		fprintf(stderr, "vs-client: bad address '%s'\n", argv[optind]);
		usage();
	}
	bad_family = srclen && src.ss_family != dst.ss_family;
	for (int k = 0; k < nsrc; k++)
		bad_family |= srcs[k].ss_family != dst.ss_family;
	if (bad_family) {
		fprintf(stderr, "vs-client: source and destination families differ\n");
		usage();
	}

	snprintf(req, sizeof(req), "GET %s HTTP/1.%s\r\nHost: %s\r\n%s\r\n", path,
		 keep ? "1" : "0", argv[optind], keep ? "" : "Connection: close\r\n");
	t0 = now_ms();
	if (rate > 0) {
		lat = calloc(n ? n : 1, sizeof(*lat));
		if (!lat) {
			fprintf(stderr, "vs-client: out of memory\n");
			return 1;
		}
		start_us = now_us();
	}

	if (keep) {
		long long deadline = now_ms() + timeout_ms;
		int fd = open_sock(&dst, SOCK_STREAM, &src, srclen);

		if (fd < 0 || connect_to(fd, &dst, dstlen, deadline)) {
			fail(1, "connect: %s", strerror(errno));
			nfail += n - 1;
		} else {
			for (i = 0; i < n; i++) {
				unsigned long before = nfail;

				if (i)
					usleep(interval_ms * 1000);
				one_http(fd, i + 1, req, now_ms() + timeout_ms);
				if (nfail != before) {
					nfail += n - i - 1;	/* the connection is gone */
					break;
				}
			}
		}
		if (fd >= 0)
			close(fd);
	} else if (nsrc) {
		for (int k = 0; k < nsrc; k++) {
			unsigned long f0 = nfail;

			ntallies = 0;
			run_flows(&dst, dstlen, &srcs[k], srclens[k], n, udp, req,
				  0, 0, NULL, &nlat);
			print_sources_line(srcnames[k], nfail != f0);
		}
	} else {
		run_flows(&dst, dstlen, &src, srclen, n, udp, req, rate,
			  start_us, lat, &nlat);
	}

	if (nsrc) {
		fprintf(stderr, "vs-client: %lu requests from %d sources, %lu ok, %lu failed, %lld ms\n",
			n * nsrc, nsrc, nok, nfail, now_ms() - t0);
		return nok ? 0 : 1;
	}
	sort_tallies();
	for (int a = 0; a < ntallies; a++)
		printf("%s %lu\n", tallies[a].name, tallies[a].count);
	fprintf(stderr, "vs-client: %lu requests, %lu ok, %lu failed, %lld ms\n",
		n, nok, nfail, now_ms() - t0);
	if (lat && nlat) {
		qsort(lat, nlat, sizeof(*lat), cmp_ll);
		fprintf(stderr, "vs-client: latency p50 %lld p90 %lld p99 %lld max %lld us\n",
			lat[(nlat - 1) * 50 / 100], lat[(nlat - 1) * 90 / 100],
			lat[(nlat - 1) * 99 / 100], lat[nlat - 1]);
	}
	free(lat);
	return nfail && !allow_fail ? 1 : 0;
}
