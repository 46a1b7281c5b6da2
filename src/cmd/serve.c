/* cmd/serve.c: `iceupd serve` started and stopped: the listening
 * socket, the token, the refresher and the daemon; the main thread only
 * takes signals; on SIGTERM, requests in flight are let finish. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../cache.h"
#include "../log.h"
#include "../refresh.h"
#include "../safefile.h"
#include "../serve/events.h"
#include "../serve/parse.h"
#include "../serve/server.h"
#include "commands.h"

/* 1 when ss is a loopback address: only this host can connect. */
static int
is_loopback(const struct sockaddr_storage *ss)
{
	const struct in6_addr *a6;

	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)->sin_addr.s_addr)
		    >> 24) == 127;
	if (ss->ss_family != AF_INET6)
		return 0;
	a6 = &((const struct sockaddr_in6 *)ss)->sin6_addr;
	return IN6_IS_ADDR_LOOPBACK(a6) ||
	    (IN6_IS_ADDR_V4MAPPED(a6) && a6->s6_addr[12] == 127);
}

/* A listening socket on s->listen; *local says whether only this host can
 * reach it.  Returns it, or -1 after logging. */
static int
open_listener(const struct settings *s, int *port, int *local, char *where,
    size_t wlen)
{
	struct sockaddr_storage ss;
	socklen_t	 len;
	char		 err[256], host[INET6_ADDRSTRLEN];
	int		 fd, one = 1, zero = 0;

	if (serve_parse_listen(s->listen, &ss, &len, err, sizeof(err)) == -1) {
		log_error("%s: '%s': %s", SETTING_ORIGIN(s, listen), s->listen,
		    err);
		return -2;
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    (ss.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(
	    &((struct sockaddr_in6 *)&ss)->sin6_addr) && setsockopt(fd,
	    IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) == -1) ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 ||
	    listen(fd, 511) == -1) {
		log_error("cannot listen on %s: %s", s->listen,
		    strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	*local = is_loopback(&ss);
	*port = ntohs(ss.ss_family == AF_INET6 ?
	    ((struct sockaddr_in6 *)&ss)->sin6_port :
	    ((struct sockaddr_in *)&ss)->sin_port);
	if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL,
	    0, NI_NUMERICHOST) != 0)
		snprintf(host, sizeof(host), "?");
	snprintf(where, wlen, ss.ss_family == AF_INET6 ? "[%s]:%d" : "%s:%d",
	    host, *port);
	return fd;
}

/* Reads the bearer token of --auth-token-file into sv: at the start, and
 * again on SIGHUP, when a bad file keeps the old token.  0, or -1 after
 * logging. */
static int
load_token(struct server *sv)
{
	const struct settings *s = sv->s;
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	char		*token = NULL;
	size_t		 i;

	if (safe_read_small_file(s->auth_token_file, &token, 4096) == -1) {
		log_error("%s: cannot read %s: %s",
		    SETTING_ORIGIN(s, auth_token_file), s->auth_token_file,
		    strerror(errno));
		return -1;
	}
	for (i = 0; token[i] != '\0'; i++)
		if ((unsigned char)token[i] <= ' ' ||
		    (unsigned char)token[i] >= 0x7f)
			break;
	if (i == 0 || token[i] != '\0') {
		log_error("%s: %s must hold one token of printable ASCII "
		    "without spaces", SETTING_ORIGIN(s, auth_token_file),
		    s->auth_token_file);
		util_free_secret(token);
		return -1;
	}
	log_secret(token);
	SHA256((const unsigned char *)token, strlen(token), md);
	pthread_mutex_lock(&sv->lock);
	memcpy(sv->token_md, md, sizeof(md));
	util_free_secret(sv->token);
	sv->token = token;
	pthread_mutex_unlock(&sv->lock);
	explicit_bzero(md, sizeof(md));
	return 0;
}

/* "*" or an origin: scheme://host[:port], nothing a header cannot carry. */
static int
origin_valid(const char *o)
{
	const char *p;

	if (strcmp(o, "*") == 0)
		return 1;
	if (strncmp(o, "http://", 7) != 0 && strncmp(o, "https://", 8) != 0)
		return 0;
	for (p = strstr(o, "://") + 3; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    *p == '/' || *p == ',')
			return 0;
	return o[strlen(o) - 1] != '/' && strstr(o, "://")[3] != '\0';
}

static void
drain(struct server *sv)
{
	long long	 until = util_monotonic_ms() + DRAIN_MS +
			    sv->s->timeout_ms;
	MHD_socket	 ls;
	struct timespec	 ts = { 0, 10 * 1000000L };

	atomic_store(&sv->draining, 1);
	if ((ls = MHD_quiesce_daemon(sv->d)) != MHD_INVALID_SOCKET)
		close(ls);
	pthread_mutex_lock(&sv->lock);
	sv->stopping = 1;
	pthread_cond_broadcast(&sv->wake);
	pthread_mutex_unlock(&sv->lock);
	serve_events_stop();
	/* Requests waiting for a fetch get its answer: the refresher and
	 * the fetchers wake them as they end. */
	while (atomic_load(&sv->inflight) > 0 && util_monotonic_ms() < until)
		nanosleep(&ts, NULL);
	if (atomic_load(&sv->inflight) > 0)
		log_warn("stopping with %d request%s unfinished",
		    atomic_load(&sv->inflight),
		    atomic_load(&sv->inflight) == 1 ? "" : "s");
	/* A suspended connection must not outlive the daemon. */
	requests_wake(sv, WAIT_ANY);
	MHD_stop_daemon(sv->d);
	sv->d = NULL;
}

/* Waits, at most --timeout and a second, for the fetcher threads to end:
 * they use sv.  1 when they did. */
static int
fetchers_ended(struct server *sv)
{
	struct timespec	 ts;
	long long	 until = util_monotonic_ms() + sv->s->timeout_ms + 1000;
	int		 ended;

	pthread_mutex_lock(&sv->lock);
	while (sv->fetchers > 0 && util_monotonic_ms() < until) {
		ts.tv_sec = until / 1000;
		ts.tv_nsec = (until % 1000) * 1000000L;
		pthread_cond_timedwait(&sv->idle, &sv->lock, &ts);
	}
	ended = sv->fetchers == 0;
	pthread_mutex_unlock(&sv->lock);
	return ended;
}

int
cmd_serve(const struct settings *s)
{
	struct server	*sv = xcalloc(1, sizeof(*sv));
	pthread_condattr_t ca;
	pthread_t	 thr;
	sigset_t	 set;
	struct strbuf	 pf = { 0 };
	char		 why[64], where[INET6_ADDRSTRLEN + 16];
	size_t		 i;
	int		 fd = -1, port = 0, local = 1, sig, rc = EXIT_USAGE, started = 0;
	int		 ended;

	sv->s = s;
	sv->started = time(NULL);
	pthread_mutex_init(&sv->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sv->wake, &ca);
	pthread_cond_init(&sv->idle, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = refresh_select(s, sv->sel, &sv->nsel)) != 0)
		goto out;
	rc = EXIT_USAGE;
	sv->auth = s->auth_token_file != NULL;
	if (sv->auth && load_token(sv) == -1)
		goto out;
	if (s->cors_origin != NULL && !origin_valid(s->cors_origin)) {
		log_error("%s: '%s' is not an origin (scheme://host[:port]) "
		    "nor *", SETTING_ORIGIN(s, cors_origin),
		    log_escape(s->cors_origin, 80, why, sizeof(why)));
		goto out;
	}
	if ((fd = open_listener(s, &port, &local, where, sizeof(where))) < 0) {
		rc = fd == -2 ? EXIT_USAGE : EXIT_FAIL;
		fd = -1;
		goto out;
	}
	if (!s->no_cache)
		sv->cache_path = s->cache ? xstrdup(s->cache) :
		    cache_default_path();

	refresh_take_signals(&set);

	sv->ct = conntrack_new(REQUEST_DEADLINE_MS, INCOMPLETE_BUDGET);
	sv->refreshing = 1;
	if (pthread_create(&thr, NULL, serve_refresher, sv) != 0) {
		log_error("cannot start a thread");
		rc = EXIT_FAIL;
		goto out;
	}
	started = 1;
	if (serve_events_start(s) == -1) {
		rc = EXIT_FAIL;
		goto out;
	}
	if ((sv->d = serve_http_start(sv, fd)) == NULL) {
		log_error("cannot start the HTTP server on %s", s->listen);
		rc = EXIT_FAIL;
		goto out;
	}
	fd = -1;	/* the daemon's now */
	if (s->port_file != NULL) {
		sb_addf(&pf, "%d\n", port);
		if (safe_atomic_write(s->port_file, pf.s, pf.len) == -1) {
			log_error("cannot write %s: %s", s->port_file,
			    safe_strerror(errno));
			rc = EXIT_FAIL;
			drain(sv);
			goto out;
		}
	}
	log_notice("listening on %s%s", where,
	    sv->auth ? "; the API needs the bearer token" : "");
	if (!sv->auth && !local)
		log_warn("%s is open to other hosts without a token: anyone "
		    "who reaches it gets credentials, refreshes, deletes the "
		    "cache and mints TURN credentials; set --auth-token-file "
		    "FILE (ICEUPD_AUTH_TOKEN_FILE), or listen on 127.0.0.1",
		    where);

	for (;;) {
		sig = sigtimedwait(&set, NULL, &(struct timespec){ 1, 0 });
		if (sig == -1) {	/* each second, or EINTR */
			(void)conntrack_sweep(sv->ct);
			continue;
		}
		if (sig == SIGTERM || sig == SIGINT)
			break;
		if (sig == SIGHUP && sv->auth) {
			if (load_token(sv) == 0)
				log_notice("%s read again",
				    s->auth_token_file);
			else
				log_error("keeping the bearer token read "
				    "before");
		}
		log_info("signal %d: refreshing now", sig);
		serve_ask_refresh(sv, 0);
	}
	log_info("stopping on signal %d: finishing %d request%s", sig,
	    atomic_load(&sv->inflight), atomic_load(&sv->inflight) == 1 ?
	    "" : "s");
	drain(sv);
	rc = EXIT_OK;
out:
	serve_events_stop();
	if (started) {
		pthread_mutex_lock(&sv->lock);
		sv->stopping = 1;
		pthread_cond_broadcast(&sv->wake);
		pthread_mutex_unlock(&sv->lock);
		pthread_join(thr, NULL);
	}
	ended = fetchers_ended(sv);
	if (fd != -1)
		close(fd);
	sb_free(&pf);
	snapshot_install(sv, &sv->snap, NULL);
	for (i = 0; i < PROVIDERS_MAX; i++)
		snapshot_release(sv->slot[i]);
	util_free_secret(sv->token);
	free(sv->cache_path);
	if (sv->d == NULL)	/* else the daemon's threads may still see it */
		conntrack_free(sv->ct);
	if (ended)	/* else a fetcher still reads sv */
		free(sv);
	return rc;
}
