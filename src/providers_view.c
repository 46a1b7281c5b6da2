/* providers_view.c: every provider's state and health (providers_view.h). */
#include "providers_view.h"

size_t
providers_view(const struct settings *s, const struct cache *c,
    struct provider_view v[PROVIDERS_MAX])
{
	size_t	 i;

	for (i = 0; provider_table[i] != NULL && i < PROVIDERS_MAX; i++) {
		v[i].p = provider_table[i];
		v[i].state = v[i].p->configured(s, v[i].detail,
		    sizeof(v[i].detail));
		v[i].state_name = v[i].state == 1 ? "configured" :
		    v[i].state == 0 ? "not set" : "misconfigured";
		v[i].health = v[i].state == 1 ? cache_health(c, v[i].p->name) :
		    NULL;
	}
	return i;
}
