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
# GOOGLE_APPLICATION_CREDENTIALS (a service-account key file), or the
# metadata server when run on Google Cloud.
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
		echo "update-cloudrun: PROJECT_ID must be set (in .env or the" \
		    "environment)" >&2
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
	echo "update-cloudrun: $service still has fresh credentials;" \
	    "nothing to do" >&2
	rc=0
	;;
4)
	echo "update-cloudrun: $service updated, but without TURN or from" \
	    "stale cache (iceupd exit 4)" >&2
	;;
*)
	echo "update-cloudrun: iceupd deploy failed (exit $rc)" >&2
	;;
esac
exit "$rc"
