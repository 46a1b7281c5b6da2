/* serve/events.c: Server-Sent Events for `iceupd serve`.
 *
 * A stream is a libmicrohttpd response whose reader hands out what is
 * queued for it; with nothing queued it suspends its connection, and
 * whoever queues an event resumes it.  One thread beats the heartbeats,
 * mints per-caller TURN credentials when due, and ends a suspended stream
 * whose client has closed its end (libmicrohttpd watches no suspended
 * connection), so that its slot is free as soon as the request completes.
 * One mutex guards it all; a connection is resumed only after that mutex
 * is released, and only by the one who saw it suspended, so it cannot have
 * ended meanwhile. */
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../format/format.h"
#include "../log.h"
#include "../util.h"
#include "events.h"
#include "parse.h"
#include "turn.h"

struct stream {
	struct stream	*next;
	struct MHD_Connection *conn;
	int		 fd;		/* its socket; -1 unknown */
	unsigned char	 addr[17];	/* its client: family, address */
	struct strbuf	 out;		/* queued, from off on */
	size_t		 off;
	int		 suspended;
	int		 ended;
	char		 turn[SERVE_CALLER_ID_MAX + 1];	/* "": the list */
	time_t		 next_beat, next_mint;
	unsigned long	 seq;		/* the id of the last event */
};

static pthread_mutex_t	 lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t	 tick;
static pthread_t	 thread;
static int		 running, stopping;
static const struct settings *settings;
static struct stream	*streams;
static size_t		 nstreams;
static struct strbuf	 latest;	/* the list's rtc, without newline */

/* Queues an event on st; with lock held.  Returns st when it must be
 * resumed (by the caller, once the lock is released), else NULL. */
static struct stream *
queue(struct stream *st, const char *event, const char *data, size_t len)
{
	if (event != NULL) {
		sb_addf(&st->out, "event: %s\nid: %lu\ndata: ", event,
		    ++st->seq);
		sb_add(&st->out, data, len);
		sb_adds(&st->out, "\n\n");
	} else
		sb_adds(&st->out, ": heartbeat\n\n");
	st->next_beat = time(NULL) + SERVE_EVENTS_HEARTBEAT;
	if (!st->suspended)
		return NULL;
	st->suspended = 0;
	return st;
}

/* Resumes the n streams of list; without lock. */
static void
resume(struct stream **list, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		MHD_resume_connection(list[i]->conn);
}

/* Mints st's credentials and queues them; with lock held. */
static struct stream *
mint(struct stream *st, time_t now)
{
	struct engine_result r;
	struct format_opts fo = { settings->env_name, settings->relay, now };
	struct strbuf	 out = { 0 };
	struct stream	*wake = NULL;
	const char	*why;
	char		 err[256];
	long		 ttl = settings->serve_turn_ttl;

	memset(&r, 0, sizeof(r));
	st->next_mint = now + (ttl * settings->refresh_at / 100 > 0 ?
	    ttl * settings->refresh_at / 100 : 1);
	if (serve_turn_mint(settings, st->turn, now + ttl, &r.list,
	    &why) != 0)
		log_warn("events: cannot mint for %s: %s", st->turn, why);
	else if (format_render(&out, FMT_RTC, &r, &fo, err,
	    sizeof(err)) == -1)
		log_warn("events: %s", err);
	else {
		while (out.len > 0 && out.s[out.len - 1] == '\n')
			out.len--;
		wake = queue(st, "credentials", out.s, out.len);
	}
	sb_free_secret(&out);
	ice_list_free(&r.list);
	return wake;
}

/* 1 when the client of socket fd has closed its end, or it failed. */
static int
gone(int fd)
{
	struct pollfd	 p = { fd, POLLRDHUP, 0 };

	return fd != -1 && poll(&p, 1, 0) == 1 &&
	    (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

static void *
beater(void *arg)
{
	struct stream	*st, *wake[SERVE_EVENTS_MAX], *w;
	struct timespec	 ts;
	time_t		 now;
	size_t		 n;

	(void)arg;
	pthread_mutex_lock(&lock);
	while (!stopping) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += 250000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&tick, &lock, &ts);
		now = time(NULL);
		n = 0;
		for (st = streams; st != NULL && !stopping; st = st->next) {
			w = NULL;
			/* Only a suspended one: its socket is still its own. */
			if (st->suspended && gone(st->fd)) {
				st->ended = 1;
				st->suspended = 0;
				w = st;
			} else if (st->turn[0] != '\0' && now >= st->next_mint)
				w = mint(st, now);
			if (now >= st->next_beat && w == NULL)
				w = queue(st, NULL, NULL, 0);
			if (w != NULL && n < SERVE_EVENTS_MAX)
				wake[n++] = w;
		}
		pthread_mutex_unlock(&lock);
		resume(wake, n);
		pthread_mutex_lock(&lock);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int
serve_events_start(const struct settings *s)
{
	pthread_condattr_t ca;

	settings = s;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&tick, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&thread, NULL, beater, NULL) != 0) {
		log_error("cannot start a thread");
		return -1;
	}
	running = 1;
	return 0;
}

void
serve_events_publish(const char *rtc, size_t len)
{
	struct stream	*st, *wake[SERVE_EVENTS_MAX], *w;
	size_t		 n = 0;

	while (len > 0 && rtc[len - 1] == '\n')
		len--;
	pthread_mutex_lock(&lock);
	sb_free_secret(&latest);
	sb_add(&latest, rtc, len);
	for (st = streams; st != NULL; st = st->next)
		if (st->turn[0] == '\0' && (w = queue(st, "credentials", rtc,
		    len)) != NULL)
			wake[n++] = w;
	pthread_mutex_unlock(&lock);
	resume(wake, n);
}

static ssize_t
reader(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct stream	*st = cls;
	size_t		 n;

	(void)pos;
	pthread_mutex_lock(&lock);
	if (st->off < st->out.len) {
		n = st->out.len - st->off < max ? st->out.len - st->off : max;
		memcpy(buf, st->out.s + st->off, n);
		st->off += n;
		if (st->off == st->out.len) {
			explicit_bzero(st->out.s, st->out.len);
			st->out.len = st->off = 0;
			st->out.s[0] = '\0';
		}
		pthread_mutex_unlock(&lock);
		return (ssize_t)n;
	}
	if (st->ended) {
		pthread_mutex_unlock(&lock);
		return MHD_CONTENT_READER_END_OF_STREAM;
	}
	/* Nothing to send: asleep until an event comes. */
	st->suspended = 1;
	MHD_suspend_connection(st->conn);
	pthread_mutex_unlock(&lock);
	return 0;
}

/* The response's end (libmicrohttpd calls it): unlinks and frees cls. */
static void
stream_free(void *cls)
{
	struct stream	*st = cls, **pp;

	pthread_mutex_lock(&lock);
	for (pp = &streams; *pp != NULL; pp = &(*pp)->next)
		if (*pp == st) {
			*pp = st->next;
			nstreams--;
			break;
		}
	pthread_mutex_unlock(&lock);
	sb_free_secret(&st->out);
	free(st);
}

/* The client address of c, as compared: its family, then its address. */
static void
client_of(struct MHD_Connection *c, unsigned char key[17])
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c,
	    MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci != NULL ? ci->client_addr : NULL;

	memset(key, 0, 17);
	if (sa == NULL)
		return;
	key[0] = (unsigned char)sa->sa_family;
	if (sa->sa_family == AF_INET)
		memcpy(key + 1, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	else if (sa->sa_family == AF_INET6)
		memcpy(key + 1, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16);
}

/* The streams of client key; with lock held. */
static size_t
streams_of(const unsigned char key[17])
{
	const struct stream *st;
	size_t		 n = 0;

	for (st = streams; st != NULL; st = st->next)
		n += memcmp(st->addr, key, sizeof(st->addr)) == 0;
	return n;
}

struct MHD_Response *
serve_events_open(struct MHD_Connection *c, const char *turn, int *full,
    const char **why)
{
	const union MHD_ConnectionInfo *ci;
	struct MHD_Response *res;
	struct stream	*st;
	unsigned char	 key[17];
	time_t		 now = time(NULL);

	*full = 0;
	client_of(c, key);
	pthread_mutex_lock(&lock);
	if (stopping || nstreams >= SERVE_EVENTS_MAX ||
	    streams_of(key) >= SERVE_EVENTS_PER_CLIENT) {
		*full = !stopping;
		*why = stopping ? "shutting down" : nstreams >=
		    SERVE_EVENTS_MAX ? "too many event streams" :
		    "too many event streams from this address";
		pthread_mutex_unlock(&lock);
		return NULL;
	}
	st = xcalloc(1, sizeof(*st));
	st->conn = c;
	memcpy(st->addr, key, sizeof(st->addr));
	ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	st->fd = ci != NULL ? ci->connect_fd : -1;
	sb_adds(&st->out, "retry: 5000\n\n");
	st->next_beat = now + SERVE_EVENTS_HEARTBEAT;
	if (turn != NULL) {
		snprintf(st->turn, sizeof(st->turn), "%s", turn);
		(void)mint(st, now);
	} else if (latest.len > 0)
		(void)queue(st, "credentials", latest.s, latest.len);
	res = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	    reader, st, stream_free);
	if (res == NULL) {
		pthread_mutex_unlock(&lock);
		sb_free_secret(&st->out);
		free(st);
		*why = "cannot open the stream";
		return NULL;
	}
	st->next = streams;
	streams = st;
	nstreams++;
	pthread_mutex_unlock(&lock);
	MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
	    "text/event-stream");
	MHD_add_response_header(res, MHD_HTTP_HEADER_CACHE_CONTROL,
	    "no-store");
	MHD_add_response_header(res, "X-Accel-Buffering", "no");
	return res;
}

void
serve_events_stop(void)
{
	struct stream	*st, *wake[SERVE_EVENTS_MAX];
	size_t		 n = 0;

	pthread_mutex_lock(&lock);
	stopping = 1;
	if (running)
		pthread_cond_signal(&tick);
	for (st = streams; st != NULL; st = st->next) {
		st->ended = 1;
		if (st->suspended) {
			st->suspended = 0;
			wake[n++] = st;
		}
	}
	pthread_mutex_unlock(&lock);
	resume(wake, n);
	if (running) {
		pthread_join(thread, NULL);
		running = 0;
	}
	pthread_mutex_lock(&lock);
	sb_free_secret(&latest);
	pthread_mutex_unlock(&lock);
}
