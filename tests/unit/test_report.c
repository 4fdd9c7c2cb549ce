// SPDX-License-Identifier: GPL-2.0
/* vsadm's error sentences: the object named, the kernel's text added. */

#include <arpa/inet.h>

#include "harness.h"
#include "vsadm.h"

static char buf[640];

static struct vs_svc svc(void)
{
	struct vs_svc s = { .af = AF_INET, .protocol = IPPROTO_TCP, .port = 80 };

	inet_pton(AF_INET, "198.18.100.1", &s.addr);
	return s;
}

static struct vs_dest dest(void)
{
	struct vs_dest d = { .port = 80 };

	inet_pton(AF_INET, "1.2.3.4", &d.addr);
	return d;
}

TEST(report_sentences)
{
	struct vs_svc s = svc();
	struct vs_dest d = dest();

	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_DEL_SVC, &s, NULL,
			 false, "vsched: no such service");
	CHECK_STR(buf, "no service TCP 198.18.100.1:80 (kernel: vsched: no such service)");
	vsadm_error_text(buf, sizeof(buf), -EEXIST, VSADM_ADD_DEST, &s, &d,
			 false, "");
	CHECK_STR(buf, "real server 1.2.3.4:80 already exists in TCP 198.18.100.1:80");
	vsadm_error_text(buf, sizeof(buf), -EEXIST, VSADM_ADD_SVC, &s, NULL,
			 false, NULL);
	CHECK_STR(buf, "service TCP 198.18.100.1:80 already exists");
	vsadm_error_text(buf, sizeof(buf), -EPERM, VSADM_FLUSH, NULL, NULL,
			 false, "");
	CHECK_STR(buf, "permission denied: managing vsched needs CAP_NET_ADMIN");
}

TEST(report_enoent_disambiguated)
{
	struct vs_svc s = svc();
	struct vs_dest d = dest();

	/* The kernel's -ENOENT for -e/-d: the service, or the server? */
	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_EDIT_DEST, &s, &d,
			 true, NULL);
	CHECK_STR(buf, "no real server 1.2.3.4:80 in TCP 198.18.100.1:80");
	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_DEL_DEST, &s, &d,
			 false, NULL);
	CHECK_STR(buf, "no service TCP 198.18.100.1:80");
	/* -A and -E: an unknown scheduler. */
	strcpy(s.sched, "wlc");
	s.has = VS_SVC_HAS_SCHED;
	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_ADD_SVC, &s, NULL,
			 false, "vsched: unknown scheduler");
	CHECK_STR(buf, "unknown scheduler 'wlc' (kernel: vsched: unknown scheduler)");
	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_EDIT_SVC, &s, NULL,
			 true, NULL);
	CHECK_STR(buf, "unknown scheduler 'wlc'");
	vsadm_error_text(buf, sizeof(buf), -ENOENT, VSADM_EDIT_SVC, &s, NULL,
			 false, NULL);
	CHECK_STR(buf, "no service TCP 198.18.100.1:80");
}

TEST(report_other_errors_keep_errno_text)
{
	struct vs_svc s = svc();

	vsadm_error_text(buf, sizeof(buf), -EINVAL, VSADM_ADD_SVC, &s, NULL,
			 false, "vsched: virtual address must be unicast");
	CHECK_STR(buf, "add-service TCP 198.18.100.1:80 failed: Invalid argument (kernel: vsched: virtual address must be unicast)");
}
