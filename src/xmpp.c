/* xmpp.c: a minimal XMPP client for one job: open a stream to a domain,
 * log in with SASL ANONYMOUS, bind, take the external services (XEP-0215)
 * the server pushes or answers, or, where a Jitsi deployment gives them to
 * a room's occupants only, from the room metadata after joining, close.
 * BOSH and WebSocket carry the same stanzas; expat reads them,
 * namespace-aware, with no DTD and bounded in depth and size. */
#include <cjson/cJSON.h>
#include <expat.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "http.h"
#include "log.h"
#include "xmpp.h"

#define NS_CLIENT	"jabber:client"
#define NS_STREAMS	"http://etherx.jabber.org/streams"
#define NS_STREAM_ERR	"urn:ietf:params:xml:ns:xmpp-streams"
#define NS_STANZA_ERR	"urn:ietf:params:xml:ns:xmpp-stanzas"
#define NS_SASL		"urn:ietf:params:xml:ns:xmpp-sasl"
#define NS_BIND		"urn:ietf:params:xml:ns:xmpp-bind"
#define NS_FRAMING	"urn:ietf:params:xml:ns:xmpp-framing"
#define NS_HTTPBIND	"http://jabber.org/protocol/httpbind"
#define NS_XBOSH	"urn:xmpp:xbosh"
#define NS_DISCO_INFO	"http://jabber.org/protocol/disco#info"
#define NS_MUC		"http://jabber.org/protocol/muc"
#define NS_MUC_USER	"http://jabber.org/protocol/muc#user"

#define XML_ATTRS_MAX	64	/* attributes on one element */
#define STANZAS_MAX	64	/* stanzas skipped while waiting for one */
#define DOCS_MAX	1024	/* BOSH bodies or WebSocket frames */
#define JID_MAX		1024	/* bytes of a JID this client sends */
#define ROOM_STANZAS_MAX 1000	/* stanzas before the room's own presence */
#define FOCUS_RETRY_MS	1000	/* between conference requests */
#define BOSH_WAIT_MAX	60	/* seconds a BOSH poll may be held */
#define CLOSE_WAIT_MS	500	/* for the server's BOSH terminate */
#define ENDPOINTS_MAX	32	/* endpoints remembered by the process */
#define ENDPOINT_KEY_MAX 512	/* bytes of "URL without query + domain" */

/* ---- the XML layer ---------------------------------------------------- */

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

/* Appends s escaped for an XML attribute value or text. */
static void
sb_add_xml(struct strbuf *b, const char *s)
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

/* ---- XEP-0215 services to ICE servers --------------------------------- */

int
xmpp_parse_time(const char *s, time_t *out)
{
	struct tm	 tm;
	int		 n = 0;
	time_t		 t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) != 6 ||
	    n != 19)
		return -1;
	s += n;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++)
			;
	if (strcmp(s, "Z") != 0 || tm.tm_year < 1970 || tm.tm_mon < 1 ||
	    tm.tm_mon > 12 || tm.tm_mday < 1 || tm.tm_mday > 31 ||
	    tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon--;
	if ((t = timegm(&tm)) == (time_t)-1)
		return -1;
	*out = t;
	return 0;
}

struct service {
	const char	*type;
	const char	*host;
	const char	*port;
	const char	*transport;
	const char	*username;
	const char	*password;
	time_t		 expires;
};

static int
is_turn(const char *type)
{
	return strcmp(type, "turn") == 0 || strcmp(type, "turns") == 0;
}

static void
service_url(const struct service *v, struct strbuf *url)
{
	url->len = 0;
	sb_addf(url, "%s:", v->type);
	if (strchr(v->host, ':') != NULL && v->host[0] != '[')
		sb_addf(url, "[%s]", v->host);
	else
		sb_adds(url, v->host);
	if (v->port != NULL)
		sb_addf(url, ":%s", v->port);
	if (is_turn(v->type) && v->transport != NULL &&
	    strcasecmp(v->transport, "udp") != 0)
		sb_addf(url, "?transport=%s", v->transport);
}

/* The expiry in a TURN REST username, "<unix time>[:user]", or 0. */
static time_t
rest_expiry(const char *username)
{
	char	 digits[16];
	size_t	 n = strspn(username, "0123456789");
	long	 t;

	if (n < 9 || n > 10 || (username[n] != '\0' && username[n] != ':'))
		return 0;
	memcpy(digits, username, n);
	digits[n] = '\0';
	if (util_parse_long(digits, 1000000000L, 9999999999L, &t) == -1)
		return 0;
	return (time_t)t;
}

size_t
xmpp_take_services(const struct xml_elem *services, struct ice_list *l,
    size_t *dropped, char *warn, size_t warnlen)
{
	struct service	 sv[ICE_SERVERS_MAX * 2], *v, *w;
	const struct xml_elem *e;
	struct strbuf	 url = { 0 };
	const char	*expires;
	char		 err[128], shown[80];
	size_t		 i, j, n = 0, added = 0;

	*dropped = 0;
	for (e = services->children; e != NULL; e = e->next) {
		if (!xml_is(e, services->ns, "service"))
			continue;
		if (n == sizeof(sv) / sizeof(sv[0])) {
			(*dropped)++;
			continue;
		}
		v = &sv[n];
		memset(v, 0, sizeof(*v));
		v->type = xml_attr(e, "type");
		v->host = xml_attr(e, "host");
		if (v->type == NULL || (strcmp(v->type, "stun") != 0 &&
		    strcmp(v->type, "stuns") != 0 && !is_turn(v->type)))
			continue;	/* not for ICE (XEP-0215 lists any) */
		if (v->host == NULL || *v->host == '\0') {
			if ((*dropped)++ == 0)
				snprintf(warn, warnlen, "dropped a %s service "
				    "without a host", v->type);
			continue;
		}
		v->port = xml_attr(e, "port");
		v->transport = xml_attr(e, "transport");
		v->username = xml_attr(e, "username");
		v->password = xml_attr(e, "password");
		if (v->username == NULL || v->password == NULL)
			v->username = v->password = NULL;
		if ((expires = xml_attr(e, "expires")) != NULL &&
		    xmpp_parse_time(expires, &v->expires) == -1)
			v->expires = 0;
		n++;
	}
	/* mod_turn_external gives the secret only to "turn" entries: a
	 * "turns" on the same host uses the same coturn, so the same
	 * credentials. */
	for (i = 0; i < n; i++) {
		v = &sv[i];
		if (!is_turn(v->type) || v->username != NULL)
			continue;
		for (j = 0; j < n; j++) {
			w = &sv[j];
			if (is_turn(w->type) && w->username != NULL &&
			    strcasecmp(w->host, v->host) == 0) {
				v->username = w->username;
				v->password = w->password;
				v->expires = w->expires;
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		v = &sv[i];
		if (v->expires == 0 && v->username != NULL)
			v->expires = rest_expiry(v->username);
		service_url(v, &url);
		if (ice_list_add(l, url.s, is_turn(v->type) ? v->username :
		    NULL, is_turn(v->type) ? v->password : NULL, v->expires,
		    err, sizeof(err)) == 0) {
			added++;
			continue;
		}
		if ((*dropped)++ == 0)
			snprintf(warn, warnlen, "dropped '%s': %s",
			    log_escape(url.s, 60, shown, sizeof(shown)), err);
	}
	sb_free(&url);
	return added;
}

/* ---- what earlier exchanges showed of an endpoint ---------------------- */

/* PUSHES: the services came pushed at login, without waiting for the
 * query; QUERY: they did not. */
enum endpoint_kind { EP_UNKNOWN, EP_QUERY, EP_PUSHES };

static struct {
	char			 key[ENDPOINT_KEY_MAX];
	enum endpoint_kind	 kind;
} endpoints[ENDPOINTS_MAX];
static size_t		 endpoints_next;
static pthread_mutex_t	 endpoints_lock = PTHREAD_MUTEX_INITIALIZER;

/* The endpoint's key: its URL without the query (room and token differ
 * between calls, the server does not), and the domain.  0, or -1 when too
 * long to remember. */
static int
endpoint_key(const struct xmpp_query *q, char *key, size_t len)
{
	int	 n = snprintf(key, len, "%.*s %s",
	    (int)strcspn(q->shown_url, "?"), q->shown_url, q->domain);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

static enum endpoint_kind
endpoint_get(const struct xmpp_query *q)
{
	enum endpoint_kind kind = EP_UNKNOWN;
	char	 key[ENDPOINT_KEY_MAX];
	size_t	 i;

	if (endpoint_key(q, key, sizeof(key)) == -1)
		return EP_UNKNOWN;
	pthread_mutex_lock(&endpoints_lock);
	for (i = 0; i < ENDPOINTS_MAX; i++)
		if (strcmp(endpoints[i].key, key) == 0)
			kind = endpoints[i].kind;
	pthread_mutex_unlock(&endpoints_lock);
	return kind;
}

static void
endpoint_set(const struct xmpp_query *q, enum endpoint_kind kind)
{
	char	 key[ENDPOINT_KEY_MAX];
	size_t	 i;

	if (endpoint_key(q, key, sizeof(key)) == -1)
		return;
	pthread_mutex_lock(&endpoints_lock);
	for (i = 0; i < ENDPOINTS_MAX; i++)
		if (strcmp(endpoints[i].key, key) == 0)
			break;
	if (i == ENDPOINTS_MAX) {	/* a new one replaces the oldest */
		i = endpoints_next;
		endpoints_next = (endpoints_next + 1) % ENDPOINTS_MAX;
		snprintf(endpoints[i].key, sizeof(endpoints[i].key), "%s",
		    key);
	}
	endpoints[i].kind = kind;
	pthread_mutex_unlock(&endpoints_lock);
}

/* ---- the connection --------------------------------------------------- */

struct conn {
	const struct xmpp_query	*q;
	struct xmpp_status	*st;
	int			 ws;
	size_t			 total;		/* bytes received */
	struct xml_doc		*docs[DOCS_MAX];
	size_t			 ndocs;
	const struct xml_elem	*queue[STANZAS_MAX * 4];	/* received */
	size_t			 qhead, qlen;
	/* BOSH */
	struct http_keep	*keep;
	char			 sid[128];
	unsigned long long	 rid;
	/* WebSocket */
	struct http_ws		*h;
	struct strbuf		 frame;
	struct xml_doc		*partial;	/* the message read so far */
	/* What the server sent unasked after binding (mod_jiconop). */
	const struct xml_elem	*pushed;	/* <services/>, or NULL */
	int			 disco_known;	/* its identities came */
	char			 metadata_jid[JID_MAX];	/* room_metadata */
	char			 nick[17];	/* in the room */
	/* Pipelining (see xmpp_extdisco). */
	enum endpoint_kind	 kind;		/* learnt earlier */
	int			 query_sent;	/* e1 went behind the bind */
	int			 ending;	/* BOSH: terminate in flight */
	int			 ended;		/* BOSH: the session is over */
};

static void fail(struct conn *, int permanent, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Sets the error (the first one wins), prefixed with the URL shown. */
static void
fail(struct conn *c, int permanent, const char *fmt, ...)
{
	char	 msg[200];
	va_list	 ap;

	if (c->st->error[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(c->st->error, sizeof(c->st->error), "%s: %s",
	    c->q->shown_url, msg);
	c->st->permanent = permanent;
}

/* Notes the room_metadata component among disco#info identities. */
static void
note_identities(struct conn *c, const struct xml_elem *query)
{
	const struct xml_elem *e;
	const char *v, *name;

	c->disco_known = 1;
	for (e = query->children; e != NULL; e = e->next) {
		if (!xml_is(e, NS_DISCO_INFO, "identity"))
			continue;
		v = xml_attr(e, "category");
		name = xml_attr(e, "name");
		if (v == NULL || strcmp(v, "component") != 0 ||
		    (v = xml_attr(e, "type")) == NULL ||
		    strcmp(v, "room_metadata") != 0 || name == NULL ||
		    *name == '\0' || strlen(name) >= sizeof(c->metadata_jid))
			continue;
		snprintf(c->metadata_jid, sizeof(c->metadata_jid), "%s", name);
	}
}

static int
is_type(const struct xml_elem *e, const char *type)
{
	const char *v = xml_attr(e, "type");

	return v != NULL && strcmp(v, type) == 0;
}

/* 1 when the stanza comes from the server itself (or has no from). */
static int
from_server(const struct conn *c, const struct xml_elem *e)
{
	const char *from = xml_attr(e, "from");

	return from == NULL || strcasecmp(from, c->q->domain) == 0;
}

/* Keeps what a server message carries unasked: its external services and
 * its identities, as mod_jiconop sends them right after binding. */
static void
note_push(struct conn *c, const struct xml_elem *e)
{
	const struct xml_elem *v;

	if (!xml_is(e, NS_CLIENT, "message") || !from_server(c, e))
		return;
	/* An empty list is no answer: the query or the room may give one. */
	if ((v = xml_child(e, NS_EXTDISCO_2, "services")) != NULL &&
	    v->children != NULL && c->pushed == NULL)
		c->pushed = v;
	if ((v = xml_child(e, NS_DISCO_INFO, "query")) != NULL)
		note_identities(c, v);
}

/* Counts len more bytes from the server and starts a document for them.
 * Returns it, or NULL after fail(). */
static struct xml_doc *
doc_start(struct conn *c, size_t len)
{
	struct xml_doc	*d;

	c->total += len;
	if (c->total > XML_BYTES_MAX) {
		fail(c, 1, "the server sent more than 1 MiB");
		return NULL;
	}
	if (c->partial != NULL)
		return c->partial;
	if (c->ndocs == DOCS_MAX) {
		fail(c, 1, "too many messages from the server");
		return NULL;
	}
	if ((d = xml_doc_new()) == NULL) {
		fail(c, 0, "cannot start the XML parser");
		return NULL;
	}
	c->docs[c->ndocs++] = d;
	return d;
}

/* Ends d and queues its stanzas (the root's children over BOSH, the root
 * itself over WebSocket).  Returns the root, or NULL after fail(). */
static const struct xml_elem *
doc_take(struct conn *c, struct xml_doc *d, const char *p, size_t len)
{
	const struct xml_elem *root, *e;
	char		 err[128];

	if (xml_doc_feed(d, p, len, 1, err, sizeof(err)) == -1) {
		fail(c, 1, "bad XML from the server: %s", err);
		return NULL;
	}
	root = xml_doc_root(d);
	for (e = c->ws ? root : root->children; e != NULL;
	    e = c->ws ? NULL : e->next) {
		if (c->qhead + c->qlen == sizeof(c->queue) /
		    sizeof(c->queue[0])) {
			fail(c, 1, "too many stanzas from the server");
			return NULL;
		}
		note_push(c, e);
		c->queue[c->qhead + c->qlen++] = e;
	}
	return root;
}

/* A BOSH body, whole.  Returns its root, or NULL after fail(). */
static const struct xml_elem *
take_doc(struct conn *c, const char *p, size_t len)
{
	struct xml_doc	*d;

	if ((d = doc_start(c, len)) == NULL)
		return NULL;
	return doc_take(c, d, p, len);
}

/* What came of a WebSocket message.  A message is one XML element (RFC
 * 7395): whole once its root closes, whatever its frames' flags say
 * (libcurl 7.88 flags a first fragment as a whole message and the last
 * with nothing).  Returns 0, or -1 after fail(). */
static int
take_piece(struct conn *c, const char *p, size_t len)
{
	struct xml_doc	*d;
	char		 err[128];

	if ((d = doc_start(c, len)) == NULL)
		return -1;
	c->partial = NULL;
	if (xml_doc_feed(d, p, len, 0, err, sizeof(err)) == -1) {
		fail(c, 1, "bad XML from the server: %s", err);
		return -1;
	}
	if (!xml_doc_closed(d)) {
		c->partial = d;
		return 0;
	}
	return doc_take(c, d, "", 0) == NULL ? -1 : 0;
}

/* BOSH: one request, attrs added to the <body/>, payload inside it.
 * Returns 0, or -1 after fail(). */
static int
bosh_post(struct conn *c, const char *attrs, const char *payload)
{
	struct http_request	 rq;
	struct http_response	 rs;
	struct strbuf		 b = { 0 };
	const struct xml_elem	*body;
	const char		*v;
	char			 err[256], cond[48];
	int			 rc = -1;

	sb_addf(&b, "<body xmlns='" NS_HTTPBIND "' rid='%llu'", c->rid++);
	if (c->sid[0] != '\0') {
		sb_adds(&b, " sid='");
		sb_add_xml(&b, c->sid);
		sb_adds(&b, "'");
	}
	sb_addf(&b, " %s", attrs);
	if (payload[0] == '\0')
		sb_adds(&b, "/>");
	else
		sb_addf(&b, ">%s</body>", payload);

	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.url = c->q->url;
	rq.shown_url = c->q->shown_url;
	rq.content_type = "text/xml; charset=utf-8";
	rq.body = b.s;
	rq.bodylen = b.len;
	rq.cacert = c->q->cacert;
	rq.deadline = c->q->deadline;
	rq.allow_http = c->q->allow_http;
	rq.keep = c->keep;
	log_debug("BOSH %s: sending %zu bytes", c->q->shown_url, b.len);
	if (http_do(&rq, &rs, err, sizeof(err)) == -1) {
		snprintf(c->st->error, sizeof(c->st->error), "%s", err);
		goto out;
	}
	if (rs.status != 200) {
		fail(c, rs.status == 404 || rs.status == 403, "HTTP %ld%s",
		    rs.status, rs.status == 404 ? ": no BOSH service there" :
		    "");
		goto out;
	}
	if ((body = take_doc(c, rs.body.s, rs.body.len)) == NULL)
		goto out;
	if (!xml_is(body, NS_HTTPBIND, "body")) {
		fail(c, 1, "the answer is not a BOSH <body/>");
		goto out;
	}
	if ((v = xml_attr(body, "type")) != NULL &&
	    strcmp(v, "terminate") == 0) {
		c->ended = 1;
		if (c->ending && xml_attr(body, "condition") == NULL) {
			rc = 0;		/* the end asked for */
			goto out;
		}
		v = xml_attr(body, "condition");
		log_escape(v ? v : "", 40, cond, sizeof(cond));
		snprintf(c->st->condition, sizeof(c->st->condition), "%s",
		    cond);
		fail(c, 1, "the server ended the session%s%s%s",
		    v ? " (" : "", v ? cond : "", v ? ")" : "");
		goto out;
	}
	if (c->sid[0] == '\0') {
		if ((v = xml_attr(body, "sid")) == NULL || *v == '\0' ||
		    strlen(v) >= sizeof(c->sid)) {
			fail(c, 1, "the BOSH session has no usable sid");
			goto out;
		}
		snprintf(c->sid, sizeof(c->sid), "%s", v);
	}
	rc = 0;
out:
	http_response_free(&rs);
	sb_free(&b);
	return rc;
}

/* The "to" of a stream header, escaped. */
static void
add_to(struct strbuf *b, const char *domain)
{
	sb_adds(b, "to='");
	sb_add_xml(b, domain);
	sb_adds(b, "'");
}

static int
ws_send(struct conn *c, const char *text)
{
	char	 err[256];

	if (http_ws_send(c->h, text, strlen(text), c->q->deadline, err,
	    sizeof(err)) == -1) {
		snprintf(c->st->error, sizeof(c->st->error), "%s", err);
		return -1;
	}
	return 0;
}

static int
ws_open_stream(struct conn *c)
{
	struct strbuf	 b = { 0 };
	int		 rc;

	sb_adds(&b, "<open xmlns='" NS_FRAMING "' ");
	add_to(&b, c->q->domain);
	sb_adds(&b, " version='1.0' xml:lang='en'/>");
	rc = ws_send(c, b.s);
	sb_free(&b);
	return rc;
}

#define AUTH_ANONYMOUS	"<auth xmlns='" NS_SASL "' mechanism='ANONYMOUS'/>"
#define PRESENCE_GONE	"<presence xmlns='" NS_CLIENT "' type='unavailable'/>"

/* Opens the session and the stream, with the SASL ANONYMOUS auth right
 * behind the open, before the features came (login() reads them after).
 * 0, or -1 after fail(). */
static int
conn_start(struct conn *c)
{
	struct http_request	 rq;
	struct strbuf		 b = { 0 };
	char			 err[256];
	long long		 wait;
	int			 rc;

	if (c->ws) {
		memset(&rq, 0, sizeof(rq));
		rq.method = "GET";
		rq.url = c->q->url;
		rq.shown_url = c->q->shown_url;
		rq.cacert = c->q->cacert;
		rq.deadline = c->q->deadline;
		rq.allow_http = c->q->allow_http;
		if ((c->h = http_ws_open(&rq, "xmpp", err,
		    sizeof(err))) == NULL) {
			snprintf(c->st->error, sizeof(c->st->error), "%s",
			    err);
			return -1;
		}
		/* RFC 6455 4.1: frames only after the 101, which came. */
		if (ws_open_stream(c) == -1)
			return -1;
		return ws_send(c, AUTH_ANONYMOUS);
	}
	/* The server holds an empty poll this long: not past the deadline. */
	wait = (c->q->deadline - util_monotonic_ms()) / 1000 - 1;
	wait = wait < 1 ? 1 : wait > BOSH_WAIT_MAX ? BOSH_WAIT_MAX : wait;
	c->keep = http_keep_new();
	add_to(&b, c->q->domain);
	sb_addf(&b, " content='text/xml; charset=utf-8' hold='1' ver='1.6' "
	    "wait='%lld' xml:lang='en' xmpp:version='1.0' "
	    "xmlns:xmpp='" NS_XBOSH "'", wait);
	rc = bosh_post(c, b.s, AUTH_ANONYMOUS);
	sb_free(&b);
	return rc;
}

static int
conn_send(struct conn *c, const char *stanza)
{
	return c->ws ? ws_send(c, stanza) : bosh_post(c, "", stanza);
}

/* A new stream after SASL success, with the stanzas (NULL-ended) right
 * behind it: in the restart body, or one WebSocket message each. */
static int
conn_restart(struct conn *c, const char *const *stanzas)
{
	struct strbuf	 b = { 0 }, payload = { 0 };
	int		 rc = -1;

	if (c->ws) {
		if (ws_open_stream(c) == -1)
			return -1;
		for (; *stanzas != NULL; stanzas++)
			if (ws_send(c, *stanzas) == -1)
				return -1;
		return 0;
	}
	for (; *stanzas != NULL; stanzas++)
		sb_adds(&payload, *stanzas);
	add_to(&b, c->q->domain);
	sb_adds(&b, " xml:lang='en' xmpp:restart='true' "
	    "xmlns:xmpp='" NS_XBOSH "'");
	rc = bosh_post(c, b.s, payload.s ? payload.s : "");
	sb_free(&payload);
	sb_free(&b);
	return rc;
}

/* The next stanza from the server, waiting for one; NULL after fail().
 * It lives until the connection ends. */
static const struct xml_elem *
conn_next(struct conn *c)
{
	const struct xml_elem *e;
	char	 err[256];

	while (c->qlen == 0) {
		if (c->ended) {
			fail(c, 0, "the session ended before the answer came");
			return NULL;
		}
		if (!c->ws) {
			if (bosh_post(c, "", "") == -1)	/* a poll */
				return NULL;
			continue;
		}
		if (http_ws_recv(c->h, &c->frame, XML_BYTES_MAX,
		    c->q->deadline, err, sizeof(err)) == -1) {
			snprintf(c->st->error, sizeof(c->st->error), "%s",
			    err);
			return NULL;
		}
		if (take_piece(c, c->frame.s, c->frame.len) == -1)
			return NULL;
	}
	e = c->queue[c->qhead++];
	if (--c->qlen == 0)
		c->qhead = 0;
	return e;
}

/* Ends the session politely, within what is left of the deadline; leave,
 * when not NULL, is a stanza sent first. */
static void
conn_end(struct conn *c, const char *leave)
{
	struct strbuf b = { 0 };
	struct xmpp_query q = *c->q;
	const struct xmpp_query *saved = c->q;
	struct xmpp_status st = *c->st, *saved_st = c->st;
	long long now = util_monotonic_ms();

	if ((c->sid[0] == '\0' && c->h == NULL) || c->ended)
		return;
	/* Failures here do not matter: the answer is in. */
	c->q = &q;
	c->st = &st;
	st.error[0] = '\0';
	if (q.deadline - now > CLOSE_WAIT_MS)
		q.deadline = now + CLOSE_WAIT_MS;
	/* The server's <close/> is not awaited: nothing more is needed. */
	if (c->ws) {
		if (leave == NULL || ws_send(c, leave) == 0)
			(void)ws_send(c, "<close xmlns='" NS_FRAMING "'/>");
	} else {
		sb_adds(&b, leave ? leave : "");
		sb_adds(&b, PRESENCE_GONE);
		c->ending = 1;
		(void)bosh_post(c, "type='terminate'", b.s);
	}
	sb_free(&b);
	c->q = saved;
	c->st = saved_st;
}

static void
conn_free(struct conn *c)
{
	size_t	 i;

	for (i = 0; i < c->ndocs; i++)
		xml_doc_free(c->docs[i]);
	http_keep_free(c->keep);
	http_ws_close(c->h);
	if (c->frame.s != NULL)
		explicit_bzero(c->frame.s, c->frame.cap);
	sb_free(&c->frame);
}

/* The condition of a stream or stanza error: the first child in ns, not
 * <text/>; escaped, or "unknown". */
static const char *
condition(const struct xml_elem *error, const char *ns, char *buf,
    size_t len)
{
	const struct xml_elem *e;

	for (e = error ? error->children : NULL; e != NULL; e = e->next)
		if (strcmp(e->ns, ns) == 0 && strcmp(e->name, "text") != 0)
			return log_escape(e->name, 40, buf, len);
	snprintf(buf, len, "unknown");
	return buf;
}

/* Fails when e ends the stream: a stream error or a WebSocket <close/>.
 * Returns 1 when it did. */
static int
stream_ended(struct conn *c, const struct xml_elem *e)
{
	char	 cond[48];

	if (xml_is(e, NS_STREAMS, "error")) {
		condition(e, NS_STREAM_ERR, cond, sizeof(cond));
		snprintf(c->st->condition, sizeof(c->st->condition), "%s",
		    cond);
		fail(c, 1, "stream error: %s", cond);
		return 1;
	}
	if (xml_is(e, NS_FRAMING, "close")) {
		fail(c, 0, "the server closed the stream");
		return 1;
	}
	return 0;
}

/* Waits for <stream:features/>. */
static const struct xml_elem *
wait_features(struct conn *c)
{
	const struct xml_elem *e;
	size_t	 i;

	for (i = 0; i < STANZAS_MAX; i++) {
		if ((e = conn_next(c)) == NULL || stream_ended(c, e))
			return NULL;
		if (xml_is(e, NS_STREAMS, "features"))
			return e;
	}
	fail(c, 1, "no stream features from the server");
	return NULL;
}

/* Waits for the <iq/> answering id. */
static const struct xml_elem *
wait_iq(struct conn *c, const char *id)
{
	const struct xml_elem *e;
	const char *v;
	size_t	 i;

	for (i = 0; i < STANZAS_MAX; i++) {
		if ((e = conn_next(c)) == NULL || stream_ended(c, e))
			return NULL;
		if (xml_is(e, NS_CLIENT, "iq") &&
		    (v = xml_attr(e, "id")) != NULL && strcmp(v, id) == 0)
			return e;
	}
	fail(c, 1, "no answer to query %s", id);
	return NULL;
}

/* 1 when the mechanisms offered include ANONYMOUS; lists them in buf. */
static int
offers_anonymous(const struct xml_elem *features, char *buf, size_t len)
{
	const struct xml_elem *m, *e;
	char	 one[40];
	int	 yes = 0;

	buf[0] = '\0';
	if ((m = xml_child(features, NS_SASL, "mechanisms")) == NULL)
		return 0;
	for (e = m->children; e != NULL; e = e->next) {
		if (!xml_is(e, NS_SASL, "mechanism") || e->text.s == NULL)
			continue;
		if (strcmp(e->text.s, "ANONYMOUS") == 0)
			yes = 1;
		log_escape(e->text.s, 30, one, sizeof(one));
		if (strlen(buf) + strlen(one) + 3 < len)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
			    buf[0] ? ", " : "", one);
	}
	return yes;
}

/* Writes <iq type=type id=id to=to> around payload into b. */
static void
iq_text(struct strbuf *b, const char *type, const char *id, const char *to,
    const char *payload)
{
	sb_addf(b, "<iq xmlns='" NS_CLIENT "' type='%s' id='%s' to='", type,
	    id);
	sb_add_xml(b, to);
	sb_addf(b, "'>%s</iq>", payload);
}

/* The XEP-0215 query in ns with id, into b. */
static void
services_iq(struct conn *c, struct strbuf *b, const char *ns, const char *id)
{
	char	 payload[80];

	snprintf(payload, sizeof(payload), "<services xmlns='%s'/>", ns);
	iq_text(b, "get", id, c->q->domain, payload);
}

/* 1 when a SASL <success/> or <failure/> is among the stanzas received. */
static int
queued_sasl_outcome(const struct conn *c)
{
	size_t	 i;

	for (i = c->qhead; i < c->qhead + c->qlen; i++)
		if (xml_is(c->queue[i], NS_SASL, "success") ||
		    xml_is(c->queue[i], NS_SASL, "failure"))
			return 1;
	return 0;
}

/* 1 when the answer to the <iq/> id is among the stanzas received. */
static int
queued_iq(const struct conn *c, const char *id)
{
	const char *v;
	size_t	 i;

	for (i = c->qhead; i < c->qhead + c->qlen; i++)
		if (xml_is(c->queue[i], NS_CLIENT, "iq") &&
		    (v = xml_attr(c->queue[i], "id")) != NULL &&
		    strcmp(v, id) == 0)
			return 1;
	return 0;
}

/* The ANONYMOUS auth went behind the stream open (conn_start); the
 * features tell what its <failure/> means.  Then the restart, the bind
 * and, unless this endpoint pushed the services before (PUSHES), the
 * query go together. */
static int
login(struct conn *c)
{
	const struct xml_elem *f, *e;
	const char *stanzas[3] = { "<iq xmlns='" NS_CLIENT "' type='set' "
	    "id='b1'><bind xmlns='" NS_BIND "'/></iq>", NULL, NULL };
	struct strbuf query = { 0 };
	char	 mechs[120], cond[48];
	size_t	 i;
	int	 rc = -1;

	if ((f = wait_features(c)) == NULL)
		goto out;
	/* Not offered: the auth sent can only fail, and no other will do. */
	if (!offers_anonymous(f, mechs, sizeof(mechs))) {
		fail(c, 1, "the server does not offer anonymous login (SASL "
		    "ANONYMOUS)%s%s", mechs[0] ? "; it offers " : "", mechs);
		goto out;
	}
	/* A connection manager may ignore the session request's payload:
	 * its answer then holds no SASL outcome, and the auth goes again,
	 * as in the exchange without pipelining. */
	if (!c->ws && !queued_sasl_outcome(c)) {
		log_debug("BOSH %s: the auth in the session request went "
		    "unanswered: sent again", c->q->shown_url);
		if (conn_send(c, AUTH_ANONYMOUS) == -1)
			goto out;
	}
	for (i = 0; ; i++) {
		if (i == STANZAS_MAX) {
			fail(c, 1, "no answer to SASL ANONYMOUS");
			goto out;
		}
		if ((e = conn_next(c)) == NULL || stream_ended(c, e))
			goto out;
		if (xml_is(e, NS_SASL, "success"))
			break;
		if (xml_is(e, NS_SASL, "failure")) {
			condition(e, NS_SASL, cond, sizeof(cond));
			snprintf(c->st->condition, sizeof(c->st->condition),
			    "%s", cond);
			c->st->step = XMPP_STEP_SASL;
			fail(c, 1, "anonymous login refused (%s)", cond);
			goto out;
		}
	}
	if (c->kind != EP_PUSHES) {
		services_iq(c, &query, NS_EXTDISCO_2, "e1");
		stanzas[1] = query.s;
		c->query_sent = 1;
	}
	if (conn_restart(c, stanzas) == -1 || (f = wait_features(c)) == NULL)
		goto out;
	if (xml_child(f, NS_BIND, "bind") == NULL) {
		fail(c, 1, "the server offers no resource binding");
		goto out;
	}
	if ((e = wait_iq(c, "b1")) == NULL)
		goto out;
	if (!is_type(e, "result")) {
		condition(xml_child(e, NS_CLIENT, "error"), NS_STANZA_ERR,
		    cond, sizeof(cond));
		fail(c, 1, "resource binding refused (%s)", cond);
		goto out;
	}
	e = xml_child(e, NS_BIND, "bind");
	e = e != NULL ? xml_child(e, NS_BIND, "jid") : NULL;
	xmpp_nick(e != NULL ? e->text.s : NULL, c->nick, sizeof(c->nick));
	rc = 0;
out:
	sb_free(&query);
	return rc;
}

/* Sends <iq type=type id=id to=to> around payload; returns the answer or
 * NULL. */
static const struct xml_elem *
ask(struct conn *c, const char *type, const char *id, const char *to,
    const char *payload)
{
	struct strbuf	 b = { 0 };
	const struct xml_elem *e = NULL;

	iq_text(&b, type, id, to, payload);
	if (conn_send(c, b.s) == 0)
		e = wait_iq(c, id);
	sb_free(&b);
	return e;
}

/* Sends the query in ns with id; returns the answer or NULL. */
static const struct xml_elem *
ask_services(struct conn *c, const char *ns, const char *id)
{
	struct strbuf	 b = { 0 };
	const struct xml_elem *e = NULL;

	services_iq(c, &b, ns, id);
	if (conn_send(c, b.s) == 0)
		e = wait_iq(c, id);
	sb_free(&b);
	return e;
}

/* The server's identities, unless they came with the push already.
 * 0, or -1 after fail(); an error answer only means none. */
static int
ask_identities(struct conn *c)
{
	const struct xml_elem *e, *query;

	if (c->disco_known)
		return 0;
	if ((e = ask(c, "get", "d1", c->q->domain,
	    "<query xmlns='" NS_DISCO_INFO "'/>")) == NULL)
		return -1;
	if (is_type(e, "result") &&
	    (query = xml_child(e, NS_DISCO_INFO, "query")) != NULL)
		note_identities(c, query);
	c->disco_known = 1;
	return 0;
}

/* The <text/> of a stanza error, escaped, or "". */
static const char *
error_text(const struct xml_elem *error, char *buf, size_t len)
{
	const struct xml_elem *t;

	buf[0] = '\0';
	if (error != NULL && (t = xml_child(error, NS_STANZA_ERR,
	    "text")) != NULL && t->text.s != NULL)
		log_escape(t->text.s, 80, buf, len);
	return buf;
}

/* Notes a refused stanza's condition and step; returns the <error/>. */
static const struct xml_elem *
refusal(struct conn *c, const struct xml_elem *e, enum xmpp_step step,
    char *cond, size_t len)
{
	const struct xml_elem *error = xml_child(e, NS_CLIENT, "error");

	condition(error, NS_STANZA_ERR, cond, len);
	snprintf(c->st->condition, sizeof(c->st->condition), "%s", cond);
	c->st->step = step;
	return error;
}

static void
sleep_ms(long long ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1)
		;
}

/* Asks the focus for the conference in room_jid until it is ready (the
 * focus alone creates rooms).  0, or -1 after fail(). */
static int
ask_conference(struct conn *c, const char *room_jid)
{
	const struct xml_elem *e, *error, *conf, *resv;
	struct strbuf	 payload = { 0 };
	const char	*v;
	char		 id[16], uid[33], cond[48], text[100], code[24];
	unsigned	 n;
	int		 rc = -1;

	c->st->step = XMPP_STEP_FOCUS;
	c->st->condition[0] = '\0';
	xmpp_random_hex(uid, sizeof(uid));
	sb_adds(&payload, "<conference xmlns='" NS_FOCUS "' room='");
	sb_add_xml(&payload, room_jid);
	sb_addf(&payload, "' machine-uid='%s'/>", uid);
	for (n = 1; ; n++) {
		snprintf(id, sizeof(id), "c%u", n);
		if ((e = ask(c, "set", id, c->q->focus, payload.s)) == NULL)
			goto out;
		if (is_type(e, "error")) {
			error = refusal(c, e, XMPP_STEP_FOCUS, cond,
			    sizeof(cond));
			error_text(error, text, sizeof(text));
			resv = NULL;
			for (e = error ? error->children : NULL; e != NULL;
			    e = e->next)
				if (xml_is(e, NULL, "reservation-error"))
					resv = e;
			if (resv != NULL) {
				c->st->reservation = 1;
				v = xml_attr(resv, "error-code");
				fail(c, 1, "the focus %s refused the conference: "
				    "reservation error %s%s%s",
				    c->q->focus, log_escape(v ? v : "?", 10,
				    code, sizeof(code)), text[0] ? ": " : "",
				    text);
			} else
				fail(c, strcmp(cond, "not-authorized") == 0 ||
				    strcmp(cond, "forbidden") == 0 ||
				    strcmp(cond, "not-allowed") == 0,
				    "the focus %s refused the conference "
				    "(%s%s%s)", c->q->focus, cond,
				    text[0] ? ": " : "", text);
			goto out;
		}
		if (!is_type(e, "result") ||
		    (conf = xml_child(e, NS_FOCUS, "conference")) == NULL) {
			fail(c, 1, "the focus %s answered no conference",
			    c->q->focus);
			goto out;
		}
		if ((v = xml_attr(conf, "ready")) != NULL &&
		    strcmp(v, "true") == 0)
			break;
		/* Not ready yet: jicofo is creating the room. */
		if (util_monotonic_ms() + FOCUS_RETRY_MS >= c->q->deadline) {
			fail(c, 0, "the focus %s did not have the conference "
			    "ready in time", c->q->focus);
			goto out;
		}
		sleep_ms(FOCUS_RETRY_MS);
	}
	rc = 0;
out:
	sb_free(&payload);
	return rc;
}

/* 1 when the presence e is the room's own presence for this client
 * (status 110). */
static int
own_presence(const struct xml_elem *e)
{
	const struct xml_elem *x, *s;
	const char *v;

	if ((x = xml_child(e, NS_MUC_USER, "x")) == NULL)
		return 0;
	for (s = x->children; s != NULL; s = s->next)
		if (xml_is(s, NS_MUC_USER, "status") &&
		    (v = xml_attr(s, "code")) != NULL && strcmp(v, "110") == 0)
			return 1;
	return 0;
}

/* 1 when from is room_jid or an occupant of it. */
static int
from_room(const char *from, const char *room_jid)
{
	size_t	 n = strlen(room_jid);

	return from != NULL && strncasecmp(from, room_jid, n) == 0 &&
	    (from[n] == '\0' || from[n] == '/');
}

/* Keeps a document the connection did not receive, for its lifetime. */
static int
keep_doc(struct conn *c, struct xml_doc *d)
{
	if (c->ndocs == DOCS_MAX) {
		xml_doc_free(d);
		fail(c, 1, "too many messages from the server");
		return -1;
	}
	c->docs[c->ndocs++] = d;
	return 0;
}

/* Joins the room as occupant (no media: presence only) and waits for the
 * room metadata with services, which comes just before the room's own
 * presence.  Returns the services, or NULL after fail(). */
static const struct xml_elem *
join_room(struct conn *c, const char *room_jid, const char *occupant)
{
	const struct xml_elem *e, *json;
	struct strbuf	 b = { 0 };
	struct xml_doc	*d;
	const char	*v;
	char		 cond[48], text[100], why[120] = "";
	size_t		 i;

	sb_adds(&b, "<presence xmlns='" NS_CLIENT "' to='");
	sb_add_xml(&b, occupant);
	sb_adds(&b, "'><x xmlns='" NS_MUC "'/></presence>");
	c->st->step = XMPP_STEP_ROOM;
	c->st->condition[0] = '\0';
	i = conn_send(c, b.s) == 0 ? 0 : ROOM_STANZAS_MAX + 1;
	sb_free(&b);
	for (; i < ROOM_STANZAS_MAX; i++) {
		if ((e = conn_next(c)) == NULL || stream_ended(c, e))
			return NULL;
		v = xml_attr(e, "from");
		/* Its room attribute may be the deployment's own spelling of
		 * the room (a tenant's): this client is in one room only. */
		if (xml_is(e, NS_CLIENT, "message") && v != NULL &&
		    strcasecmp(v, c->metadata_jid) == 0 &&
		    (json = xml_child(e, NS_JITMEET, "json-message")) != NULL &&
		    json->text.s != NULL) {
			/* Updates carry no services: only the first does. */
			if ((d = xmpp_metadata_services(json->text.s, why,
			    sizeof(why))) == NULL)
				continue;
			if (keep_doc(c, d) == -1)
				return NULL;
			return xml_doc_root(d);
		}
		if (!xml_is(e, NS_CLIENT, "presence") || !from_room(v, room_jid))
			continue;
		if (is_type(e, "error")) {
			refusal(c, e, XMPP_STEP_ROOM, cond, sizeof(cond));
			error_text(xml_child(e, NS_CLIENT, "error"), text,
			    sizeof(text));
			fail(c, 1, "the room %s refused this client (%s%s%s)",
			    room_jid, cond, text[0] ? ": " : "", text);
			return NULL;
		}
		if (own_presence(e)) {
			fail(c, 1, "joined %s, but no services came in its "
			    "metadata (from %s)%s%s", room_jid,
			    c->metadata_jid, why[0] ? ": " : "", why);
			return NULL;
		}
	}
	fail(c, 1, "no answer from the room %s", room_jid);
	return NULL;
}

/* The conference path: asks the focus for the room, joins it, takes the
 * services from its metadata.  leave gets the presence that leaves it.
 * Returns the services, or NULL after fail(). */
static const struct xml_elem *
room_services(struct conn *c, struct strbuf *leave)
{
	struct strbuf	 room = { 0 }, occupant = { 0 };
	const struct xml_elem *services = NULL;

	sb_addf(&room, "%s@%s", c->q->room, c->q->muc_domain);
	sb_addf(&occupant, "%s/%s", room.s, c->nick);
	if (room.len >= JID_MAX || occupant.len >= JID_MAX) {
		fail(c, 1, "the room name is too long");
		goto out;
	}
	log_debug("XMPP %s: external services for occupants of %s only: "
	    "joining it", c->q->shown_url, room.s);
	if (ask_conference(c, room.s) == -1)
		goto out;
	sb_adds(leave, "<presence xmlns='" NS_CLIENT "' type='unavailable' "
	    "to='");
	sb_add_xml(leave, occupant.s);
	sb_adds(leave, "'/>");
	services = join_room(c, room.s, occupant.s);
out:
	sb_free(&room);
	sb_free(&occupant);
	return services;
}

/* Adds the services to l.  0, or -1 after fail(). */
static int
take_into(struct conn *c, const struct xml_elem *services,
    struct ice_list *l)
{
	struct xmpp_status *st = c->st;
	char	 warn[sizeof(st->warning)];
	size_t	 added, dropped;

	warn[0] = '\0';
	added = xmpp_take_services(services, l, &dropped, warn, sizeof(warn));
	if (dropped > 0)
		snprintf(st->warning, sizeof(st->warning), "%zu entr%s "
		    "dropped%s%.180s", dropped, dropped == 1 ? "y" : "ies",
		    warn[0] ? "; first: " : "", warn);
	if (added == 0) {
		fail(c, 1, "the server lists no usable STUN or TURN "
		    "service%s%.150s", st->warning[0] ? ": " : "",
		    st->warning);
		return -1;
	}
	return 0;
}

/* What one exchange ended with. */
struct outcome {
	int	 gated;		/* the services are for a room's occupants */
	int	 again;		/* the session ended too early: start anew */
	int	 pushed;	/* the services came pushed */
};

/* The XEP-0215 query, extdisco:2 then :1; e: the answer to the first,
 * when it came behind the bind already.  When the session ended before an
 * answer, o->again asks for a new exchange.  Returns the services, NULL
 * after fail(), or NULL with o->gated set when the answer is forbidden and
 * a room metadata component could give them to occupants. */
static const struct xml_elem *
query_services(struct conn *c, const struct xml_elem *e, struct outcome *o)
{
	const struct xml_elem *services;
	const char	*ns = NS_EXTDISCO_2;
	char		 cond[48];

	if (e == NULL)
		e = ask_services(c, ns, "e1");
	if (e == NULL) {
		o->again = c->ended;
		return NULL;
	}
	if (is_type(e, "error")) {
		refusal(c, e, XMPP_STEP_EXTDISCO, cond, sizeof(cond));
		/* Older servers know only :1; forbidden is no namespace
		 * issue. */
		if (strcmp(cond, "forbidden") != 0) {
			if ((o->again = c->ended))
				return NULL;
			ns = NS_EXTDISCO_1;
			if ((e = ask_services(c, ns, "e2")) == NULL)
				return NULL;
		}
	}
	if (!is_type(e, "result")) {
		refusal(c, e, XMPP_STEP_EXTDISCO, cond, sizeof(cond));
		if (strcmp(cond, "forbidden") == 0 && c->q->room != NULL) {
			if ((o->again = c->ended))
				return NULL;
			if (ask_identities(c) == -1)
				return NULL;
			if (c->metadata_jid[0] != '\0') {
				o->gated = 1;
				return NULL;
			}
		}
		fail(c, strcmp(cond, "forbidden") == 0 ||
		    strcmp(cond, "service-unavailable") == 0 ||
		    strcmp(cond, "feature-not-implemented") == 0,
		    "the server refused the external services query (%s)",
		    cond);
		return NULL;
	}
	if ((services = xml_child(e, ns, "services")) == NULL)
		fail(c, 1, "the answer holds no <services/> in %s", ns);
	return services;
}

/* One exchange, from the connection to its end. */
static int
exchange(const struct xmpp_query *q, struct ice_list *l,
    struct xmpp_status *st, enum endpoint_kind kind, struct outcome *o)
{
	struct conn	 c;
	struct strbuf	 leave = { 0 };
	const struct xml_elem *services = NULL, *answer = NULL;
	int		 rc = -1;

	memset(st, 0, sizeof(*st));
	memset(o, 0, sizeof(*o));
	memset(&c, 0, sizeof(c));
	c.q = q;
	c.st = st;
	c.kind = kind;
	c.ws = strncmp(q->url, "ws://", 5) == 0 ||
	    strncmp(q->url, "wss://", 6) == 0;
	c.rid = 1000000 +
	    (unsigned long long)(util_monotonic_ms() % 1000000000);

	if (conn_start(&c) == -1 || login(&c) == -1)
		goto out;
	/* A connection manager that answered the restart without the
	 * query's answer dropped the query (BOSH answers a request with all
	 * it holds): it is asked again. */
	if (c.query_sent && !c.ws && !queued_iq(&c, "e1")) {
		log_debug("BOSH %s: the query in the restart went unanswered: "
		    "sent again", q->shown_url);
		c.query_sent = 0;
	}
	/* What was pushed before the answer to the query behind the bind
	 * wins; that answer is then left unread. */
	if (c.query_sent && c.pushed == NULL && (c.metadata_jid[0] == '\0' ||
	    q->room == NULL) && (answer = wait_iq(&c, "e1")) == NULL) {
		o->again = c.ended;
		goto out;
	}
	if (c.pushed != NULL)
		services = c.pushed;	/* no query needed */
	else if (c.metadata_jid[0] != '\0' && q->room != NULL)
		o->gated = 1;		/* they come in the room metadata */
	else if ((services = query_services(&c, answer, o)) == NULL &&
	    !o->gated)
		goto out;
	if (o->gated && (services = room_services(&c, &leave)) == NULL)
		goto out;
	if (take_into(&c, services, l) == -1)
		goto out;
	conn_end(&c, leave.len > 0 ? leave.s : NULL);
	rc = 0;
out:
	if (rc == -1 && st->error[0] == '\0')
		fail(&c, 0, "failed");
	o->pushed = c.pushed != NULL;
	sb_free(&leave);
	conn_free(&c);
	return rc;
}

/*
 * Pipelining, so that the services come in as few round trips as the
 * protocols allow: the ANONYMOUS auth rides with the stream open (its
 * <failure/> read against the features offered), the bind and the query
 * with the restart (RFC 6120 forbids only a restart before <success/>),
 * the goodbye is not awaited.  Services pushed at login win when they
 * come before the query's answer; an endpoint that pushed them once in
 * this process gets no query behind the bind after (a redundant query to
 * it is harmless, but waiting for the bind's answer before asking would
 * cost every cold start a round trip).
 */
int
xmpp_extdisco(const struct xmpp_query *q, struct ice_list *l,
    struct xmpp_status *st)
{
	struct outcome	 o;
	enum endpoint_kind kind = endpoint_get(q);
	int		 rc;

	rc = exchange(q, l, st, kind, &o);
	if (o.again && kind == EP_PUSHES) {
		/* Known to push, it ended the session before doing so. */
		log_debug("XMPP %s: the session ended before the push: "
		    "again, with the query", q->shown_url);
		kind = EP_QUERY;
		rc = exchange(q, l, st, kind, &o);
	}
	if (rc == 0)
		endpoint_set(q, o.pushed ? EP_PUSHES : EP_QUERY);
	return rc;
}

/* ---- Jitsi room metadata ---------------------------------------------- */

/* Appends name='value' for a service field that is a string (or, for the
 * port, an integer); a value with control characters is left out. */
static void
add_field(struct strbuf *b, const cJSON *service, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(service, name);
	const char *p;

	if (cJSON_IsNumber(v) && strcmp(name, "port") == 0 &&
	    v->valuedouble >= 0 && v->valuedouble <= 65535 &&
	    v->valuedouble == (double)(int)v->valuedouble) {
		sb_addf(b, " port='%d'", (int)v->valuedouble);
		return;
	}
	if (!cJSON_IsString(v))
		return;
	for (p = v->valuestring; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return;
	sb_addf(b, " %s='", name);
	sb_add_xml(b, v->valuestring);
	sb_addc(b, '\'');
}

struct xml_doc *
xmpp_metadata_services(const char *json, char *why, size_t whylen)
{
	static const char *const fields[] = { "type", "transport", "host",
		"port", "username", "password", "expires", "restricted" };
	const cJSON	*v, *md, *services, *one;
	cJSON		*doc;
	struct xml_doc	*d = NULL;
	struct strbuf	 b = { 0 };
	char		 err[128];
	size_t		 i;

	if ((doc = cJSON_Parse(json)) == NULL || !cJSON_IsObject(doc)) {
		snprintf(why, whylen, "the room metadata is not a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(doc, "type");
	md = cJSON_GetObjectItemCaseSensitive(doc, "metadata");
	if (!cJSON_IsString(v) || strcmp(v->valuestring, "room_metadata") !=
	    0 || !cJSON_IsObject(md)) {
		snprintf(why, whylen, "the message is not room metadata");
		goto out;
	}
	services = cJSON_GetObjectItemCaseSensitive(md, "services");
	if (!cJSON_IsArray(services)) {
		snprintf(why, whylen, "the room metadata has no services list");
		goto out;
	}
	sb_adds(&b, "<services xmlns='" NS_EXTDISCO_2 "'>");
	cJSON_ArrayForEach(one, services) {
		if (!cJSON_IsObject(one))
			continue;
		sb_adds(&b, "<service");
		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			add_field(&b, one, fields[i]);
		sb_adds(&b, "/>");
	}
	sb_adds(&b, "</services>");
	if ((d = xml_doc_new()) == NULL) {
		snprintf(why, whylen, "cannot start the XML parser");
		goto out;
	}
	if (xml_doc_feed(d, b.s, b.len, 1, err, sizeof(err)) == -1) {
		snprintf(why, whylen, "the room metadata services: %s", err);
		xml_doc_free(d);
		d = NULL;
	}
out:
	if (b.s != NULL)
		explicit_bzero(b.s, b.cap);	/* holds credentials */
	sb_free(&b);
	cJSON_Delete(doc);
	return d;
}

void
xmpp_random_hex(char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char	 r[64];
	size_t		 i, n = len - 1 > sizeof(r) ? sizeof(r) : len - 1;

	if (RAND_bytes(r, (int)n) != 1)
		for (i = 0; i < n; i++)	/* no entropy: still unlikely to clash */
			r[i] = (unsigned char)(util_monotonic_ms() * 131 +
			    i * 7919 + (unsigned)rand());
	for (i = 0; i < n; i++)
		buf[i] = hex[r[i] & 15];
	buf[n] = '\0';
}

void
xmpp_nick(const char *jid, char *nick, size_t len)
{
	const char *at = jid != NULL ? strchr(jid, '@') : NULL;
	const char *slash = jid != NULL ? strchr(jid, '/') : NULL;
	size_t	 n;

	if (slash != NULL && at > slash)
		at = NULL;		/* an '@' in the resource */
	for (n = 0; at != NULL && jid + n < at && n < 8 && n + 1 < len; n++)
		if (!((jid[n] >= 'A' && jid[n] <= 'Z') ||
		    (jid[n] >= 'a' && jid[n] <= 'z') ||
		    (jid[n] >= '0' && jid[n] <= '9') ||
		    (jid[n] == '_' && n > 0)))
			break;
	/* All of the first 8, or a shorter local part whole. */
	if (n > 0 && (n == 8 || jid + n == at)) {
		memcpy(nick, jid, n);
		nick[n] = '\0';
		return;
	}
	xmpp_random_hex(nick, len);
}
