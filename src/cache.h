/* cache.h: the last good list and provider health, on disk. */
#ifndef ICEUPD_CACHE_H
#define ICEUPD_CACHE_H

#include <time.h>

#include "engine.h"
#include "ice.h"

struct provider_health {
	char	 name[16];
	char	 config[65];	/* provider_config_key it was earned under */
	int	 failures;	/* consecutive */
	long	 latency_ms;	/* of the last answer */
	char	 error[512];	/* of the last failure */
	time_t	 last_ok;
	time_t	 next_try;	/* backing off until then; 0: ask freely */
	time_t	 not_before;	/* its own Retry-After: until then; 0 none */
};

struct cache {
	char			 key[65];	/* settings digest of the list */
	struct ice_list		 list;		/* n == 0: none */
	struct provider_health	 health[PROVIDERS_MAX];
	size_t			 nhealth;
};

/* Reads path under a shared lock, keeping only the health that s's
 * configuration of each provider earned.  Returns 0 (c may still hold no
 * list), or -1 when the file is missing, unreadable or corrupt (c is
 * empty; a corrupt file is reported, never fatal). */
int	 cache_load(const char *path, const struct settings *s,
	    struct cache *c);
/* Under an exclusive lock: rereads path, drops the health of other
 * configurations, records r's provider outcomes as health and, when list
 * is not NULL, replaces the list and key; then writes the file atomically,
 * mode 0600.  Returns 0, or -1 with errno set. */
int	 cache_store(const char *path, const struct settings *s,
	    const char *key, const struct ice_list *list,
	    const struct engine_result *r);
void	 cache_free(struct cache *c);

/* The health of a provider in c, or NULL. */
const struct provider_health *cache_health(const struct cache *c,
	    const char *name);
/* The default path: $XDG_CACHE_HOME/iceupd/cache.json or
 * ~/.cache/iceupd/cache.json, /var/cache/iceupd/cache.json for root. */
char	*cache_default_path(void);

#endif
