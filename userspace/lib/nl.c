// SPDX-License-Identifier: GPL-2.0
/*
 * The generic netlink socket of libvsched: family resolution, extended
 * acks, one request/reply exchange, and the event subscription.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <netlink/errno.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/socket.h>

#include "msg.h"
#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif

int vs_nlerr_to_errno(int nlerr)
{
	switch (nlerr < 0 ? -nlerr : nlerr) {
	case 0:			return 0;
	case NLE_NOMEM:		return -ENOMEM;
	case NLE_PERM:		return -EPERM;
	case NLE_AGAIN:		return -EAGAIN;
	case NLE_INTR:		return -EINTR;
	case NLE_OBJ_NOTFOUND:	return -ENOENT;
	case NLE_EXIST:		return -EEXIST;
	case NLE_INVAL:		return -EINVAL;
	case NLE_RANGE:		return -ERANGE;
	case NLE_MSGSIZE:	return -EMSGSIZE;
	case NLE_OPNOTSUPP:	return -EOPNOTSUPP;
	case NLE_NOACCESS:	return -EACCES;
	case NLE_BUSY:		return -EBUSY;
	case NLE_PROTO_MISMATCH: return -EPROTONOSUPPORT;
	default:		return -EIO;
	}
}

int vs_open(struct vs_handle **hp)
{
	return vs_open_family(hp, VSCHED_GENL_NAME);
}

int vs_open_family(struct vs_handle **hp, const char *name)
{
	struct vs_handle *h;
	int one = 1, err;

	*hp = NULL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->sk = nl_socket_alloc();
	if (!h->sk) {
		free(h);
		return -ENOMEM;
	}
	err = genl_connect(h->sk);
	if (err) {
		err = vs_nlerr_to_errno(err);
		goto err;
	}
	/* Requests carry exactly the flags vs_req_build() gives them. */
	nl_socket_disable_auto_ack(h->sk);
	/*
	 * One recvmsg() per read into a 64 KiB buffer, no MSG_PEEK first
	 * (a second system call for every answer): nothing the kernel sends
	 * is larger, as it sizes dump skbs after the buffer offered and caps
	 * them at 32 KiB. A larger message would fail with NLE_MSG_TRUNC,
	 * never be cut silently.
	 */
	nl_socket_disable_msg_peek(h->sk);
	err = nl_socket_set_msg_buf_size(h->sk, 65536);
	if (err) {
		err = vs_nlerr_to_errno(err);
		goto err;
	}
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_EXT_ACK,
		   &one, sizeof(one));
	setsockopt(nl_socket_get_fd(h->sk), SOL_NETLINK, NETLINK_CAP_ACK,
		   &one, sizeof(one));
	/* Resolving a family by name makes the kernel request_module() it
	 * (MODULE_ALIAS_GENL_FAMILY), so this also autoloads vsched.
	 */
	h->family = genl_ctrl_resolve(h->sk, name);
	if (h->family < 0) {
		err = h->family == -NLE_OBJ_NOTFOUND ? -VS_ENOFAMILY :
			vs_nlerr_to_errno(h->family);
		goto err;
	}
	*hp = h;
	return 0;
err:
	nl_socket_free(h->sk);
	free(h);
	return err;
}

void vs_close(struct vs_handle *h)
{
	if (!h)
		return;
	nl_socket_free(h->sk);
	free(h);
}

const char *vs_errmsg(const struct vs_handle *h)
{
	return h ? h->errmsg : "";
}

struct vs_xact {
	struct vs_handle *h;
	vs_reply_fn fn;
	void *arg;
	int err;
	bool done;
	bool intr;
};

static int vs_valid_cb(struct nl_msg *msg, void *arg)
{
	struct vs_xact *x = arg;
	int err;

	if (!x->fn)
		return NL_OK;
	err = x->fn(msg, x->arg);
	if (err < 0 && !x->err)
		x->err = err;
	return NL_OK;
}

static int vs_intr_cb(struct nl_msg *msg, void *arg)
{
	struct vs_xact *x = arg;

	(void)msg;
	x->intr = true;
	return NL_OK;
}

static int vs_ack_cb(struct nl_msg *msg, void *arg)
{
	struct vs_xact *x = arg;

	(void)msg;
	x->done = true;
	return NL_STOP;
}

/* End of dump: a dumpit that failed reports its error (and extack) here. */
static int vs_finish_cb(struct nl_msg *msg, void *arg)
{
	struct vs_xact *x = arg;
	int err;

	err = vs_nlmsg_error(nlmsg_hdr(msg), x->h->errmsg,
			     sizeof(x->h->errmsg));
	if (err < 0)
		x->err = err;
	x->done = true;
	return NL_STOP;
}

static int vs_err_cb(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	const struct nlmsghdr *nlh = (const void *)((char *)e - NLMSG_HDRLEN);
	struct vs_xact *x = arg;

	(void)nla;
	vs_nlmsg_error(nlh, x->h->errmsg, sizeof(x->h->errmsg));
	x->err = e->error < 0 ? e->error : -e->error;
	x->done = true;
	return NL_STOP;
}

static struct nl_cb *vs_cb_new(struct vs_xact *x)
{
	struct nl_cb *cb = nl_cb_alloc(NL_CB_CUSTOM);

	if (!cb)
		return NULL;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vs_valid_cb, x);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, vs_intr_cb, x);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, vs_ack_cb, x);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, vs_finish_cb, x);
	nl_cb_err(cb, NL_CB_CUSTOM, vs_err_cb, x);
	return cb;
}

int vs_transact(struct vs_handle *h, struct nl_msg *req, vs_reply_fn fn,
		void *arg, bool *intr)
{
	struct vs_xact x = { .h = h, .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	h->errmsg[0] = '\0';
	if (intr)
		*intr = false;
	if (!req)
		return -ENOMEM;
	cb = vs_cb_new(&x);
	if (!cb) {
		nlmsg_free(req);
		return -ENOMEM;
	}
	err = nl_send_auto(h->sk, req);
	nlmsg_free(req);
	if (err < 0) {
		x.err = vs_nlerr_to_errno(err);
		goto out;
	}
	while (!x.done) {
		err = nl_recvmsgs(h->sk, cb);
		if (x.done)
			break;
		if (err < 0) {
			if (!x.err)
				x.err = vs_nlerr_to_errno(err);
			break;
		}
	}
	if (intr)
		*intr = x.intr;
out:
	nl_cb_put(cb);
	return x.err;
}

int vs_events_subscribe(struct vs_handle *h)
{
	int grp, err;

	grp = genl_ctrl_resolve_grp(h->sk, VSCHED_GENL_NAME,
				    VSCHED_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return vs_nlerr_to_errno(grp);
	/* Events are not answers: they carry sequence number 0. */
	nl_socket_disable_seq_check(h->sk);
	err = nl_socket_add_membership(h->sk, grp);
	if (err)
		return vs_nlerr_to_errno(err);
	h->events = true;
	return 0;
}

int vs_events_fd(const struct vs_handle *h)
{
	return nl_socket_get_fd(h->sk);
}

struct vs_event_ctx {
	void (*fn)(const struct vs_event *ev, void *arg);
	void *arg;
};

static int vs_any_seq_cb(struct nl_msg *msg, void *arg)
{
	(void)msg;
	(void)arg;
	return NL_OK;
}

static int vs_event_cb(struct nl_msg *msg, void *arg)
{
	struct vs_event_ctx *ctx = arg;
	struct vs_event ev;

	if (vs_parse_event_msg(msg, &ev) == 0)
		ctx->fn(&ev, ctx->arg);
	return NL_OK;
}

int vs_events_recv(struct vs_handle *h,
		   void (*fn)(const struct vs_event *ev, void *arg),
		   void *arg)
{
	struct vs_event_ctx ctx = { .fn = fn, .arg = arg };
	struct nl_cb *cb;
	int err;

	if (!h->events)
		return -EINVAL;
	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, vs_event_cb, &ctx);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, vs_any_seq_cb, NULL);
	err = nl_recvmsgs(h->sk, cb);
	nl_cb_put(cb);
	return err < 0 ? vs_nlerr_to_errno(err) : 0;
}
