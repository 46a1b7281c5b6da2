/* test_probe_stun.c: the STUN/TURN codec: RFC 5769 test vectors, and hostile
 * messages that must be refused without a read outside the buffer. */
#include <sys/socket.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../src/ice.h"
#include "../../src/probe/stun.h"
#include "../../src/util.h"
#include "unit.h"

/* --- RFC 5769 --- */

/* The transaction ID of the samples 2.1 to 2.3. */
#define SAMPLE_TID \
	0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae
/* The SOFTWARE attribute of the responses 2.2 and 2.3: "test vector ". */
#define SOFTWARE_TEST_VECTOR \
	0x80, 0x22, 0x00, 0x0b, 0x74, 0x65, 0x73, 0x74, \
	0x20, 0x76, 0x65, 0x63, 0x74, 0x6f, 0x72, 0x20

/* 2.1: a Binding request with short-term credentials. */
static const uint8_t sample_request[] = {
	0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xa4, 0x42,
	SAMPLE_TID,
	0x80, 0x22, 0x00, 0x10, 0x53, 0x54, 0x55, 0x4e,
	0x20, 0x74, 0x65, 0x73, 0x74, 0x20, 0x63, 0x6c,
	0x69, 0x65, 0x6e, 0x74,
	0x00, 0x24, 0x00, 0x04, 0x6e, 0x00, 0x01, 0xff,
	0x80, 0x29, 0x00, 0x08, 0x93, 0x2f, 0xf9, 0xb1,
	0x51, 0x26, 0x3b, 0x36,
	0x00, 0x06, 0x00, 0x09, 0x65, 0x76, 0x74, 0x6a,
	0x3a, 0x68, 0x36, 0x76, 0x59, 0x20, 0x20, 0x20,
	0x00, 0x08, 0x00, 0x14, 0x9a, 0xea, 0xa7, 0x0c,
	0xbf, 0xd8, 0xcb, 0x56, 0x78, 0x1e, 0xf2, 0xb5,
	0xb2, 0xd3, 0xf2, 0x49, 0xc1, 0xb5, 0x71, 0xa2,
	0x80, 0x28, 0x00, 0x04, 0xe5, 0x7a, 0x3b, 0xcf
};

/* 2.2: the success response, XOR-MAPPED-ADDRESS 192.0.2.1:32853. */
static const uint8_t sample_ipv4[] = {
	0x01, 0x01, 0x00, 0x3c, 0x21, 0x12, 0xa4, 0x42,
	SAMPLE_TID,
	SOFTWARE_TEST_VECTOR,
	0x00, 0x20, 0x00, 0x08, 0x00, 0x01, 0xa1, 0x47,
	0xe1, 0x12, 0xa6, 0x43,
	0x00, 0x08, 0x00, 0x14, 0x2b, 0x91, 0xf5, 0x99,
	0xfd, 0x9e, 0x90, 0xc3, 0x8c, 0x74, 0x89, 0xf9,
	0x2a, 0xf9, 0xba, 0x53, 0xf0, 0x6b, 0xe7, 0xd7,
	0x80, 0x28, 0x00, 0x04, 0xc0, 0x7d, 0x4c, 0x96
};

/* 2.3: the same with 2001:db8:1234:5678:11:2233:4455:6677 port 32853. */
static const uint8_t sample_ipv6[] = {
	0x01, 0x01, 0x00, 0x48, 0x21, 0x12, 0xa4, 0x42,
	SAMPLE_TID,
	SOFTWARE_TEST_VECTOR,
	0x00, 0x20, 0x00, 0x14, 0x00, 0x02, 0xa1, 0x47,
	0x01, 0x13, 0xa9, 0xfa, 0xa5, 0xd3, 0xf1, 0x79,
	0xbc, 0x25, 0xf4, 0xb5, 0xbe, 0xd2, 0xb9, 0xd9,
	0x00, 0x08, 0x00, 0x14, 0xa3, 0x82, 0x95, 0x4e,
	0x4b, 0xe6, 0x7b, 0xf1, 0x17, 0x84, 0xc9, 0x7c,
	0x82, 0x92, 0xc2, 0x75, 0xbf, 0xe3, 0xed, 0x41,
	0x80, 0x28, 0x00, 0x04, 0xc8, 0xfb, 0x0b, 0x4c
};

/* 2.4: a request with long-term credentials. */
static const uint8_t sample_long_term[] = {
	0x00, 0x01, 0x00, 0x60, 0x21, 0x12, 0xa4, 0x42,
	0x78, 0xad, 0x34, 0x33, 0xc6, 0xad, 0x72, 0xc0,
	0x29, 0xda, 0x41, 0x2e,
	0x00, 0x06, 0x00, 0x12, 0xe3, 0x83, 0x9e, 0xe3,
	0x83, 0x88, 0xe3, 0x83, 0xaa, 0xe3, 0x83, 0x83,
	0xe3, 0x82, 0xaf, 0xe3, 0x82, 0xb9, 0x00, 0x00,
	0x00, 0x15, 0x00, 0x1c, 0x66, 0x2f, 0x2f, 0x34,
	0x39, 0x39, 0x6b, 0x39, 0x35, 0x34, 0x64, 0x36,
	0x4f, 0x4c, 0x33, 0x34, 0x6f, 0x4c, 0x39, 0x46,
	0x53, 0x54, 0x76, 0x79, 0x36, 0x34, 0x73, 0x41,
	0x00, 0x14, 0x00, 0x0b, 0x65, 0x78, 0x61, 0x6d,
	0x70, 0x6c, 0x65, 0x2e, 0x6f, 0x72, 0x67, 0x00,
	0x00, 0x08, 0x00, 0x14, 0xf6, 0x70, 0x24, 0x65,
	0x6d, 0xd6, 0x4a, 0x3e, 0x02, 0xb8, 0xe0, 0x71,
	0x2e, 0x85, 0xc9, 0xa2, 0x8c, 0xa8, 0x96, 0x66
};

static const char short_term_pass[] = "VOkJxbRl1RmTxUk/WvJxBt";
static const uint8_t sample_tid[STUN_TID_LEN] = { SAMPLE_TID };
/* "マトリックス" in UTF-8. */
static const char lt_user[] =
    "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf"
    "\xe3\x82\xb9";
static const char lt_nonce[] = "f//499k954d6OL34oL9FSTvy64sA";
static const char lt_realm[] = "example.org";
/* RFC 5769 gives the password as "The<U+00AD>M<U+00AA>tr<U+2168>", which
 * SASLprep (RFC 4013) maps to "TheMatrIX"; the vector's key is over that. */
static const char lt_pass[] = "TheMatrIX";
static const char lt_pass_unprepared[] = "The\xc2\xadM\xc2\xaatr\xe2\x85\xa8";

/* A heap copy of exactly len bytes, so that ASan sees any read past it. */
static uint8_t *
exact(const uint8_t *p, size_t len)
{
	uint8_t	*b = malloc(len ? len : 1);

	ck_assert_ptr_nonnull(b);
	if (len > 0)
		memcpy(b, p, len);
	return b;
}

/* Parses a heap copy of p: the result of stun_parse. */
static int
parse_copy(const uint8_t *p, size_t len)
{
	struct stun_view v;
	uint8_t	*b = exact(p, len);
	int	 rc;

	rc = stun_parse(b, len, &v);
	free(b);
	return rc;
}

/* v carries a MESSAGE-INTEGRITY of the short-term password and a
 * FINGERPRINT, both right. */
static void
short_term_signed(const struct stun_view *v)
{
	ck_assert_int_eq(stun_check_integrity(v,
	    (const uint8_t *)short_term_pass, strlen(short_term_pass)), 0);
	ck_assert_int_eq(stun_check_fingerprint(v), 0);
}

/* m, given a MESSAGE-INTEGRITY of the short-term password and a
 * FINGERPRINT, is the len bytes of want. */
static void
signed_is(struct stun_msg *m, const uint8_t *want, size_t len)
{
	ck_assert_int_eq(stun_add_integrity(m,
	    (const uint8_t *)short_term_pass, strlen(short_term_pass)), 0);
	ck_assert_int_eq(stun_add_fingerprint(m), 0);
	ck_assert_uint_eq(m->len, len);
	ck_assert_mem_eq(m->buf, want, len);
}

/* The RFC 5769 success response mapping ss, written again, is the len
 * bytes of want. */
static void
response_is(const struct sockaddr_storage *ss, const uint8_t *want,
    size_t len)
{
	struct stun_msg m;

	stun_init(&m, STUN_BINDING | STUN_SUCCESS, sample_tid);
	m.pad = ' ';
	ck_assert_int_eq(stun_add_str(&m, STUN_A_SOFTWARE, "test vector"), 0);
	ck_assert_int_eq(stun_add_xor_addr(&m, STUN_A_XOR_MAPPED_ADDRESS,
	    (const struct sockaddr *)ss), 0);
	signed_is(&m, want, len);
}

START_TEST(rfc5769_request_decodes)
{
	struct stun_view v;
	char	 s[64];
	uint32_t u;
	const struct stun_attr *a;
	static const uint8_t tiebreak[] = {
		0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36
	};

	ck_assert_int_eq(stun_parse(sample_request, sizeof(sample_request),
	    &v), 0);
	ck_assert_uint_eq(v.type, STUN_BINDING | STUN_REQUEST);
	ck_assert_mem_eq(v.tid, sample_tid, STUN_TID_LEN);
	ck_assert_uint_eq(v.nattrs, 6);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_SOFTWARE, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "STUN test client");
	ck_assert_int_eq(stun_get_u32(&v, STUN_A_PRIORITY, &u), 0);
	ck_assert_uint_eq(u, 0x6e0001ff);
	ck_assert_ptr_nonnull(a = stun_find(&v, STUN_A_ICE_CONTROLLED));
	ck_assert_uint_eq(a->len, 8);
	ck_assert_mem_eq(a->val, tiebreak, 8);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_USERNAME, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "evtj:h6vY");
	ck_assert_uint_eq(stun_unknown_required(&v), 0);
	short_term_signed(&v);
}
END_TEST

START_TEST(rfc5769_request_encodes)
{
	struct stun_msg m;
	static const uint8_t prio[] = { 0x6e, 0x00, 0x01, 0xff };
	static const uint8_t tiebreak[] = {
		0x93, 0x2f, 0xf9, 0xb1, 0x51, 0x26, 0x3b, 0x36
	};

	stun_init(&m, STUN_BINDING | STUN_REQUEST, sample_tid);
	m.pad = ' ';
	ck_assert_int_eq(stun_add_str(&m, STUN_A_SOFTWARE,
	    "STUN test client"), 0);
	ck_assert_int_eq(stun_add(&m, STUN_A_PRIORITY, prio, 4), 0);
	ck_assert_int_eq(stun_add(&m, STUN_A_ICE_CONTROLLED, tiebreak, 8), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_USERNAME, "evtj:h6vY"), 0);
	signed_is(&m, sample_request, sizeof(sample_request));
}
END_TEST

START_TEST(rfc5769_ipv4_response)
{
	struct stun_view v;
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	char	 s[64];

	ck_assert_int_eq(stun_parse(sample_ipv4, sizeof(sample_ipv4), &v), 0);
	ck_assert_uint_eq(v.type, STUN_BINDING | STUN_SUCCESS);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_SOFTWARE, s, sizeof(s)), 0);
	ck_assert_str_eq(s, "test vector");
	ck_assert_int_eq(stun_get_xor_addr(&v, STUN_A_XOR_MAPPED_ADDRESS, &ss),
	    0);
	ck_assert_int_eq(ss.ss_family, AF_INET);
	ck_assert_uint_eq(ntohs(sin->sin_port), 32853);
	ck_assert_str_eq(stun_addr_str(&ss, s, sizeof(s)), "192.0.2.1:32853");
	short_term_signed(&v);

	/* And back, byte for byte. */
	response_is(&ss, sample_ipv4, sizeof(sample_ipv4));
}
END_TEST

START_TEST(rfc5769_ipv6_response)
{
	struct stun_view v;
	struct sockaddr_storage ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	struct in6_addr want;
	char	 s[64];

	ck_assert_int_eq(stun_parse(sample_ipv6, sizeof(sample_ipv6), &v), 0);
	ck_assert_int_eq(stun_get_xor_addr(&v, STUN_A_XOR_MAPPED_ADDRESS, &ss),
	    0);
	ck_assert_int_eq(ss.ss_family, AF_INET6);
	ck_assert_int_eq(inet_pton(AF_INET6,
	    "2001:db8:1234:5678:11:2233:4455:6677", &want), 1);
	ck_assert_mem_eq(&sin6->sin6_addr, &want, sizeof(want));
	ck_assert_uint_eq(ntohs(sin6->sin6_port), 32853);
	ck_assert_str_eq(stun_addr_str(&ss, s, sizeof(s)),
	    "[2001:db8:1234:5678:11:2233:4455:6677]:32853");
	short_term_signed(&v);

	response_is(&ss, sample_ipv6, sizeof(sample_ipv6));
}
END_TEST

START_TEST(rfc5769_long_term)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 key[STUN_KEY_LEN], tid[STUN_TID_LEN];
	char	 s[128];

	ck_assert_int_eq(stun_parse(sample_long_term,
	    sizeof(sample_long_term), &v), 0);
	ck_assert_uint_eq(v.type, STUN_BINDING | STUN_REQUEST);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_USERNAME, s, sizeof(s)), 0);
	ck_assert_str_eq(s, lt_user);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_NONCE, s, sizeof(s)), 0);
	ck_assert_str_eq(s, lt_nonce);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_REALM, s, sizeof(s)), 0);
	ck_assert_str_eq(s, lt_realm);
	ck_assert_int_eq(stun_check_fingerprint(&v), -1);	/* none here */

	ck_assert_int_eq(stun_long_term_key(lt_user, lt_realm, lt_pass, key),
	    0);
	ck_assert_int_eq(stun_check_integrity(&v, key, sizeof(key)), 0);
	/* Credentials are hashed as given: the unprepared form differs. */
	ck_assert_int_eq(stun_long_term_key(lt_user, lt_realm,
	    lt_pass_unprepared, key), 0);
	ck_assert_int_eq(stun_check_integrity(&v, key, sizeof(key)), -1);

	ck_assert_int_eq(stun_long_term_key(lt_user, lt_realm, lt_pass, key),
	    0);
	memcpy(tid, v.tid, sizeof(tid));
	stun_init(&m, STUN_BINDING | STUN_REQUEST, tid);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_USERNAME, lt_user), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_NONCE, lt_nonce), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_REALM, lt_realm), 0);
	ck_assert_int_eq(stun_add_integrity(&m, key, sizeof(key)), 0);
	ck_assert_uint_eq(m.len, sizeof(sample_long_term));
	ck_assert_mem_eq(m.buf, sample_long_term, sizeof(sample_long_term));
}
END_TEST

/* --- integrity and fingerprint --- */

START_TEST(integrity_wrong_key)
{
	struct stun_view v;

	ck_assert_int_eq(stun_parse(sample_request, sizeof(sample_request),
	    &v), 0);
	ck_assert_int_eq(stun_check_integrity(&v,
	    (const uint8_t *)"VOkJxbRl1RmTxUk/WvJxBu", 22), -1);
	ck_assert_int_eq(stun_check_integrity(&v, (const uint8_t *)"", 0), -1);
}
END_TEST

START_TEST(integrity_covers_every_byte)
{
	struct stun_view v;
	uint8_t	*b;
	size_t	 i, mi_end = sizeof(sample_request) - 8;

	/* Flip each byte before FINGERPRINT except the header's length. */
	for (i = 0; i < mi_end; i++) {
		if (i == 2 || i == 3)
			continue;
		b = exact(sample_request, sizeof(sample_request));
		b[i] ^= 0x01;
		if (stun_parse(b, sizeof(sample_request), &v) == 0) {
			ck_assert_msg(stun_check_integrity(&v,
			    (const uint8_t *)short_term_pass,
			    strlen(short_term_pass)) == -1,
			    "byte %zu not covered by the HMAC", i);
			ck_assert_msg(stun_check_fingerprint(&v) == -1,
			    "byte %zu not covered by the CRC", i);
		}
		free(b);
	}
}
END_TEST

START_TEST(fingerprint_mismatch)
{
	struct stun_view v;
	uint8_t	*b = exact(sample_ipv4, sizeof(sample_ipv4));

	b[sizeof(sample_ipv4) - 1] ^= 0x80;
	ck_assert_int_eq(stun_parse(b, sizeof(sample_ipv4), &v), 0);
	ck_assert_int_eq(stun_check_fingerprint(&v), -1);
	/* MESSAGE-INTEGRITY does not cover FINGERPRINT. */
	ck_assert_int_eq(stun_check_integrity(&v,
	    (const uint8_t *)short_term_pass, strlen(short_term_pass)), 0);
	free(b);
}
END_TEST

START_TEST(no_integrity_no_fingerprint)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 0 };

	stun_init(&m, STUN_BINDING | STUN_REQUEST, tid);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_uint_eq(v.nattrs, 0);
	ck_assert_int_eq(stun_check_integrity(&v, (const uint8_t *)"k", 1),
	    -1);
	ck_assert_int_eq(stun_check_fingerprint(&v), -1);
}
END_TEST

START_TEST(attributes_after_integrity_skipped)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 1, 2, 3 };
	uint8_t	 key[STUN_KEY_LEN];

	ck_assert_int_eq(stun_long_term_key("u", "r", "p", key), 0);
	stun_init(&m, STUN_ALLOCATE | STUN_SUCCESS, tid);
	ck_assert_int_eq(stun_add_u32(&m, STUN_A_LIFETIME, 600), 0);
	ck_assert_int_eq(stun_add_integrity(&m, key, sizeof(key)), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_SOFTWARE, "late"), 0);
	ck_assert_int_eq(stun_add_fingerprint(&m), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_ptr_null(stun_find(&v, STUN_A_SOFTWARE));
	ck_assert_int_eq(stun_check_integrity(&v, key, sizeof(key)), 0);
	ck_assert_int_eq(stun_check_fingerprint(&v), 0);
}
END_TEST

/* --- TURN pieces --- */

START_TEST(error_code_round_trip)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 9 };
	char	 reason[64];
	int	 code = 0;

	stun_init(&m, STUN_ALLOCATE | STUN_ERROR, tid);
	ck_assert_int_eq(stun_add_error(&m, 438, "Stale Nonce"), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_NONCE, "n2"), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_REALM, "r"), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_uint_eq(STUN_CLASS(v.type), STUN_ERROR);
	ck_assert_uint_eq(STUN_METHOD(v.type), STUN_ALLOCATE);
	ck_assert_int_eq(stun_get_error(&v, &code, reason, sizeof(reason)), 0);
	ck_assert_int_eq(code, 438);
	ck_assert_str_eq(reason, "Stale Nonce");
	/* A short buffer cuts the reason. */
	ck_assert_int_eq(stun_get_error(&v, &code, reason, 6), 0);
	ck_assert_str_eq(reason, "Stale");
	ck_assert_int_eq(stun_add_error(&m, 299, "x"), -1);
	ck_assert_int_eq(stun_add_error(&m, 700, "x"), -1);
}
END_TEST

START_TEST(error_code_bad_values)
{
	static const uint8_t cls_num[][2] = {
		{ 2, 0 }, { 7, 0 }, { 0, 0 }, { 4, 100 }, { 4, 255 }
	};
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 0 }, val[8];
	size_t	 i;
	int	 code;
	char	 reason[8];

	for (i = 0; i < sizeof(cls_num) / sizeof(cls_num[0]); i++) {
		memset(val, 0, sizeof(val));
		val[2] = cls_num[i][0];
		val[3] = cls_num[i][1];
		stun_init(&m, STUN_ALLOCATE | STUN_ERROR, tid);
		ck_assert_int_eq(stun_add(&m, STUN_A_ERROR_CODE, val, 4), 0);
		ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
		ck_assert_int_eq(stun_get_error(&v, &code, reason,
		    sizeof(reason)), -1);
	}
	/* Shorter than its fixed part. */
	stun_init(&m, STUN_ALLOCATE | STUN_ERROR, tid);
	ck_assert_int_eq(stun_add(&m, STUN_A_ERROR_CODE, val, 3), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), -1);
}
END_TEST

START_TEST(relayed_and_lifetime)
{
	struct stun_view v;
	struct stun_msg m;
	struct sockaddr_in sin;
	struct sockaddr_storage ss;
	uint8_t	 tid[STUN_TID_LEN] = { 0xaa, 0xbb };
	uint32_t life = 0;
	char	 s[64];

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(49152);
	inet_pton(AF_INET, "203.0.113.9", &sin.sin_addr);
	stun_init(&m, STUN_ALLOCATE | STUN_SUCCESS, tid);
	ck_assert_int_eq(stun_add_xor_addr(&m, STUN_A_XOR_RELAYED_ADDRESS,
	    (struct sockaddr *)&sin), 0);
	ck_assert_int_eq(stun_add_u32(&m, STUN_A_LIFETIME, 600), 0);
	ck_assert_int_eq(stun_add_fingerprint(&m), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_int_eq(stun_get_xor_addr(&v, STUN_A_XOR_RELAYED_ADDRESS,
	    &ss), 0);
	ck_assert_str_eq(stun_addr_str(&ss, s, sizeof(s)),
	    "203.0.113.9:49152");
	ck_assert_int_eq(stun_get_xor_addr(&v, STUN_A_XOR_MAPPED_ADDRESS,
	    &ss), -1);
	ck_assert_int_eq(stun_get_u32(&v, STUN_A_LIFETIME, &life), 0);
	ck_assert_uint_eq(life, 600);
	ck_assert_int_eq(stun_check_fingerprint(&v), 0);
}
END_TEST

START_TEST(xor_address_bad_family)
{
	/* family, length */
	static const uint8_t cases[][2] = {
		{ 0x03, 8 }, { 0x00, 8 }, { 0x01, 20 }, { 0x02, 8 }
	};
	struct stun_view v;
	struct stun_msg m;
	struct sockaddr_storage ss;
	uint8_t	 tid[STUN_TID_LEN] = { 0 }, val[20];
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(val, 0, sizeof(val));
		val[1] = cases[i][0];
		stun_init(&m, STUN_BINDING | STUN_SUCCESS, tid);
		ck_assert_int_eq(stun_add(&m, STUN_A_XOR_MAPPED_ADDRESS, val,
		    cases[i][1]), 0);
		ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
		ck_assert_int_eq(stun_get_xor_addr(&v,
		    STUN_A_XOR_MAPPED_ADDRESS, &ss), -1);
	}
	/* A reserved first byte. */
	memset(val, 0, sizeof(val));
	val[0] = 0x80;
	val[1] = 0x01;
	stun_init(&m, STUN_BINDING | STUN_SUCCESS, tid);
	ck_assert_int_eq(stun_add(&m, STUN_A_XOR_MAPPED_ADDRESS, val, 8), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_int_eq(stun_get_xor_addr(&v, STUN_A_XOR_MAPPED_ADDRESS, &ss),
	    -1);
}
END_TEST

START_TEST(unknown_required)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 0 };

	stun_init(&m, STUN_BINDING | STUN_SUCCESS, tid);
	ck_assert_int_eq(stun_add(&m, 0x8123, "abcd", 4), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_uint_eq(stun_unknown_required(&v), 0);
	ck_assert_int_eq(stun_add(&m, 0x7123, "abcd", 4), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_uint_eq(stun_unknown_required(&v), 0x7123);
}
END_TEST

START_TEST(string_getter_refuses)
{
	struct stun_view v;
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 0 };
	char	 s[8];

	stun_init(&m, STUN_BINDING | STUN_SUCCESS, tid);
	ck_assert_int_eq(stun_add(&m, STUN_A_SOFTWARE, "ab\0cd", 5), 0);
	ck_assert_int_eq(stun_add_str(&m, STUN_A_REALM, "12345678"), 0);
	ck_assert_int_eq(stun_parse(m.buf, m.len, &v), 0);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_SOFTWARE, s, sizeof(s)), -1);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_REALM, s, sizeof(s)), -1);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_REALM, s, 0), -1);
	ck_assert_int_eq(stun_get_str(&v, STUN_A_NONCE, s, sizeof(s)), -1);
}
END_TEST

/* --- the encoder's limits --- */

START_TEST(encoder_full)
{
	struct stun_msg m;
	uint8_t	 tid[STUN_TID_LEN] = { 0 }, big[300];
	int	 i, failed = 0;

	memset(big, 'x', sizeof(big));
	stun_init(&m, STUN_BINDING | STUN_REQUEST, tid);
	for (i = 0; i < 10; i++)
		if (stun_add(&m, STUN_A_SOFTWARE, big, sizeof(big)) == -1)
			failed++;
	ck_assert_int_gt(failed, 0);
	ck_assert_int_eq(m.full, 1);
	ck_assert_uint_le(m.len, STUN_MSG_MAX);
	/* Once full, nothing more is added, not even something small. */
	ck_assert_int_eq(stun_add_u32(&m, STUN_A_LIFETIME, 0), -1);
	ck_assert_int_eq(stun_add_fingerprint(&m), -1);

	stun_init(&m, STUN_BINDING | STUN_REQUEST, tid);
	ck_assert_int_eq(stun_add(&m, STUN_A_DATA, big, 0x10000), -1);
}
END_TEST

START_TEST(frame_len)
{
	uint8_t	 h[STUN_HEADER_LEN];

	memcpy(h, sample_request, sizeof(h));
	ck_assert_int_eq(stun_frame_len(h, sizeof(h)),
	    (long)sizeof(sample_request));
	ck_assert_int_eq(stun_frame_len(h, sizeof(h) - 1), -1);
	h[2] = 0x10;	/* 4184 bytes: more than we read */
	ck_assert_int_eq(stun_frame_len(h, sizeof(h)), -1);
	h[2] = 0x00;
	h[3] = 0x57;
	ck_assert_int_eq(stun_frame_len(h, sizeof(h)), -1);
	h[3] = 0x58;
	h[4] = 0x00;
	ck_assert_int_eq(stun_frame_len(h, sizeof(h)), -1);
}
END_TEST

/* --- hostile messages --- */

START_TEST(hostile_truncated)
{
	size_t	 n;

	/* Every prefix: short headers, and bodies shorter than announced. */
	for (n = 0; n < sizeof(sample_request); n++)
		ck_assert_msg(parse_copy(sample_request, n) == -1,
		    "a %zu-byte prefix was accepted", n);
	ck_assert_int_eq(stun_parse(NULL, 0, &(struct stun_view){ 0 }), -1);
}
END_TEST

START_TEST(hostile_longer_than_announced)
{
	uint8_t	 b[sizeof(sample_request) + 4];

	memcpy(b, sample_request, sizeof(sample_request));
	memset(b + sizeof(sample_request), 0, 4);
	ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
}
END_TEST

START_TEST(hostile_length_not_multiple_of_4)
{
	uint8_t	 b[STUN_HEADER_LEN + 7];

	memcpy(b, sample_request, STUN_HEADER_LEN);
	b[2] = 0;
	b[3] = 7;
	memcpy(b + STUN_HEADER_LEN, "\x80\x22\x00\x03" "abc", 7);
	ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
}
END_TEST

START_TEST(hostile_wrong_cookie)
{
	uint8_t	 b[sizeof(sample_request)];
	size_t	 i;

	for (i = 4; i < 8; i++) {
		memcpy(b, sample_request, sizeof(b));
		b[i] ^= 0x10;
		ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
	}
	/* The first two bits of a STUN message are zero. */
	memcpy(b, sample_request, sizeof(b));
	b[0] |= 0x40;
	ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
	b[0] = 0x80;
	ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
}
END_TEST

/* A message whose body is the given attribute bytes. */
static int
parse_body(const uint8_t *body, size_t len)
{
	uint8_t	*b = malloc(STUN_HEADER_LEN + len);
	struct stun_view v;
	int	 rc;

	ck_assert_ptr_nonnull(b);
	memcpy(b, sample_request, STUN_HEADER_LEN);
	b[2] = (uint8_t)(len >> 8);
	b[3] = (uint8_t)len;
	memcpy(b + STUN_HEADER_LEN, body, len);
	rc = stun_parse(b, STUN_HEADER_LEN + len, &v);
	free(b);
	return rc;
}

START_TEST(hostile_attribute_past_end)
{
	/* Announces 256 bytes, holds 4. */
	static const uint8_t past[] = { 0x80, 0x22, 0x01, 0x00, 'a', 'b', 'c',
	    'd' };
	/* 5 bytes, whose padding would need 3 more than there are. */
	static const uint8_t pad[] = { 0x80, 0x22, 0x00, 0x05, 'a', 'b', 'c',
	    'd' };
	static const uint8_t ok[] = { 0x80, 0x22, 0x00, 0x04, 'a', 'b', 'c',
	    'd' };

	ck_assert_int_eq(parse_body(past, sizeof(past)), -1);
	ck_assert_int_eq(parse_body(pad, sizeof(pad)), -1);
	ck_assert_int_eq(parse_body(ok, sizeof(ok)), 0);
	ck_assert_int_eq(parse_copy((const uint8_t *)"", 0), -1);
}
END_TEST

START_TEST(hostile_zero_length)
{
	static const uint16_t sized[] = {
		STUN_A_MESSAGE_INTEGRITY, STUN_A_FINGERPRINT,
		STUN_A_XOR_MAPPED_ADDRESS, STUN_A_XOR_RELAYED_ADDRESS,
		STUN_A_MAPPED_ADDRESS, STUN_A_ERROR_CODE, STUN_A_LIFETIME,
		STUN_A_USERNAME, STUN_A_REALM, STUN_A_NONCE,
		STUN_A_REQUESTED_TRANSPORT, STUN_A_PRIORITY,
		STUN_A_ICE_CONTROLLED, STUN_A_MESSAGE_INTEGRITY_SHA256
	};
	uint8_t	 b[4];
	size_t	 i;

	for (i = 0; i < sizeof(sized) / sizeof(sized[0]); i++) {
		b[0] = (uint8_t)(sized[i] >> 8);
		b[1] = (uint8_t)sized[i];
		b[2] = b[3] = 0;
		ck_assert_msg(parse_body(b, sizeof(b)) == -1,
		    "empty attribute 0x%04x accepted", sized[i]);
	}
	/* An empty attribute of a type without a size rule is fine. */
	memcpy(b, "\x80\x55\x00\x00", 4);
	ck_assert_int_eq(parse_body(b, sizeof(b)), 0);
}
END_TEST

START_TEST(hostile_oversized)
{
	static const struct {
		uint16_t type;
		size_t	 len;
	} cases[] = {
		{ STUN_A_MESSAGE_INTEGRITY, 24 },
		{ STUN_A_MESSAGE_INTEGRITY, 16 },
		{ STUN_A_FINGERPRINT, 8 },
		{ STUN_A_LIFETIME, 8 },
		{ STUN_A_XOR_MAPPED_ADDRESS, 24 },
		{ STUN_A_XOR_MAPPED_ADDRESS, 12 },
		{ STUN_A_USERNAME, 513 },
		{ STUN_A_REALM, 764 },
		{ STUN_A_NONCE, 764 },
		{ STUN_A_SOFTWARE, 764 },
		{ STUN_A_ERROR_CODE, 4 + 764 },
		{ STUN_A_MESSAGE_INTEGRITY_SHA256, 36 }
	};
	uint8_t	*b;
	size_t	 i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = 4 + ((cases[i].len + 3) & ~(size_t)3);
		b = calloc(1, n);
		ck_assert_ptr_nonnull(b);
		b[0] = (uint8_t)(cases[i].type >> 8);
		b[1] = (uint8_t)cases[i].type;
		b[2] = (uint8_t)(cases[i].len >> 8);
		b[3] = (uint8_t)cases[i].len;
		memset(b + 4, 'a', cases[i].len);
		ck_assert_msg(parse_body(b, n) == -1,
		    "attribute 0x%04x of %zu bytes accepted", cases[i].type,
		    cases[i].len);
		free(b);
	}
}
END_TEST

START_TEST(hostile_largest_attribute)
{
	/* The largest message: 65532 bytes of body, one attribute claiming
	 * 65535 bytes. */
	size_t	 n = 65532;
	uint8_t	*b = calloc(1, n);

	ck_assert_ptr_nonnull(b);
	memcpy(b, "\x80\x55\xff\xff", 4);
	ck_assert_int_eq(parse_body(b, n), -1);
	/* Claiming exactly what is there is fine. */
	b[2] = (uint8_t)((n - 4) >> 8);
	b[3] = (uint8_t)(n - 4);
	ck_assert_int_eq(parse_body(b, n), 0);
	free(b);
}
END_TEST

START_TEST(hostile_many_attributes)
{
	size_t	 i, n;
	uint8_t	*b;

	/* 10,000 empty attributes: 40,000 bytes, within the length field. */
	n = 10000 * 4;
	b = malloc(n);
	ck_assert_ptr_nonnull(b);
	for (i = 0; i < n; i += 4)
		memcpy(b + i, "\x80\x55\x00\x00", 4);
	ck_assert_int_eq(parse_body(b, n), -1);
	/* The cap itself is allowed, one more is not. */
	ck_assert_int_eq(parse_body(b, STUN_ATTRS_MAX * 4), 0);
	ck_assert_int_eq(parse_body(b, (STUN_ATTRS_MAX + 1) * 4), -1);
	free(b);
}
END_TEST

START_TEST(hostile_after_fingerprint)
{
	uint8_t	 b[sizeof(sample_request) + 8];

	memcpy(b, sample_request, sizeof(sample_request));
	memcpy(b + sizeof(sample_request), "\x80\x22\x00\x04" "abcd", 8);
	b[3] += 8;
	ck_assert_int_eq(parse_copy(b, sizeof(b)), -1);
}
END_TEST

/* A small deterministic generator, so that a failure can be replayed. */
static uint32_t
next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

START_TEST(hostile_mutations)
{
	const uint8_t *src[] = { sample_request, sample_ipv4, sample_ipv6,
	    sample_long_term };
	const size_t srclen[] = { sizeof(sample_request), sizeof(sample_ipv4),
	    sizeof(sample_ipv6), sizeof(sample_long_term) };
	struct stun_view v;
	struct sockaddr_storage ss;
	uint32_t seed = 0x1ce0bd, u;
	uint8_t	*b;
	char	 s[64];
	size_t	 i, k, n, len;
	int	 code;

	for (i = 0; i < 20000; i++) {
		k = i % 4;
		len = srclen[k];
		if (next_rand(&seed) % 4 == 0)
			len = next_rand(&seed) % (len + 1);
		b = exact(src[k], len);
		for (n = next_rand(&seed) % 6 + 1; n > 0 && len > 0; n--)
			b[next_rand(&seed) % len] ^=
			    (uint8_t)(1u << (next_rand(&seed) % 8));
		/* Keep the header's length honest half of the time, so that
		 * the attribute walk is reached. */
		if (len >= STUN_HEADER_LEN && i % 2 == 0) {
			b[2] = (uint8_t)((len - STUN_HEADER_LEN) >> 8);
			b[3] = (uint8_t)(len - STUN_HEADER_LEN);
		}
		if (stun_parse(b, len, &v) == 0) {
			for (n = 0; n < v.nattrs; n++)
				ck_assert(v.attrs[n].val >= b + STUN_HEADER_LEN &&
				    v.attrs[n].val + v.attrs[n].len <= b + len);
			stun_get_xor_addr(&v, STUN_A_XOR_MAPPED_ADDRESS, &ss);
			stun_get_error(&v, &code, s, sizeof(s));
			stun_get_str(&v, STUN_A_USERNAME, s, sizeof(s));
			stun_get_u32(&v, STUN_A_PRIORITY, &u);
			stun_check_integrity(&v, (const uint8_t *)"k", 1);
			stun_check_fingerprint(&v);
			stun_unknown_required(&v);
		}
		free(b);
	}
}
END_TEST

UNIT_SUITE(probe_stun)
{
	Suite	*s = suite_create("probe_stun");

	unit_tcase(s, "rfc5769", TESTS(rfc5769_request_decodes,
	    rfc5769_request_encodes, rfc5769_ipv4_response,
	    rfc5769_ipv6_response, rfc5769_long_term));
	unit_tcase(s, "integrity", TESTS(integrity_wrong_key,
	    integrity_covers_every_byte, fingerprint_mismatch,
	    no_integrity_no_fingerprint, attributes_after_integrity_skipped));
	unit_tcase(s, "turn", TESTS(error_code_round_trip,
	    error_code_bad_values, relayed_and_lifetime, xor_address_bad_family,
	    unknown_required, string_getter_refuses, encoder_full, frame_len));
	unit_tcase(s, "hostile", TESTS(hostile_truncated,
	    hostile_longer_than_announced, hostile_length_not_multiple_of_4,
	    hostile_wrong_cookie, hostile_attribute_past_end,
	    hostile_zero_length, hostile_oversized, hostile_largest_attribute,
	    hostile_many_attributes, hostile_after_fingerprint,
	    hostile_mutations));
	return s;
}
