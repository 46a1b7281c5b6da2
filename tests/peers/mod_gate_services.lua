-- mod_gate_services.lua: a Prosody module for iceupd's tests, on the
-- VirtualHost. Like a Jitsi deployment whose room metadata component checks
-- occupants, it answers the XEP-0215 query <forbidden/> unless the session's
-- BOSH or WebSocket URL named a room (?room=) and the client is an occupant
-- of it, and it advertises the component as disco identity
-- category='component' type='room_metadata' name='metadata.HOST'.
local st = require "util.stanza";
local http = require "util.http";

local muc_host = module:get_option_string("gate_muc", "conference." .. module.host);

module:add_identity("component", "room_metadata", "metadata." .. module.host);

local function note_room(event)
	local url = event.request and event.request.url;
	if event.session.host ~= module.host then
		return;
	end
	local params = url and url.query and http.formdecode(url.query);
	if type(params) == "table" and type(params.room) == "string" then
		event.session.gate_room = params.room;
	end
end
-- mod_bosh and mod_websocket fire these globally.
module:hook_global("bosh-session", note_room);
module:hook_global("websocket-session", note_room);

local function check_occupant(event)
	local origin, stanza = event.origin, event.stanza;
	local muc = prosody.hosts[muc_host] and prosody.hosts[muc_host].modules.muc;
	local room = origin.gate_room and muc and
	    muc.get_room_from_jid(origin.gate_room .. "@" .. muc_host);
	local from = stanza.attr.from or origin.full_jid;
	if not room or not room:get_occupant_by_real_jid(from) then
		origin.send(st.error_reply(stanza, "auth", "forbidden"));
		return true;
	end
end

for _, ns in ipairs({ "urn:xmpp:extdisco:2", "urn:xmpp:extdisco:1" }) do
	module:hook("iq-get/host/" .. ns .. ":services", check_occupant, 100);
end
