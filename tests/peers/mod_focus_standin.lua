-- mod_focus_standin.lua: a Prosody component for iceupd's tests standing in
-- for a Jitsi focus (jicofo) at focus.HOST. A conference request
-- (<conference xmlns='http://jitsi.org/protocol/focus' room='ROOM@MUC'/>)
-- creates the room and is answered ready='false' the first time (as while
-- jicofo sets a room up) and ready='true' after. With focus_refuse set it
-- refuses instead, as jicofo does: "not-authorized" (not authorized user
-- domain) or "reservation" (a reservation system's error).
local st = require "util.stanza";
local jid = require "util.jid";

local STANZAS = "urn:ietf:params:xml:ns:xmpp-stanzas";
local FOCUS = "http://jitsi.org/protocol/focus";
local refuse = module:get_option_string("focus_refuse");
local asked = {};

module:hook("iq-set/host/" .. FOCUS .. ":conference", function(event)
	local origin, stanza = event.origin, event.stanza;
	local room_jid = jid.prep(stanza.tags[1].attr.room or "");
	local muc_host = room_jid and select(2, jid.split(room_jid));
	local muc = muc_host and prosody.hosts[muc_host] and
	    prosody.hosts[muc_host].modules.muc;

	if refuse == "not-authorized" then
		origin.send(st.error_reply(stanza, "auth", "not-authorized",
		    "not authorized user domain"));
		return true;
	elseif refuse == "reservation" then
		local reply = st.reply(stanza);
		reply.attr.type = "error";
		origin.send(reply:tag("error", { type = "cancel" })
		    :tag("service-unavailable", { xmlns = STANZAS }):up()
		    :tag("text", { xmlns = STANZAS }):text("Room not booked"):up()
		    :tag("reservation-error", { xmlns = FOCUS,
			["error-code"] = "404" }):up());
		return true;
	end
	if not muc then
		origin.send(st.error_reply(stanza, "modify", "bad-request",
		    "no such conference domain"));
		return true;
	end
	if not muc.get_room_from_jid(room_jid) then
		muc.create_room(room_jid);
	end
	local ready = asked[room_jid] and "true" or "false";
	asked[room_jid] = true;
	module:log("info", "conference %s ready=%s", room_jid, ready);
	origin.send(st.reply(stanza):tag("conference", { xmlns = FOCUS,
	    room = room_jid, ready = ready, focusjid = "focus@auth." .. module.host }));
	return true;
end);
