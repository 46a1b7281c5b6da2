/* test_providers_provider.c: what the providers share: the table, lookup by
 * name, and the credential lifetime asked for. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/ice.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

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

START_TEST(test_provider_ttl)
{
	struct settings	 s;

	unit_settings(&s, NULL, NULL);
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 7 * 86400), 86400);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 600);
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 3600), 3600);
	settings_free(&s);

	unit_settings(&s, NULL, ENV("ICEUPD_TTL=900"));
	ck_assert_int_eq(provider_ttl(&s, 0, 86400, 7 * 86400), 900);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 600);
	settings_free(&s);

	unit_settings(&s, ARGS("--ttl", "1200"), ENV("ICEUPD_TTL=900"));
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 7 * 86400), 1200);
	ck_assert_int_eq(provider_ttl(&s, 600, 86400, 1000), 1000);
	settings_free(&s);
}
END_TEST

UNIT_SUITE(providers_provider)
{
	return unit_suite("providers_provider", "provider",
	    TESTS(test_provider_ttl, test_provider_find));
}
