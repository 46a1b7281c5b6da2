/* engine.c: ask the selected providers, pick or merge their answers. */
#include <errno.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "log.h"
#include "pace.h"
#include "probe/probe.h"
#include "safefile.h"
#include "util.h"

#define BACKOFF_FIRST	30	/* seconds, after the second failure in a row */
#define BACKOFF_MAX	1800
#define LOCK_WAIT_MS	3000	/* another iceupd holding the lock longer is stuck */

_Static_assert(CACHE_HEALTH_MAX >= PROVIDERS_MAX, "a health entry each");

static void
known_names(char *buf, size_t len)
{
	size_t	 i;

	buf[0] = '\0';
	for (i = 0; provider_table[i] != NULL; i++) {
		if (i > 0)
			strncat(buf, ", ", len - strlen(buf) - 1);
		strncat(buf, provider_table[i]->name, len - strlen(buf) - 1);
	}
}

int
engine_select(const struct settings *s, const struct provider **sel,
    size_t *nsel)
{
	const struct provider *p;
	char	**names = NULL, why[512], known[128], shown[64];
	size_t	 i, j, n = 0;
	int	 rc = -1, state;

	*nsel = 0;
	if (s->providers == NULL) {
		for (i = 0; (p = provider_table[i]) != NULL; i++) {
			state = p->configured(s, why, sizeof(why));
			if (state == -1) {
				log_error("%s: %s", p->name, why);
				goto out;
			}
			/* STUN alone has nothing for relay or TCP only. */
			if (state == 1 && (p->turn_capable || (!s->relay &&
			    s->transport != TRANSPORT_TCP)))
				sel[(*nsel)++] = p;
		}
		rc = 0;
		goto out;
	}

	n = util_split_list(s->providers, &names);
	if (n == 0) {
		log_error("%s: the provider list is empty",
		    SETTING_ORIGIN(s, providers));
		goto out;
	}
	for (i = 0; i < n; i++) {
		if ((p = provider_find(names[i])) == NULL) {
			known_names(known, sizeof(known));
			log_error("%s: unknown provider '%s' (known: %s)",
			    SETTING_ORIGIN(s, providers),
			    log_escape(names[i], 32, shown, sizeof(shown)),
			    known);
			goto out;
		}
		for (j = 0; j < *nsel; j++)
			if (sel[j] == p) {
				log_error("%s: provider '%s' is listed twice",
				    SETTING_ORIGIN(s, providers), p->name);
				goto out;
			}
		state = p->configured(s, why, sizeof(why));
		if (state != 1) {
			log_error("%s: %s%s", p->name, state == 0 ?
			    "not configured: " : "", why);
			goto out;
		}
		sel[(*nsel)++] = p;
	}
	rc = 0;
out:
	util_free_list(names, n);
	return rc;
}

/*
 * Every provider runs in its own thread under one deadline.  The run, with
 * its own copy of the settings, is shared by the engine and the threads
 * and freed by whoever leaves it last: a provider still hanging when the
 * engine has its answer is abandoned, not waited for, and cleans up after
 * itself when its own deadline ends it.  The caller's settings are never
 * read after the engine returns.
 */
struct job {
	const struct provider	*p;
	struct run		*run;
	struct ice_list		 list;
	struct provider_status	 st;
	long			 latency_ms;
	int			 rc;
	int			 done;
	int			 paced;		/* not asked: pace.h said so */
};

struct run {
	pthread_mutex_t		 lock;
	pthread_cond_t		 changed;
	struct settings		*s;		/* the run's own copy */
	struct job		 jobs[PROVIDERS_MAX];
	size_t			 njobs;
	size_t			 refs;		/* engine + running threads */
	long long		 start;
};

static void
run_release(struct run *run)
{
	size_t	 i, refs;

	pthread_mutex_lock(&run->lock);
	refs = --run->refs;
	pthread_mutex_unlock(&run->lock);
	if (refs > 0)
		return;
	for (i = 0; i < run->njobs; i++)
		ice_list_free(&run->jobs[i].list);
	pthread_mutex_destroy(&run->lock);
	pthread_cond_destroy(&run->changed);
	settings_free(run->s);
	free(run->s);
	free(run);
}

static const struct probe_result *
result_of(const struct probe_result *res, size_t n, const char *url)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(res[i].url, url) == 0)
			return &res[i];
	return NULL;
}

/* --verify: probes every URL of l, drops those that fail and orders the
 * rest of each entry by round-trip time.  0 when a TURN URL is left (any URL
 * for a provider that offers no TURN), -1 with st->error naming the first
 * failure otherwise. */
static int
verify(const struct settings *s, struct ice_list *l,
    struct provider_status *st, int need_turn)
{
	struct probe_options	 o = { st->deadline, s->cacert,
				    s->insecure_probe };
	const struct probe_result *a, *b;
	struct probe_result	*res;
	struct ice_server	*srv;
	char			*tmp, shown[160], first[200] = "";
	size_t			 n, i, j, k, failed = 0;
	int			 rc = -1;

	if ((res = probe_list(l, &o, &n)) == NULL) {
		snprintf(st->error, sizeof(st->error), "--verify: nothing "
		    "to probe");
		return -1;
	}
	for (i = 0; i < n; i++)
		if (res[i].status != PROBE_OK && failed++ == 0)
			snprintf(first, sizeof(first), "%s: %s (%.120s)",
			    ice_uri_shown(res[i].url, shown, sizeof(shown)),
			    probe_status_names[res[i].status], res[i].error);
	if (probe_filter(l, res, n) == -1)
		goto out;
	for (i = 0; i < l->n; i++) {	/* insertion sort by RTT */
		srv = &l->servers[i];
		for (j = 1; j < srv->nurls; j++)
			for (k = j; k > 0; k--) {
				a = result_of(res, n, srv->urls[k - 1]);
				b = result_of(res, n, srv->urls[k]);
				if (a == NULL || b == NULL ||
				    a->rtt_ms <= b->rtt_ms)
					break;
				tmp = srv->urls[k - 1];
				srv->urls[k - 1] = srv->urls[k];
				srv->urls[k] = tmp;
			}
	}
	if (need_turn ? !ice_list_has_turn(l) : l->n == 0) {
		snprintf(st->error, sizeof(st->error), "no %s passed "
		    "--verify%s%s", need_turn ? "TURN server" : "server",
		    failed ? "; first failure: " : "", first);
		goto out;
	}
	if (failed > 0)
		snprintf(st->warning, sizeof(st->warning), "--verify dropped "
		    "%zu URL%s; first: %s", failed, failed == 1 ? "" : "s",
		    first);
	rc = 0;
out:
	free(res);
	return rc;
}

/* Asks one provider, then applies the filters (and --verify): an answer
 * they empty is a failure, so that the engine fails over to the next. */
static void *
job_main(void *arg)
{
	struct job		*j = arg;
	struct run		*run = j->run;
	const struct settings	*s = run->s;
	int			 rc;

	rc = j->p->fetch(s, &j->list, &j->st);
	if (rc == -1 && j->st.retry_after > 0)
		pace_hold(j->p->name, time(NULL) + j->st.retry_after);
	/* When the credentials were made: a provider that reckons their
	 * expiry from "now" says so itself; else now, not when the engine
	 * collects them. */
	if (j->list.fetched_at == 0)
		j->list.fetched_at = time(NULL);
	if (rc == 0 && provider_cap_lifetime(&j->list, time(NULL)) > 0 &&
	    j->st.warning[0] == '\0')
		snprintf(j->st.warning, sizeof(j->st.warning), "a lifetime "
		    "over %ld days was cut to that", PROVIDER_LIFETIME_MAX /
		    86400);
	if (rc == 0) {
		ice_list_filter(&j->list, (enum ice_transport)s->transport,
		    s->relay);
		if (j->list.n == 0) {
			snprintf(j->st.error, sizeof(j->st.error), "no server "
			    "left after %s%s%s%s", s->relay ? "--relay" : "",
			    s->relay && s->transport != TRANSPORT_ANY ?
			    " and " : "", s->transport != TRANSPORT_ANY ?
			    "--transport " : "", s->transport != TRANSPORT_ANY ?
			    ice_transport_names[s->transport] : "");
			rc = -1;
		}
	}
	if (rc == 0 && s->verify &&
	    verify(s, &j->list, &j->st, j->p->turn_capable) == -1)
		rc = -1;
	if (rc == -1)
		ice_list_free(&j->list);
	/* The process may end as soon as this job is done: leave no
	 * OpenSSL state of this thread behind. */
	OPENSSL_thread_stop();

	pthread_mutex_lock(&run->lock);
	j->rc = rc;
	j->latency_ms = (long)(util_monotonic_ms() - run->start);
	j->done = 1;
	pthread_cond_broadcast(&run->changed);
	pthread_mutex_unlock(&run->lock);
	run_release(run);
	return NULL;
}

/* Under run->lock: 1 when waiting longer cannot change the answer. */
static int
decided(const struct run *run, int policy)
{
	size_t	 i;

	for (i = 0; i < run->njobs; i++) {
		if (!run->jobs[i].done)
			return 0;
		if (policy == POLICY_FIRST && run->jobs[i].rc == 0)
			return 1;
	}
	return 1;
}

static int
any_answer(const struct run *run)
{
	size_t	 i;

	for (i = 0; i < run->njobs; i++)
		if (run->jobs[i].done && run->jobs[i].rc == 0)
			return 1;
	return 0;
}

/* Waits until the answer is decided, the grace period after the first
 * answer is over (unless each is set: every answer is wanted), or the
 * deadline has passed. */
static void
wait_for_answers(struct run *run, const struct settings *s, int each)
{
	long long	 deadline = run->start + s->timeout_ms, wake, grace = 0;
	struct timespec	 ts;

	pthread_mutex_lock(&run->lock);
	while (!decided(run, each ? POLICY_MERGE : s->policy)) {
		if (!each && grace == 0 && any_answer(run))
			grace = util_monotonic_ms() + s->grace_ms;
		wake = grace != 0 && grace < deadline ? grace : deadline;
		if (util_monotonic_ms() >= wake)
			break;
		ts.tv_sec = wake / 1000;
		ts.tv_nsec = (wake % 1000) * 1000000L;
		pthread_cond_timedwait(&run->changed, &run->lock, &ts);
	}
	pthread_mutex_unlock(&run->lock);
}

/* Starts a thread per provider, but for those pace.h holds back (one that
 * answers locally asks nobody). */
static struct run *
run_start(const struct settings *s, const struct provider *const *sel,
    size_t nsel, int forced)
{
	pthread_condattr_t attr;
	pthread_attr_t	 tattr;
	pthread_t	 t;
	struct run	*run = xcalloc(1, sizeof(*run));
	struct job	*j;
	size_t		 i;

	pthread_mutex_init(&run->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&run->changed, &attr);
	pthread_condattr_destroy(&attr);
	pthread_attr_init(&tattr);
	pthread_attr_setdetachstate(&tattr, PTHREAD_CREATE_DETACHED);
	run->s = settings_copy(s);
	run->njobs = nsel;
	run->refs = 1;
	run->start = util_monotonic_ms();

	pthread_mutex_lock(&run->lock);
	for (i = 0; i < nsel; i++) {
		j = &run->jobs[i];
		j->p = sel[i];
		j->run = run;
		j->st.deadline = run->start + s->timeout_ms;
		if (!j->p->local && !pace_take(j->p->name, forced,
		    j->st.error, sizeof(j->st.error))) {
			j->rc = -1;
			j->done = j->paced = 1;
			continue;
		}
		run->refs++;
		if (pthread_create(&t, &tattr, job_main, j) != 0) {
			run->refs--;
			j->rc = -1;
			j->done = 1;
			snprintf(j->st.error, sizeof(j->st.error), "cannot "
			    "start a thread");
		}
	}
	pthread_mutex_unlock(&run->lock);
	pthread_attr_destroy(&tattr);
	return run;
}

/* Runs the providers; with each, every answer is waited for and kept in
 * each[i], r->list holding none; else they are picked or merged. */
static int
fetch_run(const struct settings *s, const struct provider *const *sel,
    size_t nsel, struct engine_result *r, struct ice_list *each, int forced)
{
	struct source_report *src;
	struct run	*run;
	struct job	*j;
	long long	 now;
	size_t		 i, first_ok = PROVIDERS_MAX;

	memset(r, 0, sizeof(*r));
	if (nsel > PROVIDERS_MAX)
		nsel = PROVIDERS_MAX;
	run = run_start(s, sel, nsel, forced);
	wait_for_answers(run, s, each != NULL);

	pthread_mutex_lock(&run->lock);
	now = util_monotonic_ms();
	r->nsources = nsel;
	for (i = 0; i < nsel; i++) {
		j = &run->jobs[i];
		src = &r->sources[i];
		src->name = j->p->name;
		src->asked = !j->paced;
		src->turn_capable = j->p->turn_capable;
		if (j->p->turn_capable)
			r->turn_expected = 1;
		if (!j->done) {
			src->latency_ms = (long)(now - run->start);
			if (first_ok != PROVIDERS_MAX &&
			    s->policy == POLICY_FIRST) {
				src->not_waited = 1;
				snprintf(src->error, sizeof(src->error), "not "
				    "waited for: %s answered first",
				    run->jobs[first_ok].p->name);
			} else
				snprintf(src->error, sizeof(src->error), "no "
				    "answer after %ld ms", src->latency_ms);
			continue;
		}
		src->latency_ms = j->latency_ms;
		if (j->st.warning[0] != '\0')
			log_warn("%s: %s", j->p->name, j->st.warning);
		if (j->rc == -1) {
			src->retry_after = j->st.retry_after;
			snprintf(src->error, sizeof(src->error), "%s",
			    j->st.error);
			log_redact(src->error, sizeof(src->error));
			continue;
		}
		src->ok = 1;
		if (first_ok == PROVIDERS_MAX)
			first_ok = i;
		log_info("%s: %zu URL%s in %ld ms%s%s", j->p->name,
		    ice_list_nurls(&j->list), ice_list_nurls(&j->list) == 1 ?
		    "" : "s", j->latency_ms, j->st.note[0] ? ": " : "",
		    j->st.note);
		if (each != NULL) {
			each[i] = j->list;
			memset(&j->list, 0, sizeof(j->list));
			snprintf(each[i].provider, sizeof(each[i].provider),
			    "%s", j->p->name);
			continue;
		}
		if (s->policy == POLICY_FIRST && r->list.n > 0)
			continue;
		if (r->list.n == 0) {
			r->list = j->list;
			memset(&j->list, 0, sizeof(j->list));
			snprintf(r->list.provider, sizeof(r->list.provider),
			    "%s", j->p->name);
		} else {
			if (j->list.fetched_at > r->list.fetched_at)
				r->list.fetched_at = j->list.fetched_at;
			ice_list_merge(&r->list, &j->list);
			snprintf(r->list.provider + strlen(r->list.provider),
			    sizeof(r->list.provider) -
			    strlen(r->list.provider), "+%s", j->p->name);
		}
	}
	pthread_mutex_unlock(&run->lock);
	run_release(run);

	if (each != NULL)
		return first_ok == PROVIDERS_MAX ? -1 : 0;
	/* Failures that cost something: those of providers preferred to the
	 * one that answered, or any under merge. */
	for (i = 0; i < r->nsources; i++)
		if (!r->sources[i].ok && r->list.n > 0 &&
		    (s->policy == POLICY_MERGE || i < first_ok))
			log_warn("%s failed: %s", r->sources[i].name,
			    r->sources[i].error);
	if (r->list.n == 0)
		return -1;
	ice_list_truncate(&r->list, (size_t)s->max_servers);
	for (i = 0; i < r->list.n; i++)
		log_secret(r->list.servers[i].credential);
	return 0;
}

int
engine_fetch(const struct settings *s, const struct provider *const *sel,
    size_t nsel, struct engine_result *r, int forced)
{
	return fetch_run(s, sel, nsel, r, NULL, forced);
}

int
engine_fetch_each(const struct settings *s, const struct provider *const *sel,
    size_t nsel, struct engine_result *r, struct ice_list *each)
{
	memset(each, 0, nsel * sizeof(*each));
	return fetch_run(s, sel, nsel, r, each, 1);
}

time_t
engine_fresh_until(const struct settings *s, time_t fetched_at,
    time_t expires)
{
	time_t	 at;

	if (expires == 0)
		return fetched_at + ENGINE_UNKNOWN_REFRESH;
	at = fetched_at + (expires - fetched_at) * s->refresh_at / 100;
	return at < expires - s->min_ttl + 1 ? at : expires - s->min_ttl + 1;
}

int
engine_fresh(const struct settings *s, time_t fetched_at, time_t expires,
    time_t now)
{
	return now < engine_fresh_until(s, fetched_at, expires);
}

/* 1 when a provider preferred to the one whose list is cached may answer
 * now (it is not backing off): a failover answer is not reused then. */
static int
better_due(const struct cache *c, const struct provider *const *sel,
    size_t nsel, time_t now)
{
	const struct provider_health *h;
	size_t	 i;

	if (strchr(c->list.provider, '+') != NULL)
		return 0;	/* a merge: everyone had their say */
	for (i = 0; i < nsel; i++) {
		if (strcmp(sel[i]->name, c->list.provider) == 0)
			return 0;
		h = cache_health(c, sel[i]->name);
		if (h == NULL || h->next_try <= now)
			return 1;
	}
	return 0;
}

static void
take_cached(struct engine_result *r, struct cache *c)
{
	ice_list_free(&r->list);
	r->list = c->list;
	memset(&c->list, 0, sizeof(c->list));
}

/* Says once per process, in one line, that the cache cannot be written:
 * without it there is no stale-if-error and no backoff record. */
static void
cache_unusable(const char *path, int err)
{
	static atomic_int said;

	if (atomic_exchange(&said, 1) == 0)
		log_warn("cache %s: cannot write: %s; no cached credentials "
		    "if the providers fail (set --cache FILE, or --no-cache)",
		    path, safe_strerror(err));
	else
		log_info("cache %s: cannot write: %s", path,
		    safe_strerror(err));
}

int
engine_get(const struct settings *s, const struct provider *const *sel,
    size_t nsel, enum engine_ask how, struct engine_result *r)
{
	const struct provider		*asked[PROVIDERS_MAX];
	const struct provider_health	*h;
	struct source_report		 skipped[PROVIDERS_MAX];
	struct cache			 c;
	char				 key[65], when[32];
	char				*path = NULL;
	time_t				 now = time(NULL), expires;
	size_t				 i, nask = 0, nskip = 0;
	int				 use = !s->no_cache, rc, usable;

	memset(&c, 0, sizeof(c));
	memset(r, 0, sizeof(*r));
	for (i = 0; i < nsel && use; i++)
		if (!sel[i]->local)
			break;
	if (i == nsel)
		use = 0;	/* minting locally costs less than the cache */
	if (use && (path = s->cache ? xstrdup(s->cache) :
	    cache_default_path()) == NULL)
		use = 0;
	settings_digest(s, key);
	if (use)
		(void)engine_cache_load(path, s, &c);
	usable = c.list.n > 0 && strcmp(c.key, key) == 0;
	/* What a provider said to another run of iceupd holds here too. */
	for (i = 0; i < c.nhealth; i++)
		if (c.health[i].not_before > now)
			pace_hold(c.health[i].name, c.health[i].not_before);

	if (usable && how == ASK_CACHED && engine_fresh(s, c.list.fetched_at,
	    ice_list_expires(&c.list), now) &&
	    !better_due(&c, sel, nsel, now)) {
		take_cached(r, &c);
		r->from_cache = 1;
		for (i = 0; i < nsel; i++)
			r->turn_expected |= sel[i]->turn_capable;
		log_info("cache %s: fresh list from %s", path,
		    r->list.provider);
		rc = 0;
		goto out;
	}

	/* A provider backing off is not asked, unless forced; one that
	 * could give TURN still counts as expected to. */
	for (i = 0; i < nsel; i++) {
		h = cache_health(&c, sel[i]->name);
		if (how != ASK_ALL && h != NULL && h->next_try > now) {
			memset(&skipped[nskip], 0, sizeof(skipped[0]));
			skipped[nskip].name = sel[i]->name;
			skipped[nskip].turn_capable = sel[i]->turn_capable;
			snprintf(skipped[nskip].error, sizeof(skipped[0].error),
			    "not asked: backing off after %d failures until "
			    "%s; last error: %.300s", h->failures,
			    util_rfc3339(h->next_try, when, sizeof(when)),
			    h->error[0] ? h->error : "none recorded");
			nskip++;
		} else
			asked[nask++] = sel[i];
	}
	if (nask == 0) {	/* all backing off: ask them all anyway */
		memcpy(asked, sel, nsel * sizeof(*sel));
		nask = nsel;
		nskip = 0;
	}
	rc = fetch_run(s, asked, nask, r, NULL, how == ASK_ALL);
	for (i = 0; i < nskip && r->nsources < PROVIDERS_MAX; i++) {
		r->sources[r->nsources++] = skipped[i];
		if (skipped[i].turn_capable)
			r->turn_expected = 1;
		log_msg(skipped[i].turn_capable && rc == 0 &&
		    !ice_list_has_turn(&r->list) ? LOG_WARN : LOG_INFO,
		    "%s: %s", skipped[i].name, skipped[i].error);
	}
	if (use && engine_cache_store(path, s, key, rc == 0 && !engine_degraded(r) ?
	    &r->list : NULL, r) == -1)
		cache_unusable(path, errno);

	/* Stale if error: cached credentials beat none, or none with TURN. */
	expires = ice_list_expires(&c.list);
	if (usable && (expires == 0 || expires > now) &&
	    (rc == -1 || (engine_degraded(r) &&
	    ice_list_has_turn(&c.list)))) {
		take_cached(r, &c);
		r->stale = 1;
		log_warn("serving cached credentials from %s (%s)%s%s",
		    r->list.provider, path, expires ? ", expiring at " : "",
		    expires ? util_rfc3339(expires, when, sizeof(when)) : "");
		rc = 0;
	}
out:
	cache_free(&c);
	free(path);
	return rc;
}

time_t
engine_next_refresh(const struct settings *s, const struct ice_list *l,
    time_t now)
{
	time_t	 expires = ice_list_expires(l), life, at;

	if (expires == 0)
		return now + ENGINE_UNKNOWN_REFRESH;
	life = expires - l->fetched_at;
	at = l->fetched_at + life * s->refresh_at / 100;
	if (life >= 40)
		at -= random() % (life / 20);
	return at > now + ENGINE_RETRY_FIRST ? at : now + ENGINE_RETRY_FIRST;
}

int
engine_degraded(const struct engine_result *r)
{
	return r->stale || (r->turn_expected && !ice_list_has_turn(&r->list));
}

void
engine_result_free(struct engine_result *r)
{
	ice_list_free(&r->list);
	memset(r, 0, sizeof(*r));
}

/* What engine_cache_store records, and under which settings. */
struct record {
	const struct settings		*s;
	const char			*key;
	const struct ice_list		*list;
	const struct engine_result	*r;
};

/* How long to wait for the cache's lock: LOCK_WAIT_MS, and never past a
 * third of the fetch's --timeout, so that the providers keep their time. */
static long
lock_wait(const struct settings *s)
{
	long	 third = s->timeout_ms / 3;

	return third < LOCK_WAIT_MS ? third : LOCK_WAIT_MS;
}

/* Health that another configuration than s's earned says nothing of the
 * providers as configured now; names that are no provider are dropped. */
static int
health_holds(const struct provider_health *h, void *arg)
{
	const struct record *rec = arg;
	const struct provider *p;
	char	 key[65];

	if ((p = provider_find(h->name)) == NULL)
		return 0;
	provider_config_key(rec->s, p, key);
	return strcmp(key, h->config) == 0;
}

/* One more failure of h: the error, and the backoff it earns, or the
 * provider's own Retry-After when that is later. */
static void
health_failed(struct provider_health *h, const struct source_report *src,
    time_t now)
{
	long	 wait = 0;

	if (h->failures < CACHE_FAILURES_MAX)
		h->failures++;
	snprintf(h->error, sizeof(h->error), "%s", src->error);
	if (h->failures >= 2) {
		wait = BACKOFF_FIRST << (h->failures > 8 ? 6 :
		    h->failures - 2);
		if (wait > BACKOFF_MAX)
			wait = BACKOFF_MAX;
	}
	h->next_try = wait ? now + wait : 0;
	/* The provider's own wait holds, forced or not (pace.h). */
	h->not_before = src->retry_after > 0 ? now + src->retry_after : 0;
	if (h->not_before > h->next_try)
		h->next_try = h->not_before;
}

static void
record(struct cache *c, void *arg)
{
	const struct record *rec = arg;
	const struct source_report *src;
	const struct provider *p;
	struct provider_health *h;
	time_t	 now = time(NULL);
	size_t	 i;

	if (rec->list != NULL)
		cache_set_list(c, rec->key, rec->list);
	for (i = 0; rec->r != NULL && i < rec->r->nsources; i++) {
		src = &rec->r->sources[i];
		if (!src->asked || src->not_waited ||
		    (p = provider_find(src->name)) == NULL ||
		    (h = cache_health_slot(c, src->name)) == NULL)
			continue;
		provider_config_key(rec->s, p, h->config);
		if (!src->ok) {
			health_failed(h, src, now);
			continue;
		}
		h->failures = 0;
		h->latency_ms = src->latency_ms;
		h->error[0] = '\0';
		h->last_ok = now;
		h->next_try = h->not_before = 0;
	}
}

int
engine_cache_load(const char *path, const struct settings *s,
    struct cache *c)
{
	struct record	 rec = { .s = s };

	return cache_load(path, lock_wait(s), health_holds, &rec, c);
}

int
engine_cache_store(const char *path, const struct settings *s,
    const char *key, const struct ice_list *list,
    const struct engine_result *r)
{
	struct record	 rec = { s, key, list, r };

	return cache_store(path, lock_wait(s), health_holds, record, &rec);
}
