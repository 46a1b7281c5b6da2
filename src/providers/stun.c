/* stun.c: public or configured STUN servers, the last resort. */
#include <stdio.h>
#include <stdlib.h>

#include "../util.h"
#include "provider.h"

/* Operated by Google and Cloudflare for anyone to use; STUN needs no
 * credentials, so this is not someone else's relay. */
static const char default_stun[] =
    "stun:stun.l.google.com:19302,stun:stun.cloudflare.com:3478";

static int
stun_configured(const struct settings *s, char *why, size_t len)
{
	struct ice_uri	 u;
	char		**urls, err[128], shown[160];
	size_t		 i, n;
	int		 rc = 1;

	if (s->stun_urls == NULL) {
		snprintf(why, len, "built-in public STUN servers");
		return 1;
	}
	n = util_split_list(s->stun_urls, &urls);
	for (i = 0; i < n && rc == 1; i++) {
		if (ice_uri_parse(urls[i], &u, err, sizeof(err)) == -1) {
			snprintf(why, len, "%s: '%s': %s",
			    SETTING_ORIGIN(s, stun_urls), ice_uri_shown(urls[i],
			    shown, sizeof(shown)), err);
			rc = -1;
		} else if (ice_uri_is_turn(&u)) {
			snprintf(why, len, "%s: '%s': TURN URLs belong in "
			    "WEBRTC_TURN_URLS", SETTING_ORIGIN(s, stun_urls),
			    ice_uri_shown(urls[i], shown, sizeof(shown)));
			rc = -1;
		}
	}
	if (rc == 1 && n == 0) {
		snprintf(why, len, "%s: no URL in the list",
		    SETTING_ORIGIN(s, stun_urls));
		rc = -1;
	}
	if (rc == 1)
		snprintf(why, len, "%zu STUN URL%s from %s", n,
		    n == 1 ? "" : "s", SETTING_ORIGIN(s, stun_urls));
	util_free_list(urls, n);
	return rc;
}

static int
stun_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	char	**urls;
	size_t	 i, n;
	int	 rc = 0;

	n = util_split_list(s->stun_urls ? s->stun_urls : default_stun, &urls);
	for (i = 0; i < n && rc == 0; i++)
		rc = ice_list_add(l, urls[i], NULL, NULL, 0, st->error,
		    sizeof(st->error));
	util_free_list(urls, n);
	return rc;
}

static const char *const stun_reads[] = { "stun.", NULL };

const struct provider provider_stun = {
	.name = "stun",
	.reads = stun_reads,
	.local = 1,
	.turn_capable = 0,
	.configured = stun_configured,
	.fetch = stun_fetch,
};
