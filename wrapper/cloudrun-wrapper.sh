#!/bin/sh
# cloudrun-wrapper.sh: the entrypoint of a neko container on Google Cloud
# Run.  It gives neko fresh TURN credentials from iceupd, then replaces
# itself (exec) with the real command: its arguments, or neko's supervisord
# when there are none.
#
#   ENTRYPOINT ["/usr/local/bin/cloudrun-wrapper.sh"]
#   CMD ["/usr/bin/supervisord", "-c", "/etc/neko/supervisord.conf"]
#
# Cloud Run takes no inbound UDP, so every call is relayed by TURN over TCP
# or TLS, and neko itself must allocate a relay: it needs the list in its
# backend as well as in its frontend.
#
# ICE servers.  NEKO_ICESERVERS (neko v2, and v3 in legacy mode),
# NEKO_WEBRTC_ICESERVERS_FRONTEND and NEKO_WEBRTC_ICESERVERS_BACKEND (v3):
#   - a value other than DYNAMIC is kept as it is (the old updater's rule);
#   - DYNAMIC is always replaced;
#   - unset (or empty) is filled, with these exceptions: an unset v3
#     variable takes a copy of a kept NEKO_ICESERVERS (neko v3 would use it
#     anyway: in legacy mode NEKO_ICESERVERS overrides both), and an unset
#     NEKO_ICESERVERS stays unset when a v3 variable is kept (it would
#     override that one).
# The list comes from NEKO_ICESERVERS_FILE when that names a readable file
# holding a JSON list (written by `iceupd watch -o` or `iceupd fetch -o`,
# e.g. in a sidecar), otherwise from `iceupd fetch` with the Cloud Run
# profile: TURN over TCP/TLS only, no STUN, one short deadline, a cache in
# /tmp.  These defaults apply only where the environment does not set them:
#   ICEUPD_TRANSPORT=tcp  ICEUPD_RELAY=true  ICEUPD_TIMEOUT_MS=4000
#   ICEUPD_CACHE=/tmp/iceupd-cache.json
# Providers are configured as iceupd(1) describes (TWILIO_ACCOUNT_SID and
# TWILIO_AUTH_TOKEN, or a secret mounted as TWILIO_AUTH_TOKEN_FILE, ...).
# ICEUPD is the path of the binary: default /usr/local/bin/iceupd, then
# iceupd on PATH.
#
# When no list can be had, the variables to fill get "[]": valid for neko,
# no relay, never someone else's demo relay.  neko still starts, and one
# status line on stderr says so loudly (as a JSON line for Cloud Logging
# when ICEUPD_LOG_FORMAT=json).  No credential is ever printed.
#
# neko settings, set only when not set already:
#   NEKO_WEBRTC_ICELITE=false   an ICE-lite neko ignores its backend ICE
#                               servers, so it could not allocate the relay
#                               Cloud Run needs (neko's documentation: "When
#                               using ICE Servers, ICE Lite must be
#                               disabled").  A warning is printed when ICE
#                               lite is turned on anyway.
# The older entrypoint's NEKO_WEBRTC_ICE_LITE, NEKO_WEBRTC_ICE_POLICY and
# NEKO_WEBRTC_MDNS are not neko settings (neko v2 and v3 read none of
# them); relay-only is what the TURN-only list gives.
#
# Secrets stay out of neko: the browser it streams can read its own
# environment (file:///proc/self/environ), and whoever drives it must not
# get the provider keys.  The secrets iceupd reads (TWILIO_AUTH_TOKEN,
# TURN_SHARED_SECRET, ...) and their NAME_FILE paths are removed before the
# exec, unless ICEUPD_KEEP_SECRETS=true (a container that runs iceupd again
# itself, e.g. `iceupd watch` under supervisord).
#
# It never stops the container from starting: no command here may end it,
# even when it is run with `sh -e` or `sh -u`.

me=cloudrun-wrapper
dyn=DYNAMIC

# say LEVEL TEXT...: one line on stderr, as a JSON line with "severity"
# when ICEUPD_LOG_FORMAT=json.  TEXT never holds quotes, backslashes or
# secrets.
say() {
	_level=$1
	shift
	if [ "${ICEUPD_LOG_FORMAT:-}" = json ]; then
		printf '{"severity":"%s","message":"%s: %s"}\n' "$_level" "$me" \
		    "$*" >&2
	else
		printf '%s: %s\n' "$me" "$*" >&2
	fi
}

# warn TEXT...: a warning besides the status line.
warn() {
	say WARNING "warning: $*"
}

# is_list TEXT: TEXT looks like a JSON list (neko format).
is_list() {
	case $1 in
	\[*\]) return 0 ;;
	*) return 1 ;;
	esac
}

# --- neko settings for Cloud Run ---------------------------------------------

if [ -z "${NEKO_WEBRTC_ICELITE:-}" ] && [ -z "${NEKO_ICELITE:-}" ]; then
	NEKO_WEBRTC_ICELITE=false
	export NEKO_WEBRTC_ICELITE
fi
for lite in "${NEKO_WEBRTC_ICELITE:-}" "${NEKO_ICELITE:-}"; do
	case $lite in
	1 | [tT] | [tT][rR][uU][eE])
		warn "ICE lite is on: neko ignores its backend ICE" \
		    "servers and cannot relay from Cloud Run"
		break
		;;
	esac
done

# --- which variables to fill -----------------------------------------------------

v2=${NEKO_ICESERVERS:-}
fe=${NEKO_WEBRTC_ICESERVERS_FRONTEND:-}
be=${NEKO_WEBRTC_ICESERVERS_BACKEND:-}
fill=""		# names to set to the fetched list
copy=""		# names to set to the kept NEKO_ICESERVERS

if [ -n "$v2" ] && [ "$v2" != "$dyn" ]; then
	v2_kept=1
else
	v2_kept=0
	if [ "$v2" = "$dyn" ]; then
		fill=" NEKO_ICESERVERS"
	elif { [ -z "$fe" ] || [ "$fe" = "$dyn" ]; } &&
	    { [ -z "$be" ] || [ "$be" = "$dyn" ]; }; then
		fill=" NEKO_ICESERVERS"
	fi
fi
for name in NEKO_WEBRTC_ICESERVERS_FRONTEND NEKO_WEBRTC_ICESERVERS_BACKEND; do
	if [ "$name" = NEKO_WEBRTC_ICESERVERS_FRONTEND ]; then
		value=$fe
	else
		value=$be
	fi
	if [ "$value" = "$dyn" ]; then
		fill="$fill $name"
	elif [ -z "$value" ]; then
		if [ "$v2_kept" -eq 1 ]; then
			copy="$copy $name"
		else
			fill="$fill $name"
		fi
	fi
done

for name in $copy; do
	export "$name=$v2"
done

# --- get the list ----------------------------------------------------------------

list=""
status=""
level=INFO
if [ -n "$fill" ]; then
	file=${NEKO_ICESERVERS_FILE:-}
	if [ -n "$file" ] && [ -r "$file" ] && [ -f "$file" ]; then
		if list=$(cat -- "$file") && is_list "$list"; then
			status="ICE servers from $file"
		else
			list=""
			warn "$file holds no ICE server list; asking iceupd"
		fi
	elif [ -n "$file" ]; then
		warn "cannot read $file; asking iceupd"
	fi
fi
if [ -n "$fill" ] && [ -z "$list" ]; then
	bin=${ICEUPD:-}
	if [ -z "$bin" ]; then
		if [ -x /usr/local/bin/iceupd ]; then
			bin=/usr/local/bin/iceupd
		else
			bin=$(command -v iceupd 2>/dev/null) || bin=""
		fi
	fi
	rc=127
	if [ -z "$bin" ]; then
		why="iceupd not found (set ICEUPD)"
	elif [ ! -x "$bin" ]; then
		why="$bin is not an executable"
	else
		# "if" keeps a failure from ending a shell run with -e.
		if list=$(ICEUPD_TRANSPORT=${ICEUPD_TRANSPORT:-tcp} \
		    ICEUPD_RELAY=${ICEUPD_RELAY:-true} \
		    ICEUPD_TIMEOUT_MS=${ICEUPD_TIMEOUT_MS:-4000} \
		    ICEUPD_CACHE=${ICEUPD_CACHE:-/tmp/iceupd-cache.json} \
		    "$bin" fetch --format neko </dev/null); then
			rc=0
		else
			rc=$?
		fi
		why="iceupd failed (exit $rc)"
	fi
	case $rc in
	0 | 4)
		if ! is_list "$list"; then
			list=""
			why="iceupd gave no ICE server list (exit $rc)"
		elif [ "$list" = "[]" ]; then
			list=""
			why="iceupd found no TURN relay (exit $rc)"
		elif [ "$rc" -eq 0 ]; then
			status="ICE servers from iceupd"
		else
			level=WARNING
			status="ICE servers from iceupd, DEGRADED (exit 4:"
			status="$status stale cache or no TURN)"
		fi
		;;
	*) list="" ;;
	esac
	if [ -z "$list" ]; then
		list="[]"
		level=ERROR
		status="$why; NO TURN RELAY: set to [], neko starts but"
		status="$status clients will not connect through Cloud Run"
	fi
fi

for name in $fill; do
	export "$name=$list"
done

# --- one status line -------------------------------------------------------------

if [ -n "$fill" ]; then
	say "$level" "$status (${fill# })"
elif [ "$v2_kept" -eq 1 ]; then
	say INFO "NEKO_ICESERVERS is preset; kept${copy:+, copied to the v3 variables}"
else
	say INFO "the ICE server variables are preset; kept"
fi

# --- secrets stay here ------------------------------------------------------------

if [ "${ICEUPD_KEEP_SECRETS:-}" != true ]; then
	for name in TWILIO_AUTH_TOKEN TWILIO_API_KEY_SECRET \
	    CLOUDFLARE_TURN_API_TOKEN METERED_API_KEY XIRSYS_SECRET \
	    TURNIX_API_TOKEN ICEUPD_JITSI_TOKEN \
	    WEBRTC_TURN_USERNAME WEBRTC_TURN_CREDENTIAL TURN_SHARED_SECRET \
	    ICEUPD_URL_TOKEN ICEUPD_URL_HEADER MATRIX_ACCESS_TOKEN \
	    GOOGLE_OAUTH_ACCESS_TOKEN; do
		unset "$name" "${name}_FILE"
	done
	# A URL setting with a user part or a query may hold a key too.
	for name in ICEUPD_URL MATRIX_HOMESERVER ICEUPD_JITSI_URL KMEET_URL \
	    JAAS_URL BRAVE_TALK_API TWILIO_API_BASE CLOUDFLARE_API_BASE \
	    METERED_API_BASE ICEUPD_CLOUDRUN_ENDPOINT \
	    ICEUPD_SECRETMANAGER_ENDPOINT; do
		url=
		eval "url=\${$name-}"
		rest=${url#*://}
		case $url in
		*\?*) unset "$name" ;;
		*://*) case ${rest%%[/?#]*} in *@*) unset "$name" ;; esac ;;
		esac
	done
fi

# --- the real command ------------------------------------------------------------

if [ "$#" -eq 0 ]; then
	set -- /usr/bin/supervisord -c /etc/neko/supervisord.conf
fi
exec "$@"
