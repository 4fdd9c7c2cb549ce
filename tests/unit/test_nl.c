// SPDX-License-Identifier: GPL-2.0
/*
 * libvsched's transport against a real kernel without the module: the
 * always-present "nlctrl" family stands in for vsched to exercise replies,
 * acks, dumps, errors and extended acks. Skipped (passing) where netlink
 * sockets are not allowed.
 */

#include <stdlib.h>
#include <sys/stat.h>

#include <linux/genetlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>

#include "harness.h"
#include "nl.h"

static struct vs_handle *open_ctrl(void)
{
	struct vs_handle *h;
	int err = vs_open_family(&h, "nlctrl");

	if (err) {
		printf("    skipped: no generic netlink here (%s)\n",
		       strerror(-err));
		return NULL;
	}
	return h;
}

static struct nl_msg *ctrl_req(struct vs_handle *h, int flags)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, h->family, 0, flags,
		    CTRL_CMD_GETFAMILY, 1);
	return msg;
}

struct seen {
	int n;
	bool ctrl;
};

static int count_families(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[CTRL_ATTR_MAX + 1];
	struct seen *s = arg;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, CTRL_ATTR_MAX, NULL))
		return -EINVAL;
	s->n++;
	if (tb[CTRL_ATTR_FAMILY_NAME] &&
	    !strcmp(nla_get_string(tb[CTRL_ATTR_FAMILY_NAME]), "nlctrl"))
		s->ctrl = true;
	return 0;
}

TEST(nl_doit_reply_and_ack)
{
	struct vs_handle *h = open_ctrl();
	struct seen s = { 0 };
	struct nl_msg *msg;

	if (!h)
		return;
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	CHECK(vs_transact(h, msg, count_families, &s, NULL) == 0);
	CHECK(s.n == 1 && s.ctrl);
	CHECK_STR(vs_errmsg(h), "");
	vs_close(h);
}

TEST(nl_dump)
{
	struct vs_handle *h = open_ctrl();
	struct seen s = { 0 };
	bool intr = true;

	if (!h)
		return;
	CHECK(vs_transact(h, ctrl_req(h, NLM_F_DUMP), count_families, &s,
			  &intr) == 0);
	CHECK(s.n >= 1 && s.ctrl);
	CHECK(!intr);
	/* The socket is usable again after a dump. */
	s.n = 0;
	CHECK(vs_transact(h, ctrl_req(h, NLM_F_DUMP), count_families, &s,
			  NULL) == 0);
	CHECK(s.n >= 1);
	vs_close(h);
}

TEST(nl_errno_and_extack)
{
	struct vs_handle *h = open_ctrl();
	struct nl_msg *msg;
	uint8_t one = 1;
	int err;

	if (!h)
		return;
	/* No such family id: a plain error. */
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put_u16(msg, CTRL_ATTR_FAMILY_ID, 0xfff0);
	CHECK(vs_transact(h, msg, NULL, NULL, NULL) == -ENOENT);

	/* A u16 attribute one byte long fails the policy (-ERANGE, or
	 * -EINVAL on older kernels) and the kernel says so in an extended
	 * ack: "Attribute failed policy validation".
	 */
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put(msg, CTRL_ATTR_FAMILY_ID, 1, &one);
	err = vs_transact(h, msg, NULL, NULL, NULL);
	CHECK(err == -ERANGE || err == -EINVAL);
	CHECK(strlen(vs_errmsg(h)) > 0);

	/* The next request starts with no message. */
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	CHECK(vs_transact(h, msg, NULL, NULL, NULL) == 0);
	CHECK_STR(vs_errmsg(h), "");
	vs_close(h);
}

static int reject_reply(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return -EBADMSG;
}

TEST(nl_reply_parse_error_is_kept)
{
	struct vs_handle *h = open_ctrl();
	struct seen s = { 0 };
	struct nl_msg *msg;

	if (!h)
		return;
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	/* A reply the caller cannot parse fails the request... */
	CHECK(vs_transact(h, msg, reject_reply, NULL, NULL) == -EBADMSG);
	/* ...after reading its ack: the next request gets its own. */
	msg = ctrl_req(h, NLM_F_ACK);
	nla_put_string(msg, CTRL_ATTR_FAMILY_NAME, "nlctrl");
	CHECK(vs_transact(h, msg, count_families, &s, NULL) == 0);
	CHECK(s.n == 1);
	vs_close(h);
}

TEST(nl_family_missing)
{
	struct vs_handle *h;
	struct stat st;

	/* Where vsched is loaded this says nothing; elsewhere it must be
	 * the distinct "no family" error vsadm explains.
	 */
	if (stat("/sys/module/vsched", &st) == 0)
		return;
	if (vs_open_family(&h, "nlctrl"))
		return;
	vs_close(h);
	CHECK(vs_open(&h) == -VS_ENOFAMILY);
}
