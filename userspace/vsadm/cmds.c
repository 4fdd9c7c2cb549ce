// SPDX-License-Identifier: GPL-2.0
/*
 * vsadm: executing a parsed command.
 */

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vsadm.h"

static int conn_cmp(const void *a, const void *b)
{
	const struct vs_conn *x = a, *y = b;
	uint32_t xa = ntohl(x->caddr.s_addr), ya = ntohl(y->caddr.s_addr);

	if (x->protocol != y->protocol)
		return x->protocol < y->protocol ? -1 : 1;
	if (xa != ya)
		return xa < ya ? -1 : 1;
	return (int)x->cport - (int)y->cport;
}

/*
 * A listing of 100,000 servers is 9.6 MB: written 4 KiB at a time (stdio's
 * default for a pipe or a file) it took 2,400 write calls. Whoever reads
 * a terminal still sees it line by line. Before any output to stdout.
 */
static void stdout_large_buffer(void)
{
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, NULL, _IOFBF, 1 << 16);
}

static int run_list(struct vs_handle *h, const struct vsadm_opts *o)
{
	struct vsadm_state st = { 0 };
	struct vs_info info;
	int err;

	stdout_large_buffer();

	if (o->fmt & VSADM_F_TIMEOUT) {
		struct vs_config cfg;

		err = vs_config_get(h, &cfg);
		if (!err)
			vsadm_print_timeouts(stdout, &cfg, o->fmt);
		return err;
	}
	if (o->fmt & VSADM_F_CONN) {
		struct vs_conn *conns;
		size_t n;

		err = vs_conn_list(h, &conns, &n);
		if (err)
			return err;
		if (n)
			qsort(conns, n, sizeof(*conns), conn_cmp);
		vsadm_print_conns(stdout, conns, n, o->fmt);
		free(conns);
		return 0;
	}
	if (o->has_svc) {
		/* One service, without the version line, as ipvsadm. */
		st.svcs = calloc(1, sizeof(*st.svcs));
		if (!st.svcs)
			return -ENOMEM;
		st.n = 1;
		err = vs_svc_get(h, &o->svc, &st.svcs[0].svc);
		if (!err)
			err = vs_dest_list(h, &o->svc, &st.svcs[0].dests,
					   &st.svcs[0].n_dests);
		if (!err) {
			vsadm_state_sort(&st);
			vsadm_print_services(stdout, NULL, &st, false, o->fmt);
		}
		vsadm_state_free(&st);
		return err;
	}
	err = vs_info_get(h, &info);
	/* Counters only when shown: text without --stats shows none. */
	if (!err)
		err = vsadm_state_load(h, &st, o->fmt & (VSADM_F_STATS |
							 VSADM_F_JSON));
	if (err)
		return err;
	vsadm_print_services(stdout, &info, &st, true, o->fmt);
	vsadm_state_free(&st);
	return 0;
}

static int run_action(struct vs_handle *h, const struct vsadm_action *a)
{
	switch (a->op) {
	case VSADM_ACT_SVC_NEW:
		return vs_svc_add(h, &a->svc);
	case VSADM_ACT_SVC_SET:
		return vs_svc_edit(h, &a->svc);
	case VSADM_ACT_DEST_NEW:
		return vs_dest_add(h, &a->svc, &a->dest);
	case VSADM_ACT_DEST_SET:
		return vs_dest_edit(h, &a->svc, &a->dest);
	case VSADM_ACT_DEST_DEL:
		return vs_dest_del(h, &a->svc, &a->dest);
	case VSADM_ACT_SVC_DEL:
		return vs_svc_del(h, &a->svc);
	case VSADM_ACT_CONFIG_SET:
		return vs_config_set(h, &a->cfg);
	}
	return -EINVAL;
}

static const enum vsadm_cmd act_cmd[] = {
	[VSADM_ACT_SVC_NEW]	= VSADM_ADD_SVC,
	[VSADM_ACT_SVC_SET]	= VSADM_EDIT_SVC,
	[VSADM_ACT_DEST_NEW]	= VSADM_ADD_DEST,
	[VSADM_ACT_DEST_SET]	= VSADM_EDIT_DEST,
	[VSADM_ACT_DEST_DEL]	= VSADM_DEL_DEST,
	[VSADM_ACT_SVC_DEL]	= VSADM_DEL_SVC,
	[VSADM_ACT_CONFIG_SET]	= VSADM_SET,
};

int vsadm_restore(struct vs_handle *h, const struct vsadm_line *lines,
		  size_t n, bool replace)
{
	struct vsadm_state cur = { 0 };
	struct vsadm_plan plan;
	char err[512];
	size_t i;
	int ret;

	ret = vsadm_state_load(h, &cur, false);
	if (ret) {
		vsadm_report(h, ret, VSADM_LIST, NULL, NULL);
		return VSADM_EXIT_FAIL;
	}
	ret = vsadm_restore_plan(&cur, lines, n, replace, "stdin", &plan, err,
				 sizeof(err));
	vsadm_state_free(&cur);
	if (ret) {
		fprintf(stderr, "vsadm: %s (nothing was changed)\n", err);
		return VSADM_EXIT_FAIL;
	}
	for (i = 0; i < plan.n; i++) {
		const struct vsadm_action *a = &plan.acts[i];
		bool has_dest = a->op == VSADM_ACT_DEST_NEW ||
				a->op == VSADM_ACT_DEST_SET ||
				a->op == VSADM_ACT_DEST_DEL;

		ret = run_action(h, a);
		if (ret) {
			vsadm_report(h, ret, act_cmd[a->op],
				     a->op == VSADM_ACT_CONFIG_SET ? NULL : &a->svc,
				     has_dest ? &a->dest : NULL);
			fprintf(stderr,
				"vsadm: restore stopped after %zu of %zu changes\n",
				i, plan.n);
			break;
		}
	}
	vsadm_plan_free(&plan);
	return ret ? VSADM_EXIT_FAIL : VSADM_EXIT_OK;
}

/*
 * The kernel replaces all of a service's flags at once; vsadm sets only
 * VSADM_SVC_FLAGS, so it reads the others first. Another change between
 * the read and the write would be lost, as with any read-modify-write
 * over this ABI; vsadm is the only writer of service flags. Returns a
 * negative errno for vsadm_report(), or 1 when it said what is wrong.
 */
static int edit_svc(struct vs_handle *h, const struct vsadm_opts *o)
{
	const struct vs_svc *svc = &o->svc;
	struct vs_svc cur, upd = *svc;
	int err;

	/* -E -b sh-port without -s: as ipvsadm, for an sh service only. */
	if (o->sched_flags_of[0] && !(svc->has & VS_SVC_HAS_SCHED)) {
		err = vs_svc_get(h, svc, &cur);
		if (err)
			return err;
		if (strcmp(cur.sched, o->sched_flags_of)) {
			fprintf(stderr,
				"vsadm: incompatible scheduler flags: they are for -s %s, the service's scheduler is %s\n",
				o->sched_flags_of, cur.sched);
			return 1;	/* reported */
		}
	}
	if ((svc->has & VS_SVC_HAS_FLAGS) &&
	    (__VSCHED_SVC_F_ALL & ~VSADM_SVC_FLAGS)) {
		err = vs_svc_get(h, svc, &cur);
		if (err)
			return err;
		upd.flags = (cur.flags & ~VSADM_SVC_FLAGS) |
			    (svc->flags & VSADM_SVC_FLAGS);
	}
	return vs_svc_edit(h, &upd);
}

/* Real servers have no flag vsadm leaves alone: -e sends them all. */
_Static_assert(VSADM_DEST_FLAGS == __VSCHED_DEST_F_ALL,
	       "-e would clear real-server flags vsadm cannot set");

int vsadm_run(struct vs_handle *h, const struct vsadm_opts *o)
{
	const struct vs_svc *svc = o->has_svc ? &o->svc : NULL;
	const struct vs_dest *dest = o->has_dest ? &o->dest : NULL;
	struct vsadm_state st;
	int err = 0;

	switch (o->cmd) {
	case VSADM_ADD_SVC:
		err = vs_svc_add(h, svc);
		break;
	case VSADM_EDIT_SVC:
		err = edit_svc(h, o);
		if (err > 0)
			return VSADM_EXIT_FAIL;
		break;
	case VSADM_DEL_SVC:
		err = vs_svc_del(h, svc);
		break;
	case VSADM_ADD_DEST:
		err = vs_dest_add(h, svc, dest);
		break;
	case VSADM_EDIT_DEST:
		err = vs_dest_edit(h, svc, dest);
		break;
	case VSADM_DEL_DEST:
		err = vs_dest_del(h, svc, dest);
		break;
	case VSADM_LIST:
		err = run_list(h, o);
		break;
	case VSADM_FLUSH:
		err = vs_flush(h);
		break;
	case VSADM_ZERO:
		err = vs_zero(h, svc);
		break;
	case VSADM_SAVE:
		stdout_large_buffer();
		err = vsadm_state_load(h, &st, false);
		if (!err) {
			vsadm_save(stdout, &st, o->fmt & VSADM_F_NUMERIC);
			vsadm_state_free(&st);
		}
		break;
	case VSADM_SET:
		err = vs_config_set(h, &o->set);
		break;
	default:
		return VSADM_EXIT_USAGE;
	}
	if (err) {
		vsadm_report(h, err, o->cmd, svc, dest);
		return VSADM_EXIT_FAIL;
	}
	return VSADM_EXIT_OK;
}
