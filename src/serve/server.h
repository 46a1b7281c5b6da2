/* serve/server.h: what the files of `iceupd serve` share.  The server:
 * the credential HTTP API, with health and metrics.
 *
 * A refresher thread keeps one rendered snapshot of the list, refreshing
 * at refresh_at percent of its lifetime by the one refresh cycle of
 * refresh.c (the rules of `watch`), and swaps it in under a lock; a
 * snapshot is immutable and reference counted, so a request holds the one
 * it started with while a newer one replaces it, and never sees an empty
 * or half-built list.  libmicrohttpd answers from one epoll thread that
 * never blocks: a request that must wait for a list (none yet, or
 * ?provider=NAME that is not fresh) is suspended and resumed by the thread
 * that fetched it.  Once warm, nothing is fetched on the request path,
 * except what ?provider=NAME asks for explicitly.
 *
 * The main thread only takes signals: SIGUSR1 refreshes now, SIGHUP
 * rereads the token file and refreshes, SIGTERM and SIGINT stop accepting,
 * let requests in flight finish and leave with status 0. */
#ifndef ICEUPD_SERVE_SERVER_H
#define ICEUPD_SERVE_SERVER_H

#include <cjson/cJSON.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/uio.h>
#include <time.h>

#include "../cache.h"
#include "../engine.h"
#include "../settings.h"
#include "../util.h"
#include "conntrack.h"
#include "metrics.h"

#define BODY_MAX	4096		/* request bodies */
#define CONN_MEMORY	(16 * 1024)	/* per connection: headers and all */
#define CONN_LIMIT	1000
#define PER_IP_LIMIT	128
#define CONN_TIMEOUT	30		/* seconds a connection may idle */
#define DRAIN_MS	10000		/* on SIGTERM, beyond --timeout */
#define REQUEST_DEADLINE_MS 10000	/* for a whole request: headers, body */
#define INCOMPLETE_BUDGET (CONN_LIMIT / 2)	/* the rest kept for new clients */

/* One rendered list, never changed once published. */
struct snapshot {
	atomic_uint	 refs;
	pthread_mutex_t	 print_lock;	/* for remaining_ttl, set each time */
	cJSON		*report;	/* the json report */
	cJSON		*ttl;		/* its remaining_ttl; NULL: unknown */
	struct strbuf	 neko, rtc;
	char		 provider[32];
	time_t		 fetched_at, expires;
	int		 degraded;	/* engine_degraded() of its answer */
	int		 has_turn;
};

struct server {
	const struct settings	*s;
	const struct provider	*sel[PROVIDERS_MAX];
	size_t			 nsel;
	struct MHD_Daemon	*d;
	int			 auth;		/* --auth-token-file is set */
	char			*token;		/* under lock: SIGHUP rereads */
	unsigned char		 token_md[SHA256_DIGEST_LENGTH];
	char			*cache_path;	/* NULL: no disk cache */
	struct conntrack	*ct;		/* connections without a request */

	pthread_mutex_t		 lock;		/* what follows, to the atomics */
	pthread_cond_t		 wake;		/* refresher: work, or stop */
	pthread_cond_t		 idle;		/* drain: a fetcher ended */
	struct snapshot		*snap;
	struct snapshot		*slot[PROVIDERS_MAX];	/* ?provider= */
	int			 refresh_asked;
	int			 refreshing;
	int			 drop_disk;	/* DELETE: the refresher empties it */
	struct provider_health	 health[CACHE_HEALTH_MAX];	/* the cache's, */
	size_t			 nhealth;	/* as the refresher last read it */
	int			 stopping;
	time_t			 next_try;
	struct request		*waiters;	/* suspended requests */
	int			 fetching[PROVIDERS_MAX];
	unsigned		 fetched[PROVIDERS_MAX];	/* ends */
	char			 fetch_error[PROVIDERS_MAX][512];
	int			 fetchers;	/* threads of ?provider= */
	int			 fetch_forced[PROVIDERS_MAX];	/* next */
	long long		 forced_ms;	/* monotonic: the last forced */
	long long		 slot_forced_ms[PROVIDERS_MAX];	/* refreshes */

	atomic_int		 inflight;
	atomic_int		 draining;
	time_t			 started;
};

enum { M_GET = 1, M_POST = 2, M_DELETE = 4 };
/* An endpoint's guard: AUTH_KEY also takes the token as ?key= (or Janus's
 * ?api=), as TURN REST clients send it. */
enum { AUTH_NONE, AUTH_BEARER, AUTH_KEY };

struct request;
typedef enum MHD_Result (*route_fn)(struct server *, struct MHD_Connection *,
    struct request *);

struct endpoint {
	const char	*path;		/* also the route's metrics label */
	unsigned	 methods;
	int		 auth;		/* AUTH_*: the token, when set */
	int		 body;		/* reads the request body */
	route_fn	 fn;
};

/* What a suspended request waits for: the list, or slot N's fetch. */
#define WAIT_LIST	(-1)
#define WAIT_ANY	(-2)		/* to wake: all of them */

struct request {
	long long	 start_us;
	struct MHD_Connection *conn;	/* while it waits */
	struct request	*next;		/* in sv->waiters */
	int		 wait;		/* WAIT_LIST or a slot */
	int		 waited;	/* it was suspended once */
	unsigned	 seen;		/* fetched[slot] when it began */
	long long	 deadline_ms;	/* of a wait for the list */
	struct snapshot	*got;		/* what the fetch it waited for got */
	const struct endpoint *ep;
	const char	*route;		/* metrics label: the endpoint's path */
	char		 method[16];
	char		 path[96];	/* for the log: escaped, no query */
	char		 addr[INET6_ADDRSTRLEN];
	unsigned	 status;
	int		 cors;		/* Origin is the allowed one */
	char		*body;
	size_t		 len;
};

static inline long long
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* 1 when a refresh asks a provider over the network: then forced ones are
 * paced (pace.h); minting locally costs nothing. */
static inline int
serve_paced(const struct server *sv)
{
	size_t	 i;

	for (i = 0; i < sv->nsel; i++)
		if (!sv->sel[i]->local)
			return 1;
	return 0;
}

enum shape { SHAPE_JSON, SHAPE_NEKO, SHAPE_RTC };

/* state.c: snapshots, and the requests waiting for one. */
void	 snapshot_release(struct snapshot *sn);
/* Renders r once for every shape served; NULL after logging why not. */
struct snapshot *snapshot_new(const struct settings *s,
	    const struct engine_result *r, time_t now);
/* A list that may be handed out: credentials not expired. */
int	 snapshot_usable(const struct snapshot *sn, time_t now);
/* Fresh by the cache's rule (engine_fresh). */
int	 snapshot_fresh(const struct settings *s, const struct snapshot *sn,
	    time_t now);
/* The snapshot in *where, with a reference the caller releases. */
struct snapshot *snapshot_acquire(struct server *sv, struct snapshot **where);
/* Publishes sn in *where (NULL: none) and drops the old one. */
void	 snapshot_install(struct server *sv, struct snapshot **where,
	    struct snapshot *sn);
/* Suspends rq until what it waits for happens; called with sv->lock held,
 * which it releases. */
enum MHD_Result request_park(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, int wait);
/* Resumes the requests waiting for wait (or WAIT_ANY); without sv->lock. */
void	 requests_wake(struct server *sv, int wait);

/* refresher.c: the thread keeping sv->snap fresh, through refresh.c. */
void	*serve_refresher(void *sv);
/* Asks the refresher for a refresh now; drop_disk: after dropping the
 * disk cache's list. */
void	 serve_ask_refresh(struct server *sv, int drop_disk);

/* reply.c: answers. */
void	 shared_headers(const struct server *sv, const struct request *rq,
	    struct MHD_Response *res);
enum MHD_Result reply_iov(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, unsigned status, const char *ctype,
	    const struct iovec *iov, size_t n, const char *const *hdrs);
enum MHD_Result reply(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, unsigned status, const char *ctype,
	    const char *text, const char *const *hdrs);
/* Answers with o, which it deletes. */
enum MHD_Result reply_json(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, unsigned status, cJSON *o,
	    const char *const *hdrs);
/* {"error": message}. */
enum MHD_Result reply_error(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, unsigned status, const char *const *hdrs,
	    const char *fmt, ...) __attribute__((__format__(__printf__, 6, 7)));
/* ?format=: json (the report, when dflt is SHAPE_JSON), neko or rtc;
 * dflt when absent; -1 otherwise. */
int	 reply_shape(struct MHD_Connection *c, int dflt);
enum MHD_Result reply_snapshot(struct server *sv, struct MHD_Connection *c,
	    struct request *rq, struct snapshot *sn, int shape, time_t now);

/* credentials.c: GET /api/ice/credentials, and ?provider=NAME's fetchers. */
enum MHD_Result get_credentials(struct server *sv, struct MHD_Connection *c,
	    struct request *rq);

/* routes.c: the endpoint serving url, or NULL. */
const struct endpoint *serve_route(const char *url);

/* http.c: the daemon answering on the listening socket fd, or NULL. */
struct MHD_Daemon *serve_http_start(struct server *sv, int fd);

#endif
