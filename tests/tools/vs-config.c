// SPDX-License-Identifier: GPL-2.0
/*
 * vs-config: read or set the namespace-wide settings of vsched that vsadm
 * has no option for, through libvsched, for the stress tests.
 *
 *   vs-config [KEY=VALUE...]
 *
 * KEYs: tcp_syn tcp_est tcp_fin tcp_time_wait tcp_close udp (seconds) and
 * conn_max. Without arguments, or after setting, prints every setting and
 * the connection count as "KEY VALUE" lines.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "libvsched.h"

#define FIELD(name) { #name, offsetof(struct vs_config, name) }

static const struct {
	const char *name;
	size_t off;
} fields[] = {
	FIELD(tcp_syn), FIELD(tcp_est), FIELD(tcp_fin), FIELD(tcp_time_wait),
	FIELD(tcp_close), FIELD(udp), FIELD(conn_max),
};

#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

int main(int argc, char **argv)
{
	struct vs_config cfg = { 0 };
	struct vs_handle *h;
	struct vs_info info;
	size_t i;
	int a, err;

	for (a = 1; a < argc; a++) {
		const char *eq = strchr(argv[a], '=');
		char *end;
		unsigned long v;

		for (i = 0; eq && i < NFIELDS; i++)
			if (strlen(fields[i].name) == (size_t)(eq - argv[a]) &&
			    !strncmp(argv[a], fields[i].name, eq - argv[a]))
				break;
		if (!eq || i == NFIELDS) {
			fprintf(stderr, "vs-config: unknown setting '%s' (KEY=VALUE, KEY one of tcp_syn tcp_est tcp_fin tcp_time_wait tcp_close udp conn_max)\n",
				argv[a]);
			return 2;
		}
		v = strtoul(eq + 1, &end, 10);
		if (!eq[1] || *end || !v || v > UINT32_MAX) {
			fprintf(stderr, "vs-config: bad value in '%s' (1..%u)\n",
				argv[a], UINT32_MAX);
			return 2;
		}
		*(uint32_t *)((char *)&cfg + fields[i].off) = v;
	}
	err = vs_open(&h);
	if (err) {
		fprintf(stderr, "vs-config: cannot reach vsched: %s (is the module loaded?)\n",
			strerror(-err));
		return 1;
	}
	if (argc > 1 && (err = vs_config_set(h, &cfg))) {
		fprintf(stderr, "vs-config: %s\n", vs_errmsg(h));
		return 1;
	}
	if ((err = vs_config_get(h, &cfg)) || (err = vs_info_get(h, &info))) {
		fprintf(stderr, "vs-config: %s\n", vs_errmsg(h));
		return 1;
	}
	for (i = 0; i < NFIELDS; i++)
		printf("%s %u\n", fields[i].name,
		       *(uint32_t *)((char *)&cfg + fields[i].off));
	printf("conn_count %u\n", info.conn_count);
	printf("drop_conn_limit %llu\n", (unsigned long long)info.drop_conn_limit);
	printf("conn_races %llu\n", (unsigned long long)info.conn_races);
	vs_close(h);
	return 0;
}
