/* deploy/service.h: the Cloud Run service as JSON (Admin API v2): names,
 * what it has deployed, the variables set in its environment and the PATCH
 * body.  Pure: no call of the API (cloudrun.h). */
#ifndef ICEUPD_DEPLOY_SERVICE_H
#define ICEUPD_DEPLOY_SERVICE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "../util.h"

/* The template annotation that records until when the deployed credentials
 * are valid (RFC 3339 UTC).  Cloud Run keeps the run.googleapis.com/,
 * serving.knative.dev/ and autoscaling.knative.dev/ prefixes for itself. */
#define CLOUDRUN_EXPIRES_ANNOTATION	"iceupd.dev/expires-at"
/* The template annotation that records the variables iceupd set, per
 * container, with the hex SHA-256 of "NAME=VALUE" for the value it set:
 * {"CONTAINER":{"NAME":"DIGEST",...}} ("" for an unnamed container).  A
 * name recorded there and no longer asked for is removed only while it
 * still holds that value; no other.  A record that is not of this form
 * (a key repeated included) counts as none. */
#define CLOUDRUN_MANAGED_ANNOTATION	"iceupd.dev/managed-env"

/* What cloudrun_set_env() changed, for --dry-run and the logs. */
struct cloudrun_change {
	char	 container[128];	/* "" when unnamed */
	char	 vars[2048];		/* "NAME: value changed\n..." */
	time_t	 old_expires, new_expires;	/* 0: none */
	char	 old_managed[512], new_managed[512];	/* the record's names */
	char	 record_fault[128];	/* why the record counts as none */
	char	 kept[1024];	/* "NAME\n"...: recorded, another value */
	char	 old_revision[128];	/* "" when none was set */
	int	 env_changed;		/* template.containers */
	int	 annotations_changed;	/* template.annotations */
	int	 changed;		/* either */
};

/* Turns "projects/P/locations/L/services/S", or "S" with project and region
 * (either may be NULL when text is a full name), into the full name in
 * *full.  Returns 0, or -1 with err. */
int	 cloudrun_name(const char *text, const char *project,
	    const char *region, char **full, char *err, size_t errlen);
/* The last part of a full name (the service id). */
const char *cloudrun_short(const char *full);

/* Reads what a service has deployed: 1 when the chosen container (NULL: the
 * first) sets every one of names as a plain value (not "DYNAMIC") and keeps
 * no variable iceupd set before and no longer manages, else 0;
 * *expires gets the recorded expiry (0 when none).  -1 with err when the
 * service has no such container. */
int	 cloudrun_deployed(const cJSON *svc, const char *container,
	    char *const *names, size_t n, time_t *expires, char *err,
	    size_t errlen);
/* Sets names to value in the chosen container of svc, removes the
 * variables CLOUDRUN_MANAGED_ANNOTATION recorded there, still holding the
 * value recorded, that names leaves out, records names, sets the expiry
 * annotation to expires (removed when 0), and clears template.revision
 * when anything changed, changing nothing else in the tree.  Returns 0
 * with *chg filled, or -1 with err (no such container, or a variable that
 * comes from Secret Manager). */
int	 cloudrun_set_env(cJSON *svc, const char *container,
	    char *const *names, size_t n, const char *value, time_t expires,
	    struct cloudrun_change *chg, char *err, size_t errlen);
/* Appends what chg says, never a value, one line each, indented. */
void	 cloudrun_describe(const struct cloudrun_change *, struct strbuf *);
/* The body of services.patch for svc as cloudrun_set_env() left it: name,
 * etag and, of the template, only what chg changed (all containers, as a
 * repeated field is replaced whole; the annotations, without the system
 * namespaces Cloud Run refuses); never an output-only field.  *mask gets
 * the matching updateMask (template.revision included when it was cleared).
 * Returns the body to free with cJSON_Delete(). */
cJSON	*cloudrun_patch_body(const cJSON *svc, const struct cloudrun_change *,
	    struct strbuf *mask);
/* 1 when the label or annotation key is in a namespace Cloud Run keeps for
 * itself (run.googleapis.com, cloud.googleapis.com, serving.knative.dev,
 * autoscaling.knative.dev, or a subdomain of one). */
int	 cloudrun_system_key(const char *key);
/* neko v3 copies a set NEKO_ICESERVERS over both of its own lists: 1 when
 * names holds v3's and the chosen container of svc keeps one that iceupd
 * may not remove (names leaves it out). */
int	 cloudrun_v2_stays(const cJSON *svc, const char *container,
	    char *const *names, size_t n);

/* neko's variable of v2 and the prefix of those of v3. */
#define CLOUDRUN_NEKO_V2	"NEKO_ICESERVERS"
#define CLOUDRUN_NEKO_V3	"NEKO_WEBRTC_ICESERVERS_"

#endif
