// SPDX-License-Identifier: GPL-2.0
/*
 * The control socket's command reader: what a client writes, in reads
 * of the sizes the first byte picks, into a buffer of the daemon's size
 * (VH_CMD_MAX, 128) allocated alone so that ASan sees any byte outside
 * it; vh_control_cmd() decides when the command is complete, as
 * on_client() does.
 */

#include "daemon.h"
#include "fuzz.h"

#define CMD_MAX 128

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(CMD_MAX);
	const char *cmd = NULL;
	size_t len = 0, step, n;

	if (!size) {
		free(in);
		return 0;
	}
	step = (data[0] & 15) + 1;
	data++;
	size--;
	while (!cmd) {
		/* read(): up to the room left, 0 at the end of the input */
		n = CMD_MAX - 1 - len;
		if (n > step)
			n = step;
		if (n > size)
			n = size;
		memcpy(in + len, data, n);
		data += n;
		size -= n;
		len += n;
		in[len] = '\0';
		cmd = vh_control_cmd(in, len, n > 0 && len < CMD_MAX - 1);
		FUZZ_ASSERT(cmd || n > 0);
	}
	FUZZ_ASSERT(cmd == in && strlen(cmd) <= len);
	FUZZ_ASSERT(!strchr(cmd, '\n'));
	free(in);
	return 0;
}
