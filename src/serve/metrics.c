/* serve/metrics.c: what `iceupd serve` counts, and its Prometheus text format.
 *
 * Request counters are lock-free atomics (they change on every request);
 * provider outcomes change at most once per fetch and share one mutex. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "metrics.h"

#define STATUS_MAX	600
/* Upper bounds of the fetch duration buckets, in seconds. */
static const double buckets[] = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
	1, 2.5, 5, 10 };
#define NBUCKETS	(sizeof(buckets) / sizeof(buckets[0]))

/* A route's counts by status; route is set once, by its first count. */
static struct {
	_Atomic(const char *) route;
	atomic_ulong	 n[STATUS_MAX];
} http[METRICS_ROUTES_MAX];
static atomic_ulong	 cache_hits, on_demand, failovers, refreshes,
			 refresh_failures, turn_minted;

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
/* [i][ok], and [i][2]: not waited for, another having answered first */
static unsigned long	 fetches[PROVIDERS_MAX][3];
static unsigned long	 hist[PROVIDERS_MAX][NBUCKETS];	/* not cumulative */
static double		 hist_sum[PROVIDERS_MAX];
static struct provider_last last[PROVIDERS_MAX];

void
metrics_http(const char *route, unsigned status)
{
	const char *at;
	size_t	 r;

	if (status >= STATUS_MAX)
		return;
	for (r = 0; r < METRICS_ROUTES_MAX; r++) {
		at = atomic_load(&http[r].route);
		/* A free slot is claimed; a failed claim leaves who won in at.
		 * The endpoints pass their own path: the pointer is enough. */
		if ((at == NULL && atomic_compare_exchange_strong(
		    &http[r].route, &at, route)) || at == route ||
		    strcmp(at, route) == 0) {
			atomic_fetch_add_explicit(&http[r].n[status], 1,
			    memory_order_relaxed);
			return;
		}
	}
}

static int
provider_index(const char *name)
{
	size_t	 i;

	for (i = 0; provider_table[i] != NULL && i < PROVIDERS_MAX; i++)
		if (strcmp(provider_table[i]->name, name) == 0)
			return (int)i;
	return -1;
}

int
metrics_engine(const struct engine_result *r, int policy)
{
	const struct source_report *src;
	double	 secs;
	size_t	 i, b;
	int	 p, answered = -1, failed_before = 0, failed = 0;

	pthread_mutex_lock(&lock);
	for (i = 0; i < r->nsources; i++) {
		src = &r->sources[i];
		if (!src->asked || (p = provider_index(src->name)) == -1)
			continue;
		if (src->not_waited) {
			/* No news of it: counted apart, never as an error. */
			fetches[p][2]++;
			last[p].asked = 1;
			last[p].ok = 0;
			last[p].not_waited = 1;
			last[p].at = time(NULL);
			snprintf(last[p].error, sizeof(last[p].error), "%s",
			    src->error);
			continue;
		}
		last[p].not_waited = 0;
		fetches[p][src->ok ? 1 : 0]++;
		secs = (double)src->latency_ms / 1000.0;
		for (b = 0; b < NBUCKETS && secs > buckets[b]; b++)
			;
		if (b < NBUCKETS)
			hist[p][b]++;
		hist_sum[p] += secs;
		last[p].asked = 1;
		last[p].ok = src->ok;
		last[p].latency_ms = src->latency_ms;
		last[p].at = time(NULL);
		snprintf(last[p].error, sizeof(last[p].error), "%s",
		    src->ok ? "" : src->error);
		if (src->ok && answered == -1)
			answered = (int)i;
		if (!src->ok) {
			failed = 1;
			if (answered == -1)
				failed_before = 1;
		}
	}
	pthread_mutex_unlock(&lock);
	if (r->list.n == 0)
		return 0;
	return policy == POLICY_MERGE ? failed : failed_before;
}

void
metrics_refresh(int ok)
{
	atomic_fetch_add(ok ? &refreshes : &refresh_failures, 1);
}

void
metrics_cache_hit(void)
{
	atomic_fetch_add_explicit(&cache_hits, 1, memory_order_relaxed);
}

void
metrics_on_demand(void)
{
	atomic_fetch_add(&on_demand, 1);
}

void
metrics_failover(void)
{
	atomic_fetch_add(&failovers, 1);
}

void
metrics_turn_minted(void)
{
	atomic_fetch_add(&turn_minted, 1);
}

void
metrics_stats(struct metrics_stats *st, const char *credentials)
{
	const char *route;
	unsigned long v;
	size_t	 r, c;

	memset(st, 0, sizeof(*st));
	for (r = 0; r < METRICS_ROUTES_MAX; r++) {
		if ((route = atomic_load(&http[r].route)) == NULL)
			break;
		for (c = 0; c < STATUS_MAX; c++) {
			v = atomic_load(&http[r].n[c]);
			st->requests += v;
			if (strcmp(route, credentials) == 0)
				st->credentials += v;
		}
	}
	st->cache_hits = atomic_load(&cache_hits);
	st->on_demand = atomic_load(&on_demand);
	st->failovers = atomic_load(&failovers);
	st->refreshes = atomic_load(&refreshes);
	st->refresh_failures = atomic_load(&refresh_failures);
	st->turn_minted = atomic_load(&turn_minted);
}

int
metrics_last(size_t i, struct provider_last *out)
{
	int	 rc = -1;

	if (i >= PROVIDERS_MAX)
		return -1;
	pthread_mutex_lock(&lock);
	if (last[i].asked) {
		*out = last[i];
		out->avg_latency_ms = fetches[i][0] + fetches[i][1] == 0 ? 0 :
		    hist_sum[i] * 1000.0 /
		    (double)(fetches[i][0] + fetches[i][1]);
		rc = 0;
	}
	pthread_mutex_unlock(&lock);
	return rc;
}

/* The plain counters, in the order they are rendered. */
static const struct {
	const char	*name, *help;
	atomic_ulong	*v;
} counters[] = {
	{ "iceupd_cache_hits_total",
	    "Credential requests answered from the list in memory.",
	    &cache_hits },
	{ "iceupd_on_demand_fetches_total",
	    "Fetches of one provider asked for with ?provider=.", &on_demand },
	{ "iceupd_failovers_total",
	    "Answers that came from a provider after a preferred one failed.",
	    &failovers },
	{ "iceupd_refreshes_total",
	    "Lists installed by the background refresh.", &refreshes },
	{ "iceupd_refresh_failures_total",
	    "Background refreshes that got no usable list.",
	    &refresh_failures },
	{ "iceupd_turn_credentials_minted_total",
	    "Per-caller TURN REST credentials handed out.", &turn_minted },
};

void
metrics_render(struct strbuf *b, int has_list, time_t expires, time_t now)
{
	const char *name, *route;
	unsigned long cum, v;
	size_t	 p, r, c, k;

	sb_adds(b, "# HELP iceupd_http_requests_total HTTP requests answered, "
	    "by route and status code.\n"
	    "# TYPE iceupd_http_requests_total counter\n");
	for (r = 0; r < METRICS_ROUTES_MAX &&
	    (route = atomic_load(&http[r].route)) != NULL; r++)
		for (c = 0; c < STATUS_MAX; c++)
			if ((v = atomic_load(&http[r].n[c])) > 0)
				sb_addf(b, "iceupd_http_requests_total{route="
				    "\"%s\",code=\"%zu\"} %lu\n", route, c, v);

	pthread_mutex_lock(&lock);
	sb_adds(b, "# HELP iceupd_fetches_total Provider fetches, by provider "
	    "and result (not_waited: another answered first).\n# TYPE iceupd_fetches_total counter\n");
	for (p = 0; p < PROVIDERS_MAX && provider_table[p] != NULL; p++) {
		name = provider_table[p]->name;
		if (fetches[p][0] + fetches[p][1] + fetches[p][2] == 0)
			continue;
		sb_addf(b, "iceupd_fetches_total{provider=\"%s\",result="
		    "\"ok\"} %lu\n", name, fetches[p][1]);
		sb_addf(b, "iceupd_fetches_total{provider=\"%s\",result="
		    "\"error\"} %lu\n", name, fetches[p][0]);
		sb_addf(b, "iceupd_fetches_total{provider=\"%s\",result="
		    "\"not_waited\"} %lu\n", name, fetches[p][2]);
	}
	sb_adds(b, "# HELP iceupd_fetch_duration_seconds Time a provider took "
	    "to answer (or to fail).\n"
	    "# TYPE iceupd_fetch_duration_seconds histogram\n");
	for (p = 0; p < PROVIDERS_MAX && provider_table[p] != NULL; p++) {
		name = provider_table[p]->name;
		if (fetches[p][0] + fetches[p][1] == 0)
			continue;
		for (cum = 0, k = 0; k < NBUCKETS; k++) {
			cum += hist[p][k];
			sb_addf(b, "iceupd_fetch_duration_seconds_bucket{"
			    "provider=\"%s\",le=\"%g\"} %lu\n", name,
			    buckets[k], cum);
		}
		sb_addf(b, "iceupd_fetch_duration_seconds_bucket{provider="
		    "\"%s\",le=\"+Inf\"} %lu\n", name,
		    fetches[p][0] + fetches[p][1]);
		sb_addf(b, "iceupd_fetch_duration_seconds_sum{provider="
		    "\"%s\"} %.3f\n", name, hist_sum[p]);
		sb_addf(b, "iceupd_fetch_duration_seconds_count{provider="
		    "\"%s\"} %lu\n", name, fetches[p][0] + fetches[p][1]);
	}
	pthread_mutex_unlock(&lock);

	sb_adds(b, "# HELP iceupd_credentials_expiry_seconds Seconds until the "
	    "credentials being served expire (absent when unknown).\n"
	    "# TYPE iceupd_credentials_expiry_seconds gauge\n");
	if (has_list && expires != 0)
		sb_addf(b, "iceupd_credentials_expiry_seconds %lld\n",
		    (long long)(expires > now ? expires - now : 0));
	sb_adds(b, "# HELP iceupd_credentials_ready 1 when a usable list is "
	    "being served.\n# TYPE iceupd_credentials_ready gauge\n");
	sb_addf(b, "iceupd_credentials_ready %d\n", has_list &&
	    (expires == 0 || expires > now));
	for (k = 0; k < sizeof(counters) / sizeof(counters[0]); k++)
		sb_addf(b, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n",
		    counters[k].name, counters[k].help, counters[k].name,
		    counters[k].name, atomic_load(counters[k].v));
}
