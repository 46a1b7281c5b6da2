#!/usr/bin/env bats
# watch.bats: `iceupd watch` keeps a file fresh: --once and its exit 3,
# refreshing before expiry, never an empty or torn file, signals, --on-change,
# and a good file never replaced by a worse one.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

# TURN REST credentials minted locally, lasting a minute.
COTURN_ENV=(WEBRTC_TURN_URLS=turn:127.0.0.1:3478 TURN_SHARED_SECRET=watch-secret
	TURN_TTL=60)

setup() {
	need_binary || return 1
	work_in
	WATCH_PID=
}

teardown() {
	if [[ -n $WATCH_PID ]]; then
		kill -TERM "$WATCH_PID" 2>/dev/null || true
		wait "$WATCH_PID" 2>/dev/null || true
	fi
	stop_fakes
}

# start_watch [NAME=VALUE ...] [ARG ...]: iceupd watch in the background,
# its stderr in watch.err; waits for the first file, up to 60 s (a wait,
# not a measure: under valgrind the first fetch takes seconds).
start_watch() {
	iceupd_cmd "$@"
	"${ICEUPD_CMD[@]}" 2>watch.err &
	WATCH_PID=$!
	for _ in $(seq 1200); do
		[[ -s out.json ]] && return 0
		sleep 0.05
	done
	echo "no output file after 60 s:"
	cat watch.err
	return 1
}

# wait_change OLD SECONDS: until out.json differs from OLD.
wait_change() {
	for _ in $(seq $(($2 * 20))); do
		[[ $(<out.json) != "$1" ]] && return 0
		sleep 0.05
	done
	echo "out.json did not change within $2 s"
	return 1
}

@test "--once writes the file (0600) and exits 0" {
	run --separate-stderr iceupd "${COTURN_ENV[@]}" watch -o out.json --once
	assert_status 0
	[[ $(stat -c %a out.json) == 600 ]]
	run jq -e '.[0].username | test("^[0-9]+$")' out.json
	assert_status 0
}

@test "--once exits 3 when the cached credentials are still fresh" {
	start_fake twilio ok
	env=("${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem")
	run --separate-stderr iceupd "${env[@]}" watch -p twilio -o out.json --once
	assert_status 0
	run --separate-stderr iceupd "${env[@]}" watch -p twilio -o out.json --once
	assert_status 3
	[[ $(wc -l <"$FAKE_LOG") -eq 1 ]]
}

@test "watch needs an output" {
	run --separate-stderr timeout 10 env ICEUPD_CACHE= "$ICEUPD" watch -c /dev/null
	assert_status 2
	assert_stderr_contains "watch needs -o FILE"
}

@test "refreshes before expiry, and the file is never empty or torn" {
	start_watch "${COTURN_ENV[@]}" watch -o out.json --refresh-at 10
	first=$(<out.json)
	# 10% of 60 s, less up to 5% jitter: the refresh comes within 3-6 s.
	# Meanwhile every read of the file is a whole JSON list.
	end=$(($(date +%s) + 12))
	changed=0
	while (($(date +%s) < end)); do
		cur=$(<out.json)
		jq -e 'length == 1 and (.[0].urls | length) == 1' <<<"$cur" >/dev/null
		if [[ $cur != "$first" ]]; then
			changed=1
			break
		fi
	done
	((changed))
	run grep -c "wrote out.json from coturn" watch.err
	((output >= 2))
}

@test "SIGUSR1 refreshes now; SIGHUP reloads; SIGTERM exits 0 at once" {
	needs_real_time
	start_watch "${COTURN_ENV[@]}" watch -o out.json
	first=$(<out.json)
	sleep 1.1	# a new second: a new TURN REST username
	kill -USR1 "$WATCH_PID"
	wait_change "$first" 5
	kill -HUP "$WATCH_PID"
	for _ in $(seq 100); do
		grep -q "settings reloaded" watch.err && break
		sleep 0.05
	done
	grep -q "settings reloaded" watch.err
	t=$(date +%s%N)
	kill -TERM "$WATCH_PID"
	# wait in this shell: the watcher is its child, not a subshell's.
	rc=0
	wait "$WATCH_PID" || rc=$?
	WATCH_PID=
	[[ $rc -eq 0 ]]
	(($(($(date +%s%N) - t)) < 2000000000))
}

@test "--on-change runs after each change, told the file and the expiry, not the credentials" {
	cat >hook.sh <<'EOF'
#!/bin/sh
{ printf 'output=%s expires=%s\n' "$ICEUPD_OUTPUT" "$ICEUPD_EXPIRES_AT"
  tr '\0' ' ' </proc/$$/cmdline; echo; } >>hook.log
EOF
	chmod +x hook.sh
	run --separate-stderr iceupd "${COTURN_ENV[@]}" watch -o out.json --once \
	    --on-change "$PWD/hook.sh"
	assert_status 0
	run cat hook.log
	assert_match "${lines[0]}" '^output=out.json expires=20[0-9-]+T[0-9:]+Z$'
	cred=$(jq -r '.[0].credential' out.json)
	[[ $(<hook.log) != *"$cred"* ]]
	[[ $(<hook.log) != *watch-secret* ]]
}

@test "a good file is not replaced by an answer without TURN" {
	start_fake twilio ok
	start_watch "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" watch \
	    -p twilio,stun --no-cache -o out.json
	good=$(<out.json)
	jq -e '[.[].urls[]] | any(startswith("turn:"))' out.json >/dev/null
	stop_fakes
	kill -USR1 "$WATCH_PID"
	for _ in $(seq 600); do
		grep -q "kept" watch.err && break
		sleep 0.05
	done
	assert_match "$(<watch.err)" "has no TURN or is stale; out.json kept"
	[[ $(<out.json) == "$good" ]]
}

@test "--once: a backing-off TURN provider with STUN answering is degraded (exit 4) and named, written or not" {
	local -a env

	start_fake twilio unauthorized
	env=("${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem")
	run --separate-stderr iceupd "${env[@]}" -p twilio,stun
	run --separate-stderr iceupd "${env[@]}" -p twilio,stun
	[[ $(wc -l <"$FAKE_LOG") -eq 2 ]]
	run --separate-stderr iceupd "${env[@]}" watch -p twilio,stun -o out.json --once
	assert_status 4
	assert_stderr_contains "twilio: not asked: backing off after 2 failures until"
	[[ $(wc -l <"$FAKE_LOG") -eq 2 ]]
	[[ $(jq -r '.[0].urls[0]' out.json) == stun:* ]]
	# The file holds that list already: still degraded, not "nothing to do".
	run --separate-stderr iceupd "${env[@]}" watch -p twilio,stun -o out.json --once
	assert_status 4
}

@test "--once leaves a file of minted TURN REST credentials alone while they are fresh; --force-refresh rewrites it" {
	run --separate-stderr iceupd "${COTURN_ENV[@]}" TURN_TTL=3600 watch -o out.json --once
	assert_status 0
	cp out.json first.json
	sleep 2		# a new second: minting again would change the file
	run --separate-stderr iceupd "${COTURN_ENV[@]}" TURN_TTL=3600 watch -o out.json --once
	assert_status 3
	assert_stderr_lines 1
	assert_stderr_contains "out.json already holds these credentials, valid until 20"
	assert_same_file first.json out.json
	run --separate-stderr iceupd "${COTURN_ENV[@]}" TURN_TTL=3600 watch -o out.json --once \
	    --force-refresh
	assert_status 0
	if cmp -s first.json out.json; then
		echo "--force-refresh left the file as it was"
		return 1
	fi
	# Other settings make another file: no longer "nothing to do".
	run --separate-stderr iceupd "${COTURN_ENV[@]}" TURN_TTL=3600 watch -o out.json --once -f rtc
	assert_status 0
	jq -e '.iceServers | length == 1' out.json >/dev/null
}

@test "a starting watch leaves a fresh file alone until its refresh point" {
	local -a ttl=(TURN_TTL=60 ICEUPD_MIN_TTL=0 ICEUPD_REFRESH_AT=10)

	needs_real_time	# the refresh point, by the clock

	# Fresh for 6 s: 10% of 60 s.
	run --separate-stderr iceupd "${COTURN_ENV[@]}" "${ttl[@]}" watch -o out.json --once
	assert_status 0
	cp out.json first.json
	sleep 1.1
	start_watch "${COTURN_ENV[@]}" "${ttl[@]}" watch -o out.json -v
	sleep 0.5
	assert_same_file first.json out.json
	[[ $(<watch.err) == *"already holds these credentials, valid until"* ]]
	[[ $(<watch.err) != *"wrote out.json"* ]]
	# Then refreshed at that point (5 s after the start at the earliest).
	wait_change "$(<first.json)" 15
	grep -q "wrote out.json from coturn" watch.err
}

@test "watch refuses -o - and runs without -o only with --cache on its command line" {
	run --separate-stderr iceupd watch -o - --once
	assert_status 2
	assert_stderr_lines 1
	assert_stderr_contains "-o"
	[[ ! -e - ]]
	# ICEUPD_CACHE in the environment (as iceupd() sets it) is not enough.
	run --separate-stderr timeout 10 env ICEUPD_CACHE="$PWD/c.json" \
	    "$ICEUPD" watch -c /dev/null
	assert_status 2
	assert_stderr_contains "-o FILE"
	run --separate-stderr iceupd "${COTURN_ENV[@]}" TURN_TTL=3600 watch --once --cache c.json
	assert_status 3
}

@test "an unusable cache is said once in the life of a watcher" {
	start_fake twilio ok
	start_watch "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CACHE=/dev/null/c.json watch -p twilio -o out.json
	kill -USR1 "$WATCH_PID"
	for _ in $(seq 200); do
		(($(wc -l <"$FAKE_LOG") >= 2)) && break
		sleep 0.05
	done
	sleep 0.2
	(($(wc -l <"$FAKE_LOG") >= 2))
	[[ $(grep -c "cannot write" watch.err) -eq 1 ]] || { cat watch.err; return 1; }
}
