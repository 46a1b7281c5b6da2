/* test_deploy_service.c: the Cloud Run environment rewrite on a recorded
 * service (tests/fixtures/cloudrun-service.json): only the intended entries
 * change; service names, system keys and the PATCH body. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../src/deploy/service.h"
#include "../../src/safefile.h"
#include "../../src/util.h"
#include "unit.h"

#define FIXTURE	"tests/fixtures/cloudrun-service.json"
/* A digest of no value of the fixture. */
#define Z64	"00000000000000000000000000000000" \
		"00000000000000000000000000000000"
#define SVC	"projects/demo-project/locations/europe-west1/services/neko"

static cJSON *
fixture(void)
{
	char	*text;
	cJSON	*j;

	ck_assert_msg(safe_read_small_file(FIXTURE, &text, 1 << 20) == 0,
	    "cannot read %s (run from the top folder)", FIXTURE);
	j = cJSON_Parse(text);
	free(text);
	ck_assert_ptr_nonnull(j);
	return j;
}

static cJSON *
path(cJSON *j, const char *a, const char *b)
{
	cJSON *x = cJSON_GetObjectItemCaseSensitive(j, a);

	return b ? cJSON_GetObjectItemCaseSensitive(x, b) : x;
}

static cJSON *
env_of(cJSON *svc, int container, const char *name)
{
	cJSON	*c = cJSON_GetArrayItem(path(svc, "template", "containers"),
	    container);
	cJSON	*e;

	cJSON_ArrayForEach(e, cJSON_GetObjectItem(c, "env"))
		if (strcmp(cJSON_GetObjectItem(e, "name")->valuestring,
		    name) == 0)
			return e;
	return NULL;
}

/* Removes what a deploy is meant to change, from both trees. */
static void
strip_intended(cJSON *svc, int container, char *const *names, size_t n)
{
	cJSON	*tpl = path(svc, "template", NULL);
	cJSON	*e;
	size_t	 i;

	cJSON_DeleteItemFromObjectCaseSensitive(tpl, "revision");
	cJSON_DeleteItemFromObjectCaseSensitive(path(tpl, "annotations", NULL),
	    CLOUDRUN_EXPIRES_ANNOTATION);
	cJSON_DeleteItemFromObjectCaseSensitive(path(tpl, "annotations", NULL),
	    CLOUDRUN_MANAGED_ANNOTATION);
	for (i = 0; i < n; i++)
		if ((e = env_of(svc, container, names[i])) != NULL)
			cJSON_DeleteItemFromObjectCaseSensitive(e, "value");
}

/* orig and svc are the same once what a deploy is meant to change is
 * removed from both. */
static void
same_but_intended(cJSON *orig, cJSON *svc, int container,
    char *const *names, size_t n)
{
	strip_intended(orig, container, names, n);
	strip_intended(svc, container, names, n);
	ck_assert(cJSON_Compare(orig, svc, 1));
}

START_TEST(set_env_changes_only_the_intended)
{
	char *const	 names[] = { "NEKO_ICESERVERS" };
	const char	*v = "[{\"urls\":[\"turn:t.example:3478\"],"
	    "\"username\":\"u\",\"credential\":\"CRED-MARK\"}]";
	struct cloudrun_change chg;
	struct strbuf	 d = { 0 };
	cJSON		*orig = fixture(), *svc = fixture();
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, v, 1893456000,
	    &chg, err, sizeof(err)), 0);
	ck_assert(chg.changed);
	ck_assert_str_eq(chg.container, "neko");
	ck_assert_str_eq(chg.vars, "NEKO_ICESERVERS: value changed\n");
	ck_assert_str_eq(chg.old_revision, "neko-00004-kqx");
	ck_assert(chg.old_expires == 0 && chg.new_expires == 1893456000);

	ck_assert_str_eq(env_of(svc, 0, "NEKO_ICESERVERS")->child->next->
	    valuestring, v);
	ck_assert_str_eq(cJSON_GetObjectItem(path(svc, "template",
	    "annotations"), CLOUDRUN_EXPIRES_ANNOTATION)->valuestring,
	    "2030-01-01T00:00:00Z");
	ck_assert_ptr_null(path(svc, "template", "revision"));
	/* The sidecar's variable of the same name is not touched. */
	ck_assert_str_eq(cJSON_GetObjectItem(env_of(svc, 1, "NEKO_ICESERVERS"),
	    "value")->valuestring, "sidecar-must-not-change");

	/* The rest is exactly as it was, order included. */
	same_but_intended(orig, svc, 0, names, 1);

	cloudrun_describe(&chg, &d);
	ck_assert_ptr_null(strstr(d.s, "CRED-MARK"));
	ck_assert_ptr_nonnull(strstr(d.s, "NEKO_ICESERVERS: value changed"));
	ck_assert_ptr_nonnull(strstr(d.s, "(none) -> 2030-01-01T00:00:00Z"));
	sb_free(&d);
	cJSON_Delete(orig);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(set_env_twice_is_no_change)
{
	char *const	 names[] = { "NEKO_ICESERVERS" };
	struct cloudrun_change chg;
	cJSON		*svc = fixture();
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "[1]", 100,
	    &chg, err, sizeof(err)), 0);
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "[1]", 100,
	    &chg, err, sizeof(err)), 0);
	ck_assert(!chg.changed);
	ck_assert_str_eq(chg.vars, "");
	/* Unknown expiry drops the annotation: a change. */
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "[1]", 0,
	    &chg, err, sizeof(err)), 0);
	ck_assert(chg.changed);
	ck_assert_ptr_null(cJSON_GetObjectItem(path(svc, "template",
	    "annotations"), CLOUDRUN_EXPIRES_ANNOTATION));
	cJSON_Delete(svc);
}
END_TEST

START_TEST(set_env_adds_v3_names)
{
	char *const	 names[] = { "NEKO_WEBRTC_ICESERVERS_FRONTEND",
	    "NEKO_WEBRTC_ICESERVERS_BACKEND" };
	struct cloudrun_change chg;
	cJSON		*orig = fixture(), *svc = fixture(), *env;
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 2, "[2]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(chg.vars, "NEKO_WEBRTC_ICESERVERS_FRONTEND: added\n"
	    "NEKO_WEBRTC_ICESERVERS_BACKEND: added\n");
	env = cJSON_GetObjectItem(cJSON_GetArrayItem(path(svc, "template",
	    "containers"), 0), "env");
	ck_assert_int_eq(cJSON_GetArraySize(env), 7);
	/* Appended; dropping them gives the original list back. */
	cJSON_DeleteItemFromArray(env, 6);
	cJSON_DeleteItemFromArray(env, 5);
	same_but_intended(orig, svc, 0, names, 0);
	cJSON_Delete(orig);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(set_env_refuses_secret_refs_and_unknown_containers)
{
	char *const	 secret[] = { "NEKO_ICESERVERS", "NEKO_PASSWORD" };
	char *const	 one[] = { "NEKO_ICESERVERS" };
	struct cloudrun_change chg;
	cJSON		*orig = fixture(), *svc = fixture();
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, NULL, secret, 2, "[3]", 5,
	    &chg, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "NEKO_PASSWORD comes from Secret "
	    "Manager"));
	/* Nothing was changed, not even the first variable. */
	ck_assert(cJSON_Compare(orig, svc, 1));

	ck_assert_int_eq(cloudrun_set_env(svc, "nope", one, 1, "[3]", 5, &chg,
	    err, sizeof(err)), -1);
	ck_assert_str_eq(err, "the service has no container named 'nope' "
	    "(it has: neko, log-shipper)");
	ck_assert(cJSON_Compare(orig, svc, 1));
	cJSON_Delete(orig);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(set_env_named_container)
{
	char *const	 names[] = { "NEKO_ICESERVERS" };
	struct cloudrun_change chg;
	cJSON		*orig = fixture(), *svc = fixture();
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, "log-shipper", names, 1, "[4]",
	    0, &chg, err, sizeof(err)), 0);
	ck_assert_str_eq(chg.container, "log-shipper");
	ck_assert_str_eq(cJSON_GetObjectItem(env_of(svc, 1, "NEKO_ICESERVERS"),
	    "value")->valuestring, "[4]");
	same_but_intended(orig, svc, 1, names, 1);
	cJSON_Delete(orig);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(deployed_freshness)
{
	char *const	 names[] = { "NEKO_ICESERVERS" };
	char *const	 v3[] = { "NEKO_WEBRTC_ICESERVERS_FRONTEND" };
	struct cloudrun_change chg;
	cJSON		*svc = fixture();
	time_t		 exp;
	char		 err[256];

	ck_assert_int_eq(cloudrun_deployed(svc, NULL, names, 1, &exp, err,
	    sizeof(err)), 1);
	ck_assert(exp == 0);
	ck_assert_int_eq(cloudrun_deployed(svc, NULL, v3, 1, &exp, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "DYNAMIC",
	    1893456000, &chg, err, sizeof(err)), 0);
	ck_assert_int_eq(cloudrun_deployed(svc, NULL, names, 1, &exp, err,
	    sizeof(err)), 0);
	ck_assert(exp == 1893456000);
	ck_assert_int_eq(cloudrun_deployed(svc, "x", names, 1, &exp, err,
	    sizeof(err)), -1);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(system_keys)
{
	ck_assert(cloudrun_system_key("run.googleapis.com/ingress"));
	ck_assert(cloudrun_system_key("cloud.googleapis.com/location"));
	ck_assert(cloudrun_system_key("serving.knative.dev/creator"));
	ck_assert(cloudrun_system_key("autoscaling.knative.dev/maxScale"));
	ck_assert(cloudrun_system_key("x.run.googleapis.com/y"));
	ck_assert(cloudrun_system_key("Run.GoogleAPIs.com/y"));
	ck_assert(!cloudrun_system_key("iceupd.dev/expires-at"));
	ck_assert(!cloudrun_system_key("xrun.googleapis.com/y"));
	ck_assert(!cloudrun_system_key("run.googleapis.com.example/y"));
	ck_assert(!cloudrun_system_key("client.knative.dev/nonce"));
	ck_assert(!cloudrun_system_key("run.googleapis.com"));
}
END_TEST

START_TEST(patch_body_holds_only_the_changes)
{
	char *const	 names[] = { "NEKO_ICESERVERS" };
	struct cloudrun_change chg;
	struct strbuf	 mask = { 0 };
	cJSON		*svc = fixture(), *body, *tpl, *ann;
	char		 err[256];

	cJSON_AddStringToObject(path(svc, "template", "annotations"),
	    "run.googleapis.com/startup-cpu-boost", "true");
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "[5]",
	    1893456000, &chg, err, sizeof(err)), 0);
	body = cloudrun_patch_body(svc, &chg, &mask);
	ck_assert_str_eq(mask.s, "template.containers,template.annotations,"
	    "template.revision");
	ck_assert_int_eq(cJSON_GetArraySize(body), 3);
	ck_assert_str_eq(cJSON_GetObjectItem(body, "name")->valuestring,
	    cJSON_GetObjectItem(svc, "name")->valuestring);
	ck_assert_str_eq(cJSON_GetObjectItem(body, "etag")->valuestring,
	    cJSON_GetObjectItem(svc, "etag")->valuestring);
	tpl = cJSON_GetObjectItem(body, "template");
	ck_assert_int_eq(cJSON_GetArraySize(tpl), 2);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(tpl,
	    "containers")), 2);
	ck_assert_ptr_null(cJSON_GetObjectItem(cJSON_GetArrayItem(
	    cJSON_GetObjectItem(tpl, "containers"), 0), "buildInfo"));
	ann = cJSON_GetObjectItem(tpl, "annotations");
	ck_assert_ptr_null(cJSON_GetObjectItem(ann,
	    "run.googleapis.com/startup-cpu-boost"));
	ck_assert_str_eq(cJSON_GetObjectItem(ann,
	    CLOUDRUN_MANAGED_ANNOTATION)->valuestring,
	    /* sha256sum of "NEKO_ICESERVERS=[5]" */
	    "{\"neko\":{\"NEKO_ICESERVERS\":\"50268fb2fd0069990465bd7bfdf2"
	    "327a559405cbabb8f2598af62ebe06272d27\"}}");
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(ann,
	    CLOUDRUN_EXPIRES_ANNOTATION));
	cJSON_Delete(body);

	/* Only the expiry changes: the annotations alone. */
	mask.len = 0;
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, names, 1, "[5]",
	    1893459600, &chg, err, sizeof(err)), 0);
	ck_assert(chg.changed && !chg.env_changed);
	body = cloudrun_patch_body(svc, &chg, &mask);
	ck_assert_str_eq(mask.s, "template.annotations");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(body,
	    "template")), 1);
	cJSON_Delete(body);
	sb_free(&mask);
	cJSON_Delete(svc);
}
END_TEST

START_TEST(managed_names_removed_when_dropped)
{
	char *const	 v2[] = { "NEKO_ICESERVERS" };
	char *const	 v3[] = { "NEKO_WEBRTC_ICESERVERS_FRONTEND",
	    "NEKO_WEBRTC_ICESERVERS_BACKEND" };
	struct cloudrun_change chg;
	cJSON		*svc = fixture();
	time_t		 exp;
	char		 err[256];

	/* Never recorded: the fixture's NEKO_ICESERVERS stays. */
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v3, 2, "[6]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(env_of(svc, 0, "NEKO_ICESERVERS"));
	/* Recorded, then dropped: removed; the sidecar's stays. */
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[6]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(chg.vars, "NEKO_ICESERVERS: value changed\n"
	    "NEKO_WEBRTC_ICESERVERS_FRONTEND: removed (set by iceupd before, "
	    "no longer asked for)\n"
	    "NEKO_WEBRTC_ICESERVERS_BACKEND: removed (set by iceupd before, "
	    "no longer asked for)\n");
	ck_assert_ptr_null(env_of(svc, 0, "NEKO_WEBRTC_ICESERVERS_FRONTEND"));
	ck_assert_ptr_nonnull(env_of(svc, 1, "NEKO_ICESERVERS"));
	ck_assert_int_eq(cloudrun_deployed(svc, NULL, v2, 1, &exp, err,
	    sizeof(err)), 1);
	/* A record that lists a name still set makes it not deployed. */
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v3, 2, "[6]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(cloudrun_deployed(svc, NULL, v3, 1, &exp, err,
	    sizeof(err)), 0);
	/* A record that is not JSON counts as none. */
	cJSON_ReplaceItemInObject(path(svc, "template", "annotations"),
	    CLOUDRUN_MANAGED_ANNOTATION, cJSON_CreateString("[oops"));
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[6]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(env_of(svc, 0, "NEKO_WEBRTC_ICESERVERS_BACKEND"));
	/* Containers the service no longer has leave the record. */
	cJSON_ReplaceItemInObject(path(svc, "template", "annotations"),
	    CLOUDRUN_MANAGED_ANNOTATION, cJSON_CreateString("{\"gone\":{\"X\":"
	    "\"" Z64 "\"},\"log-shipper\":{\"Y\":\"" Z64 "\"},\"neko\":{}}"));
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[6]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(chg.new_managed, "{\"log-shipper\":[\"Y\"],"
	    "\"neko\":[\"NEKO_ICESERVERS\"]}");
	cJSON_Delete(svc);
}
END_TEST

/* Sets the record of svc to text. */
static void
set_record(cJSON *svc, const char *text)
{
	cJSON_ReplaceItemInObject(path(svc, "template", "annotations"),
	    CLOUDRUN_MANAGED_ANNOTATION, cJSON_CreateString(text));
}

START_TEST(record_claims_only_what_it_set)
{
	char *const	 v2[] = { "NEKO_ICESERVERS" };
	char *const	 a[] = { "ICE_A" };
	struct cloudrun_change chg;
	cJSON		*svc = fixture();
	time_t		 exp;
	char		 err[256];

	ck_assert_int_eq(cloudrun_set_env(svc, NULL, a, 1, "[7]", 0, &chg,
	    err, sizeof(err)), 0);
	/* Names iceupd never set, with digests that are not of their
	 * values: they stay, named; the record claims them no more. */
	set_record(svc, "{\"neko\":{\"NEKO_WEBRTC_ICE_LITE\":\"" Z64 "\","
	    "\"NEKO_SCREEN\":\"" Z64 "\",\"NEKO_PASSWORD\":\"" Z64 "\"}}");
	ck_assert_int_eq(cloudrun_deployed(svc, NULL, a, 1, &exp, err,
	    sizeof(err)), 1);
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, a, 1, "[7]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(chg.vars, "");
	ck_assert_str_eq(chg.kept, "NEKO_WEBRTC_ICE_LITE\nNEKO_SCREEN\n"
	    "NEKO_PASSWORD\n");
	ck_assert_str_eq(chg.record_fault, "");
	ck_assert_ptr_nonnull(env_of(svc, 0, "NEKO_SCREEN"));
	ck_assert_str_eq(chg.new_managed, "{\"neko\":[\"ICE_A\"]}");
	/* A value iceupd set and that someone changed since stays. */
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[8]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_ptr_null(env_of(svc, 0, "ICE_A"));
	cJSON_ReplaceItemInObject(env_of(svc, 0, "NEKO_ICESERVERS"), "value",
	    cJSON_CreateString("[edited]"));
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, a, 1, "[9]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(chg.kept, "NEKO_ICESERVERS\n");
	ck_assert_str_eq(cJSON_GetObjectItem(env_of(svc, 0,
	    "NEKO_ICESERVERS"), "value")->valuestring, "[edited]");
	/* A record with a key repeated, of the old form, or with a digest
	 * that is not one: it counts as none, whole. */
	set_record(svc, "{\"neko\":{\"ICE_A\":\"" Z64 "\"},"
	    "\"neko\":{\"NEKO_ICESERVERS\":\"" Z64 "\"}}");
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[8]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_ne(chg.record_fault, "");
	ck_assert_str_eq(chg.kept, "");
	ck_assert_str_eq(chg.old_managed, "(not a record of iceupd's)");
	ck_assert_ptr_nonnull(env_of(svc, 0, "ICE_A"));
	ck_assert_str_eq(chg.new_managed, "{\"neko\":[\"NEKO_ICESERVERS\"]}");
	set_record(svc, "{\"neko\":[\"ICE_A\"]}");
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[8]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_ne(chg.record_fault, "");
	ck_assert_ptr_nonnull(env_of(svc, 0, "ICE_A"));
	set_record(svc, "{\"neko\":{\"ICE_A\":\"ABC\"}}");
	ck_assert_int_eq(cloudrun_set_env(svc, NULL, v2, 1, "[8]", 0, &chg,
	    err, sizeof(err)), 0);
	ck_assert_str_ne(chg.record_fault, "");
	cJSON_Delete(svc);
}
END_TEST

START_TEST(service_names)
{
	char	*full, err[256];

	ck_assert_int_eq(cloudrun_name(SVC, NULL, NULL, &full, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(full, SVC);
	free(full);
	ck_assert_int_eq(cloudrun_name("neko", "demo-project", "europe-west1",
	    &full, err, sizeof(err)), 0);
	ck_assert_str_eq(full, SVC);
	ck_assert_str_eq(cloudrun_short(full), "neko");
	free(full);
	ck_assert_int_eq(cloudrun_name("neko", NULL, "r", &full, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("projects/p/services/x", NULL, NULL,
	    &full, err, sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("projects/p/locations/l/services/x/y",
	    NULL, NULL, &full, err, sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("projects/p/locations/../services/x",
	    NULL, NULL, &full, err, sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("..", "p", "r", &full, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("projects/p/locations/l/services/x?a=b",
	    NULL, NULL, &full, err, sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("neko%2f", "p", "r", &full, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(cloudrun_name("", "p", "r", &full, err,
	    sizeof(err)), -1);
}
END_TEST

UNIT_SUITE(deploy_service)
{
	return unit_suite("deploy_service", "env",
	    TESTS(set_env_changes_only_the_intended, set_env_twice_is_no_change,
	    set_env_adds_v3_names,
	    set_env_refuses_secret_refs_and_unknown_containers,
	    set_env_named_container, deployed_freshness, service_names,
	    system_keys, patch_body_holds_only_the_changes,
	    managed_names_removed_when_dropped,
	    record_claims_only_what_it_set));
}
