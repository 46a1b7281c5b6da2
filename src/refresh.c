/* refresh.c: the one refresh cycle (see refresh.h). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "format/format.h"
#include "log.h"
#include "refresh.h"

int
refresh_select(const struct settings *s, const struct provider **sel,
    size_t *nsel)
{
	if (engine_select(s, sel, nsel) == -1)
		return EXIT_USAGE;
	if (*nsel == 0) {
		log_error("no usable ICE servers: no TURN provider is "
		    "configured, and STUN has nothing to offer under %s",
		    s->relay ? "--relay" : "--transport tcp");
		return EXIT_FAIL;
	}
	return 0;
}

const char *
refresh_refused(const struct settings *s, const struct ice_list *l)
{
	return s->require_turn && !ice_list_has_turn(l) ? "no TURN server "
	    "obtained and --require-turn is set" : NULL;
}

int
refresh_get(const struct settings *s, const struct provider *const *sel,
    size_t nsel, const struct refresh_opts *o, struct engine_result *r,
    struct strbuf *out, struct strbuf *why)
{
	struct format_opts fo;
	const char *refused;
	char	 err[256];
	size_t	 i;

	memset(r, 0, sizeof(*r));
	if (engine_get(s, sel, nsel, o->ask, r) == -1) {
		sb_adds(why, "no usable ICE servers: ");
		for (i = 0; i < r->nsources; i++)
			sb_addf(why, "%s%s: %s", i ? "; " : "",
			    r->sources[i].name, r->sources[i].error);
		if (r->nsources == 0)
			sb_adds(why, "no provider selected");
		return EXIT_FAIL;
	}
	if ((refused = refresh_refused(s, &r->list)) != NULL) {
		sb_adds(why, refused);
		return EXIT_FAIL;
	}
	fo.env_names = s->env_name;
	fo.relay = s->relay;
	fo.now = time(NULL);
	if (o->format != REFRESH_NO_RENDER &&
	    format_render(out, o->format, r, &fo, err, sizeof(err)) == -1) {
		sb_adds(why, err);
		return EXIT_FAIL;
	}
	if (!engine_degraded(r))
		return EXIT_OK;
	if (!r->stale && o->format != REFRESH_NO_RENDER)
		log_warn("no TURN server in the output although a TURN "
		    "provider is configured: clients behind NAT may not "
		    "connect");
	return EXIT_DEGRADED;
}

int
refresh_once(const struct settings *s, const struct refresh_opts *o,
    struct engine_result *r, struct strbuf *out)
{
	const struct provider *sel[PROVIDERS_MAX];
	struct format_opts fo = { s->env_name, s->relay, time(NULL) };
	struct strbuf why = { 0 };
	char	 err[256];
	size_t	 nsel;
	int	 rc;

	memset(r, 0, sizeof(*r));
	if (o->format != REFRESH_NO_RENDER &&
	    format_check(o->format, &fo, err, sizeof(err)) == -1) {
		log_error("%s: %s", o->format == FMT_TABLE ?
		    SETTING_ORIGIN(s, format) : SETTING_ORIGIN(s, env_name),
		    err);
		return EXIT_USAGE;
	}
	if ((rc = refresh_select(s, sel, &nsel)) != 0)
		return rc;
	rc = refresh_get(s, sel, nsel, o, r, out, &why);
	if (rc != EXIT_OK && rc != EXIT_DEGRADED)
		log_error("%s", why.s);
	sb_free(&why);
	return rc;
}

int
refresh_keeps(int rc, const struct refresh_held *held, time_t now)
{
	return rc == EXIT_DEGRADED && held->present && held->has_turn &&
	    (held->expires == 0 || held->expires > now);
}

long
refresh_schedule(struct refresh_timer *t, const struct settings *s,
    const struct engine_result *r, time_t now)
{
	long	 wait;

	if (t->backoff == 0)
		t->backoff = ENGINE_RETRY_FIRST;
	if (r == NULL) {
		wait = t->backoff;
		t->next = now + wait;
		t->backoff = engine_next_backoff(wait);
		return wait;
	}
	t->backoff = ENGINE_RETRY_FIRST;
	t->next = r->stale ? now + ENGINE_RETRY_FIRST :
	    engine_next_refresh(s, &r->list, now);
	return 0;
}

void
refresh_take_signals(sigset_t *set)
{
	util_taken_signals(set);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	srandom((unsigned)(time(NULL) ^ getpid()));
}
