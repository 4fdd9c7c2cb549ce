// SPDX-License-Identifier: GPL-2.0
/* Text from servers and from the kernel, cleaned for terminals and JSON. */

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"

/*
 * The length of the valid UTF-8 sequence at @s (@len bytes left) that is
 * neither a control character nor in the C1 range, or 0 if the byte at
 * @s must be escaped. RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF.
 */
static size_t char_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return s[0] >= 0x20 && s[0] != 0x7f;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	if (len < n)
		return 0;
	/* The second byte's range is what rules out the bad forms. */
	if (s[0] == 0xc2)
		lo = 0xa0;		/* U+0080..U+009F: C1 controls */
	else if (s[0] == 0xe0)
		lo = 0xa0;		/* overlong */
	else if (s[0] == 0xed)
		hi = 0x9f;		/* surrogates */
	else if (s[0] == 0xf0)
		lo = 0x90;		/* overlong */
	else if (s[0] == 0xf4)
		hi = 0x8f;		/* above U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t vs_text_clean(char *dst, size_t size, const char *src, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = (const unsigned char *)src;
	size_t i = 0, o = 0, n;

	while (i < len) {
		n = char_len(s + i, len - i);
		if (n) {
			if (o + n >= size)
				break;
			memcpy(dst + o, s + i, n);
			o += n;
			i += n;
			continue;
		}
		if (o + 4 >= size)
			break;
		dst[o++] = '\\';
		dst[o++] = 'x';
		dst[o++] = hex[s[i] >> 4];
		dst[o++] = hex[s[i] & 15];
		i++;
	}
	dst[o] = '\0';
	return o;
}

bool vs_text_is_clean(const char *s)
{
	size_t len = strlen(s), i = 0, n;

	while (i < len) {
		n = char_len((const unsigned char *)s + i, len - i);
		if (!n)
			return false;
		i += n;
	}
	return true;
}

json_t *vs_json_text(const char *s)
{
	size_t len, size;
	json_t *j;
	char *buf;

	if (!s)
		return json_null();
	j = json_string(s);
	if (j)
		return j;
	len = strlen(s);
	size = 4 * len + 1;
	buf = malloc(size);
	if (!buf)
		return NULL;
	vs_text_clean(buf, size, s, len);
	j = json_string(buf);
	free(buf);
	return j;
}
