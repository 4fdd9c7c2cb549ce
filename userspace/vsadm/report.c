// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm: saying in words what went wrong, naming the object, with the
 * kernel's own message (its extended ack) when it sent one.
 */

#include <arpa/inet.h>
#include <string.h>

#include "vsadm.h"

static void dest_str(const struct vs_dest *d, char *buf, size_t len)
{
	char a[INET_ADDRSTRLEN];

	inet_ntop(AF_INET, &d->addr, a, sizeof(a));
	snprintf(buf, len, "%s:%u", a, d->port);
}

/* -ENOENT names the service or one of its parts: which one needs a look. */
static bool enoent_ambiguous(enum vsadm_cmd cmd, const struct vs_svc *svc,
			     const struct vs_dest *dest)
{
	return svc && (dest || (cmd == VSADM_EDIT_SVC &&
				(svc->has & VS_SVC_HAS_SCHED)));
}

void vsadm_error_text(char *buf, size_t len, int err, enum vsadm_cmd cmd,
		      const struct vs_svc *svc, const struct vs_dest *dest,
		      bool svc_exists, const char *kmsg)
{
	char s[64] = "", d[64] = "", what[256];

	if (svc)
		vsadm_svc_str(svc, s, sizeof(s));
	if (dest)
		dest_str(dest, d, sizeof(d));

	switch (-err) {
	case EPERM:
	case EACCES:
		snprintf(what, sizeof(what),
			 "permission denied: managing vsched needs CAP_NET_ADMIN");
		break;
	case EEXIST:
		if (dest)
			snprintf(what, sizeof(what),
				 "real server %s already exists in %s", d, s);
		else
			snprintf(what, sizeof(what),
				 "service %s already exists", s);
		break;
	case ENOENT:
		if (cmd == VSADM_ADD_SVC && svc && (svc->has & VS_SVC_HAS_SCHED))
			snprintf(what, sizeof(what), "unknown scheduler '%s'",
				 svc->sched);
		else if (enoent_ambiguous(cmd, svc, dest) && svc_exists && dest)
			snprintf(what, sizeof(what), "no real server %s in %s",
				 d, s);
		else if (enoent_ambiguous(cmd, svc, dest) && svc_exists)
			snprintf(what, sizeof(what), "unknown scheduler '%s'",
				 svc->sched);
		else if (svc)
			snprintf(what, sizeof(what), "no service %s", s);
		else
			snprintf(what, sizeof(what), "not found");
		break;
	case ENOSPC:
		snprintf(what, sizeof(what), "too many services");
		break;
	default:
		snprintf(what, sizeof(what), "%s%s%s%s%s failed: %s",
			 vsadm_cmds[cmd].lng ? vsadm_cmds[cmd].lng + 2 : "vsadm",
			 *s ? " " : "", s, *d ? " " : "", d, strerror(-err));
		break;
	}
	if (kmsg && *kmsg)
		snprintf(buf, len, "%s (kernel: %s)", what, kmsg);
	else
		snprintf(buf, len, "%s", what);
}

void vsadm_report(struct vs_handle *h, int err, enum vsadm_cmd cmd,
		  const struct vs_svc *svc, const struct vs_dest *dest)
{
	char kmsg[256], text[640];
	bool exists = false;

	/* Saved first: the look-up below replaces it. */
	snprintf(kmsg, sizeof(kmsg), "%s", vs_errmsg(h));
	if (err == -ENOENT && enoent_ambiguous(cmd, svc, dest)) {
		struct vs_svc out;

		exists = vs_svc_get(h, svc, &out) == 0;
	}
	vsadm_error_text(text, sizeof(text), err, cmd, svc, dest, exists, kmsg);
	fprintf(stderr, "vsadm: %s\n", text);
}
