// SPDX-License-Identifier: GPL-2.0
/*
 * The UDP check's expect match, vh_udp_reply(): the first byte is the
 * length of the expected bytes (0..15) that follow it, the rest is the
 * reply.
 */

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_check_cfg cfg = { .type = VH_CHECK_UDP };
	struct vh_probe p;
	size_t elen;
	uint8_t *expect = NULL, *reply;

	if (!size)
		return 0;
	elen = data[0] & 15;
	if (elen > size - 1)
		elen = size - 1;
	/* Copies of their exact size: ASan sees any read beyond. */
	if (elen) {
		expect = malloc(elen);
		memcpy(expect, data + 1, elen);
	}
	cfg.expect = expect;
	cfg.expect_len = elen;
	reply = malloc(size - 1 - elen + 1);
	memcpy(reply, data + 1 + elen, size - 1 - elen);
	fuzz_probe(&p, &cfg);
	vh_udp_reply(&p, reply, size - 1 - elen);
	FUZZ_ASSERT(p.done);
	fuzz_check_result(&p.res);
	FUZZ_ASSERT(p.res.up == (size - 1 - elen >= elen &&
				 (!elen || !memcmp(reply, expect, elen))));
	free(reply);
	free(expect);
	return 0;
}
