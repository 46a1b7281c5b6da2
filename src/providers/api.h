/* api.h: what the hosted HTTPS JSON providers (twilio, cloudflare, metered)
 * share: one call with the error mapping, and the RTCIceServer parser. */
#ifndef ICEUPD_API_H
#define ICEUPD_API_H

#include <cjson/cJSON.h>

#include "../http.h"
#include "provider.h"

struct api_call {
	struct http_request rq;
	const char	*auth_hint;	/* for 401/403: which setting to check */
	const char	*missing_hint;	/* for 404 */
	struct http_kept *kept;		/* the provider's connection, kept
					 * between refreshes; or NULL */
};

/* Performs the call (retrying 429/5xx within the deadline) and parses a
 * 2xx answer.  Returns the JSON document, or NULL with st->error set. */
cJSON	*api_call(const struct api_call *, struct provider_status *st);

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

/* Characters safe in a URL path segment or host label: [A-Za-z0-9_-]. */
int	 api_safe_token(const char *);

#endif
