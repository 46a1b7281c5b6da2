-- session_params.lib.lua: for iceupd's test modules (module:require
-- "session_params"). note(module, name, field) keeps the query parameter
-- name of a BOSH or WebSocket session's URL, decoded, in session[field],
-- for sessions of module's host.
local http = require "util.http";

local function note(module, name, field)
	local function on_session(event)
		local url = event.request and event.request.url;
		local params = url and url.query and http.formdecode(url.query);
		if event.session.host == module.host and type(params) == "table" and
		    type(params[name]) == "string" then
			event.session[field] = params[name];
		end
	end
	-- mod_bosh and mod_websocket fire these globally.
	module:hook_global("bosh-session", on_session);
	module:hook_global("websocket-session", on_session);
end

return { note = note };
