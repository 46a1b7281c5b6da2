/* jitsi_room.h: the Jitsi conference path of the XMPP client, and the
 * room metadata it reads. */
#ifndef ICEUPD_PROVIDERS_JITSI_ROOM_H
#define ICEUPD_PROVIDERS_JITSI_ROOM_H

#include <stddef.h>

#define NS_JITMEET	"http://jitsi.org/jitmeet"
#define NS_FOCUS	"http://jitsi.org/protocol/focus"

struct strbuf;
struct xml_doc;
struct xml_elem;
struct xmpp_conn;

/* Asks the focus for the room (q->room), joins it, takes the services
 * from its metadata.  leave gets the presence that leaves it.  Returns the
 * services, or NULL after xmpp_fail(). */
const struct xml_elem *jitsi_room_services(struct xmpp_conn *,
	    struct strbuf *leave);
/*
 * Jitsi room metadata, the JSON text of a <json-message/>
 * ({"type":"room_metadata","metadata":{"services":[{...}]}}), to the
 * XEP-0215 <services/> element xmpp_take_services() reads: each service's
 * string fields (type, transport, host, port, username, password, expires,
 * restricted; port may be a number) become its attributes.  The document
 * is the caller's (xml_doc_free).  Returns it, or NULL with why set.
 */
struct xml_doc *jitsi_room_metadata_services(const char *json, char *why,
	    size_t whylen);

#endif
