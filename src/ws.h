/* ws.h: WebSocket (RFC 6455) text messages, beside http.c's libcurl. */
#ifndef ICEUPD_WS_H
#define ICEUPD_WS_H

#include <stddef.h>

#include "util.h"

struct http_request;

/* WebSocket (RFC 6455) text messages, when the linked libcurl has them.
 * ws_available() says whether it does (1) or not (0). */
struct ws;
int	 ws_available(void);
/* Connects to rq->url (wss://, or ws:// with allow_http) offering
 * subprotocol.  Returns the connection, or NULL with err set. */
struct ws *ws_open(const struct http_request *rq,
	    const char *subprotocol, char *err, size_t errlen);
/* Sends one text message; 0 or -1 with err set. */
int	 ws_send(struct ws *, const char *text, size_t len,
	    long long deadline, char *err, size_t errlen);
/* Receives one frame of a text message, whole (at most max bytes), into
 * out, which is emptied first: the whole message, or one fragment of it.
 * Where it ends is for the caller to tell from what it holds: libcurl
 * 7.88.1 flags a first fragment exactly as a whole message, and the last
 * with no flag at all.  Returns 0, or -1 with err set (closed, too large,
 * or the deadline passed). */
int	 ws_recv(struct ws *, struct strbuf *out, size_t max,
	    long long deadline, char *err, size_t errlen);
void	 ws_close(struct ws *);

#endif
