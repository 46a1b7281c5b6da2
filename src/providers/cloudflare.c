/* cloudflare.c: Cloudflare Realtime TURN keys
 * (POST /v1/turn/keys/{id}/credentials/generate-ice-servers). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept cloudflare_kept = HTTP_KEPT_INIT;

#define CLOUDFLARE_TTL_DEFAULT	86400
#define CLOUDFLARE_TTL_MAX	(48 * 3600)	/* the most it will mint */

static int
cloudflare_configured(const struct settings *s, char *why, size_t len)
{
	if (s->cf_key_id == NULL && s->cf_token == NULL) {
		snprintf(why, len, "CLOUDFLARE_TURN_KEY_ID is not set");
		return 0;
	}
	if (s->cf_key_id == NULL || s->cf_token == NULL) {
		snprintf(why, len, "CLOUDFLARE_TURN_KEY_ID and "
		    "CLOUDFLARE_TURN_API_TOKEN go together");
		return -1;
	}
	if (!api_safe_token(s->cf_key_id)) {
		snprintf(why, len, "%s: not a TURN key id (letters, digits, "
		    "'-' and '_')", SETTING_ORIGIN(s, cf_key_id));
		return -1;
	}
	if (api_check_base(s->cf_base, SETTING_ORIGIN(s, cf_base), why,
	    len) == -1)
		return -1;
	snprintf(why, len, "TURN key %.8s...", s->cf_key_id);
	return 1;
}

/* The answer carries no lifetime: the one asked for is the one. */
static int
cloudflare_take(struct ice_list *l, const cJSON *doc, time_t now,
    time_t expires, struct provider_status *st)
{
	/* An array now; one object in the older generate endpoint. */
	const cJSON *servers = cJSON_GetObjectItemCaseSensitive(doc,
	    "iceServers");

	(void)now;
	if (!cJSON_IsArray(servers) && !cJSON_IsObject(servers)) {
		snprintf(st->error, sizeof(st->error), "answer has no "
		    "iceServers");
		st->permanent = 1;
		return -1;
	}
	return api_take_servers(l, servers, expires, 1, st);
}

static int
cloudflare_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct api_call	 c;
	struct strbuf	 url = { 0 }, body = { 0 };
	long		 ttl;
	int		 rc;

	ttl = provider_ttl(s, 0, CLOUDFLARE_TTL_DEFAULT, CLOUDFLARE_TTL_MAX);
	api_add_base(&url, s->cf_base);
	sb_addf(&url, "/v1/turn/keys/%s/credentials/generate-ice-servers",
	    s->cf_key_id);
	sb_addf(&body, "{\"ttl\":%ld}", ttl);

	api_call_init(&c, "POST", url.s, s, st, &cloudflare_kept);
	c.rq.bearer = s->cf_token;
	c.rq.content_type = "application/json";
	c.rq.body = body.s;
	c.rq.bodylen = body.len;
	c.auth_hint = "check CLOUDFLARE_TURN_API_TOKEN";
	c.missing_hint = "check CLOUDFLARE_TURN_KEY_ID and CLOUDFLARE_API_BASE";
	rc = api_fetch(&c, cloudflare_take, ttl, l, st);
	sb_free(&url);
	sb_free(&body);
	return rc;
}

static const char *const cloudflare_reads[] = { "cloudflare.", NULL };

const struct provider provider_cloudflare = {
	.name = "cloudflare",
	.reads = cloudflare_reads,
	.turn_capable = 1,
	.configured = cloudflare_configured,
	.fetch = cloudflare_fetch,
};
