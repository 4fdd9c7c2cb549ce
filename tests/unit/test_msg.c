// SPDX-License-Identifier: GPL-2.0
/*
 * libvsched's messages, checked against what the kernel's policies in
 * kmod/netlink.c expect: exact address lengths, host-order ports, nests,
 * no output-only attribute in a request; and replies, events and
 * extended acks parsed back.
 */

#include <stdlib.h>

#include "msgtest.h"

/* The service key, as vs_parse_svc_key() wants it. */
static void check_svc_key(struct nlattr *nest)
{
	struct nlattr *a;
	uint16_t port = 8080;

	CHECK(nest && nla_type(nest) == VSCHED_A_SVC);
	if (!nest)
		return;
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_AF);
	CHECK(a && nla_len(a) == 2 && nla_get_u16(a) == AF_INET);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_PROTOCOL);
	CHECK(a && nla_len(a) == 1 && nla_get_u8(a) == IPPROTO_TCP);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_ADDR4);
	CHECK(a && nla_len(a) == 4);	/* NLA_POLICY_EXACT_LEN(4) */
	if (a)
		CHECK(!memcmp(nla_data(a), "\xc6\x12\x64\x01", 4));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_PORT);
	/* u16 in host order, not network order */
	CHECK(a && nla_len(a) == 2 && !memcmp(nla_data(a), &port, 2));
}

TEST(msg_svc_new)
{
	struct vs_svc s = key();
	struct nl_msg *msg;
	struct nlattr *nest, *a;

	strcpy(s.sched, "wrr");
	s.has = VS_SVC_HAS_SCHED;
	s.num_dests = 5;		/* output only: must not be sent */
	msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_NEW, &s, NULL, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	check_header(msg, VSCHED_CMD_SVC_NEW, false);
	CHECK(top_types(msg) == B(VSCHED_A_SVC));
	nest = top_attr(msg, VSCHED_A_SVC);
	check_svc_key(nest);
	CHECK(nest_types(nest) == (B(VSCHED_SVC_A_AF) | B(VSCHED_SVC_A_PROTOCOL) |
				   B(VSCHED_SVC_A_ADDR4) | B(VSCHED_SVC_A_PORT) |
				   B(VSCHED_SVC_A_SCHED_NAME)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_SCHED_NAME);
	/* NLA_NUL_STRING of at most 15 characters */
	CHECK(a && nla_len(a) == 4 && !memcmp(nla_data(a), "wrr", 4));
	nlmsg_free(msg);
}

TEST(msg_svc_new_default_scheduler)
{
	struct vs_svc s = key();
	struct nl_msg *msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_NEW, &s, NULL,
					  NULL);

	CHECK(msg != NULL);
	if (!msg)
		return;
	CHECK(!(nest_types(top_attr(msg, VSCHED_A_SVC)) &
		B(VSCHED_SVC_A_SCHED_NAME)));
	nlmsg_free(msg);
}

TEST(msg_svc_del_and_get_key_only)
{
	static const uint8_t cmds[] = { VSCHED_CMD_SVC_DEL, VSCHED_CMD_SVC_GET,
					VSCHED_CMD_ZERO };
	struct vs_svc s = key();
	size_t i;

	strcpy(s.sched, "rr");
	s.has = VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS;
	for (i = 0; i < sizeof(cmds); i++) {
		struct nl_msg *msg = vs_req_build(FAMILY, cmds[i], &s, NULL,
						  NULL);

		CHECK(msg != NULL);
		if (!msg)
			continue;
		check_header(msg, cmds[i], false);
		check_svc_key(top_attr(msg, VSCHED_A_SVC));
		CHECK(nest_types(top_attr(msg, VSCHED_A_SVC)) ==
		      (B(VSCHED_SVC_A_AF) | B(VSCHED_SVC_A_PROTOCOL) |
		       B(VSCHED_SVC_A_ADDR4) | B(VSCHED_SVC_A_PORT)));
		nlmsg_free(msg);
	}
}

TEST(msg_dest_new)
{
	struct vs_svc s = key();
	struct vs_dest d = rs();
	struct nl_msg *msg;
	struct nlattr *nest, *a;
	uint16_t port = 80;

	d.active_conns = 3;		/* output only */
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_NEW, &s, &d, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	check_header(msg, VSCHED_CMD_DEST_NEW, false);
	CHECK(top_types(msg) == (B(VSCHED_A_SVC) | B(VSCHED_A_DEST)));
	check_svc_key(top_attr(msg, VSCHED_A_SVC));
	nest = top_attr(msg, VSCHED_A_DEST);
	CHECK(nest_types(nest) == (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT) |
				   B(VSCHED_DEST_A_WEIGHT) |
				   B(VSCHED_DEST_A_FWD_METHOD)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_ADDR4);
	CHECK(a && nla_len(a) == 4 && !memcmp(nla_data(a), "\x0a\0\0\x01", 4));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_PORT);
	CHECK(a && nla_len(a) == 2 && !memcmp(nla_data(a), &port, 2));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_WEIGHT);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 300);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_FWD_METHOD);
	CHECK(a && nla_len(a) == 1 && nla_get_u8(a) == VSCHED_FWD_MASQ);
	nlmsg_free(msg);
}

TEST(msg_dest_set_and_del)
{
	struct vs_svc s = key();
	struct vs_dest d = rs();
	struct nl_msg *msg;

	/* SET sends only what is marked present. */
	d.has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT;
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_SET, &s, &d, NULL);
	CHECK(msg != NULL);
	if (msg) {
		CHECK(nest_types(top_attr(msg, VSCHED_A_DEST)) ==
		      (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT) |
		       B(VSCHED_DEST_A_WEIGHT)));
		nlmsg_free(msg);
	}
	/* DEL: the key only, even when more is set. */
	d = rs();
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_DEL, &s, &d, NULL);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_DEST_DEL, false);
		CHECK(nest_types(top_attr(msg, VSCHED_A_DEST)) ==
		      (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT)));
		nlmsg_free(msg);
	}
}

TEST(msg_dumps)
{
	struct vs_svc s = key();
	struct nl_msg *msg;

	msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_GET, NULL, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_SVC_GET, true);
		CHECK(top_types(msg) == 0);
		nlmsg_free(msg);
	}
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_GET, &s, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_DEST_GET, true);
		check_svc_key(top_attr(msg, VSCHED_A_SVC));
		CHECK(top_types(msg) == B(VSCHED_A_SVC));
		nlmsg_free(msg);
	}
	/* Without a service: every service's servers. */
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_GET, NULL, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_DEST_GET, true);
		CHECK(top_types(msg) == 0);
		nlmsg_free(msg);
	}
	msg = vs_req_build(FAMILY, VSCHED_CMD_CONN_GET, NULL, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_CONN_GET, true);
		CHECK(top_types(msg) == 0);
		nlmsg_free(msg);
	}
}

TEST(msg_dest_dump_flags)
{
	struct nl_msg *msg;
	struct nlattr *a;

	/* No flags: no attribute, for modules older than it. */
	msg = vs_req_dest_dump(FAMILY, 0);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_DEST_GET, true);
		CHECK(top_types(msg) == 0);
		nlmsg_free(msg);
	}
	msg = vs_req_dest_dump(FAMILY, VSCHED_DUMP_F_NO_STATS);
	CHECK(msg != NULL);
	if (msg) {
		check_header(msg, VSCHED_CMD_DEST_GET, true);
		CHECK(top_types(msg) == B(VSCHED_A_DUMP_FLAGS));
		a = top_attr(msg, VSCHED_A_DUMP_FLAGS);
		CHECK(a && nla_len(a) == 4 &&
		      nla_get_u32(a) == VSCHED_DUMP_F_NO_STATS);
		nlmsg_free(msg);
	}
}

TEST(msg_no_input_commands)
{
	static const uint8_t cmds[] = { VSCHED_CMD_FLUSH, VSCHED_CMD_INFO_GET,
					VSCHED_CMD_CONFIG_GET, VSCHED_CMD_ZERO };
	size_t i;

	for (i = 0; i < sizeof(cmds); i++) {
		struct nl_msg *msg = vs_req_build(FAMILY, cmds[i], NULL, NULL,
						  NULL);

		CHECK(msg != NULL);
		if (!msg)
			continue;
		check_header(msg, cmds[i], false);
		CHECK(top_types(msg) == 0);
		nlmsg_free(msg);
	}
}

TEST(msg_config_set)
{
	struct vs_config cfg = { .tcp_est = 900, .udp = 300 };
	struct nl_msg *msg;
	struct nlattr *nest, *a;

	msg = vs_req_build(FAMILY, VSCHED_CMD_CONFIG_SET, NULL, NULL, &cfg);
	CHECK(msg != NULL);
	if (!msg)
		return;
	check_header(msg, VSCHED_CMD_CONFIG_SET, false);
	nest = top_attr(msg, VSCHED_A_CONFIG);
	/* Zero means "keep": not sent (the kernel's range starts at 1). */
	CHECK(nest_types(nest) == (B(VSCHED_CONFIG_A_TCP_EST) |
				   B(VSCHED_CONFIG_A_UDP)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_CONFIG_A_TCP_EST);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 900);
	nlmsg_free(msg);
}

TEST(msg_missing_arguments)
{
	struct vs_svc s = key();

	CHECK(!vs_req_build(FAMILY, VSCHED_CMD_SVC_NEW, NULL, NULL, NULL));
	CHECK(!vs_req_build(FAMILY, VSCHED_CMD_DEST_NEW, &s, NULL, NULL));
	CHECK(!vs_req_build(FAMILY, VSCHED_CMD_CONFIG_SET, NULL, NULL, NULL));
	CHECK(!vs_req_build(FAMILY, VSCHED_CMD_UNSPEC, &s, NULL, NULL));
	CHECK(!vs_req_build(FAMILY, __VSCHED_CMD_MAX, &s, NULL, NULL));
}

TEST(msg_parse_svc_reply)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_SVC_GET, NLM_F_MULTI);
	struct vs_svc s;

	put_svc(msg, true);
	CHECK(vs_parse_svc_msg(msg, &s) == 0);
	CHECK(s.af == AF_INET && s.protocol == IPPROTO_UDP && s.port == 53);
	CHECK(s.addr.s_addr == htonl(0xc6126401));
	CHECK_STR(s.sched, "rr");
	CHECK(s.has == (VS_SVC_HAS_SCHED | VS_SVC_HAS_FLAGS));	/* no WARMUP */
	CHECK(s.flags == VSCHED_SVC_F_EXPIRE_ON_DELETE);
	CHECK(s.num_dests == 2);
	CHECK(s.stats.conns == 1ULL << 40 && s.stats.outbytes == 77);
	CHECK(s.stats.inpkts == 0);
	nlmsg_free(msg);
}

TEST(msg_parse_malformed)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_SVC_GET, 0);
	struct nlattr *nest;
	struct vs_svc s;
	struct vs_info info;

	/* A 3-byte address is refused, not read past. */
	nest = nla_nest_start(msg, VSCHED_A_SVC);
	nla_put_u16(msg, VSCHED_SVC_A_AF, AF_INET);
	nla_put_u8(msg, VSCHED_SVC_A_PROTOCOL, IPPROTO_TCP);
	nla_put(msg, VSCHED_SVC_A_ADDR4, 3, "abc");
	nla_put_u16(msg, VSCHED_SVC_A_PORT, 1);
	nla_nest_end(msg, nest);
	CHECK(vs_parse_svc_msg(msg, &s) == -EINVAL);
	CHECK(vs_parse_info_msg(msg, &info) == -EINVAL);
	nlmsg_free(msg);
}

TEST(msg_parse_dest_reply_and_event)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_DEST_NEW, 0);
	struct nlattr *nest;
	struct vs_event ev;
	struct vs_dest d;
	struct vs_svc s;
	struct in_addr a;

	put_svc(msg, false);
	inet_pton(AF_INET, "10.0.0.7", &a);
	nest = nla_nest_start(msg, VSCHED_A_DEST);
	nla_put(msg, VSCHED_DEST_A_ADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_DEST_A_PORT, 5353);
	nla_put_u32(msg, VSCHED_DEST_A_WEIGHT, 65535);
	nla_put_u8(msg, VSCHED_DEST_A_FWD_METHOD, VSCHED_FWD_MASQ);
	nla_put_u32(msg, VSCHED_DEST_A_ACTIVE_CONNS, 4);
	nla_put_u32(msg, VSCHED_DEST_A_INACT_CONNS, 5);
	nla_nest_end(msg, nest);

	CHECK(vs_parse_dest_msg(msg, &s, &d) == 0);
	CHECK(s.port == 53 && !(s.has & VS_SVC_HAS_SCHED));
	CHECK(d.addr.s_addr == a.s_addr && d.port == 5353);
	CHECK(d.weight == 65535 && d.fwd == VSCHED_FWD_MASQ);
	CHECK(d.active_conns == 4 && d.inact_conns == 5);
	/* No health attribute in the reply: no health bit either. */
	CHECK(d.has == (VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT |
			VS_DEST_HAS_FWD));

	CHECK(vs_parse_event_msg(msg, &ev) == 0);
	CHECK(ev.cmd == VSCHED_CMD_DEST_NEW && ev.has_dest);
	CHECK(ev.svc.port == 53 && ev.dest.port == 5353);
	nlmsg_free(msg);
}

TEST(msg_parse_info_config_conn)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_INFO_GET, 0);
	struct nlattr *nest;
	struct vs_info info;
	struct vs_config cfg;
	struct vs_conn c;
	struct in_addr a;

	nest = nla_nest_start(msg, VSCHED_A_INFO);
	nla_put_string(msg, VSCHED_INFO_A_VERSION, "0.1.0");
	nla_put_u32(msg, VSCHED_INFO_A_CONN_COUNT, 12);
	nla_put_u32(msg, VSCHED_INFO_A_CONN_MAX, 1048576);
	put_u64_padded(msg, VSCHED_INFO_A_DROP_NO_DEST, VSCHED_INFO_A_PAD, 9);
	nla_nest_end(msg, nest);
	CHECK(vs_parse_info_msg(msg, &info) == 0);
	CHECK_STR(info.version, "0.1.0");
	CHECK(info.conn_count == 12 && info.conn_max == 1048576);
	CHECK(info.drop_no_dest == 9 && info.drop_no_conn == 0);
	nlmsg_free(msg);

	msg = fake_reply(VSCHED_CMD_CONFIG_GET, 0);
	nest = nla_nest_start(msg, VSCHED_A_CONFIG);
	nla_put_u32(msg, VSCHED_CONFIG_A_TCP_EST, 900);
	nla_put_u32(msg, VSCHED_CONFIG_A_UDP, 300);
	nla_put_u32(msg, VSCHED_CONFIG_A_CONN_MAX, 1000);
	nla_nest_end(msg, nest);
	CHECK(vs_parse_config_msg(msg, &cfg) == 0);
	CHECK(cfg.tcp_est == 900 && cfg.udp == 300 && cfg.conn_max == 1000);
	nlmsg_free(msg);

	msg = fake_reply(VSCHED_CMD_CONN_GET, NLM_F_MULTI);
	inet_pton(AF_INET, "192.0.2.1", &a);
	nest = nla_nest_start(msg, VSCHED_A_CONN);
	nla_put_u16(msg, VSCHED_CONN_A_AF, AF_INET);
	nla_put_u8(msg, VSCHED_CONN_A_PROTOCOL, IPPROTO_TCP);
	nla_put(msg, VSCHED_CONN_A_CADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_CONN_A_CPORT, 40000);
	nla_put(msg, VSCHED_CONN_A_VADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_CONN_A_VPORT, 80);
	nla_put(msg, VSCHED_CONN_A_DADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_CONN_A_DPORT, 8080);
	nla_put_u8(msg, VSCHED_CONN_A_STATE, VSCHED_CS_FIN_WAIT);
	nla_put_u32(msg, VSCHED_CONN_A_EXPIRES, 60000);
	nla_nest_end(msg, nest);
	CHECK(vs_parse_conn_msg(msg, &c) == 0);
	CHECK(c.cport == 40000 && c.vport == 80 && c.dport == 8080);
	CHECK(c.state == VSCHED_CS_FIN_WAIT && c.expires_ms == 60000);
	nlmsg_free(msg);
}

/* An NLMSG_ERROR as the kernel's netlink_ack() writes it. */
static size_t fake_error(char *buf, size_t size, int error, bool capped,
			 const char *text)
{
	struct nlmsghdr *nlh = (void *)buf, *orig;
	struct nlmsgerr *e;
	struct nlattr *a;
	size_t off, orig_len = NLMSG_LENGTH(8);

	memset(buf, 0, size);
	nlh->nlmsg_type = NLMSG_ERROR;
	e = NLMSG_DATA(nlh);
	e->error = error;
	e->msg.nlmsg_len = orig_len;
	e->msg.nlmsg_type = FAMILY;
	off = sizeof(*e);
	if (!capped) {
		orig = (void *)((char *)NLMSG_DATA(nlh) + sizeof(*e) -
				sizeof(struct nlmsghdr));
		memset((char *)(orig + 1), 0xaa, 8);	/* the request's payload */
		off += orig_len - NLMSG_HDRLEN;
	} else {
		nlh->nlmsg_flags |= NLM_F_CAPPED;
	}
	off = NLMSG_ALIGN(off);
	if (text) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		a = (void *)((char *)NLMSG_DATA(nlh) + off);
		a->nla_type = NLMSGERR_ATTR_MSG;
		a->nla_len = NLA_HDRLEN + strlen(text) + 1;
		memcpy((char *)a + NLA_HDRLEN, text, strlen(text) + 1);
		off += NLA_ALIGN(a->nla_len);
	}
	nlh->nlmsg_len = NLMSG_HDRLEN + off;
	return nlh->nlmsg_len;
}

TEST(msg_extack)
{
	char buf[256], text[128];

	fake_error(buf, sizeof(buf), -ENOENT, true, "vsched: no such service");
	CHECK(vs_nlmsg_error((void *)buf, text, sizeof(text)) == -ENOENT);
	CHECK_STR(text, "vsched: no such service");

	fake_error(buf, sizeof(buf), -EEXIST, false,
		   "vsched: real server already exists");
	CHECK(vs_nlmsg_error((void *)buf, text, sizeof(text)) == -EEXIST);
	CHECK_STR(text, "vsched: real server already exists");

	fake_error(buf, sizeof(buf), -EPERM, true, NULL);
	CHECK(vs_nlmsg_error((void *)buf, text, sizeof(text)) == -EPERM);
	CHECK_STR(text, "");

	/* A plain ack. */
	fake_error(buf, sizeof(buf), 0, true, NULL);
	CHECK(vs_nlmsg_error((void *)buf, text, sizeof(text)) == 0);

	/* Truncated into a small buffer, still terminated. */
	fake_error(buf, sizeof(buf), -EINVAL, true, "0123456789");
	CHECK(vs_nlmsg_error((void *)buf, text, 5) == -EINVAL);
	CHECK_STR(text, "0123");
}

TEST(msg_extack_in_done)
{
	char buf[128], text[64];
	struct nlmsghdr *nlh = (void *)buf;
	struct nlattr *a;
	int err = -ENOENT;

	/* netlink_dump_done(): the dumpit's error, then the TLVs. */
	memset(buf, 0, sizeof(buf));
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | NLM_F_ACK_TLVS;
	memcpy(NLMSG_DATA(nlh), &err, sizeof(err));
	a = (void *)((char *)NLMSG_DATA(nlh) + 4);
	a->nla_type = NLMSGERR_ATTR_MSG;
	a->nla_len = NLA_HDRLEN + sizeof("vsched: no such service");
	memcpy((char *)a + NLA_HDRLEN, "vsched: no such service",
	       sizeof("vsched: no such service"));
	nlh->nlmsg_len = NLMSG_HDRLEN + 4 + NLA_ALIGN(a->nla_len);
	CHECK(vs_nlmsg_error(nlh, text, sizeof(text)) == -ENOENT);
	CHECK_STR(text, "vsched: no such service");

	/* A clean end of dump. */
	err = 0;
	nlh->nlmsg_flags = NLM_F_MULTI;
	memcpy(NLMSG_DATA(nlh), &err, sizeof(err));
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	CHECK(vs_nlmsg_error(nlh, text, sizeof(text)) == 0);
	CHECK_STR(text, "");
}
