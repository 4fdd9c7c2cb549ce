// SPDX-License-Identifier: GPL-2.0
/* vsadm -S formatting, -R parsing with line numbers, and restore plans. */

#include <arpa/inet.h>
#include <stdlib.h>

#include "harness.h"
#include "vsadm.h"

static char err[512];

static struct vs_svc mk_svc(uint8_t proto, const char *addr, uint16_t port,
			    const char *sched)
{
	struct vs_svc s = { .af = AF_INET, .protocol = proto, .port = port };

	inet_pton(AF_INET, addr, &s.addr);
	if (sched) {
		snprintf(s.sched, sizeof(s.sched), "%s", sched);
		s.has |= VS_SVC_HAS_SCHED;
	}
	return s;
}

static struct vs_dest mk_dest(const char *addr, uint16_t port, uint32_t w)
{
	struct vs_dest d = { .port = port, .weight = w,
			     .has = VS_DEST_HAS_PORT | VS_DEST_HAS_WEIGHT |
				    VS_DEST_HAS_FWD };

	inet_pton(AF_INET, addr, &d.addr);
	return d;
}

/* Services and servers in a deliberately unsorted order. */
static void mk_state(struct vsadm_state *st)
{
	struct vsadm_svc_entry *e;

	memset(st, 0, sizeof(*st));
	st->n = 3;
	st->svcs = calloc(3, sizeof(*st->svcs));
	e = &st->svcs[0];
	e->svc = mk_svc(IPPROTO_UDP, "198.18.100.1", 53, "rr");
	e->n_dests = 1;
	e->dests = calloc(1, sizeof(*e->dests));
	e->dests[0] = mk_dest("10.0.0.9", 53, 1);
	e = &st->svcs[1];
	e->svc = mk_svc(IPPROTO_TCP, "198.18.100.2", 80, "wrr");
	e = &st->svcs[2];
	e->svc = mk_svc(IPPROTO_TCP, "198.18.100.1", 80, "rr");
	e->n_dests = 3;
	e->dests = calloc(3, sizeof(*e->dests));
	e->dests[0] = mk_dest("10.0.0.2", 80, 2);
	e->dests[1] = mk_dest("10.0.0.10", 80, 1);
	e->dests[2] = mk_dest("10.0.0.2", 79, 0);
}

static char *save_str(const struct vsadm_state *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_save(f, st, true);
	fclose(f);
	return buf;
}

static const char saved[] =
	"-A -t 198.18.100.1:80 -s rr\n"
	"-a -t 198.18.100.1:80 -r 10.0.0.2:79 -m -w 0\n"
	"-a -t 198.18.100.1:80 -r 10.0.0.2:80 -m -w 2\n"
	"-a -t 198.18.100.1:80 -r 10.0.0.10:80 -m -w 1\n"
	"-A -t 198.18.100.2:80 -s wrr\n"
	"-A -u 198.18.100.1:53 -s rr\n"
	"-a -u 198.18.100.1:53 -r 10.0.0.9:53 -m -w 1\n";

TEST(save_sorted)
{
	struct vsadm_state st = { 0 };
	char *out;

	mk_state(&st);
	vsadm_state_sort(&st);
	out = save_str(&st);
	/* TCP before UDP, addresses numerically (10.0.0.2 < 10.0.0.10). */
	CHECK_STR(out, saved);
	free(out);
	vsadm_state_free(&st);
}

TEST(save_stable)
{
	struct vsadm_state st = { 0 };
	char *a, *b;

	mk_state(&st);
	vsadm_state_sort(&st);
	a = save_str(&st);
	vsadm_state_sort(&st);
	b = save_str(&st);
	CHECK_STR(a, b);
	free(a);
	free(b);
	vsadm_state_free(&st);
}

static int parse_text(const char *text, struct vsadm_line **lines, size_t *n)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	int ret = vsadm_restore_parse(f, "stdin", lines, n, err, sizeof(err));

	fclose(f);
	return ret;
}

TEST(restore_parse_lines)
{
	struct vsadm_line *lines;
	size_t n;

	CHECK(parse_text("# a comment\n\n-A -t 1.2.3.4:80 -s rr\n"
			 "  -a -t 1.2.3.4:80 -r 10.0.0.1 -m -w 2   # trailing\n"
			 "--set 900 120 300\n", &lines, &n) == 0);
	CHECK(n == 3);
	if (n == 3) {
		CHECK(lines[0].lineno == 3 && lines[0].o.cmd == VSADM_ADD_SVC);
		CHECK(lines[1].lineno == 4 && lines[1].o.dest.weight == 2);
		CHECK(lines[2].lineno == 5 && lines[2].o.cmd == VSADM_SET);
	}
	free(lines);
}

TEST(restore_parse_errors_name_the_line)
{
	struct vsadm_line *lines;
	size_t n;

	CHECK(parse_text("-A -t 1.2.3.4:80\n\n-a -t 1.2.3.4:80 --foo\n",
			 &lines, &n) == -1);
	CHECK_STR(err, "stdin:3: unknown option --foo");
	CHECK(parse_text("-A -t 1.2.3.4:80\n-L\n", &lines, &n) == -1);
	CHECK_HAS(err, "stdin:2: -L cannot be used in a restore file");
	CHECK(parse_text("-C\n", &lines, &n) == -1);
	CHECK_HAS(err, "stdin:1: -C cannot be used");
	CHECK(parse_text("-a -t 1.2.3.4:80 -r 10.0.0.1 -w 70000\n", &lines,
			 &n) == -1);
	CHECK_HAS(err, "stdin:1: invalid weight '70000'");
}

static int plan_text(const struct vsadm_state *cur, const char *text,
		     bool replace, struct vsadm_plan *plan)
{
	struct vsadm_line *lines;
	size_t n;
	int ret;

	if (parse_text(text, &lines, &n))
		return -2;
	ret = vsadm_restore_plan(cur, lines, n, replace, "stdin", plan, err,
				 sizeof(err));
	free(lines);
	return ret;
}

TEST(restore_roundtrip_changes_nothing)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	CHECK(plan_text(&st, saved, false, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	CHECK(plan_text(&st, saved, true, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_merge_never_deletes)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	/* A file that mentions one new server and one new weight. */
	CHECK(plan_text(&st, "-A -t 198.18.100.1:80\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.3:80 -m -w 1\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.2:80 -m -w 7\n",
			false, &plan) == 0);
	/* In the sorted order of the servers: .2 before .3. */
	CHECK(plan.n == 2);
	if (plan.n == 2) {
		CHECK(plan.acts[0].op == VSADM_ACT_DEST_SET);
		CHECK(plan.acts[0].dest.weight == 7);
		CHECK(plan.acts[0].svc.port == 80);
		CHECK(plan.acts[1].op == VSADM_ACT_DEST_NEW);
		CHECK(plan.acts[1].dest.weight == 1);
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_merge_updates_scheduler)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	CHECK(plan_text(&st, "-A -t 198.18.100.2:80 -s rr\n"
			"-A -t 198.18.100.3:80\n", false, &plan) == 0);
	CHECK(plan.n == 2);
	if (plan.n == 2) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_SET);
		CHECK_STR(plan.acts[0].svc.sched, "rr");
		/* A new service without -s: the kernel's default. */
		CHECK(plan.acts[1].op == VSADM_ACT_SVC_NEW);
		CHECK(!(plan.acts[1].svc.has & VS_SVC_HAS_SCHED));
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_replace_deletes_after_adding)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	CHECK(plan_text(&st, "-A -t 198.18.100.1:80 -s rr\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.2:80 -m -w 2\n"
			"-a -t 198.18.100.1:80 -r 10.0.0.4:80 -m -w 1\n",
			true, &plan) == 0);
	/* new 10.0.0.4, then delete 10.0.0.2:79 and 10.0.0.10, then the
	 * two services the file does not name.
	 */
	CHECK(plan.n == 5);
	if (plan.n == 5) {
		CHECK(plan.acts[0].op == VSADM_ACT_DEST_NEW);
		CHECK(plan.acts[1].op == VSADM_ACT_DEST_DEL);
		CHECK(plan.acts[1].dest.port == 79);
		CHECK(plan.acts[2].op == VSADM_ACT_DEST_DEL);
		CHECK(plan.acts[3].op == VSADM_ACT_SVC_DEL);
		CHECK(plan.acts[3].svc.port == 80);
		CHECK(plan.acts[4].op == VSADM_ACT_SVC_DEL);
		CHECK(plan.acts[4].svc.protocol == IPPROTO_UDP);
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

TEST(restore_validates_before_changing)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	/* Line 2 is fine; line 3 names a service nobody defined. */
	CHECK(plan_text(&st, "-A -t 198.18.100.9:80\n"
			"-a -t 198.18.100.9:80 -r 10.0.0.1\n"
			"-a -t 198.18.100.8:80 -r 10.0.0.1\n", false,
			&plan) == -1);
	CHECK_STR(err, "stdin:3: no service TCP 198.18.100.8:80");
	CHECK(plan.n == 0);
	CHECK(plan_text(&st, "-e -t 198.18.100.1:80 -r 10.0.0.7 -w 3\n",
			false, &plan) == -1);
	CHECK_STR(err, "stdin:1: no real server 10.0.0.7:80 in TCP 198.18.100.1:80");
	CHECK(plan_text(&st, "-D -t 198.18.100.1:80\n-d -t 198.18.100.1:80 -r 10.0.0.2\n",
			false, &plan) == -1);
	CHECK_STR(err, "stdin:2: no service TCP 198.18.100.1:80");
	/* In replace mode nothing exists until the file says so. */
	CHECK(plan_text(&st, "-E -t 198.18.100.1:80 -s rr\n", true,
			&plan) == -1);
	CHECK_STR(err, "stdin:1: no service TCP 198.18.100.1:80");
	vsadm_state_free(&st);
}

TEST(restore_explicit_deletes_and_set)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;

	mk_state(&st);
	vsadm_state_sort(&st);
	CHECK(plan_text(&st, "-d -t 198.18.100.1:80 -r 10.0.0.10\n"
			"-D -u 198.18.100.1:53\n--set 0 60 0\n", false,
			&plan) == 0);
	CHECK(plan.n == 3);
	if (plan.n == 3) {
		CHECK(plan.acts[0].op == VSADM_ACT_DEST_DEL);
		CHECK(plan.acts[1].op == VSADM_ACT_SVC_DEL);
		CHECK(plan.acts[2].op == VSADM_ACT_CONFIG_SET);
		CHECK(plan.acts[2].cfg.tcp_fin == 60);
		CHECK(plan.acts[2].cfg.tcp_est == 0 && plan.acts[2].cfg.udp == 0);
	}
	vsadm_plan_free(&plan);
	vsadm_state_free(&st);
}

/*
 * Thousands of services through the index: lines out of order, a
 * service deleted in the middle (the index is rebuilt) and servers added
 * to services before and after it.
 */
TEST(restore_many_services_indexed)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;
	size_t i, svc_new = 0, dest_new = 0, len = 0, cap = 1 << 20;
	char *text = malloc(cap);
	struct vs_svc key = { .af = AF_INET, .protocol = IPPROTO_UDP };
	int ok = 1;

	/* Services 0..2999 in a scrambled order (1,009 is prime). */
	for (i = 0; i < 3000; i++) {
		size_t k = (i * 1009) % 3000;

		len += snprintf(text + len, cap - len,
				"-A -u 198.19.%zu.%zu:9\n"
				"-a -u 198.19.%zu.%zu:9 -r 198.18.0.1:9 -m\n",
				k / 250, k % 250, k / 250, k % 250);
	}
	len += snprintf(text + len, cap - len, "-D -u 198.19.6.0:9\n"
			"-a -u 198.19.0.7:9 -r 198.18.0.2:9 -m\n"
			"-a -u 198.19.11.249:9 -r 198.18.0.2:9 -m\n");
	CHECK(plan_text(&st, text, false, &plan) == 0);
	for (i = 0; i < plan.n; i++) {
		svc_new += plan.acts[i].op == VSADM_ACT_SVC_NEW;
		dest_new += plan.acts[i].op == VSADM_ACT_DEST_NEW;
	}
	CHECK(svc_new == 2999);
	CHECK(dest_new == 2999 + 2);
	vsadm_plan_free(&plan);

	/* A loaded state of 3,000 services, sorted and indexed: every key
	 * is found at its entry, a missing one is not.
	 */
	st.svcs = calloc(3000, sizeof(*st.svcs));
	CHECK(st.svcs != NULL);
	if (!st.svcs)
		return;
	for (i = 0; i < 3000; i++) {
		size_t k = (i * 1009) % 3000;

		st.svcs[i].svc = key;
		st.svcs[i].svc.port = 9;
		st.svcs[i].svc.addr.s_addr = htonl(0xc6130000 |
						   (k / 250) << 8 | k % 250);
		st.n++;
	}
	vsadm_state_sort(&st);
	CHECK(st.n_slots >= 2 * st.n);
	for (i = 0; i < 3000; i++) {
		key.port = 9;
		key.addr.s_addr = htonl(0xc6130000 | (i / 250) << 8 | i % 250);
		if (vsadm_state_find(&st, &key) != &st.svcs[i])
			ok = 0;
	}
	CHECK(ok);
	key.port = 10;
	CHECK(vsadm_state_find(&st, &key) == NULL);
	free(text);
	vsadm_state_free(&st);
}

/* -b in -S as ipvsadm -S writes it, back through -R unchanged. */
TEST(save_sched_flags_roundtrip)
{
	struct vsadm_state st = { 0 };
	struct vsadm_plan plan;
	char *out;

	mk_state(&st);
	vsadm_state_sort(&st);
	strcpy(st.svcs[0].svc.sched, "sh");
	st.svcs[0].svc.sched_flags = VSCHED_SCHED_F_FALLBACK |
				     VSCHED_SCHED_F_PORT;
	st.svcs[0].svc.has |= VS_SVC_HAS_SCHED_FLAGS;
	strcpy(st.svcs[1].svc.sched, "mh");
	st.svcs[1].svc.sched_flags = VSCHED_SCHED_F_PORT;
	st.svcs[1].svc.has |= VS_SVC_HAS_SCHED_FLAGS;
	st.svcs[2].svc.has |= VS_SVC_HAS_SCHED_FLAGS;
	out = save_str(&st);
	CHECK_HAS(out, "-A -t 198.18.100.1:80 -s sh -b sh-fallback,sh-port\n");
	CHECK_HAS(out, "-A -t 198.18.100.2:80 -s mh -b mh-port\n");
	CHECK_HAS(out, "-A -u 198.18.100.1:53 -s rr\n");
	CHECK(plan_text(&st, out, false, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	CHECK(plan_text(&st, out, true, &plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);

	/* A replace without -b clears the flags; a merge keeps them. */
	CHECK(plan_text(&st, "-A -t 198.18.100.2:80 -s mh\n", false,
			&plan) == 0);
	CHECK(plan.n == 0);
	vsadm_plan_free(&plan);
	CHECK(plan_text(&st, "-A -t 198.18.100.2:80 -s mh\n", true,
			&plan) == 0);
	CHECK(plan.n >= 1);
	if (plan.n >= 1) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_SET);
		CHECK(plan.acts[0].svc.has & VS_SVC_HAS_SCHED_FLAGS);
		CHECK(plan.acts[0].svc.sched_flags == 0);
	}
	vsadm_plan_free(&plan);
	/* A new service sends its flags. */
	CHECK(plan_text(&st, "-A -t 198.18.100.3:80 -s mh -b mh-port\n",
			false, &plan) == 0);
	CHECK(plan.n == 1);
	if (plan.n == 1) {
		CHECK(plan.acts[0].op == VSADM_ACT_SVC_NEW);
		CHECK(plan.acts[0].svc.sched_flags == VSCHED_SCHED_F_PORT);
		CHECK(plan.acts[0].svc.has & VS_SVC_HAS_SCHED_FLAGS);
	}
	vsadm_plan_free(&plan);
	free(out);
	vsadm_state_free(&st);
}
