/* cache.h: the last good list and provider health, on disk.  The cache
 * stores what it is given: which health holds, and what a fetch changes in
 * it, its callers say (the engine). */
#ifndef ICEUPD_CACHE_H
#define ICEUPD_CACHE_H

#include <stddef.h>
#include <time.h>

#include "ice.h"

#define CACHE_HEALTH_MAX	16	/* entries: one per provider at most */
#define CACHE_FAILURES_MAX	1000000	/* a count is kept below */

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
	struct provider_health	 health[CACHE_HEALTH_MAX];
	size_t			 nhealth;
};

/* 1 when the health entry h, as read from the file, still holds. */
typedef int	 cache_keep_fn(const struct provider_health *h, void *arg);
/* What cache_store changes in the file's contents c, under its lock. */
typedef void	 cache_edit_fn(struct cache *c, void *arg);

/* Reads path under a shared lock, waiting at most wait_ms for it, keeping
 * the health entries keep says hold.  Returns 0 (c may still hold no
 * list), or -1 when the file is missing, unreadable or corrupt (c is
 * empty; a corrupt file is reported, never fatal). */
int	 cache_load(const char *path, long wait_ms, cache_keep_fn *keep,
	    void *arg, struct cache *c);
/* Under an exclusive lock: rereads path as cache_load does, lets edit
 * change it, then writes the file atomically, mode 0600.  Returns 0, or
 * -1 with errno set. */
int	 cache_store(const char *path, long wait_ms, cache_keep_fn *keep,
	    cache_edit_fn *edit, void *arg);
/* Replaces the list of c with a copy of list, made under key. */
void	 cache_set_list(struct cache *c, const char *key,
	    const struct ice_list *list);
void	 cache_free(struct cache *c);

/* The health of a provider in c, or NULL. */
const struct provider_health *cache_health(const struct cache *c,
	    const char *name);
/* The health of a provider in c, added empty when it has none; NULL when
 * c is full. */
struct provider_health *cache_health_slot(struct cache *c, const char *name);
/* The default path: $XDG_CACHE_HOME/iceupd/cache.json or
 * ~/.cache/iceupd/cache.json, /var/cache/iceupd/cache.json for root. */
char	*cache_default_path(void);

#endif
