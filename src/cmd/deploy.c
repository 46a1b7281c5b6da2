/* cmd/deploy.c: `iceupd deploy`: fetch, then hand the credentials to Cloud Run
 * services (a new revision with the variables set) or to a Secret Manager
 * secret (a new version).
 *
 * The services are read first, all at once: when every one of them still
 * has credentials with --min-ttl left (recorded in the template annotation
 * CLOUDRUN_EXPIRES_ANNOTATION), nothing is fetched or changed and the exit
 * status is 3.  Otherwise the credentials are fetched once and the services
 * that need them are updated, all at once, under one --deploy-timeout.
 * cloudrun.c and secretmanager.c only say what happened: every message and
 * every exit status of deploy is chosen here. */
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../deploy/cloudrun.h"
#include "../deploy/google.h"
#include "../deploy/secretmanager.h"
#include "../format/format.h"
#include "../log.h"
#include "../refresh.h"
#include "commands.h"

#define SERVICES_MAX	32
#define ENV_VALUE_MAX	32768	/* Cloud Run's limit on one value */

/* Variable names Cloud Run sets itself and refuses in a template. */
static const char *const reserved[] = { "PORT", "K_SERVICE", "K_REVISION",
	"K_CONFIGURATION", NULL };

static int
check_names(const struct settings *s, char **names, size_t n)
{
	size_t	 i, k;
	char	 shown[80];

	if (n == 0) {
		log_error("%s: no variable name given",
		    SETTING_ORIGIN(s, env_name));
		return -1;
	}
	for (i = 0; i < n; i++) {
		log_escape(names[i], 60, shown, sizeof(shown));
		if (strspn(names[i], "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
		    "opqrstuvwxyz0123456789_") != strlen(names[i]) ||
		    (names[i][0] >= '0' && names[i][0] <= '9')) {
			log_error("%s: '%s' is not a variable name",
			    SETTING_ORIGIN(s, env_name), shown);
			return -1;
		}
		for (k = 0; reserved[k] != NULL; k++)
			if (strcmp(names[i], reserved[k]) == 0)
				break;
		if (reserved[k] != NULL) {
			log_error("%s: Cloud Run sets %s itself",
			    SETTING_ORIGIN(s, env_name), shown);
			return -1;
		}
	}
	return 0;
}

/* Fetches the credentials as neko JSON, without the trailing newline. */
static int
fetch_neko(const struct settings *s, struct engine_result *r,
    struct strbuf *out)
{
	struct refresh_opts o = { refresh_ask(s, 0), FMT_NEKO };
	int	 rc;

	rc = refresh_once(s, &o, r, out);
	if ((rc == EXIT_OK || rc == EXIT_DEGRADED) && out->len > 0 &&
	    out->s[out->len - 1] == '\n')
		out->s[--out->len] = '\0';
	if ((rc == EXIT_OK || rc == EXIT_DEGRADED) &&
	    out->len > ENV_VALUE_MAX) {
		log_error("the credentials take %zu bytes, more than the "
		    "%d a Cloud Run variable holds: use --max-servers or "
		    "--transport tcp", out->len, ENV_VALUE_MAX);
		rc = EXIT_FAIL;
	}
	return rc;
}

/* Says what secretmanager_deploy() did; returns the exit status. */
static int
secret_status(const struct settings *s, const char *secret,
    const struct secret_result *res)
{
	if (res->added)
		log_notice("%s: added %s", secret, res->version[0] ?
		    res->version : "a version");
	switch (res->outcome) {
	case SECRET_UNCHANGED:
		log_notice("%s: version %ld already holds these credentials: "
		    "nothing to do", secret, res->current);
		return EXIT_UNCHANGED;
	case SECRET_FAILED:
		log_error("%s", res->err);
		return google_no_credentials() ? EXIT_USAGE : EXIT_FAIL;
	case SECRET_ADDED:
		break;
	}
	if (s->dry_run) {
		fputs(res->plan.s, stdout);
		return fflush(stdout) == EOF ? EXIT_FAIL : EXIT_OK;
	}
	if (res->disabled > 0)
		log_info("%s: disabled %d older version%s", secret,
		    res->disabled, res->disabled == 1 ? "" : "s");
	return EXIT_OK;
}

static int
deploy_secret(const struct settings *s, long long deadline)
{
	struct engine_result r;
	struct secret_result res;
	struct http_keep *conn = NULL;	/* every call to Secret Manager */
	struct strbuf	 out = { 0 };
	char		*secret = NULL, *project = NULL, err[512];
	const char	*text = s->sink + strlen("secret:");
	int		 rc, frc;

	memset(&r, 0, sizeof(r));
	memset(&res, 0, sizeof(res));
	if (strchr(text, '/') == NULL && google_project(s, deadline, &project,
	    err, sizeof(err)) == -1) {
		log_error("%s: %s", SETTING_ORIGIN(s, sink), err);
		rc = EXIT_USAGE;
		goto out;
	}
	if (secretmanager_name(text, project, &secret, err,
	    sizeof(err)) == -1) {
		log_error("%s: %s", SETTING_ORIGIN(s, sink), err);
		rc = EXIT_USAGE;
		goto out;
	}
	rc = fetch_neko(s, &r, &out);
	if (rc != EXIT_OK && rc != EXIT_DEGRADED)
		goto out;
	conn = http_keep_new();
	secretmanager_deploy(s, secret, out.s, r.from_cache,
	    r.list.fetched_at, deadline, conn, &res);
	frc = secret_status(s, secret, &res);
	google_report_connection(secret, conn);
	if (frc != EXIT_OK)
		rc = frc;
out:
	sb_free_secret(&out);
	engine_result_free(&r);
	secret_result_free(&res);
	http_keep_free(conn);
	free(secret);
	free(project);
	return rc;
}

static void *
read_one(void *arg)
{
	cloudrun_read(arg);
	OPENSSL_thread_stop();
	return NULL;
}

static void *
update_one(void *arg)
{
	cloudrun_update(arg);
	OPENSSL_thread_stop();
	return NULL;
}

/* Runs fn on every target whose rc is EXIT_OK, each in a thread. */
static void
run_all(struct cloudrun_target *t, const int *rc, size_t n,
    void *(*fn)(void *))
{
	pthread_t	 th[SERVICES_MAX];
	int		 started[SERVICES_MAX];
	size_t		 i;

	for (i = 0; i < n; i++) {
		started[i] = 0;
		if (rc[i] != EXIT_OK)
			continue;
		if (n > 1 && pthread_create(&th[i], NULL, fn, &t[i]) == 0)
			started[i] = 1;
		else
			fn(&t[i]);
	}
	for (i = 0; i < n; i++)
		if (started[i])
			pthread_join(th[i], NULL);
}

/* Resolves every --service into a full name; refuses the service iceupd
 * runs in.  Returns the count, or -1 after logging why. */
static int
resolve_services(const struct settings *s, long long deadline,
    struct cloudrun_target *t)
{
	const char	*self = getenv("K_SERVICE");
	char		**items = NULL, *project = NULL, *region = NULL;
	char		 err[512], shown[80];
	size_t		 n, i;
	int		 rc = -1;

	n = util_split_list(s->services, &items);
	if (n == 0 || n > SERVICES_MAX) {
		log_error("%s: expected 1 to %d services",
		    SETTING_ORIGIN(s, services), SERVICES_MAX);
		goto out;
	}
	for (i = 0; i < n; i++) {
		if (strchr(items[i], '/') != NULL || project != NULL)
			continue;
		if (google_project(s, deadline, &project, err,
		    sizeof(err)) == -1 || google_region(s, deadline, &region,
		    err, sizeof(err)) == -1) {
			log_error("%s: %s", SETTING_ORIGIN(s, services), err);
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		if (cloudrun_name(items[i], project, region, &t[i].name, err,
		    sizeof(err)) == -1) {
			log_error("%s: %s", SETTING_ORIGIN(s, services), err);
			goto out;
		}
		if (self != NULL && strcmp(self, cloudrun_short(t[i].name)) ==
		    0 && !s->allow_self) {
			log_escape(self, 60, shown, sizeof(shown));
			log_error("%s: iceupd runs inside this service "
			    "(K_SERVICE=%s): a new revision would restart it "
			    "and start it over; pass --allow-self if this is "
			    "meant", t[i].name, shown);
			goto out;
		}
	}
	rc = (int)n;
out:
	if (rc == -1)
		for (i = 0; i < n && i < SERVICES_MAX; i++) {
			free(t[i].name);
			t[i].name = NULL;
		}
	util_free_list(items, n);
	free(project);
	free(region);
	return rc;
}

/* Logs how t's last phase failed, if it did; returns its exit status. */
static int
phase_status(const struct cloudrun_target *t)
{
	switch (t->outcome) {
	case CLOUDRUN_FAILED:
		log_error("%s", t->err);
		return google_no_credentials() ? EXIT_USAGE : EXIT_FAIL;
	case CLOUDRUN_REFUSED:
		log_error("%s", t->err);
		return EXIT_USAGE;
	case CLOUDRUN_UNCHANGED:
		return EXIT_UNCHANGED;
	case CLOUDRUN_DONE:
		break;
	}
	return EXIT_OK;
}

/* Says what cloudrun_update() did to t; returns the exit status. */
static int
update_status(const struct settings *s, const struct cloudrun_target *t)
{
	const char	*line;
	char		 when[32];
	size_t		 len;
	int		 rc;

	if (t->v2_stays)
		log_warn("%s: %s stays (iceupd has no record of setting it), "
		    "and neko v3 uses it instead of %s*: remove it unless it "
		    "is meant", t->name, CLOUDRUN_NEKO_V2, CLOUDRUN_NEKO_V3);
	if (t->record_fault[0] != '\0')
		log_warn("%s: annotation %s is not a record iceupd writes (%s): "
		    "no variable removed by it", t->name,
		    CLOUDRUN_MANAGED_ANNOTATION, t->record_fault);
	for (line = t->kept; *line != '\0'; line += len + 1) {
		len = strcspn(line, "\n");
		log_warn("%s: %.*s stays: %s names it, but its value is not "
		    "the one iceupd set", t->name, (int)len, line,
		    CLOUDRUN_MANAGED_ANNOTATION);
	}
	for (line = t->retries.s; line != NULL && *line != '\0';
	    line += len + (line[len] != '\0')) {
		len = strcspn(line, "\n");
		log_info("%.*s", (int)len, line);
	}
	rc = phase_status(t);
	if (rc == EXIT_UNCHANGED)
		log_notice("Cloud Run service %s already holds these "
		    "credentials: %s", t->name, s->dry_run ?
		    "nothing would change" : "nothing to do");
	if (rc != EXIT_OK || s->dry_run)
		return rc;
	if (s->validate_only)
		log_notice("%s: Cloud Run accepts the update "
		    "(--validate-only: nothing changed)", t->name);
	else
		log_notice("%s: revision %s serves credentials valid until %s",
		    t->name, t->revision[0] ? t->revision : "(unnamed)",
		    t->expires ? util_rfc3339(t->expires, when, sizeof(when)) :
		    "an unknown time");
	return rc;
}

static int
deploy_services(const struct settings *s, long long deadline)
{
	struct cloudrun_target t[SERVICES_MAX];
	int		 trc[SERVICES_MAX];	/* EXIT_* of each service */
	struct engine_result r;
	struct strbuf	 out = { 0 };
	char		**names = NULL;
	char		 when[32];
	size_t		 nnames, i, n = 0;
	int		 rc = EXIT_USAGE, frc, nfail = 0, nusage = 0;
	int		 nchanged = 0, nkept = 0, ns;

	memset(t, 0, sizeof(t));
	memset(&r, 0, sizeof(r));
	nnames = util_split_list(s->env_name, &names);
	if (check_names(s, names, nnames) == -1)
		goto out;
	if ((ns = resolve_services(s, deadline, t)) == -1)
		goto out;
	n = (size_t)ns;
	for (i = 0; i < n; i++) {
		t[i].s = s;
		t[i].names = names;
		t[i].nnames = nnames;
		t[i].deadline = deadline;
		trc[i] = EXIT_OK;
	}

	run_all(t, trc, n, read_one);
	for (i = 0; i < n; i++) {
		if ((trc[i] = phase_status(&t[i])) != EXIT_OK)
			continue;
		if (t[i].fresh && !s->force_refresh) {
			log_notice("Cloud Run service %s already holds "
			    "credentials valid until %s: nothing to do",
			    t[i].name, util_rfc3339(t[i].deployed_expires, when,
			    sizeof(when)));
			trc[i] = EXIT_UNCHANGED;
		}
	}
	for (i = 0; i < n; i++)
		if (trc[i] == EXIT_OK)
			break;
	if (i == n) {
		/* Nothing left to update: all fresh, or failed. */
		rc = EXIT_UNCHANGED;
		goto tally;
	}

	frc = fetch_neko(s, &r, &out);
	if (frc != EXIT_OK && frc != EXIT_DEGRADED) {
		rc = frc;
		goto out;
	}
	for (i = 0; i < n; i++) {
		t[i].value = out.s;
		t[i].expires = ice_list_expires(&r.list);
		/* A list without TURN, or stale, does not replace
		 * credentials that are still valid. */
		if (frc == EXIT_DEGRADED && trc[i] == EXIT_OK &&
		    t[i].deployed_expires > time(NULL)) {
			log_warn("%s: keeps its credentials, valid until %s: "
			    "the new list has no TURN or is stale", t[i].name,
			    util_rfc3339(t[i].deployed_expires, when,
			    sizeof(when)));
			trc[i] = EXIT_DEGRADED;
		}
	}
	run_all(t, trc, n, update_one);
	for (i = 0; i < n; i++)
		if (trc[i] == EXIT_OK)
			trc[i] = update_status(s, &t[i]);
	if (s->dry_run)
		for (i = 0; i < n; i++)
			if (t[i].diff.s != NULL)
				fputs(t[i].diff.s, stdout);
	if (fflush(stdout) == EOF)
		nfail++;
	rc = frc;
tally:
	for (i = 0; i < n; i++) {
		if (trc[i] == EXIT_FAIL)
			nfail++;
		else if (trc[i] == EXIT_USAGE)
			nusage++;
		else if (trc[i] == EXIT_OK)
			nchanged++;
		else if (trc[i] == EXIT_DEGRADED)
			nkept++;
	}
	if (nfail > 0)
		rc = EXIT_FAIL;
	else if (nusage > 0)
		rc = EXIT_USAGE;
	else if (nkept > 0)
		rc = EXIT_DEGRADED;
	else if (nchanged == 0)
		rc = EXIT_UNCHANGED;
	else if (rc == EXIT_UNCHANGED)
		rc = EXIT_OK;
out:
	for (i = 0; i < n; i++) {
		if (t[i].conn != NULL)
			google_report_connection(t[i].name, t[i].conn);
		cloudrun_target_free(&t[i]);
	}
	sb_free_secret(&out);
	engine_result_free(&r);
	util_free_list(names, nnames);
	return rc;
}

int
cmd_deploy(const struct settings *s)
{
	long long deadline = util_monotonic_ms() + s->deploy_timeout * 1000;

	if (s->sink != NULL) {
		if (strncmp(s->sink, "secret:", 7) != 0) {
			log_error("%s: expected secret:projects/PROJECT/"
			    "secrets/SECRET", SETTING_ORIGIN(s, sink));
			return EXIT_USAGE;
		}
		return deploy_secret(s, deadline);
	}
	if (s->services == NULL) {
		log_error("deploy: no service: set --service or "
		    "ICEUPD_CLOUDRUN_SERVICE (projects/PROJECT/locations/REGION/"
		    "services/SERVICE), or --sink secret:NAME");
		return EXIT_USAGE;
	}
	return deploy_services(s, deadline);
}
