// SPDX-License-Identifier: GPL-2.0
/* vsadm: text lines built without printf (see line.h). */

#include <stdbool.h>
#include <string.h>

#include "line.h"

static void line_put(struct line_buf *l, const char *s, size_t n)
{
	size_t room = sizeof(l->buf) - l->len;

	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void line_str(struct line_buf *l, const char *s)
{
	line_put(l, s, strlen(s));
}

/* @v in decimal, at least @digits of them (leading zeroes). */
static void line_dec(struct line_buf *l, uint64_t v, int digits)
{
	char tmp[20];	/* 2^64 - 1 has 20 digits */
	int n = 0;

	do {
		tmp[sizeof(tmp) - ++n] = (char)('0' + v % 10);
		v /= 10;
	} while (v || n < digits);
	line_put(l, tmp + sizeof(tmp) - n, (size_t)n);
}

void line_uint(struct line_buf *l, uint64_t v)
{
	line_dec(l, v, 1);
}

void line_addrport4(struct line_buf *l, struct in_addr a, uint16_t port)
{
	const unsigned char *b = (const unsigned char *)&a.s_addr;
	int i;

	for (i = 0; i < 4; i++) {
		line_dec(l, b[i], 1);
		line_put(l, i < 3 ? "." : ":", 1);
	}
	line_dec(l, port, 1);
}

void line_age(struct line_buf *l, uint64_t ms)
{
	static const struct {
		uint64_t below, unit, sub;	/* seconds */
		char u1, u2;
	} scale[] = {
		{ 60, 1, 0, 's', 0 },
		{ 3600, 60, 1, 'm', 's' },
		{ 86400, 3600, 60, 'h', 'm' },
		{ UINT64_MAX, 86400, 3600, 'd', 'h' },
	};
	uint64_t s = ms / 1000;
	size_t i = 0;

	while (s >= scale[i].below)
		i++;
	line_uint(l, s / scale[i].unit);
	line_put(l, &scale[i].u1, 1);
	if (!scale[i].sub)
		return;
	line_dec(l, s % scale[i].unit / scale[i].sub, 2);
	line_put(l, &scale[i].u2, 1);
}

void line_pad(struct line_buf *l, size_t start, size_t width, bool cut)
{
	size_t end = start + width;

	if (end > sizeof(l->buf))
		end = sizeof(l->buf);
	if (l->len > end) {
		if (cut)
			l->len = end;
		return;
	}
	memset(l->buf + l->len, ' ', end - l->len);
	l->len = end;
}
