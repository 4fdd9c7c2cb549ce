// SPDX-License-Identifier: GPL-2.0
/* The agent check: vh_agent_parse() on a table, and a live agent. */

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "harness.h"
#include "probe_util.h"
#include "text.h"

static const struct {
	const char *line;
	uint32_t cpu_max, mem_max;
	int ret;
	bool up;
	int pct;
	const char *reason;
} agent_cases[] = {
	{ "up\n", 0, 0, 0, true, VH_NONE, "ok" },
	{ "ready\r\n", 0, 0, 0, true, VH_NONE, "ok" },
	{ "UP", 0, 0, 0, true, VH_NONE, "ok" },
	{ "down\n", 0, 0, 0, false, VH_NONE, "agent: down" },
	{ "fail", 0, 0, 0, false, VH_NONE, "agent: fail" },
	{ "stopped", 0, 0, 0, false, VH_NONE, "agent: stopped" },
	{ "maint", 0, 0, 0, false, VH_NONE, "agent: maint" },
	{ "down#disk full\n", 0, 0, 0, false, VH_NONE,
	  "agent: down (disk full)" },
	{ "drain", 0, 0, 0, true, 0, "ok" },
	{ "75%", 0, 0, 0, true, 75, "ok" },
	{ "0%", 0, 0, 0, true, 0, "ok" },
	{ "100%", 0, 0, 0, true, 100, "ok" },
	{ "up 75%", 0, 0, 0, true, 75, "ok" },
	{ "ready,50%", 0, 0, 0, true, 50, "ok" },
	{ "up, 80% ,drain", 0, 0, 0, true, 0, "ok" },
	{ "60% 40%", 0, 0, 0, true, 40, "ok" },
	{ "75% down", 0, 0, 0, false, VH_NONE, "agent: down" },
	/* Load figures: only checked against a threshold that is set. */
	{ "cpu=95 mem=10", 0, 0, 0, true, VH_NONE, "ok" },
	{ "up cpu=95", 90, 0, 0, false, VH_NONE, "agent: cpu=95 > 90" },
	{ "up cpu=90", 90, 0, 0, true, VH_NONE, "ok" },
	{ "cpu=20,mem=97", 90, 95, 0, false, VH_NONE, "agent: mem=97 > 95" },
	{ "50% cpu=20 mem=30", 90, 95, 0, true, 50, "ok" },
	{ "down cpu=99", 90, 0, 0, false, VH_NONE, "agent: down" },
	/* Garbage. */
	{ "", 0, 0, -EINVAL, false, VH_NONE, "agent: empty line" },
	{ " \r\n", 0, 0, -EINVAL, false, VH_NONE, "agent: empty line" },
	{ "hello", 0, 0, -EINVAL, false, VH_NONE, "agent: bad word \"hello\"" },
	{ "up foo", 0, 0, -EINVAL, false, VH_NONE, "agent: bad word \"foo\"" },
	{ "101%", 0, 0, -EINVAL, false, VH_NONE, "agent: bad word \"101%\"" },
	{ "%", 0, 0, -EINVAL, false, VH_NONE, "agent: bad word \"%\"" },
	{ "-5%", 0, 0, -EINVAL, false, VH_NONE, "agent: bad word \"-5%\"" },
	{ "cpu=", 90, 0, -EINVAL, false, VH_NONE, "agent: bad word \"cpu=\"" },
	{ "cpu=x1", 90, 0, -EINVAL, false, VH_NONE,
	  "agent: bad word \"cpu=x1\"" },
	{ "mem=101", 0, 0, -EINVAL, false, VH_NONE,
	  "agent: bad word \"mem=101\"" },
	{ "maxconn:30", 0, 0, -EINVAL, false, VH_NONE,
	  "agent: bad word \"maxconn:30\"" },
};

TEST(agent_parse_table)
{
	size_t i;

	for (i = 0; i < sizeof(agent_cases) / sizeof(*agent_cases); i++) {
		struct vh_check_cfg c;
		struct vh_result r;
		int ret;

		probe_cfg(&c, VH_CHECK_AGENT, 100);
		c.agent_cpu_max = agent_cases[i].cpu_max;
		c.agent_mem_max = agent_cases[i].mem_max;
		memset(&r, 0x5a, sizeof(r));
		ret = vh_agent_parse(agent_cases[i].line, &c, &r);
		if (ret != agent_cases[i].ret || r.up != agent_cases[i].up ||
		    r.pct != agent_cases[i].pct || r.cap != VH_NONE ||
		    strcmp(r.reason, agent_cases[i].reason)) {
			printf("    line \"%s\": %d %s pct %d cap %d \"%s\"\n",
			       agent_cases[i].line, ret, r.up ? "up" : "down",
			       r.pct, r.cap, r.reason);
			vs_test_failed_checks++;
		}
	}
}

/* A line longer than the reason still gives a bounded reason. */
TEST(agent_parse_long_word)
{
	char line[600];
	struct vh_check_cfg c;
	struct vh_result r;

	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	probe_cfg(&c, VH_CHECK_AGENT, 100);
	CHECK(vh_agent_parse(line, &c, &r) == -EINVAL);
	CHECK(!r.up);
	CHECK_HAS(r.reason, "agent: bad word \"xxx");
}

/* Accept one connection, send @arg (NULL: say nothing), wait for EOF. */
static void agent_server(int fd, const void *arg)
{
	const char *line = arg;
	char b[16];
	int c = accept(fd, NULL, NULL);

	if (line)
		(void)!write(c, line, strlen(line));
	if (line && !strchr(line, '\n'))
		shutdown(c, SHUT_WR);
	while (read(c, b, sizeof(b)) > 0)
		;
}

static void agent_probe(const char *line, uint32_t cpu_max,
			struct probe_run *r)
{
	struct vh_check_cfg c;
	uint16_t port;
	int fd = tcp_listener(&port, 4);
	pid_t pid = fork_server(agent_server, fd, line);

	probe_cfg(&c, VH_CHECK_AGENT, 300);
	c.port = port;			/* the agent's own port */
	c.agent_cpu_max = cpu_max;
	probe_run(&c, closed_port(), r);
	stop_server(pid);
}

TEST(probe_agent_live)
{
	struct probe_run r;

	agent_probe("up 75%\n", 0, &r);
	CHECK(r.calls_at_start == 0 && r.calls == 1);
	CHECK(r.res.up && r.res.pct == 75 && r.res.cap == VH_NONE);
	CHECK_STR(r.res.reason, "ok");

	agent_probe("drain\n", 0, &r);
	CHECK(r.calls == 1 && r.res.up && r.res.pct == 0);

	/* No newline, then EOF: taken as the line. */
	agent_probe("50%", 0, &r);
	CHECK(r.calls == 1 && r.res.up && r.res.pct == 50);

	agent_probe("up cpu=95\n", 90, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "agent: cpu=95 > 90");

	agent_probe("what?\n", 0, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "agent: bad word \"what?\"");

	agent_probe(NULL, 0, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason,
		  "timeout after 300 ms (waiting for the agent's line)");
}

TEST(probe_agent_refused)
{
	struct vh_check_cfg c;
	struct probe_run r;

	probe_cfg(&c, VH_CHECK_AGENT, 300);
	c.port = closed_port();
	probe_run(&c, 80, &r);
	CHECK(r.calls == 1 && !r.res.up);
	CHECK_STR(r.res.reason, "connect: Connection refused");
}

TEST(probe_agent_cancel)
{
	struct vh_check_cfg c;
	uint16_t port;
	int fd = tcp_listener(&port, 4);
	pid_t pid = fork_server(agent_server, fd, NULL);

	probe_cfg(&c, VH_CHECK_AGENT, 200);
	c.port = port;
	CHECK(probe_cancel(&c, 80, 50) == 0);
	stop_server(pid);
}

/* The agent's words reach the reason cleaned (issue 22, finding 3): no
 * terminal control sequence, no invalid UTF-8, visibly escaped.
 */
TEST(agent_parse_hostile_text)
{
	static const struct { const char *line, *reason; } t[] = {
		{ "down#\x1b]0;owned\x07 \xff\xfe\n",
		  "agent: down (\\x1b]0;owned\\x07 \\xff\\xfe)" },
		{ "down#caf\xc3\xa9", "agent: down (caf\xc3\xa9)" },
		{ "\x1b[2J", "agent: bad word \"\\x1b[2J\"" },
		{ "fail#\xc2\x9b" "31m red", "agent: fail (\\xc2\\x9b31m red)" },
	};
	struct vh_check_cfg c;
	struct vh_result r;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(*t); i++) {
		probe_cfg(&c, VH_CHECK_AGENT, 100);
		vh_agent_parse(t[i].line, &c, &r);
		CHECK(!r.up);
		CHECK_STR(r.reason, t[i].reason);
	}
	/* A long description is cut between escapes: the reason stays
	 * clean however the bytes fall.
	 */
	probe_cfg(&c, VH_CHECK_AGENT, 100);
	vh_agent_parse("down#\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac"
		       "\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01\x01"
		       "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", &c, &r);
	CHECK(vs_text_is_clean(r.reason));
	CHECK(strlen(r.reason) < sizeof(r.reason));
}
