/* http_easy.h: what http.c shares with ws.c, its libcurl handle set up as
 * every transfer of this program is; for no other file. */
#ifndef ICEUPD_HTTP_EASY_H
#define ICEUPD_HTTP_EASY_H

#include <curl/curl.h>

struct http_request;
struct http_response;

/* Where the response headers of rq go (rs->header, rs->cookies). */
struct http_header_ctx {
	const struct http_request *rq;
	struct http_response	 *rs;
};

/* A new easy handle, counted until http_easy_free(); NULL when libcurl
 * cannot start one. */
CURL	*http_easy_new(void);
void	 http_easy_free(CURL *);
/* What every transfer sets: hc->rq's URL over protocols, its response
 * headers into hc, no signals, TLS verified (with hc->rq->cacert), no
 * redirects, timeouts from left ms, the user agent, libcurl's error text
 * into cerr (CURL_ERROR_SIZE bytes). */
void	 http_easy_setup(CURL *, struct http_header_ctx *hc,
	    const char *protocols, long long left, char *cerr);

#endif
