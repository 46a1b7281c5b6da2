#!/usr/bin/env bats
# faults.bats: iceupd when things go wrong underneath it: hosted APIs that
# misbehave at the transport or encoding level (tests/mocks/faults.py, HTTPS
# on 127.0.0.1), outputs that cannot be written (a full or read-only file
# system, a device), `iceupd watch` killed with SIGKILL at random moments,
# and two watchers on one output.  Every failure must be clean: exit 1, one
# line on stderr, nothing on stdout, within the deadline, and the old
# output file left as it was.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

FAULTS=(reset tlscut closenow garbage slowhead trickle1 huge100 chunked100
	deep deepobj badutf8 manykeys)

COTURN_CRED=faults-coturn-credential
COTURN_ENV=(WEBRTC_TURN_URLS=turn:127.0.0.1:3478
	WEBRTC_TURN_USERNAME=coturn-user WEBRTC_TURN_CREDENTIAL="$COTURN_CRED")
COTURN_LIST='[{"urls":["turn:127.0.0.1:3478"],"username":"coturn-user","credential":"'$COTURN_CRED'"}]'
# TURN REST credentials minted locally (a new username every second).
REST_ENV=(WEBRTC_TURN_URLS=turn:127.0.0.1:3478 TURN_SHARED_SECRET=faults-secret
	TURN_TTL=60)

setup() {
	need_binary || return 1
	work_in
	PIDS=()
	MOUNTS=()
}

teardown() {
	local m

	stop_pids -KILL "${PIDS[@]}"
	for m in "${MOUNTS[@]}"; do
		umount "$m" 2>/dev/null || true
	done
	stop_fakes
}

# write_fails FILE REASON: iceupd with TURN REST credentials cannot write
# FILE: exit 1, nothing on stdout, one line naming FILE and REASON, FILE
# as it was (before.json).
write_fails() {
	run --separate-stderr iceupd "${REST_ENV[@]}" -o "$1"
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$1" "$2"
	assert_same_file before.json "$1"
}

# start_faults SCENARIO: starts faults.py; sets PORT.
start_faults() {
	mock_dir
	start_mock faults.py faults.py --scenario "$1" || return 1
	PORT=$MOCK_PORT
}

# stop_faults SCENARIO: stops the fakes; each must exit 0 on SIGTERM.
stop_faults() {
	local pid rc

	for pid in "${FAKE_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
		rc=0
		wait "$pid" || rc=$?
		if ((rc != 0)); then
			echo "faults.py ($1) exited $rc on SIGTERM:"
			cat "$BATS_TEST_TMPDIR"/fake*/out
			return 1
		fi
	done
	FAKE_PIDS=()
}

# against PROVIDER [NAME=VALUE ...] [ARG ...]: iceupd asks PROVIDER, whose
# API is faults.py on PORT; sets ELAPSED_MS.
against() {
	local p=$1 t0
	local -a vars=()
	shift

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	provider_env "$p" "https://127.0.0.1:$PORT"
	t0=$(date +%s%N)
	run --separate-stderr iceupd ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    "${PENV[@]}" "${vars[@]}" --no-cache -p "$p" "$@"
	ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
}

# assert_clean_failure WHAT PROVIDER: exit 1, nothing on stdout, one error
# line naming the provider, well within the 2 s deadline (the time is
# checked where it means something: not under valgrind, see
# needs_real_time).
assert_clean_failure() {
	local bound=4500

	[[ -z ${ICEUPD_TEST_SLOW-} ]] || bound=$((1 << 30))
	if [[ $status != 1 || -n $output ]] || ((${#stderr_lines[@]} != 1)) ||
	    [[ ${stderr_lines[0]} != "iceupd: error: "*"$2"* ]] ||
	    ((ELAPSED_MS > bound)); then
		echo "$1 against $2: not a clean failure within the deadline" \
		    "(${ELAPSED_MS} ms)"
		show_run
		return 1
	fi
}

@test "every transport and encoding fault: alone, exit 1 with one line within the deadline" {
	needs_real_time
	local sc p

	for sc in "${FAULTS[@]}"; do
		start_faults "$sc"
		for p in twilio cloudflare metered; do
			against "$p" -t 2000
			assert_clean_failure "$sc" "$p"
		done
		stop_faults "$sc"
	done
}

@test "every transport and encoding fault, coturn next: coturn's list, exit 0" {
	needs_real_time
	local sc p i=0

	for sc in "${FAULTS[@]}"; do
		start_faults "$sc"
		p=(twilio cloudflare metered)
		p=${p[i++ % 3]}
		against "$p" "${COTURN_ENV[@]}" -p "$p,coturn" -t 5000 --grace 1000
		assert_status 0
		assert_stdout "$COTURN_LIST"
		if ((${#stderr_lines[@]} != 1)) ||
		    [[ ${stderr_lines[0]} != *"$p"* ]] || ((ELAPSED_MS > 4500)); then
			echo "$sc: expected one warning naming $p within 4.5 s" \
			    "(${ELAPSED_MS} ms)"
			show_run
			return 1
		fi
		stop_faults "$sc"
	done
}

@test "raw NUL bytes inside JSON strings: not JSON, nothing cut short is handed out" {
	local p

	# RFC 8259 forbids unescaped control characters in strings.  A parser
	# that stops at the NUL would hand out "fault" as the username and
	# 127.0.0.1 for the host "127.0.0.1<NUL>.evil".
	start_faults rawnul
	for p in twilio cloudflare metered; do
		against "$p" -t 2000
		assert_clean_failure rawnul "$p"
	done
}

@test "a connection reset during a fetch with -o keeps the old file" {
	iceupd "${REST_ENV[@]}" -o out.json
	cp out.json before.json
	start_faults reset
	against twilio -t 2000 -o out.json
	assert_clean_failure reset twilio
	assert_same_file before.json out.json
}

# --- outputs that cannot be written ----------------------------------------------

# small_fs DIR SIZE: a tmpfs of SIZE on DIR, or skip when this machine does
# not allow mounting (it needs root, or CAP_SYS_ADMIN).
small_fs() {
	mkdir -p "$1"
	if ! mount -t tmpfs -o "size=$2,mode=0755" tmpfs "$1" 2>/dev/null; then
		skip "cannot mount a tmpfs here (needs CAP_SYS_ADMIN)"
	fi
	MOUNTS+=("$1")
}

@test "-o on a full file system: exit 1, one line, the old file intact, no temporary left" {
	small_fs fs 64k
	iceupd "${REST_ENV[@]}" -o fs/out.json
	cp fs/out.json before.json
	# Fill every block that is left.
	dd if=/dev/zero of=fs/fill bs=4k 2>/dev/null || true
	[[ $(df --output=avail fs | tail -n 1 | tr -d ' ') == 0 ]]
	sleep 1.1	# a new second: a new TURN REST username, a new file
	write_fails fs/out.json "No space left on device"
	run ls -A fs
	assert_stdout $'fill\nout.json'
}

@test "-o in a read-only file system: exit 1, one line, the old file intact" {
	small_fs ro 64k
	iceupd "${REST_ENV[@]}" -o ro/out.json
	cp ro/out.json before.json
	mount -o remount,ro ro
	sleep 1.1
	write_fails ro/out.json "Read-only file system"
}

@test "-o whose folder is a file, or does not exist: exit 1, one line" {
	# chmod 555 does not stop root; a path under a regular file stops
	# everyone (ENOTDIR).
	echo keep >file
	run --separate-stderr iceupd "${REST_ENV[@]}" -o file/out.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "file/out.json"
	[[ $(<file) == keep ]]
	run --separate-stderr iceupd "${REST_ENV[@]}" -o missing/out.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	[[ ! -e missing ]]
}

@test "-o /dev/full is refused, and stdout on /dev/full is an error: exit 1, one line" {
	run --separate-stderr iceupd "${REST_ENV[@]}" -o /dev/full
	assert_status 1
	assert_stderr_lines 1
	# A full stdout: the fetch must not report success.
	iceupd "${REST_ENV[@]}" >/dev/full 2>err.txt && {
		echo "exit 0 although stdout could not be written"
		return 1
	}
	[[ $(wc -l <err.txt) == 1 ]]
	grep -q "No space left on device" err.txt
	iceupd "${REST_ENV[@]}" -f env >/dev/full 2>err.txt && return 1
	[[ $(wc -l <err.txt) == 1 ]]
}

# --- iceupd watch killed, and two watchers ----------------------------------------

# spawn [NAME=VALUE ...] ARG...: the binary itself (not a shell around it,
# so that $! is its pid) in the environment iceupd() gives it.
spawn() {
	mkdir -p "$BATS_TEST_TMPDIR/home"
	exec env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR/home" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/home/cache.json" \
	    ICEUPD_CONFIG=/dev/null "$@"
}

# wait_wrote FILE N: until FILE holds more than N refresh lines ("wrote",
# or, when the minted credentials came out the same within one second,
# "nothing changed"); 30 s at most.
wait_wrote() {
	local i

	for ((i = 0; i < 600; i++)); do
		(($(grep -cE "wrote|nothing changed" "$1" 2>/dev/null || true) > $2)) &&
		    return 0
		sleep 0.05
	done
	echo "no new write in $1 within 30 s:"
	cat "$1"
	return 1
}

# reader FILE STOPFILE BADFILE: reads FILE in a loop until STOPFILE exists;
# a read that is not a whole list of one TURN entry goes to BADFILE.
reader() {
	local cur n=0

	while [[ ! -e $2 ]] && ((n++ < 100000)); do
		cur=$(cat "$1" 2>/dev/null) || continue
		if ! jq -e 'length == 1 and (.[0].urls | length) == 1 and
		    (.[0].credential | length) > 0' <<<"$cur" >/dev/null 2>&1; then
			printf '%s\n---\n' "$cur" >>"$3"
		fi
	done
}

@test "SIGKILL at random moments of iceupd watch: the file is always the old or the new one" {
	local round pid n kills=0

	iceupd "${REST_ENV[@]}" -o out.json
	reader out.json stop bad &
	PIDS+=("$!")
	touch watch.err
	for round in $(seq 12); do
		n=$(grep -cE "wrote|nothing changed" watch.err || true)
		(spawn "${REST_ENV[@]}" "$ICEUPD" watch -v -o out.json \
		    --refresh-at 10 --force-refresh 2>>watch.err) &
		pid=$!
		PIDS+=("$pid")
		# Signals only once it runs (SIGUSR1 would kill it before).
		wait_wrote watch.err "$n"
		# SIGUSR1 forces refreshes back to back (a new username every
		# second); the kill lands somewhere among them.
		for _ in $(seq $((RANDOM % 8 + 1))); do
			kill -USR1 "$pid" 2>/dev/null || true
			sleep "0.0$((RANDOM % 10))"
		done
		kill -KILL "$pid" 2>/dev/null && kills=$((kills + 1))
		wait "$pid" 2>/dev/null || true
	done
	touch stop
	wait "${PIDS[0]}"
	((kills >= 10))
	if [[ -s bad ]]; then
		echo "a reader saw a file that is not a whole list:"
		head -c 2000 bad
		return 1
	fi
	jq -e 'length == 1' out.json >/dev/null
	[[ $(stat -c %a out.json) == 600 ]]
	# Temporary files a killed writer left behind hold credentials too.
	local t
	for t in .out.json.*; do
		[[ -e $t ]] || continue
		[[ $(stat -c %a "$t") == 600 ]] || {
			echo "$t is left behind with mode $(stat -c %a "$t")"
			return 1
		}
	done
}

@test "a second watch on the same output refuses: exit 1, one line; the first keeps going" {
	local first

	(spawn "${REST_ENV[@]}" "$ICEUPD" watch -o out.json 2>first.err) &
	first=$!
	PIDS+=("$first")
	for _ in $(seq 600); do
		[[ -s out.json ]] && break
		sleep 0.05
	done
	[[ -s out.json ]]
	run --separate-stderr timeout 10 env -i PATH="$PATH" \
	    HOME="$BATS_TEST_TMPDIR/home" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/home/cache.json" \
	    "${REST_ENV[@]}" "$ICEUPD" watch -o out.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "out.json"
	kill -0 "$first"
	kill -TERM "$first"
	# wait in this shell: the watcher is its child, not a subshell's.
	rc=0
	wait "$first" || rc=$?
	[[ $rc -eq 0 ]]
}
