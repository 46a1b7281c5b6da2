/* api.c: what the hosted HTTPS JSON providers share. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../log.h"
#include "../util.h"
#include "api.h"

/* The error text a JSON API put in its body: Twilio and Google "message",
 * Metered "error", Cloudflare "errors[0].message", OAuth
 * "error_description", Xirsys "v" of {"s":"error"}.  Escaped, short, or ""
 * when there is none. */
static void
error_text(const char *body, char *buf, size_t len)
{
	static const char *const keys[] = { "message", "error_description",
		"error" };
	const cJSON *v = NULL, *code;
	cJSON	*doc;
	size_t	 i;

	buf[0] = '\0';
	if ((doc = cJSON_Parse(body)) == NULL)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(doc,
		    keys[i])))
			break;
	if (!cJSON_IsString(v))
		v = api_xirsys_error(doc);
	if (!cJSON_IsString(v)) {
		v = cJSON_GetObjectItemCaseSensitive(doc, "errors");
		v = cJSON_IsArray(v) ? cJSON_GetArrayItem(v, 0) : NULL;
		v = v ? cJSON_GetObjectItemCaseSensitive(v, "message") : NULL;
	}
	if (cJSON_IsString(v)) {
		log_escape(v->valuestring, 120, buf, len);
		code = cJSON_GetObjectItemCaseSensitive(doc, "code");
		if (cJSON_IsNumber(code) && strlen(buf) + 24 < len)
			snprintf(buf + strlen(buf), len - strlen(buf),
			    " (code %d)", code->valueint);
	}
	cJSON_Delete(doc);
}

const cJSON *
api_xirsys_error(const cJSON *doc)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(doc, "s");
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(doc, "v");

	if (!cJSON_IsString(s) || strcmp(s->valuestring, "ok") == 0)
		return NULL;
	return cJSON_IsString(v) ? v : s;
}

void
api_call_init(struct api_call *c, const char *method, const char *url,
    const struct settings *s, const struct provider_status *st,
    struct http_kept *kept)
{
	memset(c, 0, sizeof(*c));
	c->rq.method = method;
	c->rq.url = url;
	c->rq.cacert = s->cacert;
	c->rq.deadline = st->deadline;
	c->kept = kept;
}

cJSON *
api_call(const struct api_call *c, struct provider_status *st)
{
	struct http_request rq = c->rq;
	struct http_response rs;
	const char *shown = c->rq.shown_url ? c->rq.shown_url : c->rq.url;
	const char *hint = NULL;
	char	 text[160];
	cJSON	*doc = NULL;
	int	 got;

	if (c->kept != NULL && rq.keep == NULL)
		rq.keep = http_kept_take(c->kept);
	got = http_fetch(&rq, &rs, st->error, sizeof(st->error));
	if (c->kept != NULL && rq.keep != c->rq.keep)
		http_kept_give(c->kept, rq.keep);
	if (got == -1)
		return NULL;
	if (rs.status < 200 || rs.status > 299) {
		if (rs.status == 429 || rs.status == 503)
			st->retry_after = rs.retry_after > 0 ?
			    rs.retry_after : 0;
		error_text(rs.body.s, text, sizeof(text));
		if (rs.status == 401 || rs.status == 403) {
			hint = c->auth_hint;
			st->permanent = 1;
		} else if (rs.status == 404) {
			hint = c->missing_hint;
			st->permanent = 1;
		} else if (rs.status >= 400 && rs.status < 500 &&
		    rs.status != 429)
			st->permanent = 1;
		snprintf(st->error, sizeof(st->error), "%s %s: HTTP %ld%s%s%s"
		    "%s%s", c->rq.method, shown, rs.status, hint ? " (" : "",
		    hint ? hint : "", hint ? ")" : "", text[0] ? ": " : "",
		    text);
		goto out;
	}
	/* cJSON turns \u0000 into a NUL that would cut a credential short. */
	if (util_json_has_nul(rs.body.s, rs.body.len)) {
		snprintf(st->error, sizeof(st->error), "%s %s: HTTP %ld with "
		    "a NUL character in the answer", c->rq.method, shown,
		    rs.status);
		st->permanent = 1;
		goto out;
	}
	if ((doc = cJSON_ParseWithLength(rs.body.s, rs.body.len)) == NULL) {
		snprintf(st->error, sizeof(st->error), "%s %s: HTTP %ld with "
		    "a body that is not JSON", c->rq.method, shown, rs.status);
		st->permanent = 1;
	}
out:
	http_response_free(&rs);
	return doc;
}

int
api_fetch(const struct api_call *c, api_take_fn *take, long ttl,
    struct ice_list *l, struct provider_status *st)
{
	cJSON	*doc;
	int	 rc;

	if ((doc = api_call(c, st)) == NULL)
		return -1;
	l->fetched_at = time(NULL);
	rc = take(l, doc, l->fetched_at, ttl > 0 ? l->fetched_at + ttl : 0,
	    st);
	cJSON_Delete(doc);
	return rc;
}

static void
add_url(struct ice_list *l, const char *url, const char *user,
    const char *cred, time_t expires, int skip53, struct provider_status *st,
    size_t *added, size_t *dropped)
{
	struct ice_uri	 u;
	char		 err[128], shown[160];

	if (skip53 && ice_uri_parse(url, &u, err, sizeof(err)) == 0 &&
	    u.port == 53)
		return;		/* browsers block port 53: not an error */
	if (ice_list_add(l, url, user, cred, expires, err, sizeof(err)) == 0) {
		(*added)++;
		return;
	}
	if ((*dropped)++ == 0)
		snprintf(st->warning, sizeof(st->warning), "dropped '%s': %s",
		    ice_uri_shown(url, shown, sizeof(shown)), err);
}

static void
add_entry(struct ice_list *l, const cJSON *e, time_t expires, int skip53,
    struct provider_status *st, size_t *added, size_t *dropped)
{
	const cJSON *urls, *u, *user, *cred;
	const char *username = NULL, *credential = NULL;

	if (!cJSON_IsObject(e)) {
		(*dropped)++;
		return;
	}
	urls = cJSON_GetObjectItemCaseSensitive(e, "urls");
	if (urls == NULL)
		urls = cJSON_GetObjectItemCaseSensitive(e, "url");
	user = cJSON_GetObjectItemCaseSensitive(e, "username");
	cred = cJSON_GetObjectItemCaseSensitive(e, "credential");
	if (cJSON_IsString(user) && cJSON_IsString(cred)) {
		username = user->valuestring;
		credential = cred->valuestring;
	}
	if (cJSON_IsString(urls))
		add_url(l, urls->valuestring, username, credential, expires,
		    skip53, st, added, dropped);
	else if (cJSON_IsArray(urls)) {
		cJSON_ArrayForEach(u, urls) {
			if (cJSON_IsString(u))
				add_url(l, u->valuestring, username,
				    credential, expires, skip53, st, added,
				    dropped);
			else
				(*dropped)++;
		}
	} else
		(*dropped)++;
}

int
api_take_servers(struct ice_list *l, const cJSON *v, time_t expires,
    int skip53, struct provider_status *st)
{
	const cJSON *e;
	size_t	 added = 0, dropped = 0;
	char	 first[sizeof(st->warning)];

	if (cJSON_IsArray(v)) {
		cJSON_ArrayForEach(e, v)
			add_entry(l, e, expires, skip53, st, &added, &dropped);
	} else
		add_entry(l, v, expires, skip53, st, &added, &dropped);
	if (dropped > 0) {
		snprintf(first, sizeof(first), "%s", st->warning);
		snprintf(st->warning, sizeof(st->warning), "%zu entr%s "
		    "dropped%s%.180s", dropped, dropped == 1 ? "y" : "ies",
		    first[0] ? "; first: " : "", first);
	}
	if (added > 0)
		return 0;
	snprintf(st->error, sizeof(st->error), "answer holds no usable "
	    "server%s%.200s", st->warning[0] ? ": " : "", st->warning);
	st->warning[0] = '\0';
	st->permanent = 1;
	return -1;
}

void
api_shown_url(const char *url, struct strbuf *out)
{
	const char	*h = strstr(url, "://"), *at;
	size_t		 n;

	h = h != NULL ? h + 3 : url;
	n = strcspn(h, "/?#");
	sb_add(out, url, (size_t)(h - url));
	if ((at = memrchr(h, '@', n)) != NULL) {
		sb_adds(out, "[redacted]");
		n -= (size_t)(at - h);
		h = at;
	}
	n += strcspn(h + n, "?");
	sb_add(out, h, n);
	if (h[n] == '?')
		sb_adds(out, "?[redacted]");
}

/* url as messages show it, escaped, in buf. */
static char *
shown_in(const char *url, char *buf, size_t len)
{
	struct strbuf	 b = { 0 };

	api_shown_url(url, &b);
	log_escape(b.s, 60, buf, len);
	sb_free(&b);
	return buf;
}

int
api_check_base(const char *base, const char *origin, char *why, size_t len)
{
	char	 shown[80];

	if (strncmp(base, "https://", 8) != 0 || base[8] == '\0' ||
	    base[8] == '/' || strpbrk(base, "@?# \t\r\n") != NULL) {
		snprintf(why, len, "%s: '%s' is not an https:// base URL",
		    origin, shown_in(base, shown, sizeof(shown)));
		return -1;
	}
	return 0;
}

void
api_add_base(struct strbuf *url, const char *base)
{
	size_t	 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	sb_add(url, base, n);
}

int
api_lifetime(const cJSON *v, long max, long *ttl)
{
	if (v == NULL || cJSON_IsNull(v))
		return 1;
	if (cJSON_IsString(v))
		return util_parse_long(v->valuestring, 1, max, ttl);
	if (!cJSON_IsNumber(v) || v->valuedouble < 1 || v->valuedouble > max)
		return -1;
	*ttl = (long)v->valuedouble;
	return 0;
}

int
api_safe_token(const char *s)
{
	if (s == NULL || *s == '\0' || strlen(s) > 128)
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

int
api_url_split(const char *url, const char *schemes, const char *origin,
    struct api_url *u, char *why, size_t len)
{
	static const char *const known[] = { "https://", "http://", "wss://",
		"ws://" };
	const char *h, *end;
	char	 shown[80], name[8];
	struct in_addr a4;
	size_t	 i, n;

	memset(u, 0, sizeof(*u));
	shown_in(url, shown, sizeof(shown));
	for (i = 0; i < 4; i++)
		if (strncasecmp(url, known[i], strlen(known[i])) == 0)
			break;
	snprintf(name, sizeof(name), "%.*s", i < 4 ?
	    (int)strlen(known[i]) - 3 : 0, i < 4 ? known[i] : "");
	if (i == 4 || strstr(schemes, name) == NULL) {
		snprintf(why, len, "%s: '%s' is not an %s URL", origin, shown,
		    schemes);
		return -1;
	}
	u->ws = i >= 2;
	u->plain = i == 1 || i == 3;
	h = url + strlen(known[i]);
	n = strcspn(h, "/?#");
	for (end = h; *end != '\0'; end++)
		if ((unsigned char)*end <= ' ' || *end == 0x7f)
			break;
	if (*end != '\0' || strchr(url, '#') != NULL || n == 0 ||
	    memchr(h, '@', n) != NULL) {
		snprintf(why, len, "%s: '%s' is not a usable URL (a host, no "
		    "user, no fragment, no spaces)", origin, shown);
		return -1;
	}
	if (h[0] == '[') {
		end = memchr(h, ']', n);
		if (end == NULL) {
			snprintf(why, len, "%s: '%s': bad IPv6 address", origin,
			    shown);
			return -1;
		}
		n = (size_t)(end - h) + 1;
	} else if ((end = memchr(h, ':', n)) != NULL)
		n = (size_t)(end - h);
	if (n == 0 || n >= sizeof(u->host)) {
		snprintf(why, len, "%s: '%s': bad host", origin, shown);
		return -1;
	}
	memcpy(u->host, h, n);
	u->host[n] = '\0';
	u->path = h + strcspn(h, "/?");
	/* A name such as 127.example.com is not loopback: only literals. */
	u->loopback = strcasecmp(u->host, "localhost") == 0 ||
	    strcmp(u->host, "[::1]") == 0 ||
	    (inet_pton(AF_INET, u->host, &a4) == 1 &&
	    (ntohl(a4.s_addr) >> 24) == 127);
	return 0;
}
