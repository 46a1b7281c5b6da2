/* provider.c: the table of providers, in the default priority order. */
#include <string.h>

#include "provider.h"

const struct provider *const provider_table[] = {
	&provider_twilio,
	&provider_cloudflare,
	&provider_metered,
	&provider_8x8,
	&provider_kmeet,
	&provider_jitsi,
	&provider_url,
	&provider_matrix,
	&provider_coturn,
	&provider_stun,
	NULL
};

const struct provider *
provider_find(const char *name)
{
	size_t	 i;

	for (i = 0; provider_table[i] != NULL; i++)
		if (strcmp(provider_table[i]->name, name) == 0)
			return provider_table[i];
	return NULL;
}

long
provider_ttl(const struct settings *s, long own, long fallback, long max)
{
	long	 ttl = fallback;

	if (SETTING_KIND(s, ttl) == FROM_FLAG && s->ttl > 0)
		ttl = s->ttl;
	else if (own > 0)
		ttl = own;
	else if (s->ttl > 0)
		ttl = s->ttl;
	return ttl > max ? max : ttl;
}
