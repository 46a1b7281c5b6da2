-- mod_gate_services.lua: a Prosody module for iceupd's tests, on the
-- VirtualHost. Like a Jitsi deployment whose room metadata component checks
-- occupants, it answers the XEP-0215 query <forbidden/> unless the session's
-- BOSH or WebSocket URL named a room (?room=) and the client is an occupant
-- of it, and it advertises the component as disco identity
-- category='component' type='room_metadata' name='metadata.HOST'.
local st = require "util.stanza";

local muc_host = module:get_option_string("gate_muc", "conference." .. module.host);

module:add_identity("component", "room_metadata", "metadata." .. module.host);

module:require("session_params").note(module, "room", "gate_room");

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
