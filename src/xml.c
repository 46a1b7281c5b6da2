/* xml.c: a small tree over expat for the XMPP client: one document (a
 * BOSH <body/>, or one WebSocket message) fed in pieces of any size,
 * namespace-aware, no DTD or entity declarations, bounded in depth and
 * size; and the escaping of text written into XML. */
#include <expat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "xml.h"

#define XML_ATTRS_MAX	64	/* attributes on one element */

struct xml_doc {
	XML_Parser	 p;
	struct xml_elem	*root;
	struct xml_elem	*cur;
	size_t		 depth;
	size_t		 nelems;
	size_t		 bytes;
	int		 done;
	int		 dead;
	char		 err[128];
};

static void
elem_free(struct xml_elem *e)
{
	struct xml_elem *c, *next;
	size_t	 i;

	if (e == NULL)
		return;
	for (c = e->children; c != NULL; c = next) {
		next = c->next;
		elem_free(c);
	}
	for (i = 0; i < e->nattrs; i++) {
		free(e->attrs[i].name);
		util_free_secret(e->attrs[i].value);	/* a credential? */
	}
	free(e->attrs);
	free(e->ns);
	free(e->name);
	if (e->text.s != NULL)
		explicit_bzero(e->text.s, e->text.cap);
	sb_free(&e->text);
	free(e);
}

static void
doc_fail(struct xml_doc *d, const char *why)
{
	if (d->err[0] == '\0')
		snprintf(d->err, sizeof(d->err), "%s", why);
	XML_StopParser(d->p, XML_FALSE);
}

/* Splits expat's "URI local" into its two parts. */
static void
split_name(const char *name, char **ns, char **local)
{
	const char *sp = strrchr(name, ' ');

	if (sp == NULL) {
		*ns = xstrdup("");
		*local = xstrdup(name);
	} else {
		*ns = xstrndup(name, (size_t)(sp - name));
		*local = xstrdup(sp + 1);
	}
}

static void
on_start(void *arg, const XML_Char *name, const XML_Char **atts)
{
	struct xml_doc	*d = arg;
	struct xml_elem	*e;
	size_t		 n, i;

	if (d->err[0] != '\0')
		return;
	if (d->depth >= XML_DEPTH_MAX) {
		doc_fail(d, "elements nested too deep");
		return;
	}
	if (++d->nelems > XML_ELEMS_MAX) {
		doc_fail(d, "too many elements");
		return;
	}
	for (n = 0; atts[n] != NULL; n += 2)
		if (strlen(atts[n + 1]) > XML_ATTR_MAX) {
			doc_fail(d, "attribute value too long");
			return;
		}
	if (n / 2 > XML_ATTRS_MAX) {
		doc_fail(d, "too many attributes");
		return;
	}
	e = xcalloc(1, sizeof(*e));
	split_name(name, &e->ns, &e->name);
	e->nattrs = n / 2;
	e->attrs = xcalloc(e->nattrs + 1, sizeof(*e->attrs));
	for (i = 0; i < e->nattrs; i++) {
		e->attrs[i].name = xstrdup(atts[2 * i]);
		e->attrs[i].value = xstrdup(atts[2 * i + 1]);
	}
	e->parent = d->cur;
	if (d->cur == NULL)
		d->root = e;
	else if (d->cur->last == NULL)
		d->cur->children = d->cur->last = e;
	else {
		d->cur->last->next = e;
		d->cur->last = e;
	}
	d->cur = e;
	d->depth++;
}

static void
on_end(void *arg, const XML_Char *name)
{
	struct xml_doc	*d = arg;

	(void)name;
	if (d->err[0] != '\0' || d->cur == NULL)
		return;
	d->cur = d->cur->parent;
	d->depth--;
}

static void
on_text(void *arg, const XML_Char *s, int len)
{
	struct xml_doc	*d = arg;

	if (d->err[0] != '\0' || d->cur == NULL || len <= 0)
		return;
	if (d->cur->text.len + (size_t)len > XML_TEXT_MAX) {
		doc_fail(d, "element text too long");
		return;
	}
	sb_add(&d->cur->text, s, (size_t)len);
}

/* A DTD could declare entities that expand without bound: refused before
 * anything in it is read. */
static void
on_doctype(void *arg, const XML_Char *name, const XML_Char *sysid,
    const XML_Char *pubid, int internal)
{
	(void)name, (void)sysid, (void)pubid, (void)internal;
	doc_fail(arg, "document type declarations are refused");
}

static void
on_entity(void *arg, const XML_Char *name, int param, const XML_Char *value,
    int len, const XML_Char *base, const XML_Char *sysid,
    const XML_Char *pubid, const XML_Char *notation)
{
	(void)name, (void)param, (void)value, (void)len, (void)base;
	(void)sysid, (void)pubid, (void)notation;
	doc_fail(arg, "entity declarations are refused");
}

struct xml_doc *
xml_doc_new(void)
{
	struct xml_doc	*d = xcalloc(1, sizeof(*d));

	if ((d->p = XML_ParserCreateNS("UTF-8", ' ')) == NULL) {
		free(d);
		return NULL;
	}
	XML_SetUserData(d->p, d);
	XML_SetElementHandler(d->p, on_start, on_end);
	XML_SetCharacterDataHandler(d->p, on_text);
	XML_SetStartDoctypeDeclHandler(d->p, on_doctype);
	XML_SetEntityDeclHandler(d->p, on_entity);
	XML_SetParamEntityParsing(d->p, XML_PARAM_ENTITY_PARSING_NEVER);
	return d;
}

int
xml_doc_feed(struct xml_doc *d, const char *p, size_t len, int final,
    char *err, size_t errlen)
{
	if (d->dead || d->done) {
		snprintf(err, errlen, "%s", d->dead ? d->err :
		    "data after the end of the document");
		return -1;
	}
	if (len > XML_BYTES_MAX || d->bytes + len > XML_BYTES_MAX) {
		doc_fail(d, "document larger than 1 MiB");
		goto fail;
	}
	d->bytes += len;
	if (XML_Parse(d->p, p, (int)len, final) == XML_STATUS_ERROR) {
		if (d->err[0] == '\0')
			snprintf(d->err, sizeof(d->err), "not well-formed XML "
			    "(line %lu: %s)",
			    (unsigned long)XML_GetCurrentLineNumber(d->p),
			    XML_ErrorString(XML_GetErrorCode(d->p)));
		goto fail;
	}
	if (final) {
		if (d->root == NULL || d->cur != NULL) {
			doc_fail(d, "no complete element");
			goto fail;
		}
		d->done = 1;
	}
	return 0;
fail:
	d->dead = 1;
	snprintf(err, errlen, "%s", d->err);
	return -1;
}

int
xml_doc_closed(const struct xml_doc *d)
{
	return !d->dead && d->root != NULL && d->cur == NULL;
}

const struct xml_elem *
xml_doc_root(const struct xml_doc *d)
{
	return d->done ? d->root : NULL;
}

void
xml_doc_free(struct xml_doc *d)
{
	if (d == NULL)
		return;
	elem_free(d->root);
	XML_ParserFree(d->p);
	free(d);
}

const char *
xml_attr(const struct xml_elem *e, const char *name)
{
	size_t	 i;

	for (i = 0; i < e->nattrs; i++)
		if (strcmp(e->attrs[i].name, name) == 0)
			return e->attrs[i].value;
	return NULL;
}

int
xml_is(const struct xml_elem *e, const char *ns, const char *name)
{
	return e != NULL && strcmp(e->name, name) == 0 &&
	    (ns == NULL || strcmp(e->ns, ns) == 0);
}

const struct xml_elem *
xml_child(const struct xml_elem *e, const char *ns, const char *name)
{
	const struct xml_elem *c;

	for (c = e->children; c != NULL; c = c->next)
		if (xml_is(c, ns, name))
			return c;
	return NULL;
}

void
xml_escape(struct strbuf *b, const char *s)
{
	for (; *s != '\0'; s++)
		switch (*s) {
		case '&':
			sb_adds(b, "&amp;");
			break;
		case '<':
			sb_adds(b, "&lt;");
			break;
		case '>':
			sb_adds(b, "&gt;");
			break;
		case '\'':
			sb_adds(b, "&apos;");
			break;
		case '"':
			sb_adds(b, "&quot;");
			break;
		default:
			sb_addc(b, *s);
		}
}
