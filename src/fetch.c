/* fetch.c: `iceupd fetch`: one answer, to stdout or -o FILE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "format.h"
#include "log.h"

int
fetch_render(const struct settings *s, struct engine_result *r,
    struct strbuf *out)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct format_opts fo;
	struct strbuf why = { 0 };
	char	 err[256];
	size_t	 nsel, i;
	int	 rc = EXIT_USAGE;

	memset(r, 0, sizeof(*r));
	fo.env_names = s->env_name;
	fo.relay = s->relay;
	fo.now = time(NULL);	/* again once fetched */
	if (format_check(s->format, &fo, err, sizeof(err)) == -1) {
		log_error("%s: %s", SETTING_ORIGIN(s, env_name), err);
		goto out;
	}
	if (engine_select(s, sel, &nsel) == -1)
		goto out;

	rc = EXIT_FAIL;
	if (nsel == 0) {
		log_error("no usable ICE servers: no TURN provider is "
		    "configured, and STUN has nothing to offer under %s",
		    s->relay ? "--relay" : "--transport tcp");
		goto out;
	}
	if (engine_get(s, sel, nsel, ASK_CACHED, r) == -1) {
		for (i = 0; i < r->nsources; i++)
			sb_addf(&why, "%s%s: %s", i ? "; " : "",
			    r->sources[i].name, r->sources[i].error);
		log_error("no usable ICE servers: %s", why.s ? why.s :
		    "no provider selected");
		goto out;
	}
	if (!ice_list_has_turn(&r->list) && s->require_turn) {
		log_error("no TURN server obtained and --require-turn is set");
		goto out;
	}
	fo.now = time(NULL);
	if (format_render(out, s->format, r, &fo, err, sizeof(err)) == -1) {
		log_error("%s", err);
		goto out;
	}
	rc = engine_degraded(r) ? EXIT_DEGRADED : EXIT_OK;
	if (!r->stale && rc == EXIT_DEGRADED)
		log_warn("no TURN server in the output although a TURN "
		    "provider is configured: clients behind NAT may not "
		    "connect");
out:
	sb_free(&why);
	return rc;
}

int
cmd_fetch(const struct settings *s)
{
	struct engine_result r;
	struct strbuf out = { 0 };
	int	 rc;

	rc = fetch_render(s, &r, &out);
	if (rc != EXIT_OK && rc != EXIT_DEGRADED)
		goto out;
	if (s->output != NULL) {
		if (atomic_write(s->output, out.s, out.len) == -1) {
			log_error("cannot write %s: %s", s->output,
			    atomic_write_error(errno));
			rc = EXIT_FAIL;
		}
	} else if (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF) {
		log_error("cannot write to stdout: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
out:
	if (out.s != NULL)
		explicit_bzero(out.s, out.len);
	sb_free(&out);
	engine_result_free(&r);
	return rc;
}
