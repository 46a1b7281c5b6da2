/* serve/parse.h: the small parsers serve is built on: the listen address,
 * a caller id, a value of a form body or of the query. */
#ifndef ICEUPD_SERVE_PARSE_H
#define ICEUPD_SERVE_PARSE_H

#include <stddef.h>
#include <sys/socket.h>

struct MHD_Connection;

#define SERVE_CALLER_ID_MAX	64
/* Besides letters and digits: URL-safe, no ':' (coturn's separator), '@'
 * and '+' for user@host and Janus's opaque ids. */
#define SERVE_CALLER_ID_PUNCT	"._-~@+"

/* Parses "ADDR:PORT", "[V6ADDR]:PORT" (a name is resolved) or ":PORT"
 * (every address: "::", which takes IPv4 too) into ss.
 * Returns 0, or -1 with a reason in err. */
int	 serve_parse_listen(const char *text, struct sockaddr_storage *ss,
	    socklen_t *sslen, char *err, size_t errlen);
/* 1 when id is a caller id: [A-Za-z0-9._~@+-]{1,64}. */
int	 serve_caller_id_valid(const char *id);
/* Copies the value of name in an application/x-www-form-urlencoded body
 * (len bytes) into out, decoded.  Returns 0, -1 when it is absent, or -2
 * when it is too long or badly encoded. */
int	 serve_form_value(const char *body, size_t len, const char *name,
	    char *out, size_t outlen);
/* The value of ?name= in *v: 0; -1 when it is absent; -2 when it holds a
 * NUL byte (%00), which a C string would cut short. */
int	 serve_query(struct MHD_Connection *c, const char *name,
	    const char **v);

#endif
