/* argv.c: the flags and command words, and settings_load(), which puts
 * the layers together: built-in defaults < config file < environment <
 * flags.  Each layer hands text to the same parser (values.c), so a value
 * means the same wherever it is written. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../log.h"
#include "../util.h"
#include "parts.h"
#include "table.h"

#define NEKO_V3_NAMES	"NEKO_WEBRTC_ICESERVERS_FRONTEND,NEKO_WEBRTC_ICESERVERS_BACKEND"

static const char *const shell_names[] = { "bash", "zsh", NULL };

/* The error for a flag the command does not read. */
static void
scope_error(const char *flag, unsigned mask, enum command cmd)
{
	char	 which[96];

	commands_text(mask, which, sizeof(which));
	log_error("%s applies to %s, not %s; see 'iceupd help %s'", flag,
	    which, command_names[cmd], command_names[cmd]);
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
	s->origin = xcalloc(settings_count, sizeof(*s->origin));
	s->origin_kind = xcalloc(settings_count, sizeof(*s->origin_kind));

	/* Options may come before the command, after it, or both.  getopt
	 * reorders what it parses: it gets a copy, so that the caller's argv
	 * can be parsed again (watch does, on SIGHUP). */
	s->command = CMD_FETCH;
	s->topic = CMD_HELP;
	ac = argc;
	av = xcalloc((size_t)argc + 1, sizeof(*av));
	for (argi = 0; argi < argc; argi++)
		av[argi] = argv[argi];

	longopts = xcalloc(settings_count + 8, sizeof(*longopts));
	for (i = 0; i < settings_count; i++) {
		if (settings_table[i].flag == NULL)
			continue;
		longopts[nlong].name = settings_table[i].flag;
		longopts[nlong].has_arg = settings_table[i].kind == K_BOOL ?
		    no_argument : required_argument;
		longopts[nlong].val = OPT_TABLE + (int)i;
		nlong++;
	}
	for (pf = plain_flags; pf->flag != NULL; pf++)
		longopts[nlong++] = (struct option){ pf->flag, pf->arg ?
		    required_argument : no_argument, NULL, pf->shortopt };

	/* Errors in the flags themselves already obey --log-format. */
	v = settings_env_get(envp, "ICEUPD_LOG_FORMAT");
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
				for (i = 0; i < settings_count; i++)
					if (settings_table[i].shortopt == c)
						break;
			flags[nflags].setting = i;
			flags[nflags].value = settings_table[i].kind == K_BOOL ?
			    "true" : optarg;
			snprintf(flags[nflags].name, sizeof(flags[0].name),
			    "--%s", settings_table[i].flag);
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
		if (!(setting_commands(&settings_table[flags[i].setting]) &
		    CMD_BIT(s->command))) {
			scope_error(flags[i].name,
			    setting_commands(&settings_table[flags[i].setting]),
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

	for (i = 0; i < settings_count; i++)
		if (settings_table[i].defval != NULL &&
		    settings_apply(s, i, settings_table[i].defval, FROM_DEFAULT, "default") == -1)
			goto out;

	if (config == NULL && (v = settings_env_get(envp, "ICEUPD_CONFIG")) != NULL &&
	    *v != '\0') {
		config = v;
		config_flag = 1;
	}
	if (settings_load_file(s, config ? config : DEFAULT_CONFIG, config_flag) == -1)
		goto out;
	settings_warn_unknown_env(envp);
	if (settings_load_env(s, envp) == -1)
		goto out;
	if (neko_v3 && settings_apply(s, settings_find(F(env_name)), NEKO_V3_NAMES,
	    FROM_FLAG, "--neko-v3") == -1)
		goto out;
	for (i = 0; i < nflags; i++)
		if (settings_apply(s, flags[i].setting, flags[i].value, FROM_FLAG,
		    flags[i].name) == -1)
			goto out;
	log_init(s->verbosity, s->log_format);
	for (i = 0; i < sizeof(must_read) / sizeof(must_read[0]); i++) {
		c = settings_find(must_read[i]);
		v = *(char **)((char *)s + must_read[i]);
		if (v != NULL && setting_commands(&settings_table[c]) &
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
