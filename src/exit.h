/* exit.h: the exit statuses, as documented in iceupd(1): every level may
 * return them; only the commands choose them. */
#ifndef ICEUPD_EXIT_H
#define ICEUPD_EXIT_H

enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* nothing usable obtained, or the sink failed */
	EXIT_USAGE = 2,		/* usage or configuration error */
	EXIT_UNCHANGED = 3,	/* nothing to do */
	EXIT_DEGRADED = 4	/* emitted, but without TURN or from stale cache */
};

#endif
