/* test_deploy_google.c: the service-account JWT, decoded and verified with the
 * public key, and base64url. */
#include <cjson/cJSON.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/deploy/google.h"
#include "../../src/util.h"
#include "unit.h"

/* --- an independent base64url decoder ---------------------------------- */

static unsigned char *
b64url_decode(const char *s, size_t n, size_t *outlen)
{
	static const char abc[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char	*out = calloc(1, n + 1);
	unsigned long	 acc = 0;
	size_t		 i, o = 0;
	int		 bits = 0;
	const char	*p;

	ck_assert_ptr_nonnull(out);
	for (i = 0; i < n; i++) {
		p = strchr(abc, s[i]);
		ck_assert_msg(p != NULL && s[i] != '\0',
		    "not base64url: byte %zu", i);
		acc = acc << 6 | (unsigned long)(p - abc);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (unsigned char)(acc >> bits & 0xff);
		}
	}
	*outlen = o;
	return out;
}

/* --- the JWT ----------------------------------------------------------- */

static EVP_PKEY *
rsa_key(char **pem)
{
	EVP_PKEY	*k = EVP_RSA_gen(2048);
	BIO		*b = BIO_new(BIO_s_mem());
	char		*p;
	long		 n;

	ck_assert_ptr_nonnull(k);
	/* PKCS#8, as in Google's key files. */
	ck_assert_int_eq(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	n = BIO_get_mem_data(b, &p);
	*pem = strndup(p, (size_t)n);
	BIO_free(b);
	ck_assert(strncmp(*pem, "-----BEGIN PRIVATE KEY-----", 27) == 0);
	return k;
}

static cJSON *
part_json(const char *s, size_t n)
{
	size_t		 len;
	unsigned char	*raw = b64url_decode(s, n, &len);
	cJSON		*j = cJSON_ParseWithLength((char *)raw, len);

	free(raw);
	ck_assert_ptr_nonnull(j);
	return j;
}

START_TEST(jwt_header_claims_signature)
{
	const char	*aud = "https://oauth2.googleapis.com/token";
	char		*pem, *jwt, err[256], *d1, *d2;
	EVP_PKEY	*k = rsa_key(&pem);
	EVP_MD_CTX	*md = EVP_MD_CTX_new();
	unsigned char	*sig;
	size_t		 siglen;
	cJSON		*h, *c;
	time_t		 now = 1767225600;

	ck_assert_int_eq(google_jwt("sa@p.iam.gserviceaccount.com", "kid-1",
	    pem, aud, now, &jwt, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(d1 = strchr(jwt, '.'));
	ck_assert_ptr_nonnull(d2 = strchr(d1 + 1, '.'));
	ck_assert_ptr_null(strchr(d2 + 1, '.'));
	ck_assert_ptr_null(strpbrk(jwt, "=+/"));

	h = part_json(jwt, (size_t)(d1 - jwt));
	ck_assert_str_eq(cJSON_GetObjectItem(h, "alg")->valuestring, "RS256");
	ck_assert_str_eq(cJSON_GetObjectItem(h, "typ")->valuestring, "JWT");
	ck_assert_str_eq(cJSON_GetObjectItem(h, "kid")->valuestring, "kid-1");
	ck_assert_int_eq(cJSON_GetArraySize(h), 3);

	c = part_json(d1 + 1, (size_t)(d2 - d1 - 1));
	ck_assert_str_eq(cJSON_GetObjectItem(c, "iss")->valuestring,
	    "sa@p.iam.gserviceaccount.com");
	ck_assert_str_eq(cJSON_GetObjectItem(c, "scope")->valuestring,
	    "https://www.googleapis.com/auth/cloud-platform");
	ck_assert_str_eq(cJSON_GetObjectItem(c, "aud")->valuestring, aud);
	ck_assert(cJSON_GetObjectItem(c, "iat")->valuedouble == (double)now);
	ck_assert(cJSON_GetObjectItem(c, "exp")->valuedouble ==
	    (double)now + 3600);
	ck_assert_int_eq(cJSON_GetArraySize(c), 5);

	/* RSASSA-PKCS1-v1_5 SHA-256 over "header.claims". */
	sig = b64url_decode(d2 + 1, strlen(d2 + 1), &siglen);
	ck_assert_uint_eq(siglen, 256);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k),
	    1);
	ck_assert_int_eq(EVP_DigestVerify(md, sig, siglen,
	    (unsigned char *)jwt, (size_t)(d2 - jwt)), 1);
	/* And not over anything else. */
	jwt[2] ^= 1;
	EVP_MD_CTX_reset(md);
	ck_assert_int_eq(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, k),
	    1);
	ck_assert_int_ne(EVP_DigestVerify(md, sig, siglen,
	    (unsigned char *)jwt, (size_t)(d2 - jwt)), 1);

	free(sig);
	cJSON_Delete(h);
	cJSON_Delete(c);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	free(jwt);
	free(pem);
}
END_TEST

START_TEST(jwt_without_kid)
{
	char	*pem, *jwt, err[256];
	EVP_PKEY *k = rsa_key(&pem);
	cJSON	*h;

	ck_assert_int_eq(google_jwt("a@b", NULL, pem, "https://x/token", 1,
	    &jwt, err, sizeof(err)), 0);
	h = part_json(jwt, strcspn(jwt, "."));
	ck_assert_ptr_null(cJSON_GetObjectItem(h, "kid"));
	ck_assert_int_eq(cJSON_GetArraySize(h), 2);
	cJSON_Delete(h);
	EVP_PKEY_free(k);
	free(jwt);
	free(pem);
}
END_TEST

START_TEST(jwt_refuses_bad_keys)
{
	EVP_PKEY	*ec = EVP_EC_gen("P-256");
	BIO		*b = BIO_new(BIO_s_mem());
	char		*p, *pem, *jwt = (char *)"x", err[256];
	long		 n;

	ck_assert_int_eq(PEM_write_bio_PrivateKey(b, ec, NULL, NULL, 0, NULL,
	    NULL), 1);
	n = BIO_get_mem_data(b, &p);
	pem = strndup(p, (size_t)n);
	ck_assert_int_eq(google_jwt("a@b", NULL, pem, "https://x/token", 1,
	    &jwt, err, sizeof(err)), -1);
	ck_assert_ptr_null(jwt);
	ck_assert_str_eq(err, "the private key is not an RSA key");
	ck_assert_int_eq(google_jwt("a@b", NULL, "-----BEGIN PRIVATE KEY-----\n"
	    "c2VjcmV0LWtleS1ieXRlcw==\n-----END PRIVATE KEY-----\n",
	    "https://x/token", 1, &jwt, err, sizeof(err)), -1);
	/* The message never quotes the key. */
	ck_assert_ptr_null(strstr(err, "c2VjcmV0"));
	BIO_free(b);
	EVP_PKEY_free(ec);
	free(pem);
}
END_TEST

START_TEST(b64url_vectors)
{
	static const struct { const char *in; size_t n; const char *out; } v[] = {
		{ "", 0, "" }, { "f", 1, "Zg" }, { "fo", 2, "Zm8" },
		{ "foo", 3, "Zm9v" }, { "foob", 4, "Zm9vYg" },
		{ "fooba", 5, "Zm9vYmE" }, { "foobar", 6, "Zm9vYmFy" },
		{ "\xfb\xff\xbf", 3, "-_-_" },
	};
	struct strbuf	 b;
	size_t		 i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		memset(&b, 0, sizeof(b));
		google_b64url(&b, v[i].in, v[i].n);
		ck_assert_str_eq(b.s, v[i].out);
		sb_free(&b);
	}
}
END_TEST

UNIT_SUITE(deploy_google)
{
	return unit_suite("deploy_google", "jwt",
	    TESTS(jwt_header_claims_signature, jwt_without_kid,
	    jwt_refuses_bad_keys, b64url_vectors));
}
