/* outstate.c: what watch last wrote to -o FILE (see outstate.h). */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "outstate.h"
#include "util.h"

#define OUTSTATE_TAG	"iceupd-output 1"

static void
sha256_hex(const char *const *parts, size_t n, char hex[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	size_t		 i;

	if (ctx == NULL)
		util_out_of_memory();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; i < n; i++)
		EVP_DigestUpdate(ctx, parts[i], strlen(parts[i]) + 1);
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The settings that shape the file: what the cache keys on, and the
 * rendering (format, variable names). */
static void
settings_key(const struct settings *s, char hex[65])
{
	static const char *const render[] = { "format", "env_name", NULL };
	char	 cache[65], out[65];
	const char *parts[2] = { cache, out };

	settings_digest(s, cache);
	settings_digest_of(s, render, out);
	sha256_hex(parts, 2, hex);
}

void
outstate_make(struct outstate *st, const struct settings *s,
    const char *text, const struct ice_list *l)
{
	memset(st, 0, sizeof(*st));
	sha256_hex(&text, 1, st->digest);
	settings_key(s, st->key);
	st->fetched_at = l->fetched_at;
	st->expires = ice_list_expires(l);
	st->has_turn = ice_list_has_turn(l);
}

int
outstate_read(int fd, struct outstate *st)
{
	char	 buf[256];
	long long f, e;
	ssize_t	 n;
	int	 turn;

	memset(st, 0, sizeof(*st));
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, OUTSTATE_TAG " %64[0-9a-f] %64[0-9a-f] %lld %lld %d",
	    st->digest, st->key, &f, &e, &turn) != 5 ||
	    strlen(st->digest) != 64 || strlen(st->key) != 64 || f <= 0 ||
	    e < 0 || (turn != 0 && turn != 1)) {
		memset(st, 0, sizeof(*st));
		return -1;
	}
	st->fetched_at = (time_t)f;
	st->expires = (time_t)e;
	st->has_turn = turn;
	return 0;
}

int
outstate_write(int fd, const struct outstate *st)
{
	char	 buf[256];
	int	 n = 0;

	if (st != NULL)
		n = snprintf(buf, sizeof(buf), OUTSTATE_TAG " %s %s %lld %lld %d\n",
		    st->digest, st->key, (long long)st->fetched_at,
		    (long long)st->expires, st->has_turn);
	if (ftruncate(fd, 0) == -1)
		return -1;
	if (n > 0 && pwrite(fd, buf, (size_t)n, 0) != n) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

int
outstate_matches(const struct outstate *st, const struct settings *s,
    const char *text)
{
	char	 digest[65], key[65];

	if (st->fetched_at == 0 || text == NULL)
		return 0;
	sha256_hex(&text, 1, digest);
	settings_key(s, key);
	return strcmp(digest, st->digest) == 0 && strcmp(key, st->key) == 0;
}
