/* serve/conntrack.h: serve's connections that have not sent a whole request
 * yet: each has a deadline, and past a budget the oldest is dropped first, so
 * that slow or idle clients never take the room of new ones. */
#ifndef ICEUPD_CONNTRACK_H
#define ICEUPD_CONNTRACK_H

#include <stddef.h>

struct conntrack;

/* deadline_ms: for a whole request, headers and body (and for the next
 * request on a kept-alive connection); budget: incomplete connections kept
 * at most. */
struct conntrack *conntrack_new(long deadline_ms, size_t budget);
void	 conntrack_free(struct conntrack *);
/* A new connection on socket fd; *ctx gets its entry.  Over the budget,
 * the oldest incomplete connection is shut down. */
void	 conntrack_open(struct conntrack *, int fd, void **ctx);
/* Its request is in whole: no deadline while it is answered. */
void	 conntrack_busy(struct conntrack *, void *ctx);
/* Answered: waiting for the next request, with a new deadline (over the
 * budget, the oldest incomplete connection is shut down). */
void	 conntrack_idle(struct conntrack *, void *ctx);
/* Closed: *ctx is freed and cleared. */
void	 conntrack_close(struct conntrack *, void **ctx);
/* Shuts down the connections past their deadline; returns how many. */
size_t	 conntrack_sweep(struct conntrack *);

#endif
