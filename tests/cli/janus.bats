#!/usr/bin/env bats
# A real Janus (Debian's janus) as the TURN REST client of `iceupd serve`
# (nat.turn_rest_api, draft-uberti-behave-turn-rest): Janus asks for each
# EchoTest handle, logs the credentials iceupd minted, puts a relay
# candidate in its SDP answer, and a real coturn logs the allocation for the
# caller Janus named. Two Janus, started once for the file: POST without a
# key against a serve without a token, and GET with turn_rest_api_key
# against a serve whose bearer token is that key. Janus gathers no loopback
# UDP host candidate: the TURN URL is TURN over TCP.
#
# Needs janus, coturn, curl and jq.

bats_require_minimum_version 1.5.0

load helpers
load ../peers/coturn
load ../peers/janus

# serve_bg NAME [ARG ...]: iceupd serve for the file, its log in
# $BATS_FILE_TMPDIR/NAME.err; prints its base URL and sets SERVE_PID.
serve_bg() {
	local name=$1 pf=$BATS_FILE_TMPDIR/$1.port

	shift
	env -i PATH="$PATH" HOME="$BATS_FILE_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    WEBRTC_TURN_URLS="turn:127.0.0.1:$COTURN_PORT?transport=tcp" \
	    TURN_SHARED_SECRET="$JANUS_TURN_SECRET" \
	    "$ICEUPD" serve --listen 127.0.0.1:0 --port-file "$pf" --no-cache \
	    -p coturn "$@" </dev/null >/dev/null \
	    2>"$BATS_FILE_TMPDIR/$name.err" 3>&- &
	SERVE_PID=$!
	wait_port_file "$pf" "$SERVE_PID" 200 ||
	    { cat "$BATS_FILE_TMPDIR/$name.err" >&2; return 1; }
	SERVE_BASE=http://127.0.0.1:$(<"$pf")
}

setup_file() {
	# Janus gathers no loopback address: the relay it allocates over TCP
	# to 127.0.0.1 needs a host address on another interface.
	if ! awk 'NR > 1 && $1 != "lo" { found = 1 } END { exit !found }' \
	    /proc/net/route; then
		skip "no network interface but loopback: Janus gathers nothing"
	fi
	export JANUS_TURN_SECRET="janus-turn-secret-$RANDOM$RANDOM"
	export JANUS_KEY="janus-api-key-$RANDOM$RANDOM"
	coturn_start --realm=iceupd.test --use-auth-secret \
	    --static-auth-secret="$JANUS_TURN_SECRET" || return 1
	export COTURN_PID COTURN_PORT COTURN_LOG
	serve_bg open -v || return 1
	export OPEN_PID=$SERVE_PID OPEN_BASE=$SERVE_BASE
	printf '%s\n' "$JANUS_KEY" >"$BATS_FILE_TMPDIR/token"
	serve_bg keyed -v --auth-token-file "$BATS_FILE_TMPDIR/token" ||
	    return 1
	export KEYED_PID=$SERVE_PID KEYED_BASE=$SERVE_BASE
	janus_start "$BATS_FILE_TMPDIR/jpost" "$OPEN_BASE/api/ice/turn" post ||
	    return 1
	export JPOST_PID=$JANUS_PID JPOST_URL=$JANUS_URL JPOST_LOG=$JANUS_LOG
	janus_start "$BATS_FILE_TMPDIR/jget" "$KEYED_BASE/api/ice/turn" get \
	    "$JANUS_KEY" || return 1
	export JGET_PID=$JANUS_PID JGET_URL=$JANUS_URL JGET_LOG=$JANUS_LOG
}

teardown_file() {
	janus_stop "${JPOST_PID:-}"
	janus_stop "${JGET_PID:-}"
	# shellcheck disable=SC2086 # an unset one: no word
	stop_pids ${OPEN_PID:-} ${KEYED_PID:-}
	coturn_stop "${COTURN_PID:-}"
}

# relayed_through_iceupd URL LOG SERVE-ERR OPAQUE-ID METHOD
# An EchoTest handle named OPAQUE-ID on the Janus at URL (its log LOG): the
# answer holds a relay candidate, Janus logs the credentials of OPAQUE-ID,
# iceupd answered METHOD 200, and coturn allocated for that user over TCP.
relayed_through_iceupd() {
	local url=$1 log=$2 err=$3 opaque=$4 method=$5 sdp mark user

	mark=$(coturn_log_mark "$COTURN_LOG")
	sdp=$(janus_echotest "$url" "$opaque") || return 1
	echo "answer: $sdp"
	grep -E '^a=candidate:.* typ relay' <<<"$sdp" || {
		echo "no relay candidate in Janus's answer"; return 1; }
	user=$(grep -E -- "-- Username: [0-9]+:$opaque\$" "$log" |
	    tail -n 1 | sed 's/.*-- Username: //') || true
	[[ -n $user ]] || { echo "Janus logged no credentials for $opaque:";
		grep -iE 'turn|username|response' "$log" | tail -n 20
		return 1; }
	grep -qE -- '-- Password: [A-Za-z0-9+/]{27}=$' "$log"
	grep -qE "Sending request: .*/api/ice/turn\?service=turn&.*username=" "$log"
	grep -qE "^.*$method /api/ice/turn 200 " "$err" || {
		echo "iceupd logged no $method 200:"; tail -n 5 "$err"
		return 1; }
	coturn_log_wait "$COTURN_LOG" "$mark" \
	    "user <$user>: incoming packet ALLOCATE processed, success" || {
		echo "coturn logged no allocation for $user:"
		tail -n 20 "$COTURN_LOG"; return 1; }
	coturn_log_wait "$COTURN_LOG" "$mark" "tcp or tls connected to:"
}

@test "janus: POST service=turn&username=OPAQUE_ID, no key: Janus relays through the TURN iceupd minted" {
	relayed_through_iceupd "$JPOST_URL" "$JPOST_LOG" \
	    "$BATS_FILE_TMPDIR/open.err" "echotest-Po$RANDOM" POST
}

@test "janus: GET with turn_rest_api_key against a bearer token: Janus relays, the key never logged by iceupd" {
	relayed_through_iceupd "$JGET_URL" "$JGET_LOG" \
	    "$BATS_FILE_TMPDIR/keyed.err" "user$RANDOM@example.org" GET
	run ! grep -qF -e "$JANUS_KEY" -e "$JANUS_TURN_SECRET" \
	    "$BATS_FILE_TMPDIR/keyed.err" "$BATS_FILE_TMPDIR/open.err"
}

@test "janus: an opaque id iceupd refuses: Janus logs iceupd's one-line error and answers without a relay" {
	local sdp

	sdp=$(janus_echotest "$JPOST_URL" "room:7")
	echo "answer: $sdp"
	[[ $(grep -c '^a=candidate:.* typ relay' <<<"$sdp") == 0 ]]
	grep -qF '{"error":"the caller id must be 1 to 64 of A-Z a-z 0-9 ._-~@+"}' \
	    "$JPOST_LOG"
	grep -q 'Invalid response: missing username' "$JPOST_LOG"
	grep -qE "POST /api/ice/turn 400 " "$BATS_FILE_TMPDIR/open.err"
}
