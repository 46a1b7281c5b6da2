/* google.c: Google access tokens and the JSON calls made with them.
 *
 * The token comes from the first source configured: an explicit access
 * token, a service-account key (a JWT signed with its private key, traded
 * at the key's token_uri), or the metadata server of the machine iceupd
 * runs on.  No secret (token, key, assertion) ever reaches a message. */
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "google.h"
#include "log.h"
#include "util.h"

#define TOKEN_MARGIN	120	/* seconds before expiry to fetch anew */
#define JWT_LIFETIME	3600	/* the longest Google accepts */
#define KEY_MAX		(64 * 1024)
#define CALL_MAX_MS	30000	/* one API call, retries included */
#define METADATA_MAX_MS	10000

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static char	*cached;		/* the token */
static time_t	 cached_until;		/* 0: no known end */
static char	 source[160];

static long long
cap_deadline(long long deadline, long long ms)
{
	long long end = util_monotonic_ms() + ms;

	return deadline < end ? deadline : end;
}

void
google_b64url(struct strbuf *b, const void *p, size_t len)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	const unsigned char *in = p;
	unsigned long v;
	size_t	 i;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		sb_addc(b, abc[v >> 18 & 63]);
		sb_addc(b, abc[v >> 12 & 63]);
		sb_addc(b, abc[v >> 6 & 63]);
		sb_addc(b, abc[v & 63]);
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		sb_addc(b, abc[v >> 18 & 63]);
		sb_addc(b, abc[v >> 12 & 63]);
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		sb_addc(b, abc[v >> 18 & 63]);
		sb_addc(b, abc[v >> 12 & 63]);
		sb_addc(b, abc[v >> 6 & 63]);
	}
	if (b->s == NULL)
		sb_adds(b, "");
}

int
google_jwt(const char *iss, const char *kid, const char *pem, const char *aud,
    time_t now, char **jwt, char *err, size_t errlen)
{
	struct strbuf	 out = { 0 };
	cJSON		*h = cJSON_CreateObject(), *c = cJSON_CreateObject();
	char		*htext = NULL, *ctext = NULL;
	unsigned char	*sig = NULL;
	size_t		 siglen = 0;
	EVP_PKEY	*key = NULL;
	EVP_MD_CTX	*md = NULL;
	BIO		*bio = NULL;
	int		 rc = -1;

	*jwt = NULL;
	if ((bio = BIO_new_mem_buf(pem, -1)) == NULL ||
	    (key = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL)) == NULL) {
		snprintf(err, errlen, "the private key is not a PEM private "
		    "key");
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		snprintf(err, errlen, "the private key is not an RSA key");
		goto out;
	}
	cJSON_AddStringToObject(h, "alg", "RS256");
	cJSON_AddStringToObject(h, "typ", "JWT");
	if (kid != NULL)
		cJSON_AddStringToObject(h, "kid", kid);
	cJSON_AddStringToObject(c, "iss", iss);
	cJSON_AddStringToObject(c, "scope", GOOGLE_SCOPE);
	cJSON_AddStringToObject(c, "aud", aud);
	cJSON_AddNumberToObject(c, "iat", (double)now);
	cJSON_AddNumberToObject(c, "exp", (double)(now + JWT_LIFETIME));
	htext = cJSON_PrintUnformatted(h);
	ctext = cJSON_PrintUnformatted(c);
	if (htext == NULL || ctext == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	google_b64url(&out, htext, strlen(htext));
	sb_addc(&out, '.');
	google_b64url(&out, ctext, strlen(ctext));

	/* RSASSA-PKCS1-v1_5 with SHA-256: the RSA default padding. */
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, (unsigned char *)out.s,
	    out.len) != 1) {
		snprintf(err, errlen, "cannot sign with the private key");
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, (unsigned char *)out.s,
	    out.len) != 1) {
		snprintf(err, errlen, "cannot sign with the private key");
		goto out;
	}
	sb_addc(&out, '.');
	google_b64url(&out, sig, siglen);
	*jwt = out.s;
	out.s = NULL;
	rc = 0;
out:
	free(sig);
	cJSON_free(htext);
	cJSON_free(ctext);
	cJSON_Delete(h);
	cJSON_Delete(c);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	sb_free(&out);
	return rc;
}

/* A field of a JSON object as a non-empty string, or NULL. */
static const char *
json_str(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) && *v->valuestring ? v->valuestring : NULL;
}

/* Overwrites the private key in a parsed key file before it is freed. */
static void
key_delete(cJSON *k)
{
	cJSON	*v;

	if (k == NULL)
		return;
	v = cJSON_GetObjectItemCaseSensitive(k, "private_key");
	if (cJSON_IsString(v))
		explicit_bzero(v->valuestring, strlen(v->valuestring));
	cJSON_Delete(k);
}

/* Reads and checks the service-account key file.  Returns its JSON, or
 * NULL with err. */
static cJSON *
key_read(const char *path, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*type;
	char		*text = NULL;
	cJSON		*k = NULL;

	if (util_read_small_file(path, &text, KEY_MAX) == -1) {
		snprintf(err, errlen, "GOOGLE_APPLICATION_CREDENTIALS: cannot "
		    "read %s: %s", path, strerror(errno));
		return NULL;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		log_warn("%s holds a private key but others may read it "
		    "(mode %04o); chmod 600 it", path,
		    (unsigned)(st.st_mode & 07777));
	k = cJSON_Parse(text);
	util_free_secret(text);
	if (!cJSON_IsObject(k)) {
		snprintf(err, errlen, "GOOGLE_APPLICATION_CREDENTIALS: %s is "
		    "not a JSON key file", path);
		goto bad;
	}
	type = json_str(k, "type");
	if (type == NULL || strcmp(type, "service_account") != 0) {
		snprintf(err, errlen, "GOOGLE_APPLICATION_CREDENTIALS: %s is "
		    "not a service-account key (type \"service_account\"); "
		    "other kinds of credentials are not supported", path);
		goto bad;
	}
	if (json_str(k, "client_email") == NULL ||
	    json_str(k, "private_key") == NULL) {
		snprintf(err, errlen, "GOOGLE_APPLICATION_CREDENTIALS: %s lacks "
		    "client_email or private_key", path);
		goto bad;
	}
	return k;
bad:
	key_delete(k);
	return NULL;
}

/* Parses a token endpoint's answer {access_token, expires_in}.  0 or -1. */
static int
token_parse(const struct http_response *rs, const char *who, char **token,
    time_t *until, char *err, size_t errlen)
{
	const cJSON	*v;
	cJSON		*doc = cJSON_Parse(rs->body.s);
	char		 e1[80], e2[160];
	const char	*t;
	int		 rc = -1;

	if (rs->status != 200) {
		if (doc != NULL && (t = json_str(doc, "error")) != NULL) {
			log_escape(t, 60, e1, sizeof(e1));
			t = json_str(doc, "error_description");
			log_escape(t ? t : "", 140, e2, sizeof(e2));
			snprintf(err, errlen, "%s refused: HTTP %ld, %s%s%s",
			    who, rs->status, e1, *e2 ? ": " : "", e2);
		} else
			snprintf(err, errlen, "%s refused: HTTP %ld", who,
			    rs->status);
		goto out;
	}
	if ((t = json_str(doc, "access_token")) == NULL) {
		snprintf(err, errlen, "%s answered without an access_token",
		    who);
		goto out;
	}
	*token = xstrdup(t);
	log_secret(*token);
	v = cJSON_GetObjectItemCaseSensitive(doc, "expires_in");
	*until = cJSON_IsNumber(v) && v->valuedouble > 0 ?
	    time(NULL) + (time_t)v->valuedouble : 0;
	rc = 0;
out:
	if (doc != NULL && (v = cJSON_GetObjectItemCaseSensitive(doc,
	    "access_token")) != NULL && cJSON_IsString(v))
		explicit_bzero(v->valuestring, strlen(v->valuestring));
	cJSON_Delete(doc);
	return rc;
}

/* The service-account flow: sign a JWT, trade it at token_uri. */
static int
token_from_key(const struct settings *s, long long deadline,
    struct http_keep *keep, char **token, time_t *until, char *err,
    size_t errlen)
{
	struct http_request rq;
	struct http_response rs;
	struct strbuf	 body = { 0 }, who = { 0 };
	const char	*uri, *email;
	char		*jwt = NULL, why[256];
	cJSON		*k;
	int		 rc = -1;

	memset(&rs, 0, sizeof(rs));
	if ((k = key_read(s->google_credentials, err, errlen)) == NULL)
		return -1;
	email = json_str(k, "client_email");
	if ((uri = json_str(k, "token_uri")) == NULL)
		uri = "https://oauth2.googleapis.com/token";
	snprintf(source, sizeof(source), "service account %s", email);
	if (google_jwt(email, json_str(k, "private_key_id"),
	    json_str(k, "private_key"), uri, time(NULL), &jwt, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "GOOGLE_APPLICATION_CREDENTIALS: %s: %s",
		    s->google_credentials, why);
		goto out;
	}
	sb_adds(&body, "grant_type=");
	sb_percent_encode(&body, "urn:ietf:params:oauth:grant-type:jwt-bearer");
	sb_adds(&body, "&assertion=");
	sb_adds(&body, jwt);	/* base64url and dots: nothing to encode */

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = uri;
	rq.content_type = "application/x-www-form-urlencoded";
	rq.body = body.s;
	rq.bodylen = body.len;
	rq.cacert = s->cacert;
	rq.deadline = cap_deadline(deadline, CALL_MAX_MS);
	rq.retry_connect = 1;
	rq.keep = keep;
	log_debug("asking %s for an access token as %s", uri, email);
	if (http_fetch(&rq, &rs, err, errlen) == -1)
		goto out;
	sb_addf(&who, "the token endpoint %s", uri);
	rc = token_parse(&rs, who.s, token, until, err, errlen);
out:
	if (body.s != NULL)
		explicit_bzero(body.s, body.len);
	if (jwt != NULL)
		explicit_bzero(jwt, strlen(jwt));
	free(jwt);
	sb_free(&body);
	sb_free(&who);
	http_response_free(&rs);
	key_delete(k);
	return rc;
}

/* The metadata server's host[:port]; NULL (with err) when malformed. */
static const char *
metadata_host(const struct settings *s, char *err, size_t errlen)
{
	const char *h = s->metadata_host ? s->metadata_host :
	    GOOGLE_METADATA_HOST;

	if (h[strspn(h, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789.-:[]")] != '\0') {
		snprintf(err, errlen, "GCE_METADATA_HOST: expected host or "
		    "host:port");
		return NULL;
	}
	return h;
}

/* One GET on the metadata server.  0 with rs filled (status 200), or -1. */
static int
metadata_get(const struct settings *s, const char *path, long long deadline,
    struct http_response *rs, char *err, size_t errlen)
{
	static const char *const flavor[] = { "Metadata-Flavor: Google", NULL };
	struct http_request rq;
	struct strbuf	 url = { 0 };
	const char	*host;
	char		 why[256];
	int		 rc = -1;

	if ((host = metadata_host(s, err, errlen)) == NULL)
		return -1;
	sb_addf(&url, "http://%s/computeMetadata/v1/%s", host, path);
	memset(&rq, 0, sizeof(rq));
	rq.method = "GET";
	rq.url = url.s;
	rq.headers = flavor;
	rq.plain_http = 1;
	rq.deadline = cap_deadline(deadline, METADATA_MAX_MS);
	rq.retry_connect = 1;
	if (http_fetch(&rq, rs, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "the metadata server did not answer "
		    "(%s)", why);
		goto out;
	}
	if (rs->status != 200) {
		snprintf(err, errlen, "the metadata server answered HTTP %ld "
		    "to GET %s", rs->status, url.s);
		http_response_free(rs);
		goto out;
	}
	rc = 0;
out:
	sb_free(&url);
	return rc;
}

int
google_metadata(const struct settings *s, const char *path,
    long long deadline, char **out, char *err, size_t errlen)
{
	struct http_response rs;
	size_t	 n;

	if (metadata_get(s, path, deadline, &rs, err, errlen) == -1)
		return -1;
	n = strcspn(rs.body.s, "\r\n");
	*out = xstrndup(rs.body.s, n);
	http_response_free(&rs);
	return 0;
}

int
google_token(const struct settings *s, long long deadline,
    struct http_keep *keep, char **token, char *err, size_t errlen)
{
	struct http_response rs;
	char	*fresh = NULL, why[512];
	time_t	 until = 0;
	int	 rc = -1;

	pthread_mutex_lock(&token_lock);
	if (cached != NULL && (cached_until == 0 ||
	    cached_until - TOKEN_MARGIN > time(NULL))) {
		*token = xstrdup(cached);
		rc = 0;
		goto out;
	}
	if (s->google_token != NULL) {
		snprintf(source, sizeof(source), "GOOGLE_OAUTH_ACCESS_TOKEN");
		fresh = xstrdup(s->google_token);
	} else if (s->google_credentials != NULL) {
		if (token_from_key(s, deadline, keep, &fresh, &until, err,
		    errlen) == -1)
			goto out;
	} else {
		snprintf(source, sizeof(source), "the metadata server's "
		    "default service account");
		if (metadata_get(s, "instance/service-accounts/default/token",
		    deadline, &rs, why, sizeof(why)) == -1) {
			snprintf(err, errlen, "no Google credentials: neither "
			    "GOOGLE_OAUTH_ACCESS_TOKEN nor "
			    "GOOGLE_APPLICATION_CREDENTIALS is set, and %s",
			    why);
			goto out;
		}
		rc = token_parse(&rs, "the metadata server", &fresh, &until,
		    err, errlen);
		http_response_free(&rs);
		if (rc == -1)
			goto out;
	}
	log_secret(fresh);
	util_free_secret(cached);
	cached = fresh;
	cached_until = until;
	*token = xstrdup(cached);
	log_debug("access token from %s", source);
	rc = 0;
out:
	pthread_mutex_unlock(&token_lock);
	return rc;
}

void
google_token_forget(void)
{
	pthread_mutex_lock(&token_lock);
	util_free_secret(cached);
	cached = NULL;
	pthread_mutex_unlock(&token_lock);
}

const char *
google_token_source(void)
{
	return source;
}

/* Checks a project id or region taken from outside: letters, digits and
 * the punctuation they use; nothing that could change a URL's path. */
static int
plain_name(const char *v)
{
	return *v != '\0' && v[strspn(v, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")] == '\0';
}

int
google_project(const struct settings *s, long long deadline, char **out,
    char *err, size_t errlen)
{
	char	 why[256];
	cJSON	*k;
	const char *p;

	if (s->project != NULL) {
		*out = xstrdup(s->project);
		return 0;
	}
	if (s->google_credentials != NULL) {
		if ((k = key_read(s->google_credentials, err, errlen)) == NULL)
			return -1;
		p = json_str(k, "project_id");
		*out = p && plain_name(p) ? xstrdup(p) : NULL;
		key_delete(k);
		if (*out != NULL)
			return 0;
	}
	if (google_metadata(s, "project/project-id", deadline, out, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "no project for short service names: "
		    "set --project or GOOGLE_CLOUD_PROJECT (%s)", why);
		return -1;
	}
	if (!plain_name(*out)) {
		free(*out);
		snprintf(err, errlen, "the metadata server's project-id is "
		    "not a project id");
		return -1;
	}
	return 0;
}

int
google_region(const struct settings *s, long long deadline, char **out,
    char *err, size_t errlen)
{
	char	*v, *slash, why[256];

	if (s->region != NULL) {
		*out = xstrdup(s->region);
		return 0;
	}
	/* projects/<number>/regions/<region> */
	if (google_metadata(s, "instance/region", deadline, &v, why,
	    sizeof(why)) == -1) {
		snprintf(err, errlen, "no region for short service names: set "
		    "--region or ICEUPD_CLOUDRUN_REGION (%s)", why);
		return -1;
	}
	slash = strrchr(v, '/');
	*out = xstrdup(slash ? slash + 1 : v);
	free(v);
	if (!plain_name(*out)) {
		free(*out);
		snprintf(err, errlen, "the metadata server's instance/region "
		    "names no region");
		return -1;
	}
	return 0;
}

int
google_call(const struct settings *s, const char *method, const char *url,
    const char *body, long long deadline, struct http_keep *keep,
    struct http_response *rs, cJSON **doc, char *err, size_t errlen)
{
	struct http_request rq;
	char	*token = NULL;
	int	 rc;

	*doc = NULL;
	memset(rs, 0, sizeof(*rs));
	if (google_token(s, deadline, keep, &token, err, errlen) == -1)
		return -1;
	memset(&rq, 0, sizeof(rq));
	rq.method = method;
	rq.url = url;
	rq.bearer = token;
	if (body != NULL) {
		rq.content_type = "application/json";
		rq.body = body;
		rq.bodylen = strlen(body);
	}
	rq.cacert = s->cacert;
	rq.deadline = cap_deadline(deadline, CALL_MAX_MS);
	rq.retry_connect = 1;	/* deploy has minutes; a slow handshake
				 * must not cost a service its update */
	rq.keep = keep;
	log_debug("%s %s", method, url);
	rc = http_fetch(&rq, rs, err, errlen);
	util_free_secret(token);
	if (rc == 0)
		*doc = cJSON_Parse(rs->body.s);
	return rc;
}

void
google_report_connection(const char *what, const struct http_keep *conn)
{
	long	 n = http_keep_handshakes(conn);

	log_info("%s: %ld TLS handshake%s", what, n, n == 1 ? "" : "s");
}

char *
google_error_text(const struct http_response *rs, const cJSON *doc, char *buf,
    size_t len)
{
	const cJSON	*e = cJSON_GetObjectItemCaseSensitive(doc, "error");
	const char	*status = json_str(e, "status");
	const char	*msg = json_str(e, "message");
	char		 m[320], st[48];

	if (msg == NULL) {
		snprintf(buf, len, "HTTP %ld", rs->status);
		return buf;
	}
	log_escape(msg, 300, m, sizeof(m));
	log_escape(status ? status : "", 40, st, sizeof(st));
	snprintf(buf, len, "HTTP %ld %s%s%s", rs->status, st, *st ? ": " : "",
	    m);
	return buf;
}
