/* SPDX-License-Identifier: GPL-2.0 */
/* The netlink transport of libvsched: one request, its replies, its ack. */
#ifndef VS_NL_H
#define VS_NL_H

#include <stdbool.h>
#include <netlink/msg.h>

#include "libvsched.h"

struct vs_handle {
	struct nl_sock *sk;
	int family;
	bool events;
	char errmsg[256];
};

/* vs_open() for any generic netlink family: the tests use "nlctrl". */
int vs_open_family(struct vs_handle **hp, const char *name);

/* Called for every reply message; a negative return is kept as the
 * result of the request (the rest of the replies is still read).
 */
typedef int (*vs_reply_fn)(struct nl_msg *msg, void *arg);

/*
 * Send @req (consumed) and read until its ack, its end of dump or its
 * error. Returns 0 or a negative errno, with the kernel's extack text in
 * h->errmsg. *@intr tells whether a dump was marked interrupted.
 */
int vs_transact(struct vs_handle *h, struct nl_msg *req, vs_reply_fn fn,
		void *arg, bool *intr);

int vs_nlerr_to_errno(int nlerr);

#endif /* VS_NL_H */
