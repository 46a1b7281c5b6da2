/* test_xml.c: the XML tree over expat on hostile input: no DTD, bounded
 * depth and size, one element per document. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/util.h"
#include "../../src/xml.h"
#include "unit.h"

/* Parses text whole: "parsed", or the error as "error: ...". */
static char *
parse_whole(const char *text)
{
	struct xml_doc	*d = xml_doc_new();
	struct strbuf	 out = { 0 };
	char		 err[128];

	ck_assert_ptr_nonnull(d);
	if (xml_doc_feed(d, text, strlen(text), 1, err, sizeof(err)) == -1)
		sb_addf(&out, "error: %s", err);
	else {
		ck_assert_ptr_nonnull(xml_doc_root(d));
		sb_adds(&out, "parsed");
	}
	xml_doc_free(d);
	return out.s;
}

/* parse_whole(text) must give want. */
static void
parse_is(const char *text, const char *want)
{
	char	*got = parse_whole(text);

	ck_assert_str_eq(got, want);
	free(got);
}

/* parse_whole(text) must find text not well-formed. */
static void
parse_ill_formed(const char *text)
{
	char	*got = parse_whole(text);

	ck_assert(strncmp(got, "error: not well-formed", 22) == 0);
	free(got);
}


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
	char	*got = parse_whole(laughs);

	ck_assert_str_eq(got,
	    "error: document type declarations are refused");
	ck_assert(util_monotonic_ms() - start < unit_time_bound(1000));
	free(got);
	/* An entity without a DTD is undefined, not expanded. */
	parse_ill_formed("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "&lol9;</body>");
	/* A DTD with an external subset, and a parameter entity. */
	parse_is("<!DOCTYPE body SYSTEM 'file:///etc/passwd'><body/>",
	    "error: document type declarations are refused");
}
END_TEST

START_TEST(deep_nesting)
{
	struct strbuf	 b = { 0 };
	int		 i;

	for (i = 0; i < XML_DEPTH_MAX; i++)
		sb_adds(&b, "<a>");
	for (i = 0; i < XML_DEPTH_MAX; i++)
		sb_adds(&b, "</a>");
	parse_is(b.s, "parsed");
	b.len = 0;
	for (i = 0; i < 100000; i++)
		sb_adds(&b, "<a>");
	parse_is(b.s, "error: elements nested too deep");
	sb_free(&b);
}
END_TEST

START_TEST(huge_attribute)
{
	struct strbuf	 b = { 0 };
	int		 i;

	sb_adds(&b, "<body xmlns='http://jabber.org/protocol/httpbind' sid='");
	for (i = 0; i < XML_ATTR_MAX + 1; i++)
		sb_addc(&b, 'x');
	sb_adds(&b, "'/>");
	parse_is(b.s, "error: attribute value too long");
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
	parse_ill_formed("<body xmlns='http://jabber.org/protocol/httpbind'>"
	    "<iq xmlns='jabber:client'>");
	parse_ill_formed("<body/><body/>");
	parse_ill_formed("");
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

UNIT_SUITE(xml)
{
	return unit_suite("xml", "xml", TESTS(billion_laughs, deep_nesting,
	    huge_attribute, too_many_bytes, incomplete_and_trailing,
	    closed_once_the_root_ends));
}
