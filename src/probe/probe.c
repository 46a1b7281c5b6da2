/* probe/probe.c: does a STUN/TURN server work?  One URL at a time over UDP,
 * TCP or TLS, or a whole list at once under one deadline. */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../log.h"
#include "../util.h"
#include "probe.h"
#include "stun.h"

#ifndef ICEUPD_VERSION
#error "ICEUPD_VERSION: the Makefile defines it (debian/changelog)"
#endif

#define RTO_MS		500	/* RFC 8489 6.2.1: initial RTO */
#define RC		7	/* requests sent over UDP, at most */
#define RM		16	/* wait after the last one, in RTOs */

const char *const probe_status_names[] = {
	"ok", "unreachable", "timeout", "bad-credentials", "error", NULL
};

/* A connection to the server: a connected UDP socket, TCP, or TLS. */
struct conn {
	int	 fd;
	int	 stream;	/* TCP or TLS: no retransmission, framing */
	SSL_CTX	*ctx;
	SSL	*ssl;
	uint8_t	 in[STUN_MSG_MAX];	/* stream bytes not yet a message */
	size_t	 inlen;
};

/* One probe under way. */
struct probe {
	struct ice_uri	 u;
	const struct probe_options *opt;
	struct probe_result *r;
	struct conn	 c;
	const char	*user, *cred;
	char		 realm[STUN_TEXT_MAX + 1];
	char		 nonce[STUN_TEXT_MAX + 1];
	uint8_t		 key[STUN_KEY_LEN];
	int		 havekey;
	uint8_t		 buf[STUN_MSG_MAX];	/* the last answer */
	struct stun_view v;			/* decoded from buf */
};

/* Sets the result's status and error text; returns -1 for tail calls. */
static int
fail(struct probe *p, enum probe_status st, const char *fmt, ...)
    __attribute__((__format__(__printf__, 3, 4)));

static int
fail(struct probe *p, enum probe_status st, const char *fmt, ...)
{
	va_list	 ap;

	p->r->status = st;
	va_start(ap, fmt);
	vsnprintf(p->r->error, sizeof(p->r->error), fmt, ap);
	va_end(ap);
	return -1;
}

static enum probe_status
errno_status(int e)
{
	switch (e) {
	case ECONNREFUSED:
	case ECONNRESET:
	case EHOSTUNREACH:
	case ENETUNREACH:
	case EHOSTDOWN:
	case ENETDOWN:
	case EADDRNOTAVAIL:
		return PROBE_UNREACHABLE;
	case ETIMEDOUT:
		return PROBE_TIMEOUT;
	default:
		return PROBE_ERROR;
	}
}

/* Waits for events on fd until the monotonic time until: 1 ready, 0 time
 * is up, -1 with errno set. */
static int
wait_fd(int fd, short events, long long until)
{
	struct pollfd pfd = { fd, events, 0 };
	long long left;
	int	 n;

	for (;;) {
		if ((left = until - util_monotonic_ms()) <= 0)
			return 0;
		n = poll(&pfd, 1, left > 60000 ? 60000 : (int)left);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 1)
			return 1;
	}
}

/* The last OpenSSL error, for a message. */
static const char *
ssl_reason(void)
{
	unsigned long e = ERR_peek_last_error();
	const char *s = e ? ERR_reason_error_string(e) : NULL;

	return s ? s : "protocol error";
}

/* --- connections --- */

/* An address literal gets no SNI and is verified as an address. */
static int
is_address(const struct ice_uri *u)
{
	return u->ipv6 || strspn(u->host, "0123456789.") == strlen(u->host);
}

/* Opens fd to ai and, for streams, connects within the deadline.  Returns 0,
 * or -1 with the result set. */
static int
conn_connect(struct probe *p, const struct addrinfo *ai)
{
	struct conn *c = &p->c;
	socklen_t len = sizeof(int);
	int	 e = 0, n;

	c->fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, ai->ai_protocol);
	if (c->fd == -1)
		return fail(p, PROBE_ERROR, "socket: %s", strerror(errno));
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		return fail(p, errno_status(errno), "connect: %s",
		    strerror(errno));
	if ((n = wait_fd(c->fd, POLLOUT, p->opt->deadline)) == 0)
		return fail(p, PROBE_TIMEOUT, "connect: no answer within "
		    "the deadline");
	if (n == -1 || getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		return fail(p, PROBE_ERROR, "connect: %s", strerror(errno));
	if (e != 0)
		return fail(p, errno_status(e), "connect: %s", strerror(e));
	return 0;
}

/* 1 when a verify result means the signer is not one the trust store
 * holds (self-signed, or an issuer unknown here): --cacert can help. */
static int
unknown_issuer(long vr)
{
	return vr == X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT ||
	    vr == X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN ||
	    vr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT ||
	    vr == X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY ||
	    vr == X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE;
}

/* Runs the TLS handshake, verifying the server's name unless insecure.
 * Returns 0, or -1 with the result set. */
static int
conn_tls(struct probe *p)
{
	struct conn *c = &p->c;
	const struct probe_options *o = p->opt;
	long	 vr;
	int	 n, w;

	ERR_clear_error();
	if ((c->ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(c->ctx, TLS1_2_VERSION) != 1)
		return fail(p, PROBE_ERROR, "TLS: %s", ssl_reason());
	if (!o->insecure) {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
		if (SSL_CTX_set_default_verify_paths(c->ctx) != 1)
			return fail(p, PROBE_ERROR, "TLS: cannot load the "
			    "system CAs");
		if (o->cacert != NULL && X509_STORE_load_file(
		    SSL_CTX_get_cert_store(c->ctx), o->cacert) != 1)
			return fail(p, PROBE_ERROR, "TLS: cannot load CA "
			    "file %s", o->cacert);
	}
	if ((c->ssl = SSL_new(c->ctx)) == NULL ||
	    SSL_set_fd(c->ssl, c->fd) != 1)
		return fail(p, PROBE_ERROR, "TLS: %s", ssl_reason());
	if (!o->insecure) {
		if (is_address(&p->u))
			n = X509_VERIFY_PARAM_set1_ip_asc(
			    SSL_get0_param(c->ssl), p->u.host);
		else
			n = SSL_set1_host(c->ssl, p->u.host);
		if (n != 1)
			return fail(p, PROBE_ERROR, "TLS: cannot set the "
			    "name to verify");
	}
	/* SNI carries names only, never addresses (RFC 6066 3). */
	if (!is_address(&p->u))
		SSL_set_tlsext_host_name(c->ssl, p->u.host);

	while ((n = SSL_connect(c->ssl)) != 1) {
		w = SSL_get_error(c->ssl, n);
		if (w == SSL_ERROR_WANT_READ || w == SSL_ERROR_WANT_WRITE) {
			n = wait_fd(c->fd, w == SSL_ERROR_WANT_READ ? POLLIN :
			    POLLOUT, o->deadline);
			if (n == 0)
				return fail(p, PROBE_TIMEOUT, "TLS handshake: "
				    "no answer within the deadline");
			if (n == -1)
				return fail(p, PROBE_ERROR, "TLS: %s",
				    strerror(errno));
			continue;
		}
		vr = SSL_get_verify_result(c->ssl);
		if (vr != X509_V_OK)
			return fail(p, PROBE_ERROR, "TLS: certificate not "
			    "trusted: %s%s", X509_verify_cert_error_string(vr),
			    unknown_issuer(vr) ? "; give the CA that signed it "
			    "with --cacert FILE" : "");
		if (w == SSL_ERROR_SYSCALL && ERR_peek_last_error() == 0)
			return fail(p, errno ? errno_status(errno) :
			    PROBE_ERROR, "TLS handshake: %s", errno ?
			    strerror(errno) : "connection closed");
		return fail(p, PROBE_ERROR, "TLS handshake: %s",
		    ssl_reason());
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->ssl != NULL) {
		SSL_shutdown(c->ssl);	/* best effort, never waits */
		SSL_free(c->ssl);
	}
	SSL_CTX_free(c->ctx);
	if (c->fd != -1)
		close(c->fd);
	c->ssl = NULL;
	c->ctx = NULL;
	c->fd = -1;
	c->inlen = 0;
}

/* Sends a whole message.  Returns 0, or -1 with the result set. */
static int
conn_send(struct probe *p, const uint8_t *b, size_t len)
{
	struct conn *c = &p->c;
	size_t	 off = 0;
	ssize_t	 n;
	int	 w, rdy;

	while (off < len) {
		if (c->ssl != NULL) {
			n = SSL_write(c->ssl, b + off, (int)(len - off));
			if (n > 0) {
				off += (size_t)n;
				continue;
			}
			w = SSL_get_error(c->ssl, (int)n);
			if (w != SSL_ERROR_WANT_READ &&
			    w != SSL_ERROR_WANT_WRITE)
				return fail(p, PROBE_ERROR, "TLS write: %s",
				    ssl_reason());
			rdy = wait_fd(c->fd, w == SSL_ERROR_WANT_READ ?
			    POLLIN : POLLOUT, p->opt->deadline);
		} else {
			n = send(c->fd, b + off, len - off, MSG_NOSIGNAL);
			if (n >= 0) {
				off += (size_t)n;
				continue;
			}
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return fail(p, errno_status(errno), "send: %s",
				    strerror(errno));
			rdy = wait_fd(c->fd, POLLOUT, p->opt->deadline);
		}
		if (rdy == 0)
			return fail(p, PROBE_TIMEOUT, "send: no progress "
			    "within the deadline");
		if (rdy == -1)
			return fail(p, PROBE_ERROR, "poll: %s",
			    strerror(errno));
	}
	return 0;
}

/* Reads what is there into b, waiting until the time until.  Returns the
 * byte count, 0 when the time is up, or -1 with the result set (the peer
 * closing a stream included). */
static ssize_t
conn_read(struct probe *p, uint8_t *b, size_t len, long long until)
{
	struct conn *c = &p->c;
	ssize_t	 n;
	int	 w, rdy;

	for (;;) {
		if (c->ssl != NULL) {
			n = SSL_read(c->ssl, b, (int)len);
			if (n > 0)
				return n;
			w = SSL_get_error(c->ssl, (int)n);
			if (w == SSL_ERROR_ZERO_RETURN ||
			    (w == SSL_ERROR_SYSCALL && n == 0))
				return fail(p, PROBE_ERROR, "the server "
				    "closed the connection");
			if (w != SSL_ERROR_WANT_READ &&
			    w != SSL_ERROR_WANT_WRITE)
				return fail(p, PROBE_ERROR, "TLS read: %s",
				    ssl_reason());
			rdy = wait_fd(c->fd, w == SSL_ERROR_WANT_READ ?
			    POLLIN : POLLOUT, until);
		} else {
			/* MSG_TRUNC: a datagram's real size, to drop big ones. */
			n = recv(c->fd, b, len, c->stream ? 0 : MSG_TRUNC);
			if (n > 0 && (size_t)n > len)
				continue;
			if (n > 0)
				return n;
			if (n == 0 && c->stream)
				return fail(p, PROBE_ERROR, "the server "
				    "closed the connection");
			if (n == 0 || errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				return fail(p, errno_status(errno), "recv: %s",
				    strerror(errno));
			rdy = wait_fd(c->fd, POLLIN, until);
		}
		if (rdy == 0)
			return 0;
		if (rdy == -1)
			return fail(p, PROBE_ERROR, "poll: %s",
			    strerror(errno));
	}
}

/* Receives one well-formed message into p->buf and p->v by the time until.
 * Returns its length, 0 when the time is up, or -1 with the result set.
 * Datagrams that are not STUN are dropped; on a stream they are fatal. */
static ssize_t
conn_recv(struct probe *p, long long until)
{
	struct conn *c = &p->c;
	ssize_t	 n;
	long	 want;

	while (!c->stream) {
		n = conn_read(p, p->buf, sizeof(p->buf), until);
		if (n <= 0 || stun_parse(p->buf, (size_t)n, &p->v) == 0)
			return n;
	}
	for (;;) {
		if (c->inlen >= STUN_HEADER_LEN) {
			if ((want = stun_frame_len(c->in, c->inlen)) == -1)
				return fail(p, PROBE_ERROR, "the server "
				    "answered something other than STUN");
			if (c->inlen >= (size_t)want)
				break;
		}
		n = conn_read(p, c->in + c->inlen, sizeof(c->in) - c->inlen,
		    until);
		if (n <= 0)
			return n;
		c->inlen += (size_t)n;
	}
	memcpy(p->buf, c->in, (size_t)want);
	memmove(c->in, c->in + want, c->inlen - (size_t)want);
	c->inlen -= (size_t)want;
	if (stun_parse(p->buf, (size_t)want, &p->v) == -1)
		return fail(p, PROBE_ERROR, "the server sent a malformed "
		    "STUN message");
	return want;
}

/* --- transactions --- */

/* Sends m and waits for the answer to it, retransmitting over UDP.  Answers
 * that fail MESSAGE-INTEGRITY under key (when there is one) are dropped as
 * if never received (RFC 8489 9.2.5).  The answer is left in p->v.  Returns
 * 0, or -1 with the result set. */
static int
transact(struct probe *p, const struct stun_msg *m, const uint8_t *key)
{
	long long now, sent = 0, until = 0, deadline = p->opt->deadline;
	long long rto = RTO_MS;
	int	 tries = 0, forged = 0;
	ssize_t	 n;

	for (;;) {
		now = util_monotonic_ms();
		if (now >= deadline)
			break;
		if (tries == 0 || (!p->c.stream && tries < RC)) {
			if (conn_send(p, m->buf, m->len) == -1)
				return -1;
			sent = now;
			tries++;
			until = now + (tries < RC ? rto : RM * RTO_MS);
			rto *= 2;
			if (p->c.stream || until > deadline)
				until = deadline;
		}
		while ((n = conn_recv(p, until)) != 0) {
			if (n == -1)
				return -1;
			if (memcmp(p->v.tid, m->buf + 8, STUN_TID_LEN) != 0 ||
			    STUN_CLASS(p->v.type) == STUN_REQUEST ||
			    STUN_CLASS(p->v.type) == STUN_INDICATION)
				continue;	/* not ours */
			if (key != NULL &&
			    STUN_CLASS(p->v.type) == STUN_SUCCESS &&
			    stun_check_integrity(&p->v, key, STUN_KEY_LEN)) {
				forged++;
				continue;
			}
			if (p->r->rtt_ms < 0)
				p->r->rtt_ms =
				    (long)(util_monotonic_ms() - sent);
			return 0;
		}
		if (!p->c.stream && tries >= RC && util_monotonic_ms() >= until)
			break;
	}
	if (forged)
		return fail(p, PROBE_ERROR, "answers failed the "
		    "MESSAGE-INTEGRITY check (wrong credentials, or forged)");
	return fail(p, PROBE_TIMEOUT, "no answer within the deadline (%d "
	    "request%s sent)", tries, tries == 1 ? "" : "s");
}

/* The error response in p->v as "code reason", escaped. */
static void
error_text(struct probe *p, int *code, char *buf, size_t len)
{
	char	 reason[128], shown[160];

	*code = 0;
	if (stun_get_error(&p->v, code, reason, sizeof(reason)) == -1) {
		snprintf(buf, len, "an error response without ERROR-CODE");
		return;
	}
	log_escape(reason, 80, shown, sizeof(shown));
	snprintf(buf, len, "%d %s", *code, shown);
}

/* A new request of type: random transaction id, SOFTWARE, and for TURN
 * the credentials when there are any. */
static int
new_request(struct probe *p, struct stun_msg *m, uint16_t type)
{
	uint8_t	 tid[STUN_TID_LEN];

	if (stun_new_tid(tid) == -1)
		return fail(p, PROBE_ERROR, "no random bytes for a "
		    "transaction id");
	stun_init(m, type, tid);
	stun_add_str(m, STUN_A_SOFTWARE, "iceupd/" ICEUPD_VERSION);
	return 0;
}

static int
sign(struct probe *p, struct stun_msg *m)
{
	if (p->havekey) {
		stun_add_str(m, STUN_A_USERNAME, p->user);
		stun_add_str(m, STUN_A_REALM, p->realm);
		stun_add_str(m, STUN_A_NONCE, p->nonce);
		stun_add_integrity(m, p->key, sizeof(p->key));
	}
	stun_add_fingerprint(m);
	return m->full ? fail(p, PROBE_ERROR, "request too large (username, "
	    "realm or nonce)") : 0;
}

/* Takes REALM and NONCE from a 401 or 438 answer and derives the key.
 * Returns 0, or -1 with the result set. */
static int
take_challenge(struct probe *p)
{
	char	 realm[STUN_TEXT_MAX + 1];

	if (stun_get_str(&p->v, STUN_A_NONCE, p->nonce, sizeof(p->nonce)))
		return fail(p, PROBE_ERROR, "challenge without a NONCE");
	if (stun_get_str(&p->v, STUN_A_REALM, realm, sizeof(realm)) == 0)
		memcpy(p->realm, realm, sizeof(realm));
	else if (!p->havekey)
		return fail(p, PROBE_ERROR, "challenge without a REALM");
	if (p->user == NULL || p->cred == NULL)
		return fail(p, PROBE_BAD_CREDENTIALS, "the server asks for "
		    "credentials and there are none");
	if (stun_long_term_key(p->user, p->realm, p->cred, p->key) == -1)
		return fail(p, PROBE_ERROR, "username, realm and credential "
		    "too long");
	p->havekey = 1;
	return 0;
}

static void
take_address(struct probe *p, uint16_t type, char *buf, size_t len)
{
	struct sockaddr_storage ss;

	if (stun_get_xor_addr(&p->v, type, &ss) == 0)
		stun_addr_str(&ss, buf, len);
}

static int
binding(struct probe *p)
{
	struct stun_msg m;
	char	 text[200];
	int	 code;

	if (new_request(p, &m, STUN_BINDING | STUN_REQUEST) == -1 ||
	    sign(p, &m) == -1 || transact(p, &m, NULL) == -1)
		return -1;
	if (STUN_CLASS(p->v.type) == STUN_ERROR) {
		error_text(p, &code, text, sizeof(text));
		return fail(p, PROBE_ERROR, "binding refused: %s", text);
	}
	take_address(p, STUN_A_XOR_MAPPED_ADDRESS, p->r->mapped,
	    sizeof(p->r->mapped));
	if (p->r->mapped[0] == '\0')
		return fail(p, PROBE_ERROR, "binding answer without "
		    "XOR-MAPPED-ADDRESS");
	return 0;
}

/* Releases the allocation: Refresh with LIFETIME 0, once more on a stale
 * nonce.  Failure is only logged: the allocation times out anyway. */
static void
release_allocation(struct probe *p)
{
	struct stun_msg m;
	struct probe_result keep = *p->r;
	char	 text[200];
	int	 code, tries;

	for (tries = 0; tries < 2; tries++) {
		if (new_request(p, &m, STUN_REFRESH | STUN_REQUEST) == -1)
			break;
		stun_add_u32(&m, STUN_A_LIFETIME, 0);
		if (sign(p, &m) == -1 || transact(p, &m, p->key) == -1)
			break;
		if (STUN_CLASS(p->v.type) == STUN_SUCCESS)
			break;
		error_text(p, &code, text, sizeof(text));
		log_debug("%s: releasing the allocation: %s", p->r->url, text);
		if (code != 438 || take_challenge(p) == -1)
			break;
	}
	*p->r = keep;	/* the probe's outcome stands */
}

static int
allocate(struct probe *p)
{
	struct stun_msg m;
	uint32_t life;
	char	 text[200], alt[64];
	int	 code, stale = 0;

	for (;;) {
		if (new_request(p, &m, STUN_ALLOCATE | STUN_REQUEST) == -1)
			return -1;
		stun_add_u32(&m, STUN_A_REQUESTED_TRANSPORT,
		    (uint32_t)STUN_PROTO_UDP << 24);
		if (sign(p, &m) == -1 ||
		    transact(p, &m, p->havekey ? p->key : NULL) == -1)
			return -1;
		if (STUN_CLASS(p->v.type) == STUN_SUCCESS)
			break;
		error_text(p, &code, text, sizeof(text));
		if (code == 401 && !p->havekey) {
			log_debug("%s: %s, authenticating", p->r->url, text);
			if (take_challenge(p) == -1)
				return -1;
			continue;
		}
		if (code == 401)
			return fail(p, PROBE_BAD_CREDENTIALS, "credentials "
			    "refused: %s", text);
		if (code == 438 && p->havekey && !stale++) {
			log_debug("%s: %s, retrying", p->r->url, text);
			if (take_challenge(p) == -1)
				return -1;
			continue;
		}
		if (code == 300) {
			alt[0] = '\0';
			take_address(p, STUN_A_ALTERNATE_SERVER, alt,
			    sizeof(alt));
			return fail(p, PROBE_ERROR, "redirected to %s",
			    alt[0] ? alt : "another server");
		}
		return fail(p, PROBE_ERROR, "allocation refused: %s", text);
	}
	if ((code = stun_unknown_required(&p->v)) != 0)
		return fail(p, PROBE_ERROR, "allocation answer with unknown "
		    "attribute 0x%04x", code);
	take_address(p, STUN_A_XOR_RELAYED_ADDRESS, p->r->relayed,
	    sizeof(p->r->relayed));
	take_address(p, STUN_A_XOR_MAPPED_ADDRESS, p->r->mapped,
	    sizeof(p->r->mapped));
	if (stun_get_u32(&p->v, STUN_A_LIFETIME, &life) == 0)
		p->r->lifetime = (long)life;
	if (p->r->relayed[0] == '\0')
		return fail(p, PROBE_ERROR, "allocation answer without "
		    "XOR-RELAYED-ADDRESS");
	release_allocation(p);
	return 0;
}

/* --- one URL --- */

/* Resolves the host for the transport.  Returns 0, or -1 with the result
 * set. */
static int
resolve(struct probe *p, int stream, struct addrinfo **res)
{
	struct addrinfo hints;
	char	 port[8];
	int	 e;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = stream ? SOCK_STREAM : SOCK_DGRAM;
	hints.ai_flags = AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%d", p->u.port);
	if ((e = getaddrinfo(p->u.host, port, &hints, res)) != 0)
		return fail(p, e == EAI_NONAME ? PROBE_UNREACHABLE :
		    PROBE_ERROR, "cannot resolve %s: %s", p->u.host,
		    gai_strerror(e));
	return 0;
}

/* Connects to one address and runs the probe there. */
static int
probe_addr(struct probe *p, const struct addrinfo *ai, int tls)
{
	int	 rc;

	p->c.stream = ai->ai_socktype == SOCK_STREAM;
	if (conn_connect(p, ai) == -1 || (tls && conn_tls(p) == -1))
		rc = -1;
	else if (ice_uri_is_turn(&p->u))
		rc = allocate(p);
	else
		rc = binding(p);
	conn_close(&p->c);
	return rc;
}

int
probe_url(const char *url, const char *username, const char *credential,
    const struct probe_options *opt, struct probe_result *r)
{
	struct probe	*p;
	struct addrinfo	*res = NULL, *ai;
	char		 err[128];
	int		 tls, stream, rc = -1;

	memset(r, 0, sizeof(*r));
	snprintf(r->url, sizeof(r->url), "%s", url);
	r->rtt_ms = -1;
	p = xcalloc(1, sizeof(*p));
	p->opt = opt;
	p->r = r;
	p->c.fd = -1;
	p->user = username;
	p->cred = credential;
	if (ice_uri_parse(url, &p->u, err, sizeof(err)) == -1) {
		fail(p, PROBE_ERROR, "%s", err);
		goto out;
	}
	tls = p->u.scheme == SCHEME_STUNS || p->u.scheme == SCHEME_TURNS;
	stream = ice_uri_transport(&p->u) == TRANSPORT_TCP;
	if (tls && !stream) {
		fail(p, PROBE_ERROR, "TURN over DTLS is not supported");
		goto out;
	}
	if (resolve(p, stream, &res) == -1)
		goto out;
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		memset(r->error, 0, sizeof(r->error));
		r->rtt_ms = -1;
		if ((rc = probe_addr(p, ai, tls)) == 0 ||
		    r->status != PROBE_UNREACHABLE)
			break;
		/* Nothing there: the next address may answer. */
	}
	if (rc == 0)
		r->status = PROBE_OK;
	log_debug("%s: %s%s%s", r->url, probe_status_names[r->status],
	    rc == 0 ? "" : ": ", rc == 0 ? "" : r->error);
out:
	if (res != NULL)
		freeaddrinfo(res);
	explicit_bzero(p, sizeof(*p));
	free(p);
	return rc;
}

/* --- a whole list --- */

struct job {
	const char	*url, *user, *cred;
};

struct batch {
	pthread_mutex_t	 lock;
	const struct probe_options *opt;
	const struct job *jobs;
	struct probe_result *res;
	size_t		 n, next;
};

static void *
worker(void *arg)
{
	struct batch *b = arg;
	size_t	 i;

	for (;;) {
		pthread_mutex_lock(&b->lock);
		i = b->next < b->n ? b->next++ : b->n;
		pthread_mutex_unlock(&b->lock);
		if (i == b->n) {
			OPENSSL_thread_stop();
			return NULL;
		}
		probe_url(b->jobs[i].url, b->jobs[i].user, b->jobs[i].cred,
		    b->opt, &b->res[i]);
	}
}

struct probe_result *
probe_list(const struct ice_list *l, const struct probe_options *opt,
    size_t *n)
{
	struct batch	 b;
	struct job	*jobs;
	pthread_t	 th[PROBE_PARALLEL];
	size_t		 i, j, k = 0, nth = 0;

	*n = 0;
	if ((b.n = ice_list_nurls(l)) == 0)
		return NULL;
	jobs = xcalloc(b.n, sizeof(*jobs));
	for (i = 0; i < l->n; i++)
		for (j = 0; j < l->servers[i].nurls; j++, k++) {
			jobs[k].url = l->servers[i].urls[j];
			jobs[k].user = l->servers[i].username;
			jobs[k].cred = l->servers[i].credential;
		}
	pthread_mutex_init(&b.lock, NULL);
	b.opt = opt;
	b.jobs = jobs;
	b.res = xcalloc(b.n, sizeof(*b.res));
	b.next = 0;
	/* The calling thread works too, so a failed pthread_create() only
	 * means fewer at once. */
	while (nth < PROBE_PARALLEL - 1 && nth < b.n - 1 &&
	    pthread_create(&th[nth], NULL, worker, &b) == 0)
		nth++;
	worker(&b);
	for (i = 0; i < nth; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&b.lock);
	free(jobs);
	*n = b.n;
	return b.res;
}

int
probe_filter(struct ice_list *l, const struct probe_result *r, size_t n)
{
	struct ice_list	 out;
	struct ice_server *s;
	char		 err[128];
	size_t		 i, j, k = 0;
	int		 dropped = 0;

	if (n != ice_list_nurls(l))
		return -1;
	memset(&out, 0, sizeof(out));
	memcpy(out.provider, l->provider, sizeof(out.provider));
	out.fetched_at = l->fetched_at;
	for (i = 0; i < l->n; i++) {
		s = &l->servers[i];
		for (j = 0; j < s->nurls; j++, k++) {
			if (r[k].status != PROBE_OK) {
				dropped++;
				continue;
			}
			if (ice_list_add(&out, s->urls[j], s->username,
			    s->credential, s->expires, err, sizeof(err)) == -1)
				log_warn("%s: %s", s->urls[j], err);
		}
	}
	ice_list_free(l);
	*l = out;
	return dropped;
}
