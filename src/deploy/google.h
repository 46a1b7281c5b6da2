/* deploy/google.h: Google access tokens (an explicit token, Application
 * Default Credentials: a service-account key signed into an RS256 JWT, user
 * credentials' refresh token, the metadata server) and the JSON calls of
 * Google's REST APIs made with them. */
#ifndef ICEUPD_GOOGLE_H
#define ICEUPD_GOOGLE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "../http.h"
#include "../settings.h"

#define GOOGLE_SCOPE	"https://www.googleapis.com/auth/cloud-platform"
#define GOOGLE_METADATA_HOST	"metadata.google.internal"

/* An access token, from the first source configured: GOOGLE_OAUTH_ACCESS_TOKEN
 * (or _FILE); the credentials file GOOGLE_APPLICATION_CREDENTIALS names, else
 * gcloud's application_default_credentials.json under $CLOUDSDK_CONFIG or
 * ~/.config/gcloud (type service_account or authorized_user); else the
 * metadata server.  Tokens are kept in memory until shortly before they
 * expire, and registered with log_secret().  Returns 0 with a copy in
 * *token (free it with util_free_secret()), or -1 with err saying why (never
 * holding a secret).  Safe to call from several threads. */
int	 google_token(const struct settings *, long long deadline,
	    struct http_keep *keep, char **token, char *err, size_t errlen);
/* 1 when the last google_token() failed for want of usable credentials
 * (none found, or a credentials file that cannot be read or is not of a
 * kind iceupd takes): a configuration error (exit 2), not a failure. */
int	 google_no_credentials(void);
/* Forgets the cached token (after the API refused it). */
void	 google_token_forget(void);
/* Where the token comes from, for messages: "GOOGLE_OAUTH_ACCESS_TOKEN",
 * "service account NAME@..." or "the metadata server's default service
 * account"; "" before google_token(). */
const char *google_token_source(void);

/* The text at path (below /computeMetadata/v1/) on the metadata server.
 * Returns 0 with *out allocated, or -1 with err. */
int	 google_metadata(const struct settings *, const char *path,
	    long long deadline, char **out, char *err, size_t errlen);
/* The project for short names: --project / GOOGLE_CLOUD_PROJECT, else the
 * credentials file's project_id (a service-account key has one), else the
 * metadata server's.  The
 * region: --region / ICEUPD_CLOUDRUN_REGION, else the metadata server's
 * instance/region.  Return 0 with *out allocated, or -1 with err. */
int	 google_project(const struct settings *, long long deadline, char **out,
	    char *err, size_t errlen);
int	 google_region(const struct settings *, long long deadline, char **out,
	    char *err, size_t errlen);

/* The RS256 JWT a service account presents at token_uri: header
 * {"alg":"RS256","typ":"JWT","kid":kid} (kid left out when NULL), claims
 * iss, scope (cloud-platform), aud, iat = now, exp = now + 3600, signed with
 * the PEM private key.  Returns 0 with *jwt allocated, or -1 with err. */
int	 google_jwt(const char *iss, const char *kid, const char *pem,
	    const char *aud, time_t now, char **jwt, char *err, size_t errlen);
/* Appends the unpadded base64url encoding of p. */
void	 google_b64url(struct strbuf *, const void *p, size_t len);

/* Appends the URL of a Google REST API resource to url: base (its
 * trailing slashes dropped), "/", version, "/", name, then suffix (may be
 * NULL). */
void	 google_api_url(struct strbuf *url, const char *base,
	    const char *version, const char *name, const char *suffix);
/* One JSON call with the access token: body (JSON, or NULL) sent as
 * application/json; 429 and 5xx answers retried with backoff until the
 * deadline (capped per call); over keep's connection when keep is not NULL
 * (the token too, when it must be fetched).  Returns 0 when a response
 * arrived (rs->status set, *doc its JSON or NULL when the body is not
 * JSON), or -1 with err. */
int	 google_call(const struct settings *, const char *method,
	    const char *url, const char *body, long long deadline,
	    struct http_keep *keep, struct http_response *rs, cJSON **doc,
	    char *err, size_t errlen);
/* Logs (at -v) the TLS handshakes the calls for what made over conn: one
 * when they all shared it. */
void	 google_report_connection(const char *what,
	    const struct http_keep *conn);
/* The "STATUS: message" of a Google error body (AIP-193), escaped for a
 * log line, into buf; "HTTP <status>" when the body has none. */
char	*google_error_text(const struct http_response *, const cJSON *doc,
	    char *buf, size_t len);

#endif
