/* serve/turn.h: per-caller TURN REST credentials for the coturn URLs, as
 * POST /api/ice/turn and /api/ice/events?turn=ID hand them out. */
#ifndef ICEUPD_SERVE_TURN_H
#define ICEUPD_SERVE_TURN_H

#include <time.h>

#include "../ice.h"
#include "../settings.h"

/* NULL when per-caller credentials can be minted, else why not. */
const char *serve_turn_missing(const struct settings *s);
/* Fills l (empty) with WEBRTC_TURN_URLS under --transport and --relay,
 * the TURN ones with username "<expires>:<id>" and its HMAC.  0; -1 when
 * no secret or URL is set, -2 when no TURN URL is left, -3 when nothing
 * could be minted; *why says which. */
int	 serve_turn_mint(const struct settings *s, const char *id,
	    time_t expires, struct ice_list *l, const char **why);

#endif
