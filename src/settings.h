/* settings.h: built-in defaults < config file < environment < flags. */
#ifndef ICEUPD_SETTINGS_H
#define ICEUPD_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include "formats.h"

/* The first ones are the command words, in the order of commands[]. */
enum command { CMD_FETCH, CMD_PROVIDERS, CMD_WATCH, CMD_DEPLOY, CMD_CHECK,
	CMD_SERVE, CMD_HELP, CMD_COMPLETION, CMD_VERSION };

/* Shells `iceupd completion` writes for. */
enum shell { SHELL_BASH, SHELL_ZSH };

/* Words of settings that the layers below read as numbers; each names
 * table is indexed by its enum and ends in NULL. */
#define FORMAT_ENUM(e, name)	FMT_##e,
enum output_format { ICEUPD_FORMATS(FORMAT_ENUM) };
extern const char *const format_names[];
enum engine_policy { POLICY_FIRST, POLICY_MERGE };
extern const char *const engine_policy_names[];
/* ICEUPD_URL_METHOD's choices, indexed by settings.url_method. */
extern const char *const url_method_names[];

/* Where a value came from, weakest first. */
enum origin_kind { FROM_DEFAULT, FROM_FILE, FROM_ENV, FROM_FLAG };

struct settings {
	enum command command;
	enum command topic;	/* help: the command asked about; CMD_HELP:
				 * the overview */
	enum shell shell;	/* completion */
	char	*config;	/* config file read, NULL when none */

	char	*providers;	/* comma list in priority order; NULL: auto */
	int	 format;	/* enum output_format */
	char	*env_name;	/* comma list of variable names */
	char	*output;	/* -o FILE, NULL: stdout */
	int	 transport;	/* enum ice_transport */
	int	 relay;
	int	 policy;	/* enum engine_policy */
	long	 timeout_ms;
	long	 grace_ms;
	long	 max_servers;	/* 0: no cap */
	long	 ttl;		/* credential lifetime to ask for; 0: provider's */
	int	 require_turn;
	char	*cacert;
	int	 verbosity;	/* -q -1, default 0, -v 1, -vv 2 */
	int	 log_format;	/* enum log_format */
	char	*cache;		/* NULL: the default path */
	int	 no_cache;
	int	 force_refresh;
	long	 min_ttl;	/* seconds a cached list must have left */
	long	 refresh_at;	/* percent of the lifetime before refreshing */
	char	*on_change;	/* watch: sh -c command after each change */
	int	 once;		/* watch: one cycle */
	int	 verify;	/* probe before handing out */
	int	 insecure_probe; /* no TLS verification in probes */

	/* coturn */
	char	*turn_urls;
	char	*turn_username;
	char	*turn_credential;	/* secret */
	char	*turn_secret;		/* secret */
	char	*turn_user;
	long	 turn_ttl;
	/* stun */
	char	*stun_urls;
	/* twilio */
	char	*twilio_sid;		/* AC..., always in the URL */
	char	*twilio_token;		/* secret */
	char	*twilio_key_sid;	/* SK... */
	char	*twilio_key_secret;	/* secret */
	long	 twilio_ttl;
	char	*twilio_base;
	char	*twilio_region;		/* us1, ie1, au1 */
	char	*twilio_edge;		/* dublin, sydney, ... */
	/* cloudflare */
	char	*cf_key_id;
	char	*cf_token;		/* secret */
	char	*cf_base;
	/* metered */
	char	*metered_app;
	char	*metered_key;		/* secret */
	char	*metered_base;
	/* xirsys */
	char	*xirsys_ident;
	char	*xirsys_secret;		/* secret */
	char	*xirsys_channel;	/* a name or a path: a/b */
	char	*xirsys_base;
	/* turnix */
	char	*turnix_token;		/* secret */
	char	*turnix_base;
	/* jitsi (XEP-0215), and its presets 8x8 and kmeet */
	char	*jitsi_url;		/* BOSH http(s):// or ws(s):// */
	char	*jitsi_domain;		/* NULL: the URL's host */
	char	*jitsi_room;
	char	*jitsi_token;		/* secret: a Jitsi JWT */
	char	*jaas_tenant;		/* vpaas-magic-cookie-... */
	char	*jaas_brave_api;	/* Brave Talk API base */
	char	*jaas_url;		/* NULL: derived from the tenant */
	char	*jaas_domain;
	char	*kmeet_url;
	char	*kmeet_domain;		/* NULL: the URL's host */
	/* url (any credentials endpoint), and its preset matrix */
	char	*url;
	int	 url_method;		/* index in url_method_names */
	char	*url_token;		/* secret: a bearer token */
	char	*url_header;		/* secret: "Name: value" */
	int	 url_allow_http;	/* http:// to hosts not on loopback */
	char	*matrix_homeserver;
	char	*matrix_token;		/* secret: an access token */

	/* deploy */
	char	*services;	/* comma list: projects/P/locations/L/services/S
				 * or S (with project and region) */
	char	*project;
	char	*region;
	char	*container;	/* NULL: the service's first container */
	char	*sink;		/* NULL: the services' environment;
				 * "secret:projects/P/secrets/S" */
	long	 keep;		/* secret sink: enabled versions kept */
	long	 deploy_timeout; /* seconds for the whole deploy */
	int	 dry_run;
	int	 validate_only;
	int	 allow_self;
	char	*google_token;		/* secret: an OAuth access token */
	char	*google_credentials;	/* path of a service-account key */
	char	*metadata_host;
	char	*cloudrun_endpoint;
	char	*secretmanager_endpoint;

	/* serve */
	char	*listen;	/* ADDR:PORT */
	char	*port_file;	/* gets the bound port */
	char	*auth_token_file; /* bearer token; NULL: no auth */
	char	*cors_origin;	/* NULL: no CORS */
	long	 serve_turn_ttl; /* per-caller TURN REST lifetime */

	/* Where each value came from, for messages: "FILE:LINE", "NAME
	 * (environment)", "--flag" or "default"; indexed like the table. */
	char	**origin;
	enum origin_kind *origin_kind;
};

/* Fills s from defaults, the config file, envp and argv.  Returns 0, or -1
 * after printing one line that names the bad setting and where it came from
 * (the caller exits 2). */
int	 settings_load(struct settings *s, int argc, char **argv,
	    char *const *envp);
void	 settings_free(struct settings *s);
/* A deep copy on the heap, for a reader that may outlive s; freed with
 * settings_free and free. */
struct settings *settings_copy(const struct settings *s);

/* Where the value of the setting stored at offset off came from. */
const char *settings_origin(const struct settings *, size_t off);
enum origin_kind settings_origin_kind(const struct settings *, size_t off);
#define SETTING_ORIGIN(s, field) \
	settings_origin((s), offsetof(struct settings, field))
#define SETTING_KIND(s, field) \
	settings_origin_kind((s), offsetof(struct settings, field))

/* The hex SHA-256 of every setting that changes what providers answer
 * (not how it is printed, nor where): cached lists are valid for it. */
void	 settings_digest(const struct settings *, char hex[65]);
/* The hex SHA-256 of the settings named by keys (NULL-terminated; "group."
 * names every key of that group). */
void	 settings_digest_of(const struct settings *, const char *const *keys,
	    char hex[65]);

/* The overview (--help), one command's help, a completion script: all
 * generated from the settings table (help.c). */
void	 settings_usage(FILE *);
void	 settings_command_usage(FILE *, enum command);
void	 settings_completion(FILE *, enum shell);

#endif
