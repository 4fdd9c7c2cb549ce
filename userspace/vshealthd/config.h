/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vshealthd configuration: the file format (vshealthd.conf(5)), parsed
 * with libconfig and validated as a whole, so that one run names every
 * error as "FILE:LINE: what is wrong". A parsed vh_config is immutable;
 * SIGHUP builds a new one and swaps it in only if it is valid.
 */
#ifndef VH_CONFIG_H
#define VH_CONFIG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe.h"

#define VH_DEFAULT_CONFIG	"/etc/vsched/vshealthd.conf"
#define VH_DEFAULT_CONTROL	"/run/vshealthd.sock"
#define VH_DEFAULT_HISTORY	10
#define VH_HISTORY_MAX		100

/* A command run on an event: argv for execvp(), or argv = { "/bin/sh",
 * "-c", string } when the string needs a shell (see vh_cmd_split()).
 */
struct vh_cmd {
	char *text;			/* as written, for logs */
	char **argv;			/* NULL-terminated */
};

/* A real server entry of a service: extends (or, with inherit = false,
 * replaces) the service's checks for that server.
 */
struct vh_server_cfg {
	struct in_addr addr;
	uint16_t port;			/* 0: any port of that address */
	const struct vh_check_cfg **checks;
	size_t n_checks;
	bool inherit;			/* default true */
	int line;
};

struct vh_service_cfg {
	char *name;			/* "tcp 198.18.100.1:80" */
	uint8_t protocol;		/* IPPROTO_TCP or IPPROTO_UDP */
	struct in_addr addr;
	uint16_t port;
	const struct vh_check_cfg **checks;
	size_t n_checks;
	bool has_quorum;
	uint32_t quorum;		/* minimum total weight of up servers */
	uint32_t hysteresis;		/* down below quorum - h, up at
					 * quorum + h
					 */
	struct vh_cmd quorum_up, quorum_down;	/* argv NULL if unset */
	struct vh_server_cfg *servers;
	size_t n_servers;
	int line;
};

struct vh_config {
	char *file;
	char *control;			/* control socket path */
	char *metrics;			/* "ADDR:PORT" or NULL: disabled */
	struct sockaddr_in metrics_addr;
	bool metrics_allow_remote;
	uint32_t history;		/* results kept per (server, check) */
	struct vh_check_cfg *checks;
	size_t n_checks;
	struct vh_service_cfg *services;
	size_t n_services;
};

/* Error messages collected during a parse, one "FILE:LINE: ..." each. */
struct vh_errors {
	char **msg;
	size_t n;
};

void vh_errors_add(struct vh_errors *e, const char *file, int line,
		   const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void vh_errors_free(struct vh_errors *e);

/*
 * Read and validate @file. Returns 0 and *@out, or -EINVAL with every
 * problem in @errs (or another negative errno, also explained in @errs).
 */
int vh_config_load(const char *file, struct vh_config **out,
		   struct vh_errors *errs);
void vh_config_free(struct vh_config *cfg);

const struct vh_check_cfg *vh_config_check(const struct vh_config *cfg,
					   const char *name);
/* The service entry for a kernel service, or NULL. */
const struct vh_service_cfg *
vh_config_service(const struct vh_config *cfg, uint8_t protocol,
		  struct in_addr addr, uint16_t port);
/*
 * The checks that apply to real server @addr:@port of @svc, in order and
 * without duplicates, into @out (room for @max). Returns how many.
 */
size_t vh_config_dest_checks(const struct vh_service_cfg *svc,
			     struct in_addr addr, uint16_t port,
			     const struct vh_check_cfg **out, size_t max);

/* Same definition (everything but the name's storage): a reload keeps
 * the state of pairs whose check did not change.
 */
bool vh_check_cfg_equal(const struct vh_check_cfg *a,
			const struct vh_check_cfg *b);

/* Split @text into a vh_cmd; 0 or -EINVAL (empty, unbalanced quotes). */
int vh_cmd_split(const char *text, struct vh_cmd *cmd);
void vh_cmd_free(struct vh_cmd *cmd);

#endif /* VH_CONFIG_H */
