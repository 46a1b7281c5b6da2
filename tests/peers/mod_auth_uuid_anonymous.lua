-- mod_auth_uuid_anonymous.lua: an authentication provider for iceupd's
-- tests (authentication = "uuid_anonymous"): SASL ANONYMOUS as Prosody's
-- own, but the user names it hands out start with 8 letters or digits, as
-- the UUIDs of a Jitsi deployment's anonymous login do. Prosody's own names
-- may hold '-' there, which no nickname under anonymous_strict can match.
local new_sasl = require "util.sasl".new;

local provider = {};

function provider.test_password()
	return nil, "Password based auth not supported.";
end

function provider.get_password()
	return nil, "Password not available.";
end

function provider.set_password()
	return nil, "Password based auth not supported.";
end

function provider.user_exists()
	return nil, "Only anonymous users are supported.";
end

function provider.create_user()
	return nil, "Account creation/modification not supported.";
end

function provider.get_sasl_handler()
	return new_sasl(module.host, {
		-- false: util.sasl draws another name.
		anonymous = function(_, username)
			return username:match("^[a-z0-9]+") ~= nil and
			    #username:match("^[a-z0-9]+") >= 8;
		end;
	});
end

module:provides("auth", provider);
