/* format.c: renderers of a fetched list: neko, rtc, json, env, dotenv, str0m. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"
#include "log.h"

/* RTCIceServer entries with only urls (always an array), username and
 * credential: what neko v2 accepts without panicking. */
static cJSON *
servers_json(const struct ice_list *l)
{
	const struct ice_server *s;
	cJSON	*arr = cJSON_CreateArray(), *o, *urls;
	size_t	 i, j;

	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		o = cJSON_CreateObject();
		urls = cJSON_AddArrayToObject(o, "urls");
		for (j = 0; j < s->nurls; j++)
			cJSON_AddItemToArray(urls,
			    cJSON_CreateString(s->urls[j]));
		if (s->username != NULL) {
			cJSON_AddStringToObject(o, "username", s->username);
			cJSON_AddStringToObject(o, "credential",
			    s->credential);
		}
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

/* Appends the unformatted text of j and frees j. */
static void
add_json(struct strbuf *out, cJSON *j, int pretty)
{
	char	*text = xjson_print(j, pretty);

	sb_adds(out, text);
	util_free_secret(text);
	cJSON_Delete(j);
}

void
format_ice_servers(struct strbuf *out, const struct ice_list *l)
{
	add_json(out, servers_json(l), 0);
}

cJSON *
format_report(const struct engine_result *r, time_t now)
{
	const struct source_report *src;
	cJSON	*o = cJSON_CreateObject(), *sources, *one;
	time_t	 expires = ice_list_expires(&r->list);
	size_t	 i;

	cJSON_AddItemToObject(o, "iceServers", servers_json(&r->list));
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

static int
valid_env_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	    *s == '_'))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		    (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

int
format_listing(const struct settings *s, const char *command)
{
	if (s->format == FMT_JSON || s->format == FMT_TABLE)
		return s->format == FMT_JSON;
	if (SETTING_KIND(s, format) != FROM_FLAG)
		return 0;
	log_error("%s: %s prints table or json, not %s",
	    SETTING_ORIGIN(s, format), command, format_names[s->format]);
	return -1;
}

int
format_check(enum output_format fmt, const struct format_opts *o, char *err,
    size_t errlen)
{
	char	**names, shown[64];
	size_t	 i, n;
	int	 rc = 0;

	if (fmt == FMT_TABLE) {
		snprintf(err, errlen, "table is a format of check and "
		    "providers only");
		return -1;
	}
	if (fmt != FMT_ENV && fmt != FMT_DOTENV)
		return 0;
	n = util_split_list(o->env_names ? o->env_names : "", &names);
	if (n == 0) {
		snprintf(err, errlen, "no variable name given");
		rc = -1;
	}
	for (i = 0; i < n && rc == 0; i++)
		if (!valid_env_name(names[i])) {
			snprintf(err, errlen, "'%s' is not a valid variable "
			    "name", log_escape(names[i], 40, shown,
			    sizeof(shown)));
			rc = -1;
		}
	util_free_list(names, n);
	return rc;
}

/* One line per URL: "turn:user:pass@host:port?transport=udp", with user
 * and password percent-encoded. */
static void
render_str0m(struct strbuf *out, const struct ice_list *l)
{
	const struct ice_server *s;
	const char *colon;
	size_t	 i, j;

	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		for (j = 0; j < s->nurls; j++) {
			colon = strchr(s->urls[j], ':');
			sb_add(out, s->urls[j],
			    (size_t)(colon - s->urls[j] + 1));
			if (s->username != NULL) {
				sb_percent_encode(out, s->username);
				sb_addc(out, ':');
				sb_percent_encode(out, s->credential);
				sb_addc(out, '@');
			}
			sb_adds(out, colon + 1);
			sb_addc(out, '\n');
		}
	}
}

int
format_render(struct strbuf *out, enum output_format fmt,
    const struct engine_result *r, const struct format_opts *o, char *err,
    size_t errlen)
{
	struct strbuf value = { 0 };
	cJSON	*rtc;
	char	**names;
	size_t	 i, n;

	if (format_check(fmt, o, err, errlen) == -1)
		return -1;
	switch (fmt) {
	case FMT_NEKO:
		format_ice_servers(out, &r->list);
		sb_addc(out, '\n');
		break;
	case FMT_RTC:
		rtc = cJSON_CreateObject();
		cJSON_AddItemToObject(rtc, "iceServers",
		    servers_json(&r->list));
		if (o->relay)
			cJSON_AddStringToObject(rtc, "iceTransportPolicy",
			    "relay");
		add_json(out, rtc, 0);
		sb_addc(out, '\n');
		break;
	case FMT_JSON:
		add_json(out, format_report(r, o->now), 1);
		sb_addc(out, '\n');
		break;
	case FMT_ENV:
	case FMT_DOTENV:
		format_ice_servers(&value, &r->list);
		n = util_split_list(o->env_names, &names);
		for (i = 0; i < n; i++) {
			if (fmt == FMT_ENV) {
				sb_addf(out, "export %s=", names[i]);
				sb_shell_quote(out, value.s);
			} else {
				sb_addf(out, "%s=", names[i]);
				sb_adds(out, value.s);
			}
			sb_addc(out, '\n');
		}
		util_free_list(names, n);
		sb_free_secret(&value);
		break;
	case FMT_STR0M:
		render_str0m(out, &r->list);
		break;
	case FMT_TABLE:		/* refused by format_check */
		break;
	}
	return 0;
}
