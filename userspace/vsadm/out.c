// SPDX-License-Identifier: GPL-2.0
/* vsadm: text or JSON output (jansson) through one set of calls. */

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "out.h"
#include "text.h"

void out_begin(struct vsadm_out *o, FILE *f, bool json)
{
	o->f = f;
	o->json = json;
	o->depth = 0;
	if (json)
		o->stack[o->depth++] = json_object();
}

void out_end(struct vsadm_out *o)
{
	if (!o->json || !o->depth)
		return;
	json_dumpf(o->stack[0], o->f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	fputc('\n', o->f);
	json_decref(o->stack[0]);
	o->depth = 0;
}

static void out_add(struct vsadm_out *o, const char *key, json_t *v)
{
	json_t *top = o->stack[o->depth - 1];

	if (json_is_array(top))
		json_array_append_new(top, v);
	else
		json_object_set_new(top, key, v);
}

static void out_open(struct vsadm_out *o, const char *key, json_t *v)
{
	if (!o->json)
		return;
	if (o->depth == VSADM_OUT_DEPTH) {
		json_decref(v);
		return;
	}
	out_add(o, key, v);
	o->stack[o->depth++] = v;
}

void out_open_obj(struct vsadm_out *o, const char *key)
{
	if (o->json)
		out_open(o, key, json_object());
}

void out_open_arr(struct vsadm_out *o, const char *key)
{
	if (o->json)
		out_open(o, key, json_array());
}

void out_close(struct vsadm_out *o)
{
	if (o->json && o->depth > 1)
		o->depth--;
}

void out_str(struct vsadm_out *o, const char *key, const char *fmt,
	     const char *v)
{
	size_t size;
	char *buf;

	/* The kernel's strings may come from any netlink client: JSON
	 * keeps every key (jansson refuses invalid UTF-8), text shows no
	 * control character (text.h).
	 */
	if (o->json) {
		out_add(o, key, vs_json_text(v));
	} else if (fmt && vs_text_is_clean(v)) {
		fprintf(o->f, fmt, v);
	} else if (fmt) {
		size = 4 * strlen(v) + 1;
		buf = malloc(size);
		if (!buf)
			return;
		vs_text_clean(buf, size, v, strlen(v));
		fprintf(o->f, fmt, buf);
		free(buf);
	}
}

void out_uint(struct vsadm_out *o, const char *key, const char *fmt,
	      uint64_t v)
{
	if (o->json)
		out_add(o, key, json_integer((json_int_t)v));
	else if (fmt)
		fprintf(o->f, fmt, (unsigned long long)v);
}

void out_bool(struct vsadm_out *o, const char *key, bool v)
{
	if (o->json)
		out_add(o, key, json_boolean(v));
}

void out_null(struct vsadm_out *o, const char *key)
{
	if (o->json)
		out_add(o, key, json_null());
}

void out_text(struct vsadm_out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->json)
		return;
	va_start(ap, fmt);
	vfprintf(o->f, fmt, ap);
	va_end(ap);
}
