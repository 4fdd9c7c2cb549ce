// SPDX-License-Identifier: GPL-2.0
/* vsadm's options for the health ABI: warm-up, down policy, sorry, drain. */

#include <stdlib.h>

#include "harness.h"
#include "vsadm.h"

static char err[512];

static int parse(const char *line, struct vsadm_opts *o)
{
	char *copy = strdup(line), *words[64], *save, *w;
	int n = 0, ret;

	for (w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save))
		words[n++] = w;
	ret = vsadm_parse(n, words, o, err, sizeof(err));
	free(copy);
	return ret;
}

static void rejects(const char *line, const char *msg)
{
	struct vsadm_opts o;
	int ret = parse(line, &o);

	if (ret != -1)
		printf("    accepted: %s\n", line);
	CHECK(ret == -1);
	CHECK_HAS(err, msg);
}

TEST(args_warmup_and_down_policy)
{
	struct vsadm_opts o;

	CHECK(parse("-A -t 1.2.3.4:80 -s wrr --warmup 30 --down-policy reset",
		    &o) == 0);
	CHECK(o.cmd == VSADM_ADD_SVC);
	CHECK(o.svc.has == (VS_SVC_HAS_SCHED | VS_SVC_HAS_WARMUP |
			    VS_SVC_HAS_FLAGS));
	CHECK(o.svc.warmup == 30);
	CHECK(o.svc.flags == VSCHED_SVC_F_DOWN_RESET);

	CHECK(parse("-E -t 1.2.3.4:80 --down-policy=quiesce --warmup=0",
		    &o) == 0);
	CHECK(o.cmd == VSADM_EDIT_SVC);
	CHECK(o.svc.has == (VS_SVC_HAS_WARMUP | VS_SVC_HAS_FLAGS));
	CHECK(o.svc.warmup == 0 && o.svc.flags == 0);

	/* Neither given: neither sent. */
	CHECK(parse("-E -t 1.2.3.4:80 -s rr", &o) == 0);
	CHECK(o.svc.has == VS_SVC_HAS_SCHED);

	CHECK(parse("-A -t 1.2.3.4:80 --warmup 3600", &o) == 0);
	CHECK(o.svc.warmup == 3600);
	rejects("-A -t 1.2.3.4:80 --warmup 3601", "invalid warm-up '3601'");
	rejects("-A -t 1.2.3.4:80 --warmup -1", "invalid warm-up");
	rejects("-A -t 1.2.3.4:80 --warmup 1m", "invalid warm-up '1m'");
	rejects("-A -t 1.2.3.4:80 --down-policy drop",
		"invalid down policy 'drop' (quiesce or reset)");
	rejects("-A -t 1.2.3.4:80 --warmup 1 --warmup 2", "given twice");
	rejects("-A -t 1.2.3.4:80 --warmup", "needs 1 argument");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.1 --warmup 3",
		"--warmup cannot be used with -a");
	rejects("-D -t 1.2.3.4:80 --down-policy reset",
		"--down-policy cannot be used with -D");
}

TEST(args_sorry)
{
	struct vsadm_opts o;

	CHECK(parse("-a -t 1.2.3.4:80 -r 10.0.0.9 -w 1 --sorry", &o) == 0);
	CHECK(o.dest.has & VS_DEST_HAS_FLAGS);
	CHECK(o.dest.flags == VSCHED_DEST_F_SORRY);
	/* -a without --sorry: an ordinary server, said explicitly. */
	CHECK(parse("-a -t 1.2.3.4:80 -r 10.0.0.9", &o) == 0);
	CHECK((o.dest.has & VS_DEST_HAS_FLAGS) && o.dest.flags == 0);
	/* -e: only when asked, so a weight change keeps the flag. */
	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.9 -w 5", &o) == 0);
	CHECK(!(o.dest.has & VS_DEST_HAS_FLAGS));
	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.9 --no-sorry", &o) == 0);
	CHECK((o.dest.has & VS_DEST_HAS_FLAGS) && o.dest.flags == 0);
	CHECK(!(o.dest.has & VS_DEST_HAS_WEIGHT));
	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.9 --sorry", &o) == 0);
	CHECK(o.dest.flags == VSCHED_DEST_F_SORRY);
	rejects("-e -t 1.2.3.4:80 -r 10.0.0.9 --sorry --no-sorry",
		"contradict");
	rejects("-A -t 1.2.3.4:80 --sorry", "--sorry cannot be used with -A");
	rejects("-d -t 1.2.3.4:80 -r 10.0.0.9 --sorry",
		"--sorry cannot be used with -d");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.9 --sorry=yes",
		"takes no '=' value");
}

TEST(args_drain)
{
	struct vsadm_opts o;

	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.2:8080 --drain 30", &o) == 0);
	CHECK(o.cmd == VSADM_EDIT_DEST);
	CHECK(o.dest.has & VS_DEST_HAS_DRAIN);
	CHECK(o.dest.drain == 30 && o.dest.port == 8080);
	/* Only the drain: the admin weight and flags are left alone. */
	CHECK(!(o.dest.has & (VS_DEST_HAS_WEIGHT | VS_DEST_HAS_FLAGS)));
	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.2 --drain 0", &o) == 0);
	CHECK((o.dest.has & VS_DEST_HAS_DRAIN) && o.dest.drain == 0);
	CHECK(parse("-e -t 1.2.3.4:80 -r 10.0.0.2 --drain=86400", &o) == 0);
	CHECK(o.dest.drain == 86400);
	rejects("-e -t 1.2.3.4:80 -r 10.0.0.2 --drain 86401",
		"invalid drain time '86401'");
	rejects("-e -t 1.2.3.4:80 -r 10.0.0.2 --drain soon",
		"invalid drain time 'soon'");
	rejects("-a -t 1.2.3.4:80 -r 10.0.0.2 --drain 30",
		"--drain cannot be used with -a");
	rejects("-E -t 1.2.3.4:80 --drain 30", "--drain cannot be used with -E");
	rejects("-e -t 1.2.3.4:80 --drain 30", "needs a real server");
}

TEST(args_help_lists_health_options)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	vsadm_usage(f);
	fclose(f);
	CHECK_HAS(buf, "--warmup SECONDS");
	CHECK_HAS(buf, "--down-policy quiesce|reset");
	CHECK_HAS(buf, "--sorry, --no-sorry");
	CHECK_HAS(buf, "--drain SECONDS");
	CHECK_HAS(buf, "-e -t|-u ADDRESS:PORT -r ADDRESS[:PORT] --drain SECONDS");
	free(buf);
}
