/* deploy/cloudrun.h: Cloud Run Admin API v2: read a service, set variables
 * in its environment (service.h), patch it, wait for the rollout. */
#ifndef ICEUPD_CLOUDRUN_H
#define ICEUPD_CLOUDRUN_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "../http.h"
#include "../settings.h"
#include "../util.h"
#include "service.h"

/* How the last phase for a service ended. */
enum cloudrun_outcome {
	CLOUDRUN_DONE,		/* read; or updated (would be, --dry-run) */
	CLOUDRUN_UNCHANGED,	/* update: it holds these credentials already */
	CLOUDRUN_FAILED,	/* err says why */
	CLOUDRUN_REFUSED	/* its configuration forbids it: err says why */
};

/* One service to update: phase one reads it, phase two writes it.  The
 * phases never log: the outcome and the fields below say what happened. */
struct cloudrun_target {
	const struct settings *s;
	char		*name;		/* projects/P/locations/L/services/S */
	char *const	*names;		/* variables to set */
	size_t		 nnames;
	long long	 deadline;	/* monotonic ms for everything */
	const char	*value;		/* phase two: the neko JSON */
	time_t		 expires;	/* phase two: its expiry, 0 unknown */

	struct http_keep *conn;		/* every call for this service */
	cJSON		*svc;		/* as last read */
	int		 fresh;		/* deployed, with min-ttl left */
	time_t		 deployed_expires;
	enum cloudrun_outcome outcome;	/* of the last phase */
	char		 err[1024];	/* failed or refused: "NAME: why" */
	int		 v2_stays;	/* CLOUDRUN_NEKO_V2 stays beside v3's */
	char		 record_fault[128];	/* cloudrun_change's, */
	char		 kept[1024];		/* at the first attempt */
	struct strbuf	 retries;	/* why it was read again, a line each */
	char		 revision[256];	/* created by phase two */
	struct strbuf	 diff;		/* --dry-run */
};

/* Phase one: GET the service and see whether what it has is fresh: done,
 * failed or refused (no such container). */
void	 cloudrun_read(struct cloudrun_target *t);
/* Phase two: set the variables and PATCH (re-reading and retrying on
 * conflicts), then wait for the operation: done, unchanged (nothing to
 * change), failed or refused (a variable from Secret Manager). */
void	 cloudrun_update(struct cloudrun_target *t);
void	 cloudrun_target_free(struct cloudrun_target *t);

#endif
