// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket: a unix stream socket where a client writes one
 * command line ("show" or "show json"), reads the answer and sees the
 * socket close. Non-blocking on the daemon's loop, one small state per
 * client, a timeout so that a client that never writes cannot hold a
 * descriptor forever. Also the client side, for vshealthd --show.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "report.h"

#define VH_CMD_MAX		128
#define VH_CLIENT_TIMEOUT_USEC	5000000ULL
#define VH_MAX_CLIENTS		32

struct vh_client {
	struct vh_control *ctl;
	struct vh_client *next;
	int fd;
	sd_event_source *io, *timer;
	char in[VH_CMD_MAX];
	size_t in_len;
	char *out;			/* answer, malloc()ed */
	size_t out_len, out_off;
};

struct vh_control {
	struct vh_daemon *d;
	char *path;
	int fd;
	sd_event_source *io;
	struct vh_client *clients;
	size_t n_clients;
};

static void client_free(struct vh_client *c)
{
	struct vh_control *ctl = c->ctl;
	struct vh_client **pp;

	for (pp = &ctl->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	ctl->n_clients--;
	sd_event_source_disable_unref(c->io);
	sd_event_source_disable_unref(c->timer);
	close(c->fd);
	free(c->out);
	free(c);
}

/* The answer to one command line. */
static char *answer(struct vh_daemon *d, const char *cmd, size_t *len)
{
	struct vh_clock clk = { .now_ms = vh_now_ms(d) };
	char *buf = NULL;
	FILE *f;

	clk.wall_ms = vh_wall_ms(d, clk.now_ms);
	f = open_memstream(&buf, len);
	if (!f)
		return NULL;
	if (!strcmp(cmd, "show")) {
		if (!vh_kernel_connected(d))
			fprintf(f, "not connected to the vsched module (not loaded?)\n");
		vh_show_text(f, d->health, &clk);
	} else if (!strcmp(cmd, "show json")) {
		json_t *j = vh_show_json(d->health, &clk);

		json_object_set_new(j, "kernel_connected",
				    json_boolean(vh_kernel_connected(d)));
		json_dumpf(j, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		fputc('\n', f);
		json_decref(j);
	} else {
		fprintf(f, "error: unknown command \"%s\" (known: show, show json)\n",
			cmd);
	}
	fclose(f);
	return buf;
}

const char *vh_control_cmd(char *in, size_t len, bool more)
{
	char *nl = memchr(in, '\n', len);
	size_t n;

	/* A line, or EOF (shutdown after the command), or full. */
	if (!nl && more)
		return NULL;
	if (nl)
		*nl = '\0';
	/* The command ends at the first NUL or newline: it may be empty
	 * although bytes were read ("\n", "\0show\n").
	 */
	n = strlen(in);
	if (n && in[n - 1] == '\r')
		in[n - 1] = '\0';
	return in;
}

static int on_client(sd_event_source *src, int fd, uint32_t revents,
		     void *arg)
{
	struct vh_client *c = arg;
	const char *cmd;
	ssize_t n;

	(void)src;
	(void)revents;
	if (!c->out) {
		n = read(fd, c->in + c->in_len, sizeof(c->in) - 1 - c->in_len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0) {
			client_free(c);
			return 0;
		}
		c->in_len += n;
		c->in[c->in_len] = '\0';
		cmd = vh_control_cmd(c->in, c->in_len,
				     n > 0 && c->in_len < sizeof(c->in) - 1);
		if (!cmd)
			return 0;
		c->out = answer(c->ctl->d, cmd, &c->out_len);
		if (!c->out) {
			client_free(c);
			return 0;
		}
		sd_event_source_set_io_events(c->io, EPOLLOUT);
		return 0;
	}
	n = send(fd, c->out + c->out_off, c->out_len - c->out_off,
		 MSG_NOSIGNAL);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n > 0)
		c->out_off += n;
	if (n < 0 || c->out_off == c->out_len)
		client_free(c);
	return 0;
}

static int on_client_timeout(sd_event_source *src, uint64_t usec, void *arg)
{
	(void)src;
	(void)usec;
	client_free(arg);
	return 0;
}

static int on_accept(sd_event_source *src, int fd, uint32_t revents,
		     void *arg)
{
	struct vh_control *ctl = arg;
	struct vh_client *c;
	uint64_t now;
	int cfd;

	(void)src;
	(void)revents;
	cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return 0;
	if (ctl->n_clients >= VH_MAX_CLIENTS) {
		close(cfd);
		return 0;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(cfd);
		return 0;
	}
	c->ctl = ctl;
	c->fd = cfd;
	c->next = ctl->clients;
	ctl->clients = c;
	ctl->n_clients++;
	sd_event_now(ctl->d->ev, CLOCK_MONOTONIC, &now);
	if (sd_event_add_io(ctl->d->ev, &c->io, cfd, EPOLLIN, on_client, c) < 0 ||
	    sd_event_add_time(ctl->d->ev, &c->timer, CLOCK_MONOTONIC,
			      now + VH_CLIENT_TIMEOUT_USEC, 0,
			      on_client_timeout, c) < 0)
		client_free(c);
	return 0;
}

static int make_addr(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return -ENAMETOOLONG;
	strcpy(sa->sun_path, path);
	return 0;
}

int vh_control_start(struct vh_daemon *d, const char *path)
{
	struct vh_control *ctl;
	struct sockaddr_un sa;
	mode_t old;
	int fd, err;

	err = make_addr(path, &sa);
	if (err) {
		vh_err("control socket %s: path too long", path);
		return err;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* A socket file that answers belongs to a running daemon: leave
	 * it. One that refuses is a leftover of a dead one.
	 */
	if (!connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		vh_err("control socket %s: another vshealthd is running there",
		       path);
		close(fd);
		return -EADDRINUSE;
	}
	close(fd);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	unlink(path);
	/* Health details of the whole farm: root and its group only. */
	old = umask(0117);
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err || listen(fd, 16)) {
		err = -errno;
		vh_err("control socket %s: %s", path, strerror(-err));
		close(fd);
		return err;
	}
	ctl = calloc(1, sizeof(*ctl));
	if (!ctl || !(ctl->path = strdup(path))) {
		free(ctl);
		close(fd);
		unlink(path);
		return -ENOMEM;
	}
	ctl->d = d;
	ctl->fd = fd;
	err = sd_event_add_io(d->ev, &ctl->io, fd, EPOLLIN, on_accept, ctl);
	if (err < 0) {
		free(ctl->path);
		free(ctl);
		close(fd);
		unlink(path);
		return err;
	}
	d->control = ctl;
	vh_info("control socket %s", path);
	return 0;
}

void vh_control_stop(struct vh_daemon *d)
{
	struct vh_control *ctl = d->control;

	if (!ctl)
		return;
	while (ctl->clients)
		client_free(ctl->clients);
	sd_event_source_disable_unref(ctl->io);
	close(ctl->fd);
	unlink(ctl->path);
	free(ctl->path);
	free(ctl);
	d->control = NULL;
}

const char *vh_control_path(const struct vh_daemon *d)
{
	return d->control ? d->control->path : NULL;
}

int vh_control_query(const char *path, const char *cmd)
{
	struct sockaddr_un sa;
	char buf[4096];
	ssize_t n;
	int fd;

	if (make_addr(path, &sa)) {
		fprintf(stderr, "vshealthd: control socket path too long: %s\n",
			path);
		return -ENAMETOOLONG;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = errno;

		fprintf(stderr, "vshealthd: cannot connect to %s: %s (is vshealthd running? the path is the config's daemon.control, or give --control PATH)\n",
			path, strerror(err));
		if (fd >= 0)
			close(fd);
		return -err;
	}
	snprintf(buf, sizeof(buf), "%s\n", cmd);
	if (write(fd, buf, strlen(buf)) < 0) {
		int err = errno;

		fprintf(stderr, "vshealthd: %s: %s\n", path, strerror(err));
		close(fd);
		return -err;
	}
	shutdown(fd, SHUT_WR);
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		fwrite(buf, 1, n, stdout);
	close(fd);
	fflush(stdout);
	return n < 0 ? -errno : 0;
}
