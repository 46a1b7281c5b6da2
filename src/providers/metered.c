/* metered.c: Metered TURN credentials
 * (GET https://<app>.metered.live/api/v1/turn/credentials?apiKey=...). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept metered_kept = HTTP_KEPT_INIT;

static int
metered_configured(const struct settings *s, char *why, size_t len)
{
	if (s->metered_key == NULL) {
		if (s->metered_app == NULL && s->metered_base == NULL) {
			snprintf(why, len, "METERED_API_KEY is not set");
			return 0;
		}
		snprintf(why, len, "METERED_APP is set without "
		    "METERED_API_KEY");
		return -1;
	}
	if (s->metered_base != NULL) {
		if (api_check_base(s->metered_base,
		    SETTING_ORIGIN(s, metered_base), why, len) == -1)
			return -1;
	} else if (s->metered_app == NULL) {
		snprintf(why, len, "METERED_API_KEY is set without METERED_APP "
		    "(or METERED_API_BASE)");
		return -1;
	} else if (!api_safe_token(s->metered_app)) {
		snprintf(why, len, "%s: not an app name (letters, digits, "
		    "'-')", SETTING_ORIGIN(s, metered_app));
		return -1;
	}
	snprintf(why, len, "app %s", s->metered_app ? s->metered_app :
	    s->metered_base);
	return 1;
}

/* The answer says nothing of expiry: 0, unknown. */
static int
metered_take(struct ice_list *l, const cJSON *doc, time_t now,
    time_t expires, struct provider_status *st)
{
	(void)now;
	if (!cJSON_IsArray(doc)) {
		snprintf(st->error, sizeof(st->error), "answer is not an "
		    "array of ICE servers");
		st->permanent = 1;
		return -1;
	}
	return api_take_servers(l, doc, expires, 0, st);
}

static int
metered_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct api_call	 c;
	struct strbuf	 base = { 0 }, url = { 0 }, shown = { 0 };
	int		 rc;

	if (s->metered_base != NULL)
		api_add_base(&base, s->metered_base);
	else
		sb_addf(&base, "https://%s.metered.live", s->metered_app);
	sb_addf(&url, "%s/api/v1/turn/credentials?apiKey=", base.s);
	sb_percent_encode(&url, s->metered_key);
	sb_addf(&shown, "%s/api/v1/turn/credentials?apiKey=[redacted]",
	    base.s);

	api_call_init(&c, "GET", url.s, s, st, &metered_kept);
	c.rq.shown_url = shown.s;
	c.auth_hint = "check METERED_API_KEY";
	c.missing_hint = "check METERED_APP or METERED_API_BASE";
	rc = api_fetch(&c, metered_take, 0, l, st);
	sb_free(&base);
	sb_free_secret(&url);
	sb_free(&shown);
	return rc;
}

static const char *const metered_reads[] = { "metered.", NULL };

const struct provider provider_metered = {
	.name = "metered",
	.reads = metered_reads,
	.turn_capable = 1,
	.configured = metered_configured,
	.fetch = metered_fetch,
};
