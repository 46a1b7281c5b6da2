/* provider.c: the table of providers (ICEUPD_PROVIDERS), and what the
 * engine asks of each: its lifetime cap, its configuration's digest, the
 * ttl to ask for. */
#include <string.h>

#include "provider.h"

#define PROVIDER_ENTRY(name)	&provider_##name,
const struct provider *const provider_table[] = {
	ICEUPD_PROVIDERS(PROVIDER_ENTRY) NULL
};
_Static_assert(sizeof(provider_table) / sizeof(provider_table[0]) - 1 <=
    PROVIDERS_MAX, "more providers than PROVIDERS_MAX");

size_t
provider_cap_lifetime(struct ice_list *l, time_t now)
{
	size_t	 i, n = 0;

	for (i = 0; i < l->n; i++)
		if (l->servers[i].expires > now + PROVIDER_LIFETIME_MAX) {
			l->servers[i].expires = now + PROVIDER_LIFETIME_MAX;
			n++;
		}
	return n;
}

const struct provider *
provider_find(const char *name)
{
	size_t	 i;

	for (i = 0; provider_table[i] != NULL; i++)
		if (strcmp(provider_table[i]->name, name) == 0)
			return provider_table[i];
	return NULL;
}

void
provider_config_key(const struct settings *s, const struct provider *p,
    char hex[65])
{
	/* What turns an answer into a failure, for every provider. */
	static const char *const common[] = { "transport", "relay", "verify",
		"insecure_probe", "cacert", "ttl" };
	const char	*keys[32];
	size_t		 n = 0, i;

	for (i = 0; i < sizeof(common) / sizeof(common[0]); i++)
		keys[n++] = common[i];
	for (i = 0; p->reads != NULL && p->reads[i] != NULL &&
	    n < sizeof(keys) / sizeof(keys[0]) - 1; i++)
		keys[n++] = p->reads[i];
	keys[n] = NULL;
	settings_digest_of(s, keys, hex);
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
