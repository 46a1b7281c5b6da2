/* serve/refresher.c: the thread that keeps the list served fresh: one
 * refresh cycle of refresh.c at a time, as scheduled or asked for. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../cache.h"
#include "../log.h"
#include "../pace.h"
#include "../refresh.h"
#include "../safefile.h"
#include "events.h"
#include "server.h"

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
	if ((cur = snapshot_acquire(sv, &sv->snap)) != NULL) {
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
	snapshot_install(sv, &sv->snap, sn);
	metrics_refresh(1);
	log_info("serving %zu URL%s from %s%s; next refresh at %s",
	    ice_list_nurls(&r.list), ice_list_nurls(&r.list) == 1 ? "" : "s",
	    r.list.provider, r.stale ? " (stale cache)" : "",
	    util_rfc3339(t->next, when, sizeof(when)));
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
	    engine_cache_store(sv->cache_path, sv->s, "", &none, NULL) == -1)
		log_warn("cache %s: cannot write: %s", sv->cache_path,
		    safe_strerror(errno));
}

/* Copies the disk cache's provider health, for /api/ice/providers to
 * answer from memory. */
static void
keep_health(struct server *sv)
{
	struct cache	 c;

	if (sv->cache_path == NULL ||
	    engine_cache_load(sv->cache_path, sv->s, &c) == -1)
		return;
	pthread_mutex_lock(&sv->lock);
	memcpy(sv->health, c.health, sizeof(sv->health));
	sv->nhealth = c.nhealth;
	pthread_mutex_unlock(&sv->lock);
	cache_free(&c);
}

void *
serve_refresher(void *arg)
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
		requests_wake(sv, WAIT_LIST);
		pthread_mutex_lock(&sv->lock);
		while (!sv->stopping && !sv->refresh_asked &&
		    (now = time(NULL)) < timer.next) {
			until = util_monotonic_ms() +
			    (long long)(timer.next - now) * 1000;
			ts.tv_sec = until / 1000;
			ts.tv_nsec = (until % 1000) * 1000000L;
			pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
		}
		/* Forced refreshes come PACE_FORCED_S apart at most: one
		 * asked sooner waits, and takes in those asked meanwhile. */
		while (!sv->stopping && sv->refresh_asked && !sv->drop_disk &&
		    sv->forced_ms != 0 && serve_paced(sv) &&
		    (until = sv->forced_ms + PACE_FORCED_S * 1000LL) >
		    util_monotonic_ms()) {
			ts.tv_sec = until / 1000;
			ts.tv_nsec = (until % 1000) * 1000000L;
			pthread_cond_timedwait(&sv->wake, &sv->lock, &ts);
		}
		if (sv->stopping) {
			pthread_mutex_unlock(&sv->lock);
			requests_wake(sv, WAIT_LIST);	/* no list is coming */
			break;
		}
		asked = sv->refresh_asked;
		drop = sv->drop_disk;
		if (asked && !drop)
			sv->forced_ms = util_monotonic_ms();
		sv->refresh_asked = sv->drop_disk = 0;
		sv->refreshing = 1;
		pthread_mutex_unlock(&sv->lock);
		if (asked)
			log_info("refreshing now, as asked");
		if (drop)
			drop_disk_list(sv);
		/* The first refresh may take a fresh list from the disk
		 * cache; later ones are due, or asked for (which asks
		 * providers backing off too, as a forced ask: pace.h).
		 * After DELETE the lists are gone, not stale: a due one. */
		refresh(sv, (asked && !drop) || sv->s->force_refresh ?
		    ASK_ALL : due || drop ? ASK_DUE : ASK_CACHED, &timer);
		keep_health(sv);
		due = 1;
	}
	return NULL;
}

/* A refresh already running absorbs the request, unless it must start
 * after now (drop_disk: after the lists were dropped). */
void
serve_ask_refresh(struct server *sv, int drop_disk)
{
	pthread_mutex_lock(&sv->lock);
	if (drop_disk || !sv->refreshing) {
		sv->refresh_asked = 1;
		sv->drop_disk |= drop_disk;
		pthread_cond_signal(&sv->wake);
	}
	pthread_mutex_unlock(&sv->lock);
}
