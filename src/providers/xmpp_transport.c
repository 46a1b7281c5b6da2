/* xmpp_transport.c: the connection of the XMPP client: BOSH (XEP-0124,
 * XEP-0206) or WebSocket (RFC 7395) under the same stanzas, the documents
 * received and the queue of stanzas read from them, and what the server
 * pushes unasked. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../http.h"
#include "../log.h"
#include "../ws.h"
#include "../xml.h"
#include "xmpp.h"
#include "xmpp_conn.h"

#define BOSH_WAIT_MAX	60	/* seconds a BOSH poll may be held */
#define CLOSE_WAIT_MS	500	/* for the server's BOSH terminate */

#define PRESENCE_GONE	"<presence xmlns='" NS_CLIENT "' type='unavailable'/>"


/* Sets the error (the first one wins), prefixed with the URL shown. */
void
xmpp_fail(struct xmpp_conn *c, int permanent, const char *fmt, ...)
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
void
xmpp_note_identities(struct xmpp_conn *c, const struct xml_elem *query)
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

int
xmpp_is_type(const struct xml_elem *e, const char *type)
{
	const char *v = xml_attr(e, "type");

	return v != NULL && strcmp(v, type) == 0;
}

/* 1 when the stanza comes from the server itself (or has no from). */
static int
from_server(const struct xmpp_conn *c, const struct xml_elem *e)
{
	const char *from = xml_attr(e, "from");

	return from == NULL || strcasecmp(from, c->q->domain) == 0;
}

/* Keeps what a server message carries unasked: its external services and
 * its identities, as mod_jiconop sends them right after binding. */
static void
note_push(struct xmpp_conn *c, const struct xml_elem *e)
{
	const struct xml_elem *v;

	if (!xml_is(e, NS_CLIENT, "message") || !from_server(c, e))
		return;
	/* An empty list is no answer: the query or the room may give one. */
	if ((v = xml_child(e, NS_EXTDISCO_2, "services")) != NULL &&
	    v->children != NULL && c->pushed == NULL)
		c->pushed = v;
	if ((v = xml_child(e, NS_DISCO_INFO, "query")) != NULL)
		xmpp_note_identities(c, v);
}

/* Counts len more bytes from the server and starts a document for them.
 * Returns it, or NULL after xmpp_fail(). */
static struct xml_doc *
doc_start(struct xmpp_conn *c, size_t len)
{
	struct xml_doc	*d;

	c->total += len;
	if (c->total > XML_BYTES_MAX) {
		xmpp_fail(c, 1, "the server sent more than 1 MiB");
		return NULL;
	}
	if (c->partial != NULL)
		return c->partial;
	if (c->ndocs == DOCS_MAX) {
		xmpp_fail(c, 1, "too many messages from the server");
		return NULL;
	}
	if ((d = xml_doc_new()) == NULL) {
		xmpp_fail(c, 0, "cannot start the XML parser");
		return NULL;
	}
	c->docs[c->ndocs++] = d;
	return d;
}

/* Ends d and queues its stanzas (the root's children over BOSH, the root
 * itself over WebSocket).  Returns the root, or NULL after xmpp_fail(). */
static const struct xml_elem *
doc_take(struct xmpp_conn *c, struct xml_doc *d, const char *p, size_t len)
{
	const struct xml_elem *root, *e;
	char		 err[128];

	if (xml_doc_feed(d, p, len, 1, err, sizeof(err)) == -1) {
		xmpp_fail(c, 1, "bad XML from the server: %s", err);
		return NULL;
	}
	root = xml_doc_root(d);
	for (e = c->ws ? root : root->children; e != NULL;
	    e = c->ws ? NULL : e->next) {
		if (c->qhead + c->qlen == sizeof(c->queue) /
		    sizeof(c->queue[0])) {
			xmpp_fail(c, 1, "too many stanzas from the server");
			return NULL;
		}
		note_push(c, e);
		c->queue[c->qhead + c->qlen++] = e;
	}
	return root;
}

/* A BOSH body, whole.  Returns its root, or NULL after xmpp_fail(). */
static const struct xml_elem *
take_doc(struct xmpp_conn *c, const char *p, size_t len)
{
	struct xml_doc	*d;

	if ((d = doc_start(c, len)) == NULL)
		return NULL;
	return doc_take(c, d, p, len);
}

/* What came of a WebSocket message.  A message is one XML element (RFC
 * 7395): whole once its root closes, whatever its frames' flags say
 * (libcurl 7.88 flags a first fragment as a whole message and the last
 * with nothing).  Returns 0, or -1 after xmpp_fail(). */
static int
take_piece(struct xmpp_conn *c, const char *p, size_t len)
{
	struct xml_doc	*d;
	char		 err[128];

	if ((d = doc_start(c, len)) == NULL)
		return -1;
	c->partial = NULL;
	if (xml_doc_feed(d, p, len, 0, err, sizeof(err)) == -1) {
		xmpp_fail(c, 1, "bad XML from the server: %s", err);
		return -1;
	}
	if (!xml_doc_closed(d)) {
		c->partial = d;
		return 0;
	}
	return doc_take(c, d, "", 0) == NULL ? -1 : 0;
}

/* BOSH: one request, attrs added to the <body/>, payload inside it.
 * Returns 0, or -1 after xmpp_fail(). */
static int
bosh_post(struct xmpp_conn *c, const char *attrs, const char *payload)
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
		xml_escape(&b, c->sid);
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
		xmpp_fail(c, rs.status == 404 || rs.status == 403, "HTTP %ld%s",
		    rs.status, rs.status == 404 ? ": no BOSH service there" :
		    "");
		goto out;
	}
	if ((body = take_doc(c, rs.body.s, rs.body.len)) == NULL)
		goto out;
	if (!xml_is(body, NS_HTTPBIND, "body")) {
		xmpp_fail(c, 1, "the answer is not a BOSH <body/>");
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
		xmpp_fail(c, 1, "the server ended the session%s%s%s",
		    v ? " (" : "", v ? cond : "", v ? ")" : "");
		goto out;
	}
	if (c->sid[0] == '\0') {
		if ((v = xml_attr(body, "sid")) == NULL || *v == '\0' ||
		    strlen(v) >= sizeof(c->sid)) {
			xmpp_fail(c, 1, "the BOSH session has no usable sid");
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
	xml_escape(b, domain);
	sb_adds(b, "'");
}

static int
send_ws(struct xmpp_conn *c, const char *text)
{
	char	 err[256];

	if (ws_send(c->h, text, strlen(text), c->q->deadline, err,
	    sizeof(err)) == -1) {
		snprintf(c->st->error, sizeof(c->st->error), "%s", err);
		return -1;
	}
	return 0;
}

static int
open_ws_stream(struct xmpp_conn *c)
{
	struct strbuf	 b = { 0 };
	int		 rc;

	sb_adds(&b, "<open xmlns='" NS_FRAMING "' ");
	add_to(&b, c->q->domain);
	sb_adds(&b, " version='1.0' xml:lang='en'/>");
	rc = send_ws(c, b.s);
	sb_free(&b);
	return rc;
}


/* Opens the session and the stream, with the SASL ANONYMOUS auth right
 * behind the open, before the features came (xmpp_login() reads them after).
 * 0, or -1 after xmpp_fail(). */
int
xmpp_conn_start(struct xmpp_conn *c)
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
		if ((c->h = ws_open(&rq, "xmpp", err,
		    sizeof(err))) == NULL) {
			snprintf(c->st->error, sizeof(c->st->error), "%s",
			    err);
			return -1;
		}
		/* RFC 6455 4.1: frames only after the 101, which came. */
		if (open_ws_stream(c) == -1)
			return -1;
		return send_ws(c, AUTH_ANONYMOUS);
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

int
xmpp_conn_send(struct xmpp_conn *c, const char *stanza)
{
	return c->ws ? send_ws(c, stanza) : bosh_post(c, "", stanza);
}

/* A new stream after SASL success, with the stanzas (NULL-ended) right
 * behind it: in the restart body, or one WebSocket message each. */
int
xmpp_conn_restart(struct xmpp_conn *c, const char *const *stanzas)
{
	struct strbuf	 b = { 0 }, payload = { 0 };
	int		 rc = -1;

	if (c->ws) {
		if (open_ws_stream(c) == -1)
			return -1;
		for (; *stanzas != NULL; stanzas++)
			if (send_ws(c, *stanzas) == -1)
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

/* The next stanza from the server, waiting for one; NULL after xmpp_fail().
 * It lives until the connection ends. */
const struct xml_elem *
xmpp_conn_next(struct xmpp_conn *c)
{
	const struct xml_elem *e;
	char	 err[256];

	while (c->qlen == 0) {
		if (c->ended) {
			xmpp_fail(c, 0, "the session ended before the answer came");
			return NULL;
		}
		if (!c->ws) {
			if (bosh_post(c, "", "") == -1)	/* a poll */
				return NULL;
			continue;
		}
		if (ws_recv(c->h, &c->frame, XML_BYTES_MAX,
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
void
xmpp_conn_end(struct xmpp_conn *c, const char *leave)
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
		if (leave == NULL || send_ws(c, leave) == 0)
			(void)send_ws(c, "<close xmlns='" NS_FRAMING "'/>");
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

void
xmpp_conn_free(struct xmpp_conn *c)
{
	size_t	 i;

	for (i = 0; i < c->ndocs; i++)
		xml_doc_free(c->docs[i]);
	http_keep_free(c->keep);
	ws_close(c->h);
	if (c->frame.s != NULL)
		explicit_bzero(c->frame.s, c->frame.cap);
	sb_free(&c->frame);
}

/* Keeps a document the connection did not receive, for its lifetime. */
int
xmpp_keep_doc(struct xmpp_conn *c, struct xml_doc *d)
{
	if (c->ndocs == DOCS_MAX) {
		xml_doc_free(d);
		xmpp_fail(c, 1, "too many messages from the server");
		return -1;
	}
	c->docs[c->ndocs++] = d;
	return 0;
}
