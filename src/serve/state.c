/* serve/state.c: the server's snapshots, immutable and reference counted,
 * and the requests suspended until one is there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../format/format.h"
#include "../log.h"
#include "server.h"

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

void
snapshot_release(struct snapshot *sn)
{
	if (sn == NULL || atomic_fetch_sub(&sn->refs, 1) != 1)
		return;
	wipe_json(sn->report);
	cJSON_Delete(sn->report);
	pthread_mutex_destroy(&sn->print_lock);
	sb_free_secret(&sn->neko);
	sb_free_secret(&sn->rtc);
	free(sn);
}

/* Renders r once for every shape served; the json report's remaining_ttl
 * changes every second, so that report is kept as a tree and printed for
 * each answer. */
struct snapshot *
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
int
snapshot_usable(const struct snapshot *sn, time_t now)
{
	return sn != NULL && (sn->expires == 0 || sn->expires > now);
}

/* Fresh by the cache's rule. */
int
snapshot_fresh(const struct settings *s, const struct snapshot *sn, time_t now)
{
	return snapshot_usable(sn, now) && engine_fresh(s, sn->fetched_at,
	    sn->expires, now);
}

/* The snapshot in *where, with a reference the caller releases. */
struct snapshot *
snapshot_acquire(struct server *sv, struct snapshot **where)
{
	struct snapshot *sn;

	pthread_mutex_lock(&sv->lock);
	if ((sn = *where) != NULL)
		atomic_fetch_add(&sn->refs, 1);
	pthread_mutex_unlock(&sv->lock);
	return sn;
}

/* Publishes sn in *where (NULL: none) and drops the old one. */
void
snapshot_install(struct server *sv, struct snapshot **where,
    struct snapshot *sn)
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
enum MHD_Result
request_park(struct server *sv, struct MHD_Connection *c, struct request *rq,
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
void
requests_wake(struct server *sv, int wait)
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
