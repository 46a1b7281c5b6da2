#!/usr/bin/env bats
# jitsi.bats: the jitsi provider and its presets against a real Prosody
# (XEP-0215 over BOSH and WebSocket) sharing its secret with a real coturn,
# and against broken servers.

bats_require_minimum_version 1.5.0
load helpers
load ../peers/coturn
load ../peers/prosody

FAKE="$BATS_TEST_DIRNAME/../peers/bosh-fake.py"
STATIC="${ICEUPD_STATIC:-$BATS_TEST_DIRNAME/../../build/static/iceupd}"

setup_file() {
	coturn_for_prosody || return 1
	if ! prosody_start "$PROSODY_SECRET" "$COTURN_PORT"; then
		coturn_stop "$COTURN_PID" "$COTURN_DIR"
		return 1
	fi
	export COTURN_PID COTURN_PORT COTURN_DIR PROSODY_PID PROSODY_DIR \
	    PROSODY_BOSH PROSODY_WS PROSODY_LOG
}

teardown_file() {
	prosody_stop "${PROSODY_PID:-}" "${PROSODY_DIR:-}"
	coturn_stop "${COTURN_PID:-}" "${COTURN_DIR:-}"
}

teardown() {
	if [[ -n ${FAKE_PID:-} ]]; then
		kill "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
	if [[ -n ${EXTRA_PROSODY_PID:-} ]]; then
		prosody_stop "$EXTRA_PROSODY_PID"
	fi
}

# fake_start MODE [JWT]: starts bosh-fake.py; sets FAKE_PID and FAKE_PORT.
fake_start() {
	local i

	/usr/bin/python3 "$FAKE" "$1" "$BATS_TEST_TMPDIR/fake.port" \
	    "${2:-}" 3>&- &
	FAKE_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [[ -s $BATS_TEST_TMPDIR/fake.port ]]; then
			FAKE_PORT=$(cat "$BATS_TEST_TMPDIR/fake.port")
			return 0
		fi
		sleep 0.05
	done
	echo "bosh-fake.py $1 did not start" >&2
	return 1
}

# fake_fetch MODE: jitsi alone against a new bosh-fake.py MODE.
fake_fetch() {
	fake_start "$1" || return 1
	jitsi_run iceupd "http://127.0.0.1:$FAKE_PORT/http-bind"
}

# allocate_from_output: the TURN credentials in the neko output allocate
# on coturn, and a wrong password does not.
allocate_from_output() {
	coturn_allocate_listed "$output" "$COTURN_PORT"
}

@test "jitsi over BOSH: the TURN credentials Prosody hands out allocate on coturn" {
	jitsi_run iceupd "$PROSODY_BOSH"
	assert_status 0
	assert_no_stderr
	assert_jq --arg p "$COTURN_PORT" '
	    length == 2 and
	    .[0] == {"urls": ["stun:127.0.0.1:\($p)"]} and
	    (.[1].urls == ["turn:127.0.0.1:\($p)",
	        "turns:127.0.0.1:\($p)?transport=tcp"]) and
	    (.[1].username | test("^[0-9]{10}$")) and
	    (.[1].credential | length > 20)'
	allocate_from_output
}

@test "jitsi: the domain defaults to the URL's host; json shows the expiry" {
	# 127.0.0.1 is no VirtualHost of this Prosody: the answer names it.
	run --separate-stderr iceupd ICEUPD_JITSI_URL="$PROSODY_BOSH" -p jitsi
	assert_status 1
	assert_stderr_contains "improper-addressing" "check ICEUPD_JITSI_DOMAIN"

	jitsi_run iceupd "$PROSODY_BOSH" -f json
	assert_status 0
	assert_jq '.provider == "jitsi" and .has_turn and (.expires_at |
	    type == "string") and .ttl_seconds > 80000'
}

@test "jitsi: a wrong domain is one clear error, exit 1" {
	run --separate-stderr iceupd ICEUPD_JITSI_URL="$PROSODY_BOSH" \
	    ICEUPD_JITSI_DOMAIN=wrong.test -p jitsi
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$PROSODY_BOSH" "the server ended the session" \
	    "improper-addressing" "check ICEUPD_JITSI_DOMAIN"
}

@test "jitsi: room and token go in the URL; the token is never shown" {
	local token=eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQ.c2lnbmF0dXJl

	jitsi_run iceupd "$PROSODY_BOSH" ICEUPD_JITSI_ROOM="Team Room" \
	    ICEUPD_JITSI_TOKEN="$token" -vv
	assert_status 0
	assert_stderr_contains "$PROSODY_BOSH?room=team%20room&token=(hidden)"
	assert_stderr_lacks "$token" "c2VjcmV0"

	# What the server gets, and a failure that does not show it either.
	fake_start close
	jitsi_run iceupd "http://127.0.0.1:$FAKE_PORT/http-bind" \
	    ICEUPD_JITSI_ROOM="Team Room" ICEUPD_JITSI_TOKEN="$token" -vv
	assert_status 1
	assert_stderr_contains "token=(hidden)"
	assert_stderr_lacks "$token" "c2VjcmV0"
	run cat "$BATS_TEST_TMPDIR/fake.port.log"
	[[ ${lines[0]} == "POST /http-bind?room=team%20room&token=$token HTTP/1.1" ]]
}

@test "jitsi: a restricted extdisco answers forbidden, no room metadata: a clear error" {
	local saved_pid=$PROSODY_PID saved_dir=$PROSODY_DIR

	prosody_start "$PROSODY_SECRET" "$COTURN_PORT" \
	    'external_service_access = { "admin@meet.test" }'
	EXTRA_PROSODY_PID=$PROSODY_PID
	local bosh=$PROSODY_BOSH
	PROSODY_PID=$saved_pid PROSODY_DIR=$saved_dir

	jitsi_run iceupd "$bosh"
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$bosh" \
	    "refused the external services query (forbidden)" \
	    "only accounts it lists" "no Jitsi room metadata"
	assert_stderr_lacks "ICEUPD_JITSI_TOKEN"
}

@test "jitsi: a server that closes mid-stream fails cleanly" {
	fake_fetch close
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "jitsi: POST http://127.0.0.1:$FAKE_PORT/http-bind"
}

@test "jitsi: a connection manager that ignores the payload of the session request and the query in the restart: auth and query go again" {
	fake_fetch nopayload
	assert_status 0
	assert_no_stderr
	assert_jq '. == [{"urls": ["turn:turn.fake.test:3478"],
	    "username": "fake-user", "credential": "fake-pass"}]'
	run cat "$BATS_TEST_TMPDIR/fake.port.log"
	# The session request carried it; the next request carried it again.
	[[ ${lines[0]} == *"<auth "*"mechanism='ANONYMOUS'"* ]]
	[[ ${lines[0]} != *"sid="* ]]
	[[ ${lines[1]} == *"sid='s1'"*"<auth "*"mechanism='ANONYMOUS'"* ]]
	# The query went behind the bind in the restart, its answer did not
	# come with the bind's: it is asked again in a plain request, then
	# the goodbye.
	[[ ${lines[2]} == *"xmpp:restart='true'"*"id='b1'"*"id='e1'"* ]]
	[[ ${lines[3]} == *"id='e1'"* && ${lines[3]} != *terminate* ]]
	[[ ${lines[4]} == *"type='terminate'"* ]]
	[[ ${#lines[@]} -eq 5 ]]
}

@test "jitsi: a server that never answers is given up at the deadline" {
	needs_real_time
	local start end

	fake_start slow
	start=$(date +%s%N)
	jitsi_run iceupd "http://127.0.0.1:$FAKE_PORT/http-bind" -t 1000
	end=$(date +%s%N)
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "jitsi"
	(((end - start) / 1000000 < 3000))
}

@test "jitsi: a ws:// URL without WebSocket in libcurl is one line naming ICEUPD_JITSI_URL" {
	if "$ICEUPD" --version | grep -q '^libcurl.*WebSocket'; then
		skip "this binary's libcurl has WebSocket support"
	fi
	jitsi_run iceupd "$PROSODY_WS"
	if [[ $status -eq 0 ]]; then
		skip "this binary's libcurl has WebSocket support"
	fi
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "ICEUPD_JITSI_URL" "WebSocket" "http-bind"
}

@test "jitsi over WebSocket (static build): credentials allocate on coturn" {
	if [[ ! -x $STATIC ]]; then
		skip "no static build at $STATIC (make static) with a WebSocket libcurl"
	fi
	if ! env -i ICEUPD_CONFIG=/dev/null "$STATIC" providers 2>/dev/null |
	    grep -q '^jitsi '; then
		skip "the static build at $STATIC predates the jitsi provider: make static"
	fi
	run --separate-stderr env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" \
	    ICEUPD_CONFIG=/dev/null ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    ICEUPD_JITSI_URL="$PROSODY_WS" \
	    ICEUPD_JITSI_DOMAIN=meet.test "$STATIC" -p jitsi
	if [[ $status -eq 2 && $stderr == *WebSocket* ]]; then
		skip "the static build's libcurl has no WebSocket support"
	fi
	assert_status 0
	assert_no_stderr
	assert_jq --arg p "$COTURN_PORT" 'length == 2 and
	    .[1].urls[0] == "turn:127.0.0.1:\($p)"'
	allocate_from_output
}

@test "presets are asked only when chosen or configured" {
	run --separate-stderr iceupd providers
	assert_status 0
	[[ $output == *$'\n'"8x8        not set "* ]]
	[[ $output == *$'\n'"kmeet      not set "* ]]
	[[ $output == *$'\n'"jitsi      not set "* ]]
	run --separate-stderr iceupd
	assert_status 0
	assert_stdout "$DEFAULT_STUN"

	run --separate-stderr iceupd KMEET_URL="$PROSODY_BOSH" \
	    KMEET_DOMAIN=meet.test
	assert_status 0
	assert_jq --arg p "$COTURN_PORT" '.[0].urls == ["stun:127.0.0.1:\($p)"]'

	run --separate-stderr iceupd -p 8x8
	assert_status 2
	assert_stderr_contains "ICEUPD_JITSI_ROOM" "ICEUPD_JITSI_TOKEN"
}

@test "jitsi: half a configuration is an error" {
	run --separate-stderr iceupd ICEUPD_JITSI_ROOM=r
	assert_status 2
	assert_stderr_contains "ICEUPD_JITSI_URL is not"

	run --separate-stderr iceupd ICEUPD_JITSI_URL=ftp://x/http-bind
	assert_status 2
	assert_stderr_contains "ICEUPD_JITSI_URL (environment)"
}

@test "8x8: a Brave Talk room token is fetched and used" {
	local jwt=brave.jwt.c2VjcmV0

	fake_start brave "$jwt"
	run --separate-stderr iceupd \
	    BRAVE_TALK_API="http://127.0.0.1:$FAKE_PORT/api/v1" \
	    JAAS_URL="$PROSODY_BOSH" JAAS_DOMAIN=meet.test \
	    ICEUPD_JITSI_ROOM=abc -p 8x8 -vv
	assert_status 0
	assert_jq '.[1].username | test("^[0-9]{10}$")'
	assert_stderr_lacks "$jwt" "csrf-123"
	run cat "$BATS_TEST_TMPDIR/fake.port.log"
	[[ ${lines[0]} == "OPTIONS /api/v1/rooms/abc HTTP/1.1 csrf=- cookie=- body=-" ]]
	[[ ${lines[1]} == 'PUT /api/v1/rooms/abc HTTP/1.1 csrf=csrf-123 cookie=session=abc body={"mauP":false}' ]]
}
