/* ice.h: the model: ICE servers, lists of them, and STUN/TURN URIs. */
#ifndef ICEUPD_ICE_H
#define ICEUPD_ICE_H

#include <stddef.h>
#include <time.h>

enum ice_scheme { SCHEME_STUN, SCHEME_STUNS, SCHEME_TURN, SCHEME_TURNS };
enum ice_transport { TRANSPORT_ANY, TRANSPORT_UDP, TRANSPORT_TCP };

extern const char *const ice_transport_names[];	/* indexed by enum ice_transport */

#define ICE_HOST_MAX	253	/* DNS name limit; an IPv6 literal is shorter */
#define ICE_URI_MAX	512
#define ICE_CRED_MAX	512	/* RFC 8489: USERNAME is under 513 bytes */
#define ICE_URLS_MAX	32	/* URLs in one entry */
#define ICE_SERVERS_MAX	64	/* entries in one list */

/* One parsed RFC 7064/7065 URI. */
struct ice_uri {
	enum ice_scheme	 scheme;
	char		 host[ICE_HOST_MAX + 1];	/* without brackets */
	int		 ipv6;
	int		 port;		/* explicit, or the scheme's default */
	enum ice_transport transport;	/* as given; ANY when absent */
};

/* Parses s; 0 ok, -1 with a reason in err. */
int	 ice_uri_parse(const char *s, struct ice_uri *, char *err, size_t errlen);
/* Writes the canonical form: lower-case scheme and host, explicit port. */
void	 ice_uri_format(const struct ice_uri *, char *buf, size_t len);
/* The transport the URI really uses: turn defaults to UDP, turns to TCP. */
enum ice_transport ice_uri_transport(const struct ice_uri *);
int	 ice_uri_is_turn(const struct ice_uri *);
/* url made fit for a message: user information (which may hold a
 * password) replaced by "[redacted]", control bytes escaped. */
const char *ice_uri_shown(const char *url, char *buf, size_t len);

/* 1 when s can be a TURN username or credential: printable UTF-8 (RFC
 * 3629) without control characters, at most ICE_CRED_MAX bytes. */
int	 ice_credential_valid(const char *s);

/* One RTCIceServer: URLs sharing one username and credential. */
struct ice_server {
	char	**urls;		/* canonical URIs */
	size_t	  nurls;
	char	 *username;	/* NULL for STUN */
	char	 *credential;
	time_t	  expires;	/* 0: unknown */
};

struct ice_list {
	struct ice_server *servers;
	size_t	  n;
	char	  provider[32];	/* who answered; "a+b" after a merge */
	time_t	  fetched_at;	/* when the credentials were made */
};

/* Adds url with its credentials, grouping it with the entry of the same
 * credentials; a URL already there with them is skipped.  STUN URLs never
 * carry credentials; TURN URLs must.  Returns 0, or -1 with a reason. */
int	 ice_list_add(struct ice_list *, const char *url, const char *username,
	    const char *credential, time_t expires, char *err, size_t errlen);
/* Appends every server of src to dst, with the same grouping. */
void	 ice_list_merge(struct ice_list *dst, const struct ice_list *src);
/* Keeps what the transport allows (TCP: TURN over TCP or TLS only) and,
 * under relay, TURN only.  Entries left without URLs go. */
void	 ice_list_filter(struct ice_list *, enum ice_transport, int relay);
/* Keeps max entries (0 keeps all), dropping STUN-only entries first and
 * then the last ones. */
void	 ice_list_truncate(struct ice_list *, size_t max);
/* The earliest expiry of any entry, 0 when none is known. */
time_t	 ice_list_expires(const struct ice_list *);
int	 ice_list_has_turn(const struct ice_list *);
int	 ice_list_has_stun(const struct ice_list *);
size_t	 ice_list_nurls(const struct ice_list *);
void	 ice_list_free(struct ice_list *);

#endif
