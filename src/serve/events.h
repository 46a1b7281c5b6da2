/* serve/events.h: GET /api/ice/events, Server-Sent Events: a credentials
 * event with the list served (rtc shape) on connect and each time a
 * refresh installs one; with ?turn=ID, per-caller TURN credentials minted
 * anew at --refresh-at percent of --turn-ttl instead; a comment line as a
 * heartbeat every SERVE_EVENTS_HEARTBEAT seconds. */
#ifndef ICEUPD_SERVE_EVENTS_H
#define ICEUPD_SERVE_EVENTS_H

#include <microhttpd.h>
#include <stddef.h>

#include "../settings.h"

#define SERVE_EVENTS_MAX	64	/* subscribers at once */
#define SERVE_EVENTS_PER_CLIENT	16	/* of them from one address */
#define SERVE_EVENTS_HEARTBEAT	15

/* Starts the thread that beats and mints; 0, or -1 after logging. */
int	 serve_events_start(const struct settings *s);
/* A new list is served: its rtc rendering (len bytes, a newline ending it
 * or not) goes to every subscriber without ?turn=. */
void	 serve_events_publish(const char *rtc, size_t len);
/* The stream of connection c, its first events queued; turn is NULL or a
 * valid caller id.  NULL with *why when it cannot be opened (*full set
 * when SERVE_EVENTS_MAX are connected, or SERVE_EVENTS_PER_CLIENT from
 * its client's address). */
struct MHD_Response *serve_events_open(struct MHD_Connection *c,
	    const char *turn, int *full, const char **why);
/* Ends every stream (their requests complete) and the thread. */
void	 serve_events_stop(void);

#endif
