// SPDX-License-Identifier: GPL-2.0
/*
 * vs-synflood: a bounded TCP SYN flood from many distinct source tuples,
 * for the "floods and limits" tests of vsched.
 *
 *   vs-synflood -v VIP:PORT -c SRC_NET/PREFIX [-n COUNT] [-p PPS] [-s SEED]
 *
 * Sends COUNT SYNs to VIP:PORT at PPS packets a second (0: as fast as the
 * socket takes them) from a raw socket (IP_HDRINCL), in sendmmsg() batches.
 * Packet i comes from address SRC_NET + i % 2^(32-PREFIX) and port
 * 1024 + i / 2^(32-PREFIX), so every packet is a new tuple (up to 2^(32 -
 * PREFIX) * 64512 of them); choose a SRC_NET whose replies route back to a
 * host that drops them, so the handshakes stay half-open. The sequence
 * numbers come from SEED.
 * The last line is "synflood: N packets sent in S s (R/s), N send errors".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH	64
#define PKT_LEN	40	/* IPv4 + TCP, no options */

static uint64_t rng;

static uint32_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

static uint16_t csum(const void *p, size_t len, uint32_t sum)
{
	const uint8_t *b = p;

	while (len > 1) {
		sum += (b[0] << 8) | b[1];
		b += 2;
		len -= 2;
	}
	if (len)
		sum += b[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* A SYN from @src:@sport to @dst:@dport; the kernel fills the IP checksum. */
static void syn(uint8_t *p, uint32_t src, uint16_t sport, uint32_t dst,
		uint16_t dport)
{
	uint8_t *t = p + 20;
	uint32_t seq = rnd(), sum;

	memset(p, 0, PKT_LEN);
	p[0] = 0x45;
	*(uint16_t *)(p + 2) = htons(PKT_LEN);
	p[8] = 64;
	p[9] = IPPROTO_TCP;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	*(uint16_t *)t = htons(sport);
	*(uint16_t *)(t + 2) = htons(dport);
	memcpy(t + 4, &seq, 4);
	t[12] = 5 << 4;
	t[13] = 0x02;			/* SYN */
	*(uint16_t *)(t + 14) = htons(64240);
	/* Pseudo header: addresses, protocol, TCP length. */
	sum = (ntohl(src) >> 16) + (ntohl(src) & 0xffff) +
	      (ntohl(dst) >> 16) + (ntohl(dst) & 0xffff) + IPPROTO_TCP + 20;
	*(uint16_t *)(t + 16) = csum(t, 20, sum);
}

static double elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return now.tv_sec - t0->tv_sec + (now.tv_nsec - t0->tv_nsec) / 1e9;
}

static void usage(void)
{
	fputs("usage: vs-synflood -v VIP:PORT -c SRC_NET/PREFIX [-n COUNT] [-p PPS] [-s SEED]\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 10000, pps = 1000, seed = 1, sent = 0, errors = 0;
	static uint8_t pkts[BATCH][PKT_LEN];
	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	struct sockaddr_in to = { .sin_family = AF_INET };
	uint32_t net = 0, hosts = 0, vip = 0;
	unsigned int vport = 0, prefix = 0;
	char addr[32];
	struct timespec t0;
	int c, fd, one = 1, i, k;
	double secs;

	while ((c = getopt(argc, argv, "v:c:n:p:s:h")) != -1) {
		switch (c) {
		case 'v':
			if (sscanf(optarg, "%31[0-9.]:%u", addr, &vport) != 2 ||
			    inet_pton(AF_INET, addr, &vip) != 1 || !vport ||
			    vport > 65535)
				usage();
			break;
		case 'c':
			if (sscanf(optarg, "%31[0-9.]/%u", addr, &prefix) != 2 ||
			    inet_pton(AF_INET, addr, &net) != 1 ||
			    prefix < 8 || prefix > 30)
				usage();
			hosts = 1U << (32 - prefix);
			break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'p': pps = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!vip || !hosts || optind != argc)
		usage();
	if (n / hosts >= 65535 - 1024) {
		fprintf(stderr, "vs-synflood: %lu tuples do not fit in /%u\n",
			n, prefix);
		return 2;
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 7;
	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0 || setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one))) {
		perror("vs-synflood: raw socket");
		return 2;
	}
	to.sin_addr.s_addr = vip;
	memset(msgs, 0, sizeof(msgs));
	for (i = 0; i < BATCH; i++) {
		iov[i].iov_base = pkts[i];
		iov[i].iov_len = PKT_LEN;
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
		msgs[i].msg_hdr.msg_name = &to;
		msgs[i].msg_hdr.msg_namelen = sizeof(to);
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (sent + errors < n) {
		unsigned long base = sent + errors;
		int batch = n - base < BATCH ? (int)(n - base) : BATCH;
		double due = pps ? (double)base / pps : 0, el = elapsed(&t0);

		if (due > el)
			usleep((due - el) * 1e6);
		for (i = 0; i < batch; i++) {
			unsigned long t = base + i;

			syn(pkts[i], htonl(ntohl(net) + t % hosts),
			    1024 + t / hosts, vip, vport);
		}
		k = sendmmsg(fd, msgs, batch, 0);
		if (k < 0) {
			if (errno != ENOBUFS && errno != EAGAIN) {
				perror("vs-synflood: sendmmsg");
				return 1;
			}
			k = 0;
		}
		sent += k;
		/* A packet the socket refused is counted and not retried. */
		if (k < batch)
			errors++;
	}
	secs = elapsed(&t0);
	printf("synflood: %lu packets sent in %.1f s (%.0f/s), %lu send errors\n",
	       sent, secs, secs > 0 ? sent / secs : 0.0, errors);
	return 0;
}
