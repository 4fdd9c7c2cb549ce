/* SPDX-License-Identifier: GPL-2.0 */
/* Helpers shared by config.c and config_check.c; not for other users. */
#ifndef VH_CONFIG_INT_H
#define VH_CONFIG_INT_H

#include <libconfig.h>

#include "config.h"

struct vh_parse {
	const char *file;
	struct vh_errors *errs;
};

/* "FILE:LINE: " + message, for setting @s (its own file when included). */
void vh_perr(struct vh_parse *p, const config_setting_t *s,
	     const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Every member of group @s must be named in @allowed (NULL-terminated). */
void vh_check_keys(struct vh_parse *p, const config_setting_t *s,
		   const char *const *allowed, const char *what);

/* Typed getters: 0 if absent (*out untouched), 1 if read, -1 on error
 * (reported).
 */
int vh_get_str(struct vh_parse *p, const config_setting_t *grp,
	       const char *key, const char **out);
int vh_get_uint(struct vh_parse *p, const config_setting_t *grp,
		const char *key, uint32_t min, uint32_t max, uint32_t *out);
int vh_get_bool(struct vh_parse *p, const config_setting_t *grp,
		const char *key, bool *out);
/* Seconds (integer or float) to milliseconds, in [min_ms, max_ms]. */
int vh_get_secs(struct vh_parse *p, const config_setting_t *grp,
		const char *key, uint32_t min_ms, uint32_t max_ms,
		uint32_t *out);

/* Parse one member of the "checks" group into @c (zeroed by the caller).
 * Returns 0 or -1 (errors reported).
 */
int vh_parse_check(struct vh_parse *p, const config_setting_t *s,
		   struct vh_check_cfg *c);
void vh_check_cfg_release(struct vh_check_cfg *c);

/* "200-299,301" into ranges; 0 or -1 with a message in @err. */
int vh_parse_status(const char *text, struct vh_status_range **out,
		    size_t *n, char *err, size_t errlen);

#endif /* VH_CONFIG_INT_H */
