/* serve/conntrack.c: serve's connections that have not sent a whole request
 * yet.
 *
 * They are kept in a list, oldest first.  A connection is dropped with
 * shutdown(2) on its socket: the HTTP thread then reads the end and closes
 * it.  An entry leaves the list before its socket is closed (the close
 * notice comes first), so a socket shut down here is always its own. */
#include <pthread.h>
#include <stdlib.h>
#include <sys/socket.h>

#include "../util.h"
#include "conntrack.h"

struct conn {
	int		 fd;
	long long	 since_ms;	/* waiting for a request since */
	int		 listed;	/* in the list of incomplete ones */
	struct conn	*prev, *next;
};

struct conntrack {
	pthread_mutex_t	 lock;
	long		 deadline_ms;
	size_t		 budget, n;
	struct conn	*head, *tail;	/* oldest first */
};

struct conntrack *
conntrack_new(long deadline_ms, size_t budget)
{
	struct conntrack *ct = xcalloc(1, sizeof(*ct));

	pthread_mutex_init(&ct->lock, NULL);
	ct->deadline_ms = deadline_ms;
	ct->budget = budget;
	return ct;
}

void
conntrack_free(struct conntrack *ct)
{
	if (ct == NULL)
		return;
	pthread_mutex_destroy(&ct->lock);
	free(ct);
}

static void
unlist(struct conntrack *ct, struct conn *k)
{
	if (!k->listed)
		return;
	if (k->prev != NULL)
		k->prev->next = k->next;
	else
		ct->head = k->next;
	if (k->next != NULL)
		k->next->prev = k->prev;
	else
		ct->tail = k->prev;
	k->prev = k->next = NULL;
	k->listed = 0;
	ct->n--;
}

static void
list_last(struct conntrack *ct, struct conn *k)
{
	unlist(ct, k);
	k->since_ms = util_monotonic_ms();
	k->prev = ct->tail;
	if (ct->tail != NULL)
		ct->tail->next = k;
	else
		ct->head = k;
	ct->tail = k;
	k->listed = 1;
	ct->n++;
}

/* Drops the oldest incomplete connection; with the lock held. */
static void
drop_oldest(struct conntrack *ct)
{
	struct conn	*k = ct->head;

	unlist(ct, k);
	(void)shutdown(k->fd, SHUT_RDWR);
}

void
conntrack_idle(struct conntrack *ct, void *ctx)
{
	if (ctx == NULL)
		return;
	pthread_mutex_lock(&ct->lock);
	unlist(ct, ctx);
	while (ct->n >= ct->budget && ct->head != NULL)
		drop_oldest(ct);
	list_last(ct, ctx);
	pthread_mutex_unlock(&ct->lock);
}

void
conntrack_open(struct conntrack *ct, int fd, void **ctx)
{
	struct conn	*k = xcalloc(1, sizeof(*k));

	k->fd = fd;
	*ctx = k;
	conntrack_idle(ct, k);
}

void
conntrack_busy(struct conntrack *ct, void *ctx)
{
	if (ctx == NULL)
		return;
	pthread_mutex_lock(&ct->lock);
	unlist(ct, ctx);
	pthread_mutex_unlock(&ct->lock);
}

void
conntrack_close(struct conntrack *ct, void **ctx)
{
	if (*ctx == NULL)
		return;
	pthread_mutex_lock(&ct->lock);
	unlist(ct, *ctx);
	pthread_mutex_unlock(&ct->lock);
	free(*ctx);
	*ctx = NULL;
}

size_t
conntrack_sweep(struct conntrack *ct)
{
	long long	 due = util_monotonic_ms() - ct->deadline_ms;
	size_t		 n = 0;

	pthread_mutex_lock(&ct->lock);
	for (; ct->head != NULL && ct->head->since_ms <= due; n++)
		drop_oldest(ct);
	pthread_mutex_unlock(&ct->lock);
	return n;
}
