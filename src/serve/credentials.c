/* serve/credentials.c: GET /api/ice/credentials: the list served, a
 * forced refresh, or one provider's list (?provider=NAME) fetched by a
 * thread of its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../pace.h"
#include "../providers/provider.h"
#include "../refresh.h"
#include "compat.h"
#include "server.h"

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
	int		 forced;
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
	if (engine_fetch(sv->s, &p, 1, &r, job->forced) == 0) {
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
	requests_wake(sv, (int)job->slot);

	pthread_mutex_lock(&sv->lock);
	sv->fetchers--;
	pthread_cond_broadcast(&sv->idle);
	pthread_mutex_unlock(&sv->lock);
	free(job);
	return NULL;
}

/* Starts a fetcher for slot unless one runs, a forced one when forced;
 * with sv->lock held.  0, or -1 when no thread could be started. */
static int
start_fetcher(struct server *sv, size_t slot, int forced)
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
	job->forced = forced;
	if (forced)
		sv->slot_forced_ms[slot] = util_monotonic_ms();
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
	int		 coalesced = 0;

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
	/* Forced asks less than PACE_FORCED_S apart are one (pace.h): the
	 * later ones get what the first got. */
	pthread_mutex_lock(&sv->lock);
	if (forced && !p->local && sv->slot_forced_ms[i] != 0 &&
	    util_monotonic_ms() - sv->slot_forced_ms[i] <
	    PACE_FORCED_S * 1000LL) {
		forced = 0;
		coalesced = 1;
	}
	pthread_mutex_unlock(&sv->lock);
	sn = snapshot_acquire(sv, &sv->snap);
	if (!rq->waited && !forced && sn != NULL &&
	    strcmp(sn->provider, p->name) == 0 &&
	    snapshot_fresh(sv->s, sn, now))
		goto hit;
	snapshot_release(sn);

	pthread_mutex_lock(&sv->lock);
	if ((sn = sv->slot[i]) != NULL && snapshot_fresh(sv->s, sn, now) &&
	    (rq->waited || !forced)) {
		atomic_fetch_add(&sn->refs, 1);
		pthread_mutex_unlock(&sv->lock);
		if (rq->waited)
			goto answer;
		goto hit;
	}
	if ((rq->waited && sv->fetched[i] != rq->seen) ||
	    (coalesced && !sv->fetching[i])) {
		/* The fetch it waited for ended without a list. */
		snprintf(why, sizeof(why), "%s", sv->fetch_error[i][0] ?
		    sv->fetch_error[i] : "a forced fetch came less than 5 s "
		    "ago, and left no list");
		pthread_mutex_unlock(&sv->lock);
		return reply_error(sv, c, rq, MHD_HTTP_BAD_GATEWAY, NULL,
		    "%s failed: %s", p->name, why);
	}
	if (sv->stopping) {
		pthread_mutex_unlock(&sv->lock);
		return reply_error(sv, c, rq, MHD_HTTP_SERVICE_UNAVAILABLE,
		    NULL, "shutting down");
	}
	if (start_fetcher(sv, i, forced && !rq->waited) == -1) {
		pthread_mutex_unlock(&sv->lock);
		log_error("cannot start a thread to fetch from %s", p->name);
		return reply_error(sv, c, rq, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    NULL, "cannot start a fetch");
	}
	if (!rq->waited)
		rq->seen = sv->fetched[i];
	return request_park(sv, c, rq, (int)i);
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
		rq->deadline_ms = util_monotonic_ms() + sv->s->timeout_ms +
		    1000;
	pthread_mutex_lock(&sv->lock);
	if (snapshot_usable(sv->snap, now)) {
		sn = sv->snap;
		atomic_fetch_add(&sn->refs, 1);
	} else if (!sv->stopping && (sv->refreshing || sv->refresh_asked ||
	    sv->next_try <= now) && util_monotonic_ms() < rq->deadline_ms) {
		*parked = 1;
		(void)request_park(sv, c, rq, WAIT_LIST);
		return NULL;
	}
	*retry = sv->next_try > now ? (long)(sv->next_try - now) :
	    ENGINE_RETRY_FIRST;
	pthread_mutex_unlock(&sv->lock);
	return sn;
}

/* ?force_refresh=true: parks rq for a refresh, the one running or a new
 * one, which every forced request meanwhile shares.  1 when parked; 0
 * when not, *coalesced set when a forced refresh began less than
 * PACE_FORCED_S ago and is over: what it left answers (pace.h). */
static int
force_refresh(struct server *sv, struct MHD_Connection *c, struct request *rq,
    int *coalesced)
{
	if (!rq->waited)
		rq->deadline_ms = util_monotonic_ms() + sv->s->timeout_ms +
		    1000;
	pthread_mutex_lock(&sv->lock);
	*coalesced = !sv->refreshing && sv->forced_ms != 0 &&
	    serve_paced(sv) &&
	    util_monotonic_ms() - sv->forced_ms < PACE_FORCED_S * 1000LL;
	if (sv->stopping || *coalesced) {
		pthread_mutex_unlock(&sv->lock);
		return 0;
	}
	if (!sv->refreshing && !sv->refresh_asked) {
		sv->refresh_asked = 1;
		pthread_cond_signal(&sv->wake);
	}
	(void)request_park(sv, c, rq, WAIT_LIST);
	return 1;
}

enum MHD_Result
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
	int		 shape, parked = 0, forced, coalesced = 0;

	if ((shape = reply_shape(c, SHAPE_JSON)) == -1)
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
	if (forced && !rq->waited && force_refresh(sv, c, rq, &coalesced))
		return MHD_YES;

	sn = snapshot_acquire(sv, &sv->snap);
	if (snapshot_usable(sn, now) && !rq->waited)
		metrics_cache_hit();
	else if (!snapshot_usable(sn, now)) {
		snapshot_release(sn);
		/* What the forced refresh just made is no list: no wait. */
		sn = NULL;
		retry = PACE_FORCED_S;
		if (!coalesced)
			sn = list_or_park(sv, c, rq, &retry, &parked);
		if (sn == NULL) {
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
