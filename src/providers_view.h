/* providers_view.h: what `iceupd providers` and /api/ice/providers show of
 * every provider: configured or not and why, and its health in the cache. */
#ifndef ICEUPD_PROVIDERS_VIEW_H
#define ICEUPD_PROVIDERS_VIEW_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "cache.h"
#include "providers/provider.h"

struct provider_view {
	const struct provider	*p;
	int			 state;		/* as p->configured says */
	const char		*state_name;
	char			 detail[512];	/* never a secret */
	const struct provider_health *health;	/* in the cache; NULL: none,
						 * or not configured */
};

/* Fills v[i] for provider_table[i], health from c (the caller keeps c
 * while it reads v).  Returns how many. */
size_t	 providers_view(const struct settings *, const struct cache *c,
	    struct provider_view v[PROVIDERS_MAX]);
/* The object of v in `providers -f json` and /api/ice/providers: name,
 * state, detail, selected, health (the caller adds last_fetch). */
cJSON	*providers_view_json(const struct provider_view *v, int selected);

#endif
