/* refresh.h: the one refresh cycle of fetch, watch, serve and deploy:
 * select the providers, get a list through the engine, apply
 * --require-turn, keep a good list over a degraded answer, and schedule
 * the next refresh or the backoff.  What a call asks for is said in its
 * options, never by editing the settings. */
#ifndef ICEUPD_REFRESH_H
#define ICEUPD_REFRESH_H

#include <signal.h>
#include <time.h>

#include "engine.h"
#include "exit.h"
#include "util.h"

#define REFRESH_NO_RENDER	(-1)	/* format: the caller renders */

struct refresh_opts {
	enum engine_ask	 ask;
	int		 format;	/* enum output_format, or NO_RENDER */
};

/* The list a long-running caller hands out now, to judge an answer by. */
struct refresh_held {
	int	 present;
	int	 has_turn;
	time_t	 expires;	/* 0: unknown */
};

/* When to refresh next; zeroed, it starts at ENGINE_RETRY_FIRST. */
struct refresh_timer {
	time_t	 next;
	long	 backoff;	/* the wait after the next failure */
};

/* The ask of a first or a signalled refresh: everything when --force-refresh
 * (or forced) says so, else a fresh cached list may answer. */
static inline enum engine_ask
refresh_ask(const struct settings *s, int forced)
{
	return forced || s->force_refresh ? ASK_ALL : ASK_CACHED;
}

/* engine_select, and an error when nothing is left to ask.  Returns 0, or
 * EXIT_USAGE / EXIT_FAIL after logging why. */
int	 refresh_select(const struct settings *,
	    const struct provider **sel, size_t *nsel);
/* The --require-turn rule: why l may not be handed out, or NULL. */
const char *refresh_refused(const struct settings *, const struct ice_list *l);
/* One refresh of the selected providers through the engine, --require-turn
 * applied, rendered into out in o->format unless NO_RENDER.  Returns
 * EXIT_OK or EXIT_DEGRADED with r holding the list (a rendered list
 * without TURN logged), else EXIT_FAIL with one line in why (not logged)
 * saying why.  The caller frees r and out. */
int	 refresh_get(const struct settings *, const struct provider *const *sel,
	    size_t nsel, const struct refresh_opts *o, struct engine_result *r,
	    struct strbuf *out, struct strbuf *why);
/* The format checked, the providers selected, refresh_get: what fetch,
 * watch and deploy run.  Returns as refresh_get, after logging why it
 * failed (EXIT_USAGE: a setting is wrong). */
int	 refresh_once(const struct settings *, const struct refresh_opts *o,
	    struct engine_result *r, struct strbuf *out);
/* 1 when an answer that refresh_get returned rc for must not replace the
 * held list: it lacks TURN or is stale (EXIT_DEGRADED), and the held one
 * has TURN and has not expired. */
int	 refresh_keeps(int rc, const struct refresh_held *held, time_t now);
/* Schedules the next refresh after one that installed r (NULL: failed, or
 * kept the held list).  Returns the wait after a failure, in seconds, for
 * the log; 0 after a success. */
long	 refresh_schedule(struct refresh_timer *, const struct settings *,
	    const struct engine_result *r, time_t now);
/* Blocks the signals watch and serve take synchronously; threads started
 * later inherit the mask.  Seeds random() for the refresh jitter. */
void	 refresh_take_signals(sigset_t *set);

#endif
