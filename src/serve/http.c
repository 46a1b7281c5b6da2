/* serve/http.c: the HTTP layer over libmicrohttpd: routing, methods,
 * bearer token, CORS, request bodies, the access log and the tracking of
 * connections that have not sent a whole request (headers and body) yet. */
#include <netdb.h>
#include <openssl/crypto.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../log.h"
#include "parse.h"
#include "server.h"

/* The Allow header of an endpoint. */
static void
allowed(const struct server *sv, const struct endpoint *ep, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s", ep->methods & M_GET ? "GET, HEAD" :
	    "", ep->methods & M_GET && ep->methods & ~M_GET ? ", " : "",
	    ep->methods & M_POST ? "POST" : "",
	    ep->methods & M_POST && ep->methods & M_DELETE ? ", " : "",
	    ep->methods & M_DELETE ? "DELETE" : "",
	    sv->s->cors_origin != NULL && ep->auth ? ", OPTIONS" : "");
}

/* 1 when the request carries "Authorization: Bearer <the token>", or,
 * where the endpoint takes it, ?key=<the token> (else ?api=).  The
 * digests are compared, in constant time whatever the lengths. */
static int
authorized(struct server *sv, struct MHD_Connection *c, int how)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	const char	*v;
	int		 ok, rc;

	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (v != NULL && strncasecmp(v, "Bearer ", 7) == 0)
		for (v += 7; *v == ' '; v++)
			;
	else if (how != AUTH_KEY || ((rc = serve_query(c, "key", &v)) == -1 &&
	    (rc = serve_query(c, "api", &v)) == -1) || rc == -2)
		return 0;
	SHA256((const unsigned char *)v, strlen(v), md);
	pthread_mutex_lock(&sv->lock);
	ok = CRYPTO_memcmp(md, sv->token_md, sizeof(md)) == 0;
	pthread_mutex_unlock(&sv->lock);
	explicit_bzero(md, sizeof(md));
	return ok;
}

/* The first call for a request: everything that the headers decide. */
static enum MHD_Result
begin(struct server *sv, struct MHD_Connection *c, struct request *rq,
    const char *url, const char *method)
{
	static const char *const unauthorized[] = {
		MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"iceupd\"",
		NULL };
	const union MHD_ConnectionInfo *ci;
	const struct endpoint *ep;
	const char	*origin, *v;
	char		 allow[64], *end;
	const char	*hdrs[9];
	unsigned long long clen;
	unsigned	 m;
	int		 secret;

	log_escape(method, 10, rq->method, sizeof(rq->method));
	ep = serve_route(url);
	rq->ep = ep;
	rq->route = ep != NULL ? ep->path : METRICS_ROUTE_OTHER;
	if (ep != NULL)
		snprintf(rq->path, sizeof(rq->path), "%s", url);
	else {
		pthread_mutex_lock(&sv->lock);
		secret = (sv->token != NULL && strstr(url, sv->token)) ||
		    (sv->s->turn_secret != NULL &&
		    strstr(url, sv->s->turn_secret));
		pthread_mutex_unlock(&sv->lock);
		if (secret)
			snprintf(rq->path, sizeof(rq->path), "[redacted]");
		else
			log_escape(url, 64, rq->path, sizeof(rq->path));
	}
	if (log_enabled(LOG_INFO) && (ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS)) != NULL &&
	    ci->client_addr != NULL)
		(void)getnameinfo(ci->client_addr,
		    ci->client_addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in),
		    rq->addr, sizeof(rq->addr), NULL, 0, NI_NUMERICHOST);
	if (sv->s->cors_origin != NULL &&
	    (origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_ORIGIN)) != NULL)
		rq->cors = strcmp(sv->s->cors_origin, "*") == 0 ||
		    strcmp(origin, sv->s->cors_origin) == 0;

	if (ep == NULL)
		return reply_error(sv, c, rq, MHD_HTTP_NOT_FOUND, NULL,
		    "no such route");
	allowed(sv, ep, allow, sizeof(allow));
	hdrs[0] = MHD_HTTP_HEADER_ALLOW;
	hdrs[1] = allow;
	hdrs[2] = NULL;
	if (strcmp(method, "OPTIONS") == 0 && sv->s->cors_origin != NULL &&
	    ep->auth) {
		if (!rq->cors)
			return reply_error(sv, c, rq, MHD_HTTP_FORBIDDEN, NULL,
			    "origin not allowed");
		hdrs[2] = MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_METHODS;
		hdrs[3] = allow;
		hdrs[4] = "Access-Control-Allow-Headers";
		hdrs[5] = "Authorization, Content-Type";
		hdrs[6] = "Access-Control-Max-Age";
		hdrs[7] = "600";
		hdrs[8] = NULL;
		return reply(sv, c, rq, MHD_HTTP_NO_CONTENT, NULL, "", hdrs);
	}
	m = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ? M_GET :
	    strcmp(method, "POST") == 0 ? M_POST :
	    strcmp(method, "DELETE") == 0 ? M_DELETE : 0;
	if ((ep->methods & m) == 0)
		return reply_error(sv, c, rq, MHD_HTTP_METHOD_NOT_ALLOWED,
		    hdrs, "method %s not allowed; allowed: %s", rq->method,
		    allow);
	if (ep->auth != AUTH_NONE && sv->auth &&
	    !authorized(sv, c, ep->auth))
		return reply_error(sv, c, rq, MHD_HTTP_UNAUTHORIZED,
		    unauthorized, "a bearer token is needed");
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	/* A route that takes no body refuses one at once, unread: a body
	 * trickled to it would only hold the connection. */
	if (!ep->body && ((v != NULL && strcmp(v, "0") != 0) ||
	    MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL))
		return reply_error(sv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
		    "%s %s takes no request body", rq->method, rq->path);
	if (v != NULL && ((clen = strtoull(v, &end, 10)) > BODY_MAX ||
	    *end != '\0'))
		return reply_error(sv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
		    "request body over %d bytes", BODY_MAX);
	/* Answered at the last call, once the request was read whole: an
	 * answer queued earlier would close the connection. */
	return MHD_YES;
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct server	*sv = cls;
	struct request	*rq = *con_cls;

	(void)version;
	if (rq == NULL) {
		rq = xcalloc(1, sizeof(*rq));
		rq->start_us = now_us();
		*con_cls = rq;
		/* Its deadline still runs: it covers the body too. */
		atomic_fetch_add(&sv->inflight, 1);
		return begin(sv, c, rq, url, method);
	}
	if (rq->status != 0) {		/* answered; the rest is ignored */
		*upload_size = 0;
		return MHD_YES;
	}
	if (*upload_size != 0) {
		/* Chunked: counted and dropped until the end, where 413
		 * is answered; past 4 times the limit, the connection is
		 * closed. */
		if (rq->len + *upload_size > BODY_MAX || !rq->ep->body) {
			rq->len += *upload_size;
			*upload_size = 0;
			return rq->len > 4 * BODY_MAX ? MHD_NO : MHD_YES;
		}
		if (rq->body == NULL)
			rq->body = xmalloc(BODY_MAX + 1);
		memcpy(rq->body + rq->len, upload, *upload_size);
		rq->len += *upload_size;
		rq->body[rq->len] = '\0';
		*upload_size = 0;
		return MHD_YES;
	}
	/* The request is in whole: no deadline while it is answered. */
	conntrack_busy(sv->ct, MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context);
	if (rq->len > BODY_MAX)
		return reply_error(sv, c, rq, MHD_HTTP_CONTENT_TOO_LARGE, NULL,
		    "request body over %d bytes", BODY_MAX);
	return rq->ep->fn(sv, c, rq);
}

/* The access log: one line per request, at info level (-v); never the
 * query, a header or a body. */
static void
access_log(const struct server *sv, const struct request *rq)
{
	cJSON	*o, *h;
	char	*text, when[32], lat[32], msg[160];
	double	 ms = (double)(now_us() - rq->start_us) / 1000.0;
	size_t	 n;

	if (!log_enabled(LOG_INFO))
		return;
	if (sv->s->log_format != LOG_JSON) {
		log_info("%s %s %u %.2f ms %s", rq->method, rq->path,
		    rq->status, ms, rq->addr);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "severity", "INFO");
	cJSON_AddStringToObject(o, "time", util_rfc3339(time(NULL), when,
	    sizeof(when)));
	snprintf(msg, sizeof(msg), "%s %s %u", rq->method, rq->path,
	    rq->status);
	cJSON_AddStringToObject(o, "message", msg);
	cJSON_AddStringToObject(o, "method", rq->method);
	cJSON_AddStringToObject(o, "path", rq->path);
	cJSON_AddNumberToObject(o, "status", rq->status);
	cJSON_AddNumberToObject(o, "duration_ms", (double)(long long)(ms *
	    1000) / 1000);
	cJSON_AddStringToObject(o, "remote_addr", rq->addr);
	/* Cloud Logging's own fields for a request. */
	h = cJSON_AddObjectToObject(o, "httpRequest");
	cJSON_AddStringToObject(h, "requestMethod", rq->method);
	cJSON_AddStringToObject(h, "requestUrl", rq->path);
	cJSON_AddNumberToObject(h, "status", rq->status);
	snprintf(lat, sizeof(lat), "%.6fs", ms / 1000.0);
	cJSON_AddStringToObject(h, "latency", lat);
	cJSON_AddStringToObject(h, "remoteIp", rq->addr);
	text = xjson_print(o, 0);
	n = strlen(text);
	text[n] = '\n';	/* over the NUL: write() takes a length */
	(void)!write(STDERR_FILENO, text, n + 1);
	cJSON_free(text);
	cJSON_Delete(o);
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct server	*sv = cls;
	struct request	*rq = *con_cls;

	(void)toe;
	if (rq == NULL)
		return;
	access_log(sv, rq);
	conntrack_idle(sv->ct, MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context);
	snapshot_release(rq->got);
	if (rq->body != NULL)
		explicit_bzero(rq->body, BODY_MAX + 1);
	free(rq->body);
	free(rq);
	*con_cls = NULL;
	atomic_fetch_sub(&sv->inflight, 1);
}

/* A connection opened or closed: tracked until it sends its request. */
static void
connection_event(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode code)
{
	struct server	*sv = cls;
	const union MHD_ConnectionInfo *ci;

	if (code == MHD_CONNECTION_NOTIFY_CLOSED)
		conntrack_close(sv->ct, ctx);
	else if ((ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CONNECTION_FD)) != NULL)
		conntrack_open(sv->ct, ci->connect_fd, ctx);
}

/* libmicrohttpd's own format strings. */
static void __attribute__((__format__(__printf__, 2, 0)))
mhd_log(void *cls, const char *fmt, va_list ap)
{
	char	 msg[512];
	size_t	 n;

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n > 0 && msg[n - 1] == '\n')
		msg[--n] = '\0';
	log_debug("libmicrohttpd: %s", msg);
}

struct MHD_Daemon *
serve_http_start(struct server *sv, int fd)
{
	/* One epoll thread answers everything: nothing blocks it, and on two
	 * cores a pool only lengthens the tail of the latencies. */
	return MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle,
	    sv, MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, sv,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_event, sv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, sv,
	    MHD_OPTION_END);
}
