/* serve/compat.h: the shapes of the services `iceupd serve` stands in for:
 * VK-ICE's field names next to iceupd's own, and the TURN REST answer
 * (draft-uberti-behave-turn-rest). */
#ifndef ICEUPD_SERVE_COMPAT_H
#define ICEUPD_SERVE_COMPAT_H

#include <cjson/cJSON.h>
#include <time.h>

#include "../ice.h"
#include "../providers/provider.h"
#include "metrics.h"

/* A boolean query value: absent, "", "false" or "0" is 0; "true" or "1"
 * is 1; anything else -1. */
int	 serve_flag(const char *v);
/* Adds VK-ICE's stats fields to o, the /api/ice/stats object. */
void	 serve_compat_stats(cJSON *o, const struct metrics_stats *st,
	    time_t started, const struct provider *const *sel, size_t nsel);
/* Adds VK-ICE's priority_order and health map to o, the /api/ice/providers
 * object whose "providers" array is iceupd's own. */
void	 serve_compat_providers(cJSON *o, const struct provider *const *sel,
	    size_t nsel);
/* VK-ICE's /api/ice/health: {"status","providers","cache_size"}, from
 * the providers object serve_compat_providers completed.  Takes pdoc. */
cJSON	*serve_compat_health(cJSON *pdoc, int has_list, int degraded,
	    int cache_size);
/* The TURN REST answer for the TURN URLs of l, all with one credential:
 * {"username","password","ttl","uris"}.  0, or -1 when l has no TURN. */
int	 serve_compat_uberti(struct strbuf *out, const struct ice_list *l,
	    long ttl);

#endif
