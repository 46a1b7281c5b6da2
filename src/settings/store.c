/* store.c: what is kept of the settings: where each value came from,
 * free, a deep copy, and the digests that key the cache. */
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util.h"
#include "parts.h"
#include "table.h"

static char *
field_str(struct settings *s, const struct setting *t)
{
	return *(char **)((char *)s + t->off);
}

const char *
settings_origin(const struct settings *s, size_t off)
{
	int	 i = settings_find(off);

	if (i == -1 || s->origin == NULL || s->origin[i] == NULL)
		return "default";
	return s->origin[i];
}

enum origin_kind
settings_origin_kind(const struct settings *s, size_t off)
{
	int	 i = settings_find(off);

	return i == -1 || s->origin_kind == NULL ? FROM_DEFAULT :
	    s->origin_kind[i];
}

void
settings_free(struct settings *s)
{
	size_t	 i;

	for (i = 0; i < settings_count; i++) {
		if (settings_table[i].kind == K_SECRET)
			util_free_secret(field_str(s, &settings_table[i]));
		else if (settings_table[i].kind == K_STR || settings_table[i].kind == K_LIST)
			free(field_str(s, &settings_table[i]));
		if (s->origin != NULL)
			free(s->origin[i]);
	}
	free(s->origin);
	free(s->origin_kind);
	free(s->config);
	memset(s, 0, sizeof(*s));
}

struct settings *
settings_copy(const struct settings *s)
{
	struct settings	*c = xmalloc(sizeof(*c));
	char		**f;
	size_t		 i;

	*c = *s;
	for (i = 0; i < settings_count; i++)
		if (settings_table[i].kind == K_SECRET || settings_table[i].kind == K_STR ||
		    settings_table[i].kind == K_LIST) {
			f = (char **)((char *)c + settings_table[i].off);
			if (*f != NULL)
				*f = xstrdup(*f);
		}
	if (s->origin != NULL) {
		c->origin = xcalloc(settings_count, sizeof(*c->origin));
		for (i = 0; i < settings_count; i++)
			if (s->origin[i] != NULL)
				c->origin[i] = xstrdup(s->origin[i]);
	}
	if (s->origin_kind != NULL) {
		c->origin_kind = xcalloc(settings_count, sizeof(*c->origin_kind));
		memcpy(c->origin_kind, s->origin_kind,
		    settings_count * sizeof(*c->origin_kind));
	}
	if (s->config != NULL)
		c->config = xstrdup(s->config);
	return c;
}

/* 1 when key is named by a pattern of pats: the key itself, or "group."
 * for every key of that group. */
static int
key_matches(const char *key, const char *const *pats)
{
	size_t	 i, n;

	for (i = 0; pats[i] != NULL; i++) {
		n = strlen(pats[i]);
		if (n > 0 && pats[i][n - 1] == '.' ? strncmp(key, pats[i],
		    n) == 0 : strcmp(key, pats[i]) == 0)
			return 1;
	}
	return 0;
}

/* The hex SHA-256 of the settings whose keys match pats (match 1) or do
 * not (match 0). */
static void
digest_keys(const struct settings *s, const char *const *pats, int match,
    char hex[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	const char	*v;
	EVP_MD_CTX	*ctx = EVP_MD_CTX_new();
	char		 num[32];
	size_t		 i;

	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (i = 0; i < settings_count; i++) {
		if (key_matches(settings_table[i].key, pats) != match)
			continue;
		if (settings_table[i].kind == K_STR || settings_table[i].kind == K_SECRET ||
		    settings_table[i].kind == K_LIST)
			v = *(char *const *)((const char *)s + settings_table[i].off);
		else {
			snprintf(num, sizeof(num), "%ld",
			    KIND_IS_LONG(settings_table[i].kind) ? *(const long *)
			    ((const char *)s + settings_table[i].off) :
			    (long)*(const int *)((const char *)s +
			    settings_table[i].off));
			v = num;
		}
		EVP_DigestUpdate(ctx, settings_table[i].key, strlen(settings_table[i].key) + 1);
		EVP_DigestUpdate(ctx, v ? v : "", v ? strlen(v) + 1 : 0);
	}
	EVP_DigestFinal_ex(ctx, md, NULL);
	EVP_MD_CTX_free(ctx);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

void
settings_digest(const struct settings *s, char hex[65])
{
	/* Settings about output, logging, timing and the cache itself. */
	static const char *const skip[] = { "format", "env_name", "output",
		"timeout_ms", "grace_ms", "require_turn", "cacert",
		"log_format", "cache", "no_cache", "force_refresh", "min_ttl",
		"refresh_at", "on_change", "once", "service", "project", "region",
		"container", "sink", "keep", "deploy_timeout", "dry_run",
		"validate_only", "allow_self", "deploy.", "serve.", NULL };

	digest_keys(s, skip, 0, hex);
}

void
settings_digest_of(const struct settings *s, const char *const *keys,
    char hex[65])
{
	digest_keys(s, keys, 1, hex);
}
