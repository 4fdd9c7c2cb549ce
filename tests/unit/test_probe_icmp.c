// SPDX-License-Identifier: GPL-2.0
/* ICMP check: echo to 127.0.0.1, skipped without ping or raw sockets. */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "probe_util.h"

static bool icmp_denied(int ret)
{
	if (ret != -EACCES && ret != -EPERM)
		return false;
	printf("    SKIP: neither a ping socket (net.ipv4.ping_group_range) nor a raw socket (CAP_NET_RAW) is allowed here\n");
	return true;
}

TEST(probe_icmp)
{
	struct vh_check_cfg c;
	struct probe_run r[3];
	const struct vh_check_cfg *cfgs[3] = { &c, &c, &c };
	uint16_t ports[3] = { 0, 0, 0 };

	probe_cfg(&c, VH_CHECK_ICMP, 500);
	probe_run(&c, 0, &r[0]);
	if (icmp_denied(r[0].ret))
		return;
	CHECK(r[0].ret == 0 && r[0].calls_at_start == 0 && r[0].calls == 1);
	CHECK(r[0].res.up);
	CHECK_STR(r[0].res.reason, "ok");
	CHECK(r[0].res.duration_us > 0 && r[0].res.duration_us < 500000);

	/* Three at once: each matches its own reply (a raw socket sees
	 * all of them).
	 */
	probe_run_many(cfgs, ports, 3, r);
	CHECK(r[0].calls == 1 && r[0].res.up);
	CHECK(r[1].calls == 1 && r[1].res.up);
	CHECK(r[2].calls == 1 && r[2].res.up);
}

TEST(probe_icmp_cancel)
{
	struct vh_check_cfg c;
	int ret;

	probe_cfg(&c, VH_CHECK_ICMP, 200);
	ret = probe_cancel(&c, 0, 0);
	if (icmp_denied(ret))
		return;
	CHECK(ret == 0);
}

/*
 * The ping-socket path, where it is allowed: in a private network
 * namespace (its own loopback and its own ping_group_range), so that the
 * host's settings are left alone. Needs root; skipped otherwise.
 */
static int icmp_in_netns(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	struct vh_check_cfg c;
	struct probe_run r;
	int fd, s;

	if (unshare(CLONE_NEWNET) < 0)
		return 77;
	s = socket(AF_INET, SOCK_DGRAM, 0);
	if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return 2;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return 3;
	fd = open("/proc/sys/net/ipv4/ping_group_range", O_WRONLY);
	if (fd < 0 || write(fd, "0 2147483647", 12) != 12)
		return 77;
	close(fd);
	fd = socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP);
	if (fd < 0)
		return 4;
	close(fd);
	probe_cfg(&c, VH_CHECK_ICMP, 500);
	probe_run(&c, 0, &r);
	return r.ret == 0 && r.calls == 1 && r.res.up ? 0 : 1;
}

TEST(probe_icmp_ping_socket)
{
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0)
		_exit(icmp_in_netns());
	waitpid(pid, &status, 0);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
		printf("    SKIP: no private network namespace (needs root)\n");
		return;
	}
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
