// SPDX-License-Identifier: GPL-2.0
/*
 * vs-nlfuzz: valid messages, structured mutations, and the reference
 * validator that predicts what the module must answer. The policy tables
 * mirror kmod/netlink.c under genetlink's strict validation: exact
 * lengths for integers, no unknown or zero attribute types, NLA_F_NESTED
 * on nests only, no bytes left over.
 */
#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "nlfuzz.h"

enum pk { P_NONE, P_U8, P_U16, P_U32, P_BIN, P_STR, P_REJECT, P_CAP };

struct pol {
	uint8_t kind;
	uint16_t len;		/* P_BIN: exact length; P_STR: longest */
	uint32_t min, max, mask;
};

#define U8(lo, hi)	{ P_U8, 0, lo, hi, 0 }
#define U16(lo, hi)	{ P_U16, 0, lo, hi, 0 }
#define U32(lo, hi)	{ P_U32, 0, lo, hi, 0 }
#define MASK(m)		{ P_U32, 0, 0, 0xffffffff, m }
#define REJ		{ P_REJECT, 0, 0, 0, 0 }
#define TMO		U32(1, 2147483)	/* INT_MAX / 1000 */

static const struct pol svc_pol[VSCHED_SVC_A_MAX + 1] = {
	[VSCHED_SVC_A_AF]	  = U16(0, 0xffff),
	[VSCHED_SVC_A_PROTOCOL]	  = U8(0, 0xff),
	[VSCHED_SVC_A_ADDR4]	  = { P_BIN, 4, 0, 0, 0 },
	[VSCHED_SVC_A_ADDR6]	  = { P_BIN, 16, 0, 0, 0 },
	[VSCHED_SVC_A_PORT]	  = U16(1, 0xffff),
	[VSCHED_SVC_A_SCHED_NAME] = { P_STR, VSCHED_SCHED_NAME_MAX - 1, 0, 0, 0 },
	[VSCHED_SVC_A_FLAGS]	  = MASK(__VSCHED_SVC_F_ALL),
	[VSCHED_SVC_A_NUM_DESTS]  = REJ,
	[VSCHED_SVC_A_STATS]	  = REJ,
	[VSCHED_SVC_A_PAD]	  = REJ,
	[VSCHED_SVC_A_WARMUP]	  = U32(0, VSCHED_WARMUP_MAX),
	/* Bits checked by the NEW and SET handlers: predict(). */
	[VSCHED_SVC_A_SCHED_FLAGS] = U32(0, 0xffffffff),
};

static const struct pol dest_pol[VSCHED_DEST_A_MAX + 1] = {
	[VSCHED_DEST_A_ADDR4]	      = { P_BIN, 4, 0, 0, 0 },
	[VSCHED_DEST_A_ADDR6]	      = { P_BIN, 16, 0, 0, 0 },
	[VSCHED_DEST_A_PORT]	      = U16(1, 0xffff),
	[VSCHED_DEST_A_WEIGHT]	      = U32(0, VSCHED_WEIGHT_MAX),
	[VSCHED_DEST_A_FWD_METHOD]    = U8(0, VSCHED_FWD_MAX),
	[VSCHED_DEST_A_ACTIVE_CONNS]  = REJ,
	[VSCHED_DEST_A_INACT_CONNS]   = REJ,
	[VSCHED_DEST_A_STATS]	      = REJ,
	[VSCHED_DEST_A_PAD]	      = REJ,
	[VSCHED_DEST_A_FLAGS]	      = MASK(__VSCHED_DEST_F_ALL),
	[VSCHED_DEST_A_HEALTH]	      = U8(0, VSCHED_HEALTH_MAX),
	[VSCHED_DEST_A_HEALTH_REASON] = { P_STR, VSCHED_REASON_MAX - 1, 0, 0, 0 },
	[VSCHED_DEST_A_HEALTH_PCT]    = U32(0, 100),
	[VSCHED_DEST_A_HEALTH_CAP]    = { P_CAP, 0, 0, 0, 0 },
	[VSCHED_DEST_A_DRAIN]	      = U32(0, VSCHED_DRAIN_MAX),
	[VSCHED_DEST_A_STATE]	      = REJ,
	[VSCHED_DEST_A_STATE_AGE]     = REJ,
	[VSCHED_DEST_A_EFF_WEIGHT]    = REJ,
	[VSCHED_DEST_A_DRAIN_LEFT]    = REJ,
};

static const struct pol cfg_pol[VSCHED_CONFIG_A_MAX + 1] = {
	[VSCHED_CONFIG_A_TCP_SYN] = TMO, [VSCHED_CONFIG_A_TCP_EST] = TMO,
	[VSCHED_CONFIG_A_TCP_FIN] = TMO, [VSCHED_CONFIG_A_TCP_TIME_WAIT] = TMO,
	[VSCHED_CONFIG_A_TCP_CLOSE] = TMO, [VSCHED_CONFIG_A_UDP] = TMO,
	[VSCHED_CONFIG_A_CONN_MAX] = U32(1, 0xffffffff),
};

static const struct pol *nest_pol(uint16_t type, int *max)
{
	switch (type) {
	case VSCHED_A_SVC: *max = VSCHED_SVC_A_MAX; return svc_pol;
	case VSCHED_A_DEST: *max = VSCHED_DEST_A_MAX; return dest_pol;
	case VSCHED_A_CONFIG: *max = VSCHED_CONFIG_A_MAX; return cfg_pol;
	}
	return NULL;
}

/* ---- building blocks ---------------------------------------------------- */

struct top *msg_add_top(struct fmsg *m, uint16_t type)
{
	struct top *t = &m->t[m->n++];

	memset(t, 0, sizeof(*t));
	t->type = type;
	t->nflag = true;
	t->is_nest = true;
	return t;
}

struct leaf *top_add(struct top *t, uint16_t type, const void *d, uint16_t len)
{
	struct leaf *l = &t->l[t->n++];

	l->type = type;
	l->len = len;
	l->nflag = false;
	memcpy(l->d, d, len);
	return l;
}

void top_add_u32(struct top *t, uint16_t type, uint32_t v)
{
	top_add(t, type, &v, 4);
}

void top_add_u16(struct top *t, uint16_t type, uint16_t v)
{
	top_add(t, type, &v, 2);
}

void top_add_u8(struct top *t, uint16_t type, uint8_t v)
{
	top_add(t, type, &v, 1);
}

static void top_add_str(struct top *t, uint16_t type, const char *s)
{
	top_add(t, type, s, strlen(s) + 1);
}

static struct top *find_top(const struct fmsg *m, uint16_t type)
{
	struct top *t = NULL;
	int i;

	/* The last one wins, as in nla_parse(). */
	for (i = 0; i < m->n; i++)
		if (m->t[i].type == type)
			t = (struct top *)&m->t[i];
	return t;
}

/* VSCHED_A_DUMP_FLAGS: a u32 at the top level, not a nest. */
void add_dump_flags(struct fmsg *m, uint32_t v)
{
	struct top *t;

	if (m->n >= TOPS_MAX)
		m->n--;
	t = msg_add_top(m, VSCHED_A_DUMP_FLAGS);
	t->is_nest = false;
	t->nflag = false;
	t->len = 4;
	memcpy(t->d, &v, 4);
}

static const struct leaf *find_leaf(const struct top *t, uint16_t type)
{
	const struct leaf *l = NULL;
	int i;

	for (i = 0; t && t->is_nest && i < t->n; i++)
		if (t->l[i].type == type)
			l = &t->l[i];
	return l;
}

static uint32_t leaf_val(const struct leaf *l)
{
	uint32_t v = 0;

	if (l->len == 1)
		v = l->d[0];
	else if (l->len == 2)
		v = *(const uint16_t *)l->d;
	else if (l->len == 4)
		memcpy(&v, l->d, 4);
	return v;
}

/* A value spread over edges and the middle of [lo, hi]. */
static uint32_t pick(uint32_t lo, uint32_t hi)
{
	switch (rnd() % 4) {
	case 0: return lo;
	case 1: return hi;
	default: return lo + rnd() % ((uint64_t)hi - lo + 1);
	}
}

static int pick_svc(bool existing)
{
	int k, tries;

	for (tries = 0; tries < 32; tries++) {
		k = rnd() % NSVC;
		if (model.s[k].exists == existing)
			return k;
	}
	return rnd() % NSVC;
}

static void add_svc_key(struct fmsg *m, int k)
{
	struct top *t = msg_add_top(m, VSCHED_A_SVC);
	uint32_t addr;
	uint16_t port;
	uint8_t proto;

	svc_key(k, &addr, &port, &proto);
	top_add_u16(t, VSCHED_SVC_A_AF, AF_INET);
	top_add_u8(t, VSCHED_SVC_A_PROTOCOL, proto);
	top_add(t, VSCHED_SVC_A_ADDR4, &addr, 4);
	top_add_u16(t, VSCHED_SVC_A_PORT, port);
}

/* The schedulers the module has. */
static const char *const scheds[] = { "rr", "wrr", "lc", "wlc", "sh", "mh" };

static bool known_sched(const char *name)
{
	unsigned int i;

	for (i = 0; i < sizeof(scheds) / sizeof(scheds[0]); i++)
		if (!strcmp(name, scheds[i]))
			return true;
	return false;
}

static void add_svc_opts(struct top *t)
{
	if (rnd() % 2)
		top_add_str(t, VSCHED_SVC_A_SCHED_NAME,
			    scheds[rnd() % (sizeof(scheds) / sizeof(scheds[0]))]);
	if (rnd() % 2)
		top_add_u32(t, VSCHED_SVC_A_FLAGS, rnd() % 4);
	if (rnd() % 2)
		top_add_u32(t, VSCHED_SVC_A_WARMUP, pick(0, VSCHED_WARMUP_MAX));
	if (rnd() % 2)
		top_add_u32(t, VSCHED_SVC_A_SCHED_FLAGS,
			    rnd() % (__VSCHED_SCHED_F_ALL + 1));
}

static void add_dest(struct fmsg *m, int k, bool opts)
{
	struct top *t = msg_add_top(m, VSCHED_A_DEST);
	char reason[VSCHED_REASON_MAX];
	uint32_t addr;
	uint16_t port;
	int j, tries;

	for (tries = 0, j = rnd() % NDEST; tries < 8; tries++, j = rnd() % NDEST)
		if (model.s[k].d[j].exists == (rnd() % 5 != 0))
			break;
	dest_key(k, j, &addr, &port);
	top_add(t, VSCHED_DEST_A_ADDR4, &addr, 4);
	if (j % 3 || rnd() % 2)
		top_add_u16(t, VSCHED_DEST_A_PORT, port);
	if (!opts)
		return;
	if (rnd() % 2)
		top_add_u32(t, VSCHED_DEST_A_WEIGHT, pick(0, VSCHED_WEIGHT_MAX));
	if (rnd() % 4 == 0)
		top_add_u8(t, VSCHED_DEST_A_FWD_METHOD, VSCHED_FWD_MASQ);
	if (rnd() % 3 == 0)
		top_add_u32(t, VSCHED_DEST_A_FLAGS, rnd() % 2);
	if (rnd() % 3 == 0)
		top_add_u8(t, VSCHED_DEST_A_HEALTH, rnd() % 2);
	if (rnd() % 3 == 0) {
		snprintf(reason, sizeof(reason), "%.*s", (int)(rnd() % 64),
			 "fuzz reason: connect timeout, HTTP 500, agent said drain!!!!!!!!");
		top_add_str(t, VSCHED_DEST_A_HEALTH_REASON, reason);
	}
	if (rnd() % 3 == 0)
		top_add_u32(t, VSCHED_DEST_A_HEALTH_PCT, pick(0, 100));
	if (rnd() % 3 == 0)
		top_add_u32(t, VSCHED_DEST_A_HEALTH_CAP, rnd() % 3 ?
			    pick(0, VSCHED_WEIGHT_MAX) : VSCHED_HEALTH_CAP_NONE);
}

/* A well-formed message; the model decides whether it succeeds. */
void gen_valid(struct fmsg *m)
{
	static const uint8_t cmds[] = {
		VSCHED_CMD_SVC_NEW, VSCHED_CMD_SVC_NEW, VSCHED_CMD_SVC_NEW,
		VSCHED_CMD_SVC_SET, VSCHED_CMD_SVC_SET, VSCHED_CMD_SVC_DEL,
		VSCHED_CMD_SVC_GET, VSCHED_CMD_DEST_NEW, VSCHED_CMD_DEST_NEW,
		VSCHED_CMD_DEST_NEW, VSCHED_CMD_DEST_NEW, VSCHED_CMD_DEST_SET,
		VSCHED_CMD_DEST_SET, VSCHED_CMD_DEST_SET, VSCHED_CMD_DEST_DEL,
		VSCHED_CMD_DEST_GET, VSCHED_CMD_CONN_GET, VSCHED_CMD_INFO_GET,
		VSCHED_CMD_CONFIG_GET, VSCHED_CMD_CONFIG_SET,
		VSCHED_CMD_CONFIG_SET, VSCHED_CMD_ZERO,
	};
	struct top *t;
	int k, i;

	memset(m, 0, sizeof(*m));
	m->cmd = rnd() % 400 ? cmds[rnd() % sizeof(cmds)] : VSCHED_CMD_FLUSH;
	m->flags = NLM_F_REQUEST | NLM_F_ACK;
	switch (m->cmd) {
	case VSCHED_CMD_SVC_NEW:
		add_svc_key(m, pick_svc(rnd() % 4 != 0));
		add_svc_opts(&m->t[0]);
		break;
	case VSCHED_CMD_SVC_SET:
		add_svc_key(m, pick_svc(rnd() % 5 != 0));
		add_svc_opts(&m->t[0]);
		break;
	case VSCHED_CMD_SVC_DEL:
		add_svc_key(m, pick_svc(rnd() % 5 != 0));
		break;
	case VSCHED_CMD_SVC_GET:
		if (rnd() % 3 == 0)
			m->flags |= NLM_F_DUMP;
		else
			add_svc_key(m, pick_svc(rnd() % 5 != 0));
		break;
	case VSCHED_CMD_DEST_NEW:
	case VSCHED_CMD_DEST_SET:
	case VSCHED_CMD_DEST_DEL:
		k = pick_svc(rnd() % 8 != 0);
		add_svc_key(m, k);
		add_dest(m, k, m->cmd != VSCHED_CMD_DEST_DEL);
		break;
	case VSCHED_CMD_DEST_GET:
		m->flags |= NLM_F_DUMP;
		if (rnd() % 4)
			add_svc_key(m, pick_svc(rnd() % 5 != 0));
		break;
	case VSCHED_CMD_CONN_GET:
		m->flags |= NLM_F_DUMP;
		break;
	case VSCHED_CMD_CONFIG_SET:
		t = msg_add_top(m, VSCHED_A_CONFIG);
		for (i = VSCHED_CONFIG_A_TCP_SYN; i <= VSCHED_CONFIG_A_UDP; i++)
			if (rnd() % 3 == 0)
				top_add_u32(t, i, pick(1, 2147483));
		if (rnd() % 3 == 0)
			top_add_u32(t, VSCHED_CONFIG_A_CONN_MAX, pick(1, 1U << 20));
		break;
	case VSCHED_CMD_ZERO:
		if (rnd() % 2)
			add_svc_key(m, pick_svc(rnd() % 5 != 0));
		break;
	}
	/* DEST_GET dumps take dump flags; any other command refuses them. */
	if (m->cmd == VSCHED_CMD_DEST_GET ? rnd() % 3 == 0 : rnd() % 40 == 0)
		add_dump_flags(m, rnd() % 2 ? VSCHED_DUMP_F_NO_STATS : 0);
}

/* ---- mutations ------------------------------------------------------------ */

static struct top *any_nest(struct fmsg *m)
{
	int i, start = m->n ? rnd() % m->n : 0;

	for (i = 0; i < m->n; i++) {
		struct top *t = &m->t[(start + i) % m->n];

		if (t->is_nest && t->n && nest_pol(t->type, &(int){0}))
			return t;
	}
	return NULL;
}

static bool is_string(const struct top *t, const struct leaf *l)
{
	return (t->type == VSCHED_A_SVC && l->type == VSCHED_SVC_A_SCHED_NAME) ||
	       (t->type == VSCHED_A_DEST && l->type == VSCHED_DEST_A_HEALTH_REASON);
}

/* Set (or add) a u32-or-smaller attribute of the nest of @type. */
static void set_val(struct fmsg *m, uint16_t ttype, uint16_t type, int len,
		    uint32_t v)
{
	struct top *t = find_top(m, ttype);
	struct leaf *l;

	if (!t || !t->is_nest)
		t = msg_add_top(m, ttype);
	l = (struct leaf *)find_leaf(t, type);
	if (!l)
		l = &t->l[t->n++];
	l->type = type;
	l->len = len;
	l->nflag = false;
	memcpy(l->d, &v, len);
}

static void bad_value(struct fmsg *m, char *why, size_t n)
{
	static const struct {
		uint16_t top, type;
		uint8_t len;
		uint32_t lo, hi;
		const char *name;
	} bad[] = {
		{ VSCHED_A_SVC, VSCHED_SVC_A_PORT, 2, 0, 0, "service port 0" },
		{ VSCHED_A_SVC, VSCHED_SVC_A_WARMUP, 4, VSCHED_WARMUP_MAX + 1, 0xffffffff, "warm-up" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_PORT, 2, 0, 0, "server port 0" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_WEIGHT, 4, VSCHED_WEIGHT_MAX + 1, 0xffffffff, "weight" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_FWD_METHOD, 1, VSCHED_FWD_MAX + 1, 255, "forwarding method" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_HEALTH, 1, VSCHED_HEALTH_MAX + 1, 255, "health" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_HEALTH_PCT, 4, 101, 0xffffffff, "health percent" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_HEALTH_CAP, 4, VSCHED_WEIGHT_MAX + 1, 0xfffffffe, "health cap" },
		{ VSCHED_A_DEST, VSCHED_DEST_A_DRAIN, 4, VSCHED_DRAIN_MAX + 1, 0xffffffff, "drain" },
		{ VSCHED_A_CONFIG, VSCHED_CONFIG_A_TCP_SYN, 4, 0, 0, "timeout 0" },
		{ VSCHED_A_CONFIG, VSCHED_CONFIG_A_TCP_EST, 4, 2147484, 0xffffffff, "timeout" },
		{ VSCHED_A_CONFIG, VSCHED_CONFIG_A_UDP, 4, 2147484, 0xffffffff, "udp timeout" },
		{ VSCHED_A_CONFIG, VSCHED_CONFIG_A_CONN_MAX, 4, 0, 0, "conn_max 0" },
	};
	unsigned int i = rnd() % (sizeof(bad) / sizeof(bad[0]));

	set_val(m, bad[i].top, bad[i].type, bad[i].len, pick(bad[i].lo, bad[i].hi));
	snprintf(why, n, "out-of-range %s", bad[i].name);
}

/* A non-unicast IPv4 address (network order). */
static uint32_t bad_addr(void)
{
	static const char *const a[] = {
		"0.0.0.0", "0.1.2.3", "224.0.0.1", "239.255.255.250",
		"255.255.255.255",
	};
	struct in_addr in;

	inet_pton(AF_INET, a[rnd() % 5], &in);
	return in.s_addr;
}

void mutate(struct fmsg *m, char *why, size_t n)
{
	struct top *t = any_nest(m);
	struct leaf *l;
	char s[LEAF_MAX];
	int max = 0, i, len;

	switch (t ? rnd() % 16 : 10 + rnd() % 6) {
	case 0:	/* wrong length of a fixed-size attribute */
		l = &t->l[rnd() % t->n];
		if (is_string(t, l)) {
			/* Longer would still be valid after the NUL. */
			snprintf(why, n, "string attr %u loses its NUL", l->type);
			l->len--;
			break;
		}
		len = l->len;
		while (len == l->len)
			len = rnd() % 2 ? (int)(rnd() % 9) : l->len + 1;
		for (i = l->len; i < len; i++)
			l->d[i] = rnd();
		snprintf(why, n, "attr %u length %u -> %d", l->type, l->len, len);
		l->len = len;
		break;
	case 1:
	case 2:
		bad_value(m, why, n);
		break;
	case 3:	/* unknown attribute in a nest */
		nest_pol(t->type, &max);
		i = rnd() % 4 ? max + 1 + rnd() % 40 : 0;
		top_add_u32(t, i, rnd());
		snprintf(why, n, "unknown attr %d in nest %u", i, t->type);
		break;
	case 4:	/* unknown flag bits */
		i = rnd() % 4;
		if (i == 3)
			set_val(m, VSCHED_A_SVC, VSCHED_SVC_A_SCHED_FLAGS, 4,
				(rnd() % 4) | 1U << (2 + rnd() % 30));
		else if (i == 0)
			set_val(m, VSCHED_A_SVC, VSCHED_SVC_A_FLAGS, 4,
				(rnd() % 4) | 1U << (2 + rnd() % 30));
		else if (i == 1)
			add_dump_flags(m, (rnd() % 2) | 1U << (1 + rnd() % 31));
		else
			set_val(m, VSCHED_A_DEST, VSCHED_DEST_A_FLAGS, 4,
				(rnd() % 2) | 1U << (1 + rnd() % 31));
		snprintf(why, n, "unknown flag bits");
		break;
	case 5:	/* oversized or unterminated strings */
		len = rnd() % 3 ? 16 + rnd() % 200 : 1 + rnd() % 10;
		memset(s, 'x', len);
		s[len] = 0;
		if (rnd() % 2) {
			t = find_top(m, VSCHED_A_SVC) ?: msg_add_top(m, VSCHED_A_SVC);
			l = top_add(t, VSCHED_SVC_A_SCHED_NAME, s, len + 1);
		} else {
			t = find_top(m, VSCHED_A_DEST) ?: msg_add_top(m, VSCHED_A_DEST);
			if (len < 64 && len > 10)
				len += 64;
			memset(s, 'r', len);
			l = top_add(t, VSCHED_DEST_A_HEALTH_REASON, s, len + 1);
		}
		if (len <= 10)
			l->len--;	/* no NUL */
		snprintf(why, n, "string of %d%s", len, len <= 10 ? ", no NUL" : "");
		break;
	case 6:	/* nested garbage whose first attribute cannot parse */
		t->is_nest = false;
		t->garbage = true;
		t->len = 4 + rnd() % 60;
		for (i = 0; i < t->len; i++)
			t->d[i] = rnd();
		t->d[0] = 1 + rnd() % 3;	/* nla_len < NLA_HDRLEN */
		t->d[1] = 0;
		snprintf(why, n, "garbage in nest %u", t->type);
		break;
	case 7:
		if (rnd() % 2) {
			t->nflag = false;
			snprintf(why, n, "nest %u without NLA_F_NESTED", t->type);
		} else {
			t->l[rnd() % t->n].nflag = true;
			snprintf(why, n, "leaf with NLA_F_NESTED");
		}
		break;
	case 8:	/* an attribute that is output only */
		i = t->type == VSCHED_A_SVC ? VSCHED_SVC_A_NUM_DESTS + rnd() % 3 :
		    t->type == VSCHED_A_DEST ? VSCHED_DEST_A_STATE + rnd() % 4 :
		    VSCHED_CONFIG_A_MAX + 1;
		top_add_u32(t, i, rnd());
		snprintf(why, n, "output-only attr %d in nest %u", i, t->type);
		break;
	case 9:	/* a missing attribute, or a whole nest */
		if (rnd() % 3) {
			i = rnd() % t->n;
			snprintf(why, n, "nest %u without attr %u", t->type, t->l[i].type);
			t->l[i] = t->l[--t->n];
		} else {
			snprintf(why, n, "without nest %u", t->type);
			*t = m->t[--m->n];
		}
		break;
	case 10: /* handler checks: addresses, family, protocol, scheduler */
		switch (rnd() % 6) {
		case 0:
			set_val(m, VSCHED_A_SVC, VSCHED_SVC_A_ADDR4, 4, bad_addr());
			snprintf(why, n, "non-unicast VIP");
			break;
		case 1:
			set_val(m, VSCHED_A_DEST, VSCHED_DEST_A_ADDR4, 4, bad_addr());
			snprintf(why, n, "non-unicast server");
			break;
		case 2:
			set_val(m, VSCHED_A_SVC, VSCHED_SVC_A_AF, 2,
				rnd() % 2 ? AF_INET6 : rnd() % 65536);
			snprintf(why, n, "address family");
			break;
		case 3:
			set_val(m, VSCHED_A_SVC, VSCHED_SVC_A_PROTOCOL, 1,
				rnd() % 2 ? IPPROTO_SCTP : rnd() % 256);
			snprintf(why, n, "protocol");
			break;
		case 4:
			t = find_top(m, VSCHED_A_SVC) ?: msg_add_top(m, VSCHED_A_SVC);
			memset(s, 0x20, 16);
			top_add(t, VSCHED_SVC_A_ADDR6, s, 16);
			snprintf(why, n, "ADDR6 too");
			break;
		default:
			t = find_top(m, VSCHED_A_SVC) ?: msg_add_top(m, VSCHED_A_SVC);
			top_add(t, VSCHED_SVC_A_SCHED_NAME, "nosuch", 7);
			snprintf(why, n, "unknown scheduler");
			break;
		}
		break;
	case 11: /* drain on a new server, or on one that is not draining */
		set_val(m, VSCHED_A_DEST, VSCHED_DEST_A_DRAIN, 4, 0);
		snprintf(why, n, "drain 0");
		break;
	case 12: /* unknown top-level attribute, or an output-only one */
		i = rnd() % 3 == 0 ? VSCHED_A_CONN + rnd() % 2 :
		    rnd() % 3 ? VSCHED_A_MAX + 1 + rnd() % 60 : 0;
		if (m->n >= TOPS_MAX)
			m->n--;
		t = msg_add_top(m, i);
		top_add_u32(t, 1, rnd());
		snprintf(why, n, "top-level attr %d", i);
		break;
	case 13: /* unknown command */
		m->cmd = rnd() % 4 ? VSCHED_CMD_MAX + 1 + rnd() % (255 - VSCHED_CMD_MAX) : 0;
		snprintf(why, n, "unknown command %u", m->cmd);
		break;
	case 14: /* do where there is only dump, or the other way */
		m->flags ^= NLM_F_DUMP;
		snprintf(why, n, "%s", m->flags & NLM_F_DUMP ? "dump" : "do");
		break;
	default: /* many limits at once */
		bad_value(m, why, n);
		len = strlen(why);
		bad_value(m, why + len, n - len);
		break;
	}
	if (m->n > TOPS_MAX)
		m->n = TOPS_MAX;
}

/* ---- the reference validator ------------------------------------------- */

static const char *check_leaf(const struct leaf *l, const struct pol *p, int max)
{
	const struct pol *q;
	uint32_t v;

	if (l->type == 0 || l->type > max)
		return "unknown attribute";
	q = &p[l->type];
	if (q->kind == P_REJECT || q->kind == P_NONE)
		return "attribute not allowed";
	if (l->nflag)
		return "NLA_F_NESTED on a leaf";
	switch (q->kind) {
	case P_U8:
		if (l->len != 1)
			return "length";
		break;
	case P_U16:
		if (l->len != 2)
			return "length";
		break;
	case P_U32:
	case P_CAP:
		if (l->len != 4)
			return "length";
		break;
	case P_BIN:
		return l->len == q->len ? NULL : "length";
	case P_STR:
		/* We build strings with one NUL, at the end or nowhere. */
		if (!l->len || l->d[l->len - 1] || memchr(l->d, 0, l->len - 1))
			return "not NUL-terminated";
		return l->len - 1 > q->len ? "string too long" : NULL;
	}
	v = leaf_val(l);
	if (q->kind == P_CAP)
		return NULL;	/* range checked by the handler: dest_of() */
	if (v < q->min || v > q->max)
		return "range";
	if (q->mask && (v & ~q->mask))
		return "unknown flag bits";
	return NULL;
}

static bool unicast(uint32_t be)
{
	uint32_t a = ntohl(be);

	/* ipv4_is_zeronet() is only 0.0.0.0 since Linux 5.3. */
	return a != 0 && (a >> 28) != 0xe && a != 0xffffffff;
}

/* The service key as the handler parses it: -1 error, -2 unknown key. */
static int svc_of(const struct fmsg *m)
{
	const struct top *t = find_top(m, VSCHED_A_SVC);
	const struct leaf *af, *proto, *port, *a4;
	uint32_t addr;
	uint8_t p;

	if (!t)
		return -1;
	af = find_leaf(t, VSCHED_SVC_A_AF);
	proto = find_leaf(t, VSCHED_SVC_A_PROTOCOL);
	port = find_leaf(t, VSCHED_SVC_A_PORT);
	a4 = find_leaf(t, VSCHED_SVC_A_ADDR4);
	if (!af || !proto || !port || leaf_val(af) != AF_INET || !a4 ||
	    find_leaf(t, VSCHED_SVC_A_ADDR6))
		return -1;
	p = leaf_val(proto);
	memcpy(&addr, a4->d, 4);
	if ((p != IPPROTO_TCP && p != IPPROTO_UDP) || !unicast(addr))
		return -1;
	return svc_index(addr, leaf_val(port), p);
}

/* The server key: -1 error, -2 unknown key. */
static int dest_of(const struct fmsg *m, int k, bool new)
{
	const struct top *t = find_top(m, VSCHED_A_DEST);
	const struct leaf *a4, *port;
	uint32_t addr, sa;
	uint16_t sp;
	uint8_t sproto;

	if (!t)
		return -1;
	a4 = find_leaf(t, VSCHED_DEST_A_HEALTH_CAP);
	if (a4 && leaf_val(a4) > VSCHED_WEIGHT_MAX &&
	    leaf_val(a4) != VSCHED_HEALTH_CAP_NONE)
		return -1;
	a4 = find_leaf(t, VSCHED_DEST_A_ADDR4);
	if (!a4 || find_leaf(t, VSCHED_DEST_A_ADDR6))
		return -1;
	memcpy(&addr, a4->d, 4);
	if (!unicast(addr) || (new && find_leaf(t, VSCHED_DEST_A_DRAIN)))
		return -1;
	port = find_leaf(t, VSCHED_DEST_A_PORT);
	svc_key(k, &sa, &sp, &sproto);
	return dest_index(k, addr, port ? leaf_val(port) : sp);
}

#define RET(ex, text) do { snprintf(why + strlen(why), n - strlen(why), \
				    "%s%s", *why ? ": " : "", text); \
			   return ex; } while (0)

enum expect predict(const struct fmsg *m, char *why, size_t n)
{
	bool dump = (m->flags & NLM_F_DUMP) == NLM_F_DUMP;
	const struct leaf *l;
	const struct top *t;
	const char *bad;
	int i, j, k, d, max;

	if (m->cmd == 0 || m->cmd > VSCHED_CMD_MAX)
		RET(EX_CORE, "no such command");
	if (dump && m->cmd != VSCHED_CMD_SVC_GET && m->cmd != VSCHED_CMD_DEST_GET &&
	    m->cmd != VSCHED_CMD_CONN_GET)
		RET(EX_CORE, "no dumpit");
	if (!dump && (m->cmd == VSCHED_CMD_DEST_GET || m->cmd == VSCHED_CMD_CONN_GET))
		RET(EX_CORE, "no doit");
	for (i = 0; i < m->n; i++) {
		const struct pol *p = nest_pol(m->t[i].type, &max);

		t = &m->t[i];
		if (t->type == VSCHED_A_DUMP_FLAGS) {
			uint32_t v;

			if (t->is_nest || t->nflag || t->len != 4)
				RET(EX_ERR, "dump flags not a u32");
			memcpy(&v, t->d, 4);
			if (v & ~(uint32_t)__VSCHED_DUMP_F_ALL)
				RET(EX_ERR, "unknown dump flag bits");
			continue;
		}
		if (!p)
			RET(EX_ERR, "top-level attribute not allowed");
		if (!t->nflag)
			RET(EX_ERR, "NLA_F_NESTED missing");
		if (!t->is_nest)
			RET(t->garbage ? EX_ERR : EX_UNSURE, "garbage");
		for (j = 0; j < t->n; j++) {
			bad = check_leaf(&t->l[j], p, max);
			if (bad)
				RET(EX_ERR, bad);
		}
	}
	if (find_top(m, VSCHED_A_DUMP_FLAGS) &&
	    !(dump && m->cmd == VSCHED_CMD_DEST_GET))
		RET(EX_ERR, "dump flags are DEST_GET's");
	switch (m->cmd) {
	case VSCHED_CMD_SVC_NEW:
	case VSCHED_CMD_SVC_SET:
	case VSCHED_CMD_SVC_DEL:
	case VSCHED_CMD_SVC_GET:
	case VSCHED_CMD_DEST_NEW:
	case VSCHED_CMD_DEST_SET:
	case VSCHED_CMD_DEST_DEL:
	case VSCHED_CMD_DEST_GET:
		if (dump && m->cmd == VSCHED_CMD_SVC_GET)
			RET(EX_OK, "dump");
		if (dump && m->cmd == VSCHED_CMD_DEST_GET &&
		    !find_top(m, VSCHED_A_SVC))
			RET(EX_OK, "dump of every service's servers");
		k = svc_of(m);
		if (k == -1)
			RET(EX_ERR, "bad service key");
		if (k == -2)
			RET(EX_UNSURE, "service outside the key space");
		l = find_leaf(find_top(m, VSCHED_A_SVC), VSCHED_SVC_A_SCHED_FLAGS);
		if ((m->cmd == VSCHED_CMD_SVC_NEW || m->cmd == VSCHED_CMD_SVC_SET) &&
		    l && (leaf_val(l) & ~__VSCHED_SCHED_F_ALL))
			RET(EX_ERR, "unknown scheduler flag");
		l = find_leaf(find_top(m, VSCHED_A_SVC), VSCHED_SVC_A_SCHED_NAME);
		if (m->cmd == VSCHED_CMD_SVC_NEW) {
			if (l && !known_sched((char *)l->d))
				RET(EX_ERR, "unknown scheduler");
			RET(model.s[k].exists ? EX_ERR : EX_OK,
			    model.s[k].exists ? "exists" : "new service");
		}
		if (!model.s[k].exists)
			RET(EX_ERR, "no such service");
		if (m->cmd == VSCHED_CMD_SVC_SET && l && !known_sched((char *)l->d))
			RET(EX_ERR, "unknown scheduler");
		if (m->cmd <= VSCHED_CMD_SVC_GET || m->cmd == VSCHED_CMD_DEST_GET)
			RET(EX_OK, "service exists");
		d = dest_of(m, k, m->cmd == VSCHED_CMD_DEST_NEW);
		if (d == -1)
			RET(EX_ERR, "bad server");
		if (d == -2)
			RET(EX_UNSURE, "server outside the key space");
		if (m->cmd == VSCHED_CMD_DEST_NEW)
			RET(model.s[k].d[d].exists ? EX_ERR : EX_OK,
			    model.s[k].d[d].exists ? "server exists" : "new server");
		if (!model.s[k].d[d].exists)
			RET(EX_ERR, "no such server");
		l = find_leaf(find_top(m, VSCHED_A_DEST), VSCHED_DEST_A_DRAIN);
		if (m->cmd == VSCHED_CMD_DEST_SET && l)
			RET(leaf_val(l) ? EX_UNSURE : EX_ERR, "drain");
		RET(EX_OK, "server exists");
	case VSCHED_CMD_CONFIG_SET:
		t = find_top(m, VSCHED_A_CONFIG);
		if (!t)
			RET(EX_ERR, "no VSCHED_A_CONFIG");
		l = find_leaf(t, VSCHED_CONFIG_A_CONN_MAX);
		if (l && leaf_val(l) > (model.ceiling ?: 1U << 20))
			RET(model.ceiling ? EX_ERR : EX_UNSURE, "above the ceiling");
		RET(EX_OK, "config");
	case VSCHED_CMD_ZERO:
		if (!find_top(m, VSCHED_A_SVC))
			RET(EX_OK, "zero all");
		k = svc_of(m);
		if (k == -2)
			RET(EX_UNSURE, "service outside the key space");
		RET(k >= 0 && model.s[k].exists ? EX_OK : EX_ERR, "zero one");
	}
	RET(EX_OK, "no input");
}
