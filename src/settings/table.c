/* table.c: every setting once, one entry each: its config key,
 * environment variable, flag, kind, bounds, default, help, where help
 * lists it and which commands read it (a provider's: G_PROVIDERS,
 * CMDS_ALL); the flags that are not settings, and the command words.  A
 * new setting is one entry here (and its field in struct settings). */
#include <stddef.h>
#include <stdio.h>

#include "../ice.h"
#include "../log.h"
#include "parts.h"
#include "table.h"

#define FORMAT_NAME(e, name)	#name,
const char *const format_names[] = { ICEUPD_FORMATS(FORMAT_NAME) NULL };
const char *const engine_policy_names[] = { "first", "merge", NULL };
const char *const url_method_names[] = { "GET", "POST", NULL };

#define F(field)	offsetof(struct settings, field)

static const struct setting table[] = {
	{ "providers", "ICEUPD_PROVIDERS", "providers", 'p', K_STR,
	    F(providers), 0, 0, NULL, NULL, "LIST",
	    "providers to ask, in priority order (default: all configured)",
	    G_PROVIDERS, CMDS_ALL },
	{ "format", "ICEUPD_FORMAT", "format", 'f', K_CHOICE, F(format),
	    0, 0, format_names, "neko", "FMT",
	    "neko, rtc, json, env, dotenv or str0m; check and providers: "
	    "table or json",
	    G_OUTPUT, CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_WATCH) |
	    CMD_BIT(CMD_CHECK) | CMD_BIT(CMD_PROVIDERS) },
	{ "env_name", "ICEUPD_ENV_NAME", "env-name", 0, K_STR, F(env_name),
	    0, 0, NULL, "NEKO_ICESERVERS", "LIST",
	    "variable name(s) for env, dotenv and deploy",
	    G_OUTPUT, CMDS_RENDERING },
	{ "output", NULL, "output", 'o', K_STR, F(output),
	    0, 0, NULL, NULL, "FILE",
	    "write FILE atomically (mode 0600); fetch: - is stdout",
	    G_OUTPUT, CMD_BIT(CMD_FETCH) | CMD_BIT(CMD_WATCH) },
	{ "transport", "ICEUPD_TRANSPORT", "transport", 0, K_CHOICE,
	    F(transport), 0, 0, ice_transport_names, "any", "T",
	    "any, udp, or tcp (TURN over TCP/TLS only)",
	    G_PROVIDERS, CMDS_FETCHING },
	{ "relay", "ICEUPD_RELAY", "relay", 0, K_BOOL, F(relay),
	    0, 0, NULL, "false", NULL, "TURN only; rtc gets relay policy",
	    G_PROVIDERS, CMDS_FETCHING },
	{ "policy", "ICEUPD_POLICY", "policy", 0, K_CHOICE, F(policy),
	    0, 0, engine_policy_names, "first", "P",
	    "first healthy provider, or merge them all",
	    G_PROVIDERS, CMDS_PICKING },
	{ "timeout_ms", "ICEUPD_TIMEOUT_MS", "timeout", 't', K_MSEC,
	    F(timeout_ms), 100, 600000, NULL, "5000", "TIME",
	    "deadline for the whole fetch",
	    G_TIMING, CMDS_FETCHING },
	{ "grace_ms", "ICEUPD_GRACE_MS", "grace", 0, K_MSEC, F(grace_ms),
	    0, 600000, NULL, "1500", "TIME",
	    "wait for a better provider once one answered",
	    G_TIMING, CMDS_PICKING },
	{ "max_servers", NULL, "max-servers", 0, K_LONG, F(max_servers),
	    0, ICE_SERVERS_MAX, NULL, "0", "N", "keep at most N entries",
	    G_PROVIDERS, CMDS_PICKING },
	{ "ttl", "ICEUPD_TTL", "ttl", 0, K_SECONDS, F(ttl),
	    60, 7 * 86400, NULL, NULL, "TIME",
	    "credential lifetime to ask for (default: the provider's)",
	    G_TIMING, CMDS_FETCHING },
	{ "require_turn", NULL, "require-turn", 0, K_BOOL, F(require_turn),
	    0, 0, NULL, "false", NULL, "fail rather than emit no TURN",
	    G_PROVIDERS, CMDS_RENDERING },
	{ "cacert", "ICEUPD_CA_FILE", "cacert", 0, K_STR, F(cacert),
	    0, 0, NULL, NULL, "FILE", "extra CA bundle for HTTPS",
	    G_COMMON, CMDS_ALL },
	{ "log_format", "ICEUPD_LOG_FORMAT", "log-format", 0, K_CHOICE,
	    F(log_format), 0, 0, log_format_names, "text", "F",
	    "text or json lines on stderr",
	    G_COMMON, CMDS_ALL },
	{ "cache", "ICEUPD_CACHE", "cache", 0, K_STR, F(cache),
	    0, 0, NULL, NULL, "FILE", "last good list and provider health",
	    G_CACHE, CMDS_ALL },
	{ "no_cache", NULL, "no-cache", 0, K_BOOL, F(no_cache),
	    0, 0, NULL, "false", NULL, "neither read nor write the cache",
	    G_CACHE, CMDS_ALL },
	{ "force_refresh", NULL, "force-refresh", 0, K_BOOL, F(force_refresh),
	    0, 0, NULL, "false", NULL, "ask providers even if the cache is fresh",
	    G_CACHE, CMDS_PICKING },
	{ "min_ttl", "ICEUPD_MIN_TTL", "min-ttl", 0, K_SECONDS, F(min_ttl),
	    0, 86400, NULL, "300", "TIME",
	    "least lifetime left to reuse cached credentials",
	    G_CACHE, CMDS_PICKING },
	{ "refresh_at", "ICEUPD_REFRESH_AT", "refresh-at", 0, K_LONG,
	    F(refresh_at), 10, 95, NULL, "80", "PERCENT",
	    "refresh once this much of the lifetime is gone",
	    G_TIMING, CMDS_PICKING },
	{ "on_change", "ICEUPD_ON_CHANGE", "on-change", 0, K_STR, F(on_change),
	    0, 0, NULL, NULL, "CMD", "watch: run CMD (sh -c) after each change",
	    G_COMMAND, CMD_BIT(CMD_WATCH) },
	{ "once", NULL, "once", 0, K_BOOL, F(once), 0, 0, NULL, "false", NULL,
	    "watch: one refresh cycle; exit 3 if nothing to do",
	    G_COMMAND, CMD_BIT(CMD_WATCH) },
	{ "verify", "ICEUPD_VERIFY", "verify", 0, K_BOOL, F(verify), 0, 0, NULL,
	    "false", NULL, "probe every server first; drop what fails",
	    G_PROVIDERS, CMDS_FETCHING },
	{ "insecure_probe", NULL, "insecure-probe", 0, K_BOOL,
	    F(insecure_probe), 0, 0, NULL, "false", NULL,
	    "probe TLS relays without verifying them (tests only)",
	    G_PROVIDERS, CMDS_FETCHING },

	{ "coturn.urls", "WEBRTC_TURN_URLS", NULL, 0, K_STR, F(turn_urls),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "coturn.username", "WEBRTC_TURN_USERNAME", NULL, 0, K_SECRET,
	    F(turn_username), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "coturn.credential", "WEBRTC_TURN_CREDENTIAL", NULL, 0, K_SECRET,
	    F(turn_credential), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "coturn.shared_secret", "TURN_SHARED_SECRET", NULL, 0, K_SECRET,
	    F(turn_secret), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "coturn.user", "TURN_USER", NULL, 0, K_STR, F(turn_user),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "coturn.ttl", "TURN_TTL", NULL, 0, K_SECONDS, F(turn_ttl),
	    60, 7 * 86400, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "stun.urls", "WEBRTC_STUN_URLS", NULL, 0, K_STR, F(stun_urls),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },

	{ "twilio.account_sid", "TWILIO_ACCOUNT_SID", NULL, 0, K_STR,
	    F(twilio_sid), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.auth_token", "TWILIO_AUTH_TOKEN", NULL, 0, K_SECRET,
	    F(twilio_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.api_key_sid", "TWILIO_API_KEY_SID", NULL, 0, K_STR,
	    F(twilio_key_sid), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.api_key_secret", "TWILIO_API_KEY_SECRET", NULL, 0, K_SECRET,
	    F(twilio_key_secret), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.ttl", "TWILIO_TTL", NULL, 0, K_SECONDS, F(twilio_ttl),
	    1, 86400, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.api_base", "TWILIO_API_BASE", NULL, 0, K_STR,
	    F(twilio_base), 0, 0, NULL, "https://api.twilio.com", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.region", "TWILIO_REGION", NULL, 0, K_STR, F(twilio_region),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "twilio.edge", "TWILIO_EDGE", NULL, 0, K_STR, F(twilio_edge),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "cloudflare.key_id", "CLOUDFLARE_TURN_KEY_ID", NULL, 0, K_STR,
	    F(cf_key_id), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "cloudflare.api_token", "CLOUDFLARE_TURN_API_TOKEN", NULL, 0,
	    K_SECRET, F(cf_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "cloudflare.api_base", "CLOUDFLARE_API_BASE", NULL, 0, K_STR,
	    F(cf_base), 0, 0, NULL, "https://rtc.live.cloudflare.com", NULL,
	    NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "metered.app", "METERED_APP", NULL, 0, K_STR, F(metered_app),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "metered.api_key", "METERED_API_KEY", NULL, 0, K_SECRET,
	    F(metered_key), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "metered.api_base", "METERED_API_BASE", NULL, 0, K_STR,
	    F(metered_base), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "xirsys.ident", "XIRSYS_IDENT", NULL, 0, K_STR, F(xirsys_ident),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "xirsys.secret", "XIRSYS_SECRET", NULL, 0, K_SECRET,
	    F(xirsys_secret), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "xirsys.channel", "XIRSYS_CHANNEL", NULL, 0, K_STR,
	    F(xirsys_channel), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "xirsys.api_base", "XIRSYS_API_BASE", NULL, 0, K_STR,
	    F(xirsys_base), 0, 0, NULL, "https://global.xirsys.net", NULL,
	    NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "turnix.api_token", "TURNIX_API_TOKEN", NULL, 0, K_SECRET,
	    F(turnix_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "turnix.api_base", "TURNIX_API_BASE", NULL, 0, K_STR,
	    F(turnix_base), 0, 0, NULL, "https://turnix.io", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jitsi.url", "ICEUPD_JITSI_URL", NULL, 0, K_STR, F(jitsi_url),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jitsi.domain", "ICEUPD_JITSI_DOMAIN", NULL, 0, K_STR,
	    F(jitsi_domain), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jitsi.room", "ICEUPD_JITSI_ROOM", NULL, 0, K_STR, F(jitsi_room),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jitsi.token", "ICEUPD_JITSI_TOKEN", NULL, 0, K_SECRET,
	    F(jitsi_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jaas.tenant", "JAAS_TENANT", NULL, 0, K_STR, F(jaas_tenant),
	    0, 0, NULL, "vpaas-magic-cookie-a4818bd762a044998d717b70ac734cfe",
	    NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jaas.brave_talk_api", "BRAVE_TALK_API", NULL, 0, K_STR,
	    F(jaas_brave_api), 0, 0, NULL, "https://talk.brave.com/api/v1",
	    NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jaas.url", "JAAS_URL", NULL, 0, K_STR, F(jaas_url),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "jaas.domain", "JAAS_DOMAIN", NULL, 0, K_STR, F(jaas_domain),
	    0, 0, NULL, "8x8.vc", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "kmeet.url", "KMEET_URL", NULL, 0, K_STR, F(kmeet_url),
	    0, 0, NULL, "https://kmeet.infomaniak.com/http-bind", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "kmeet.domain", "KMEET_DOMAIN", NULL, 0, K_STR, F(kmeet_domain),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "url.url", "ICEUPD_URL", NULL, 0, K_STR, F(url),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "url.method", "ICEUPD_URL_METHOD", NULL, 0, K_CHOICE, F(url_method),
	    0, 0, url_method_names, "GET", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "url.token", "ICEUPD_URL_TOKEN", NULL, 0, K_SECRET, F(url_token),
	    0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "url.header", "ICEUPD_URL_HEADER", NULL, 0, K_SECRET,
	    F(url_header), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "url.allow_http", "ICEUPD_URL_ALLOW_HTTP", NULL, 0, K_BOOL,
	    F(url_allow_http), 0, 0, NULL, "false", NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "matrix.homeserver", "MATRIX_HOMESERVER", NULL, 0, K_STR,
	    F(matrix_homeserver), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },
	{ "matrix.access_token", "MATRIX_ACCESS_TOKEN", NULL, 0, K_SECRET,
	    F(matrix_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_PROVIDERS, CMDS_ALL },

	{ "service", "ICEUPD_CLOUDRUN_SERVICE", "service", 0, K_LIST,
	    F(services), 0, 0, NULL, NULL, "NAME",
	    "deploy: Cloud Run service(s), projects/P/locations/L/services/S "
	    "or S; repeatable",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "project", "GOOGLE_CLOUD_PROJECT", "project", 0, K_STR, F(project),
	    0, 0, NULL, NULL, "ID", "deploy: project of short service names",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "region", "ICEUPD_CLOUDRUN_REGION", "region", 0, K_STR, F(region),
	    0, 0, NULL, NULL, "REGION", "deploy: region of short service names",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "container", "ICEUPD_CLOUDRUN_CONTAINER", "container", 0, K_STR,
	    F(container), 0, 0, NULL, NULL, "NAME",
	    "deploy: container to set (default: the first)",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "sink", "ICEUPD_DEPLOY_SINK", "sink", 0, K_STR, F(sink),
	    0, 0, NULL, NULL, "secret:NAME",
	    "deploy: add a Secret Manager version instead",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "keep", NULL, "keep", 0, K_LONG, F(keep), 1, 1000, NULL, "2", "N",
	    "deploy to a secret: enabled versions to keep",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy_timeout", "ICEUPD_DEPLOY_TIMEOUT", "deploy-timeout", 0,
	    K_SECONDS, F(deploy_timeout), 10, 3600, NULL, "600", "TIME",
	    "deploy: deadline for the update and its rollout",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "dry_run", NULL, "dry-run", 0, K_BOOL, F(dry_run), 0, 0, NULL,
	    "false", NULL, "deploy: show what would change, change nothing",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "validate_only", NULL, "validate-only", 0, K_BOOL, F(validate_only),
	    0, 0, NULL, "false", NULL,
	    "deploy: have Cloud Run validate the update, not apply it",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "allow_self", NULL, "allow-self", 0, K_BOOL, F(allow_self),
	    0, 0, NULL, "false", NULL,
	    "deploy: allow updating the service iceupd runs in",
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy.access_token", "GOOGLE_OAUTH_ACCESS_TOKEN", NULL, 0,
	    K_SECRET, F(google_token), 0, 0, NULL, NULL, NULL, NULL,
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy.credentials", "GOOGLE_APPLICATION_CREDENTIALS", NULL, 0,
	    K_STR, F(google_credentials), 0, 0, NULL, NULL, NULL, NULL,
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy.metadata_host", "GCE_METADATA_HOST", NULL, 0, K_STR,
	    F(metadata_host), 0, 0, NULL, NULL, NULL, NULL,
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy.cloudrun_endpoint", "ICEUPD_CLOUDRUN_ENDPOINT", NULL, 0,
	    K_STR, F(cloudrun_endpoint), 0, 0, NULL,
	    "https://run.googleapis.com", NULL, NULL,
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },
	{ "deploy.secretmanager_endpoint", "ICEUPD_SECRETMANAGER_ENDPOINT",
	    NULL, 0, K_STR, F(secretmanager_endpoint), 0, 0, NULL,
	    "https://secretmanager.googleapis.com", NULL, NULL,
	    G_COMMAND, CMD_BIT(CMD_DEPLOY) },

	{ "serve.listen", "ICEUPD_LISTEN", "listen", 0, K_STR, F(listen),
	    0, 0, NULL, "127.0.0.1:8080", "ADDR:PORT",
	    "serve: address to listen on (port 0: any free port)",
	    G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ "serve.port_file", NULL, "port-file", 0, K_STR, F(port_file),
	    0, 0, NULL, NULL, "FILE", "serve: write the bound port to FILE",
	    G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ "serve.auth_token_file", "ICEUPD_AUTH_TOKEN_FILE", "auth-token-file",
	    0, K_STR, F(auth_token_file), 0, 0, NULL, NULL, "FILE",
	    "serve: require this bearer token on the API",
	    G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ "serve.cors_origin", "ICEUPD_CORS_ORIGIN", "cors-origin", 0, K_STR,
	    F(cors_origin), 0, 0, NULL, NULL, "ORIGIN",
	    "serve: allow browsers of ORIGIN (CORS)",
	    G_COMMAND, CMD_BIT(CMD_SERVE) },
	{ "serve.turn_ttl", "ICEUPD_SERVE_TURN_TTL", "turn-ttl", 0, K_SECONDS,
	    F(serve_turn_ttl), 60, 86400, NULL, "600", "TIME",
	    "serve: lifetime of per-caller TURN credentials",
	    G_COMMAND, CMD_BIT(CMD_SERVE) },
};

#define NSETTINGS	(sizeof(table) / sizeof(table[0]))

const struct setting *const settings_table = table;
const size_t settings_count = NSETTINGS;

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

unsigned
setting_commands(const struct setting *t)
{
	return t->commands;
}

enum group
setting_group(const struct setting *t)
{
	return t->group;
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
