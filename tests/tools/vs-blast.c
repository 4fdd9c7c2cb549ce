// SPDX-License-Identifier: GPL-2.0
/*
 * vs-blast: a UDP packet blaster for the balancer benchmarks (make bench).
 *
 *   vs-blast [-c CPU] [-n PACKETS] [-f FLOWS] [-o FIRST] [-l LEN]
 *            -s SRC_BASE DST:PORT
 *   vs-blast -k PORT [-c CPU]          sink: bind UDP PORT, never read
 *
 * Sends PACKETS (default 100000) UDP datagrams of LEN payload bytes
 * (default 18: a 64-byte frame) to DST:PORT through a raw socket, 64 per
 * sendmmsg(). The source address and port come from a flow number, so
 * each flow is its own 5-tuple: flow i is SRC_BASE + i / 50000, port
 * 10000 + i % 50000. With -f 0 (default) packet k uses flow FIRST + k:
 * every packet opens a new connection on the balancer (give each run its
 * own FIRST so runs never reuse a tuple). With -f FLOWS the packets cycle
 * over flows FIRST .. FIRST + FLOWS - 1: established flows, the per-packet
 * cost. The sources need not exist anywhere; nothing answers them.
 *
 * The sink is what the real servers run: a socket with a small buffer
 * that is never read, so the datagrams are dropped at the socket (no ICMP
 * port unreachable going back through the balancer).
 *
 * Prints "sent N in S s (R pps)" on stdout. Pinning (-c) keeps the
 * generator off the CPU the benchmark measures.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH		64
#define PORTS_PER_ADDR	50000
#define MAX_LEN		1400

struct pkt {
	struct iphdr ip;
	struct udphdr udp;
	unsigned char payload[MAX_LEN];
} __attribute__((packed));

static void usage(void)
{
	fprintf(stderr,
		"usage: vs-blast [-c CPU] [-n PACKETS] [-f FLOWS] [-o FIRST] [-l LEN]\n"
		"                -s SRC_BASE DST:PORT\n"
		"       vs-blast -k PORT [-c CPU]\n");
	exit(2);
}

static unsigned long parse_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || !*s || *end) {
		fprintf(stderr, "vs-blast: bad %s '%s': want a number\n", what, s);
		exit(2);
	}
	return v;
}

static void pin(long cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		perror("vs-blast: sched_setaffinity");
		exit(1);
	}
}

static int sink(unsigned long port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(port) };
	int fd, one = 1, small = 4096;

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("vs-blast: sink socket");
		return 1;
	}
	printf("sink on %lu\n", port);
	fflush(stdout);
	for (;;)
		pause();
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static struct pkt pkts[BATCH];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in dst = { .sin_family = AF_INET };
	unsigned long npkts = 100000, nflows = 0, first = 0, len = 18;
	unsigned long sent = 0, sinkport = 0, flow;
	long cpu = -1;
	uint32_t src_base = 0;
	char *colon;
	double t0, t1;
	int opt, fd, one = 1, i, n;

	while ((opt = getopt(argc, argv, "c:n:f:o:l:s:k:h")) != -1) {
		switch (opt) {
		case 'c': cpu = parse_ul(optarg, "cpu"); break;
		case 'n': npkts = parse_ul(optarg, "packet count"); break;
		case 'f': nflows = parse_ul(optarg, "flow count"); break;
		case 'o': first = parse_ul(optarg, "first flow"); break;
		case 'l': len = parse_ul(optarg, "length"); break;
		case 'k': sinkport = parse_ul(optarg, "port"); break;
		case 's':
			if (inet_pton(AF_INET, optarg, &src_base) != 1) {
				fprintf(stderr, "vs-blast: bad source '%s': want an IPv4 address\n",
					optarg);
				exit(2);
			}
			src_base = ntohl(src_base);
			break;
		default: usage();
		}
	}
	pin(cpu);
	if (sinkport)
		return sink(sinkport);
	if (optind != argc - 1 || !src_base || len > MAX_LEN)
		usage();
	colon = strrchr(argv[optind], ':');
	if (!colon)
		usage();
	*colon = '\0';
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1) {
		fprintf(stderr, "vs-blast: bad destination '%s'\n", argv[optind]);
		exit(2);
	}
	dst.sin_port = htons(parse_ul(colon + 1, "port"));

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("vs-blast: raw socket (needs CAP_NET_RAW)");
		return 1;
	}
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		struct pkt *p = &pkts[i];

		p->ip.version = 4;
		p->ip.ihl = 5;
		p->ip.ttl = 64;
		p->ip.protocol = IPPROTO_UDP;
		p->ip.tot_len = htons(sizeof(p->ip) + sizeof(p->udp) + len);
		p->ip.daddr = dst.sin_addr.s_addr;
		p->udp.dest = dst.sin_port;
		p->udp.len = htons(sizeof(p->udp) + len);
		/* Checksum 0: none, legal for UDP over IPv4. */
		iov[i].iov_base = p;
		iov[i].iov_len = sizeof(p->ip) + sizeof(p->udp) + len;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &dst;
		msgs[i].msg_hdr.msg_namelen = sizeof(dst);
	}

	t0 = now();
	while (sent < npkts) {
		n = npkts - sent < BATCH ? npkts - sent : BATCH;
		for (i = 0; i < n; i++) {
			flow = first + (nflows ? (sent + i) % nflows : sent + i);
			pkts[i].ip.saddr = htonl(src_base + flow / PORTS_PER_ADDR);
			pkts[i].udp.source = htons(10000 + flow % PORTS_PER_ADDR);
		}
		n = sendmmsg(fd, msgs, n, 0);
		if (n < 0) {
			/* A full qdisc or backlog: try again, count nothing. */
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			perror("vs-blast: sendmmsg");
			return 1;
		}
		sent += n;
	}
	t1 = now();
	printf("sent %lu in %.3f s (%.0f pps)\n", sent, t1 - t0,
	       sent / (t1 - t0));
	return 0;
}
