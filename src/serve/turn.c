/* serve/turn.c: per-caller TURN REST credentials, as the namespaced TURN
 * services hand them out: username "<expiry>:<caller id>". */
#include "../providers/provider.h"
#include "../util.h"
#include "turn.h"

const char *
serve_turn_missing(const struct settings *s)
{
	return s->turn_secret == NULL || s->turn_urls == NULL ?
	    "per-caller TURN credentials need TURN_SHARED_SECRET and "
	    "WEBRTC_TURN_URLS" : NULL;
}

int
serve_turn_mint(const struct settings *s, const char *id, time_t expires,
    struct ice_list *l, const char **why)
{
	char	 err[256];

	if ((*why = serve_turn_missing(s)) != NULL)
		return -1;
	if (coturn_mint(s, id, expires, l, err, sizeof(err)) != 0) {
		*why = "cannot mint credentials";
		return -3;
	}
	ice_list_filter(l, (enum ice_transport)s->transport, s->relay);
	if (!ice_list_has_turn(l)) {
		*why = "no TURN URL left in WEBRTC_TURN_URLS under --transport "
		    "and --relay";
		return -2;
	}
	return 0;
}
