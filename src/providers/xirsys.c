/* xirsys.c: Xirsys TURN credentials
 * (PUT /_turn/<channel>?expire=<seconds>, body {"format":"urls"}). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../util.h"
#include "api.h"

/* Kept between refreshes of watch and serve. */
static struct http_kept xirsys_kept = HTTP_KEPT_INIT;

#define XIRSYS_TTL_DEFAULT	3600
#define XIRSYS_TTL_MAX		21600	/* the most Xirsys's clients ask */
#define XIRSYS_CHANNEL_MAX	256

/* A channel name, or a path of them ("voice/production"): segments of
 * letters, digits, '-' and '_', so the URL path is the one meant. */
static int
valid_channel(const char *c)
{
	char	 seg[XIRSYS_CHANNEL_MAX + 1];
	size_t	 n;

	if (strlen(c) > XIRSYS_CHANNEL_MAX)
		return 0;
	for (;;) {
		n = strcspn(c, "/");
		memcpy(seg, c, n);
		seg[n] = '\0';
		if (!api_safe_token(seg))
			return 0;
		if (c[n] == '\0')
			return 1;
		c += n + 1;
	}
}

/* An ident is the user of HTTP Basic: printable, no ':'. */
static int
valid_ident(const char *s)
{
	if (*s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f || *s == ':')
			return 0;
	return 1;
}

static int
xirsys_configured(const struct settings *s, char *why, size_t len)
{
	const char *missing;

	if (s->xirsys_ident == NULL && s->xirsys_secret == NULL &&
	    s->xirsys_channel == NULL) {
		snprintf(why, len, "XIRSYS_IDENT is not set");
		return 0;
	}
	missing = s->xirsys_ident == NULL ? "XIRSYS_IDENT" :
	    s->xirsys_secret == NULL ? "XIRSYS_SECRET" :
	    s->xirsys_channel == NULL ? "XIRSYS_CHANNEL" : NULL;
	if (missing != NULL) {
		snprintf(why, len, "XIRSYS_IDENT, XIRSYS_SECRET and "
		    "XIRSYS_CHANNEL go together: %s is not set", missing);
		return -1;
	}
	if (!valid_ident(s->xirsys_ident)) {
		snprintf(why, len, "%s: not an ident (printable, no ':')",
		    SETTING_ORIGIN(s, xirsys_ident));
		return -1;
	}
	if (!valid_channel(s->xirsys_channel)) {
		snprintf(why, len, "%s: not a channel (names of letters, "
		    "digits, '-' and '_', separated by '/')",
		    SETTING_ORIGIN(s, xirsys_channel));
		return -1;
	}
	if (api_check_base(s->xirsys_base, SETTING_ORIGIN(s, xirsys_base),
	    why, len) == -1)
		return -1;
	snprintf(why, len, "ident %.12s, channel %.60s", s->xirsys_ident,
	    s->xirsys_channel);
	return 1;
}

/* The answer carries no lifetime: the one asked for is the one. */
int
xirsys_take(struct ice_list *l, const cJSON *doc, time_t now,
    time_t expires, struct provider_status *st)
{
	const cJSON *why, *v, *servers;
	char	 text[160];

	(void)now;
	/* Errors come with HTTP 200 too: "s" decides. */
	if ((why = api_xirsys_error(doc)) != NULL) {
		snprintf(st->error, sizeof(st->error), "Xirsys refused: %s "
		    "(check XIRSYS_IDENT, XIRSYS_SECRET and XIRSYS_CHANNEL)",
		    log_escape(why->valuestring, 120, text, sizeof(text)));
		st->permanent = 1;
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "v");
	servers = cJSON_GetObjectItemCaseSensitive(v, "iceServers");
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(doc, "s")) ||
	    (!cJSON_IsObject(servers) && !cJSON_IsArray(servers))) {
		snprintf(st->error, sizeof(st->error), "answer is not "
		    "{\"s\":\"ok\",\"v\":{\"iceServers\":...}}");
		st->permanent = 1;
		return -1;
	}
	/* One object with format=urls; an array in the older format. */
	return api_take_servers(l, servers, expires, 0, st);
}

static int
xirsys_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	static const char body[] = "{\"format\":\"urls\"}";
	struct api_call	 c;
	struct strbuf	 url = { 0 }, auth = { 0 };
	long		 ttl;
	int		 rc;

	ttl = provider_ttl(s, 0, XIRSYS_TTL_DEFAULT, XIRSYS_TTL_MAX);
	api_add_base(&url, s->xirsys_base);
	sb_addf(&url, "/_turn/%s?expire=%ld", s->xirsys_channel, ttl);
	sb_addf(&auth, "%s:%s", s->xirsys_ident, s->xirsys_secret);

	api_call_init(&c, "PUT", url.s, s, st, &xirsys_kept);
	c.rq.userpwd = auth.s;
	c.rq.content_type = "application/json";
	c.rq.body = body;
	c.rq.bodylen = sizeof(body) - 1;
	c.auth_hint = "check XIRSYS_IDENT and XIRSYS_SECRET";
	c.missing_hint = "check XIRSYS_CHANNEL and XIRSYS_API_BASE";
	rc = api_fetch(&c, xirsys_take, ttl, l, st);
	sb_free(&url);
	sb_free_secret(&auth);
	return rc;
}

static const char *const xirsys_reads[] = { "xirsys.", NULL };

const struct provider provider_xirsys = {
	.name = "xirsys",
	.reads = xirsys_reads,
	.turn_capable = 1,
	.configured = xirsys_configured,
	.fetch = xirsys_fetch,
};
