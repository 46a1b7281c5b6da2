/* test_providers_xmpp_services.c: the XEP-0215 services conversion, on a
 * reply recorded from Prosody 0.12 and on hostile input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/providers/xmpp.h"
#include "../../src/util.h"
#include "../../src/xml.h"
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
	s = unit_ice_list_text(&l);
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

UNIT_SUITE(providers_xmpp_services)
{
	return unit_suite("providers_xmpp_services", "services",
	    TESTS(recorded_reply, recorded_reply_every_split,
	    turns_borrows_credentials_of_same_host,
	    expiry_from_turn_rest_username, transport_only_when_not_udp,
	    bad_entries_are_dropped, wrong_namespaces));
}
