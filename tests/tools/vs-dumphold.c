// SPDX-License-Identifier: GPL-2.0
/*
 * vs-dumphold: start a dump of vsched's connection table and stop reading
 * it, so that the dump stays in progress (its callback, its walker on the
 * table and its hold on the module) until this process ends.
 *
 *   vs-dumphold [READY_FILE]
 *
 * Sends VSCHED_CMD_CONN_GET with NLM_F_DUMP in the current network
 * namespace and reads one batch. If that batch ends the dump (the table
 * fit in it, or was empty) it exits 3: nothing is held. Otherwise it
 * prints "held N" (N messages read), writes its pid to READY_FILE, and
 * waits for a signal. Exits 1 when vsched cannot be reached.
 */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/vsched.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>

int main(int argc, char **argv)
{
	struct sockaddr_nl peer;
	struct nl_sock *sk;
	struct nlmsghdr *nlh;
	unsigned char *buf = NULL;
	struct nl_msg *msg;
	int family, len, n = 0;
	FILE *f;

	if (argc > 2 || (argc == 2 && !strcmp(argv[1], "--help"))) {
		fprintf(stderr, "usage: vs-dumphold [READY_FILE]\n");
		return 2;
	}
	sk = nl_socket_alloc();
	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "vs-dumphold: no generic netlink socket\n");
		return 1;
	}
	family = genl_ctrl_resolve(sk, VSCHED_GENL_NAME);
	if (family < 0) {
		fprintf(stderr, "vs-dumphold: family %s: %s\n", VSCHED_GENL_NAME,
			nl_geterror(family));
		return 1;
	}
	msg = nlmsg_alloc();
	if (!msg || !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0,
				 NLM_F_DUMP, VSCHED_CMD_CONN_GET,
				 VSCHED_GENL_VERSION) ||
	    nl_send_auto(sk, msg) < 0) {
		fprintf(stderr, "vs-dumphold: cannot send the dump request\n");
		return 1;
	}
	nlmsg_free(msg);
	len = nl_recv(sk, &peer, &buf, NULL);
	if (len <= 0) {
		fprintf(stderr, "vs-dumphold: no answer: %s\n", nl_geterror(len));
		return 1;
	}
	for (nlh = (struct nlmsghdr *)buf; nlmsg_ok(nlh, len);
	     nlh = nlmsg_next(nlh, &len)) {
		if (nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_ERROR) {
			printf("done %d\n", n);
			return 3;
		}
		n++;
	}
	free(buf);
	printf("held %d\n", n);
	fflush(stdout);
	if (argc == 2) {
		f = fopen(argv[1], "w");
		if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f)) {
			fprintf(stderr, "vs-dumphold: %s: %s\n", argv[1],
				strerror(errno));
			return 1;
		}
	}
	for (;;)
		pause();
}
