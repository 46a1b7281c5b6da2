# shellcheck shell=sh
# Drop-in for the old /twilio-credential-updater.sh: `.` it from the container
# entrypoint (bash or dash).  NEKO_ICESERVERS=DYNAMIC, or unset, means "fetch
# now"; any other value is kept.  Credentials come from iceupd (the providers
# it finds configured: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN for Twilio),
# TURN over TCP/TLS only by default (Cloud Run has no UDP; ICEUPD_TRANSPORT
# overrides).  Only a successful answer is exported; on failure
# NEKO_ICESERVERS becomes "[]" (valid for neko, no relay), never someone
# else's demo relay.  One status line on stderr, without credentials.
#
# The provider secrets iceupd reads (TWILIO_AUTH_TOKEN, TURN_SHARED_SECRET,
# ...) and their NAME_FILE paths are removed from the sourcing shell once
# used, as the container wrapper does, so that neko and the browser it
# streams never inherit them (file:///proc/self/environ); set
# ICEUPD_KEEP_SECRETS=true to keep them.

_iceupd_update() {
	case ${NEKO_ICESERVERS:-DYNAMIC} in
	DYNAMIC) ;;
	*)
		echo "twilio-credential-updater: NEKO_ICESERVERS is preset;" \
		    "keeping it" >&2
		return 0
		;;
	esac
	_iceupd_bin=${ICEUPD:-iceupd}
	if ! command -v "$_iceupd_bin" >/dev/null 2>&1; then
		_iceupd_bin=/usr/local/bin/iceupd
	fi
	# "if" keeps a failure from ending an entrypoint that runs set -e.
	if _iceupd_out=$(ICEUPD_TRANSPORT=${ICEUPD_TRANSPORT:-tcp} \
	    "$_iceupd_bin" fetch --format env --env-name NEKO_ICESERVERS -q)
	then
		_iceupd_rc=0
	else
		_iceupd_rc=$?
	fi
	case $_iceupd_rc in
	0|4)
		case $_iceupd_out in
		"export NEKO_ICESERVERS='"*)
			eval "$_iceupd_out"
			if [ "$_iceupd_rc" -eq 0 ]; then
				echo "twilio-credential-updater: NEKO_ICESERVERS" \
				    "refreshed by iceupd" >&2
			else
				echo "twilio-credential-updater: NEKO_ICESERVERS" \
				    "refreshed without TURN (iceupd exit 4)" >&2
			fi
			return 0
			;;
		esac
		;;
	esac
	NEKO_ICESERVERS='[]'
	export NEKO_ICESERVERS
	echo "twilio-credential-updater: iceupd failed (exit $_iceupd_rc);" \
	    "NEKO_ICESERVERS is empty, clients behind NAT will not connect" >&2
	return 1
}

_iceupd_update || :
if [ "${ICEUPD_KEEP_SECRETS:-}" != true ]; then
	for _iceupd_name in TWILIO_AUTH_TOKEN TWILIO_API_KEY_SECRET \
	    CLOUDFLARE_TURN_API_TOKEN METERED_API_KEY XIRSYS_SECRET \
	    TURNIX_API_TOKEN ICEUPD_JITSI_TOKEN \
	    WEBRTC_TURN_USERNAME WEBRTC_TURN_CREDENTIAL TURN_SHARED_SECRET \
	    ICEUPD_URL_TOKEN ICEUPD_URL_HEADER MATRIX_ACCESS_TOKEN \
	    GOOGLE_OAUTH_ACCESS_TOKEN; do
		unset "$_iceupd_name" "${_iceupd_name}_FILE"
	done
	# A URL setting with a user part or a query may hold a key too.
	for _iceupd_name in ICEUPD_URL MATRIX_HOMESERVER ICEUPD_JITSI_URL \
	    KMEET_URL JAAS_URL BRAVE_TALK_API TWILIO_API_BASE \
	    CLOUDFLARE_API_BASE METERED_API_BASE ICEUPD_CLOUDRUN_ENDPOINT \
	    ICEUPD_SECRETMANAGER_ENDPOINT; do
		_iceupd_url=
		eval "_iceupd_url=\${$_iceupd_name-}"
		_iceupd_rest=${_iceupd_url#*://}
		case $_iceupd_url in
		*\?*) unset "$_iceupd_name" ;;
		*://*)
			case ${_iceupd_rest%%[/?#]*} in
			*@*) unset "$_iceupd_name" ;;
			esac
			;;
		esac
	done
fi
unset -f _iceupd_update
unset _iceupd_bin _iceupd_out _iceupd_rc _iceupd_name _iceupd_url \
    _iceupd_rest
