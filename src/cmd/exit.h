/* cmd/exit.h: the exit statuses of the commands, as documented in iceupd(1). */
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
