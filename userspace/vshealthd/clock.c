// SPDX-License-Identifier: GPL-2.0
/* The daemon's clocks (daemon.h): the loop's monotonic time in ms, the
 * time base of health.c, and its translation to the wall clock.
 */

#include "daemon.h"

uint64_t vh_now_ms(const struct vh_daemon *d)
{
	uint64_t now;

	sd_event_now(d->ev, CLOCK_MONOTONIC, &now);
	return now / 1000;
}

uint64_t vh_wall_ms(const struct vh_daemon *d, uint64_t mono_ms)
{
	uint64_t real, now = vh_now_ms(d);

	sd_event_now(d->ev, CLOCK_REALTIME, &real);
	real /= 1000;
	return real - (now > mono_ms ? now - mono_ms : 0);
}
