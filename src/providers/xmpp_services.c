/* xmpp_services.c: XEP-0215 external services to ICE servers, and what
 * earlier exchanges showed of an endpoint (whether it pushes them). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "../log.h"
#include "../xml.h"
#include "xmpp.h"
#include "xmpp_conn.h"

#define ENDPOINTS_MAX	32	/* endpoints remembered by the process */
#define ENDPOINT_KEY_MAX 512	/* bytes of "URL without query + domain" */

struct service {
	const char	*type;
	const char	*host;
	const char	*port;
	const char	*transport;
	const char	*username;
	const char	*password;
	time_t		 expires;
};

static int
is_turn(const char *type)
{
	return strcmp(type, "turn") == 0 || strcmp(type, "turns") == 0;
}

static void
service_url(const struct service *v, struct strbuf *url)
{
	url->len = 0;
	sb_addf(url, "%s:", v->type);
	if (strchr(v->host, ':') != NULL && v->host[0] != '[')
		sb_addf(url, "[%s]", v->host);
	else
		sb_adds(url, v->host);
	if (v->port != NULL)
		sb_addf(url, ":%s", v->port);
	if (is_turn(v->type) && v->transport != NULL &&
	    strcasecmp(v->transport, "udp") != 0)
		sb_addf(url, "?transport=%s", v->transport);
}

/* The expiry in a TURN REST username, "<unix time>[:user]", or 0. */
static time_t
rest_expiry(const char *username)
{
	char	 digits[16];
	size_t	 n = strspn(username, "0123456789");
	long	 t;

	if (n < 9 || n > 10 || (username[n] != '\0' && username[n] != ':'))
		return 0;
	memcpy(digits, username, n);
	digits[n] = '\0';
	if (util_parse_long(digits, 1000000000L, 9999999999L, &t) == -1)
		return 0;
	return (time_t)t;
}

size_t
xmpp_take_services(const struct xml_elem *services, struct ice_list *l,
    size_t *dropped, char *warn, size_t warnlen)
{
	struct service	 sv[ICE_SERVERS_MAX * 2], *v, *w;
	const struct xml_elem *e;
	struct strbuf	 url = { 0 };
	const char	*expires;
	char		 err[128], shown[80];
	size_t		 i, j, n = 0, added = 0;

	*dropped = 0;
	for (e = services->children; e != NULL; e = e->next) {
		if (!xml_is(e, services->ns, "service"))
			continue;
		if (n == sizeof(sv) / sizeof(sv[0])) {
			(*dropped)++;
			continue;
		}
		v = &sv[n];
		memset(v, 0, sizeof(*v));
		v->type = xml_attr(e, "type");
		v->host = xml_attr(e, "host");
		if (v->type == NULL || (strcmp(v->type, "stun") != 0 &&
		    strcmp(v->type, "stuns") != 0 && !is_turn(v->type)))
			continue;	/* not for ICE (XEP-0215 lists any) */
		if (v->host == NULL || *v->host == '\0') {
			if ((*dropped)++ == 0)
				snprintf(warn, warnlen, "dropped a %s service "
				    "without a host", v->type);
			continue;
		}
		v->port = xml_attr(e, "port");
		v->transport = xml_attr(e, "transport");
		v->username = xml_attr(e, "username");
		v->password = xml_attr(e, "password");
		if (v->username == NULL || v->password == NULL)
			v->username = v->password = NULL;
		if ((expires = xml_attr(e, "expires")) != NULL &&
		    util_parse_rfc3339_frac(expires, &v->expires) == -1)
			v->expires = 0;
		n++;
	}
	/* mod_turn_external gives the secret only to "turn" entries: a
	 * "turns" on the same host uses the same coturn, so the same
	 * credentials. */
	for (i = 0; i < n; i++) {
		v = &sv[i];
		if (!is_turn(v->type) || v->username != NULL)
			continue;
		for (j = 0; j < n; j++) {
			w = &sv[j];
			if (is_turn(w->type) && w->username != NULL &&
			    strcasecmp(w->host, v->host) == 0) {
				v->username = w->username;
				v->password = w->password;
				v->expires = w->expires;
				break;
			}
		}
	}
	for (i = 0; i < n; i++) {
		v = &sv[i];
		if (v->expires == 0 && v->username != NULL)
			v->expires = rest_expiry(v->username);
		service_url(v, &url);
		if (ice_list_add(l, url.s, is_turn(v->type) ? v->username :
		    NULL, is_turn(v->type) ? v->password : NULL, v->expires,
		    err, sizeof(err)) == 0) {
			added++;
			continue;
		}
		if ((*dropped)++ == 0)
			snprintf(warn, warnlen, "dropped '%s': %s",
			    log_escape(url.s, 60, shown, sizeof(shown)), err);
	}
	sb_free(&url);
	return added;
}


/* ---- what earlier exchanges showed of an endpoint ---------------------- */

/* PUSHES: the services came pushed at login, without waiting for the
 * query; QUERY: they did not. */
static struct {
	char			 key[ENDPOINT_KEY_MAX];
	enum endpoint_kind	 kind;
} endpoints[ENDPOINTS_MAX];
static size_t		 endpoints_next;
static pthread_mutex_t	 endpoints_lock = PTHREAD_MUTEX_INITIALIZER;

/* The endpoint's key: its URL without the query (room and token differ
 * between calls, the server does not), and the domain.  0, or -1 when too
 * long to remember. */
static int
endpoint_key(const struct xmpp_query *q, char *key, size_t len)
{
	int	 n = snprintf(key, len, "%.*s %s",
	    (int)strcspn(q->shown_url, "?"), q->shown_url, q->domain);

	return n < 0 || (size_t)n >= len ? -1 : 0;
}

enum endpoint_kind
xmpp_endpoint_get(const struct xmpp_query *q)
{
	enum endpoint_kind kind = EP_UNKNOWN;
	char	 key[ENDPOINT_KEY_MAX];
	size_t	 i;

	if (endpoint_key(q, key, sizeof(key)) == -1)
		return EP_UNKNOWN;
	pthread_mutex_lock(&endpoints_lock);
	for (i = 0; i < ENDPOINTS_MAX; i++)
		if (strcmp(endpoints[i].key, key) == 0)
			kind = endpoints[i].kind;
	pthread_mutex_unlock(&endpoints_lock);
	return kind;
}

void
xmpp_endpoint_set(const struct xmpp_query *q, enum endpoint_kind kind)
{
	char	 key[ENDPOINT_KEY_MAX];
	size_t	 i;

	if (endpoint_key(q, key, sizeof(key)) == -1)
		return;
	pthread_mutex_lock(&endpoints_lock);
	for (i = 0; i < ENDPOINTS_MAX; i++)
		if (strcmp(endpoints[i].key, key) == 0)
			break;
	if (i == ENDPOINTS_MAX) {	/* a new one replaces the oldest */
		i = endpoints_next;
		endpoints_next = (endpoints_next + 1) % ENDPOINTS_MAX;
		snprintf(endpoints[i].key, sizeof(endpoints[i].key), "%s",
		    key);
	}
	endpoints[i].kind = kind;
	pthread_mutex_unlock(&endpoints_lock);
}

