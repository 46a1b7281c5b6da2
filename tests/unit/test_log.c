/* test_log.c: escaping, levels, one line per message, redaction of
 * secrets, JSON lines. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/log.h"
#include "../../src/util.h"
#include "unit.h"

START_TEST(test_log_escape)
{
	char	 buf[128], small[8];

	ck_assert_str_eq(log_escape("plain text", 100, buf, sizeof(buf)),
	    "plain text");
	ck_assert_str_eq(log_escape("a\nb\tc\x01\x1b[0m", 100, buf,
	    sizeof(buf)), "a\\x0ab\\x09c\\x01\\x1b[0m");
	ck_assert_str_eq(log_escape("n\xc3\xa9ko\x7f\xff", 100, buf,
	    sizeof(buf)), "n\\xc3\\xa9ko\\x7f\\xff");
	ck_assert_str_eq(log_escape("back\\slash", 100, buf, sizeof(buf)),
	    "back\\x5cslash");
	ck_assert_str_eq(log_escape("abcdef", 3, buf, sizeof(buf)),
	    "abc...");
	ck_assert_str_eq(log_escape("abc", 3, buf, sizeof(buf)), "abc");
	ck_assert_str_eq(log_escape("", 3, buf, sizeof(buf)), "");
	/* Never more than the buffer holds. */
	log_escape("0123456789abcdef", 100, small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
	ck_assert_int_eq(strncmp(small, "012", 3), 0);
	log_escape("\x01\x02\x03\x04", 100, small, sizeof(small));
	ck_assert_uint_lt(strlen(small), sizeof(small));
}
END_TEST

START_TEST(test_log_levels_text)
{
	char	*out;

	log_init(0, LOG_TEXT);
	ck_assert_int_eq(log_enabled(LOG_ERROR), 1);
	ck_assert_int_eq(log_enabled(LOG_WARN), 1);
	ck_assert_int_eq(log_enabled(LOG_NOTICE), 1);
	ck_assert_int_eq(log_enabled(LOG_INFO), 0);
	ck_assert_int_eq(log_enabled(LOG_DEBUG), 0);
	unit_stderr_begin();
	log_error("bad %s", "thing");
	log_warn("careful");
	log_notice("updated");
	log_info("hidden");
	log_debug("hidden too");
	out = unit_stderr_end();
	ck_assert_str_eq(out, "iceupd: error: bad thing\n"
	    "iceupd: warning: careful\n"
	    "iceupd: updated\n");
	free(out);

	log_init(2, LOG_TEXT);
	unit_stderr_begin();
	log_info("told");
	log_debug("how");
	out = unit_stderr_end();
	ck_assert_str_eq(out, "iceupd: told\niceupd: debug: how\n");
	free(out);

	log_init(1, LOG_TEXT);
	ck_assert_int_eq(log_enabled(LOG_INFO), 1);
	ck_assert_int_eq(log_enabled(LOG_DEBUG), 0);

	log_init(-1, LOG_TEXT);
	ck_assert_int_eq(log_enabled(LOG_NOTICE), 0);
	unit_stderr_begin();
	log_warn("quiet");
	log_notice("quiet too");
	log_error("still shown");
	out = unit_stderr_end();
	ck_assert_str_eq(out, "iceupd: error: still shown\n");
	free(out);
}
END_TEST

START_TEST(test_log_one_line)
{
	char	*out;

	log_init(0, LOG_TEXT);
	unit_stderr_begin();
	log_error("provider said: %s", "line one\nline two\n");
	out = unit_stderr_end();
	ck_assert_str_eq(out,
	    "iceupd: error: provider said: line one line two \n");
	free(out);
}
END_TEST

START_TEST(test_log_redacts_secrets)
{
	char	*out;

	log_init(2, LOG_TEXT);
	log_secret("s3cr3t-marker");
	log_secret("s3cr3t-marker");	/* remembered once */
	log_secret("abc");		/* too short to redact */
	log_secret(NULL);
	unit_stderr_begin();
	log_error("credential=%s", "s3cr3t-marker");
	log_warn("twice: s3cr3t-markers3cr3t-marker, abc");
	log_debug("%s", "xs3cr3t-markerx");
	out = unit_stderr_end();
	ck_assert_ptr_null(strstr(out, "s3cr3t"));
	ck_assert_str_eq(out, "iceupd: error: credential=[redacted]\n"
	    "iceupd: warning: twice: [redacted][redacted], abc\n"
	    "iceupd: debug: x[redacted]x\n");
	free(out);

	log_forget_secrets();
	unit_stderr_begin();
	log_error("now %s", "s3cr3t-marker");
	out = unit_stderr_end();
	ck_assert_str_eq(out, "iceupd: error: now s3cr3t-marker\n");
	free(out);
}
END_TEST

/* A username that is the start of the credential must not let the rest
 * of the credential through. */
/* Text bound for a report, a file or an answer is redacted too. */
START_TEST(test_log_redact_buffer)
{
	char	 buf[40];

	log_secret("apikey-marker-77");
	snprintf(buf, sizeof(buf), "GET ?apiKey=apikey-marker-77");
	ck_assert(log_holds_secret(buf));
	log_redact(buf, sizeof(buf));
	ck_assert_str_eq(buf, "GET ?apiKey=[redacted]");
	ck_assert(!log_holds_secret(buf));
	snprintf(buf, sizeof(buf), "%s", "a long apikey-marker-77");
	log_redact(buf, 12);			/* cut where it must be */
	ck_assert_str_eq(buf, "a long [red");
	log_forget_secrets();
	ck_assert(!log_holds_secret("apikey-marker-77"));
}
END_TEST

START_TEST(test_log_url_secret)
{
	log_url_secret("https://matrix.example/path");
	log_url_secret("turn:127.0.0.1:3478?transport=udp");
	ck_assert(!log_holds_secret("https://matrix.example/path"));
	ck_assert(!log_holds_secret("transport=udp"));
	log_url_secret("https://me:pw-77aa@h.example/x?key=q-88bb#frag");
	ck_assert(log_holds_secret("me:pw-77aa"));
	ck_assert(log_holds_secret("key=q-88bb"));
	ck_assert(log_holds_secret(
	    "https://me:pw-77aa@h.example/x?key=q-88bb#frag"));
	ck_assert(!log_holds_secret("https://h.example/x"));
	log_forget_secrets();
}
END_TEST

START_TEST(test_log_redacts_secret_holding_another)
{
	char	*out;

	log_init(0, LOG_TEXT);
	log_secret("neko");
	log_secret("nekopass-9f2c");
	unit_stderr_begin();
	log_error("rejected %s", "nekopass-9f2c");
	out = unit_stderr_end();
	ck_assert_msg(strstr(out, "pass-9f2c") == NULL, "leaked: %s", out);
	ck_assert_str_eq(out, "iceupd: error: rejected [redacted]\n");
	free(out);
}
END_TEST

static cJSON *
json_line(const char *line)
{
	cJSON	*j = cJSON_Parse(line);

	ck_assert_msg(j != NULL, "not JSON: %s", line);
	return j;
}

START_TEST(test_log_json)
{
	const cJSON *v;
	cJSON	*j;
	char	*out, *nl;

	log_init(0, LOG_JSON);
	log_secret("json-s3cret");
	unit_stderr_begin();
	log_error("quote \" backslash \\ newline \n tab \t bell \a del \x7f "
	    "utf8 \xc3\xa9 secret json-s3cret");
	log_warn("second");
	log_info("hidden");
	out = unit_stderr_end();

	ck_assert_ptr_null(strstr(out, "json-s3cret"));
	nl = strchr(out, '\n');
	ck_assert_ptr_nonnull(nl);
	*nl = '\0';
	j = json_line(out);
	v = cJSON_GetObjectItemCaseSensitive(j, "severity");
	ck_assert(cJSON_IsString(v));
	ck_assert_str_eq(v->valuestring, "ERROR");
	v = cJSON_GetObjectItemCaseSensitive(j, "message");
	ck_assert(cJSON_IsString(v));
	ck_assert_str_eq(v->valuestring, "quote \" backslash \\ newline \n "
	    "tab \t bell \a del \x7f utf8 \xc3\xa9 secret [redacted]");
	v = cJSON_GetObjectItemCaseSensitive(j, "time");
	ck_assert(cJSON_IsString(v));
	ck_assert_uint_eq(strlen(v->valuestring), 20);
	ck_assert_int_eq(v->valuestring[10], 'T');
	ck_assert_int_eq(v->valuestring[19], 'Z');
	cJSON_Delete(j);

	j = json_line(nl + 1);
	v = cJSON_GetObjectItemCaseSensitive(j, "severity");
	ck_assert_str_eq(v->valuestring, "WARNING");
	v = cJSON_GetObjectItemCaseSensitive(j, "message");
	ck_assert_str_eq(v->valuestring, "second");
	cJSON_Delete(j);
	/* Exactly two lines. */
	nl = strchr(nl + 1, '\n');
	ck_assert_ptr_nonnull(nl);
	ck_assert_int_eq(nl[1], '\0');
	free(out);

	ck_assert_str_eq(log_format_names[LOG_TEXT], "text");
	ck_assert_str_eq(log_format_names[LOG_JSON], "json");
}
END_TEST

START_TEST(test_log_json_severities)
{
	static const char *const want[] = { "ERROR", "WARNING", "NOTICE",
	    "INFO", "DEBUG" };
	const cJSON *v;
	cJSON	*j;
	char	*out, *line, *nl;
	int	 i = 0;

	log_init(2, LOG_JSON);
	unit_stderr_begin();
	log_error("e");
	log_warn("w");
	log_notice("n");
	log_info("i");
	log_debug("d");
	out = unit_stderr_end();
	for (line = out; (nl = strchr(line, '\n')) != NULL; line = nl + 1) {
		*nl = '\0';
		ck_assert_int_lt(i, 5);
		j = json_line(line);
		v = cJSON_GetObjectItemCaseSensitive(j, "severity");
		ck_assert_str_eq(v->valuestring, want[i]);
		cJSON_Delete(j);
		i++;
	}
	ck_assert_int_eq(i, 5);
	free(out);
}
END_TEST

UNIT_SUITE(log)
{
	return unit_suite("log", "log", TESTS(test_log_escape,
	    test_log_levels_text, test_log_one_line, test_log_redacts_secrets,
	    test_log_redacts_secret_holding_another, test_log_redact_buffer,
	    test_log_url_secret, test_log_json, test_log_json_severities));
}
