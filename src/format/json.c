/* json.c: the report: the list with its provider, times, flags and what
 * each source answered, pretty-printed. */
#include "format.h"

cJSON *
format_report(const struct engine_result *r, time_t now)
{
	const struct source_report *src;
	cJSON	*o = cJSON_CreateObject(), *sources, *one;
	time_t	 expires = ice_list_expires(&r->list);
	size_t	 i;

	cJSON_AddItemToObject(o, "iceServers", format_servers_json(&r->list));
	cJSON_AddStringToObject(o, "provider", r->list.provider);
	util_json_add_time(o, "fetched_at", r->list.fetched_at);
	util_json_add_time(o, "expires_at", expires);
	if (expires == 0) {
		cJSON_AddNullToObject(o, "ttl_seconds");
		cJSON_AddNullToObject(o, "remaining_ttl");
	} else {
		cJSON_AddNumberToObject(o, "ttl_seconds",
		    (double)(expires - r->list.fetched_at));
		cJSON_AddNumberToObject(o, "remaining_ttl",
		    (double)(expires > now ? expires - now : 0));
	}
	cJSON_AddBoolToObject(o, "has_turn", ice_list_has_turn(&r->list));
	cJSON_AddBoolToObject(o, "has_stun", ice_list_has_stun(&r->list));
	cJSON_AddBoolToObject(o, "stale", r->stale);
	cJSON_AddBoolToObject(o, "degraded", engine_degraded(r));
	cJSON_AddBoolToObject(o, "from_cache", r->from_cache);
	sources = cJSON_AddObjectToObject(o, "sources");
	for (i = 0; i < r->nsources; i++) {
		src = &r->sources[i];
		one = cJSON_AddObjectToObject(sources, src->name);
		cJSON_AddBoolToObject(one, "asked", src->asked);
		cJSON_AddBoolToObject(one, "ok", src->ok);
		cJSON_AddStringToObject(one, "result",
		    engine_source_result(src));
		if (src->asked)
			cJSON_AddNumberToObject(one, "latency_ms",
			    (double)src->latency_ms);
		else
			cJSON_AddNullToObject(one, "latency_ms");
		if (src->not_waited)
			cJSON_AddStringToObject(one, "note", src->error);
		if (src->error[0] != '\0' && !src->not_waited)
			cJSON_AddStringToObject(one, "error", src->error);
		else
			cJSON_AddNullToObject(one, "error");
	}
	return o;
}

static void
json_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	format_add_json(out, format_report(r, o->now), 1);
	sb_addc(out, '\n');
}

const struct format format_json = { 0, json_render };
