/* serve.c: `iceupd serve`: the credential HTTP API, with health and metrics.
 *
 * A refresher thread keeps one rendered snapshot of the list, refreshing
 * at refresh_at percent of its lifetime with the rules of `watch`, and
 * swaps it in under a lock; a snapshot is immutable and reference counted,
 * so a request holds the one it started with while a newer one replaces
 * it, and never sees an empty or half-built list.  libmicrohttpd answers
 * from one epoll thread that never blocks: a request that must wait for a
 * list (none yet, or ?provider=NAME that is not fresh) is suspended and
 * resumed by the thread that fetched it.  Once warm, nothing is fetched
 * on the request path, except what ?provider=NAME asks for explicitly.
 *
 * The main thread only takes signals: SIGUSR1 refreshes now, SIGHUP
 * rereads the token file and refreshes, SIGTERM and SIGINT stop accepting,
 * let requests in flight finish and leave with status 0. */
#include <arpa/inet.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "cache.h"
#include "commands.h"
#include "conntrack.h"
#include "format.h"
#include "log.h"
#include "metrics.h"
#include "providers_view.h"
#include "refresh.h"
#include "serve.h"
#include "serve_assets.h"
#include "serve_compat.h"
#include "serve_events.h"
#include "serve_page.h"
#include "serve_turn.h"

#define BODY_MAX	4096		/* request bodies */
#define CONN_MEMORY	(16 * 1024)	/* per connection: headers and all */
#define CONN_LIMIT	1000
#define PER_IP_LIMIT	128
#define CONN_TIMEOUT	30		/* seconds a connection may idle */
#define DRAIN_MS	10000		/* on SIGTERM, beyond --timeout */
#define HEADER_DEADLINE_MS 10000	/* for a request line and headers */
#define INCOMPLETE_BUDGET (CONN_LIMIT / 2)	/* the rest kept for new clients */

/* One rendered list, never changed once published. */
struct snapshot {
	atomic_uint	 refs;
	pthread_mutex_t	 print_lock;	/* for remaining_ttl, set each time */
	cJSON		*report;	/* the json report */
	cJSON		*ttl;		/* its remaining_ttl; NULL: unknown */
	struct strbuf	 neko, rtc;
	char		 provider[32];
	time_t		 fetched_at, expires;
	int		 degraded;	/* engine_degraded() of its answer */
	int		 has_turn;
};

struct server {
	const struct settings	*s;
	const struct provider	*sel[PROVIDERS_MAX];
	size_t			 nsel;
	struct MHD_Daemon	*d;
	int			 auth;		/* --auth-token-file is set */
	char			*token;		/* under lock: SIGHUP rereads */
	unsigned char		 token_md[SHA256_DIGEST_LENGTH];
	char			*cache_path;	/* NULL: no disk cache */
	struct conntrack	*ct;		/* connections without a request */

	pthread_mutex_t		 lock;		/* what follows, to the atomics */
	pthread_cond_t		 wake;		/* refresher: work, or stop */
	pthread_cond_t		 idle;		/* drain: a fetcher ended */
	struct snapshot		*snap;
	struct snapshot		*slot[PROVIDERS_MAX];	/* ?provider= */
	int			 refresh_asked;
	int			 refreshing;
	int			 drop_disk;	/* DELETE: the refresher empties it */
	struct provider_health	 health[PROVIDERS_MAX];	/* the cache's, */
	size_t			 nhealth;	/* as the refresher last read it */
	int			 stopping;
	time_t			 next_try;
	struct request		*waiters;	/* suspended requests */
	int			 fetching[PROVIDERS_MAX];
	unsigned		 fetched[PROVIDERS_MAX];	/* ends */
	char			 fetch_error[PROVIDERS_MAX][512];
	int			 fetchers;	/* threads of ?provider= */

	atomic_int		 inflight;
	atomic_int		 draining;
	time_t			 started;
};

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };

struct request;
typedef enum MHD_Result (*route_fn)(struct server *, struct MHD_Connection *,
    struct request *);

struct endpoint {
	enum route	 route;
	unsigned	 methods;
	int		 auth;		/* needs the bearer token when set */
	int		 body;		/* reads the request body */
	route_fn	 fn;
};

/* What a suspended request waits for: the list, or slot N's fetch. */
#define WAIT_LIST	(-1)
#define WAIT_ANY	(-2)		/* to wake: all of them */

struct request {
	long long	 start_us;
	struct MHD_Connection *conn;	/* while it waits */
	struct request	*next;		/* in sv->waiters */
	int		 wait;		/* WAIT_LIST or a slot */
	int		 waited;	/* it was suspended once */
	unsigned	 seen;		/* fetched[slot] when it began */
	long long	 deadline_ms;	/* of a wait for the list */
	struct snapshot	*got;		/* what the fetch it waited for got */
	const struct endpoint *ep;
	enum route	 route;
	char		 method[16];
	char		 path[96];	/* for the log: escaped, no query */
	char		 addr[INET6_ADDRSTRLEN];
	unsigned	 status;
	int		 cors;		/* Origin is the allowed one */
	char		*body;
	size_t		 len;
};

static long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---- snapshots ---------------------------------------------------- */

/* Overwrites every string of j: a report holds credentials. */
static void
wipe_json(cJSON *j)
{
	cJSON	*e;

	if (j == NULL)
		return;
	if (cJSON_IsString(j) && j->valuestring != NULL)
		explicit_bzero(j->valuestring, strlen(j->valuestring));
	cJSON_ArrayForEach(e, j)
		wipe_json(e);
}

static void
snapshot_release(struct snapshot *sn)
{
	if (sn == NULL || atomic_fetch_sub(&sn->refs, 1) != 1)
		return;
	wipe_json(sn->report);
	cJSON_Delete(sn->report);
	pthread_mutex_destroy(&sn->print_lock);
	if (sn->neko.s != NULL)
		explicit_bzero(sn->neko.s, sn->neko.len);
	if (sn->rtc.s != NULL)
		explicit_bzero(sn->rtc.s, sn->rtc.len);
	sb_free(&sn->neko);
	sb_free(&sn->rtc);
	free(sn);
}

/* Renders r once for every shape served; the json report's remaining_ttl
 * changes every second, so that report is kept as a tree and printed for
 * each answer. */
static struct snapshot *
snapshot_new(const struct settings *s, const struct engine_result *r,
    time_t now)
{
	struct snapshot	*sn = xcalloc(1, sizeof(*sn));
	struct format_opts fo = { s->env_name, s->relay, now };
	char		 err[256];

	atomic_init(&sn->refs, 1);
	pthread_mutex_init(&sn->print_lock, NULL);
	sn->expires = ice_list_expires(&r->list);
	sn->fetched_at = r->list.fetched_at;
	sn->degraded = engine_degraded(r);
	sn->has_turn = ice_list_has_turn(&r->list);
	snprintf(sn->provider, sizeof(sn->provider), "%s", r->list.provider);
	sn->report = format_report(r, now);
	sn->ttl = cJSON_GetObjectItemCaseSensitive(sn->report,
	    "remaining_ttl");
	if (!cJSON_IsNumber(sn->ttl))
		sn->ttl = NULL;
	if (format_render(&sn->neko, FMT_NEKO, r, &fo, err, sizeof(err)) == -1
	    || format_render(&sn->rtc, FMT_RTC, r, &fo, err,
	    sizeof(err)) == -1) {
		log_error("%s", err);
		snapshot_release(sn);
		return NULL;
	}
	return sn;
}

/* A list that may be handed out: credentials not expired. */
static int
usable(const struct snapshot *sn, time_t now)
{
	return sn != NULL && (sn->expires == 0 || sn->expires > now);
}

/* Fresh by the cache's rule. */
static int
fresh(const struct settings *s, const struct snapshot *sn, time_t now)
{
	return usable(sn, now) && engine_fresh(s, sn->fetched_at, sn->expires,
	    now);
}

/* The snapshot in *where, with a reference the caller releases. */
static struct snapshot *
acquire(struct server *sv, struct snapshot **where)
{
	struct snapshot *sn;

	pthread_mutex_lock(&sv->lock);
	if ((sn = *where) != NULL)
		atomic_fetch_add(&sn->refs, 1);
	pthread_mutex_unlock(&sv->lock);
	return sn;
}

/* Publishes sn in *where (NULL: none) and drops the old one. */
static void
install(struct server *sv, struct snapshot **where, struct snapshot *sn)
{
	struct snapshot *old;

	pthread_mutex_lock(&sv->lock);
	old = *where;
	*where = sn;
	pthread_mutex_unlock(&sv->lock);
	snapshot_release(old);
}

/* Suspends rq until what it waits for happens; with sv->lock held, so
 * that no wake-up falls between the check and the suspension. */
static enum MHD_Result
park(struct server *sv, struct MHD_Connection *c, struct request *rq,
    int wait)
{
	rq->conn = c;
	rq->wait = wait;
	rq->waited = 1;
	rq->next = sv->waiters;
	sv->waiters = rq;
	MHD_suspend_connection(c);
	pthread_mutex_unlock(&sv->lock);
	return MHD_YES;
}

/* Resumes the requests waiting for wait (or WAIT_ANY); each decides again
 * what to answer.  Called without sv->lock. */
static void
wake(struct server *sv, int wait)
{
	struct request	*rq, *next, **pp, *ready = NULL;

	pthread_mutex_lock(&sv->lock);
	for (pp = &sv->waiters; (rq = *pp) != NULL;) {
		if (rq->wait == wait || wait == WAIT_ANY) {
			*pp = rq->next;
			rq->next = ready;
			ready = rq;
		} else
			pp = &rq->next;
	}
	pthread_mutex_unlock(&sv->lock);
	/* Once resumed, a request may end and be freed at any moment. */
	for (rq = ready; rq != NULL; rq = next) {
		next = rq->next;
		MHD_resume_connection(rq->conn);
	}
}

/* ---- the refresher ------------------------------------------------ */

/* One refresh as ask says; t gets when to try again. */
static void
refresh(struct server *sv, enum engine_ask ask, struct refresh_timer *t)
{
	const struct settings *s = sv->s;
	struct refresh_opts o = { ask, REFRESH_NO_RENDER };
	struct refresh_held held = { 0, 0, 0 };
	struct engine_result r;
	struct snapshot	*sn = NULL, *cur;
	struct strbuf	 why = { 0 };
	char		 when[32], from[32] = "";
	time_t		 now;
	long		 wait;
	int		 rc;

	rc = refresh_get(s, sv->sel, sv->nsel, &o, &r, NULL, &why);
	if (!r.from_cache && metrics_engine(&r, s->policy))
		metrics_failover();
	now = time(NULL);
	if ((cur = acquire(sv, &sv->snap)) != NULL) {
		held.present = 1;
		held.has_turn = cur->has_turn;
		held.expires = cur->expires;
		snprintf(from, sizeof(from), "%s", cur->provider);
	}
	snapshot_release(cur);
	if (rc != EXIT_OK && rc != EXIT_DEGRADED) {
		wait = refresh_schedule(t, s, NULL, now);
		log_warn("refresh failed: %s; next try in %ld s", why.s, wait);
	} else if (refresh_keeps(rc, &held, now)) {
		wait = refresh_schedule(t, s, NULL, now);
		log_warn("the new answer has no TURN or is stale; the list "
		    "from %s is kept; next try in %ld s", from, wait);
	} else if ((sn = snapshot_new(s, &r, now)) == NULL)
		(void)refresh_schedule(t, s, NULL, now);
	if (sn == NULL) {
		metrics_refresh(0);
		goto out;
	}
	(void)refresh_schedule(t, s, &r, now);
	serve_events_publish(sn->rtc.s, sn->rtc.len);
	install(sv, &sv->snap, sn);
	metrics_refresh(1);
	log_info("serving %zu URL%s from %s%s; next refresh at %s",
	    ice_list_nurls(&r.list), ice_list_nurls(&r.list) == 1 ? "" : "s",
	    r.list.provider, r.stale ? " (stale cache)" : "",
	    rfc3339(t->next, when, sizeof(when)));
out:
	sb_free(&why);
	engine_result_free(&r);
}

/* The disk cache's list is dropped (provider health stays). */
static void
drop_disk_list(struct server *sv)
{
	struct ice_list	 none;

	memset(&none, 0, sizeof(none));
	if (sv->cache_path != NULL &&
	    cache_store(sv->cache_path, sv->s, "", &none, NULL) == -1)
		log_warn("cache %s: cannot write: %s", sv->cache_path,
		    atomic_write_error(errno));
}

/* Copies the disk cache's provider health, for /api/ice/providers to
 * answer from memory. */
static void
keep_health(struct server *sv)
{
	struct cache	 c;

	if (sv->cache_path == NULL || cache_load(sv->cache_path, sv->s, &c) == -1)
		return;
	pthread_mutex_lock(&sv->lock);
	memcpy(sv->health, c.health, sizeof(sv->health));
	sv->nhealth = c.nhealth;
	pthread_mutex_unlock(&sv->lock);
	cache_free(&c);
}

static void *
refresher(void *arg)
{
	struct server	*sv = arg;
	struct refresh_timer timer = { 0, 0 };
	struct timespec	 ts;
	long long	 until;
	time_t		 now;
	int		 due = 0, asked, drop;

	for (;;) {
		pthread_mutex_lock(&sv->lock);
		sv->refreshing = 0;
		sv->next_try = timer.next;
		pthread_mutex_unlock(&sv->lock);
		wake(sv, WAIT_LIST);
		pthread_mutex_lock(&sv->lock);
		while (!sv->stopping && !sv->refresh_asked &&
		    (now = time(NULL)) < timer.next) {
			until = monotonic_ms() +
			    (long long)(timer.next - now) * 1000;
			ts.tv_sec = until / 1000;
			ts.tv_nsec = (until % 1000) * 1000000L;
			pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
		}
		if (sv->stopping) {
			pthread_mutex_unlock(&sv->lock);
			wake(sv, WAIT_LIST);	/* no list is coming */
			break;
		}
		asked = sv->refresh_asked;
		drop = sv->drop_disk;
		sv->refresh_asked = sv->drop_disk = 0;
		sv->refreshing = 1;
		pthread_mutex_unlock(&sv->lock);
		if (asked)
			log_info("refreshing now, as asked");
		if (drop)
			drop_disk_list(sv);
		/* The first refresh may take a fresh list from the disk
		 * cache; later ones are due, or asked for (which asks
		 * providers backing off too). */
		refresh(sv, asked || sv->s->force_refresh ? ASK_ALL : due ?
		    ASK_DUE : ASK_CACHED, &timer);
		keep_health(sv);
		due = 1;
	}
	return NULL;
}

/* A refresh already running absorbs the request, unless it must start
 * after now (drop_disk: after the lists were dropped). */
static void
ask_refresh(struct server *sv, int drop_disk)
{
	pthread_mutex_lock(&sv->lock);
	if (drop_disk || !sv->refreshing) {
		sv->refresh_asked = 1;
		sv->drop_disk |= drop_disk;
		pthread_cond_signal(&sv->wake);
	}
	pthread_mutex_unlock(&sv->lock);
}

/* ---- answers ------------------------------------------------------ */

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
static void
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
static enum MHD_Result
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

static enum MHD_Result
reply(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, const char *ctype, const char *body,
    const char *const *hdrs)
{
	struct iovec iov = { (void *)(uintptr_t)body, strlen(body) };

	return reply_iov(sv, c, rq, status, ctype, &iov, 1, hdrs);
}

/* Answers with the JSON text of o, and deletes o. */
static enum MHD_Result
reply_json(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, cJSON *o, const char *const *hdrs)
{
	enum MHD_Result	 ret;
	char		*text;
	struct iovec	 iov[2];

	if ((text = cJSON_PrintUnformatted(o)) == NULL) {
		log_error("out of memory");
		exit(EXIT_FAIL);
	}
	cJSON_Delete(o);
	iov[0].iov_base = text;
	iov[0].iov_len = strlen(text);
	iov[1].iov_base = (void *)(uintptr_t)"\n";
	iov[1].iov_len = 1;
	ret = reply_iov(sv, c, rq, status, "application/json", iov, 2, hdrs);
	explicit_bzero(text, strlen(text));
	cJSON_free(text);
	return ret;
}

/* {"error": message}. */
static enum MHD_Result
reply_error(struct server *sv, struct MHD_Connection *c, struct request *rq,
    unsigned status, const char *const *hdrs, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

static enum MHD_Result
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

enum shape { SHAPE_JSON, SHAPE_NEKO, SHAPE_RTC };

/* ?format=: json (the report, default), neko or rtc; -1 otherwise. */
static int
shape_of(struct MHD_Connection *c, int dflt)
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

static enum MHD_Result
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
		text = cJSON_PrintUnformatted(sn->report);
		pthread_mutex_unlock(&sn->print_lock);
		if (text == NULL) {
			log_error("out of memory");
			exit(EXIT_FAIL);
		}
		iov[0].iov_base = text;
		iov[0].iov_len = strlen(text);
		iov[1].iov_base = (void *)(uintptr_t)"\n";
		iov[1].iov_len = 1;
		n = 2;
		break;
	}
	ret = reply_iov(sv, c, rq, MHD_HTTP_OK, "application/json", iov, n,
	    NULL);
	if (text != NULL) {
		explicit_bzero(text, strlen(text));
		cJSON_free(text);
	}
	return ret;
}

/* ---- routes ------------------------------------------------------- */

static void
known_providers(char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; provider_table[i] != NULL; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
		    i ? ", " : "", provider_table[i]->name);
}

struct fetch_job {
	struct server	*sv;
	size_t		 slot;
};

/* A fetcher thread: provider_table[slot] alone, published in its slot;
 * then the requests waiting for it are resumed. */
static void *
fetcher(void *arg)
{
	struct fetch_job *job = arg;
	struct server	*sv = job->sv;
	const struct provider *p = provider_table[job->slot];
	struct engine_result r;
	struct snapshot	*sn = NULL, *old = NULL;
	struct request	*rq;
	const char	*refused;
	char		 why[512] = "";

	metrics_on_demand();
	if (engine_fetch(sv->s, &p, 1, &r) == 0) {
		(void)metrics_engine(&r, POLICY_FIRST);
		if ((refused = refresh_refused(sv->s, &r.list)) != NULL)
			snprintf(why, sizeof(why), "%s", refused);
		else if ((sn = snapshot_new(sv->s, &r, time(NULL))) == NULL)
			snprintf(why, sizeof(why), "cannot render the list");
	} else {
		(void)metrics_engine(&r, POLICY_FIRST);
		snprintf(why, sizeof(why), "%s", r.nsources > 0 ?
		    r.sources[0].error : "no answer");
	}
	engine_result_free(&r);
	if (sn == NULL)
		log_warn("%s (asked for by a request) failed: %s", p->name,
		    why);

	pthread_mutex_lock(&sv->lock);
	if (sn != NULL) {
		old = sv->slot[job->slot];
		sv->slot[job->slot] = sn;
		/* Its waiters get this list even if DELETE drops the slot
		 * before they run. */
		for (rq = sv->waiters; rq != NULL; rq = rq->next)
			if (rq->wait == (int)job->slot && rq->got == NULL) {
				atomic_fetch_add(&sn->refs, 1);
				rq->got = sn;
			}
	}
	memcpy(sv->fetch_error[job->slot], why, sizeof(why));
	sv->fetched[job->slot]++;
	sv->fetching[job->slot] = 0;
	pthread_mutex_unlock(&sv->lock);
	snapshot_release(old);
	wake(sv, (int)job->slot);

	pthread_mutex_lock(&sv->lock);
	sv->fetchers--;
	pthread_cond_broadcast(&sv->idle);
	pthread_mutex_unlock(&sv->lock);
	free(job);
	return NULL;
}

/* Starts a fetcher for slot unless one runs; with sv->lock held.
 * 0, or -1 when no thread could be started. */
static int
start_fetcher(struct server *sv, size_t slot)
{
	struct fetch_job *job;
	pthread_attr_t	 attr;
	pthread_t	 thr;
	int		 e;

	if (sv->fetching[slot])
		return 0;
	job = xmalloc(sizeof(*job));
	job->sv = sv;
	job->slot = slot;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	e = pthread_create(&thr, &attr, fetcher, job);
	pthread_attr_destroy(&attr);
	if (e != 0) {
		free(job);
		return -1;
	}
	sv->fetching[slot] = 1;
	sv->fetchers++;
	return 0;
}

/* ?provider=NAME: that provider's list; fetched by a fetcher thread, the
 * request suspended meanwhile, when none of it is fresh in memory. */
static enum MHD_Result
credentials_of(struct server *sv, struct MHD_Connection *c,
    struct request *rq, const char *name, int shape, int forced)
{
	const struct provider *p;
	struct snapshot	*sn;
	enum MHD_Result	 ret;
	char		 why[512], shown[64], known[160];
	time_t		 now = time(NULL);
	size_t		 i;

	if ((p = provider_find(name)) == NULL) {
		known_providers(known, sizeof(known));
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "unknown provider '%s' (known: %s)", log_escape(name, 32,
		    shown, sizeof(shown)), known);
	}
	for (i = 0; provider_table[i] != p; i++)
		;
	if (p->configured(sv->s, why, sizeof(why)) != 1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "provider %s is not configured: %s", p->name, why);

	if (rq->got != NULL) {
		sn = rq->got;
		rq->got = NULL;
		goto answer;
	}
	sn = acquire(sv, &sv->snap);
	if (!rq->waited && !forced && sn != NULL &&
	    strcmp(sn->provider, p->name) == 0 && fresh(sv->s, sn, now))
		goto hit;
	snapshot_release(sn);

	pthread_mutex_lock(&sv->lock);
	if ((sn = sv->slot[i]) != NULL && fresh(sv->s, sn, now) &&
	    (rq->waited || !forced)) {
		atomic_fetch_add(&sn->refs, 1);
		pthread_mutex_unlock(&sv->lock);
		if (rq->waited)
			goto answer;
		goto hit;
	}
	if (rq->waited && sv->fetched[i] != rq->seen) {
		/* The fetch it waited for ended without a list. */
		snprintf(why, sizeof(why), "%s", sv->fetch_error[i]);
		pthread_mutex_unlock(&sv->lock);
		return reply_error(sv, c, rq, MHD_HTTP_BAD_GATEWAY, NULL,
		    "%s failed: %s", p->name, why);
	}
	if (sv->stopping) {
		pthread_mutex_unlock(&sv->lock);
		return reply_error(sv, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
		    NULL, "shutting down");
	}
	if (start_fetcher(sv, i) == -1) {
		pthread_mutex_unlock(&sv->lock);
		log_error("cannot start a thread to fetch from %s", p->name);
		return reply_error(sv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    NULL, "cannot start a fetch");
	}
	if (!rq->waited)
		rq->seen = sv->fetched[i];
	return park(sv, c, rq, (int)i);
hit:
	metrics_cache_hit();
answer:
	ret = reply_snapshot(sv, c, rq, sn, shape, now);
	snapshot_release(sn);
	return ret;
}

/* The list to answer with, referenced; NULL with *retry the seconds until
 * the next try when there is none and none is coming.  Otherwise parks
 * rq (*parked set), for at most --timeout and a second in all. */
static struct snapshot *
list_or_park(struct server *sv, struct MHD_Connection *c, struct request *rq,
    long *retry, int *parked)
{
	struct snapshot	*sn = NULL;
	time_t		 now = time(NULL);

	if (!rq->waited)
		rq->deadline_ms = monotonic_ms() + sv->s->timeout_ms + 1000;
	pthread_mutex_lock(&sv->lock);
	if (usable(sv->snap, now)) {
		sn = sv->snap;
		atomic_fetch_add(&sn->refs, 1);
	} else if (!sv->stopping && (sv->refreshing || sv->refresh_asked ||
	    sv->next_try <= now) && monotonic_ms() < rq->deadline_ms) {
		*parked = 1;
		(void)park(sv, c, rq, WAIT_LIST);
		return NULL;
	}
	*retry = sv->next_try > now ? (long)(sv->next_try - now) :
	    ENGINE_RETRY_FIRST;
	pthread_mutex_unlock(&sv->lock);
	return sn;
}

/* ?force_refresh=true: parks rq for a refresh, the one running or a new
 * one, which every forced request meanwhile shares.  1 when parked. */
static int
force_refresh(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	if (!rq->waited)
		rq->deadline_ms = monotonic_ms() + sv->s->timeout_ms + 1000;
	pthread_mutex_lock(&sv->lock);
	if (sv->stopping) {
		pthread_mutex_unlock(&sv->lock);
		return 0;
	}
	if (!sv->refreshing && !sv->refresh_asked) {
		sv->refresh_asked = 1;
		pthread_cond_signal(&sv->wake);
	}
	(void)park(sv, c, rq, WAIT_LIST);
	return 1;
}

static enum MHD_Result
get_credentials(struct server *sv, struct MHD_Connection *c,
    struct request *rq)
{
	static const char *const bad_shape[] = { NULL };
	struct snapshot	*sn;
	enum MHD_Result	 ret;
	const char	*name;
	char		 retry_s[24];
	const char	*hdrs[] = { MHD_HTTP_HEADER_RETRY_AFTER, retry_s, NULL };
	time_t		 now = time(NULL);
	long		 retry;
	int		 shape, parked = 0, forced;

	if ((shape = shape_of(c, SHAPE_JSON)) == -1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, bad_shape,
		    "format must be json, neko or rtc");
	if ((forced = serve_flag(MHD_lookup_connection_value(c,
	    MHD_GET_ARGUMENT_KIND, "force_refresh"))) == -1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, bad_shape,
		    "force_refresh must be true or false");
	name = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "provider");
	if (name != NULL)
		return credentials_of(sv, c, rq, name, shape, forced);
	if (forced && !rq->waited && force_refresh(sv, c, rq))
		return MHD_YES;

	sn = acquire(sv, &sv->snap);
	if (usable(sn, now) && !rq->waited)
		metrics_cache_hit();
	else if (!usable(sn, now)) {
		snapshot_release(sn);
		if ((sn = list_or_park(sv, c, rq, &retry, &parked)) == NULL) {
			if (parked)
				return MHD_YES;
			snprintf(retry_s, sizeof(retry_s), "%ld", retry);
			return reply_error(sv, c, rq,
			    MHD_HTTP_SERVICE_UNAVAILABLE, hdrs,
			    "no usable ICE servers yet; see /api/ice/providers");
		}
		now = time(NULL);
	}
	ret = reply_snapshot(sv, c, rq, sn, shape, now);
	snapshot_release(sn);
	return ret;
}

/* What `iceupd providers` shows, with what this process saw. */
static cJSON *
providers_doc(struct server *sv)
{
	struct provider_view v[PROVIDERS_MAX];
	const struct provider_health *h;
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
	sn = acquire(sv, &sv->snap);
	if (sn != NULL)
		cJSON_AddStringToObject(o, "serving", sn->provider);
	else
		cJSON_AddNullToObject(o, "serving");
	snapshot_release(sn);
	arr = cJSON_AddArrayToObject(o, "providers");
	n = providers_view(sv->s, &cache, v);
	for (i = 0; i < n; i++) {
		one = cJSON_CreateObject();
		cJSON_AddStringToObject(one, "name", v[i].p->name);
		cJSON_AddStringToObject(one, "state", v[i].state_name);
		cJSON_AddStringToObject(one, "detail", v[i].detail);
		for (k = 0; k < sv->nsel && sv->sel[k] != v[i].p; k++)
			;
		cJSON_AddBoolToObject(one, "selected", k < sv->nsel);
		if ((h = v[i].health) == NULL)
			cJSON_AddNullToObject(one, "health");
		else {
			x = cJSON_AddObjectToObject(one, "health");
			cJSON_AddNumberToObject(x, "failures", h->failures);
			cJSON_AddNumberToObject(x, "latency_ms",
			    (double)h->latency_ms);
			if (h->error[0] != '\0')
				cJSON_AddStringToObject(x, "error", h->error);
			else
				cJSON_AddNullToObject(x, "error");
			json_add_time(x, "last_ok", h->last_ok);
			json_add_time(x, "next_try", h->next_try);
		}
		if (metrics_last(i, &last) == -1)
			cJSON_AddNullToObject(one, "last_fetch");
		else {
			x = cJSON_AddObjectToObject(one, "last_fetch");
			cJSON_AddBoolToObject(x, "ok", last.ok);
			cJSON_AddNumberToObject(x, "latency_ms",
			    (double)last.latency_ms);
			json_add_time(x, "at", last.at);
			if (last.error[0] != '\0')
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
	has = usable(sv->snap, now);
	degraded = has && sv->snap->degraded;
	for (i = 0, lists = has; i < PROVIDERS_MAX; i++)
		lists += usable(sv->slot[i], now);
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

	metrics_stats(&st);
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
	sn = acquire(sv, &sv->snap);
	if (sn == NULL)
		cJSON_AddNullToObject(o, "list");
	else {
		x = cJSON_AddObjectToObject(o, "list");
		cJSON_AddStringToObject(x, "provider", sn->provider);
		json_add_time(x, "fetched_at", sn->fetched_at);
		json_add_time(x, "expires_at", sn->expires);
	}
	snapshot_release(sn);
	pthread_mutex_lock(&sv->lock);
	json_add_time(o, "next_refresh", sv->refreshing ? now : sv->next_try);
	pthread_mutex_unlock(&sv->lock);
	serve_compat_stats(o, &st, sv->started, sv->sel, sv->nsel);
	return reply_json(sv, c, rq, MHD_HTTP_OK, o, NULL);
}

static enum MHD_Result
post_refresh(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	ask_refresh(sv, 0);
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

	install(sv, &sv->snap, NULL);
	for (i = 0; i < PROVIDERS_MAX; i++)
		install(sv, &sv->slot[i], NULL);
	log_info("cached lists dropped, as asked");
	ask_refresh(sv, 1);
	return reply(sv, c, rq, MHD_HTTP_NO_CONTENT, NULL, "", NULL);
}

int
serve_caller_id_valid(const char *id)
{
	size_t	 n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= '0' && id[n] <= '9') || id[n] == '.' ||
		    id[n] == '_' || id[n] == '-') || n >= SERVE_CALLER_ID_MAX)
			return 0;
	return n > 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
serve_form_value(const char *body, size_t len, const char *name, char *out,
    size_t outlen)
{
	const char *p = body, *end = body + len, *amp, *eq;
	size_t	 nlen = strlen(name), o;
	int	 hi, lo;

	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL || (size_t)(eq - p) != nlen ||
		    memcmp(p, name, nlen) != 0)
			continue;
		for (o = 0, p = eq + 1; p < amp; p++) {
			if (o + 1 >= outlen)
				return -1;
			if (*p == '+')
				out[o++] = ' ';
			else if (*p == '%') {
				if (amp - p < 3 || (hi = hexval(p[1])) == -1 ||
				    (lo = hexval(p[2])) == -1 ||
				    (hi == 0 && lo == 0))
					return -1;
				out[o++] = (char)(hi << 4 | lo);
				p += 2;
			} else
				out[o++] = *p;
		}
		out[o] = '\0';
		return 0;
	}
	return -1;
}

/* The caller id of a TURN request: ?id=, or id in the body (form or
 * JSON).  0, or -1 when there is none. */
static int
caller_id(struct MHD_Connection *c, const struct request *rq, char *out,
    size_t outlen)
{
	const char *v, *ctype;
	cJSON	*doc, *id;
	int	 rc = -1;

	v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
	if (v != NULL) {
		snprintf(out, outlen, "%s", v);
		return strlen(v) < outlen ? 0 : -1;
	}
	if (rq->len == 0)
		return -1;
	ctype = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_TYPE);
	if (ctype != NULL && strncasecmp(ctype, "application/json", 16) == 0) {
		if ((doc = cJSON_ParseWithLength(rq->body, rq->len)) == NULL)
			return -1;
		id = cJSON_GetObjectItemCaseSensitive(doc, "id");
		if (cJSON_IsString(id) && strlen(id->valuestring) < outlen) {
			snprintf(out, outlen, "%s", id->valuestring);
			rc = 0;
		}
		cJSON_Delete(doc);
		return rc;
	}
	return serve_form_value(rq->body, rq->len, "id", out, outlen);
}

/* Per-caller TURN REST credentials for the coturn URLs. */
static enum MHD_Result
post_turn(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	const struct settings *s = sv->s;
	struct engine_result r;
	struct format_opts fo = { s->env_name, s->relay, time(NULL) };
	struct strbuf	 out = { 0 };
	enum MHD_Result	 ret;
	char		 id[SERVE_CALLER_ID_MAX + 2], err[256];
	const char	*v, *why;
	int		 shape = SHAPE_NEKO, uberti, rc;

	memset(&r, 0, sizeof(r));
	if ((why = serve_turn_missing(s)) != NULL)
		return reply_error(sv, c, rq, MHD_HTTP_NOT_FOUND, NULL, "%s",
		    why);
	uberti = (v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "format")) != NULL && strcmp(v, "uberti") == 0;
	if (!uberti && (shape = shape_of(c, SHAPE_NEKO)) == -1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "format must be uberti, neko or rtc");
	if (caller_id(c, rq, id, sizeof(id)) == -1)
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "a caller id is needed: id=ID in the query or the body");
	if (!serve_caller_id_valid(id))
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "the caller id must be 1 to %d of A-Z a-z 0-9 . _ -",
		    SERVE_CALLER_ID_MAX);
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
	if (out.s != NULL)
		explicit_bzero(out.s, out.len);
	sb_free(&out);
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
	int		 full;

	turn = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "turn");
	if (turn != NULL && (why = serve_turn_missing(sv->s)) != NULL)
		return reply_error(sv, c, rq, MHD_HTTP_NOT_FOUND, NULL, "%s",
		    why);
	if (turn != NULL && !serve_caller_id_valid(turn))
		return reply_error(sv, c, rq, MHD_HTTP_BAD_REQUEST, NULL,
		    "the caller id must be 1 to %d of A-Z a-z 0-9 . _ -",
		    SERVE_CALLER_ID_MAX);
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
	struct snapshot	*sn = acquire(sv, &sv->snap);
	int		 ok = usable(sn, time(NULL));

	snapshot_release(sn);
	return reply(sv, c, rq, ok ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE,
	    "text/plain; charset=utf-8", ok ? "ready\n" : "not ready\n", NULL);
}

static enum MHD_Result
get_metrics(struct server *sv, struct MHD_Connection *c, struct request *rq)
{
	struct snapshot	*sn = acquire(sv, &sv->snap);
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

static const struct endpoint endpoints[] = {
	{ ROUTE_CREDENTIALS, M_GET, 1, 0, get_credentials },
	{ ROUTE_PROVIDERS, M_GET, 1, 0, get_providers },
	{ ROUTE_STATS, M_GET, 1, 0, get_stats },
	{ ROUTE_REFRESH, M_POST, 1, 0, post_refresh },
	{ ROUTE_CACHE, M_DELETE, 1, 0, delete_cache },
	{ ROUTE_TURN, M_POST, 1, 1, post_turn },
	{ ROUTE_HEALTHZ, M_GET, 0, 0, get_healthz },
	{ ROUTE_READYZ, M_GET, 0, 0, get_readyz },
	{ ROUTE_METRICS, M_GET, 0, 0, get_metrics },
	{ ROUTE_HEALTH, M_GET, 1, 0, get_health },
	{ ROUTE_HEALTH_PLAIN, M_GET, 0, 0, get_health },
	{ ROUTE_EVENTS, M_GET, 1, 0, get_events },
	{ ROUTE_OPENAPI, M_GET, 0, 0, get_openapi },
	{ ROUTE_PAGE, M_GET, 0, 0, get_page },
};
#define NENDPOINTS	(sizeof(endpoints) / sizeof(endpoints[0]))

/* ---- requests ----------------------------------------------------- */

/* The Allow header of an endpoint. */
static void
allowed(const struct server *sv, const struct endpoint *ep, char *buf,
    size_t len)
{
	snprintf(buf, len, "%s%s%s%s", ep->methods & M_GET ? "GET, HEAD" : "",
	    ep->methods & M_POST ? "POST" : "",
	    ep->methods & M_DELETE ? "DELETE" : "",
	    sv->s->cors_origin != NULL && ep->auth ? ", OPTIONS" : "");
}

/* 1 when the request carries "Authorization: Bearer <the token>".  The
 * digests are compared, in constant time whatever the lengths. */
static int
authorized(struct server *sv, struct MHD_Connection *c)
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	const char	*v;
	int		 ok;

	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_AUTHORIZATION);
	if (v == NULL || strncasecmp(v, "Bearer ", 7) != 0)
		return 0;
	for (v += 7; *v == ' '; v++)
		;
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
	const struct endpoint *ep = NULL;
	const char	*origin, *v;
	char		 allow[64], *end;
	const char	*hdrs[9];
	unsigned long long clen;
	unsigned	 m;
	size_t		 i;
	int		 secret;

	log_escape(method, 10, rq->method, sizeof(rq->method));
	for (i = 0; i < NENDPOINTS; i++)
		if (strcmp(url, route_paths[endpoints[i].route]) == 0)
			ep = &endpoints[i];
	rq->ep = ep;
	rq->route = ep != NULL ? ep->route : ROUTE_OTHER;
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
	if (ep->auth && sv->auth && !authorized(sv, c))
		return reply_error(sv, c, rq, MHD_HTTP_UNAUTHORIZED,
		    unauthorized, "a bearer token is needed");
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
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
		conntrack_busy(sv->ct, MHD_get_connection_info(c,
		    MHD_CONNECTION_INFO_SOCKET_CONTEXT)->socket_context);
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

	if (!log_enabled(LOG_INFO))
		return;
	if (sv->s->log_format != LOG_JSON) {
		log_info("%s %s %u %.2f ms %s", rq->method, rq->path,
		    rq->status, ms, rq->addr);
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "severity", "INFO");
	cJSON_AddStringToObject(o, "time", rfc3339(time(NULL), when,
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
	if ((text = cJSON_PrintUnformatted(o)) != NULL) {
		size_t	 n = strlen(text);

		text[n] = '\n';	/* over the NUL: write() takes a length */
		(void)!write(STDERR_FILENO, text, n + 1);
		cJSON_free(text);
	}
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
static void __attribute__((format(printf, 2, 0)))
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

/* ---- start and stop ----------------------------------------------- */

int
serve_parse_listen(const char *text, struct sockaddr_storage *ss,
    socklen_t *sslen, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], *end;
	const char	*colon, *port;
	size_t		 hl;
	long		 n;
	int		 e, bracket = text[0] == '[';

	if (bracket) {
		if ((colon = strstr(text, "]:")) == NULL) {
			snprintf(err, errlen, "expected [ADDRESS]:PORT");
			return -1;
		}
		hl = (size_t)(colon - text - 1);
		port = colon + 2;
		text++;
	} else {
		if ((colon = strrchr(text, ':')) == NULL ||
		    memchr(text, ':', (size_t)(colon - text)) != NULL) {
			snprintf(err, errlen, "expected ADDRESS:PORT "
			    "([ADDRESS]:PORT for IPv6)");
			return -1;
		}
		hl = (size_t)(colon - text);
		port = colon + 1;
	}
	if (hl >= sizeof(host) || (hl == 0 && bracket)) {
		snprintf(err, errlen, "no address before the port");
		return -1;
	}
	errno = 0;
	n = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || n < 0 ||
	    n > 65535) {
		snprintf(err, errlen, "the port must be a number from 0 to "
		    "65535");
		return -1;
	}
	/* ":PORT": every address, IPv6 and IPv4 (see open_listener). */
	memcpy(host, hl == 0 ? "::" : text, hl == 0 ? 2 : hl);
	host[hl == 0 ? 2 : hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s", gai_strerror(e));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

/* A listening socket on s->listen.  Returns it, or -1 after logging. */
static int
open_listener(const struct settings *s, int *port, char *where, size_t wlen)
{
	struct sockaddr_storage ss;
	socklen_t	 len;
	char		 err[256], host[INET6_ADDRSTRLEN];
	int		 fd, one = 1, zero = 0;

	if (serve_parse_listen(s->listen, &ss, &len, err, sizeof(err)) == -1) {
		log_error("%s: '%s': %s", SETTING_ORIGIN(s, listen), s->listen,
		    err);
		return -2;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 511) == -1) {
		log_error("cannot listen on %s: %s", s->listen,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL,
	    0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(where, wlen, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d",
	    host, *port);
	return fd;
}

/* Reads the bearer token of --auth-token-file into sv: at the start, and
 * again on SIGHUP, when a bad file keeps the old token.  0, or -1 after
 * logging. */
static int
load_token(struct server *sv)
{
	const struct settings *s = sv->s;
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	char		*token = NULL;
	size_t		 i;

	if (read_small_file(s->auth_token_file, &token, 4096) == -1) {
		log_error("%s: cannot read %s: %s",
		    SETTING_ORIGIN(s, auth_token_file), s->auth_token_file,
		    strerror(errno));
		return -1;
	}
	for (i = 0; token[i] != '\0'; i++)
		if ((unsigned char)token[i] <= ' ' ||
		    (unsigned char)token[i] >= 0x7f)
			break;
	if (i == 0 || token[i] != '\0') {
		log_error("%s: %s must hold one token of printable ASCII "
		    "without spaces", SETTING_ORIGIN(s, auth_token_file),
		    s->auth_token_file);
		free_secret(token);
		return -1;
	}
	log_secret(token);
	SHA256((const unsigned char *)token, strlen(token), md);
	pthread_mutex_lock(&sv->lock);
	memcpy(sv->token_md, md, sizeof(md));
	free_secret(sv->token);
	sv->token = token;
	pthread_mutex_unlock(&sv->lock);
	explicit_bzero(md, sizeof(md));
	return 0;
}

/* "*" or an origin: scheme://host[:port], nothing a header cannot carry. */
static int
origin_valid(const char *o)
{
	const char *p;

	if (strcmp(o, "*") == 0)
		return 1;
	if (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0)
		return 0;
	for (p = strstr(o, "://") + 3; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '/' || *p == ',')
			return 0;
	return o[strlen(o) - 1] != '/' && strstr(o, "://")[3] != '\0';
}

static void
drain(struct server *sv)
{
	long long	 until = monotonic_ms() + DRAIN_MS + sv->s->timeout_ms;
	MHD_socket	 ls;
	struct timespec	 ts = { 0, 10 * 1000000L };

	atomic_store(&sv->draining, 1);
	if ((ls = MHD_quiesce_daemon(sv->d)) != MHD_INVALID_SOCKET)
		close(ls);
	pthread_mutex_lock(&sv->lock);
	sv->stopping = 1;
	pthread_cond_broadcast(&sv->wake);
	pthread_mutex_unlock(&sv->lock);
	serve_events_stop();
	/* Requests waiting for a fetch get its answer: the refresher and
	 * the fetchers wake them as they end. */
	while (atomic_load(&sv->inflight) > 0 && monotonic_ms() < until)
		nanosleep(&ts, NULL);
	if (atomic_load(&sv->inflight) > 0)
		log_warn("stopping with %d request%s unfinished",
		    atomic_load(&sv->inflight),
		    atomic_load(&sv->inflight) == 1 ? "" : "s");
	/* A suspended connection must not outlive the daemon. */
	wake(sv, WAIT_ANY);
	MHD_stop_daemon(sv->d);
	sv->d = NULL;
}

/* Waits, at most --timeout and a second, for the fetcher threads to end:
 * they use sv.  1 when they did. */
static int
fetchers_ended(struct server *sv)
{
	struct timespec	 ts;
	long long	 until = monotonic_ms() + sv->s->timeout_ms + 1000;
	int		 ended;

	pthread_mutex_lock(&sv->lock);
	while (sv->fetchers > 0 && monotonic_ms() < until) {
		ts.tv_sec = until / 1000;
		ts.tv_nsec = (until % 1000) * 1000000L;
		pthread_cond_timedwait(&sv->idle, &sv->lock, &ts);
	}
	ended = sv->fetchers == 0;
	pthread_mutex_unlock(&sv->lock);
	return ended;
}

int
cmd_serve(const struct settings *s)
{
	struct server	*sv = xcalloc(1, sizeof(*sv));
	pthread_condattr_t ca;
	pthread_t	 thr;
	sigset_t	 set;
	struct strbuf	 pf = { 0 };
	char		 why[64], where[INET6_ADDRSTRLEN + 16];
	size_t		 i;
	int		 fd = -1, port = 0, sig, rc = EXIT_USAGE, started = 0;
	int		 ended;

	sv->s = s;
	sv->started = time(NULL);
	pthread_mutex_init(&sv->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sv->wake, &ca);
	pthread_cond_init(&sv->idle, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = refresh_select(s, sv->sel, &sv->nsel)) != 0)
		goto out;
	rc = EXIT_USAGE;
	sv->auth = s->auth_token_file != NULL;
	if (sv->auth && load_token(sv) == -1)
		goto out;
	if (s->cors_origin != NULL && !origin_valid(s->cors_origin)) {
		log_error("%s: '%s' is not an origin (scheme://host[:port]) "
		    "nor *", SETTING_ORIGIN(s, cors_origin),
		    log_escape(s->cors_origin, 80, why, sizeof(why)));
		goto out;
	}
	if ((fd = open_listener(s, &port, where, sizeof(where))) < 0) {
		rc = fd == -2 ? EXIT_USAGE : EXIT_FAIL;
		fd = -1;
		goto out;
	}
	if (!s->no_cache)
		sv->cache_path = s->cache ? xstrdup(s->cache) :
		    cache_default_path();

	refresh_take_signals(&set);

	sv->ct = conntrack_new(HEADER_DEADLINE_MS, INCOMPLETE_BUDGET);
	sv->refreshing = 1;
	if (pthread_create(&thr, NULL, refresher, sv) != 0) {
		log_error("cannot start a thread");
		rc = EXIT_FAIL;
		goto out;
	}
	started = 1;
	if (serve_events_start(s) == -1) {
		rc = EXIT_FAIL;
		goto out;
	}
	/* One epoll thread answers everything: nothing blocks it, and on two
	 * cores a pool only lengthens the tail of the latencies. */
	sv->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC |
	    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, sv,
	    MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned int)CONN_LIMIT,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)PER_IP_LIMIT,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)CONN_TIMEOUT,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, sv,
	    MHD_OPTION_NOTIFY_CONNECTION, connection_event, sv,
	    MHD_OPTION_EXTERNAL_LOGGER, mhd_log, sv,
	    MHD_OPTION_END);
	if (sv->d == NULL) {
		log_error("cannot start the HTTP server on %s", s->listen);
		rc = EXIT_FAIL;
		goto out;
	}
	fd = -1;	/* the daemon's now */
	if (s->port_file != NULL) {
		sb_addf(&pf, "%d\n", port);
		if (atomic_write(s->port_file, pf.s, pf.len) == -1) {
			log_error("cannot write %s: %s", s->port_file,
			    atomic_write_error(errno));
			rc = EXIT_FAIL;
			drain(sv);
			goto out;
		}
	}
	log_notice("listening on %s%s", where,
	    sv->auth ? "; the API needs the bearer token" : "");

	for (;;) {
		sig = sigtimedwait(&set, NULL, &(struct timespec){ 1, 0 });
		if (sig == -1) {	/* each second, or EINTR */
			(void)conntrack_sweep(sv->ct);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP && sv->auth) {
			if (load_token(sv) == 0)
				log_notice("%s read again",
				    s->auth_token_file);
			else
				log_error("keeping the bearer token read "
				    "before");
		}
		log_info("signal %d: refreshing now", sig);
		ask_refresh(sv, 0);
	}
	log_info("stopping on signal %d: finishing %d request%s", sig,
	    atomic_load(&sv->inflight), atomic_load(&sv->inflight) == 1 ?
	    "" : "s");
	drain(sv);
	rc = EXIT_OK;
out:
	serve_events_stop();
	if (started) {
		pthread_mutex_lock(&sv->lock);
		sv->stopping = 1;
		pthread_cond_broadcast(&sv->wake);
		pthread_mutex_unlock(&sv->lock);
		pthread_join(thr, NULL);
	}
	ended = fetchers_ended(sv);
	if (fd != -1)
		close(fd);
	sb_free(&pf);
	install(sv, &sv->snap, NULL);
	for (i = 0; i < PROVIDERS_MAX; i++)
		snapshot_release(sv->slot[i]);
	free_secret(sv->token);
	free(sv->cache_path);
	if (sv->d == NULL)	/* else the daemon's threads may still see it */
		conntrack_free(sv->ct);
	if (ended)	/* else a fetcher still reads sv */
		free(sv);
	return rc;
}
