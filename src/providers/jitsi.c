/* jitsi.c: STUN/TURN servers from a Jitsi or any Prosody deployment through
 * XMPP external service discovery (XEP-0215: pushed at login, asked, or in
 * a room's metadata), and two presets: 8x8 (JaaS, with Brave Talk's room
 * tokens) and kmeet (Infomaniak kMeet). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

#include "../log.h"
#include "../util.h"
#include "../ws.h"
#include "api.h"
#include "jitsi_room.h"
#include "xmpp.h"

#define DOMAIN_MAX	253

/* What one fetch talks to. */
struct target {
	const char	*base;		/* the configured URL */
	const char	*url_origin;	/* where it came from */
	const char	*domain;	/* NULL: the URL's host */
	const char	*domain_setting; /* its name, for hints */
	const char	*room;		/* as configured, or NULL */
	const char	*tenant;	/* JaaS: rooms are under it */
	const char	*token;		/* a JWT, or NULL */
};

/* An XMPP domain as this client sends it: letters, digits, dots, hyphens. */
static int
valid_domain(const char *d)
{
	size_t	 n = strlen(d);

	if (n == 0 || n > DOMAIN_MAX)
		return 0;
	for (; *d != '\0'; d++)
		if (!isalnum((unsigned char)*d) && *d != '.' && *d != '-')
			return 0;
	return 1;
}

/* Checks a target as configured() does: URL, WebSocket support, domain.
 * Returns 0, or -1 with why set.  summary gets a line for `providers`. */
static int
target_check(const struct target *t, struct api_url *u, char *why,
    size_t len)
{
	char	 shown[80];
	const char *domain;

	if (api_url_split(t->base, "https http wss ws", t->url_origin, u, why,
	    len) == -1)
		return -1;
	if (u->ws && !ws_available()) {
		snprintf(why, len, "%s: '%s' needs WebSocket support, which "
		    "this build's libcurl %s lacks: use the BOSH URL "
		    "(https://%s/http-bind) or a build with WebSocket support",
		    t->url_origin, log_escape(t->base, 60, shown,
		    sizeof(shown)), http_version(), u->host);
		return -1;
	}
	domain = t->domain ? t->domain : u->host;
	if (!valid_domain(domain)) {
		snprintf(why, len, "'%s' is not an XMPP domain: set %s",
		    log_escape(domain, 60, shown, sizeof(shown)),
		    t->domain_setting);
		return -1;
	}
	return 0;
}

/* Whether -p names this provider: presets are asked only when chosen. */
static int
selected(const struct settings *s, const char *name)
{
	char	**names = NULL;
	size_t	 i, n;
	int	 yes = 0;

	if (s->providers == NULL)
		return 0;
	n = util_split_list(s->providers, &names);
	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			yes = 1;
	util_free_list(names, n);
	return yes;
}

/* Appends the query parameter name=value to url and shown (hidden there
 * when secret); value is percent-encoded unless encoded says it is. */
static void
add_param(struct strbuf *url, struct strbuf *shown, const char *name,
    const char *value, int secret, int encoded)
{
	sb_addc(url, strchr(url->s, '?') ? '&' : '?');
	sb_addc(shown, strchr(shown->s, '?') ? '&' : '?');
	sb_addf(url, "%s=", name);
	sb_addf(shown, "%s=", name);
	if (encoded)
		sb_adds(url, value);
	else
		sb_percent_encode(url, value);
	if (secret)
		sb_adds(shown, "(hidden)");
	else if (encoded)
		sb_adds(shown, value);
	else
		sb_percent_encode(shown, value);
}

static int
hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
	    c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* decodeURIComponent: the bytes of s with every %XX decoded, into *out
 * (malloc'd, *len bytes).  -1 when a '%' starts no escape or the bytes are
 * not UTF-8, as the browser's decoding then fails. */
static int
uri_decode(const char *s, uint8_t **out, size_t *len)
{
	size_t	 n = strlen(s), i, k = 0;
	uint8_t	*b = xmalloc(n + 1);

	for (i = 0; i < n; i++) {
		if (s[i] != '%') {
			b[k++] = (uint8_t)s[i];
			continue;
		}
		if (hex_value(s[i + 1]) < 0 || hex_value(s[i + 2]) < 0)
			goto fail;
		b[k++] = (uint8_t)(hex_value(s[i + 1]) << 4 |
		    hex_value(s[i + 2]));
		i += 2;
	}
	if (u8_check(b, k) != NULL)
		goto fail;
	*out = b;
	*len = k;
	return 0;
fail:
	free(b);
	return -1;
}

/* The room as a Jitsi client sends it, in ?room= and as the node of the
 * room's JID (jitsi-meet's getBackendSafeRoomName): decoded when it
 * decodes, NFKC-normalised, lowercased (Unicode default case mapping),
 * then encoded as encodeURIComponent does, with lowercase hex digits.  A
 * room that is not UTF-8 gets its ASCII letters lowercased only. */
static void
room_node(const char *room, struct strbuf *node)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t	*plain, *nfkc = NULL, *lower = NULL;
	const uint8_t *p;
	size_t	 len, nlen, llen, i;

	if (uri_decode(room, &plain, &len) == -1) {
		plain = (uint8_t *)xstrdup(room);
		len = strlen(room);
	}
	if (u8_check(plain, len) == NULL &&
	    (nfkc = u8_normalize(UNINORM_NFKC, plain, len, NULL,
	    &nlen)) != NULL)
		lower = u8_tolower(nfkc, nlen, NULL, NULL, NULL, &llen);
	if (lower == NULL) {
		for (i = 0; i < len; i++)
			plain[i] = (uint8_t)tolower(plain[i]);
		p = plain;
		llen = len;
	} else
		p = lower;
	node->len = 0;
	sb_adds(node, "");
	for (i = 0; i < llen; i++) {
		if (p[i] != '\0' && p[i] < 0x80 && (isalnum(p[i]) ||
		    strchr("-_.!~*'()", p[i]) != NULL))
			sb_addc(node, (char)p[i]);
		else {
			sb_addc(node, '%');
			sb_addc(node, hex[p[i] >> 4]);
			sb_addc(node, hex[p[i] & 15]);
		}
	}
	free(lower);
	free(nfkc);
	free(plain);
}

/* What the deployment wants, for a refusal; NULL: nothing to add. */
static const char *
refusal_hint(const struct target *t, const struct xmpp_status *xs)
{
	const char *cond = xs->condition;

	switch (xs->step) {
	case XMPP_STEP_SASL:
		if (strcmp(cond, "not-allowed") != 0 &&
		    strcmp(cond, "not-authorized") != 0)
			return NULL;
		return t->token ? "the token (ICEUPD_JITSI_TOKEN) was "
		    "refused: expired, or not for this deployment or room" :
		    "the deployment wants a token (ICEUPD_JITSI_TOKEN)";
	case XMPP_STEP_EXTDISCO:
		if (strcmp(cond, "forbidden") == 0)
			return "only accounts it lists get them, and it "
			    "advertises no Jitsi room metadata for occupants";
		if (strcmp(cond, "not-authorized") == 0)
			return "the deployment wants a token "
			    "(ICEUPD_JITSI_TOKEN)";
		return NULL;
	case XMPP_STEP_FOCUS:
		if (xs->reservation)
			return "the deployment wants the room "
			    "(ICEUPD_JITSI_ROOM) booked in its reservation "
			    "system";
		if (strcmp(cond, "not-authorized") == 0)
			return "only authenticated users start conferences "
			    "there: it wants a token (ICEUPD_JITSI_TOKEN), or "
			    "a room already running (ICEUPD_JITSI_ROOM)";
		if (strcmp(cond, "service-unavailable") == 0 ||
		    strcmp(cond, "item-not-found") == 0 ||
		    strcmp(cond, "remote-server-not-found") == 0 ||
		    strcmp(cond, "remote-server-timeout") == 0)
			return "no conference focus (jicofo) answers there";
		return NULL;
	case XMPP_STEP_ROOM:
		if (strcmp(cond, "not-authorized") == 0)
			return "the room has a password: choose another "
			    "(ICEUPD_JITSI_ROOM)";
		if (strcmp(cond, "registration-required") == 0)
			return "the room is members only (a lobby): choose "
			    "another (ICEUPD_JITSI_ROOM)";
		if (strcmp(cond, "service-unavailable") == 0)
			return "the room is full: choose another "
			    "(ICEUPD_JITSI_ROOM)";
		return NULL;
	default:
		if (strcmp(cond, "host-unknown") == 0 ||
		    strcmp(cond, "improper-addressing") == 0)
			return t->domain_setting;
		return NULL;
	}
}

/* Asks the deployment t for its services. */
static int
target_fetch(const struct settings *s, const struct target *t,
    struct ice_list *l, struct provider_status *st)
{
	struct api_url	 u;
	struct xmpp_query	 q;
	struct xmpp_status	 xs;
	struct strbuf		 url = { 0 }, shown = { 0 }, room = { 0 };
	struct strbuf		 muc = { 0 }, focus = { 0 };
	const char		*hint = NULL;
	char			 msg[512], random_room[25];
	size_t			 n;
	int			 rc = -1;

	if (target_check(t, &u, st->error, sizeof(st->error)) == -1) {
		st->permanent = 1;
		return -1;
	}
	sb_adds(&url, t->base);
	/* A query the user wrote may hold anything: not shown. */
	n = strcspn(t->base, "?");
	sb_add(&shown, t->base, n);
	if (t->base[n] == '?')
		sb_adds(&shown, "?(query)");
	/* As a Jitsi client: the room it may join, in the URL. */
	if (t->room != NULL)
		room_node(t->room, &room);
	else {
		xmpp_random_hex(random_room, sizeof(random_room));
		sb_adds(&room, random_room);
	}
	add_param(&url, &shown, "room", room.s, 0, 1);
	if (t->token != NULL)
		add_param(&url, &shown, "token", t->token, 1, 0);

	memset(&q, 0, sizeof(q));
	q.url = url.s;
	q.shown_url = shown.s;
	q.domain = t->domain ? t->domain : u.host;
	q.cacert = s->cacert;
	q.allow_http = u.plain;
	q.deadline = st->deadline;
	q.room = room.s;
	q.join = jitsi_room_services;
	sb_addf(&muc, "conference.%s%s%s", t->tenant ? t->tenant : "",
	    t->tenant ? "." : "", q.domain);
	sb_addf(&focus, "focus.%s", q.domain);
	q.muc_domain = muc.s;
	q.focus = focus.s;
	rc = xmpp_extdisco(&q, l, &xs);
	if (rc == -1) {
		hint = refusal_hint(t, &xs);
		snprintf(msg, sizeof(msg), "%s%s%s%s", xs.error,
		    hint ? "; " : "", hint == t->domain_setting ? "check " :
		    "", hint ? hint : "");
		snprintf(st->error, sizeof(st->error), "%s", msg);
		st->permanent = xs.permanent;
	}
	if (u.plain && !u.loopback)
		snprintf(st->warning, sizeof(st->warning), "%s uses plain "
		    "%s: the credentials travel unencrypted%s%.150s",
		    t->url_origin, u.ws ? "ws://" : "http://",
		    xs.warning[0] ? "; " : "", xs.warning);
	else
		snprintf(st->warning, sizeof(st->warning), "%s", xs.warning);
	sb_free(&url);
	sb_free(&shown);
	sb_free(&room);
	sb_free(&muc);
	sb_free(&focus);
	return rc;
}

/* ---- jitsi: any deployment ------------------------------------------ */

/* A deployment at base, which the setting url_origin gave, with its XMPP
 * domain (NULL: the URL's host) and that domain's setting; every preset
 * takes jitsi's room and token. */
static void
target_init(struct target *t, const struct settings *s, const char *base,
    const char *url_origin, const char *domain, const char *domain_setting)
{
	memset(t, 0, sizeof(*t));
	t->base = base;
	t->url_origin = url_origin;
	t->domain = domain;
	t->domain_setting = domain_setting;
	t->room = s->jitsi_room;
	t->token = s->jitsi_token;
}

static void
jitsi_target(const struct settings *s, struct target *t)
{
	target_init(t, s, s->jitsi_url, SETTING_ORIGIN(s, jitsi_url),
	    s->jitsi_domain, "ICEUPD_JITSI_DOMAIN");
}

static int
jitsi_configured(const struct settings *s, char *why, size_t len)
{
	struct target	 t;
	struct api_url u;

	if (s->jitsi_url == NULL) {
		if (s->jitsi_domain != NULL || s->jitsi_room != NULL ||
		    s->jitsi_token != NULL) {
			snprintf(why, len, "ICEUPD_JITSI_DOMAIN, _ROOM or "
			    "_TOKEN is set but ICEUPD_JITSI_URL is not");
			return -1;
		}
		snprintf(why, len, "ICEUPD_JITSI_URL is not set");
		return 0;
	}
	jitsi_target(s, &t);
	if (target_check(&t, &u, why, len) == -1)
		return -1;
	snprintf(why, len, "%s, domain %.100s%s", u.ws ? "WebSocket" :
	    "BOSH", t.domain ? t.domain : u.host, t.token ? ", token" : "");
	return 1;
}

static int
jitsi_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct target	 t;

	jitsi_target(s, &t);
	return target_fetch(s, &t, l, st);
}

static const char *const jitsi_reads[] = { "jitsi.", NULL };

const struct provider provider_jitsi = {
	.name = "jitsi",
	.reads = jitsi_reads,
	.turn_capable = 1,
	.configured = jitsi_configured,
	.fetch = jitsi_fetch,
};

/* ---- kmeet ------------------------------------------------------------ */

static void
kmeet_target(const struct settings *s, struct target *t)
{
	target_init(t, s, s->kmeet_url, SETTING_ORIGIN(s, kmeet_url),
	    s->kmeet_domain, "KMEET_DOMAIN");
}

static int
kmeet_configured(const struct settings *s, char *why, size_t len)
{
	struct target	 t;
	struct api_url u;

	if (!selected(s, "kmeet") && SETTING_KIND(s, kmeet_url) ==
	    FROM_DEFAULT && SETTING_KIND(s, kmeet_domain) == FROM_DEFAULT) {
		snprintf(why, len, "a preset: asked when chosen with -p kmeet "
		    "or when KMEET_URL is set");
		return 0;
	}
	if (s->kmeet_url == NULL) {
		snprintf(why, len, "KMEET_URL is empty");
		return -1;
	}
	kmeet_target(s, &t);
	if (target_check(&t, &u, why, len) == -1)
		return -1;
	snprintf(why, len, "%s %s, domain %.100s", u.ws ? "WebSocket" : "BOSH",
	    u.host, t.domain ? t.domain : u.host);
	return 1;
}

static int
kmeet_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct target	 t;

	kmeet_target(s, &t);
	return target_fetch(s, &t, l, st);
}

static const char *const kmeet_reads[] = { "jitsi.", "kmeet.", NULL };

const struct provider provider_kmeet = {
	.name = "kmeet",
	.reads = kmeet_reads,
	.turn_capable = 1,
	.configured = kmeet_configured,
	.fetch = kmeet_fetch,
};

/* ---- 8x8: JaaS and Brave Talk ----------------------------------------- */

/* The XMPP URL of the tenant: JAAS_URL, else WebSocket where this libcurl
 * has it (as the JaaS web client connects), else BOSH. */
static void
jaas_url(const struct settings *s, struct strbuf *url)
{
	if (s->jaas_url != NULL)
		sb_adds(url, s->jaas_url);
	else if (ws_available())
		sb_addf(url, "wss://%s/%s/xmpp-websocket", s->jaas_domain,
		    s->jaas_tenant);
	else
		sb_addf(url, "https://%s/%s/http-bind", s->jaas_domain,
		    s->jaas_tenant);
}

/* The tenant's deployment, its URL built in url. */
static void
jaas_target(const struct settings *s, struct strbuf *url, struct target *t)
{
	jaas_url(s, url);
	target_init(t, s, url->s, s->jaas_url ? SETTING_ORIGIN(s, jaas_url) :
	    "JAAS_TENANT/JAAS_DOMAIN", s->jaas_domain, "JAAS_DOMAIN");
	t->tenant = s->jaas_tenant;
}

static int
jaas_configured(const struct settings *s, char *why, size_t len)
{
	struct target	 t;
	struct api_url u;
	struct strbuf	 url = { 0 };
	int		 rc = -1;

	if (!selected(s, "8x8") && SETTING_KIND(s, jaas_tenant) ==
	    FROM_DEFAULT && SETTING_KIND(s, jaas_brave_api) == FROM_DEFAULT &&
	    SETTING_KIND(s, jaas_url) == FROM_DEFAULT &&
	    SETTING_KIND(s, jaas_domain) == FROM_DEFAULT) {
		snprintf(why, len, "a preset: asked when chosen with -p 8x8 "
		    "or when JAAS_TENANT or BRAVE_TALK_API is set");
		return 0;
	}
	if (s->jaas_tenant == NULL || !api_safe_token(s->jaas_tenant)) {
		snprintf(why, len, "%s: JAAS_TENANT must be a tenant name "
		    "(vpaas-magic-cookie-...)", SETTING_ORIGIN(s, jaas_tenant));
		return -1;
	}
	if (s->jaas_domain == NULL || !valid_domain(s->jaas_domain)) {
		snprintf(why, len, "%s: JAAS_DOMAIN is not a domain",
		    SETTING_ORIGIN(s, jaas_domain));
		return -1;
	}
	if (s->jitsi_token == NULL && s->jitsi_room == NULL) {
		snprintf(why, len, "8x8 needs ICEUPD_JITSI_ROOM (a Brave Talk "
		    "room to join for a token) or ICEUPD_JITSI_TOKEN (a JaaS "
		    "JWT)");
		return -1;
	}
	if (s->jitsi_token == NULL && (s->jaas_brave_api == NULL ||
	    api_url_split(s->jaas_brave_api, "https http",
	    SETTING_ORIGIN(s, jaas_brave_api), &u, why, len) == -1)) {
		if (s->jaas_brave_api == NULL)
			snprintf(why, len, "BRAVE_TALK_API is empty");
		return -1;
	}
	jaas_target(s, &url, &t);
	if (target_check(&t, &u, why, len) == -1)
		goto out;
	snprintf(why, len, "%s %s, tenant %.60s, %s", u.ws ? "WebSocket" :
	    "BOSH", u.host, s->jaas_tenant, s->jitsi_token ? "token" :
	    "token from Brave Talk");
	rc = 1;
out:
	sb_free(&url);
	return rc;
}

/* Brave Talk hands out a JaaS token for a room: OPTIONS on the room for a
 * CSRF token (and cookies), then PUT to join.  Returns the JWT, or NULL
 * with st->error set. */
static char *
brave_jwt(const struct settings *s, struct provider_status *st)
{
	struct api_url	 u;
	struct http_request	 rq;
	struct http_response	 rs;
	struct api_call		 c;
	struct strbuf		 url = { 0 }, csrf = { 0 };
	const char		*headers[2] = { NULL, NULL };
	const cJSON		*v;
	cJSON			*doc = NULL;
	char			*jwt = NULL, *cookies = NULL;

	memset(&rs, 0, sizeof(rs));
	if (api_url_split(s->jaas_brave_api, "https http", "BRAVE_TALK_API", &u,
	    st->error, sizeof(st->error)) == -1) {
		st->permanent = 1;
		return NULL;
	}
	api_add_base(&url, s->jaas_brave_api);
	sb_adds(&url, "/rooms/");
	sb_percent_encode(&url, s->jitsi_room);

	memset(&rq, 0, sizeof(rq));
	rq.method = "OPTIONS";
	rq.url = url.s;
	rq.cacert = s->cacert;
	rq.deadline = st->deadline;
	rq.allow_http = u.plain;
	rq.want_header = "x-csrf-token";
	if (http_fetch(&rq, &rs, st->error, sizeof(st->error)) == -1)
		goto out;
	if (rs.status < 200 || rs.status > 299 || rs.header[0] == '\0') {
		snprintf(st->error, sizeof(st->error), "OPTIONS %s: %s%ld%s",
		    url.s, rs.status < 200 || rs.status > 299 ? "HTTP " : "",
		    rs.status, rs.status < 200 || rs.status > 299 ? "" :
		    " without an x-csrf-token header");
		st->permanent = rs.status >= 400 && rs.status < 500 &&
		    rs.status != 429;
		if ((rs.status == 429 || rs.status == 503) &&
		    rs.retry_after > 0)
			st->retry_after = rs.retry_after;
		goto out;
	}
	log_secret(rs.header);
	sb_addf(&csrf, "x-csrf-token: %s", rs.header);
	headers[0] = csrf.s;
	if (rs.cookies.len > 0) {
		cookies = xstrdup(rs.cookies.s);
		log_secret(cookies);
	}

	api_call_init(&c, "PUT", url.s, s, st, NULL);
	c.rq.content_type = "application/json";
	c.rq.body = "{\"mauP\":false}";
	c.rq.bodylen = strlen(c.rq.body);
	c.rq.headers = headers;
	c.rq.cookie = cookies;
	c.rq.allow_http = u.plain;
	c.auth_hint = "Brave Talk refused the request (it may accept "
	    "browsers only)";
	c.missing_hint = "no such Brave Talk room: check ICEUPD_JITSI_ROOM";
	if ((doc = api_call(&c, st)) == NULL)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(doc, "jwt");
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0') {
		snprintf(st->error, sizeof(st->error), "PUT %s: the answer has "
		    "no jwt", url.s);
		st->permanent = 1;
		goto out;
	}
	jwt = xstrdup(v->valuestring);
	log_secret(jwt);
out:
	http_response_free(&rs);
	cJSON_Delete(doc);
	util_free_secret(cookies);
	sb_free_secret(&csrf);
	sb_free(&url);
	return jwt;
}

static int
jaas_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	struct target	 t;
	struct strbuf	 url = { 0 };
	char		*jwt = NULL;
	int		 rc = -1;

	if (s->jitsi_token == NULL && (jwt = brave_jwt(s, st)) == NULL)
		return -1;
	jaas_target(s, &url, &t);
	if (jwt != NULL)
		t.token = jwt;
	rc = target_fetch(s, &t, l, st);
	util_free_secret(jwt);
	sb_free(&url);
	return rc;
}

static const char *const jaas_reads[] = { "jitsi.", "jaas.", NULL };

const struct provider provider_8x8 = {
	.name = "8x8",
	.reads = jaas_reads,
	.turn_capable = 1,
	.configured = jaas_configured,
	.fetch = jaas_fetch,
};
