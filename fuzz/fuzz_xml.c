/* fuzz_xml.c: one XMPP document (a BOSH <body/> or one WebSocket frame) fed
 * to the XML layer in pieces whose sizes the input chooses, then any
 * XEP-0215 <services/> in it, and the services of any Jitsi room metadata
 * <json-message/>, turned into ICE servers. */
#include "../src/ice.h"
#include "../src/providers/jitsi_room.h"
#include "../src/providers/xmpp.h"
#include "../src/xml.h"
#include "fuzz.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_quiet();
	return 0;
}

/* Depth-first search for <services/> of either extdisco namespace. */
static void
walk(const struct xml_elem *e, int depth)
{
	struct ice_list		 l;
	const struct xml_elem	*c;
	struct xml_doc		*md;
	size_t			 dropped = 0;
	char			 warn[256];

	if (depth > XML_DEPTH_MAX + 1)
		abort();	/* deeper than the parser allows */
	if (xml_is(e, NS_EXTDISCO_2, "services") ||
	    xml_is(e, NS_EXTDISCO_1, "services")) {
		memset(&l, 0, sizeof(l));
		(void)xmpp_take_services(e, &l, &dropped, warn, sizeof(warn));
		ice_list_free(&l);
	}
	if (xml_is(e, NS_JITMEET, "json-message") && e->text.s != NULL &&
	    (md = jitsi_room_metadata_services(e->text.s, warn,
	    sizeof(warn))) != NULL) {
		memset(&l, 0, sizeof(l));
		(void)xmpp_take_services(xml_doc_root(md), &l, &dropped, warn,
		    sizeof(warn));
		ice_list_free(&l);
		xml_doc_free(md);
	}
	(void)xml_attr(e, "type");
	(void)xml_child(e, NULL, "error");
	for (c = e->children; c != NULL; c = c->next)
		walk(c, depth + 1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xml_doc		*d;
	const struct xml_elem	*root;
	char			 err[256];
	size_t			 off = 0, n;
	int			 rc = 0;
	unsigned		 step;
	time_t			 t;
	char			*s;

	if (size < 1 || size > 2 * XML_BYTES_MAX)
		return 0;
	/* The first byte picks the piece size (0: all at once). */
	step = data[0];
	data++;
	size--;
	d = xml_doc_new();
	while (rc == 0 && off < size) {
		n = step == 0 ? size - off : step;
		if (n > size - off)
			n = size - off;
		rc = xml_doc_feed(d, (const char *)data + off, n,
		    off + n == size, err, sizeof(err));
		off += n;
	}
	if (rc == 0 && size == 0)
		rc = xml_doc_feed(d, "", 0, 1, err, sizeof(err));
	if (rc == 0 && (root = xml_doc_root(d)) != NULL)
		walk(root, 0);
	xml_doc_free(d);

	s = fuzz_str(data, size < 64 ? size : 64);
	(void)util_parse_rfc3339_frac(s, &t);
	free(s);
	return 0;
}
