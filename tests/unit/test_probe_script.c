// SPDX-License-Identifier: GPL-2.0
/* Script checks: /bin/sh -c '...' as the program. */

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "harness.h"
#include "probe_util.h"

static void script_run(const char *sh, uint32_t timeout_ms, uint16_t port,
		       struct probe_run *r)
{
	char *argv[] = { "/bin/sh", "-c", (char *)sh, NULL };
	struct vh_check_cfg c;

	probe_cfg(&c, VH_CHECK_SCRIPT, timeout_ms);
	c.argv = argv;
	probe_run(&c, port, r);
}

TEST(probe_script_exit_status)
{
	struct probe_run r;

	script_run("exit 0", 1000, 80, &r);
	CHECK(r.ret == 0 && r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up && r.res.cap == VH_NONE && r.res.pct == VH_NONE);
	CHECK_STR(r.res.reason, "ok");

	script_run("exit 1", 1000, 80, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "script: exit 1");

	/* misc_dynamic: 2..255 is up with a cap of status - 2. */
	script_run("exit 2", 1000, 80, &r);
	CHECK(r.calls == 1 && r.res.up && r.res.cap == 0);
	script_run("exit 52", 1000, 80, &r);
	CHECK(r.calls == 1 && r.res.up && r.res.cap == 50);
	script_run("exit 255", 1000, 80, &r);
	CHECK(r.calls == 1 && r.res.up && r.res.cap == 253);
}

TEST(probe_script_output_env)
{
	char *argv[] = { "/bin/sh", "-c",
		"test \"$VH_ADDR:$VH_PORT\" = 127.0.0.1:$0", NULL, NULL };
	struct vh_check_cfg c;
	struct probe_run r;

	script_run("echo; echo '  disk full  ' >&2; echo more; exit 1", 1000,
		   80, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "script: exit 1: disk full");

	/* A flood of output does not block the script. */
	script_run("yes | head -c 1000000; exit 0", 1000, 80, &r);
	CHECK(r.calls == 1 && r.res.up);

	probe_cfg(&c, VH_CHECK_SCRIPT, 1000);
	c.argv = argv;
	argv[3] = "8080";
	probe_run(&c, 8080, &r);
	CHECK(r.calls == 1 && r.res.up);
	argv[3] = "9090";		/* the check's port wins */
	c.port = 9090;
	probe_run(&c, 8080, &r);
	CHECK(r.calls == 1 && r.res.up);
	argv[3] = "8080";
	probe_run(&c, 8080, &r);
	CHECK(r.calls == 1 && !r.res.up);
}

TEST(probe_script_failures)
{
	char *argv[] = { "/nonexistent/check", NULL };
	struct vh_check_cfg c;
	struct probe_run r;

	script_run("kill -9 $$", 1000, 80, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "script: killed by signal 9 (Killed)");

	probe_cfg(&c, VH_CHECK_SCRIPT, 1000);
	c.argv = argv;
	probe_run(&c, 80, &r);
	CHECK(r.ret == 0 && r.calls_at_start == 0 && r.calls == 1);
	CHECK(!r.res.up);
	CHECK_STR(r.res.reason,
		  "script: /nonexistent/check: No such file or directory");
}

/* Gone or a zombie waiting for its reaper. */
static bool dead(pid_t pid)
{
	char path[64], buf[256], *s;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return true;
	s = fgets(buf, sizeof(buf), f);
	fclose(f);
	s = s ? strrchr(buf, ')') : NULL;
	return !s || s[2] == 'Z' || s[2] == 'X';
}

static pid_t read_pid(const char *file)
{
	FILE *f = fopen(file, "r");
	int pid = 0;

	if (f) {
		if (fscanf(f, "%d", &pid) != 1)
			pid = 0;
		fclose(f);
	}
	unlink(file);
	return pid;
}

/* At timeout the whole process group dies, and the child is reaped. */
TEST(probe_script_timeout_kills_group)
{
	char file[] = "/tmp/vs-probe-script.XXXXXX", sh[128];
	struct probe_run r;
	pid_t bg;
	int fd = mkstemp(file), i;

	close(fd);
	snprintf(sh, sizeof(sh), "sleep 10 & echo $! > %s; wait", file);
	script_run(sh, 200, 80, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "timeout after 200 ms (script still running)");
	CHECK(r.elapsed_ms >= 195 && r.elapsed_ms < 400);
	bg = read_pid(file);
	CHECK(bg > 0);
	for (i = 0; i < 100 && bg > 0 && !dead(bg); i++)
		usleep(10000);
	CHECK(bg > 0 && dead(bg));
	/* Nothing of ours is left unreaped. */
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
}

TEST(probe_script_cancel)
{
	char *argv[] = { "/bin/sh", "-c", "sleep 10", NULL };
	char *bad[] = { "/nonexistent/check", NULL };
	struct vh_check_cfg c;

	probe_cfg(&c, VH_CHECK_SCRIPT, 200);
	c.argv = argv;
	CHECK(probe_cancel(&c, 80, 50) == 0);
	CHECK(waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD);
	/* A result already queued is not delivered after a cancel. */
	c.argv = bad;
	CHECK(probe_cancel(&c, 80, 0) == 0);
}

/* The script inherits none of the daemon's descriptors: a socket it kept
 * would stay registered in the daemon's epoll after the daemon closed
 * it (a use after free in sd-event). One without close-on-exec, as
 * libcurl's were, is the test.
 */
TEST(probe_script_inherits_no_descriptor)
{
	char sh[128], *argv[] = { "/bin/sh", "-c", sh, NULL };
	struct vh_check_cfg c;
	struct probe_run r;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	CHECK(fd >= 3);
	if (fd < 3)
		return;
	snprintf(sh, sizeof(sh), "if [ -e /proc/$$/fd/%d ]; then exit 1; fi",
		 fd);
	probe_cfg(&c, VH_CHECK_SCRIPT, 1000);
	c.argv = argv;
	probe_run(&c, 80, &r);
	CHECK(r.calls == 1);
	CHECK_STR(r.res.reason, "ok");
	CHECK(r.res.up);
	close(fd);
}
