/* cloudrun.c: Cloud Run Admin API v2: read a service, set variables in its
 * environment, patch it, wait for the rollout.
 *
 * The service is changed in the JSON tree the API returned: only the
 * variables, the expiry annotation and template.revision (which must be
 * cleared, or Cloud Run refuses a changed template under the old revision
 * name) differ in what goes back; every other field, those iceupd does not
 * know included, is returned as it came.  The etag goes back too, so that
 * a change made by someone else in between gives a conflict, and iceupd
 * reads the service again rather than undo that change. */
#include <errno.h>
#include <openssl/sha.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cloudrun.h"
#include "google.h"
#include "http.h"
#include "log.h"

#define CONFLICT_MAX	4	/* PATCH attempts when others write too */
#define WAIT_STEP	60	/* seconds one :wait may block */
#define POLL_MS		1000	/* between GETs of the operation */

static const char id_chars[] = "abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:";

static const char id_chars_path[] = "abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/";

static int
valid_id(const char *v, size_t n)
{
	size_t	 i;

	if (n == 0 || n > 128)
		return 0;
	for (i = 0; i < n; i++)
		if (strchr(id_chars, v[i]) == NULL)
			return 0;
	return 1;
}

int
cloudrun_name(const char *text, const char *project, const char *region,
    char **full, char *err, size_t errlen)
{
	static const char *const parts[] = { "projects", "locations",
		"services" };
	struct strbuf	 b = { 0 };
	const char	*p = text, *slash;
	size_t		 i, n;
	char		 shown[160];

	*full = NULL;
	log_escape(text, 120, shown, sizeof(shown));
	if (strstr(text, "..") != NULL)
		goto bad;
	if (strchr(text, '/') == NULL) {
		if (!valid_id(text, strlen(text))) {
			snprintf(err, errlen, "'%s' is not a service name",
			    shown);
			return -1;
		}
		if (project == NULL || region == NULL) {
			snprintf(err, errlen, "'%s' needs a project and a "
			    "region", shown);
			return -1;
		}
		sb_addf(&b, "projects/%s/locations/%s/services/%s", project,
		    region, text);
		*full = b.s;
		return 0;
	}
	for (i = 0; i < 3; i++) {
		n = strlen(parts[i]);
		if (strncmp(p, parts[i], n) != 0 || p[n] != '/')
			goto bad;
		p += n + 1;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (!valid_id(p, n) || (i < 2) != (slash != NULL))
			goto bad;
		p += n + (slash ? 1 : 0);
	}
	*full = xstrdup(text);
	return 0;
bad:
	snprintf(err, errlen, "'%s' is not projects/PROJECT/locations/REGION/"
	    "services/SERVICE", shown);
	return -1;
}

const char *
cloudrun_short(const char *full)
{
	const char *slash = strrchr(full, '/');

	return slash ? slash + 1 : full;
}

/* The chosen container of svc, or NULL with err. */
static cJSON *
find_container(const cJSON *svc, const char *want, char *err, size_t errlen)
{
	const cJSON	*tpl = cJSON_GetObjectItemCaseSensitive(svc, "template");
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(tpl,
	    "containers");
	const cJSON	*name;
	cJSON		*c;
	struct strbuf	 names = { 0 };
	char		 shown[80];

	if (!cJSON_IsObject(tpl) || !cJSON_IsArray(list) ||
	    cJSON_GetArraySize(list) == 0) {
		snprintf(err, errlen, "the service has no template.containers");
		return NULL;
	}
	if (want == NULL) {
		if (!cJSON_IsObject(list->child)) {
			snprintf(err, errlen, "the service's first container is "
			    "not an object");
			return NULL;
		}
		return list->child;
	}
	cJSON_ArrayForEach(c, list) {
		name = cJSON_GetObjectItemCaseSensitive(c, "name");
		if (cJSON_IsString(name) && strcmp(name->valuestring,
		    want) == 0) {
			sb_free(&names);
			return c;
		}
		log_escape(cJSON_IsString(name) ? name->valuestring : "(unnamed)",
		    40, shown, sizeof(shown));
		sb_addf(&names, "%s%s", names.s ? ", " : "", shown);
	}
	log_escape(want, 40, shown, sizeof(shown));
	snprintf(err, errlen, "the service has no container named '%s' (it "
	    "has: %s)", shown, names.s ? names.s : "");
	sb_free(&names);
	return NULL;
}

/* The env entry called name in container c, or NULL. */
static cJSON *
find_var(const cJSON *c, const char *name)
{
	const cJSON	*env = cJSON_GetObjectItemCaseSensitive(c, "env");
	const cJSON	*n;
	cJSON		*e;

	cJSON_ArrayForEach(e, env) {
		if (!cJSON_IsObject(e))
			continue;
		n = cJSON_GetObjectItemCaseSensitive(e, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return e;
	}
	return NULL;
}

/* The template's annotations, or NULL. */
static cJSON *
annotations_of(const cJSON *svc)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(svc, "template"), "annotations");
}

static time_t
recorded_expiry(const cJSON *svc)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(
	    annotations_of(svc), CLOUDRUN_EXPIRES_ANNOTATION);
	time_t		 t;

	if (!cJSON_IsString(a) || util_parse_rfc3339(a->valuestring, &t) == -1)
		return 0;
	return t;
}

/* A record holds at most this many containers, and names in each. */
#define RECORD_MAX	64

/* 1 when the object o repeats a key. */
static int
repeats_key(const cJSON *o)
{
	const cJSON	*k, *j;

	for (k = o->child; k != NULL; k = k->next)
		for (j = o->child; j != k; j = j->next)
			if (strcmp(j->string, k->string) == 0)
				return 1;
	return 0;
}

/* 1 when text is a hex SHA-256, as record_digest() writes it. */
static int
is_digest(const char *text)
{
	size_t	 i;

	for (i = 0; i < 64; i++)
		if (!((text[i] >= '0' && text[i] <= '9') ||
		    (text[i] >= 'a' && text[i] <= 'f')))
			return 0;
	return text[64] == '\0';
}

/* The digest the record keeps of the value iceupd set in variable name:
 * the hex SHA-256 of "NAME=VALUE". */
static void
record_digest(const char *name, const char *value, char hex[65])
{
	unsigned char	 md[SHA256_DIGEST_LENGTH];
	struct strbuf	 b = { 0 };
	size_t		 i;

	sb_addf(&b, "%s=%s", name, value);
	SHA256((const unsigned char *)b.s, b.len, md);
	explicit_bzero(b.s, b.len);
	sb_free(&b);
	for (i = 0; i < sizeof(md); i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* CLOUDRUN_MANAGED_ANNOTATION parsed: {"CONTAINER":{"NAME":"DIGEST"}}, or
 * NULL when absent (*why "") or not a record iceupd writes (*why says
 * how): a record only counts whole, never in part. */
static cJSON *
managed_record(const cJSON *svc, char *why, size_t whylen)
{
	const cJSON	*a = cJSON_GetObjectItemCaseSensitive(
	    annotations_of(svc), CLOUDRUN_MANAGED_ANNOTATION);
	const cJSON	*c, *d;
	cJSON		*doc = NULL;

	*why = '\0';
	if (a == NULL)
		return NULL;
	if (!cJSON_IsString(a) || (doc = cJSON_Parse(a->valuestring)) == NULL ||
	    !cJSON_IsObject(doc)) {
		snprintf(why, whylen, "not a JSON object");
		goto bad;
	}
	if (cJSON_GetArraySize(doc) > RECORD_MAX || repeats_key(doc)) {
		snprintf(why, whylen, "a container repeated, or over %d",
		    RECORD_MAX);
		goto bad;
	}
	cJSON_ArrayForEach(c, doc) {
		if (!cJSON_IsObject(c)) {
			snprintf(why, whylen, "a container without the digest "
			    "of each value");
			goto bad;
		}
		if (cJSON_GetArraySize(c) > RECORD_MAX || repeats_key(c)) {
			snprintf(why, whylen, "a name repeated, or over %d in "
			    "a container", RECORD_MAX);
			goto bad;
		}
		cJSON_ArrayForEach(d, c)
			if (!cJSON_IsString(d) || !is_digest(d->valuestring)) {
				snprintf(why, whylen, "a name without the "
				    "digest of its value");
				goto bad;
			}
	}
	return doc;
bad:
	cJSON_Delete(doc);
	return NULL;
}

/* The record as the names it holds, for --dry-run: {"C":["NAME",...]}. */
static void
record_names(const cJSON *rec, char *buf, size_t len)
{
	const cJSON	*c, *d;
	cJSON		*view = cJSON_CreateObject(), *list;
	char		*text;

	cJSON_ArrayForEach(c, rec) {
		list = cJSON_AddArrayToObject(view, c->string);
		cJSON_ArrayForEach(d, c)
			cJSON_AddItemToArray(list, cJSON_CreateString(
			    d->string));
	}
	text = cJSON_PrintUnformatted(view);
	log_escape(text != NULL ? text : "", 400, buf, len);
	cJSON_free(text);
	cJSON_Delete(view);
}

/* The key of container c in the record: its name, "" when unnamed. */
static const char *
container_key(const cJSON *c)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(c, "name");

	return cJSON_IsString(n) ? n->valuestring : "";
}

static int
asked_for(const char *name, char *const *names, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return 1;
	return 0;
}

/* 1 when variable e of a container holds, as a plain value, exactly what
 * the digest recorded says iceupd set there. */
static int
holds_recorded(const cJSON *e, const char *name, const char *digest)
{
	const cJSON	*v = cJSON_GetObjectItemCaseSensitive(e, "value");
	char		 hex[65];

	if (e == NULL || cJSON_GetObjectItemCaseSensitive(e,
	    "valueSource") != NULL || !cJSON_IsString(v))
		return 0;
	record_digest(name, v->valuestring, hex);
	return strcmp(hex, digest) == 0;
}

/* The next name after *at in list (the record of container c) that names
 * leaves out and c still sets, as the plain value iceupd set: a variable
 * iceupd set and no longer manages.  Returns its env entry with *at on its
 * record entry, or NULL at the end. */
static cJSON *
next_stale(const cJSON *c, const cJSON *list, const cJSON **at,
    char *const *names, size_t n)
{
	const cJSON	*item;
	cJSON		*e;

	if (!cJSON_IsObject(list))
		return NULL;
	for (item = *at ? (*at)->next : list->child; item; item = item->next) {
		if (asked_for(item->string, names, n))
			continue;
		e = find_var(c, item->string);
		if (holds_recorded(e, item->string, item->valuestring)) {
			*at = item;
			return e;
		}
	}
	return NULL;
}

int
cloudrun_deployed(const cJSON *svc, const char *container, char *const *names,
    size_t n, time_t *expires, char *err, size_t errlen)
{
	const cJSON	*c, *e, *v, *at = NULL;
	cJSON		*rec;
	char		 why[128];
	size_t		 i;
	int		 all = 1;

	*expires = 0;
	if ((c = find_container(svc, container, err, errlen)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		e = find_var(c, names[i]);
		v = cJSON_GetObjectItemCaseSensitive(e, "value");
		if (!cJSON_IsString(v) || *v->valuestring == '\0' ||
		    strcmp(v->valuestring, "DYNAMIC") == 0)
			all = 0;
	}
	rec = managed_record(svc, why, sizeof(why));
	if (next_stale(c, cJSON_GetObjectItemCaseSensitive(rec,
	    container_key(c)), &at, names, n) != NULL)
		all = 0;
	cJSON_Delete(rec);
	*expires = recorded_expiry(svc);
	return all;
}

/* Appends "NAME: what" to chg->vars, as far as it holds. */
static void
note_var(struct cloudrun_change *chg, const char *name, const char *what)
{
	size_t	 used = strlen(chg->vars);
	char	 shown[80];

	log_escape(name, 60, shown, sizeof(shown));
	snprintf(chg->vars + used, sizeof(chg->vars) - used, "%s: %s\n", shown,
	    what);
	chg->env_changed = 1;
}

/* Sets annotation key of ann to value (ann an object). */
static void
set_annotation(cJSON *ann, const char *key, const char *value)
{
	if (cJSON_GetObjectItemCaseSensitive(ann, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(ann, key,
		    cJSON_CreateString(value));
	else
		cJSON_AddStringToObject(ann, key, value);
}

/* Drops from rec the containers svc no longer has. */
static void
prune_record(cJSON *rec, const cJSON *svc)
{
	const cJSON	*list = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(svc, "template"), "containers");
	const cJSON	*c;
	cJSON		*k, *next;

	for (k = rec->child; k != NULL; k = next) {
		next = k->next;
		cJSON_ArrayForEach(c, list)
			if (strcmp(container_key(c), k->string) == 0)
				break;
		if (c == NULL)
			cJSON_Delete(cJSON_DetachItemViaPointer(rec, k));
	}
}

/* Appends name to chg->kept, as far as it holds. */
static void
note_kept(struct cloudrun_change *chg, const char *name)
{
	size_t	 used = strlen(chg->kept);
	char	 shown[80];

	log_escape(name, 60, shown, sizeof(shown));
	snprintf(chg->kept + used, sizeof(chg->kept) - used, "%s\n", shown);
}

/* Removes the variables of container c that iceupd set, still hold the
 * value it set and names leaves out; notes those the record names that
 * hold another; records names with the digest of value as those it
 * manages there (template.annotations is an object or absent). */
static void
update_managed(cJSON *svc, cJSON *c, char *const *names, size_t n,
    const char *value, struct cloudrun_change *chg)
{
	cJSON		*tpl = cJSON_GetObjectItemCaseSensitive(svc,
	    "template");
	cJSON		*ann = cJSON_GetObjectItemCaseSensitive(tpl,
	    "annotations");
	cJSON		*old, *rec, *list, *e;
	const cJSON	*at = NULL, *item;
	const char	*key = container_key(c);
	char		*text = NULL, hex[65];
	size_t		 i;

	old = managed_record(svc, chg->record_fault,
	    sizeof(chg->record_fault));
	/* From the top each time: a name may be set twice. */
	while ((e = next_stale(c, cJSON_GetObjectItemCaseSensitive(old, key),
	    &at, names, n)) != NULL) {
		note_var(chg, at->string, "removed (set by iceupd before, "
		    "no longer asked for)");
		cJSON_Delete(cJSON_DetachItemViaPointer(
		    cJSON_GetObjectItemCaseSensitive(c, "env"), e));
		at = NULL;
	}
	cJSON_ArrayForEach(item, cJSON_GetObjectItemCaseSensitive(old, key))
		if (!asked_for(item->string, names, n) &&
		    find_var(c, item->string) != NULL)
			note_kept(chg, item->string);
	rec = old != NULL ? cJSON_Duplicate(old, 1) : cJSON_CreateObject();
	prune_record(rec, svc);
	list = cJSON_CreateObject();
	for (i = 0; i < n; i++) {
		record_digest(names[i], value, hex);
		if (cJSON_GetObjectItemCaseSensitive(list, names[i]) == NULL)
			cJSON_AddStringToObject(list, names[i], hex);
	}
	if (cJSON_GetObjectItemCaseSensitive(rec, key) != NULL)
		cJSON_ReplaceItemInObjectCaseSensitive(rec, key, list);
	else
		cJSON_AddItemToObject(rec, key, list);
	if (old != NULL)
		record_names(old, chg->old_managed, sizeof(chg->old_managed));
	else if (chg->record_fault[0] != '\0')
		snprintf(chg->old_managed, sizeof(chg->old_managed),
		    "(not a record of iceupd's)");
	record_names(rec, chg->new_managed, sizeof(chg->new_managed));
	if (old == NULL || !cJSON_Compare(old, rec, 1)) {
		if (ann == NULL)
			ann = cJSON_AddObjectToObject(tpl, "annotations");
		text = cJSON_PrintUnformatted(rec);
		set_annotation(ann, CLOUDRUN_MANAGED_ANNOTATION, text);
		chg->annotations_changed = 1;
	}
	cJSON_Delete(rec);
	cJSON_free(text);
	cJSON_Delete(old);
}

int
cloudrun_set_env(cJSON *svc, const char *container, char *const *names,
    size_t n, const char *value, time_t expires, struct cloudrun_change *chg,
    char *err, size_t errlen)
{
	cJSON	*c, *env, *e, *v, *tpl, *ann, *rev, *name;
	char	 when[32], shown[80];
	size_t	 i;

	memset(chg, 0, sizeof(*chg));
	if ((c = find_container(svc, container, err, errlen)) == NULL)
		return -1;
	name = cJSON_GetObjectItemCaseSensitive(c, "name");
	if (cJSON_IsString(name))
		log_escape(name->valuestring, 60, chg->container,
		    sizeof(chg->container));
	/* Check every variable before changing any. */
	for (i = 0; i < n; i++) {
		e = find_var(c, names[i]);
		if (e != NULL && cJSON_GetObjectItemCaseSensitive(e,
		    "valueSource") != NULL) {
			log_escape(names[i], 60, shown, sizeof(shown));
			snprintf(err, errlen, "%s comes from Secret Manager "
			    "(valueSource) in this service: update the secret "
			    "with --sink secret:NAME instead", shown);
			return -1;
		}
	}
	tpl = cJSON_GetObjectItemCaseSensitive(svc, "template");
	ann = cJSON_GetObjectItemCaseSensitive(tpl, "annotations");
	if (ann != NULL && !cJSON_IsObject(ann)) {
		snprintf(err, errlen, "template.annotations is not an object");
		return -1;
	}
	if ((env = cJSON_GetObjectItemCaseSensitive(c, "env")) == NULL)
		env = cJSON_AddArrayToObject(c, "env");
	if (!cJSON_IsArray(env)) {
		snprintf(err, errlen, "the container's env is not a list");
		return -1;
	}
	for (i = 0; i < n; i++) {
		if ((e = find_var(c, names[i])) == NULL) {
			e = cJSON_CreateObject();
			cJSON_AddStringToObject(e, "name", names[i]);
			cJSON_AddStringToObject(e, "value", value);
			cJSON_AddItemToArray(env, e);
			note_var(chg, names[i], "added");
		} else if ((v = cJSON_GetObjectItemCaseSensitive(e,
		    "value")) == NULL) {
			cJSON_AddStringToObject(e, "value", value);
			note_var(chg, names[i], "value set");
		} else if (!cJSON_IsString(v) ||
		    strcmp(v->valuestring, value) != 0) {
			cJSON_ReplaceItemInObjectCaseSensitive(e, "value",
			    cJSON_CreateString(value));
			note_var(chg, names[i], "value changed");
		}
	}
	update_managed(svc, c, names, n, value, chg);

	ann = cJSON_GetObjectItemCaseSensitive(tpl, "annotations");
	chg->old_expires = recorded_expiry(svc);
	chg->new_expires = expires;
	if (expires != 0 && expires != chg->old_expires) {
		if (ann == NULL)
			ann = cJSON_AddObjectToObject(tpl, "annotations");
		set_annotation(ann, CLOUDRUN_EXPIRES_ANNOTATION,
		    util_rfc3339(expires, when, sizeof(when)));
		chg->annotations_changed = 1;
	} else if (expires == 0 && cJSON_GetObjectItemCaseSensitive(ann,
	    CLOUDRUN_EXPIRES_ANNOTATION) != NULL) {
		cJSON_DeleteItemFromObjectCaseSensitive(ann,
		    CLOUDRUN_EXPIRES_ANNOTATION);
		chg->annotations_changed = 1;
	}
	chg->changed = chg->env_changed || chg->annotations_changed;
	/* A changed template under the old revision name is refused with
	 * 409 "Revision named ... with different configuration already
	 * exists": let Cloud Run name the new one. */
	if (chg->changed && (rev = cJSON_GetObjectItemCaseSensitive(tpl,
	    "revision")) != NULL) {
		if (cJSON_IsString(rev))
			log_escape(rev->valuestring, 100, chg->old_revision,
			    sizeof(chg->old_revision));
		cJSON_DeleteItemFromObjectCaseSensitive(tpl, "revision");
	}
	return 0;
}

/* neko v3 copies a set NEKO_ICESERVERS over both of its own lists: 1 when
 * the v3 names are deployed and the service keeps one that iceupd may not
 * remove (it has no record of setting it). */
static int
v2_stays(const struct cloudrun_target *t)
{
	static const char v2[] = CLOUDRUN_NEKO_V2;
	static const char v3[] = CLOUDRUN_NEKO_V3;
	const cJSON	*c, *e;
	char		 err[256];
	size_t		 i;

	for (i = 0; i < t->nnames; i++)
		if (strncmp(t->names[i], v3, sizeof(v3) - 1) == 0)
			break;
	if (i == t->nnames || asked_for(v2, t->names, t->nnames) ||
	    (c = find_container(t->svc, t->s->container, err,
	    sizeof(err))) == NULL || (e = find_var(c, v2)) == NULL ||
	    !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(e, "value")))
		return 0;
	return 1;
}

void
cloudrun_describe(const struct cloudrun_change *chg, struct strbuf *out)
{
	const char	*p, *nl;
	char		 a[32], b[32];

	if (!chg->changed) {
		sb_adds(out, "  no change\n");
		return;
	}
	for (p = chg->vars; *p != '\0'; p = nl + 1) {
		if ((nl = strchr(p, '\n')) == NULL)
			break;
		sb_addf(out, "  %.*s\n", (int)(nl - p), p);
	}
	if (strcmp(chg->old_managed, chg->new_managed) != 0)
		sb_addf(out, "  annotation %s: %s -> %s\n",
		    CLOUDRUN_MANAGED_ANNOTATION, chg->old_managed[0] ?
		    chg->old_managed : "(none)", chg->new_managed);
	if (chg->old_expires != chg->new_expires)
		sb_addf(out, "  annotation %s: %s -> %s\n",
		    CLOUDRUN_EXPIRES_ANNOTATION, chg->old_expires ?
		    util_rfc3339(chg->old_expires, a, sizeof(a)) : "(none)",
		    chg->new_expires ? util_rfc3339(chg->new_expires, b,
		    sizeof(b)) : "(none)");
	if (chg->old_revision[0] != '\0')
		sb_addf(out, "  template.revision: %s -> (cleared: Cloud Run "
		    "names the new revision)\n", chg->old_revision);
}

int
cloudrun_system_key(const char *key)
{
	static const char *const ns[] = { "run.googleapis.com",
		"cloud.googleapis.com", "serving.knative.dev",
		"autoscaling.knative.dev", NULL };
	const char	*slash = strchr(key, '/');
	size_t		 n, len, k;

	if (slash == NULL)
		return 0;
	n = (size_t)(slash - key);
	for (k = 0; ns[k] != NULL; k++) {
		len = strlen(ns[k]);
		if (n == len && strncasecmp(key, ns[k], len) == 0)
			return 1;
		if (n > len && key[n - len - 1] == '.' &&
		    strncasecmp(key + n - len, ns[k], len) == 0)
			return 1;
	}
	return 0;
}

static void
mask_add(struct strbuf *mask, const char *path)
{
	sb_addf(mask, "%s%s", mask->len > 0 ? "," : "", path);
}

cJSON *
cloudrun_patch_body(const cJSON *svc, const struct cloudrun_change *chg,
    struct strbuf *mask)
{
	const cJSON	*tpl = cJSON_GetObjectItemCaseSensitive(svc,
	    "template");
	const cJSON	*v;
	cJSON		*body = cJSON_CreateObject(), *out, *list, *copy, *ann;
	static const char *const keep[] = { "name", "etag", NULL };
	size_t		 i;

	for (i = 0; keep[i] != NULL; i++)
		if (cJSON_IsString(v = cJSON_GetObjectItemCaseSensitive(svc,
		    keep[i])))
			cJSON_AddItemToObject(body, keep[i],
			    cJSON_Duplicate(v, 1));
	out = cJSON_AddObjectToObject(body, "template");
	if (chg->env_changed) {
		list = cJSON_AddArrayToObject(out, "containers");
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(tpl,
		    "containers")) {
			copy = cJSON_Duplicate(v, 1);
			/* Output only (Container.build_info). */
			cJSON_DeleteItemFromObjectCaseSensitive(copy,
			    "buildInfo");
			cJSON_AddItemToArray(list, copy);
		}
		mask_add(mask, "template.containers");
	}
	if (chg->annotations_changed) {
		ann = cJSON_AddObjectToObject(out, "annotations");
		cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(tpl,
		    "annotations"))
			if (!cloudrun_system_key(v->string))
				cJSON_AddItemToObject(ann, v->string,
				    cJSON_Duplicate(v, 1));
		mask_add(mask, "template.annotations");
	}
	if (chg->old_revision[0] != '\0')
		mask_add(mask, "template.revision");
	return body;
}

/* --- the API ------------------------------------------------------------ */

static void
api_url(const struct cloudrun_target *t, struct strbuf *url, const char *name,
    const char *suffix)
{
	const char	*base = t->s->cloudrun_endpoint;
	size_t		 n = strlen(base);

	while (n > 0 && base[n - 1] == '/')
		n--;
	sb_addf(url, "%.*s/v2/%s%s", (int)n, base, name, suffix ? suffix : "");
}

/* Ends the phase with outcome; t->err gets "SERVICE: " and the reason. */
static void
fail(struct cloudrun_target *t, enum cloudrun_outcome outcome,
    const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
fail(struct cloudrun_target *t, enum cloudrun_outcome outcome,
    const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	t->outcome = outcome;
	n = snprintf(t->err, sizeof(t->err), "%s: ", t->name);
	if (n < 0 || (size_t)n >= sizeof(t->err))
		return;
	va_start(ap, fmt);
	vsnprintf(t->err + n, sizeof(t->err) - (size_t)n, fmt, ap);
	va_end(ap);
}

/* Fails the phase with what an unexpected answer means for this call. */
static void
api_failed(struct cloudrun_target *t, const char *what,
    const char *permission, const struct http_response *rs, const cJSON *doc)
{
	char	 why[512];

	google_error_text(rs, doc, why, sizeof(why));
	if (rs->status == 401)
		fail(t, CLOUDRUN_FAILED, "%s refused the access token from "
		    "%s (%s)", what, google_token_source(), why);
	else if (rs->status == 403)
		fail(t, CLOUDRUN_FAILED, "%s: permission denied: %s needs %s "
		    "on the service%s (%s)", what, google_token_source(),
		    permission, strcmp(permission, "run.services.update") == 0 ?
		    ", and iam.serviceAccounts.actAs on its runtime service "
		    "account" : "", why);
	else if (rs->status == 404)
		fail(t, CLOUDRUN_FAILED, "%s: no such service (%s)", what, why);
	else
		fail(t, CLOUDRUN_FAILED, "%s failed: %s", what, why);
}

void
cloudrun_read(struct cloudrun_target *t)
{
	struct http_response rs;
	struct strbuf	 url = { 0 };
	cJSON		*doc = NULL;
	char		 err[512];
	int		 all;

	t->outcome = CLOUDRUN_FAILED;
	cJSON_Delete(t->svc);
	t->svc = NULL;
	api_url(t, &url, t->name, NULL);
	if (t->conn == NULL)
		t->conn = http_keep_new();
	if (google_call(t->s, "GET", url.s, NULL, t->deadline, t->conn, &rs,
	    &doc, err, sizeof(err)) == -1) {
		fail(t, CLOUDRUN_FAILED, "%s", err);
		goto out;
	}
	if (rs.status != 200 || !cJSON_IsObject(doc)) {
		if (rs.status == 200)
			fail(t, CLOUDRUN_FAILED, "GET answered with something "
			    "that is not a service");
		else
			api_failed(t, "reading the service", "run.services.get",
			    &rs, doc);
		goto out;
	}
	all = cloudrun_deployed(doc, t->s->container, t->names, t->nnames,
	    &t->deployed_expires, err, sizeof(err));
	if (all == -1) {
		fail(t, CLOUDRUN_REFUSED, "%s", err);
		goto out;
	}
	t->fresh = all == 1 && t->deployed_expires != 0 &&
	    t->deployed_expires - time(NULL) >= t->s->min_ttl;
	t->svc = doc;
	doc = NULL;
	t->outcome = CLOUDRUN_DONE;
out:
	cJSON_Delete(doc);
	http_response_free(&rs);
	sb_free(&url);
}

/* Waits for the operation op (from PATCH) to finish.  Returns 0 with
 * t->revision set, 1 when it ended ABORTED (a conflict: read and try
 * again), or -1 with the phase failed. */
static int
wait_operation(struct cloudrun_target *t, cJSON *op)
{
	struct http_response rs;
	struct strbuf	 url = { 0 }, body = { 0 };
	const cJSON	*name = cJSON_GetObjectItemCaseSensitive(op, "name");
	const cJSON	*e, *resp, *rev, *msg, *code;
	cJSON		*doc = NULL, *cur = op;
	char		 err[512], shown[320];
	long long	 left;
	int		 rc = -1, poll = 0;

	memset(&rs, 0, sizeof(rs));
	if (!cJSON_IsString(name) || strncmp(name->valuestring, "projects/",
	    9) != 0 || strstr(name->valuestring, "..") != NULL ||
	    name->valuestring[strspn(name->valuestring, id_chars_path)] !=
	    '\0') {
		fail(t, CLOUDRUN_FAILED, "the update answered without an "
		    "operation name");
		return -1;
	}
	while (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cur, "done"))) {
		left = (t->deadline - util_monotonic_ms()) / 1000;
		if (left < 2) {
			fail(t, CLOUDRUN_FAILED, "the rollout is still running "
			    "after --deploy-timeout (%ld s); operation %s goes "
			    "on", t->s->deploy_timeout, name->valuestring);
			goto out;
		}
		url.len = 0;
		body.len = 0;
		http_response_free(&rs);
		cJSON_Delete(doc);
		doc = NULL;
		if (poll) {
			util_sleep_ms(POLL_MS);
			api_url(t, &url, name->valuestring, NULL);
			if (google_call(t->s, "GET", url.s, NULL, t->deadline,
			    t->conn, &rs, &doc, err, sizeof(err)) == -1) {
				fail(t, CLOUDRUN_FAILED, "%s", err);
				goto out;
			}
		} else {
			api_url(t, &url, name->valuestring, ":wait");
			sb_addf(&body, "{\"timeout\":\"%llds\"}",
			    left - 1 < WAIT_STEP ? left - 1 : WAIT_STEP);
			if (google_call(t->s, "POST", url.s, body.s,
			    t->deadline, t->conn, &rs, &doc, err,
			    sizeof(err)) == -1) {
				fail(t, CLOUDRUN_FAILED, "%s", err);
				goto out;
			}
			/* Without :wait, poll. */
			if (rs.status == 404 || rs.status == 405 ||
			    rs.status == 501) {
				log_debug("%s: no :wait (HTTP %ld), polling",
				    t->name, rs.status);
				poll = 1;
				continue;
			}
		}
		if (rs.status != 200 || !cJSON_IsObject(doc)) {
			api_failed(t, "waiting for the rollout",
			    "run.operations.get", &rs, doc);
			goto out;
		}
		cur = doc;
	}
	if ((e = cJSON_GetObjectItemCaseSensitive(cur, "error")) != NULL) {
		code = cJSON_GetObjectItemCaseSensitive(e, "code");
		msg = cJSON_GetObjectItemCaseSensitive(e, "message");
		if (cJSON_IsNumber(code) && code->valueint == 10) {
			rc = 1;
			goto out;
		}
		log_escape(cJSON_IsString(msg) ? msg->valuestring : "", 300,
		    shown, sizeof(shown));
		fail(t, CLOUDRUN_FAILED, "the rollout failed (code %d): %s",
		    cJSON_IsNumber(code) ? code->valueint : 0, shown);
		goto out;
	}
	resp = cJSON_GetObjectItemCaseSensitive(cur, "response");
	rev = cJSON_GetObjectItemCaseSensitive(resp, "latestCreatedRevision");
	log_escape(cJSON_IsString(rev) ? cloudrun_short(rev->valuestring) :
	    "", 200, t->revision, sizeof(t->revision));
	rc = 0;
out:
	cJSON_Delete(doc);
	http_response_free(&rs);
	sb_free(&url);
	sb_free(&body);
	return rc;
}

/* Frees a PATCH body, which holds the credentials. */
static void
free_body(char *body)
{
	if (body != NULL)
		explicit_bzero(body, strlen(body));
	cJSON_free(body);
}

void
cloudrun_update(struct cloudrun_target *t)
{
	struct cloudrun_change chg;
	struct http_response rs;
	struct strbuf	 url = { 0 }, mask = { 0 };
	cJSON		*doc = NULL, *patch = NULL;
	char		*body = NULL, err[512];
	int		 attempt, w;

	memset(&rs, 0, sizeof(rs));
	for (attempt = 1; attempt <= CONFLICT_MAX; attempt++) {
		if (t->svc == NULL) {
			cloudrun_read(t);
			if (t->outcome != CLOUDRUN_DONE)
				goto out;
		}
		t->outcome = CLOUDRUN_FAILED;
		if (cloudrun_set_env(t->svc, t->s->container, t->names,
		    t->nnames, t->value, t->expires, &chg, err,
		    sizeof(err)) == -1) {
			fail(t, CLOUDRUN_REFUSED, "%s", err);
			goto out;
		}
		if (attempt == 1) {
			t->v2_stays = v2_stays(t);
			memcpy(t->record_fault, chg.record_fault,
			    sizeof(t->record_fault));
			memcpy(t->kept, chg.kept, sizeof(t->kept));
		}
		if (t->s->dry_run) {
			sb_addf(&t->diff, "%s%s%s%s:\n", t->name,
			    chg.container[0] ? " (container " : "",
			    chg.container, chg.container[0] ? ")" : "");
			cloudrun_describe(&chg, &t->diff);
			t->outcome = chg.changed ? CLOUDRUN_DONE :
			    CLOUDRUN_UNCHANGED;
			goto out;
		}
		if (!chg.changed) {
			t->outcome = CLOUDRUN_UNCHANGED;
			goto out;
		}
		cJSON_Delete(patch);
		patch = cloudrun_patch_body(t->svc, &chg, &mask);
		free_body(body);
		body = cJSON_PrintUnformatted(patch);
		url.len = 0;
		api_url(t, &url, t->name, "?updateMask=");
		sb_adds(&url, mask.s);
		if (t->s->validate_only)
			sb_adds(&url, "&validateOnly=true");
		mask.len = 0;
		http_response_free(&rs);
		cJSON_Delete(doc);
		doc = NULL;
		if (google_call(t->s, "PATCH", url.s, body, t->deadline,
		    t->conn, &rs, &doc, err, sizeof(err)) == -1) {
			fail(t, CLOUDRUN_FAILED, "%s", err);
			goto out;
		}
		if (rs.status == 409) {
			google_error_text(&rs, doc, err, sizeof(err));
			sb_addf(&t->retries, "%s: conflict (%s); reading it "
			    "again\n", t->name, err);
			cJSON_Delete(t->svc);
			t->svc = NULL;
			continue;
		}
		if (rs.status != 200 || !cJSON_IsObject(doc)) {
			api_failed(t, "updating the service",
			    "run.services.update", &rs, doc);
			goto out;
		}
		if ((w = wait_operation(t, doc)) == -1)
			goto out;
		if (w == 1) {
			sb_addf(&t->retries, "%s: the rollout was aborted by a "
			    "concurrent change; reading it again\n", t->name);
			cJSON_Delete(t->svc);
			t->svc = NULL;
			continue;
		}
		t->outcome = CLOUDRUN_DONE;
		goto out;
	}
	fail(t, CLOUDRUN_FAILED, "still conflicting after %d attempts: "
	    "another writer keeps changing the service", CONFLICT_MAX);
out:
	free_body(body);
	cJSON_Delete(patch);
	cJSON_Delete(doc);
	http_response_free(&rs);
	sb_free(&url);
	sb_free(&mask);
}

void
cloudrun_target_free(struct cloudrun_target *t)
{
	cJSON_Delete(t->svc);
	http_keep_free(t->conn);
	free(t->name);
	sb_free(&t->diff);
	sb_free(&t->retries);
}
