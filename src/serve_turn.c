/* serve_turn.c: per-caller TURN REST credentials, as the namespaced TURN
 * services hand them out: username "<expiry>:<caller id>". */
#include <string.h>

#include "providers/provider.h"
#include "serve_turn.h"
#include "util.h"

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
	struct ice_uri	 u;
	char		 user[ICE_CRED_MAX + 1], cred[64], err[256];
	char		**urls = NULL;
	size_t		 i, n = 0;
	int		 rc = 0, turn;

	if ((*why = serve_turn_missing(s)) != NULL)
		return -1;
	if (turn_rest_credential(s->turn_secret, id, expires, user,
	    sizeof(user), cred, sizeof(cred)) == -1) {
		*why = "cannot mint credentials";
		rc = -3;
		goto out;
	}
	n = split_list(s->turn_urls, &urls);
	for (i = 0; i < n; i++) {
		if (ice_uri_parse(urls[i], &u, err, sizeof(err)) == -1)
			continue;	/* refused at start already */
		turn = ice_uri_is_turn(&u);
		(void)ice_list_add(l, urls[i], turn ? user : NULL,
		    turn ? cred : NULL, turn ? expires : 0, err, sizeof(err));
	}
	ice_list_filter(l, (enum ice_transport)s->transport, s->relay);
	if (!ice_list_has_turn(l)) {
		*why = "no TURN URL left in WEBRTC_TURN_URLS under --transport "
		    "and --relay";
		rc = -2;
	}
out:
	explicit_bzero(cred, sizeof(cred));
	free_list(urls, n);
	return rc;
}
