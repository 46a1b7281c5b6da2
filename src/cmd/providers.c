/* cmd/providers.c: `iceupd providers`: each provider, configured or not, what
 * it misses, and its last health, as a table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cache.h"
#include "../providers_view.h"
#include "commands.h"

int
cmd_providers(const struct settings *s)
{
	struct provider_view v[PROVIDERS_MAX];
	const struct provider_health *h;
	struct cache	 c;
	char		 health[64], when[32];
	char		*path;
	size_t		 i, n;
	int		 rc = EXIT_OK;

	memset(&c, 0, sizeof(c));
	path = s->cache ? xstrdup(s->cache) : cache_default_path();
	if (path != NULL && !s->no_cache)
		(void)cache_load(path, s, &c);
	printf("%-10s %-13s %-26s %s\n", "PROVIDER", "STATE", "HEALTH",
	    "DETAIL");
	n = providers_view(s, &c, v);
	for (i = 0; i < n; i++) {
		if ((h = v[i].health) == NULL)
			snprintf(health, sizeof(health), "-");
		else if (h->failures == 0)
			snprintf(health, sizeof(health), "ok, %ld ms",
			    h->latency_ms);
		else if (h->next_try > time(NULL))
			snprintf(health, sizeof(health), "%d failed, wait %s",
			    h->failures, util_rfc3339(h->next_try, when,
			    sizeof(when)) + 11);
		else
			snprintf(health, sizeof(health), "%d failed",
			    h->failures);
		printf("%-10s %-13s %-26s %s\n", v[i].p->name, v[i].state_name,
		    health, v[i].detail);
		if (h != NULL && h->failures > 0)
			printf("%-10s last error: %s\n", "", h->error);
		if (v[i].state == -1)
			rc = EXIT_USAGE;
	}
	if (fflush(stdout) == EOF)
		rc = EXIT_FAIL;
	cache_free(&c);
	free(path);
	return rc;
}
