/* test_settings.c: defaults < config file < environment < flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../src/engine.h"
#include "../../src/format/format.h"
#include "../../src/ice.h"
#include "../../src/log.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

/* The config file of the current test, when it has one. */
static char	*conf_path;

/* Writes a config file for this test; its path stays in conf_path. */
static const char *
conf(const char *text, int mode)
{
	ck_assert_ptr_null(conf_path);
	conf_path = unit_tmpfile(text, strlen(text), mode);
	return conf_path;
}

static void
conf_done(void)
{
	if (conf_path != NULL) {
		unlink(conf_path);
		free(conf_path);
		conf_path = NULL;
	}
}

/* Runs settings_load on "iceupd args..." with env and conf_path. */
static int
load(struct settings *s, const char *const *args, const char *const *env)
{
	return unit_settings_load(s, conf_path, args, env);
}

static void
load_ok(struct settings *s, const char *const *args, const char *const *env)
{
	ck_assert_msg(load(s, args, env) == 0, "settings_load failed");
}

/* "FILE:LINE" of the current config file. */
static const char *
at_line(int line)
{
	static char	 buf[512];

	snprintf(buf, sizeof(buf), "%s:%d", conf_path, line);
	return buf;
}

/* The origin of a value from the config file: "FILE:LINE (key)". */
static const char *
at_key(int line, const char *key)
{
	static char	 buf[600];

	snprintf(buf, sizeof(buf), "%s:%d (%s)", conf_path, line, key);
	return buf;
}

static void
teardown(void)
{
	conf_done();
}

#define VAR_MAX	600	/* of var_file()'s NAME=PATH */

/* A file in /tmp holding len bytes of content, named by var, which gets
 * "name=PATH"; returns PATH, for file_done(). */
static char *
var_file(char *var, const char *name, const char *content, size_t len)
{
	char	*path = unit_tmpfile(content, len, 0600);

	snprintf(var, VAR_MAX, "%s=%s", name, path);
	return path;
}

/* Removes the file of var_file() and frees its path. */
static void
file_done(char *path)
{
	unlink(path);
	free(path);
}

/* --- defaults --- */

START_TEST(test_defaults)
{
	struct settings	 s;

	load_ok(&s, NULL, NULL);
	ck_assert_int_eq(s.command, CMD_FETCH);
	ck_assert_int_eq(s.format, FMT_NEKO);
	ck_assert_str_eq(s.env_name, "NEKO_ICESERVERS");
	ck_assert_int_eq(s.timeout_ms, 5000);
	ck_assert_int_eq(s.grace_ms, 1500);
	ck_assert_int_eq(s.transport, TRANSPORT_ANY);
	ck_assert_int_eq(s.relay, 0);
	ck_assert_int_eq(s.policy, POLICY_FIRST);
	ck_assert_int_eq(s.max_servers, 0);
	ck_assert_int_eq(s.ttl, 0);
	ck_assert_int_eq(s.require_turn, 0);
	ck_assert_int_eq(s.verbosity, 0);
	ck_assert_int_eq(s.log_format, LOG_TEXT);
	ck_assert_ptr_null(s.providers);
	ck_assert_ptr_null(s.output);
	ck_assert_ptr_null(s.cacert);
	ck_assert_ptr_null(s.turn_urls);
	ck_assert_ptr_null(s.turn_username);
	ck_assert_ptr_null(s.turn_credential);
	ck_assert_ptr_null(s.turn_secret);
	ck_assert_ptr_null(s.turn_user);
	ck_assert_int_eq(s.turn_ttl, 0);
	ck_assert_ptr_null(s.stun_urls);
	ck_assert_ptr_nonnull(s.config);

	ck_assert_str_eq(SETTING_ORIGIN(&s, format), "default");
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms), "default");
	ck_assert_str_eq(SETTING_ORIGIN(&s, env_name), "default");
	ck_assert_str_eq(SETTING_ORIGIN(&s, output), "default");
	ck_assert_str_eq(SETTING_ORIGIN(&s, turn_secret), "default");
	ck_assert_int_eq(SETTING_KIND(&s, format), FROM_DEFAULT);
	ck_assert_int_eq(SETTING_KIND(&s, turn_urls), FROM_DEFAULT);
	/* Fields outside the table have no origin of their own. */
	ck_assert_str_eq(SETTING_ORIGIN(&s, verbosity), "default");
	ck_assert_int_eq(SETTING_KIND(&s, verbosity), FROM_DEFAULT);
	settings_free(&s);
	ck_assert_ptr_null(s.origin);
	ck_assert_ptr_null(s.env_name);
}
END_TEST

START_TEST(test_config_file_is_recorded)
{
	struct settings	 s;

	conf("format = \"rtc\";\n", 0600);
	load_ok(&s, ARGS("-c", conf_path), NULL);
	ck_assert_str_eq(s.config, conf_path);
	ck_assert_int_eq(s.format, FMT_RTC);
	settings_free(&s);
}
END_TEST

/* --- precedence: default < file < env < flag --- */

START_TEST(test_precedence_format)
{
	struct settings	 s;

	conf("format = \"rtc\";\n", 0600);
	load_ok(&s, NULL, NULL);
	ck_assert_int_eq(s.format, FMT_RTC);
	ck_assert_str_eq(SETTING_ORIGIN(&s, format), at_key(1, "format"));
	ck_assert_int_eq(SETTING_KIND(&s, format), FROM_FILE);
	settings_free(&s);

	load_ok(&s, NULL, ENV("ICEUPD_FORMAT=json"));
	ck_assert_int_eq(s.format, FMT_JSON);
	ck_assert_str_eq(SETTING_ORIGIN(&s, format),
	    "ICEUPD_FORMAT (environment)");
	ck_assert_int_eq(SETTING_KIND(&s, format), FROM_ENV);
	settings_free(&s);

	load_ok(&s, ARGS("-f", "env"), ENV("ICEUPD_FORMAT=json"));
	ck_assert_int_eq(s.format, FMT_ENV);
	ck_assert_str_eq(SETTING_ORIGIN(&s, format), "--format");
	ck_assert_int_eq(SETTING_KIND(&s, format), FROM_FLAG);
	settings_free(&s);

	load_ok(&s, ARGS("--format=str0m"), ENV("ICEUPD_FORMAT=json"));
	ck_assert_int_eq(s.format, FMT_STR0M);
	settings_free(&s);

	/* The last flag wins. */
	load_ok(&s, ARGS("-f", "env", "--format", "dotenv"), NULL);
	ck_assert_int_eq(s.format, FMT_DOTENV);
	settings_free(&s);
}
END_TEST

START_TEST(test_precedence_timeout)
{
	struct settings	 s;

	conf("# comment\ntimeout_ms = 2000;\n", 0600);
	load_ok(&s, NULL, NULL);
	ck_assert_int_eq(s.timeout_ms, 2000);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms), at_key(2, "timeout_ms"));
	settings_free(&s);

	load_ok(&s, NULL, ENV("ICEUPD_TIMEOUT_MS=3000"));
	ck_assert_int_eq(s.timeout_ms, 3000);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms),
	    "ICEUPD_TIMEOUT_MS (environment)");
	settings_free(&s);

	load_ok(&s, ARGS("--timeout", "4000"),
	    ENV("ICEUPD_TIMEOUT_MS=3000"));
	ck_assert_int_eq(s.timeout_ms, 4000);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms), "--timeout");
	settings_free(&s);

	load_ok(&s, ARGS("-t", "4500"), ENV("ICEUPD_TIMEOUT_MS=3000"));
	ck_assert_int_eq(s.timeout_ms, 4500);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms), "--timeout");
	settings_free(&s);

	load_ok(&s, ARGS("-t4600"), NULL);
	ck_assert_int_eq(s.timeout_ms, 4600);
	settings_free(&s);
}
END_TEST

START_TEST(test_precedence_mixed)
{
	struct settings	 s;

	conf("format = \"rtc\";\n"
	    "timeout_ms = 2000;\n"
	    "env_name = \"FILE_NAME\";\n"
	    "transport = \"udp\";\n"
	    "grace_ms = 100;\n"
	    "providers = \"coturn,stun\";\n", 0600);
	load_ok(&s, ARGS("--env-name", "FLAG_NAME", "--providers", "stun"),
	    ENV("ICEUPD_TIMEOUT_MS=3000", "ICEUPD_ENV_NAME=ENV_NAME",
	    "ICEUPD_TRANSPORT=tcp", "ICEUPD_POLICY=merge"));
	ck_assert_int_eq(s.format, FMT_RTC);
	ck_assert_str_eq(SETTING_ORIGIN(&s, format), at_key(1, "format"));
	ck_assert_int_eq(s.timeout_ms, 3000);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms),
	    "ICEUPD_TIMEOUT_MS (environment)");
	ck_assert_str_eq(s.env_name, "FLAG_NAME");
	ck_assert_str_eq(SETTING_ORIGIN(&s, env_name), "--env-name");
	ck_assert_int_eq(s.transport, TRANSPORT_TCP);
	ck_assert_int_eq(SETTING_KIND(&s, transport), FROM_ENV);
	ck_assert_int_eq(s.grace_ms, 100);
	ck_assert_str_eq(SETTING_ORIGIN(&s, grace_ms), at_key(5, "grace_ms"));
	ck_assert_str_eq(s.providers, "stun");
	ck_assert_int_eq(SETTING_KIND(&s, providers), FROM_FLAG);
	ck_assert_int_eq(s.policy, POLICY_MERGE);
	ck_assert_int_eq(s.max_servers, 0);
	ck_assert_str_eq(SETTING_ORIGIN(&s, max_servers), "default");
	settings_free(&s);
}
END_TEST

START_TEST(test_flags_each_setting)
{
	struct settings	 s;

	load_ok(&s, ARGS("-p", "coturn", "-o", "/tmp/out.env",
	    "--transport", "tcp", "--relay", "--policy", "merge",
	    "--grace", "0", "--max-servers", "64", "--ttl", "3600",
	    "--require-turn", "--cacert", "/dev/null", "--log-format",
	    "json"), NULL);
	ck_assert_str_eq(s.providers, "coturn");
	ck_assert_str_eq(s.output, "/tmp/out.env");
	ck_assert_int_eq(s.transport, TRANSPORT_TCP);
	ck_assert_int_eq(s.relay, 1);
	ck_assert_str_eq(SETTING_ORIGIN(&s, relay), "--relay");
	ck_assert_int_eq(s.policy, POLICY_MERGE);
	ck_assert_int_eq(s.grace_ms, 0);
	ck_assert_int_eq(s.max_servers, 64);
	ck_assert_int_eq(s.ttl, 3600);
	ck_assert_int_eq(s.require_turn, 1);
	ck_assert_str_eq(s.cacert, "/dev/null");
	ck_assert_int_eq(s.log_format, LOG_JSON);
	settings_free(&s);
}
END_TEST

/* Choices are case-insensitive; an empty string value unsets. */
START_TEST(test_choice_case_and_empty_string)
{
	struct settings	 s;

	conf("providers = \"coturn\";\n", 0600);
	load_ok(&s, NULL, ENV("ICEUPD_FORMAT=RTC", "ICEUPD_TRANSPORT=Udp",
	    "ICEUPD_PROVIDERS="));
	ck_assert_int_eq(s.format, FMT_RTC);
	ck_assert_int_eq(s.transport, TRANSPORT_UDP);
	ck_assert_ptr_null(s.providers);
	ck_assert_int_eq(SETTING_KIND(&s, providers), FROM_ENV);
	settings_free(&s);
}
END_TEST

/* An empty value (VAR= in an env file) means the built-in default, as if
 * unset, though messages still say where it came from. */
START_TEST(test_empty_value_is_default)
{
	struct settings	 s;

	conf("relay = true;\ntimeout_ms = 2000;\nformat = \"rtc\";\n", 0600);
	load_ok(&s, NULL, ENV("ICEUPD_RELAY=", "ICEUPD_TIMEOUT_MS=",
	    "ICEUPD_FORMAT=", "WEBRTC_TURN_URLS="));
	ck_assert_int_eq(s.relay, 0);
	ck_assert_int_eq(s.timeout_ms, 5000);
	ck_assert_int_eq(s.format, FMT_NEKO);
	ck_assert_ptr_null(s.turn_urls);
	ck_assert_int_eq(SETTING_KIND(&s, timeout_ms), FROM_DEFAULT);
	ck_assert_str_eq(SETTING_ORIGIN(&s, timeout_ms),
	    "ICEUPD_TIMEOUT_MS (environment)");
	settings_free(&s);
}
END_TEST

/* A number without a built-in default, left empty, stays unset (0) like
 * one never given: TURN_TTL= in an env file is not an error. */
START_TEST(test_empty_number_without_default)
{
	struct settings	 s;

	load_ok(&s, NULL, ENV("TURN_TTL=", "TWILIO_TTL="));
	ck_assert_int_eq(s.turn_ttl, 0);
	ck_assert_int_eq(s.twilio_ttl, 0);
	settings_free(&s);
}
END_TEST

/* A variable is matched by its whole name. */
START_TEST(test_env_names_exact)
{
	struct settings	 s;

	load_ok(&s, NULL, ENV("ICEUPD_FORMATX=rtc", "XICEUPD_FORMAT=rtc",
	    "ICEUPD_FORMAT", "TURN_USERNAME=x", "ICEUPD_TIMEOUT_MS_FILE=/x"));
	ck_assert_int_eq(s.format, FMT_NEKO);
	ck_assert_int_eq(s.timeout_ms, 5000);
	ck_assert_ptr_null(s.turn_user);
	settings_free(&s);

	load_ok(&s, NULL, ENV("TURN_USER=neko", "TURN_USERNAME=x"));
	ck_assert_str_eq(s.turn_user, "neko");
	settings_free(&s);
}
END_TEST

/* --- config file syntax --- */

START_TEST(test_config_groups_and_lists)
{
	struct settings	 s;

	conf("format = \"rtc\";\n"
	    "coturn = {\n"
	    "  urls = [\"turn:t.example.org\", \"turns:t.example.org:443\"];\n"
	    "  shared_secret = \"x-secret\";\n"
	    "  user = \"neko\";\n"
	    "  ttl = 600;\n"
	    "};\n"
	    "stun = { urls = \"stun:s.example.org\"; };\n"
	    "relay = true;\n"
	    "max_servers = 3;\n"
	    "ttl = 120L;\n", 0600);
	unit_stderr_begin();
	load_ok(&s, NULL, NULL);
	free(unit_stderr_end());
	ck_assert_int_eq(s.format, FMT_RTC);
	ck_assert_str_eq(s.turn_urls,
	    "turn:t.example.org,turns:t.example.org:443");
	ck_assert_str_eq(SETTING_ORIGIN(&s, turn_urls), at_key(3, "coturn.urls"));
	ck_assert_str_eq(s.turn_secret, "x-secret");
	ck_assert_str_eq(SETTING_ORIGIN(&s, turn_secret),
	    at_key(4, "coturn.shared_secret"));
	ck_assert_str_eq(s.turn_user, "neko");
	ck_assert_int_eq(s.turn_ttl, 600);
	ck_assert_str_eq(s.stun_urls, "stun:s.example.org");
	ck_assert_str_eq(SETTING_ORIGIN(&s, stun_urls), at_key(8, "stun.urls"));
	ck_assert_int_eq(s.relay, 1);
	ck_assert_int_eq(s.max_servers, 3);
	ck_assert_int_eq(s.ttl, 120);
	settings_free(&s);
}
END_TEST

/* What loading the config file text, with mode, writes to stderr (free
 * it); the load must succeed, and the file is removed after. */
static char *
conf_warnings(const char *text, int mode)
{
	struct settings	 s;
	char		*err;

	conf(text, mode);
	unit_stderr_begin();
	load_ok(&s, NULL, NULL);
	err = unit_stderr_end();
	settings_free(&s);
	conf_done();
	return err;
}

START_TEST(test_config_secret_mode_warning)
{
	char		*err;

	err = conf_warnings("coturn = { shared_secret = \"x-secret\"; };\n",
	    0644);
	ck_assert_msg(strstr(err, "chmod 600") != NULL, "no warning: %s", err);
	ck_assert_ptr_null(strstr(err, "x-secret"));
	free(err);

	err = conf_warnings("coturn = { shared_secret = \"x-secret\"; };\n",
	    0600);
	ck_assert_str_eq(err, "");
	free(err);

	/* No secret in it: readable is fine. */
	err = conf_warnings("format = \"rtc\";\n", 0644);
	ck_assert_str_eq(err, "");
	free(err);
}
END_TEST

START_TEST(test_config_flag_wins_over_variable)
{
	struct settings	 s;
	char		 var[VAR_MAX], *other;

	conf("format = \"rtc\";\n", 0600);
	other = var_file(var, "ICEUPD_CONFIG", "format = \"json\";\n", 17);
	load_ok(&s, ARGS("-c", conf_path), ENV(var));
	ck_assert_int_eq(s.format, FMT_RTC);
	settings_free(&s);
	load_ok(&s, ARGS("--config", other), NULL);
	ck_assert_int_eq(s.format, FMT_JSON);
	ck_assert_str_eq(s.config, other);
	settings_free(&s);
	file_done(other);
}
END_TEST

/* --- booleans --- */

static const struct {
	const char	*text;
	int		 value;
} bools[] = {
	{ "1", 1 }, { "0", 0 }, { "true", 1 }, { "false", 0 },
	{ "yes", 1 }, { "no", 0 }, { "on", 1 }, { "off", 0 },
	{ "TRUE", 1 }, { "Off", 0 }, { "Yes", 1 }, { "NO", 0 },
};

START_TEST(test_bool_env)
{
	struct settings	 s;
	char		 var[64];

	snprintf(var, sizeof(var), "ICEUPD_RELAY=%s", bools[_i].text);
	load_ok(&s, NULL, ENV(var));
	ck_assert_int_eq(s.relay, bools[_i].value);
	ck_assert_str_eq(SETTING_ORIGIN(&s, relay),
	    "ICEUPD_RELAY (environment)");
	settings_free(&s);
}
END_TEST

START_TEST(test_bool_file)
{
	struct settings	 s;
	char		 text[128];

	snprintf(text, sizeof(text), "require_turn = \"%s\";\n",
	    bools[_i].text);
	conf(text, 0600);
	load_ok(&s, NULL, NULL);
	ck_assert_int_eq(s.require_turn, bools[_i].value);
	settings_free(&s);
}
END_TEST

START_TEST(test_bool_flag_wins)
{
	struct settings	 s;

	conf("relay = false;\nrequire_turn = true;\n", 0600);
	load_ok(&s, ARGS("--relay"), ENV("ICEUPD_RELAY=off"));
	ck_assert_int_eq(s.relay, 1);
	ck_assert_int_eq(SETTING_KIND(&s, relay), FROM_FLAG);
	ck_assert_int_eq(s.require_turn, 1);
	ck_assert_int_eq(SETTING_KIND(&s, require_turn), FROM_FILE);
	settings_free(&s);
}
END_TEST

/* --- what settings_load refuses --- */

static const struct {
	const char	*name;
	const char	*args[6];
	const char	*env[3];
	const char	*conf;
} refused[] = {
	{ "bool maybe", { NULL }, { "ICEUPD_RELAY=maybe" }, NULL },
	{ "bool 2", { NULL }, { "ICEUPD_RELAY=2" }, NULL },
	{ "timeout below 100", { NULL }, { "ICEUPD_TIMEOUT_MS=99" }, NULL },
	{ "timeout above 600000", { NULL }, { "ICEUPD_TIMEOUT_MS=600001" },
	    NULL },
	{ "timeout with unknown unit", { NULL }, { "ICEUPD_TIMEOUT_MS=5x" },
	    NULL },
	{ "timeout of a part of a ms", { "-t", "1.5ms" }, { NULL }, NULL },
	{ "timeout 11m", { "-t", "11m" }, { NULL }, NULL },
	{ "timeout unit first", { "-t", "s5" }, { NULL }, NULL },
	{ "timeout with a space", { "-t", "5 s" }, { NULL }, NULL },
	{ "ttl not whole seconds", { "--ttl", "1500ms" }, { NULL }, NULL },
	{ "min-ttl 2d", { NULL }, { "ICEUPD_MIN_TTL=2d" }, NULL },
	{ "unit in a file", { NULL }, { NULL }, "timeout_ms = \"5 min\";\n" },
	{ "timeout negative", { "--timeout", "-5" }, { NULL }, NULL },
	{ "timeout letters", { "--timeout", "abc" }, { NULL }, NULL },
	{ "grace too long", { "--grace", "600001" }, { NULL }, NULL },
	{ "max-servers 65", { "--max-servers", "65" }, { NULL }, NULL },
	{ "ttl negative", { NULL }, { "ICEUPD_TTL=-1" }, NULL },
	{ "ttl over a week", { "--ttl", "604801" }, { NULL }, NULL },
	{ "TURN_TTL 59", { NULL }, { "TURN_TTL=59" }, NULL },
	{ "format xml", { NULL }, { "ICEUPD_FORMAT=xml" }, NULL },
	{ "format flag", { "-f", "yaml" }, { NULL }, NULL },
	{ "transport sctp", { NULL }, { "ICEUPD_TRANSPORT=sctp" }, NULL },
	{ "policy all", { "--policy", "all" }, { NULL }, NULL },
	{ "log format", { NULL }, { "ICEUPD_LOG_FORMAT=yaml" }, NULL },
	{ "missing value", { "--timeout" }, { NULL }, NULL },
	{ "missing short value", { "-f" }, { NULL }, NULL },
	{ "unknown long option", { "--bogus" }, { NULL }, NULL },
	{ "unknown short option", { "-x" }, { NULL }, NULL },
	{ "value for a switch", { "--relay=yes" }, { NULL }, NULL },
	{ "extra argument", { "-v", "extra" }, { NULL }, NULL },
	{ "two commands", { "fetch", "watch" }, { NULL }, NULL },
	{ "--once for fetch", { "--once" }, { NULL }, NULL },
	{ "--service for fetch", { "--service", "x" }, { NULL }, NULL },
	{ "--dry-run for check", { "check", "--dry-run" }, { NULL }, NULL },
	{ "--format for deploy", { "-f", "json", "deploy" }, { NULL },
	    NULL },
	{ "--neko-v3 for check", { "check", "--neko-v3" }, { NULL }, NULL },
	{ "--listen for watch", { "watch", "--listen", ":1" }, { NULL },
	    NULL },
	{ "help of no command", { "help", "bogus" }, { NULL }, NULL },
	{ "help of two", { "help", "fetch", "watch" }, { NULL }, NULL },
	{ "completion of no shell", { "completion" }, { NULL }, NULL },
	{ "completion fish", { "completion", "fish" }, { NULL }, NULL },
	{ "unknown command", { "bogus" }, { NULL }, NULL },
	{ "later command name", { "watchers" }, { NULL }, NULL },
	{ "missing -c file", { "-c", "/nonexistent/iceupd.conf" }, { NULL },
	    NULL },
	{ "missing ICEUPD_CONFIG file", { NULL },
	    { "ICEUPD_CONFIG=/nonexistent/iceupd.conf" }, NULL },
	{ "missing secret file", { NULL },
	    { "TURN_SHARED_SECRET_FILE=/nonexistent/secret" }, NULL },
	{ "unknown key", { NULL }, { NULL }, "formt = \"rtc\";\n" },
	{ "unknown nested key", { NULL }, { NULL },
	    "coturn = { url = \"turn:h\"; };\n" },
	{ "unknown group", { NULL }, { NULL },
	    "twillio = { sid = \"AC1\"; };\n" },
	{ "group for a scalar", { NULL }, { NULL },
	    "format = { name = \"rtc\"; };\n" },
	{ "bad choice in file", { NULL }, { NULL }, "format = \"xml\";\n" },
	{ "float", { NULL }, { NULL }, "timeout_ms = 1.5;\n" },
	{ "huge number", { NULL }, { NULL },
	    "timeout_ms = 99999999999L;\n" },
	{ "list of numbers", { NULL }, { NULL },
	    "coturn = { urls = [1, 2]; };\n" },
	{ "syntax error", { NULL }, { NULL }, "format = \"rtc\"\nrelay\n" },
	{ "bad bool in file", { NULL }, { NULL }, "relay = \"sometimes\";\n" },
};

START_TEST(test_refused)
{
	struct settings	 s;
	char		*err;
	int		 rc;

	if (refused[_i].conf != NULL)
		conf(refused[_i].conf, 0600);
	unit_stderr_begin();
	rc = load(&s, refused[_i].args, refused[_i].env);
	err = unit_stderr_end();
	ck_assert_msg(rc == -1, "%s: accepted", refused[_i].name);
	/* One line that says what is wrong. */
	ck_assert_msg(strncmp(err, "iceupd: error: ", 15) == 0,
	    "%s: %s", refused[_i].name, err);
	ck_assert_msg(strchr(err, '\n') == err + strlen(err) - 1,
	    "%s: not one line: %s", refused[_i].name, err);
	free(err);
	settings_free(&s);
}
END_TEST

/* settings_load refuses args and env with exactly the message want. */
static void
refused_with(const char *const *args, const char *const *env,
    const char *want)
{
	struct settings	 s;
	char		*err;

	unit_stderr_begin();
	ck_assert_int_eq(load(&s, args, env), -1);
	err = unit_stderr_end();
	ck_assert_str_eq(err, want);
	free(err);
	settings_free(&s);
}

/* The message names the setting and where the bad value came from. */
START_TEST(test_error_names_origin)
{
	struct settings	 s;
	char		*err;

	refused_with(NULL, ENV("ICEUPD_TIMEOUT_MS=5x"), "iceupd: error: "
	    "ICEUPD_TIMEOUT_MS (environment): '5x' is not a duration from "
	    "100ms to 10m (units ms, s, m, h, d; a bare number is "
	    "milliseconds)\n");
	refused_with(ARGS("--ttl", "30s"), NULL, "iceupd: error: --ttl: '30s' "
	    "is not a duration from 1m to 7d (units ms, s, m, h, d; a bare "
	    "number is seconds)\n");
	refused_with(ARGS("--once"), NULL, "iceupd: error: --once applies to "
	    "watch, not fetch; see 'iceupd help fetch'\n");
	refused_with(ARGS("check", "-o", "f"), NULL, "iceupd: error: --output "
	    "applies to fetch and watch, not check; see 'iceupd help "
	    "check'\n");
	refused_with(ARGS("--verbose=2"), NULL, "iceupd: error: option "
	    "--verbose takes no value\n");
	refused_with(ARGS("--relay=yes"), NULL, "iceupd: error: option --relay "
	    "takes no value\n");

	unit_stderr_begin();
	ck_assert_int_eq(load(&s, ARGS("--policy", "all"), NULL), -1);
	err = unit_stderr_end();
	ck_assert_str_eq(err, "iceupd: error: --policy: 'all' is not one of: "
	    "first, merge\n");
	free(err);
	settings_free(&s);

	conf("\n\nformat = \"xml\";\n", 0600);
	unit_stderr_begin();
	ck_assert_int_eq(load(&s, NULL, NULL), -1);
	err = unit_stderr_end();
	{
		char	 want[800];

		snprintf(want, sizeof(want), "iceupd: error: %s: 'xml' is not "
		    "one of: neko, rtc, json, env, dotenv, str0m, table\n",
		    at_key(3, "format"));
		ck_assert_str_eq(err, want);
	}
	free(err);
	settings_free(&s);
	conf_done();

	conf("coturn = {\n  bogus = 1;\n};\n", 0600);
	unit_stderr_begin();
	ck_assert_int_eq(load(&s, NULL, NULL), -1);
	err = unit_stderr_end();
	ck_assert_msg(strstr(err, at_line(2)) != NULL, "%s", err);
	ck_assert_msg(strstr(err, "unknown setting 'coturn.bogus'") != NULL,
	    "%s", err);
	free(err);
	settings_free(&s);
}
END_TEST

/* --- secrets from files --- */

START_TEST(test_secret_file)
{
	struct settings	 s;
	char		 var[VAR_MAX], origin[700], *path;

	path = var_file(var, "WEBRTC_TURN_CREDENTIAL_FILE", "pw-from-file\n",
	    13);
	load_ok(&s, NULL, ENV(var, "WEBRTC_TURN_USERNAME=neko"));
	ck_assert_str_eq(s.turn_credential, "pw-from-file");
	ck_assert_str_eq(s.turn_username, "neko");
	snprintf(origin, sizeof(origin), "WEBRTC_TURN_CREDENTIAL_FILE (file %s)",
	    path);
	ck_assert_str_eq(SETTING_ORIGIN(&s, turn_credential), origin);
	ck_assert_int_eq(SETTING_KIND(&s, turn_credential), FROM_ENV);
	settings_free(&s);
	file_done(path);
}
END_TEST

START_TEST(test_secret_file_crlf_and_bare)
{
	struct settings	 s;
	char		 v1[VAR_MAX], v2[VAR_MAX], *crlf, *bare;

	crlf = var_file(v1, "TURN_SHARED_SECRET_FILE", "sh4red\r\n", 8);
	bare = var_file(v2, "WEBRTC_TURN_USERNAME_FILE", "us3r", 4);
	load_ok(&s, NULL, ENV(v1, v2));
	ck_assert_str_eq(s.turn_secret, "sh4red");
	ck_assert_str_eq(s.turn_username, "us3r");
	settings_free(&s);
	file_done(crlf);
	file_done(bare);
}
END_TEST

START_TEST(test_secret_file_and_value)
{
	struct settings	 s;
	char		 var[VAR_MAX], *err, *path;

	path = var_file(var, "TURN_SHARED_SECRET_FILE", "from-file\n", 10);
	unit_stderr_begin();
	ck_assert_int_eq(load(&s, NULL, ENV("TURN_SHARED_SECRET=from-env",
	    var)), -1);
	err = unit_stderr_end();
	ck_assert_str_eq(err, "iceupd: error: TURN_SHARED_SECRET and "
	    "TURN_SHARED_SECRET_FILE are both set: set one\n");
	free(err);
	settings_free(&s);

	/* An empty NAME does not count as set, nor an empty NAME_FILE. */
	load_ok(&s, NULL, ENV("TURN_SHARED_SECRET=", var));
	ck_assert_str_eq(s.turn_secret, "from-file");
	settings_free(&s);
	load_ok(&s, NULL, ENV("TURN_SHARED_SECRET=from-env",
	    "TURN_SHARED_SECRET_FILE="));
	ck_assert_str_eq(s.turn_secret, "from-env");
	settings_free(&s);
	file_done(path);
}
END_TEST

/* The file layer overrides the config file like any environment value. */
START_TEST(test_secret_file_over_config)
{
	struct settings	 s;
	char		 var[VAR_MAX], *path;

	conf("coturn = { shared_secret = \"config-secret\"; };\n", 0600);
	path = var_file(var, "TURN_SHARED_SECRET_FILE", "file-secret", 11);
	load_ok(&s, NULL, ENV(var));
	ck_assert_str_eq(s.turn_secret, "file-secret");
	settings_free(&s);
	file_done(path);
}
END_TEST

START_TEST(test_secret_file_with_nul_refused)
{
	struct settings	 s;
	char		 var[VAR_MAX], *path;

	path = var_file(var, "WEBRTC_TURN_CREDENTIAL_FILE", "a\0b", 3);
	unit_stderr_begin();
	ck_assert_int_eq(load(&s, NULL, ENV(var)), -1);
	free(unit_stderr_end());
	settings_free(&s);
	file_done(path);
}
END_TEST

/* Only secrets have a _FILE form. */
START_TEST(test_file_form_only_for_secrets)
{
	struct settings	 s;
	char		 var[VAR_MAX], *path;

	path = var_file(var, "ICEUPD_FORMAT_FILE", "rtc\n", 4);
	load_ok(&s, NULL, ENV(var));
	ck_assert_int_eq(s.format, FMT_NEKO);
	settings_free(&s);
	file_done(path);
}
END_TEST

/* Secrets loaded from any layer never show in a later log line. */
START_TEST(test_secrets_are_redacted)
{
	struct settings	 s;
	char		*err;

	conf("coturn = { credential = \"conf-pw-1234\"; };\n", 0600);
	load_ok(&s, NULL, ENV("TURN_SHARED_SECRET=env-secret-5678",
	    "WEBRTC_TURN_USERNAME=user-9012"));
	unit_stderr_begin();
	log_error("%s %s %s", "conf-pw-1234", "env-secret-5678", "user-9012");
	err = unit_stderr_end();
	ck_assert_str_eq(err,
	    "iceupd: error: [redacted] [redacted] [redacted]\n");
	free(err);
	settings_free(&s);
}
END_TEST

/* --- env names --- */

START_TEST(test_neko_v3)
{
	struct settings	 s;

	load_ok(&s, ARGS("--neko-v3"), ENV("ICEUPD_ENV_NAME=OTHER"));
	ck_assert_str_eq(s.env_name, "NEKO_WEBRTC_ICESERVERS_FRONTEND,"
	    "NEKO_WEBRTC_ICESERVERS_BACKEND");
	ck_assert_str_eq(SETTING_ORIGIN(&s, env_name), "--neko-v3");
	ck_assert_int_eq(SETTING_KIND(&s, env_name), FROM_FLAG);
	settings_free(&s);

	/* An explicit --env-name wins, wherever it stands. */
	load_ok(&s, ARGS("--env-name", "MINE", "--neko-v3"), NULL);
	ck_assert_str_eq(s.env_name, "MINE");
	settings_free(&s);
}
END_TEST

/* --- verbosity --- */

START_TEST(test_verbosity)
{
	static const struct {
		const char	*args[4];
		int		 want;
	} cases[] = {
		{ { NULL }, 0 },
		{ { "-v" }, 1 },
		{ { "--verbose" }, 1 },
		{ { "-vv" }, 2 },
		{ { "-v", "-v" }, 2 },
		{ { "-vvv" }, 2 },
		{ { "-q" }, -1 },
		{ { "--quiet" }, -1 },
		{ { "-q", "-vv" }, -1 },
	};
	struct settings	 s;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load_ok(&s, cases[i].args, NULL);
		ck_assert_msg(s.verbosity == cases[i].want,
		    "case %zu: verbosity %d", i, s.verbosity);
		settings_free(&s);
	}
	load_ok(&s, ARGS("-vv"), NULL);
	ck_assert_int_eq(log_enabled(LOG_DEBUG), 1);
	settings_free(&s);
	load_ok(&s, ARGS("-q"), NULL);
	ck_assert_int_eq(log_enabled(LOG_WARN), 0);
	settings_free(&s);
}
END_TEST

/* --- commands --- */

START_TEST(test_commands)
{
	struct settings	 s;

	load_ok(&s, ARGS("providers"), NULL);
	ck_assert_int_eq(s.command, CMD_PROVIDERS);
	ck_assert_int_eq(s.format, FMT_NEKO);
	settings_free(&s);

	load_ok(&s, ARGS("providers", "-v", "--no-cache"), NULL);
	ck_assert_int_eq(s.command, CMD_PROVIDERS);
	ck_assert_int_eq(s.verbosity, 1);
	ck_assert_int_eq(s.no_cache, 1);
	settings_free(&s);

	/* Options before the command, after it, or both. */
	load_ok(&s, ARGS("-v", "--log-format", "json", "providers"), NULL);
	ck_assert_int_eq(s.command, CMD_PROVIDERS);
	ck_assert_int_eq(s.verbosity, 1);
	ck_assert_int_eq(s.log_format, LOG_JSON);
	settings_free(&s);

	load_ok(&s, ARGS("-o", "watch", "-t", "2s", "watch", "--once"), NULL);
	ck_assert_int_eq(s.command, CMD_WATCH);
	ck_assert_str_eq(s.output, "watch");
	ck_assert_int_eq(s.timeout_ms, 2000);
	ck_assert_int_eq(s.once, 1);
	settings_free(&s);

	load_ok(&s, ARGS("--service", "a", "deploy", "--dry-run"), NULL);
	ck_assert_int_eq(s.command, CMD_DEPLOY);
	ck_assert_str_eq(s.services, "a");
	ck_assert_int_eq(s.dry_run, 1);
	settings_free(&s);

	load_ok(&s, ARGS("help", "watch"), NULL);
	ck_assert_int_eq(s.command, CMD_HELP);
	ck_assert_int_eq(s.topic, CMD_WATCH);
	settings_free(&s);

	load_ok(&s, ARGS("completion", "zsh"), NULL);
	ck_assert_int_eq(s.command, CMD_COMPLETION);
	ck_assert_int_eq(s.shell, SHELL_ZSH);
	settings_free(&s);

	load_ok(&s, ARGS("watch", "-o", "/tmp/neko.env"), NULL);
	ck_assert_int_eq(s.command, CMD_WATCH);
	ck_assert_str_eq(s.output, "/tmp/neko.env");
	settings_free(&s);

	load_ok(&s, ARGS("fetch", "--timeout", "800"), NULL);
	ck_assert_int_eq(s.command, CMD_FETCH);
	ck_assert_int_eq(s.timeout_ms, 800);
	settings_free(&s);
}
END_TEST

START_TEST(test_help_and_version)
{
	static const struct {
		const char	*args[4];
		enum command	 want, topic;
	} cases[] = {
		{ { "--help" }, CMD_HELP, CMD_HELP },
		{ { "-h" }, CMD_HELP, CMD_HELP },
		{ { "help" }, CMD_HELP, CMD_HELP },
		{ { "--version" }, CMD_VERSION, CMD_HELP },
		{ { "-V" }, CMD_VERSION, CMD_HELP },
		{ { "providers", "--help" }, CMD_HELP, CMD_PROVIDERS },
		{ { "-f", "rtc", "-h" }, CMD_HELP, CMD_HELP },
		{ { "-h", "deploy" }, CMD_HELP, CMD_DEPLOY },
		{ { "help", "serve" }, CMD_HELP, CMD_SERVE },
		/* Help is asked for: what the rest would refuse is not. */
		{ { "fetch", "--once", "--help" }, CMD_HELP, CMD_FETCH },
	};
	struct settings	 s;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load_ok(&s, cases[i].args, NULL);
		ck_assert_msg(s.command == cases[i].want, "case %zu: %d", i,
		    s.command);
		ck_assert_msg(s.topic == cases[i].topic, "case %zu: topic %d",
		    i, s.topic);
		settings_free(&s);
	}
}
END_TEST

/* The help text of cmd (CMD_HELP: the overview), to free. */
static char *
usage_of(enum command cmd)
{
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(fp);
	settings_command_usage(fp, cmd);
	fclose(fp);
	return text;
}

START_TEST(test_usage)
{
	/* What each page holds, and what it must not: the overview has the
	 * commands and the common options; a command, only its own. */
	static const struct {
		enum command	 cmd;
		const char	*has[8], *lacks[4];
	} pages[] = {
		{ CMD_HELP, { "usage: iceupd [fetch] [options]",
		    "iceupd help [COMMAND]", "iceupd completion bash|zsh",
		    "--cacert FILE", "exit status: 0 ok, 1 failure, 2 usage, "
		    "3 unchanged, 4 degraded." }, { "--once" } },
		{ CMD_FETCH, { "usage: iceupd [fetch] [options]",
		    "-t, --timeout TIME", "(default 5s;", "[ICEUPD_TIMEOUT_MS]",
		    "\ntiming:\n", "--neko-v3", "WEBRTC_TURN_URLS" },
		    { "--once", "--listen", "GOOGLE_APPLICATION_CREDENTIALS" } },
		{ CMD_SERVE, { "\nserve:\n", "--listen ADDR:PORT",
		    "(default 127.0.0.1:8080)" }, { "--output" } },
		{ CMD_PROVIDERS, { "--no-cache", "--format" }, { "--timeout",
		    "--output" } },
	};
	char	*text;
	size_t	 i, k;

	for (i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		text = usage_of(pages[i].cmd);
		for (k = 0; k < 8 && pages[i].has[k] != NULL; k++)
			ck_assert_msg(strstr(text, pages[i].has[k]) != NULL,
			    "page %zu lacks %s", i, pages[i].has[k]);
		for (k = 0; k < 4 && pages[i].lacks[k] != NULL; k++)
			ck_assert_msg(strstr(text, pages[i].lacks[k]) == NULL,
			    "page %zu has %s", i, pages[i].lacks[k]);
		free(text);
	}
}
END_TEST

/* Every time setting takes a unit; a bare number keeps its own. */
START_TEST(test_durations)
{
	static const struct {
		const char	*arg, *value;
		long		 want;
	} cases[] = {
		{ "--timeout", "800", 800 },
		{ "--timeout", "5s", 5000 },
		{ "--timeout", "250ms", 250 },
		{ "--timeout", "1.5s", 1500 },
		{ "--timeout", "1m30s", 90000 },
		{ "--timeout", "10m", 600000 },
		{ "--grace", "0", 0 },
		{ "--grace", "0s", 0 },
		{ "--ttl", "3600", 3600 },
		{ "--ttl", "1h", 3600 },
		{ "--ttl", "2d", 172800 },
		{ "--ttl", "90000ms", 90 },
		{ "--ttl", "0.5h", 1800 },
		{ "--min-ttl", "5m", 300 },
	};
	struct settings	 s;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		load_ok(&s, ARGS(cases[i].arg, cases[i].value), NULL);
		ck_assert_msg((strcmp(cases[i].arg, "--timeout") == 0 ?
		    s.timeout_ms : strcmp(cases[i].arg, "--grace") == 0 ?
		    s.grace_ms : strcmp(cases[i].arg, "--ttl") == 0 ? s.ttl :
		    s.min_ttl) == cases[i].want, "%s %s", cases[i].arg,
		    cases[i].value);
		settings_free(&s);
	}
	/* The environment and the config file read the same way. */
	load_ok(&s, ARGS("deploy"), ENV("ICEUPD_DEPLOY_TIMEOUT=15m",
	    "TURN_TTL=12h", "ICEUPD_SERVE_TURN_TTL=10m"));
	ck_assert_int_eq(s.deploy_timeout, 900);
	ck_assert_int_eq(s.turn_ttl, 43200);
	ck_assert_int_eq(s.serve_turn_ttl, 600);
	settings_free(&s);
	conf("timeout_ms = \"2s\";\ntwilio = { ttl = \"1d\"; };\n"
	    "grace_ms = 700;\n", 0600);
	load_ok(&s, NULL, NULL);
	ck_assert_int_eq(s.timeout_ms, 2000);
	ck_assert_int_eq(s.twilio_ttl, 86400);
	ck_assert_int_eq(s.grace_ms, 700);
	settings_free(&s);
}
END_TEST

/* A test case of s called name, holding tests, after each of which the
 * config file is removed. */
static TCase *
settings_tcase(Suite *s, const char *name, const TTest *const *tests)
{
	TCase	*tc = unit_tcase(s, name, tests);

	tcase_add_checked_fixture(tc, NULL, teardown);
	return tc;
}

UNIT_SUITE(settings)
{
	Suite	*s = suite_create("settings");
	TCase	*tc;

	tc = settings_tcase(s, "layers", TESTS(test_defaults,
	    test_config_file_is_recorded, test_precedence_format,
	    test_precedence_timeout, test_precedence_mixed,
	    test_flags_each_setting, test_choice_case_and_empty_string,
	    test_env_names_exact, test_empty_value_is_default,
	    test_empty_number_without_default, test_config_groups_and_lists,
	    test_config_secret_mode_warning,
	    test_config_flag_wins_over_variable));
	UNIT_LOOP(tc, test_bool_env, bools);
	UNIT_LOOP(tc, test_bool_file, bools);
	unit_add_tests(tc, TESTS(test_bool_flag_wins, test_neko_v3,
	    test_verbosity, test_commands, test_help_and_version, test_usage,
	    test_durations));
	tc = settings_tcase(s, "errors", NULL);
	UNIT_LOOP(tc, test_refused, refused);
	tcase_add_test(tc, test_error_names_origin);
	settings_tcase(s, "secrets", TESTS(test_secret_file,
	    test_secret_file_crlf_and_bare, test_secret_file_and_value,
	    test_secret_file_over_config, test_secret_file_with_nul_refused,
	    test_file_form_only_for_secrets, test_secrets_are_redacted));
	return s;
}
