/* http.c: the one place that sets libcurl up: TLS verification always on,
 * timeouts from the caller's deadline, a cap on response size, no redirects. */
#include <curl/curl.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "http_easy.h"
#include "log.h"

#ifndef ICEUPD_VERSION
#error "ICEUPD_VERSION: the Makefile defines it (debian/changelog)"
#endif

#define CONNECT_MAX_MS	3000	/* a reachable API connects well within this */
#define RETRY_FIRST_MS	200
#define RETRY_MAX_MS	2000

/* The system's CAs as a directory of OpenSSL's hashed names, or "" where
 * there is none: a handshake then reads only the issuers it is asked for
 * instead of parsing the whole bundle.  Set once, by http_init. */
static char system_ca_dir[PATH_MAX];

/* Easy handles not yet cleaned up: a provider thread the engine stopped
 * waiting for may still be in a transfer at exit. */
static atomic_int live_handles;

CURL *
http_easy_new(void)
{
	CURL	*c;

	if ((c = curl_easy_init()) != NULL)
		atomic_fetch_add(&live_handles, 1);
	return c;
}

void
http_easy_free(CURL *c)
{
	curl_easy_cleanup(c);
	atomic_fetch_sub(&live_handles, 1);
}

/* Finds libcurl's CA directory or, where it was built with a bundle only,
 * the bundle's own directory, when it holds hashed names ("5ad8a5d6.0"), as
 * update-ca-certificates and c_rehash leave them beside the bundle. */
static void
find_system_ca_dir(void)
{
	CURL		*c;
	char		*path = NULL, *slash;
	const char	*n, *suffix;
	DIR		*d;
	struct dirent	*e;
	int		 hashed = 0;

	if ((c = http_easy_new()) == NULL)
		return;
	if (curl_easy_getinfo(c, CURLINFO_CAPATH, &path) == CURLE_OK &&
	    path != NULL)
		snprintf(system_ca_dir, sizeof system_ca_dir, "%s", path);
	else if (curl_easy_getinfo(c, CURLINFO_CAINFO, &path) == CURLE_OK &&
	    path != NULL && (slash = strrchr(path, '/')) != NULL)
		snprintf(system_ca_dir, sizeof system_ca_dir, "%.*s",
		    (int)(slash - path), path);
	http_easy_free(c);
	if (system_ca_dir[0] != '\0' &&
	    (d = opendir(system_ca_dir)) != NULL) {
		while (!hashed && (e = readdir(d)) != NULL) {
			n = e->d_name;
			suffix = n + 8;
			hashed = strspn(n, "0123456789abcdef") == 8 &&
			    *suffix == '.' && suffix[1] != '\0' &&
			    strspn(suffix + 1, "0123456789") ==
			    strlen(suffix + 1);
		}
		closedir(d);
	}
	if (!hashed)
		system_ca_dir[0] = '\0';
}

static void	 kept_free_all(void);

int
http_init(void)
{
	/* OpenSSL is not torn down at exit: a provider thread the engine
	 * stopped waiting for may still be inside it (its TLS, a probe's). */
	if (OPENSSL_init_ssl(OPENSSL_INIT_NO_ATEXIT, NULL) != 1)
		return -1;
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -1;
	find_system_ca_dir();
	return 0;
}

void
http_cleanup(void)
{
	kept_free_all();
	/* Not under a transfer still running: the process is leaving anyway. */
	if (atomic_load(&live_handles) == 0)
		curl_global_cleanup();
}

const char *
http_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}

static size_t
on_body(char *p, size_t size, size_t n, void *arg)
{
	struct strbuf *b = arg;

	n *= size;	/* size is always 1 */
	if (b->len + n > HTTP_BODY_MAX)
		return 0;	/* libcurl stops with CURLE_WRITE_ERROR */
	sb_add(b, p, n);
	return n;
}

/* Adds --cacert to the trust store libcurl already loaded, so that a private
 * CA is trusted besides, not instead of, the system ones. */
static CURLcode
on_ssl_ctx(CURL *curl, void *ctx, void *arg)
{
	X509_STORE *store = SSL_CTX_get_cert_store((SSL_CTX *)ctx);

	(void)curl;
	if (X509_STORE_load_file(store, (const char *)arg) != 1)
		return CURLE_SSL_CACERT_BADFILE;
	return CURLE_OK;
}

/* TLS as every transfer has it: verification always on; the system's CAs
 * looked up in their hashed directory when there is one, else from the
 * bundle; --cacert trusted besides them or, where the system has neither
 * (an empty container), alone. */
static void
set_tls(CURL *c, const char *cacert)
{
	char	*system = NULL;

	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (system_ca_dir[0] != '\0') {
		curl_easy_setopt(c, CURLOPT_CAPATH, system_ca_dir);
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
		return;
	}
	if (cacert == NULL)
		return;
	if (curl_easy_getinfo(c, CURLINFO_CAINFO, &system) == CURLE_OK &&
	    system != NULL && access(system, R_OK) == 0) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, cacert);
	} else
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
}

struct http_keep {
	CURL	*c;
	long	 handshakes;	/* TLS connections opened through it */
};

struct http_keep *
http_keep_new(void)
{
	return xcalloc(1, sizeof(struct http_keep));
}

void
http_keep_free(struct http_keep *k)
{
	if (k == NULL)
		return;
	if (k->c != NULL)
		http_easy_free(k->c);
	free(k);
}

long
http_keep_handshakes(const struct http_keep *k)
{
	return k != NULL ? k->handshakes : 0;
}

#define KEPT_MAX	16
static struct http_kept	*kept_list[KEPT_MAX];
static size_t		 nkept;
static pthread_mutex_t	 kept_list_lock = PTHREAD_MUTEX_INITIALIZER;

struct http_keep *
http_kept_take(struct http_kept *k)
{
	if (pthread_mutex_trylock(&k->lock) != 0)
		return NULL;	/* a thread of an earlier run still has it */
	if (!k->listed) {
		pthread_mutex_lock(&kept_list_lock);
		if (nkept < KEPT_MAX) {
			kept_list[nkept++] = k;
			k->listed = 1;
		}
		pthread_mutex_unlock(&kept_list_lock);
		if (!k->listed) {
			pthread_mutex_unlock(&k->lock);
			return NULL;
		}
	}
	if (k->keep == NULL)
		k->keep = http_keep_new();
	return k->keep;
}

void
http_kept_give(struct http_kept *k, struct http_keep *keep)
{
	if (keep != NULL)
		pthread_mutex_unlock(&k->lock);
}

/* Closes the kept connections that no thread holds. */
static void
kept_free_all(void)
{
	size_t	 i;

	pthread_mutex_lock(&kept_list_lock);
	for (i = 0; i < nkept; i++) {
		if (pthread_mutex_trylock(&kept_list[i]->lock) != 0)
			continue;
		http_keep_free(kept_list[i]->keep);
		kept_list[i]->keep = NULL;
		pthread_mutex_unlock(&kept_list[i]->lock);
	}
	pthread_mutex_unlock(&kept_list_lock);
}

/* Keeps the value of rq->want_header and the name=value of each Set-Cookie
 * of the last response (earlier ones are those of redirects or 1xx). */
static size_t
on_header(char *p, size_t size, size_t n, void *arg)
{
	struct http_header_ctx *hc = arg;
	size_t	 len = size * n, name, end;

	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		hc->rs->header[0] = '\0';
		hc->rs->cookies.len = 0;
		if (hc->rs->cookies.s != NULL)
			hc->rs->cookies.s[0] = '\0';
		return len;
	}
	for (name = 0; name < len && p[name] != ':'; name++)
		;
	if (name == len)
		return len;
	for (end = len; end > name + 1 && (p[end - 1] == '\r' ||
	    p[end - 1] == '\n' || p[end - 1] == ' '); end--)
		;
	n = name + 1;
	while (n < end && (p[n] == ' ' || p[n] == '\t'))
		n++;
	if (hc->rq->want_header != NULL &&
	    strlen(hc->rq->want_header) == name &&
	    strncasecmp(p, hc->rq->want_header, name) == 0 &&
	    end - n < sizeof(hc->rs->header))
		snprintf(hc->rs->header, sizeof(hc->rs->header), "%.*s",
		    (int)(end - n), p + n);
	if (name == 10 && strncasecmp(p, "Set-Cookie", 10) == 0 &&
	    hc->rs->cookies.len < 8192) {
		for (end = n; end < len && p[end] != ';' && p[end] != '\r' &&
		    p[end] != '\n'; end++)
			;
		if (end > n && memchr(p + n, '=', end - n) != NULL) {
			if (hc->rs->cookies.len > 0)
				sb_adds(&hc->rs->cookies, "; ");
			sb_add(&hc->rs->cookies, p + n, end - n);
		}
	}
	return len;
}

/* The time TCP and TLS get, of the left ms a request has. */
static long
connect_ms(long long left)
{
	return (long)(left < CONNECT_MAX_MS ? left : CONNECT_MAX_MS);
}

void
http_easy_setup(CURL *c, struct http_header_ctx *hc, const char *protocols,
    long long left, char *cerr)
{
	curl_easy_setopt(c, CURLOPT_URL, hc->rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, protocols);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, hc);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	set_tls(c, hc->rq->cacert);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, connect_ms(left));
	curl_easy_setopt(c, CURLOPT_USERAGENT, "iceupd/" ICEUPD_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
}

int
http_do(const struct http_request *rq, struct http_response *rs, char *err,
    size_t errlen)
{
	struct http_header_ctx hc = { rq, rs };
	struct curl_slist *headers = NULL;
	struct strbuf	 h = { 0 };
	char		 cerr[CURL_ERROR_SIZE] = "";
	const char	*shown = rq->shown_url ? rq->shown_url : rq->url;
	const char	*const *hp;
	const char	*ct = NULL;
	long long	 left = rq->deadline - util_monotonic_ms();
	curl_off_t	 retry = -1;
	long		 sent = -1, opened = 0;
	CURL		*c = NULL;
	CURLcode	 cc;
	int		 rc = -1;

	memset(rs, 0, sizeof(*rs));
	rs->retry_after = -1;
	if (left <= 0) {
		snprintf(err, errlen, "%s %s: deadline passed before the "
		    "request", rq->method, shown);
		return -1;
	}
	if (!rq->plain_http && !rq->allow_http &&
	    strncasecmp(rq->url, "http://", 7) == 0) {
		snprintf(err, errlen, "%s %s: plain http:// is refused here: "
		    "the URL must start with https://", rq->method, shown);
		return -1;
	}
	if (rq->keep != NULL && rq->keep->c != NULL) {
		c = rq->keep->c;
		curl_easy_reset(c);	/* keeps the open connection */
	} else if ((c = http_easy_new()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	} else if (rq->keep != NULL)
		rq->keep->c = c;
	/* Plain HTTP is for the metadata server only, which is reached
	 * directly: a proxy would see the tokens it hands out.  allow_http
	 * adds http to https for a URL the user wrote with http://. */
	http_easy_setup(c, &hc, rq->plain_http ? "http" :
	    rq->allow_http ? "http,https" : "https", left, cerr);
	if (rq->cookie != NULL)
		curl_easy_setopt(c, CURLOPT_COOKIE, rq->cookie);
	if (rq->plain_http)
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_BODY_MAX);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &rs->body);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, rq->method);
	if (strcmp(rq->method, "GET") == 0)
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)rq->bodylen);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS,
		    rq->body ? rq->body : "");
	}
	if (rq->userpwd != NULL) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERPWD, rq->userpwd);
	}
	if (rq->bearer != NULL) {
		sb_addf(&h, "Authorization: Bearer %s", rq->bearer);
		headers = curl_slist_append(headers, h.s);
	}
	if (rq->content_type != NULL) {
		h.len = 0;
		sb_addf(&h, "Content-Type: %s", rq->content_type);
		headers = curl_slist_append(headers, h.s);
	} else if (strcmp(rq->method, "GET") != 0)
		headers = curl_slist_append(headers, "Content-Type:");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Expect:");
	for (hp = rq->headers; hp != NULL && *hp != NULL; hp++)
		headers = curl_slist_append(headers, *hp);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);

	cc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &rs->status);
	if (rq->keep != NULL && strncasecmp(rq->url, "https:", 6) == 0 &&
	    curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &opened) == CURLE_OK)
		rq->keep->handshakes += opened;
	if (cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s %s: response larger than %d KiB",
		    rq->method, shown, HTTP_BODY_MAX / 1024);
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT && curl_easy_getinfo(c,
	    CURLINFO_REQUEST_SIZE, &sent) == CURLE_OK && sent == 0) {
		/* The request never left: TCP or TLS did not finish. */
		rs->connect_timeout = 1;
		snprintf(err, errlen, "%s %s: no connection within %ld ms",
		    rq->method, shown, connect_ms(left));
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "%s %s: no answer within the deadline",
		    rq->method, shown);
		goto out;
	}
	if (cc == CURLE_UNSUPPORTED_PROTOCOL) {
		snprintf(err, errlen, "%s %s: redirected to a URL that is not "
		    "%s, refused", rq->method, shown, rq->plain_http ?
		    "http://" : rq->allow_http ? "http:// or https://" :
		    "https://");
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s %s: %s", rq->method, shown,
		    cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK &&
	    retry > 0)	/* a day is more than any deadline: no overflow */
		rs->retry_after = retry < 86400 ? (long)retry : 86400;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(rs->content_type, sizeof(rs->content_type), "%s", ct);
	/* Every answer here is JSON or XML text: a NUL byte, which neither
	 * allows, would cut a string short further on. */
	if (rs->body.s != NULL && memchr(rs->body.s, '\0', rs->body.len)) {
		snprintf(err, errlen, "%s %s: the answer holds a NUL byte",
		    rq->method, shown);
		goto out;
	}
	if (rs->body.s == NULL)
		sb_adds(&rs->body, "");
	rc = 0;
out:
	if (h.s != NULL)
		explicit_bzero(h.s, h.cap);
	sb_free(&h);
	curl_slist_free_all(headers);
	if (rq->keep == NULL)
		http_easy_free(c);
	if (rc == -1)
		http_response_free(rs);
	return rc;
}

int
http_fetch(const struct http_request *rq, struct http_response *rs,
    char *err, size_t errlen)
{
	long long wait = RETRY_FIRST_MS, left;

	for (;;) {
		if (http_do(rq, rs, err, errlen) == -1) {
			if (!rq->retry_connect || !rs->connect_timeout)
				return -1;
		} else if (rs->status != 429 && rs->status < 500)
			return 0;
		else if (rs->retry_after >= 0)
			wait = rs->retry_after * 1000LL;
		left = rq->deadline - util_monotonic_ms();
		/* Give up when waiting would leave no time for the request. */
		if (wait + 100 >= left)
			return rs->connect_timeout ? -1 : 0;
		if (rs->connect_timeout)
			log_debug("%s, retrying in %lld ms", err, wait);
		else
			log_debug("%s %s: HTTP %ld, retrying in %lld ms",
			    rq->method, rq->shown_url ? rq->shown_url :
			    rq->url, rs->status, wait);
		http_response_free(rs);
		util_sleep_ms(wait);
		wait = wait * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : wait * 2;
	}
}

void
http_response_free(struct http_response *rs)
{
	if (rs->body.s != NULL)
		explicit_bzero(rs->body.s, rs->body.cap);
	sb_free(&rs->body);
	if (rs->cookies.s != NULL)
		explicit_bzero(rs->cookies.s, rs->cookies.cap);
	sb_free(&rs->cookies);
}
