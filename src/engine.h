/* engine.h: ask the selected providers, pick or merge their answers. */
#ifndef ICEUPD_ENGINE_H
#define ICEUPD_ENGINE_H

#include <stddef.h>

#include "cache.h"
#include "ice.h"
#include "providers/provider.h"
#include "settings.h"

/* What one provider did in this run, for logs and the json report. */
struct source_report {
	const char	*name;
	int		 asked;		/* 0: not needed, backing off, paced */
	int		 turn_capable;
	int		 ok;
	int		 not_waited;	/* asked, but another answered first:
					 * no news of it, not a failure */
	long		 latency_ms;
	long		 retry_after;	/* failed: its Retry-After, seconds */
	char		 error[512];	/* not_waited: why, and who answered */
};

/* What one provider did, as the report, the metrics and the API name it. */
static inline const char *
engine_source_result(const struct source_report *src)
{
	return !src->asked ? "not_asked" : src->ok ? "ok" :
	    src->not_waited ? "not_waited" : "error";
}

struct engine_result {
	struct ice_list		 list;
	struct source_report	 sources[PROVIDERS_MAX];
	size_t			 nsources;
	int			 stale;		/* cached, every provider failed */
	int			 from_cache;	/* cached and fresh: nobody asked */
	int			 turn_expected;	/* a TURN provider was selected */
};

/* The providers to ask, in priority order: the --providers list, or every
 * provider with settings.  Returns 0, or -1 after logging why (exit 2). */
int	 engine_select(const struct settings *, const struct provider **sel,
	    size_t *nsel);
/* Asks the selected providers as the policy says, a forced ask for pace.h
 * when forced (those it holds back are not asked).  Returns 0 with a
 * non-empty list in r, or -1 when none gave a usable answer (r->sources
 * says why). */
int	 engine_fetch(const struct settings *, const struct provider *const *sel,
	    size_t nsel, struct engine_result *r, int forced);
/* Asks every selected provider, backing off or not (a forced ask for
 * pace.h), and waits for each
 * (no grace) until the deadline: each[i] gets sel[i]'s list, filtered,
 * empty when it failed (r->sources[i] says why).  Returns 0 when any
 * answered, else -1.  The caller frees each[0..nsel). */
int	 engine_fetch_each(const struct settings *,
	    const struct provider *const *sel, size_t nsel,
	    struct engine_result *r, struct ice_list *each);
/* What engine_get may answer with. */
enum engine_ask {
	ASK_CACHED,	/* a fresh cached list; else the providers */
	ASK_DUE,	/* a refresh is due: the providers, not the cache */
	ASK_ALL		/* forced: every selected provider, backing off or not */
};
/* The whole refresh: a fresh cached list when there is one and how allows
 * it, else the providers (those backing off after repeated failures
 * skipped, unless ASK_ALL; a skipped TURN provider still
 * counts as expected TURN), recorded in the cache; when they all fail,
 * cached credentials that have not expired, marked stale.  Lists from
 * providers that answer locally are not cached.  Returns 0 with a list in
 * r, or -1. */
int	 engine_get(const struct settings *, const struct provider *const *sel,
	    size_t nsel, enum engine_ask how, struct engine_result *r);
#define ENGINE_RETRY_FIRST	5	/* seconds after a failed refresh, doubling */
#define ENGINE_RETRY_MAX	300
#define ENGINE_UNKNOWN_REFRESH	3600	/* lists without expiry: ask hourly */

/* The wait after one more failed refresh: doubled, at most RETRY_MAX. */
static inline long
engine_next_backoff(long wait)
{
	return wait * 2 > ENGINE_RETRY_MAX ? ENGINE_RETRY_MAX : wait * 2;
}

/* When to refresh a list fetched now (watch, serve): at refresh_at percent
 * of its lifetime, a little earlier at random so that many refreshers
 * spread, and not sooner than ENGINE_RETRY_FIRST. */
time_t	 engine_next_refresh(const struct settings *, const struct ice_list *,
	    time_t now);
/* Fresh, by the rule of the cache and of serve: less than refresh_at
 * percent of its lifetime gone and at least min_ttl seconds left; without
 * an expiry, fetched less than ENGINE_UNKNOWN_REFRESH seconds ago. */
int	 engine_fresh(const struct settings *, time_t fetched_at,
	    time_t expires, time_t now);
/* The first second at which engine_fresh no longer holds. */
time_t	 engine_fresh_until(const struct settings *, time_t fetched_at,
	    time_t expires);
/* 1 when r was emitted without TURN although a TURN provider was asked,
 * or from stale cache: the exit status 4 case. */
int	 engine_degraded(const struct engine_result *r);
void	 engine_result_free(struct engine_result *r);

/* cache_load of path keeping only the health that s's configuration of
 * each provider earned. */
int	 engine_cache_load(const char *path, const struct settings *s,
	    struct cache *c);
/* cache_store of path: drops the health of other configurations, records
 * r's provider outcomes as health (backoff included) and, when list is
 * not NULL, replaces the list and key.  Returns 0, or -1 with errno set. */
int	 engine_cache_store(const char *path, const struct settings *s,
	    const char *key, const struct ice_list *list,
	    const struct engine_result *r);

#endif
