/* ws.c: WebSocket (RFC 6455) text messages over libcurl, for the XMPP
 * client: the upgrade through http.c's handle setup, frames sent and
 * received under a deadline. */
#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "http_easy.h"
#include "ws.h"

/*
 * The code needs headers that declare libcurl's WebSocket API
 * (7.86 and later), and at run time a libcurl built with it: Debian 12's
 * is not, and says so by leaving "ws" out of its protocols.
 */
#if LIBCURL_VERSION_NUM >= 0x075600 && defined(CURLWS_TEXT)
#define HAVE_CURL_WS 1
#include <poll.h>
#endif

int
ws_available(void)
{
#ifdef HAVE_CURL_WS
	const char *const *p = curl_version_info(CURLVERSION_NOW)->protocols;

	for (; p != NULL && *p != NULL; p++)
		if (strcmp(*p, "wss") == 0 || strcmp(*p, "ws") == 0)
			return 1;
#endif
	return 0;
}

#ifdef HAVE_CURL_WS
struct ws {
	CURL		*c;
	const char	*shown;
	char		 shown_buf[256];
};

/* Waits until the socket is readable (what = POLLIN) or writable; 0, or
 * -1 when the deadline passed first or the socket failed. */
static int
wait_fd(struct ws *ws, short what, long long deadline)
{
	struct pollfd	 pfd;
	curl_socket_t	 fd = CURL_SOCKET_BAD;
	long long	 left;
	int		 n;

	if (curl_easy_getinfo(ws->c, CURLINFO_ACTIVESOCKET, &fd) != CURLE_OK ||
	    fd == CURL_SOCKET_BAD)
		return -1;
	for (;;) {
		if ((left = deadline - util_monotonic_ms()) <= 0)
			return -1;
		pfd.fd = fd;
		pfd.events = what;
		pfd.revents = 0;
		n = poll(&pfd, 1, left > 1000 ? 1000 : (int)left);
		if (n > 0)
			return 0;
		if (n == -1 && errno != EINTR)
			return -1;
	}
}

struct ws *
ws_open(const struct http_request *rq, const char *subprotocol,
    char *err, size_t errlen)
{
	struct ws	*ws;
	struct curl_slist *headers = NULL;
	struct http_header_ctx hc;
	struct http_response rs;
	struct strbuf	 h = { 0 };
	char		 cerr[CURL_ERROR_SIZE] = "";
	long long	 left = rq->deadline - util_monotonic_ms();
	CURLcode	 cc;

	ws = xcalloc(1, sizeof(*ws));
	snprintf(ws->shown_buf, sizeof(ws->shown_buf), "%s",
	    rq->shown_url ? rq->shown_url : rq->url);
	ws->shown = ws->shown_buf;
	memset(&rs, 0, sizeof(rs));
	hc.rq = rq;
	hc.rs = &rs;
	if (left <= 0) {
		snprintf(err, errlen, "%s: deadline passed before connecting",
		    ws->shown);
		goto fail;
	}
	if ((ws->c = http_easy_new()) == NULL) {
		snprintf(err, errlen, "cannot start libcurl");
		goto fail;
	}
	http_easy_setup(ws->c, &hc, rq->allow_http ? "ws,wss" : "wss", left,
	    cerr);
	curl_easy_setopt(ws->c, CURLOPT_CONNECT_ONLY, 2L);
	sb_addf(&h, "Sec-WebSocket-Protocol: %s", subprotocol);
	headers = curl_slist_append(headers, h.s);
	curl_easy_setopt(ws->c, CURLOPT_HTTPHEADER, headers);
	cc = curl_easy_perform(ws->c);
	curl_easy_setopt(ws->c, CURLOPT_ERRORBUFFER, NULL);
	curl_easy_setopt(ws->c, CURLOPT_HEADERFUNCTION, NULL);
	curl_easy_setopt(ws->c, CURLOPT_HEADERDATA, NULL);
	/* The transfer is over: the deadline now holds per call. */
	curl_easy_setopt(ws->c, CURLOPT_TIMEOUT_MS, 0L);
	curl_slist_free_all(headers);
	sb_free(&h);
	http_response_free(&rs);
	if (cc == CURLE_OPERATION_TIMEDOUT) {
		snprintf(err, errlen, "%s: no answer within the deadline",
		    ws->shown);
		goto fail;
	}
	if (cc != CURLE_OK) {
		curl_easy_getinfo(ws->c, CURLINFO_RESPONSE_CODE, &rs.status);
		if (rs.status != 0 && rs.status != 101)
			snprintf(err, errlen, "%s: HTTP %ld instead of a "
			    "WebSocket upgrade", ws->shown, rs.status);
		else
			snprintf(err, errlen, "%s: %s", ws->shown,
			    cerr[0] ? cerr : curl_easy_strerror(cc));
		goto fail;
	}
	return ws;
fail:
	ws_close(ws);
	return NULL;
}

int
ws_send(struct ws *ws, const char *text, size_t len,
    long long deadline, char *err, size_t errlen)
{
	size_t		 sent;
	CURLcode	 cc;

	for (;;) {
		sent = 0;
		cc = curl_ws_send(ws->c, text, len, &sent, 0, CURLWS_TEXT);
		if (cc == CURLE_OK && sent == len)
			return 0;
		if (cc == CURLE_OK && sent > 0) {
			text += sent;	/* the rest of the same frame */
			len -= sent;
			continue;
		}
		if (cc != CURLE_AGAIN && cc != CURLE_OK) {
			snprintf(err, errlen, "%s: send: %s", ws->shown,
			    curl_easy_strerror(cc));
			return -1;
		}
		if (wait_fd(ws, POLLOUT, deadline) == -1) {
			snprintf(err, errlen, "%s: cannot send within the "
			    "deadline", ws->shown);
			return -1;
		}
	}
}

int
ws_recv(struct ws *ws, struct strbuf *out, size_t max,
    long long deadline, char *err, size_t errlen)
{
	const struct curl_ws_frame *meta;	/* const from curl 8 on */
	char		 buf[16384];
	size_t		 n;
	CURLcode	 cc;

	out->len = 0;
	for (;;) {
		n = 0;
		meta = NULL;
		cc = curl_ws_recv(ws->c, buf, sizeof(buf), &n, (void *)&meta);
		if (cc == CURLE_AGAIN) {
			if (wait_fd(ws, POLLIN, deadline) == -1) {
				snprintf(err, errlen, "%s: no answer within "
				    "the deadline", ws->shown);
				return -1;
			}
			continue;
		}
		if (cc == CURLE_GOT_NOTHING) {
			snprintf(err, errlen, "%s: the server closed the "
			    "connection", ws->shown);
			return -1;
		}
		if (cc != CURLE_OK || meta == NULL) {
			snprintf(err, errlen, "%s: receive: %s", ws->shown,
			    curl_easy_strerror(cc));
			return -1;
		}
		if (meta->flags & CURLWS_CLOSE) {
			snprintf(err, errlen, "%s: the server closed the "
			    "WebSocket", ws->shown);
			return -1;
		}
		if (meta->flags & (CURLWS_PING | CURLWS_PONG))
			continue;	/* libcurl answers pings */
		if (out->len + n > max) {
			snprintf(err, errlen, "%s: message larger than %zu "
			    "KiB", ws->shown, max / 1024);
			return -1;
		}
		sb_add(out, buf, n);
		/* A frame read whole: the caller tells whether the message
		 * is (the flags of a fragment cannot). */
		if (meta->bytesleft == 0)
			break;
	}
	if (out->s == NULL)
		sb_adds(out, "");
	return 0;
}

void
ws_close(struct ws *ws)
{
	if (ws == NULL)
		return;
	if (ws->c != NULL)
		http_easy_free(ws->c);
	free(ws);
}
#else	/* no WebSocket in these libcurl headers */
struct ws {
	int	 unused;
};

struct ws *
ws_open(const struct http_request *rq, const char *subprotocol,
    char *err, size_t errlen)
{
	(void)subprotocol;
	snprintf(err, errlen, "%s: this build of iceupd has no WebSocket "
	    "support", rq->shown_url ? rq->shown_url : rq->url);
	return NULL;
}

int
ws_send(struct ws *ws, const char *text, size_t len,
    long long deadline, char *err, size_t errlen)
{
	(void)ws, (void)text, (void)len, (void)deadline;
	snprintf(err, errlen, "no WebSocket support");
	return -1;
}

int
ws_recv(struct ws *ws, struct strbuf *out, size_t max,
    long long deadline, char *err, size_t errlen)
{
	(void)ws, (void)out, (void)max, (void)deadline;
	snprintf(err, errlen, "no WebSocket support");
	return -1;
}

void
ws_close(struct ws *ws)
{
	(void)ws;
}
#endif
