/* serve/routes.c: the endpoint table, and the handlers of every route but
 * the credentials (credentials.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../cache.h"
#include "../format/format.h"
#include "../log.h"
#include "../providers_view.h"
#include "assets.h"
#include "compat.h"
#include "events.h"
#include "page.h"
#include "parse.h"
#include "server.h"
#include "turn.h"

/* The route /api/ice/stats counts the credential requests of. */
#define ROUTE_CREDENTIALS	"/api/ice/credentials"

/* What `iceupd providers` shows, with what this process saw. */
static cJSON *
providers_doc(struct server *sv)
{
	struct provider_view v[PROVIDERS_MAX];
	struct provider_last last;
	struct snapshot	*sn;
	struct cache	 cache;
	cJSON		*o = cJSON_CreateObject(), *arr, *one, *x;
	size_t		 i, k, n;

	memset(&cache, 0, sizeof(cache));
	pthread_mutex_lock(&sv->lock);
	memcpy(cache.health, sv->health, sizeof(cache.health));
	cache.nhealth = sv->nhealth;
	pthread_mutex_unlock(&sv->lock);
	sn = snapshot_acquire(sv, &sv->snap);
	if (sn != NULL)
		cJSON_AddStringToObject(o, "serving", sn->provider);
	else
		cJSON_AddNullToObject(o, "serving");
	snapshot_release(sn);
	arr = cJSON_AddArrayToObject(o, "providers");
	n = providers_view(sv->s, &cache, v);
	for (i = 0; i < n; i++) {
		for (k = 0; k < sv->nsel && sv->sel[k] != v[i].p; k++)
			;
		one = providers_view_json(&v[i], k < sv->nsel);
		if (metrics_last(i, &last) == -1)
			cJSON_AddNullToObject(one, "last_fetch");
		else {
			x = cJSON_AddObjectToObject(one, "last_fetch");
			cJSON_AddBoolToObject(x, "ok", last.ok);
			cJSON_AddStringToObject(x, "result", last.ok ? "ok" :
			    last.not_waited ? "not_waited" : "error");
			cJSON_AddNumberToObject(x, "latency_ms",
			    (double)last.latency_ms);
			util_json_add_time(x, "at", last.at);
			if (last.not_waited)
				cJSON_AddStringToObject(x, "note", last.error);
			if (last.error[0] != '\0' && !last.not_waited)
				cJSON_AddStringToObject(x, "error", last.error);
			else
				cJSON_AddNullToObject(x, "error");
		}
		cJSON_AddItemToArray(arr, one);
	}
	cache_free(&cache);
	serve_compat_providers(o, sv->sel, sv->nsel);
	return o;
}

static enum MHD_Result
get_providers(struct server *sv, struct MHD_Connection *c,
    struct request *rq)
{
	return reply_json(sv, c, rq, MHD_HTTP_OK, providers_doc(sv), NULL);
}

/* VK-ICE's health: 503 while there is no list to hand out. */
static enum MHD_Result
get_health(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	cJSON	*o = providers_doc(sv);
	time_t	 now = time(NULL);
	size_t	 i;
	int	 has, degraded, lists;

	pthread_mutex_lock(&sv->lock);
	has = snapshot_usable(sv->snap, now);
	degraded = has && sv->snap->degraded;
	for (i = 0, lists = has; i < PROVIDERS_MAX; i++)
		lists += snapshot_usable(sv->slot[i], now);
	pthread_mutex_unlock(&sv->lock);
	return reply_json(sv, c, rq, has ? MHD_HTTP_OK :
	    MHD_HTTP_SERVICE_UNAVAILABLE, serve_compat_health(o, has, degraded,
	    lists), NULL);
}

static enum MHD_Result
get_stats(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct metrics_stats st;
	struct snapshot	*sn;
	cJSON		*o = cJSON_CreateObject(), *x;
	time_t		 now = time(NULL);

	metrics_stats(&st, ROUTE_CREDENTIALS);
	cJSON_AddNumberToObject(o, "uptime_seconds", (double)(now -
	    sv->started));
	cJSON_AddNumberToObject(o, "requests", (double)st.requests);
	cJSON_AddNumberToObject(o, "credential_requests",
	    (double)st.credentials);
	cJSON_AddNumberToObject(o, "cache_hits", (double)st.cache_hits);
	cJSON_AddNumberToObject(o, "on_demand_fetches", (double)st.on_demand);
	cJSON_AddNumberToObject(o, "failovers", (double)st.failovers);
	cJSON_AddNumberToObject(o, "refreshes", (double)st.refreshes);
	cJSON_AddNumberToObject(o, "refresh_failures",
	    (double)st.refresh_failures);
	cJSON_AddNumberToObject(o, "turn_credentials_minted",
	    (double)st.turn_minted);
	cJSON_AddNumberToObject(o, "in_flight",
	    (double)atomic_load(&sv->inflight));
	sn = snapshot_acquire(sv, &sv->snap);
	if (sn == NULL)
		cJSON_AddNullToObject(o, "list");
	else {
		x = cJSON_AddObjectToObject(o, "list");
		cJSON_AddStringToObject(x, "provider", sn->provider);
		util_json_add_time(x, "fetched_at", sn->fetched_at);
		util_json_add_time(x, "expires_at", sn->expires);
	}
	snapshot_release(sn);
	pthread_mutex_lock(&sv->lock);
	util_json_add_time(o, "next_refresh",
	    sv->refreshing ? now : sv->next_try);
	pthread_mutex_unlock(&sv->lock);
	serve_compat_stats(o, &st, sv->started, sv->sel, sv->nsel);
	return reply_json(sv, c, rq, MHD_HTTP_OK, o, NULL);
}

static enum MHD_Result
post_refresh(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	serve_ask_refresh(sv, 0);
	return reply(sv, c, rq, MHD_HTTP_ACCEPTED, "application/json",
	    "{\"status\":\"refresh started\"}\n", NULL);
}

/* Drops the lists in memory, and has the refresher drop the one on disk
 * (provider health stays) before it refreshes: the next request waits for
 * a list from the providers. */
static enum MHD_Result
delete_cache(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	size_t	 i;

	snapshot_install(sv, &sv->snap, NULL);
	for (i = 0; i < PROVIDERS_MAX; i++)
		snapshot_install(sv, &sv->slot[i], NULL);
	log_info("cached lists dropped, as asked");
	serve_ask_refresh(sv, 1);
	return reply(sv, c, rq, MHD_HTTP_NO_CONTENT, NULL, "", NULL);
}

/* The value of name in a TURN request: in the query, else in the body
 * (form or JSON).  0; -1 when it is absent; -2 when it is over outlen - 1
 * bytes, badly encoded, or holds a NUL (%00, or escaped in JSON), which
 * the form body refuses too: a C string would end there. */
static int
turn_param(struct MHD_Connection *c, const struct request *rq,
    const char *name, char *out, size_t outlen)
{
	const char *v, *ctype;
	cJSON	*doc, *x;
	int	 rc = -1;

	if ((rc = serve_query(c, name, &v)) != -1) {
		if (rc == 0)
			snprintf(out, outlen, "%s", v);
		return rc == 0 && strlen(v) < outlen ? 0 : -2;
	}
	if (rq->len == 0)
		return -1;
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ctype != NULL && strncasecmp(ctype, "application/json", 16) == 0) {
		if (util_json_has_nul(rq->body, rq->len) ||
		    (doc = cJSON_ParseWithLength(rq->body, rq->len)) == NULL)
			return -2;
		x = cJSON_GetObjectItemCaseSensitive(doc, name);
		if (cJSON_IsString(x)) {
			snprintf(out, outlen, "%s", x->valuestring);
			rc = strlen(x->valuestring) < outlen ? 0 : -2;
		} else if (x != NULL)
			rc = -2;
		cJSON_Delete(doc);
		return rc;
	}
	return serve_form_value(rq->body, rq->len, name, out, outlen);
}

/* TURN REST credentials for one caller: iceupd's own request (id=, an
 * answer in --format's shapes) and draft-uberti-behave-turn-rest's
 * (service=turn, the caller in username=, which may be absent). */
static enum MHD_Result
turn(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	const struct settings *s = sv->s;
	struct engine_result r;
	struct format_opts fo = { s->env_name, s->relay, time(NULL) };
	struct strbuf	 out = { 0 };
	enum MHD_Result	 ret;
	char		 id[SERVE_CALLER_ID_MAX + 2], service[8], err[256];
	const char	*v, *why;
	int		 shape = SHAPE_NEKO, uberti, draft, rc;

	memset(&r, 0, sizeof(r));
	if ((why = serve_turn_missing(s)) != NULL)
		return reply_error(sv, c, rq, MHD_HTTP_NOT_FOUND, NULL, "%s",
		    why);
	if ((rc = turn_param(c, rq, "service", service, sizeof(service))) ==
	    -2 || (rc == 0 && strcmp(service, "turn") != 0))
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "service must be turn");
	draft = rc == 0;
	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
	uberti = draft || (v != NULL && strcmp(v, "uberti") == 0);
	if (draft && v != NULL && strcmp(v, "uberti") != 0)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "service=turn answers {username,password,ttl,uris}: "
		    "format must be uberti or absent");
	if (!uberti && (shape = reply_shape(c, SHAPE_NEKO)) == -1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "format must be uberti, neko or rtc");
	if ((rc = turn_param(c, rq, "id", id, sizeof(id))) == -1)
		rc = turn_param(c, rq, "username", id, sizeof(id));
	if (rc == -1 && !draft)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "a caller id is needed: id=ID or username=ID in the query "
		    "or the body, without a NUL");
	if (rc == -1)
		id[0] = '\0';	/* the draft's username is optional */
	else if (rc == -2 || !serve_caller_id_valid(id))
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "the caller id must be 1 to %d of A-Z a-z 0-9 %s",
		    SERVE_CALLER_ID_MAX, SERVE_CALLER_ID_PUNCT);
	if ((rc = serve_turn_mint(s, id, time(NULL) + s->serve_turn_ttl,
	    &r.list, &why)) != 0) {
		ret = reply_error(sv, c, rq, rc == -2 ? MHD_HTTP_NOT_FOUND :
		    MHD_HTTP_INTERNAL_SERVER_ERROR, NULL, "%s", why);
		goto out;
	}
	if (uberti ? serve_compat_uberti(&out, &r.list, s->serve_turn_ttl) ==
	    -1 : format_render(&out, shape == SHAPE_RTC ? FMT_RTC : FMT_NEKO,
	    &r, &fo, err, sizeof(err)) == -1) {
		ret = reply_error(sv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    NULL, "cannot render the list");
		goto out;
	}
	metrics_turn_minted();
	ret = reply(sv, c, rq, MHD_HTTP_OK, "application/json", out.s, NULL);
out:
	sb_free_secret(&out);
	ice_list_free(&r.list);
	return ret;
}

/* GET /api/ice/events: Server-Sent Events, ?turn=ID for per-caller TURN. */
static enum MHD_Result
get_events(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	static const char *const retry[] = { MHD_HTTP_HEADER_RETRY_AFTER, "5",
		NULL };
	struct MHD_Response *res;
	enum MHD_Result	 ret;
	const char	*turn, *why;
	int		 full, got;

	if ((got = serve_query(c, "turn", &turn)) == -1)
		turn = NULL;
	if (turn != NULL && (why = serve_turn_missing(sv->s)) != NULL)
		return reply_error(sv, c, rq, MHD_HTTP_NOT_FOUND, NULL, "%s",
		    why);
	if (got == -2 || (turn != NULL && !serve_caller_id_valid(turn)))
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "the caller id must be 1 to %d of A-Z a-z 0-9 %s",
		    SERVE_CALLER_ID_MAX, SERVE_CALLER_ID_PUNCT);
	if ((res = serve_events_open(c, turn, &full, &why)) == NULL)
		return reply_error(sv, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
		    full ? retry : NULL, "%s", why);
	shared_headers(sv, rq, res);
	rq->status = MHD_HTTP_OK;
	metrics_http(rq->route, MHD_HTTP_OK);
	ret = MHD_queue_response(c, MHD_HTTP_OK, res);
	MHD_destroy_response(res);
	return ret;
}

/* The OpenAPI document of the routes below: src/serve/openapi.json. */
static enum MHD_Result
get_openapi(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct iovec iov = { (void *)(uintptr_t)serve_openapi_json,
		serve_openapi_json_len };

	return reply_iov(sv, c, rq, MHD_HTTP_OK, "application/json", &iov, 1,
	    NULL);
}

/* The page: src/serve/page.html; its data come from the API. */
static enum MHD_Result
get_page(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	const char *hdrs[] = { "Content-Security-Policy", serve_page_csp(),
		"X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer",
		NULL };
	struct iovec iov = { (void *)(uintptr_t)serve_page_html,
		serve_page_html_len };

	return reply_iov(sv, c, rq, MHD_HTTP_OK, "text/html; charset=utf-8",
	    &iov, 1, hdrs);
}

static enum MHD_Result
get_healthz(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	return reply(sv, c, rq, MHD_HTTP_OK, "text/plain; charset=utf-8",
	    "ok\n", NULL);
}

static enum MHD_Result
get_readyz(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct snapshot	*sn = snapshot_acquire(sv, &sv->snap);
	int		 ok = snapshot_usable(sn, time(NULL));

	snapshot_release(sn);
	return reply(sv, c, rq, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
	    "text/plain; charset=utf-8", ok ? "ready\n" : "not ready\n", NULL);
}

static enum MHD_Result
get_metrics(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct snapshot	*sn = snapshot_acquire(sv, &sv->snap);
	struct strbuf	 b = { 0 };
	enum MHD_Result	 ret;

	/* This request is counted before it is answered. */
	metrics_http(rq->route, MHD_HTTP_OK);
	metrics_render(&b, sn != NULL, sn ? sn->expires : 0, time(NULL));
	snapshot_release(sn);
	ret = reply(sv, c, rq, MHD_HTTP_OK, "text/plain; version=0.0.4; "
	    "charset=utf-8", b.s, NULL);
	sb_free(&b);
	return ret;
}

/* The routes: a new one is its line here and its handler. */
static const struct endpoint endpoints[] = {
	{ ROUTE_CREDENTIALS, M_GET, AUTH_BEARER, 0, get_credentials },
	{ "/api/ice/providers", M_GET, AUTH_BEARER, 0, get_providers },
	{ "/api/ice/stats", M_GET, AUTH_BEARER, 0, get_stats },
	{ "/api/ice/refresh", M_POST, AUTH_BEARER, 0, post_refresh },
	{ "/api/ice/cache", M_DELETE, AUTH_BEARER, 0, delete_cache },
	{ "/api/ice/turn", M_GET | M_POST, AUTH_KEY, 1, turn },
	{ "/healthz", M_GET, AUTH_NONE, 0, get_healthz },
	{ "/readyz", M_GET, AUTH_NONE, 0, get_readyz },
	{ "/metrics", M_GET, AUTH_NONE, 0, get_metrics },
	{ "/api/ice/health", M_GET, AUTH_BEARER, 0, get_health },
	{ "/health", M_GET, AUTH_NONE, 0, get_health },
	{ "/api/ice/events", M_GET, AUTH_BEARER, 0, get_events },
	{ "/openapi.json", M_GET, AUTH_NONE, 0, get_openapi },
	{ "/", M_GET, AUTH_NONE, 0, get_page },
};
#define NENDPOINTS	(sizeof(endpoints) / sizeof(endpoints[0]))
_Static_assert(NENDPOINTS < METRICS_ROUTES_MAX, "a route metrics cannot count");

const struct endpoint *
serve_route(const char *url)
{
	size_t	 i;

	for (i = 0; i < NENDPOINTS; i++)
		if (strcmp(url, endpoints[i].path) == 0)
			return &endpoints[i];
	return NULL;
}
