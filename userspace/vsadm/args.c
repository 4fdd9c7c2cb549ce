// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm command-line parsing: ipvsadm's short and long options, matched
 * exactly (no prefix matching), into struct vsadm_opts. Which options a
 * command takes is data (vsadm_allowed), not a matrix of ifs.
 */

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vsadm.h"

const struct vsadm_cmd_info vsadm_cmds[__VSADM_CMD_MAX] = {
	[VSADM_ADD_SVC]	  = { "-A", "--add-service", "add a virtual service" },
	[VSADM_EDIT_SVC]  = { "-E", "--edit-service", "edit a virtual service" },
	[VSADM_DEL_SVC]	  = { "-D", "--delete-service",
			      "delete a virtual service and its real servers" },
	[VSADM_ADD_DEST]  = { "-a", "--add-server",
			      "add a real server to a virtual service" },
	[VSADM_EDIT_DEST] = { "-e", "--edit-server", "edit a real server" },
	[VSADM_DEL_DEST]  = { "-d", "--delete-server", "delete a real server" },
	[VSADM_LIST]	  = { "-L", "--list",
			      "list services (-l is the same)" },
	[VSADM_FLUSH]	  = { "-C", "--clear", "delete every service" },
	[VSADM_ZERO]	  = { "-Z", "--zero",
			      "zero the counters of one service or of all" },
	[VSADM_SAVE]	  = { "-S", "--save",
			      "print the configuration as vsadm commands" },
	[VSADM_RESTORE]	  = { "-R", "--restore",
			      "add or update what stdin describes" },
	[VSADM_RESTORE_REPLACE] = { NULL, "--restore-replace",
			      "make stdin the whole configuration" },
	[VSADM_SET]	  = { NULL, "--set",
			      "set timeouts: tcp tcpfin udp (seconds, 0 keeps)" },
	[VSADM_HELP]	  = { "-h", "--help", "show this help" },
	[VSADM_VERSION_CMD] = { "-V", "--version",
			      "show the versions of vsadm and of the module" },
};

enum vsadm_opt_id {
	O_CMD,		/* .cmd says which */
	O_TCP,
	O_UDP,
	O_SCHED,
	O_REAL,
	O_MASQ,
	O_WEIGHT,
	O_NUMERIC,
	O_CONN,
	O_STATS,
	O_EXACT,
	O_JSON,
	O_TIMEOUT,
	O_SORT,
	O_GATE,
	O_IPIP,
	O_WARMUP,
	O_DOWN,
	O_SORRY,
	O_NOSORRY,
	O_DRAIN,
	O_SCHED_FLAGS,
	O_UNSUPPORTED,
	__O_MAX
};

struct vsadm_option {
	char shrt;
	const char *lng;
	enum vsadm_opt_id id;
	enum vsadm_cmd cmd;	/* O_CMD */
	int nargs;		/* 0, 1, or 3 (--set) */
};

static const struct vsadm_option vsadm_options[] = {
	{ 'A', "add-service",	 O_CMD, VSADM_ADD_SVC, 0 },
	{ 'E', "edit-service",	 O_CMD, VSADM_EDIT_SVC, 0 },
	{ 'D', "delete-service", O_CMD, VSADM_DEL_SVC, 0 },
	{ 'a', "add-server",	 O_CMD, VSADM_ADD_DEST, 0 },
	{ 'e', "edit-server",	 O_CMD, VSADM_EDIT_DEST, 0 },
	{ 'd', "delete-server",	 O_CMD, VSADM_DEL_DEST, 0 },
	{ 'L', "list",		 O_CMD, VSADM_LIST, 0 },
	{ 'l', NULL,		 O_CMD, VSADM_LIST, 0 },
	{ 'C', "clear",		 O_CMD, VSADM_FLUSH, 0 },
	{ 'Z', "zero",		 O_CMD, VSADM_ZERO, 0 },
	{ 'S', "save",		 O_CMD, VSADM_SAVE, 0 },
	{ 'R', "restore",	 O_CMD, VSADM_RESTORE, 0 },
	{ 0,   "restore-replace", O_CMD, VSADM_RESTORE_REPLACE, 0 },
	{ 0,   "set",		 O_CMD, VSADM_SET, 3 },
	{ 'h', "help",		 O_CMD, VSADM_HELP, 0 },
	{ 'V', "version",	 O_CMD, VSADM_VERSION_CMD, 0 },
	{ 'v', NULL,		 O_CMD, VSADM_VERSION_CMD, 0 },
	{ 't', "tcp-service",	 O_TCP, 0, 1 },
	{ 'u', "udp-service",	 O_UDP, 0, 1 },
	{ 's', "scheduler",	 O_SCHED, 0, 1 },
	{ 'b', "sched-flags",	 O_SCHED_FLAGS, 0, 1 },
	{ 'r', "real-server",	 O_REAL, 0, 1 },
	{ 'm', "masquerading",	 O_MASQ, 0, 0 },
	{ 'w', "weight",	 O_WEIGHT, 0, 1 },
	{ 'n', "numeric",	 O_NUMERIC, 0, 0 },
	{ 'c', "connection",	 O_CONN, 0, 0 },
	{ 0,   "stats",		 O_STATS, 0, 0 },
	{ 0,   "exact",		 O_EXACT, 0, 0 },
	{ 'j', "json",		 O_JSON, 0, 0 },
	{ 0,   "timeout",	 O_TIMEOUT, 0, 0 },
	{ 0,   "sort",		 O_SORT, 0, 0 },
	{ 0,   "nosort",	 O_SORT, 0, 0 },
	{ 'g', "gatewaying",	 O_GATE, 0, 0 },
	{ 'i', "ipip",		 O_IPIP, 0, 0 },
	/* vsched's own: no ipvsadm equivalent, so long options only. */
	{ 0,   "warmup",	 O_WARMUP, 0, 1 },
	{ 0,   "down-policy",	 O_DOWN, 0, 1 },
	{ 0,   "sorry",		 O_SORRY, 0, 0 },
	{ 0,   "no-sorry",	 O_NOSORRY, 0, 0 },
	{ 0,   "drain",		 O_DRAIN, 0, 1 },
	/* ipvsadm options vsched does not implement: named, refused. */
	{ 'f', "fwmark-service", O_UNSUPPORTED, 0, 0 },
	{ 0,   "sctp-service",	 O_UNSUPPORTED, 0, 0 },
	{ 'p', "persistent",	 O_UNSUPPORTED, 0, 0 },
	{ 'M', "netmask",	 O_UNSUPPORTED, 0, 0 },
	{ 'x', "u-threshold",	 O_UNSUPPORTED, 0, 0 },
	{ 'y', "l-threshold",	 O_UNSUPPORTED, 0, 0 },
	{ '6', "ipv6",		 O_UNSUPPORTED, 0, 0 },
	{ 'o', "ops",		 O_UNSUPPORTED, 0, 0 },
	{ 0,   "pe",		 O_UNSUPPORTED, 0, 0 },
	{ 0,   "rate",		 O_UNSUPPORTED, 0, 0 },
	{ 0,   "thresholds",	 O_UNSUPPORTED, 0, 0 },
	{ 0,   "persistent-conn", O_UNSUPPORTED, 0, 0 },
	{ 0,   "start-daemon",	 O_UNSUPPORTED, 0, 0 },
	{ 0,   "stop-daemon",	 O_UNSUPPORTED, 0, 0 },
	{ 0,   "daemon",	 O_UNSUPPORTED, 0, 0 },
	{ 0,   "tun-type",	 O_UNSUPPORTED, 0, 0 },
};

#define BIT(o)	(1U << (o))
#define SVC_OPTS	(BIT(O_TCP) | BIT(O_UDP))
#define DEST_OPTS	(SVC_OPTS | BIT(O_REAL) | BIT(O_MASQ) | BIT(O_WEIGHT) | \
			 BIT(O_GATE) | BIT(O_IPIP) | BIT(O_SORRY) | \
			 BIT(O_NOSORRY))
#define SVC_ADMIN_OPTS	(BIT(O_SCHED) | BIT(O_WARMUP) | BIT(O_DOWN) | \
			 BIT(O_SCHED_FLAGS))

/* Options each command accepts; -n is accepted everywhere, as ipvsadm. */
static const unsigned int vsadm_allowed[__VSADM_CMD_MAX] = {
	[VSADM_ADD_SVC]	  = SVC_OPTS | SVC_ADMIN_OPTS,
	[VSADM_EDIT_SVC]  = SVC_OPTS | SVC_ADMIN_OPTS,
	[VSADM_DEL_SVC]	  = SVC_OPTS,
	[VSADM_ADD_DEST]  = DEST_OPTS,
	/* A new server cannot drain (the kernel refuses it): -e only. */
	[VSADM_EDIT_DEST] = DEST_OPTS | BIT(O_DRAIN),
	[VSADM_DEL_DEST]  = SVC_OPTS | BIT(O_REAL),
	[VSADM_LIST]	  = SVC_OPTS | BIT(O_CONN) | BIT(O_STATS) |
			    BIT(O_EXACT) | BIT(O_JSON) | BIT(O_TIMEOUT) |
			    BIT(O_SORT),
	[VSADM_ZERO]	  = SVC_OPTS,
};

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* "-t (--tcp-service)" for messages. */
static void opt_name(const struct vsadm_option *opt, char *buf, size_t len)
{
	if (opt->shrt && opt->lng)
		snprintf(buf, len, "-%c (--%s)", opt->shrt, opt->lng);
	else if (opt->shrt)
		snprintf(buf, len, "-%c", opt->shrt);
	else
		snprintf(buf, len, "--%s", opt->lng);
}

static const char *cmd_name(enum vsadm_cmd cmd)
{
	return vsadm_cmds[cmd].shrt ? vsadm_cmds[cmd].shrt :
				      vsadm_cmds[cmd].lng;
}

static int parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (!*s || !isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || *end || *v > max)
		return -1;
	return 0;
}

int vsadm_parse_addrport(const char *s, uint8_t protocol,
			 struct in_addr *addr, uint16_t *port,
			 uint16_t port_default, char *err, size_t errlen)
{
	char host[256];
	const char *colon, *ps = NULL;
	unsigned long v;
	size_t hl;

	if (s[0] == '[' || strchr(s, ':') != strrchr(s, ':'))
		return fail(err, errlen,
			    "%s: IPv6 is not supported yet", s);
	colon = strchr(s, ':');
	hl = colon ? (size_t)(colon - s) : strlen(s);
	if (colon)
		ps = colon + 1;
	if (hl == 0 || hl >= sizeof(host))
		return fail(err, errlen, "%s: missing or invalid address", s);
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, addr) != 1) {
		struct addrinfo hints = { .ai_family = AF_INET }, *res;

		/* A dotted quad that inet_pton() refused is not a name. */
		if (strspn(host, "0123456789.") == hl ||
		    getaddrinfo(host, NULL, &hints, &res))
			return fail(err, errlen,
				    "%s: invalid IPv4 address or unknown host",
				    host);
		*addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
		freeaddrinfo(res);
	}
	if (!ps) {
		if (!port_default)
			return fail(err, errlen,
				    "%s: missing port (ADDRESS:PORT)", s);
		*port = port_default;
		return 0;
	}
	if (parse_uint(ps, 65535, &v) == 0) {
		if (v == 0)
			return fail(err, errlen,
				    "%s: port must be between 1 and 65535", s);
		*port = (uint16_t)v;
		return 0;
	}
	if (*ps && !isdigit((unsigned char)*ps)) {
		struct servent *se = getservbyname(ps, protocol == IPPROTO_UDP ?
						   "udp" : "tcp");

		if (se) {
			*port = ntohs((uint16_t)se->s_port);
			return 0;
		}
	}
	return fail(err, errlen, "%s: invalid port '%s' (1..65535 or a service name)",
		    s, ps);
}

static const struct vsadm_option *find_long(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(vsadm_options) / sizeof(vsadm_options[0]); i++) {
		const char *l = vsadm_options[i].lng;

		if (l && strlen(l) == len && !strncmp(l, name, len))
			return &vsadm_options[i];
	}
	return NULL;
}

static const struct vsadm_option *find_short(char c)
{
	size_t i;

	for (i = 0; i < sizeof(vsadm_options) / sizeof(vsadm_options[0]); i++)
		if (vsadm_options[i].shrt == c)
			return &vsadm_options[i];
	return NULL;
}

static int parse_timeout(const char *s, uint32_t *v, char *err, size_t len)
{
	unsigned long t;

	/* The kernel keeps timeouts as an int of jiffies at HZ=1000. */
	if (parse_uint(s, INT_MAX / 1000, &t))
		return fail(err, len,
			    "--set: invalid timeout '%s' (seconds, 0..%d; 0 keeps the current value)",
			    s, INT_MAX / 1000);
	*v = (uint32_t)t;
	return 0;
}

static bool valid_sched_name(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n >= VSCHED_SCHED_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_')
			return false;
	return true;
}

/* The parse state between options: values seen, checked at the end. */
struct vsadm_seen {
	unsigned int opts;		/* BIT(O_*) */
	const struct vsadm_option *first[__O_MAX];
	const char *svc_arg, *real_arg, *weight_arg, *sched_arg;
	const char *warmup_arg, *down_arg, *drain_arg, *sched_flags_arg;
	const struct vsadm_option *cmd_opt;
};

static int apply_option(const struct vsadm_option *opt, char *const *args,
			struct vsadm_opts *o, struct vsadm_seen *seen,
			char *err, size_t len)
{
	char name[64];

	/* The name is formatted for an error only: -R parses 110,000 lines. */
	if (opt->id == O_UNSUPPORTED) {
		opt_name(opt, name, sizeof(name));
		return fail(err, len, "option %s is not supported by vsched", name);
	}
	if (opt->id == O_CMD) {
		if (seen->cmd_opt && o->cmd != opt->cmd) {
			char prev[64];

			opt_name(opt, name, sizeof(name));
			opt_name(seen->cmd_opt, prev, sizeof(prev));
			return fail(err, len,
				    "more than one command: %s and %s", prev,
				    name);
		}
		o->cmd = opt->cmd;
		seen->cmd_opt = opt;
		if (opt->cmd == VSADM_SET) {
			if (parse_timeout(args[0], &o->set.tcp_est, err, len) ||
			    parse_timeout(args[1], &o->set.tcp_fin, err, len) ||
			    parse_timeout(args[2], &o->set.udp, err, len))
				return -1;
		}
		return 0;
	}
	if ((seen->opts & BIT(opt->id)) && opt->nargs) {
		opt_name(opt, name, sizeof(name));
		return fail(err, len, "option %s given twice", name);
	}
	if ((opt->id == O_TCP || opt->id == O_UDP) &&
	    (seen->opts & SVC_OPTS))
		return fail(err, len,
			    "more than one service: -t and -u cannot be combined");
	seen->opts |= BIT(opt->id);
	if (!seen->first[opt->id])
		seen->first[opt->id] = opt;
	switch (opt->id) {
	case O_TCP:
	case O_UDP:
		seen->svc_arg = args[0];
		o->svc.protocol = opt->id == O_TCP ? IPPROTO_TCP : IPPROTO_UDP;
		break;
	case O_SCHED:
		seen->sched_arg = args[0];
		break;
	case O_REAL:
		seen->real_arg = args[0];
		break;
	case O_WEIGHT:
		seen->weight_arg = args[0];
		break;
	case O_WARMUP:
		seen->warmup_arg = args[0];
		break;
	case O_DOWN:
		seen->down_arg = args[0];
		break;
	case O_DRAIN:
		seen->drain_arg = args[0];
		break;
	case O_SCHED_FLAGS:
		seen->sched_flags_arg = args[0];
		break;
	case O_NUMERIC:
		o->fmt |= VSADM_F_NUMERIC;
		break;
	case O_CONN:
		o->fmt |= VSADM_F_CONN;
		break;
	case O_STATS:
		o->fmt |= VSADM_F_STATS;
		break;
	case O_EXACT:
		o->fmt |= VSADM_F_EXACT;
		break;
	case O_JSON:
		o->fmt |= VSADM_F_JSON;
		break;
	case O_TIMEOUT:
		o->fmt |= VSADM_F_TIMEOUT;
		break;
	default:
		break;
	}
	return 0;
}

#define SCHED_FLAG_NAMES \
	"sh-fallback, sh-port, mh-fallback, mh-port, flag-1 or flag-2"

/*
 * -b, as ipvsadm: comma-separated names, each of a flag of the scheduler
 * (@sched, NULL for -E without -s: then of one scheduler, which cmds.c
 * checks against the service's), or IPVS's generic flag-1 and flag-2. ""
 * is no flag. The bits are the same for sh and mh (vsched_sched_flags).
 */
static int parse_sched_flags(const char *arg, const char *sched,
			     struct vsadm_opts *o, char *err, size_t len)
{
	uint32_t *flags = &o->svc.sched_flags;
	const char *tok = arg, *end, *first = NULL;
	static const char *const names[] = { "fallback", "port" };
	size_t n, i;

	*flags = 0;
	for (; *arg; tok = end + 1) {
		end = strchr(tok, ',');
		if (!end)
			end = tok + strlen(tok);
		n = (size_t)(end - tok);
		if (n == 6 && !strncmp(tok, "flag-", 5) && tok[5] >= '1' &&
		    tok[5] <= '3') {
			if (tok[5] == '3')
				return fail(err, len,
					    "scheduler flag 'flag-3' is not supported by vsched (%s)",
					    SCHED_FLAG_NAMES);
			*flags |= 1U << (tok[5] - '1');
		} else {
			for (i = 0; i < 2; i++)
				if (n > 3 && (!strncmp(tok, "sh-", 3) ||
					      !strncmp(tok, "mh-", 3)) &&
				    strlen(names[i]) == n - 3 &&
				    !strncmp(tok + 3, names[i], n - 3))
					break;
			if (i == 2)
				return fail(err, len,
					    "invalid scheduler flag '%.*s' (%s)",
					    (int)n, tok, SCHED_FLAG_NAMES);
			if (sched && (strlen(sched) != 2 ||
				      strncmp(sched, tok, 2)))
				return fail(err, len,
					    "incompatible scheduler flag '%.*s': it is for -s %.2s, not %s",
					    (int)n, tok, tok, sched);
			if (first && strncmp(first, tok, 2))
				return fail(err, len,
					    "scheduler flags of two schedulers: '%.2s-' and '%.2s-'",
					    first, tok);
			first = tok;
			snprintf(o->sched_flags_of, sizeof(o->sched_flags_of),
				 "%.2s", tok);
			*flags |= 1U << i;
		}
		if (!*end)
			break;
	}
	return 0;
}

/* --warmup, --down-policy, --sorry/--no-sorry, --drain. */
static int finish_health(struct vsadm_opts *o, const struct vsadm_seen *seen,
			 char *err, size_t len)
{
	unsigned long v;

	if (seen->warmup_arg) {
		if (parse_uint(seen->warmup_arg, VSCHED_WARMUP_MAX, &v))
			return fail(err, len,
				    "invalid warm-up '%s' (seconds, 0..%d; 0 turns it off)",
				    seen->warmup_arg, VSCHED_WARMUP_MAX);
		o->svc.warmup = (uint32_t)v;
		o->svc.has |= VS_SVC_HAS_WARMUP;
	}
	if (seen->down_arg) {
		/* Only the bit vsadm manages; cmds.c keeps the others. */
		if (!strcmp(seen->down_arg, "reset"))
			o->svc.flags |= VSCHED_SVC_F_DOWN_RESET;
		else if (strcmp(seen->down_arg, "quiesce"))
			return fail(err, len,
				    "invalid down policy '%s' (quiesce or reset)",
				    seen->down_arg);
		o->svc.has |= VS_SVC_HAS_FLAGS;
	}
	if ((seen->opts & BIT(O_SORRY)) && (seen->opts & BIT(O_NOSORRY)))
		return fail(err, len, "--sorry and --no-sorry contradict each other");
	if (seen->opts & (BIT(O_SORRY) | BIT(O_NOSORRY))) {
		if (seen->opts & BIT(O_SORRY))
			o->dest.flags |= VSCHED_DEST_F_SORRY;
		o->dest.has |= VS_DEST_HAS_FLAGS;
	} else if (o->cmd == VSADM_ADD_DEST) {
		/* -a describes the whole server, as for its weight. */
		o->dest.has |= VS_DEST_HAS_FLAGS;
	}
	if (seen->drain_arg) {
		if (parse_uint(seen->drain_arg, VSCHED_DRAIN_MAX, &v))
			return fail(err, len,
				    "invalid drain time '%s' (seconds, 1..%d; 0 cancels a drain)",
				    seen->drain_arg, VSCHED_DRAIN_MAX);
		o->dest.drain = (uint32_t)v;
		o->dest.has |= VS_DEST_HAS_DRAIN;
	}
	return 0;
}

/* After every word: the values, now that the command is known. */
static int finish(struct vsadm_opts *o, struct vsadm_seen *seen, char *err,
		  size_t len)
{
	unsigned int allowed, extra;
	const char *cmd;
	unsigned long w;
	int id;

	if (o->cmd == VSADM_NONE)
		return fail(err, len,
			    "no command given (one of -A -E -D -a -e -d -L -C -Z -S -R --set; see --help)");
	cmd = cmd_name(o->cmd);
	allowed = vsadm_allowed[o->cmd] | BIT(O_NUMERIC);
	extra = seen->opts & ~allowed;
	if (extra) {
		char name[64];

		for (id = 0; !(extra & BIT(id)); id++)
			;
		opt_name(seen->first[id], name, sizeof(name));
		return fail(err, len, "option %s cannot be used with %s", name,
			    cmd);
	}
	if (seen->opts & (BIT(O_GATE) | BIT(O_IPIP)))
		return fail(err, len,
			    "forwarding method %s is not supported yet: vsched only masquerades (-m)",
			    seen->opts & BIT(O_GATE) ? "-g (gatewaying)" :
						       "-i (ipip)");
	switch (o->cmd) {
	case VSADM_ADD_SVC:
	case VSADM_EDIT_SVC:
	case VSADM_DEL_SVC:
	case VSADM_ADD_DEST:
	case VSADM_EDIT_DEST:
	case VSADM_DEL_DEST:
		if (!seen->svc_arg)
			return fail(err, len,
				    "%s needs a service: -t|-u ADDRESS:PORT",
				    cmd);
		break;
	default:
		break;
	}
	if ((o->cmd == VSADM_ADD_DEST || o->cmd == VSADM_EDIT_DEST ||
	     o->cmd == VSADM_DEL_DEST) && !seen->real_arg)
		return fail(err, len,
			    "%s needs a real server: -r ADDRESS[:PORT]", cmd);
	if (seen->svc_arg) {
		o->has_svc = true;
		o->svc.af = AF_INET;
		if (vsadm_parse_addrport(seen->svc_arg, o->svc.protocol,
					 &o->svc.addr, &o->svc.port, 0, err,
					 len))
			return -1;
	}
	if (seen->sched_arg) {
		if (!valid_sched_name(seen->sched_arg))
			return fail(err, len,
				    "invalid scheduler name '%s' (lower-case letters, digits and _, at most %d)",
				    seen->sched_arg, VSCHED_SCHED_NAME_MAX - 1);
		snprintf(o->svc.sched, sizeof(o->svc.sched), "%s",
			 seen->sched_arg);
		o->svc.has |= VS_SVC_HAS_SCHED;
	}
	if (seen->sched_flags_arg) {
		/* -A without -s makes an rr service (the kernel's default). */
		const char *sched = seen->sched_arg ? seen->sched_arg :
				    o->cmd == VSADM_ADD_SVC ? "rr" : NULL;

		if (parse_sched_flags(seen->sched_flags_arg, sched, o, err,
				      len))
			return -1;
		o->svc.has |= VS_SVC_HAS_SCHED_FLAGS;
	}
	if (seen->real_arg) {
		o->has_dest = true;
		if (vsadm_parse_addrport(seen->real_arg, o->svc.protocol,
					 &o->dest.addr, &o->dest.port,
					 o->svc.port, err, len))
			return -1;
		o->dest.has |= VS_DEST_HAS_PORT;
		if (o->cmd != VSADM_DEL_DEST) {
			o->dest.fwd = VSCHED_FWD_MASQ;
			o->dest.has |= VS_DEST_HAS_FWD;
		}
	}
	if (seen->weight_arg) {
		if (parse_uint(seen->weight_arg, VSCHED_WEIGHT_MAX, &w))
			return fail(err, len,
				    "invalid weight '%s' (an integer from 0 to %d)",
				    seen->weight_arg, VSCHED_WEIGHT_MAX);
		o->dest.weight = (uint32_t)w;
		o->dest.has |= VS_DEST_HAS_WEIGHT;
	} else if (o->cmd == VSADM_ADD_DEST) {
		/* ipvsadm's default; the kernel's too. */
		o->dest.weight = 1;
		o->dest.has |= VS_DEST_HAS_WEIGHT;
	}
	if (finish_health(o, seen, err, len))
		return -1;
	if ((o->fmt & VSADM_F_CONN) &&
	    (o->has_svc || (o->fmt & (VSADM_F_STATS | VSADM_F_TIMEOUT))))
		return fail(err, len,
			    "-c (--connection) lists every connection: it takes no service, --stats or --timeout");
	if ((o->fmt & VSADM_F_TIMEOUT) && (o->has_svc || (o->fmt & VSADM_F_STATS)))
		return fail(err, len,
			    "--timeout lists the timeouts only: it takes no service or --stats");
	if ((o->fmt & VSADM_F_EXACT) && !(o->fmt & VSADM_F_STATS))
		return fail(err, len, "--exact only applies with --stats");
	return 0;
}

int vsadm_parse(int argc, char *const *argv, struct vsadm_opts *o,
		char *err, size_t len)
{
	struct vsadm_seen seen = { 0 };
	int i;

	memset(o, 0, sizeof(*o));
	if (len)
		err[0] = '\0';
	for (i = 0; i < argc; i++) {
		const char *w = argv[i];
		const struct vsadm_option *opt;
		char *args[3];
		int k;

		if (w[0] != '-' || w[1] == '\0')
			return fail(err, len, "unexpected argument '%s'", w);
		if (w[1] == '-') {
			const char *eq = strchr(w + 2, '=');
			size_t nl = eq ? (size_t)(eq - w - 2) : strlen(w + 2);

			opt = find_long(w + 2, nl);
			if (!opt)
				return fail(err, len, "unknown option %.*s",
					    (int)nl + 2, w);
			if (eq && opt->nargs != 1)
				return fail(err, len,
					    "option --%s takes no '=' value",
					    opt->lng);
			if (eq) {
				args[0] = (char *)eq + 1;
			} else {
				if (i + opt->nargs >= argc)
					return fail(err, len,
						    "option --%s needs %d argument%s",
						    opt->lng, opt->nargs,
						    opt->nargs > 1 ? "s" : "");
				for (k = 0; k < opt->nargs; k++)
					args[k] = argv[++i];
			}
			if (apply_option(opt, args, o, &seen, err, len))
				return -1;
			continue;
		}
		/* A cluster of short options: "-Ln", "-s rr", "-srr". */
		for (k = 1; w[k]; k++) {
			opt = find_short(w[k]);
			if (!opt)
				return fail(err, len, "unknown option -%c", w[k]);
			if (opt->nargs == 1) {
				if (w[k + 1]) {
					args[0] = (char *)w + k + 1;
				} else if (i + 1 < argc) {
					args[0] = argv[++i];
				} else {
					return fail(err, len,
						    "option -%c needs an argument",
						    w[k]);
				}
				if (apply_option(opt, args, o, &seen, err, len))
					return -1;
				break;
			}
			if (apply_option(opt, args, o, &seen, err, len))
				return -1;
		}
	}
	return finish(o, &seen, err, len);
}

void vsadm_usage(FILE *f)
{
	int c;

	fprintf(f,
		"Usage:\n"
		"  vsadm -A|-E -t|-u ADDRESS:PORT [-s SCHEDULER] [--warmup SECONDS]\n"
		"        [--down-policy quiesce|reset] [-b SCHED-FLAGS]\n"
		"  vsadm -D -t|-u ADDRESS:PORT\n"
		"  vsadm -a|-e -t|-u ADDRESS:PORT -r ADDRESS[:PORT] [-m] [-w WEIGHT]\n"
		"        [--sorry|--no-sorry]\n"
		"  vsadm -e -t|-u ADDRESS:PORT -r ADDRESS[:PORT] --drain SECONDS\n"
		"  vsadm -d -t|-u ADDRESS:PORT -r ADDRESS[:PORT]\n"
		"  vsadm -L|-l [-t|-u ADDRESS:PORT] [-n] [--stats [--exact]] [-j]\n"
		"  vsadm -L -c [-n] [-j]        connections\n"
		"  vsadm -L --timeout [-j]      timeouts\n"
		"  vsadm -C | -Z [-t|-u ADDRESS:PORT]\n"
		"  vsadm -S [-n] | -R | --restore-replace\n"
		"  vsadm --set TCP TCPFIN UDP\n"
		"  vsadm -h | -V\n\n"
		"Commands:\n");
	for (c = VSADM_NONE + 1; c < __VSADM_CMD_MAX; c++) {
		char name[40];

		if (vsadm_cmds[c].shrt)
			snprintf(name, sizeof(name), "%s, %s",
				 vsadm_cmds[c].lng, vsadm_cmds[c].shrt);
		else
			snprintf(name, sizeof(name), "%s", vsadm_cmds[c].lng);
		fprintf(f, "  %-26s %s\n", name, vsadm_cmds[c].help);
	}
	fprintf(f,
		"\nOptions:\n"
		"  --tcp-service, -t ADDR:PORT  a TCP service\n"
		"  --udp-service, -u ADDR:PORT  a UDP service\n"
		"  --scheduler, -s NAME         rr, wrr, lc, wlc, sh or mh (default: the\n"
		"                               module's)\n"
		"  --real-server, -r ADDR[:PORT] a real server (port: the service's)\n"
		"  --masquerading, -m           NAT forwarding (the only method)\n"
		"  --weight, -w WEIGHT          admin weight, 0..65535 (default 1; 0: no\n"
		"                               new connections)\n"
		"  --warmup SECONDS             with -A/-E: ramp a server's weight up over\n"
		"                               this long after it comes back up (0..3600,\n"
		"                               default 0: no ramp)\n"
		"  --down-policy quiesce|reset  with -A/-E: a server going down keeps its\n"
		"                               connections (quiesce, default) or has them\n"
		"                               reset at once (reset)\n"
		"  --sched-flags, -b FLAGS      with -A/-E: comma-separated sh-fallback,\n"
		"                               sh-port (-s sh), mh-fallback, mh-port\n"
		"                               (-s mh): another server for a client\n"
		"                               whose server is unavailable; hash the\n"
		"                               source port too. \"\" clears them\n"
		"  --sorry, --no-sorry          with -a/-e: a sorry server gets connections\n"
		"                               only while no other server is usable\n"
		"  --drain SECONDS              with -e: no new connections; the server is\n"
		"                               deleted once idle or after SECONDS\n"
		"                               (1..86400); 0 cancels a drain\n"
		"  --numeric, -n                no name lookups\n"
		"  --connection, -c             with -L: list connections\n"
		"  --stats                      with -L: counters\n"
		"  --exact                      with --stats: exact numbers\n"
		"  --timeout                    with -L: the timeouts\n"
		"  --json, -j                   with -L: JSON output\n\n"
		"-L shows each real server's state (up, down, warming, draining),\n"
		"since when, why, and the effective weight next to the admin one.\n"
		"-S saves admin settings only, never health state.\n\n"
		"Exit status: 0 success, 1 failure, 2 usage error.\n");
}
