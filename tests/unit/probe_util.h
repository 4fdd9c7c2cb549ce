/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for the probe tests: servers on 127.0.0.1 only (a listening
 * socket made before the fork, so no readiness polling is needed), and a
 * private sd-event loop that runs one probe until it reports.
 */
#ifndef VS_PROBE_UTIL_H
#define VS_PROBE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "probe.h"

struct probe_run {
	int ret;		/* vh_probe_start()'s */
	int calls;		/* callbacks so far: must end as 1 */
	int calls_at_start;	/* right after vh_probe_start(): must be 0 */
	uint32_t elapsed_ms;	/* start to callback */
	struct vh_result res;
};

/* A zeroed check of @type with @timeout_ms and the parser's defaults. */
void probe_cfg(struct vh_check_cfg *c, enum vh_check_type type,
	       uint32_t timeout_ms);

/* Probe 127.0.0.1:@port once with @cfg; waits up to 3 s for the
 * callback, then a little longer to catch a second one. With
 * VS_TEST_VERBOSE set in the environment, prints each result.
 */
void probe_run(const struct vh_check_cfg *cfg, uint16_t port,
	       struct probe_run *r);
/* @n probes at once, on one loop. */
void probe_run_many(const struct vh_check_cfg *const *cfgs,
		    const uint16_t *ports, size_t n, struct probe_run *r);
/* Start, run the loop for @cancel_ms, cancel, then run it past the
 * timeout. Returns how many callbacks came (must be 0), -errno if the
 * start failed.
 */
int probe_cancel(const struct vh_check_cfg *cfg, uint16_t port,
		 uint32_t cancel_ms);

/* Sockets on 127.0.0.1, port 0 (the kernel's choice) into *@port. */
int tcp_listener(uint16_t *port, int backlog);
int udp_bound(uint16_t *port);
/* A port nobody listens on (TCP and UDP alike, for a moment). */
uint16_t closed_port(void);

/* Read an HTTP request's head from @c into @req (NUL-terminated). */
void http_read_request(int c, char *req, size_t size);

/* Run @fn(@fd, @arg) in a child; the parent closes @fd. */
pid_t fork_server(void (*fn)(int fd, const void *arg), int fd,
		  const void *arg);
void stop_server(pid_t pid);

#endif /* VS_PROBE_UTIL_H */
