// SPDX-License-Identifier: GPL-2.0
/* vshealthd's quorum commands: run without blocking, with the service,
 * weight and direction in the environment, reaped by the loop; a failing
 * command is counted.
 */

#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon.h"
#include "harness.h"
#include "vh_util.h"

static char *read_file(const char *path)
{
	char *buf = calloc(1, 256);
	FILE *f = fopen(path, "r");

	if (f) {
		if (!fgets(buf, 255, f))
			buf[0] = '\0';
		fclose(f);
	}
	return buf;
}

TEST(vh_quorum_commands_run_and_are_reaped)
{
	char out[] = "/tmp/vh-quorum-XXXXXX", text[512], *got;
	struct vh_daemon d = { 0 };
	sigset_t chld, old;
	int fd, i;

	fd = mkstemp(out);
	CHECK(fd >= 0);
	close(fd);
	/* The single quotes make it a /bin/sh -c command. */
	snprintf(text, sizeof(text),
		 "checks = { web = { type = \"tcp\"; }; };\n"
		 "services = ( { service = \"tcp 198.18.100.1:80\"; checks = \"web\"; quorum = 5;\n"
		 "  quorum_up = \"echo \\\"$VH_SERVICE|$VH_WEIGHT|$VH_QUORUM\\\" > %s\";\n"
		 "  quorum_down = \"/bin/false\"; } );\n", out);
	d.cfg = vh_t_config(text);
	CHECK(d.cfg != NULL);
	if (!d.cfg)
		return;
	/* sd_event_add_child() needs SIGCHLD blocked, as the daemon has. */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	CHECK(sd_event_new(&d.ev) >= 0);

	vh_quorum_run(&d, &d.cfg->services[0], true, 12);
	CHECK(d.stats.quorum_cmds == 1);
	for (i = 0; i < 300 && d.stats.quorum_cmd_failures == 0; i++) {
		got = read_file(out);
		if (*got) {
			free(got);
			break;
		}
		free(got);
		sd_event_run(d.ev, 10000);
	}
	/* Let the loop reap it. */
	for (i = 0; i < 20; i++)
		sd_event_run(d.ev, 10000);
	got = read_file(out);
	CHECK_STR(got, "tcp 198.18.100.1:80|12|up\n");
	free(got);
	CHECK(d.stats.quorum_cmd_failures == 0);

	vh_quorum_run(&d, &d.cfg->services[0], false, 3);
	CHECK(d.stats.quorum_cmds == 2);
	for (i = 0; i < 300 && d.stats.quorum_cmd_failures == 0; i++)
		sd_event_run(d.ev, 10000);
	CHECK(d.stats.quorum_cmd_failures == 1);	/* exit status 1 */

	sd_event_unref(d.ev);
	sigprocmask(SIG_SETMASK, &old, NULL);
	vh_config_free(d.cfg);
	unlink(out);
}

/* The command inherits no descriptor of the daemon's, also none above
 * 1023 (the daemon raises its limit; the old fork + close loop stopped
 * at 1023), and is spawned without a window in which the daemon runs on
 * while the child still holds copies of its sockets.
 */
TEST(vh_quorum_command_inherits_no_descriptor)
{
	char out[] = "/tmp/vh-quorum-XXXXXX", text[512], *got;
	struct vh_daemon d = { 0 };
	struct rlimit rl;
	sigset_t chld, old;
	int fd, low, high = -1, i;

	fd = mkstemp(out);
	CHECK(fd >= 0);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);	/* no close-on-exec */
	CHECK(fd >= 3);
	/* Away from the numbers the shell uses for its own pipes. */
	low = dup2(fd, 200);
	close(fd);
	CHECK(low == 200);
	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_max > 1500) {
		struct rlimit more = { 1501, rl.rlim_max };

		if (rl.rlim_cur < 1501)
			setrlimit(RLIMIT_NOFILE, &more);
		high = dup2(low, 1500);
	}
	snprintf(text, sizeof(text),
		 "checks = { web = { type = \"tcp\"; }; };\n"
		 "services = ( { service = \"tcp 198.18.100.1:80\"; checks = \"web\"; quorum = 5;\n"
		 "  quorum_up = \"for f in 200 1500; do [ -e /proc/$$/fd/$f ] && echo leaked $f; done > %s; echo clean >> %s\"; } );\n",
		 out, out);
	d.cfg = vh_t_config(text);
	CHECK(d.cfg != NULL);
	if (!d.cfg)
		return;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &old);
	CHECK(sd_event_new(&d.ev) >= 0);

	vh_quorum_run(&d, &d.cfg->services[0], true, 12);
	CHECK(d.stats.quorum_cmds == 1);
	for (i = 0; i < 300 && d.stats.quorum_cmd_failures == 0; i++) {
		got = read_file(out);
		if (*got) {
			free(got);
			break;
		}
		free(got);
		sd_event_run(d.ev, 10000);
	}
	for (i = 0; i < 20; i++)
		sd_event_run(d.ev, 10000);
	got = read_file(out);
	/* The first line: "clean", or which descriptor leaked. */
	CHECK_STR(got, "clean\n");
	if (high < 0)
		printf("# RLIMIT_NOFILE too low: descriptor 1500 not tried\n");
	free(got);
	CHECK(d.stats.quorum_cmd_failures == 0);

	sd_event_unref(d.ev);
	sigprocmask(SIG_SETMASK, &old, NULL);
	vh_config_free(d.cfg);
	if (high >= 0)
		close(high);
	close(low);
	unlink(out);
}
