/* cmd/providers.c: `iceupd providers`: each provider, configured or not, what
 * it misses, and its last health, as a table or as the JSON objects of
 * /api/ice/providers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../cache.h"
#include "../format/format.h"
#include "../providers_view.h"
#include "commands.h"

/* The objects of /api/ice/providers, without this process's last fetch
 * (it fetched nothing): selected when named by --providers, or, without
 * it, when configured.  Returns the exit status. */
static int
print_json(const struct settings *s, const struct cache *c)
{
	struct provider_view v[PROVIDERS_MAX];
	cJSON	*arr = cJSON_CreateArray(), *one;
	char	*text, **names = NULL;
	size_t	 i, k, n, nnames = 0;
	int	 rc = EXIT_OK;

	if (s->providers != NULL)
		nnames = util_split_list(s->providers, &names);
	n = providers_view(s, c, v);
	for (i = 0; i < n; i++) {
		for (k = 0; k < nnames && strcmp(names[k], v[i].p->name); k++)
			;
		one = providers_view_json(&v[i], s->providers != NULL ?
		    k < nnames : v[i].state == 1);
		cJSON_AddNullToObject(one, "last_fetch");
		cJSON_AddItemToArray(arr, one);
		if (v[i].state == -1)
			rc = EXIT_USAGE;
	}
	text = xjson_print(arr, 1);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(arr);
	if (names != NULL)
		util_free_list(names, nnames);
	return rc;
}

int
cmd_providers(const struct settings *s)
{
	struct provider_view v[PROVIDERS_MAX];
	const struct provider_health *h;
	struct cache	 c;
	char		 health[64], when[32];
	char		*path;
	size_t		 i, n;
	int		 rc = EXIT_OK, json;

	memset(&c, 0, sizeof(c));
	if ((json = format_listing(s, "providers")) == -1)
		return EXIT_USAGE;
	path = s->cache ? xstrdup(s->cache) : cache_default_path();
	if (path != NULL && !s->no_cache)
		(void)engine_cache_load(path, s, &c);
	if (json) {
		rc = print_json(s, &c);
		goto out;
	}
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
out:
	if (fflush(stdout) == EOF)
		rc = EXIT_FAIL;
	cache_free(&c);
	free(path);
	return rc;
}
