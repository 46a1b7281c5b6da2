/* cmd/help.c: the overview, each command's help and the shell completion
 * scripts, all generated from the settings table, so that they cannot
 * drift from what settings_load accepts. */
#include <stdio.h>
#include <string.h>

#include "../providers/provider.h"
#include "../settings.h"
#include "../settings/table.h"
#include "../util.h"

#define HELP_COLUMN	28
#define HELP_WIDTH	79

static const struct command_doc {
	const char	*synopsis;
	const char	*what;
} command_docs[] = {
	[CMD_FETCH] = { "[fetch] [options]", "print fresh ICE servers" },
	[CMD_PROVIDERS] = { "providers [options]",
	    "show providers and their health" },
	[CMD_WATCH] = { "watch -o FILE [options]", "keep FILE fresh" },
	[CMD_DEPLOY] = { "deploy --service NAME [options]",
	    "set them on Cloud Run" },
	[CMD_CHECK] = { "check [options]",
	    "probe every provider's servers" },
	[CMD_SERVE] = { "serve [options]",
	    "credentials and health over HTTP" },
	[CMD_HELP] = { "help [COMMAND]",
	    "this text, or COMMAND's options" },
	[CMD_COMPLETION] = { "completion bash|zsh",
	    "a shell completion script" },
};

static const char *const group_titles[] = {
	[G_PROVIDERS] = "providers", [G_OUTPUT] = "output",
	[G_TIMING] = "timing", [G_CACHE] = "cache", [G_COMMAND] = NULL,
	[G_COMMON] = "common",
};

/* Prints a word at column col, wrapping at HELP_WIDTH to the help column;
 * returns the new column. */
static size_t
usage_word(FILE *fp, const char *w, size_t len, size_t col)
{
	if (col + 1 + len > HELP_WIDTH) {
		fprintf(fp, "\n%*s", HELP_COLUMN, "");
		col = HELP_COLUMN;
	}
	fprintf(fp, " %.*s", (int)len, w);
	return col + 1 + len;
}

static size_t
usage_words(FILE *fp, const char *text, size_t col)
{
	const char *end;

	for (; *text != '\0'; text = end) {
		while (*text == ' ')
			text++;
		end = text + strcspn(text, " ");
		if (end > text)
			col = usage_word(fp, text, (size_t)(end - text), col);
	}
	return col;
}

/* One option: "  -t, --timeout TIME  help (default ...) [ENV]". */
static void
usage_row(FILE *fp, int shortopt, const char *flag, const char *arg,
    const char *help, const char *def, const char *env)
{
	char	 left[64], more[96];
	size_t	 col;

	if (shortopt > 0 && shortopt < 128)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", shortopt, flag,
		    arg ? " " : "", arg ? arg : "");
	else
		snprintf(left, sizeof(left), "--%s%s%s", flag, arg ? " " : "",
		    arg ? arg : "");
	fprintf(fp, "  %-*s", HELP_COLUMN - 2, left);
	col = strlen(left) + 2 > HELP_COLUMN ? strlen(left) + 2 : HELP_COLUMN;
	col = usage_words(fp, help, col);
	if (def != NULL) {
		snprintf(more, sizeof(more), "(%s)", def);
		col = usage_words(fp, more, col);
	}
	if (env != NULL) {
		snprintf(more, sizeof(more), "[%s]", env);
		usage_word(fp, more, strlen(more), col);
	}
	fputc('\n', fp);
}

/* The default as help shows it, or NULL when it goes without saying. */
static const char *
default_text(const struct setting *t, char *buf, size_t len)
{
	char	 d[32];
	long	 n;

	if (t->kind == K_MSEC || t->kind == K_SECONDS) {
		if (t->defval == NULL)
			snprintf(buf, len, "a bare number is %s",
			    t->kind == K_MSEC ? "ms" : "seconds");
		else {
			util_parse_long(t->defval, t->min, t->max, &n);
			snprintf(buf, len, "default %s; a bare number is %s",
			    util_format_duration(t->kind == K_MSEC ? n :
			    n * 1000LL, d, sizeof(d)), t->kind == K_MSEC ? "ms" :
			    "seconds");
		}
		return buf;
	}
	if (t->defval == NULL || t->kind == K_BOOL ||
	    strstr(t->help, "default") != NULL)
		return NULL;
	snprintf(buf, len, "default %s", t->defval);
	return buf;
}

/* The help of t without a leading "COMMAND: ", under that command's own
 * heading. */
static const char *
own_help(const char *help, enum command cmd)
{
	size_t	 n = strlen(command_names[cmd]);

	if (strncmp(help, command_names[cmd], n) == 0 &&
	    strncmp(help + n, ": ", 2) == 0)
		return help + n + 2;
	return help;
}

/* The options of group g that cmd reads; 1 if there were any. */
static int
usage_group(FILE *fp, enum group g, enum command cmd)
{
	const struct setting *t;
	const struct plain_flag *p;
	char	 def[96];
	size_t	 i;
	int	 any = 0;

	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		if (t->flag == NULL || setting_group(t) != g ||
		    !(setting_commands(t) & CMD_BIT(cmd)))
			continue;
		if (!any++)
			fprintf(fp, "\n%s:\n", group_titles[g] ?
			    group_titles[g] : command_names[cmd]);
		usage_row(fp, t->shortopt, t->flag, t->arg,
		    own_help(t->help, cmd), default_text(t, def, sizeof(def)),
		    t->env);
	}
	for (p = plain_flags; p->flag != NULL; p++) {
		if (p->group != g || !(p->commands & CMD_BIT(cmd)))
			continue;
		if (!any++)
			fprintf(fp, "\n%s:\n", group_titles[g] ?
			    group_titles[g] : command_names[cmd]);
		usage_row(fp, p->shortopt, p->flag, p->arg, p->help, NULL,
		    p->env);
	}
	return any;
}

/* The settings cmd reads that have no flag, by config group. */
static void
usage_env_only(FILE *fp, enum command cmd)
{
	const struct setting *t, *prev = NULL;
	const char *dot;
	size_t	 i, group, col = 0;

	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		dot = strchr(t->key, '.');
		if (dot == NULL || t->env == NULL || t->flag != NULL ||
		    !(setting_commands(t) & CMD_BIT(cmd)))
			continue;
		group = (size_t)(dot - t->key);
		if (prev == NULL)
			fprintf(fp, "\nsettings without a flag (environment; a "
			    "secret NAME may also be given\nas NAME_FILE):\n");
		if (prev == NULL ||
		    strncmp(prev->key, t->key, group + 1) != 0) {
			fprintf(fp, "%s  %-11.*s", prev ? "\n" : "", (int)group,
			    t->key);
			col = 13;
		} else if (col + strlen(t->env) + 2 > HELP_WIDTH - 1) {
			fprintf(fp, ",\n%13s", "");
			col = 13;
		} else {
			fputs(", ", fp);
			col += 2;
		}
		fputs(t->env, fp);
		col += strlen(t->env);
		prev = t;
	}
	if (prev != NULL)
		fputc('\n', fp);
}

static void
usage_footer(FILE *fp)
{
	fprintf(fp, "\nexit status: 0 ok, 1 failure, 2 usage, 3 unchanged, "
	    "4 degraded.\nSee iceupd(1).\n");
}

void
settings_usage(FILE *fp)
{
	char	 left[64];
	size_t	 c;

	for (c = 0; c <= CMD_COMPLETION; c++) {
		snprintf(left, sizeof(left), "iceupd %s",
		    command_docs[c].synopsis);
		fprintf(fp, "%s %-38s %s\n", c == 0 ? "usage:" : "      ",
		    left, command_docs[c].what);
	}
	fprintf(fp, "\noptions go before or after the command.  'iceupd help "
	    "COMMAND' shows\nthe options of COMMAND with their defaults; "
	    "iceupd(1) describes them all.\n");
	usage_group(fp, G_COMMON, CMD_FETCH);
	usage_footer(fp);
}

void
settings_command_usage(FILE *fp, enum command cmd)
{
	int	 g;

	if (cmd >= CMD_HELP) {
		settings_usage(fp);
		return;
	}
	fprintf(fp, "usage: iceupd %s\n%s.\n", command_docs[cmd].synopsis,
	    command_docs[cmd].what);
	for (g = 0; g < NGROUPS; g++)
		usage_group(fp, (enum group)g, cmd);
	usage_env_only(fp, cmd);
	usage_footer(fp);
}

/* --- completion --- */

/* Appends the words of a NULL-terminated list, separated by spaces. */
static void
add_words(struct strbuf *b, const char *const *w)
{
	for (; *w != NULL; w++)
		sb_addf(b, "%s%s", b->len ? " " : "", *w);
}

/* Every option cmd reads, or every option at all for CMD_HELP. */
static void
add_options(struct strbuf *b, enum command cmd)
{
	const struct setting *t;
	const struct plain_flag *p;
	size_t	 i;

	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		if (t->flag != NULL && (cmd == CMD_HELP ||
		    setting_commands(t) & CMD_BIT(cmd)))
			sb_addf(b, "%s--%s", b->len ? " " : "", t->flag);
	}
	for (p = plain_flags; p->flag != NULL; p++)
		if (cmd == CMD_HELP || p->commands & CMD_BIT(cmd))
			sb_addf(b, "%s--%s", b->len ? " " : "", p->flag);
}

/* "--format|-f" for an option; a case pattern. */
static void
add_pattern(struct strbuf *b, const char *flag, int shortopt)
{
	sb_addf(b, "%s--%s", b->len ? "|" : "", flag);
	if (shortopt > 0 && shortopt < 128)
		sb_addf(b, "|-%c", shortopt);
}

/* The words that complete the value of option t, or NULL. */
static void
value_words(struct strbuf *b, const struct setting *t)
{
	const struct provider *const *p;

	if (t->choices != NULL)
		add_words(b, t->choices);
	else if (t->off == offsetof(struct settings, providers))
		for (p = provider_table; *p != NULL; p++)
			sb_addf(b, "%s%s", b->len ? " " : "", (*p)->name);
}

void
settings_completion(FILE *fp, enum shell shell)
{
	const struct setting *t;
	const struct plain_flag *p;
	struct strbuf b = { 0 }, files = { 0 }, cmds = { 0 }, args = { 0 };
	size_t	 i;
	int	 c;

	if (shell == SHELL_ZSH)
		fprintf(fp, "# zsh completion for iceupd, after compinit: "
		    "source <(iceupd completion zsh)\n"
		    "autoload -U +X bashcompinit && bashcompinit\n");
	else
		fprintf(fp, "# bash completion for iceupd: "
		    "source <(iceupd completion bash)\n");
	/* Options that take a value: the word after one is not a command. */
	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		if (t->flag == NULL || t->kind == K_BOOL)
			continue;
		add_pattern(&args, t->flag, t->shortopt);
		if (t->arg != NULL && strcmp(t->arg, "FILE") == 0)
			add_pattern(&files, t->flag, t->shortopt);
	}
	for (p = plain_flags; p->flag != NULL; p++)
		if (p->arg != NULL) {
			add_pattern(&args, p->flag, p->shortopt);
			if (strcmp(p->arg, "FILE") == 0)
				add_pattern(&files, p->flag, p->shortopt);
		}
	for (c = 0; command_names[c] != NULL; c++)
		sb_addf(&cmds, "%s%s", cmds.len ? " " : "", command_names[c]);

	fprintf(fp, "_iceupd() {\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= cmd= i w\n"
	    "\t[[ $COMP_CWORD -gt 0 ]] && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\tif [[ $cur == = ]]; then cur=; fi\n"
	    "\tif [[ $prev == = && $COMP_CWORD -gt 1 ]]; then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n"
	    "\tfi\n"
	    "\tCOMPREPLY=()\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\tw=${COMP_WORDS[i]}\n"
	    "\t\tcase $w in\n"
	    "\t\t%s)\n"
	    "\t\t\t[[ ${COMP_WORDS[i+1]-} == = ]] && ((i++))\n"
	    "\t\t\t((i++)) ;;\n"
	    "\t\t-*|=) ;;\n"
	    "\t\t*) [[ -z $cmd ]] && cmd=$w ;;\n"
	    "\t\tesac\n"
	    "\tdone\n"
	    "\tcase $prev in\n", args.s);
	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		sb_free(&b);
		if (t->flag == NULL)
			continue;
		value_words(&b, t);
		if (b.s == NULL)
			continue;
		sb_free(&args);
		add_pattern(&args, t->flag, t->shortopt);
		if (t->kind == K_CHOICE)
			fprintf(fp, "\t%s)\n\t\tCOMPREPLY=($(compgen -W '%s' "
			    "-- \"$cur\"))\n\t\treturn ;;\n", args.s, b.s);
		else	/* a comma list */
			fprintf(fp, "\t%s)\n"
			    "\t\tlocal pre=\n"
			    "\t\t[[ $cur == *,* ]] && pre=${cur%%,*},\n"
			    "\t\tCOMPREPLY=($(compgen -P \"$pre\" -W '%s' -- "
			    "\"${cur##*,}\"))\n"
			    "\t\tcompopt -o nospace 2>/dev/null\n"
			    "\t\treturn ;;\n", args.s, b.s);
	}
	sb_free(&b);
	fprintf(fp, "\t%s)\n"
	    "\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
	    "\t\tcompopt -o filenames 2>/dev/null\n"
	    "\t\treturn ;;\n", files.s);
	/* Any other option with a value: nothing to offer. */
	sb_free(&args);
	for (i = 0; i < settings_count; i++) {
		t = &settings_table[i];
		if (t->flag != NULL && t->kind != K_BOOL)
			add_pattern(&args, t->flag, t->shortopt);
	}
	fprintf(fp, "\t%s) return ;;\n\tesac\n", args.s);
	fprintf(fp, "\tcase $cmd in\n"
	    "\thelp)\n"
	    "\t\t[[ $cur == -* ]] ||\n"
	    "\t\t    COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\tcompletion)\n"
	    "\t\tCOMPREPLY=($(compgen -W 'bash zsh' -- \"$cur\"))\n"
	    "\t\treturn ;;\n"
	    "\tesac\n"
	    "\tif [[ $cur != -* ]]; then\n"
	    "\t\t[[ -n $cmd ]] || COMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
	    "\t\treturn\n"
	    "\tfi\n"
	    "\tcase $cmd in\n", cmds.s, cmds.s);
	for (c = 0; c <= CMD_SERVE; c++) {
		sb_free(&b);
		add_options(&b, (enum command)c);
		fprintf(fp, "\t%s) w='%s' ;;\n", command_names[c], b.s);
	}
	sb_free(&b);
	add_options(&b, CMD_HELP);
	fprintf(fp, "\t*) w='%s' ;;\n\tesac\n"
	    "\tCOMPREPLY=($(compgen -W \"$w\" -- \"$cur\"))\n"
	    "}\n"
	    "complete -F _iceupd iceupd\n", b.s);
	sb_free(&b);
	sb_free(&files);
	sb_free(&cmds);
	sb_free(&args);
}
