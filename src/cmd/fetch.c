/* cmd/fetch.c: `iceupd fetch`: one answer, to stdout or -o FILE. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "../log.h"
#include "../refresh.h"
#include "../safefile.h"
#include "commands.h"

int
cmd_fetch(const struct settings *s)
{
	struct refresh_opts o = { refresh_ask(s, 0), s->format };
	struct engine_result r;
	struct strbuf out = { 0 };
	int	 rc;

	rc = refresh_once(s, &o, &r, &out);
	if (rc != EXIT_OK && rc != EXIT_DEGRADED)
		goto out;
	/* -o - is standard output, as in most tools. */
	if (s->output != NULL && strcmp(s->output, "-") != 0) {
		if (safe_atomic_write(s->output, out.s, out.len) == -1) {
			log_error("cannot write %s: %s", s->output,
			    safe_strerror(errno));
			rc = EXIT_FAIL;
		}
	} else if (fwrite(out.s, 1, out.len, stdout) != out.len ||
	    fflush(stdout) == EOF) {
		log_error("cannot write to stdout: %s", strerror(errno));
		rc = EXIT_FAIL;
	}
out:
	sb_free_secret(&out);
	engine_result_free(&r);
	return rc;
}
