/* twilio.c: Twilio Network Traversal Service tokens
 * (POST /2010-04-01/Accounts/{AccountSid}/Tokens.json). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept twilio_kept = HTTP_KEPT_INIT;

#define TWILIO_TTL_MAX	86400	/* "configurable up to 24 hours" */

/* AC or SK followed by 32 hex digits. */
static int
valid_sid(const char *s, const char *prefix)
{
	size_t	 i;

	if (strlen(s) != 34 || strncmp(s, prefix, 2) != 0)
		return 0;
	for (i = 2; i < 34; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

static int
twilio_configured(const struct settings *s, char *why, size_t len)
{
	int	 key = s->twilio_key_sid != NULL || s->twilio_key_secret != NULL;

	if (s->twilio_sid == NULL) {
		if (s->twilio_token == NULL && !key) {
			snprintf(why, len, "TWILIO_ACCOUNT_SID is not set");
			return 0;
		}
		snprintf(why, len, "credentials are set but TWILIO_ACCOUNT_SID "
		    "is not");
		return -1;
	}
	if (!valid_sid(s->twilio_sid, "AC")) {
		snprintf(why, len, "%s: not an Account SID (AC followed by 32 "
		    "hex digits)", SETTING_ORIGIN(s, twilio_sid));
		return -1;
	}
	if (key && (s->twilio_key_sid == NULL ||
	    s->twilio_key_secret == NULL)) {
		snprintf(why, len, "TWILIO_API_KEY_SID and "
		    "TWILIO_API_KEY_SECRET go together");
		return -1;
	}
	if (key && !valid_sid(s->twilio_key_sid, "SK")) {
		snprintf(why, len, "%s: not an API key SID (SK followed by 32 "
		    "hex digits)", SETTING_ORIGIN(s, twilio_key_sid));
		return -1;
	}
	if (!key && s->twilio_token == NULL) {
		snprintf(why, len, "TWILIO_ACCOUNT_SID is set without "
		    "TWILIO_AUTH_TOKEN or TWILIO_API_KEY_SID and "
		    "TWILIO_API_KEY_SECRET");
		return -1;
	}
	if (api_check_base(s->twilio_base, SETTING_ORIGIN(s, twilio_base),
	    why, len) == -1)
		return -1;
	snprintf(why, len, "account %.6s..., %s", s->twilio_sid,
	    key ? "API key" : "auth token");
	return 1;
}

/* Twilio's ttl is a string ("86400"); a number is accepted too. */
static long
answer_ttl(const cJSON *doc, long asked)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "ttl");
	long	 ttl;

	if (cJSON_IsString(v) &&
	    util_parse_long(v->valuestring, 1, 7 * 86400, &ttl) == 0)
		return ttl;
	if (cJSON_IsNumber(v) && v->valuedouble >= 1 &&
	    v->valuedouble <= 7 * 86400)
		return (long)v->valuedouble;
	return asked;
}

static int
twilio_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct api_call	 c;
	struct strbuf	 url = { 0 }, auth = { 0 }, body = { 0 };
	const cJSON	*servers;
	cJSON		*doc = NULL;
	long		 ttl;
	int		 key = s->twilio_key_sid != NULL, rc = -1;

	ttl = provider_ttl(s, s->twilio_ttl, 0, TWILIO_TTL_MAX);
	api_add_base(&url, s->twilio_base);
	sb_addf(&url, "/2010-04-01/Accounts/%s/Tokens.json", s->twilio_sid);
	sb_addf(&auth, "%s:%s", key ? s->twilio_key_sid : s->twilio_sid,
	    key ? s->twilio_key_secret : s->twilio_token);
	if (ttl > 0)
		sb_addf(&body, "Ttl=%ld", ttl);
	else
		sb_adds(&body, "");

	memset(&c, 0, sizeof(c));
	c.rq.method = "POST";
	c.rq.url = url.s;
	c.rq.userpwd = auth.s;
	c.rq.content_type = "application/x-www-form-urlencoded";
	c.rq.body = body.s;
	c.rq.bodylen = body.len;
	c.rq.cacert = s->cacert;
	c.rq.deadline = st->deadline;
	c.kept = &twilio_kept;
	c.auth_hint = key ? "check TWILIO_API_KEY_SID and "
	    "TWILIO_API_KEY_SECRET" : "check TWILIO_AUTH_TOKEN";
	c.missing_hint = "check TWILIO_ACCOUNT_SID and TWILIO_API_BASE";
	if ((doc = api_call(&c, st)) == NULL)
		goto out;

	servers = cJSON_GetObjectItemCaseSensitive(doc, "ice_servers");
	if (!cJSON_IsArray(servers)) {
		snprintf(st->error, sizeof(st->error), "answer has no "
		    "ice_servers array");
		st->permanent = 1;
		goto out;
	}
	ttl = answer_ttl(doc, ttl > 0 ? ttl : TWILIO_TTL_MAX);
	l->fetched_at = time(NULL);
	if (api_take_servers(l, servers, l->fetched_at + ttl, 0, st) == -1)
		goto out;
	rc = 0;
out:
	cJSON_Delete(doc);
	sb_free(&url);
	if (auth.s != NULL)
		explicit_bzero(auth.s, auth.cap);
	sb_free(&auth);
	sb_free(&body);
	return rc;
}

static const char *const twilio_reads[] = { "twilio.", NULL };

const struct provider provider_twilio = {
	.name = "twilio",
	.reads = twilio_reads,
	.turn_capable = 1,
	.configured = twilio_configured,
	.fetch = twilio_fetch,
};
