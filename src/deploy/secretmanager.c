/* deploy/secretmanager.c: the Secret Manager sink.
 *
 * The credentials become a new version of a secret that services read
 * through valueSource.secretKeyRef (version "latest"); Cloud Run resolves
 * it when an instance starts, so no new revision is needed.  The enabled
 * versions beyond the newest --keep are disabled, so that old credentials
 * stop being readable. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../util.h"
#include "google.h"
#include "secretmanager.h"

#define VERSIONS_MAX	1000	/* versions looked at */
#define PAGES_MAX	10

static const char id_chars[] = "abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:";

struct version {
	char	*name;		/* projects/N/secrets/S/versions/V */
	long	 number;
	time_t	 created;
};

int
secretmanager_name(const char *text, const char *project, char **full,
    char *err, size_t errlen)
{
	struct strbuf	 b = { 0 };
	const char	*p;
	size_t		 n;
	char		 shown[160];

	*full = NULL;
	log_escape(text, 120, shown, sizeof(shown));
	if (strchr(text, '/') == NULL) {
		if (*text == '\0' || text[strspn(text, id_chars)] != '\0') {
			snprintf(err, errlen, "'%s' is not a secret name",
			    shown);
			return -1;
		}
		if (project == NULL) {
			snprintf(err, errlen, "'%s' needs a project", shown);
			return -1;
		}
		sb_addf(&b, "projects/%s/secrets/%s", project, text);
		*full = b.s;
		return 0;
	}
	if (strncmp(text, "projects/", 9) != 0)
		goto bad;
	p = text + 9;
	n = strspn(p, id_chars);
	if (n == 0 || strncmp(p + n, "/secrets/", 9) != 0)
		goto bad;
	p += n + 9;
	n = strspn(p, id_chars);
	if (n == 0 || p[n] != '\0')
		goto bad;
	*full = xstrdup(text);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not projects/PROJECT/secrets/SECRET",
	    shown);
	return -1;
}

static void
api_url(const struct settings *s, struct strbuf *url, const char *name,
    const char *suffix)
{
	google_api_url(url, s->secretmanager_endpoint, "v1", name, suffix);
}

/* "2026-05-01T10:00:00.123456Z" (RFC 3339 with a fraction); 0 when it is
 * not one. */
static time_t
parse_time(const char *v)
{
	time_t	 t;

	return util_parse_rfc3339_any(v, &t) == 0 ? t : 0;
}

/* Says in err what an unexpected answer to what means. */
static void
failed(const char *secret, const char *what, const char *permission,
    const struct http_response *rs, const cJSON *doc, char *err,
    size_t errlen)
{
	char	 why[512];

	google_error_text(rs, doc, why, sizeof(why));
	if (rs->status == 401)
		snprintf(err, errlen, "%s: %s: the access token from %s was "
		    "refused (%s)", secret, what, google_token_source(), why);
	else if (rs->status == 403)
		snprintf(err, errlen, "%s: %s: permission denied: %s needs %s "
		    "on the secret (%s)", secret, what, google_token_source(),
		    permission, why);
	else
		snprintf(err, errlen, "%s: %s failed: %s", secret, what, why);
}

/* err is "SECRET: why" after a call that got no answer. */
static void
no_answer(const char *secret, const char *why, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", secret, why);
}

/* A resource name from an answer, safe to put in a URL path. */
static int
safe_path(const char *v)
{
	const char *p;

	if (strncmp(v, "projects/", 9) != 0 || strstr(v, "..") != NULL)
		return 0;
	for (p = v; *p != '\0'; p++)
		if (*p != '/' && strchr(id_chars, *p) == NULL)
			return 0;
	return 1;
}

static int
by_number_desc(const void *a, const void *b)
{
	const struct version *x = a, *y = b;

	return x->number < y->number ? 1 : x->number > y->number ? -1 : 0;
}

/* The enabled versions of secret, newest first.  Returns their count, or
 * -1 with err. */
static int
list_enabled(const struct settings *s, const char *secret, long long deadline,
    struct http_keep *conn, struct version **out, char *err, size_t errlen)
{
	struct http_response rs;
	struct strbuf	 url = { 0 };
	const cJSON	*list, *v, *name, *state, *ct, *next;
	cJSON		*doc = NULL;
	struct version	*vs = NULL;
	char		 why[512], *token = NULL, *slash;
	int		 n = 0, page;

	memset(&rs, 0, sizeof(rs));
	for (page = 0; page < PAGES_MAX; page++) {
		url.len = 0;
		api_url(s, &url, secret, "/versions?pageSize=100");
		if (token != NULL) {
			sb_adds(&url, "&pageToken=");
			sb_percent_encode(&url, token);
			free(token);
			token = NULL;
		}
		http_response_free(&rs);
		cJSON_Delete(doc);
		if (google_call(s, "GET", url.s, NULL, deadline, conn, &rs,
		    &doc, why, sizeof(why)) == -1) {
			no_answer(secret, why, err, errlen);
			goto bad;
		}
		if (rs.status != 200 || !cJSON_IsObject(doc)) {
			failed(secret, "listing its versions",
			    "secretmanager.versions.list", &rs, doc, err,
			    errlen);
			goto bad;
		}
		list = cJSON_GetObjectItemCaseSensitive(doc, "versions");
		cJSON_ArrayForEach(v, list) {
			name = cJSON_GetObjectItemCaseSensitive(v, "name");
			state = cJSON_GetObjectItemCaseSensitive(v, "state");
			ct = cJSON_GetObjectItemCaseSensitive(v, "createTime");
			if (!cJSON_IsString(name) || !cJSON_IsString(state) ||
			    strcmp(state->valuestring, "ENABLED") != 0 ||
			    !safe_path(name->valuestring) ||
			    (slash = strrchr(name->valuestring, '/')) == NULL ||
			    n >= VERSIONS_MAX)
				continue;
			vs = xrealloc(vs, ((size_t)n + 1) * sizeof(*vs));
			vs[n].name = xstrdup(name->valuestring);
			vs[n].number = strtol(slash + 1, NULL, 10);
			vs[n].created = cJSON_IsString(ct) ?
			    parse_time(ct->valuestring) : 0;
			n++;
		}
		next = cJSON_GetObjectItemCaseSensitive(doc, "nextPageToken");
		if (!cJSON_IsString(next) || *next->valuestring == '\0')
			break;
		token = xstrdup(next->valuestring);
	}
	if (n > 1)
		qsort(vs, (size_t)n, sizeof(*vs), by_number_desc);
	*out = vs;
	goto out;
bad:
	while (n > 0)
		free(vs[--n].name);
	free(vs);
	n = -1;
out:
	free(token);
	cJSON_Delete(doc);
	http_response_free(&rs);
	sb_free(&url);
	return n;
}

static void
free_versions(struct version *vs, int n)
{
	while (n > 0)
		free(vs[--n].name);
	free(vs);
}

void
secretmanager_deploy(const struct settings *s, const char *secret,
    const char *value, int reused, time_t fetched_at, long long deadline,
    struct http_keep *conn, struct secret_result *res)
{
	struct http_response rs;
	struct strbuf	 url = { 0 }, body = { 0 };
	struct version	*vs = NULL;
	const cJSON	*name;
	cJSON		*doc = NULL;
	unsigned char	*b64 = NULL;
	size_t		 len = strlen(value);
	char		 why[512];
	int		 n, i;

	memset(&rs, 0, sizeof(rs));
	memset(res, 0, sizeof(*res));
	res->outcome = SECRET_FAILED;
	if ((n = list_enabled(s, secret, deadline, conn, &vs, res->err,
	    sizeof(res->err))) == -1)
		goto out;
	if (reused && !s->force_refresh && n > 0 && vs[0].created != 0 &&
	    vs[0].created >= fetched_at) {
		res->current = vs[0].number;
		res->outcome = SECRET_UNCHANGED;
		goto out;
	}
	if (s->dry_run) {
		sb_addf(&res->plan, "%s:\n  add a version: value changed\n",
		    secret);
		for (i = (int)s->keep - 1; i < n; i++)
			if (i >= 0)
				sb_addf(&res->plan, "  disable version %ld\n",
				    vs[i].number);
		res->outcome = SECRET_ADDED;
		goto out;
	}

	b64 = xmalloc(4 * ((len + 2) / 3) + 1);
	EVP_EncodeBlock(b64, (const unsigned char *)value, (int)len);
	sb_addf(&body, "{\"payload\":{\"data\":\"%s\"}}", (char *)b64);
	api_url(s, &url, secret, ":addVersion");
	if (google_call(s, "POST", url.s, body.s, deadline, conn, &rs, &doc,
	    why, sizeof(why)) == -1) {
		no_answer(secret, why, res->err, sizeof(res->err));
		goto out;
	}
	if (rs.status != 200 || !cJSON_IsObject(doc)) {
		failed(secret, "adding a version", "secretmanager.versions.add",
		    &rs, doc, res->err, sizeof(res->err));
		goto out;
	}
	name = cJSON_GetObjectItemCaseSensitive(doc, "name");
	res->added = 1;
	if (cJSON_IsString(name))
		snprintf(res->version, sizeof(res->version), "%s",
		    name->valuestring);

	/* The new version counts as one of those kept. */
	for (i = (int)s->keep - 1; i < n; i++) {
		if (i < 0)
			continue;
		url.len = 0;
		api_url(s, &url, vs[i].name, ":disable");
		http_response_free(&rs);
		cJSON_Delete(doc);
		if (google_call(s, "POST", url.s, "{}", deadline, conn, &rs,
		    &doc, why, sizeof(why)) == -1) {
			no_answer(secret, why, res->err, sizeof(res->err));
			goto out;
		}
		if (rs.status != 200) {
			failed(secret, "disabling an old version",
			    "secretmanager.versions.disable", &rs, doc,
			    res->err, sizeof(res->err));
			goto out;
		}
		res->disabled++;
	}
	res->outcome = SECRET_ADDED;
out:
	util_free_secret((char *)b64);
	sb_free_secret(&body);
	sb_free(&url);
	cJSON_Delete(doc);
	http_response_free(&rs);
	free_versions(vs, n);
}

void
secret_result_free(struct secret_result *res)
{
	sb_free(&res->plan);
}
