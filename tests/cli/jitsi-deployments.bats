#!/usr/bin/env bats
# jitsi-deployments.bats: the three ways a Jitsi deployment hands out its
# STUN/TURN services, each a real Prosody with the test modules in
# tests/peers/ sharing its secret with a real coturn: pushed at login
# (mod_push_services), only to occupants of a room the focus created, in the
# room metadata (mod_gate_services, mod_room_services, mod_focus_standin),
# a focus that refuses the conference, and a login that wants a token
# (mod_token_standin). Over BOSH and WebSocket (the
# static build). Then the pipelined exchange, counted as the client's turns
# through bench/latency-proxy.py, and a login without ANONYMOUS.

bats_require_minimum_version 1.5.0
load helpers
load ../peers/coturn
load ../peers/prosody

STATIC="${ICEUPD_STATIC:-$BATS_TEST_DIRNAME/../../build/static/iceupd}"

# start_deployment NAME HOST_CONFIG [LUA ...]: a Prosody (LUA: global
# lines); sets NAME_PID, NAME_DIR, NAME_BOSH, NAME_WS, NAME_LOG.
start_deployment() {
	local name=$1

	PROSODY_HOST_CONFIG=$2
	shift 2
	prosody_start "$PROSODY_SECRET" "$COTURN_PORT" "$@" || return 1
	printf -v "${name}_PID" %s "$PROSODY_PID"
	printf -v "${name}_DIR" %s "$PROSODY_DIR"
	printf -v "${name}_BOSH" %s "$PROSODY_BOSH"
	printf -v "${name}_WS" %s "$PROSODY_WS"
	printf -v "${name}_LOG" %s "$PROSODY_LOG"
	export "${name}_PID" "${name}_DIR" "${name}_BOSH" "${name}_WS" \
	    "${name}_LOG"
}

# The MUC and the focus of a gated deployment; $1: more focus options, $2:
# the VirtualHost's modules and options.
rooms_config() {
	local vhost=${2:-'modules_enabled = { "gate_services" }'}

	cat <<EOF
	$vhost
Component "conference.$PROSODY_DOMAIN" "muc"
	modules_enabled = { "room_services" }
	muc_room_locking = false
Component "focus.$PROSODY_DOMAIN" "focus_standin"
$1
EOF
}

setup_file() {
	coturn_for_prosody || return 1
	export COTURN_PID COTURN_PORT COTURN_DIR
	start_deployment PUSH '	modules_enabled = { "push_services" }' &&
	    start_deployment GATED "$(rooms_config '')" &&
	    start_deployment REFUSING \
		"$(rooms_config '	focus_refuse = "not-authorized"')" &&
	    start_deployment BOOKING \
		"$(rooms_config '	focus_refuse = "reservation"')" &&
	    start_deployment TOKEN '	modules_enabled = { "token_standin" }' &&
	    start_deployment NOFOCUS "$(rooms_config '' |
		sed 's/ "focus_standin"$/\n\tcomponent_secret = "jicofo-down"/')" \
		'component_ports = { }' &&
	    start_deployment ANNOUNCED "$(rooms_config '' 'modules_enabled = { "gate_services", "push_services" }
	push_services_list = false')" &&
	    PROSODY_AUTHENTICATION=uuid_anonymous start_deployment STRICT \
		"$(rooms_config '' | sed 's/{ "room_services" }/{ "room_services", "resource_strict" }\
	anonymous_auth_methods = { "uuid_anonymous" }/')" &&
	    start_deployment PLAIN '' &&
	    PROSODY_AUTHENTICATION=internal_plain start_deployment NOANON ''
}

teardown_file() {
	local name pid dir

	for name in PUSH GATED REFUSING BOOKING TOKEN NOFOCUS ANNOUNCED STRICT \
	    PLAIN NOANON; do
		pid=${name}_PID dir=${name}_DIR
		prosody_stop "${!pid:-}" "${!dir:-}"
	done
	coturn_stop "${COTURN_PID:-}" "${COTURN_DIR:-}"
}

teardown() {
	# shellcheck disable=SC2086 # an unset one: no word
	stop_pids ${WATCH_PID:-} ${PROXY_PID:-}
}

# proxy_start PORT: bench/latency-proxy.py to 127.0.0.1:PORT adding a
# round trip of 150 ms (the order counts, not the time), so that what a
# client sends without waiting leaves in one burst; sets PROXY_PID and
# PROXY_PORT, traces to $TRACE.
proxy_start() {
	local i

	TRACE=$BATS_TEST_TMPDIR/trace
	python3 "$BATS_TEST_DIRNAME/../../bench/latency-proxy.py" \
	    --target "127.0.0.1:$1" --rtt-ms 150 \
	    --port-file "$BATS_TEST_TMPDIR/proxy.port" \
	    --count-file "$BATS_TEST_TMPDIR/proxy.count" --trace "$TRACE" 3>&- &
	PROXY_PID=$!
	for ((i = 0; i < 200; i++)); do
		if [[ -s $BATS_TEST_TMPDIR/proxy.port ]]; then
			PROXY_PORT=$(<"$BATS_TEST_TMPDIR/proxy.port")
			return 0
		fi
		sleep 0.05
	done
	echo "latency-proxy.py did not start" >&2
	return 1
}

# fragmenter_start PORT: tests/peers/ws-fragmenter.py in front of the
# WebSocket server on 127.0.0.1:PORT; sets PROXY_PID (teardown stops it) and
# PROXY_PORT; it logs to $BATS_TEST_TMPDIR/frag.port.log.
fragmenter_start() {
	local i pf=$BATS_TEST_TMPDIR/frag.port

	python3 "$BATS_TEST_DIRNAME/../peers/ws-fragmenter.py" "$1" "$pf" 3>&- &
	PROXY_PID=$!
	for ((i = 0; i < 200; i++)); do
		if [[ -s $pf ]]; then
			PROXY_PORT=$(<"$pf")
			return 0
		fi
		sleep 0.05
	done
	echo "ws-fragmenter.py did not start" >&2
	return 1
}

# url_port URL: the port of http://127.0.0.1:PORT/... or ws://...
url_port() {
	local rest=${1#*://*:}

	echo "${rest%%/*}"
}

# turns CONN: the client's turns on connection CONN of the trace: the runs
# of what it sent with no answer between (each one waits a round trip).
turns() {
	jq -s --argjson c "$1" '[.[] | select(.conn == $c) | .dir] |
	    reduce .[] as $d ({n: 0, last: ""};
		(if $d == "up" and .last != "up" then .n += 1 else . end) |
		.last = $d) | .n' "$TRACE"
}

# watch_twice URL: a watch of jitsi at URL by the static build, which
# asks once more on SIGUSR1; returns once both answers came.
watch_twice() {
	local i out=$BATS_TEST_TMPDIR/ice.json err=$BATS_TEST_TMPDIR/watch.err

	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" ICEUPD_JITSI_URL="$1" \
	    ICEUPD_JITSI_DOMAIN=meet.test "$STATIC" watch -p jitsi -o "$out" \
	    -v 2>"$err" 3>&- &
	WATCH_PID=$!
	for ((i = 0; i < 600; i++)); do
		if [[ -s $out ]]; then
			break
		fi
		sleep 0.05
	done
	kill -USR1 "$WATCH_PID"
	for ((i = 0; i < 600; i++)); do
		if [[ $(grep -Ec "jitsi: [0-9]+ URLs in" "$err") -ge 2 ]]; then
			return 0
		fi
		sleep 0.05
	done
	cat "$err" >&2
	return 1
}

# needs_static: skips unless the static build (with WebSocket) is there.
needs_static() {
	if [[ ! -x $STATIC ]] || ! "$STATIC" --version 2>/dev/null |
	    grep -q '^libcurl.*protocols:.* ws'; then
		skip "no static build with WebSocket at $STATIC (make static)"
	fi
}

# static_iceupd [NAME=VALUE ...] ARG ...: the static build, clean
# environment.
static_iceupd() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" "${vars[@]}" \
	    "$STATIC" "$@"
}

# allocates: the output lists Prosody's services, and their TURN
# credentials allocate on coturn while a wrong password does not.
allocates() {
	assert_jq --arg p "$COTURN_PORT" '
	    length == 2 and .[0] == {"urls": ["stun:127.0.0.1:\($p)"]} and
	    .[1].urls == ["turn:127.0.0.1:\($p)",
		"turns:127.0.0.1:\($p)?transport=tcp"] and
	    (.[1].username | test("^[0-9]{10}$"))'
	coturn_allocate_listed "$output" "$COTURN_PORT"
}

# left_room ROOM: the gated deployment got a presence leaving ROOM (its
# attributes in any order), as the occupant the JID's first 8 characters
# name (16 random hex digits where they cannot), within 3 s.
left_room() {
	local i

	# The goodbye is not awaited: Prosody may log it after iceupd exits.
	for ((i = 0; i < 60; i++)); do
		grep -E "Received\[c2s\]: <presence .*to='$1@conference\.meet\.test/([0-9a-z][0-9a-z_]{7}|[0-9a-f]{16})'" \
		    "$GATED_LOG" | grep -q "type='unavailable'" && return 0
		sleep 0.05
	done
	return 1
}

# refused URL [NAME=VALUE ...] -- TEXT ...: jitsi alone at URL fails, exit 1,
# with one line holding each TEXT; run by $RUNNER (default iceupd).
refused() {
	local url=$1 vars=()

	shift
	while [[ $1 != -- ]]; do
		vars+=("$1")
		shift
	done
	shift
	run --separate-stderr "${RUNNER:-iceupd}" ICEUPD_JITSI_URL="$url" \
	    ICEUPD_JITSI_DOMAIN=meet.test "${vars[@]}" -p jitsi
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$@"
}

# fails_over_naming TEXT RUNNER URL: with STUN next, a jitsi failure at URL
# falls over to it (exit 4) with a warning holding TEXT.
fails_over_naming() {
	run --separate-stderr "$2" ICEUPD_JITSI_URL="$3" \
	    ICEUPD_JITSI_DOMAIN=meet.test -p jitsi,stun -t 5000
	assert_status 4
	assert_stdout "$DEFAULT_STUN"
	assert_stderr_contains "jitsi failed" "$1"
}

@test "pushed at login over BOSH: the push, come before the answer to the query behind the bind, wins; they allocate on coturn" {
	# The deployment refuses the query: only the push gives them.
	jitsi_run iceupd "$PUSH_BOSH"
	assert_status 0
	assert_no_stderr
	allocates
	# The query (e1) rode with the bind (b1), as a cold start does.
	grep -Eq "Handling new request .*xmpp:restart='true'[^>]*><iq [^>]*id='b1'.*<iq [^>]*id='e1'" \
	    "$PUSH_LOG"
}

@test "pushed at login over WebSocket (static build): they allocate on coturn" {
	needs_static
	jitsi_run static_iceupd "$PUSH_WS"
	assert_status 0
	assert_no_stderr
	allocates
}

@test "gated over BOSH: the focus creates the room, its metadata gives them; they allocate on coturn" {
	jitsi_run iceupd "$GATED_BOSH" ICEUPD_JITSI_ROOM="Team-Room" -vv
	assert_status 0
	assert_stderr_contains "$GATED_BOSH?room=team-room:" \
	    "team-room@conference.meet.test"
	allocates
	# Asked until ready, joined without media, left.
	grep -q "conference team-room@conference.meet.test ready=false" \
	    "$GATED_LOG"
	grep -q "conference team-room@conference.meet.test ready=true" \
	    "$GATED_LOG"
	left_room team-room
	! grep -q 'urn:xmpp:jingle' "$GATED_LOG" || return 1
}

@test "room metadata announced in the login push: straight to the room, no disco query" {
	jitsi_run iceupd "$ANNOUNCED_BOSH" ICEUPD_JITSI_ROOM=lobby
	assert_status 0
	assert_no_stderr
	allocates
	grep -q "conference lobby@conference.meet.test ready=true" \
	    "$ANNOUNCED_LOG"
	# No disco#info query (d1): the push told; the query behind the bind
	# (e1) went unread.
	[[ $(grep -Ec "Received\[c2s[a-z_]*\]: <iq .*id='d1'" \
	    "$ANNOUNCED_LOG") == 0 ]]
}

@test "gated over WebSocket (static build), a random room: they allocate on coturn" {
	needs_static
	jitsi_run static_iceupd "$GATED_WS" -vv
	assert_status 0
	[[ $stderr =~ xmpp-websocket\?room=([0-9a-f]{24}): ]]
	local room=${BASH_REMATCH[1]}
	allocates
	left_room "$room"
}

@test "a room holding nicknames to jitsi-meet's anonymous_strict rule lets iceupd in, over BOSH and WebSocket" {
	jitsi_run iceupd "$STRICT_BOSH" ICEUPD_JITSI_ROOM=strict
	assert_status 0
	assert_no_stderr
	allocates
	grep -Eq "accepted nickname ([0-9a-z]{8}) of \1[0-9a-z_-]{16}@" \
	    "$STRICT_LOG"
	[[ $(grep -c "refused nickname" "$STRICT_LOG") == 0 ]]
	needs_static
	jitsi_run static_iceupd "$STRICT_WS" ICEUPD_JITSI_ROOM=strict
	assert_status 0
	assert_no_stderr
	allocates
	[[ $(grep -Ec "accepted nickname ([0-9a-z]{8}) of \1[0-9a-z_-]{16}@" \
	    "$STRICT_LOG") == 2 ]]
	[[ $(grep -c "refused nickname" "$STRICT_LOG") == 0 ]]
}

@test "WebSocket messages in fragments, a ping between two, whatever libcurl flags: read whole (static build)" {
	needs_static
	fragmenter_start "$(url_port "$GATED_WS")"
	jitsi_run static_iceupd "ws://127.0.0.1:$PROXY_PORT/xmpp-websocket" \
	    ICEUPD_JITSI_ROOM=pieces
	assert_status 0
	assert_no_stderr
	allocates
	# The features, the bind, the disco, the focus, the room: in pieces.
	[[ $(grep -c '^fragmented ' "$BATS_TEST_TMPDIR/frag.port.log") -ge 6 ]]
}

@test "gated: the room is decoded, NFKC-normalised, lowercased and encoded again, as a Jitsi client does" {
	jitsi_run iceupd "$GATED_BOSH" ICEUPD_JITSI_ROOM="Daily%20Stand-Up" -vv
	assert_status 0
	assert_stderr_contains "?room=daily%20stand-up:"
	grep -q "conference daily%20stand-up@conference.meet.test ready=true" \
	    "$GATED_LOG"

	jitsi_run iceupd "$GATED_BOSH" ICEUPD_JITSI_ROOM="Café 100%" -vv
	assert_status 0
	assert_stderr_contains "?room=caf%c3%a9%20100%25:"

	# NFKC (full-width letters, the fi ligature), Unicode lowercasing,
	# and what encodeURIComponent leaves as it is.
	jitsi_run iceupd "$GATED_BOSH" ICEUPD_JITSI_ROOM="ＣＡＦÉ ﬁ (1)" -vv
	assert_status 0
	assert_stderr_contains "?room=caf%c3%a9%20fi%20(1):"
	grep -q "conference caf%c3%a9%20fi%20(1)@conference.meet.test ready=true" \
	    "$GATED_LOG"
}

@test "a focus that refuses (not-authorized): one line naming it and what it wants; failover within the deadline" {
	jitsi_run iceupd "$REFUSING_BOSH" -t 5000
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "focus.meet.test refused the conference" \
	    "(not-authorized: not authorized user domain)" \
	    "only authenticated users" "ICEUPD_JITSI_TOKEN"

	fails_over_naming not-authorized iceupd "$REFUSING_BOSH"
}

@test "a focus that refuses over WebSocket (static build): failover naming it" {
	needs_static
	fails_over_naming not-authorized static_iceupd "$REFUSING_WS"
}

@test "a reservation system's refusal names its error and the booking it wants" {
	refused "$BOOKING_BOSH" ICEUPD_JITSI_ROOM=standup -- \
	    "reservation error 404: Room not booked" \
	    "booked in its reservation system"
}

@test "a gated deployment whose focus is down: the error says no focus answers" {
	refused "$NOFOCUS_BOSH" -- "focus.meet.test refused the conference" \
	    "no conference focus (jicofo) answers there"
}

@test "a refused token (SASL not-allowed) is named, with or without one set" {
	refused "$TOKEN_BOSH" -- "anonymous login refused (not-allowed)" \
	    "the deployment wants a token (ICEUPD_JITSI_TOKEN)"

	jitsi_run iceupd "$TOKEN_BOSH" ICEUPD_JITSI_TOKEN=stale-token
	assert_status 1
	assert_stderr_lines 1
	assert_stderr_contains "(not-allowed)" \
	    "the token (ICEUPD_JITSI_TOKEN) was refused"
	assert_stderr_lacks "stale-token"

	jitsi_run iceupd "$TOKEN_BOSH" ICEUPD_JITSI_TOKEN=good-token
	assert_status 0
	allocates
}

@test "pipelined over BOSH: the auth in the session request, the bind and the query in the restart, the goodbye: 3 requests" {
	proxy_start "$(url_port "$PLAIN_BOSH")"
	jitsi_run iceupd "http://127.0.0.1:$PROXY_PORT/http-bind"
	assert_status 0
	assert_no_stderr
	assert_jq 'length == 2 and (.[1].username | test("^[0-9]{10}$"))'
	[[ $(turns 1) -eq 3 ]]
	# The session request (no sid yet) carries the auth; the restart the
	# bind and the query.
	grep -E "Handling new request .*<body [^>]*xmpp:version='1.0'[^>]*><auth [^>]*mechanism='ANONYMOUS'" \
	    "$PLAIN_LOG" | grep -vq "sid='"
	grep -Eq "Handling new request .*xmpp:restart='true'[^>]*><iq [^>]*id='b1'.*<iq [^>]*id='e1'" \
	    "$PLAIN_LOG"
}

@test "pipelined over WebSocket (static build): open with auth, restart with bind and query: 4 round trips cold, as BOSH" {
	needs_static
	proxy_start "$(url_port "$PLAIN_WS")"
	watch_twice "ws://127.0.0.1:$PROXY_PORT/xmpp-websocket"
	# The upgrade, open + auth, restart + bind + query, the close: cold
	# and after alike.
	[[ $(turns 1) -eq 4 ]]
	[[ $(turns 2) -eq 4 ]]
	jq -e 'length == 2' "$BATS_TEST_TMPDIR/ice.json"
}

@test "a deployment that pushed at login gets no query on a later refresh (WebSocket, static build)" {
	local mark

	needs_static
	mark=$(wc -l <"$PUSH_LOG")
	watch_twice "$PUSH_WS"
	# Two logins; the query went behind the first bind only.
	[[ $(tail -n +"$((mark + 1))" "$PUSH_LOG" |
	    grep -Ec "Received\[c2s[a-z_]*\]: <iq .*id='b1'") == 2 ]]
	[[ $(tail -n +"$((mark + 1))" "$PUSH_LOG" |
	    grep -Ec "Received\[c2s[a-z_]*\]: <iq .*id='e1'") == 1 ]]
	jq -e 'length == 2' "$BATS_TEST_TMPDIR/ice.json"
}

@test "no ANONYMOUS offered: one line naming jitsi and the mechanisms offered, over BOSH and WebSocket" {
	refused "$NOANON_BOSH" -- "jitsi: $NOANON_BOSH" \
	    "does not offer anonymous login (SASL ANONYMOUS); it offers" \
	    "PLAIN"
	grep -q "Received\[c2s_unauthed\]: <auth .*mechanism='ANONYMOUS'" \
	    "$NOANON_LOG"

	fails_over_naming "does not offer anonymous login" iceupd \
	    "$NOANON_BOSH"

	needs_static
	RUNNER=static_iceupd refused "$NOANON_WS" -- "jitsi: $NOANON_WS" \
	    "does not offer anonymous login (SASL ANONYMOUS); it offers" \
	    "PLAIN"
}
