/* deploy/secretmanager.h: the Secret Manager sink: credentials as a new
 * version of a secret, older versions disabled. */
#ifndef ICEUPD_SECRETMANAGER_H
#define ICEUPD_SECRETMANAGER_H

#include <stddef.h>
#include <time.h>

#include "../http.h"
#include "../settings.h"
#include "../util.h"

/* Turns "projects/P/secrets/S", or "S" with project (may be NULL when text
 * is a full name), into the full name in *full.  0, or -1 with err. */
int	 secretmanager_name(const char *text, const char *project, char **full,
	    char *err, size_t errlen);

/* What secretmanager_deploy() did or, under --dry-run, would do. */
enum secret_outcome {
	SECRET_ADDED,		/* a version added (planned, under --dry-run) */
	SECRET_UNCHANGED,	/* the newest version already holds them */
	SECRET_FAILED		/* err says why */
};

struct secret_result {
	enum secret_outcome outcome;
	long	 current;	/* unchanged: the version holding them */
	int	 added;		/* a version was added, even if a later call
				 * failed */
	char	 version[256];	/* added: its name, "" when not answered */
	int	 disabled;	/* older versions disabled */
	struct strbuf plan;	/* --dry-run: the changes, one line each */
	char	 err[1024];	/* failed: "SECRET: why" */
};

/* Adds a version holding value to secret (a full name) unless the newest
 * enabled version is already at least as new as the credentials
 * (fetched_at) and they came from the cache (reused is 1); then disables the
 * enabled versions beyond the newest s->keep.  Under --dry-run it only
 * writes what it would do into res->plan.  Every call goes over conn.
 * Never logs: res says what happened. */
void	 secretmanager_deploy(const struct settings *s, const char *secret,
	    const char *value, int reused, time_t fetched_at,
	    long long deadline, struct http_keep *conn,
	    struct secret_result *res);
void	 secret_result_free(struct secret_result *);

#endif
