/* secretmanager.h: the Secret Manager sink: credentials as a new version of
 * a secret, older versions disabled. */
#ifndef ICEUPD_SECRETMANAGER_H
#define ICEUPD_SECRETMANAGER_H

#include <stddef.h>
#include <time.h>

#include "settings.h"

/* Turns "projects/P/secrets/S", or "S" with project (may be NULL when text
 * is a full name), into the full name in *full.  0, or -1 with err. */
int	 secretmanager_name(const char *text, const char *project, char **full,
	    char *err, size_t errlen);

/* Adds a version holding value to secret (a full name) unless the newest
 * enabled version is already at least as new as the credentials
 * (fetched_at) and they came from the cache (reused is 1); then disables the
 * enabled versions beyond the newest s->keep.  Under --dry-run it only says
 * what it would do, on stdout.  Returns EXIT_OK, EXIT_UNCHANGED or
 * EXIT_FAIL after logging why. */
int	 secretmanager_deploy(const struct settings *s, const char *secret,
	    const char *value, int reused, time_t fetched_at,
	    long long deadline);

#endif
