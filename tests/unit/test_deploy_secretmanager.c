/* test_deploy_secretmanager.c: secret names, and a Secret Manager that cannot
 * be reached: the failure is returned with the secret named, never logged. */
#include <stdlib.h>
#include <string.h>

#include "../../src/deploy/secretmanager.h"
#include "../../src/http.h"
#include "../../src/log.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

#define SECRET	"projects/demo-project/secrets/neko-ice"

START_TEST(secret_names)
{
	char	*full, err[256];

	ck_assert_int_eq(secretmanager_name("neko-ice", "demo-project", &full,
	    err, sizeof(err)), 0);
	ck_assert_str_eq(full, SECRET);
	free(full);
	ck_assert_int_eq(secretmanager_name(SECRET, NULL, &full, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(full, SECRET);
	free(full);
	ck_assert_int_eq(secretmanager_name("neko-ice", NULL, &full, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "'neko-ice' needs a project");
	ck_assert_int_eq(secretmanager_name("projects/p/secrets/a/b", NULL,
	    &full, err, sizeof(err)), -1);
	ck_assert_ptr_null(full);
}
END_TEST

START_TEST(failure_is_returned_not_logged)
{
	struct secret_result res;
	struct settings	 s;
	struct http_keep *conn = http_keep_new();
	char		*said;

	unit_settings(&s, ARGS("deploy"),
	    ENV("GOOGLE_OAUTH_ACCESS_TOKEN=ya29.u",
	    "ICEUPD_SECRETMANAGER_ENDPOINT=https://127.0.0.1:1"));
	log_init(1, LOG_TEXT);
	unit_stderr_begin();
	secretmanager_deploy(&s, SECRET, "[]", 0, 0, util_monotonic_ms() + 20000,
	    conn, &res);
	said = unit_stderr_end();
	log_init(0, LOG_TEXT);
	ck_assert_str_eq(said, "");
	free(said);
	ck_assert_int_eq(res.outcome, SECRET_FAILED);
	ck_assert_int_eq(res.added, 0);
	ck_assert_int_eq(strncmp(res.err, SECRET ": ", strlen(SECRET ": ")),
	    0);
	ck_assert_uint_gt(strlen(res.err), strlen(SECRET ": "));
	secret_result_free(&res);
	http_keep_free(conn);
	settings_free(&s);
}
END_TEST

UNIT_SUITE(deploy_secretmanager)
{
	return unit_suite("deploy_secretmanager", "sink", TESTS(secret_names,
	    failure_is_returned_not_logged));
}
