/* serve/reply.c: answers: the shared headers, JSON, errors, and a
 * snapshot in the shape asked for. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../exit.h"
#include "../log.h"
#include "compat.h"
#include "server.h"

/* Frees a body given to libmicrohttpd, wiping it: it may hold credentials.
 * Its length is stored just before it. */
static void
body_free(void *data)
{
	size_t	*len = (size_t *)data - 1;

	explicit_bzero(data, *len);
	free(len);
}

/* X-Content-Type-Options, and CORS for an allowed Origin. */
void
shared_headers(const struct server *sv, const struct request *rq,
    struct MHD_Response *res)
{
	MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
	if (rq->cors) {
		MHD_add_response_header(res,
		    MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN,
		    sv->s->cors_origin);
		MHD_add_response_header(res, MHD_HTTP_HEADER_VARY, "Origin");
	}
}

/* Queues status with the concatenation of iov as body and the headers
 * every answer gets; hdrs is NULL or name, value, ..., NULL. */
enum MHD_Result
reply_iov(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, const char *ctype, const struct iovec *iov, size_t n,
    const char *const *hdrs)
{
	struct MHD_Response *res;
	enum MHD_Result	 ret;
	size_t		*mem, total = 0, i;
	char		*p;

	for (i = 0; i < n; i++)
		total += iov[i].iov_len;
	mem = xmalloc(sizeof(*mem) + total + 1);
	*mem = total;
	p = (char *)(mem + 1);
	for (i = 0; i < n; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	res = MHD_create_response_from_buffer_with_free_callback(total,
	    mem + 1, body_free);
	if (res == NULL) {
		body_free(mem + 1);
		return MHD_NO;
	}
	if (ctype != NULL)
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
		    ctype);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	shared_headers(sv, rq, res);
	if (atomic_load(&sv->draining))
		MHD_add_response_header(res, MHD_HTTP_HEADER_CONNECTION,
		    "close");
	for (; hdrs != NULL && hdrs[0] != NULL; hdrs += 2)
		MHD_add_response_header(res, hdrs[0], hdrs[1]);
	rq->status = status;
	metrics_http(rq->route, status);
	ret = MHD_queue_response(c, status, res);
	MHD_destroy_response(res);
	return ret;
}

enum MHD_Result
reply(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, const char *ctype, const char *body,
    const char *const *hdrs)
{
	struct iovec iov = { (void *)(uintptr_t)body, strlen(body) };

	return reply_iov(sv, c, rq, status, ctype, &iov, 1, hdrs);
}

/* Answers with the JSON text of o, and deletes o. */
enum MHD_Result
reply_json(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, cJSON *o, const char *const *hdrs)
{
	enum MHD_Result	 ret;
	char		*text;
	struct iovec	 iov[2];

	text = xjson_print(o, 0);
	cJSON_Delete(o);
	iov[0].iov_base = text;
	iov[0].iov_len = strlen(text);
	iov[1].iov_base = (void *)(uintptr_t)"\n";
	iov[1].iov_len = 1;
	ret = reply_iov(sv, c, rq, status, "application/json", iov, 2, hdrs);
	util_free_secret(text);
	return ret;
}

enum MHD_Result
reply_error(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, const char *const *hdrs, const char *fmt, ...)
{
	cJSON	*o = cJSON_CreateObject();
	char	 msg[768];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cJSON_AddStringToObject(o, "error", msg);
	return reply_json(sv, c, rq, status, o, hdrs);
}

/* ?format=: json (the report, default), neko or rtc; -1 otherwise. */
int
reply_shape(struct MHD_Connection *c, int dflt)
{
	const char *f = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "format");

	if (f == NULL || *f == '\0')
		return dflt;
	if (strcmp(f, "json") == 0 && dflt == SHAPE_JSON)
		return SHAPE_JSON;
	if (strcmp(f, "neko") == 0)
		return SHAPE_NEKO;
	if (strcmp(f, "rtc") == 0)
		return SHAPE_RTC;
	return -1;
}

enum MHD_Result
reply_snapshot(struct server *sv, struct MHD_Connection *c,
    struct request *rq, struct snapshot *sn, int shape, time_t now)
{
	struct iovec	 iov[2];
	enum MHD_Result	 ret;
	char		*text = NULL;
	size_t		 n = 1;

	switch (shape) {
	case SHAPE_NEKO:
		iov[0].iov_base = sn->neko.s;
		iov[0].iov_len = sn->neko.len;
		break;
	case SHAPE_RTC:
		iov[0].iov_base = sn->rtc.s;
		iov[0].iov_len = sn->rtc.len;
		break;
	default:
		pthread_mutex_lock(&sn->print_lock);
		if (sn->ttl != NULL)
			cJSON_SetNumberValue(sn->ttl, (double)(sn->expires >
			    now ? sn->expires - now : 0));
		text = xjson_print(sn->report, 0);
		pthread_mutex_unlock(&sn->print_lock);
		iov[0].iov_base = text;
		iov[0].iov_len = strlen(text);
		iov[1].iov_base = (void *)(uintptr_t)"\n";
		iov[1].iov_len = 1;
		n = 2;
		break;
	}
	ret = reply_iov(sv, c, rq, MHD_HTTP_OK, "application/json", iov, n,
	    NULL);
	util_free_secret(text);
	return ret;
}
