/* SPDX-License-Identifier: GPL-2.0 */
/* vs-nlfuzz: structured messages, expectations, generator and model. */
#ifndef NLFUZZ_H
#define NLFUZZ_H

#include <linux/netlink.h>
#include <linux/vsched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MSG_BUF		8192
#define LEAF_MAX	320	/* longest attribute payload we build */
#define LEAVES_MAX	24
#define TOPS_MAX	6

/* One attribute inside a nest. */
struct leaf {
	uint16_t type;
	uint16_t len;
	bool nflag;		/* NLA_F_NESTED set (never right on a leaf) */
	uint8_t d[LEAF_MAX];
};

/* A top-level attribute: a nest of leaves, or raw payload bytes. */
struct top {
	uint16_t type;
	bool nflag;
	bool is_nest;
	bool garbage;		/* raw payload that cannot parse */
	int n;
	struct leaf l[LEAVES_MAX];
	uint16_t len;
	uint8_t d[LEAF_MAX];
};

struct fmsg {
	uint8_t cmd;
	uint16_t flags;		/* nlmsg_flags */
	int n;
	struct top t[TOPS_MAX];
};

enum expect { EX_OK, EX_ERR, EX_CORE, EX_UNSURE, EX_SILENT };

struct counters {
	unsigned long sent, accepted, rejected, with_extack, without_extack;
	unsigned long unanswered, valid, invalid, core, unsure;
	unsigned long unsure_accepted, silent, resyncs, violations;
	unsigned long passed, failed, final_svcs, final_dests, flushed_svcs;
	bool model_ok;
};

extern struct counters cnt;

uint32_t rnd(void);
void violation(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *cmd_name(unsigned int cmd);
size_t serialize(const struct fmsg *m, uint8_t *buf);
bool run_fmsg(const struct fmsg *m, enum expect ex, const char *why,
	      void (*data)(const struct nlmsghdr *, void *), void *arg);
int run_quiet(const struct fmsg *m,
	      void (*data)(const struct nlmsghdr *, void *), void *arg);

/* nlfuzz-gen.c */
void gen_valid(struct fmsg *m);
void mutate(struct fmsg *m, char *why, size_t len);
enum expect predict(const struct fmsg *m, char *why, size_t len);
struct top *msg_add_top(struct fmsg *m, uint16_t type);
struct leaf *top_add(struct top *t, uint16_t type, const void *d, uint16_t len);
void top_add_u32(struct top *t, uint16_t type, uint32_t v);
void top_add_u16(struct top *t, uint16_t type, uint16_t v);
void top_add_u8(struct top *t, uint16_t type, uint8_t v);
void add_dump_flags(struct fmsg *m, uint32_t v);

/* nlfuzz-model.c */
#define NSVC		16	/* service keys the generator uses */
#define NDEST		12	/* real server keys per service */
#define NCFG		7	/* VSCHED_CONFIG_A_* */

struct mdest {
	bool exists;
	uint32_t weight, dflags, pct, cap;
	uint8_t fwd, health;
	char reason[VSCHED_REASON_MAX];
};

struct msvc {
	bool exists;
	char sched[16];
	uint32_t flags, warmup, sched_flags;
	struct mdest d[NDEST];
};

struct model {
	struct msvc s[NSVC];
	uint32_t cfg[NCFG + 1];
	uint32_t ceiling;	/* conn_max_ceiling, 0 if unknown */
};

extern struct model model;

void svc_key(int k, uint32_t *addr, uint16_t *port, uint8_t *proto);
void dest_key(int k, int j, uint32_t *addr, uint16_t *port);
int svc_index(uint32_t addr, uint16_t port, uint8_t proto);
int dest_index(int k, uint32_t addr, uint16_t port);
void model_init(void);
void model_apply(const struct fmsg *m);
void model_resync(void);
void model_compare(void);

#endif
