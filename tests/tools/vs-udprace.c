// SPDX-License-Identifier: GPL-2.0
/*
 * vs-udprace: the first datagrams of one UDP flow sent from two threads
 * on two CPUs at once, for many flows: what a multithreaded client on one
 * socket does, and what makes two CPUs of the balancer both find no entry
 * for the flow (veth handles a packet on the sending CPU).
 *
 *   vs-udprace [-n FLOWS] [-k PER_THREAD] [-t TIMEOUT_MS] ADDR:PORT
 *
 * Per flow (default 200): a new socket connected to ADDR:PORT; threads
 * pinned to CPUs 0 and 1 wait on a barrier, then each sends PER_THREAD
 * (default 2) datagrams; then the answers are read until TIMEOUT_MS
 * (default 3000) passes without one. Prints one line per flow, "PORT
 * ANSWERS SERVER[+SERVER...]" (the servers in order of first answer),
 * then "flows N split S unanswered U" on the last line. Exits 1 if any
 * flow was answered by two servers or not at all.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static pthread_barrier_t barrier;
static int sock, per_thread = 2;

static void *sender(void *arg)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET((int)(long)arg, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	pthread_barrier_wait(&barrier);
	for (int i = 0; i < per_thread; i++)
		send(sock, "x", 1, 0);
	return NULL;
}

int main(int argc, char **argv)
{
	int opt, flows = 200, timeout = 3000, split = 0, unanswered = 0;
	struct sockaddr_in dst = { .sin_family = AF_INET };
	char *colon;

	while ((opt = getopt(argc, argv, "n:k:t:")) != -1) {
		switch (opt) {
		case 'n': flows = atoi(optarg); break;
		case 'k': per_thread = atoi(optarg); break;
		case 't': timeout = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (optind != argc - 1 || !(colon = strchr(argv[optind], ':')))
		goto usage;
	*colon = 0;
	if (inet_pton(AF_INET, argv[optind], &dst.sin_addr) != 1)
		goto usage;
	dst.sin_port = htons(atoi(colon + 1));
	for (int f = 0; f < flows; f++) {
		struct sockaddr_in me;
		socklen_t len = sizeof(me);
		char servers[256] = "", buf[64];
		pthread_t t[2];
		int answers = 0, nservers = 0;

		sock = socket(AF_INET, SOCK_DGRAM, 0);
		if (sock < 0 || connect(sock, (void *)&dst, sizeof(dst)) < 0) {
			perror("vs-udprace: socket");
			return 2;
		}
		getsockname(sock, (void *)&me, &len);
		pthread_barrier_init(&barrier, NULL, 2);
		for (long i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, sender, (void *)i);
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
		pthread_barrier_destroy(&barrier);
		for (;;) {
			struct pollfd p = { .fd = sock, .events = POLLIN };
			ssize_t n;

			if (answers == 2 * per_thread)
				break;
			if (poll(&p, 1, timeout) <= 0)
				break;
			n = recv(sock, buf, sizeof(buf) - 1, 0);
			if (n <= 0)
				continue;
			buf[n] = 0;
			answers++;
			/* A server not seen yet for this flow. */
			if (!strstr(servers, buf) &&
			    strlen(servers) + n + 2 < sizeof(servers)) {
				if (nservers++)
					strcat(servers, "+");
				strcat(servers, buf);
			}
		}
		close(sock);
		printf("%u %d %s\n", ntohs(me.sin_port), answers,
		       nservers ? servers : "-");
		split += nservers > 1;
		unanswered += !answers;
	}
	printf("flows %d split %d unanswered %d\n", flows, split, unanswered);
	return split || unanswered;
usage:
	fprintf(stderr, "usage: vs-udprace [-n FLOWS] [-k PER_THREAD] [-t TIMEOUT_MS] ADDR:PORT\n");
	return 2;
}
