/* test_providers_url.c: the answers the url provider recognises
 * (url_take_answer): the shapes of serve, VK-ICE, STUNner, Matrix and TURN
 * services, their expiry, and the answers it refuses. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/providers/url.h"
#include "unit.h"

#define NOW	1700000000
#define TURN_UDP "turn:127.0.0.1:3478?transport=udp"

/* Reads text as of NOW into l; returns what url_take_answer did. */
static int
take(const char *text, int matrix, struct ice_list *l,
    struct provider_status *st)
{
	cJSON	*doc = cJSON_Parse(text);
	int	 rc;

	ck_assert_msg(doc != NULL, "not JSON: %s", text);
	memset(l, 0, sizeof(*l));
	memset(st, 0, sizeof(*st));
	rc = url_take_answer(doc, matrix, NOW, l, st);
	cJSON_Delete(doc);
	return rc;
}

START_TEST(test_matrix_turn_server)
{
	struct ice_list		 l;
	struct provider_status	 st;

	ck_assert_int_eq(take("{\"username\":\"1700086400:@u:example.org\","
	    "\"password\":\"cred=\",\"ttl\":86400,\"uris\":[\"" TURN_UDP "\","
	    "\"turn:127.0.0.1:3478?transport=tcp\"]}", 1, &l, &st), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ck_assert_str_eq(l.servers[0].username, "1700086400:@u:example.org");
	ck_assert_str_eq(l.servers[0].credential, "cred=");
	ck_assert_int_eq(l.servers[0].expires, NOW + 86400);
	ck_assert_int_eq(l.fetched_at, NOW);
	ck_assert_str_eq(st.note, "a Matrix turnServer answer");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_iceupd_report_keeps_its_times)
{
	struct ice_list		 l;
	struct provider_status	 st;

	/* 2023-11-14T22:13:20Z is NOW. */
	ck_assert_int_eq(take("{\"iceServers\":[{\"urls\":[\"" TURN_UDP "\"],"
	    "\"username\":\"u\",\"credential\":\"p\"},{\"urls\":"
	    "[\"stun:127.0.0.1:3478\"]}],\"provider\":\"twilio\","
	    "\"fetched_at\":\"2023-11-14T22:00:00Z\",\"expires_at\":"
	    "\"2023-11-15T22:00:00Z\",\"ttl_seconds\":86400,"
	    "\"remaining_ttl\":85600,\"stale\":false}", 0, &l, &st), 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_int_eq(l.fetched_at, NOW - 800);
	ck_assert_int_eq(ice_list_expires(&l), NOW - 800 + 86400);
	ck_assert_str_eq(st.note, "an iceupd json report from twilio");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_vkice_remaining_ttl)
{
	struct ice_list		 l;
	struct provider_status	 st;

	ck_assert_int_eq(take("{\"iceServers\":[{\"urls\":[\"" TURN_UDP "\"],"
	    "\"username\":\"u\",\"credential\":\"p\"}],\"provider\":\"8x8\","
	    "\"ttl_seconds\":3600,\"remaining_ttl\":3595,\"has_turn\":true}",
	    0, &l, &st), 0);
	ck_assert_int_eq(ice_list_expires(&l), NOW + 3595);
	ck_assert_int_eq(l.fetched_at, NOW - 5);
	ck_assert_str_eq(st.note, "a VK-ICE answer from 8x8");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_rtc_and_bare_array_have_no_expiry)
{
	struct ice_list		 l;
	struct provider_status	 st;

	ck_assert_int_eq(take("{\"iceServers\":[{\"urls\":\"" TURN_UDP "\","
	    "\"username\":\"u\",\"credential\":\"p\"}],\"iceTransportPolicy\":"
	    "\"relay\"}", 0, &l, &st), 0);
	ck_assert_int_eq(ice_list_expires(&l), 0);
	ck_assert_str_eq(st.note, "an RTCConfiguration, no expiry given");
	ice_list_free(&l);
	ck_assert_int_eq(take("[{\"urls\":[\"stun:127.0.0.1\"]}]", 0, &l,
	    &st), 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_str_eq(st.note, "a bare iceServers array, no expiry given");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_one_entry_with_a_string_ttl)
{
	struct ice_list		 l;
	struct provider_status	 st;

	ck_assert_int_eq(take("{\"urls\":[\"" TURN_UDP "\",\"turns:127.0.0.1:"
	    "443?transport=tcp\"],\"username\":\"1700000600:ns\","
	    "\"credential\":\"c\",\"ttl\":\"600\"}", 0, &l, &st), 0);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ck_assert_int_eq(ice_list_expires(&l), NOW + 600);
	ck_assert_str_eq(st.note, "a TURN service answer");
	ice_list_free(&l);
}
END_TEST

/* Answers refused, and the words the error must hold. */
static const struct {
	const char	*text;
	int		 matrix;
	const char	*error;
} refused[] = {
	{ "{\"servers\":[]}", 0, "expected an RTCConfiguration {iceServers}, "
	    "an iceServers array, an iceupd or VK-ICE report, TURN REST "
	    "{username,password,ttl,uris} or {urls,username,credential,ttl}" },
	{ "\"text\"", 0, "answer is not one of the shapes known" },
	{ "{}", 0, "answer is not one of the shapes known" },
	{ "{}", 1, "the homeserver offers no TURN server" },
	{ "{\"iceServers\":{\"urls\":\"stun:h\"}}", 0,
	    "an RTCConfiguration but its iceServers is not an array" },
	{ "{\"iceServers\":[{\"urls\":\"stun:h\"}],\"expires_at\":\"soon\"}", 0,
	    "its expires_at is not an RFC 3339 time" },
	{ "{\"iceServers\":[{\"urls\":\"stun:h\"}],\"expires_at\":"
	    "\"2023-11-14T22:13:20Z\"}", 0,
	    "an iceupd json report whose credentials have expired" },
	{ "{\"iceServers\":[{\"urls\":\"stun:h\"}],\"remaining_ttl\":-1}", 0,
	    "its remaining_ttl is not a number of seconds" },
	{ "{\"iceServers\":[{\"urls\":\"stun:h\"}],\"remaining_ttl\":0}", 0,
	    "a VK-ICE answer whose credentials have expired" },
	{ "{\"uris\":\"" TURN_UDP "\",\"username\":\"u\",\"password\":\"p\"}", 0,
	    "its uris is not an array" },
	{ "{\"uris\":[\"" TURN_UDP "\"],\"username\":\"u\",\"password\":\"p\","
	    "\"ttl\":0}", 1, "a Matrix turnServer answer but its ttl is not" },
	{ "{\"uris\":[\"" TURN_UDP "\"],\"username\":\"u\",\"password\":\"p\","
	    "\"ttl\":1e12}", 0, "its ttl is not a number of seconds" },
	{ "{\"uris\":[\"" TURN_UDP "\"],\"username\":\"u\"}", 0,
	    "answer holds no usable server" },
	{ "{\"iceServers\":[{\"urls\":[\"turn://h\",\"http://h\"],"
	    "\"username\":\"u\",\"credential\":\"p\"}]}", 0,
	    "answer holds no usable server: 2 entries dropped" },
};

START_TEST(test_refused)
{
	struct ice_list		 l;
	struct provider_status	 st;

	ck_assert_int_eq(take(refused[_i].text, refused[_i].matrix, &l, &st),
	    -1);
	ck_assert_msg(strstr(st.error, refused[_i].error) != NULL,
	    "%s: error '%s' lacks '%s'", refused[_i].text, st.error,
	    refused[_i].error);
	ck_assert_uint_eq(l.n, 0);
	ice_list_free(&l);
}
END_TEST

UNIT_SUITE(providers_url)
{
	Suite	*s = suite_create("providers_url");
	TCase	*tc;

	unit_tcase(s, "shapes", TESTS(test_matrix_turn_server,
	    test_iceupd_report_keeps_its_times, test_vkice_remaining_ttl,
	    test_rtc_and_bare_array_have_no_expiry,
	    test_one_entry_with_a_string_ttl));
	tc = unit_tcase(s, "refused", NULL);
	UNIT_LOOP(tc, test_refused, refused);
	return s;
}
