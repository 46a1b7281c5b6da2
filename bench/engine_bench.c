/* engine_bench.c: time-to-credentials of the engine with synthetic
 * providers of set latencies and faults, beside a sequential failover (each
 * provider in turn, 0.5 s between), as the services iceupd replaces do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/engine.h"
#include "../src/log.h"
#include "../src/util.h"

#define SEQ_PAUSE_MS	500
#define RUNS		5

enum fault { FAULT_NONE, FAULT_FAIL, FAULT_HANG };

struct fake {
	long	 latency_ms;
	enum fault fault;
};

static struct fake fakes[PROVIDERS_MAX];

static void
sleep_until(long long deadline, long ms)
{
	long long end = util_monotonic_ms() + ms;
	struct timespec ts;

	if (end > deadline)
		end = deadline;
	while (util_monotonic_ms() < end) {
		ts.tv_sec = 0;
		ts.tv_nsec = 1000000L;
		nanosleep(&ts, NULL);
	}
}

static int
fake_fetch(int i, const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	char	 url[64];

	(void)s;
	if (fakes[i].fault == FAULT_HANG) {
		sleep_until(st->deadline, 60000);
		snprintf(st->error, sizeof(st->error), "hung");
		return -1;
	}
	sleep_until(st->deadline, fakes[i].latency_ms);
	if (fakes[i].fault == FAULT_FAIL) {
		snprintf(st->error, sizeof(st->error), "refused");
		return -1;
	}
	snprintf(url, sizeof(url), "turn:relay%d.example.org:3478", i);
	return ice_list_add(l, url, "user", "secret", time(NULL) + 3600,
	    st->error, sizeof(st->error));
}

#define FAKE(n) \
static int fetch##n(const struct settings *s, struct ice_list *l, \
    struct provider_status *st) { return fake_fetch(n, s, l, st); }
FAKE(0) FAKE(1) FAKE(2) FAKE(3) FAKE(4) FAKE(5)

#define BENCH_PROVIDER(n) { .name = "p" #n, .turn_capable = 1, \
	.fetch = fetch##n }
static const struct provider providers[] = {
	BENCH_PROVIDER(0), BENCH_PROVIDER(1), BENCH_PROVIDER(2),
	BENCH_PROVIDER(3), BENCH_PROVIDER(4), BENCH_PROVIDER(5),
};

/* Each provider in priority order until one answers, pausing between. */
static long long
sequential(const struct settings *s, size_t n)
{
	struct provider_status st;
	struct ice_list l;
	long long start = util_monotonic_ms();
	size_t	 i;
	int	 rc;

	for (i = 0; i < n; i++) {
		memset(&st, 0, sizeof(st));
		memset(&l, 0, sizeof(l));
		/* Each try gets the whole timeout, as those scripts do. */
		st.deadline = util_monotonic_ms() + s->timeout_ms;
		rc = providers[i].fetch(s, &l, &st);
		ice_list_free(&l);
		if (rc == 0)
			break;
		sleep_until(util_monotonic_ms() + SEQ_PAUSE_MS, SEQ_PAUSE_MS);
	}
	return util_monotonic_ms() - start;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Prints the median of RUNS engine fetches and one sequential run. */
static void
scenario(const char *name, const struct settings *s, size_t n)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct engine_result r;
	double	 t[RUNS], tmp;
	long long seq;
	size_t	 i, j;

	for (i = 0; i < n; i++)
		sel[i] = &providers[i];
	for (i = 0; i < RUNS; i++) {
		t[i] = now_ms();
		if (engine_fetch(s, sel, n, &r, 0) == -1) {
			fprintf(stderr, "%s: no answer\n", name);
			exit(1);
		}
		t[i] = now_ms() - t[i];
		engine_result_free(&r);
	}
	for (i = 0; i < RUNS; i++)
		for (j = i + 1; j < RUNS; j++)
			if (t[j] < t[i]) {
				tmp = t[i];
				t[i] = t[j];
				t[j] = tmp;
			}
	seq = s->policy == POLICY_FIRST ? sequential(s, n) : -1;
	printf("| %-44s | %8.1f ms | ", name, t[RUNS / 2]);
	if (seq >= 0)
		printf("%6lld ms |\n", seq);
	else
		printf("%9s |\n", "n/a");
}

int
main(void)
{
	struct settings s;
	size_t	 i;

	memset(&s, 0, sizeof(s));
	s.timeout_ms = 5000;
	s.grace_ms = 1500;
	s.policy = POLICY_FIRST;
	log_init(-1, LOG_TEXT);

	printf("| scenario (timeout 5 s, grace 1.5 s, median of %d) | iceupd "
	    "| sequential |\n|---|---:|---:|\n", RUNS);
	for (i = 0; i < 6; i++)
		fakes[i] = (struct fake){ 200, FAULT_NONE };
	scenario("1 provider at 200 ms", &s, 1);
	scenario("3 providers at 200 ms", &s, 3);
	scenario("6 providers at 200 ms", &s, 6);
	s.policy = POLICY_MERGE;
	scenario("6 providers at 200 ms, --policy merge", &s, 6);
	s.policy = POLICY_FIRST;
	for (i = 0; i < 6; i++)
		fakes[i] = (struct fake){ 200 + 20 * (long)i, FAULT_NONE };
	fakes[0] = (struct fake){ 20, FAULT_FAIL };
	scenario("primary fails fast (20 ms), others 220+ ms", &s, 3);
	fakes[0] = (struct fake){ 0, FAULT_HANG };
	scenario("primary hangs, others 220+ ms", &s, 3);
	fakes[0] = (struct fake){ 0, FAULT_HANG };
	fakes[1] = (struct fake){ 0, FAULT_HANG };
	scenario("two hang, third at 240 ms", &s, 3);
	return 0;
}
