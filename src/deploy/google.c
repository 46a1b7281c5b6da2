/* deploy/google.c: Google access tokens and the JSON calls made with them.
 *
 * The token comes from the first source found, as Google's own libraries
 * look for Application Default Credentials: an explicit access token; the
 * credentials file GOOGLE_APPLICATION_CREDENTIALS names, else gcloud's
 * well-known one (a service-account key: a JWT signed with its private
 * key; user credentials: their refresh token; either traded at the file's
 * token_uri); else the metadata server of the machine iceupd runs on.  No
 * secret (token, key, assertion, refresh token) ever reaches a message. */
#include <errno.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../log.h"
#include "../safefile.h"
#include "../util.h"
#include "google.h"

#define TOKEN_MARGIN	120	/* seconds before expiry to fetch anew */
#define JWT_LIFETIME	3600	/* the longest Google accepts */
#define KEY_MAX		(64 * 1024)
#define CALL_MAX_MS	30000	/* one API call, retries included */
#define METADATA_MAX_MS	10000
#define GOOGLE_TOKEN_URI	"https://oauth2.googleapis.com/token"
#define ADC_FILE	"application_default_credentials.json"

static pthread_mutex_t token_lock = PTHREAD_MUTEX_INITIALIZER;
static char	*cached;		/* the token */
static time_t	 cached_until;		/* 0: no known end */
static char	 source[160];
static int	 no_credentials;	/* the last failure: none found, or a
					 * credentials file not usable */

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
	htext = xjson_print(h, 0);
	ctext = xjson_print(c, 0);
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

/* Overwrites the secrets of a parsed credentials file before it is freed. */
static void
key_delete(cJSON *k)
{
	static const char *const secret[] = { "private_key", "client_secret",
		"refresh_token" };
	cJSON	*v;
	size_t	 i;

	if (k == NULL)
		return;
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		v = cJSON_GetObjectItemCaseSensitive(k, secret[i]);
		if (cJSON_IsString(v))
			explicit_bzero(v->valuestring, strlen(v->valuestring));
	}
	cJSON_Delete(k);
}

/* The Application Default Credentials file: GOOGLE_APPLICATION_CREDENTIALS,
 * else gcloud's well-known file when it exists ($CLOUDSDK_CONFIG/ or
 * ~/.config/gcloud/application_default_credentials.json).  Returns its
 * path (allocated; *named: the name to give in messages), or NULL. */
static char *
adc_file(const struct settings *s, const char **named)
{
	struct strbuf	 p = { 0 };
	const char	*dir = getenv("CLOUDSDK_CONFIG"), *home = getenv("HOME");

	*named = "GOOGLE_APPLICATION_CREDENTIALS";
	if (s->google_credentials != NULL)
		return xstrdup(s->google_credentials);
	*named = "gcloud's application default credentials";
	if (dir != NULL && *dir != '\0')
		sb_addf(&p, "%s/" ADC_FILE, dir);
	else if (home != NULL && *home == '/')
		sb_addf(&p, "%s/.config/gcloud/" ADC_FILE, home);
	else
		return NULL;
	if (access(p.s, F_OK) == -1) {
		sb_free(&p);
		return NULL;
	}
	return p.s;
}

/* Where gcloud's well-known file would be, for the message that none was
 * found. */
static void
adc_well_known(struct strbuf *b)
{
	const char *dir = getenv("CLOUDSDK_CONFIG"), *home = getenv("HOME");

	if (dir != NULL && *dir != '\0')
		sb_addf(b, "%s/" ADC_FILE, dir);
	else
		sb_addf(b, "%s/.config/gcloud/" ADC_FILE,
		    home != NULL && *home == '/' ? home : "~");
}

/* Reads and checks a credentials file: a service-account key (type
 * service_account) or user credentials (type authorized_user).  Returns
 * its JSON, or NULL with err. */
static cJSON *
key_read(const char *path, const char *named, char *err, size_t errlen)
{
	struct stat	 st;
	const char	*type;
	char		*text = NULL, shown[64];
	cJSON		*k = NULL;
	int		 user;

	if (safe_read_small_file(path, &text, KEY_MAX) == -1) {
		snprintf(err, errlen, "%s: cannot read %s: %s", named, path,
		    strerror(errno));
		return NULL;
	}
	k = cJSON_Parse(text);
	util_free_secret(text);
	if (!cJSON_IsObject(k)) {
		snprintf(err, errlen, "%s: %s is not a JSON credentials file",
		    named, path);
		goto bad;
	}
	type = json_str(k, "type");
	user = type != NULL && strcmp(type, "authorized_user") == 0;
	if (!user && (type == NULL || strcmp(type, "service_account") != 0)) {
		snprintf(err, errlen, "%s: %s is of type \"%s\": expected "
		    "\"service_account\" (a key) or \"authorized_user\" (gcloud "
		    "auth application-default login)", named, path,
		    log_escape(type ? type : "", 40, shown, sizeof(shown)));
		goto bad;
	}
	if (!user && (json_str(k, "client_email") == NULL ||
	    json_str(k, "private_key") == NULL)) {
		snprintf(err, errlen, "%s: %s lacks client_email or "
		    "private_key", named, path);
		goto bad;
	}
	if (user && (json_str(k, "client_id") == NULL ||
	    json_str(k, "client_secret") == NULL ||
	    json_str(k, "refresh_token") == NULL)) {
		snprintf(err, errlen, "%s: %s lacks client_id, client_secret "
		    "or refresh_token", named, path);
		goto bad;
	}
	if (stat(path, &st) == 0 && (st.st_mode & 077) != 0)
		log_warn("%s holds a %s but others may read it (mode %04o); "
		    "chmod 600 it", path, user ? "refresh token" :
		    "private key", (unsigned)(st.st_mode & 07777));
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

/* Appends "&name=value" (no "&" first) to a form, value percent-encoded. */
static void
form_add(struct strbuf *b, const char *name, const char *value)
{
	sb_addf(b, "%s%s=", b->len ? "&" : "", name);
	sb_percent_encode(b, value);
}

/* A credentials file's flow: a service account signs a JWT (RFC 7523),
 * user credentials send their refresh token (RFC 6749, 6); either is
 * traded at the file's token_uri, Google's when it has none. */
static int
token_from_file(const char *path, const char *named,
    const struct settings *s, long long deadline, struct http_keep *keep,
    char **token, time_t *until, char *err, size_t errlen)
{
	struct http_request rq;
	struct http_response rs;
	struct strbuf	 body = { 0 }, who = { 0 };
	const char	*uri, *email;
	char		*jwt = NULL, why[256];
	cJSON		*k;
	int		 rc = -1;

	memset(&rs, 0, sizeof(rs));
	if ((k = key_read(path, named, err, errlen)) == NULL) {
		no_credentials = 1;
		return -1;
	}
	if ((uri = json_str(k, "token_uri")) == NULL)
		uri = GOOGLE_TOKEN_URI;
	if (strcmp(json_str(k, "type"), "authorized_user") == 0) {
		snprintf(source, sizeof(source), "the user credentials in %s",
		    path);
		email = "a user";
		form_add(&body, "grant_type", "refresh_token");
		form_add(&body, "client_id", json_str(k, "client_id"));
		form_add(&body, "client_secret", json_str(k, "client_secret"));
		form_add(&body, "refresh_token", json_str(k, "refresh_token"));
	} else {
		email = json_str(k, "client_email");
		snprintf(source, sizeof(source), "service account %s", email);
		if (google_jwt(email, json_str(k, "private_key_id"),
		    json_str(k, "private_key"), uri, time(NULL), &jwt, why,
		    sizeof(why)) == -1) {
			snprintf(err, errlen, "%s: %s: %s", named, path, why);
			no_credentials = 1;
			goto out;
		}
		form_add(&body, "grant_type",
		    "urn:ietf:params:oauth:grant-type:jwt-bearer");
		sb_adds(&body, "&assertion=");
		sb_adds(&body, jwt);	/* base64url and dots: as they are */
	}

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
	util_free_secret(jwt);
	sb_free_secret(&body);
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
	struct strbuf	 wk = { 0 };
	const char	*named;
	char	*fresh = NULL, why[512], *path = NULL;
	time_t	 until = 0;
	int	 rc = -1;

	pthread_mutex_lock(&token_lock);
	if (cached != NULL && (cached_until == 0 ||
	    cached_until - TOKEN_MARGIN > time(NULL))) {
		*token = xstrdup(cached);
		rc = 0;
		goto out;
	}
	no_credentials = 0;
	if (s->google_token != NULL) {
		snprintf(source, sizeof(source), "GOOGLE_OAUTH_ACCESS_TOKEN");
		fresh = xstrdup(s->google_token);
	} else if ((path = adc_file(s, &named)) != NULL) {
		if (token_from_file(path, named, s, deadline, keep, &fresh,
		    &until, err, errlen) == -1)
			goto out;
	} else {
		snprintf(source, sizeof(source), "the metadata server's "
		    "default service account");
		if (metadata_get(s, "instance/service-accounts/default/token",
		    deadline, &rs, why, sizeof(why)) == -1) {
			adc_well_known(&wk);
			/* The three ways of ADC, and a token; why last, as
			 * the part that may be cut. */
			snprintf(err, errlen, "no Google credentials: set "
			    "GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth "
			    "print-access-token), or "
			    "GOOGLE_APPLICATION_CREDENTIALS to a credentials "
			    "file, or write %s with 'gcloud auth "
			    "application-default login', or run where the "
			    "metadata server answers (%s)", wk.s, why);
			sb_free(&wk);
			no_credentials = 1;
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
	free(path);
	return rc;
}

int
google_no_credentials(void)
{
	return no_credentials;
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
	char	 why[256], *path;
	cJSON	*k;
	const char *p, *named;

	if (s->project != NULL) {
		*out = xstrdup(s->project);
		return 0;
	}
	if ((path = adc_file(s, &named)) != NULL) {
		k = key_read(path, named, err, errlen);
		free(path);
		if (k == NULL)
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

void
google_api_url(struct strbuf *url, const char *base, const char *version,
    const char *name, const char *suffix)
{
	size_t	 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	sb_addf(url, "%.*s/%s/%s%s", (int)n, base, version, name,
	    suffix ? suffix : "");
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
