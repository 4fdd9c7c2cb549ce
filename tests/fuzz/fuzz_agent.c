// SPDX-License-Identifier: GPL-2.0
/* The agent-line parser, vh_agent_parse(), on any line; the first byte
 * picks the check's cpu_max and mem_max.
 */

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_check_cfg cfg = { .type = VH_CHECK_AGENT };
	struct vh_result r;
	char *line;
	int ret;

	if (!size)
		return 0;
	cfg.agent_cpu_max = data[0] & 1 ? 90 : 0;
	cfg.agent_mem_max = data[0] & 2 ? 80 : 0;
	/* As agent_io() gives it: at most 256 bytes, NUL-terminated. */
	size = size - 1 > 256 ? 256 : size - 1;
	line = malloc(size + 1);
	memcpy(line, data + 1, size);
	line[size] = '\0';
	memset(&r, 0x5a, sizeof(r));
	ret = vh_agent_parse(line, &cfg, &r);
	fuzz_check_result(&r);
	FUZZ_ASSERT(r.cap == VH_NONE);
	FUZZ_ASSERT(ret == 0 || (ret < 0 && !r.up));
	free(line);
	return 0;
}
