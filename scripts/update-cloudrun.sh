#!/bin/sh
# update-cloudrun.sh: drop-in for the old hourly update-twilio-credentials.sh.
# Puts fresh TURN credentials into a Cloud Run service's NEKO_ICESERVERS with
# `iceupd deploy` (Cloud Run Admin API v2: no gcloud, no python), changing
# nothing else in the service, and only when the deployed credentials are
# close to expiry (no new revision every hour).  It prints no credentials.
#
# The old script's settings, read from the environment or from .env (in this
# folder or the one above, as before):
#   PROJECT_ID      Google Cloud project (required unless SERVICE is a full
#                   projects/P/locations/L/services/S name or GOOGLE_CLOUD_PROJECT is set)
#   SERVICE_NAME    the service (default kernel-browser, as before)
#   REGION          its region (default us-central1, as before)
#   TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN   Twilio, or any other provider
#                   iceupd knows (see iceupd(1))
# Google credentials, the first found: GOOGLE_OAUTH_ACCESS_TOKEN(_FILE),
# GOOGLE_APPLICATION_CREDENTIALS (a service-account key or user credentials
# file), gcloud's application default credentials (`gcloud auth
# application-default login`), or the metadata server on Google Cloud.
# --log-format json (or ICEUPD_LOG_FORMAT=json) makes its own lines JSON too.
# ICEUPD_TRANSPORT defaults to tcp (Cloud Run has no UDP); ICEUPD_MIN_TTL
# (seconds, default 3600 here) is how much lifetime the deployed credentials
# must still have to be left alone.  Other iceupd flags may follow on the
# command line, e.g. --dry-run, --neko-v3, --force-refresh.
#
# Exit status: 0 updated or still fresh, 1 failure, 2 configuration error,
# 4 updated without TURN or from stale cache.
set -u

for f in ../.env .env; do
	if [ -f "$f" ]; then
		set -a
		# shellcheck disable=SC1090
		. "./$f"
		set +a
		break
	fi
done

# say SEVERITY MESSAGE...: one line on stderr, as iceupd writes its own:
# JSON (Cloud Logging's fields) under --log-format json or
# ICEUPD_LOG_FORMAT=json, so that a JSON log holds nothing else.
log_format=${ICEUPD_LOG_FORMAT:-text}
prev=
for a in "$@"; do
	case $prev/$a in
	--log-format/*) log_format=$a ;;
	*/--log-format=*) log_format=${a#--log-format=} ;;
	esac
	prev=$a
done
say() {
	sev=$1
	shift
	case $log_format in
	json | JSON)
		printf '{"severity":"%s","time":"%s","message":"%s"}\n' "$sev" \
		    "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(printf 'update-cloudrun: %s' "$*" |
		    tr -d '\000-\037' | sed 's/[\\"]/\\&/g')" >&2 ;;
	*)	printf 'update-cloudrun: %s\n' "$*" >&2 ;;
	esac
}

iceupd=${ICEUPD:-iceupd}
if ! command -v "$iceupd" >/dev/null 2>&1; then
	iceupd=/usr/local/bin/iceupd
fi

service=${SERVICE_NAME:-kernel-browser}
project=${PROJECT_ID:-${GOOGLE_CLOUD_PROJECT:-}}
region=${REGION:-us-central1}

case $service in
projects/*) set -- --service "$service" "$@" ;;
*)
	if [ -z "$project" ]; then
		say ERROR "PROJECT_ID must be set (in .env or the environment)"
		exit 2
	fi
	set -- --service "$service" --project "$project" --region "$region" "$@"
	;;
esac

ICEUPD_TRANSPORT=${ICEUPD_TRANSPORT:-tcp} \
    ICEUPD_MIN_TTL=${ICEUPD_MIN_TTL:-3600} \
    "$iceupd" deploy "$@"
rc=$?
case $rc in
0) ;;
3)
	say NOTICE "$service still has fresh credentials; nothing to do"
	rc=0
	;;
4)
	say WARNING "$service updated, but without TURN or from stale cache" \
	    "(iceupd exit 4)"
	;;
*)
	say ERROR "iceupd deploy failed (exit $rc)"
	;;
esac
exit "$rc"
