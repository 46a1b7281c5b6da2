-- mod_token_standin.lua: a Prosody module for iceupd's tests, on the
-- VirtualHost. Like a Jitsi deployment with token authentication, the token
-- comes in the BOSH or WebSocket URL (?token=) and SASL ANONYMOUS fails with
-- <not-allowed/> unless it is the one token_standin_accepts names.
local st = require "util.stanza";
local http = require "util.http";

local accepted = module:get_option_string("token_standin_accepts", "good-token");

local function note_token(event)
	local url = event.request and event.request.url;
	if event.session.host ~= module.host then
		return;
	end
	local params = url and url.query and http.formdecode(url.query);
	if type(params) == "table" and type(params.token) == "string" then
		event.session.standin_token = params.token;
	end
end
-- mod_bosh and mod_websocket fire these globally.
module:hook_global("bosh-session", note_token);
module:hook_global("websocket-session", note_token);

module:hook("stanza/urn:ietf:params:xml:ns:xmpp-sasl:auth", function(event)
	if event.origin.standin_token == accepted then
		return;	-- on to the anonymous login
	end
	event.origin.send(st.stanza("failure",
	    { xmlns = "urn:ietf:params:xml:ns:xmpp-sasl" })
	    :tag("not-allowed"):up()
	    :tag("text"):text("token is invalid or expired"):up());
	return true;
end, 10);
