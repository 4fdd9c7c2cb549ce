// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel side: two libvsched handles (requests; events), a full read
 * of services and servers on connect, then the event stream. The daemon
 * only follows what the kernel has: it never creates or deletes services
 * or servers, and it sends nothing but health (vh_kernel_send).
 *
 * The module can go away (rmmod) and come back (insmod, then vsadm -R):
 * nothing on the netlink socket says so, because an unregistered family
 * just stops sending. A one-second timer watches /sys/module/vsched: gone,
 * or a new directory (another load), means the old handles are dead.
 * Then the registry is cleared and the daemon reconnects as soon as the
 * module is back. While it is absent, vs_open() is not even tried:
 * resolving the family would make the kernel autoload the module the
 * administrator just unloaded. Without sysfs (some containers), an
 * INFO_GET every second that fails is the sign instead.
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "daemon.h"
#include "log.h"

#define VH_MODULE_DIR	"/sys/module/vsched"
#define VH_RETRY_USEC	1000000ULL
#define VH_EVENT_RCVBUF	(4 << 20)	/* a vsadm -R of thousands of servers */

struct vh_kernel {
	struct vh_daemon *d;
	struct vs_handle *req, *evh;
	sd_event_source *io, *timer;
	bool connected;
	bool use_sysfs;			/* /sys/module exists: watch it */
	ino_t mod_ino;			/* /sys/module/vsched when connected */
	int last_err;			/* last failure logged, to log once */
};

static bool module_ino(ino_t *ino)
{
	struct stat st;

	if (stat(VH_MODULE_DIR, &st))
		return false;
	*ino = st.st_ino;
	return true;
}

/* Loaded and initialized ("live", not "coming" or "going"): only then
 * is its family registered. No initstate: built in, always live.
 */
static bool module_live(void)
{
	char buf[16] = "";
	FILE *f = fopen(VH_MODULE_DIR "/initstate", "r");

	if (!f)
		return errno == ENOENT;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return !strncmp(buf, "live", 4);
}

static void disconnect(struct vh_kernel *k, const char *why)
{
	if (k->connected) {
		vh_warn("vsched module %s: forgetting its services; waiting for it to come back",
			why);
		k->d->stats.kernel_losses++;
	}
	k->connected = false;
	vh_health_clear(k->d->health);
	k->io = sd_event_source_disable_unref(k->io);
	vs_close(k->evh);
	vs_close(k->req);
	k->evh = k->req = NULL;
	vh_daemon_status(k->d);
}

int vh_kernel_send(void *arg, const struct vs_svc *svc,
		   const struct vs_dest *dest)
{
	struct vh_daemon *d = arg;
	struct vh_kernel *k = d->kernel;
	int err;

	if (!k || !k->req)
		return -ENOTCONN;
	err = vs_dest_edit(k->req, svc, dest);
	if (err && err != -ENOENT && *vs_errmsg(k->req))
		vh_warn("kernel: %s", vs_errmsg(k->req));
	return err;
}

void vh_kernel_apply_list(struct vh_health *h, const struct vs_svc *svcs,
			  size_t n_svcs, struct vs_dest *const *dests,
			  const size_t *n_dests, uint64_t now)
{
	struct vh_dest *d, *next;
	size_t i, j;

	/* Sweep what the kernel no longer has. */
	for (i = 0; i < h->n_svcs;) {
		for (j = 0; j < n_svcs; j++)
			if (svcs[j].protocol == h->svcs[i].protocol &&
			    svcs[j].addr.s_addr == h->svcs[i].addr.s_addr &&
			    svcs[j].port == h->svcs[i].port)
				break;
		if (j == n_svcs) {
			struct vs_svc gone = h->svcs[i];

			vh_health_svc_del(h, &gone, now);
			continue;	/* svcs[i] now holds another one */
		}
		i++;
	}
	for (d = h->dests; d; d = next) {
		bool found = false;

		/* Deleting d frees d only: next stays valid. */
		next = d->next;
		for (i = 0; i < n_svcs && !found; i++) {
			if (svcs[i].protocol != d->svc.protocol ||
			    svcs[i].addr.s_addr != d->svc.addr.s_addr ||
			    svcs[i].port != d->svc.port)
				continue;
			for (j = 0; j < n_dests[i]; j++)
				if (dests[i][j].addr.s_addr == d->kd.addr.s_addr &&
				    dests[i][j].port == d->kd.port)
					found = true;
		}
		if (!found) {
			struct vs_svc sv = d->svc;
			struct vs_dest kd = d->kd;

			vh_health_dest_del(h, &sv, &kd, now);
		}
	}
	/* And take in what it has: servers first, so that a service's
	 * quorum is first judged with its servers.
	 */
	for (i = 0; i < n_svcs; i++) {
		for (j = 0; j < n_dests[i]; j++)
			vh_health_dest_update(h, &svcs[i], &dests[i][j], now);
		vh_health_svc_add(h, &svcs[i]);
	}
}

/* Mark-and-sweep read of everything: after connect, and after lost
 * events. Pairs of servers that are still there keep their state.
 */
static int resync(struct vh_kernel *k)
{
	struct vs_svc *svcs = NULL;
	struct vs_dest **dests;
	size_t n_svcs = 0, *n_dests, i;
	int err;

	err = vs_svc_list(k->req, &svcs, &n_svcs);
	if (err)
		return err;
	dests = calloc(n_svcs + 1, sizeof(*dests));
	n_dests = calloc(n_svcs + 1, sizeof(*n_dests));
	if (!dests || !n_dests) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n_svcs; i++) {
		err = vs_dest_list(k->req, &svcs[i], &dests[i], &n_dests[i]);
		/* Deleted since the service list: the events will say. */
		if (err == -ENOENT)
			err = 0;
		if (err)
			goto out;
	}
	vh_kernel_apply_list(k->d->health, svcs, n_svcs, dests, n_dests,
			     vh_now_ms(k->d));
out:
	for (i = 0; dests && i < n_svcs; i++)
		free(dests[i]);
	free(dests);
	free(n_dests);
	free(svcs);
	return err;
}

void vh_kernel_apply_event(struct vh_health *h, const struct vs_event *ev,
			   uint64_t now)
{
	switch (ev->cmd) {
	case VSCHED_CMD_SVC_NEW:
	case VSCHED_CMD_SVC_SET:
		vh_health_svc_add(h, &ev->svc);
		break;
	case VSCHED_CMD_SVC_DEL:
		vh_health_svc_del(h, &ev->svc, now);
		break;
	case VSCHED_CMD_DEST_NEW:
	case VSCHED_CMD_DEST_SET:
		if (ev->has_dest)
			vh_health_dest_update(h, &ev->svc, &ev->dest, now);
		break;
	case VSCHED_CMD_DEST_DEL:
		if (ev->has_dest)
			vh_health_dest_del(h, &ev->svc, &ev->dest, now);
		break;
	default:
		break;
	}
}

static void on_event(const struct vs_event *ev, void *arg)
{
	struct vh_kernel *k = arg;

	vh_kernel_apply_event(k->d->health, ev, vh_now_ms(k->d));
}

static int on_readable(sd_event_source *src, int fd, uint32_t revents,
		       void *arg)
{
	struct vh_kernel *k = arg;
	int err;

	(void)src;
	(void)fd;
	(void)revents;
	err = vs_events_recv(k->evh, on_event, k);
	if (!err || err == -EAGAIN || err == -EINTR)
		return 0;
	if (err == -ENOMEM) {
		/* ENOBUFS: the socket overflowed and events were lost.
		 * Read everything again.
		 */
		vh_warn("kernel events lost (receive buffer overrun): re-reading every service");
		k->d->stats.kernel_resyncs++;
		err = resync(k);
		if (!err)
			return 0;
	}
	disconnect(k, "stopped answering");
	vh_warn("kernel events: %s", strerror(-err));
	return 0;
}

static int try_connect(struct vh_kernel *k)
{
	int err, fd, buf = VH_EVENT_RCVBUF;

	if (k->use_sysfs && (!module_ino(&k->mod_ino) || !module_live()))
		return -VS_ENOFAMILY;
	err = vs_open(&k->req);
	if (!err)
		err = vs_open(&k->evh);
	/* Subscribe before listing: a change made in between is then
	 * both listed and reported, which is harmless; the other order
	 * could miss it.
	 */
	if (!err)
		err = vs_events_subscribe(k->evh);
	if (err)
		goto err;
	fd = vs_events_fd(k->evh);
	/* Never block the loop in a read that has nothing to read. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buf, sizeof(buf)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buf, sizeof(buf));
	err = sd_event_add_io(k->d->ev, &k->io, fd, EPOLLIN, on_readable, k);
	if (err < 0)
		goto err;
	k->connected = true;
	err = resync(k);
	if (err) {
		disconnect(k, "could not be read");
		return err;
	}
	vh_notice("connected to the vsched module: %zu services, %zu real servers, %zu checks",
		  k->d->health->n_svcs, k->d->health->n_dests,
		  k->d->health->n_pairs);
	k->last_err = 0;
	vh_daemon_status(k->d);
	return 0;
err:
	k->io = sd_event_source_disable_unref(k->io);
	vs_close(k->evh);
	vs_close(k->req);
	k->evh = k->req = NULL;
	return err;
}

static void log_connect_error(struct vh_kernel *k, int err)
{
	if (err == k->last_err)
		return;
	k->last_err = err;
	if (err == -VS_ENOFAMILY)
		vh_warn("the vsched module is not loaded; retrying every second");
	else if (err == -EPERM || err == -EACCES)
		vh_err("cannot talk to the vsched module: %s (vshealthd needs CAP_NET_ADMIN); retrying every second",
		       strerror(-err));
	else
		vh_err("cannot talk to the vsched module: %s; retrying every second",
		       strerror(-err));
	vh_daemon_status(k->d);
}

static int on_timer(sd_event_source *src, uint64_t usec, void *arg)
{
	struct vh_kernel *k = arg;
	ino_t ino;
	int err;

	sd_event_source_set_time(src, usec + VH_RETRY_USEC);
	if (k->connected) {
		struct vs_info info;

		/* Without sysfs, ask: a family that went away answers
		 * with an error.
		 */
		if (!k->use_sysfs) {
			if (!vs_info_get(k->req, &info))
				return 0;
			disconnect(k, "stopped answering");
		} else if (!module_ino(&ino)) {
			disconnect(k, "unloaded");
		} else if (ino != k->mod_ino) {
			disconnect(k, "reloaded");
		} else {
			return 0;
		}
	}
	err = try_connect(k);
	if (err)
		log_connect_error(k, err);
	vh_daemon_ready(k->d);
	return 0;
}

int vh_kernel_start(struct vh_daemon *d)
{
	struct vh_kernel *k = calloc(1, sizeof(*k));
	struct stat st;
	uint64_t now;
	int err;

	if (!k)
		return -ENOMEM;
	k->d = d;
	d->kernel = k;
	/* Without sysfs, module unload cannot be seen; events and sends
	 * failing is all there is.
	 */
	k->use_sysfs = !stat("/sys/module", &st) && S_ISDIR(st.st_mode);
	err = try_connect(k);
	if (err)
		log_connect_error(k, err);
	/* Ready after the first attempt even if the module is absent:
	 * waiting for it is this daemon's normal work, and systemd would
	 * otherwise kill it at the start timeout.
	 */
	vh_daemon_ready(d);
	sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	err = sd_event_add_time(d->ev, &k->timer, CLOCK_MONOTONIC,
				now + VH_RETRY_USEC, 100000, on_timer, k);
	if (err < 0)
		return err;
	sd_event_source_set_enabled(k->timer, SD_EVENT_ON);
	return 0;
}

void vh_kernel_stop(struct vh_daemon *d)
{
	struct vh_kernel *k = d->kernel;

	if (!k)
		return;
	k->timer = sd_event_source_disable_unref(k->timer);
	k->io = sd_event_source_disable_unref(k->io);
	vs_close(k->evh);
	vs_close(k->req);
	free(k);
	d->kernel = NULL;
}

bool vh_kernel_connected(const struct vh_daemon *d)
{
	return d->kernel && d->kernel->connected;
}
