-- mod_room_services.lua: a Prosody module for iceupd's tests, on the MUC
-- component. Like a Jitsi deployment: only the focus creates rooms, and a
-- client joining one gets, just before its own presence, a message from
-- metadata.HOST with a <json-message xmlns='http://jitsi.org/jitmeet'
-- room='ROOM'> whose JSON is {"type":"room_metadata","metadata":{...,
-- "services":[...]}}, each service's fields as strings.
local st = require "util.stanza";
local json = require "util.json";
local datetime = require "util.datetime";

local main_host = module:get_option_string("room_services_host",
    (module.host:gsub("^[^.]+%.", "")));

-- Rooms are created by the focus only (with create_room, not a presence).
module:hook("muc-room-pre-create", function(event)
	event.origin.send(st.error_reply(event.stanza, "cancel", "not-allowed",
	    "only the focus creates rooms"));
	return true;
end, 100);

module:hook("muc-occupant-pre-join", function(event)
	local room, stanza = event.room, event.stanza;
	local ext = prosody.hosts[main_host].modules.external_services;
	local services = {};
	for _, srv in ipairs(ext.get_services()) do
		table.insert(services, {
			type = srv.type;
			transport = srv.transport;
			host = srv.host;
			port = srv.port and string.format("%d", srv.port) or nil;
			username = srv.username;
			password = srv.password;
			expires = srv.expires and datetime.datetime(srv.expires) or nil;
			restricted = srv.restricted and "1" or nil;
		});
	end
	local text = json.encode({ type = "room_metadata",
	    metadata = { startMuted = { audio = false }, services = services } });
	module:send(st.message({ from = "metadata." .. main_host,
	    to = stanza.attr.from })
	    :tag("json-message", { xmlns = "http://jitsi.org/jitmeet",
		room = room.jid }):text(text):up());
end, -100);
