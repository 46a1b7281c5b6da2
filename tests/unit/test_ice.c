/* test_ice.c: STUN/TURN URIs, and lists of ICE servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ice.h"
#include "unit.h"

/* --- ice_uri_parse: accepted URIs and their canonical form --- */

static const struct {
	const char	*in;
	const char	*canon;
	enum ice_scheme	 scheme;
	const char	*host;
	int		 ipv6;
	int		 port;
	enum ice_transport transport;
} valid_uris[] = {
	{ "stun:stun.example.org",
	    "stun:stun.example.org:3478",
	    SCHEME_STUN, "stun.example.org", 0, 3478, TRANSPORT_ANY },
	{ "stun:stun.example.org:19302",
	    "stun:stun.example.org:19302",
	    SCHEME_STUN, "stun.example.org", 0, 19302, TRANSPORT_ANY },
	{ "stuns:stun.example.org",
	    "stuns:stun.example.org:5349",
	    SCHEME_STUNS, "stun.example.org", 0, 5349, TRANSPORT_ANY },
	{ "stuns:stun.example.org:443",
	    "stuns:stun.example.org:443",
	    SCHEME_STUNS, "stun.example.org", 0, 443, TRANSPORT_ANY },
	{ "turn:turn.example.org",
	    "turn:turn.example.org:3478",
	    SCHEME_TURN, "turn.example.org", 0, 3478, TRANSPORT_ANY },
	{ "turn:turn.example.org?transport=udp",
	    "turn:turn.example.org:3478?transport=udp",
	    SCHEME_TURN, "turn.example.org", 0, 3478, TRANSPORT_UDP },
	{ "turn:turn.example.org:80?transport=tcp",
	    "turn:turn.example.org:80?transport=tcp",
	    SCHEME_TURN, "turn.example.org", 0, 80, TRANSPORT_TCP },
	{ "turns:turn.example.org",
	    "turns:turn.example.org:5349",
	    SCHEME_TURNS, "turn.example.org", 0, 5349, TRANSPORT_ANY },
	{ "turns:turn.example.org:443?transport=tcp",
	    "turns:turn.example.org:443?transport=tcp",
	    SCHEME_TURNS, "turn.example.org", 0, 443, TRANSPORT_TCP },
	{ "turns:turn.example.org?transport=udp",
	    "turns:turn.example.org:5349?transport=udp",
	    SCHEME_TURNS, "turn.example.org", 0, 5349, TRANSPORT_UDP },
	{ "stun:192.0.2.1",
	    "stun:192.0.2.1:3478",
	    SCHEME_STUN, "192.0.2.1", 0, 3478, TRANSPORT_ANY },
	{ "turn:203.0.113.7:3479?transport=udp",
	    "turn:203.0.113.7:3479?transport=udp",
	    SCHEME_TURN, "203.0.113.7", 0, 3479, TRANSPORT_UDP },
	{ "stun:0.0.0.0:1",
	    "stun:0.0.0.0:1",
	    SCHEME_STUN, "0.0.0.0", 0, 1, TRANSPORT_ANY },
	{ "stun:[::1]",
	    "stun:[::1]:3478",
	    SCHEME_STUN, "::1", 1, 3478, TRANSPORT_ANY },
	{ "turn:[::1]:3478?transport=udp",
	    "turn:[::1]:3478?transport=udp",
	    SCHEME_TURN, "::1", 1, 3478, TRANSPORT_UDP },
	{ "turn:[2001:db8::1]:5000?transport=tcp",
	    "turn:[2001:db8::1]:5000?transport=tcp",
	    SCHEME_TURN, "2001:db8::1", 1, 5000, TRANSPORT_TCP },
	{ "turns:[2001:DB8::A]",
	    "turns:[2001:db8::a]:5349",
	    SCHEME_TURNS, "2001:db8::a", 1, 5349, TRANSPORT_ANY },
	{ "stun:[::ffff:192.0.2.1]:19302",
	    "stun:[::ffff:192.0.2.1]:19302",
	    SCHEME_STUN, "::ffff:192.0.2.1", 1, 19302, TRANSPORT_ANY },
	{ "STUN:STUN.EXAMPLE.ORG:3478",
	    "stun:stun.example.org:3478",
	    SCHEME_STUN, "stun.example.org", 0, 3478, TRANSPORT_ANY },
	{ "TuRnS:Turn.Example.Org?Transport=TCP",
	    "turns:turn.example.org:5349?transport=tcp",
	    SCHEME_TURNS, "turn.example.org", 0, 5349, TRANSPORT_TCP },
	{ "TURN:TURN.EXAMPLE.ORG:3478?TRANSPORT=UDP",
	    "turn:turn.example.org:3478?transport=udp",
	    SCHEME_TURN, "turn.example.org", 0, 3478, TRANSPORT_UDP },
	{ "stun:localhost",
	    "stun:localhost:3478",
	    SCHEME_STUN, "localhost", 0, 3478, TRANSPORT_ANY },
	{ "stun:h:1",
	    "stun:h:1",
	    SCHEME_STUN, "h", 0, 1, TRANSPORT_ANY },
	{ "stun:h:65535",
	    "stun:h:65535",
	    SCHEME_STUN, "h", 0, 65535, TRANSPORT_ANY },
	/* Leading zeros in the port are read as decimal and dropped. */
	{ "stun:h:03478",
	    "stun:h:3478",
	    SCHEME_STUN, "h", 0, 3478, TRANSPORT_ANY },
	{ "stun:a-b.example.org",
	    "stun:a-b.example.org:3478",
	    SCHEME_STUN, "a-b.example.org", 0, 3478, TRANSPORT_ANY },
	{ "stun:123.example.org",
	    "stun:123.example.org:3478",
	    SCHEME_STUN, "123.example.org", 0, 3478, TRANSPORT_ANY },
	{ "turn:xn--bcher-kva.example:3478?transport=udp",
	    "turn:xn--bcher-kva.example:3478?transport=udp",
	    SCHEME_TURN, "xn--bcher-kva.example", 0, 3478, TRANSPORT_UDP },
	/* '_' is accepted anywhere in a label, even first (SRV-style). */
	{ "stun:_stun._udp.example.org",
	    "stun:_stun._udp.example.org:3478",
	    SCHEME_STUN, "_stun._udp.example.org", 0, 3478, TRANSPORT_ANY },
};

START_TEST(test_uri_valid)
{
	struct ice_uri	 u;
	char		 err[256] = "", canon[ICE_URI_MAX + 32];

	ck_assert_msg(ice_uri_parse(valid_uris[_i].in, &u, err,
	    sizeof(err)) == 0, "%s: %s", valid_uris[_i].in, err);
	ck_assert_int_eq(u.scheme, valid_uris[_i].scheme);
	ck_assert_str_eq(u.host, valid_uris[_i].host);
	ck_assert_int_eq(u.ipv6, valid_uris[_i].ipv6);
	ck_assert_int_eq(u.port, valid_uris[_i].port);
	ck_assert_int_eq(u.transport, valid_uris[_i].transport);
	ice_uri_format(&u, canon, sizeof(canon));
	ck_assert_str_eq(canon, valid_uris[_i].canon);
}
END_TEST

/* The canonical form parses back to itself. */
START_TEST(test_uri_canonical_is_stable)
{
	struct ice_uri	 u;
	char		 err[256] = "", once[ICE_URI_MAX + 32];
	char		 twice[ICE_URI_MAX + 32];

	ck_assert_int_eq(ice_uri_parse(valid_uris[_i].in, &u, err,
	    sizeof(err)), 0);
	ice_uri_format(&u, once, sizeof(once));
	ck_assert_msg(ice_uri_parse(once, &u, err, sizeof(err)) == 0,
	    "%s: %s", once, err);
	ice_uri_format(&u, twice, sizeof(twice));
	ck_assert_str_eq(once, twice);
}
END_TEST

/* --- ice_uri_parse: rejected URIs, with words the reason must hold --- */

static const struct {
	const char	*in;
	const char	*reason;
} invalid_uris[] = {
	{ "", "no scheme" },
	{ "stun.example.org", "no scheme" },
	{ "http://example.org", "unknown scheme" },
	{ "http:example.org", "unknown scheme" },
	{ "stunx:example.org", "unknown scheme" },
	{ "tur:example.org", "unknown scheme" },
	{ ":example.org", "unknown scheme" },
	{ "stun://example.org", "\"//\"" },
	{ "turn://turn.example.org:3478", "\"//\"" },
	{ "turn:user@turn.example.org", "user information" },
	{ "turn:user:pw@turn.example.org:3478", "user information" },
	{ "stun:h:0", "port must be 1-65535" },
	{ "stun:h:65536", "port must be 1-65535" },
	{ "stun:h:99999999", "invalid port" },
	{ "stun:h:-1", "port must be 1-65535" },
	{ "stun:h:", "invalid port" },
	{ "turn:h:?transport=udp", "invalid port" },
	{ "stun:h:34a", "port must be 1-65535" },
	{ "stun:h:abc", "port must be 1-65535" },
	{ "stun:h: 3478", "port must be 1-65535" },
	{ "stun:h:+3478", "port must be 1-65535" },
	{ "stun:h:3478:1", "port must be 1-65535" },
	{ "stun:h:3478/", "port must be 1-65535" },
	{ "stun:h:3478x", "port must be 1-65535" },
	{ "stun:h?transport=udp", "takes no query" },
	{ "stun:h:3478?transport=tcp", "takes no query" },
	{ "stuns:h:5349?transport=tcp", "takes no query" },
	{ "turn:h?transport=sctp", "transport must be udp or tcp" },
	{ "turn:h?transport=", "transport must be udp or tcp" },
	{ "turn:h?transport=udp&foo=bar", "transport must be udp or tcp" },
	{ "turns:h?transport=tls", "transport must be udp or tcp" },
	{ "turn:h?foo=bar", "unknown query" },
	{ "turn:h?", "unknown query" },
	{ "turn:h?transport", "unknown query" },
	{ "turn:[::1", "unterminated IPv6 literal" },
	{ "turn:[2001:db8::1:3478", "unterminated IPv6 literal" },
	{ "turn:[::g]", "invalid IPv6 address" },
	{ "turn:[2001:db8:::1]", "invalid IPv6 address" },
	{ "turn:[192.0.2.1]", "invalid IPv6 address" },
	{ "turn:[]", "invalid IPv6 address" },
	{ "turn:[fe80::1%eth0]", "invalid IPv6 address" },
	{ "turn:[::1]x", "unexpected text after the host" },
	{ "turn:[::1]3478", "unexpected text after the host" },
	{ "stun:::1", "no host" },
	{ "stun:", "no host" },
	{ "stun::3478", "no host" },
	{ "turn:?transport=udp", "no host" },
	{ "stun:999.1.1.1", "invalid IPv4 address" },
	{ "stun:256.0.0.1", "invalid IPv4 address" },
	{ "stun:1.2.3", "invalid IPv4 address" },
	{ "stun:1.2.3.4.5", "invalid IPv4 address" },
	{ "stun:12345", "invalid IPv4 address" },
	{ "stun:h h", "invalid host name" },
	{ "stun: h", "invalid host name" },
	{ "stun:h\tx", "invalid host name" },
	{ "stun:h\nx", "invalid host name" },
	{ "stun:-h.example.org", "invalid host name" },
	{ "stun:h-.example.org", "invalid host name" },
	{ "stun:a..b", "invalid host name" },
	{ "stun:.example.org", "invalid host name" },
	{ "stun:h/x", "invalid host name" },
	{ "stun:h#x", "invalid host name" },
	{ "stun:h%41", "invalid host name" },
	{ "stun:h\xc3\xa9.example", "invalid host name" },
};

START_TEST(test_uri_invalid)
{
	struct ice_uri	 u;
	char		 err[256] = "";

	ck_assert_msg(ice_uri_parse(invalid_uris[_i].in, &u, err,
	    sizeof(err)) == -1, "'%s' was accepted", invalid_uris[_i].in);
	ck_assert_msg(err[0] != '\0', "no reason for '%s'",
	    invalid_uris[_i].in);
	ck_assert_msg(strstr(err, invalid_uris[_i].reason) != NULL,
	    "'%s': reason '%s' lacks '%s'", invalid_uris[_i].in, err,
	    invalid_uris[_i].reason);
}
END_TEST

/* ice_uri_parse() refuses uri with a reason: why, unless NULL. */
static void
uri_refused(const char *uri, const char *why)
{
	struct ice_uri	 u;
	char		 err[256] = "";

	ck_assert_msg(ice_uri_parse(uri, &u, err, sizeof(err)) == -1,
	    "%s was accepted", uri);
	ck_assert_msg(err[0] != '\0', "no reason for %s", uri);
	if (why != NULL)
		ck_assert_msg(strcmp(err, why) == 0, "%s: reason '%s', not '%s'",
		    uri, err, why);
}

static void
repeat(char *dst, char c, size_t n)
{
	memset(dst, c, n);
	dst[n] = '\0';
}

START_TEST(test_uri_label_lengths)
{
	struct ice_uri	 u;
	char		 label[80], uri[128], err[256] = "";

	repeat(label, 'a', 63);
	snprintf(uri, sizeof(uri), "stun:%s.example.org", label);
	ck_assert_int_eq(ice_uri_parse(uri, &u, err, sizeof(err)), 0);
	ck_assert_uint_eq(strlen(u.host), 63 + 12);

	repeat(label, 'a', 64);
	snprintf(uri, sizeof(uri), "stun:%s.example.org", label);
	uri_refused(uri, "invalid host name");
	snprintf(uri, sizeof(uri), "stun:example.%s", label);
	uri_refused(uri, "invalid host name");
}
END_TEST

/* 253 bytes is the longest DNS name; the canonical form keeps it whole. */
START_TEST(test_uri_host_lengths)
{
	struct ice_uri	 u;
	char		 host[300], uri[400], canon[ICE_URI_MAX + 32];
	char		 err[256] = "";

	/* 63.63.63.61 with three dots: 253 bytes. */
	repeat(host, 'a', 63);
	host[63] = '.';
	repeat(host + 64, 'b', 63);
	host[127] = '.';
	repeat(host + 128, 'c', 63);
	host[191] = '.';
	repeat(host + 192, 'd', 61);
	ck_assert_uint_eq(strlen(host), 253);
	snprintf(uri, sizeof(uri), "turn:%s:3478?transport=tcp", host);
	ck_assert_msg(ice_uri_parse(uri, &u, err, sizeof(err)) == 0, "%s",
	    err);
	ck_assert_str_eq(u.host, host);
	ice_uri_format(&u, canon, sizeof(canon));
	ck_assert_str_eq(canon, uri);

	/* One more byte. */
	strcat(host, "d");
	snprintf(uri, sizeof(uri), "turn:%s:3478", host);
	uri_refused(uri, "host name too long");

	/* An IPv6 literal longer than any host is refused too. */
	snprintf(uri, sizeof(uri), "turn:[%s]", host);
	uri_refused(uri, NULL);
}
END_TEST

START_TEST(test_uri_total_length)
{
	struct ice_uri	 u;
	char		 uri[ICE_URI_MAX + 64], err[256] = "";

	strcpy(uri, "stun:h?");
	memset(uri + 7, 'x', ICE_URI_MAX + 1 - 7);
	uri[ICE_URI_MAX + 1] = '\0';
	ck_assert_uint_eq(strlen(uri), 513);
	ck_assert_int_eq(ice_uri_parse(uri, &u, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "URI longer than 512 bytes");

	/* At exactly 512 bytes the length is fine and the query is not. */
	uri[ICE_URI_MAX] = '\0';
	ck_assert_int_eq(ice_uri_parse(uri, &u, err, sizeof(err)), -1);
	ck_assert_ptr_null(strstr(err, "longer"));
}
END_TEST

/* A label may not end with '-' (RFC 1123), the last label included. */
START_TEST(test_uri_rejects_hyphen_ending_last_label)
{
	uri_refused("stun:h-.example.org", NULL);
	uri_refused("stun:example.org-", "invalid host name");
}
END_TEST

START_TEST(test_uri_transport)
{
	static const struct {
		const char	*in;
		enum ice_transport want;
		int		 turn;
	} cases[] = {
		{ "turn:h", TRANSPORT_UDP, 1 },
		{ "turns:h", TRANSPORT_TCP, 1 },
		{ "turn:h?transport=udp", TRANSPORT_UDP, 1 },
		{ "turn:h?transport=tcp", TRANSPORT_TCP, 1 },
		{ "turns:h?transport=tcp", TRANSPORT_TCP, 1 },
		{ "turns:h?transport=udp", TRANSPORT_UDP, 1 },
		{ "stun:h", TRANSPORT_UDP, 0 },
		{ "stuns:h", TRANSPORT_TCP, 0 },
	};
	struct ice_uri	 u;
	char		 err[256];
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(ice_uri_parse(cases[i].in, &u, err,
		    sizeof(err)), 0);
		ck_assert_msg(ice_uri_transport(&u) == cases[i].want,
		    "%s: transport %d", cases[i].in, ice_uri_transport(&u));
		ck_assert_int_eq(ice_uri_is_turn(&u), cases[i].turn);
	}
	ck_assert_str_eq(ice_transport_names[TRANSPORT_ANY], "any");
	ck_assert_str_eq(ice_transport_names[TRANSPORT_UDP], "udp");
	ck_assert_str_eq(ice_transport_names[TRANSPORT_TCP], "tcp");
	ck_assert_ptr_null(ice_transport_names[3]);
}
END_TEST

/* --- ice_list_add --- */

static void
add_ok(struct ice_list *l, const char *url, const char *user,
    const char *cred, time_t expires)
{
	char	 err[256] = "";

	ck_assert_msg(ice_list_add(l, url, user, cred, expires, err,
	    sizeof(err)) == 0, "%s: %s", url, err);
}

static void
add_fails(struct ice_list *l, const char *url, const char *user,
    const char *cred, const char *reason)
{
	char	 err[256] = "";
	size_t	 n = l->n, nurls = ice_list_nurls(l);

	ck_assert_msg(ice_list_add(l, url, user, cred, 0, err,
	    sizeof(err)) == -1, "%s was added", url);
	ck_assert_msg(strstr(err, reason) != NULL, "%s: '%s' lacks '%s'",
	    url, err, reason);
	ck_assert_uint_eq(l->n, n);
	ck_assert_uint_eq(ice_list_nurls(l), nurls);
}

START_TEST(test_list_groups_by_credentials)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:a.example.org", "u", "p", 0);
	add_ok(&l, "turns:a.example.org:443?transport=tcp", "u", "p", 0);
	add_ok(&l, "turn:b.example.org?transport=tcp", "u", "p", 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_uint_eq(l.servers[0].nurls, 3);
	ck_assert_str_eq(l.servers[0].urls[0], "turn:a.example.org:3478");
	ck_assert_str_eq(l.servers[0].urls[1],
	    "turns:a.example.org:443?transport=tcp");
	ck_assert_str_eq(l.servers[0].urls[2],
	    "turn:b.example.org:3478?transport=tcp");
	ck_assert_str_eq(l.servers[0].username, "u");
	ck_assert_str_eq(l.servers[0].credential, "p");
	ck_assert_int_eq(l.servers[0].expires, 0);
	ck_assert_uint_eq(ice_list_nurls(&l), 3);
	ice_list_free(&l);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_ptr_null(l.servers);
}
END_TEST

START_TEST(test_list_different_credentials)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:a.example.org", "u", "p", 0);
	add_ok(&l, "turn:a.example.org", "u", "q", 0);
	add_ok(&l, "turn:a.example.org", "v", "p", 0);
	add_ok(&l, "turn:b.example.org", "u", "q", 0);
	ck_assert_uint_eq(l.n, 3);
	ck_assert_str_eq(l.servers[0].credential, "p");
	ck_assert_str_eq(l.servers[1].credential, "q");
	ck_assert_uint_eq(l.servers[1].nurls, 2);
	ck_assert_str_eq(l.servers[1].urls[1], "turn:b.example.org:3478");
	ck_assert_str_eq(l.servers[2].username, "v");
	ck_assert_uint_eq(ice_list_nurls(&l), 4);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_stun_loses_credentials)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "stun:s.example.org", "u", "p", 1795317996);
	add_ok(&l, "stuns:s.example.org", NULL, NULL, 0);
	add_ok(&l, "stun:t.example.org:19302", "", "", 0);
	ck_assert_uint_eq(l.n, 1);
	ck_assert_ptr_null(l.servers[0].username);
	ck_assert_ptr_null(l.servers[0].credential);
	ck_assert_int_eq(l.servers[0].expires, 0);
	ck_assert_uint_eq(l.servers[0].nurls, 3);
	ck_assert_str_eq(l.servers[0].urls[0], "stun:s.example.org:3478");
	ck_assert_str_eq(l.servers[0].urls[1], "stuns:s.example.org:5349");
	ck_assert_str_eq(l.servers[0].urls[2], "stun:t.example.org:19302");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_turn_needs_credentials)
{
	struct ice_list	 l = { 0 };
	const char	*need = "needs a username and a credential";

	add_fails(&l, "turn:a.example.org", NULL, NULL, need);
	add_fails(&l, "turn:a.example.org", "u", NULL, need);
	add_fails(&l, "turns:a.example.org", NULL, "p", need);
	add_fails(&l, "turn:a.example.org", "", "p", need);
	add_fails(&l, "turn:a.example.org", "u", "", need);
	ck_assert_uint_eq(l.n, 0);
	add_fails(&l, "turn://a.example.org", "u", "p", "\"//\"");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_skips_duplicates)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:a.example.org", "u", "p", 0);
	add_ok(&l, "turn:a.example.org", "u", "p", 0);
	add_ok(&l, "TURN:A.EXAMPLE.ORG:3478", "u", "p", 0);
	add_ok(&l, "stun:s.example.org", NULL, NULL, 0);
	add_ok(&l, "stun:s.example.org:3478", NULL, NULL, 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(l.servers[0].nurls, 1);
	ck_assert_uint_eq(l.servers[1].nurls, 1);
	/* A transport makes it another URL. */
	add_ok(&l, "turn:a.example.org?transport=udp", "u", "p", 0);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_rejects_bad_credentials)
{
	struct ice_list	 l = { 0 };
	const char	*bad = "not printable UTF-8";
	char		 big[ICE_CRED_MAX + 2];

	add_fails(&l, "turn:h", "u", "p\n", bad);
	add_fails(&l, "turn:h", "u", "p\r", bad);
	add_fails(&l, "turn:h", "u", "p\tq", bad);
	add_fails(&l, "turn:h", "u", "\x01", bad);
	add_fails(&l, "turn:h", "u", "p\x1b[31m", bad);
	add_fails(&l, "turn:h", "u", "p\x7f", bad);
	add_fails(&l, "turn:h", "u\n", "p", bad);
	/* invalid UTF-8: stray continuation, truncated sequences, bytes
	 * that never occur, a two-byte overlong form */
	add_fails(&l, "turn:h", "u", "\x80", bad);
	add_fails(&l, "turn:h", "u", "p\xff", bad);
	add_fails(&l, "turn:h", "u", "p\xc3", bad);
	add_fails(&l, "turn:h", "u", "\xe2\x82", bad);
	add_fails(&l, "turn:h", "u", "\xf0\x9f\x94", bad);
	add_fails(&l, "turn:h", "u", "\xc3(", bad);
	add_fails(&l, "turn:h", "u", "\xc0\xaf", bad);
	add_fails(&l, "turn:h", "u", "\xc1\xbf", bad);
	add_fails(&l, "turn:h", "u", "\xf5\x80\x80\x80", bad);
	add_fails(&l, "turn:h", "\xfe", "p", bad);

	memset(big, 'x', ICE_CRED_MAX + 1);
	big[ICE_CRED_MAX + 1] = '\0';
	add_fails(&l, "turn:h", "u", big, bad);
	add_fails(&l, "turn:h", big, "p", bad);
	big[ICE_CRED_MAX] = '\0';
	add_ok(&l, "turn:h", "u", big, 0);
	add_ok(&l, "turn:h", big, "p", 0);
	ck_assert_uint_eq(l.n, 2);
	ck_assert_uint_eq(strlen(l.servers[0].credential), ICE_CRED_MAX);
	ice_list_free(&l);
}
END_TEST

/* RFC 3629 excludes overlong forms, UTF-16 surrogates and code points
 * above U+10FFFF; JSON readers would replace them and change the
 * credential. */
START_TEST(test_list_rejects_overlong_and_surrogate_utf8)
{
	struct ice_list	 l = { 0 };
	const char	*bad = "not printable UTF-8";

	add_fails(&l, "turn:h", "u", "\xe0\x80\xaf", bad);
	add_fails(&l, "turn:h", "u", "\xed\xa0\x80", bad);
	add_fails(&l, "turn:h", "u", "\xf0\x80\x80\xaf", bad);
	add_fails(&l, "turn:h", "u", "\xf4\x90\x80\x80", bad);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_accepts_utf8)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:h", "n\xc3\xa9ko", "p\xc3\xa4ss w\xc3\xb6rd", 0);
	add_ok(&l, "turn:h", "\xe5\xaf\x86", "\xe7\xa0\x81", 0);
	add_ok(&l, "turn:h", "u", "\xf0\x9f\x94\x91 key", 0);
	add_ok(&l, "turn:h", "u", "\xef\xbf\xbd\xf4\x8f\xbf\xbf", 0);
	add_ok(&l, "turn:h", "u", "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", 0);
	ck_assert_uint_eq(l.n, 5);
	ck_assert_str_eq(l.servers[0].credential, "p\xc3\xa4ss w\xc3\xb6rd");
	ck_assert_str_eq(l.servers[4].credential,
	    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_expiry_keeps_earliest)
{
	struct ice_list	 l = { 0 };

	ck_assert_int_eq(ice_list_expires(&l), 0);
	add_ok(&l, "turn:a", "u", "p", 0);
	ck_assert_int_eq(l.servers[0].expires, 0);
	add_ok(&l, "turn:b", "u", "p", 2000);
	ck_assert_int_eq(l.servers[0].expires, 2000);
	add_ok(&l, "turn:c", "u", "p", 1000);
	ck_assert_int_eq(l.servers[0].expires, 1000);
	add_ok(&l, "turn:d", "u", "p", 3000);
	add_ok(&l, "turn:e", "u", "p", 0);
	ck_assert_int_eq(l.servers[0].expires, 1000);
	ck_assert_int_eq(ice_list_expires(&l), 1000);

	add_ok(&l, "turn:a", "v", "q", 500);
	add_ok(&l, "stun:s", NULL, NULL, 0);
	ck_assert_int_eq(ice_list_expires(&l), 500);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_list_expires_none)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:a", "u", "p", 0);
	add_ok(&l, "stun:s", NULL, NULL, 0);
	ck_assert_int_eq(ice_list_expires(&l), 0);
	add_ok(&l, "turn:a", "v", "q", 1795317996);
	ck_assert_int_eq(ice_list_expires(&l), 1795317996);
	ice_list_free(&l);
}
END_TEST

/* --- filters --- */

/* ice_list_truncate(l, max) leaves n entries. */
static void
truncated(struct ice_list *l, size_t max, size_t n)
{
	ice_list_truncate(l, max);
	ck_assert_uint_eq(l->n, n);
}

/* l has TURN URLs when turn is 1, STUN URLs when stun is 1. */
static void
has_kinds(const struct ice_list *l, int turn, int stun)
{
	ck_assert_int_eq(ice_list_has_turn(l), turn);
	ck_assert_int_eq(ice_list_has_stun(l), stun);
}

/* One entry of every kind of URL, plus a STUN-only entry. */
static void
mixed_list(struct ice_list *l)
{
	add_ok(l, "turn:t", "u", "p", 0);
	add_ok(l, "turn:t?transport=udp", "u", "p", 0);
	add_ok(l, "turn:t?transport=tcp", "u", "p", 0);
	add_ok(l, "turns:t", "u", "p", 0);
	add_ok(l, "turns:t:443?transport=tcp", "u", "p", 0);
	add_ok(l, "turns:t?transport=udp", "u", "p", 0);
	add_ok(l, "stun:s", NULL, NULL, 0);
	add_ok(l, "stuns:s", NULL, NULL, 0);
	add_ok(l, "turn:x", "v", "q", 0);
	ck_assert_uint_eq(l->n, 3);
}

static void
assert_urls(const struct ice_server *s, const char *const *want, size_t n)
{
	size_t	 i;

	ck_assert_uint_eq(s->nurls, n);
	for (i = 0; i < n; i++)
		ck_assert_str_eq(s->urls[i], want[i]);
}

/* mixed_list() in l, filtered by transport and relay, keeps n entries. */
static void
filtered(struct ice_list *l, enum ice_transport transport, int relay,
    size_t n)
{
	mixed_list(l);
	ice_list_filter(l, transport, relay);
	ck_assert_uint_eq(l->n, n);
}

START_TEST(test_filter_tcp)
{
	static const char *const want[] = { "turn:t:3478?transport=tcp",
	    "turns:t:5349", "turns:t:443?transport=tcp" };
	struct ice_list	 l = { 0 };

	filtered(&l, TRANSPORT_TCP, 0, 1);
	assert_urls(&l.servers[0], want, 3);
	ck_assert_str_eq(l.servers[0].username, "u");
	has_kinds(&l, 1, 0);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_filter_udp)
{
	static const char *const want0[] = { "turn:t:3478",
	    "turn:t:3478?transport=udp", "turns:t:5349?transport=udp" };
	static const char *const want1[] = { "stun:s:3478" };
	static const char *const want2[] = { "turn:x:3478" };
	struct ice_list	 l = { 0 };

	filtered(&l, TRANSPORT_UDP, 0, 3);
	assert_urls(&l.servers[0], want0, 3);
	assert_urls(&l.servers[1], want1, 1);
	assert_urls(&l.servers[2], want2, 1);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_filter_relay)
{
	static const char *const want0[] = { "turn:t:3478",
	    "turn:t:3478?transport=udp", "turn:t:3478?transport=tcp",
	    "turns:t:5349", "turns:t:443?transport=tcp",
	    "turns:t:5349?transport=udp" };
	static const char *const want1[] = { "turn:x:3478" };
	struct ice_list	 l = { 0 };

	/* The STUN entry is emptied, so it goes; the order stays. */
	filtered(&l, TRANSPORT_ANY, 1, 2);
	assert_urls(&l.servers[0], want0, 6);
	assert_urls(&l.servers[1], want1, 1);
	ck_assert_str_eq(l.servers[1].username, "v");
	ck_assert_int_eq(ice_list_has_stun(&l), 0);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_filter_relay_tcp)
{
	static const char *const want[] = { "turn:t:3478?transport=tcp",
	    "turns:t:5349", "turns:t:443?transport=tcp" };
	struct ice_list	 l = { 0 };

	filtered(&l, TRANSPORT_TCP, 1, 1);
	assert_urls(&l.servers[0], want, 3);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_filter_any_keeps_all)
{
	struct ice_list	 l = { 0 };

	filtered(&l, TRANSPORT_ANY, 0, 3);
	ck_assert_uint_eq(ice_list_nurls(&l), 9);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_filter_can_empty_the_list)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "stun:s", NULL, NULL, 0);
	add_ok(&l, "turn:t?transport=udp", "u", "p", 0);
	ice_list_filter(&l, TRANSPORT_TCP, 0);
	ck_assert_uint_eq(l.n, 0);
	ck_assert_uint_eq(ice_list_nurls(&l), 0);
	ck_assert_int_eq(ice_list_has_turn(&l), 0);
	/* Still usable after being emptied. */
	add_ok(&l, "turns:t", "u", "p", 0);
	ck_assert_uint_eq(l.n, 1);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_truncate)
{
	struct ice_list	 l = { 0 };

	add_ok(&l, "turn:a", "u1", "p", 0);
	add_ok(&l, "turn:b", "u2", "p", 0);
	add_ok(&l, "turn:c", "u3", "p", 0);
	truncated(&l, 0, 3);
	truncated(&l, 5, 3);
	truncated(&l, 3, 3);
	truncated(&l, 2, 2);
	ck_assert_str_eq(l.servers[0].username, "u1");
	ck_assert_str_eq(l.servers[1].username, "u2");
	truncated(&l, 1, 1);
	ck_assert_str_eq(l.servers[0].urls[0], "turn:a:3478");
	ice_list_free(&l);
}
END_TEST

START_TEST(test_has_turn_and_stun)
{
	struct ice_list	 l = { 0 };

	has_kinds(&l, 0, 0);
	add_ok(&l, "stuns:s", NULL, NULL, 0);
	has_kinds(&l, 0, 1);
	ice_list_free(&l);

	add_ok(&l, "turns:t", "u", "p", 0);
	has_kinds(&l, 1, 0);
	add_ok(&l, "stun:s", NULL, NULL, 0);
	has_kinds(&l, 1, 1);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_merge)
{
	static const char *const want0[] = { "turn:a:3478", "turn:b:3478" };
	static const char *const want1[] = { "stun:s:3478", "stun:t:3478" };
	static const char *const want2[] = { "turns:c:5349" };
	struct ice_list	 dst = { 0 }, src = { 0 };

	add_ok(&dst, "turn:a", "u", "p", 2000);
	add_ok(&dst, "stun:s", NULL, NULL, 0);
	add_ok(&src, "turn:a", "u", "p", 2000);
	add_ok(&src, "turn:b", "u", "p", 2000);
	add_ok(&src, "stun:s", NULL, NULL, 0);
	add_ok(&src, "stun:t", NULL, NULL, 0);
	add_ok(&src, "turns:c", "u2", "p2", 1500);
	ice_list_merge(&dst, &src);
	ck_assert_uint_eq(dst.n, 3);
	assert_urls(&dst.servers[0], want0, 2);
	assert_urls(&dst.servers[1], want1, 2);
	assert_urls(&dst.servers[2], want2, 1);
	ck_assert_str_eq(dst.servers[2].username, "u2");
	ck_assert_str_eq(dst.servers[2].credential, "p2");
	ck_assert_int_eq(dst.servers[2].expires, 1500);
	ck_assert_int_eq(ice_list_expires(&dst), 1500);
	/* src is untouched; merging twice changes nothing. */
	ck_assert_uint_eq(ice_list_nurls(&src), 5);
	ice_list_merge(&dst, &src);
	ck_assert_uint_eq(ice_list_nurls(&dst), 5);
	ice_list_free(&dst);
	ice_list_free(&src);
}
END_TEST

START_TEST(test_merge_into_empty)
{
	struct ice_list	 dst = { 0 }, src = { 0 };

	add_ok(&src, "turn:a", "u", "p", 0);
	add_ok(&src, "stun:s", NULL, NULL, 0);
	ice_list_merge(&dst, &src);
	ck_assert_uint_eq(dst.n, 2);
	ck_assert_str_eq(dst.servers[0].urls[0], "turn:a:3478");
	ck_assert_ptr_ne(dst.servers[0].credential, src.servers[0].credential);
	ice_list_free(&src);
	ck_assert_str_eq(dst.servers[0].credential, "p");
	ice_list_free(&dst);
}
END_TEST

START_TEST(test_urls_max)
{
	struct ice_list	 l = { 0 };
	char		 url[64], err[256] = "";
	int		 i;

	for (i = 1; i <= ICE_URLS_MAX; i++) {
		snprintf(url, sizeof(url), "turn:h:%d", i);
		add_ok(&l, url, "u", "p", 0);
	}
	ck_assert_uint_eq(l.servers[0].nurls, ICE_URLS_MAX);
	/* Already there: still fine. */
	add_ok(&l, "turn:h:1", "u", "p", 0);
	ck_assert_int_eq(ice_list_add(&l, "turn:h:9999", "u", "p", 0, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "more than 32 URLs in one entry");
	ck_assert_uint_eq(l.servers[0].nurls, ICE_URLS_MAX);
	/* Other credentials make another entry. */
	add_ok(&l, "turn:h:9999", "u", "q", 0);
	ck_assert_uint_eq(l.n, 2);
	ice_list_free(&l);
}
END_TEST

START_TEST(test_servers_max)
{
	struct ice_list	 l = { 0 }, more = { 0 };
	char		 user[32], err[256] = "";
	int		 i;

	for (i = 0; i < ICE_SERVERS_MAX; i++) {
		snprintf(user, sizeof(user), "user%d", i);
		add_ok(&l, "turn:h", user, "p", 0);
	}
	ck_assert_uint_eq(l.n, ICE_SERVERS_MAX);
	ck_assert_int_eq(ice_list_add(&l, "turn:h", "another", "p", 0, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "more than 64 entries");
	ck_assert_int_eq(ice_list_add(&l, "stun:s", NULL, NULL, 0, err,
	    sizeof(err)), -1);
	ck_assert_uint_eq(l.n, ICE_SERVERS_MAX);
	/* An existing entry still takes URLs. */
	add_ok(&l, "turn:h2", "user0", "p", 0);
	ck_assert_uint_eq(l.servers[0].nurls, 2);
	/* A merge into a full list keeps what fits. */
	add_ok(&more, "turn:h3", "user1", "p", 0);
	add_ok(&more, "turn:h3", "stranger", "p", 0);
	ice_list_merge(&l, &more);
	ck_assert_uint_eq(l.n, ICE_SERVERS_MAX);
	ck_assert_uint_eq(l.servers[1].nurls, 2);
	ice_list_free(&more);
	ice_list_free(&l);
}
END_TEST

UNIT_SUITE(ice)
{
	Suite	*s = suite_create("ice");
	TCase	*tc;

	tc = unit_tcase(s, "uri", NULL);
	UNIT_LOOP(tc, test_uri_valid, valid_uris);
	UNIT_LOOP(tc, test_uri_canonical_is_stable, valid_uris);
	UNIT_LOOP(tc, test_uri_invalid, invalid_uris);
	tcase_add_test(tc, test_uri_label_lengths);
	tcase_add_test(tc, test_uri_host_lengths);
	tcase_add_test(tc, test_uri_total_length);
	tcase_add_test(tc, test_uri_rejects_hyphen_ending_last_label);
	tcase_add_test(tc, test_uri_transport);
	unit_tcase(s, "list", TESTS(test_list_groups_by_credentials,
	    test_list_different_credentials, test_list_stun_loses_credentials,
	    test_list_turn_needs_credentials, test_list_skips_duplicates,
	    test_list_rejects_bad_credentials,
	    test_list_rejects_overlong_and_surrogate_utf8,
	    test_list_accepts_utf8, test_list_expiry_keeps_earliest,
	    test_list_expires_none, test_merge, test_merge_into_empty,
	    test_urls_max, test_servers_max));
	unit_tcase(s, "filter", TESTS(test_filter_tcp, test_filter_udp,
	    test_filter_relay, test_filter_relay_tcp, test_filter_any_keeps_all,
	    test_filter_can_empty_the_list, test_truncate,
	    test_has_turn_and_stun));
	return s;
}
