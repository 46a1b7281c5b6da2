/* test_providers_coturn.c: TURN REST credentials against an independent
 * HMAC-SHA1, and the coturn provider: static and shared-secret
 * credentials, lifetimes, half and conflicting configurations. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../src/ice.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "run.h"
#include "unit.h"

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

/* --- the coturn provider --- */

START_TEST(test_coturn_not_set)
{
	struct run	 r;

	run_start(&r, &provider_coturn, NULL, NULL);
	run_configured(&r, 0, "WEBRTC_TURN_URLS is not set");
	ck_assert_str_eq(provider_coturn.name, "coturn");
	ck_assert_int_eq(provider_coturn.turn_capable, 1);
	run_free(&r);
}
END_TEST

START_TEST(test_coturn_static)
{
	static const char *const want[] = {
	    "turn:turn.example.org:3478?transport=udp",
	    "turn:turn.example.org:3478?transport=tcp",
	    "turns:turn.example.org:443?transport=tcp" };
	struct run	 r;
	size_t		 i;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:turn.example.org?transport=udp,"
	    " turn:turn.example.org?transport=tcp,"
	    "turns:turn.example.org:443?transport=tcp",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=st4tic-pw"));
	run_configured(&r, 1, "3 URLs, static credentials");
	run_fetch(&r, 0);
	ck_assert_str_eq(r.st.error, "");
	ck_assert_str_eq(r.st.warning, "");
	ck_assert_uint_eq(r.l.n, 1);
	ck_assert_uint_eq(r.l.servers[0].nurls, 3);
	for (i = 0; i < 3; i++)
		ck_assert_str_eq(r.l.servers[0].urls[i], want[i]);
	ck_assert_str_eq(r.l.servers[0].username, "neko");
	ck_assert_str_eq(r.l.servers[0].credential, "st4tic-pw");
	ck_assert_int_eq(r.l.servers[0].expires, 0);
	run_free(&r);
}
END_TEST

/* STUN URLs in WEBRTC_TURN_URLS go without credentials. */
START_TEST(test_coturn_static_with_stun_url)
{
	struct run	 r;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=stun:t.example.org,turn:t.example.org",
	    "WEBRTC_TURN_USERNAME=neko", "WEBRTC_TURN_CREDENTIAL=pw12"));
	run_fetch(&r, 0);
	ck_assert_uint_eq(r.l.n, 2);
	ck_assert_str_eq(r.l.servers[0].urls[0], "stun:t.example.org:3478");
	ck_assert_ptr_null(r.l.servers[0].username);
	ck_assert_str_eq(r.l.servers[1].urls[0], "turn:t.example.org:3478");
	ck_assert_str_eq(r.l.servers[1].credential, "pw12");
	run_free(&r);
}
END_TEST

/* The first entry of what r fetched holds TURN REST credentials of secret
 * for user (NULL: none), expiring ttl seconds after the fetch. */
static void
assert_rest(const struct run *r, const char *secret, const char *user,
    long ttl)
{
	char		 want[64], *end;
	long long	 exp;

	ck_assert_uint_ge(r->l.n, 1);
	exp = strtoll(r->l.servers[0].username, &end, 10);
	ck_assert_msg(exp >= (long long)r->before + ttl &&
	    exp <= (long long)r->after + ttl,
	    "ttl %ld: expiry %lld not within [%lld, %lld]", ttl, exp,
	    (long long)r->before + ttl, (long long)r->after + ttl);
	if (user == NULL)
		ck_assert_str_eq(end, "");
	else {
		ck_assert_int_eq(*end, ':');
		ck_assert_str_eq(end + 1, user);
	}
	ck_assert_int_eq(r->l.servers[0].expires, exp);
	hmac_sha1_b64(secret, r->l.servers[0].username, want);
	ck_assert_str_eq(r->l.servers[0].credential, want);
}

START_TEST(test_coturn_shared_secret)
{
	struct run	 r;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org,"
	    "turns:t.example.org:5349", "TURN_SHARED_SECRET=testsecret",
	    "TURN_USER=neko", "TURN_TTL=600"));
	run_configured(&r, 1, "2 URLs, TURN REST credentials for 600 s");
	ck_assert_ptr_null(strstr(r.why, "testsecret"));
	run_fetch(&r, 0);
	ck_assert_uint_eq(r.l.n, 1);
	ck_assert_uint_eq(r.l.servers[0].nurls, 2);
	ck_assert_str_eq(r.l.servers[0].urls[1], "turns:t.example.org:5349");
	assert_rest(&r, "testsecret", "neko", 600);
	ck_assert_int_eq(ice_list_expires(&r.l), r.l.servers[0].expires);
	run_free(&r);
}
END_TEST

START_TEST(test_coturn_shared_secret_defaults)
{
	struct run	 r;

	/* No user, no TTL: a day. */
	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org",
	    "TURN_SHARED_SECRET=testsecret"));
	run_configured(&r, 1, "1 URL, TURN REST credentials for 86400 s");
	run_fetch(&r, 0);
	assert_rest(&r, "testsecret", NULL, 86400);
	run_free(&r);
}
END_TEST

/* With args and env, the coturn provider gives TURN REST credentials of
 * the secret k3y-k3y, without a user, for ttl seconds. */
static void
rest_ttl_is(const char *const *args, const char *const *env, long ttl)
{
	struct run	 r;

	run_start(&r, &provider_coturn, args, env);
	run_fetch(&r, 0);
	assert_rest(&r, "k3y-k3y", NULL, ttl);
	run_free(&r);
}

/* --ttl on the command line wins over TURN_TTL; ICEUPD_TTL does not. */
START_TEST(test_coturn_ttl_sources)
{
	rest_ttl_is(ARGS("--ttl", "120"), ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "TURN_TTL=600"), 120);
	rest_ttl_is(NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "TURN_TTL=600", "ICEUPD_TTL=120"),
	    600);
	rest_ttl_is(NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=k3y-k3y", "ICEUPD_TTL=300"), 300);
}
END_TEST

/* --ttl on the command line, else the provider's own, else ICEUPD_TTL,
 * else the fallback; never more than the maximum. */
START_TEST(test_coturn_half_configuration)
{
	struct run	 r;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org,"
	    "stun:t.example.org,turns:t.example.org"));
	run_configured(&r, 1, "3 URLs but no credentials: TURN is dropped");
	run_fetch(&r, 0);
	ck_assert_uint_eq(r.l.n, 1);
	ck_assert_uint_eq(r.l.servers[0].nurls, 1);
	ck_assert_str_eq(r.l.servers[0].urls[0], "stun:t.example.org:3478");
	ck_assert_int_eq(ice_list_has_turn(&r.l), 0);
	ck_assert_str_eq(r.st.warning, "WEBRTC_TURN_URLS has no credentials "
	    "(set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, or "
	    "TURN_SHARED_SECRET): 2 TURN URLs dropped");
	ck_assert_str_eq(r.st.error, "");
	run_free(&r);
}
END_TEST

START_TEST(test_coturn_half_configuration_turn_only)
{
	struct run	 r;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:t.example.org"));
	run_fetch(&r, -1);
	ck_assert_str_eq(r.st.error,
	    "WEBRTC_TURN_URLS has TURN URLs but no credentials");
	ck_assert_str_eq(r.st.warning, "WEBRTC_TURN_URLS has no credentials "
	    "(set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, or "
	    "TURN_SHARED_SECRET): 1 TURN URL dropped");
	ck_assert_uint_eq(r.l.n, 0);
	run_free(&r);
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

	unit_settings(&s, NULL, conflicts[_i].env);
	ck_assert_msg(unit_configured(&provider_coturn, &s, why, sizeof(why)) == -1,
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
	struct run	 r;

	run_start(&r, &provider_coturn, NULL,
	    ENV("WEBRTC_TURN_URLS=turn:neko:hunter2-pw@t.example.org",
	    "TURN_SHARED_SECRET=s3cr3t-value"));
	run_configured(&r, -1, NULL);
	ck_assert_ptr_nonnull(strstr(r.why, "user information"));
	ck_assert_msg(strstr(r.why, "hunter2-pw") == NULL, "why: %s", r.why);
	run_free(&r);
}
END_TEST

START_TEST(test_coturn_bad_static_credential)
{
	struct run	 r;
	char		*path = unit_tmpfile("line1\nline2\n", 12, 0600);
	char		 var[600];

	snprintf(var, sizeof(var), "WEBRTC_TURN_CREDENTIAL_FILE=%s", path);
	run_start(&r, &provider_coturn, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "WEBRTC_TURN_USERNAME=neko", var));
	run_fetch(&r, -1);
	ck_assert_ptr_nonnull(strstr(r.st.error, "not printable UTF-8"));
	ck_assert_ptr_null(strstr(r.st.error, "line1"));
	run_free(&r);
	unlink(path);
	free(path);
}
END_TEST

START_TEST(test_coturn_user_too_long)
{
	struct run	 r;
	char		 var[700];

	strcpy(var, "TURN_USER=");
	memset(var + 10, 'u', 600);
	var[610] = '\0';
	run_start(&r, &provider_coturn, NULL, ENV("WEBRTC_TURN_URLS=turn:t",
	    "TURN_SHARED_SECRET=testsecret", var));
	run_fetch(&r, -1);
	ck_assert_str_eq(r.st.error, "TURN_USER is too long");
	ck_assert_uint_eq(r.l.n, 0);
	run_free(&r);
}
END_TEST

UNIT_SUITE(providers_coturn)
{
	Suite	*s = suite_create("providers_coturn");
	TCase	*tc;

	tc = unit_tcase(s, "rest", TESTS(test_reference_hmac,
	    test_rest_recorded_vector, test_rest_with_user));
	UNIT_LOOP(tc, test_rest_against_reference, rest_cases);
	tcase_add_test(tc, test_rest_small_buffers);
	tc = unit_tcase(s, "provider", TESTS(test_coturn_not_set,
	    test_coturn_static, test_coturn_static_with_stun_url,
	    test_coturn_shared_secret, test_coturn_shared_secret_defaults,
	    test_coturn_ttl_sources, test_coturn_half_configuration,
	    test_coturn_half_configuration_turn_only));
	UNIT_LOOP(tc, test_coturn_conflicts, conflicts);
	tcase_add_test(tc, test_coturn_why_hides_userinfo);
	tcase_add_test(tc, test_coturn_bad_static_credential);
	tcase_add_test(tc, test_coturn_user_too_long);
	return s;
}
