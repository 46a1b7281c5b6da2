/* probe/stun.c: STUN (RFC 8489) and TURN (RFC 8656) messages: encode and
 * decode.  Decoding trusts nothing: every length is checked against the
 * buffer before a byte is read. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "stun.h"

#define ATTR_HDR	4
#define MI_LEN		20	/* HMAC-SHA1 */
#define FP_LEN		4
#define FP_XOR		0x5354554eU
#define PAD4(n)		(((n) + 3) & ~(size_t)3)

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* CRC-32 of ISO 3309 / ITU-T V.42, as FINGERPRINT wants it. */
static uint32_t
crc32(const uint8_t *p, size_t len)
{
	uint32_t c = 0xffffffffU;
	int	 k;

	while (len-- > 0) {
		c ^= *p++;
		for (k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320U & (0U - (c & 1)));
	}
	return c ^ 0xffffffffU;
}

/* HMAC-SHA1 of hdr (the 20-byte header as it should read) then body.
 * Returns 0, or -1 when OpenSSL failed. */
static int
hmac_sha1(const uint8_t *key, size_t keylen, const uint8_t *hdr,
    const uint8_t *body, size_t bodylen, uint8_t out[MI_LEN])
{
	OSSL_PARAM	 params[2];
	EVP_MAC		*mac;
	EVP_MAC_CTX	*ctx = NULL;
	size_t		 outlen = 0;
	int		 rc = -1;

	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    EVP_MAC_init(ctx, key, keylen, params) != 1 ||
	    EVP_MAC_update(ctx, hdr, STUN_HEADER_LEN) != 1 ||
	    (bodylen > 0 && EVP_MAC_update(ctx, body, bodylen) != 1) ||
	    EVP_MAC_final(ctx, out, &outlen, MI_LEN) != 1 || outlen != MI_LEN)
		goto out;
	rc = 0;
out:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

/* --- encoding --- */

void
stun_init(struct stun_msg *m, uint16_t type, const uint8_t tid[STUN_TID_LEN])
{
	memset(m->buf, 0, STUN_HEADER_LEN);
	put16(m->buf, type & 0x3fff);
	put32(m->buf + 4, STUN_COOKIE);
	memcpy(m->buf + 8, tid, STUN_TID_LEN);
	m->len = STUN_HEADER_LEN;
	m->pad = 0;
	m->full = 0;
}

/* Reserves an attribute of len bytes and returns where its value goes, or
 * NULL when it does not fit. */
static uint8_t *
reserve(struct stun_msg *m, uint16_t type, size_t len)
{
	uint8_t	*p;

	if (m->full || len > 0xffff ||
	    PAD4(len) + ATTR_HDR > sizeof(m->buf) - m->len) {
		m->full = 1;
		return NULL;
	}
	p = m->buf + m->len;
	put16(p, type);
	put16(p + 2, (uint16_t)len);
	memset(p + ATTR_HDR + len, m->pad, PAD4(len) - len);
	m->len += ATTR_HDR + PAD4(len);
	put16(m->buf + 2, (uint16_t)(m->len - STUN_HEADER_LEN));
	return p + ATTR_HDR;
}

int
stun_add(struct stun_msg *m, uint16_t type, const void *val, size_t len)
{
	uint8_t	*p;

	if ((p = reserve(m, type, len)) == NULL)
		return -1;
	if (len > 0)
		memcpy(p, val, len);
	return 0;
}

int
stun_add_str(struct stun_msg *m, uint16_t type, const char *s)
{
	return stun_add(m, type, s, strlen(s));
}

int
stun_add_u32(struct stun_msg *m, uint16_t type, uint32_t v)
{
	uint8_t	 b[4];

	put32(b, v);
	return stun_add(m, type, b, sizeof(b));
}

int
stun_add_xor_addr(struct stun_msg *m, uint16_t type, const struct sockaddr *sa)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
	uint8_t	 v[20];
	size_t	 i;

	memset(v, 0, sizeof(v));
	if (sa->sa_family == AF_INET) {
		v[1] = 0x01;
		put16(v + 2, ntohs(sin->sin_port) ^ (STUN_COOKIE >> 16));
		put32(v + 4, ntohl(sin->sin_addr.s_addr) ^ STUN_COOKIE);
		return stun_add(m, type, v, 8);
	}
	if (sa->sa_family != AF_INET6) {
		m->full = 1;
		return -1;
	}
	v[1] = 0x02;
	put16(v + 2, ntohs(sin6->sin6_port) ^ (STUN_COOKIE >> 16));
	memcpy(v + 4, &sin6->sin6_addr, 16);
	/* XOR with the cookie followed by the transaction id: bytes 4-19. */
	for (i = 0; i < 16; i++)
		v[4 + i] ^= m->buf[4 + i];
	return stun_add(m, type, v, 20);
}

int
stun_add_error(struct stun_msg *m, int code, const char *reason)
{
	uint8_t	*p;
	size_t	 n = strlen(reason);

	if (code < 300 || code > 699 || n > STUN_TEXT_MAX) {
		m->full = 1;
		return -1;
	}
	if ((p = reserve(m, STUN_A_ERROR_CODE, 4 + n)) == NULL)
		return -1;
	p[0] = p[1] = 0;
	p[2] = (uint8_t)(code / 100);
	p[3] = (uint8_t)(code % 100);
	memcpy(p + 4, reason, n);
	return 0;
}

int
stun_add_integrity(struct stun_msg *m, const uint8_t *key, size_t keylen)
{
	uint8_t	*p;
	size_t	 before = m->len;

	/* reserve() sets the header length to include the attribute, as the
	 * HMAC wants; the value is computed over what precedes it. */
	if ((p = reserve(m, STUN_A_MESSAGE_INTEGRITY, MI_LEN)) == NULL)
		return -1;
	if (hmac_sha1(key, keylen, m->buf, m->buf + STUN_HEADER_LEN,
	    before - STUN_HEADER_LEN, p) == -1) {
		m->full = 1;
		return -1;
	}
	return 0;
}

int
stun_add_fingerprint(struct stun_msg *m)
{
	uint8_t	*p;
	size_t	 before = m->len;

	if ((p = reserve(m, STUN_A_FINGERPRINT, FP_LEN)) == NULL)
		return -1;
	put32(p, crc32(m->buf, before) ^ FP_XOR);
	return 0;
}

int
stun_long_term_key(const char *user, const char *realm, const char *pass,
    uint8_t key[STUN_KEY_LEN])
{
	char		 buf[STUN_USER_MAX + STUN_TEXT_MAX + 1024];
	unsigned int	 n = 0;
	int		 len, rc = -1;

	len = snprintf(buf, sizeof(buf), "%s:%s:%s", user, realm, pass);
	if (len < 0 || (size_t)len >= sizeof(buf))
		goto out;
	if (EVP_Digest(buf, (size_t)len, key, &n, EVP_md5(), NULL) != 1 ||
	    n != STUN_KEY_LEN)
		goto out;
	rc = 0;
out:
	OPENSSL_cleanse(buf, sizeof(buf));
	return rc;
}

int
stun_new_tid(uint8_t tid[STUN_TID_LEN])
{
	return RAND_bytes(tid, STUN_TID_LEN) == 1 ? 0 : -1;
}

/* --- decoding --- */

/* The allowed value sizes of the attributes that have rules: 0 when the
 * length suits the type, -1 otherwise. */
static int
check_len(uint16_t type, size_t len)
{
	switch (type) {
	case STUN_A_MESSAGE_INTEGRITY:
		return len == MI_LEN ? 0 : -1;
	case STUN_A_MESSAGE_INTEGRITY_SHA256:
		return len >= 16 && len <= 32 && len % 4 == 0 ? 0 : -1;
	case STUN_A_FINGERPRINT:
	case STUN_A_LIFETIME:
	case STUN_A_PRIORITY:
	case STUN_A_REQUESTED_TRANSPORT:
		return len == 4 ? 0 : -1;
	case STUN_A_ICE_CONTROLLED:
	case STUN_A_ICE_CONTROLLING:
		return len == 8 ? 0 : -1;
	case STUN_A_ERROR_CODE:
		return len >= 4 && len <= 4 + STUN_TEXT_MAX ? 0 : -1;
	case STUN_A_USERNAME:
		return len >= 1 && len <= STUN_USER_MAX ? 0 : -1;
	case STUN_A_REALM:
	case STUN_A_NONCE:
		return len >= 1 && len <= STUN_TEXT_MAX ? 0 : -1;
	case STUN_A_SOFTWARE:
		return len <= STUN_TEXT_MAX ? 0 : -1;
	case STUN_A_MAPPED_ADDRESS:
	case STUN_A_XOR_MAPPED_ADDRESS:
	case STUN_A_XOR_RELAYED_ADDRESS:
	case STUN_A_XOR_PEER_ADDRESS:
	case STUN_A_ALTERNATE_SERVER:
		return len == 8 || len == 20 ? 0 : -1;
	default:
		return 0;
	}
}

long
stun_frame_len(const uint8_t *buf, size_t len)
{
	size_t	 body;

	if (len < STUN_HEADER_LEN || (buf[0] & 0xc0) != 0 ||
	    get32(buf + 4) != STUN_COOKIE)
		return -1;
	body = get16(buf + 2);
	if (body % 4 != 0 || STUN_HEADER_LEN + body > STUN_MSG_MAX)
		return -1;
	return (long)(STUN_HEADER_LEN + body);
}

int
stun_parse(const uint8_t *buf, size_t len, struct stun_view *v)
{
	struct stun_attr *a;
	size_t	 off, alen;
	uint16_t atype;
	int	 after_mi = 0;

	memset(v, 0, sizeof(*v));
	v->integrity = v->fingerprint = -1;
	if (buf == NULL || len < STUN_HEADER_LEN || (buf[0] & 0xc0) != 0 ||
	    get32(buf + 4) != STUN_COOKIE)
		return -1;
	if (get16(buf + 2) % 4 != 0 ||
	    (size_t)get16(buf + 2) != len - STUN_HEADER_LEN)
		return -1;
	v->buf = buf;
	v->len = len;
	v->type = get16(buf);
	memcpy(v->tid, buf + 8, STUN_TID_LEN);

	for (off = STUN_HEADER_LEN; off < len; off += ATTR_HDR + PAD4(alen)) {
		if (v->fingerprint != -1)
			return -1;	/* FINGERPRINT must be last */
		if (len - off < ATTR_HDR)
			return -1;
		atype = get16(buf + off);
		alen = get16(buf + off + 2);
		if (PAD4(alen) > len - off - ATTR_HDR)
			return -1;
		if (check_len(atype, alen) == -1)
			return -1;
		if (after_mi && atype != STUN_A_FINGERPRINT &&
		    atype != STUN_A_MESSAGE_INTEGRITY_SHA256)
			continue;
		if (v->nattrs == STUN_ATTRS_MAX)
			return -1;
		a = &v->attrs[v->nattrs];
		a->type = atype;
		a->len = (uint16_t)alen;
		a->val = buf + off + ATTR_HDR;
		a->off = off;
		if (atype == STUN_A_MESSAGE_INTEGRITY && !after_mi) {
			v->integrity = (int)v->nattrs;
			after_mi = 1;
		} else if (atype == STUN_A_FINGERPRINT)
			v->fingerprint = (int)v->nattrs;
		v->nattrs++;
	}
	return 0;
}

const struct stun_attr *
stun_find(const struct stun_view *v, uint16_t type)
{
	size_t	 i;

	for (i = 0; i < v->nattrs; i++)
		if (v->attrs[i].type == type)
			return &v->attrs[i];
	return NULL;
}

uint16_t
stun_unknown_required(const struct stun_view *v)
{
	/* STUN, TURN (RFC 8656, 6062, 8016), ICE and RFC 5780 attributes. */
	static const uint16_t known[] = {
		0x0001, 0x0003, 0x0006, 0x0008, 0x0009, 0x000a, 0x000c,
		0x000d, 0x0012, 0x0013, 0x0014, 0x0015, 0x0016, 0x0017,
		0x0018, 0x0019, 0x001a, 0x001c, 0x001d, 0x001e, 0x0020,
		0x0022, 0x0024, 0x0025, 0x0026, 0x0027, 0x002a
	};
	size_t	 i, k;

	for (i = 0; i < v->nattrs; i++) {
		if (v->attrs[i].type >= 0x8000)
			continue;
		for (k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (known[k] == v->attrs[i].type)
				break;
		if (k == sizeof(known) / sizeof(known[0]))
			return v->attrs[i].type;
	}
	return 0;
}

int
stun_check_integrity(const struct stun_view *v, const uint8_t *key,
    size_t keylen)
{
	const struct stun_attr *a;
	uint8_t	 hdr[STUN_HEADER_LEN], mac[MI_LEN];
	int	 rc;

	if (v->integrity < 0)
		return -1;
	a = &v->attrs[v->integrity];
	/* The header's length as if the message ended with this attribute. */
	memcpy(hdr, v->buf, STUN_HEADER_LEN);
	put16(hdr + 2, (uint16_t)(a->off + ATTR_HDR + MI_LEN -
	    STUN_HEADER_LEN));
	if (hmac_sha1(key, keylen, hdr, v->buf + STUN_HEADER_LEN,
	    a->off - STUN_HEADER_LEN, mac) == -1)
		return -1;
	rc = CRYPTO_memcmp(mac, a->val, MI_LEN) == 0 ? 0 : -1;
	OPENSSL_cleanse(mac, sizeof(mac));
	return rc;
}

int
stun_check_fingerprint(const struct stun_view *v)
{
	const struct stun_attr *a;

	if (v->fingerprint < 0)
		return -1;
	a = &v->attrs[v->fingerprint];
	/* Last attribute, so the header's length is already right. */
	return (crc32(v->buf, a->off) ^ FP_XOR) == get32(a->val) ? 0 : -1;
}

int
stun_get_xor_addr(const struct stun_view *v, uint16_t type,
    struct sockaddr_storage *ss)
{
	const struct stun_attr *a;
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;
	uint16_t port;
	size_t	 i;

	memset(ss, 0, sizeof(*ss));
	if ((a = stun_find(v, type)) == NULL || a->len < 8 || a->val[0] != 0)
		return -1;
	port = get16(a->val + 2) ^ (STUN_COOKIE >> 16);
	if (a->val[1] == 0x01 && a->len == 8) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		sin->sin_addr.s_addr = htonl(get32(a->val + 4) ^ STUN_COOKIE);
		return 0;
	}
	if (a->val[1] == 0x02 && a->len == 20) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons(port);
		for (i = 0; i < 16; i++)
			sin6->sin6_addr.s6_addr[i] = a->val[4 + i] ^
			    v->buf[4 + i];
		return 0;
	}
	return -1;
}

int
stun_get_error(const struct stun_view *v, int *code, char *reason,
    size_t len)
{
	const struct stun_attr *a;
	size_t	 n;
	int	 cls, num;

	if ((a = stun_find(v, STUN_A_ERROR_CODE)) == NULL || a->len < 4)
		return -1;
	cls = a->val[2] & 0x07;
	num = a->val[3];
	if (cls < 3 || cls > 6 || num > 99)
		return -1;
	*code = cls * 100 + num;
	if (len > 0) {
		n = a->len - 4u;
		if (n > len - 1)
			n = len - 1;
		memcpy(reason, a->val + 4, n);
		reason[n] = '\0';
	}
	return 0;
}

int
stun_get_u32(const struct stun_view *v, uint16_t type, uint32_t *out)
{
	const struct stun_attr *a;

	if ((a = stun_find(v, type)) == NULL || a->len != 4)
		return -1;
	*out = get32(a->val);
	return 0;
}

int
stun_get_str(const struct stun_view *v, uint16_t type, char *buf, size_t len)
{
	const struct stun_attr *a;

	if ((a = stun_find(v, type)) == NULL || len == 0 ||
	    a->len > len - 1 || memchr(a->val, '\0', a->len) != NULL)
		return -1;
	memcpy(buf, a->val, a->len);
	buf[a->len] = '\0';
	return 0;
}

char *
stun_addr_str(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	const struct sockaddr_in *sin = (const struct sockaddr_in *)ss;
	const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)ss;
	char	 ip[INET6_ADDRSTRLEN];

	if (ss->ss_family == AF_INET &&
	    inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip)) != NULL)
		snprintf(buf, len, "%s:%u", ip, ntohs(sin->sin_port));
	else if (ss->ss_family == AF_INET6 &&
	    inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip)) != NULL)
		snprintf(buf, len, "[%s]:%u", ip, ntohs(sin6->sin6_port));
	else
		snprintf(buf, len, "?");
	return buf;
}
