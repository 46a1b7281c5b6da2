/* xmpp.h: a minimal XMPP client for one job: a server's external services
 * (XEP-0215), pushed at login, asked for, or from a Jitsi room's metadata,
 * over BOSH (XEP-0124/0206) or WebSocket (RFC 7395). */
#ifndef ICEUPD_PROVIDERS_XMPP_H
#define ICEUPD_PROVIDERS_XMPP_H

#include <stddef.h>
#include <time.h>

#include "../ice.h"

#define NS_EXTDISCO_2	"urn:xmpp:extdisco:2"
#define NS_EXTDISCO_1	"urn:xmpp:extdisco:1"

struct strbuf;
struct xml_elem;
struct xmpp_conn;

/*
 * XEP-0215 <services/> to ICE servers: stun -> stun:host:port, turn and
 * turns -> turn[s]:host:port[?transport=X] (X given when not udp, as
 * lib-jitsi-meet does), username/password -> credentials, expires (UTC
 * "YYYY-MM-DDTHH:MM:SSZ", else the time in a TURN REST username
 * "<unix time>[:user]") -> expiry.  A turn/turns entry without
 * credentials takes those of another TURN entry on the same host.
 * Entries that break the URI rules are dropped: *dropped counts them and
 * warn says why the first one went.  Returns how many URLs were added.
 */
size_t	 xmpp_take_services(const struct xml_elem *services,
	    struct ice_list *, size_t *dropped, char *warn, size_t warnlen);

/*
 * The client.  url picks the transport: http(s)://…/http-bind is BOSH,
 * ws(s)://…/xmpp-websocket is WebSocket.  Query parameters (room, token)
 * are the caller's.  Authentication is SASL ANONYMOUS, which Jitsi's token
 * hosts also use, taking the token from the URL.
 */
struct xmpp_query {
	const char	*url;		/* may carry a token in its query */
	const char	*shown_url;	/* url without secrets, for messages */
	const char	*domain;	/* XMPP domain, "to" of the stream */
	const char	*cacert;
	int		 allow_http;	/* http:// or ws:// was configured */
	long long	 deadline;	/* monotonic ms */
	/* A Jitsi conference to join when the services come only to its
	 * occupants; NULL: none. */
	const char	*room;		/* node, as the URL's ?room= has it */
	const char	*muc_domain;	/* conference.DOMAIN */
	const char	*focus;		/* focus.DOMAIN */
	/* Joins the room and returns the services of its metadata, leave
	 * getting the presence that leaves it (jitsi_room_services(): the
	 * client knows no conference protocol itself); needed with room. */
	const struct xml_elem *(*join)(struct xmpp_conn *,
		    struct strbuf *leave);
};

/* The step a refusal came at. */
enum xmpp_step {
	XMPP_STEP_SESSION,	/* stream, binding, anything else */
	XMPP_STEP_SASL,		/* the login */
	XMPP_STEP_EXTDISCO,	/* the XEP-0215 query */
	XMPP_STEP_FOCUS,	/* the conference request */
	XMPP_STEP_ROOM,		/* joining the room */
};

struct xmpp_status {
	char	 error[256];
	char	 warning[256];
	char	 condition[48];	/* XMPP error condition, when one came */
	enum xmpp_step step;	/* where it came */
	int	 reservation;	/* the focus gave a reservation error */
	int	 permanent;	/* asking again will not help */
};

/* Connects, authenticates, takes the external services the server pushed
 * after binding, else asks for them (extdisco:2, then extdisco:1 after an
 * error reply); when they are for a room's occupants only (the room
 * metadata component is advertised, or the query is forbidden), asks the
 * focus for q->room, joins it and takes them from the room metadata.
 * Closes, and adds what came to l.  Pipelined (see xmpp_client.c); whether an
 * endpoint (its URL without the query, and the domain) pushed the services
 * is kept for the process, so that a later call to it asks no query.
 * Thread-safe.  Returns 0, or -1 with st->error set. */
int	 xmpp_extdisco(const struct xmpp_query *, struct ice_list *l,
	    struct xmpp_status *st);

/* Fills buf (len > 0) with len - 1 random lowercase hex digits. */
void	 xmpp_random_hex(char *buf, size_t len);
/* The room nickname of the session bound to jid (NULL: not known) into
 * nick (at least 17 bytes): the first 8 characters of its local part,
 * which jitsi-meet's mod_muc_resource_validate wants of anonymous users
 * (anonymous_strict) when they are [A-Za-z0-9][A-Za-z0-9_]*, as the UUIDs
 * of SASL ANONYMOUS are; else 16 random hex digits. */
void	 xmpp_nick(const char *jid, char *nick, size_t len);

#endif
