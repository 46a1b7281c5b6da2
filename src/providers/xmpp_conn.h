/* xmpp_conn.h: what the layers of the XMPP client share (xmpp_transport.c,
 * xmpp_stream.c, xmpp_services.c, xmpp_client.c, jitsi_room.c); for no other
 * file. */
#ifndef ICEUPD_PROVIDERS_XMPP_CONN_H
#define ICEUPD_PROVIDERS_XMPP_CONN_H

#include <stddef.h>

#include "../util.h"
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

#define STANZAS_MAX	64	/* stanzas skipped while waiting for one */
#define DOCS_MAX	1024	/* BOSH bodies or WebSocket frames */
#define JID_MAX		1024	/* bytes of a JID this client sends */

#define AUTH_ANONYMOUS	"<auth xmlns='" NS_SASL "' mechanism='ANONYMOUS'/>"

/* What earlier exchanges showed of an endpoint (xmpp_services.c). */
/* PUSHES: the services came pushed at login, without waiting for the
 * query; QUERY: they did not. */
enum endpoint_kind { EP_UNKNOWN, EP_QUERY, EP_PUSHES };

enum endpoint_kind xmpp_endpoint_get(const struct xmpp_query *);
void	 xmpp_endpoint_set(const struct xmpp_query *, enum endpoint_kind);

struct xml_doc;
struct xml_elem;
struct http_keep;
struct ws;

/* One exchange's connection. */
struct xmpp_conn {
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
	struct ws		*h;
	struct strbuf		 frame;
	struct xml_doc		*partial;	/* the message read so far */
	/* What the server sent unasked after binding (mod_jiconop). */
	const struct xml_elem	*pushed;	/* <services/>, or NULL */
	int			 disco_known;	/* its identities came */
	char			 metadata_jid[JID_MAX];	/* room_metadata */
	char			 nick[17];	/* in the room */
	/* Pipelining (see xmpp_client.c). */
	enum endpoint_kind	 kind;		/* learnt earlier */
	int			 query_sent;	/* e1 went behind the bind */
	int			 ending;	/* BOSH: terminate in flight */
	int			 ended;		/* BOSH: the session is over */
};

/* The transport (xmpp_transport.c).  Those returning int give 0, or -1
 * after xmpp_fail(). */
/* Sets the error (the first one wins), prefixed with the URL shown. */
void	 xmpp_fail(struct xmpp_conn *, int permanent, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 3, 4)));
/* Notes the room_metadata component among disco#info identities. */
void	 xmpp_note_identities(struct xmpp_conn *, const struct xml_elem *);
/* 1 when e's type attribute is type. */
int	 xmpp_is_type(const struct xml_elem *e, const char *type);
/* Opens the session and the stream, with the SASL ANONYMOUS auth right
 * behind the open. */
int	 xmpp_conn_start(struct xmpp_conn *);
int	 xmpp_conn_send(struct xmpp_conn *, const char *stanza);
/* A new stream after SASL success, with the stanzas (NULL-ended) behind. */
int	 xmpp_conn_restart(struct xmpp_conn *, const char *const *stanzas);
/* The next stanza from the server, waiting for one; NULL after
 * xmpp_fail().  It lives until the connection ends. */
const struct xml_elem *xmpp_conn_next(struct xmpp_conn *);
/* Ends the session politely; leave, when not NULL, is sent first. */
void	 xmpp_conn_end(struct xmpp_conn *, const char *leave);
void	 xmpp_conn_free(struct xmpp_conn *);
/* Keeps a document the connection did not receive, for its lifetime. */
int	 xmpp_keep_doc(struct xmpp_conn *, struct xml_doc *);

/* The stream (xmpp_stream.c). */
/* The condition of a stream or stanza error, escaped, or "unknown". */
const char *xmpp_condition(const struct xml_elem *error, const char *ns,
	    char *buf, size_t len);
/* Fails when e ends the stream; returns 1 when it did. */
int	 xmpp_stream_ended(struct xmpp_conn *, const struct xml_elem *e);
/* Waits for the <iq/> answering id; NULL after xmpp_fail(). */
const struct xml_elem *xmpp_wait_iq(struct xmpp_conn *, const char *id);
/* 1 when the answer to the <iq/> id is among the stanzas received. */
int	 xmpp_queued_iq(const struct xmpp_conn *, const char *id);
/* The login: SASL outcome, restart, bind (and the query behind it). */
int	 xmpp_login(struct xmpp_conn *);
/* Sends <iq type=type id=id to=to> around payload; the answer or NULL. */
const struct xml_elem *xmpp_ask(struct xmpp_conn *, const char *type,
	    const char *id, const char *to, const char *payload);
/* Sends the XEP-0215 query in ns with id; the answer or NULL. */
const struct xml_elem *xmpp_ask_services(struct xmpp_conn *, const char *ns,
	    const char *id);
/* The server's identities, unless they came with the push already. */
int	 xmpp_ask_identities(struct xmpp_conn *);
/* The <text/> of a stanza error, escaped, or "". */
const char *xmpp_error_text(const struct xml_elem *error, char *buf,
	    size_t len);
/* Notes a refused stanza's condition and step; returns the <error/>. */
const struct xml_elem *xmpp_refusal(struct xmpp_conn *,
	    const struct xml_elem *e, enum xmpp_step step, char *cond,
	    size_t len);

#endif
