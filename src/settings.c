/* settings.c: built-in defaults < config file < environment < flags.
 *
 * One table names every setting once: its config key, environment variable
 * and flag.  Each layer hands text to the same parser, so a value means the
 * same wherever it is written, and a bad one is reported with its origin. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <libconfig.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ice.h"
#include "log.h"
#include "settings.h"
#include "settings_table.h"
#include "util.h"

#define SECRET_MAX	(64 * 1024)
#define NEKO_V3_NAMES	"NEKO_WEBRTC_ICESERVERS_FRONTEND,NEKO_WEBRTC_ICESERVERS_BACKEND"

const char *const format_names[] = { "neko", "rtc", "json", "env", "dotenv",
	"str0m", "table", NULL };
const char *const engine_policy_names[] = { "first", "merge", NULL };
const char *const url_method_names[] = { "GET", "POST", NULL };

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

/* Flags that are not settings. */
enum { OPT_NEKO_V3 = 1000, OPT_TABLE = 2000 };

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

static const char *const shell_names[] = { "bash", "zsh", NULL };

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

/* The error for a flag the command does not read. */
static void
scope_error(const char *flag, unsigned mask, enum command cmd)
{
	char	 which[96];

	commands_text(mask, which, sizeof(which));
	log_error("%s applies to %s, not %s; see 'iceupd help %s'", flag,
	    which, command_names[cmd], command_names[cmd]);
}

static char	*
field_str(struct settings *s, const struct setting *t)
{
	return *(char **)((char *)s + t->off);
}

static int
find_setting(size_t off)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++)
		if (table[i].off == off)
			return (int)i;
	return -1;
}

const char *
settings_origin(const struct settings *s, size_t off)
{
	int	 i = find_setting(off);

	if (i == -1 || s->origin == NULL || s->origin[i] == NULL)
		return "default";
	return s->origin[i];
}

enum origin_kind
settings_origin_kind(const struct settings *s, size_t off)
{
	int	 i = find_setting(off);

	return i == -1 || s->origin_kind == NULL ? FROM_DEFAULT :
	    s->origin_kind[i];
}

static int
parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "1", "true", "yes", "on" };
	static const char *const no[] = { "0", "false", "no", "off" };
	size_t	 i;

	for (i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0)
			return *out = 1, 0;
		if (strcasecmp(v, no[i]) == 0)
			return *out = 0, 0;
	}
	return -1;
}

/* Parses a duration of setting t into its unit; 0 ok, -1 otherwise. */
static int
parse_time(const struct setting *t, const char *v, long *out)
{
	long long unit = t->kind == K_MSEC ? 1 : 1000, ms;

	if (util_parse_duration_ms(v, unit, &ms) == -1 || ms % unit != 0 ||
	    ms < t->min * unit || ms > t->max * unit)
		return -1;
	*out = (long)(ms / unit);
	return 0;
}

/* "100ms to 10m (a bare number is milliseconds)": for errors and help. */
static const char *
time_range(const struct setting *t, char *buf, size_t len)
{
	long long unit = t->kind == K_MSEC ? 1 : 1000;
	char	 lo[32], hi[32];

	snprintf(buf, len, "%s to %s (units ms, s, m, h, d; a bare number is "
	    "%s)", util_format_duration(t->min * unit, lo, sizeof(lo)),
	    util_format_duration(t->max * unit, hi, sizeof(hi)),
	    unit == 1 ? "milliseconds" : "seconds");
	return buf;
}

/* Stores text v as setting i, from origin.  0 ok, -1 after logging. */
static int
apply(struct settings *s, size_t i, const char *v, enum origin_kind kind,
    const char *origin)
{
	const struct setting *t = &table[i];
	char	 shown[128], choices[128], pct[32];
	char	**str;
	long	 n;
	int	 b;
	size_t	 c, len;

	/* An empty value (VAR= in an env file) means the built-in default,
	 * as if it were not set at all. */
	if (*v == '\0' && t->defval != NULL) {
		v = t->defval;
		kind = FROM_DEFAULT;
	}
	else if (*v == '\0' && t->kind != K_STR && t->kind != K_SECRET &&
	    t->kind != K_LIST) {
		if (KIND_IS_LONG(t->kind))
			*(long *)((char *)s + t->off) = 0;
		else
			*(int *)((char *)s + t->off) = 0;
		goto done;
	}
	if (t->kind == K_SECRET)
		snprintf(shown, sizeof(shown), "(value hidden)");
	else {
		shown[0] = '\'';
		log_escape(v, 80, shown + 1, sizeof(shown) - 2);
		strcat(shown, "'");
	}
	switch (t->kind) {
	case K_LIST:
		str = (char **)((char *)s + t->off);
		if (kind == FROM_FLAG && s->origin_kind[i] == FROM_FLAG &&
		    *str != NULL && *v != '\0') {
			struct strbuf joined = { 0 };

			sb_addf(&joined, "%s,%s", *str, v);
			free(*str);
			*str = joined.s;
			break;
		}
		/* FALLTHROUGH */
	case K_STR:
	case K_SECRET:
		str = (char **)((char *)s + t->off);
		if (t->kind == K_SECRET) {
			util_free_secret(*str);
			log_secret(v);
		} else {
			free(*str);
			log_url_secret(v);
		}
		*str = *v == '\0' ? NULL : xstrdup(v);
		break;
	case K_LONG:
		/* A percentage may say so: "80%". */
		if (t->arg != NULL && strcmp(t->arg, "PERCENT") == 0 &&
		    (len = strlen(v)) > 1 && v[len - 1] == '%' &&
		    len < sizeof(pct)) {
			memcpy(pct, v, len - 1);
			pct[len - 1] = '\0';
			v = pct;
		}
		if (util_parse_long(v, t->min, t->max, &n) == -1) {
			log_error("%s: %s is not a whole number from %ld to "
			    "%ld", origin, shown, t->min, t->max);
			return -1;
		}
		*(long *)((char *)s + t->off) = n;
		break;
	case K_MSEC:
	case K_SECONDS:
		if (parse_time(t, v, &n) == -1) {
			log_error("%s: %s is not a duration from %s", origin,
			    shown, time_range(t, choices, sizeof(choices)));
			return -1;
		}
		*(long *)((char *)s + t->off) = n;
		break;
	case K_BOOL:
		if (parse_bool(v, &b) == -1) {
			log_error("%s: %s is not a yes/no value (true, false, "
			    "1, 0)", origin, shown);
			return -1;
		}
		*(int *)((char *)s + t->off) = b;
		break;
	case K_CHOICE:
		choices[0] = '\0';
		for (c = 0; t->choices[c] != NULL; c++) {
			if (strcasecmp(v, t->choices[c]) == 0)
				break;
			if (c > 0)
				strcat(choices, ", ");
			strncat(choices, t->choices[c],
			    sizeof(choices) - strlen(choices) - 3);
		}
		if (t->choices[c] == NULL) {
			log_error("%s: %s is not one of: %s", origin, shown,
			    choices);
			return -1;
		}
		*(int *)((char *)s + t->off) = (int)c;
		break;
	}
done:
	free(s->origin[i]);
	s->origin[i] = xstrdup(origin);
	s->origin_kind[i] = kind;
	return 0;
}

static const char *
env_get(char *const *envp, const char *name)
{
	size_t	 n = strlen(name);

	for (; envp != NULL && *envp != NULL; envp++)
		if (strncmp(*envp, name, n) == 0 && (*envp)[n] == '=')
			return *envp + n + 1;
	return NULL;
}

/* ICEUPD_ names read outside the table: by main, by the wrapper scripts,
 * set for an --on-change command, by the test suite (which exports them
 * to the runs it makes). */
static const char *const env_extra[] = { "ICEUPD_CONFIG",
	"ICEUPD_LOG_FORMAT", "ICEUPD_KEEP_SECRETS", "ICEUPD_OUTPUT",
	"ICEUPD_EXPIRES_AT", "ICEUPD_TEST_SLOW", "ICEUPD_TEST_RUNS",
	"ICEUPD_STATIC" };
#define NEXTRA	(sizeof(env_extra) / sizeof(env_extra[0]))

/* Warns once for each ICEUPD_* variable in envp that no one reads (a
 * misspelling would else pass in silence), naming the closest known. */
static void
warn_unknown_env(char *const *envp)
{
	const char	**known;
	char		(*files)[64], name[64], shown[80];
	const char	*eq, *near;
	size_t		 i, n = 0, len;

	known = xcalloc(2 * NSETTINGS + NEXTRA, sizeof(*known));
	files = xcalloc(NSETTINGS, sizeof(*files));
	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].env == NULL)
			continue;
		known[n++] = table[i].env;
		if (table[i].kind == K_SECRET) {
			snprintf(files[i], sizeof(files[i]), "%s_FILE",
			    table[i].env);
			known[n++] = files[i];
		}
	}
	for (i = 0; i < NEXTRA; i++)
		known[n++] = env_extra[i];
	for (; envp != NULL && *envp != NULL; envp++) {
		if (strncmp(*envp, "ICEUPD_", 7) != 0 ||
		    (eq = strchr(*envp, '=')) == NULL)
			continue;
		len = (size_t)(eq - *envp);
		snprintf(name, sizeof(name), "%.*s", (int)(len < 63 ? len : 63),
		    *envp);
		for (i = 0; i < n && (len > 63 || strcmp(known[i], name)); i++)
			;
		if (i < n)
			continue;
		log_escape(name, 60, shown, sizeof(shown));
		if ((near = util_closest(name, known, n)) != NULL)
			log_warn("%s (environment) is not a setting of iceupd: "
			    "ignored; did you mean %s?", shown, near);
		else
			log_warn("%s (environment) is not a setting of iceupd: "
			    "ignored; see iceupd(1), ENVIRONMENT", shown);
	}
	free(files);
	free(known);
}

/* Environment layer: NAME, and NAME_FILE for secrets. */
static int
load_env(struct settings *s, char *const *envp)
{
	char	 fname[128], origin[160];
	const char *v, *path;
	char	*content;
	size_t	 i;
	int	 rc;

	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].env == NULL)
			continue;
		v = env_get(envp, table[i].env);
		path = NULL;
		if (table[i].kind == K_SECRET) {
			snprintf(fname, sizeof(fname), "%s_FILE",
			    table[i].env);
			path = env_get(envp, fname);
			if (path != NULL && *path == '\0')
				path = NULL;
		}
		if (v != NULL && path != NULL && *v != '\0') {
			log_error("%s and %s are both set: set one",
			    table[i].env, fname);
			return -1;
		}
		if (path != NULL) {
			if (util_read_small_file(path, &content,
			    SECRET_MAX) == -1) {
				log_error("%s: cannot read %s: %s", fname,
				    path, strerror(errno));
				return -1;
			}
			if (*content == '\0') {
				log_error("%s: %s is empty", fname, path);
				util_free_secret(content);
				return -1;
			}
			snprintf(origin, sizeof(origin), "%s (file %s)",
			    fname, path);
			rc = apply(s, i, content, FROM_ENV, origin);
			util_free_secret(content);
			if (rc == -1)
				return -1;
			continue;
		}
		if (v == NULL)
			continue;
		snprintf(origin, sizeof(origin), "%s (environment)",
		    table[i].env);
		if (apply(s, i, v, FROM_ENV, origin) == -1)
			return -1;
	}
	return 0;
}

/* The text of a scalar or a list of scalars from the config file. */
static char *
config_text(const config_setting_t *cs)
{
	struct strbuf b = { 0 };
	const config_setting_t *e;
	int	 i;

	switch (config_setting_type(cs)) {
	case CONFIG_TYPE_STRING:
		return xstrdup(config_setting_get_string(cs));
	case CONFIG_TYPE_INT:
		sb_addf(&b, "%d", config_setting_get_int(cs));
		return b.s;
	case CONFIG_TYPE_INT64:
		sb_addf(&b, "%lld", config_setting_get_int64(cs));
		return b.s;
	case CONFIG_TYPE_BOOL:
		return xstrdup(config_setting_get_bool(cs) ? "true" : "false");
	case CONFIG_TYPE_ARRAY:
	case CONFIG_TYPE_LIST:
		sb_adds(&b, "");
		for (i = 0; (e = config_setting_get_elem(cs, (unsigned)i));
		    i++) {
			if (config_setting_type(e) != CONFIG_TYPE_STRING) {
				sb_free(&b);
				return NULL;
			}
			if (i > 0)
				sb_addc(&b, ',');
			sb_adds(&b, config_setting_get_string(e));
		}
		return b.s;
	default:
		return NULL;
	}
}

/* Applies every setting under group cs (keys "prefix.name"); unknown keys
 * are errors, so a typo never goes unnoticed. */
static int
load_group(struct settings *s, const config_setting_t *cs, const char *prefix,
    const char *file, int *has_secret)
{
	const config_setting_t *e;
	char	 path[128], origin[PATH_MAX + 16];
	char	*text;
	size_t	 i;
	int	 n, rc;

	for (n = 0; (e = config_setting_get_elem(cs, (unsigned)n)); n++) {
		snprintf(origin, sizeof(origin), "%s:%d", file,
		    config_setting_source_line(e));
		snprintf(path, sizeof(path), "%s%s%s", prefix,
		    *prefix ? "." : "", config_setting_name(e));
		if (config_setting_is_group(e)) {
			if (load_group(s, e, path, file, has_secret) == -1)
				return -1;
			continue;
		}
		for (i = 0; i < NSETTINGS; i++)
			if (strcmp(table[i].key, path) == 0)
				break;
		if (i == NSETTINGS) {
			log_error("%s: unknown setting '%s'", origin, path);
			return -1;
		}
		/* From here on the origin names the key too. */
		snprintf(origin, sizeof(origin), "%s:%d (%s)", file,
		    config_setting_source_line(e), path);
		if ((text = config_text(e)) == NULL) {
			log_error("%s: expected a string, number, boolean or "
			    "list of strings", origin);
			return -1;
		}
		if (table[i].kind == K_SECRET)
			*has_secret = 1;
		rc = apply(s, i, text, FROM_FILE, origin);
		if (table[i].kind == K_SECRET)
			util_free_secret(text);
		else
			free(text);
		if (rc == -1)
			return -1;
	}
	return 0;
}

static int
load_file(struct settings *s, const char *file, int must_exist)
{
	config_t	 cfg;
	struct stat	 st;
	int		 rc = -1, has_secret = 0;

	config_init(&cfg);
	if (stat(file, &st) == -1) {
		if (errno == ENOENT && !must_exist) {
			rc = 0;
			goto out;
		}
		log_error("config file %s: %s", file, strerror(errno));
		goto out;
	}
	if (!config_read_file(&cfg, file)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			log_error("config file %s: cannot read it", file);
		else
			log_error("%s:%d: %s", file, config_error_line(&cfg),
			    config_error_text(&cfg));
		goto out;
	}
	if (load_group(s, config_root_setting(&cfg), "", file,
	    &has_secret) == -1)
		goto out;
	if (has_secret && (st.st_mode & 077) != 0)
		log_warn("%s holds secrets but others may read it (mode "
		    "%04o); chmod 600 it", file, (unsigned)(st.st_mode & 07777));
	free(s->config);
	s->config = xstrdup(file);
	rc = 0;
out:
	config_destroy(&cfg);
	return rc;
}

/* Files the command will read: one it cannot is a configuration error,
 * found before anything is fetched. */
static const size_t must_read[] = { F(cacert), F(google_credentials) };

struct pending_flag {
	size_t		 setting;	/* index in table */
	const char	*value;
	char		 name[40];
};

/* The plain flag whose getopt value is val, or NULL. */
static const struct plain_flag *
find_plain(int val)
{
	const struct plain_flag *p;

	for (p = plain_flags; p->flag != NULL; p++)
		if (p->shortopt == val)
			return p;
	return NULL;
}

/* The command word w, or -1 after saying it is none. */
static int
find_command(const char *w)
{
	char	 shown[64];
	size_t	 i;

	char	 near[40];
	const char *n;

	for (i = 0; command_names[i] != NULL; i++)
		if (strcmp(w, command_names[i]) == 0)
			return (int)i;
	n = util_closest(w, command_names, i);
	snprintf(near, sizeof(near), n ? "; did you mean '%s'?" : "%s",
	    n ? n : "");
	log_error("unknown command '%s'%s (commands: fetch, watch, deploy, "
	    "check, serve, providers, help, completion); try 'iceupd --help'",
	    log_escape(w, 40, shown, sizeof(shown)), near);
	return -1;
}

/* getopt's complaint about the option at av[at] (or the short option
 * optopt inside it), said in the words the user typed. */
static void
option_error(int c, char *const *av, int at, const struct option *longopts)
{
	char	 shown[64];
	const char *arg = av[at], *eq;
	size_t	 n;

	if (strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		eq = strchr(arg, '=');
		n = eq != NULL ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (; longopts->name != NULL; longopts++)
			if (strlen(longopts->name) == n &&
			    strncmp(longopts->name, arg + 2, n) == 0)
				break;
		log_escape(arg, 40, shown, sizeof(shown));
		if (eq != NULL)
			shown[strcspn(shown, "=")] = '\0';
		if (longopts->name == NULL)
			log_error("unknown option %s; try 'iceupd --help'",
			    shown);
		else if (c == ':')
			log_error("option %s needs a value; try 'iceupd "
			    "--help'", shown);
		else
			log_error("option %s takes no value", shown);
	} else if (c == ':')
		log_error("option -%c needs a value; try 'iceupd --help'",
		    optopt);
	else
		log_error("unknown option -%c; try 'iceupd --help'", optopt);
}

/* The words that are not options: the command, and what help and
 * completion take.  0, or -1 after saying what is wrong. */
static int
parse_words(struct settings *s, char *const *w, int n)
{
	char	 shown[64];
	int	 c, want = 1;

	if (n == 0)
		return 0;
	if ((c = find_command(w[0])) == -1)
		return -1;
	s->command = (enum command)c;
	if (s->command == CMD_HELP && n > 1) {
		if ((c = find_command(w[1])) == -1)
			return -1;
		s->topic = (enum command)c;
		want = 2;
	} else if (s->command == CMD_COMPLETION) {
		for (c = 0; n > 1 && shell_names[c] != NULL; c++)
			if (strcmp(w[1], shell_names[c]) == 0)
				break;
		if (n < 2 || shell_names[c] == NULL) {
			log_error("completion: name the shell: 'iceupd "
			    "completion bash' or 'iceupd completion zsh'");
			return -1;
		}
		s->shell = (enum shell)c;
		want = 2;
	}
	if (n > want) {
		log_error("unexpected argument '%s'; try 'iceupd help %s'",
		    log_escape(w[want], 40, shown, sizeof(shown)),
		    command_names[s->command]);
		return -1;
	}
	return 0;
}

int
settings_load(struct settings *s, int argc, char **argv, char *const *envp)
{
	const struct plain_flag *pf;
	struct option	*longopts = NULL;
	struct pending_flag *flags = NULL;
	const char	*config = NULL, *v;
	size_t		 i, nflags = 0, nlong = 0;
	char		**av = NULL;
	int		 c, rc = -1, verbose = 0, quiet = 0, config_flag = 0;
	int		 neko_v3 = 0, help = 0, version = 0, ac, argi, at;
	int		 early_format;

	memset(s, 0, sizeof(*s));
	s->origin = xcalloc(NSETTINGS, sizeof(*s->origin));
	s->origin_kind = xcalloc(NSETTINGS, sizeof(*s->origin_kind));

	/* Options may come before the command, after it, or both.  getopt
	 * reorders what it parses: it gets a copy, so that the caller's argv
	 * can be parsed again (watch does, on SIGHUP). */
	s->command = CMD_FETCH;
	s->topic = CMD_HELP;
	ac = argc;
	av = xcalloc((size_t)argc + 1, sizeof(*av));
	for (argi = 0; argi < argc; argi++)
		av[argi] = argv[argi];

	longopts = xcalloc(NSETTINGS + 8, sizeof(*longopts));
	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].flag == NULL)
			continue;
		longopts[nlong].name = table[i].flag;
		longopts[nlong].has_arg = table[i].kind == K_BOOL ?
		    no_argument : required_argument;
		longopts[nlong].val = OPT_TABLE + (int)i;
		nlong++;
	}
	for (pf = plain_flags; pf->flag != NULL; pf++)
		longopts[nlong++] = (struct option){ pf->flag, pf->arg ?
		    required_argument : no_argument, NULL, pf->shortopt };

	/* Errors in the flags themselves already obey --log-format. */
	v = env_get(envp, "ICEUPD_LOG_FORMAT");
	for (argi = 1; argi < ac; argi++)
		if (strcmp(av[argi], "--log-format") == 0 && argi + 1 < ac)
			v = av[argi + 1];
		else if (strncmp(av[argi], "--log-format=", 13) == 0)
			v = av[argi] + 13;
	early_format = v != NULL && strcasecmp(v, "json") == 0 ? LOG_JSON :
	    LOG_TEXT;
	log_init(0, early_format);

	/* First pass: collect flags; they are applied last. */
	flags = xcalloc((size_t)ac + 1, sizeof(*flags));
	optind = 0;
	opterr = 0;
	for (;;) {
		at = optind == 0 ? 1 : optind;
		if ((c = getopt_long(ac, av, ":c:p:f:o:t:vqhV", longopts,
		    NULL)) == -1)
			break;
		switch (c) {
		case 'c':
			config = optarg;
			config_flag = 1;
			break;
		case 'v':
			verbose++;
			break;
		case 'q':
			quiet = 1;
			break;
		case 'h':
			help = 1;
			break;
		case 'V':
			version = 1;
			break;
		case OPT_NEKO_V3:
			neko_v3 = 1;
			break;
		case ':':
		case '?':
			/* A long option was the word before optind; a short
			 * one may sit inside a word getopt is still in. */
			option_error(c, av, optopt > 0 && optopt < 128 &&
			    (optind == at || strncmp(av[optind - 1], "--",
			    2) != 0) ? at : optind - 1, longopts);
			goto out;
		default:
			if (c >= OPT_TABLE)
				i = (size_t)(c - OPT_TABLE);
			else
				for (i = 0; i < NSETTINGS; i++)
					if (table[i].shortopt == c)
						break;
			flags[nflags].setting = i;
			flags[nflags].value = table[i].kind == K_BOOL ?
			    "true" : optarg;
			snprintf(flags[nflags].name, sizeof(flags[0].name),
			    "--%s", table[i].flag);
			nflags++;
			break;
		}
	}
	if (parse_words(s, av + optind, ac - optind) == -1)
		goto out;
	if (help && s->command != CMD_HELP) {
		s->topic = optind < ac ? s->command : CMD_HELP;
		s->command = CMD_HELP;
	}
	if (version)
		s->command = CMD_VERSION;
	if (s->command >= CMD_HELP) {
		rc = 0;
		goto out;
	}
	for (i = 0; i < nflags; i++)
		if (!(setting_commands(&table[flags[i].setting]) &
		    CMD_BIT(s->command))) {
			scope_error(flags[i].name,
			    setting_commands(&table[flags[i].setting]),
			    s->command);
			goto out;
		}
	if (neko_v3 && !((pf = find_plain(OPT_NEKO_V3))->commands &
	    CMD_BIT(s->command))) {
		scope_error("--neko-v3", pf->commands, s->command);
		goto out;
	}
	s->verbosity = quiet ? -1 : (verbose > 2 ? 2 : verbose);
	log_init(s->verbosity, early_format);

	for (i = 0; i < NSETTINGS; i++)
		if (table[i].defval != NULL &&
		    apply(s, i, table[i].defval, FROM_DEFAULT, "default") == -1)
			goto out;

	if (config == NULL && (v = env_get(envp, "ICEUPD_CONFIG")) != NULL &&
	    *v != '\0') {
		config = v;
		config_flag = 1;
	}
	if (load_file(s, config ? config : DEFAULT_CONFIG, config_flag) == -1)
		goto out;
	warn_unknown_env(envp);
	if (load_env(s, envp) == -1)
		goto out;
	if (neko_v3 && apply(s, find_setting(F(env_name)), NEKO_V3_NAMES,
	    FROM_FLAG, "--neko-v3") == -1)
		goto out;
	for (i = 0; i < nflags; i++)
		if (apply(s, flags[i].setting, flags[i].value, FROM_FLAG,
		    flags[i].name) == -1)
			goto out;
	log_init(s->verbosity, s->log_format);
	for (i = 0; i < sizeof(must_read) / sizeof(must_read[0]); i++) {
		c = find_setting(must_read[i]);
		v = *(char **)((char *)s + must_read[i]);
		if (v != NULL && setting_commands(&table[c]) &
		    CMD_BIT(s->command) && access(v, R_OK) == -1) {
			log_error("%s: cannot read %s: %s",
			    settings_origin(s, must_read[i]), v,
			    strerror(errno));
			goto out;
		}
	}
	rc = 0;
out:
	free(longopts);
	free(flags);
	free(av);
	return rc;
}

void
settings_free(struct settings *s)
{
	size_t	 i;

	for (i = 0; i < NSETTINGS; i++) {
		if (table[i].kind == K_SECRET)
			util_free_secret(field_str(s, &table[i]));
		else if (table[i].kind == K_STR || table[i].kind == K_LIST)
			free(field_str(s, &table[i]));
		if (s->origin != NULL)
			free(s->origin[i]);
	}
	free(s->origin);
	free(s->origin_kind);
	free(s->config);
	memset(s, 0, sizeof(*s));
}

struct settings *
settings_copy(const struct settings *s)
{
	struct settings	*c = xmalloc(sizeof(*c));
	char		**f;
	size_t		 i;

	*c = *s;
	for (i = 0; i < NSETTINGS; i++)
		if (table[i].kind == K_SECRET || table[i].kind == K_STR ||
		    table[i].kind == K_LIST) {
			f = (char **)((char *)c + table[i].off);
			if (*f != NULL)
				*f = xstrdup(*f);
		}
	if (s->origin != NULL) {
		c->origin = xcalloc(NSETTINGS, sizeof(*c->origin));
		for (i = 0; i < NSETTINGS; i++)
			if (s->origin[i] != NULL)
				c->origin[i] = xstrdup(s->origin[i]);
	}
	if (s->origin_kind != NULL) {
		c->origin_kind = xcalloc(NSETTINGS, sizeof(*c->origin_kind));
		memcpy(c->origin_kind, s->origin_kind,
		    NSETTINGS * sizeof(*c->origin_kind));
	}
	if (s->config != NULL)
		c->config = xstrdup(s->config);
	return c;
}

/* 1 when key is named by a pattern of pats: the key itself, or "group."
 * for every key of that group. */
static int
key_matches(const char *key, const char *const *pats)
{
	size_t	 i, n;

	for (i = 0; pats[i] != NULL; i++) {
		n = strlen(pats[i]);
		if (n > 0 && pats[i][n - 1] == '.' ? strncmp(key, pats[i],
		    n) == 0 : strcmp(key, pats[i]) == 0)
			return 1;
	}
	return 0;
}

/* The hex SHA-256 of the settings whose keys match pats (match 1) or do
 * not (match 0). */
static void
digest_keys(const struct settings *s, const char *const *pats, int match,
    char hex[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	const char	*v;
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	char		 num[32];
	size_t		 i;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; i < NSETTINGS; i++) {
		if (key_matches(table[i].key, pats) != match)
			continue;
		if (table[i].kind == K_STR || table[i].kind == K_SECRET ||
		    table[i].kind == K_LIST)
			v = *(char *const *)((const char *)s + table[i].off);
		else {
			snprintf(num, sizeof(num), "%ld",
			    KIND_IS_LONG(table[i].kind) ? *(const long *)
			    ((const char *)s + table[i].off) :
			    (long)*(const int *)((const char *)s +
			    table[i].off));
			v = num;
		}
		EVP_DigestUpdate(ctx, table[i].key, strlen(table[i].key) + 1);
		EVP_DigestUpdate(ctx, v ? v : "", v ? strlen(v) + 1 : 0);
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void
settings_digest(const struct settings *s, char hex[65])
{
	/* Settings about output, logging, timing and the cache itself. */
	static const char *const skip[] = { "format", "env_name", "output",
		"timeout_ms", "grace_ms", "require_turn", "cacert",
		"log_format", "cache", "no_cache", "force_refresh", "min_ttl",
		"refresh_at", "on_change", "once", "service", "project", "region",
		"container", "sink", "keep", "deploy_timeout", "dry_run",
		"validate_only", "allow_self", "deploy.", "serve.", NULL };

	digest_keys(s, skip, 0, hex);
}

void
settings_digest_of(const struct settings *s, const char *const *keys,
    char hex[65])
{
	digest_keys(s, keys, 1, hex);
}
