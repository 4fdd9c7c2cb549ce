// SPDX-License-Identifier: GPL-2.0
/*
 * Script check, as keepalived's MISC_CHECK with misc_dynamic: run
 * cfg->argv with VH_ADDR and VH_PORT in its environment; exit 0 is up,
 * 1 is down, 2..255 is up with a weight cap of status - 2. The first
 * line it prints (stdout or stderr) goes into a down reason. At timeout
 * its whole process group gets SIGKILL.
 *
 * The child runs in its own process group (so that the kill reaches what
 * it started), with signals unblocked and at their defaults, stdin from
 * /dev/null. sd-event reaps it; a child killed at timeout or on cancel
 * is left to a floating child source that only reaps it, so that the
 * daemon never waits for a process that is slow to die.
 */

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <sys/epoll.h>
#include <sys/wait.h>

#include "probe_int.h"

extern char **environ;

#define SCRIPT_OUT_MAX	80	/* bytes of output kept, for the reason */

struct script {
	sd_event_source *child, *out;
	pid_t pid;
	size_t len;
	char buf[SCRIPT_OUT_MAX + 1];
};

static int script_init(sd_event *ev)
{
	sigset_t set;

	(void)ev;
	/* sd_event_add_child() wants SIGCHLD blocked. */
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	return sigprocmask(SIG_BLOCK, &set, NULL) < 0 ? -errno : 0;
}

/* Keep the first SCRIPT_OUT_MAX bytes, read and drop the rest: a chatty
 * script must not block on a full pipe.
 */
static void script_drain(struct script *sc, int fd)
{
	char junk[4096];
	ssize_t n;

	for (;;) {
		size_t room = SCRIPT_OUT_MAX - sc->len;

		if (room)
			n = read(fd, sc->buf + sc->len, room);
		else
			n = read(fd, junk, sizeof(junk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (room)
			sc->len += n;
	}
	if (n == 0 || (n < 0 && errno != EAGAIN))
		sd_event_source_set_enabled(sc->out, SD_EVENT_OFF);
}

static int script_out(sd_event_source *s, int fd, uint32_t revents,
		      void *userdata)
{
	struct vh_probe *p = userdata;

	(void)s;
	(void)revents;
	script_drain(p->priv, fd);
	return 0;
}

/* The first line of the output, trimmed, or "". */
static const char *script_line(struct script *sc)
{
	char *s = sc->buf, *e;

	sc->buf[sc->len] = '\0';
	s += strspn(s, " \t\r\n");
	e = s + strcspn(s, "\r\n");
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	*e = '\0';
	return s;
}

static int script_exited(sd_event_source *s, const siginfo_t *si,
			 void *userdata)
{
	struct vh_probe *p = userdata;
	struct script *sc;
	const char *line;
	int st = si->si_status;

	if (!p) {
		/* A child killed by script_stop(), now reaped: the source
		 * was floating for this alone. Unfloating drops the loop's
		 * reference, the last one: sd-event frees it after this.
		 */
		sd_event_source_set_floating(s, false);
		return 0;
	}
	sc = p->priv;
	sc->pid = 0;			/* sd-event reaps it after this */
	script_drain(sc, sd_event_source_get_io_fd(sc->out));
	line = script_line(sc);
	if (si->si_code != CLD_EXITED) {
		vh_probe_done(p, false, "script: killed by signal %d (%s)", st,
			      strsignal(st));
	} else if (st == 1) {
		vh_probe_done(p, false, "script: exit 1%s%.50s",
			      *line ? ": " : "", line);
	} else {
		if (st >= 2)
			p->res.cap = st - 2;
		vh_probe_up(p);
	}
	return 0;
}

/* environ without VH_ADDR and VH_PORT, then ours. */
static char **script_env(struct vh_probe *p, char *addr, char *port)
{
	size_t n = 0, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = calloc(n + 3, sizeof(*env));
	if (!env)
		return NULL;
	for (n = 0; environ[n]; n++)
		if (strncmp(environ[n], "VH_ADDR=", 8) &&
		    strncmp(environ[n], "VH_PORT=", 8))
			env[k++] = environ[n];
	strcpy(addr, "VH_ADDR=");
	inet_ntop(AF_INET, &p->dst.sin_addr, addr + 8, INET_ADDRSTRLEN);
	snprintf(port, 16, "VH_PORT=%u", vh_probe_port(p));
	env[k++] = addr;
	env[k++] = port;
	return env;
}

static int script_spawn(struct vh_probe *p, struct script *sc, int out)
{
	char addr[8 + INET_ADDRSTRLEN], port[16], **env;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	int ret;

	env = script_env(p, addr, port);
	if (!env)
		return ENOMEM;
	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out, 1);
	posix_spawn_file_actions_adddup2(&fa, out, 2);
	/* Nothing else of the daemon's: a socket it inherited would stay
	 * open, and registered in the daemon's epoll, for as long as the
	 * script runs, after the daemon closed and forgot it (quorum.c).
	 */
	posix_spawn_file_actions_addclosefrom_np(&fa, 3);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP |
				 POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	ret = posix_spawnp(&sc->pid, p->cfg->argv[0], &fa, &attr,
			   p->cfg->argv, env);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	free(env);
	return ret;
}

static int script_start(struct vh_probe *p)
{
	struct script *sc;
	int fds[2], ret;

	if (!p->cfg->argv || !p->cfg->argv[0])
		return -EINVAL;
	sc = calloc(1, sizeof(*sc));
	if (!sc)
		return -ENOMEM;
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
		ret = -errno;
		free(sc);
		return ret;
	}
	ret = sd_event_add_io(p->ev, &sc->out, fds[0], EPOLLIN, script_out, p);
	if (ret < 0) {
		close(fds[0]);
		close(fds[1]);
		free(sc);
		return ret;
	}
	sd_event_source_set_io_fd_own(sc->out, true);
	p->priv = sc;
	ret = script_spawn(p, sc, fds[1]);
	close(fds[1]);
	if (ret) {
		sc->pid = 0;
		vh_probe_done(p, false, "script: %.24s: %s", p->cfg->argv[0],
			      strerror(ret));
		return 0;
	}
	ret = sd_event_add_child(p->ev, &sc->child, sc->pid, WEXITED,
				 script_exited, p);
	if (ret < 0) {
		/* Not watched: kill and reap it here, it has barely begun. */
		kill(-sc->pid, SIGKILL);
		waitpid(sc->pid, NULL, 0);
		sc->pid = 0;
		sd_event_source_disable_unref(sc->out);
		p->priv = NULL;
		free(sc);
		return ret;
	}
	p->phase = "script still running";
	return 0;
}

static void script_stop(struct vh_probe *p)
{
	struct script *sc = p->priv;

	if (!sc)
		return;
	if (sc->pid > 0) {
		/* Not reaped yet, so the group ID is still its own. */
		kill(-sc->pid, SIGKILL);
		sd_event_source_set_userdata(sc->child, NULL);
		if (sd_event_source_set_floating(sc->child, true) >= 0)
			sd_event_source_unref(sc->child);
		else
			sd_event_source_disable_unref(sc->child);
	} else {
		sd_event_source_disable_unref(sc->child);
	}
	sd_event_source_disable_unref(sc->out);
	free(sc);
	p->priv = NULL;
}

const struct vh_probe_ops vh_probe_script_ops = {
	.init = script_init,
	.start = script_start,
	.stop = script_stop,
};
