// SPDX-License-Identifier: GPL-2.0
/*
 * vshealthd.conf: read with libconfig, then validated as a whole. Every
 * problem is collected as "FILE:LINE: what is wrong" (not only the
 * first), and nothing of a bad file is ever used. Format: vshealthd.conf(5).
 */

#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_int.h"

void vh_errors_add(struct vh_errors *e, const char *file, int line,
		   const char *fmt, ...)
{
	char *text = NULL, *msg = NULL, **nm;
	va_list ap;
	int n;

	/* Allocated to size: a path of any length (-f, an @include) keeps
	 * the whole message after it.
	 */
	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (file && line > 0)
		n = asprintf(&msg, "%s:%d: %s", file, line, text);
	else if (file)
		n = asprintf(&msg, "%s: %s", file, text);
	else
		n = (msg = strdup(text)) ? 0 : -1;
	free(text);
	if (n < 0)
		return;
	nm = realloc(e->msg, (e->n + 1) * sizeof(*nm));
	if (!nm) {
		free(msg);
		return;
	}
	e->msg = nm;
	e->msg[e->n++] = msg;
}

void vh_errors_free(struct vh_errors *e)
{
	size_t i;

	for (i = 0; i < e->n; i++)
		free(e->msg[i]);
	free(e->msg);
	e->msg = NULL;
	e->n = 0;
}

void vh_perr(struct vh_parse *p, const config_setting_t *s,
	     const char *fmt, ...)
{
	const char *file = s ? config_setting_source_file(s) : NULL;
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	vh_errors_add(p->errs, file ? file : p->file,
		      s ? (int)config_setting_source_line(s) : 0, "%s", buf);
}

void vh_check_keys(struct vh_parse *p, const config_setting_t *s,
		   const char *const *allowed, const char *what)
{
	int i, n = config_setting_length(s);

	for (i = 0; i < n; i++) {
		config_setting_t *m = config_setting_get_elem(s, i);
		const char *name = config_setting_name(m);
		const char *const *a;
		char list[300] = "";
		size_t off = 0;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, name))
				break;
		if (*a)
			continue;
		for (a = allowed; *a && off < sizeof(list); a++)
			off += snprintf(list + off, sizeof(list) - off, "%s%s",
					a == allowed ? "" : ", ", *a);
		vh_perr(p, m, "unknown key \"%s\" in %s (known: %s)", name,
			what, list);
	}
}

int vh_get_str(struct vh_parse *p, const config_setting_t *grp,
	       const char *key, const char **out)
{
	config_setting_t *m = config_setting_get_member(grp, key);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_STRING) {
		vh_perr(p, m, "%s: expected a string in double quotes", key);
		return -1;
	}
	*out = config_setting_get_string(m);
	return 1;
}

int vh_get_uint(struct vh_parse *p, const config_setting_t *grp,
		const char *key, uint32_t min, uint32_t max, uint32_t *out)
{
	config_setting_t *m = config_setting_get_member(grp, key);
	long long v;

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_INT &&
	    config_setting_type(m) != CONFIG_TYPE_INT64) {
		vh_perr(p, m, "%s: expected an integer in %u..%u", key, min,
			max);
		return -1;
	}
	v = config_setting_get_int64(m);
	if (v < min || v > max) {
		vh_perr(p, m, "%s = %lld: out of range %u..%u", key, v, min,
			max);
		return -1;
	}
	*out = v;
	return 1;
}

int vh_get_bool(struct vh_parse *p, const config_setting_t *grp,
		const char *key, bool *out)
{
	config_setting_t *m = config_setting_get_member(grp, key);

	if (!m)
		return 0;
	if (config_setting_type(m) != CONFIG_TYPE_BOOL) {
		vh_perr(p, m, "%s: expected true or false", key);
		return -1;
	}
	*out = config_setting_get_bool(m);
	return 1;
}

int vh_get_secs(struct vh_parse *p, const config_setting_t *grp,
		const char *key, uint32_t min_ms, uint32_t max_ms,
		uint32_t *out)
{
	config_setting_t *m = config_setting_get_member(grp, key);
	double v;

	if (!m)
		return 0;
	switch (config_setting_type(m)) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(m);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(m);
		break;
	default:
		vh_perr(p, m, "%s: expected a number of seconds such as 1.5",
			key);
		return -1;
	}
	v *= 1000.0;
	if (!(v >= min_ms - 0.5 && v <= max_ms + 0.5) ||
	    (min_ms > 0 && v <= 0)) {
		vh_perr(p, m, "%s = %g: expected %s%g..%g seconds", key,
			v / 1000.0, min_ms ? "more than 0, " : "",
			min_ms / 1000.0, max_ms / 1000.0);
		return -1;
	}
	*out = v + 0.5;
	if (min_ms && *out < min_ms)
		*out = min_ms;
	return 1;
}

/* Shell metacharacters: a command with any of them runs under /bin/sh. */
#define SHELL_CHARS "|&;<>()$`\\\"'*?[]#~{}\n"

int vh_cmd_split(const char *text, struct vh_cmd *cmd)
{
	char *copy, *tok, *save, **argv;
	size_t n = 0, i;
	char q = 0;

	memset(cmd, 0, sizeof(*cmd));
	for (i = 0; text[i]; i++) {
		if (q) {
			if (text[i] == q)
				q = 0;
			else if (q == '"' && text[i] == '\\' && text[i + 1])
				i++;
		} else if (text[i] == '\'' || text[i] == '"') {
			q = text[i];
		} else if (text[i] == '\\' && text[i + 1]) {
			i++;
		}
	}
	if (q || text[strspn(text, " \t")] == '\0')
		return -EINVAL;
	argv = calloc(strlen(text) / 2 + 4, sizeof(*argv));
	cmd->text = strdup(text);
	if (!argv || !cmd->text)
		goto nomem;
	if (strpbrk(text, SHELL_CHARS)) {
		argv[0] = strdup("/bin/sh");
		argv[1] = strdup("-c");
		argv[2] = strdup(text);
		cmd->argv = argv;
		return 0;
	}
	copy = strdup(text);
	if (!copy)
		goto nomem;
	for (tok = strtok_r(copy, " \t", &save); tok;
	     tok = strtok_r(NULL, " \t", &save))
		argv[n++] = strdup(tok);
	free(copy);
	cmd->argv = argv;
	return 0;
nomem:
	free(argv);
	free(cmd->text);
	cmd->text = NULL;
	return -ENOMEM;
}

void vh_cmd_free(struct vh_cmd *cmd)
{
	char **a;

	for (a = cmd->argv; a && *a; a++)
		free(*a);
	free(cmd->argv);
	free(cmd->text);
	memset(cmd, 0, sizeof(*cmd));
}

/* "A.B.C.D:PORT" (or "A.B.C.D" when @port_optional; *port = 0). */
static int parse_addr_port(const char *s, struct in_addr *addr,
			   uint16_t *port, bool port_optional)
{
	char buf[64], *colon, *end;
	unsigned long v;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (colon)
		*colon = '\0';
	if (inet_pton(AF_INET, buf, addr) != 1)
		return -1;
	if (!colon) {
		*port = 0;
		return port_optional ? 0 : -1;
	}
	v = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || v < 1 || v > 65535)
		return -1;
	*port = v;
	return 0;
}

/* A "checks" member: a string or an array of strings, each defined. */
static int parse_check_refs(struct vh_parse *p, struct vh_config *cfg,
			    const config_setting_t *grp,
			    const struct vh_check_cfg ***out, size_t *n)
{
	config_setting_t *m = config_setting_get_member(grp, "checks");
	int i, len, bad = 0;

	*out = NULL;
	*n = 0;
	if (!m)
		return 0;
	if (config_setting_type(m) == CONFIG_TYPE_STRING)
		len = 1;
	else if (config_setting_type(m) == CONFIG_TYPE_ARRAY ||
		 config_setting_type(m) == CONFIG_TYPE_LIST)
		len = config_setting_length(m);
	else
		len = -1;
	if (len < 0) {
		vh_perr(p, m, "checks: expected [ \"name\", ... ]");
		return -1;
	}
	*out = calloc(len + 1, sizeof(**out));
	for (i = 0; i < len; i++) {
		const char *name = len == 1 &&
			config_setting_type(m) == CONFIG_TYPE_STRING ?
			config_setting_get_string(m) :
			config_setting_get_string_elem(m, i);
		const struct vh_check_cfg *c;
		size_t k;

		if (!name) {
			vh_perr(p, m, "checks: element %d is not a string", i + 1);
			bad = 1;
			continue;
		}
		c = vh_config_check(cfg, name);
		if (!c) {
			vh_perr(p, m, "checks: \"%s\" is not defined in the checks group",
				name);
			bad = 1;
			continue;
		}
		for (k = 0; k < *n; k++)
			if ((*out)[k] == c)
				break;
		if (k < *n) {
			vh_perr(p, m, "checks: \"%s\" is listed twice", name);
			bad = 1;
			continue;
		}
		(*out)[(*n)++] = c;
	}
	return bad ? -1 : 0;
}

static int parse_quorum_cmd(struct vh_parse *p, const config_setting_t *s,
			    const char *key, struct vh_cmd *cmd)
{
	const char *str;
	int r = vh_get_str(p, s, key, &str);

	if (r <= 0)
		return r;
	if (vh_cmd_split(str, cmd)) {
		vh_perr(p, config_setting_get_member(s, key),
			"%s: empty command or unbalanced quotes", key);
		return -1;
	}
	return 1;
}

static const char *const service_keys[] = { "service", "checks", "quorum",
	"hysteresis", "quorum_up", "quorum_down", "servers", NULL };
static const char *const server_keys[] = { "server", "checks", "inherit",
	NULL };

static int parse_server(struct vh_parse *p, struct vh_config *cfg,
			struct vh_service_cfg *svc, const config_setting_t *s,
			struct vh_server_cfg *srv)
{
	const char *str;
	size_t i;
	int r, bad = 0;

	srv->line = config_setting_source_line(s);
	srv->inherit = true;
	if (!config_setting_is_group(s)) {
		vh_perr(p, s, "servers: each entry is a group { server = \"ADDR:PORT\"; checks = [ ... ]; }");
		return -1;
	}
	vh_check_keys(p, s, server_keys, "a server entry");
	r = vh_get_str(p, s, "server", &str);
	if (r == 0)
		vh_perr(p, s, "server entry: \"server\" (\"ADDR:PORT\" or \"ADDR\") is required");
	if (r <= 0)
		bad = 1;
	else if (parse_addr_port(str, &srv->addr, &srv->port, true)) {
		vh_perr(p, config_setting_get_member(s, "server"),
			"server \"%s\": expected an IPv4 address, optionally with :PORT (1..65535)",
			str);
		bad = 1;
	}
	bad |= parse_check_refs(p, cfg, s, &srv->checks, &srv->n_checks) < 0;
	bad |= vh_get_bool(p, s, "inherit", &srv->inherit) < 0;
	if (bad)
		return -1;
	for (i = 0; svc->servers + i != srv; i++)
		if (svc->servers[i].addr.s_addr == srv->addr.s_addr &&
		    svc->servers[i].port == srv->port) {
			vh_perr(p, s, "server \"%s\" already has an entry at line %d",
				str, svc->servers[i].line);
			return -1;
		}
	return 0;
}

static int parse_service(struct vh_parse *p, struct vh_config *cfg,
			 const config_setting_t *s, struct vh_service_cfg *svc)
{
	config_setting_t *servers;
	char proto[8], addr[64], extra;
	const char *str;
	size_t i;
	int r, bad = 0;

	svc->line = config_setting_source_line(s);
	if (!config_setting_is_group(s)) {
		vh_perr(p, s, "services: each entry is a group { service = \"tcp ADDR:PORT\"; ... }");
		return -1;
	}
	vh_check_keys(p, s, service_keys, "a service entry");
	r = vh_get_str(p, s, "service", &str);
	if (r == 0)
		vh_perr(p, s, "service entry: \"service\" (\"tcp ADDR:PORT\") is required");
	if (r <= 0) {
		bad = 1;
	} else if (sscanf(str, "%7s %63s %c", proto, addr, &extra) != 2 ||
		   (strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
		   parse_addr_port(addr, &svc->addr, &svc->port, false)) {
		vh_perr(p, config_setting_get_member(s, "service"),
			"service \"%s\": expected \"tcp ADDR:PORT\" or \"udp ADDR:PORT\" (IPv4, port 1..65535)",
			str);
		bad = 1;
	} else {
		svc->protocol = strcmp(proto, "tcp") ? IPPROTO_UDP :
						       IPPROTO_TCP;
		if (asprintf(&svc->name, "%s %s", proto, addr) < 0)
			svc->name = NULL;
		for (i = 0; cfg->services + i != svc; i++) {
			struct vh_service_cfg *o = &cfg->services[i];

			if (o->protocol == svc->protocol &&
			    o->addr.s_addr == svc->addr.s_addr &&
			    o->port == svc->port) {
				vh_perr(p, s, "service \"%s\" is already configured at line %d",
					str, o->line);
				bad = 1;
			}
		}
	}
	bad |= parse_check_refs(p, cfg, s, &svc->checks, &svc->n_checks) < 0;
	r = vh_get_uint(p, s, "quorum", 1, UINT32_MAX, &svc->quorum);
	bad |= r < 0;
	svc->has_quorum = r > 0;
	bad |= vh_get_uint(p, s, "hysteresis", 0, UINT32_MAX,
			   &svc->hysteresis) < 0;
	bad |= parse_quorum_cmd(p, s, "quorum_up", &svc->quorum_up) < 0;
	bad |= parse_quorum_cmd(p, s, "quorum_down", &svc->quorum_down) < 0;
	if (!svc->has_quorum &&
	    (svc->quorum_up.argv || svc->quorum_down.argv ||
	     config_setting_get_member(s, "hysteresis"))) {
		vh_perr(p, s, "quorum_up, quorum_down and hysteresis need \"quorum\" (the minimum total weight)");
		bad = 1;
	}
	if (svc->has_quorum && svc->hysteresis >= svc->quorum) {
		vh_perr(p, config_setting_get_member(s, "hysteresis"),
			"hysteresis (%u) must be below quorum (%u)",
			svc->hysteresis, svc->quorum);
		bad = 1;
	}
	servers = config_setting_get_member(s, "servers");
	if (servers) {
		int n = config_setting_length(servers), k;

		if (config_setting_type(servers) != CONFIG_TYPE_LIST) {
			vh_perr(p, servers, "servers: expected a list ( { server = ...; }, ... )");
			return -1;
		}
		svc->servers = calloc(n ? n : 1, sizeof(*svc->servers));
		for (k = 0; k < n; k++) {
			bad |= parse_server(p, cfg, svc,
					    config_setting_get_elem(servers, k),
					    &svc->servers[k]) < 0;
			svc->n_servers++;
		}
	}
	return bad ? -1 : 0;
}

static const char *const daemon_keys[] = { "control", "metrics",
	"metrics_allow_remote", "history", NULL };
static const char *const top_keys[] = { "daemon", "checks", "services",
	NULL };

static int parse_daemon(struct vh_parse *p, struct vh_config *cfg,
			const config_setting_t *s)
{
	const char *str;
	struct in_addr a;
	uint16_t port;
	int r, bad = 0;

	if (!config_setting_is_group(s)) {
		vh_perr(p, s, "daemon: expected a group { control = ...; }");
		return -1;
	}
	vh_check_keys(p, s, daemon_keys, "daemon");
	r = vh_get_str(p, s, "control", &str);
	if (r > 0 && str[0] != '/') {
		vh_perr(p, config_setting_get_member(s, "control"),
			"control \"%s\": expected an absolute path", str);
		bad = 1;
	} else if (r > 0) {
		free(cfg->control);
		cfg->control = strdup(str);
	}
	bad |= r < 0;
	bad |= vh_get_bool(p, s, "metrics_allow_remote",
			   &cfg->metrics_allow_remote) < 0;
	r = vh_get_str(p, s, "metrics", &str);
	bad |= r < 0;
	if (r > 0 && parse_addr_port(str, &a, &port, false)) {
		vh_perr(p, config_setting_get_member(s, "metrics"),
			"metrics \"%s\": expected IPV4ADDR:PORT such as \"127.0.0.1:9469\"",
			str);
		bad = 1;
	} else if (r > 0 && (ntohl(a.s_addr) >> 24) != 127 &&
		   !cfg->metrics_allow_remote) {
		vh_perr(p, config_setting_get_member(s, "metrics"),
			"metrics \"%s\" is not a loopback address: the endpoint has no authentication; set metrics_allow_remote = true to expose it anyway",
			str);
		bad = 1;
	} else if (r > 0) {
		cfg->metrics = strdup(str);
		cfg->metrics_addr.sin_family = AF_INET;
		cfg->metrics_addr.sin_addr = a;
		cfg->metrics_addr.sin_port = htons(port);
	}
	bad |= vh_get_uint(p, s, "history", 1, VH_HISTORY_MAX,
			   &cfg->history) < 0;
	return bad ? -1 : 0;
}

static int parse_root(struct vh_parse *p, struct vh_config *cfg,
		      const config_setting_t *root)
{
	config_setting_t *s;
	int bad = 0, n, k;

	vh_check_keys(p, root, top_keys, "the top level");
	s = config_setting_get_member(root, "daemon");
	if (s)
		bad |= parse_daemon(p, cfg, s) < 0;
	s = config_setting_get_member(root, "checks");
	if (s && !config_setting_is_group(s)) {
		vh_perr(p, s, "checks: expected a group { NAME = { type = ...; }; ... }");
		return -1;
	}
	n = s ? config_setting_length(s) : 0;
	cfg->checks = calloc(n ? n : 1, sizeof(*cfg->checks));
	for (k = 0; k < n; k++) {
		/* Counted first: a half-parsed check is freed with the rest. */
		cfg->n_checks++;
		bad |= vh_parse_check(p, config_setting_get_elem(s, k),
				      &cfg->checks[k]) < 0;
	}
	s = config_setting_get_member(root, "services");
	if (!s) {
		vh_perr(p, NULL, "no \"services\" list: nothing would be checked");
		return -1;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		vh_perr(p, s, "services: expected a list ( { service = ...; }, ... )");
		return -1;
	}
	n = config_setting_length(s);
	cfg->services = calloc(n ? n : 1, sizeof(*cfg->services));
	for (k = 0; k < n; k++) {
		cfg->n_services++;
		bad |= parse_service(p, cfg, config_setting_get_elem(s, k),
				     &cfg->services[k]) < 0;
	}
	return bad ? -1 : 0;
}

int vh_config_load(const char *file, struct vh_config **out,
		   struct vh_errors *errs)
{
	struct vh_parse p = { .file = file, .errs = errs };
	struct vh_config *cfg;
	size_t n_errs = errs->n;
	char *dircopy;
	config_t lc;
	FILE *f;
	int ret = 0;

	*out = NULL;
	/* fopen() first, for an errno-accurate message. */
	f = fopen(file, "r");
	if (!f) {
		ret = -errno;
		vh_errors_add(errs, file, 0, "cannot read: %s", strerror(errno));
		return ret;
	}
	fclose(f);
	config_init(&lc);
	dircopy = strdup(file);
	if (dircopy)
		config_set_include_dir(&lc, dirname(dircopy));
	free(dircopy);
	if (!config_read_file(&lc, file)) {
		vh_errors_add(errs, config_error_file(&lc) ?
			      config_error_file(&lc) : file,
			      config_error_line(&lc), "%s",
			      config_error_text(&lc));
		config_destroy(&lc);
		return -EINVAL;
	}
	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		config_destroy(&lc);
		return -ENOMEM;
	}
	cfg->file = strdup(file);
	cfg->control = strdup(VH_DEFAULT_CONTROL);
	cfg->history = VH_DEFAULT_HISTORY;
	if (parse_root(&p, cfg, config_root_setting(&lc)) ||
	    errs->n > n_errs) {
		vh_config_free(cfg);
		ret = -EINVAL;
	} else {
		*out = cfg;
	}
	config_destroy(&lc);
	return ret;
}

void vh_config_free(struct vh_config *cfg)
{
	size_t i, k;

	if (!cfg)
		return;
	for (i = 0; i < cfg->n_services; i++) {
		struct vh_service_cfg *s = &cfg->services[i];

		for (k = 0; k < s->n_servers; k++)
			free(s->servers[k].checks);
		free(s->servers);
		free(s->checks);
		free(s->name);
		vh_cmd_free(&s->quorum_up);
		vh_cmd_free(&s->quorum_down);
	}
	free(cfg->services);
	for (i = 0; i < cfg->n_checks; i++)
		vh_check_cfg_release(&cfg->checks[i]);
	free(cfg->checks);
	free(cfg->file);
	free(cfg->control);
	free(cfg->metrics);
	free(cfg);
}

const struct vh_check_cfg *vh_config_check(const struct vh_config *cfg,
					   const char *name)
{
	size_t i;

	for (i = 0; i < cfg->n_checks; i++)
		if (cfg->checks[i].name && !strcmp(cfg->checks[i].name, name))
			return &cfg->checks[i];
	return NULL;
}

const struct vh_service_cfg *
vh_config_service(const struct vh_config *cfg, uint8_t protocol,
		  struct in_addr addr, uint16_t port)
{
	size_t i;

	for (i = 0; i < cfg->n_services; i++) {
		const struct vh_service_cfg *s = &cfg->services[i];

		if (s->protocol == protocol && s->addr.s_addr == addr.s_addr &&
		    s->port == port)
			return s;
	}
	return NULL;
}

static size_t add_unique(const struct vh_check_cfg **out, size_t n,
			 size_t max, const struct vh_check_cfg *const *in,
			 size_t n_in)
{
	size_t i, k;

	for (i = 0; i < n_in; i++) {
		for (k = 0; k < n; k++)
			if (out[k] == in[i])
				break;
		if (k == n && n < max)
			out[n++] = in[i];
	}
	return n;
}

size_t vh_config_dest_checks(const struct vh_service_cfg *svc,
			     struct in_addr addr, uint16_t port,
			     const struct vh_check_cfg **out, size_t max)
{
	const struct vh_server_cfg *srv = NULL;
	size_t i, n = 0;

	/* The entry naming the port wins over one for the whole address. */
	for (i = 0; i < svc->n_servers; i++) {
		const struct vh_server_cfg *s = &svc->servers[i];

		if (s->addr.s_addr != addr.s_addr)
			continue;
		if (s->port == port) {
			srv = s;
			break;
		}
		if (!s->port)
			srv = s;
	}
	if (!srv || srv->inherit)
		n = add_unique(out, n, max, svc->checks, svc->n_checks);
	if (srv)
		n = add_unique(out, n, max, srv->checks, srv->n_checks);
	return n;
}
