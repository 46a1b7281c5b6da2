/* test_xmpp.c: the XML layer of the XMPP client and the XEP-0215 services
 * conversion, on a reply recorded from Prosody 0.12 and on hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util.h"
#include "../../src/xmpp.h"
#include "unit.h"

/* The last BOSH body of a real exchange with Debian's Prosody. */
static const char recorded[] =
    "<body xmlns='http://jabber.org/protocol/httpbind' "
    "sid='70128da7-8606-4a01-b6bd-90d9ca0a710d' "
    "xmlns:stream='http://etherx.jabber.org/streams'><iq id='e1' "
    "xmlns='jabber:client' from='meet.test' "
    "to='iq-cwsxhnhhpfscc1lhpvxch@meet.test/XzuS5G5TmN2c' type='result'>"
    "<services xmlns='urn:xmpp:extdisco:2'><service type='stun' "
    "port='13478' transport='udp' host='127.0.0.1'/><service type='turn' "
    "port='13478' expires='2026-11-22T03:26:36Z' host='127.0.0.1' "
    "restricted='1' password='WGmoVBr2tAo6k+phTK89ypSJvo0=' "
    "transport='udp' username='1795317996'/><service type='turns' "
    "port='15349' expires='2026-11-22T03:26:36Z' host='127.0.0.1' "
    "restricted='1' password='WGmoVBr2tAo6k+phTK89ypSJvo0=' "
    "transport='tcp' username='1795317996'/></services></iq></body>";

#define RECORDED_EXPIRES	1795317996	/* 2026-11-22T03:26:36Z */

/* The list as one line: "url,url|user|cred|expires;" per entry. */
static char *
list_text(const struct ice_list *l)
{
	struct strbuf	 b = { 0 };
	size_t		 i, j;

	sb_adds(&b, "");
	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->servers[i].nurls; j++)
			sb_addf(&b, "%s%s", j ? "," : "",
			    l->servers[i].urls[j]);
		sb_addf(&b, "|%s|%s|%lld;", l->servers[i].username ?
		    l->servers[i].username : "-", l->servers[i].credential ?
		    l->servers[i].credential : "-",
		    (long long)l->servers[i].expires);
	}
	return b.s;
}

/* Parses text fed in the given pieces (cuts: offsets, ascending) and
 * returns the services converted, or the error as "error: ...". */
static char *
convert(const char *text, const size_t *cuts, size_t ncuts)
{
	struct xml_doc	*d = xml_doc_new();
	struct ice_list	 l = { 0 };
	const struct xml_elem *root, *iq, *services;
	struct strbuf	 out = { 0 };
	char		 err[128], warn[256] = "";
	char		*s;
	size_t		 i, from = 0, len = strlen(text), dropped;

	ck_assert_ptr_nonnull(d);
	for (i = 0; i <= ncuts; i++) {
		size_t to = i < ncuts ? cuts[i] : len;

		if (xml_doc_feed(d, text + from, to - from, i == ncuts, err,
		    sizeof(err)) == -1) {
			sb_addf(&out, "error: %s", err);
			goto out;
		}
		from = to;
	}
	root = xml_doc_root(d);
	ck_assert_ptr_nonnull(root);
	iq = xml_child(root, "jabber:client", "iq");
	services = iq ? xml_child(iq, NS_EXTDISCO_2, "services") : NULL;
	if (services == NULL) {
		sb_adds(&out, "error: no services");
		goto out;
	}
	xmpp_take_services(services, &l, &dropped, warn, sizeof(warn));
	s = list_text(&l);
	sb_addf(&out, "%s dropped=%zu%s%s", s, dropped, warn[0] ? " " : "",
	    warn);
	free(s);
out:
	ice_list_free(&l);
	xml_doc_free(d);
	return out.s;
}

static char *
convert_whole(const char *text)
{
	return convert(text, NULL, 0);
}

static const char *expected_recorded =
    "stun:127.0.0.1:13478|-|-|0;"
    "turn:127.0.0.1:13478,turns:127.0.0.1:15349?transport=tcp"
    "|1795317996|WGmoVBr2tAo6k+phTK89ypSJvo0=|1795317996; dropped=0";

START_TEST(recorded_reply)
{
	char	*got = convert_whole(recorded);

	ck_assert_str_eq(got, expected_recorded);
	free(got);
}
END_TEST

/* Every way of cutting the reply in two, and in bytes, gives the same. */
START_TEST(recorded_reply_every_split)
{
	size_t	 n = strlen(recorded), i, *all;
	char	*got;

	for (i = 0; i <= n; i++) {
		got = convert(recorded, &i, 1);
		if (strcmp(got, expected_recorded) != 0)
			ck_abort_msg("split at %zu: %s", i, got);
		free(got);
	}
	all = xcalloc(n, sizeof(*all));
	for (i = 0; i < n; i++)
		all[i] = i;
	got = convert(recorded, all, n);
	ck_assert_str_eq(got, expected_recorded);
	free(got);
	free(all);
}
END_TEST

START_TEST(expires_parsing)
{
	time_t	 t;

	ck_assert_int_eq(xmpp_parse_time("2026-11-22T03:26:36Z", &t), 0);
	ck_assert_int_eq((long long)t, RECORDED_EXPIRES);
	ck_assert_int_eq(xmpp_parse_time("2026-11-22T03:26:36.250Z", &t), 0);
	ck_assert_int_eq((long long)t, RECORDED_EXPIRES);
	ck_assert_int_eq(xmpp_parse_time("2026-11-22T03:26:36", &t), -1);
	ck_assert_int_eq(xmpp_parse_time("2026-11-22T03:26:36+01:00", &t),
	    -1);
	ck_assert_int_eq(xmpp_parse_time("2026-13-22T03:26:36Z", &t), -1);
	ck_assert_int_eq(xmpp_parse_time("1795317996", &t), -1);
	ck_assert_int_eq(xmpp_parse_time("", &t), -1);
}
END_TEST

static char *
services(const char *inner)
{
	struct strbuf	 b = { 0 };
	char		*got;

	sb_addf(&b, "<body xmlns='http://jabber.org/protocol/httpbind'><iq "
	    "xmlns='jabber:client' type='result' id='e1'><services "
	    "xmlns='urn:xmpp:extdisco:2'>%s</services></iq></body>", inner);
	got = convert_whole(b.s);
	sb_free(&b);
	return got;
}

/* mod_turn_external gives credentials to turn entries only. */
START_TEST(turns_borrows_credentials_of_same_host)
{
	char	*got = services(
	    "<service type='turns' host='turn.example.org' port='5349' "
	    "transport='tcp'/>"
	    "<service type='turn' host='turn.example.org' port='3478' "
	    "transport='udp' username='u1' password='p1' "
	    "expires='2026-11-22T03:26:36Z'/>"
	    "<service type='turns' host='other.example.org' port='5349' "
	    "transport='tcp'/>");

	ck_assert_str_eq(got,
	    "turns:turn.example.org:5349?transport=tcp,"
	    "turn:turn.example.org:3478|u1|p1|1795317996; dropped=1 "
	    "dropped 'turns:other.example.org:5349?transport=tcp': "
	    "a TURN URI needs a username and a credential");
	free(got);
}
END_TEST

/* Without an expires attribute (Prosody sends one only with a ttl), the
 * TURN REST username "<expires>[:user]" tells when the credential ends. */
START_TEST(expiry_from_turn_rest_username)
{
	char	*got = services(
	    "<service type='turn' host='h.example' port='3478' "
	    "username='1795317996' password='p'/>"
	    "<service type='turn' host='i.example' port='3478' "
	    "username='1795317996:neko' password='p'/>"
	    "<service type='turn' host='j.example' port='3478' "
	    "username='alice' password='p'/>");

	ck_assert_str_eq(got,
	    "turn:h.example:3478|1795317996|p|1795317996;"
	    "turn:i.example:3478|1795317996:neko|p|1795317996;"
	    "turn:j.example:3478|alice|p|0; dropped=0");
	free(got);
}
END_TEST

START_TEST(transport_only_when_not_udp)
{
	char	*got = services(
	    "<service type='turn' host='h.example' port='3478' "
	    "transport='tcp' username='u' password='p'/>"
	    "<service type='turn' host='h.example' port='3478' "
	    "transport='udp' username='u' password='p'/>"
	    "<service type='stun' host='2001:db8::1' port='3478' "
	    "transport='udp'/>"
	    "<service type='ftp' host='files.example'/>");

	ck_assert_str_eq(got,
	    "turn:h.example:3478?transport=tcp,turn:h.example:3478|u|p|0;"
	    "stun:[2001:db8::1]:3478|-|-|0; dropped=0");
	free(got);
}
END_TEST

START_TEST(bad_entries_are_dropped)
{
	char	*got = services(
	    "<service type='stun' host='a b' port='3478'/>"
	    "<service type='stun' port='3478'/>"
	    "<service type='stun' host='ok.example' port='99999'/>"
	    "<service type='stun' host='ok.example' port='3478'/>");

	ck_assert(strncmp(got, "stun:ok.example:3478|-|-|0; dropped=3 ",
	    38) == 0);
	free(got);
}
END_TEST

/* Elements in other namespaces are not the ones asked for. */
START_TEST(wrong_namespaces)
{
	char	*got;

	got = convert_whole("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "<iq xmlns='jabber:client' type='result'><services "
	    "xmlns='urn:example:evil'><service type='stun' host='h.example' "
	    "port='1'/></services></iq></body>");
	ck_assert_str_eq(got, "error: no services");
	free(got);
	got = convert_whole("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "<iq xmlns='jabber:server' type='result'><services "
	    "xmlns='urn:xmpp:extdisco:2'/></iq></body>");
	ck_assert_str_eq(got, "error: no services");
	free(got);
	/* A <service/> of another namespace inside the right <services/>. */
	got = services("<service xmlns='urn:example:evil' type='stun' "
	    "host='evil.example' port='1'/><service type='stun' "
	    "host='good.example' port='2'/>");
	ck_assert_str_eq(got, "stun:good.example:2|-|-|0; dropped=0");
	free(got);
	/* An unbound prefix is not well-formed. */
	got = convert_whole("<x:body/>");
	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
}
END_TEST

static const char laughs[] =
    "<?xml version='1.0'?>\n"
    "<!DOCTYPE lolz [\n"
    " <!ENTITY lol 'lol'>\n"
    " <!ENTITY lol1 '&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;'>\n"
    " <!ENTITY lol2 '&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;'>\n"
    " <!ENTITY lol3 '&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'>\n"
    " <!ENTITY lol4 '&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;'>\n"
    " <!ENTITY lol5 '&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;'>\n"
    " <!ENTITY lol6 '&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;'>\n"
    " <!ENTITY lol7 '&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;'>\n"
    " <!ENTITY lol8 '&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;'>\n"
    " <!ENTITY lol9 '&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;'>\n"
    "]>\n"
    "<body xmlns='http://jabber.org/protocol/httpbind'>&lol9;</body>";

START_TEST(billion_laughs)
{
	long long start = util_monotonic_ms();
	char	*got = convert_whole(laughs);

	ck_assert_str_eq(got,
	    "error: document type declarations are refused");
	ck_assert(util_monotonic_ms() - start < unit_time_bound(1000));
	free(got);
	/* An entity without a DTD is undefined, not expanded. */
	got = convert_whole("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "&lol9;</body>");
	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
	/* A DTD with an external subset, and a parameter entity. */
	got = convert_whole("<!DOCTYPE body SYSTEM 'file:///etc/passwd'>"
	    "<body/>");
	ck_assert_str_eq(got,
	    "error: document type declarations are refused");
	free(got);
}
END_TEST

START_TEST(deep_nesting)
{
	struct strbuf	 b = { 0 };
	char		*got;
	int		 i;

	for (i = 0; i < XML_DEPTH_MAX; i++)
		sb_adds(&b, "<a>");
	for (i = 0; i < XML_DEPTH_MAX; i++)
		sb_adds(&b, "</a>");
	got = convert_whole(b.s);
	ck_assert_str_eq(got, "error: no services");	/* parsed */
	free(got);
	b.len = 0;
	for (i = 0; i < 100000; i++)
		sb_adds(&b, "<a>");
	got = convert_whole(b.s);
	ck_assert_str_eq(got, "error: elements nested too deep");
	free(got);
	sb_free(&b);
}
END_TEST

START_TEST(huge_attribute)
{
	struct strbuf	 b = { 0 };
	char		*got;
	int		 i;

	sb_adds(&b, "<body xmlns='http://jabber.org/protocol/httpbind' sid='");
	for (i = 0; i < XML_ATTR_MAX + 1; i++)
		sb_addc(&b, 'x');
	sb_adds(&b, "'/>");
	got = convert_whole(b.s);
	ck_assert_str_eq(got, "error: attribute value too long");
	free(got);
	sb_free(&b);
}
END_TEST

START_TEST(too_many_bytes)
{
	struct xml_doc	*d = xml_doc_new();
	char		 err[128], *chunk = xmalloc(64 * 1024);
	int		 i, rc = 0;

	/* Comments: neither text nor elements, only bytes. */
	memset(chunk, ' ', 64 * 1024);
	memcpy(chunk, "<!--", 4);
	memcpy(chunk + 64 * 1024 - 3, "-->", 3);
	ck_assert_int_eq(xml_doc_feed(d, "<body>", 6, 0, err, sizeof(err)),
	    0);
	for (i = 0; i < 20 && rc == 0; i++)
		rc = xml_doc_feed(d, chunk, 64 * 1024, 0, err, sizeof(err));
	ck_assert_int_eq(rc, -1);
	ck_assert_str_eq(err, "document larger than 1 MiB");
	/* Dead from then on. */
	ck_assert_int_eq(xml_doc_feed(d, "</body>", 7, 1, err, sizeof(err)),
	    -1);
	ck_assert_ptr_null(xml_doc_root(d));
	xml_doc_free(d);
	free(chunk);
}
END_TEST

START_TEST(incomplete_and_trailing)
{
	char	*got;

	got = convert_whole("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "<iq xmlns='jabber:client'>");
	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
	got = convert_whole("<body/><body/>");
	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
	got = convert_whole("");
	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
}
END_TEST

/* A message in pieces, as WebSocket fragments bring it: closed once its
 * root element ends, and not before, wherever the cuts fall. */
START_TEST(closed_once_the_root_ends)
{
	static const char msg[] = "<iq xmlns='jabber:client' id='e1'>"
	    "<services xmlns='urn:xmpp:extdisco:2'><service type='stun' "
	    "host='h'/></services></iq>";
	struct xml_doc	*d;
	char		 err[128];
	size_t		 cut, n = strlen(msg);

	for (cut = 1; cut < n; cut++) {
		d = xml_doc_new();
		ck_assert_ptr_nonnull(d);
		ck_assert_int_eq(xml_doc_feed(d, msg, cut, 0, err,
		    sizeof(err)), 0);
		ck_assert_msg(!xml_doc_closed(d), "closed at %zu", cut);
		ck_assert_int_eq(xml_doc_feed(d, msg + cut, n - cut, 0, err,
		    sizeof(err)), 0);
		ck_assert_msg(xml_doc_closed(d), "open after %zu", cut);
		ck_assert_int_eq(xml_doc_feed(d, "", 0, 1, err, sizeof(err)),
		    0);
		ck_assert_str_eq(xml_doc_root(d)->name, "iq");
		xml_doc_free(d);
	}
	/* A second element in the same message is refused. */
	d = xml_doc_new();
	ck_assert_int_eq(xml_doc_feed(d, "<a/><b/>", 8, 0, err, sizeof(err)),
	    -1);
	ck_assert(!xml_doc_closed(d));
	xml_doc_free(d);
}
END_TEST

/* Room metadata JSON through xmpp_metadata_services() and
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

	if ((d = xmpp_metadata_services(json, why, sizeof(why))) == NULL) {
		ck_assert(why[0] != '\0');
		sb_addf(&out, "error: %s", why);
		return out.s;
	}
	xmpp_take_services(xml_doc_root(d), &l, &dropped, warn, sizeof(warn));
	s = list_text(&l);
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
END_TEST

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
END_TEST

UNIT_SUITE(xmpp)
{
	Suite	*s = suite_create("xmpp");
	TCase	*tc = tcase_create("xml");

	tcase_set_timeout(tc, UNIT_TIMEOUT);
	tcase_add_test(tc, recorded_reply);
	tcase_add_test(tc, recorded_reply_every_split);
	tcase_add_test(tc, expires_parsing);
	tcase_add_test(tc, turns_borrows_credentials_of_same_host);
	tcase_add_test(tc, expiry_from_turn_rest_username);
	tcase_add_test(tc, transport_only_when_not_udp);
	tcase_add_test(tc, bad_entries_are_dropped);
	tcase_add_test(tc, wrong_namespaces);
	tcase_add_test(tc, billion_laughs);
	tcase_add_test(tc, deep_nesting);
	tcase_add_test(tc, huge_attribute);
	tcase_add_test(tc, too_many_bytes);
	tcase_add_test(tc, incomplete_and_trailing);
	tcase_add_test(tc, room_metadata_services);
	tcase_add_test(tc, room_metadata_hostile);
	tcase_add_test(tc, nick_from_bound_jid);
	tcase_add_test(tc, closed_once_the_root_ends);
	suite_add_tcase(s, tc);
	return s;
}
