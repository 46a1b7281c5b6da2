#!/usr/bin/env bats
# updater.bats: scripts/twilio-credential-updater.sh, the drop-in that a
# container entrypoint sources (`. script`) to set NEKO_ICESERVERS, run by
# bash and by dash against the Twilio fake (tests/mocks/hosted.py).

bats_require_minimum_version 1.5.0
load helpers

SCRIPT=$BATS_TEST_DIRNAME/../../scripts/twilio-credential-updater.sh
SHELLS=(bash dash)

SID=AC0a1b2c3d4e5f60718293a4b5c6d7e8f9
TOKEN=updater-authtoken-MARK6-4be2
TURN_USER=updater-turn-user-77d1
TURN_CRED=updater-turn-cred-e5a0
# What Twilio's documented answer gives with TURN over TCP/TLS only.
TCP_LIST='[{"urls":["turn:global.turn.twilio.com:3478?transport=tcp","turn:global.turn.twilio.com:443?transport=tcp"],"username":"'$TURN_USER'","credential":"'$TURN_CRED'"}]'
OK_LINE="twilio-credential-updater: NEKO_ICESERVERS refreshed by iceupd"
turn_user() { echo "$TURN_USER"; }
turn_cred() { echo "$TURN_CRED"; }
load ../mocks/hosted

setup() {
	need_binary || return 1
	work_in
	BINDIR=$(dirname "$ICEUPD")
}

teardown() {
	stop_fakes
}

# start_fake SCENARIO: a Twilio fake on a port of its own; sets PORT and
# FAKE_LOG.
start_fake() {
	mock_dir
	start_mock "the fake" hosted.py --provider twilio --scenario "$1" \
	    --log "$MOCK_DIR/log" --lifetime 120 \
	    --account-sid "$SID" --auth "$SID:$TOKEN" \
	    --username "$TURN_USER" --credential "$TURN_CRED" || return 1
	PORT=$MOCK_PORT
	FAKE_LOG=$MOCK_DIR/log
}

# What the sourcing shell runs: the script, then a report of what it left.
# The value goes to the file "value" byte for byte.
SNIPPET='. "$1"
echo still-here
if [ "${NEKO_ICESERVERS+set}" = set ]; then
	printf %s "$NEKO_ICESERVERS" >value
fi
printenv NEKO_ICESERVERS >/dev/null && echo exported
type _iceupd_update >/dev/null 2>&1 && echo "left: function _iceupd_update"
set | grep "^_iceupd" | sed "s/^/left: /"
exit 0'

# source_in SHELL [NAME=VALUE ...]: sources the script in SHELL (with the
# options in SH_FLAGS) with iceupd on PATH, the test CA and the fake in its
# environment, and only that.
source_in() {
	local sh=$1

	shift
	rm -f value
	run --separate-stderr env -i PATH="$BINDIR:/usr/bin:/bin" \
	    HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache-$sh-$RANDOM.json" \
	    ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    TWILIO_API_BASE="https://127.0.0.1:$PORT" \
	    TWILIO_ACCOUNT_SID="$SID" TWILIO_AUTH_TOKEN="$TOKEN" \
	    "$@" "$sh" ${SH_FLAGS-} -c "$SNIPPET" "$sh" "$SCRIPT"
}

assert_value() {
	local got

	if [[ ! -f value ]]; then
		echo "NEKO_ICESERVERS is not set"
		show_run
		return 1
	fi
	got=$(cat value; echo .)
	got=${got%.}
	if [[ $got != "$1" ]]; then
		printf 'NEKO_ICESERVERS:\n%s\nexpected:\n%s\n' "$got" "$1"
		show_run
		return 1
	fi
}

# The shell went on after the script, with NEKO_ICESERVERS exported and
# nothing of the script's own left behind.
assert_clean_continue() {
	assert_status 0
	assert_stdout "still-here
exported"
}

assert_no_secret() {
	assert_no_secret_in stderr "$TOKEN" "$TURN_CRED"
}

@test "DYNAMIC: NEKO_ICESERVERS becomes TCP/TLS TURN only, one status line" {
	local sh

	start_fake ok
	for sh in "${SHELLS[@]}"; do
		source_in "$sh" NEKO_ICESERVERS=DYNAMIC
		assert_clean_continue
		assert_value "$TCP_LIST"
		assert_stderr "$OK_LINE"
		assert_no_secret
	done
	assert_requests 2
}

@test "unset NEKO_ICESERVERS means fetch as well" {
	local sh

	start_fake ok
	for sh in "${SHELLS[@]}"; do
		source_in "$sh"
		assert_clean_continue
		assert_value "$TCP_LIST"
		assert_stderr "$OK_LINE"
	done
	assert_requests 2
}

@test "the binary can be named by ICEUPD instead of PATH" {
	local sh

	start_fake ok
	for sh in "${SHELLS[@]}"; do
		BINDIR=/nonexistent source_in "$sh" ICEUPD="$ICEUPD" \
		    NEKO_ICESERVERS=DYNAMIC
		assert_clean_continue
		assert_value "$TCP_LIST"
		assert_stderr "$OK_LINE"
	done
	assert_requests 2
}

@test "ICEUPD_TRANSPORT=any keeps UDP and STUN" {
	start_fake ok
	source_in dash ICEUPD_TRANSPORT=any NEKO_ICESERVERS=DYNAMIC
	assert_clean_continue
	assert_value '[{"urls":["stun:global.stun.twilio.com:3478"]},{"urls":["turn:global.turn.twilio.com:3478?transport=udp","turn:global.turn.twilio.com:3478?transport=tcp","turn:global.turn.twilio.com:443?transport=tcp"],"username":"'$TURN_USER'","credential":"'$TURN_CRED'"}]'
}

@test "a preset value is kept byte for byte and nothing is asked" {
	local sh preset

	start_fake ok
	preset='[{"urls":["turn:turn.example.org:3478?transport=tcp"],"username":"u s'\''\"$x","credential":"c\\n"}]'$'\n''  '
	for sh in "${SHELLS[@]}"; do
		source_in "$sh" NEKO_ICESERVERS="$preset"
		assert_clean_continue
		assert_value "$preset"
		assert_stderr_lines 1
		assert_stderr_contains "preset"
	done
	assert_requests 0
}

@test "a refused Twilio login: NEKO_ICESERVERS='[]', a failure line, no demo relay" {
	local sh

	start_fake unauthorized
	for sh in "${SHELLS[@]}"; do
		source_in "$sh" NEKO_ICESERVERS=DYNAMIC
		assert_clean_continue
		assert_value '[]'
		[[ ${stderr_lines[-1]} == "twilio-credential-updater: iceupd failed (exit 1);"* ]] || {
			echo "the last stderr line is not the failure status"
			show_run
			return 1
		}
		assert_no_secret
		if grep -qi openrelay value || [[ ${output,,} == *openrelay* || ${stderr,,} == *openrelay* ]]; then
			echo "a demo relay appeared"
			show_run
			return 1
		fi
	done
	assert_requests 2
}

@test "iceupd missing altogether: NEKO_ICESERVERS='[]' and the shell goes on" {
	local sh

	if [[ -x /usr/local/bin/iceupd ]]; then
		skip "an iceupd is installed in /usr/local/bin"
	fi
	for sh in "${SHELLS[@]}"; do
		PORT=9 BINDIR=/nonexistent source_in "$sh" \
		    ICEUPD=/nonexistent/iceupd NEKO_ICESERVERS=DYNAMIC
		assert_clean_continue
		assert_value '[]'
		[[ ${stderr_lines[-1]} == "twilio-credential-updater: iceupd failed"* ]]
	done
}

@test "a sourcing shell under set -e goes on after a failure" {
	local sh

	start_fake unauthorized
	for sh in "${SHELLS[@]}"; do
		SH_FLAGS=-e source_in "$sh" NEKO_ICESERVERS=DYNAMIC
		assert_clean_continue
		assert_value '[]'
	done
}

@test "URL settings with a key in the query or user part leave the sourcing shell; plain URLs stay" {
	local sh
	cat >fake-iceupd <<'SH'
#!/bin/sh
env >"$FAKE_ENV"
echo "export NEKO_ICESERVERS='[]'"
SH
	chmod +x fake-iceupd
	for sh in "${SHELLS[@]}"; do
		rm -f seen.env after.env
		run --separate-stderr env -i PATH=/usr/bin:/bin \
		    ICEUPD="$BATS_TEST_TMPDIR/fake-iceupd" \
		    FAKE_ENV="$BATS_TEST_TMPDIR/seen.env" \
		    ICEUPD_URL='https://serve.example/api?key=url-key-MARK43' \
		    KMEET_URL='https://me:pw-MARK44@kmeet.example' \
		    MATRIX_HOMESERVER=https://matrix.example \
		    "$sh" -c '. "$1"; env >after.env' "$sh" "$SCRIPT"
		assert_status 0
		grep -qx 'ICEUPD_URL=https://serve.example/api?key=url-key-MARK43' seen.env
		! grep -q 'MARK4[34]' after.env || {
			echo "$sh: a URL with a key is left in the shell"
			return 1
		}
		grep -qx 'MATRIX_HOMESERVER=https://matrix.example' after.env
		! grep -q '^_iceupd' after.env || return 1
	done
}

@test "provider secrets reach iceupd, then leave the sourcing shell with their _FILE paths, unless ICEUPD_KEEP_SECRETS=true" {
	local sh keep name

	marked_secrets 5c2a
	# An iceupd that records the environment it was given.
	cat >fake-iceupd <<'SH'
#!/bin/sh
env >"$FAKE_ENV"
echo "export NEKO_ICESERVERS='[{\"urls\":[\"turns:fake.example:5349\"],\"username\":\"u\",\"credential\":\"p\"}]'"
SH
	chmod +x fake-iceupd
	for sh in "${SHELLS[@]}"; do
		for keep in "" true; do
			rm -f seen.env after.env
			run --separate-stderr env -i PATH=/usr/bin:/bin \
			    ICEUPD="$BATS_TEST_TMPDIR/fake-iceupd" \
			    FAKE_ENV="$BATS_TEST_TMPDIR/seen.env" "${MARKED_VARS[@]}" \
			    ${keep:+ICEUPD_KEEP_SECRETS=$keep} \
			    "$sh" -c '. "$1"; env >after.env' "$sh" "$SCRIPT"
			assert_status 0
			grep -qx "NEKO_ICESERVERS=.*turns:fake.example:5349.*" after.env
			for name in "${MARKED_NAMES[@]}"; do
				grep -qx "$name=mark-$name-5c2a" seen.env || {
					echo "$sh: iceupd did not get $name"; return 1; }
				if [[ -n $keep ]]; then
					grep -qx "$name=mark-$name-5c2a" after.env
					grep -qx "${name}_FILE=/run/secrets/$name" after.env
				elif grep -q "^$name\(_FILE\)\?=" after.env; then
					echo "$sh: $name or ${name}_FILE is left in the shell"
					return 1
				fi
			done
			[[ $stderr != *mark-* ]]
		done
	done
}
