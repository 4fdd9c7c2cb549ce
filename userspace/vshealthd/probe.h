/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vshealthd probes: one attempt of one check against one real server.
 *
 * The daemon core (main.c, config.c, health.c, ...) owns scheduling: it
 * decides when a (server, check) pair is probed (interval, jitter), counts
 * rise and fall, and tells the kernel. A probe module only runs a single
 * attempt on the daemon's sd-event loop, without blocking, and reports
 * once through the callback: within cfg->timeout_ms, never synchronously
 * from vh_probe_start(), and never after vh_probe_cancel().
 */
#ifndef VH_PROBE_H
#define VH_PROBE_H

#include <netinet/in.h>
#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include <linux/vsched.h>

enum vh_check_type {
	VH_CHECK_TCP,		/* connect() succeeds */
	VH_CHECK_HTTP,		/* GET, status and body as configured */
	VH_CHECK_HTTPS,		/* same over TLS, with SNI */
	VH_CHECK_ICMP,		/* echo request answered */
	VH_CHECK_UDP,		/* payload sent, expected reply received */
	VH_CHECK_DNS,		/* query answered with an expected rcode */
	VH_CHECK_SCRIPT,	/* exit 0 up, 1 down, 2..255 up, weight st-2 */
	VH_CHECK_AGENT,		/* HAProxy-style agent line from a TCP port */
	__VH_CHECK_MAX
};

struct vh_status_range {
	uint16_t lo, hi;	/* inclusive */
};

/* One check as configured. Strings are NUL-terminated and owned by the
 * configuration; NULL when not set.
 */
struct vh_check_cfg {
	char *name;			/* the config's name for it */
	enum vh_check_type type;
	uint32_t interval_ms;		/* default 1000 */
	uint32_t timeout_ms;		/* default 1000, <= interval_ms */
	uint32_t jitter_ms;		/* probes start 0..jitter_ms late */
	uint32_t rise, fall;		/* default 3 and 3 */
	uint16_t port;			/* 0: the real server's port */

	/* HTTP and HTTPS. */
	char *path;			/* default "/" */
	char *host;			/* Host header; default the address */
	struct vh_status_range *status;	/* default 200-299 */
	size_t n_status;
	char *body;			/* substring the body must contain */
	char *body_regex;		/* source of .body_re */
	bool has_body_re;
	regex_t body_re;		/* REG_EXTENDED | REG_NOSUB */
	char *sni;			/* HTTPS: server name; default host */
	bool tls_verify;		/* HTTPS: verify the certificate */
	char *tls_ca;			/* HTTPS: trust only the CAs in this
					 * PEM file (tls_verify only)
					 */

	/* UDP: payload sent, bytes the reply must start with (none: any
	 * reply will do).
	 */
	uint8_t *payload;
	size_t payload_len;
	uint8_t *expect;
	size_t expect_len;

	/* DNS (over UDP). */
	char *dns_name;			/* name to ask for */
	uint16_t dns_type;		/* ns_t_a by default */
	uint32_t dns_rcodes;		/* bit N: rcode N is up; default 1 */

	/* Script: argv[0] is the program, run with VH_ADDR, VH_PORT in the
	 * environment as well as the arguments configured.
	 */
	char **argv;

	/* Agent: thresholds on load figures; 0 means not checked. */
	uint32_t agent_cpu_max;		/* cpu=N above this: down */
	uint32_t agent_mem_max;		/* mem=N above this: down */
};

struct vh_target {
	struct in_addr addr;
	uint16_t port;			/* the real server's port */
};

#define VH_NONE (-1)

/* The outcome of one attempt. */
struct vh_result {
	bool up;
	char reason[VSCHED_REASON_MAX];	/* "connect: Connection refused",
					 * "HTTP 500", "agent: cpu=95 > 90",
					 * "ok" when up
					 */
	int pct;	/* 0..100 or VH_NONE: share of the admin weight
			 * (agent "75%", agent "drain" is 0)
			 */
	int cap;	/* 0..VSCHED_WEIGHT_MAX or VH_NONE: weight cap
			 * (script exit status - 2)
			 */
	uint32_t duration_us;		/* how long the attempt took */
};

typedef void (*vh_probe_done_fn)(void *arg, const struct vh_result *res);

struct vh_probe;

/*
 * Once per process, before the first probe, and after the last one has
 * reported or been cancelled. vh_probes_init() blocks SIGCHLD (script
 * checks use sd_event_add_child()): call it before starting threads.
 */
int vh_probes_init(sd_event *ev);
void vh_probes_exit(void);

/*
 * Start one attempt; 0 or a negative errno (then @fn is never called): a
 * local problem such as no socket, or no permission for ICMP sockets.
 * *@out is valid until @fn is called (the probe is freed just before)
 * or until vh_probe_cancel(). @cfg must outlive the attempt.
 */
int vh_probe_start(const struct vh_check_cfg *cfg, const struct vh_target *t,
		   vh_probe_done_fn fn, void *arg, struct vh_probe **out);
/* Stop an attempt in flight; @fn is not called for it. */
void vh_probe_cancel(struct vh_probe *p);

/* The accuracy for a timer of period @period_ms (sd_event_add_time()):
 * how late it may fire so that timers share the loop's wakeups.
 */
uint64_t vh_timer_slack_us(uint32_t period_ms);

/*
 * The agent protocol (HAProxy's agent-check): a line of comma- or
 * space-separated words such as "up", "down", "drain", "ready", "maint",
 * "75%", "cpu=82 mem=61". Fills @res (up, reason, pct); 0, or -EINVAL for
 * a line it cannot understand (then @res says down, with the reason).
 * Pure, for unit tests.
 */
int vh_agent_parse(const char *line, const struct vh_check_cfg *cfg,
		   struct vh_result *res);

const char *vh_check_type_name(enum vh_check_type type);

#endif /* VH_PROBE_H */
