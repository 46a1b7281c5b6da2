/* url.c: any credentials endpoint an operator already runs (provider url):
 * an RTCConfiguration or a bare iceServers array, iceupd's json report or
 * VK-ICE's answer, a TURN REST answer, or one {urls,username,credential}
 * entry; and its preset matrix (GET /_matrix/client/v3/voip/turnServer).
 *
 * Plain http:// is taken only to loopback, or anywhere with
 * ICEUPD_URL_ALLOW_HTTP: the token and the credentials would travel
 * unencrypted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../log.h"
#include "../util.h"
#include "api.h"
#include "url.h"

#define MATRIX_PATH	"/_matrix/client/v3/voip/turnServer"
#define SHAPES		"an RTCConfiguration {iceServers}, an iceServers " \
			"array, an iceupd or VK-ICE report, TURN REST " \
			"{username,password,ttl,uris} or {urls,username," \
			"credential,ttl}"

/* What one fetch asks, from the url settings or the matrix preset. */
struct endpoint {
	const char	*url;		/* configured; matrix: the base */
	const char	*url_setting;	/* its name, for messages */
	const char	*token;		/* bearer token, or NULL */
	const char	*token_setting;
	const char	*header;	/* "Name: value", or NULL */
	const char	*method;
	int		 matrix;
};

static void
endpoint_of(const struct settings *s, int matrix, struct endpoint *e)
{
	memset(e, 0, sizeof(*e));
	e->matrix = matrix;
	e->method = matrix ? "GET" : url_method_names[s->url_method];
	if (matrix) {
		e->url = s->matrix_homeserver;
		e->url_setting = "MATRIX_HOMESERVER";
		e->token = s->matrix_token;
		e->token_setting = "MATRIX_ACCESS_TOKEN";
		return;
	}
	e->url = s->url;
	e->url_setting = "ICEUPD_URL";
	e->token = s->url_token;
	e->token_setting = "ICEUPD_URL_TOKEN";
	e->header = s->url_header;
}

/* A bearer token as HTTP carries it: visible ASCII, no spaces. */
static int
valid_token(const char *t)
{
	if (*t == '\0' || strlen(t) > 4096)
		return 0;
	for (; *t != '\0'; t++)
		if ((unsigned char)*t <= ' ' || (unsigned char)*t >= 0x7f)
			return 0;
	return 1;
}

/* "Name: value": a field name (RFC 9110 token), a value of visible
 * characters, spaces and tabs; nothing that could start another header. */
static int
valid_header(const char *h)
{
	const char *p;
	size_t	 n = strspn(h, "!#$%&'*+-.^_`|~0123456789"
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");

	if (n == 0 || h[n] != ':' || strlen(h) > 8192)
		return 0;
	for (p = h + n + 1; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0')
		return 0;
	for (; *p != '\0'; p++)
		if (((unsigned char)*p < ' ' && *p != '\t') || *p == 0x7f)
			return 0;
	return 1;
}

/* Returns 0, or -1 with why set. */
static int
endpoint_check(const struct settings *s, const struct endpoint *e,
    struct api_url *u, char *why, size_t len)
{
	if (api_url_split(e->url, "https http", e->url_setting, u, why,
	    len) == -1)
		return -1;
	if (u->plain && !u->loopback && !s->url_allow_http) {
		snprintf(why, len, "%s: plain http:// to %s would send the "
		    "credentials unencrypted: use https://, or set "
		    "ICEUPD_URL_ALLOW_HTTP=true on a network you trust",
		    e->url_setting, u->host);
		return -1;
	}
	if (e->matrix && *u->path != '\0' && strcmp(u->path, "/") != 0) {
		snprintf(why, len, "MATRIX_HOMESERVER: give the homeserver's "
		    "base URL (https://HOST[:PORT]), without a path");
		return -1;
	}
	if (e->token != NULL && !valid_token(e->token)) {
		snprintf(why, len, "%s: not a bearer token (visible ASCII, "
		    "no spaces)", e->token_setting);
		return -1;
	}
	if (e->header != NULL && !valid_header(e->header)) {
		snprintf(why, len, "ICEUPD_URL_HEADER: not one 'Name: value' "
		    "header");
		return -1;
	}
	if (e->header != NULL && e->token != NULL &&
	    strncasecmp(e->header, "Authorization:", 14) == 0) {
		snprintf(why, len, "ICEUPD_URL_TOKEN and an Authorization "
		    "ICEUPD_URL_HEADER are both set: set one");
		return -1;
	}
	return 0;
}

static int
url_configured(const struct settings *s, char *why, size_t len)
{
	struct endpoint	 e;
	struct api_url	 u;
	struct strbuf	 shown = { 0 };

	endpoint_of(s, 0, &e);
	if (s->url == NULL) {
		if (s->url_token == NULL && s->url_header == NULL) {
			snprintf(why, len, "ICEUPD_URL is not set");
			return 0;
		}
		snprintf(why, len, "%s is set without ICEUPD_URL",
		    s->url_token ? "ICEUPD_URL_TOKEN" : "ICEUPD_URL_HEADER");
		return -1;
	}
	if (endpoint_check(s, &e, &u, why, len) == -1)
		return -1;
	api_shown_url(s->url, &shown);
	log_escape(shown.s, 120, why, len);
	sb_free(&shown);
	snprintf(why + strlen(why), len - strlen(why), ", %s%s", e.method,
	    e.token ? ", bearer token" : e.header ? ", extra header" : "");
	return 1;
}

static int
matrix_configured(const struct settings *s, char *why, size_t len)
{
	struct endpoint	 e;
	struct api_url	 u;

	endpoint_of(s, 1, &e);
	if (s->matrix_homeserver == NULL && s->matrix_token == NULL) {
		snprintf(why, len, "MATRIX_HOMESERVER is not set");
		return 0;
	}
	if (s->matrix_homeserver == NULL || s->matrix_token == NULL) {
		snprintf(why, len, "MATRIX_HOMESERVER and MATRIX_ACCESS_TOKEN "
		    "go together");
		return -1;
	}
	if (endpoint_check(s, &e, &u, why, len) == -1)
		return -1;
	snprintf(why, len, "homeserver %s", u.host);
	return 1;
}

/* Where an answer's lifetime comes from, and what it was called. */
struct answer {
	const char	*shape;		/* for -v */
	char		 from[48];	/* a report's provider, escaped, or "" */
	const cJSON	*servers;	/* what api_take_servers reads */
	int		 turn_rest;	/* servers: username, password, uris */
	time_t		 fetched_at;
	time_t		 expires;	/* 0: unknown */
};

static int
bad_field(struct provider_status *st, const char *shape, const char *field,
    const char *want)
{
	snprintf(st->error, sizeof(st->error), "answer looks like %s but its "
	    "%s is not %s", shape, field, want);
	st->permanent = 1;
	return -1;
}

/* An answer with an iceServers array: RTCConfiguration, iceupd's json
 * report (expires_at, fetched_at: RFC 3339) or VK-ICE's (remaining_ttl,
 * ttl_seconds).  Returns 0, or -1 with st->error set. */
static int
read_report(const cJSON *doc, time_t now, struct answer *a,
    struct provider_status *st)
{
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(doc, "expires_at");
	const cJSON *made = cJSON_GetObjectItemCaseSensitive(doc,
	    "fetched_at");
	const cJSON *left = cJSON_GetObjectItemCaseSensitive(doc,
	    "remaining_ttl");
	const cJSON *life = cJSON_GetObjectItemCaseSensitive(doc,
	    "ttl_seconds");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(doc, "provider");
	time_t	 t;
	long	 n;

	if (cJSON_IsString(from))
		log_escape(from->valuestring, 32, a->from, sizeof(a->from));
	if (exp != NULL || made != NULL) {
		a->shape = "an iceupd json report";
		if (cJSON_IsString(exp)) {
			if (util_parse_rfc3339(exp->valuestring,
			    &a->expires) == -1)
				return bad_field(st, a->shape, "expires_at",
				    "an RFC 3339 time");
		} else if (exp != NULL && !cJSON_IsNull(exp))
			return bad_field(st, a->shape, "expires_at",
			    "an RFC 3339 time");
		if (cJSON_IsString(made) &&
		    util_parse_rfc3339(made->valuestring, &t) == 0 &&
		    t <= now &&
		    (a->expires == 0 || t < a->expires))
			a->fetched_at = t;
		return 0;
	}
	if (left == NULL && life == NULL) {
		a->shape = "an RTCConfiguration";
		return 0;
	}
	a->shape = "a VK-ICE answer";
	if (left != NULL && !cJSON_IsNull(left)) {
		if (!cJSON_IsNumber(left) || left->valuedouble < 0 ||
		    left->valuedouble > PROVIDER_LIFETIME_MAX)
			return bad_field(st, a->shape, "remaining_ttl",
			    "a number of seconds");
		a->expires = now + (time_t)left->valuedouble;
		if (api_lifetime(life, PROVIDER_LIFETIME_MAX, &n) == 0 &&
		    n >= left->valuedouble)
			a->fetched_at = a->expires - n;
	}
	return 0;
}

/* Recognises doc.  Returns 0, or -1 with st->error set. */
static int
read_answer(const cJSON *doc, int matrix, time_t now, struct answer *a,
    struct provider_status *st)
{
	const cJSON *servers, *uris, *urls;
	long	 ttl;
	int	 rc;

	memset(a, 0, sizeof(*a));
	a->fetched_at = now;
	if (cJSON_IsArray(doc)) {
		a->shape = "a bare iceServers array";
		a->servers = doc;
		return 0;
	}
	if (!cJSON_IsObject(doc))
		goto unknown;
	if ((servers = cJSON_GetObjectItemCaseSensitive(doc, "iceServers"))) {
		if (!cJSON_IsArray(servers))
			return bad_field(st, "an RTCConfiguration",
			    "iceServers", "an array");
		a->servers = servers;
		return read_report(doc, now, a, st);
	}
	uris = cJSON_GetObjectItemCaseSensitive(doc, "uris");
	urls = cJSON_GetObjectItemCaseSensitive(doc, "urls");
	if (uris != NULL)
		a->shape = matrix ? "a Matrix turnServer answer" :
		    "a TURN REST answer";
	else if (urls != NULL)
		a->shape = "a TURN service answer";
	else
		goto unknown;
	if (uris != NULL && !cJSON_IsArray(uris))
		return bad_field(st, a->shape, "uris", "an array");
	if ((rc = api_lifetime(cJSON_GetObjectItemCaseSensitive(doc, "ttl"),
	    PROVIDER_LIFETIME_MAX, &ttl)) == -1)
		return bad_field(st, a->shape, "ttl", "a number of seconds "
		    "from 1 to 30 days");
	if (rc == 0)
		a->expires = now + ttl;
	a->servers = doc;
	a->turn_rest = uris != NULL;
	return 0;
unknown:
	if (matrix && cJSON_IsObject(doc) && doc->child == NULL)
		snprintf(st->error, sizeof(st->error), "the homeserver "
		    "offers no TURN server (an empty answer: its TURN URIs "
		    "and secret are not configured)");
	else
		snprintf(st->error, sizeof(st->error), "answer is not one of "
		    "the shapes known: expected " SHAPES);
	st->permanent = 1;
	return -1;
}

/* TURN REST names the credential "password" and the URLs "uris": the same
 * entry under RTCIceServer names, for api_take_servers. */
static cJSON *
as_ice_server(const cJSON *doc)
{
	static const char *const names[][2] = { { "uris", "urls" },
		{ "username", "username" }, { "password", "credential" } };
	const cJSON *v;
	cJSON	*e = cJSON_CreateObject();
	size_t	 i;

	if (e == NULL)
		util_out_of_memory();
	for (i = 0; i < 3; i++)
		if ((v = cJSON_GetObjectItemCaseSensitive(doc,
		    names[i][0])) != NULL)
			cJSON_AddItemReferenceToObject(e, names[i][1],
			    (cJSON *)v);
	return e;
}

int
url_take_answer(const cJSON *doc, int matrix, time_t now, struct ice_list *l,
    struct provider_status *st)
{
	struct answer	 a;
	cJSON		*entry = NULL;
	int		 rc = -1;

	if (read_answer(doc, matrix, now, &a, st) == -1)
		goto out;
	if (a.expires != 0 && a.expires <= now) {
		snprintf(st->error, sizeof(st->error), "%s whose credentials "
		    "have expired", a.shape);
		goto out;
	}
	if (a.turn_rest)
		a.servers = entry = as_ice_server(doc);
	l->fetched_at = a.fetched_at;
	if (api_take_servers(l, a.servers, a.expires, 0, st) == -1)
		goto out;
	snprintf(st->note, sizeof(st->note), "%s%s%s%s", a.shape,
	    a.from[0] ? " from " : "", a.from, a.expires ? "" :
	    ", no expiry given");
	rc = 0;
out:
	cJSON_Delete(entry);
	return rc;
}

/* Kept between refreshes of watch and serve. */
static struct http_kept url_kept = HTTP_KEPT_INIT;
static struct http_kept matrix_kept = HTTP_KEPT_INIT;

static int
fetch_endpoint(const struct settings *s, int matrix, struct ice_list *l,
    struct provider_status *st)
{
	struct endpoint	 e;
	struct api_url	 u;
	struct api_call	 c;
	struct strbuf	 url = { 0 }, shown = { 0 };
	const char	*headers[2] = { NULL, NULL };
	cJSON		*doc = NULL;
	int		 rc = -1;

	endpoint_of(s, matrix, &e);
	if (endpoint_check(s, &e, &u, st->error, sizeof(st->error)) == -1) {
		st->permanent = 1;
		goto out;
	}
	if (matrix) {
		api_add_base(&url, e.url);
		sb_adds(&url, MATRIX_PATH);
	} else
		sb_adds(&url, e.url);
	api_shown_url(url.s, &shown);
	headers[0] = e.header;

	api_call_init(&c, e.method, url.s, s, st,
	    matrix ? &matrix_kept : &url_kept);
	c.rq.shown_url = shown.s;
	c.rq.bearer = e.token;
	c.rq.headers = headers;
	c.rq.allow_http = u.plain;
	c.auth_hint = matrix ? "check MATRIX_ACCESS_TOKEN" :
	    e.header ? "check ICEUPD_URL_HEADER" : e.token ?
	    "check ICEUPD_URL_TOKEN" : "the endpoint wants ICEUPD_URL_TOKEN "
	    "or ICEUPD_URL_HEADER";
	c.missing_hint = matrix ? "check MATRIX_HOMESERVER" :
	    "check ICEUPD_URL";
	if ((doc = api_call(&c, st)) == NULL)
		goto out;
	rc = url_take_answer(doc, matrix, time(NULL), l, st);
out:
	cJSON_Delete(doc);
	sb_free(&url);
	sb_free(&shown);
	return rc;
}

static int
url_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	return fetch_endpoint(s, 0, l, st);
}

static int
matrix_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	return fetch_endpoint(s, 1, l, st);
}

const struct provider provider_url = {
	.name = "url",
	.turn_capable = 1,
	.configured = url_configured,
	.fetch = url_fetch,
};

const struct provider provider_matrix = {
	.name = "matrix",
	.turn_capable = 1,
	.configured = matrix_configured,
	.fetch = matrix_fetch,
};
