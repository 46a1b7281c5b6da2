/* twilio.c: Twilio Network Traversal Service tokens
 * (POST /2010-04-01/Accounts/{AccountSid}/Tokens.json). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept twilio_kept = HTTP_KEPT_INIT;

#define TWILIO_TTL_MAX	86400	/* "configurable up to 24 hours" */
#define TWILIO_GLOBAL	"https://api.twilio.com"	/* US1 */

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

/* The edge each region has in Twilio's legacy-regions table (and the
 * SDKs' short-lived defaults).  Only us1, ie1 and au1 process data: the
 * others' region-only hosts always sent requests to US1. */
static const struct {
	const char	*region;
	const char	*edge;
	int		 processing;
} region_edges[] = {
	{ "ie1", "dublin", 1 },
	{ "au1", "sydney", 1 },
	{ "br1", "sao-paulo", 0 },
	{ "de1", "frankfurt", 0 },
	{ "jp1", "tokyo", 0 },
	{ "jp2", "osaka", 0 },
	{ "sg1", "singapore", 0 },
	{ "us2", "umatilla", 0 },
};

/* One DNS label: letters, digits and inner '-', at most 63. */
static int
valid_label(const char *s)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int
twilio_region_base(const char *region, const char *edge,
    struct strbuf *base, char *why, size_t len)
{
	size_t	 i, n = sizeof(region_edges) / sizeof(region_edges[0]);
	const char *p;

	if (region != NULL && !valid_label(region)) {
		snprintf(why, len, "TWILIO_REGION: not a region such as us1, "
		    "ie1 or au1 (letters, digits, '-')");
		return -1;
	}
	if (edge != NULL && !valid_label(edge)) {
		snprintf(why, len, "TWILIO_EDGE: not an edge such as dublin or "
		    "sydney (letters, digits, '-')");
		return -1;
	}
	if (region != NULL && edge == NULL && strcasecmp(region, "us1") != 0) {
		for (i = 0; i < n; i++)
			if (strcasecmp(region, region_edges[i].region) == 0)
				break;
		if (i == n)
			snprintf(why, len, "TWILIO_REGION=%s needs TWILIO_EDGE: "
			    "only us1 works alone (ie1 takes TWILIO_EDGE=dublin, "
			    "au1 TWILIO_EDGE=sydney)", region);
		else if (region_edges[i].processing)
			snprintf(why, len, "TWILIO_REGION=%s needs TWILIO_EDGE="
			    "%s: api.%s.twilio.com was retired on 2026-04-28 "
			    "and %s credentials fail at api.twilio.com", region,
			    region_edges[i].edge, region_edges[i].region,
			    region_edges[i].region);
		else
			snprintf(why, len, "TWILIO_REGION=%s needs TWILIO_EDGE: "
			    "api.%s.twilio.com was retired on 2026-04-28 and "
			    "Twilio processes data in us1, ie1 and au1 only; "
			    "unset TWILIO_REGION, or set TWILIO_REGION=us1 and "
			    "TWILIO_EDGE=%s", region, region_edges[i].region,
			    region_edges[i].edge);
		return -1;
	}
	sb_adds(base, "https://api.");
	for (i = 0; i < 2; i++) {
		p = i == 0 ? edge : (region != NULL ? region : "us1");
		if (p == NULL)
			continue;
		for (; *p != '\0'; p++)
			sb_addc(base, (char)tolower((unsigned char)*p));
		sb_addc(base, '.');
	}
	sb_adds(base, "twilio.com");
	return 0;
}

/* Whether TWILIO_REGION and TWILIO_EDGE choose the host: when one is set
 * and TWILIO_API_BASE is left at the global host (the sample
 * configuration writes it out), which serves no region. */
static int
regional(const struct settings *s)
{
	size_t	 n = strlen(s->twilio_base);

	while (n > 0 && s->twilio_base[n - 1] == '/')
		n--;
	return (s->twilio_region != NULL || s->twilio_edge != NULL) &&
	    n == strlen(TWILIO_GLOBAL) &&
	    strncasecmp(s->twilio_base, TWILIO_GLOBAL, n) == 0;
}

/* The base the request goes to: the one of TWILIO_REGION and TWILIO_EDGE
 * when they choose, else TWILIO_API_BASE.  0, or -1 with why. */
static int
twilio_base(const struct settings *s, struct strbuf *base, char *why,
    size_t len)
{
	if (regional(s))
		return twilio_region_base(s->twilio_region, s->twilio_edge,
		    base, why, len);
	if (api_check_base(s->twilio_base, SETTING_ORIGIN(s, twilio_base),
	    why, len) == -1)
		return -1;
	api_add_base(base, s->twilio_base);
	return 0;
}

static int
twilio_configured(const struct settings *s, char *why, size_t len)
{
	struct strbuf base = { 0 };
	int	 key = s->twilio_key_sid != NULL || s->twilio_key_secret != NULL;
	int	 rc = -1;

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
	if (twilio_base(s, &base, why, len) == -1)
		goto out;
	snprintf(why, len, "account %.6s..., %s, %s", s->twilio_sid,
	    key ? "API key" : "auth token", base.s + strlen("https://"));
	rc = 1;
out:
	sb_free(&base);
	return rc;
}

/* {"ice_servers":[...],"ttl":"86400"}: ttl a string (a number is accepted
 * too); without one, the lifetime asked, else Twilio's longest. */
static int
twilio_take(struct ice_list *l, const cJSON *doc, time_t now,
    time_t expires, struct provider_status *st)
{
	const cJSON *servers = cJSON_GetObjectItemCaseSensitive(doc,
	    "ice_servers");
	long	 ttl;

	if (!cJSON_IsArray(servers)) {
		snprintf(st->error, sizeof(st->error), "answer has no "
		    "ice_servers array");
		st->permanent = 1;
		return -1;
	}
	if (api_lifetime(cJSON_GetObjectItemCaseSensitive(doc, "ttl"),
	    7 * 86400, &ttl) != 0)
		ttl = expires > now ? expires - now : TWILIO_TTL_MAX;
	return api_take_servers(l, servers, now + ttl, 0, st);
}

static int
twilio_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct api_call	 c;
	struct strbuf	 url = { 0 }, auth = { 0 }, body = { 0 };
	long		 ttl;
	int		 key = s->twilio_key_sid != NULL, rc = -1;

	ttl = provider_ttl(s, s->twilio_ttl, 0, TWILIO_TTL_MAX);
	if (twilio_base(s, &url, st->error, sizeof(st->error)) == -1) {
		st->permanent = 1;
		goto out;
	}
	sb_addf(&url, "/2010-04-01/Accounts/%s/Tokens.json", s->twilio_sid);
	sb_addf(&auth, "%s:%s", key ? s->twilio_key_sid : s->twilio_sid,
	    key ? s->twilio_key_secret : s->twilio_token);
	if (ttl > 0)
		sb_addf(&body, "Ttl=%ld", ttl);
	else
		sb_adds(&body, "");

	api_call_init(&c, "POST", url.s, s, st, &twilio_kept);
	c.rq.userpwd = auth.s;
	c.rq.content_type = "application/x-www-form-urlencoded";
	c.rq.body = body.s;
	c.rq.bodylen = body.len;
	c.auth_hint = key ? "check TWILIO_API_KEY_SID and "
	    "TWILIO_API_KEY_SECRET" : "check TWILIO_AUTH_TOKEN";
	c.missing_hint = regional(s) ?
	    "check TWILIO_ACCOUNT_SID, TWILIO_REGION and TWILIO_EDGE" :
	    "check TWILIO_ACCOUNT_SID and TWILIO_API_BASE";
	rc = api_fetch(&c, twilio_take, ttl, l, st);
out:
	sb_free(&url);
	sb_free_secret(&auth);
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
