/* http.h: the one place that sets libcurl up. */
#ifndef ICEUPD_HTTP_H
#define ICEUPD_HTTP_H

#include <pthread.h>
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
	int		 plain_http;	/* http:// only, no proxy: for the
					 * metadata server alone */
	long long	 deadline;	/* monotonic ms by which to be done */
	int		 allow_http;	/* http:// (ws://) besides https://
					 * (wss://): only when the configured
					 * URL says so */
	const char	*cookie;	/* "n=v; n2=v2" to send, or NULL */
	const char	*want_header;	/* response header to keep, or NULL */
	struct http_keep *keep;		/* connection to reuse, or NULL */
	int		 retry_connect;	/* http_fetch tries a connection that
					 * timed out again, while the deadline
					 * allows: nothing was sent on it */
};

struct http_response {
	long		 status;	/* HTTP status; 0 when none arrived */
	struct strbuf	 body;		/* NUL-terminated */
	long		 retry_after;	/* seconds asked by the server, or -1 */
	char		 content_type[128];
	char		 header[512];	/* value of want_header, or "" */
	struct strbuf	 cookies;	/* "n=v; ..." from Set-Cookie */
	int		 connect_timeout; /* http_do failed: no connection
					  * (TCP and TLS) within the cap */
};

/* A connection kept open across requests (BOSH sends several in a row,
 * deploy all the calls for one service).  One thread at a time. */
struct http_keep;
struct http_keep *http_keep_new(void);
void	 http_keep_free(struct http_keep *);
/* The TLS connections opened through it so far (1 when all were reused). */
long	 http_keep_handshakes(const struct http_keep *);

/* A connection a caller keeps for the whole process (a hosted provider
 * that watch or serve asks again): reused while the server keeps it open.
 * One thread at a time takes it; NULL while another holds it, or when
 * there is no room left to keep one. */
struct http_kept {
	pthread_mutex_t	 lock;
	struct http_keep *keep;
	int		 listed;	/* in the list http_cleanup frees */
};
#define HTTP_KEPT_INIT	{ PTHREAD_MUTEX_INITIALIZER, NULL, 0 }
struct http_keep *http_kept_take(struct http_kept *);
void	 http_kept_give(struct http_kept *, struct http_keep *);

/* Starts libcurl for the process; 0 or -1. */
int	 http_init(void);
void	 http_cleanup(void);
/* One exchange.  Returns 0 when a response arrived, whatever its status,
 * or -1 with err saying what failed ("POST <shown url>: <why>"). */
int	 http_do(const struct http_request *, struct http_response *,
	    char *err, size_t errlen);
/* http_do, retrying 429 and 5xx answers with backoff (honouring
 * Retry-After), and with retry_connect a connection that timed out, while
 * the deadline allows.  Same returns as http_do. */
int	 http_fetch(const struct http_request *, struct http_response *,
	    char *err, size_t errlen);
void	 http_response_free(struct http_response *);
/* The libcurl version line for --version. */
const char *http_version(void);

#endif
