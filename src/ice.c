/* ice.c: the model: ICE servers, lists of them, and STUN/TURN URIs. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ice.h"
#include "log.h"
#include "util.h"

const char *const ice_transport_names[] = { "any", "udp", "tcp", NULL };

static const struct {
	const char	*name;
	int		 port;
} schemes[] = {
	[SCHEME_STUN] = { "stun", 3478 },
	[SCHEME_STUNS] = { "stuns", 5349 },
	[SCHEME_TURN] = { "turn", 3478 },
	[SCHEME_TURNS] = { "turns", 5349 },
};

/* A DNS name: labels of letters, digits, '-' and '_', 1-63 bytes each. */
static int
valid_hostname(const char *h)
{
	size_t	 label = 0;
	int	 alldigits = 1;

	if (*h == '\0' || strlen(h) > ICE_HOST_MAX || *h == '.')
		return 0;
	for (; *h != '\0'; h++) {
		if (*h == '.') {
			if (label == 0 || h[-1] == '-')
				return 0;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*h) && *h != '-' && *h != '_')
			return 0;
		if (label == 0 && *h == '-')
			return 0;
		if (!isdigit((unsigned char)*h))
			alldigits = 0;
		if (++label > 63)
			return 0;
	}
	if (h[-1] == '-')
		return 0;
	/* All digits and dots is an IPv4 address, checked by the caller. */
	return alldigits ? -1 : 1;
}

int
ice_uri_parse(const char *s, struct ice_uri *u, char *err, size_t errlen)
{
	const char *p, *hostend, *q;
	size_t	 i, n;
	long	 port;
	char	 portbuf[8];
	unsigned char addr[16];
	int	 kind;

	memset(u, 0, sizeof(*u));
	if (strlen(s) > ICE_URI_MAX) {
		snprintf(err, errlen, "URI longer than %d bytes", ICE_URI_MAX);
		return -1;
	}
	if ((p = strchr(s, ':')) == NULL) {
		snprintf(err, errlen, "no scheme (expected stun:, stuns:, "
		    "turn: or turns:)");
		return -1;
	}
	n = (size_t)(p - s);
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strlen(schemes[i].name) == n &&
		    strncasecmp(s, schemes[i].name, n) == 0)
			break;
	if (i == sizeof(schemes) / sizeof(schemes[0])) {
		snprintf(err, errlen, "unknown scheme (expected stun:, "
		    "stuns:, turn: or turns:)");
		return -1;
	}
	u->scheme = (enum ice_scheme)i;
	p++;
	if (p[0] == '/' && p[1] == '/') {
		snprintf(err, errlen, "no \"//\" after the scheme "
		    "(write %s:host:port)", schemes[i].name);
		return -1;
	}
	if (strchr(p, '@') != NULL) {
		snprintf(err, errlen, "user information is not allowed "
		    "in the URI");
		return -1;
	}

	/* host */
	if (*p == '[') {
		if ((hostend = strchr(p, ']')) == NULL ||
		    (size_t)(hostend - p - 1) > ICE_HOST_MAX) {
			snprintf(err, errlen, "unterminated IPv6 literal");
			return -1;
		}
		memcpy(u->host, p + 1, (size_t)(hostend - p - 1));
		u->host[hostend - p - 1] = '\0';
		if (inet_pton(AF_INET6, u->host, addr) != 1) {
			snprintf(err, errlen, "invalid IPv6 address");
			return -1;
		}
		u->ipv6 = 1;
		hostend++;
	} else {
		hostend = p + strcspn(p, ":?");
		if ((size_t)(hostend - p) > ICE_HOST_MAX) {
			snprintf(err, errlen, "host name too long");
			return -1;
		}
		memcpy(u->host, p, (size_t)(hostend - p));
		u->host[hostend - p] = '\0';
		if (*u->host == '\0') {
			snprintf(err, errlen, "no host");
			return -1;
		}
		kind = valid_hostname(u->host);
		if (kind == 0) {
			snprintf(err, errlen, "invalid host name");
			return -1;
		}
		if (kind == -1 && inet_pton(AF_INET, u->host, addr) != 1) {
			snprintf(err, errlen, "invalid IPv4 address");
			return -1;
		}
	}
	for (i = 0; u->host[i] != '\0'; i++)
		u->host[i] = (char)tolower((unsigned char)u->host[i]);

	/* port */
	u->port = schemes[u->scheme].port;
	p = hostend;
	if (*p == ':') {
		p++;
		n = strcspn(p, "?");
		if (n == 0 || n >= sizeof(portbuf)) {
			snprintf(err, errlen, "invalid port");
			return -1;
		}
		memcpy(portbuf, p, n);
		portbuf[n] = '\0';
		for (i = 0; i < n; i++)
			if (!isdigit((unsigned char)portbuf[i]))
				break;
		if (i < n || util_parse_long(portbuf, 1, 65535, &port) == -1) {
			snprintf(err, errlen, "port must be 1-65535");
			return -1;
		}
		u->port = (int)port;
		p += n;
	}

	/* ?transport= on turn and turns only */
	if (*p == '?') {
		q = p + 1;
		if (u->scheme == SCHEME_STUN || u->scheme == SCHEME_STUNS) {
			snprintf(err, errlen, "a stun URI takes no query "
			    "(?transport= is for turn and turns)");
			return -1;
		}
		if (strncasecmp(q, "transport=", 10) != 0) {
			snprintf(err, errlen, "unknown query (only "
			    "?transport=udp|tcp)");
			return -1;
		}
		q += 10;
		if (strcasecmp(q, "udp") == 0)
			u->transport = TRANSPORT_UDP;
		else if (strcasecmp(q, "tcp") == 0)
			u->transport = TRANSPORT_TCP;
		else {
			snprintf(err, errlen, "transport must be udp or tcp");
			return -1;
		}
	} else if (*p != '\0') {
		snprintf(err, errlen, "unexpected text after the host");
		return -1;
	}
	return 0;
}

void
ice_uri_format(const struct ice_uri *u, char *buf, size_t len)
{
	snprintf(buf, len, "%s:%s%s%s:%d%s%s", schemes[u->scheme].name,
	    u->ipv6 ? "[" : "", u->host, u->ipv6 ? "]" : "", u->port,
	    u->transport == TRANSPORT_ANY ? "" : "?transport=",
	    u->transport == TRANSPORT_ANY ? "" :
	    ice_transport_names[u->transport]);
}

enum ice_transport
ice_uri_transport(const struct ice_uri *u)
{
	if (u->transport != TRANSPORT_ANY)
		return u->transport;
	switch (u->scheme) {
	case SCHEME_TURNS:
	case SCHEME_STUNS:
		return TRANSPORT_TCP;
	default:
		return TRANSPORT_UDP;
	}
}

const char *
ice_uri_shown(const char *url, char *buf, size_t len)
{
	const char *at = strchr(url, '@'), *colon = strchr(url, ':');
	char	 tmp[ICE_URI_MAX + 32];

	if (at != NULL && colon != NULL && colon < at)
		snprintf(tmp, sizeof(tmp), "%.*s[redacted]%s",
		    (int)(colon - url + 1), url, at);
	else
		snprintf(tmp, sizeof(tmp), "%s", url);
	return log_escape(tmp, 120, buf, len);
}

int
ice_uri_is_turn(const struct ice_uri *u)
{
	return u->scheme == SCHEME_TURN || u->scheme == SCHEME_TURNS;
}

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

int
ice_credential_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	int	 more;

	if (strlen(s) > ICE_CRED_MAX)
		return 0;
	while (*p != '\0') {
		if (*p < 0x20 || *p == 0x7f)
			return 0;
		if (*p < 0x80) {
			p++;
			continue;
		}
		/* RFC 3629: no overlong forms, surrogates or code points
		 * past U+10FFFF, judged on the first two bytes. */
		if ((*p & 0xe0) == 0xc0 && *p >= 0xc2)
			more = 1;
		else if ((*p & 0xf0) == 0xe0 &&
		    !(*p == 0xe0 && p[1] < 0xa0) &&
		    !(*p == 0xed && p[1] >= 0xa0))
			more = 2;
		else if ((*p & 0xf8) == 0xf0 && *p <= 0xf4 &&
		    !(*p == 0xf0 && p[1] < 0x90) &&
		    !(*p == 0xf4 && p[1] >= 0x90))
			more = 3;
		else
			return 0;
		for (p++; more > 0; more--, p++)
			if ((*p & 0xc0) != 0x80)
				return 0;
	}
	return 1;
}

static struct ice_server *
find_group(struct ice_list *l, const char *user, const char *cred)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (same(l->servers[i].username, user) &&
		    same(l->servers[i].credential, cred))
			return &l->servers[i];
	return NULL;
}

int
ice_list_add(struct ice_list *l, const char *url, const char *user,
    const char *cred, time_t expires, char *err, size_t errlen)
{
	struct ice_uri	 u;
	struct ice_server *srv;
	char		 canon[ICE_URI_MAX + 32];
	size_t		 i;

	if (ice_uri_parse(url, &u, err, errlen) == -1)
		return -1;
	if (!ice_uri_is_turn(&u)) {
		user = cred = NULL;	/* browsers ignore them on STUN */
		expires = 0;
	} else if (user == NULL || cred == NULL || *user == '\0' ||
	    *cred == '\0') {
		snprintf(err, errlen, "a TURN URI needs a username and a "
		    "credential");
		return -1;
	} else if (!ice_credential_valid(user) ||
	    !ice_credential_valid(cred)) {
		snprintf(err, errlen, "username or credential is not "
		    "printable UTF-8 of at most %d bytes", ICE_CRED_MAX);
		return -1;
	}
	ice_uri_format(&u, canon, sizeof(canon));

	if ((srv = find_group(l, user, cred)) == NULL) {
		if (l->n == ICE_SERVERS_MAX) {
			snprintf(err, errlen, "more than %d entries",
			    ICE_SERVERS_MAX);
			return -1;
		}
		l->servers = xrealloc(l->servers,
		    (l->n + 1) * sizeof(*l->servers));
		srv = &l->servers[l->n++];
		memset(srv, 0, sizeof(*srv));
		srv->username = user ? xstrdup(user) : NULL;
		srv->credential = cred ? xstrdup(cred) : NULL;
	}
	for (i = 0; i < srv->nurls; i++)
		if (strcmp(srv->urls[i], canon) == 0)
			return 0;
	if (srv->nurls == ICE_URLS_MAX) {
		snprintf(err, errlen, "more than %d URLs in one entry",
		    ICE_URLS_MAX);
		return -1;
	}
	if (expires != 0 && (srv->expires == 0 || expires < srv->expires))
		srv->expires = expires;
	srv->urls = xrealloc(srv->urls, (srv->nurls + 1) * sizeof(char *));
	srv->urls[srv->nurls++] = xstrdup(canon);
	return 0;
}

void
ice_list_merge(struct ice_list *dst, const struct ice_list *src)
{
	const struct ice_server *s;
	char	 err[128];
	size_t	 i, j;

	for (i = 0; i < src->n; i++) {
		s = &src->servers[i];
		for (j = 0; j < s->nurls; j++)
			(void)ice_list_add(dst, s->urls[j], s->username,
			    s->credential, s->expires, err, sizeof(err));
	}
}

static void
server_free(struct ice_server *s)
{
	size_t	 i;

	for (i = 0; i < s->nurls; i++)
		free(s->urls[i]);
	free(s->urls);
	free(s->username);
	util_free_secret(s->credential);
	memset(s, 0, sizeof(*s));
}

static int
keep_url(const char *url, enum ice_transport want, int relay)
{
	struct ice_uri	 u;
	char		 err[128];

	if (ice_uri_parse(url, &u, err, sizeof(err)) == -1)
		return 0;
	if (relay && !ice_uri_is_turn(&u))
		return 0;
	if (want == TRANSPORT_TCP)
		return ice_uri_is_turn(&u) &&
		    ice_uri_transport(&u) == TRANSPORT_TCP;
	if (want == TRANSPORT_UDP)
		return ice_uri_transport(&u) == TRANSPORT_UDP;
	return 1;
}

void
ice_list_filter(struct ice_list *l, enum ice_transport want, int relay)
{
	struct ice_server *s;
	size_t	 i, j, k, out = 0;

	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		for (j = k = 0; j < s->nurls; j++) {
			if (keep_url(s->urls[j], want, relay))
				s->urls[k++] = s->urls[j];
			else
				free(s->urls[j]);
		}
		s->nurls = k;
		if (k == 0)
			server_free(s);
		else
			l->servers[out++] = *s;
	}
	l->n = out;
}

void
ice_list_truncate(struct ice_list *l, size_t max)
{
	size_t	 i, drop;

	while (max > 0 && l->n > max) {
		/* The last entry without credentials (STUN) goes first, so
		 * that a cap never costs the TURN servers. */
		for (drop = l->n - 1, i = l->n; i > 0; i--)
			if (l->servers[i - 1].username == NULL) {
				drop = i - 1;
				break;
			}
		server_free(&l->servers[drop]);
		memmove(&l->servers[drop], &l->servers[drop + 1],
		    (l->n - drop - 1) * sizeof(*l->servers));
		l->n--;
	}
}

time_t
ice_list_expires(const struct ice_list *l)
{
	time_t	 t = 0;
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (l->servers[i].expires != 0 &&
		    (t == 0 || l->servers[i].expires < t))
			t = l->servers[i].expires;
	return t;
}

static int
has_kind(const struct ice_list *l, int turn)
{
	size_t	 i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->servers[i].nurls; j++)
			if ((strncmp(l->servers[i].urls[j], "turn", 4) == 0)
			    == turn)
				return 1;
	return 0;
}

int
ice_list_has_turn(const struct ice_list *l)
{
	return has_kind(l, 1);
}

int
ice_list_has_stun(const struct ice_list *l)
{
	return has_kind(l, 0);
}

size_t
ice_list_nurls(const struct ice_list *l)
{
	size_t	 i, n = 0;

	for (i = 0; i < l->n; i++)
		n += l->servers[i].nurls;
	return n;
}

void
ice_list_free(struct ice_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		server_free(&l->servers[i]);
	free(l->servers);
	memset(l, 0, sizeof(*l));
}
