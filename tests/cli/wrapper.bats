#!/usr/bin/env bats
# wrapper.bats: wrapper/cloudrun-wrapper.sh, the container entrypoint, run
# by bash and by dash in an empty environment.  In place of supervisord it
# execs a fake command that writes down its PID, its argv and its
# environment, so the tests check what neko would receive.  Credentials
# come from the coturn provider (TURN REST, computed locally: no network,
# no server).

bats_require_minimum_version 1.5.0
load helpers

WRAPPER=$BATS_TEST_DIRNAME/../../wrapper/cloudrun-wrapper.sh
SHELLS=(bash dash)
TURN_URLS='turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp,turns:127.0.0.1:5349,stun:127.0.0.1:3478'
SECRET=wrapper-shared-secret-3f9c
V3_NAMES=(NEKO_WEBRTC_ICESERVERS_FRONTEND NEKO_WEBRTC_ICESERVERS_BACKEND)
ALL_NAMES=(NEKO_ICESERVERS "${V3_NAMES[@]}")

setup() {
	need_binary || return 1
	work_in
	BINDIR=$(dirname "$ICEUPD")
	SH_FLAGS=()
	OUT=$BATS_TEST_TMPDIR/out
	CHILD=$BATS_TEST_TMPDIR/child
	cat >"$CHILD" <<EOF
#!/bin/sh
d='$OUT'
mkdir -p "\$d"
echo \$\$ >"\$d/pid"
for a in "\$@"; do printf '%s\0' "\$a"; done >"\$d/argv"
env -0 >"\$d/environ"
exit 7
EOF
	chmod +x "$CHILD"
	LISTENER_PID=
}

teardown() {
	if [[ -n $LISTENER_PID ]]; then
		kill "$LISTENER_PID" 2>/dev/null || true
		wait "$LISTENER_PID" 2>/dev/null || true
	fi
}

# fake_iceupd RC [STDOUT]: an iceupd stand-in at $BATS_TEST_TMPDIR/iceupd
# that writes down its argv and environment, prints STDOUT and exits RC.
fake_iceupd() {
	FAKE=$BATS_TEST_TMPDIR/fake-iceupd
	cat >"$FAKE" <<EOF
#!/bin/sh
d='$BATS_TEST_TMPDIR/fake'
mkdir -p "\$d"
for a in "\$@"; do printf '%s\0' "\$a"; done >"\$d/argv"
env -0 >"\$d/environ"
printf '%s\n' '${2-}'
exit $1
EOF
	chmod +x "$FAKE"
}

# wrap SHELL [NAME=VALUE ...] [-- ARG ...]: runs the wrapper with SHELL
# (and SH_FLAGS) in an environment of only PATH, HOME, ICEUPD_CONFIG,
# ICEUPD_CACHE and the NAME=VALUE words; ARGs (default: the fake child)
# are its arguments.  The PID the wrapper runs as goes to wrapper.pid.
wrap() {
	local sh=$1
	local -a vars=()

	shift
	while [[ $# -gt 0 && $1 != -- ]]; do
		vars+=("$1")
		shift
	done
	[[ ${1-} == -- ]] && shift
	[[ $# -gt 0 ]] || set -- "$CHILD"
	rm -rf "$OUT" wrapper.pid
	run --separate-stderr env -i PATH="/usr/bin:/bin" \
	    HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" "${vars[@]}" \
	    "$sh" -c 'echo $$ >wrapper.pid; exec "$@"' launcher \
	    "$sh" "${SH_FLAGS[@]}" "$WRAPPER" "$@"
}

# wrap_coturn SHELL [NAME=VALUE ...] [-- ARG ...]: wrap with the real
# binary and a coturn configured for TURN REST.
wrap_coturn() {
	local sh=$1

	shift
	wrap "$sh" ICEUPD="$ICEUPD" WEBRTC_TURN_URLS="$TURN_URLS" \
	    TURN_SHARED_SECRET="$SECRET" "$@"
}

# child_ran: the fake child ran, exec'd by the wrapper (same PID), and the
# wrapper's exit status is the child's.
child_ran() {
	if [[ ! -f $OUT/pid ]]; then
		echo "the command did not run"
		show_run
		return 1
	fi
	if [[ $(<"$OUT/pid") != "$(<wrapper.pid)" ]]; then
		echo "the command ran as PID $(<"$OUT/pid"), the wrapper as" \
		    "$(<wrapper.pid): not exec'd"
		return 1
	fi
	assert_status 7
}

# wrap_fake SHELL [NAME=VALUE ...]: wrap, with ICEUPD the fake iceupd
# (what it wrote down before removed), and the child ran.
wrap_fake() {
	local sh=$1

	shift
	rm -rf "$BATS_TEST_TMPDIR/fake"
	wrap "$sh" ICEUPD="$FAKE" "$@"
	child_ran
}

# fake_not_run WHY: the fake iceupd did not run, as it should not have
# (message: "iceupd ran although WHY").
fake_not_run() {
	[[ ! -e $BATS_TEST_TMPDIR/fake/argv ]] ||
	    { echo "iceupd ran although $1"; return 1; }
}

# childenv NAME: prints the child's NAME byte for byte; fails if unset.
childenv() {
	local kv

	while IFS= read -r -d '' kv; do
		if [[ $kv == "$1="* ]]; then
			printf '%s' "${kv#*=}"
			return 0
		fi
	done <"$OUT/environ"
	return 1
}

# assert_childenv NAME VALUE: the child got NAME=VALUE, byte for byte.
assert_childenv() {
	local got

	if ! got=$(childenv "$1"; echo .); then
		echo "$1 is not in the command's environment"
		show_run
		return 1
	fi
	got=${got%.}
	if [[ $got != "$2" ]]; then
		printf '%s:\n%s\nexpected:\n%s\n' "$1" "$got" "$2"
		show_run
		return 1
	fi
}

assert_childenv_unset() {
	if childenv "$1" >/dev/null; then
		echo "$1 should not be in the command's environment"
		show_run
		return 1
	fi
}

# status_lines: the wrapper's own lines on stderr, warnings aside.
status_lines() {
	grep -E '^(cloudrun-wrapper: |\{"severity":"[A-Z]+","message":"cloudrun-wrapper: )' \
	    <<<"$stderr" | grep -v '^[^ ]*cloudrun-wrapper: warning: ' || true
}

# assert_one_status TEXT...: exactly one wrapper line on stderr, holding
# every TEXT.
assert_one_status() {
	local s l

	l=$(status_lines)
	if [[ -z $l || $(wc -l <<<"$l") -ne 1 ]]; then
		echo "expected one status line from the wrapper"
		show_run
		return 1
	fi
	for s in "$@"; do
		if [[ $l != *"$s"* ]]; then
			printf 'status line lacks: %s\n' "$s"
			show_run
			return 1
		fi
	done
}

# assert_fresh_turn_tcp JSON: JSON is the coturn list under the Cloud Run
# profile: TURN over TCP and TLS only, with TURN REST credentials for the
# test secret that expire in the future.
assert_fresh_turn_tcp() {
	local user cred want

	if ! jq -e --argjson now "$(date +%s)" 'type == "array" and length == 1
	    and (.[0] | keys == ["credential", "urls", "username"])
	    and .[0].urls == ["turn:127.0.0.1:3478?transport=tcp",
	        "turns:127.0.0.1:5349"]
	    and (.[0].username | test("^[0-9]+$"))
	    and (.[0].username | tonumber) > $now' <<<"$1" >/dev/null; then
		printf 'not a fresh TURN-over-TCP list:\n%s\n' "$1"
		return 1
	fi
	user=$(jq -r '.[0].username' <<<"$1")
	cred=$(jq -r '.[0].credential' <<<"$1")
	want=$(printf %s "$user" | openssl dgst -sha1 -hmac "$SECRET" -binary |
	    base64)
	if [[ $cred != "$want" ]]; then
		echo "credential is not the TURN REST one for $user"
		return 1
	fi
}

@test "NEKO_ICESERVERS=DYNAMIC: fresh TURN over TCP/TLS in the v2 and both v3 variables, one status line, no secret shown" {
	local sh v

	for sh in "${SHELLS[@]}"; do
		wrap_coturn "$sh" NEKO_ICESERVERS=DYNAMIC
		child_ran
		v=$(childenv NEKO_ICESERVERS)
		assert_fresh_turn_tcp "$v"
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$v"
		assert_childenv NEKO_WEBRTC_ICESERVERS_BACKEND "$v"
		assert_no_stdout
		assert_one_status "ICE servers from iceupd" \
		    "(NEKO_ICESERVERS NEKO_WEBRTC_ICESERVERS_FRONTEND NEKO_WEBRTC_ICESERVERS_BACKEND)"
		assert_stderr_lines 1
		assert_stderr_lacks "$(jq -r '.[0].credential' <<<"$v")" \
		    "$(jq -r '.[0].username' <<<"$v")" "$SECRET"
	done
}

@test "nothing set: the three variables are filled as for DYNAMIC" {
	local sh v

	for sh in "${SHELLS[@]}"; do
		wrap_coturn "$sh"
		child_ran
		v=$(childenv NEKO_ICESERVERS)
		assert_fresh_turn_tcp "$v"
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$v"
		assert_childenv NEKO_WEBRTC_ICESERVERS_BACKEND "$v"
	done
}

@test "neko's Cloud Run settings: ICE lite off unless set; ICE lite on is kept with a warning" {
	local sh

	for sh in "${SHELLS[@]}"; do
		wrap_coturn "$sh"
		child_ran
		assert_childenv NEKO_WEBRTC_ICELITE false
		assert_childenv_unset NEKO_ICELITE
		# Names neko does not read are not invented.
		assert_childenv_unset NEKO_WEBRTC_ICE_LITE
		assert_childenv_unset NEKO_WEBRTC_ICE_POLICY
		assert_childenv_unset NEKO_WEBRTC_MDNS

		wrap_coturn "$sh" NEKO_WEBRTC_ICELITE=true
		child_ran
		assert_childenv NEKO_WEBRTC_ICELITE true
		assert_stderr_contains \
		    "cloudrun-wrapper: warning: ICE lite is on: neko ignores its backend ICE servers"
		assert_one_status "ICE servers from iceupd"

		# neko v2's name counts as set: v3 reads it too, and it wins.
		wrap_coturn "$sh" NEKO_ICELITE=1
		child_ran
		assert_childenv NEKO_ICELITE 1
		assert_childenv_unset NEKO_WEBRTC_ICELITE
		assert_stderr_contains "ICE lite is on"

		wrap_coturn "$sh" NEKO_WEBRTC_ICELITE=false
		child_ran
		assert_childenv NEKO_WEBRTC_ICELITE false
		assert_stderr_lacks "ICE lite"
	done
}

@test "a preset NEKO_ICESERVERS is kept byte for byte, copied to unset v3 variables, and iceupd is not run" {
	local sh preset

	preset=$'[{"urls":["turn:relay.example:443?transport=tcp"],"username":"a b\'c\\"d","credential":"$HOME `x` \\\\ \n*"}]'
	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		wrap_fake "$sh" NEKO_ICESERVERS="$preset"
		assert_childenv NEKO_ICESERVERS "$preset"
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$preset"
		assert_childenv NEKO_WEBRTC_ICESERVERS_BACKEND "$preset"
		fake_not_run "nothing was to fetch"
		assert_one_status "NEKO_ICESERVERS is preset; kept"
		assert_stderr_lacks "relay.example" "a b"
	done
}

@test "preset v3 variables are kept and NEKO_ICESERVERS stays unset (it would override them in neko v3)" {
	local sh fe='[{"urls":["stun:fe.example:3478"]}]' be='[]'

	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		wrap_fake "$sh" NEKO_WEBRTC_ICESERVERS_FRONTEND="$fe" \
		    NEKO_WEBRTC_ICESERVERS_BACKEND="$be"
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$fe"
		assert_childenv NEKO_WEBRTC_ICESERVERS_BACKEND "$be"
		assert_childenv_unset NEKO_ICESERVERS
		fake_not_run "nothing was to fetch"
		assert_one_status "preset; kept"
	done
}

@test "one v3 variable preset: the other is fetched, NEKO_ICESERVERS stays unset; DYNAMIC v3 beside a preset v2 is fetched" {
	local sh fe='[{"urls":["stun:fe.example:3478"]}]' v2='[]' v

	for sh in "${SHELLS[@]}"; do
		wrap_coturn "$sh" NEKO_WEBRTC_ICESERVERS_FRONTEND="$fe"
		child_ran
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$fe"
		assert_fresh_turn_tcp "$(childenv NEKO_WEBRTC_ICESERVERS_BACKEND)"
		assert_childenv_unset NEKO_ICESERVERS
		assert_one_status "(NEKO_WEBRTC_ICESERVERS_BACKEND)"

		wrap_coturn "$sh" NEKO_ICESERVERS="$v2" \
		    NEKO_WEBRTC_ICESERVERS_BACKEND=DYNAMIC
		child_ran
		assert_childenv NEKO_ICESERVERS "$v2"
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "$v2"
		v=$(childenv NEKO_WEBRTC_ICESERVERS_BACKEND)
		assert_fresh_turn_tcp "$v"
	done
}

@test "provider failure: the command still starts, with [] everywhere and one loud status line" {
	local sh n

	for sh in "${SHELLS[@]}"; do
		# No provider at all: STUN only, which the relay profile drops.
		wrap "$sh" ICEUPD="$ICEUPD" NEKO_ICESERVERS=DYNAMIC
		child_ran
		for n in "${ALL_NAMES[@]}"; do
			assert_childenv "$n" "[]"
		done
		assert_childenv NEKO_WEBRTC_ICELITE false
		assert_one_status "iceupd failed (exit 1)" "NO TURN RELAY" \
		    "set to []" "neko starts"
		assert_no_stdout
	done
}

@test "no iceupd binary: [] and a status line naming the problem" {
	local sh n

	for sh in "${SHELLS[@]}"; do
		wrap "$sh" ICEUPD=/nonexistent/iceupd NEKO_ICESERVERS=DYNAMIC
		child_ran
		for n in "${ALL_NAMES[@]}"; do
			assert_childenv "$n" "[]"
		done
		assert_one_status "/nonexistent/iceupd is not an executable" \
		    "NO TURN RELAY"
	done
}

@test "under sh -e and -u the wrapper survives every failure and still starts the command" {
	local sh

	SH_FLAGS=(-e -u)
	for sh in "${SHELLS[@]}"; do
		wrap "$sh" ICEUPD="$ICEUPD" NEKO_WEBRTC_ICESERVERS_FRONTEND=DYNAMIC \
		    NEKO_ICESERVERS_FILE=/nonexistent/ice.json
		child_ran
		assert_childenv NEKO_WEBRTC_ICESERVERS_FRONTEND "[]"
		wrap_coturn "$sh"
		child_ran
		assert_fresh_turn_tcp "$(childenv NEKO_ICESERVERS)"
		fake_iceupd 4 'not json'
		wrap "$sh" ICEUPD="$FAKE"
		child_ran
		assert_childenv NEKO_ICESERVERS "[]"
	done
}

@test "the command gets exactly the arguments given, and is exec'd (same PID, its exit status)" {
	local sh
	local -a args=("a b" "" "*" $'line1\nline2' -c '$HOME' "'q'" '--x=1')

	for sh in "${SHELLS[@]}"; do
		wrap_coturn "$sh" -- "$CHILD" "${args[@]}"
		child_ran
		if ! cmp -s "$OUT/argv" <(printf '%s\0' "${args[@]}"); then
			echo "argv differs:"
			tr '\0' '|' <"$OUT/argv"
			echo
			return 1
		fi
		# No wrapper shell is left as the parent either.
		wrap_coturn "$sh" -- "$CHILD"
		child_ran
		[[ ! -s $OUT/argv ]] || { echo "unexpected arguments"; return 1; }
	done
}

@test "without arguments it execs neko's supervisord" {
	local sh

	if [[ -e /usr/bin/supervisord ]]; then
		skip "supervisord is installed here; the test would start it"
	fi
	for sh in "${SHELLS[@]}"; do
		rm -rf "$OUT" wrapper.pid
		run -127 --separate-stderr env -i PATH=/usr/bin:/bin \
		    ICEUPD=/nonexistent ICEUPD_CONFIG=/dev/null \
		    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" "$sh" "$WRAPPER"
		assert_status 127
		assert_stderr_contains "/usr/bin/supervisord"
	done
}

@test "the Cloud Run profile: TCP/TLS relays only, short deadline, cache in /tmp, neko format; the environment may override; nothing leaks to the command" {
	local sh
	local -a argv

	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		rm -rf "$BATS_TEST_TMPDIR/fake"
		run --separate-stderr env -i PATH=/usr/bin:/bin ICEUPD="$FAKE" \
		    ICEUPD_FORMAT=rtc "$sh" "$WRAPPER" "$CHILD"
		assert_status 7
		mapfile -d '' argv <"$BATS_TEST_TMPDIR/fake/argv"
		[[ ${argv[*]} == "fetch --format neko" ]] ||
		    { echo "iceupd argv: ${argv[*]}"; return 1; }
		OUT=$BATS_TEST_TMPDIR/fake
		assert_childenv ICEUPD_TRANSPORT tcp
		assert_childenv ICEUPD_RELAY true
		assert_childenv ICEUPD_CACHE /tmp/iceupd-cache.json
		(( $(childenv ICEUPD_TIMEOUT_MS) <= 5000 )) ||
		    { echo "deadline too long: $(childenv ICEUPD_TIMEOUT_MS)"; return 1; }
		OUT=$BATS_TEST_TMPDIR/out
		assert_childenv NEKO_ICESERVERS '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
		assert_childenv_unset ICEUPD_TRANSPORT
		assert_childenv_unset ICEUPD_RELAY
		assert_childenv_unset ICEUPD_TIMEOUT_MS
		assert_childenv_unset ICEUPD_CACHE

		wrap "$sh" ICEUPD="$FAKE" ICEUPD_TRANSPORT=any ICEUPD_RELAY=false \
		    ICEUPD_TIMEOUT_MS=1500
		child_ran
		OUT=$BATS_TEST_TMPDIR/fake
		assert_childenv ICEUPD_TRANSPORT any
		assert_childenv ICEUPD_RELAY false
		assert_childenv ICEUPD_TIMEOUT_MS 1500
		assert_childenv ICEUPD_CACHE "$BATS_TEST_TMPDIR/cache.json"
		OUT=$BATS_TEST_TMPDIR/out
	done
}

@test "provider secrets reach iceupd but not the command, unless ICEUPD_KEEP_SECRETS=true" {
	local sh name keep

	marked_secrets 9d1e
	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		for keep in "" true; do
			wrap "$sh" ICEUPD="$FAKE" "${MARKED_VARS[@]}" \
			    ${keep:+ICEUPD_KEEP_SECRETS=$keep}
			child_ran
			for name in "${MARKED_NAMES[@]}"; do
				OUT=$BATS_TEST_TMPDIR/fake
				assert_childenv "$name" "mark-$name-9d1e"
				OUT=$BATS_TEST_TMPDIR/out
				if [[ -n $keep ]]; then
					assert_childenv "$name" "mark-$name-9d1e"
					assert_childenv "${name}_FILE" "/run/secrets/$name"
				else
					assert_childenv_unset "$name"
					assert_childenv_unset "${name}_FILE"
				fi
			done
			[[ $stderr != *mark-* ]]
			assert_childenv NEKO_ICESERVERS '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
		done
	done
}

@test "URL settings with a key in the query or user part reach iceupd but not the command; plain URLs stay" {
	local sh
	local -a vars=(ICEUPD_URL='https://serve.example/api?key=url-key-MARK41'
	    ICEUPD_JITSI_URL='https://me:pw-MARK42@meet.example/room'
	    MATRIX_HOMESERVER='https://matrix.example'
	    METERED_API_BASE='https://api.example/v1/x@y')

	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		wrap "$sh" ICEUPD="$FAKE" "${vars[@]}"
		child_ran
		OUT=$BATS_TEST_TMPDIR/fake
		assert_childenv ICEUPD_URL 'https://serve.example/api?key=url-key-MARK41'
		OUT=$BATS_TEST_TMPDIR/out
		assert_childenv_unset ICEUPD_URL
		assert_childenv_unset ICEUPD_JITSI_URL
		assert_childenv MATRIX_HOMESERVER 'https://matrix.example'
		assert_childenv METERED_API_BASE 'https://api.example/v1/x@y'
		[[ $stderr != *MARK4* ]]
		wrap "$sh" ICEUPD="$FAKE" "${vars[@]}" ICEUPD_KEEP_SECRETS=true
		child_ran
		assert_childenv ICEUPD_URL 'https://serve.example/api?key=url-key-MARK41'
	done
}

@test "iceupd exit 4 is used but reported as degraded; an empty or unusable answer gives []" {
	local sh list='[{"urls":["turns:stale.example:5349"],"username":"u","credential":"p"}]'

	for sh in "${SHELLS[@]}"; do
		fake_iceupd 4 "$list"
		wrap "$sh" ICEUPD="$FAKE"
		child_ran
		assert_childenv NEKO_ICESERVERS "$list"
		assert_one_status "DEGRADED" "exit 4"

		fake_iceupd 0 '[]'
		wrap "$sh" ICEUPD="$FAKE"
		child_ran
		assert_childenv NEKO_ICESERVERS "[]"
		assert_one_status "no TURN relay" "NO TURN RELAY"

		fake_iceupd 0 'export NEKO_ICESERVERS=x'
		wrap "$sh" ICEUPD="$FAKE"
		child_ran
		assert_childenv NEKO_ICESERVERS "[]"
		assert_one_status "no ICE server list" "NO TURN RELAY"

		fake_iceupd 2 ''
		wrap "$sh" ICEUPD="$FAKE"
		child_ran
		assert_childenv NEKO_ICESERVERS "[]"
		assert_one_status "iceupd failed (exit 2)"
	done
}

@test "NEKO_ICESERVERS_FILE: a list written by iceupd -o is used as it is; an unreadable one falls back to iceupd" {
	local sh v

	run iceupd WEBRTC_TURN_URLS="$TURN_URLS" TURN_SHARED_SECRET="$SECRET" \
	    fetch --transport tcp --relay -o "$BATS_TEST_TMPDIR/ice.json"
	assert_status 0
	v=$(<"$BATS_TEST_TMPDIR/ice.json")
	assert_fresh_turn_tcp "$v"
	fake_iceupd 0 '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
	for sh in "${SHELLS[@]}"; do
		wrap_fake "$sh" NEKO_ICESERVERS_FILE="$BATS_TEST_TMPDIR/ice.json"
		assert_childenv NEKO_ICESERVERS "$v"
		assert_childenv NEKO_WEBRTC_ICESERVERS_BACKEND "$v"
		fake_not_run "the file had a list"
		assert_one_status "ICE servers from $BATS_TEST_TMPDIR/ice.json"
		assert_stderr_lines 1

		wrap "$sh" ICEUPD="$FAKE" NEKO_ICESERVERS_FILE="$BATS_TEST_TMPDIR/none.json"
		child_ran
		assert_childenv NEKO_ICESERVERS '[{"urls":["turns:fake.example:5349"],"username":"u","credential":"p"}]'
		assert_stderr_contains "warning: cannot read $BATS_TEST_TMPDIR/none.json"
		assert_one_status "ICE servers from iceupd"
	done
}

@test "ICEUPD_LOG_FORMAT=json: the status line is a JSON line with a severity" {
	local sh l

	for sh in "${SHELLS[@]}"; do
		wrap "$sh" ICEUPD=/nonexistent ICEUPD_LOG_FORMAT=json
		child_ran
		l=$(status_lines)
		jq -e '.severity == "ERROR" and (.message | startswith("cloudrun-wrapper: "))' \
		    <<<"$l" >/dev/null || { echo "not a JSON status line: $l"; return 1; }
		wrap_coturn "$sh" ICEUPD_LOG_FORMAT=json
		child_ran
		assert_stderr_json_lines
		l=$(status_lines)
		jq -e '.severity == "INFO"' <<<"$l" >/dev/null ||
		    { echo "not an INFO line: $l"; return 1; }
	done
}

@test "a provider that never answers does not hold the start past the deadline" {
	needs_real_time
	local sh t0 t1 port

	python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
conns = []
while True:
    c, _ = s.accept(); conns.append(c)' "$BATS_TEST_TMPDIR/port" 3>&- &
	LISTENER_PID=$!
	for _ in {1..100}; do
		[[ -s $BATS_TEST_TMPDIR/port ]] && break
		sleep 0.05
	done
	port=$(<"$BATS_TEST_TMPDIR/port")
	for sh in "${SHELLS[@]}"; do
		t0=$(date +%s%N)
		wrap "$sh" ICEUPD="$ICEUPD" ICEUPD_TIMEOUT_MS=1000 \
		    TWILIO_API_BASE="https://127.0.0.1:$port" \
		    TWILIO_ACCOUNT_SID=AC0123456789abcdef0123456789abcdef \
		    TWILIO_AUTH_TOKEN=wrapper-token-9d1e
		t1=$(date +%s%N)
		child_ran
		assert_childenv NEKO_ICESERVERS "[]"
		assert_one_status "NO TURN RELAY"
		assert_stderr_lacks wrapper-token-9d1e
		if (( (t1 - t0) / 1000000 > 3000 )); then
			echo "took $(( (t1 - t0) / 1000000 )) ms"
			return 1
		fi
	done
}

@test "iceupd is found on PATH when /usr/local/bin/iceupd is absent and ICEUPD is unset" {
	local sh

	if [[ -e /usr/local/bin/iceupd ]]; then
		skip "/usr/local/bin/iceupd exists here and would be used first"
	fi
	for sh in "${SHELLS[@]}"; do
		rm -rf "$OUT" wrapper.pid
		run --separate-stderr env -i PATH="$BINDIR:/usr/bin:/bin" \
		    ICEUPD_CONFIG=/dev/null ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
		    WEBRTC_TURN_URLS="$TURN_URLS" TURN_SHARED_SECRET="$SECRET" \
		    "$sh" -c 'echo $$ >wrapper.pid; exec "$@"' launcher \
		    "$sh" "$WRAPPER" "$CHILD"
		child_ran
		assert_fresh_turn_tcp "$(childenv NEKO_ICESERVERS)"
	done
}
