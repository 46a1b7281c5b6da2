/* xmpp_stream.c: the stream over the connection: waiting for features
 * and answers, the SASL ANONYMOUS login and the bind, <iq/> queries and
 * the errors they come back with; the room nickname of the bound JID. */
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../xml.h"
#include "xmpp.h"
#include "xmpp_conn.h"

/* The condition of a stream or stanza error: the first child in ns, not
 * <text/>; escaped, or "unknown". */
const char *
xmpp_condition(const struct xml_elem *error, const char *ns, char *buf,
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
int
xmpp_stream_ended(struct xmpp_conn *c, const struct xml_elem *e)
{
	char	 cond[48];

	if (xml_is(e, NS_STREAMS, "error")) {
		xmpp_condition(e, NS_STREAM_ERR, cond, sizeof(cond));
		snprintf(c->st->condition, sizeof(c->st->condition), "%s",
		    cond);
		xmpp_fail(c, 1, "stream error: %s", cond);
		return 1;
	}
	if (xml_is(e, NS_FRAMING, "close")) {
		xmpp_fail(c, 0, "the server closed the stream");
		return 1;
	}
	return 0;
}

/* Waits for <stream:features/>. */
static const struct xml_elem *
wait_features(struct xmpp_conn *c)
{
	const struct xml_elem *e;
	size_t	 i;

	for (i = 0; i < STANZAS_MAX; i++) {
		if ((e = xmpp_conn_next(c)) == NULL || xmpp_stream_ended(c, e))
			return NULL;
		if (xml_is(e, NS_STREAMS, "features"))
			return e;
	}
	xmpp_fail(c, 1, "no stream features from the server");
	return NULL;
}

/* Waits for the <iq/> answering id. */
const struct xml_elem *
xmpp_wait_iq(struct xmpp_conn *c, const char *id)
{
	const struct xml_elem *e;
	const char *v;
	size_t	 i;

	for (i = 0; i < STANZAS_MAX; i++) {
		if ((e = xmpp_conn_next(c)) == NULL || xmpp_stream_ended(c, e))
			return NULL;
		if (xml_is(e, NS_CLIENT, "iq") &&
		    (v = xml_attr(e, "id")) != NULL && strcmp(v, id) == 0)
			return e;
	}
	xmpp_fail(c, 1, "no answer to query %s", id);
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
	xml_escape(b, to);
	sb_addf(b, "'>%s</iq>", payload);
}

/* The XEP-0215 query in ns with id, into b. */
static void
services_iq(struct xmpp_conn *c, struct strbuf *b, const char *ns, const char *id)
{
	char	 payload[80];

	snprintf(payload, sizeof(payload), "<services xmlns='%s'/>", ns);
	iq_text(b, "get", id, c->q->domain, payload);
}

/* 1 when a SASL <success/> or <failure/> is among the stanzas received. */
static int
queued_sasl_outcome(const struct xmpp_conn *c)
{
	size_t	 i;

	for (i = c->qhead; i < c->qhead + c->qlen; i++)
		if (xml_is(c->queue[i], NS_SASL, "success") ||
		    xml_is(c->queue[i], NS_SASL, "failure"))
			return 1;
	return 0;
}

/* 1 when the answer to the <iq/> id is among the stanzas received. */
int
xmpp_queued_iq(const struct xmpp_conn *c, const char *id)
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
int
xmpp_login(struct xmpp_conn *c)
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
		xmpp_fail(c, 1, "the server does not offer anonymous login (SASL "
		    "ANONYMOUS)%s%s", mechs[0] ? "; it offers " : "", mechs);
		goto out;
	}
	/* A connection manager may ignore the session request's payload:
	 * its answer then holds no SASL outcome, and the auth goes again,
	 * as in the exchange without pipelining. */
	if (!c->ws && !queued_sasl_outcome(c)) {
		log_debug("BOSH %s: the auth in the session request went "
		    "unanswered: sent again", c->q->shown_url);
		if (xmpp_conn_send(c, AUTH_ANONYMOUS) == -1)
			goto out;
	}
	for (i = 0; ; i++) {
		if (i == STANZAS_MAX) {
			xmpp_fail(c, 1, "no answer to SASL ANONYMOUS");
			goto out;
		}
		if ((e = xmpp_conn_next(c)) == NULL || xmpp_stream_ended(c, e))
			goto out;
		if (xml_is(e, NS_SASL, "success"))
			break;
		if (xml_is(e, NS_SASL, "failure")) {
			xmpp_condition(e, NS_SASL, cond, sizeof(cond));
			snprintf(c->st->condition, sizeof(c->st->condition),
			    "%s", cond);
			c->st->step = XMPP_STEP_SASL;
			xmpp_fail(c, 1, "anonymous login refused (%s)", cond);
			goto out;
		}
	}
	if (c->kind != EP_PUSHES) {
		services_iq(c, &query, NS_EXTDISCO_2, "e1");
		stanzas[1] = query.s;
		c->query_sent = 1;
	}
	if (xmpp_conn_restart(c, stanzas) == -1 || (f = wait_features(c)) == NULL)
		goto out;
	if (xml_child(f, NS_BIND, "bind") == NULL) {
		xmpp_fail(c, 1, "the server offers no resource binding");
		goto out;
	}
	if ((e = xmpp_wait_iq(c, "b1")) == NULL)
		goto out;
	if (!xmpp_is_type(e, "result")) {
		xmpp_condition(xml_child(e, NS_CLIENT, "error"), NS_STANZA_ERR,
		    cond, sizeof(cond));
		xmpp_fail(c, 1, "resource binding refused (%s)", cond);
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
const struct xml_elem *
xmpp_ask(struct xmpp_conn *c, const char *type, const char *id, const char *to,
    const char *payload)
{
	struct strbuf	 b = { 0 };
	const struct xml_elem *e = NULL;

	iq_text(&b, type, id, to, payload);
	if (xmpp_conn_send(c, b.s) == 0)
		e = xmpp_wait_iq(c, id);
	sb_free(&b);
	return e;
}

/* Sends the query in ns with id; returns the answer or NULL. */
const struct xml_elem *
xmpp_ask_services(struct xmpp_conn *c, const char *ns, const char *id)
{
	struct strbuf	 b = { 0 };
	const struct xml_elem *e = NULL;

	services_iq(c, &b, ns, id);
	if (xmpp_conn_send(c, b.s) == 0)
		e = xmpp_wait_iq(c, id);
	sb_free(&b);
	return e;
}

/* The server's identities, unless they came with the push already.
 * 0, or -1 after xmpp_fail(); an error answer only means none. */
int
xmpp_ask_identities(struct xmpp_conn *c)
{
	const struct xml_elem *e, *query;

	if (c->disco_known)
		return 0;
	if ((e = xmpp_ask(c, "get", "d1", c->q->domain,
	    "<query xmlns='" NS_DISCO_INFO "'/>")) == NULL)
		return -1;
	if (xmpp_is_type(e, "result") &&
	    (query = xml_child(e, NS_DISCO_INFO, "query")) != NULL)
		xmpp_note_identities(c, query);
	c->disco_known = 1;
	return 0;
}

/* The <text/> of a stanza error, escaped, or "". */
const char *
xmpp_error_text(const struct xml_elem *error, char *buf, size_t len)
{
	const struct xml_elem *t;

	buf[0] = '\0';
	if (error != NULL && (t = xml_child(error, NS_STANZA_ERR,
	    "text")) != NULL && t->text.s != NULL)
		log_escape(t->text.s, 80, buf, len);
	return buf;
}

/* Notes a refused stanza's condition and step; returns the <error/>. */
const struct xml_elem *
xmpp_refusal(struct xmpp_conn *c, const struct xml_elem *e, enum xmpp_step step,
    char *cond, size_t len)
{
	const struct xml_elem *error = xml_child(e, NS_CLIENT, "error");

	xmpp_condition(error, NS_STANZA_ERR, cond, len);
	snprintf(c->st->condition, sizeof(c->st->condition), "%s", cond);
	c->st->step = step;
	return error;
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
