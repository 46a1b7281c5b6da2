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
#include "unit.h"

START_TEST(test_stun_default)
{
	struct settings	 s;
	struct ice_list	 l = { 0 };
	struct provider_status st = { 0 };
	char		 why[512];

	unit_settings(&s, NULL, NULL);
	ck_assert_int_eq(unit_configured(&provider_stun, &s, why, sizeof(why)), 1);
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

	unit_settings(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org, "
	    "stuns:b.example.org:443,,STUN:A.EXAMPLE.ORG:3478"));
	ck_assert_int_eq(unit_configured(&provider_stun, &s, why, sizeof(why)), 1);
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

	unit_settings(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org,"
	    "turn:t.example.org"));
	ck_assert_int_eq(unit_configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): "
	    "'turn:t.example.org': TURN URLs belong in WEBRTC_TURN_URLS");
	settings_free(&s);

	unit_settings(&s, NULL, ENV("WEBRTC_STUN_URLS=stun:a.example.org:0"));
	ck_assert_int_eq(unit_configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): "
	    "'stun:a.example.org:0': port must be 1-65535");
	settings_free(&s);

	unit_settings(&s, NULL, ENV("WEBRTC_STUN_URLS=,"));
	ck_assert_int_eq(unit_configured(&provider_stun, &s, why, sizeof(why)), -1);
	ck_assert_str_eq(why, "WEBRTC_STUN_URLS (environment): no URL in the "
	    "list");
	settings_free(&s);
}
END_TEST

UNIT_SUITE(providers_stun)
{
	return unit_suite("providers_stun", "provider", TESTS(test_stun_default,
	    test_stun_configured_urls, test_stun_refuses_turn));
}
