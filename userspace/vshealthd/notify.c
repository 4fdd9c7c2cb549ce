// SPDX-License-Identifier: GPL-2.0
/* What systemd (sd_notify READY=1, STATUS=) and the pidfile are told. */

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "log.h"

void vh_daemon_status(struct vh_daemon *d)
{
	size_t up = 0, down = 0, unknown = 0;
	struct vh_dest *x;

	if (!d->health)
		return;
	if (!vh_kernel_connected(d)) {
		sd_notify(0, "STATUS=waiting for the vsched module");
		return;
	}
	for (x = d->health->dests; x; x = x->next) {
		if (!x->n_pairs)
			continue;
		if (!x->verdict.known)
			unknown++;
		else if (x->verdict.health == VSCHED_HEALTH_UP)
			up++;
		else
			down++;
	}
	sd_notifyf(0, "STATUS=%zu services, %zu servers checked: %zu up, %zu down, %zu unknown; %zu probes",
		   d->health->n_svcs, up + down + unknown, up, down, unknown,
		   d->health->n_pairs);
}

void vh_daemon_ready(struct vh_daemon *d)
{
	FILE *f;

	if (d->ready)
		return;
	d->ready = true;
	vh_daemon_status(d);
	sd_notify(0, "READY=1");
	if (!d->pidfile)
		return;
	f = fopen(d->pidfile, "w");
	if (!f || fprintf(f, "%d\n", (int)getpid()) < 0 || fclose(f))
		vh_err("pidfile %s: %s", d->pidfile, strerror(errno));
}
