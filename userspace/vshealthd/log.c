// SPDX-License-Identifier: GPL-2.0
/* vshealthd logging: stderr, the journal's stderr or syslog (log.h). */

#include <stdarg.h>
#include <stdio.h>

#include "log.h"

static enum vh_log_target vh_target = VH_LOG_STDERR;
static int vh_max_level = LOG_INFO;

void vh_log_setup(enum vh_log_target target, int max_level)
{
	vh_target = target;
	vh_max_level = max_level;
	if (target == VH_LOG_SYSLOG)
		openlog("vshealthd", LOG_PID, LOG_DAEMON);
}

void vh_log(int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (level > vh_max_level || vh_target == VH_LOG_NONE)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	switch (vh_target) {
	case VH_LOG_SYSLOG:
		syslog(level, "%s", buf);
		break;
	case VH_LOG_JOURNAL:
		fprintf(stderr, "<%d>%s\n", level, buf);
		break;
	default:
		fprintf(stderr, "vshealthd: %s\n", buf);
		break;
	}
}
