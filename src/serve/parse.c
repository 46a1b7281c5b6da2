/* serve/parse.c: the small parsers serve is built on: the listen address,
 * a caller id, a value of a form body or of the query. */
#include <errno.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"

int
serve_parse_listen(const char *text, struct sockaddr_storage *ss,
    socklen_t *sslen, char *err, size_t errlen)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], *end;
	const char	*colon, *port;
	size_t		 hl;
	long		 n;
	int		 e, bracket = text[0] == '[';

	if (bracket) {
		if ((colon = strstr(text, "]:")) == NULL) {
			snprintf(err, errlen, "expected [ADDRESS]:PORT");
			return -1;
		}
		hl = (size_t)(colon - text - 1);
		port = colon + 2;
		text++;
	} else {
		if ((colon = strrchr(text, ':')) == NULL ||
		    memchr(text, ':', (size_t)(colon - text)) != NULL) {
			snprintf(err, errlen, "expected ADDRESS:PORT "
			    "([ADDRESS]:PORT for IPv6)");
			return -1;
		}
		hl = (size_t)(colon - text);
		port = colon + 1;
	}
	if (hl >= sizeof(host) || (hl == 0 && bracket)) {
		snprintf(err, errlen, "no address before the port");
		return -1;
	}
	errno = 0;
	n = strtol(port, &end, 10);
	if (*port == '\0' || *end != '\0' || errno != 0 || n < 0 ||
	    n > 65535) {
		snprintf(err, errlen, "the port must be a number from 0 to "
		    "65535");
		return -1;
	}
	/* ":PORT": every address, IPv6 and IPv4 (see open_listener). */
	memcpy(host, hl == 0 ? "::" : text, hl == 0 ? 2 : hl);
	host[hl == 0 ? 2 : hl] = '\0';
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(host, port, &hints, &res)) != 0) {
		snprintf(err, errlen, "%s", gai_strerror(e));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*sslen = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
serve_caller_id_valid(const char *id)
{
	size_t	 n;

	for (n = 0; id[n] != '\0'; n++)
		if (!((id[n] >= 'A' && id[n] <= 'Z') ||
		    (id[n] >= 'a' && id[n] <= 'z') ||
		    (id[n] >= '0' && id[n] <= '9') ||
		    strchr(SERVE_CALLER_ID_PUNCT, id[n]) != NULL) ||
		    n >= SERVE_CALLER_ID_MAX)
			return 0;
	return n > 0;
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
serve_form_value(const char *body, size_t len, const char *name, char *out,
    size_t outlen)
{
	const char *p = body, *end = body + len, *amp, *eq;
	size_t	 nlen = strlen(name), o;
	int	 hi, lo;

	for (; p < end; p = amp + 1) {
		if ((amp = memchr(p, '&', (size_t)(end - p))) == NULL)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq == NULL || (size_t)(eq - p) != nlen ||
		    memcmp(p, name, nlen) != 0)
			continue;
		for (o = 0, p = eq + 1; p < amp; p++) {
			if (o + 1 >= outlen)
				return -2;
			if (*p == '+')
				out[o++] = ' ';
			else if (*p == '%') {
				if (amp - p < 3 || (hi = hexval(p[1])) == -1 ||
				    (lo = hexval(p[2])) == -1 ||
				    (hi == 0 && lo == 0))
					return -2;
				out[o++] = (char)(hi << 4 | lo);
				p += 2;
			} else
				out[o++] = *p;
		}
		out[o] = '\0';
		return 0;
	}
	return -1;
}

int
serve_query(struct MHD_Connection *c, const char *name, const char **v)
{
	size_t	 n;

	if (MHD_lookup_connection_value_n(c, MHD_GET_ARGUMENT_KIND, name,
	    strlen(name), v, &n) != MHD_YES || *v == NULL)
		return -1;
	return strlen(*v) == n ? 0 : -2;
}
