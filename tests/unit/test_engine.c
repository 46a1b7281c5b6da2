/* test_engine.c: selecting providers, the first and merge policies, the
 * deadline, fallbacks, and what a degraded result is. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/engine.h"
#include "../../src/log.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

#define STATIC_COTURN \
	"WEBRTC_TURN_URLS=turn:t.example.org?transport=udp," \
	    "turn:t.example.org?transport=tcp", \
	"WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=st4tic-pw"

/* engine_select() of "iceupd args..." and env picks nwant providers,
 * first0 and then first1 where these are not NULL. */
static void
select_is(const char *const *args, const char *const *env, size_t nwant,
    const struct provider *first0, const struct provider *first1)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 n = 99;

	unit_settings(&s, args, env);
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, nwant);
	if (first0 != NULL)
		ck_assert_ptr_eq(sel[0], first0);
	if (first1 != NULL)
		ck_assert_ptr_eq(sel[1], first1);
	settings_free(&s);
}

START_TEST(test_select_auto)
{
	select_is(NULL, NULL, 1, &provider_stun, NULL);
	select_is(NULL, ENV(STATIC_COTURN), 2, &provider_coturn,
	    &provider_stun);
}
END_TEST

START_TEST(test_select_list)
{
	select_is(ARGS("-p", "stun, coturn"), ENV(STATIC_COTURN), 2,
	    &provider_stun, &provider_coturn);
	select_is(NULL, ENV("ICEUPD_PROVIDERS=stun", STATIC_COTURN), 1,
	    &provider_stun, NULL);
}
END_TEST

static const struct {
	const char	*name;
	const char	*args[3];
	const char	*env[5];
	const char	*says;
} select_refused[] = {
	{ "unknown provider", { "-p", "stun,twillio" }, { NULL },
	    "unknown provider 'twillio' (known: " },
	{ "listed twice", { "-p", "stun,coturn,stun" },
	    { STATIC_COTURN }, "provider 'stun' is listed twice" },
	{ "not configured", { "-p", "coturn" }, { NULL },
	    "coturn: not configured: WEBRTC_TURN_URLS is not set" },
	{ "empty list", { "-p", " , " }, { NULL },
	    "--providers: the provider list is empty" },
	{ "auto with a misconfigured provider", { NULL },
	    { "TURN_SHARED_SECRET=s3cr3t-value" },
	    "coturn: credentials are set but WEBRTC_TURN_URLS is not" },
	{ "bad stun list", { "-p", "stun" },
	    { "WEBRTC_STUN_URLS=turn:t" }, "TURN URLs belong in" },
};

START_TEST(test_select_refused)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 n;
	char		*err;

	unit_settings(&s, select_refused[_i].args, select_refused[_i].env);
	unit_stderr_begin();
	ck_assert_int_eq(engine_select(&s, sel, &n), -1);
	err = unit_stderr_end();
	ck_assert_msg(strstr(err, select_refused[_i].says) != NULL,
	    "%s: %s", select_refused[_i].name, err);
	ck_assert_ptr_null(strstr(err, "s3cr3t-value"));
	free(err);
	settings_free(&s);
}
END_TEST

START_TEST(test_select_names_every_provider)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 i, n;
	char		*err;

	unit_settings(&s, ARGS("-p", "nope"), NULL);
	unit_stderr_begin();
	ck_assert_int_eq(engine_select(&s, sel, &n), -1);
	err = unit_stderr_end();
	for (i = 0; provider_table[i] != NULL; i++)
		ck_assert_msg(strstr(err, provider_table[i]->name) != NULL,
		    "%s missing from: %s", provider_table[i]->name, err);
	free(err);
	settings_free(&s);
}
END_TEST

/* Provider threads are detached: one left behind under policy first may
 * still read the settings, and any may still be ending (OpenSSL frees its
 * per-thread state then).  Waits until this process has one thread again,
 * so that nothing is freed under them nor reported as leaked at exit. */
static void
settle(void)
{
	struct dirent	*e;
	DIR		*d;
	int		 n, tries;

	for (tries = 0; tries < 1000; tries++) {
		ck_assert_ptr_nonnull(d = opendir("/proc/self/task"));
		n = 0;
		while ((e = readdir(d)) != NULL)
			if (e->d_name[0] != '.')
				n++;
		closedir(d);
		if (n == 1)
			return;
		usleep(10 * 1000);
	}
	ck_abort_msg("provider threads still running after 10 s");
}

/* s from args and env; engine_fetch() of what s selects, into r, returns
 * want. */
static void
fetch(struct settings *s, const char *const *args, const char *const *env,
    struct engine_result *r, int want)
{
	const struct provider *sel[PROVIDERS_MAX];
	size_t	 n;

	unit_settings(s, args, env);
	ck_assert_int_eq(engine_select(s, sel, &n), 0);
	unit_stderr_begin();
	ck_assert_int_eq(engine_fetch(s, sel, n, r, 0), want);
	free(unit_stderr_end());
	settle();
}

/* Frees what fetch() filled. */
static void
fetched_free(struct settings *s, struct engine_result *r)
{
	engine_result_free(r);
	settings_free(s);
}

START_TEST(test_fetch_first)
{
	struct settings	 s;
	struct engine_result r;
	time_t		 before = time(NULL);

	fetch(&s, NULL, ENV(STATIC_COTURN), &r, 0);
	ck_assert_str_eq(r.list.provider, "coturn");
	ck_assert_uint_eq(r.list.n, 1);
	ck_assert_uint_eq(r.list.servers[0].nurls, 2);
	ck_assert_int_eq(ice_list_has_stun(&r.list), 0);
	ck_assert_int_ge(r.list.fetched_at, before);
	ck_assert_int_le(r.list.fetched_at, time(NULL));
	ck_assert_uint_eq(r.nsources, 2);
	ck_assert_str_eq(r.sources[0].name, "coturn");
	ck_assert_int_eq(r.sources[0].asked, 1);
	ck_assert_int_eq(r.sources[0].ok, 1);
	ck_assert_int_ge(r.sources[0].latency_ms, 0);
	ck_assert_str_eq(r.sources[0].error, "");
	ck_assert_str_eq(r.sources[1].name, "stun");
	ck_assert_int_eq(r.turn_expected, 1);
	ck_assert_int_eq(r.stale, 0);
	ck_assert_int_eq(r.from_cache, 0);
	ck_assert_int_eq(engine_degraded(&r), 0);
	engine_result_free(&r);
	ck_assert_uint_eq(r.list.n, 0);
	settings_free(&s);
}
END_TEST

/* Fails after 1.5 s: preferred, it holds the engine back that long. */
static int
slow_failure(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	(void)s;
	(void)l;
	usleep(1500 * 1000);
	snprintf(st->error, sizeof(st->error), "slow failure");
	return -1;
}

static int
always_configured(const struct settings *s, char *why, size_t len)
{
	(void)s;
	snprintf(why, len, "a test provider");
	return 1;
}

static const struct provider provider_slow = {
	.name = "slow",
	.turn_capable = 1,
	.configured = always_configured,
	.fetch = slow_failure,
};

/* The lifetime of a list starts when its provider made it, not when the
 * engine, waiting for a preferred provider, collected it. */
START_TEST(test_fetch_lifetime_starts_at_the_answer)
{
	const struct provider *sel[] = { &provider_slow, &provider_coturn };
	struct settings	 s;
	struct engine_result r;
	time_t		 before = time(NULL);

	unit_settings(&s, ARGS("--grace", "4000", "-t", "5000"),
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org",
	    "TURN_SHARED_SECRET=testsecret", "TURN_TTL=600"));
	unit_stderr_begin();
	ck_assert_int_eq(engine_fetch(&s, sel, 2, &r, 0), 0);
	free(unit_stderr_end());
	settle();
	ck_assert_str_eq(r.list.provider, "coturn");
	ck_assert_str_eq(r.sources[0].error, "slow failure");
	ck_assert_int_ge(r.sources[0].latency_ms, 1500);
	ck_assert_int_ge(r.list.fetched_at, before);
	/* Collected 1.5 s later, that is in a later second. */
	ck_assert_int_lt(r.list.fetched_at, time(NULL));
	ck_assert_int_ge(ice_list_expires(&r.list) - r.list.fetched_at, 599);
	ck_assert_int_le(ice_list_expires(&r.list) - r.list.fetched_at, 600);
	fetched_free(&s, &r);
}
END_TEST

/* Priority decides under policy first, not speed. */
START_TEST(test_fetch_first_priority)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("-p", "stun,coturn"), ENV(STATIC_COTURN), &r, 0);
	ck_assert_str_eq(r.list.provider, "stun");
	ck_assert_int_eq(ice_list_has_turn(&r.list), 0);
	ck_assert_int_eq(r.sources[0].ok, 1);
	/* TURN was configured, the list has none: degraded. */
	ck_assert_int_eq(engine_degraded(&r), 1);
	fetched_free(&s, &r);
}
END_TEST

START_TEST(test_fetch_merge)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("--policy", "merge"), ENV(STATIC_COTURN), &r, 0);
	ck_assert_str_eq(r.list.provider, "coturn+stun");
	ck_assert_uint_eq(r.list.n, 2);
	ck_assert_str_eq(r.list.servers[0].username, "neko");
	ck_assert_ptr_null(r.list.servers[1].username);
	ck_assert_str_eq(r.list.servers[1].urls[0],
	    "stun:stun.l.google.com:19302");
	ck_assert_int_eq(ice_list_has_turn(&r.list), 1);
	ck_assert_int_eq(ice_list_has_stun(&r.list), 1);
	ck_assert_int_eq(r.sources[0].asked, 1);
	ck_assert_int_eq(r.sources[0].ok, 1);
	ck_assert_int_eq(r.sources[1].asked, 1);
	ck_assert_int_eq(r.sources[1].ok, 1);
	ck_assert_int_eq(engine_degraded(&r), 0);
	fetched_free(&s, &r);
}
END_TEST

/* Under merge, the same servers from two providers appear once. */
START_TEST(test_fetch_merge_dedupes)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("--policy", "merge"), ENV("WEBRTC_TURN_URLS="
	    "stun:stun.l.google.com:19302,turn:t",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"), &r, 0);
	ck_assert_uint_eq(r.list.n, 2);
	ck_assert_uint_eq(ice_list_nurls(&r.list), 3);
	ck_assert_str_eq(r.list.servers[0].urls[0],
	    "stun:stun.l.google.com:19302");
	ck_assert_str_eq(r.list.servers[0].urls[1],
	    "stun:stun.cloudflare.com:3478");
	fetched_free(&s, &r);
}
END_TEST

START_TEST(test_fetch_max_servers)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("--policy", "merge", "--max-servers", "1"),
	    ENV(STATIC_COTURN), &r, 0);
	ck_assert_uint_eq(r.list.n, 1);
	ck_assert_str_eq(r.list.servers[0].username, "neko");
	fetched_free(&s, &r);
}
END_TEST

/* With TURN dropped for want of credentials, STUN answers: degraded. */
START_TEST(test_fetch_falls_back_degraded)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org"), &r, 0);
	ck_assert_str_eq(r.list.provider, "stun");
	ck_assert_int_eq(r.sources[0].asked, 1);
	ck_assert_int_eq(r.sources[0].ok, 0);
	ck_assert_str_eq(r.sources[0].error,
	    "WEBRTC_TURN_URLS has TURN URLs but no credentials");
	ck_assert_int_eq(r.sources[1].ok, 1);
	ck_assert_int_eq(r.turn_expected, 1);
	ck_assert_int_eq(engine_degraded(&r), 1);
	fetched_free(&s, &r);
}
END_TEST

/* STUN alone has nothing for --relay or --transport tcp: not selected. */
START_TEST(test_select_skips_stun_for_relay_and_tcp)
{
	select_is(ARGS("--transport", "tcp"), ENV(STATIC_COTURN), 1,
	    &provider_coturn, NULL);
	select_is(ARGS("--relay"), ENV(STATIC_COTURN), 1, &provider_coturn,
	    NULL);
	select_is(ARGS("--transport", "udp"), ENV(STATIC_COTURN), 2, NULL,
	    NULL);
}
END_TEST

START_TEST(test_fetch_transport_tcp)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("--transport", "tcp", "--policy", "merge", "-p",
	    "coturn,stun"), ENV(STATIC_COTURN), &r, 0);
	/* STUN has nothing for TCP/TLS-only TURN: it is left out. */
	ck_assert_str_eq(r.list.provider, "coturn");
	ck_assert_uint_eq(ice_list_nurls(&r.list), 1);
	ck_assert_str_eq(r.list.servers[0].urls[0],
	    "turn:t.example.org:3478?transport=tcp");
	ck_assert_int_eq(r.sources[1].asked, 1);
	ck_assert_int_eq(r.sources[1].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[1].error,
	    "no server left after --transport"));
	fetched_free(&s, &r);
}
END_TEST

START_TEST(test_fetch_nothing_left)
{
	struct settings	 s;
	struct engine_result r;

	fetch(&s, ARGS("--transport", "tcp", "--relay", "-p", "coturn,stun"),
	    ENV("WEBRTC_TURN_URLS=turn:t?transport=udp",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"), &r, -1);
	ck_assert_uint_eq(r.list.n, 0);
	ck_assert_uint_eq(r.nsources, 2);
	ck_assert_int_eq(r.sources[0].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[0].error,
	    "no server left after"));
	ck_assert_int_eq(r.sources[1].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[1].error,
	    "no server left after --relay"));
	fetched_free(&s, &r);

	fetch(&s, ARGS("--relay", "-p", "stun"), NULL, &r, -1);
	ck_assert_uint_eq(r.nsources, 1);
	ck_assert_str_eq(r.sources[0].error, "no server left after --relay");
	fetched_free(&s, &r);
}
END_TEST

/* Credentials the engine hands out are never logged afterwards. */
START_TEST(test_fetch_registers_secrets)
{
	struct settings	 s;
	struct engine_result r;
	char		*err;

	fetch(&s, ARGS("-p", "coturn"), ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=testsecret"), &r, 0);
	unit_stderr_begin();
	log_error("got %s", r.list.servers[0].credential);
	err = unit_stderr_end();
	ck_assert_str_eq(err, "iceupd: error: got [redacted]\n");
	free(err);
	fetched_free(&s, &r);
}
END_TEST

/* Providers that mint locally are asked every time: no cache file. */
START_TEST(test_get_local_skips_cache)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	struct engine_result r;
	char		 path[] = "/tmp/iceupd-unit-cache.XXXXXX";
	char		 arg[64];
	size_t		 n;
	int		 fd;

	ck_assert_int_ne(fd = mkstemp(path), -1);
	close(fd);
	unlink(path);
	snprintf(arg, sizeof(arg), "--cache=%s", path);
	unit_settings(&s, ARGS(arg, "--policy", "merge"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	unit_stderr_begin();
	ck_assert_int_eq(engine_get(&s, sel, n, ASK_CACHED, &r), 0);
	free(unit_stderr_end());
	settle();
	ck_assert_str_eq(r.list.provider, "coturn+stun");
	ck_assert_int_eq(r.from_cache, 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	fetched_free(&s, &r);
}
END_TEST

/* A provider that answers only after the engine stopped waiting, and
 * reads the settings then. */
static char late_read[64];

static int
late_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	usleep(400 * 1000);
	snprintf(late_read, sizeof(late_read), "%s",
	    s->stun_urls != NULL ? s->stun_urls : "(none)");
	return ice_list_add(l, "stun:127.0.0.1:3478", NULL, NULL, 0,
	    st->error, sizeof(st->error));
}

static const struct provider provider_late = {
	.name = "late",
	.configured = always_configured,
	.fetch = late_fetch,
};

/* The caller may free its settings as soon as the engine returns: a
 * thread left running reads the engine's own copy. */
START_TEST(test_fetch_abandoned_reads_its_own_settings)
{
	const struct provider *sel[] = { &provider_late };
	struct settings	*s = xmalloc(sizeof(*s));
	struct engine_result r;

	unit_settings(s, ARGS("-t", "100"),
	    ENV("WEBRTC_STUN_URLS=stun:127.0.0.1:3478"));
	late_read[0] = '\0';
	ck_assert_int_eq(engine_fetch(s, sel, 1, &r, 0), -1);
	ck_assert_str_eq(late_read, "");
	settings_free(s);
	free(s);
	settle();
	ck_assert_str_eq(late_read, "stun:127.0.0.1:3478");
	engine_result_free(&r);
}
END_TEST

START_TEST(test_degraded)
{
	struct engine_result r;
	char	 err[128];

	memset(&r, 0, sizeof(r));
	ck_assert_int_eq(engine_degraded(&r), 0);
	r.turn_expected = 1;
	ck_assert_int_eq(engine_degraded(&r), 1);
	ck_assert_int_eq(ice_list_add(&r.list, "turn:t", "u", "p", 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(engine_degraded(&r), 0);
	r.stale = 1;
	ck_assert_int_eq(engine_degraded(&r), 1);
	r.turn_expected = 0;
	ck_assert_int_eq(engine_degraded(&r), 1);
	r.stale = 0;
	ck_assert_int_eq(engine_degraded(&r), 0);
	engine_result_free(&r);
	ck_assert_str_eq(engine_policy_names[POLICY_FIRST], "first");
	ck_assert_str_eq(engine_policy_names[POLICY_MERGE], "merge");
}
END_TEST

UNIT_SUITE(engine)
{
	Suite	*s = suite_create("engine");
	TCase	*tc;

	tc = unit_tcase(s, "engine", TESTS(test_select_auto, test_select_list));
	UNIT_LOOP(tc, test_select_refused, select_refused);
	tcase_add_test(tc, test_select_names_every_provider);
	tcase_add_test(tc, test_select_skips_stun_for_relay_and_tcp);
	tcase_add_test(tc, test_fetch_first);
	tcase_add_test(tc, test_fetch_first_priority);
	tcase_add_test(tc, test_fetch_lifetime_starts_at_the_answer);
	tcase_add_test(tc, test_fetch_merge);
	tcase_add_test(tc, test_fetch_merge_dedupes);
	tcase_add_test(tc, test_fetch_max_servers);
	tcase_add_test(tc, test_fetch_falls_back_degraded);
	tcase_add_test(tc, test_fetch_transport_tcp);
	tcase_add_test(tc, test_fetch_nothing_left);
	tcase_add_test(tc, test_fetch_registers_secrets);
	tcase_add_test(tc, test_get_local_skips_cache);
	tcase_add_test(tc, test_fetch_abandoned_reads_its_own_settings);
	tcase_add_test(tc, test_degraded);
	return s;
}
