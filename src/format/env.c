/* env.c: the neko array as shell variables: env, `export NAME='...'` lines
 * safe to source; dotenv, `NAME=...` lines for docker --env-file. */
#include "format.h"

/* One line per name of o->env_names: prefix, the name, '=', the array,
 * shell-quoted when quote is set. */
static void
variables(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o, const char *prefix, int quote)
{
	struct strbuf value = { 0 };
	char	**names;
	size_t	 i, n;

	format_ice_servers(&value, &r->list);
	n = util_split_list(o->env_names, &names);
	for (i = 0; i < n; i++) {
		sb_addf(out, "%s%s=", prefix, names[i]);
		if (quote)
			sb_shell_quote(out, value.s);
		else
			sb_adds(out, value.s);
		sb_addc(out, '\n');
	}
	util_free_list(names, n);
	sb_free_secret(&value);
}

static void
env_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	variables(out, r, o, "export ", 1);
}

static void
dotenv_render(struct strbuf *out, const struct engine_result *r,
    const struct format_opts *o)
{
	variables(out, r, o, "", 0);
}

const struct format format_env = { 1, env_render };
const struct format format_dotenv = { 1, dotenv_render };
