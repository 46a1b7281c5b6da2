-- mod_push_services.lua: a Prosody module for iceupd's tests. Like a Jitsi
-- deployment with connection optimisation, it pushes one message to each
-- client right after resource binding: the server's disco#info identities
-- and its external services (XEP-0215) with credentials. It refuses the
-- XEP-0215 query itself, so only a client that takes the push gets them.
-- With push_services_list = false it pushes the identities alone.
local st = require "util.stanza";
local ext = module:depends("external_services");
local with_list = module:get_option_boolean("push_services_list", true);

module:hook("resource-bind", function(event)
	local session = event.session;
	local info = st.stanza("query",
	    { xmlns = "http://jabber.org/protocol/disco#info" });
	for _, identity in ipairs(module:get_host_items("identity")) do
		info:tag("identity", identity):up();
	end
	local message = st.message({ from = module.host, to = session.full_jid });
	message:add_child(info);
	if with_list then
		message:add_child(ext.services_xml(ext.get_services()));
	end
	session.send(message);
end);

local function refuse(event)
	event.origin.send(st.error_reply(event.stanza, "cancel", "not-allowed",
	    "the services were pushed at login"));
	return true;
end

for _, ns in ipairs({ "urn:xmpp:extdisco:2", "urn:xmpp:extdisco:1" }) do
	module:hook("iq-get/host/" .. ns .. ":services", refuse, 100);
end
