/* provider.c: the table of providers, in the default priority order. */
#include <string.h>

#include "provider.h"

const struct provider *const provider_table[] = {
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
