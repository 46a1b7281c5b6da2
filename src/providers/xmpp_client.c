/* xmpp_client.c: the run of a minimal XMPP client for one job: open a
 * stream to a domain, log in with SASL ANONYMOUS, bind, take the external
 * services (XEP-0215) the server pushes or answers, or, where a Jitsi
 * deployment gives them to a room's occupants only, from the room metadata
 * after joining, close.  xmpp.h is its face, for all of its files.
 * The layers: xmpp_transport.c (BOSH, WebSocket), xmpp_stream.c (login,
 * queries), xmpp_services.c (XEP-0215); the conference step is the
 * caller's (xmpp_query.join: jitsi_room.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../log.h"
#include "../xml.h"
#include "xmpp.h"
#include "xmpp_conn.h"

/* Adds the services to l.  0, or -1 after xmpp_fail(). */
static int
take_into(struct xmpp_conn *c, const struct xml_elem *services,
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
		xmpp_fail(c, 1, "the server lists no usable STUN or TURN "
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
 * after xmpp_fail(), or NULL with o->gated set when the answer is forbidden and
 * a room metadata component could give them to occupants. */
static const struct xml_elem *
query_services(struct xmpp_conn *c, const struct xml_elem *e, struct outcome *o)
{
	const struct xml_elem *services;
	const char	*ns = NS_EXTDISCO_2;
	char		 cond[48];

	if (e == NULL)
		e = xmpp_ask_services(c, ns, "e1");
	if (e == NULL) {
		o->again = c->ended;
		return NULL;
	}
	if (xmpp_is_type(e, "error")) {
		xmpp_refusal(c, e, XMPP_STEP_EXTDISCO, cond, sizeof(cond));
		/* Older servers know only :1; forbidden is no namespace
		 * issue. */
		if (strcmp(cond, "forbidden") != 0) {
			if ((o->again = c->ended))
				return NULL;
			ns = NS_EXTDISCO_1;
			if ((e = xmpp_ask_services(c, ns, "e2")) == NULL)
				return NULL;
		}
	}
	if (!xmpp_is_type(e, "result")) {
		xmpp_refusal(c, e, XMPP_STEP_EXTDISCO, cond, sizeof(cond));
		if (strcmp(cond, "forbidden") == 0 && c->q->room != NULL) {
			if ((o->again = c->ended))
				return NULL;
			if (xmpp_ask_identities(c) == -1)
				return NULL;
			if (c->metadata_jid[0] != '\0') {
				o->gated = 1;
				return NULL;
			}
		}
		xmpp_fail(c, strcmp(cond, "forbidden") == 0 ||
		    strcmp(cond, "service-unavailable") == 0 ||
		    strcmp(cond, "feature-not-implemented") == 0,
		    "the server refused the external services query (%s)",
		    cond);
		return NULL;
	}
	if ((services = xml_child(e, ns, "services")) == NULL)
		xmpp_fail(c, 1, "the answer holds no <services/> in %s", ns);
	return services;
}

/* One exchange, from the connection to its end. */
static int
exchange(const struct xmpp_query *q, struct ice_list *l,
    struct xmpp_status *st, enum endpoint_kind kind, struct outcome *o)
{
	struct xmpp_conn	 c;
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

	if (xmpp_conn_start(&c) == -1 || xmpp_login(&c) == -1)
		goto out;
	/* A connection manager that answered the restart without the
	 * query's answer dropped the query (BOSH answers a request with all
	 * it holds): it is asked again. */
	if (c.query_sent && !c.ws && !xmpp_queued_iq(&c, "e1")) {
		log_debug("BOSH %s: the query in the restart went unanswered: "
		    "sent again", q->shown_url);
		c.query_sent = 0;
	}
	/* What was pushed before the answer to the query behind the bind
	 * wins; that answer is then left unread. */
	if (c.query_sent && c.pushed == NULL && (c.metadata_jid[0] == '\0' ||
	    q->room == NULL) && (answer = xmpp_wait_iq(&c, "e1")) == NULL) {
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
	if (o->gated && (services = q->join(&c, &leave)) == NULL)
		goto out;
	if (take_into(&c, services, l) == -1)
		goto out;
	xmpp_conn_end(&c, leave.len > 0 ? leave.s : NULL);
	rc = 0;
out:
	if (rc == -1 && st->error[0] == '\0')
		xmpp_fail(&c, 0, "failed");
	o->pushed = c.pushed != NULL;
	sb_free(&leave);
	xmpp_conn_free(&c);
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
	enum endpoint_kind kind = xmpp_endpoint_get(q);
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
		xmpp_endpoint_set(q, o.pushed ? EP_PUSHES : EP_QUERY);
	return rc;
}
