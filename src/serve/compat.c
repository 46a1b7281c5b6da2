/* serve/compat.c: VK-ICE's field names and the TURN REST answer, so that
 * clients of the services `iceupd serve` replaces work unchanged. */
#include <stdio.h>
#include <string.h>

#include "../util.h"
#include "compat.h"

int
serve_flag(const char *v)
{
	if (v == NULL || *v == '\0' || strcmp(v, "false") == 0 ||
	    strcmp(v, "0") == 0)
		return 0;
	if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
		return 1;
	return -1;
}

static cJSON *
names_of(const struct provider *const *sel, size_t nsel)
{
	cJSON	*a = cJSON_CreateArray();
	size_t	 i;

	for (i = 0; i < nsel; i++)
		cJSON_AddItemToArray(a, cJSON_CreateString(sel[i]->name));
	return a;
}

void
serve_compat_stats(cJSON *o, const struct metrics_stats *st, time_t started,
    const struct provider *const *sel, size_t nsel)
{
	unsigned long misses = st->credentials > st->cache_hits ?
	    st->credentials - st->cache_hits : 0;
	char	 when[32];

	cJSON_AddBoolToObject(o, "running", 1);
	cJSON_AddStringToObject(o, "started_at", util_rfc3339(started, when,
	    sizeof(when)));
	cJSON_AddNumberToObject(o, "total_requests", (double)st->requests);
	cJSON_AddNumberToObject(o, "cache_misses", (double)misses);
	cJSON_AddNumberToObject(o, "cache_hit_rate", st->credentials == 0 ? 0 :
	    (double)st->cache_hits / (double)st->credentials);
	cJSON_AddItemToObject(o, "providers", names_of(sel, nsel));
}

/* The entry of provider name in iceupd's "providers" array. */
static const cJSON *
entry_of(const cJSON *arr, const char *name)
{
	const cJSON *e, *n;

	cJSON_ArrayForEach(e, arr) {
		n = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return e;
	}
	return NULL;
}

/* VK-ICE's health of one provider: the health kept in the cache when
 * there is one, else this process's last fetch. */
static cJSON *
health_of(const cJSON *entry, size_t index, const char *name)
{
	const cJSON *h = cJSON_GetObjectItemCaseSensitive(entry, "health");
	const cJSON *lf = cJSON_GetObjectItemCaseSensitive(entry, "last_fetch");
	const cJSON *x;
	struct provider_last last;
	cJSON	*o = cJSON_CreateObject();
	double	 failures = 0, latency = 0;
	int	 known = 0;

	if (cJSON_IsObject(h)) {
		known = 1;
		x = cJSON_GetObjectItemCaseSensitive(h, "failures");
		failures = cJSON_IsNumber(x) ? x->valuedouble : 0;
		x = cJSON_GetObjectItemCaseSensitive(h, "latency_ms");
		latency = cJSON_IsNumber(x) ? x->valuedouble : 0;
	}
	if (cJSON_IsObject(lf)) {
		x = cJSON_GetObjectItemCaseSensitive(lf, "result");
		/* Left behind once a preferred provider answered: no news. */
		if (!cJSON_IsString(x) ||
		    strcmp(x->valuestring, "not_waited") != 0) {
			known = 1;
			x = cJSON_GetObjectItemCaseSensitive(lf, "ok");
			if (!cJSON_IsObject(h) && cJSON_IsFalse(x))
				failures = 1;
		}
	}
	if (metrics_last(index, &last) == 0)
		latency = last.avg_latency_ms;
	cJSON_AddStringToObject(o, "provider", name);
	cJSON_AddStringToObject(o, "status", !known ? "unknown" :
	    failures == 0 ? "healthy" : "unhealthy");
	cJSON_AddBoolToObject(o, "is_healthy", known && failures == 0);
	cJSON_AddNumberToObject(o, "consecutive_failures", failures);
	cJSON_AddNumberToObject(o, "average_latency_ms",
	    (double)(long long)(latency * 10 + 0.5) / 10);
	return o;
}

void
serve_compat_providers(cJSON *o, const struct provider *const *sel,
    size_t nsel)
{
	const cJSON *arr = cJSON_GetObjectItemCaseSensitive(o, "providers");
	cJSON	*health;
	size_t	 i, k;

	cJSON_AddItemToObject(o, "priority_order", names_of(sel, nsel));
	health = cJSON_AddObjectToObject(o, "health");
	for (i = 0; i < nsel; i++) {
		for (k = 0; provider_table[k] != NULL &&
		    provider_table[k] != sel[i]; k++)
			;
		cJSON_AddItemToObject(health, sel[i]->name, health_of(
		    entry_of(arr, sel[i]->name), k, sel[i]->name));
	}
}

cJSON *
serve_compat_health(cJSON *pdoc, int has_list, int degraded, int cache_size)
{
	cJSON	*o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "status", !has_list ? "unhealthy" :
	    degraded ? "degraded" : "healthy");
	cJSON_AddItemToObject(o, "providers",
	    cJSON_DetachItemFromObjectCaseSensitive(pdoc, "health"));
	cJSON_AddNumberToObject(o, "cache_size", cache_size);
	cJSON_Delete(pdoc);
	return o;
}

int
serve_compat_uberti(struct strbuf *out, const struct ice_list *l, long ttl)
{
	const struct ice_server *sv = NULL;
	cJSON	*o, *uris;
	char	*text;
	size_t	 i, k;

	o = cJSON_CreateObject();
	uris = cJSON_CreateArray();
	for (i = 0; i < l->n; i++) {
		if (l->servers[i].username == NULL)
			continue;	/* STUN: no credential to go with */
		sv = &l->servers[i];
		for (k = 0; k < sv->nurls; k++)
			cJSON_AddItemToArray(uris,
			    cJSON_CreateString(sv->urls[k]));
	}
	if (sv == NULL) {
		cJSON_Delete(uris);
		cJSON_Delete(o);
		return -1;
	}
	cJSON_AddStringToObject(o, "username", sv->username);
	cJSON_AddStringToObject(o, "password", sv->credential);
	cJSON_AddNumberToObject(o, "ttl", (double)ttl);
	cJSON_AddItemToObject(o, "uris", uris);
	text = xjson_print(o, 0);
	sb_adds(out, text);
	sb_addc(out, '\n');
	util_free_secret(text);
	cJSON_Delete(o);
	return 0;
}
