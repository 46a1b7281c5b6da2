-- mod_resource_strict.lua: a Prosody module for iceupd's tests, on the MUC
-- component, holding joins to the rule of jitsi-meet's
-- mod_muc_resource_validate with anonymous_strict = true: the occupant
-- nickname (the resource of the room JID) must be [A-Za-z0-9][A-Za-z0-9_]*,
-- and a user of an anonymous host must take the first 8 characters of the
-- local part of its own JID. Written from that rule for the tests.
local jid = require "util.jid";
local st = require "util.stanza";

-- The authentication providers of anonymous users (the same option).
local anonymous = module:get_option_set("anonymous_auth_methods",
    { "anonymous", "jitsi-anonymous", "token" });

local function anonymous_host(host)
	local h = prosody.hosts[host];
	return h ~= nil and h.users ~= nil and anonymous:contains(h.users.name);
end

module:hook("muc-occupant-pre-join", function(event)
	local origin, stanza = event.origin, event.stanza;
	local user, host = jid.split(stanza.attr.from);
	local nick = select(3, jid.split(stanza.attr.to));

	if user == nil then
		return;
	end
	if nick == nil or not nick:match("^[a-zA-Z0-9][a-zA-Z0-9_]*$") then
		module:log("warn", "refused nickname %s", tostring(nick));
		origin.send(st.error_reply(stanza, "cancel", "not-allowed",
		    "Invalid resource"));
		return true;
	end
	if anonymous_host(host) and nick ~= user:sub(1, 8) then
		module:log("warn", "refused nickname %s of %s", nick,
		    stanza.attr.from);
		origin.send(st.error_reply(stanza, "cancel", "not-allowed",
		    "Invalid anonymous user ID"));
		return true;
	end
	module:log("info", "accepted nickname %s of %s", nick,
	    stanza.attr.from);
end, 11);
