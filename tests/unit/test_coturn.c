/* test_coturn.c: TURN REST credentials, the coturn and stun providers, and
 * the engine that asks them. */
#include <dirent.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/engine.h"
#include "../../src/ice.h"
#include "../../src/log.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

#define ENV(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define ARGS(...)	((const char *const[]){ __VA_ARGS__, NULL })
#define MAXVARS		32

/* --- an independent HMAC-SHA1 + base64, to check against --- */

static void
base64(const unsigned char *in, size_t len, char *out)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t	 i, o = 0;
	unsigned long v;

	for (i = 0; i + 2 < len; i += 3) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 |
		    in[i + 2];
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = abc[v & 63];
	}
	if (len - i == 1) {
		v = (unsigned long)in[i] << 16;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = '=';
		out[o++] = '=';
	} else if (len - i == 2) {
		v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
		out[o++] = abc[v >> 18 & 63];
		out[o++] = abc[v >> 12 & 63];
		out[o++] = abc[v >> 6 & 63];
		out[o++] = '=';
	}
	out[o] = '\0';
}

static void
hmac_sha1_b64(const char *key, const char *data, char *out)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;

	ck_assert_ptr_nonnull(HMAC(EVP_sha1(), key, (int)strlen(key),
	    (const unsigned char *)data, strlen(data), mac, &len));
	ck_assert_uint_eq(len, 20);
	base64(mac, len, out);
}

/* The reference itself: RFC 2202 test case 2, and base64 of RFC 4648. */
START_TEST(test_reference_hmac)
{
	static const unsigned char want[20] = {
	    0xef, 0xfc, 0xdf, 0x6a, 0xe5, 0xeb, 0x2f, 0xa2, 0xd2, 0x74,
	    0x16, 0xd5, 0xf1, 0x84, 0xdf, 0x9c, 0x25, 0x9a, 0x7c, 0x79 };
	char	 b64[64], want64[64];

	hmac_sha1_b64("Jefe", "what do ya want for nothing?", b64);
	base64(want, sizeof(want), want64);
	ck_assert_str_eq(want64, "7/zfauXrL6LSdBbV8YTfnCWafHk=");
	ck_assert_str_eq(b64, want64);
	base64((const unsigned char *)"foob", 4, b64);
	ck_assert_str_eq(b64, "Zm9vYg==");
	base64((const unsigned char *)"fooba", 5, b64);
	ck_assert_str_eq(b64, "Zm9vYmE=");
	base64((const unsigned char *)"foobar", 6, b64);
	ck_assert_str_eq(b64, "Zm9vYmFy");
}
END_TEST

/* --- turn_rest_credential --- */

/* Recorded from a coturn server using this shared secret. */
START_TEST(test_rest_recorded_vector)
{
	char	 user[64], cred[64];

	ck_assert_int_eq(turn_rest_credential("testsecret", NULL, 1795317996,
	    user, sizeof(user), cred, sizeof(cred)), 0);
	ck_assert_str_eq(user, "1795317996");
	ck_assert_str_eq(cred, "WGmoVBr2tAo6k+phTK89ypSJvo0=");

	/* An empty user is no user. */
	ck_assert_int_eq(turn_rest_credential("testsecret", "", 1795317996,
	    user, sizeof(user), cred, sizeof(cred)), 0);
	ck_assert_str_eq(user, "1795317996");
	ck_assert_str_eq(cred, "WGmoVBr2tAo6k+phTK89ypSJvo0=");
}
END_TEST

START_TEST(test_rest_with_user)
{
	char	 user[64], cred[64], want[64];

	ck_assert_int_eq(turn_rest_credential("testsecret", "neko", 1795317996,
	    user, sizeof(user), cred, sizeof(cred)), 0);
	ck_assert_str_eq(user, "1795317996:neko");
	/* printf %s 1795317996:neko | openssl dgst -sha1 -hmac testsecret
	 *     -binary | base64 */
	ck_assert_str_eq(cred, "WL4/oaB3kUF11G14vRIBXTNvn/k=");
	hmac_sha1_b64("testsecret", "1795317996:neko", want);
	ck_assert_str_eq(cred, want);
}
END_TEST

static const struct {
	const char	*secret;
	const char	*user;
	long long	 expires;
	const char	*username;
} rest_cases[] = {
	{ "testsecret", NULL, 1795317996, "1795317996" },
	{ "testsecret", "neko", 1795317996, "1795317996:neko" },
	{ "north", "neko", 1700000000, "1700000000:neko" },
	{ "x", "user with spaces", 1, "1:user with spaces" },
	{ "a-much-longer-shared-secret-than-sha1-block-size-of-sixty-four-"
	    "bytes-0123456789", "n\xc3\xa9ko", 4102444800LL,
	    "4102444800:n\xc3\xa9ko" },
	{ "s3cr3t", "a:b", 1795317996, "1795317996:a:b" },
};

START_TEST(test_rest_against_reference)
{
	char	 user[128], cred[64], want[64];

	ck_assert_int_eq(turn_rest_credential(rest_cases[_i].secret,
	    rest_cases[_i].user, (time_t)rest_cases[_i].expires, user,
	    sizeof(user), cred, sizeof(cred)), 0);
	ck_assert_str_eq(user, rest_cases[_i].username);
	hmac_sha1_b64(rest_cases[_i].secret, rest_cases[_i].username, want);
	ck_assert_str_eq(cred, want);
	ck_assert_uint_eq(strlen(cred), 28);
}
END_TEST

START_TEST(test_rest_small_buffers)
{
	char	 user[64], cred[64];

	/* "1795317996:neko" needs 16 bytes. */
	ck_assert_int_eq(turn_rest_credential("s", "neko", 1795317996, user,
	    15, cred, sizeof(cred)), -1);
	ck_assert_int_eq(turn_rest_credential("s", "neko", 1795317996, user,
	    16, cred, sizeof(cred)), 0);
	/* 28 base64 characters and the NUL. */
	ck_assert_int_eq(turn_rest_credential("s", "neko", 1795317996, user,
	    sizeof(user), cred, 28), -1);
	ck_assert_int_eq(turn_rest_credential("s", "neko", 1795317996, user,
	    sizeof(user), cred, 29), 0);
	ck_assert_uint_eq(strlen(cred), 28);
}
END_TEST

/* --- settings from an environment --- */

/* Loads s from "iceupd args..." and env, with an empty config file. */
static void
load(struct settings *s, const char *const *args, const char *const *env)
{
	char	*argv[MAXVARS + 2], *copies[MAXVARS + 2], *envp[MAXVARS + 2];
	char	*empty = unit_tmpfile("", 0, 0600), *config_var;
	size_t	 i, n = 0;
	int	 argc = 0, rc;

	copies[argc] = argv[argc] = xstrdup("iceupd");
	argc++;
	for (i = 0; args != NULL && args[i] != NULL; i++) {
		ck_assert_int_lt(argc, MAXVARS);
		copies[argc] = argv[argc] = xstrdup(args[i]);
		argc++;
	}
	argv[argc] = NULL;
	for (i = 0; env != NULL && env[i] != NULL; i++) {
		ck_assert_uint_lt(n, MAXVARS);
		envp[n++] = (char *)env[i];
	}
	config_var = malloc(strlen(empty) + 16);
	ck_assert_ptr_nonnull(config_var);
	strcpy(config_var, "ICEUPD_CONFIG=");
	strcat(config_var, empty);
	envp[n++] = config_var;
	envp[n] = NULL;
	rc = settings_load(s, argc, argv, envp);
	for (i = 0; i < (size_t)argc; i++)
		free(copies[i]);
	free(config_var);
	unlink(empty);
	free(empty);
	ck_assert_msg(rc == 0, "settings_load failed");
}

static int
configured(const struct provider *p, const struct settings *s, char *why,
    size_t len)
{
	why[0] = '\0';
	return p->configured(s, why, len);
}

/* --- provider_coturn --- */

START_TEST(test_coturn_not_set)
{
	struct settings	 s;
	char		 why[512];

	load(&s, NULL, NULL);
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    0);
	ck_assert_str_eq(why, "WEBRTC_TURN_URLS is not set");
	ck_assert_str_eq(provider_coturn.name, "coturn");
	ck_assert_int_eq(provider_coturn.turn_capable, 1);
	settings_free(&s);
}
END_TEST

START_TEST(test_coturn_static)
{
	static const char *const want[] = {
	    "turn:turn.example.org:3478?transport=udp",
	    "turn:turn.example.org:3478?transport=tcp",
	    "turns:turn.example.org:443?transport=tcp" };
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];
	size_t		 i;

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:turn.example.org?transport=udp,"
	    " turn:turn.example.org?transport=tcp,"
	    "turns:turn.example.org:443?transport=tcp",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=st4tic-pw"));
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    1);
	ck_assert_str_eq(why, "3 URLs, static credentials");
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	ck_assert_str_eq(st.error, "");
	ck_assert_str_eq(st.warning, "");
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(l.servers[0].urls[i], want[i]);
	ck_assert_str_eq(l.servers[0].username, "neko");
	ck_assert_str_eq(l.servers[0].credential, "st4tic-pw");
	ck_assert_int_eq(l.servers[0].expires, 0);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

/* STUN URLs in WEBRTC_TURN_URLS go without credentials. */
START_TEST(test_coturn_static_with_stun_url)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=stun:t.example.org,turn:t.example.org",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"));
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_str_eq(l.servers[0].urls[0], "stun:t.example.org:3478");
	ck_assert_ptr_null(l.servers[0].username);
	ck_assert_str_eq(l.servers[1].urls[0], "turn:t.example.org:3478");
	ck_assert_str_eq(l.servers[1].credential, "pw12");
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

static void
assert_rest(const struct ice_list *l, const char *secret, const char *user,
    long ttl, time_t before, time_t after)
{
	char		 want[64], *end;
	long long	 exp;

	ck_assert_uint_ge(l->n, 1);
	exp = strtoll(l->servers[0].username, &end, 10);
	ck_assert_int_ge(exp, (long long)before + ttl);
	ck_assert_int_le(exp, (long long)after + ttl);
	if (user == NULL)
		ck_assert_str_eq(end, "");
	else {
		ck_assert_int_eq(*end, ':');
		ck_assert_str_eq(end + 1, user);
	}
	ck_assert_int_eq(l->servers[0].expires, exp);
	hmac_sha1_b64(secret, l->servers[0].username, want);
	ck_assert_str_eq(l->servers[0].credential, want);
}

START_TEST(test_coturn_shared_secret)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];
	time_t		 before, after;

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org,"
	    "turns:t.example.org:5349", "TURN_SHARED_SECRET=testsecret",
	    "TURN_USER=neko", "TURN_TTL=600"));
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    1);
	ck_assert_str_eq(why, "2 URLs, TURN REST credentials for 600 s");
	ck_assert_ptr_null(strstr(why, "testsecret"));
	before = time(NULL);
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	after = time(NULL);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ck_assert_str_eq(l.servers[0].urls[1], "turns:t.example.org:5349");
	assert_rest(&l, "testsecret", "neko", 600, before, after);
	ck_assert_int_eq(ice_list_expires(&l), l.servers[0].expires);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

START_TEST(test_coturn_shared_secret_defaults)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];
	time_t		 before, after;

	/* No user, no TTL: a day. */
	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org",
	    "TURN_SHARED_SECRET=testsecret"));
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    1);
	ck_assert_str_eq(why, "1 URL, TURN REST credentials for 86400 s");
	before = time(NULL);
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	after = time(NULL);
	assert_rest(&l, "testsecret", NULL, 86400, before, after);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

/* --ttl on the command line wins over TURN_TTL; ICEUPD_TTL does not. */
START_TEST(test_coturn_ttl_sources)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	time_t		 before, after;

	load(&s, ARGS("--ttl", "120"), ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "TURN_TTL=600"));
	before = time(NULL);
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	after = time(NULL);
	assert_rest(&l, "k3y-k3y", NULL, 120, before, after);
	ice_list_free(&l);
	settings_free(&s);

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "TURN_TTL=600", "ICEUPD_TTL=120"));
	before = time(NULL);
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	after = time(NULL);
	assert_rest(&l, "k3y-k3y", NULL, 600, before, after);
	ice_list_free(&l);
	settings_free(&s);

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "ICEUPD_TTL=300"));
	before = time(NULL);
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	after = time(NULL);
	assert_rest(&l, "k3y-k3y", NULL, 300, before, after);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

/* --ttl on the command line, else the provider's own, else ICEUPD_TTL,
 * else the fallback; never more than the maximum. */
START_TEST(test_provider_ttl)
{
	struct settings	 s;

	load(&s, NULL, NULL);
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 7 * 86400), 86400);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 600);
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 3600), 3600);
	settings_free(&s);

	load(&s, NULL, ENV("ICEUPD_TTL=900"));
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 7 * 86400), 900);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 600);
	settings_free(&s);

	load(&s, ARGS("--ttl", "1200"), ENV("ICEUPD_TTL=900"));
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 1200);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 1000), 1000);
	settings_free(&s);
}
END_TEST

START_TEST(test_coturn_half_configuration)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org,"
	    "stun:t.example.org,turns:t.example.org"));
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    1);
	ck_assert_str_eq(why, "3 URLs but no credentials: TURN is dropped");
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 1);
	ck_assert_str_eq(l.servers[0].urls[0], "stun:t.example.org:3478");
	ck_assert_int_eq(ice_list_has_turn(&l), 0);
	ck_assert_str_eq(st.warning, "WEBRTC_TURN_URLS has no credentials "
	    "(set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, or "
	    "TURN_SHARED_SECRET): 2 TURN URLs dropped");
	ck_assert_str_eq(st.error, "");
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

START_TEST(test_coturn_half_configuration_turn_only)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org"));
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), -1);
	ck_assert_str_eq(st.error,
	    "WEBRTC_TURN_URLS has TURN URLs but no credentials");
	ck_assert_str_eq(st.warning, "WEBRTC_TURN_URLS has no credentials "
	    "(set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, or "
	    "TURN_SHARED_SECRET): 1 TURN URL dropped");
	ck_assert_uint_eq(l.n, 0);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

static const struct {
	const char	*name;
	const char	*env[5];
	const char	*words[3];	/* the why names these */
} conflicts[] = {
	{ "static and shared secret",
	    { "WEBRTC_TURN_URLS=turn:t", "WEBRTC_TURN_USERNAME=neko",
	    "WEBRTC_TURN_CREDENTIAL=cr3d-value", "TURN_SHARED_SECRET=s3cr3t-value" },
	    { "WEBRTC_TURN_USERNAME", "WEBRTC_TURN_CREDENTIAL",
	    "TURN_SHARED_SECRET" } },
	{ "credential without username",
	    { "WEBRTC_TURN_URLS=turn:t", "WEBRTC_TURN_CREDENTIAL=cr3d-value" },
	    { "WEBRTC_TURN_CREDENTIAL", "WEBRTC_TURN_USERNAME" } },
	{ "username without credential",
	    { "WEBRTC_TURN_URLS=turn:t", "WEBRTC_TURN_USERNAME=neko-user" },
	    { "WEBRTC_TURN_USERNAME", "WEBRTC_TURN_CREDENTIAL" } },
	{ "secret without URLs", { "TURN_SHARED_SECRET=s3cr3t-value" },
	    { "WEBRTC_TURN_URLS" } },
	{ "static without URLs", { "WEBRTC_TURN_USERNAME=neko-user",
	    "WEBRTC_TURN_CREDENTIAL=cr3d-value" }, { "WEBRTC_TURN_URLS" } },
	{ "bad URL", { "WEBRTC_TURN_URLS=turn:t,http://t",
	    "TURN_SHARED_SECRET=s3cr3t-value" },
	    { "WEBRTC_TURN_URLS (environment)", "http://t", "unknown scheme" } },
	{ "empty list", { "WEBRTC_TURN_URLS= , ",
	    "TURN_SHARED_SECRET=s3cr3t-value" },
	    { "WEBRTC_TURN_URLS (environment)", "no URL in the list" } },
};

START_TEST(test_coturn_conflicts)
{
	struct settings	 s;
	char		 why[512];
	size_t		 i;

	load(&s, NULL, conflicts[_i].env);
	ck_assert_msg(configured(&provider_coturn, &s, why, sizeof(why)) == -1,
	    "%s: accepted (%s)", conflicts[_i].name, why);
	for (i = 0; i < 3 && conflicts[_i].words[i] != NULL; i++)
		ck_assert_msg(strstr(why, conflicts[_i].words[i]) != NULL,
		    "%s: '%s' lacks %s", conflicts[_i].name, why,
		    conflicts[_i].words[i]);
	ck_assert_msg(strstr(why, "s3cr3t-value") == NULL, "%s", why);
	ck_assert_msg(strstr(why, "cr3d-value") == NULL, "%s", why);
	settings_free(&s);
}
END_TEST

/* A password pasted into a URL is still a password: the reason for
 * refusing the URL must not repeat it. */
START_TEST(test_coturn_why_hides_userinfo)
{
	struct settings	 s;
	char		 why[512];

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:neko:hunter2-pw@t.example.org",
	    "TURN_SHARED_SECRET=s3cr3t-value"));
	ck_assert_int_eq(configured(&provider_coturn, &s, why, sizeof(why)),
	    -1);
	ck_assert_ptr_nonnull(strstr(why, "user information"));
	ck_assert_msg(strstr(why, "hunter2-pw") == NULL, "why: %s", why);
	settings_free(&s);
}
END_TEST

START_TEST(test_coturn_bad_static_credential)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		*path = unit_tmpfile("line1\nline2\n", 12, 0600);
	char		 var[600];

	snprintf(var, sizeof(var), "WEBRTC_TURN_CREDENTIAL_FILE=%s", path);
	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "WEBRTC_TURN_USERNAME=neko", var));
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), -1);
	ck_assert_ptr_nonnull(strstr(st.error, "not printable UTF-8"));
	ck_assert_ptr_null(strstr(st.error, "line1"));
	ice_list_free(&l);
	settings_free(&s);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_coturn_user_too_long)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 var[700];

	strcpy(var, "TURN_USER=");
	memset(var + 10, 'u', 600);
	var[610] = '\0';
	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=testsecret", var));
	ck_assert_int_eq(provider_coturn.fetch(&s, &l, &st), -1);
	ck_assert_str_eq(st.error, "TURN_USER is too long");
	ck_assert_uint_eq(l.n, 0);
	settings_free(&s);
}
END_TEST

/* --- provider_stun --- */

START_TEST(test_stun_default)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];

	load(&s, NULL, NULL);
	ck_assert_int_eq(configured(&provider_stun, &s, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "built-in public STUN servers");
	ck_assert_int_eq(provider_stun.fetch(&s, &l, &st), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ck_assert_str_eq(l.servers[0].urls[0], "stun:stun.l.google.com:19302");
	ck_assert_str_eq(l.servers[0].urls[1],
	    "stun:stun.cloudflare.com:3478");
	ck_assert_ptr_null(l.servers[0].username);
	ck_assert_str_eq(provider_stun.name, "stun");
	ck_assert_int_eq(provider_stun.turn_capable, 0);
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

START_TEST(test_stun_configured_urls)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];

	load(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org, "
	    "stuns:b.example.org:443,,STUN:A.EXAMPLE.ORG:3478"));
	ck_assert_int_eq(configured(&provider_stun, &s, why, sizeof(why)), 1);
	ck_assert_str_eq(why, "3 STUN URLs from WEBRTC_STUN_URLS "
	    "(environment)");
	ck_assert_int_eq(provider_stun.fetch(&s, &l, &st), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ck_assert_str_eq(l.servers[0].urls[0], "stun:a.example.org:3478");
	ck_assert_str_eq(l.servers[0].urls[1], "stuns:b.example.org:443");
	ice_list_free(&l);
	settings_free(&s);
}
END_TEST

START_TEST(test_stun_refuses_turn)
{
	struct settings	 s;
	char		 why[512];

	load(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org,"
	    "turn:t.example.org"));
	ck_assert_int_eq(configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): "
	    "'turn:t.example.org': TURN URLs belong in WEBRTC_TURN_URLS");
	settings_free(&s);

	load(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org:0"));
	ck_assert_int_eq(configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): "
	    "'stun:a.example.org:0': port must be 1-65535");
	settings_free(&s);

	load(&s, NULL, ENV("WEBRTC_STUN_URLS=,"));
	ck_assert_int_eq(configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): no URL in the "
	    "list");
	settings_free(&s);
}
END_TEST

START_TEST(test_provider_find)
{
	ck_assert_ptr_eq(provider_find("coturn"), &provider_coturn);
	ck_assert_ptr_eq(provider_find("stun"), &provider_stun);
	ck_assert_ptr_null(provider_find("Coturn"));
	ck_assert_ptr_null(provider_find(""));
	ck_assert_ptr_null(provider_find("twilio-x"));
	/* coturn comes before stun in the default priority order. */
	{
		size_t	 i, coturn = 99, stun = 99;

		for (i = 0; provider_table[i] != NULL; i++) {
			if (provider_table[i] == &provider_coturn)
				coturn = i;
			if (provider_table[i] == &provider_stun)
				stun = i;
			ck_assert_ptr_eq(provider_find(provider_table[i]->name),
			    provider_table[i]);
		}
		ck_assert_uint_lt(coturn, stun);
		ck_assert_uint_lt(stun, 99);
	}
}
END_TEST

/* --- engine --- */

#define STATIC_COTURN \
	"WEBRTC_TURN_URLS=turn:t.example.org?transport=udp," \
	    "turn:t.example.org?transport=tcp", \
	"WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=st4tic-pw"

START_TEST(test_select_auto)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 n = 99;

	load(&s, NULL, NULL);
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(sel[0], &provider_stun);
	settings_free(&s);

	load(&s, NULL, ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(sel[0], &provider_coturn);
	ck_assert_ptr_eq(sel[1], &provider_stun);
	settings_free(&s);
}
END_TEST

START_TEST(test_select_list)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 n = 99;

	load(&s, ARGS("-p", "stun, coturn"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 2);
	ck_assert_ptr_eq(sel[0], &provider_stun);
	ck_assert_ptr_eq(sel[1], &provider_coturn);
	settings_free(&s);

	load(&s, NULL, ENV("ICEUPD_PROVIDERS=stun", STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(sel[0], &provider_stun);
	settings_free(&s);
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

	load(&s, select_refused[_i].args, select_refused[_i].env);
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

	load(&s, ARGS("-p", "nope"), NULL);
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

static void
fetch(const struct settings *s, struct engine_result *r, int want)
{
	const struct provider *sel[PROVIDERS_MAX];
	size_t	 n;

	ck_assert_int_eq(engine_select(s, sel, &n), 0);
	unit_stderr_begin();
	ck_assert_int_eq(engine_fetch(s, sel, n, r), want);
	free(unit_stderr_end());
	settle();
}

START_TEST(test_fetch_first)
{
	struct settings	 s;
	struct engine_result r;
	time_t		 before = time(NULL);

	load(&s, NULL, ENV(STATIC_COTURN));
	fetch(&s, &r, 0);
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

	load(&s, ARGS("--grace", "4000", "-t", "5000"),
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org",
	    "TURN_SHARED_SECRET=testsecret", "TURN_TTL=600"));
	unit_stderr_begin();
	ck_assert_int_eq(engine_fetch(&s, sel, 2, &r), 0);
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
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

/* Priority decides under policy first, not speed. */
START_TEST(test_fetch_first_priority)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("-p", "stun,coturn"), ENV(STATIC_COTURN));
	fetch(&s, &r, 0);
	ck_assert_str_eq(r.list.provider, "stun");
	ck_assert_int_eq(ice_list_has_turn(&r.list), 0);
	ck_assert_int_eq(r.sources[0].ok, 1);
	/* TURN was configured, the list has none: degraded. */
	ck_assert_int_eq(engine_degraded(&r), 1);
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

START_TEST(test_fetch_merge)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("--policy", "merge"), ENV(STATIC_COTURN));
	fetch(&s, &r, 0);
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
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

/* Under merge, the same servers from two providers appear once. */
START_TEST(test_fetch_merge_dedupes)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("--policy", "merge"), ENV("WEBRTC_TURN_URLS="
	    "stun:stun.l.google.com:19302,turn:t",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"));
	fetch(&s, &r, 0);
	ck_assert_uint_eq(r.list.n, 2);
	ck_assert_uint_eq(ice_list_nurls(&r.list), 3);
	ck_assert_str_eq(r.list.servers[0].urls[0],
	    "stun:stun.l.google.com:19302");
	ck_assert_str_eq(r.list.servers[0].urls[1],
	    "stun:stun.cloudflare.com:3478");
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

START_TEST(test_fetch_max_servers)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("--policy", "merge", "--max-servers", "1"),
	    ENV(STATIC_COTURN));
	fetch(&s, &r, 0);
	ck_assert_uint_eq(r.list.n, 1);
	ck_assert_str_eq(r.list.servers[0].username, "neko");
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

/* With TURN dropped for want of credentials, STUN answers: degraded. */
START_TEST(test_fetch_falls_back_degraded)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, NULL, ENV("WEBRTC_TURN_URLS=turn:t.example.org"));
	fetch(&s, &r, 0);
	ck_assert_str_eq(r.list.provider, "stun");
	ck_assert_int_eq(r.sources[0].asked, 1);
	ck_assert_int_eq(r.sources[0].ok, 0);
	ck_assert_str_eq(r.sources[0].error,
	    "WEBRTC_TURN_URLS has TURN URLs but no credentials");
	ck_assert_int_eq(r.sources[1].ok, 1);
	ck_assert_int_eq(r.turn_expected, 1);
	ck_assert_int_eq(engine_degraded(&r), 1);
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

/* STUN alone has nothing for --relay or --transport tcp: not selected. */
START_TEST(test_select_skips_stun_for_relay_and_tcp)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct settings	 s;
	size_t		 n = 99;

	load(&s, ARGS("--transport", "tcp"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(sel[0], &provider_coturn);
	settings_free(&s);

	load(&s, ARGS("--relay"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_ptr_eq(sel[0], &provider_coturn);
	settings_free(&s);

	load(&s, ARGS("--transport", "udp"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	ck_assert_uint_eq(n, 2);
	settings_free(&s);
}
END_TEST

START_TEST(test_fetch_transport_tcp)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("--transport", "tcp", "--policy", "merge", "-p",
	    "coturn,stun"), ENV(STATIC_COTURN));
	fetch(&s, &r, 0);
	/* STUN has nothing for TCP/TLS-only TURN: it is left out. */
	ck_assert_str_eq(r.list.provider, "coturn");
	ck_assert_uint_eq(ice_list_nurls(&r.list), 1);
	ck_assert_str_eq(r.list.servers[0].urls[0],
	    "turn:t.example.org:3478?transport=tcp");
	ck_assert_int_eq(r.sources[1].asked, 1);
	ck_assert_int_eq(r.sources[1].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[1].error,
	    "no server left after --transport"));
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

START_TEST(test_fetch_nothing_left)
{
	struct settings	 s;
	struct engine_result r;

	load(&s, ARGS("--transport", "tcp", "--relay", "-p", "coturn,stun"),
	    ENV("WEBRTC_TURN_URLS=turn:t?transport=udp",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"));
	fetch(&s, &r, -1);
	ck_assert_uint_eq(r.list.n, 0);
	ck_assert_uint_eq(r.nsources, 2);
	ck_assert_int_eq(r.sources[0].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[0].error,
	    "no server left after"));
	ck_assert_int_eq(r.sources[1].ok, 0);
	ck_assert_ptr_nonnull(strstr(r.sources[1].error,
	    "no server left after --relay"));
	engine_result_free(&r);
	settings_free(&s);

	load(&s, ARGS("--relay", "-p", "stun"), NULL);
	fetch(&s, &r, -1);
	ck_assert_uint_eq(r.nsources, 1);
	ck_assert_str_eq(r.sources[0].error, "no server left after --relay");
	engine_result_free(&r);
	settings_free(&s);
}
END_TEST

/* Credentials the engine hands out are never logged afterwards. */
START_TEST(test_fetch_registers_secrets)
{
	struct settings	 s;
	struct engine_result r;
	char		*err;

	load(&s, ARGS("-p", "coturn"), ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=testsecret"));
	fetch(&s, &r, 0);
	unit_stderr_begin();
	log_error("got %s", r.list.servers[0].credential);
	err = unit_stderr_end();
	ck_assert_str_eq(err, "iceupd: error: got [redacted]\n");
	free(err);
	engine_result_free(&r);
	settings_free(&s);
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
	load(&s, ARGS(arg, "--policy", "merge"), ENV(STATIC_COTURN));
	ck_assert_int_eq(engine_select(&s, sel, &n), 0);
	unit_stderr_begin();
	ck_assert_int_eq(engine_get(&s, sel, n, ASK_CACHED, &r), 0);
	free(unit_stderr_end());
	settle();
	ck_assert_str_eq(r.list.provider, "coturn+stun");
	ck_assert_int_eq(r.from_cache, 0);
	ck_assert_int_eq(access(path, F_OK), -1);
	engine_result_free(&r);
	settings_free(&s);
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

UNIT_SUITE(coturn)
{
	Suite	*s = suite_create("coturn");
	TCase	*tc;

	tc = tcase_create("rest");
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, test_reference_hmac);
	tcase_add_test(tc, test_rest_recorded_vector);
	tcase_add_test(tc, test_rest_with_user);
	tcase_add_loop_test(tc, test_rest_against_reference, 0,
	    (int)(sizeof(rest_cases) / sizeof(rest_cases[0])));
	tcase_add_test(tc, test_rest_small_buffers);
	suite_add_tcase(s, tc);

	tc = tcase_create("providers");
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, test_coturn_not_set);
	tcase_add_test(tc, test_coturn_static);
	tcase_add_test(tc, test_coturn_static_with_stun_url);
	tcase_add_test(tc, test_coturn_shared_secret);
	tcase_add_test(tc, test_coturn_shared_secret_defaults);
	tcase_add_test(tc, test_coturn_ttl_sources);
	tcase_add_test(tc, test_provider_ttl);
	tcase_add_test(tc, test_coturn_half_configuration);
	tcase_add_test(tc, test_coturn_half_configuration_turn_only);
	tcase_add_loop_test(tc, test_coturn_conflicts, 0,
	    (int)(sizeof(conflicts) / sizeof(conflicts[0])));
	tcase_add_test(tc, test_coturn_why_hides_userinfo);
	tcase_add_test(tc, test_coturn_bad_static_credential);
	tcase_add_test(tc, test_coturn_user_too_long);
	tcase_add_test(tc, test_stun_default);
	tcase_add_test(tc, test_stun_configured_urls);
	tcase_add_test(tc, test_stun_refuses_turn);
	tcase_add_test(tc, test_provider_find);
	suite_add_tcase(s, tc);

	tc = tcase_create("engine");
	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, test_select_auto);
	tcase_add_test(tc, test_select_list);
	tcase_add_loop_test(tc, test_select_refused, 0,
	    (int)(sizeof(select_refused) / sizeof(select_refused[0])));
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
	tcase_add_test(tc, test_degraded);
	suite_add_tcase(s, tc);
	return s;
}
