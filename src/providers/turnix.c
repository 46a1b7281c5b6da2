/* turnix.c: Turnix ICE credentials
 * (POST /api/v1/credentials/ice, body {"ttl":<seconds>}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept turnix_kept = HTTP_KEPT_INIT;

/* Turnix's own default is 30 seconds, too short for any refresh: iceupd
 * always asks. */
#define TURNIX_TTL_DEFAULT	3600
#define TURNIX_TTL_MAX		86400

static int
turnix_configured(const struct settings *s, char *why, size_t len)
{
	if (s->turnix_token == NULL) {
		snprintf(why, len, "TURNIX_API_TOKEN is not set");
		return 0;
	}
	if (api_check_base(s->turnix_base, SETTING_ORIGIN(s, turnix_base),
	    why, len) == -1)
		return -1;
	snprintf(why, len, "API token");
	return 1;
}

int
turnix_take(struct ice_list *l, const cJSON *doc, time_t now,
    time_t expires, struct provider_status *st)
{
	const cJSON *servers, *at;
	char	 shown[64];
	time_t	 t;

	servers = cJSON_GetObjectItemCaseSensitive(doc, "iceServers");
	if (!cJSON_IsArray(servers) && !cJSON_IsObject(servers)) {
		snprintf(st->error, sizeof(st->error), "answer has no "
		    "iceServers");
		st->permanent = 1;
		return -1;
	}
	/* The lifetime granted may be shorter than the one asked; a longer
	 * one is not believed (a later refresh costs little). */
	at = cJSON_GetObjectItemCaseSensitive(doc, "expiresAt");
	if (cJSON_IsString(at)) {
		if (util_parse_rfc3339_any(at->valuestring, &t) == -1)
			snprintf(st->note, sizeof(st->note), "expiresAt '%s' "
			    "is no time: the ttl asked is used",
			    log_escape(at->valuestring, 40, shown,
			    sizeof(shown)));
		else if (t <= now) {
			snprintf(st->error, sizeof(st->error), "the "
			    "credentials expired on arrival (expiresAt %s)",
			    log_escape(at->valuestring, 40, shown,
			    sizeof(shown)));
			return -1;
		} else if (t < expires) {
			snprintf(st->note, sizeof(st->note), "granted %lld s "
			    "of the %lld asked", (long long)(t - now),
			    (long long)(expires - now));
			expires = t;
		}
	}
	return api_take_servers(l, servers, expires, 0, st);
}

static int
turnix_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct api_call	 c;
	struct strbuf	 url = { 0 }, body = { 0 };
	long		 ttl;
	int		 rc;

	ttl = provider_ttl(s, 0, TURNIX_TTL_DEFAULT, TURNIX_TTL_MAX);
	api_add_base(&url, s->turnix_base);
	sb_adds(&url, "/api/v1/credentials/ice");
	sb_addf(&body, "{\"ttl\":%ld}", ttl);

	api_call_init(&c, "POST", url.s, s, st, &turnix_kept);
	c.rq.bearer = s->turnix_token;
	c.rq.content_type = "application/json";
	c.rq.body = body.s;
	c.rq.bodylen = body.len;
	c.auth_hint = "check TURNIX_API_TOKEN";
	c.missing_hint = "check TURNIX_API_BASE";
	rc = api_fetch(&c, turnix_take, ttl, l, st);
	sb_free(&url);
	sb_free(&body);
	return rc;
}

static const char *const turnix_reads[] = { "turnix.", NULL };

const struct provider provider_turnix = {
	.name = "turnix",
	.reads = turnix_reads,
	.turn_capable = 1,
	.configured = turnix_configured,
	.fetch = turnix_fetch,
};
