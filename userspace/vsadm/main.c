// SPDX-License-Identifier: GPL-2.0
/* vsadm: parse the command line, open vsched, run; exit 0, 1 or 2. */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsadm.h"

static int open_or_report(struct vs_handle **h)
{
	int err = vs_open(h);

	if (!err)
		return 0;
	if (err == -VS_ENOFAMILY)
		fprintf(stderr,
			"vsadm: vsched module not loaded and could not be autoloaded\n");
	else if (err == -EPERM || err == -EACCES)
		fprintf(stderr,
			"vsadm: permission denied: managing vsched needs CAP_NET_ADMIN\n");
	else
		fprintf(stderr, "vsadm: cannot talk to vsched: %s\n",
			strerror(-err));
	return -1;
}

int main(int argc, char **argv)
{
	struct vsadm_opts o;
	struct vs_handle *h;
	struct vsadm_line *lines;
	struct vs_info info;
	char err[512];
	size_t n;
	int ret;

	if (argc < 2) {
		vsadm_usage(stderr);
		return VSADM_EXIT_USAGE;
	}
	if (vsadm_parse(argc - 1, argv + 1, &o, err, sizeof(err))) {
		fprintf(stderr, "vsadm: %s\nTry 'vsadm --help'.\n", err);
		return VSADM_EXIT_USAGE;
	}
	if (o.cmd == VSADM_HELP) {
		vsadm_usage(stdout);
		return VSADM_EXIT_OK;
	}
	if (o.cmd == VSADM_VERSION_CMD) {
		printf("vsadm %s\n", VSADM_VERSION);
		/* The module's version when it is there; not an error if not. */
		if (vs_open(&h) == 0) {
			if (vs_info_get(h, &info) == 0)
				printf("vsched module %s\n", info.version);
			vs_close(h);
		}
		return VSADM_EXIT_OK;
	}
	if (o.cmd == VSADM_RESTORE || o.cmd == VSADM_RESTORE_REPLACE) {
		/* The input is checked before the kernel is even asked. */
		if (vsadm_restore_parse(stdin, "stdin", &lines, &n, err,
					sizeof(err))) {
			fprintf(stderr, "vsadm: %s (nothing was changed)\n",
				err);
			return VSADM_EXIT_FAIL;
		}
		if (open_or_report(&h)) {
			free(lines);
			return VSADM_EXIT_FAIL;
		}
		ret = vsadm_restore(h, lines, n,
				    o.cmd == VSADM_RESTORE_REPLACE);
		free(lines);
		vs_close(h);
		return ret;
	}
	if (open_or_report(&h))
		return VSADM_EXIT_FAIL;
	ret = vsadm_run(h, &o);
	vs_close(h);
	if (fflush(stdout) == EOF) {
		perror("vsadm: stdout");
		ret = VSADM_EXIT_FAIL;
	}
	return ret;
}
