/* http.c: the one place that sets libcurl up: TLS verification always on,
 * timeouts from the caller's deadline, a cap on response size, no redirects. */
#include <curl/curl.h>
#include <errno.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "log.h"

#ifndef ICEUPD_VERSION
#define ICEUPD_VERSION "0.0.0"
#endif

#define CONNECT_MAX_MS	3000	/* a reachable API connects well within this */
#define RETRY_FIRST_MS	200
#define RETRY_MAX_MS	2000

int
http_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void
http_cleanup(void)
{
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

int
http_do(const struct http_request *rq, struct http_response *rs, char *err,
    size_t errlen)
{
	struct curl_slist *headers = NULL;
	struct strbuf	 h = { 0 };
	char		 cerr[CURL_ERROR_SIZE] = "";
	const char	*shown = rq->shown_url ? rq->shown_url : rq->url;
	const char	*const *hp;
	const char	*ct = NULL;
	long long	 left = rq->deadline - monotonic_ms();
	curl_off_t	 retry = -1;
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
	if ((c = curl_easy_init()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		return -1;
	}
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	if (rq->cacert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
		curl_easy_setopt(c, CURLOPT_SSL_CTX_DATA, rq->cacert);
	}
	curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)left);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)(left < CONNECT_MAX_MS ? left : CONNECT_MAX_MS));
	curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)HTTP_BODY_MAX);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "iceupd/" ICEUPD_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
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
	if (cc == CURLE_WRITE_ERROR || cc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(err, errlen, "%s %s: response larger than %d KiB",
		    rq->method, shown, HTTP_BODY_MAX / 1024);
		goto out;
	}
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "%s %s: no answer within the deadline",
		    rq->method, shown);
		goto out;
	}
	if (cc != CURLE_OK) {
		snprintf(err, errlen, "%s %s: %s", rq->method, shown,
		    cerr[0] ? cerr : curl_easy_strerror(cc));
		goto out;
	}
	if (curl_easy_getinfo(c, CURLINFO_RETRY_AFTER, &retry) == CURLE_OK &&
	    retry > 0)
		rs->retry_after = (long)retry;
	if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK &&
	    ct != NULL)
		snprintf(rs->content_type, sizeof(rs->content_type), "%s", ct);
	if (rs->body.s == NULL)
		sb_adds(&rs->body, "");
	rc = 0;
out:
	if (h.s != NULL)
		explicit_bzero(h.s, h.cap);
	sb_free(&h);
	curl_slist_free_all(headers);
	curl_easy_cleanup(c);
	if (rc == -1)
		http_response_free(rs);
	return rc;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

int
http_fetch(const struct http_request *rq, struct http_response *rs,
    char *err, size_t errlen)
{
	long long wait = RETRY_FIRST_MS, left;

	for (;;) {
		if (http_do(rq, rs, err, errlen) == -1)
			return -1;
		if (rs->status != 429 && rs->status < 500)
			return 0;
		if (rs->retry_after >= 0)
			wait = rs->retry_after * 1000LL;
		left = rq->deadline - monotonic_ms();
		/* Give up when waiting would leave no time for the request. */
		if (wait + 100 >= left)
			return 0;
		log_debug("%s %s: HTTP %ld, retrying in %lld ms", rq->method,
		    rq->shown_url ? rq->shown_url : rq->url, rs->status, wait);
		http_response_free(rs);
		sleep_ms(wait);
		wait = wait * 2 > RETRY_MAX_MS ? RETRY_MAX_MS : wait * 2;
	}
}

void
http_response_free(struct http_response *rs)
{
	if (rs->body.s != NULL)
		explicit_bzero(rs->body.s, rs->body.cap);
	sb_free(&rs->body);
}
