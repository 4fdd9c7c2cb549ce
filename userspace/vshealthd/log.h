/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vshealthd logging: to stderr in the foreground and under systemd (the
 * journal reads stderr; each line carries a <N> syslog priority prefix
 * for it), to syslog otherwise.
 */
#ifndef VH_LOG_H
#define VH_LOG_H

#include <stdbool.h>
#include <syslog.h>

enum vh_log_target {
	VH_LOG_STDERR,		/* plain lines, for a terminal */
	VH_LOG_JOURNAL,		/* stderr with "<N>" priority prefixes */
	VH_LOG_SYSLOG,
	VH_LOG_NONE,		/* unit tests */
};

void vh_log_setup(enum vh_log_target target, int max_level);
void vh_log(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define vh_err(...)	vh_log(LOG_ERR, __VA_ARGS__)
#define vh_warn(...)	vh_log(LOG_WARNING, __VA_ARGS__)
#define vh_notice(...)	vh_log(LOG_NOTICE, __VA_ARGS__)
#define vh_info(...)	vh_log(LOG_INFO, __VA_ARGS__)
#define vh_debug(...)	vh_log(LOG_DEBUG, __VA_ARGS__)

#endif /* VH_LOG_H */
