// SPDX-License-Identifier: GPL-2.0
/*
 * quorum_up / quorum_down: the configured command runs in a child of its
 * own (posix_spawn, never waited for on the loop), with the service and
 * the weight in its environment; sd-event reaps it and its exit status
 * is logged. The daemon never waits for it: a hung command must not stop
 * the health checks.
 *
 * posix_spawn rather than fork: glibc's runs the child with the parent
 * stopped until the exec, and the child closes every descriptor above 2
 * before it. With fork, the child held copies of all the daemon's
 * sockets (libcurl's are not close-on-exec) while the daemon went on,
 * and the old close loop stopped at 1023 although main.c raises the
 * limit. A socket closed in the daemon but still open in a child stays
 * in the daemon's epoll if it was not removed first, and the loop is
 * then woken for an event source it has freed: the suspected cause of
 * a SIGABRT seen once in the e2e suite while quorum commands ran.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

struct vh_child {
	struct vh_daemon *d;
	char *what;			/* "quorum_up of tcp 1.2.3.4:80" */
	sd_event_source *src;
};

static int on_child(sd_event_source *src, const siginfo_t *si, void *arg)
{
	struct vh_child *c = arg;

	if (si->si_code == CLD_EXITED && si->si_status == 0) {
		vh_info("%s: exited 0", c->what);
	} else {
		c->d->stats.quorum_cmd_failures++;
		if (si->si_code == CLD_EXITED)
			vh_warn("%s: exited %d", c->what, si->si_status);
		else
			vh_warn("%s: killed by signal %d", c->what,
				si->si_status);
	}
	(void)src;
	sd_event_source_unref(c->src);
	free(c->what);
	free(c);
	return 0;
}

/* A clean signal state (the daemon blocks SIGCHLD and others, ignores
 * SIGPIPE), stdin from /dev/null, no descriptor of ours but 1 and 2.
 */
static int spawn(pid_t *pid, char **argv, char **env)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	/* A bare name is looked up in PATH. */
	ret = posix_spawnp(pid, argv[0], &fa, &attr, argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return ret;
}

void vh_quorum_run(void *arg, const struct vh_service_cfg *s, bool up,
		   uint32_t weight)
{
	struct vh_daemon *d = arg;
	const struct vh_cmd *cmd = up ? &s->quorum_up : &s->quorum_down;
	const char *key = up ? "quorum_up" : "quorum_down";
	char *env[8], weight_env[48], quorum_env[48], svc_env[96];
	struct vh_child *c;
	extern char **environ;
	size_t n = 0;
	char **e;
	pid_t pid;
	int err;

	if (!cmd->argv)
		return;
	snprintf(svc_env, sizeof(svc_env), "VH_SERVICE=%s", s->name);
	snprintf(weight_env, sizeof(weight_env), "VH_WEIGHT=%u", weight);
	snprintf(quorum_env, sizeof(quorum_env), "VH_QUORUM=%s",
		 up ? "up" : "down");
	env[n++] = svc_env;
	env[n++] = weight_env;
	env[n++] = quorum_env;
	for (e = environ; *e && n < sizeof(env) / sizeof(*env) - 1; e++)
		if (!strncmp(*e, "PATH=", 5) || !strncmp(*e, "LANG=", 5))
			env[n++] = *e;
	env[n] = NULL;

	c = calloc(1, sizeof(*c));
	if (!c || asprintf(&c->what, "%s of %s (%s)", key, s->name,
			   cmd->text) < 0) {
		free(c);
		vh_err("%s of %s: out of memory, not run", key, s->name);
		d->stats.quorum_cmd_failures++;
		return;
	}
	c->d = d;
	d->stats.quorum_cmds++;
	err = spawn(&pid, cmd->argv, env);
	if (err) {
		vh_err("%s: cannot start: %s", c->what, strerror(err));
		d->stats.quorum_cmd_failures++;
		goto err;
	}
	err = sd_event_add_child(d->ev, &c->src, pid, WEXITED, on_child, c);
	if (err < 0) {
		/* Not reaped by the loop: it becomes a zombie until we exit.
		 * Better than blocking; say so.
		 */
		vh_err("%s: started (pid %d) but cannot watch it: %s", c->what,
		       (int)pid, strerror(-err));
		goto err;
	}
	vh_notice("%s: started, pid %d", c->what, (int)pid);
	return;
err:
	free(c->what);
	free(c);
}
