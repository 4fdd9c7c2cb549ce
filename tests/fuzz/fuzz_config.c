// SPDX-License-Identifier: GPL-2.0
/*
 * The configuration loader, vh_config_load(), on any file: libconfig's
 * syntax, then every check, service and daemon key. The file is written
 * to a private directory each time. Inputs with "@include" are skipped:
 * an include reads another file, which could be a device or a FIFO.
 */

#include <unistd.h>

#include "config.h"
#include "fuzz.h"

static char path[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[] = "/tmp/vs-fuzz-config.XXXXXX";
	struct vh_errors errs = { 0 };
	struct vh_config *cfg = NULL;
	size_t i;
	FILE *f;
	int ret;

	if (!path[0]) {
		FUZZ_ASSERT(mkdtemp(dir));
		snprintf(path, sizeof(path), "%s/vshealthd.conf", dir);
	}
	if (memmem(data, size, "@include", 8))
		return 0;
	f = fopen(path, "w");
	FUZZ_ASSERT(f);
	fwrite(data, 1, size, f);
	fclose(f);
	ret = vh_config_load(path, &cfg, &errs);
	/* Valid and no message, or refused with at least one. */
	FUZZ_ASSERT(ret == 0 ? cfg && errs.n == 0 : !cfg && errs.n > 0);
	for (i = 0; i < errs.n; i++)
		FUZZ_ASSERT(!strncmp(errs.msg[i], path, strlen(path)));
	vh_config_free(cfg);
	vh_errors_free(&errs);
	return 0;
}

/* The directory goes with the process. */
static void __attribute__((destructor)) cleanup(void)
{
	if (path[0]) {
		unlink(path);
		*strrchr(path, '/') = '\0';
		rmdir(path);
	}
}
