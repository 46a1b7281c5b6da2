-- mod_token_standin.lua: a Prosody module for iceupd's tests, on the
-- VirtualHost. Like a Jitsi deployment with token authentication, the token
-- comes in the BOSH or WebSocket URL (?token=) and SASL ANONYMOUS fails with
-- <not-allowed/> unless it is the one token_standin_accepts names.
local st = require "util.stanza";

local accepted = module:get_option_string("token_standin_accepts", "good-token");

module:require("session_params").note(module, "token", "standin_token");

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
