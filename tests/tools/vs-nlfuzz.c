// SPDX-License-Identifier: GPL-2.0
/*
 * vs-nlfuzz: fixed-seed fuzzer for the "vsched" generic netlink family.
 *
 *   vs-nlfuzz [-s SEED] [-n COUNT] [-v]
 *
 * Run it as root in a network namespace of its own: it flushes that
 * namespace's services first and last. Messages are built from a
 * structured form (command, flags, nests of attributes), most of them
 * then mutated. A reference validator that mirrors the module's policies
 * and handlers (kmod/netlink.c, uapi/linux/vsched.h) predicts each
 * outcome, and a model of the configuration follows what the accepted
 * ones did:
 *
 *   valid     must be accepted (and change the model), or fail with an
 *             error and an extack message where the model says so
 *             (no such service, already exists, ...);
 *   invalid   (policy or handler checks) must fail with an error and an
 *             extack message (NLMSGERR_ATTR_MSG);
 *   core      rejected by genetlink itself (unknown command, dump of a
 *             doit-only command, short genl header): must fail, an extack
 *             message is counted but not required;
 *   unsure    raw byte mutations (random bytes, bit flips, truncation):
 *             anything goes but a crash; an accepted write makes the tool
 *             re-read the kernel's configuration into its model;
 *   silent    frames netlink itself drops without an answer (short
 *             nlmsghdr, nlmsg_len past the end): must get no answer.
 *
 * After every message a NLMSG_NOOP with NLM_F_ACK acts as a barrier, so
 * replies are matched to requests without timeouts. At the end the
 * services, real servers and configuration are dumped and compared with
 * the model, then flushed. Exit 0 only if nothing was violated; the last
 * line is "nlfuzz: N passed, N failed" (messages whose outcome matched).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/vsched.h>
#include <netinet/in.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlfuzz.h"

static int fd, family;
static uint32_t seq = 1;
static bool verbose, dry_run;
static uint64_t rng;

struct counters cnt;

uint32_t rnd(void)
{
	/* xorshift64*: small, fast, and the same everywhere for a seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 2685821657736338717ULL) >> 32);
}

void violation(const char *fmt, ...)
{
	va_list ap;

	if (cnt.violations++ >= 20 && !verbose)
		return;
	fputs("VIOLATION: ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- transport --------------------------------------------------------- */

static void nl_open(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	int one = 1, rcvbuf = 1 << 20;

	if (!sk || genl_connect(sk)) {
		fprintf(stderr, "vs-nlfuzz: cannot open a generic netlink socket\n");
		exit(2);
	}
	family = genl_ctrl_resolve(sk, VSCHED_GENL_NAME);
	nl_socket_free(sk);
	if (family < 0) {
		fprintf(stderr, "vs-nlfuzz: no \"%s\" family: is vsched.ko loaded?\n",
			VSCHED_GENL_NAME);
		exit(2);
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("vs-nlfuzz: socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
}

static void raw_send(const void *buf, size_t len)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };

	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EINVAL) {
		perror("vs-nlfuzz: sendto");
		exit(2);
	}
}

/* The extack message of an error or done payload, or NULL. */
static const char *ack_msg(const struct nlmsghdr *nh, size_t off)
{
	const struct nlattr *a;
	size_t len;

	if (!(nh->nlmsg_flags & NLM_F_ACK_TLVS) || nh->nlmsg_len < NLMSG_HDRLEN + off)
		return NULL;
	a = (const void *)((const char *)NLMSG_DATA(nh) + NLMSG_ALIGN(off));
	len = nh->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off);
	while (len >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG)
			return (const char *)(a + 1);
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

/*
 * Send @buf, then a barrier, and collect what came back for @buf: the
 * error (0 = accepted), whether any answer came, and the extack message.
 * @data, if set, is called for each data message (dump or doit reply).
 */
struct result {
	bool answered;
	int err;
	char msg[128];
};

static void transact(void *buf, size_t len, struct result *r,
		     void (*data)(const struct nlmsghdr *, void *), void *arg)
{
	struct nlmsghdr barrier = {
		.nlmsg_len = NLMSG_HDRLEN, .nlmsg_type = NLMSG_NOOP,
		.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK,
	};
	static char rbuf[1 << 16];
	uint32_t s = seq++;

	memset(r, 0, sizeof(*r));
	if (len >= 12)
		((struct nlmsghdr *)buf)->nlmsg_seq = s;
	if (dry_run)
		return;
	raw_send(buf, len);
	barrier.nlmsg_seq = seq++;
	raw_send(&barrier, sizeof(barrier));
	for (;;) {
		ssize_t n = recv(fd, rbuf, sizeof(rbuf), 0);
		struct nlmsghdr *nh;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("vs-nlfuzz: recv");
			exit(2);
		}
		for (nh = (void *)rbuf; NLMSG_OK(nh, (size_t)n); nh = NLMSG_NEXT(nh, n)) {
			const char *m = NULL;
			int e = 0;

			if (nh->nlmsg_seq == barrier.nlmsg_seq) {
				if (nh->nlmsg_type == NLMSG_ERROR)
					return;
				continue;
			}
			if (nh->nlmsg_seq != s)
				continue;	/* a late answer to nothing we wait for */
			r->answered = true;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				e = ((struct nlmsgerr *)NLMSG_DATA(nh))->error;
				m = ack_msg(nh, sizeof(struct nlmsgerr));
			} else if (nh->nlmsg_type == NLMSG_DONE) {
				if (nh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)))
					e = *(int *)NLMSG_DATA(nh);
				m = ack_msg(nh, sizeof(int));
			} else if (data) {
				data(nh, arg);
			}
			if (e && !r->err)
				r->err = e;
			if (m && !r->msg[0])
				snprintf(r->msg, sizeof(r->msg), "%s", m);
		}
	}
}

/* ---- building ---------------------------------------------------------- */

size_t serialize(const struct fmsg *m, uint8_t *buf)
{
	struct nlmsghdr *nh = (void *)buf;
	struct genlmsghdr *gh = (void *)(buf + NLMSG_HDRLEN);
	size_t off = NLMSG_HDRLEN + GENL_HDRLEN;
	int i, j;

	memset(buf, 0, MSG_BUF);
	nh->nlmsg_type = family;
	nh->nlmsg_flags = m->flags;
	gh->cmd = m->cmd;
	gh->version = VSCHED_GENL_VERSION;
	for (i = 0; i < m->n; i++) {
		const struct top *t = &m->t[i];
		struct nlattr *na = (void *)(buf + off);
		size_t start = off;

		na->nla_type = t->type | (t->nflag ? NLA_F_NESTED : 0);
		off += NLA_HDRLEN;
		if (!t->is_nest) {
			memcpy(buf + off, t->d, t->len);
			off += NLA_ALIGN(t->len);
			na->nla_len = NLA_HDRLEN + t->len;
			continue;
		}
		for (j = 0; j < t->n; j++) {
			const struct leaf *l = &t->l[j];
			struct nlattr *la = (void *)(buf + off);

			la->nla_type = l->type | (l->nflag ? NLA_F_NESTED : 0);
			la->nla_len = NLA_HDRLEN + l->len;
			memcpy(buf + off + NLA_HDRLEN, l->d, l->len);
			off += NLA_ALIGN(la->nla_len);
		}
		na->nla_len = off - start;
	}
	nh->nlmsg_len = off;
	return off;
}

/* ---- the run ------------------------------------------------------------ */

static const char *const cmd_names[] = {
	"UNSPEC", "SVC_NEW", "SVC_SET", "SVC_DEL", "SVC_GET", "DEST_NEW",
	"DEST_SET", "DEST_DEL", "DEST_GET", "FLUSH", "CONN_GET", "INFO_GET",
	"CONFIG_GET", "CONFIG_SET", "ZERO",
};

const char *cmd_name(unsigned int cmd)
{
	return cmd < sizeof(cmd_names) / sizeof(cmd_names[0]) ?
	       cmd_names[cmd] : "?";
}

static void check(const struct fmsg *m, enum expect ex, const char *why,
		  const struct result *r)
{
	const char *c = cmd_name(m->cmd);
	bool ok = true;

	cnt.sent++;
	if (!r->answered) {
		cnt.unanswered++;
	} else if (r->err) {
		cnt.rejected++;
		if (r->msg[0])
			cnt.with_extack++;
		else
			cnt.without_extack++;
	} else {
		cnt.accepted++;
	}
	switch (ex) {
	case EX_OK:
		cnt.valid++;
		if (!r->answered || r->err) {
			violation("valid %s (%s) failed: %d %s", c, why, r->err, r->msg);
			ok = false;
		}
		break;
	case EX_ERR:
		cnt.invalid++;
		if (!r->answered || !r->err) {
			violation("invalid %s (%s) was accepted", c, why);
			ok = false;
		} else if (!r->msg[0]) {
			violation("invalid %s (%s) rejected (%d) without an extack message",
				  c, why, r->err);
			ok = false;
		}
		break;
	case EX_CORE:
		cnt.core++;
		if (!r->answered || !r->err) {
			violation("%s (%s) not rejected by genetlink", c, why);
			ok = false;
		}
		break;
	case EX_UNSURE:
		cnt.unsure++;
		if (r->answered && !r->err)
			cnt.unsure_accepted++;
		break;
	case EX_SILENT:
		cnt.silent++;
		if (r->answered) {
			violation("malformed frame (%s) got an answer", why);
			ok = false;
		}
		break;
	}
	if (verbose)
		printf("%5lu %-10s %-6s %-40s -> %d %s\n", cnt.sent, c,
		       ex == EX_OK ? "ok" : ex == EX_ERR ? "err" : ex == EX_CORE ?
		       "core" : ex == EX_UNSURE ? "unsure" : "silent", why,
		       r->err, r->msg);
	if (ok)
		cnt.passed++;
	else
		cnt.failed++;
}

/* Send a structured message; true if it was accepted. */
bool run_fmsg(const struct fmsg *m, enum expect ex, const char *why,
	      void (*data)(const struct nlmsghdr *, void *), void *arg)
{
	static uint8_t buf[MSG_BUF];
	struct result r;
	size_t len = serialize(m, buf);

	transact(buf, len, &r, data, arg);
	check(m, ex, why, &r);
	return r.answered && !r.err;
}

/* A silent helper request (dumps for the comparison, cleanup). */
int run_quiet(const struct fmsg *m,
	      void (*data)(const struct nlmsghdr *, void *), void *arg)
{
	static uint8_t buf[MSG_BUF];
	struct result r;
	size_t len = serialize(m, buf);

	transact(buf, len, &r, data, arg);
	return r.answered ? r.err : -ENODATA;
}

/* Byte-level mutations of a serialized message: outcome unknown. */
static void run_raw(const struct fmsg *m)
{
	static uint8_t buf[MSG_BUF];
	struct result r;
	size_t len = serialize(m, buf), i, n;
	enum expect ex = EX_UNSURE;
	const char *why;
	bool write;

	switch (rnd() % 5) {
	case 0:
		why = "random bytes after the genl header";
		len = NLMSG_HDRLEN + GENL_HDRLEN + rnd() % 200;
		for (i = NLMSG_HDRLEN + GENL_HDRLEN; i < len; i++)
			buf[i] = rnd();
		((struct nlmsghdr *)buf)->nlmsg_len = len;
		break;
	case 1:
		why = "bit flips";
		/* Not the length or family id: that is another family. */
		for (n = 1 + rnd() % 4; n; n--) {
			i = 6 + rnd() % (len - 6);
			buf[i] ^= 1 << (rnd() % 8);
		}
		break;
	case 2:
		why = "truncated message";
		/* Into the genl header when there are no attributes. */
		len = len > NLMSG_HDRLEN + GENL_HDRLEN ?
		      NLMSG_HDRLEN + GENL_HDRLEN + rnd() % (len - NLMSG_HDRLEN - GENL_HDRLEN) :
		      NLMSG_HDRLEN + rnd() % GENL_HDRLEN;
		((struct nlmsghdr *)buf)->nlmsg_len = len;
		break;
	case 3:
		why = "short nlmsghdr";
		len = 1 + rnd() % (NLMSG_HDRLEN - 1);
		ex = EX_SILENT;
		break;
	default:
		why = "nlmsg_len past the end";
		((struct nlmsghdr *)buf)->nlmsg_len = len + 4 + rnd() % 64;
		ex = EX_SILENT;
		break;
	}
	/* A short header cannot carry a sequence number for the barrier. */
	if (len < 12)
		ex = EX_SILENT;
	write = buf[NLMSG_HDRLEN] != VSCHED_CMD_SVC_GET &&
		buf[NLMSG_HDRLEN] != VSCHED_CMD_DEST_GET &&
		buf[NLMSG_HDRLEN] != VSCHED_CMD_CONN_GET &&
		buf[NLMSG_HDRLEN] != VSCHED_CMD_INFO_GET &&
		buf[NLMSG_HDRLEN] != VSCHED_CMD_CONFIG_GET;
	transact(buf, len, &r, NULL, NULL);
	check(m, ex, why, &r);
	/* Without NLM_F_ACK an accepted write has no answer at all. */
	if (ex == EX_UNSURE && (!r.answered || !r.err) && write && !dry_run)
		model_resync();
}

static void usage(void)
{
	fputs("usage: vs-nlfuzz [-s SEED] [-n COUNT] [-v]\n"
	      "Fuzzes the vsched netlink family in this network namespace\n"
	      "(flushes its services); see the comment at the top of vs-nlfuzz.c.\n",
	      stderr);
	exit(2);
}

int main(int argc, char **argv)
{
	unsigned long n = 5000, i, seed = 1;
	struct fmsg m;
	enum expect ex;
	char why[96];
	int c;

	while ((c = getopt(argc, argv, "s:n:vDh")) != -1) {
		switch (c) {
		case 'D': dry_run = true; break;	/* generator only */
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': n = strtoul(optarg, NULL, 0); break;
		case 'v': verbose = true; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	if (!dry_run) {
		nl_open();
		model_init();
	}
	for (i = 0; i < n; i++) {
		unsigned int kind = rnd() % 100;

		gen_valid(&m);
		if (kind < 15) {
			run_raw(&m);
			continue;
		}
		why[0] = 0;
		if (kind >= 45)
			mutate(&m, why, sizeof(why));
		ex = predict(&m, why, sizeof(why));
		if (run_fmsg(&m, ex, why, NULL, NULL) && ex == EX_OK)
			model_apply(&m);
	}
	if (!dry_run)
		model_compare();
	printf("nlfuzz: seed %lu: %lu messages: %lu accepted, %lu rejected (%lu with an extack message, %lu without), %lu unanswered\n",
	       seed, cnt.sent, cnt.accepted, cnt.rejected, cnt.with_extack,
	       cnt.without_extack, cnt.unanswered);
	printf("nlfuzz: expected valid %lu, invalid %lu, core-rejected %lu, byte-mutated %lu (%lu accepted, %lu re-reads), dropped frames %lu\n",
	       cnt.valid, cnt.invalid, cnt.core, cnt.unsure, cnt.unsure_accepted,
	       cnt.resyncs, cnt.silent);
	printf("nlfuzz: %lu violations; configuration %s the model (%lu services, %lu real servers); %lu services after FLUSH\n",
	       cnt.violations, cnt.model_ok ? "matches" : "DIFFERS from",
	       cnt.final_svcs, cnt.final_dests, cnt.flushed_svcs);
	printf("nlfuzz: %lu passed, %lu failed\n", cnt.passed, cnt.failed);
	return cnt.failed || !cnt.model_ok ? 1 : 0;
}
