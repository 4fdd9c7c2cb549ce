// SPDX-License-Identifier: GPL-2.0
/*
 * One entry of the "checks" group: its type, timing and type-specific
 * keys, validated. Keys that do not apply to the type are errors, so a
 * typo never silently becomes a default.
 */

#include <arpa/nameser.h>
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config_int.h"

static const char *const type_names[__VH_CHECK_MAX] = {
	[VH_CHECK_TCP] = "tcp",		[VH_CHECK_HTTP] = "http",
	[VH_CHECK_HTTPS] = "https",	[VH_CHECK_ICMP] = "icmp",
	[VH_CHECK_UDP] = "udp",		[VH_CHECK_DNS] = "dns",
	[VH_CHECK_SCRIPT] = "script",	[VH_CHECK_AGENT] = "agent",
};

#define COMMON "type", "interval", "timeout", "jitter", "rise", "fall"
static const char *const keys_tcp[] = { COMMON, "port", NULL };
static const char *const keys_http[] = { COMMON, "port", "path", "host",
	"status", "body", "body_regex", NULL };
static const char *const keys_https[] = { COMMON, "port", "path", "host",
	"status", "body", "body_regex", "sni", "tls_verify", "tls_ca", NULL };
static const char *const keys_icmp[] = { COMMON, NULL };
static const char *const keys_udp[] = { COMMON, "port", "payload",
	"payload_hex", "expect", "expect_hex", NULL };
static const char *const keys_dns[] = { COMMON, "port", "name",
	"query_type", "rcodes", NULL };
static const char *const keys_script[] = { COMMON, "port", "command", NULL };
static const char *const keys_agent[] = { COMMON, "port", "cpu_max",
	"mem_max", NULL };

static const char *const *const type_keys[__VH_CHECK_MAX] = {
	[VH_CHECK_TCP] = keys_tcp,	[VH_CHECK_HTTP] = keys_http,
	[VH_CHECK_HTTPS] = keys_https,	[VH_CHECK_ICMP] = keys_icmp,
	[VH_CHECK_UDP] = keys_udp,	[VH_CHECK_DNS] = keys_dns,
	[VH_CHECK_SCRIPT] = keys_script, [VH_CHECK_AGENT] = keys_agent,
};

static const struct { const char *name; uint16_t type; } dns_types[] = {
	{ "A", ns_t_a }, { "NS", ns_t_ns }, { "CNAME", ns_t_cname },
	{ "SOA", ns_t_soa }, { "PTR", ns_t_ptr }, { "MX", ns_t_mx },
	{ "TXT", ns_t_txt }, { "AAAA", ns_t_aaaa }, { "SRV", ns_t_srv },
	{ "ANY", ns_t_any },
};

static const char *const rcode_names[] = {
	"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
	"YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE",
};

int vh_parse_status(const char *text, struct vh_status_range **out,
		    size_t *n, char *err, size_t errlen)
{
	struct vh_status_range *r = NULL, *nr;
	const char *s = text;
	size_t cnt = 0;
	char *end;

	while (1) {
		unsigned long lo, hi;

		while (*s == ' ')
			s++;
		if (!isdigit((unsigned char)*s))
			goto bad;
		lo = strtoul(s, &end, 10);
		hi = lo;
		s = end;
		if (*s == '-') {
			s++;
			if (!isdigit((unsigned char)*s))
				goto bad;
			hi = strtoul(s, &end, 10);
			s = end;
		}
		if (lo < 100 || hi > 599 || lo > hi) {
			snprintf(err, errlen,
				 "status range %lu-%lu: codes are 100..599, low to high",
				 lo, hi);
			free(r);
			return -1;
		}
		nr = realloc(r, (cnt + 1) * sizeof(*r));
		if (!nr) {
			free(r);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		r = nr;
		r[cnt].lo = lo;
		r[cnt].hi = hi;
		cnt++;
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		if (*s++ != ',')
			goto bad;
	}
	*out = r;
	*n = cnt;
	return 0;
bad:
	free(r);
	snprintf(err, errlen,
		 "status \"%s\": expected codes or ranges such as \"200-299,301\"",
		 text);
	return -1;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Bytes from a string, or from hex digits (spaces allowed) if @hex. */
static int get_bytes(struct vh_parse *p, const config_setting_t *grp,
		     const char *key, bool hex, uint8_t **out, size_t *len)
{
	const char *str;
	size_t i, n = 0;
	uint8_t *buf;
	int r = vh_get_str(p, grp, key, &str);

	if (r <= 0)
		return r;
	if (*out) {
		vh_perr(p, config_setting_get_member(grp, key),
			"give either the string or the _hex form of %s, not both",
			hex ? "it" : key);
		return -1;
	}
	buf = malloc(strlen(str) + 1);
	if (!buf)
		return -1;
	if (!hex) {
		n = strlen(str);
		memcpy(buf, str, n);
	} else {
		for (i = 0; str[i]; i++) {
			int hi, lo;

			if (str[i] == ' ' || str[i] == ':')
				continue;
			hi = hexval(str[i]);
			lo = str[i + 1] ? hexval(str[i + 1]) : -1;
			if (hi < 0 || lo < 0) {
				vh_perr(p, config_setting_get_member(grp, key),
					"%s: expected pairs of hex digits", key);
				free(buf);
				return -1;
			}
			buf[n++] = hi << 4 | lo;
			i++;
		}
	}
	*out = buf;
	*len = n;
	return 1;
}

/* What may go into the request line or the Host header as it is:
 * printable ASCII without spaces, so nothing can end the line or split
 * the request; a @host has no path, query or user part either.
 */
static bool http_token(const char *str, bool host)
{
	for (; *str; str++)
		if (*str <= ' ' || *str >= 0x7f || (host && strchr("/?#@", *str)))
			return false;
	return true;
}

static int parse_http(struct vh_parse *p, const config_setting_t *s,
		      struct vh_check_cfg *c)
{
	config_setting_t *m;
	const char *str;
	char err[160];
	int r, bad = 0;

	r = vh_get_str(p, s, "path", &str);
	if (r < 0)
		bad = 1;
	else if (r && str[0] != '/') {
		vh_perr(p, config_setting_get_member(s, "path"),
			"path \"%s\" must start with '/'", str);
		bad = 1;
	} else if (r && !http_token(str, false)) {
		vh_perr(p, config_setting_get_member(s, "path"),
			"path \"%s\" has a space or a control character; percent-encode it (%%20)",
			str);
		bad = 1;
	}
	c->path = strdup(r > 0 && str[0] == '/' ? str : "/");
	r = vh_get_str(p, s, "host", &str);
	if (r > 0 && (!*str || !http_token(str, true))) {
		vh_perr(p, config_setting_get_member(s, "host"),
			"host \"%s\" is not a valid Host header value", str);
		bad = 1;
	} else if (r > 0) {
		c->host = strdup(str);
	}
	/* "200-299,301", or a bare number for one code. */
	m = config_setting_get_member(s, "status");
	if (m && (config_setting_type(m) == CONFIG_TYPE_INT ||
		  config_setting_type(m) == CONFIG_TYPE_INT64)) {
		uint32_t code;

		if (vh_get_uint(p, s, "status", 100, 599, &code) < 0) {
			bad = 1;
		} else {
			c->status = malloc(sizeof(*c->status));
			if (c->status) {
				c->status->lo = c->status->hi = code;
				c->n_status = 1;
			}
		}
	} else if (m && config_setting_type(m) != CONFIG_TYPE_STRING) {
		vh_perr(p, m, "status: expected a code such as 200, or codes and ranges in double quotes such as \"200-299,301\"");
		bad = 1;
	} else if ((r = vh_get_str(p, s, "status", &str)) < 0) {
		bad = 1;
	} else if (r > 0 && vh_parse_status(str, &c->status, &c->n_status,
					    err, sizeof(err))) {
		vh_perr(p, m, "%s", err);
		bad = 1;
	}
	if (!c->status && !bad) {
		c->status = malloc(sizeof(*c->status));
		c->status->lo = 200;
		c->status->hi = 299;
		c->n_status = 1;
	}
	r = vh_get_str(p, s, "body", &str);
	if (r > 0)
		c->body = strdup(str);
	bad |= r < 0;
	r = vh_get_str(p, s, "body_regex", &str);
	if (r > 0) {
		int e = regcomp(&c->body_re, str, REG_EXTENDED | REG_NOSUB);

		if (e) {
			regerror(e, &c->body_re, err, sizeof(err));
			vh_perr(p, config_setting_get_member(s, "body_regex"),
				"body_regex \"%s\": %s", str, err);
			bad = 1;
		} else {
			c->has_body_re = true;
			c->body_regex = strdup(str);
		}
	}
	bad |= r < 0;
	if (c->type == VH_CHECK_HTTPS) {
		if (vh_get_str(p, s, "sni", &str) > 0)
			c->sni = strdup(str);
		bad |= vh_get_bool(p, s, "tls_verify", &c->tls_verify) < 0;
		r = vh_get_str(p, s, "tls_ca", &str);
		m = config_setting_get_member(s, "tls_ca");
		if (r > 0 && str[0] != '/') {
			vh_perr(p, m, "tls_ca \"%s\": expected an absolute path",
				str);
			bad = 1;
		} else if (r > 0 && access(str, R_OK)) {
			vh_perr(p, m, "tls_ca \"%s\": %s", str, strerror(errno));
			bad = 1;
		} else if (r > 0 && !c->tls_verify) {
			vh_perr(p, m, "tls_ca needs tls_verify = true: without it the certificate is not checked at all");
			bad = 1;
		} else if (r > 0) {
			c->tls_ca = strdup(str);
		}
		bad |= r < 0;
	}
	return bad ? -1 : 0;
}

static int parse_dns(struct vh_parse *p, const config_setting_t *s,
		     struct vh_check_cfg *c)
{
	config_setting_t *m;
	const char *str;
	size_t i;
	int r, bad = 0;

	r = vh_get_str(p, s, "name", &str);
	if (r == 0)
		vh_perr(p, s, "dns check: \"name\" (the name to ask for) is required");
	if (r <= 0)
		bad = 1;
	else
		c->dns_name = strdup(str);
	c->dns_type = ns_t_a;
	m = config_setting_get_member(s, "query_type");
	if (m && config_setting_type(m) == CONFIG_TYPE_INT) {
		uint32_t t;

		bad |= vh_get_uint(p, s, "query_type", 1, 65535, &t) < 0;
		c->dns_type = t;
	} else if (m) {
		r = vh_get_str(p, s, "query_type", &str);
		if (r > 0) {
			for (i = 0; i < sizeof(dns_types) / sizeof(*dns_types); i++)
				if (!strcasecmp(str, dns_types[i].name))
					break;
			if (i == sizeof(dns_types) / sizeof(*dns_types)) {
				vh_perr(p, m,
					"query_type \"%s\": expected A, AAAA, NS, MX, TXT, SOA, CNAME, PTR, SRV, ANY or a number",
					str);
				bad = 1;
			} else {
				c->dns_type = dns_types[i].type;
			}
		} else {
			bad = 1;
		}
	}
	c->dns_rcodes = 1U << ns_r_noerror;
	m = config_setting_get_member(s, "rcodes");
	if (m) {
		int n = config_setting_length(m), k;

		if (!config_setting_is_aggregate(m) || n == 0) {
			vh_perr(p, m, "rcodes: expected a non-empty list such as [ \"NOERROR\", \"NXDOMAIN\" ]");
			return -1;
		}
		c->dns_rcodes = 0;
		for (k = 0; k < n; k++) {
			config_setting_t *e = config_setting_get_elem(m, k);

			if (config_setting_type(e) == CONFIG_TYPE_INT) {
				int v = config_setting_get_int(e);

				if (v < 0 || v > 15) {
					vh_perr(p, e, "rcode %d: expected 0..15", v);
					bad = 1;
				} else {
					c->dns_rcodes |= 1U << v;
				}
				continue;
			}
			str = config_setting_get_string(e);
			for (i = 0; str && i < sizeof(rcode_names) / sizeof(*rcode_names); i++)
				if (!strcasecmp(str, rcode_names[i]))
					break;
			if (!str || i == sizeof(rcode_names) / sizeof(*rcode_names)) {
				vh_perr(p, e, "rcode %s%s%s: expected NOERROR, SERVFAIL, NXDOMAIN, REFUSED, ... or 0..15",
					str ? "\"" : "", str ? str : "?",
					str ? "\"" : "");
				bad = 1;
			} else {
				c->dns_rcodes |= 1U << i;
			}
		}
	}
	return bad ? -1 : 0;
}

static int parse_script(struct vh_parse *p, const config_setting_t *s,
			struct vh_check_cfg *c)
{
	config_setting_t *m = config_setting_get_member(s, "command");
	struct vh_cmd cmd;
	int n, k;

	if (!m) {
		vh_perr(p, s, "script check: \"command\" is required");
		return -1;
	}
	if (config_setting_type(m) == CONFIG_TYPE_STRING) {
		if (vh_cmd_split(config_setting_get_string(m), &cmd)) {
			vh_perr(p, m, "command: empty or unbalanced quotes");
			return -1;
		}
		free(cmd.text);
		c->argv = cmd.argv;
		return 0;
	}
	n = config_setting_length(m);
	if (config_setting_type(m) != CONFIG_TYPE_ARRAY || n == 0) {
		vh_perr(p, m, "command: expected a string or an array of strings");
		return -1;
	}
	c->argv = calloc(n + 1, sizeof(char *));
	for (k = 0; k < n; k++) {
		const char *a = config_setting_get_string_elem(m, k);

		if (!a) {
			vh_perr(p, m, "command: expected an array of strings");
			return -1;
		}
		c->argv[k] = strdup(a);
	}
	return 0;
}

int vh_parse_check(struct vh_parse *p, const config_setting_t *s,
		   struct vh_check_cfg *c)
{
	const char *type;
	uint32_t port;
	int r, t, bad = 0;

	c->name = strdup(config_setting_name(s));
	if (!config_setting_is_group(s)) {
		vh_perr(p, s, "check \"%s\": expected a group { type = ...; }",
			c->name);
		return -1;
	}
	r = vh_get_str(p, s, "type", &type);
	if (r == 0)
		vh_perr(p, s, "check \"%s\": \"type\" is required (tcp, http, https, icmp, udp, dns, script, agent)",
			c->name);
	if (r <= 0)
		return -1;
	for (t = 0; t < __VH_CHECK_MAX; t++)
		if (!strcmp(type, type_names[t]))
			break;
	if (t == __VH_CHECK_MAX) {
		vh_perr(p, config_setting_get_member(s, "type"),
			"check \"%s\": unknown type \"%s\" (tcp, http, https, icmp, udp, dns, script, agent)",
			c->name, type);
		return -1;
	}
	c->type = t;
	vh_check_keys(p, s, type_keys[t], type);

	c->interval_ms = 1000;
	c->rise = 3;
	c->fall = 3;
	bad |= vh_get_secs(p, s, "interval", 1, 86400000, &c->interval_ms) < 0;
	c->timeout_ms = c->interval_ms < 1000 ? c->interval_ms : 1000;
	r = vh_get_secs(p, s, "timeout", 1, 86400000, &c->timeout_ms);
	bad |= r < 0;
	if (r > 0 && c->timeout_ms > c->interval_ms) {
		vh_perr(p, config_setting_get_member(s, "timeout"),
			"timeout (%.3f s) must not exceed interval (%.3f s): a probe never overlaps itself",
			c->timeout_ms / 1000.0, c->interval_ms / 1000.0);
		bad = 1;
	}
	r = vh_get_secs(p, s, "jitter", 0, 86400000, &c->jitter_ms);
	bad |= r < 0;
	if (r > 0 && c->jitter_ms > c->interval_ms) {
		vh_perr(p, config_setting_get_member(s, "jitter"),
			"jitter (%.3f s) must not exceed interval (%.3f s)",
			c->jitter_ms / 1000.0, c->interval_ms / 1000.0);
		bad = 1;
	}
	bad |= vh_get_uint(p, s, "rise", 1, 100, &c->rise) < 0;
	bad |= vh_get_uint(p, s, "fall", 1, 100, &c->fall) < 0;
	r = vh_get_uint(p, s, "port", 1, 65535, &port);
	bad |= r < 0;
	if (r > 0)
		c->port = port;

	switch (c->type) {
	case VH_CHECK_HTTP:
	case VH_CHECK_HTTPS:
		bad |= parse_http(p, s, c) < 0;
		break;
	case VH_CHECK_UDP:
		bad |= get_bytes(p, s, "payload", false, &c->payload,
				 &c->payload_len) < 0;
		bad |= get_bytes(p, s, "payload_hex", true, &c->payload,
				 &c->payload_len) < 0;
		bad |= get_bytes(p, s, "expect", false, &c->expect,
				 &c->expect_len) < 0;
		bad |= get_bytes(p, s, "expect_hex", true, &c->expect,
				 &c->expect_len) < 0;
		break;
	case VH_CHECK_DNS:
		bad |= parse_dns(p, s, c) < 0;
		break;
	case VH_CHECK_SCRIPT:
		bad |= parse_script(p, s, c) < 0;
		break;
	case VH_CHECK_AGENT:
		if (!config_setting_get_member(s, "port")) {
			vh_perr(p, s, "agent check \"%s\": \"port\" (the agent's TCP port) is required",
				c->name);
			bad = 1;
		}
		bad |= vh_get_uint(p, s, "cpu_max", 0, 100,
				   &c->agent_cpu_max) < 0;
		bad |= vh_get_uint(p, s, "mem_max", 0, 100,
				   &c->agent_mem_max) < 0;
		break;
	default:
		break;
	}
	return bad ? -1 : 0;
}

void vh_check_cfg_release(struct vh_check_cfg *c)
{
	char **a;

	free(c->name);
	free(c->path);
	free(c->host);
	free(c->status);
	free(c->body);
	if (c->has_body_re)
		regfree(&c->body_re);
	free(c->body_regex);
	free(c->sni);
	free(c->tls_ca);
	free(c->payload);
	free(c->expect);
	free(c->dns_name);
	for (a = c->argv; a && *a; a++)
		free(*a);
	free(c->argv);
	memset(c, 0, sizeof(*c));
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static bool bytes_eq(const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	return an == bn && (!an || !memcmp(a, b, an));
}

bool vh_check_cfg_equal(const struct vh_check_cfg *a,
			const struct vh_check_cfg *b)
{
	size_t i;

	if (a->type != b->type || a->port != b->port ||
	    a->interval_ms != b->interval_ms || a->timeout_ms != b->timeout_ms ||
	    a->jitter_ms != b->jitter_ms || a->rise != b->rise ||
	    a->fall != b->fall || !str_eq(a->name, b->name) ||
	    !str_eq(a->path, b->path) || !str_eq(a->host, b->host) ||
	    !str_eq(a->body, b->body) || !str_eq(a->body_regex, b->body_regex) ||
	    !str_eq(a->sni, b->sni) || a->tls_verify != b->tls_verify ||
	    !str_eq(a->tls_ca, b->tls_ca) ||
	    a->n_status != b->n_status ||
	    !bytes_eq(a->payload, a->payload_len, b->payload, b->payload_len) ||
	    !bytes_eq(a->expect, a->expect_len, b->expect, b->expect_len) ||
	    !str_eq(a->dns_name, b->dns_name) || a->dns_type != b->dns_type ||
	    a->dns_rcodes != b->dns_rcodes ||
	    a->agent_cpu_max != b->agent_cpu_max ||
	    a->agent_mem_max != b->agent_mem_max)
		return false;
	for (i = 0; i < a->n_status; i++)
		if (a->status[i].lo != b->status[i].lo ||
		    a->status[i].hi != b->status[i].hi)
			return false;
	if (!a->argv != !b->argv)
		return false;
	for (i = 0; a->argv && (a->argv[i] || b->argv[i]); i++)
		if (!str_eq(a->argv[i], b->argv[i]))
			return false;
	return true;
}
