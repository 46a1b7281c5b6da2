/* outstate.h: what watch last wrote to -o FILE, kept in FILE.lock (the lock
 * it holds while it runs) so that the next run finds when the credentials
 * in FILE expire, minted ones included, without asking anyone. */
#ifndef ICEUPD_OUTSTATE_H
#define ICEUPD_OUTSTATE_H

#include <stddef.h>
#include <time.h>

#include "ice.h"
#include "settings.h"

struct outstate {
	char	 digest[65];	/* of the file's text */
	char	 key[65];	/* of the settings that made it */
	time_t	 fetched_at;
	time_t	 expires;	/* 0: unknown */
	int	 has_turn;
};

/* Fills st for text, rendered under s from l. */
void	 outstate_make(struct outstate *st, const struct settings *s,
	    const char *text, const struct ice_list *l);
/* Reads the record from the lock descriptor fd.  Returns 0, or -1 when
 * there is none or it is not one this version wrote. */
int	 outstate_read(int fd, struct outstate *st);
/* Replaces the record in fd with st, or empties it when st is NULL.
 * Returns 0, or -1 with errno set. */
int	 outstate_write(int fd, const struct outstate *st);
/* 1 when st says that text, made under s, is what was recorded. */
int	 outstate_matches(const struct outstate *st, const struct settings *s,
	    const char *text);

#endif
