/* provider.h: what every provider offers the engine. */
#ifndef ICEUPD_PROVIDER_H
#define ICEUPD_PROVIDER_H

#include <stddef.h>
#include <time.h>

#include "../ice.h"
#include "../settings.h"

#define PROVIDERS_MAX	16

/* One fetch: the deadline in, how it went out, in words the engine logs
 * (providers never print). */
struct provider_status {
	long long deadline;	/* in: monotonic ms by which to be done */
	char	 error[512];	/* why it failed */
	char	 warning[256];	/* something dropped on the way */
	char	 note[160];	/* what the answer was, for -v */
	int	 permanent;	/* failed for good: asking again will not help */
	long	 retry_after;	/* 429 or 503 with Retry-After: its seconds */
};

struct provider {
	const char	*name;
	int		 turn_capable;
	int		 local;		/* answers without the network */
	/* The settings it reads: keys, or "group." for a whole group. */
	const char *const *reads;
	/* 1 when s holds what the provider needs; 0 when it holds nothing
	 * for it; -1 when it holds something wrong or incomplete.  why says
	 * what is set, missing or wrong (never a secret). */
	int		(*configured)(const struct settings *s, char *why,
			    size_t len);
	/* Fills l.  Returns 0, or -1 with st->error set. */
	int		(*fetch)(const struct settings *s, struct ice_list *l,
			    struct provider_status *st);
};

/* The longest lifetime any provider's answer is held to, whether it comes
 * from a ttl, an expiry time or a credential's own expiry: a longer one is
 * a mistake, or a list kept in the cache for decades. */
#define PROVIDER_LIFETIME_MAX	(30L * 86400)

/* Cuts every expiry in l to now + PROVIDER_LIFETIME_MAX; returns how many
 * were cut. */
size_t	 provider_cap_lifetime(struct ice_list *l, time_t now);

/* Every provider of this build, in the default priority order: a provider
 * is its line here, the file defining provider_NAME, and its settings in
 * the settings table. */
#define ICEUPD_PROVIDERS(X)						\
	X(twilio) X(cloudflare) X(metered) X(xirsys) X(turnix)		\
	X(8x8) X(kmeet) X(jitsi) X(url) X(matrix)			\
	X(coturn) X(stun)

#define PROVIDER_DECL(name)	extern const struct provider provider_##name;
ICEUPD_PROVIDERS(PROVIDER_DECL)

/* The providers of ICEUPD_PROVIDERS, in its order; NULL ends it. */
extern const struct provider *const provider_table[];

const struct provider *provider_find(const char *name);

/* The digest of p's configuration: the settings it reads and those that
 * judge its answers (filters, --verify, CA).  Its health belongs to it. */
void	 provider_config_key(const struct settings *, const struct provider *p,
	    char hex[65]);

/* The credential lifetime to ask a provider for: --ttl on the command line,
 * else the provider's own setting, else the general one, else fallback;
 * never more than max. */
long	 provider_ttl(const struct settings *, long own, long fallback,
	    long max);

/* TURN REST (draft-uberti-behave-turn-rest): username "<expires>[:<user>]",
 * credential base64(HMAC-SHA1(secret, username)).  Returns 0 or -1. */
int	 turn_rest_credential(const char *secret, const char *user,
	    time_t expires, char *username, size_t ulen, char *credential,
	    size_t clen);
/* Adds WEBRTC_TURN_URLS to l, the TURN ones with TURN REST credentials
 * minted from TURN_SHARED_SECRET for user (NULL: none), valid until
 * expires: what the coturn provider and serve's per-caller credentials
 * hand out.  0; -1 with err set (a URL refused); -2 when user is too
 * long. */
int	 coturn_mint(const struct settings *, const char *user, time_t expires,
	    struct ice_list *l, char *err, size_t errlen);

#endif
