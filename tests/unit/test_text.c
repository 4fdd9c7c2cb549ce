// SPDX-License-Identifier: GPL-2.0
/* libvsched's text cleaning (text.h): what a real server or another
 * netlink client writes reaches terminals and JSON as printable, valid
 * UTF-8, with every other byte as \xNN.
 */

#include <jansson.h>

#include "harness.h"
#include "text.h"

static const struct {
	const char *in, *out;
} clean_cases[] = {
	{ "ok", "ok" },
	{ "", "" },
	{ "HTTP 500 \"x\\y\"", "HTTP 500 \"x\\y\"" },	/* kept as is */
	{ "\x1b]0;pwned\x07", "\\x1b]0;pwned\\x07" },	/* OSC title */
	{ "\x1b[2J\r\n\t", "\\x1b[2J\\x0d\\x0a\\x09" },
	{ "del\x7f", "del\\x7f" },
	{ "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e",	/* é € U+1D11E */
	  "caf\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e" },
	{ "c1 \xc2\x9b" "31m", "c1 \\xc2\\x9b" "31m" },	/* U+009B CSI */
	{ "nbsp\xc2\xa0", "nbsp\xc2\xa0" },		/* U+00A0 is text */
	{ "\xff\xfe", "\\xff\\xfe" },
	{ "\xc0\xaf", "\\xc0\\xaf" },			/* overlong '/' */
	{ "\xe0\x80\xaf", "\\xe0\\x80\\xaf" },		/* overlong */
	{ "\xed\xa0\x80", "\\xed\\xa0\\x80" },		/* surrogate */
	{ "\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80" },	/* > U+10FFFF */
	{ "cut \xe2\x82", "cut \\xe2\\x82" },		/* cut sequence */
	{ "\xe2" "abc", "\\xe2" "abc" },
	/* Escapes are clean text: cleaning twice changes nothing. */
	{ "\\x1b]0;pwned\\x07", "\\x1b]0;pwned\\x07" },
};

TEST(text_clean_table)
{
	char out[256];
	size_t i, n;

	for (i = 0; i < sizeof(clean_cases) / sizeof(*clean_cases); i++) {
		n = vs_text_clean(out, sizeof(out), clean_cases[i].in,
				  strlen(clean_cases[i].in));
		CHECK_STR(out, clean_cases[i].out);
		CHECK(n == strlen(out));
		CHECK(vs_text_is_clean(out));
		CHECK(vs_text_is_clean(clean_cases[i].in) ==
		      !strcmp(clean_cases[i].in, clean_cases[i].out));
	}
}

/* A cut falls between characters and escapes, never inside one. */
TEST(text_clean_cuts_between_characters)
{
	char out[8];

	vs_text_clean(out, sizeof(out), "abcde\xc3\xa9", 7);
	CHECK_STR(out, "abcde\xc3\xa9");
	vs_text_clean(out, sizeof(out), "abcdef\xc3\xa9", 8);
	CHECK_STR(out, "abcdef");
	vs_text_clean(out, sizeof(out), "abc\x1b", 4);
	CHECK_STR(out, "abc\\x1b");
	vs_text_clean(out, sizeof(out), "abcd\x1b", 5);
	CHECK_STR(out, "abcd");
	vs_text_clean(out, 1, "abc", 3);
	CHECK_STR(out, "");
	/* Bytes after a NUL are bytes too: @len decides. */
	vs_text_clean(out, sizeof(out), "a\0b", 3);
	CHECK(!memcmp(out, "a\\x00b", 7));
}

/* JSON keeps every string: valid UTF-8 as it is, the rest cleaned. */
TEST(text_json_never_refused)
{
	json_t *j;

	CHECK(json_string("bad \xff") == NULL);		/* jansson's rule */
	j = vs_json_text("bad \xff\x1b[31m");
	CHECK_STR(json_string_value(j), "bad \\xff\\x1b[31m");
	json_decref(j);
	j = vs_json_text("tab\there \xc3\xa9");
	CHECK_STR(json_string_value(j), "tab\there \xc3\xa9");
	json_decref(j);
	j = vs_json_text(NULL);
	CHECK(json_is_null(j));
	json_decref(j);
}
