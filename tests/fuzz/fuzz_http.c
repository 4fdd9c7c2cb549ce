// SPDX-License-Identifier: GPL-2.0
/*
 * A plain HTTP check's response handling and verdict: http-parser fed
 * the server's bytes as probe_http1.c feeds them, then
 * vh_http_judge(). The first byte picks the check (status ranges, body
 * substring, body regex) and the size of the reads, the rest is what
 * the server sent; then the server closes.
 */

#include "fuzz.h"

static struct vh_check_cfg cfgs[4];

static void setup(void)
{
	static struct vh_status_range ok = { 200, 299 }, two[] = {
		{ 200, 204 }, { 301, 302 } };
	int i;

	for (i = 0; i < 4; i++) {
		cfgs[i].type = VH_CHECK_HTTP;
		cfgs[i].path = "/health";
		cfgs[i].status = i & 1 ? two : &ok;
		cfgs[i].n_status = i & 1 ? 2 : 1;
	}
	cfgs[2].body = "alive";
	cfgs[3].body_regex = "^(ok|up)[ \n]";
	cfgs[3].has_body_re = !regcomp(&cfgs[3].body_re, cfgs[3].body_regex,
				       REG_EXTENDED | REG_NOSUB);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const size_t chunks[4] = { 1, 7, 512, 4096 };
	struct vh_probe p;
	size_t off = 0, n, step;
	bool done = false;

	if (!cfgs[0].type)
		setup();
	if (!size)
		return 0;
	fuzz_probe(&p, &cfgs[data[0] & 3]);
	step = chunks[(data[0] >> 2) & 3];
	data++;
	size--;
	FUZZ_ASSERT(vh_http1_prepare(&p) == 0);
	while (!done && off < size) {
		n = size - off < step ? size - off : step;
		done = vh_http1_feed(&p, (const char *)data + off, n);
		off += n;
	}
	if (!done)
		done = vh_http1_feed(&p, NULL, 0);
	/* A close always ends the probe. */
	FUZZ_ASSERT(done && p.done);
	fuzz_check_result(&p.res);
	vh_probe_http1_ops.stop(&p);
	return 0;
}
