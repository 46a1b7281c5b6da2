/* test_providers_xmpp_stream.c: the XMPP client's room nickname. */
#include <string.h>

#include "../../src/providers/xmpp.h"
#include "unit.h"


/* The nickname anonymous_strict wants: the first 8 characters of the
 * bound JID's local part; random hex where they cannot be one. */
START_TEST(nick_from_bound_jid)
{
	static const char *const taken[][2] = {
		{ "8f1c2a3b-5d6e-4f70-8192-a3b4c5d6e7f8@meet.example/x1",
		    "8f1c2a3b" },
		{ "AbCdEf12345@meet.example", "AbCdEf12" },
		{ "a_b@meet.example/r", "a_b" },
		{ "abcdefgh@meet.example", "abcdefgh" },
		{ "abcdefgh-ij@meet.example", "abcdefgh" },
	};
	static const char *const random[] = {
		NULL, "", "meet.example", "meet.example/r@x", "@meet.example",
		"_abc@meet.example", "ab-c@meet.example", "ab.cdefghij@h", "abcdefg-hij@meet.example",
		"\xc3\xa9t\xc3\xa9@meet.example",
	};
	char	 nick[17];
	size_t	 i;

	for (i = 0; i < sizeof(taken) / sizeof(taken[0]); i++) {
		xmpp_nick(taken[i][0], nick, sizeof(nick));
		ck_assert_str_eq(nick, taken[i][1]);
	}
	for (i = 0; i < sizeof(random) / sizeof(random[0]); i++) {
		xmpp_nick(random[i], nick, sizeof(nick));
		ck_assert_msg(strlen(nick) == 16 &&
		    strspn(nick, "0123456789abcdef") == 16, "%s: %s",
		    random[i] ? random[i] : "NULL", nick);
	}
}

UNIT_SUITE(providers_xmpp_stream)
{
	return unit_suite("providers_xmpp_stream", "nick",
	    TESTS(nick_from_bound_jid));
}
