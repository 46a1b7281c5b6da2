/* test_providers_stun.c: the stun provider: its default, configured URLs,
 * and TURN URLs refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/ice.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "run.h"
#include "unit.h"

START_TEST(test_stun_default)
{
	struct run	 r;

	run_start(&r, &provider_stun, NULL, NULL);
	run_configured(&r, 1, "built-in public STUN servers");
	run_fetch(&r, 0);
	ck_assert_uint_eq(r.l.n, 1);
	ck_assert_uint_eq(r.l.servers[0].nurls, 2);
	ck_assert_str_eq(r.l.servers[0].urls[0],
	    "stun:stun.l.google.com:19302");
	ck_assert_str_eq(r.l.servers[0].urls[1],
	    "stun:stun.cloudflare.com:3478");
	ck_assert_ptr_null(r.l.servers[0].username);
	ck_assert_str_eq(provider_stun.name, "stun");
	ck_assert_int_eq(provider_stun.turn_capable, 0);
	run_free(&r);
}
END_TEST

START_TEST(test_stun_configured_urls)
{
	struct run	 r;

	run_start(&r, &provider_stun, NULL,
	    ENV("WEBRTC_STUN_URLS=stun:a.example.org, "
	    "stuns:b.example.org:443,,STUN:A.EXAMPLE.ORG:3478"));
	run_configured(&r, 1, "3 STUN URLs from WEBRTC_STUN_URLS "
	    "(environment)");
	run_fetch(&r, 0);
	ck_assert_uint_eq(r.l.n, 1);
	ck_assert_uint_eq(r.l.servers[0].nurls, 2);
	ck_assert_str_eq(r.l.servers[0].urls[0], "stun:a.example.org:3478");
	ck_assert_str_eq(r.l.servers[0].urls[1], "stuns:b.example.org:443");
	run_free(&r);
}
END_TEST

/* The stun provider refuses WEBRTC_STUN_URLS=value, saying why. */
static void
refused_is(const char *value, const char *why)
{
	struct run	 r;
	char		 var[256];

	snprintf(var, sizeof(var), "WEBRTC_STUN_URLS=%s", value);
	run_start(&r, &provider_stun, NULL, ENV(var));
	run_configured(&r, -1, NULL);
	ck_assert_msg(strcmp(r.why, why) == 0, "%s: why is '%s', not '%s'",
	    value, r.why, why);
	run_free(&r);
}

START_TEST(test_stun_refuses_turn)
{
	refused_is("stun:a.example.org,turn:t.example.org",
	    "WEBRTC_STUN_URLS (environment): "
	    "'turn:t.example.org': TURN URLs belong in WEBRTC_TURN_URLS");
	refused_is("stun:a.example.org:0", "WEBRTC_STUN_URLS (environment): "
	    "'stun:a.example.org:0': port must be 1-65535");
	refused_is(",", "WEBRTC_STUN_URLS (environment): no URL in the "
	    "list");
}
END_TEST

UNIT_SUITE(providers_stun)
{
	return unit_suite("providers_stun", "provider", TESTS(test_stun_default,
	    test_stun_configured_urls, test_stun_refuses_turn));
}
