/* deploy/cloudrun.c: Cloud Run Admin API v2: read a service, set variables
 * in its environment (service.c), patch it, wait for the rollout. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../http.h"
#include "../log.h"
#include "cloudrun.h"
#include "google.h"

#define CONFLICT_MAX	4	/* PATCH attempts when others write too */
#define WAIT_STEP	60	/* seconds one :wait may block */
#define POLL_MS		1000	/* between GETs of the operation */

static const char id_chars_path[] = "abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/";

static void
api_url(const struct cloudrun_target *t, struct strbuf *url, const char *name,
    const char *suffix)
{
	google_api_url(url, t->s->cloudrun_endpoint, "v2", name, suffix);
}

/* Ends the phase with outcome; t->err gets "SERVICE: " and the reason. */
static void
fail(struct cloudrun_target *t, enum cloudrun_outcome outcome,
    const char *fmt, ...) __attribute__((__format__(__printf__, 3, 4)));

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
			t->v2_stays = cloudrun_v2_stays(t->svc,
			    t->s->container, t->names, t->nnames);
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
		util_free_secret(body);
		body = xjson_print(patch, 0);
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
	util_free_secret(body);
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
