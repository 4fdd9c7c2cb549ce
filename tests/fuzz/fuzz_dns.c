// SPDX-License-Identifier: GPL-2.0
/*
 * The DNS check's reply handling, vh_dns_reply(): the input is the
 * datagram; the query's ID is taken from it half the time (its first
 * byte's low bit picks), so both the ignored and the judged paths run.
 */

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vh_check_cfg cfg = { .type = VH_CHECK_DNS, .port = 53 };
	struct vh_probe p;
	uint16_t id = 0x1234;

	if (size >= 2 && (data[size - 1] & 1))
		id = (uint16_t)(data[0] << 8 | data[1]);
	cfg.dns_rcodes = size ? 1U << (data[size - 1] >> 4) : 1;
	fuzz_probe(&p, &cfg);
	vh_dns_reply(&p, id, data, size);
	if (p.done)
		fuzz_check_result(&p.res);
	return 0;
}
