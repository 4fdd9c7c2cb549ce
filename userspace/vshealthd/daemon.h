/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The running daemon: the state main.c wires together and the pieces
 * around the health registry (kernel sync, probe timers, quorum
 * commands, control socket, metrics endpoint) share. Everything runs on
 * one sd-event loop in one thread: no locking anywhere.
 */
#ifndef VH_DAEMON_H
#define VH_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "config.h"
#include "health.h"

struct vh_kernel;
struct vh_control;
struct vh_metrics;
struct vh_sched_q;

/* Counters of the daemon itself, for the metrics endpoint. */
struct vh_stats {
	uint64_t reloads_ok, reloads_failed;
	uint64_t kernel_resyncs;	/* full list after an event overrun */
	uint64_t kernel_losses;		/* module gone */
	uint64_t quorum_cmds;		/* quorum_up/_down commands run */
	uint64_t quorum_cmd_failures;	/* not started or non-zero exit */
	uint64_t probe_start_errors;	/* local: probe could not start */
};

struct vh_daemon {
	sd_event *ev;
	struct vh_config *cfg;
	struct vh_health *health;
	struct vh_kernel *kernel;
	struct vh_control *control;
	struct vh_metrics *metrics;
	struct vh_sched_q *sched_q;	/* sched.c: the ticks of every pair */
	struct vh_stats stats;
	bool ready;			/* READY=1 sent */
	const char *pidfile;		/* written once ready, or NULL */
};

/* Milliseconds on the loop's monotonic clock, the time base of health.c. */
uint64_t vh_now_ms(const struct vh_daemon *d);
/* The same instant on the wall clock, for people: ms since the epoch. */
uint64_t vh_wall_ms(const struct vh_daemon *d, uint64_t mono_ms);

/* First sync with the kernel done (or first attempt failed): tell
 * systemd, write the pidfile. Idempotent.
 */
void vh_daemon_ready(struct vh_daemon *d);
/* sd_notify("STATUS=...") with the current picture. */
void vh_daemon_status(struct vh_daemon *d);

/* kernel.c: the netlink side. */
int vh_kernel_start(struct vh_daemon *d);
void vh_kernel_stop(struct vh_daemon *d);
bool vh_kernel_connected(const struct vh_daemon *d);
int vh_kernel_send(void *arg, const struct vs_svc *svc,
		   const struct vs_dest *dest);
/* A full listing: what @h has and the kernel no longer does is dropped,
 * the rest updated (pure bookkeeping, for tests too).
 */
void vh_kernel_apply_list(struct vh_health *h, const struct vs_svc *svcs,
			  size_t n_svcs, struct vs_dest *const *dests,
			  const size_t *n_dests, uint64_t now);
/* One change event from the kernel. */
void vh_kernel_apply_event(struct vh_health *h, const struct vs_event *ev,
			   uint64_t now);

/* sched.c: a tick per interval and at most one probe in flight per pair. */
void vh_sched_pair_new(void *arg, struct vh_pair *p);
void vh_sched_pair_del(void *arg, struct vh_pair *p);
/* After a reload: drop probes in flight that use a check of the old
 * configuration (it is about to be freed); their pairs probe again at
 * the next tick.
 */
void vh_sched_after_reload(struct vh_daemon *d);
/* Is a probe of @p running? */
bool vh_sched_busy(const struct vh_pair *p);

/* quorum.c: run quorum_up / quorum_down without blocking. */
void vh_quorum_run(void *arg, const struct vh_service_cfg *s, bool up,
		   uint32_t weight);

/* control.c: the "show" socket, server side. */
int vh_control_start(struct vh_daemon *d, const char *path);
void vh_control_stop(struct vh_daemon *d);
/*
 * The command a client sent, from what it has sent so far: @len bytes
 * in @in, which holds a NUL at in[len]; @more is false once no more can
 * come (EOF, or the buffer full). NULL while the line is not complete;
 * else the command in @in, cut at its newline, without a trailing '\r'.
 */
const char *vh_control_cmd(char *in, size_t len, bool more);
/* Client side (vshealthd --show): print the daemon's answer to @cmd. */
int vh_control_query(const char *path, const char *cmd);
/* The path the server listens on, or NULL. */
const char *vh_control_path(const struct vh_daemon *d);

/* metrics.c: the Prometheus endpoint (libmicrohttpd). */
int vh_metrics_start(struct vh_daemon *d);
void vh_metrics_stop(struct vh_daemon *d);
/* The port it listens on (host order; 0 when stopped). */
uint16_t vh_metrics_port(const struct vh_daemon *d);
/* The time a connection has, from its accept or its last answer, to
 * complete its next request and read the answer: 10,000 ms; the unit
 * tests shorten it.
 */
extern uint32_t vh_metrics_deadline_ms;

#endif /* VH_DAEMON_H */
