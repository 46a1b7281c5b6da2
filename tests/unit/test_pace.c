/* test_pace.c: how often a process asks each provider: a provider's
 * Retry-After holds every ask, forced asks come 5 s apart. */
#include <string.h>
#include <time.h>

#include "../../src/pace.h"
#include "unit.h"

START_TEST(test_pace_forced_asks_apart)
{
	char	 why[128];

	ck_assert_int_eq(pace_take("twilio", 1, why, sizeof(why)), 1);
	ck_assert_int_eq(pace_take("twilio", 1, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "less than 5 s ago"));
	/* An ask that is not forced is not held by the forced ones. */
	ck_assert_int_eq(pace_take("twilio", 0, why, sizeof(why)), 1);
	/* Nor is another provider. */
	ck_assert_int_eq(pace_take("metered", 1, why, sizeof(why)), 1);
}
END_TEST

START_TEST(test_pace_retry_after_holds_every_ask)
{
	char	 why[128];

	pace_hold("cloudflare", time(NULL) + 3600);
	ck_assert_int_eq(pace_take("cloudflare", 0, why, sizeof(why)), 0);
	ck_assert_ptr_nonnull(strstr(why, "Retry-After"));
	ck_assert_int_eq(pace_take("cloudflare", 1, why, sizeof(why)), 0);
	/* An earlier time does not shorten the wait. */
	pace_hold("cloudflare", time(NULL) - 1);
	ck_assert_int_eq(pace_take("cloudflare", 0, why, sizeof(why)), 0);
	/* A wait that is over holds nothing. */
	pace_hold("url", time(NULL) - 1);
	ck_assert_int_eq(pace_take("url", 0, why, sizeof(why)), 1);
}
END_TEST

UNIT_SUITE(pace)
{
	return unit_suite("pace", "pace", TESTS(test_pace_forced_asks_apart,
	    test_pace_retry_after_holds_every_ask));
}
