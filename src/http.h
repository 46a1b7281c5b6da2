/* http.h: the one place that sets libcurl up. */
#ifndef ICEUPD_HTTP_H
#define ICEUPD_HTTP_H

#include <stddef.h>

#include "util.h"

#define HTTP_BODY_MAX	(1024 * 1024)	/* responses larger than this fail */

struct http_request {
	const char	*method;	/* "GET", "POST", "PUT" */
	const char	*url;		/* may carry a secret in its query */
	const char	*shown_url;	/* url for messages; NULL: url itself */
	const char	*userpwd;	/* Basic auth "user:secret", or NULL */
	const char	*bearer;	/* Bearer token, or NULL */
	const char	*content_type;	/* of body */
	const char	*body;
	size_t		 bodylen;
	const char	*const *headers; /* extra "Name: value", NULL-ended */
	const char	*cacert;	/* extra CA bundle, or NULL */
	long long	 deadline;	/* monotonic ms by which to be done */
};

struct http_response {
	long		 status;	/* HTTP status; 0 when none arrived */
	struct strbuf	 body;		/* NUL-terminated */
	long		 retry_after;	/* seconds asked by the server, or -1 */
	char		 content_type[128];
};

/* Starts libcurl for the process; 0 or -1. */
int	 http_init(void);
void	 http_cleanup(void);
/* One exchange.  Returns 0 when a response arrived, whatever its status,
 * or -1 with err saying what failed ("POST <shown url>: <why>"). */
int	 http_do(const struct http_request *, struct http_response *,
	    char *err, size_t errlen);
/* http_do, retrying 429 and 5xx answers with backoff (honouring
 * Retry-After) while the deadline allows.  Same returns as http_do. */
int	 http_fetch(const struct http_request *, struct http_response *,
	    char *err, size_t errlen);
void	 http_response_free(struct http_response *);
/* The libcurl version line for --version. */
const char *http_version(void);

#endif
