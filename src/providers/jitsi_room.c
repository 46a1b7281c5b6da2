/* jitsi_room.c: the Jitsi conference path of the XMPP client, for
 * deployments that give the external services to a room's occupants only:
 * ask the focus for the conference, join the room, take the services from
 * its metadata. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../log.h"
#include "../xml.h"
#include "jitsi_room.h"
#include "xmpp.h"
#include "xmpp_conn.h"

#define ROOM_STANZAS_MAX 1000	/* stanzas before the room's own presence */
#define FOCUS_RETRY_MS	1000	/* between conference requests */

/* Asks the focus for the conference in room_jid until it is ready (the
 * focus alone creates rooms).  0, or -1 after xmpp_fail(). */
static int
ask_conference(struct xmpp_conn *c, const char *room_jid)
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
	xml_escape(&payload, room_jid);
	sb_addf(&payload, "' machine-uid='%s'/>", uid);
	for (n = 1; ; n++) {
		snprintf(id, sizeof(id), "c%u", n);
		if ((e = xmpp_ask(c, "set", id, c->q->focus, payload.s)) == NULL)
			goto out;
		if (xmpp_is_type(e, "error")) {
			error = xmpp_refusal(c, e, XMPP_STEP_FOCUS, cond,
			    sizeof(cond));
			xmpp_error_text(error, text, sizeof(text));
			resv = NULL;
			for (e = error ? error->children : NULL; e != NULL;
			    e = e->next)
				if (xml_is(e, NULL, "reservation-error"))
					resv = e;
			if (resv != NULL) {
				c->st->reservation = 1;
				v = xml_attr(resv, "error-code");
				xmpp_fail(c, 1, "the focus %s refused the conference: "
				    "reservation error %s%s%s",
				    c->q->focus, log_escape(v ? v : "?", 10,
				    code, sizeof(code)), text[0] ? ": " : "",
				    text);
			} else
				xmpp_fail(c, strcmp(cond, "not-authorized") == 0 ||
				    strcmp(cond, "forbidden") == 0 ||
				    strcmp(cond, "not-allowed") == 0,
				    "the focus %s refused the conference "
				    "(%s%s%s)", c->q->focus, cond,
				    text[0] ? ": " : "", text);
			goto out;
		}
		if (!xmpp_is_type(e, "result") ||
		    (conf = xml_child(e, NS_FOCUS, "conference")) == NULL) {
			xmpp_fail(c, 1, "the focus %s answered no conference",
			    c->q->focus);
			goto out;
		}
		if ((v = xml_attr(conf, "ready")) != NULL &&
		    strcmp(v, "true") == 0)
			break;
		/* Not ready yet: jicofo is creating the room. */
		if (util_monotonic_ms() + FOCUS_RETRY_MS >= c->q->deadline) {
			xmpp_fail(c, 0, "the focus %s did not have the conference "
			    "ready in time", c->q->focus);
			goto out;
		}
		util_sleep_ms(FOCUS_RETRY_MS);
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

/* Joins the room as occupant (no media: presence only) and waits for the
 * room metadata with services, which comes just before the room's own
 * presence.  Returns the services, or NULL after xmpp_fail(). */
static const struct xml_elem *
join_room(struct xmpp_conn *c, const char *room_jid, const char *occupant)
{
	const struct xml_elem *e, *json;
	struct strbuf	 b = { 0 };
	struct xml_doc	*d;
	const char	*v;
	char		 cond[48], text[100], why[120] = "";
	size_t		 i;

	sb_adds(&b, "<presence xmlns='" NS_CLIENT "' to='");
	xml_escape(&b, occupant);
	sb_adds(&b, "'><x xmlns='" NS_MUC "'/></presence>");
	c->st->step = XMPP_STEP_ROOM;
	c->st->condition[0] = '\0';
	i = xmpp_conn_send(c, b.s) == 0 ? 0 : ROOM_STANZAS_MAX + 1;
	sb_free(&b);
	for (; i < ROOM_STANZAS_MAX; i++) {
		if ((e = xmpp_conn_next(c)) == NULL || xmpp_stream_ended(c, e))
			return NULL;
		v = xml_attr(e, "from");
		/* Its room attribute may be the deployment's own spelling of
		 * the room (a tenant's): this client is in one room only. */
		if (xml_is(e, NS_CLIENT, "message") && v != NULL &&
		    strcasecmp(v, c->metadata_jid) == 0 &&
		    (json = xml_child(e, NS_JITMEET, "json-message")) != NULL &&
		    json->text.s != NULL) {
			/* Updates carry no services: only the first does. */
			if ((d = jitsi_room_metadata_services(json->text.s, why,
			    sizeof(why))) == NULL)
				continue;
			if (xmpp_keep_doc(c, d) == -1)
				return NULL;
			return xml_doc_root(d);
		}
		if (!xml_is(e, NS_CLIENT, "presence") || !from_room(v, room_jid))
			continue;
		if (xmpp_is_type(e, "error")) {
			xmpp_refusal(c, e, XMPP_STEP_ROOM, cond, sizeof(cond));
			xmpp_error_text(xml_child(e, NS_CLIENT, "error"), text,
			    sizeof(text));
			xmpp_fail(c, 1, "the room %s refused this client (%s%s%s)",
			    room_jid, cond, text[0] ? ": " : "", text);
			return NULL;
		}
		if (own_presence(e)) {
			xmpp_fail(c, 1, "joined %s, but no services came in its "
			    "metadata (from %s)%s%s", room_jid,
			    c->metadata_jid, why[0] ? ": " : "", why);
			return NULL;
		}
	}
	xmpp_fail(c, 1, "no answer from the room %s", room_jid);
	return NULL;
}

/* The conference path: asks the focus for the room, joins it, takes the
 * services from its metadata.  leave gets the presence that leaves it.
 * Returns the services, or NULL after xmpp_fail(). */
const struct xml_elem *
jitsi_room_services(struct xmpp_conn *c, struct strbuf *leave)
{
	struct strbuf	 room = { 0 }, occupant = { 0 };
	const struct xml_elem *services = NULL;

	sb_addf(&room, "%s@%s", c->q->room, c->q->muc_domain);
	sb_addf(&occupant, "%s/%s", room.s, c->nick);
	if (room.len >= JID_MAX || occupant.len >= JID_MAX) {
		xmpp_fail(c, 1, "the room name is too long");
		goto out;
	}
	log_debug("XMPP %s: external services for occupants of %s only: "
	    "joining it", c->q->shown_url, room.s);
	if (ask_conference(c, room.s) == -1)
		goto out;
	sb_adds(leave, "<presence xmlns='" NS_CLIENT "' type='unavailable' "
	    "to='");
	xml_escape(leave, occupant.s);
	sb_adds(leave, "'/>");
	services = join_room(c, room.s, occupant.s);
out:
	sb_free(&room);
	sb_free(&occupant);
	return services;
}


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
	xml_escape(b, v->valuestring);
	sb_addc(b, '\'');
}

struct xml_doc *
jitsi_room_metadata_services(const char *json, char *why, size_t whylen)
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

