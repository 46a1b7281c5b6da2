/* test_providers_jitsi_room.c: a Jitsi room's metadata to the XEP-0215
 * services it carries, on what the deployment sends and on hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/providers/jitsi_room.h"
#include "../../src/providers/xmpp.h"
#include "../../src/util.h"
#include "../../src/xml.h"
#include "unit.h"


/* Room metadata JSON through jitsi_room_metadata_services() and
 * xmpp_take_services(): the list, or "error: <why>". */
static char *
metadata(const char *json)
{
	struct xml_doc	*d;
	struct ice_list	 l = { 0 };
	struct strbuf	 out = { 0 };
	char		 why[120] = "", warn[256] = "";
	char		*s;
	size_t		 dropped;

	if ((d = jitsi_room_metadata_services(json, why, sizeof(why))) == NULL) {
		ck_assert(why[0] != '\0');
		sb_addf(&out, "error: %s", why);
		return out.s;
	}
	xmpp_take_services(xml_doc_root(d), &l, &dropped, warn, sizeof(warn));
	s = unit_ice_list_text(&l);
	sb_addf(&out, "%s dropped=%zu", s, dropped);
	free(s);
	ice_list_free(&l);
	xml_doc_free(d);
	return out.s;
}

/* What mod_room_metadata_component sends, port as a string. */
START_TEST(room_metadata_services)
{
	char	*got;

	got = metadata("{\"type\":\"room_metadata\",\"metadata\":{"
	    "\"startMuted\":{},\"services\":["
	    "{\"type\":\"stun\",\"host\":\"127.0.0.1\",\"port\":\"3478\","
	    "\"transport\":\"udp\"},"
	    "{\"type\":\"turn\",\"host\":\"127.0.0.1\",\"port\":\"3478\","
	    "\"transport\":\"udp\",\"username\":\"1795317996\","
	    "\"password\":\"a'b&c<d\\\"\",\"expires\":"
	    "\"2026-11-22T03:26:36Z\",\"restricted\":\"1\"},"
	    "{\"type\":\"turns\",\"host\":\"127.0.0.1\",\"port\":5349,"
	    "\"transport\":\"tcp\"}]}}");
	ck_assert_str_eq(got, "stun:127.0.0.1:3478|-|-|0;"
	    "turn:127.0.0.1:3478,turns:127.0.0.1:5349?transport=tcp|"
	    "1795317996|a'b&c<d\"|1795317996; dropped=0");
	free(got);
}
END_TEST

/* Hostile or foreign messages: refused with a reason, or the bad entries
 * dropped as in a XEP-0215 answer. */
START_TEST(room_metadata_hostile)
{
	static const char *const refused[] = {
		"", "not json", "[]", "{\"type\":\"polls\",\"metadata\":{}}",
		"{\"type\":\"room_metadata\"}",
		"{\"type\":\"room_metadata\",\"metadata\":[]}",
		"{\"type\":\"room_metadata\",\"metadata\":{}}",
		"{\"type\":\"room_metadata\",\"metadata\":{\"services\":{}}}",
	};
	char	*got;
	size_t	 i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		got = metadata(refused[i]);
		ck_assert_msg(strncmp(got, "error: ", 7) == 0, "%s: %s",
		    refused[i], got);
		free(got);
	}
	/* Control characters, a port out of range, non-objects, fields that
	 * are not strings: the entry loses them. */
	got = metadata("{\"type\":\"room_metadata\",\"metadata\":{"
	    "\"services\":[1,\"x\",null,"
	    "{\"type\":\"stun\",\"host\":\"a\\u0001b\"},"
	    "{\"type\":\"stun\",\"host\":\"h\",\"port\":70000},"
	    "{\"type\":\"stun\",\"host\":[\"h\"]},"
	    "{\"type\":\"turn\",\"host\":\"t\",\"username\":1,"
	    "\"password\":\"p\"}]}}");
	ck_assert_str_eq(got, "stun:h:3478|-|-|0; dropped=3");
	free(got);
}

UNIT_SUITE(providers_jitsi_room)
{
	return unit_suite("providers_jitsi_room", "room_metadata",
	    TESTS(room_metadata_services, room_metadata_hostile));
}
