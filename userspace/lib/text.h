/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Text from elsewhere made safe to show: a real server's words (an agent
 * line, an HTTP error, a script's output) and strings the kernel holds,
 * which any netlink client may have set. Control characters (C0, DEL and
 * the C1 range U+0080..U+009F) and bytes that are not part of valid
 * UTF-8 are written as "\xNN", one escape per byte; everything else is
 * kept, backslashes included, so that cleaning clean text changes
 * nothing. The result is printable and valid UTF-8: a terminal cannot be
 * driven by it, and jansson accepts it.
 */
#ifndef VS_TEXT_H
#define VS_TEXT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/*
 * @len bytes of @src, cleaned, into @dst (@size bytes, @size > 0): cut
 * before the first character or escape that does not fit, never inside
 * one, and NUL-terminated. Returns the length written. @dst and @src
 * must not overlap.
 */
size_t vs_text_clean(char *dst, size_t size, const char *src, size_t len);

/* @s (NUL-terminated) needs no cleaning. */
bool vs_text_is_clean(const char *s);

/*
 * A JSON string for @s that is never refused: @s as it is when it is
 * valid UTF-8 (jansson escapes control characters itself), else @s
 * cleaned. JSON null for a NULL @s; NULL only when out of memory.
 */
json_t *vs_json_text(const char *s);

#endif /* VS_TEXT_H */
