/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsadm: ipvsadm-compatible administration of vsched. A command line (or
 * a line of a restore file) is parsed into struct vsadm_opts, which is
 * then executed; parsing never talks to the kernel, so it is unit-tested.
 */
#ifndef VSADM_H
#define VSADM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "libvsched.h"

#define VSADM_VERSION	"0.1.0"

/* Exit codes. */
#define VSADM_EXIT_OK		0
#define VSADM_EXIT_FAIL		1
#define VSADM_EXIT_USAGE	2

enum vsadm_cmd {
	VSADM_NONE,
	VSADM_ADD_SVC,
	VSADM_EDIT_SVC,
	VSADM_DEL_SVC,
	VSADM_ADD_DEST,
	VSADM_EDIT_DEST,
	VSADM_DEL_DEST,
	VSADM_LIST,
	VSADM_FLUSH,
	VSADM_ZERO,
	VSADM_SAVE,
	VSADM_RESTORE,
	VSADM_RESTORE_REPLACE,
	VSADM_SET,
	VSADM_HELP,
	VSADM_VERSION_CMD,
	__VSADM_CMD_MAX
};

/* Output and behaviour modifiers (struct vsadm_opts.fmt). */
#define VSADM_F_NUMERIC		(1U << 0)
#define VSADM_F_STATS		(1U << 1)
#define VSADM_F_EXACT		(1U << 2)
#define VSADM_F_CONN		(1U << 3)
#define VSADM_F_JSON		(1U << 4)
#define VSADM_F_TIMEOUT		(1U << 5)

/*
 * The flag bits vsadm's options set (--down-policy, --sorry); the others
 * are kept as the kernel has them when vsadm edits or restores.
 */
#define VSADM_SVC_FLAGS		VSCHED_SVC_F_DOWN_RESET
#define VSADM_DEST_FLAGS	VSCHED_DEST_F_SORRY

struct vsadm_opts {
	enum vsadm_cmd cmd;
	bool has_svc;
	struct vs_svc svc;		/* sched in svc.sched if -s */
	/* -E -b without -s: the scheduler -b's names belong to, or "". */
	char sched_flags_of[VSCHED_SCHED_NAME_MAX];
	bool has_dest;
	struct vs_dest dest;		/* port always set (service's by default) */
	struct vs_config set;		/* --set: tcp_est, tcp_fin, udp; 0 = keep */
	unsigned int fmt;		/* VSADM_F_* */
};

/* args.c */
struct vsadm_cmd_info {
	const char *shrt;		/* "-A" */
	const char *lng;		/* "--add-service" */
	const char *help;
};
extern const struct vsadm_cmd_info vsadm_cmds[__VSADM_CMD_MAX];

/*
 * Parse @argc words of @argv (no program name) into @o. Returns 0, or -1
 * with a message in @err (a usage error: exit code 2).
 */
int vsadm_parse(int argc, char *const *argv, struct vsadm_opts *o,
		char *err, size_t errlen);
/* "1.2.3.4:80" (port required when @port_default is 0). Names resolve. */
int vsadm_parse_addrport(const char *s, uint8_t protocol,
			 struct in_addr *addr, uint16_t *port,
			 uint16_t port_default, char *err, size_t errlen);
void vsadm_usage(FILE *f);

/* fmt.c: names for people */
const char *vsadm_proto_name(uint8_t protocol);	/* "TCP" */
const char *vsadm_fwd_name(uint8_t fwd);		/* "Masq" */
const char *vsadm_state_name(uint8_t protocol, uint8_t state);
/* "TCP 198.18.100.1:80" */
void vsadm_svc_str(const struct vs_svc *svc, char *buf, size_t len);
/* "1.2.3.4:80", names unless @numeric */
void vsadm_addrport_str(struct in_addr addr, uint16_t port,
			uint8_t protocol, bool numeric,
			char *buf, size_t len);
/*
 * ipvsadm's name for scheduler flag bit @bit (enum vsched_sched_flags) of
 * scheduler @sched: "sh-fallback", "mh-port"; "flag-1", "flag-2" for
 * schedulers without names of their own. The names of @flags, comma-
 * separated in bit order, as ipvsadm -L and -S write them.
 */
const char *vsadm_sched_flag_name(const char *sched, unsigned int bit,
				  char *buf, size_t len);
void vsadm_sched_flags_str(const char *sched, uint32_t flags, char *buf,
			   size_t len);
/* "up", "down", "warming", "draining" (enum vsched_dest_state) */
const char *vsadm_dest_state_name(uint8_t state);
/* A duration for people: "45s", "5m12s", "3h07m", "2d04h". */
void vsadm_age_str(uint64_t ms, char *buf, size_t len);
/* ipvsadm's large-number format: 9 columns, K/M/G/T unless @exact. */
void vsadm_largenum(uint64_t v, bool exact, char *buf, size_t len);

/* state.c: a sorted snapshot of services and their servers */
struct vsadm_svc_entry {
	struct vs_svc svc;
	struct vs_dest *dests;
	size_t n_dests;
};

struct vsadm_state {
	struct vsadm_svc_entry *svcs;
	size_t n, cap;
	/* An index of svcs by key (state.c); without one (n_slots 0) a
	 * lookup searches the array.
	 */
	size_t *slots;
	size_t n_slots;
};

/* @counters: with each server's counters (vs_dest.stats), else zeroes. */
int vsadm_state_load(struct vs_handle *h, struct vsadm_state *st,
		     bool counters);
void vsadm_state_sort(struct vsadm_state *st);
void vsadm_state_free(struct vsadm_state *st);
void vsadm_state_reindex(struct vsadm_state *st);
void vsadm_state_indexed_add(struct vsadm_state *st);
int vsadm_svc_cmp(const struct vs_svc *a, const struct vs_svc *b);
int vsadm_dest_cmp(const struct vs_dest *a, const struct vs_dest *b);
struct vsadm_svc_entry *vsadm_state_find(const struct vsadm_state *st,
					 const struct vs_svc *key);
struct vs_dest *vsadm_entry_find_dest(const struct vsadm_svc_entry *e,
				      const struct vs_dest *key);

/* list.c: -L in text or JSON */
void vsadm_print_services(FILE *f, const struct vs_info *info,
			  const struct vsadm_state *st, bool header,
			  unsigned int fmt);
void vsadm_print_conns(FILE *f, const struct vs_conn *conns, size_t n,
		       unsigned int fmt);
void vsadm_print_timeouts(FILE *f, const struct vs_config *cfg,
			  unsigned int fmt);

/* save.c: -S and -R */
void vsadm_save(FILE *f, const struct vsadm_state *st, bool numeric);

struct vsadm_line {
	unsigned int lineno;
	struct vsadm_opts o;
};

/* Every line of @in parsed; -1 with "name:N: ..." in @err on the first
 * bad one.
 */
int vsadm_restore_parse(FILE *in, const char *name, struct vsadm_line **lines,
			size_t *n, char *err, size_t errlen);

enum vsadm_action_op {
	VSADM_ACT_SVC_NEW,
	VSADM_ACT_SVC_SET,
	VSADM_ACT_DEST_NEW,
	VSADM_ACT_DEST_SET,
	VSADM_ACT_DEST_DEL,
	VSADM_ACT_SVC_DEL,
	VSADM_ACT_CONFIG_SET,
};

struct vsadm_action {
	enum vsadm_action_op op;
	struct vs_svc svc;
	struct vs_dest dest;
	struct vs_config cfg;
};

struct vsadm_plan {
	struct vsadm_action *acts;
	size_t n, cap;
};

/*
 * The changes that turn @cur into what the lines describe: merged into
 * @cur, or (@replace) as the whole truth. -1 with "name:N: ..." in @err
 * when a line cannot apply; nothing is changed then.
 */
int vsadm_restore_plan(const struct vsadm_state *cur,
		       const struct vsadm_line *lines, size_t n, bool replace,
		       const char *name, struct vsadm_plan *plan,
		       char *err, size_t errlen);
void vsadm_plan_free(struct vsadm_plan *plan);

/* cmds.c: execution; both return a VSADM_EXIT_* code, errors printed. */
int vsadm_run(struct vs_handle *h, const struct vsadm_opts *o);
/* Lines from vsadm_restore_parse(), planned then sent. */
int vsadm_restore(struct vs_handle *h, const struct vsadm_line *lines,
		  size_t n, bool replace);

/* report.c: the sentence for @err from @cmd on @svc/@dest; @svc_exists
 * tells which of the service or its part an -ENOENT is about; @kmsg is
 * the kernel's message, "" or NULL if none.
 */
void vsadm_error_text(char *buf, size_t len, int err, enum vsadm_cmd cmd,
		      const struct vs_svc *svc, const struct vs_dest *dest,
		      bool svc_exists, const char *kmsg);
/* Print "vsadm: <what went wrong>" for @err returned by an operation. */
void vsadm_report(struct vs_handle *h, int err, enum vsadm_cmd cmd,
		  const struct vs_svc *svc, const struct vs_dest *dest);

#endif /* VSADM_H */
