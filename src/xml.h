/* xml.h: a small tree over expat, for the XMPP client only. */
#ifndef ICEUPD_XML_H
#define ICEUPD_XML_H

#include <stddef.h>

#include "util.h"

#define XML_DEPTH_MAX	32		/* element nesting */
#define XML_ATTR_MAX	4096		/* bytes in one attribute value */
#define XML_TEXT_MAX	(64 * 1024)	/* bytes of text in one element */
#define XML_ELEMS_MAX	10000		/* elements in one document */
#define XML_BYTES_MAX	(1024 * 1024)	/* bytes of one stream */

/*
 * The XML layer: one document (a BOSH <body/>, or one WebSocket frame) fed
 * in pieces of any size to a namespace-aware expat parser that refuses
 * DTDs and entity declarations and enforces the limits above.
 */
struct xml_attr {
	char	*name;		/* "URI local" when namespaced, else "local" */
	char	*value;
};

struct xml_elem {
	char		*ns;		/* namespace URI; "" for none */
	char		*name;		/* local name */
	struct xml_attr	*attrs;
	size_t		 nattrs;
	struct strbuf	 text;		/* character data directly inside */
	struct xml_elem	*parent, *children, *last, *next;
};

struct xml_doc;

struct xml_doc *xml_doc_new(void);
/* Feeds len bytes; final says they end the document.  Returns 0, or -1
 * with err set: the document is then dead. */
int	 xml_doc_feed(struct xml_doc *, const char *p, size_t len, int final,
	    char *err, size_t errlen);
/* 1 once the root element has ended (the document is whole but for a
 * final feed), else 0. */
int	 xml_doc_closed(const struct xml_doc *);
/* The root element once a final feed succeeded, else NULL. */
const struct xml_elem *xml_doc_root(const struct xml_doc *);
void	 xml_doc_free(struct xml_doc *);

/* The value of attribute name ("local", or "URI local"), or NULL. */
const char *xml_attr(const struct xml_elem *, const char *name);
/* The first child named ns + name (ns NULL: any), or NULL. */
const struct xml_elem *xml_child(const struct xml_elem *, const char *ns,
	    const char *name);
/* 1 when e is ns + name. */
int	 xml_is(const struct xml_elem *e, const char *ns, const char *name);

/* Appends s escaped for an XML attribute value or text. */
void	 xml_escape(struct strbuf *, const char *s);

#endif
