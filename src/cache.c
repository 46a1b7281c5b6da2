/* cache.c: the last good list and provider health, on disk.
 *
 * The file is JSON, its own format, independent of the -f json report:
 *
 *   {"iceupd_cache": 2,
 *    "key": "<settings digest the list was made under>",
 *    "list": {"provider": "twilio", "fetched_at": "<RFC 3339>",
 *             "servers": [{"urls": [...], "username": "u",
 *                          "credential": "c", "expires_at": <time|null>}]},
 *    "health": {"<provider>": {"config": "<digest of its settings>",
 *               "failures": n, "latency_ms": n, "error": <text|null>,
 *               "last_ok": <time|null>, "next_try": <time|null>,
 *               "not_before": <time|null>}}}
 *
 * Format 1 (the list as the json report, under "iceServers") is still
 * read.  It is replaced atomically; a sidecar FILE.lock carries the flock,
 * since a lock on the file itself would stay with the inode that rename
 * replaces. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "log.h"
#include "safefile.h"
#include "util.h"

#define CACHE_FORMAT	2	/* written; 1 is still read */
#define CACHE_MAX	(1024 * 1024)

/* Rebuilds the list: its servers under "servers" (format 2) or, as the
 * json report had them, "iceServers" (1).  0, or -1 when it does not hold. */
static int
parse_list(const cJSON *o, int format, struct ice_list *l)
{
	const cJSON *servers, *e, *urls, *u, *user, *cred, *prov;
	char	 err[128];

	servers = cJSON_GetObjectItemCaseSensitive(o, format == 1 ?
	    "iceServers" : "servers");
	if (!cJSON_IsArray(servers))
		return -1;
	cJSON_ArrayForEach(e, servers) {
		urls = cJSON_GetObjectItemCaseSensitive(e, "urls");
		user = cJSON_GetObjectItemCaseSensitive(e, "username");
		cred = cJSON_GetObjectItemCaseSensitive(e, "credential");
		if (!cJSON_IsArray(urls))
			return -1;
		cJSON_ArrayForEach(u, urls)
			if (!cJSON_IsString(u) || ice_list_add(l,
			    u->valuestring, cJSON_GetStringValue(user),
			    cJSON_GetStringValue(cred),
			    util_json_get_time(e, "expires_at"), err,
			    sizeof(err)) == -1)
				return -1;
	}
	prov = cJSON_GetObjectItemCaseSensitive(o, "provider");
	snprintf(l->provider, sizeof(l->provider), "%s",
	    cJSON_IsString(prov) ? prov->valuestring : "cache");
	l->fetched_at = util_json_get_time(o, "fetched_at");
	return l->n > 0 ? 0 : -1;
}

static void
parse_health(const cJSON *o, struct cache *c, cache_keep_fn *keep, void *arg)
{
	const cJSON *h, *v;
	struct provider_health *ph;

	cJSON_ArrayForEach(h, o) {
		if (c->nhealth == CACHE_HEALTH_MAX)
			break;
		if (!cJSON_IsObject(h) ||
		    strlen(h->string) >= sizeof(c->health[0].name))
			continue;
		ph = &c->health[c->nhealth];
		snprintf(ph->name, sizeof(ph->name), "%s", h->string);
		v = cJSON_GetObjectItemCaseSensitive(h, "config");
		snprintf(ph->config, sizeof(ph->config), "%s",
		    cJSON_IsString(v) ? v->valuestring : "");
		v = cJSON_GetObjectItemCaseSensitive(h, "failures");
		ph->failures = cJSON_IsNumber(v) && v->valuedouble > 0 ?
		    (int)(v->valuedouble < CACHE_FAILURES_MAX ? v->valuedouble :
		    CACHE_FAILURES_MAX) : 0;
		v = cJSON_GetObjectItemCaseSensitive(h, "latency_ms");
		ph->latency_ms = cJSON_IsNumber(v) && v->valuedouble > 0 &&
		    v->valuedouble < 86400000 ? (long)v->valuedouble : 0;
		v = cJSON_GetObjectItemCaseSensitive(h, "error");
		snprintf(ph->error, sizeof(ph->error), "%s",
		    cJSON_IsString(v) ? v->valuestring : "");
		log_redact(ph->error, sizeof(ph->error));
		ph->last_ok = util_json_get_time(h, "last_ok");
		ph->next_try = util_json_get_time(h, "next_try");
		ph->not_before = util_json_get_time(h, "not_before");
		/* Entries that do not hold would take the others' slots. */
		if (keep(ph, arg))
			c->nhealth++;
	}
}

/* Parses the file's text; 0, or -1 when it is not a cache of ours. */
static int
parse(const char *text, struct cache *c, cache_keep_fn *keep, void *arg)
{
	const cJSON *v;
	cJSON	*doc;
	int	 rc = -1, format;

	if ((doc = cJSON_Parse(text)) == NULL)
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(doc, "iceupd_cache");
	if (!cJSON_IsNumber(v) || (v->valuedouble != 1 &&
	    v->valuedouble != CACHE_FORMAT))
		goto out;
	format = (int)v->valuedouble;
	v = cJSON_GetObjectItemCaseSensitive(doc, "key");
	if (cJSON_IsString(v))
		snprintf(c->key, sizeof(c->key), "%s", v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(doc, "list");
	if (cJSON_IsObject(v) && parse_list(v, format, &c->list) == -1)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(doc, "health");
	if (cJSON_IsObject(v))
		parse_health(v, c, keep, arg);
	rc = 0;
out:
	cJSON_Delete(doc);
	if (rc == -1)
		cache_free(c);
	return rc;
}

/* Reads path.  A file that cannot be read is told at -v only: writing
 * replaces it, or fails, and the engine says that once.  A corrupt one is
 * a warning when warn is set (the reader), else (the writer) at -v. */
static int
read_locked(const char *path, struct cache *c, int warn, cache_keep_fn *keep,
    void *arg)
{
	char	*text = NULL;
	int	 rc;

	memset(c, 0, sizeof(*c));
	if (safe_read_small_file(path, &text, CACHE_MAX) == -1) {
		if (errno != ENOENT)
			log_info("cache %s: %s; ignored", path,
			    safe_strerror(errno));
		return -1;
	}
	if ((rc = parse(text, c, keep, arg)) == -1)
		log_msg(warn ? LOG_WARN : LOG_INFO, "cache %s is corrupt; "
		    "ignored", path);
	util_free_secret(text);
	return rc;
}

int
cache_load(const char *path, long wait_ms, cache_keep_fn *keep, void *arg,
    struct cache *c)
{
	int	 fd, rc;

	memset(c, 0, sizeof(*c));
	/* Files are replaced by rename: without the lock (a read-only
	 * folder, a writer stuck), a reader still sees a whole file. */
	if ((fd = safe_lock(path, LOCK_SH, wait_ms)) == -1 &&
	    errno != ENOENT && errno != EROFS && errno != EACCES &&
	    errno != EWOULDBLOCK) {
		/* Not a warning: cache_store fails the same way, and its
		 * caller says so once. */
		log_info("cache %s.lock: %s; cache ignored", path,
		    safe_strerror(errno));
		return -1;
	}
	rc = read_locked(path, c, 1, keep, arg);
	if (fd != -1)
		close(fd);
	return rc;
}

/* The list in the cache's own shape: one entry per server, with its own
 * expiry. */
static cJSON *
render_list(const struct ice_list *l)
{
	const struct ice_server *srv;
	cJSON	*o = cJSON_CreateObject(), *servers, *e, *urls;
	size_t	 i, k;

	cJSON_AddStringToObject(o, "provider", l->provider);
	util_json_add_time(o, "fetched_at", l->fetched_at);
	servers = cJSON_AddArrayToObject(o, "servers");
	for (i = 0; i < l->n; i++) {
		srv = &l->servers[i];
		e = cJSON_CreateObject();
		urls = cJSON_AddArrayToObject(e, "urls");
		for (k = 0; k < srv->nurls; k++)
			cJSON_AddItemToArray(urls,
			    cJSON_CreateString(srv->urls[k]));
		if (srv->username != NULL)
			cJSON_AddStringToObject(e, "username", srv->username);
		if (srv->credential != NULL)
			cJSON_AddStringToObject(e, "credential",
			    srv->credential);
		util_json_add_time(e, "expires_at", srv->expires);
		cJSON_AddItemToArray(servers, e);
	}
	return o;
}

static char *
render(const struct cache *c)
{
	cJSON	*doc = cJSON_CreateObject(), *health, *h;
	char	*text;
	size_t	 i;

	cJSON_AddNumberToObject(doc, "iceupd_cache", CACHE_FORMAT);
	cJSON_AddStringToObject(doc, "key", c->key);
	if (c->list.n > 0)
		cJSON_AddItemToObject(doc, "list", render_list(&c->list));
	health = cJSON_AddObjectToObject(doc, "health");
	for (i = 0; i < c->nhealth; i++) {
		h = cJSON_AddObjectToObject(health, c->health[i].name);
		cJSON_AddStringToObject(h, "config", c->health[i].config);
		cJSON_AddNumberToObject(h, "failures", c->health[i].failures);
		cJSON_AddNumberToObject(h, "latency_ms",
		    (double)c->health[i].latency_ms);
		if (c->health[i].error[0] != '\0')
			cJSON_AddStringToObject(h, "error",
			    c->health[i].error);
		else
			cJSON_AddNullToObject(h, "error");
		util_json_add_time(h, "last_ok", c->health[i].last_ok);
		util_json_add_time(h, "next_try", c->health[i].next_try);
		util_json_add_time(h, "not_before", c->health[i].not_before);
	}
	text = xjson_print(doc, 1);
	cJSON_Delete(doc);
	return text;
}

/* mkdir -p for the folder of path, mode 0700; errors show at the write. */
static void
make_parent(const char *path)
{
	char	*dir = xstrdup(path), *p;

	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(dir, 0700);
		*p = '/';
	}
	free(dir);
}

void
cache_set_list(struct cache *c, const char *key, const struct ice_list *list)
{
	ice_list_free(&c->list);
	ice_list_merge(&c->list, list);
	snprintf(c->list.provider, sizeof(c->list.provider), "%s",
	    list->provider);
	c->list.fetched_at = list->fetched_at;
	snprintf(c->key, sizeof(c->key), "%s", key);
}

int
cache_store(const char *path, long wait_ms, cache_keep_fn *keep,
    cache_edit_fn *edit, void *arg)
{
	struct cache	 c;
	char		*text;
	int		 fd, rc, saved;

	make_parent(path);
	if ((fd = safe_lock(path, LOCK_EX, wait_ms)) == -1)
		return -1;
	safe_remove_temps_of(path);
	(void)read_locked(path, &c, 0, keep, arg);
	edit(&c, arg);
	text = render(&c);
	rc = safe_atomic_write(path, text, strlen(text));
	saved = errno;
	util_free_secret(text);
	cache_free(&c);
	close(fd);
	errno = saved;
	return rc;
}

void
cache_free(struct cache *c)
{
	ice_list_free(&c->list);
	memset(c, 0, sizeof(*c));
}

const struct provider_health *
cache_health(const struct cache *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nhealth; i++)
		if (strcmp(c->health[i].name, name) == 0)
			return &c->health[i];
	return NULL;
}

struct provider_health *
cache_health_slot(struct cache *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nhealth; i++)
		if (strcmp(c->health[i].name, name) == 0)
			return &c->health[i];
	if (c->nhealth == CACHE_HEALTH_MAX)
		return NULL;
	memset(&c->health[c->nhealth], 0, sizeof(c->health[0]));
	snprintf(c->health[c->nhealth].name, sizeof(c->health[0].name), "%s",
	    name);
	return &c->health[c->nhealth++];
}

char *
cache_default_path(void)
{
	struct strbuf p = { 0 };
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	if (geteuid() == 0)
		sb_adds(&p, "/var/cache/iceupd/cache.json");
	else if (xdg != NULL && *xdg == '/')
		sb_addf(&p, "%s/iceupd/cache.json", xdg);
	else if (home != NULL && *home == '/')
		sb_addf(&p, "%s/.cache/iceupd/cache.json", home);
	else
		return NULL;
	return p.s;
}
