/* test_format.c: the renderers, byte for byte, and shell quoting through a
 * real /bin/sh. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../src/format/format.h"
#include "../../src/ice.h"
#include "../../src/util.h"
#include "unit.h"

#define NEKO_TWO	"[{\"urls\":[\"turn:h:3478?transport=udp\"]," \
	"\"username\":\"u\",\"credential\":\"p\"},{\"urls\":[\"stun:h:3478\"]}]"

/* 2026-11-22T03:26:36Z */
#define EXPIRES		((time_t)1795317996)

static void
add(struct engine_result *r, const char *url, const char *user,
    const char *cred, time_t expires)
{
	char	 err[256] = "";

	ck_assert_msg(ice_list_add(&r->list, url, user, cred, expires, err,
	    sizeof(err)) == 0, "%s: %s", url, err);
}

/* The list of the neko example: one TURN entry, one STUN entry. */
static void
two_entries(struct engine_result *r)
{
	memset(r, 0, sizeof(*r));
	add(r, "turn:h:3478?transport=udp", "u", "p", 0);
	add(r, "stun:h", NULL, NULL, 0);
	snprintf(r->list.provider, sizeof(r->list.provider), "coturn");
}

/* Renders r as fmt and returns the text, to free. */
static char *
render(enum output_format fmt, const struct engine_result *r,
    const struct format_opts *o)
{
	struct strbuf	 out = { 0 };
	char		 err[256] = "";

	ck_assert_msg(format_render(&out, fmt, r, o, err, sizeof(err)) == 0,
	    "format %s: %s", format_names[fmt], err);
	ck_assert_ptr_nonnull(out.s);
	ck_assert_uint_eq(strlen(out.s), out.len);
	return out.s;
}

/* r rendered as fmt with o is want; frees r. */
static void
rendered_is(enum output_format fmt, struct engine_result *r,
    const struct format_opts *o, const char *want)
{
	char	*text = render(fmt, r, o);

	ck_assert_str_eq(text, want);
	free(text);
	engine_result_free(r);
}

/* two_entries() rendered as fmt, with those env_names, is want. */
static void
two_entries_are(enum output_format fmt, const char *env_names,
    const char *want)
{
	struct engine_result r;
	struct format_opts o = { 0 };

	two_entries(&r);
	o.env_names = env_names;
	rendered_is(fmt, &r, &o, want);
}

START_TEST(test_format_names)
{
	ck_assert_str_eq(format_names[FMT_NEKO], "neko");
	ck_assert_str_eq(format_names[FMT_RTC], "rtc");
	ck_assert_str_eq(format_names[FMT_JSON], "json");
	ck_assert_str_eq(format_names[FMT_ENV], "env");
	ck_assert_str_eq(format_names[FMT_DOTENV], "dotenv");
	ck_assert_str_eq(format_names[FMT_STR0M], "str0m");
	ck_assert_str_eq(format_names[FMT_TABLE], "table");
	ck_assert_ptr_null(format_names[FMT_TABLE + 1]);
}
END_TEST

START_TEST(test_neko)
{
	two_entries_are(FMT_NEKO, NULL, NEKO_TWO "\n");
}
END_TEST

/* urls is an array even with one URL; several URLs share one entry. */
START_TEST(test_neko_grouped)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };

	add(&r, "turn:t.example.org", "1795317996:neko", "c2VjcmV0", EXPIRES);
	add(&r, "turns:t.example.org:443?transport=tcp", "1795317996:neko",
	    "c2VjcmV0", EXPIRES);
	add(&r, "stun:[2001:db8::1]", NULL, NULL, 0);
	add(&r, "stun:s.example.org:19302", NULL, NULL, 0);
	rendered_is(FMT_NEKO, &r, &o, "[{\"urls\":[\"turn:t.example.org:3478\","
	    "\"turns:t.example.org:443?transport=tcp\"],"
	    "\"username\":\"1795317996:neko\",\"credential\":\"c2VjcmV0\"},"
	    "{\"urls\":[\"stun:[2001:db8::1]:3478\","
	    "\"stun:s.example.org:19302\"]}]\n");
}
END_TEST

START_TEST(test_neko_empty)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };

	rendered_is(FMT_NEKO, &r, &o, "[]\n");
}
END_TEST

START_TEST(test_neko_json_escapes)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };

	add(&r, "turn:h", "a\"b", "c\\d/\xc3\xa9", 0);
	rendered_is(FMT_NEKO, &r, &o, "[{\"urls\":[\"turn:h:3478\"],"
	    "\"username\":\"a\\\"b\",\"credential\":\"c\\\\d/\xc3\xa9\"}]\n");
}
END_TEST

START_TEST(test_ice_servers_without_newline)
{
	struct engine_result r;
	struct strbuf	 out = { 0 };

	two_entries(&r);
	sb_adds(&out, "x=");
	format_ice_servers(&out, &r.list);
	ck_assert_str_eq(out.s, "x=" NEKO_TWO);
	sb_free(&out);
	engine_result_free(&r);
}
END_TEST

START_TEST(test_rtc)
{
	two_entries_are(FMT_RTC, NULL, "{\"iceServers\":" NEKO_TWO "}\n");
}
END_TEST

START_TEST(test_rtc_relay)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };

	add(&r, "turn:h:3478?transport=udp", "u", "p", 0);
	o.relay = 1;
	rendered_is(FMT_RTC, &r, &o, "{\"iceServers\":[{\"urls\":"
	    "[\"turn:h:3478?transport=udp\"],\"username\":\"u\","
	    "\"credential\":\"p\"}],\"iceTransportPolicy\":\"relay\"}\n");
}
END_TEST

/* Appends text to the output of existing renderings, never replacing. */
START_TEST(test_render_appends)
{
	struct engine_result r;
	struct format_opts o = { 0 };
	struct strbuf	 out = { 0 };
	char		 err[256];

	two_entries(&r);
	sb_adds(&out, "# before\n");
	ck_assert_int_eq(format_render(&out, FMT_NEKO, &r, &o, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(out.s, "# before\n" NEKO_TWO "\n");
	sb_free(&out);
	engine_result_free(&r);
}
END_TEST

/* --- json report --- */

static cJSON *
report(const struct engine_result *r, time_t now)
{
	struct format_opts o = { 0 };
	cJSON	*j;
	char	*text;
	size_t	 len;

	o.now = now;
	text = render(FMT_JSON, r, &o);
	len = strlen(text);
	ck_assert_uint_gt(len, 0);
	ck_assert_int_eq(text[len - 1], '\n');
	j = cJSON_Parse(text);
	ck_assert_msg(j != NULL, "not JSON: %s", text);
	ck_assert(cJSON_IsObject(j));
	free(text);
	return j;
}

static const cJSON *
field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	ck_assert_msg(v != NULL, "no field %s", key);
	return v;
}

static void
assert_str_field(const cJSON *o, const char *key, const char *want)
{
	const cJSON *v = field(o, key);

	ck_assert_msg(cJSON_IsString(v), "%s is not a string", key);
	ck_assert_str_eq(v->valuestring, want);
}

static void
assert_num_field(const cJSON *o, const char *key, double want)
{
	const cJSON *v = field(o, key);

	ck_assert_msg(cJSON_IsNumber(v), "%s is not a number", key);
	ck_assert_msg(v->valuedouble == want, "%s: %f, not %f", key,
	    v->valuedouble, want);
}

static void
assert_bool_field(const cJSON *o, const char *key, int want)
{
	const cJSON *v = field(o, key);

	ck_assert_msg(cJSON_IsBool(v), "%s is not a boolean", key);
	ck_assert_int_eq(cJSON_IsTrue(v), want);
}

static void
assert_null_field(const cJSON *o, const char *key)
{
	ck_assert_msg(cJSON_IsNull(field(o, key)), "%s is not null", key);
}

START_TEST(test_json_report)
{
	struct engine_result r = { 0 };
	const cJSON *servers, *sources, *one;
	cJSON	*j;
	char	*servers_text;

	add(&r, "turn:h:3478?transport=udp", "u", "p", EXPIRES);
	add(&r, "stun:h", NULL, NULL, 0);
	snprintf(r.list.provider, sizeof(r.list.provider), "coturn");
	r.list.fetched_at = EXPIRES - 3600;
	r.nsources = 2;
	r.sources[0].name = "coturn";
	r.sources[0].asked = 1;
	r.sources[0].ok = 1;
	r.sources[0].latency_ms = 12;
	r.sources[1].name = "stun";
	r.sources[1].asked = 1;
	r.sources[1].ok = 0;
	r.sources[1].latency_ms = 5000;
	snprintf(r.sources[1].error, sizeof(r.sources[1].error),
	    "timed out");
	r.turn_expected = 1;

	j = report(&r, EXPIRES - 3000);
	servers = field(j, "iceServers");
	ck_assert(cJSON_IsArray(servers));
	servers_text = cJSON_PrintUnformatted(servers);
	ck_assert_str_eq(servers_text, NEKO_TWO);
	cJSON_free(servers_text);
	assert_str_field(j, "provider", "coturn");
	assert_str_field(j, "fetched_at", "2026-11-22T02:26:36Z");
	assert_str_field(j, "expires_at", "2026-11-22T03:26:36Z");
	assert_num_field(j, "ttl_seconds", 3600);
	assert_num_field(j, "remaining_ttl", 3000);
	assert_bool_field(j, "has_turn", 1);
	assert_bool_field(j, "has_stun", 1);
	assert_bool_field(j, "stale", 0);
	assert_bool_field(j, "from_cache", 0);

	sources = field(j, "sources");
	ck_assert(cJSON_IsObject(sources));
	ck_assert_int_eq(cJSON_GetArraySize(sources), 2);
	one = field(sources, "coturn");
	assert_bool_field(one, "ok", 1);
	assert_bool_field(one, "asked", 1);
	assert_num_field(one, "latency_ms", 12);
	assert_null_field(one, "error");
	one = field(sources, "stun");
	assert_bool_field(one, "ok", 0);
	assert_num_field(one, "latency_ms", 5000);
	assert_str_field(one, "error", "timed out");
	cJSON_Delete(j);
	engine_result_free(&r);
}
END_TEST

START_TEST(test_json_report_no_expiry)
{
	struct engine_result r = { 0 };
	const cJSON *one;
	cJSON	*j;

	add(&r, "stun:h", NULL, NULL, 0);
	snprintf(r.list.provider, sizeof(r.list.provider), "stun");
	r.list.fetched_at = EXPIRES;
	r.stale = 1;
	r.nsources = 2;
	r.sources[0].name = "stun";
	r.sources[0].asked = 1;
	r.sources[0].ok = 1;
	r.sources[1].name = "coturn";	/* not asked under policy first */

	j = report(&r, EXPIRES + 10);
	assert_str_field(j, "fetched_at", "2026-11-22T03:26:36Z");
	assert_null_field(j, "expires_at");
	assert_null_field(j, "ttl_seconds");
	assert_null_field(j, "remaining_ttl");
	assert_bool_field(j, "has_turn", 0);
	assert_bool_field(j, "has_stun", 1);
	assert_bool_field(j, "stale", 1);
	assert_bool_field(j, "from_cache", 0);
	one = field(field(j, "sources"), "stun");
	assert_bool_field(one, "ok", 1);
	assert_num_field(one, "latency_ms", 0);
	one = field(field(j, "sources"), "coturn");
	assert_bool_field(one, "asked", 0);
	assert_bool_field(one, "ok", 0);
	assert_null_field(one, "latency_ms");
	assert_null_field(one, "error");
	cJSON_Delete(j);
	engine_result_free(&r);
}
END_TEST

/* Past its expiry the remaining lifetime is 0, never negative. */
START_TEST(test_json_report_expired)
{
	struct engine_result r = { 0 };
	cJSON	*j;

	add(&r, "turn:h", "u", "p", EXPIRES);
	r.list.fetched_at = EXPIRES - 600;
	j = report(&r, EXPIRES + 60);
	assert_num_field(j, "ttl_seconds", 600);
	assert_num_field(j, "remaining_ttl", 0);
	assert_bool_field(j, "has_stun", 0);
	assert_str_field(j, "provider", "");
	ck_assert_int_eq(cJSON_GetArraySize(field(j, "sources")), 0);
	cJSON_Delete(j);
	engine_result_free(&r);
}
END_TEST

/* --- env, dotenv, str0m --- */

START_TEST(test_env_one_name)
{
	two_entries_are(FMT_ENV, "NEKO_ICESERVERS",
	    "export NEKO_ICESERVERS='" NEKO_TWO "'\n");
}
END_TEST

START_TEST(test_env_two_names)
{
	two_entries_are(FMT_ENV, "NEKO_WEBRTC_ICESERVERS_FRONTEND, "
	    "NEKO_WEBRTC_ICESERVERS_BACKEND",
	    "export NEKO_WEBRTC_ICESERVERS_FRONTEND='" NEKO_TWO "'\n"
	    "export NEKO_WEBRTC_ICESERVERS_BACKEND='" NEKO_TWO "'\n");
}
END_TEST

START_TEST(test_dotenv)
{
	two_entries_are(FMT_DOTENV, "NEKO_ICESERVERS",
	    "NEKO_ICESERVERS=" NEKO_TWO "\n");
	two_entries_are(FMT_DOTENV, "A,B", "A=" NEKO_TWO "\nB=" NEKO_TWO "\n");
}
END_TEST

START_TEST(test_str0m)
{
	two_entries_are(FMT_STR0M, NULL, "turn:u:p@h:3478?transport=udp\n"
	    "stun:h:3478\n");
}
END_TEST

START_TEST(test_str0m_percent_encoding)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };

	add(&r, "turn:[2001:db8::1]", "1795317996:n@ko", "a/b+c=d e%\xc3\xa9",
	    EXPIRES);
	add(&r, "turns:t.example.org:443?transport=tcp", "1795317996:n@ko",
	    "a/b+c=d e%\xc3\xa9", EXPIRES);
	add(&r, "turn:t.example.org", "x-._~Y9", "Z", EXPIRES);
	rendered_is(FMT_STR0M, &r, &o,
	    "turn:1795317996%3An%40ko:a%2Fb%2Bc%3Dd%20e%25%C3%A9"
	    "@[2001:db8::1]:3478\n"
	    "turns:1795317996%3An%40ko:a%2Fb%2Bc%3Dd%20e%25%C3%A9"
	    "@t.example.org:443?transport=tcp\n"
	    "turn:x-._~Y9:Z@t.example.org:3478\n");
}
END_TEST

/* --- format_check --- */

static int
check_names(enum output_format fmt, const char *names, char *err,
    size_t errlen)
{
	struct format_opts o = { 0 };

	o.env_names = names;
	err[0] = '\0';
	return format_check(fmt, &o, err, errlen);
}

START_TEST(test_format_check)
{
	char	 err[256];

	ck_assert_int_eq(check_names(FMT_ENV, "NEKO_ICESERVERS", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_DOTENV, "NEKO_ICESERVERS", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_ENV, "A, _B2,c_d", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_ENV, "_", err, sizeof(err)), 0);

	ck_assert_int_eq(check_names(FMT_ENV, "1X", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'1X' is not a valid variable name");
	ck_assert_int_eq(check_names(FMT_ENV, "A-B", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "'A-B' is not a valid variable name");
	ck_assert_int_eq(check_names(FMT_DOTENV, "OK,A B", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'A B' is not a valid variable name");
	ck_assert_int_eq(check_names(FMT_ENV, "A=B", err, sizeof(err)), -1);
	ck_assert_int_eq(check_names(FMT_ENV, "$(id)", err, sizeof(err)), -1);
	ck_assert_int_eq(check_names(FMT_ENV, "N\xc3\xa9", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'N\\xc3\\xa9' is not a valid variable name");
	ck_assert_int_eq(check_names(FMT_ENV, "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no variable name given");
	ck_assert_int_eq(check_names(FMT_ENV, " , ", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no variable name given");
	ck_assert_int_eq(check_names(FMT_DOTENV, NULL, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "no variable name given");

	/* Other formats need no names. */
	ck_assert_int_eq(check_names(FMT_NEKO, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_RTC, "1X", err, sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_JSON, NULL, err, sizeof(err)), 0);
	ck_assert_int_eq(check_names(FMT_STR0M, NULL, err, sizeof(err)), 0);
}
END_TEST

START_TEST(test_render_refuses_bad_names)
{
	struct engine_result r;
	struct format_opts o = { 0 };
	struct strbuf	 out = { 0 };
	char		 err[256] = "";

	two_entries(&r);
	o.env_names = "GOOD,1BAD";
	ck_assert_int_eq(format_render(&out, FMT_ENV, &r, &o, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'1BAD' is not a valid variable name");
	ck_assert_uint_eq(out.len, 0);
	o.env_names = NULL;
	ck_assert_int_eq(format_render(&out, FMT_DOTENV, &r, &o, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(out.len, 0);
	sb_free(&out);
	engine_result_free(&r);
}
END_TEST

/* --- shell round trip --- */

static const char *const hostile[] = {
	"plain",
	"",
	"'",
	"''",
	"'''",
	"'\\''",
	"it's",
	"\"",
	"\"\"\"",
	"'\"'\"",
	"$(id)",
	"`id`",
	"$(touch /tmp/iceupd-unit-pwned)",
	"\\",
	"\\\\n\\'",
	"a\nb",
	"\n",
	"tab\there",
	"$HOME",
	"${HOME:-x}",
	"!",
	"!!",
	"*",
	"/*",
	"?[a]",
	"~",
	"~root",
	"a;b|c&d>e<f",
	"#comment",
	" leading and trailing ",
	"-n",
	"%s%d%n",
	"n\xc3\xa9ko \xe5\xaf\x86\xe7\xa0\x81 \xf0\x9f\x94\x91",
	"\x01\x02\x1b[31m\x7f",
	"'$(id)'\"`id`\"\\'\n",
};

#define NHOSTILE	(sizeof(hostile) / sizeof(hostile[0]))

START_TEST(test_shell_quote_round_trip)
{
	struct strbuf	 script = { 0 };
	const char	*want = hostile[_i];
	char		*got;
	size_t		 len;
	int		 status;

	sb_adds(&script, "printf %s ");
	sb_shell_quote(&script, want);
	got = unit_sh(script.s, &len, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "sh failed on: %s", script.s);
	ck_assert_msg(len == strlen(want) && memcmp(got, want, len) == 0,
	    "quoted as %s, read back '%s'", script.s, got);
	free(got);
	sb_free(&script);
}
END_TEST

START_TEST(test_shell_quote_exact)
{
	static const char *const cases[][2] = {
		{ "", "''" },
		{ "abc", "'abc'" },
		{ "it's", "'it'\\''s'" },
		{ "$x \"y\"", "'$x \"y\"'" },
	};
	struct strbuf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sb_shell_quote(&b, cases[i][0]);
		ck_assert_msg(strcmp(b.s, cases[i][1]) == 0,
		    "%s: quoted as %s, not %s", cases[i][0], b.s, cases[i][1]);
		sb_free(&b);
	}
}
END_TEST

/* Several words in one script stay separate words. */
START_TEST(test_shell_quote_words)
{
	struct strbuf	 script = { 0 };
	char		*got;
	size_t		 i, len;
	int		 status;

	sb_adds(&script, "printf '%s|'");
	for (i = 0; i < NHOSTILE; i++) {
		sb_addc(&script, ' ');
		sb_shell_quote(&script, hostile[i]);
	}
	got = unit_sh(script.s, &len, &status);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	{
		struct strbuf	 want = { 0 };

		for (i = 0; i < NHOSTILE; i++) {
			sb_adds(&want, hostile[i]);
			sb_addc(&want, '|');
		}
		ck_assert_uint_eq(len, want.len);
		ck_assert_mem_eq(got, want.s, len);
		sb_free(&want);
	}
	free(got);
	sb_free(&script);
}
END_TEST

/* Credentials can hold anything printable; the env output, sourced by a
 * shell, must give back the neko rendering byte for byte. */
static const char *const hostile_credentials[] = {
	"'",
	"'\\''",
	"it's \"quoted\"",
	"$(id)`id`",
	"\\\\ \\' \\\"",
	"$HOME ${HOME} !! * ? ~",
	"\xc3\xa9\xe5\xaf\x86\xf0\x9f\x94\x91",
	"''''''",
	"\"\"\"\"",
	"'$(touch /tmp/iceupd-unit-pwned)'",
	"a;b|c&d>e<f #x",
};

START_TEST(test_env_round_trip)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };
	struct strbuf	 script = { 0 };
	char		*neko, *env, *got;
	size_t		 len;
	int		 status;

	add(&r, "turn:h:3478?transport=udp", "user 'x'",
	    hostile_credentials[_i], 0);
	add(&r, "turns:h", hostile_credentials[_i], "p", 0);
	add(&r, "stun:h", NULL, NULL, 0);
	neko = render(FMT_NEKO, &r, &o);
	o.env_names = "NEKO_ICESERVERS";
	env = render(FMT_ENV, &r, &o);

	sb_adds(&script, "unset NEKO_ICESERVERS\n");
	sb_adds(&script, env);
	sb_adds(&script, "printf %s \"$NEKO_ICESERVERS\"");
	got = unit_sh(script.s, &len, &status);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "sh failed on: %s", script.s);
	/* neko ends with a newline; the variable holds the JSON only. */
	ck_assert_uint_eq(len, strlen(neko) - 1);
	ck_assert_mem_eq(got, neko, len);
	ck_assert(access("/tmp/iceupd-unit-pwned", F_OK) == -1);
	free(got);
	sb_free(&script);

	/* Exported: a child process sees the same value. */
	sb_adds(&script, env);
	sb_adds(&script, "sh -c 'printf %s \"$NEKO_ICESERVERS\"'");
	got = unit_sh(script.s, &len, &status);
	ck_assert_uint_eq(len, strlen(neko) - 1);
	ck_assert_mem_eq(got, neko, len);
	free(got);
	sb_free(&script);

	free(neko);
	free(env);
	engine_result_free(&r);
}
END_TEST

START_TEST(test_env_round_trip_two_names)
{
	struct engine_result r = { 0 };
	struct format_opts o = { 0 };
	struct strbuf	 script = { 0 }, want = { 0 };
	char		*neko, *env, *got;
	size_t		 len;
	int		 status;

	add(&r, "turn:h", "u", "'\"$(id)\"'\\", 0);
	neko = render(FMT_NEKO, &r, &o);
	o.env_names = "NEKO_WEBRTC_ICESERVERS_FRONTEND,"
	    "NEKO_WEBRTC_ICESERVERS_BACKEND";
	env = render(FMT_ENV, &r, &o);
	sb_adds(&script, env);
	sb_adds(&script, "printf '%s|%s' \"$NEKO_WEBRTC_ICESERVERS_FRONTEND\" "
	    "\"$NEKO_WEBRTC_ICESERVERS_BACKEND\"");
	got = unit_sh(script.s, &len, &status);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	sb_add(&want, neko, strlen(neko) - 1);
	sb_addc(&want, '|');
	sb_add(&want, neko, strlen(neko) - 1);
	ck_assert_uint_eq(len, want.len);
	ck_assert_mem_eq(got, want.s, len);
	free(got);
	free(neko);
	free(env);
	sb_free(&script);
	sb_free(&want);
	engine_result_free(&r);
}
END_TEST

UNIT_SUITE(format)
{
	Suite	*s = suite_create("format");
	TCase	*tc;

	unit_tcase(s, "render", TESTS(test_format_names, test_neko,
	    test_neko_grouped, test_neko_empty, test_neko_json_escapes,
	    test_ice_servers_without_newline, test_rtc, test_rtc_relay,
	    test_render_appends, test_json_report, test_json_report_no_expiry,
	    test_json_report_expired, test_env_one_name, test_env_two_names,
	    test_dotenv, test_str0m, test_str0m_percent_encoding,
	    test_format_check, test_render_refuses_bad_names));
	tc = unit_tcase(s, "shell", NULL);
	UNIT_LOOP(tc, test_shell_quote_round_trip, hostile);
	tcase_add_test(tc, test_shell_quote_exact);
	tcase_add_test(tc, test_shell_quote_words);
	UNIT_LOOP(tc, test_env_round_trip, hostile_credentials);
	tcase_add_test(tc, test_env_round_trip_two_names);
	return s;
}
