// SPDX-License-Identifier: GPL-2.0
/*
 * HTTPS checks against `openssl s_server -www` on 127.0.0.1 with a
 * self-signed certificate for sni.example.test, which answers only to
 * that SNI name (-servername_fatal): skipped without the openssl tool.
 */

#include <arpa/inet.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "probe_util.h"

#define SNI "sni.example.test"

static bool port_open(uint16_t port)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM, 0), ret;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(port);
	ret = connect(fd, (struct sockaddr *)&a, sizeof(a));
	close(fd);
	return ret == 0;
}

static pid_t tls_server(const char *dir, uint16_t port)
{
	char cmd[512], accept_arg[32], cert[128], key[128];
	pid_t pid;
	int i;

	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" SNI
		 " -addext subjectAltName=DNS:" SNI
		 " -days 2 -keyout %s -out %s >/dev/null 2>&1", key, cert);
	if (system(cmd) != 0)
		return -1;
	snprintf(accept_arg, sizeof(accept_arg), "127.0.0.1:%u", port);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		sigset_t all;
		int null = open("/dev/null", O_RDWR);

		sigfillset(&all);
		sigprocmask(SIG_UNBLOCK, &all, NULL);
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execlp("openssl", "openssl", "s_server", "-accept", accept_arg,
		       "-cert", cert, "-key", key, "-cert2", cert, "-key2",
		       key, "-servername", SNI, "-servername_fatal", "-www",
		       "-quiet", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		if (port_open(port))
			return pid;
		if (waitpid(pid, NULL, WNOHANG) == pid)
			return -1;
		usleep(10000);
	}
	stop_server(pid);
	return -1;
}

TEST(probe_https)
{
	char dir[] = "/tmp/vs-probe-tls.XXXXXX", rm[64], ca[64];
	struct vh_check_cfg c;
	struct probe_run r;
	uint16_t port = closed_port();
	pid_t pid;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	pid = tls_server(dir, port);
	if (pid < 0) {
		printf("    SKIP: no working `openssl req` / `openssl s_server`\n");
		goto out;
	}
	probe_cfg(&c, VH_CHECK_HTTPS, 1000);
	c.sni = SNI;
	c.tls_verify = false;
	probe_run(&c, port, &r);
	CHECK(r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up);
	CHECK_STR(r.res.reason, "ok");

	/* The TLS name comes from host when there is no sni. */
	c.sni = NULL;
	c.host = SNI;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);

	/* The server refuses another name: SNI really is sent. */
	c.host = NULL;
	c.sni = "other.example.test";
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_HAS(r.res.reason, "TLS: ");

	/* A self-signed certificate does not pass verification. */
	c.sni = SNI;
	c.tls_verify = true;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_HAS(r.res.reason, "certificate");

	/* Verified against an internal CA (here the certificate itself):
	 * up; the system's store is not what decided.
	 */
	snprintf(ca, sizeof(ca), "%s/cert.pem", dir);
	c.tls_ca = ca;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && r.res.up);
	CHECK_STR(r.res.reason, "ok");
	/* The CA file does not make a wrong name pass. */
	c.sni = "other.example.test";
	c.tls_verify = true;
	probe_run(&c, port, &r);
	CHECK(r.calls == 1 && !r.res.up);
	c.tls_ca = NULL;
	c.sni = SNI;

	/* A name that would change the URL is refused, not sent. */
	c.sni = "evil/path@x";
	probe_run(&c, port, &r);
	CHECK(r.calls_at_start == 0 && r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "bad TLS name \"evil/path@x\"");
	stop_server(pid);
out:
	snprintf(rm, sizeof(rm), "rm -rf %s", dir);
	CHECK(system(rm) == 0);
}
