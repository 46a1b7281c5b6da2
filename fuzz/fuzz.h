/* fuzz.h: what the fuzz targets share. */
#ifndef ICEUPD_FUZZ_H
#define ICEUPD_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/log.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);
int	LLVMFuzzerInitialize(int *, char ***);

/* A NUL-terminated copy of the input (which may hold NULs of its own). */
static inline char *
fuzz_str(const uint8_t *data, size_t size)
{
	char	*s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* Quiet logs: errors only, so that the fuzzer's own output stays legible. */
static inline void
fuzz_quiet(void)
{
	log_init(-1, LOG_TEXT);
}

#endif
