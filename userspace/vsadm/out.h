/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vsadm's one print path for text and JSON, after iproute2: each value is
 * given once with its JSON key and its text format; in text mode a NULL
 * format prints nothing, in JSON mode the format is ignored.
 */
#ifndef VSADM_OUT_H
#define VSADM_OUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define VSADM_OUT_DEPTH	8

struct vsadm_out {
	FILE *f;
	bool json;
	int depth;
	void *stack[VSADM_OUT_DEPTH];	/* json_t *, the open containers */
};

void out_begin(struct vsadm_out *o, FILE *f, bool json);
void out_end(struct vsadm_out *o);
/* @key is NULL for the elements of an array. */
void out_open_obj(struct vsadm_out *o, const char *key);
void out_open_arr(struct vsadm_out *o, const char *key);
void out_close(struct vsadm_out *o);
void out_str(struct vsadm_out *o, const char *key, const char *fmt,
	     const char *v);
void out_uint(struct vsadm_out *o, const char *key, const char *fmt,
	      uint64_t v);
/* JSON only: true/false, and null for "none" (text shows nothing). */
void out_bool(struct vsadm_out *o, const char *key, bool v);
void out_null(struct vsadm_out *o, const char *key);
void out_text(struct vsadm_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif /* VSADM_OUT_H */
