/* test_util.c: strbuf, lists, numbers, time. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/util.h"
#include "unit.h"

/* --- strbuf --- */

START_TEST(test_sb_growth)
{
	struct strbuf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < 100000; i++)
		sb_addc(&b, (char)('a' + i % 26));
	ck_assert_uint_eq(b.len, 100000);
	ck_assert_uint_eq(strlen(b.s), 100000);
	ck_assert_uint_ge(b.cap, b.len + 1);
	for (i = 0; i < 100000; i++)
		ck_assert_int_eq(b.s[i], 'a' + (int)(i % 26));
	sb_free(&b);
	ck_assert_ptr_null(b.s);
	ck_assert_uint_eq(b.len, 0);
	ck_assert_uint_eq(b.cap, 0);
}
END_TEST

START_TEST(test_sb_add_kinds)
{
	struct strbuf	 b = { 0 };
	char		 big[1000];

	sb_adds(&b, "");
	ck_assert_ptr_nonnull(b.s);
	ck_assert_str_eq(b.s, "");
	sb_adds(&b, "abc");
	sb_add(&b, "defXXX", 3);
	sb_addc(&b, '!');
	ck_assert_str_eq(b.s, "abcdef!");
	ck_assert_uint_eq(b.len, 7);
	sb_add(&b, "\0z", 2);	/* bytes, not a C string */
	ck_assert_uint_eq(b.len, 9);
	ck_assert_mem_eq(b.s, "abcdef!\0z", 10);
	sb_free(&b);

	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	for (int i = 0; i < 50; i++)
		sb_adds(&b, big);
	ck_assert_uint_eq(b.len, 50 * 999);
	ck_assert_uint_eq(strlen(b.s), 50 * 999);
	sb_free(&b);
}
END_TEST

START_TEST(test_sb_addf)
{
	struct strbuf	 b = { 0 };
	char		 big[500];

	sb_addf(&b, "%d-%s-%c", 42, "x", 'y');
	ck_assert_str_eq(b.s, "42-x-y");
	sb_addf(&b, "%s", "");
	ck_assert_str_eq(b.s, "42-x-y");
	sb_addf(&b, "|%05.1f|%lld", 3.14159, -1234567890123LL);
	ck_assert_str_eq(b.s, "42-x-y|003.1|-1234567890123");
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	sb_addf(&b, "<%s>", big);	/* grows past several doublings */
	ck_assert_uint_eq(b.len, 27 + 2 + 499);
	ck_assert_uint_eq(strlen(b.s), b.len);
	ck_assert_int_eq(b.s[b.len - 1], '>');
	sb_free(&b);
}
END_TEST

START_TEST(test_percent_encode)
{
	static const char *const cases[][2] = {
		{ "AZaz09-._~", "AZaz09-._~" },
		{ " !\"#$%&'()*+,/:;=?@[]", "%20%21%22%23%24%25%26%27%28%29"
		    "%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D" },
		{ "n\xc3\xa9ko\x01\x7f\xff", "n%C3%A9ko%01%7F%FF" },
		{ "1795317996:neko", "1795317996%3Aneko" },
	};
	struct strbuf	 b = { 0 };
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sb_percent_encode(&b, cases[i][0]);
		ck_assert_msg(strcmp(b.s, cases[i][1]) == 0,
		    "%s: encoded as %s, not %s", cases[i][0], b.s, cases[i][1]);
		sb_free(&b);
	}
	sb_adds(&b, "");
	sb_percent_encode(&b, "");
	ck_assert_str_eq(b.s, "");
	sb_free(&b);
}
END_TEST

START_TEST(test_xstrndup)
{
	char	*s = xstrndup("abcdef", 3);

	ck_assert_str_eq(s, "abc");
	free(s);
	s = xstrdup("");
	ck_assert_str_eq(s, "");
	free(s);
	util_free_secret(NULL);
	util_free_secret(xstrdup("gone"));
}
END_TEST

/* --- util_split_list --- */

static void
assert_split(const char *in, const char *const *want, size_t nwant)
{
	char	**items;
	size_t	 i, n;

	n = util_split_list(in, &items);
	ck_assert_msg(n == nwant, "'%s': %zu items, not %zu", in ? in : "(null)",
	    n, nwant);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(items[i], want[i]);
	util_free_list(items, n);
}

START_TEST(test_json_has_nul)
{
	static const struct { const char *text; int nul; } cases[] = {
		{ "{\"a\":\"x\\u0000y\"}", 1 },	/* decodes to NUL */
		{ "{\"a\":\"\\\\u0000\"}", 0 },	/* \\ then text */
		{ "{\"a\":\"\\\\\\u0000\"}", 1 },	/* \\ then \u0000 */
		{ "{\"a\":\"\\u00001\"}", 1 },
		{ "{\"a\":\"\\u0001\\u1000\"}", 0 },
		{ "{\"a\":\"u0000\"}", 0 },
		{ "\\u000", 0 },			/* cut short */
		{ "\\", 0 },
		{ "", 0 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ck_assert_msg(util_json_has_nul(cases[i].text,
		    strlen(cases[i].text)) == cases[i].nul, "case %zu: %s", i,
		    cases[i].text);
}
END_TEST

START_TEST(test_split_list)
{
	static const char *const ab[] = { "a", "b" };
	static const char *const one[] = { "turn:h:3478?transport=udp" };
	static const char *const spaced[] = { "a b", "c" };

	assert_split("a,b", ab, 2);
	assert_split(" a , b ", ab, 2);
	assert_split("\ta\t,\n b\r\n", ab, 2);
	assert_split("a,,b", ab, 2);
	assert_split(",a,b,", ab, 2);
	assert_split("a,b,,,", ab, 2);
	assert_split("a , , b", ab, 2);
	assert_split("turn:h:3478?transport=udp", one, 1);
	assert_split("a b , c", spaced, 2);
	assert_split("", NULL, 0);
	assert_split(NULL, NULL, 0);
	assert_split(",", NULL, 0);
	assert_split(" , ,, ", NULL, 0);
}
END_TEST

START_TEST(test_split_list_many)
{
	struct strbuf	 in = { 0 };
	char		**items, want[16];
	size_t		 i, n;

	for (i = 0; i < 1000; i++)
		sb_addf(&in, "%sitem%zu", i ? "," : "", i);
	n = util_split_list(in.s, &items);
	ck_assert_uint_eq(n, 1000);
	for (i = 0; i < n; i++) {
		snprintf(want, sizeof(want), "item%zu", i);
		ck_assert_str_eq(items[i], want);
	}
	util_free_list(items, n);
	sb_free(&in);
}
END_TEST

/* A list written over several lines of a CRLF file: a CR is trimmed
 * before an item as it is after one. */
START_TEST(test_split_list_trims_cr_before_item)
{
	static const char *const ab[] = { "a", "b" };

	assert_split("a,\r\nb", ab, 2);
}
END_TEST

/* --- util_parse_duration_ms, util_format_duration --- */

START_TEST(test_parse_duration)
{
	static const struct {
		const char	*text;
		long long	 unit, want;	/* want -1: refused */
	} cases[] = {
		{ "0", 1, 0 }, { "5000", 1, 5000 }, { "300", 1000, 300000 },
		{ "5s", 1, 5000 }, { "5s", 1000, 5000 }, { "1ms", 1000, 1 },
		{ "2m", 1, 120000 }, { "3h", 1, 10800000 },
		{ "1d", 1, 86400000 }, { "1h30m", 1, 5400000 },
		{ "1.5s", 1, 1500 }, { "0.25m", 1, 15000 }, { "007s", 1, 7000 },
		{ "", 1, -1 }, { "s", 1, -1 }, { "5x", 1, -1 },
		{ "5 s", 1, -1 },
		{ " 5s", 1, -1 }, { "-5s", 1, -1 }, { "+5s", 1, -1 },
		{ "1.5", 1, -1 }, { "1.s", 1, -1 }, { ".5s", 1, -1 },
		{ "1.0005s", 1, -1 }, { "1h30", 1, -1 }, { "5S", 1, -1 },
		{ "5sec", 1, -1 }, { "99999999999999999d", 1, -1 },
		{ "36600d", 1, 3162240000000LL }, { "36601d", 1, -1 },
		{ "3162240000001", 1, -1 },
	};
	long long v;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		v = -2;
		if (cases[i].want == -1) {
			ck_assert_msg(util_parse_duration_ms(cases[i].text,
			    cases[i].unit, &v) == -1, "'%s' accepted",
			    cases[i].text);
			ck_assert_int_eq(v, -2);
			continue;
		}
		ck_assert_msg(util_parse_duration_ms(cases[i].text, cases[i].unit,
		    &v) == 0, "'%s' refused", cases[i].text);
		ck_assert_msg(v == cases[i].want, "'%s': %lld", cases[i].text,
		    v);
	}
}
END_TEST

START_TEST(test_format_duration)
{
	char	 buf[32];

	ck_assert_str_eq(util_format_duration(5000, buf, sizeof(buf)), "5s");
	ck_assert_str_eq(util_format_duration(1500, buf, sizeof(buf)), "1500ms");
	ck_assert_str_eq(util_format_duration(600000, buf, sizeof(buf)), "10m");
	ck_assert_str_eq(util_format_duration(604800000, buf, sizeof(buf)), "7d");
	ck_assert_str_eq(util_format_duration(7200000, buf, sizeof(buf)), "2h");
	ck_assert_str_eq(util_format_duration(0, buf, sizeof(buf)), "0s");
}
END_TEST

/* --- util_closest --- */

START_TEST(test_closest)
{
	static const char *const cmds[] = { "fetch", "providers", "watch",
		"deploy", "check", "serve", "help", "completion" };
	static const char *const env[] = { "ICEUPD_FORMAT", "ICEUPD_TIMEOUT_MS",
		"ICEUPD_TTL", "ICEUPD_CACHE" };

	ck_assert_str_eq(util_closest("fech", cmds, 8), "fetch");
	ck_assert_str_eq(util_closest("wacth", cmds, 8), "watch");
	ck_assert_str_eq(util_closest("provider", cmds, 8), "providers");
	ck_assert_str_eq(util_closest("ICEUPD_FROMAT", env, 4), "ICEUPD_FORMAT");
	ck_assert_str_eq(util_closest("ICEUPD_TIMEOUT", env, 4),
	    "ICEUPD_TIMEOUT_MS");
	ck_assert_str_eq(util_closest("ICEUPD_CACHES", env, 4), "ICEUPD_CACHE");
	/* Too far, or too short to be a misspelling of anything. */
	ck_assert_ptr_null(util_closest("xyzzy", cmds, 8));
	ck_assert_ptr_null(util_closest("a", cmds, 8));
	ck_assert_ptr_null(util_closest("", cmds, 8));
	ck_assert_ptr_null(util_closest("ICEUPD_NOTHING_LIKE_IT", env, 4));
	ck_assert_ptr_null(util_closest("fetch", cmds, 0));
	/* Longer than the helper compares: never a match, never a crash. */
	ck_assert_ptr_null(util_closest("ICEUPD_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", env, 4));
}
END_TEST

/* --- util_parse_long --- */

static void
long_ok(const char *s, long min, long max, long want)
{
	long	 v = 12345;

	ck_assert_msg(util_parse_long(s, min, max, &v) == 0, "'%s' refused", s);
	ck_assert_int_eq(v, want);
}

static void
long_bad(const char *s, long min, long max)
{
	long	 v = 12345;

	ck_assert_msg(util_parse_long(s, min, max, &v) == -1, "'%s' accepted",
	    s ? s : "(null)");
	ck_assert_int_eq(v, 12345);
}

START_TEST(test_parse_long)
{
	char	 buf[64];

	long_ok("0", 0, 10, 0);
	long_ok("10", 0, 10, 10);
	long_ok("5000", 100, 600000, 5000);
	long_ok("-5", -5, 5, -5);
	long_ok("-0", 0, 0, 0);
	long_ok("007", 0, 10, 7);
	snprintf(buf, sizeof(buf), "%ld", LONG_MAX);
	long_ok(buf, LONG_MIN, LONG_MAX, LONG_MAX);
	snprintf(buf, sizeof(buf), "%ld", LONG_MIN);
	long_ok(buf, LONG_MIN, LONG_MAX, LONG_MIN);

	long_bad("11", 0, 10);
	long_bad("-1", 0, 10);
	long_bad("-6", -5, 5);
	long_bad("99", 100, 600000);
	long_bad("12a", 0, 1000);
	long_bad("a12", 0, 1000);
	long_bad(" 1", 0, 10);
	long_bad("1 ", 0, 10);
	long_bad("+1", 0, 10);
	long_bad("", 0, 10);
	long_bad(NULL, 0, 10);
	long_bad("-", -10, 10);
	long_bad("0x10", 0, 100);
	long_bad("1e3", 0, 10000);
	long_bad("1.5", 0, 10);
	long_bad("99999999999999999999", LONG_MIN, LONG_MAX);
	long_bad("-99999999999999999999", LONG_MIN, LONG_MAX);
}
END_TEST

/* strtol skips any white space; util_parse_long refuses a leading space, and
 * should refuse a leading tab or newline the same way. */
START_TEST(test_parse_long_rejects_leading_whitespace)
{
	long_bad("\t1", 0, 10);
	long_bad("\n1", 0, 10);
	long_bad("\r1", 0, 10);
}
END_TEST

/* --- time --- */

START_TEST(test_rfc3339)
{
	char	 buf[32], small[10];

	ck_assert_str_eq(util_rfc3339(0, buf, sizeof(buf)), "1970-01-01T00:00:00Z");
	ck_assert_str_eq(util_rfc3339(1795317996, buf, sizeof(buf)),
	    "2026-11-22T03:26:36Z");
	ck_assert_str_eq(util_rfc3339(951782400, buf, sizeof(buf)),
	    "2000-02-29T00:00:00Z");
	ck_assert_ptr_eq(util_rfc3339(0, buf, 21), buf);
	ck_assert_str_eq(buf, "1970-01-01T00:00:00Z");
	ck_assert_str_eq(util_rfc3339(0, small, sizeof(small)), "invalid");
}
END_TEST

START_TEST(test_parse_rfc3339)
{
	static const time_t times[] = { 0, 951782400, 1795317996,
	    (time_t)4102444800LL };
	static const char *const bad[] = { "", "invalid",
	    "2026-11-22T03:26:36", "2026-11-22T03:26:36Z ",
	    "2026-11-22T03:26:36+00:00", "2026-11-22 03:26:36Z",
	    "2026-13-01T00:00:00Z", "2026-11-22T25:00:00Z",
	    "2026-11-22T03:26:36.5Z", "2026-11-22" };
	char	 buf[32];
	time_t	 t;
	size_t	 i;

	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		t = 12345;
		ck_assert_int_eq(util_parse_rfc3339(util_rfc3339(times[i], buf,
		    sizeof(buf)), &t), 0);
		ck_assert_int_eq(t, times[i]);
	}
	ck_assert_int_eq(util_parse_rfc3339("2026-11-22T03:26:36Z", &t), 0);
	ck_assert_int_eq(t, 1795317996);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(util_parse_rfc3339(bad[i], &t) == -1,
		    "'%s' accepted", bad[i]);
}
END_TEST

START_TEST(test_parse_rfc3339_any)
{
	static const struct {
		const char	*text;
		long long	 want;	/* -1: refused */
	} cases[] = {
		{ "2026-11-22T03:26:36Z", 1795317996LL },
		{ "2026-11-22T03:26:36.250Z", 1795317996LL },
		{ "2026-11-22T03:26:36.123456Z", 1795317996LL },
		{ "2026-11-22T04:26:36+01:00", 1795317996LL },
		{ "2026-11-21T21:56:36.5-05:30", 1795317996LL },
		{ "2026-11-22T03:26:36+0000", 1795317996LL },
		{ "2026-11-22T03:26:36", -1 },
		{ "2026-11-22T03:26:36.Z", -1 },
		{ "2026-11-22T03:26:36+01", -1 },
		{ "2026-11-22T03:26:36+25:00", -1 },
		{ "2026-11-22T03:26:36+01:00x", -1 },
		{ "2026-13-22T03:26:36Z", -1 },
		{ "2026-11-22 03:26:36Z", -1 },
		{ "1795317996", -1 },
		{ "", -1 },
	};
	time_t	 t;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		t = 0;
		if (cases[i].want == -1)
			ck_assert_msg(util_parse_rfc3339_any(cases[i].text,
			    &t) == -1, "%s accepted", cases[i].text);
		else {
			ck_assert_msg(util_parse_rfc3339_any(cases[i].text,
			    &t) == 0, "%s refused", cases[i].text);
			ck_assert_int_eq((long long)t, cases[i].want);
		}
	}
}
END_TEST

/* A fraction of a second allowed, as XEP-0215 servers send it. */
START_TEST(test_parse_rfc3339_frac)
{
	int	(*parse)(const char *, time_t *) = util_parse_rfc3339_frac;
	time_t	 t;

	ck_assert_int_eq(parse("2026-11-22T03:26:36Z", &t), 0);
	ck_assert_int_eq((long long)t, 1795317996);
	ck_assert_int_eq(parse("2026-11-22T03:26:36.250Z", &t), 0);
	ck_assert_int_eq((long long)t, 1795317996);
	ck_assert_int_eq(parse("2026-11-22T03:26:36", &t), -1);
	ck_assert_int_eq(parse("2026-11-22T03:26:36+01:00", &t), -1);
	ck_assert_int_eq(parse("2026-13-22T03:26:36Z", &t), -1);
	ck_assert_int_eq(parse("1795317996", &t), -1);
	ck_assert_int_eq(parse("", &t), -1);
	/* Before 1970: refused, not a negative time. */
	ck_assert_int_eq(parse("1969-12-31T23:59:58.5Z", &t), -1);
}
END_TEST

START_TEST(test_monotonic)
{
	long long a = util_monotonic_ms(), b;

	usleep(20000);
	b = util_monotonic_ms();
	ck_assert_int_ge(b - a, 15);
	ck_assert_int_lt(b - a, 5000);
}
END_TEST

UNIT_SUITE(util)
{
	Suite	*s = suite_create("util");

	unit_tcase(s, "strbuf", TESTS(test_sb_growth, test_sb_add_kinds,
	    test_sb_addf, test_percent_encode, test_xstrndup, test_split_list,
	    test_split_list_many, test_split_list_trims_cr_before_item,
	    test_json_has_nul, test_parse_long, test_closest,
	    test_parse_duration, test_format_duration,
	    test_parse_long_rejects_leading_whitespace, test_rfc3339,
	    test_parse_rfc3339, test_parse_rfc3339_any, test_parse_rfc3339_frac,
	    test_monotonic));
	return s;
}
