/* test_serve_compat.c: the shapes serve answers in for the services it
 * replaces, and its flag values. */
#include <string.h>

#include "../../src/ice.h"
#include "../../src/serve/compat.h"
#include "../../src/util.h"
#include "unit.h"

START_TEST(flag_values)
{
	static const struct {
		const char	*in;
		int		 want;
	} flags[] = {
		{ NULL, 0 }, { "", 0 }, { "false", 0 }, { "0", 0 },
		{ "true", 1 }, { "1", 1 },
		{ "TRUE", -1 }, { "yes", -1 }, { "true ", -1 },
	};
	size_t	 i;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		ck_assert_msg(serve_flag(flags[i].in) == flags[i].want,
		    "serve_flag(\"%s\") != %d",
		    flags[i].in != NULL ? flags[i].in : "(null)", flags[i].want);
}
END_TEST

START_TEST(uberti_has_the_turn_urls_only)
{
	struct ice_list	 l;
	struct strbuf	 out = { 0 };
	char		 err[128];

	memset(&l, 0, sizeof(l));
	ck_assert_int_eq(ice_list_add(&l, "stun:h:3478", NULL, NULL, 0, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(serve_compat_uberti(&out, &l, 600), -1);
	ck_assert_ptr_null(out.s);
	ck_assert_int_eq(ice_list_add(&l, "turn:h:3478?transport=udp",
	    "1700000000:a", "c\"r", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(ice_list_add(&l, "turns:h:5349", "1700000000:a",
	    "c\"r", 0, err, sizeof(err)), 0);
	ck_assert_int_eq(serve_compat_uberti(&out, &l, 600), 0);
	ck_assert_str_eq(out.s, "{\"username\":\"1700000000:a\","
	    "\"password\":\"c\\\"r\",\"ttl\":600,\"uris\":["
	    "\"turn:h:3478?transport=udp\",\"turns:h:5349\"]}\n");
	sb_free(&out);
	ice_list_free(&l);
}
END_TEST

START_TEST(health_shape)
{
	cJSON	*pdoc = cJSON_CreateObject(), *h;
	char	*text;

	cJSON_AddObjectToObject(pdoc, "health");
	h = serve_compat_health(pdoc, 1, 1, 2);
	text = cJSON_PrintUnformatted(h);
	ck_assert_str_eq(text, "{\"status\":\"degraded\",\"providers\":{},"
	    "\"cache_size\":2}");
	cJSON_free(text);
	cJSON_Delete(h);
	pdoc = cJSON_CreateObject();
	cJSON_AddObjectToObject(pdoc, "health");
	h = serve_compat_health(pdoc, 0, 1, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(h, "status")->valuestring,
	    "unhealthy");
	cJSON_Delete(h);
}
END_TEST

UNIT_SUITE(serve_compat)
{
	return unit_suite("serve_compat", "shapes", TESTS(flag_values,
	    uberti_has_the_turn_urls_only, health_shape));
}
