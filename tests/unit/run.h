/* run.h: a provider run by the unit tests: the settings it reads, the
 * list and status its fetch gives, and the clock around that fetch. */
#ifndef ICEUPD_UNIT_RUN_H
#define ICEUPD_UNIT_RUN_H

#include <string.h>
#include <time.h>

#include "../../src/ice.h"
#include "../../src/providers/provider.h"
#include "../../src/settings.h"
#include "unit.h"

/* What run_start() set up and run_fetch() filled; free with run_free(). */
struct run {
	const struct provider	*p;
	struct settings		 s;
	struct ice_list		 l;
	struct provider_status	 st;
	char			 why[512];	/* of run_configured() */
	time_t			 before, after;	/* around run_fetch() */
};

/* p with the settings of args and env (either may be NULL), in r. */
static inline void
run_start(struct run *r, const struct provider *p, const char *const *args,
    const char *const *env)
{
	memset(r, 0, sizeof(*r));
	r->p = p;
	unit_settings(&r->s, args, env);
}

/* r's configured() returns want, its reason in r->why: why, unless NULL. */
static inline void
run_configured(struct run *r, int want, const char *why)
{
	int	 got = unit_configured(r->p, &r->s, r->why, sizeof(r->why));

	ck_assert_msg(got == want, "%s: configured() is %d, not %d: %s",
	    r->p->name, got, want, r->why);
	if (why != NULL)
		ck_assert_str_eq(r->why, why);
}

/* r's fetch() returns want. */
static inline void
run_fetch(struct run *r, int want)
{
	r->before = time(NULL);
	ck_assert_int_eq(r->p->fetch(&r->s, &r->l, &r->st), want);
	r->after = time(NULL);
}

static inline void
run_free(struct run *r)
{
	ice_list_free(&r->l);
	settings_free(&r->s);
}

#endif
