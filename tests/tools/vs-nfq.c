// SPDX-License-Identifier: GPL-2.0
/*
 * vs-nfq: an NFQUEUE daemon that accepts every packet, as an IPS in
 * NFQUEUE mode (Suricata) does with the packets it lets through. Its
 * verdicts go out with sendmsg(), and the kernel runs the hooks after the
 * queue in that call: process context, bottom halves enabled.
 *
 *   vs-nfq [-r READY_FILE] QUEUE
 *
 * Binds queue QUEUE (fail-open: what overflows the queue is accepted by
 * the kernel, so a slow emulated guest loses no packet), creates
 * READY_FILE once bound, and prints "vs-nfq: accepted N" when SIGTERM or
 * SIGINT ends it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netfilter.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include <libnetfilter_queue/libnetfilter_queue.h>

static volatile sig_atomic_t stop;
static unsigned long accepted;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int on_packet(struct nfq_q_handle *qh, struct nfgenmsg *msg,
		     struct nfq_data *nfa, void *data)
{
	struct nfqnl_msg_packet_hdr *ph = nfq_get_msg_packet_hdr(nfa);

	(void)msg;
	(void)data;
	if (!ph)
		return -1;
	accepted++;
	return nfq_set_verdict(qh, ntohl(ph->packet_id), NF_ACCEPT, 0, NULL);
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	const char *ready = NULL;
	struct nfq_q_handle *qh;
	struct nfq_handle *h;
	char buf[65536];
	int opt, fd, rcvbuf = 8 << 20;

	while ((opt = getopt(argc, argv, "r:")) != -1) {
		if (opt != 'r')
			goto usage;
		ready = optarg;
	}
	if (optind != argc - 1)
		goto usage;
	h = nfq_open();
	if (!h) {
		perror("vs-nfq: nfq_open");
		return 1;
	}
	qh = nfq_create_queue(h, atoi(argv[optind]), on_packet, NULL);
	if (!qh) {
		perror("vs-nfq: nfq_create_queue");
		return 1;
	}
	/* The verdict needs only the packet id: copy no payload. */
	if (nfq_set_mode(qh, NFQNL_COPY_META, 0) < 0 ||
	    nfq_set_queue_maxlen(qh, 4096) < 0 ||
	    nfq_set_queue_flags(qh, NFQA_CFG_F_FAIL_OPEN,
				NFQA_CFG_F_FAIL_OPEN) < 0) {
		perror("vs-nfq: queue setup");
		return 1;
	}
	fd = nfq_fd(h);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf));
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	if (ready)
		close(open(ready, O_WRONLY | O_CREAT, 0644));
	while (!stop) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n < 0) {
			/* ENOBUFS: messages were lost, fail-open took them. */
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			perror("vs-nfq: recv");
			return 1;
		}
		nfq_handle_packet(h, buf, n);
	}
	printf("vs-nfq: accepted %lu\n", accepted);
	nfq_destroy_queue(qh);
	nfq_close(h);
	return 0;
usage:
	fprintf(stderr, "usage: vs-nfq [-r READY_FILE] QUEUE\n");
	return 2;
}
