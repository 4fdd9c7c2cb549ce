/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsadm: a text line built without printf, for the lines that come by
 * the hundred thousand (-L's real servers): what the printf family costs
 * to parse its format there was most of -Ln's time. Each function
 * writes what the printf conversion named in its comment would; a line
 * longer than the buffer is cut, never overflows.
 */
#ifndef VSADM_LINE_H
#define VSADM_LINE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_BUF_MAX	512

struct line_buf {
	size_t len;
	char buf[LINE_BUF_MAX];
};

static inline void line_init(struct line_buf *l)
{
	l->len = 0;
}

void line_str(struct line_buf *l, const char *s);		/* %s */
void line_uint(struct line_buf *l, uint64_t v);		/* %llu */
/* "%u.%u.%u.%u:%u", as inet_ntop() and the port. */
void line_addrport4(struct line_buf *l, struct in_addr a, uint16_t port);
/* vsadm_age_str()'s "45s", "5m12s", "3h07m", "2d04h". */
void line_age(struct line_buf *l, uint64_t ms);
/*
 * The field written from @start on, made @width wide: blanks added
 * ("%-*s"), or with @cut the field cut to @width too ("%-*.*s").
 */
void line_pad(struct line_buf *l, size_t start, size_t width, bool cut);

#endif /* VSADM_LINE_H */
