# helpers.bash: what the CLI tests of iceupd share.
#
# Every run of the binary goes through iceupd(), in an empty environment
# with an empty config file and a cache of its own, so that neither the
# caller's variables, nor an /etc/iceupd/iceupd.conf or a cache on the
# machine, nor an earlier test can change a result.  Tests run in
# $BATS_TEST_TMPDIR/work.

ICEUPD="${ICEUPD:-$BATS_TEST_DIRNAME/../../build/iceupd}"
# Absolute, since every test runs in its own temporary folder.
case $ICEUPD in
/*) ;;
*) ICEUPD="$(cd "$(dirname "$ICEUPD")" 2>/dev/null && pwd)/$(basename "$ICEUPD")" ;;
esac

# The built-in public STUN list, in neko format.
DEFAULT_STUN='[{"urls":["stun:stun.l.google.com:19302","stun:stun.cloudflare.com:3478"]}]'

# A coturn on loopback: TURN over UDP, TCP and TLS, and its STUN port.
COTURN_URLS='turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp,turns:127.0.0.1:5349,stun:127.0.0.1:3478'
COTURN_TURN_URLS='["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"]'

# The default setup: the binary is there, the test runs in a folder of its
# own.  A file with a setup of its own starts it with these two calls.
setup() {
	need_binary || return 1
	work_in work
}

# need_binary: fails, saying how to build it, when there is no binary.
need_binary() {
	if [[ ! -x $ICEUPD ]]; then
		echo "no binary at $ICEUPD: run 'make all' first" >&2
		return 1
	fi
}

# work_in [DIR]: the test runs in $BATS_TEST_TMPDIR/DIR (made if missing).
work_in() {
	mkdir -p "$BATS_TEST_TMPDIR/${1-}" || return 1
	cd "$BATS_TEST_TMPDIR/${1-}" || return 1
}

# needs_real_time: the test measures time (a deadline kept, a grace period,
# a backoff by the clock); under a binary many times slower than it is
# (valgrind: ICEUPD_TEST_SLOW is set) it is skipped, and says so.  ASan
# runs it.
needs_real_time() {
	if [[ -n ${ICEUPD_TEST_SLOW-} ]]; then
		skip "measures time: not under $ICEUPD_TEST_SLOW"
	fi
}

# leading_vars [WORD ...]: how many of the leading WORDs are NAME=VALUE
# (the environment a command of the tests is given before its arguments):
#   vars=("${@:1:$(leading_vars "$@")}"); shift "${#vars[@]}"
leading_vars() {
	local w n=0

	for w in "$@"; do
		[[ $w =~ ^[A-Za-z_][A-Za-z0-9_]*= ]] || break
		n=$((n + 1))
	done
	echo "$n"
}

# iceupd_cmd [NAME=VALUE ...] [ARG ...]: sets ICEUPD_CMD to what iceupd()
# runs, for a test that starts it in the background (env execs the binary:
# $! is the process signals must reach).
iceupd_cmd() {
	local -a vars=("${@:1:$(leading_vars "$@")}")
	local home="$BATS_TEST_TMPDIR/home"

	shift "${#vars[@]}"
	mkdir -p "$home"
	ICEUPD_CMD=(env -i PATH="$PATH" HOME="$home"
	    XDG_CACHE_HOME="$home/.cache" ICEUPD_CACHE="$home/cache.json"
	    ICEUPD_CONFIG=/dev/null "${vars[@]}" "$ICEUPD" "$@")
}

# iceupd [NAME=VALUE ...] [ARG ...]
# Runs the binary in an environment of its own: PATH, a HOME and a cache
# file inside the test's temporary folder, ICEUPD_CONFIG=/dev/null, then
# the leading NAME=VALUE words (a later NAME=... replaces an earlier one).
iceupd() {
	local -a ICEUPD_CMD

	iceupd_cmd "$@"
	"${ICEUPD_CMD[@]}"
}

# jitsi_run RUNNER URL [NAME=VALUE ...] [ARG ...]: RUNNER (iceupd, or a
# function that runs another build like it) with the jitsi provider at URL
# for the domain meet.test, through run --separate-stderr.
jitsi_run() {
	local runner=$1 url=$2

	shift 2
	local -a vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	run --separate-stderr "$runner" ICEUPD_JITSI_URL="$url" \
	    ICEUPD_JITSI_DOMAIN=meet.test "${vars[@]}" -p jitsi "$@"
}

# wait_port_file FILE PID [POLLS]: waits until FILE (where a server writes
# its port) is not empty, while PID lives, polling every 50 ms at most
# POLLS times (default 600: 30 s, a wait, not a measure).  0 once it is.
wait_port_file() {
	local i

	for ((i = 0; i < ${3:-600}; i++)); do
		[[ -s $1 ]] && return 0
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	[[ -s $1 ]]
}

# stop_pids [-SIGNAL] [PID ...]: each PID is sent SIGNAL (default TERM)
# and reaped; one already gone is no error.
stop_pids() {
	local sig=-TERM p

	[[ ${1-} != -* ]] || { sig=$1; shift; }
	for p in "$@"; do
		kill "$sig" "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# What the last `run --separate-stderr` saw, for failure messages.
show_run() {
	printf 'exit status: %s\n--- stdout\n%s\n--- stderr\n%s\n---\n' \
	    "${status-}" "${output-}" "${stderr-}"
}

assert_status() {
	if [[ ${status-} != "$1" ]]; then
		echo "expected exit status $1"
		show_run
		return 1
	fi
}

# assert_stdout TEXT: stdout is exactly TEXT (trailing newlines aside).
assert_stdout() {
	if [[ $output != "$1" ]]; then
		printf 'expected stdout:\n%s\n' "$1"
		show_run
		return 1
	fi
}

# assert_stderr TEXT: stderr is exactly TEXT (trailing newlines aside).
assert_stderr() {
	if [[ $stderr != "$1" ]]; then
		printf 'expected stderr:\n%s\n' "$1"
		show_run
		return 1
	fi
}

assert_no_stdout() {
	assert_stdout ""
}

assert_no_stderr() {
	assert_stderr ""
}

assert_stderr_contains() {
	local s

	for s in "$@"; do
		if [[ $stderr != *"$s"* ]]; then
			printf 'stderr lacks: %s\n' "$s"
			show_run
			return 1
		fi
	done
}

assert_stderr_lacks() {
	local s

	for s in "$@"; do
		if [[ $stderr == *"$s"* ]]; then
			printf 'stderr should not contain: %s\n' "$s"
			show_run
			return 1
		fi
	done
}

# assert_no_secret_in stdout|stderr SECRET ...: the last run printed none
# of the SECRETs there.
assert_no_secret_in() {
	local where=$1 text=$stderr m

	shift
	[[ $where != stdout ]] || text=$output
	for m in "$@"; do
		if [[ $text == *"$m"* ]]; then
			echo "a secret reached $where: $m"
			show_run
			return 1
		fi
	done
}

# assert_stderr_lines N: stderr holds exactly N lines.
assert_stderr_lines() {
	local n=0

	[[ -z $stderr ]] || n=${#stderr_lines[@]}
	if [[ $n -ne $1 ]]; then
		echo "expected $1 line(s) on stderr, got $n"
		show_run
		return 1
	fi
}

# assert_jq [JQ-ARGS ...] FILTER: `jq -e` holds on stdout.
assert_jq() {
	if [[ -z $output ]] || ! jq -e "$@" <<<"$output" >/dev/null; then
		printf 'jq -e failed:'
		printf ' %q' "$@"
		echo
		show_run
		return 1
	fi
}

# assert_same_file A B: byte for byte.
assert_same_file() {
	if [[ ! -f $1 || ! -f $2 ]]; then
		echo "missing: $1 or $2"
		return 1
	fi
	if [[ $(sha256sum <"$1") != "$(sha256sum <"$2")" ]]; then
		echo "files differ: $1 $2"
		echo "--- $1"
		cat -A "$1"
		echo "--- $2"
		cat -A "$2"
		return 1
	fi
}

# assert_line TEXT: some line of stdout is exactly TEXT.
assert_line() {
	local l

	for l in "${lines[@]}"; do
		[[ $l == "$1" ]] && return 0
	done
	printf 'no stdout line is exactly:\n%s\n' "$1"
	show_run
	return 1
}

# assert_match TEXT REGEX: TEXT matches the extended regular expression.
assert_match() {
	if [[ ! $1 =~ $2 ]]; then
		printf '%s\ndoes not match /%s/\n' "$1" "$2"
		return 1
	fi
}

# assert_stderr_json_lines: every stderr line is a JSON object with string
# "severity" and "message".
assert_stderr_json_lines() {
	local l

	if [[ -z $stderr ]]; then
		echo "stderr is empty"
		return 1
	fi
	for l in "${stderr_lines[@]}"; do
		if ! jq -e 'type == "object" and (.severity | type == "string")
		    and (.message | type == "string")' <<<"$l" >/dev/null 2>&1; then
			printf 'not a JSON log line: %s\n' "$l"
			show_run
			return 1
		fi
	done
}

# assert_provider NAME STATE DETAIL: the `iceupd providers` row of NAME has
# STATE ("configured", "not set" or "misconfigured") and ends with DETAIL.
assert_provider() {
	local l

	for l in "${lines[@]}"; do
		[[ $l == "$1 "* ]] || continue
		if [[ $l =~ ^$1\ +$2\ + && $l == *" $3" ]]; then
			return 0
		fi
		printf 'provider row of %s is not "%s ... %s":\n%s\n' "$1" "$2" "$3" "$l"
		show_run
		return 1
	done
	echo "no provider row for $1"
	show_run
	return 1
}

# secret_names: every secret iceupd reads, as the manual lists them (NAME
# and NAME_FILE).
secret_names() {
	sed -n 's/^\.It Ev \([A-Z0-9_]*\) , Ev \1_FILE$/\1/p' \
	    "$BATS_TEST_DIRNAME/../../docs/iceupd.1"
}

# marked_secrets TAG: every secret of the manual with a marker: sets
# MARKED_NAMES (the names: at least 8, or it fails) and MARKED_VARS
# (NAME=mark-NAME-TAG and NAME_FILE=/run/secrets/NAME for each).
marked_secrets() {
	local name

	mapfile -t MARKED_NAMES < <(secret_names)
	if ((${#MARKED_NAMES[@]} < 8)); then
		echo "secrets in the manual: ${MARKED_NAMES[*]}"
		return 1
	fi
	MARKED_VARS=()
	for name in "${MARKED_NAMES[@]}"; do
		MARKED_VARS+=("$name=mark-$name-$1" "${name}_FILE=/run/secrets/$name")
	done
}
