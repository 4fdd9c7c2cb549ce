// SPDX-License-Identifier: GPL-2.0
/*
 * libvsched and the health ABI: warm-up and down-reset on services;
 * sorry flag, health, drain on real servers, sent only when marked in
 * has; the output-only state, age, effective weight and drain deadline
 * parsed from replies and events, never sent.
 */

#include "msgtest.h"

TEST(msg_svc_warmup_and_down_reset)
{
	struct vs_svc s = key(), back;
	struct nl_msg *msg;
	struct nlattr *nest, *a;

	s.flags = VSCHED_SVC_F_DOWN_RESET;
	s.warmup = 30;
	s.has = VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP;
	msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_SET, &s, NULL, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	nest = top_attr(msg, VSCHED_A_SVC);
	CHECK(nest_types(nest) == (B(VSCHED_SVC_A_AF) | B(VSCHED_SVC_A_PROTOCOL) |
				   B(VSCHED_SVC_A_ADDR4) | B(VSCHED_SVC_A_PORT) |
				   B(VSCHED_SVC_A_FLAGS) | B(VSCHED_SVC_A_WARMUP)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_WARMUP);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 30);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_FLAGS);
	CHECK(a && nla_len(a) == 4 &&
	      nla_get_u32(a) == VSCHED_SVC_F_DOWN_RESET);
	/* Round trip: the request parses back to what was encoded. */
	CHECK(vs_parse_svc_msg(msg, &back) == 0);
	CHECK(back.has == (VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP));
	CHECK(back.warmup == 30 && back.flags == VSCHED_SVC_F_DOWN_RESET);
	CHECK(back.port == 8080 && back.addr.s_addr == s.addr.s_addr);
	nlmsg_free(msg);

	/* Warm-up 0 is a value (no ramp), sent when marked present... */
	s.warmup = 0;
	s.has = VS_SVC_HAS_WARMUP;
	msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_NEW, &s, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		nest = top_attr(msg, VSCHED_A_SVC);
		a = nla_find(nla_data(nest), nla_len(nest), VSCHED_SVC_A_WARMUP);
		CHECK(a && nla_get_u32(a) == 0);
		CHECK(!(nest_types(nest) & B(VSCHED_SVC_A_FLAGS)));
		nlmsg_free(msg);
	}
	/* ...and not sent when not, whatever the field holds. */
	s.warmup = 99;
	s.has = 0;
	msg = vs_req_build(FAMILY, VSCHED_CMD_SVC_SET, &s, NULL, NULL);
	CHECK(msg != NULL);
	if (msg) {
		CHECK(!(nest_types(top_attr(msg, VSCHED_A_SVC)) &
			(B(VSCHED_SVC_A_WARMUP) | B(VSCHED_SVC_A_FLAGS))));
		nlmsg_free(msg);
	}
}

/* What vshealthd sends: health only, the admin weight untouched. */
TEST(msg_dest_set_health_only)
{
	struct vs_svc s = key(), bs;
	struct vs_dest d = rs(), back;
	struct nl_msg *msg;
	struct nlattr *nest, *a;

	d.health = VSCHED_HEALTH_DOWN;
	strcpy(d.reason, "HTTP 503 from /health");
	d.health_pct = 50;
	d.health_cap = VSCHED_HEALTH_CAP_NONE;
	/* Set but not marked: must stay out. */
	d.weight = 7;
	d.flags = VSCHED_DEST_F_SORRY;
	d.drain = 5;
	/* Output only, even when marked. */
	d.state = VSCHED_DS_DOWN;
	d.state_age_ms = 1234;
	d.eff_weight = 3;
	d.drain_left_ms = 10;
	d.has = VS_DEST_HAS_PORT | VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON |
		VS_DEST_HAS_PCT | VS_DEST_HAS_CAP | VS_DEST_HAS_STATE |
		VS_DEST_HAS_STATE_AGE | VS_DEST_HAS_EFF_WEIGHT |
		VS_DEST_HAS_DRAIN_LEFT;
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_SET, &s, &d, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	check_header(msg, VSCHED_CMD_DEST_SET, false);
	nest = top_attr(msg, VSCHED_A_DEST);
	CHECK(nest_types(nest) == (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT) |
				   B(VSCHED_DEST_A_HEALTH) |
				   B(VSCHED_DEST_A_HEALTH_REASON) |
				   B(VSCHED_DEST_A_HEALTH_PCT) |
				   B(VSCHED_DEST_A_HEALTH_CAP)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_HEALTH);
	CHECK(a && nla_len(a) == 1 && nla_get_u8(a) == VSCHED_HEALTH_DOWN);
	a = nla_find(nla_data(nest), nla_len(nest),
		     VSCHED_DEST_A_HEALTH_REASON);
	/* NLA_NUL_STRING: the terminating NUL is part of the attribute. */
	CHECK(a && nla_len(a) == (int)sizeof("HTTP 503 from /health") &&
	      !memcmp(nla_data(a), "HTTP 503 from /health",
		      sizeof("HTTP 503 from /health")));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_HEALTH_PCT);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 50);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_HEALTH_CAP);
	CHECK(a && nla_len(a) == 4 &&
	      nla_get_u32(a) == VSCHED_HEALTH_CAP_NONE);

	CHECK(vs_parse_dest_msg(msg, &bs, &back) == 0);
	CHECK(back.has == (VS_DEST_HAS_PORT | VS_DEST_HAS_HEALTH |
			   VS_DEST_HAS_REASON | VS_DEST_HAS_PCT |
			   VS_DEST_HAS_CAP));
	CHECK(back.health == VSCHED_HEALTH_DOWN && back.health_pct == 50 &&
	      back.health_cap == VSCHED_HEALTH_CAP_NONE);
	CHECK_STR(back.reason, "HTTP 503 from /health");
	CHECK(back.weight == 0 && back.state_age_ms == 0);
	nlmsg_free(msg);
}

TEST(msg_dest_flags_and_drain)
{
	struct vs_svc s = key(), bs;
	struct vs_dest d = rs(), back;
	struct nl_msg *msg;
	struct nlattr *nest, *a;

	d.flags = VSCHED_DEST_F_SORRY;
	d.drain = 0;			/* 0 cancels: still sent */
	d.has = VS_DEST_HAS_PORT | VS_DEST_HAS_FLAGS | VS_DEST_HAS_DRAIN;
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_SET, &s, &d, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	nest = top_attr(msg, VSCHED_A_DEST);
	CHECK(nest_types(nest) == (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT) |
				   B(VSCHED_DEST_A_FLAGS) |
				   B(VSCHED_DEST_A_DRAIN)));
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_FLAGS);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == VSCHED_DEST_F_SORRY);
	a = nla_find(nla_data(nest), nla_len(nest), VSCHED_DEST_A_DRAIN);
	CHECK(a && nla_len(a) == 4 && nla_get_u32(a) == 0);
	CHECK(vs_parse_dest_msg(msg, &bs, &back) == 0);
	/* DRAIN is input only: a parser of replies does not report it. */
	CHECK(back.has == (VS_DEST_HAS_PORT | VS_DEST_HAS_FLAGS));
	CHECK(back.flags == VSCHED_DEST_F_SORRY);
	nlmsg_free(msg);

	/* DEL still sends the key only. */
	d.has |= VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON;
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_DEL, &s, &d, NULL);
	CHECK(msg != NULL);
	if (msg) {
		CHECK(nest_types(top_attr(msg, VSCHED_A_DEST)) ==
		      (B(VSCHED_DEST_A_ADDR4) | B(VSCHED_DEST_A_PORT)));
		nlmsg_free(msg);
	}
}

TEST(msg_dest_reason_unterminated)
{
	struct vs_svc s = key();
	struct vs_dest d = rs();
	struct nl_msg *msg;
	struct nlattr *a, *nest;

	/* A full array without a NUL is cut to what the kernel accepts. */
	memset(d.reason, 'x', sizeof(d.reason));
	d.has = VS_DEST_HAS_REASON;
	msg = vs_req_build(FAMILY, VSCHED_CMD_DEST_SET, &s, &d, NULL);
	CHECK(msg != NULL);
	if (!msg)
		return;
	nest = top_attr(msg, VSCHED_A_DEST);
	a = nla_find(nla_data(nest), nla_len(nest),
		     VSCHED_DEST_A_HEALTH_REASON);
	CHECK(a && nla_len(a) == VSCHED_REASON_MAX);
	if (a)
		CHECK(((char *)nla_data(a))[VSCHED_REASON_MAX - 1] == '\0');
	nlmsg_free(msg);
}

static void put_dest_health(struct nl_msg *msg, bool draining)
{
	struct nlattr *nest = nla_nest_start(msg, VSCHED_A_DEST);
	struct in_addr a;

	inet_pton(AF_INET, "10.0.0.8", &a);
	nla_put(msg, VSCHED_DEST_A_ADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_DEST_A_PORT, 80);
	nla_put_u32(msg, VSCHED_DEST_A_WEIGHT, 100);
	nla_put_u8(msg, VSCHED_DEST_A_FWD_METHOD, VSCHED_FWD_MASQ);
	nla_put_u32(msg, VSCHED_DEST_A_FLAGS, VSCHED_DEST_F_SORRY);
	nla_put_u8(msg, VSCHED_DEST_A_HEALTH, VSCHED_HEALTH_UP);
	nla_put_string(msg, VSCHED_DEST_A_HEALTH_REASON, "agent load 40%");
	nla_put_u32(msg, VSCHED_DEST_A_HEALTH_PCT, 60);
	nla_put_u32(msg, VSCHED_DEST_A_HEALTH_CAP, 50);
	nla_put_u8(msg, VSCHED_DEST_A_STATE,
		   draining ? VSCHED_DS_DRAINING : VSCHED_DS_WARMING);
	put_u64_padded(msg, VSCHED_DEST_A_STATE_AGE, VSCHED_DEST_A_PAD,
		       (1ULL << 33) + 5);
	nla_put_u32(msg, VSCHED_DEST_A_EFF_WEIGHT, draining ? 0 : 12);
	if (draining)
		nla_put_u32(msg, VSCHED_DEST_A_DRAIN_LEFT, 29500);
	nla_put_u32(msg, VSCHED_DEST_A_ACTIVE_CONNS, 2);
	nla_nest_end(msg, nest);
}

TEST(msg_parse_dest_health_reply)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_DEST_GET, NLM_F_MULTI);
	struct vs_dest d;
	struct vs_svc s;

	put_svc(msg, false);
	put_dest_health(msg, false);
	CHECK(vs_parse_dest_msg(msg, &s, &d) == 0);
	CHECK(d.has == (VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT |
			VS_DEST_HAS_FWD | VS_DEST_HAS_FLAGS |
			VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON |
			VS_DEST_HAS_PCT | VS_DEST_HAS_CAP | VS_DEST_HAS_STATE |
			VS_DEST_HAS_STATE_AGE | VS_DEST_HAS_EFF_WEIGHT));
	CHECK(d.weight == 100 && d.flags == VSCHED_DEST_F_SORRY);
	CHECK(d.health == VSCHED_HEALTH_UP);
	CHECK_STR(d.reason, "agent load 40%");
	CHECK(d.health_pct == 60 && d.health_cap == 50);
	CHECK(d.state == VSCHED_DS_WARMING);
	CHECK(d.state_age_ms == (1ULL << 33) + 5);
	CHECK(d.eff_weight == 12 && d.drain_left_ms == 0);
	CHECK(d.active_conns == 2);
	nlmsg_free(msg);

	msg = fake_reply(VSCHED_CMD_DEST_GET, NLM_F_MULTI);
	put_svc(msg, false);
	put_dest_health(msg, true);
	CHECK(vs_parse_dest_msg(msg, &s, &d) == 0);
	CHECK(d.has & VS_DEST_HAS_DRAIN_LEFT);
	CHECK(!(d.has & VS_DEST_HAS_DRAIN));
	CHECK(d.state == VSCHED_DS_DRAINING && d.drain_left_ms == 29500);
	CHECK(d.eff_weight == 0 && (d.has & VS_DEST_HAS_EFF_WEIGHT));
	nlmsg_free(msg);
}

TEST(msg_parse_health_event_and_svc_warmup)
{
	struct nl_msg *msg = fake_reply(VSCHED_CMD_DEST_SET, 0);
	struct nlattr *nest;
	struct vs_event ev;
	struct in_addr a;

	put_svc(msg, false);
	put_dest_health(msg, true);
	CHECK(vs_parse_event_msg(msg, &ev) == 0);
	CHECK(ev.cmd == VSCHED_CMD_DEST_SET && ev.has_dest);
	CHECK((ev.dest.has & (VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON |
			      VS_DEST_HAS_STATE | VS_DEST_HAS_DRAIN_LEFT)) ==
	      (VS_DEST_HAS_HEALTH | VS_DEST_HAS_REASON | VS_DEST_HAS_STATE |
	       VS_DEST_HAS_DRAIN_LEFT));
	CHECK_STR(ev.dest.reason, "agent load 40%");
	CHECK(ev.dest.state == VSCHED_DS_DRAINING);
	nlmsg_free(msg);

	msg = fake_reply(VSCHED_CMD_SVC_SET, 0);
	inet_pton(AF_INET, "198.18.100.1", &a);
	nest = nla_nest_start(msg, VSCHED_A_SVC);
	nla_put_u16(msg, VSCHED_SVC_A_AF, AF_INET);
	nla_put_u8(msg, VSCHED_SVC_A_PROTOCOL, IPPROTO_TCP);
	nla_put(msg, VSCHED_SVC_A_ADDR4, 4, &a);
	nla_put_u16(msg, VSCHED_SVC_A_PORT, 80);
	nla_put_u32(msg, VSCHED_SVC_A_FLAGS, VSCHED_SVC_F_DOWN_RESET);
	nla_put_u32(msg, VSCHED_SVC_A_WARMUP, 120);
	nla_nest_end(msg, nest);
	CHECK(vs_parse_event_msg(msg, &ev) == 0);
	CHECK(ev.cmd == VSCHED_CMD_SVC_SET && !ev.has_dest);
	CHECK(ev.svc.has == (VS_SVC_HAS_FLAGS | VS_SVC_HAS_WARMUP));
	CHECK(ev.svc.warmup == 120 &&
	      ev.svc.flags == VSCHED_SVC_F_DOWN_RESET);
	nlmsg_free(msg);
}

