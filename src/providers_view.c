/* providers_view.c: every provider's state and health (providers_view.h). */
#include "providers_view.h"
#include "util.h"

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

cJSON *
providers_view_json(const struct provider_view *v, int selected)
{
	const struct provider_health *h;
	cJSON	*one = cJSON_CreateObject(), *x;

	cJSON_AddStringToObject(one, "name", v->p->name);
	cJSON_AddStringToObject(one, "state", v->state_name);
	cJSON_AddStringToObject(one, "detail", v->detail);
	cJSON_AddBoolToObject(one, "selected", selected);
	if ((h = v->health) == NULL)
		cJSON_AddNullToObject(one, "health");
	else {
		x = cJSON_AddObjectToObject(one, "health");
		cJSON_AddNumberToObject(x, "failures", h->failures);
		cJSON_AddNumberToObject(x, "latency_ms", (double)h->latency_ms);
		if (h->error[0] != '\0')
			cJSON_AddStringToObject(x, "error", h->error);
		else
			cJSON_AddNullToObject(x, "error");
		util_json_add_time(x, "last_ok", h->last_ok);
		util_json_add_time(x, "next_try", h->next_try);
	}
	return one;
}
