/* api.h: what the hosted HTTPS JSON providers (twilio, cloudflare, metered,
 * xirsys, turnix) share: one call with the error mapping, and the
 * RTCIceServer parser. */
#ifndef ICEUPD_API_H
#define ICEUPD_API_H

#include <cjson/cJSON.h>

#include "../http.h"
#include "provider.h"

struct settings;

struct api_call {
	struct http_request rq;
	const char	*auth_hint;	/* for 401/403: which setting to check */
	const char	*missing_hint;	/* for 404 */
	struct http_kept *kept;		/* the provider's connection, kept
					 * between refreshes; or NULL */
};

/* Starts c afresh: method on url, with the CA and deadline every call
 * has (s->cacert, st->deadline) and the provider's kept connection (or
 * NULL); the caller adds its auth, body and hints. */
void	 api_call_init(struct api_call *c, const char *method,
	    const char *url, const struct settings *s,
	    const struct provider_status *st, struct http_kept *kept);

/* Performs the call (retrying 429/5xx within the deadline) and parses a
 * 2xx answer.  Returns the JSON document, or NULL with st->error set. */
cJSON	*api_call(const struct api_call *, struct provider_status *st);

/* What a provider reads of its answer: the servers of doc into l, which
 * came at now and were asked to last until expires (0: no lifetime was
 * asked).  Returns 0, or -1 with st->error set. */
typedef int api_take_fn(struct ice_list *l, const cJSON *doc, time_t now,
	    time_t expires, struct provider_status *st);

/* A provider's fetch once its request is built: performs c, sets
 * l->fetched_at to when the answer came and hands the answer to take,
 * with the lifetime asked (ttl seconds; 0: none).  Returns 0, or -1 with
 * st->error set. */
int	 api_fetch(const struct api_call *c, api_take_fn *take, long ttl,
	    struct ice_list *l, struct provider_status *st);

/* Adds the RTCIceServer entries of v (an array of them, or one object) to
 * l: "urls" as a string or an array, or the legacy "url"; "username" and
 * "credential".  URLs that break the URI rules, or (skip53) use port 53,
 * are dropped with a warning in st.  Returns 0, or -1 with st->error set
 * when nothing usable was left. */
int	 api_take_servers(struct ice_list *l, const cJSON *v, time_t expires,
	    int skip53, struct provider_status *st);

/* Checks an API base setting: an https:// URL with a host.
 * Returns 0, or -1 with why set. */
int	 api_check_base(const char *base, const char *origin, char *why,
	    size_t len);
/* Appends url to out as messages show it: a user part or a query (either
 * may hold a key) becomes "[redacted]". */
void	 api_shown_url(const char *url, struct strbuf *out);
/* Appends base to url without its trailing slashes. */
void	 api_add_base(struct strbuf *url, const char *base);

/* The parts of a configured endpoint URL that matter. */
struct api_url {
	char		 host[256];	/* without port; [v6] kept */
	const char	*path;		/* in the URL: from '/' or '?', or "" */
	int		 ws;		/* ws:// or wss:// */
	int		 plain;		/* http:// or ws:// */
	int		 loopback;	/* localhost, 127.0.0.0/8 or [::1] */
};

/* Splits url; schemes lists what is allowed ("https http wss ws").
 * Returns 0, or -1 with why set (naming origin). */
int	 api_url_split(const char *url, const char *schemes,
	    const char *origin, struct api_url *u, char *why, size_t len);

/* A lifetime in an answer, in seconds: a number or a string of digits
 * ("86400"), from 1 to max.  Returns 0 with *ttl, 1 when v is absent or
 * null, or -1. */
int	 api_lifetime(const cJSON *v, long max, long *ttl);

/* Characters safe in a URL path segment or host label: [A-Za-z0-9_-]. */
int	 api_safe_token(const char *);

/* Xirsys's envelope {"s":"error","v":"<reason>"}, sent with HTTP 200 as
 * well as with errors: the reason (or s itself when v is no string), or
 * NULL when doc is no such error. */
const cJSON *api_xirsys_error(const cJSON *doc);

/* The answers of single providers, apart from their calls for the unit
 * tests and the fuzzer.  Each returns 0, or -1 with st->error set. */

/* twilio.c: the API base that TWILIO_REGION and TWILIO_EDGE (either may
 * be NULL) name, as Twilio's SDKs build it: https://api.EDGE.REGION.
 * twilio.com, the region us1 when only an edge is given.  A region alone
 * works for us1 only; another one without its edge is refused in why. */
int	 twilio_region_base(const char *region, const char *edge,
	    struct strbuf *base, char *why, size_t len);
/* xirsys.c: {"s":"ok","v":{"iceServers":{...}}} into l. */
api_take_fn xirsys_take;
/* turnix.c: {"iceServers":[...],"expiresAt":"..."} into l; expires is
 * what was asked, used when the answer names no time or a later one. */
api_take_fn turnix_take;

#endif
