/* pace.h: how often this process asks each provider.  A provider that
 * answered 429 or 503 with Retry-After is not asked before then, forced or
 * not; a forced ask comes at most once per PACE_FORCED_S seconds after
 * the last forced ask of that provider, whatever it answered.  The backoff
 * a forced ask may skip is iceupd's own (the cache's health), never the
 * wait a provider stated. */
#ifndef ICEUPD_PACE_H
#define ICEUPD_PACE_H

#include <stddef.h>
#include <time.h>

#define PACE_FORCED_S	5

/* 1 when provider name may be asked now, the ask then counted; else 0
 * with why ("not asked: ...").  forced: a forced ask. */
int	 pace_take(const char *name, int forced, char *why, size_t len);
/* Provider name asked not to be asked before until (wall clock); a later
 * time than one held already wins. */
void	 pace_hold(const char *name, time_t until);

#endif
