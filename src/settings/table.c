/* table.c: every setting once, one entry each: its config key,
 * environment variable, flag, kind, bounds, default and help; which
 * commands read it and where help lists it; the flags that are not
 * settings, and the command words.  A new setting is one entry here (and
 * its field in struct settings). */
#include <stddef.h>
#include <stdio.h>

#include "../ice.h"
#include "../log.h"
#include "../providers/provider.h"
#include "parts.h"

const char *const format_names[] = { "neko", "rtc", "json", "env", "dotenv",
	"str0m", "table", NULL };
const char *const engine_policy_names[] = { "first", "merge", NULL };

#define F(field)	offsetof(struct settings, field)

static const struct setting table[] = {
	{ "providers", "ICEUPD_PROVIDERS", "providers", 'p', K_STR,
	    F(providers), 0, 0, NULL, NULL, "LIST",
	    "providers to ask, in priority order (default: all configured)" },
	{ "format", "ICEUPD_FORMAT", "format", 'f', K_CHOICE, F(format),
	    0, 0, format_names, "neko", "FMT",
	    "neko, rtc, json, env, dotenv or str0m; check and providers: "
	    "table or json" },
	{ "env_name", "ICEUPD_ENV_NAME", "env-name", 0, K_STR, F(env_name),
	    0, 0, NULL, "NEKO_ICESERVERS", "LIST",
	    "variable name(s) for env, dotenv and deploy" },
	{ "output", NULL, "output", 'o', K_STR, F(output),
	    0, 0, NULL, NULL, "FILE",
	    "write FILE atomically (mode 0600); fetch: - is stdout" },
	{ "transport", "ICEUPD_TRANSPORT", "transport", 0, K_CHOICE,
	    F(transport), 0, 0, ice_transport_names, "any", "T",
	    "any, udp, or tcp (TURN over TCP/TLS only)" },
	{ "relay", "ICEUPD_RELAY", "relay", 0, K_BOOL, F(relay),
	    0, 0, NULL, "false", NULL, "TURN only; rtc gets relay policy" },
	{ "policy", "ICEUPD_POLICY", "policy", 0, K_CHOICE, F(policy),
	    0, 0, engine_policy_names, "first", "P",
	    "first healthy provider, or merge them all" },
	{ "timeout_ms", "ICEUPD_TIMEOUT_MS", "timeout", 't', K_MSEC,
	    F(timeout_ms), 100, 600000, NULL, "5000", "TIME",
	    "deadline for the whole fetch" },
	{ "grace_ms", "ICEUPD_GRACE_MS", "grace", 0, K_MSEC, F(grace_ms),
	    0, 600000, NULL, "1500", "TIME",
	    "wait for a better provider once one answered" },
	{ "max_servers", NULL, "max-servers", 0, K_LONG, F(max_servers),
	    0, ICE_SERVERS_MAX, NULL, "0", "N", "keep at most N entries" },
	{ "ttl", "ICEUPD_TTL", "ttl", 0, K_SECONDS, F(ttl),
	    60, 7 * 86400, NULL, NULL, "TIME",
	    "credential lifetime to ask for (default: the provider's)" },
	{ "require_turn", NULL, "require-turn", 0, K_BOOL, F(require_turn),
	    0, 0, NULL, "false", NULL, "fail rather than emit no TURN" },
	{ "cacert", "ICEUPD_CA_FILE", "cacert", 0, K_STR, F(cacert),
	    0, 0, NULL, NULL, "FILE", "extra CA bundle for HTTPS" },
	{ "log_format", "ICEUPD_LOG_FORMAT", "log-format", 0, K_CHOICE,
	    F(log_format), 0, 0, log_format_names, "text", "F",
	    "text or json lines on stderr" },
	{ "cache", "ICEUPD_CACHE", "cache", 0, K_STR, F(cache),
	    0, 0, NULL, NULL, "FILE", "last good list and provider health" },
	{ "no_cache", NULL, "no-cache", 0, K_BOOL, F(no_cache),
	    0, 0, NULL, "false", NULL, "neither read nor write the cache" },
	{ "force_refresh", NULL, "force-refresh", 0, K_BOOL, F(force_refresh),
	    0, 0, NULL, "false", NULL, "ask providers even if the cache is fresh" },
	{ "min_ttl", "ICEUPD_MIN_TTL", "min-ttl", 0, K_SECONDS, F(min_ttl),
	    0, 86400, NULL, "300", "TIME",
	    "least lifetime left to reuse cached credentials" },
	{ "refresh_at", "ICEUPD_REFRESH_AT", "refresh-at", 0, K_LONG,
	    F(refresh_at), 10, 95, NULL, "80", "PERCENT",
	    "refresh once this much of the lifetime is gone" },
	{ "on_change", "ICEUPD_ON_CHANGE", "on-change", 0, K_STR, F(on_change),
	    0, 0, NULL, NULL, "CMD", "watch: run CMD (sh -c) after each change" },
	{ "once", NULL, "once", 0, K_BOOL, F(once), 0, 0, NULL, "false", NULL,
	    "watch: one refresh cycle; exit 3 if nothing to do" },
	{ "verify", "ICEUPD_VERIFY", "verify", 0, K_BOOL, F(verify), 0, 0, NULL,
	    "false", NULL, "probe every server first; drop what fails" },
	{ "insecure_probe", NULL, "insecure-probe", 0, K_BOOL,
	    F(insecure_probe), 0, 0, NULL, "false", NULL,
	    "probe TLS relays without verifying them (tests only)" },

	{ "coturn.urls", "WEBRTC_TURN_URLS", NULL, 0, K_STR, F(turn_urls),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "coturn.username", "WEBRTC_TURN_USERNAME", NULL, 0, K_SECRET,
	    F(turn_username), 0, 0, NULL, NULL, NULL, NULL },
	{ "coturn.credential", "WEBRTC_TURN_CREDENTIAL", NULL, 0, K_SECRET,
	    F(turn_credential), 0, 0, NULL, NULL, NULL, NULL },
	{ "coturn.shared_secret", "TURN_SHARED_SECRET", NULL, 0, K_SECRET,
	    F(turn_secret), 0, 0, NULL, NULL, NULL, NULL },
	{ "coturn.user", "TURN_USER", NULL, 0, K_STR, F(turn_user),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "coturn.ttl", "TURN_TTL", NULL, 0, K_SECONDS, F(turn_ttl),
	    60, 7 * 86400, NULL, NULL, NULL, NULL },
	{ "stun.urls", "WEBRTC_STUN_URLS", NULL, 0, K_STR, F(stun_urls),
	    0, 0, NULL, NULL, NULL, NULL },

	{ "twilio.account_sid", "TWILIO_ACCOUNT_SID", NULL, 0, K_STR,
	    F(twilio_sid), 0, 0, NULL, NULL, NULL, NULL },
	{ "twilio.auth_token", "TWILIO_AUTH_TOKEN", NULL, 0, K_SECRET,
	    F(twilio_token), 0, 0, NULL, NULL, NULL, NULL },
	{ "twilio.api_key_sid", "TWILIO_API_KEY_SID", NULL, 0, K_STR,
	    F(twilio_key_sid), 0, 0, NULL, NULL, NULL, NULL },
	{ "twilio.api_key_secret", "TWILIO_API_KEY_SECRET", NULL, 0, K_SECRET,
	    F(twilio_key_secret), 0, 0, NULL, NULL, NULL, NULL },
	{ "twilio.ttl", "TWILIO_TTL", NULL, 0, K_SECONDS, F(twilio_ttl),
	    1, 86400, NULL, NULL, NULL, NULL },
	{ "twilio.api_base", "TWILIO_API_BASE", NULL, 0, K_STR,
	    F(twilio_base), 0, 0, NULL, "https://api.twilio.com", NULL, NULL },
	{ "twilio.region", "TWILIO_REGION", NULL, 0, K_STR, F(twilio_region),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "twilio.edge", "TWILIO_EDGE", NULL, 0, K_STR, F(twilio_edge),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "cloudflare.key_id", "CLOUDFLARE_TURN_KEY_ID", NULL, 0, K_STR,
	    F(cf_key_id), 0, 0, NULL, NULL, NULL, NULL },
	{ "cloudflare.api_token", "CLOUDFLARE_TURN_API_TOKEN", NULL, 0,
	    K_SECRET, F(cf_token), 0, 0, NULL, NULL, NULL, NULL },
	{ "cloudflare.api_base", "CLOUDFLARE_API_BASE", NULL, 0, K_STR,
	    F(cf_base), 0, 0, NULL, "https://rtc.live.cloudflare.com", NULL,
	    NULL },
	{ "metered.app", "METERED_APP", NULL, 0, K_STR, F(metered_app),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "metered.api_key", "METERED_API_KEY", NULL, 0, K_SECRET,
	    F(metered_key), 0, 0, NULL, NULL, NULL, NULL },
	{ "metered.api_base", "METERED_API_BASE", NULL, 0, K_STR,
	    F(metered_base), 0, 0, NULL, NULL, NULL, NULL },
	{ "xirsys.ident", "XIRSYS_IDENT", NULL, 0, K_STR, F(xirsys_ident),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "xirsys.secret", "XIRSYS_SECRET", NULL, 0, K_SECRET,
	    F(xirsys_secret), 0, 0, NULL, NULL, NULL, NULL },
	{ "xirsys.channel", "XIRSYS_CHANNEL", NULL, 0, K_STR,
	    F(xirsys_channel), 0, 0, NULL, NULL, NULL, NULL },
	{ "xirsys.api_base", "XIRSYS_API_BASE", NULL, 0, K_STR,
	    F(xirsys_base), 0, 0, NULL, "https://global.xirsys.net", NULL,
	    NULL },
	{ "turnix.api_token", "TURNIX_API_TOKEN", NULL, 0, K_SECRET,
	    F(turnix_token), 0, 0, NULL, NULL, NULL, NULL },
	{ "turnix.api_base", "TURNIX_API_BASE", NULL, 0, K_STR,
	    F(turnix_base), 0, 0, NULL, "https://turnix.io", NULL, NULL },
	{ "jitsi.url", "ICEUPD_JITSI_URL", NULL, 0, K_STR, F(jitsi_url),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "jitsi.domain", "ICEUPD_JITSI_DOMAIN", NULL, 0, K_STR,
	    F(jitsi_domain), 0, 0, NULL, NULL, NULL, NULL },
	{ "jitsi.room", "ICEUPD_JITSI_ROOM", NULL, 0, K_STR, F(jitsi_room),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "jitsi.token", "ICEUPD_JITSI_TOKEN", NULL, 0, K_SECRET,
	    F(jitsi_token), 0, 0, NULL, NULL, NULL, NULL },
	{ "jaas.tenant", "JAAS_TENANT", NULL, 0, K_STR, F(jaas_tenant),
	    0, 0, NULL, "vpaas-magic-cookie-a4818bd762a044998d717b70ac734cfe",
	    NULL, NULL },
	{ "jaas.brave_talk_api", "BRAVE_TALK_API", NULL, 0, K_STR,
	    F(jaas_brave_api), 0, 0, NULL, "https://talk.brave.com/api/v1",
	    NULL, NULL },
	{ "jaas.url", "JAAS_URL", NULL, 0, K_STR, F(jaas_url),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "jaas.domain", "JAAS_DOMAIN", NULL, 0, K_STR, F(jaas_domain),
	    0, 0, NULL, "8x8.vc", NULL, NULL },
	{ "kmeet.url", "KMEET_URL", NULL, 0, K_STR, F(kmeet_url),
	    0, 0, NULL, "https://kmeet.infomaniak.com/http-bind", NULL, NULL },
	{ "kmeet.domain", "KMEET_DOMAIN", NULL, 0, K_STR, F(kmeet_domain),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "url.url", "ICEUPD_URL", NULL, 0, K_STR, F(url),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "url.method", "ICEUPD_URL_METHOD", NULL, 0, K_CHOICE, F(url_method),
	    0, 0, url_method_names, "GET", NULL, NULL },
	{ "url.token", "ICEUPD_URL_TOKEN", NULL, 0, K_SECRET, F(url_token),
	    0, 0, NULL, NULL, NULL, NULL },
	{ "url.header", "ICEUPD_URL_HEADER", NULL, 0, K_SECRET,
	    F(url_header), 0, 0, NULL, NULL, NULL, NULL },
	{ "url.allow_http", "ICEUPD_URL_ALLOW_HTTP", NULL, 0, K_BOOL,
	    F(url_allow_http), 0, 0, NULL, "false", NULL, NULL },
	{ "matrix.homeserver", "MATRIX_HOMESERVER", NULL, 0, K_STR,
	    F(matrix_homeserver), 0, 0, NULL, NULL, NULL, NULL },
	{ "matrix.access_token", "MATRIX_ACCESS_TOKEN", NULL, 0, K_SECRET,
	    F(matrix_token), 0, 0, NULL, NULL, NULL, NULL },

	{ "service", "ICEUPD_CLOUDRUN_SERVICE", "service", 0, K_LIST,
	    F(services), 0, 0, NULL, NULL, "NAME",
	    "deploy: Cloud Run service(s), projects/P/locations/L/services/S "
	    "or S; repeatable" },
	{ "project", "GOOGLE_CLOUD_PROJECT", "project", 0, K_STR, F(project),
	    0, 0, NULL, NULL, "ID", "deploy: project of short service names" },
	{ "region", "ICEUPD_CLOUDRUN_REGION", "region", 0, K_STR, F(region),
	    0, 0, NULL, NULL, "REGION", "deploy: region of short service names" },
	{ "container", "ICEUPD_CLOUDRUN_CONTAINER", "container", 0, K_STR,
	    F(container), 0, 0, NULL, NULL, "NAME",
	    "deploy: container to set (default: the first)" },
	{ "sink", "ICEUPD_DEPLOY_SINK", "sink", 0, K_STR, F(sink),
	    0, 0, NULL, NULL, "secret:NAME",
	    "deploy: add a Secret Manager version instead" },
	{ "keep", NULL, "keep", 0, K_LONG, F(keep), 1, 1000, NULL, "2", "N",
	    "deploy to a secret: enabled versions to keep" },
	{ "deploy_timeout", "ICEUPD_DEPLOY_TIMEOUT", "deploy-timeout", 0,
	    K_SECONDS, F(deploy_timeout), 10, 3600, NULL, "600", "TIME",
	    "deploy: deadline for the update and its rollout" },
	{ "dry_run", NULL, "dry-run", 0, K_BOOL, F(dry_run), 0, 0, NULL,
	    "false", NULL, "deploy: show what would change, change nothing" },
	{ "validate_only", NULL, "validate-only", 0, K_BOOL, F(validate_only),
	    0, 0, NULL, "false", NULL,
	    "deploy: have Cloud Run validate the update, not apply it" },
	{ "allow_self", NULL, "allow-self", 0, K_BOOL, F(allow_self),
	    0, 0, NULL, "false", NULL,
	    "deploy: allow updating the service iceupd runs in" },
	{ "deploy.access_token", "GOOGLE_OAUTH_ACCESS_TOKEN", NULL, 0,
	    K_SECRET, F(google_token), 0, 0, NULL, NULL, NULL, NULL },
	{ "deploy.credentials", "GOOGLE_APPLICATION_CREDENTIALS", NULL, 0,
	    K_STR, F(google_credentials), 0, 0, NULL, NULL, NULL, NULL },
	{ "deploy.metadata_host", "GCE_METADATA_HOST", NULL, 0, K_STR,
	    F(metadata_host), 0, 0, NULL, NULL, NULL, NULL },
	{ "deploy.cloudrun_endpoint", "ICEUPD_CLOUDRUN_ENDPOINT", NULL, 0,
	    K_STR, F(cloudrun_endpoint), 0, 0, NULL,
	    "https://run.googleapis.com", NULL, NULL },
	{ "deploy.secretmanager_endpoint", "ICEUPD_SECRETMANAGER_ENDPOINT",
	    NULL, 0, K_STR, F(secretmanager_endpoint), 0, 0, NULL,
	    "https://secretmanager.googleapis.com", NULL, NULL },

	{ "serve.listen", "ICEUPD_LISTEN", "listen", 0, K_STR, F(listen),
	    0, 0, NULL, "127.0.0.1:8080", "ADDR:PORT",
	    "serve: address to listen on (port 0: any free port)" },
	{ "serve.port_file", NULL, "port-file", 0, K_STR, F(port_file),
	    0, 0, NULL, NULL, "FILE", "serve: write the bound port to FILE" },
	{ "serve.auth_token_file", "ICEUPD_AUTH_TOKEN_FILE", "auth-token-file",
	    0, K_STR, F(auth_token_file), 0, 0, NULL, NULL, "FILE",
	    "serve: require this bearer token on the API" },
	{ "serve.cors_origin", "ICEUPD_CORS_ORIGIN", "cors-origin", 0, K_STR,
	    F(cors_origin), 0, 0, NULL, NULL, "ORIGIN",
	    "serve: allow browsers of ORIGIN (CORS)" },
	{ "serve.turn_ttl", "ICEUPD_SERVE_TURN_TTL", "turn-ttl", 0, K_SECONDS,
	    F(serve_turn_ttl), 60, 86400, NULL, "600", "TIME",
	    "serve: lifetime of per-caller TURN credentials" },
};

#define NSETTINGS	(sizeof(table) / sizeof(table[0]))

const struct setting *const settings_table = table;
const size_t settings_count = NSETTINGS;

/* Which commands read a setting, and where help lists it.  A setting not
 * named here (a provider's) is read by every command that asks providers,
 * and by `providers`. */
static const struct scope {
	size_t		 off;
	enum group	 group;
	unsigned	 commands;
} scopes[] = {
	{ F(providers), G_PROVIDERS, CMDS_ALL },
	{ F(format), G_OUTPUT, CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_WATCH) |
	    CMD_BIT(CMD_CHECK) | CMD_BIT(CMD_PROVIDERS) },
	{ F(env_name), G_OUTPUT, CMDS_RENDERING },
	{ F(output), G_OUTPUT, CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_WATCH) },
	{ F(transport), G_PROVIDERS, CMDS_FETCHING },
	{ F(relay), G_PROVIDERS, CMDS_FETCHING },
	{ F(policy), G_PROVIDERS, CMDS_PICKING },
	{ F(timeout_ms), G_TIMING, CMDS_FETCHING },
	{ F(grace_ms), G_TIMING, CMDS_PICKING },
	{ F(max_servers), G_PROVIDERS, CMDS_PICKING },
	{ F(ttl), G_TIMING, CMDS_FETCHING },
	{ F(require_turn), G_PROVIDERS, CMDS_RENDERING },
	{ F(cacert), G_COMMON, CMDS_ALL },
	{ F(log_format), G_COMMON, CMDS_ALL },
	{ F(cache), G_CACHE, CMDS_ALL },
	{ F(no_cache), G_CACHE, CMDS_ALL },
	{ F(force_refresh), G_CACHE, CMDS_PICKING },
	{ F(min_ttl), G_CACHE, CMDS_PICKING },
	{ F(refresh_at), G_TIMING, CMDS_PICKING },
	{ F(on_change), G_COMMAND, CMD_BIT(CMD_WATCH) },
	{ F(once), G_COMMAND, CMD_BIT(CMD_WATCH) },
	{ F(verify), G_PROVIDERS, CMDS_FETCHING },
	{ F(insecure_probe), G_PROVIDERS, CMDS_FETCHING },
	{ F(services), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(project), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(region), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(container), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(sink), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(keep), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(deploy_timeout), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(dry_run), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(validate_only), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(allow_self), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(google_token), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(google_credentials), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(metadata_host), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(cloudrun_endpoint), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(secretmanager_endpoint), G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ F(listen), G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ F(port_file), G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ F(auth_token_file), G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ F(cors_origin), G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ F(serve_turn_ttl), G_COMMAND, CMD_BIT(CMD_SERVE) },
};

const struct plain_flag plain_flags[] = {
	{ "config", 'c', "FILE", "ICEUPD_CONFIG", G_COMMON, CMDS_ALL,
	    "libconfig file (default " DEFAULT_CONFIG " if present)" },
	{ "neko-v3", OPT_NEKO_V3, NULL, NULL, G_OUTPUT, CMDS_RENDERING,
	    "env names for neko v3 front and back end" },
	{ "verbose", 'v', NULL, NULL, G_COMMON, CMDS_ALL,
	    "more on stderr (twice: most)" },
	{ "quiet", 'q', NULL, NULL, G_COMMON, CMDS_ALL,
	    "errors only on stderr" },
	{ "help", 'h', NULL, NULL, G_COMMON, CMDS_ALL,
	    "this text; 'iceupd help COMMAND': a command's options" },
	{ "version", 'V', NULL, NULL, G_COMMON, CMDS_ALL,
	    "versions of iceupd and its libraries" },
	{ NULL, 0, NULL, NULL, G_COMMON, 0, NULL }
};

/* The command words, in the order of enum command. */
const char *const command_names[] = { "fetch", "providers", "watch",
	"deploy", "check", "serve", "help", "completion", NULL };

static const struct scope *
find_scope(const struct setting *t)
{
	size_t	 i;

	for (i = 0; i < sizeof(scopes) / sizeof(scopes[0]); i++)
		if (scopes[i].off == t->off)
			return &scopes[i];
	return NULL;
}

unsigned
setting_commands(const struct setting *t)
{
	const struct scope *sc = find_scope(t);

	return sc != NULL ? sc->commands : CMDS_ALL;
}

enum group
setting_group(const struct setting *t)
{
	const struct scope *sc = find_scope(t);

	return sc != NULL ? sc->group : G_PROVIDERS;
}

void
commands_text(unsigned mask, char *buf, size_t len)
{
	size_t	 c, n = 0, total = 0, used = 0;

	for (c = 0; c <= CMD_SERVE; c++)
		total += (mask & CMD_BIT(c)) != 0;
	buf[0] = '\0';
	for (c = 0; c <= CMD_SERVE && used < len; c++) {
		if (!(mask & CMD_BIT(c)))
			continue;
		n++;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    n == 1 ? "" : n == total ? " and " : ", ",
		    command_names[c]);
	}
}

int
settings_find(size_t off)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++)
		if (table[i].off == off)
			return (int)i;
	return -1;
}
