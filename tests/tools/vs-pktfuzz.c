// SPDX-License-Identifier: GPL-2.0
/*
 * vs-pktfuzz: fixed-seed sender of malformed and odd IPv4 packets towards
 * a balancer, for the "bad input" tests of vsched.
 *
 *   vs-pktfuzz -i IFACE -m MAC -v VIP:PORT -r SERVER:PORT -c CLIENT_BASE
 *              [-s SEED] [-n COUNT] [-p PPS]
 *
 * Frames leave IFACE through an AF_PACKET socket, addressed to MAC (the
 * balancer's side of the link), so that the IP header is exactly what we
 * wrote: raw IP sockets would fix up lengths and checksums. Sources are
 * CLIENT_BASE plus 0..99 (keep the real client's address out of that
 * range: its connections must not be disturbed). Every packet is one of:
 *
 *   flags      TCP to the VIP with each of the 256 flag combinations
 *   udp-len    UDP to the VIP whose length field lies
 *   short-l4   TCP/UDP headers cut short (0..19 / 0..7 bytes)
 *   doff       TCP data offset below 5 or past the packet
 *   ip-hdr     bad version, IHL below 5 or past the packet, total length
 *              past the frame or shorter than the header
 *   options    IP options: NOP/EOL, record route, timestamp, router
 *              alert, and options with lengths 0, 1 or past the header
 *   frags      fragments: first (full or tiny L4 header), middle, last,
 *              out of order, overlapping, from the same or another flow
 *   icmp       ICMP errors to the VIP, and "from" a real server, quoting
 *              unknown flows or truncated inner headers
 *   reply      spoofed replies from SERVER:PORT to client addresses
 *   garbage    a valid IP header over random bytes and protocols
 *   big        full-size (1500 bytes) TCP and UDP packets
 *
 * Nothing is asserted here: the scenario (tests/e2e/fuzz.sh) checks that
 * the kernel logged no fault and that a legitimate client saw no error.
 * The last line is "pktfuzz: N packets sent, N send errors".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PKT_MAX	1500

enum kind {
	K_FLAGS, K_UDPLEN, K_SHORT, K_DOFF, K_IPHDR, K_OPTS, K_FRAGS, K_ICMP,
	K_REPLY, K_GARBAGE, K_BIG, K_NKINDS
};

static const char *const kind_names[K_NKINDS] = {
	"flags", "udp-len", "short-l4", "doff", "ip-hdr", "options", "frags",
	"icmp", "reply", "garbage", "big",
};

static int fd;
static struct sockaddr_ll ll;
static uint64_t rng;
static uint32_t vip, server, client_base;
static uint16_t vport, sport_srv;
static unsigned long sent[K_NKINDS], send_errors, total;
static unsigned int flag_combo;

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

/* A fake client address: CLIENT_BASE + 0..99. */
static uint32_t fake_client(void)
{
	return htonl(ntohl(client_base) + rnd() % 100);
}

/* Write a 20-byte IPv4 header (plus @optlen option bytes already in
 * place after it) with a correct checksum; returns the header length.
 */
static size_t ip_hdr(uint8_t *p, size_t optlen, size_t total_len, uint8_t proto,
		     uint32_t src, uint32_t dst, uint16_t frag)
{
	size_t hl = 20 + optlen;

	p[0] = 0x40 | (hl / 4);
	p[1] = 0;
	*(uint16_t *)(p + 2) = htons(total_len);
	*(uint16_t *)(p + 4) = rnd();
	*(uint16_t *)(p + 6) = htons(frag);
	p[8] = 64;
	p[9] = proto;
	*(uint16_t *)(p + 10) = 0;
	memcpy(p + 12, &src, 4);
	memcpy(p + 16, &dst, 4);
	*(uint16_t *)(p + 10) = csum(p, hl, 0);
	return hl;
}

/* L4 checksum with the pseudo header; sometimes left wrong on purpose. */
static void l4_csum(uint8_t *ip, size_t hl, size_t len, uint8_t proto)
{
	uint8_t *l4 = ip + hl;
	uint32_t sum = 0;
	size_t off = proto == IPPROTO_TCP ? 16 : proto == IPPROTO_UDP ? 6 : 2;
	int i;

	if (len < off + 2)
		return;
	if (rnd() % 8 == 0) {
		*(uint16_t *)(l4 + off) = rnd();
		return;
	}
	*(uint16_t *)(l4 + off) = 0;
	if (proto != IPPROTO_ICMP) {
		for (i = 12; i < 20; i += 2)
			sum += (ip[i] << 8) | ip[i + 1];
		sum += proto + len;
	}
	*(uint16_t *)(l4 + off) = csum(l4, len, sum);
}

static size_t tcp_hdr(uint8_t *p, uint16_t sport, uint16_t dport, uint8_t flags,
		      uint8_t doff)
{
	*(uint16_t *)p = htons(sport);
	*(uint16_t *)(p + 2) = htons(dport);
	*(uint32_t *)(p + 4) = rnd();
	*(uint32_t *)(p + 8) = rnd();
	p[12] = doff << 4;
	p[13] = flags;
	*(uint16_t *)(p + 14) = htons(65535);
	*(uint32_t *)(p + 16) = 0;
	return 20;
}

static size_t udp_hdr(uint8_t *p, uint16_t sport, uint16_t dport, uint16_t len)
{
	*(uint16_t *)p = htons(sport);
	*(uint16_t *)(p + 2) = htons(dport);
	*(uint16_t *)(p + 4) = htons(len);
	*(uint16_t *)(p + 6) = 0;
	return 8;
}

static void fill(uint8_t *p, size_t n)
{
	while (n--)
		*p++ = rnd();
}

static void emit(enum kind k, const uint8_t *p, size_t len)
{
	if (sendto(fd, p, len, 0, (struct sockaddr *)&ll, sizeof(ll)) < 0)
		send_errors++;
	sent[k]++;
	total++;
}

static uint16_t eport(void)
{
	return 1024 + rnd() % 64000;
}

/* A TCP or UDP packet from a fake client to the VIP, all lengths right. */
static size_t to_vip(uint8_t *p, uint8_t proto, uint8_t flags, size_t payload)
{
	size_t hl = ip_hdr(p, 0, 0, proto, fake_client(), vip, 0x4000);
	size_t l4 = proto == IPPROTO_TCP ?
		    tcp_hdr(p + hl, eport(), vport, flags, 5) :
		    udp_hdr(p + hl, eport(), vport, 8 + payload);
	size_t len = hl + l4 + payload;

	fill(p + hl + l4, payload);
	ip_hdr(p, 0, len, proto, *(uint32_t *)(p + 12), vip, 0x4000);
	l4_csum(p, hl, len - hl, proto);
	return len;
}

static void k_flags(uint8_t *p)
{
	size_t len = to_vip(p, IPPROTO_TCP, flag_combo++ & 0xff, rnd() % 3 ? 0 : rnd() % 200);

	emit(K_FLAGS, p, len);
}

static void k_udplen(uint8_t *p)
{
	size_t payload = rnd() % 100, len = to_vip(p, IPPROTO_UDP, 0, payload);
	uint16_t lie = rnd() % 3 == 0 ? rnd() % 8 : 8 + payload + 1 + rnd() % 1000;

	*(uint16_t *)(p + 24) = htons(rnd() % 2 ? lie : 8 + payload - rnd() % 8);
	emit(K_UDPLEN, p, len);
}

static void k_short(uint8_t *p)
{
	uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	size_t l4 = rnd() % (proto == IPPROTO_TCP ? 20 : 8), hl;

	hl = ip_hdr(p, 0, 20 + l4, proto, fake_client(), vip, 0);
	fill(p + hl, l4);
	if (l4 >= 4)
		*(uint16_t *)(p + hl + 2) = htons(vport);
	emit(K_SHORT, p, hl + l4);
}

static void k_doff(uint8_t *p)
{
	size_t len = to_vip(p, IPPROTO_TCP, rnd() & 0x3f, rnd() % 40);

	p[32] = (rnd() % 2 ? rnd() % 5 : 6 + rnd() % 10) << 4;
	emit(K_DOFF, p, len);
}

static void k_iphdr(uint8_t *p)
{
	size_t len = to_vip(p, rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP, 0x02, rnd() % 60);

	switch (rnd() % 4) {
	case 0: p[0] = (rnd() % 16) << 4 | 5; break;		/* version */
	case 1: p[0] = 0x40 | rnd() % 5; break;			/* IHL < 5 */
	case 2: p[0] = 0x40 | (6 + rnd() % 10); break;		/* IHL past data */
	default:						/* total length */
		*(uint16_t *)(p + 2) = htons(rnd() % 2 ? len + 1 + rnd() % 2000 :
					     rnd() % 20);
		break;
	}
	*(uint16_t *)(p + 10) = 0;
	*(uint16_t *)(p + 10) = csum(p, 20, 0);
	if (rnd() % 4 == 0)
		len = 1 + rnd() % 19;	/* and sometimes not even 20 bytes */
	emit(K_IPHDR, p, len);
}

static void k_opts(uint8_t *p)
{
	uint8_t opt[40];
	size_t olen = 4 * (1 + rnd() % 10), hl, l4, len;
	uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;

	memset(opt, 1, sizeof(opt));	/* NOP */
	switch (rnd() % 6) {
	case 0: opt[olen - 1] = 0; break;				/* EOL */
	case 1: opt[0] = 7; opt[1] = olen < 39 ? olen - 1 : 39; opt[2] = 4; break;
	case 2: opt[0] = 68; opt[1] = olen; opt[2] = 5; opt[3] = 0; break;
	case 3: opt[0] = 148; opt[1] = 4; opt[2] = opt[3] = 0; break;	/* RA */
	case 4: opt[0] = rnd(); opt[1] = rnd() % 2; break;		/* len 0/1 */
	default: opt[0] = rnd(); opt[1] = olen + 1 + rnd() % 40; break;	/* too long */
	}
	memcpy(p + 20, opt, olen);
	hl = 20 + olen;
	l4 = proto == IPPROTO_TCP ? tcp_hdr(p + hl, eport(), vport, 0x02, 5) :
	     udp_hdr(p + hl, eport(), vport, 8 + 10);
	len = hl + l4 + 10;
	fill(p + hl + l4, 10);
	ip_hdr(p, olen, len, proto, fake_client(), vip, 0);
	l4_csum(p, hl, len - hl, proto);
	emit(K_OPTS, p, len);
}

/* A datagram cut into fragments, sent in a shuffled or partial order. */
static void k_frags(uint8_t *p)
{
	uint8_t full[PKT_MAX], *l4;
	uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	size_t payload = 64 + rnd() % 600, fl, hdr;
	uint32_t src = fake_client();
	uint16_t off, n, order[8], i, j, t;
	size_t plen;

	l4 = full;
	hdr = proto == IPPROTO_TCP ? tcp_hdr(l4, eport(), vport, 0x18, 5) :
	      udp_hdr(l4, eport(), vport, 8 + payload);
	fill(l4 + hdr, payload);
	plen = hdr + payload;
	fl = rnd() % 3 == 0 ? 8 : 8 * (1 + rnd() % 16);	/* tiny first: 8 bytes */
	n = (plen + fl - 1) / fl;
	if (n > 8) {
		n = 8;
		fl = ((plen + 7) / 8 + 7) / 8 * 8;
	}
	for (i = 0; i < n; i++)
		order[i] = i;
	for (i = n - 1; i > 0; i--) {
		j = rnd() % (i + 1);
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < n; i++) {
		size_t o = order[i] * fl, len = plen - o < fl ? plen - o : fl;

		if (rnd() % 6 == 0)
			continue;			/* a lost fragment */
		if (rnd() % 10 == 0 && o >= 8)
			o -= 8;				/* overlapping */
		off = o / 8 | (o + len < plen ? 0x2000 : 0);
		memcpy(p + 20, full + o, len);
		ip_hdr(p, 0, 20 + len, proto, src, vip, off);
		emit(K_FRAGS, p, 20 + len);
	}
}

/* An ICMP error quoting @inner_len bytes of a packet built by us. */
static void k_icmp(uint8_t *p)
{
	static const uint8_t types[][2] = { {3, 1}, {3, 3}, {3, 4}, {11, 0}, {12, 0}, {4, 0} };
	bool from_server = rnd() % 2;
	uint32_t c = fake_client();
	uint8_t *in = p + 28, proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	size_t hl, inner, q, len;
	int t = rnd() % 6;

	/* Inner: what the sender of the error had sent. */
	if (from_server)
		hl = ip_hdr(in, 0, 60, proto, c, server, 0);	  /* client -> server */
	else
		hl = ip_hdr(in, 0, 60, proto, vip, c, 0);	  /* VIP -> client */
	if (proto == IPPROTO_TCP)
		tcp_hdr(in + hl, from_server ? eport() : vport,
			from_server ? sport_srv : eport(), 0x10, 5);
	else
		udp_hdr(in + hl, from_server ? eport() : vport,
			from_server ? sport_srv : eport(), 40);
	inner = hl + 40;
	switch (rnd() % 4) {
	case 0: q = rnd() % 20; break;			/* inner IP cut short */
	case 1: q = 20 + rnd() % 8; break;		/* inner L4 cut short */
	case 2: in[0] = 0x40 | (6 + rnd() % 10); q = inner; break; /* bad inner IHL */
	default: q = inner; break;
	}
	p[20] = types[t][0];
	p[21] = types[t][1];
	*(uint32_t *)(p + 24) = t == 2 ? htonl(1280) : 0;
	len = 28 + q;
	if (from_server)
		ip_hdr(p, 0, len, IPPROTO_ICMP, server, c, 0);
	else
		ip_hdr(p, 0, len, IPPROTO_ICMP, c, vip, 0);
	l4_csum(p, 20, len - 20, IPPROTO_ICMP);
	emit(K_ICMP, p, len);
}

static void k_reply(uint8_t *p)
{
	uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	size_t hl = ip_hdr(p, 0, 0, proto, server, fake_client(), 0), l4, len;
	size_t payload = rnd() % 100;

	l4 = proto == IPPROTO_TCP ? tcp_hdr(p + hl, sport_srv, eport(), rnd(), 5) :
	     udp_hdr(p + hl, sport_srv, eport(), 8 + payload);
	fill(p + hl + l4, payload);
	len = hl + l4 + payload;
	ip_hdr(p, 0, len, proto, server, *(uint32_t *)(p + 16), 0);
	l4_csum(p, hl, len - hl, proto);
	emit(K_REPLY, p, len);
}

static void k_garbage(uint8_t *p)
{
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
					  IPPROTO_SCTP, IPPROTO_GRE, 0, 255 };
	size_t len = 20 + rnd() % 200;

	fill(p + 20, len - 20);
	ip_hdr(p, 0, len, protos[rnd() % sizeof(protos)], fake_client(), vip,
	       rnd() % 4 ? 0 : rnd() & 0x3fff);
	emit(K_GARBAGE, p, len);
}

static void k_big(uint8_t *p)
{
	uint8_t proto = rnd() % 2 ? IPPROTO_TCP : IPPROTO_UDP;
	size_t len = to_vip(p, proto, 0x18, PKT_MAX - 20 - (proto == IPPROTO_TCP ? 20 : 8));

	emit(K_BIG, p, len);
}

static void (*const kinds[K_NKINDS])(uint8_t *) = {
	k_flags, k_udplen, k_short, k_doff, k_iphdr, k_opts, k_frags, k_icmp,
	k_reply, k_garbage, k_big,
};

static int parse_hostport(const char *s, uint32_t *addr, uint16_t *port)
{
	char buf[64], *colon;

	snprintf(buf, sizeof(buf), "%s", s);
	colon = strrchr(buf, ':');
	if (port) {
		if (!colon)
			return -1;
		*colon = 0;
		*port = atoi(colon + 1);
	}
	return inet_pton(AF_INET, buf, addr) == 1 ? 0 : -1;
}

static void usage(void)
{
	fputs("usage: vs-pktfuzz -i IFACE -m MAC -v VIP:PORT -r SERVER:PORT -c CLIENT_BASE\n"
	      "                  [-s SEED] [-n COUNT] [-p PACKETS_PER_SECOND]\n", stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 20000, seed = 1, pps = 2000, i;
	const char *ifname = NULL, *mac = NULL;
	uint8_t pkt[PKT_MAX + 64];
	struct timespec t0, now;
	int c, k;

	while ((c = getopt(argc, argv, "i:m:v:r:c:s:n:p:h")) != -1) {
		switch (c) {
		case 'i': ifname = optarg; break;
		case 'm': mac = optarg; break;
		case 'v': if (parse_hostport(optarg, &vip, &vport)) usage(); break;
		case 'r': if (parse_hostport(optarg, &server, &sport_srv)) usage(); break;
		case 'c': if (parse_hostport(optarg, &client_base, NULL)) usage(); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'p': pps = strtoul(optarg, NULL, 0); break;
		default: usage();
		}
	}
	if (!ifname || !mac || !vip || !server || !client_base || optind != argc)
		usage();
	rng = seed * 0x9e3779b97f4a7c15ULL + 7;
	memset(&ll, 0, sizeof(ll));
	ll.sll_family = AF_PACKET;
	ll.sll_protocol = htons(ETH_P_IP);
	ll.sll_ifindex = if_nametoindex(ifname);
	ll.sll_halen = ETH_ALEN;
	if (!ll.sll_ifindex ||
	    sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &ll.sll_addr[0],
		   &ll.sll_addr[1], &ll.sll_addr[2], &ll.sll_addr[3],
		   &ll.sll_addr[4], &ll.sll_addr[5]) != 6) {
		fprintf(stderr, "vs-pktfuzz: bad interface %s or MAC %s\n", ifname, mac);
		return 2;
	}
	fd = socket(AF_PACKET, SOCK_DGRAM, htons(ETH_P_IP));
	if (fd < 0) {
		perror("vs-pktfuzz: socket(AF_PACKET)");
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; total < n; i++) {
		memset(pkt, 0, sizeof(pkt));
		/* Flag combinations first-class: each of the 256 at least once. */
		k = i < 256 ? K_FLAGS : (int)(rnd() % K_NKINDS);
		kinds[k](pkt);
		if (pps && total % 50 == 0) {
			double due = (double)total / pps, el;

			clock_gettime(CLOCK_MONOTONIC, &now);
			el = now.tv_sec - t0.tv_sec + (now.tv_nsec - t0.tv_nsec) / 1e9;
			if (due > el)
				usleep((due - el) * 1e6);
		}
	}
	for (k = 0; k < K_NKINDS; k++)
		printf("pktfuzz: %-8s %lu\n", kind_names[k], sent[k]);
	printf("pktfuzz: seed %lu: %lu packets sent, %lu send errors\n", seed,
	       total, send_errors);
	return 0;
}
