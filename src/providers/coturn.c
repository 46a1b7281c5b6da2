/* coturn.c: a self-hosted TURN server, with static credentials or TURN REST
 * credentials minted from the shared secret (coturn --use-auth-secret). */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "provider.h"

#define TURN_REST_DEFAULT_TTL	86400

int
turn_rest_credential(const char *secret, const char *user, time_t expires,
    char *username, size_t ulen, char *credential, size_t clen)
{
	unsigned char	 mac[EVP_MAX_MD_SIZE];
	unsigned int	 maclen = 0;
	int		 n;

	if (user != NULL && *user != '\0')
		n = snprintf(username, ulen, "%lld:%s", (long long)expires,
		    user);
	else
		n = snprintf(username, ulen, "%lld", (long long)expires);
	if (n < 0 || (size_t)n >= ulen)
		return -1;
	if (HMAC(EVP_sha1(), secret, (int)strlen(secret),
	    (const unsigned char *)username, strlen(username), mac,
	    &maclen) == NULL)
		return -1;
	if (clen < 4 * ((maclen + 2) / 3) + 1)
		return -1;
	EVP_EncodeBlock((unsigned char *)credential, mac, (int)maclen);
	explicit_bzero(mac, sizeof(mac));
	return 0;
}

/* TURN REST credentials can live as long as the operator likes. */
static long
coturn_ttl(const struct settings *s)
{
	return provider_ttl(s, s->turn_ttl, TURN_REST_DEFAULT_TTL, 7 * 86400);
}

static int
coturn_configured(const struct settings *s, char *why, size_t len)
{
	struct ice_uri	 u;
	char		**urls = NULL, err[128], shown[160];
	size_t		 i, n = 0;
	int		 rc = 1, statics;

	statics = s->turn_username != NULL || s->turn_credential != NULL;
	if (s->turn_urls == NULL) {
		if (!statics && s->turn_secret == NULL) {
			snprintf(why, len, "WEBRTC_TURN_URLS is not set");
			return 0;
		}
		snprintf(why, len, "credentials are set but WEBRTC_TURN_URLS "
		    "is not");
		return -1;
	}
	n = util_split_list(s->turn_urls, &urls);
	for (i = 0; i < n; i++)
		if (ice_uri_parse(urls[i], &u, err, sizeof(err)) == -1) {
			snprintf(why, len, "%s: '%s': %s",
			    SETTING_ORIGIN(s, turn_urls), ice_uri_shown(urls[i],
			    shown, sizeof(shown)), err);
			rc = -1;
			goto out;
		}
	if (n == 0) {
		snprintf(why, len, "%s: no URL in the list",
		    SETTING_ORIGIN(s, turn_urls));
		rc = -1;
	} else if (statics && s->turn_secret != NULL) {
		snprintf(why, len, "%s and %s: set WEBRTC_TURN_USERNAME and "
		    "WEBRTC_TURN_CREDENTIAL, or TURN_SHARED_SECRET, not both",
		    s->turn_username ?
		    SETTING_ORIGIN(s, turn_username) :
		    SETTING_ORIGIN(s, turn_credential),
		    SETTING_ORIGIN(s, turn_secret));
		rc = -1;
	} else if (statics && s->turn_username == NULL) {
		snprintf(why, len, "%s is set without a username "
		    "(WEBRTC_TURN_USERNAME, coturn.username)",
		    SETTING_ORIGIN(s, turn_credential));
		rc = -1;
	} else if (statics && s->turn_credential == NULL) {
		snprintf(why, len, "%s is set without a credential "
		    "(WEBRTC_TURN_CREDENTIAL, coturn.credential)",
		    SETTING_ORIGIN(s, turn_username));
		rc = -1;
	} else if (statics && (!ice_credential_valid(s->turn_username) ||
	    !ice_credential_valid(s->turn_credential))) {
		snprintf(why, len, "%s: not printable UTF-8 of at most %d "
		    "bytes", ice_credential_valid(s->turn_username) ?
		    SETTING_ORIGIN(s, turn_credential) :
		    SETTING_ORIGIN(s, turn_username), ICE_CRED_MAX);
		rc = -1;
	} else if (s->turn_secret != NULL && s->turn_user != NULL &&
	    (!ice_credential_valid(s->turn_user) ||
	    strlen(s->turn_user) > ICE_CRED_MAX - 24)) {
		snprintf(why, len, "%s: not printable UTF-8 of at most %d "
		    "bytes", SETTING_ORIGIN(s, turn_user), ICE_CRED_MAX - 24);
		rc = -1;
	} else if (s->turn_secret != NULL)
		snprintf(why, len, "%zu URL%s, TURN REST credentials for %ld s",
		    n, n == 1 ? "" : "s", coturn_ttl(s));
	else if (statics)
		snprintf(why, len, "%zu URL%s, static credentials", n,
		    n == 1 ? "" : "s");
	else
		snprintf(why, len, "%zu URL%s but no credentials: TURN is "
		    "dropped", n, n == 1 ? "" : "s");
out:
	util_free_list(urls, n);
	return rc;
}

/* The URL list as the operator wrote it: "FILE:LINE (coturn.urls)" when
 * it came from the config file. */
static const char *
urls_named(const struct settings *s)
{
	return SETTING_KIND(s, turn_urls) == FROM_FILE ?
	    SETTING_ORIGIN(s, turn_urls) : "WEBRTC_TURN_URLS";
}

/* Adds the URLs of WEBRTC_TURN_URLS to l, the TURN ones with user and
 * cred (none: dropped, counted in *dropped).  0, or -1 with err set. */
static int
add_urls(const struct settings *s, const char *user, const char *cred,
    time_t expires, struct ice_list *l, size_t *dropped, char *err,
    size_t errlen)
{
	struct ice_uri	 u;
	char		**urls;
	size_t		 i, n;
	int		 rc = -1;

	n = util_split_list(s->turn_urls, &urls);
	for (i = 0; i < n; i++) {
		if (ice_uri_parse(urls[i], &u, err, errlen) == -1)
			goto out;
		if (ice_uri_is_turn(&u) && user == NULL) {
			(*dropped)++;
			continue;
		}
		if (ice_list_add(l, urls[i], user, cred, expires, err,
		    errlen) == -1)
			goto out;
	}
	rc = 0;
out:
	util_free_list(urls, n);
	return rc;
}

int
coturn_mint(const struct settings *s, const char *user, time_t expires,
    struct ice_list *l, char *err, size_t errlen)
{
	char	 username[ICE_CRED_MAX + 1], credential[64];
	size_t	 dropped = 0;
	int	 rc;

	if (turn_rest_credential(s->turn_secret, user, expires, username,
	    sizeof(username), credential, sizeof(credential)) == -1) {
		snprintf(err, errlen, "the user name is too long");
		return -2;
	}
	rc = add_urls(s, username, credential, expires, l, &dropped, err,
	    errlen);
	explicit_bzero(credential, sizeof(credential));
	return rc;
}

static int
coturn_fetch(const struct settings *s, struct ice_list *l,
    struct provider_status *st)
{
	size_t	 dropped = 0;
	int	 rc;

	if (s->turn_secret != NULL) {
		l->fetched_at = time(NULL);
		rc = coturn_mint(s, s->turn_user, l->fetched_at +
		    coturn_ttl(s), l, st->error, sizeof(st->error));
		if (rc == -2)
			snprintf(st->error, sizeof(st->error), "TURN_USER is "
			    "too long");
	} else
		rc = add_urls(s, s->turn_username, s->turn_credential, 0, l,
		    &dropped, st->error, sizeof(st->error));
	if (rc != 0)
		return -1;
	if (dropped > 0)
		snprintf(st->warning, sizeof(st->warning), "%s has no "
		    "credentials (set WEBRTC_TURN_USERNAME and "
		    "WEBRTC_TURN_CREDENTIAL, or TURN_SHARED_SECRET): %zu TURN "
		    "URL%s dropped", urls_named(s), dropped,
		    dropped == 1 ? "" : "s");
	if (l->n == 0) {
		if (dropped > 0)
			snprintf(st->error, sizeof(st->error), "%s has TURN "
			    "URLs but no credentials", urls_named(s));
		else
			snprintf(st->error, sizeof(st->error), "no usable URL");
		return -1;
	}
	return 0;
}

static const char *const coturn_reads[] = { "coturn.", NULL };

const struct provider provider_coturn = {
	.name = "coturn",
	.reads = coturn_reads,
	.local = 1,
	.turn_capable = 1,
	.configured = coturn_configured,
	.fetch = coturn_fetch,
};
