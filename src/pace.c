/* pace.c: how often this process asks each provider (pace.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "pace.h"
#include "providers/provider.h"
#include "util.h"

struct pace {
	char		 name[16];
	time_t		 hold;		/* the provider's wait: until then */
	long long	 last_ms;	/* monotonic: the last forced ask */
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static struct pace	 paces[PROVIDERS_MAX];

/* The entry of name, made when missing; NULL when the table is full.
 * With the lock held. */
static struct pace *
pace_of(const char *name)
{
	size_t	 i;

	for (i = 0; i < PROVIDERS_MAX && paces[i].name[0] != '\0'; i++)
		if (strcmp(paces[i].name, name) == 0)
			return &paces[i];
	if (i == PROVIDERS_MAX || strlen(name) >= sizeof(paces[i].name))
		return NULL;
	snprintf(paces[i].name, sizeof(paces[i].name), "%s", name);
	return &paces[i];
}

int
pace_take(const char *name, int forced, char *why, size_t len)
{
	struct pace	*p;
	long long	 now_ms = util_monotonic_ms();
	time_t		 now = time(NULL);
	char		 when[32];
	int		 ok = 1;

	pthread_mutex_lock(&lock);
	if ((p = pace_of(name)) == NULL)
		goto out;
	if (p->hold > now) {
		snprintf(why, len, "not asked: it asked to wait until %s "
		    "(Retry-After)", util_rfc3339(p->hold, when, sizeof(when)));
		ok = 0;
	} else if (forced && p->last_ms != 0 &&
	    now_ms - p->last_ms < PACE_FORCED_S * 1000LL) {
		snprintf(why, len, "not asked: a forced ask came less than "
		    "%d s ago", PACE_FORCED_S);
		ok = 0;
	} else if (forced)
		p->last_ms = now_ms;
out:
	pthread_mutex_unlock(&lock);
	return ok;
}

void
pace_hold(const char *name, time_t until)
{
	struct pace	*p;

	pthread_mutex_lock(&lock);
	if ((p = pace_of(name)) != NULL && until > p->hold)
		p->hold = until;
	pthread_mutex_unlock(&lock);
}
