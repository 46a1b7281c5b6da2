/* test_deploy_cloudrun.c: the Cloud Run Admin API calls: a service that
 * cannot be reached. */
#include <stdlib.h>
#include <string.h>

#include "../../src/deploy/cloudrun.h"
#include "../../src/log.h"
#include "../../src/settings.h"
#include "../../src/util.h"
#include "unit.h"

#define SVC	"projects/demo-project/locations/europe-west1/services/neko"

/* Runs phase on t: it must fail with the service named first in t->err,
 * and log nothing. */
static void
phase_fails(struct cloudrun_target *t, void (*phase)(struct cloudrun_target *))
{
	char	*said;

	unit_stderr_begin();
	phase(t);
	said = unit_stderr_end();
	ck_assert_str_eq(said, "");
	free(said);
	ck_assert_int_eq(t->outcome, CLOUDRUN_FAILED);
	ck_assert_int_eq(strncmp(t->err, SVC ": ", strlen(SVC ": ")), 0);
}

/* A service that cannot be reached: each phase fails with the service
 * named in the reason, and logs nothing, even at -v: deploy.c says it. */
START_TEST(phases_return_their_errors)
{
	struct cloudrun_target t;
	struct settings	 s;
	char		*names[] = { "NEKO_ICESERVERS" };

	unit_settings(&s, ARGS("deploy"),
	    ENV("GOOGLE_OAUTH_ACCESS_TOKEN=ya29.u",
	    "ICEUPD_CLOUDRUN_ENDPOINT=https://127.0.0.1:1"));
	memset(&t, 0, sizeof(t));
	t.s = &s;
	t.name = xstrdup(SVC);
	t.names = names;
	t.nnames = 1;
	t.deadline = util_monotonic_ms() + 20000;
	t.value = "[]";
	log_init(1, LOG_TEXT);
	phase_fails(&t, cloudrun_read);
	ck_assert_uint_gt(strlen(t.err), strlen(SVC ": "));
	t.err[0] = '\0';
	phase_fails(&t, cloudrun_update);
	log_init(0, LOG_TEXT);
	cloudrun_target_free(&t);
	settings_free(&s);
}
END_TEST

UNIT_SUITE(deploy_cloudrun)
{
	return unit_suite("deploy_cloudrun", "api",
	    TESTS(phases_return_their_errors));
}
