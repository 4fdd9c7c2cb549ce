// SPDX-License-Identifier: GPL-2.0
/* vsadm's printf-free text lines: byte for byte what printf writes. */

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdint.h>

#include "harness.h"
#include "line.h"
#include "vsadm.h"

static const char *line_cstr(struct line_buf *l)
{
	static char s[LINE_BUF_MAX + 1];

	memcpy(s, l->buf, l->len);
	s[l->len] = '\0';
	return s;
}

TEST(line_uint_as_printf)
{
	static const uint64_t v[] = {
		0, 1, 9, 10, 99, 100, 65535, 4294967295ULL, 4294967296ULL,
		1000000000000000000ULL, 9999999999999999999ULL, UINT64_MAX,
	};
	struct line_buf l;
	char want[32];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		line_init(&l);
		line_uint(&l, v[i]);
		snprintf(want, sizeof(want), "%" PRIu64, v[i]);
		CHECK_STR(line_cstr(&l), want);
	}
}

TEST(line_addrport4_as_inet_ntop)
{
	static const char *const addrs[] = {
		"0.0.0.0", "198.18.2.11", "10.0.0.1", "255.255.255.255",
		"1.20.100.200", "198.19.39.251",
	};
	static const uint16_t ports[] = { 0, 1, 80, 8080, 65535 };
	char a[INET_ADDRSTRLEN], want[32];
	struct line_buf l;
	struct in_addr in;
	size_t i, j;

	for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		for (j = 0; j < sizeof(ports) / sizeof(ports[0]); j++) {
			inet_pton(AF_INET, addrs[i], &in);
			inet_ntop(AF_INET, &in, a, sizeof(a));
			snprintf(want, sizeof(want), "%s:%u", a, ports[j]);
			line_init(&l);
			line_addrport4(&l, in, ports[j]);
			CHECK_STR(line_cstr(&l), want);
		}
	}
}

/* Every unit boundary, and a sweep, against vsadm_age_str(). */
TEST(line_age_as_age_str)
{
	static const uint64_t ms[] = {
		0, 999, 1000, 59999, 60000, 61000, 3599999, 3600000, 3660000,
		86399999, 86400000, 90000000, 8640000000000ULL, UINT64_MAX,
	};
	struct line_buf l;
	char want[32];
	uint64_t t;
	size_t i;

	for (i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
		vsadm_age_str(ms[i], want, sizeof(want));
		line_init(&l);
		line_age(&l, ms[i]);
		CHECK_STR(line_cstr(&l), want);
	}
	for (t = 0; t < 200000000ULL; t += 997 * 61) {
		vsadm_age_str(t, want, sizeof(want));
		line_init(&l);
		line_age(&l, t);
		if (strcmp(line_cstr(&l), want)) {
			CHECK_STR(line_cstr(&l), want);
			break;
		}
	}
}

TEST(line_pad_as_printf)
{
	static const char *const s[] = { "", "Masq", "1234567", "12345678",
					 "198.18.2.11:80", "a-name-longer-than-28-columns.example:http" };
	struct line_buf l;
	char want[128];
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		line_init(&l);
		line_str(&l, "> ");
		line_str(&l, s[i]);
		line_pad(&l, 2, 7, false);
		line_str(&l, "|");
		snprintf(want, sizeof(want), "> %-7s|", s[i]);
		CHECK_STR(line_cstr(&l), want);

		line_init(&l);
		line_str(&l, "> ");
		line_str(&l, s[i]);
		line_pad(&l, 2, 28, true);
		line_str(&l, "|");
		snprintf(want, sizeof(want), "> %-28.28s|", s[i]);
		CHECK_STR(line_cstr(&l), want);
	}
}

/* A line past the buffer is cut at its end, never written beyond. */
TEST(line_cut_at_buffer_end)
{
	struct line_buf l;
	size_t i;

	line_init(&l);
	for (i = 0; i < LINE_BUF_MAX; i++)
		line_str(&l, "ab");
	CHECK(l.len == LINE_BUF_MAX);
	line_uint(&l, 12345);
	line_addrport4(&l, (struct in_addr){ 0 }, 80);
	line_age(&l, 3600000);
	line_pad(&l, 10, LINE_BUF_MAX * 2, false);
	CHECK(l.len == LINE_BUF_MAX);
	CHECK(l.buf[LINE_BUF_MAX - 1] == 'b');
	line_init(&l);
	line_str(&l, "x");
	line_pad(&l, 0, LINE_BUF_MAX + 10, false);
	CHECK(l.len == LINE_BUF_MAX);
	CHECK(l.buf[LINE_BUF_MAX - 1] == ' ');
}
