# serve.bash: what the tests of `iceupd serve` share (serve.bats,
# serve-api.bats, serve-page.bats, abuse.bats, url.bats): starting and
# stopping it on a free loopback port, one request with curl, checks on the
# answer.  Load after helpers.bash.  start_serve wants LISTEN (the --listen
# arguments) and SERVE_ERR (where its log goes), and sets SERVE_PID and BASE.
# shellcheck shell=bash

# Secrets: none may ever reach the log.
TURN_SECRET=turn-shared-secret-MARK7-90ab
API_TOKEN=api-bearer-token-MARK8-c4d2
TOKEN=twilio-authtoken-MARK9-7d2e	# for tests/mocks/hosted.bash
SERVE_URLS='turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp,stun:127.0.0.1:3478'
COTURN=(WEBRTC_TURN_URLS="$SERVE_URLS" TURN_SHARED_SECRET="$TURN_SECRET")
# auth: the header that carries the token.
AUTH=(-H "Authorization: Bearer $API_TOKEN")

setup() {
	need_binary || return 1
	command -v curl >/dev/null || { echo "curl is not installed" >&2; return 1; }
	work_in work || return 1
	SERVE_PID=
	SERVE_ERR=$BATS_TEST_TMPDIR/serve.err
	printf '%s\n' "$API_TOKEN" >"$BATS_TEST_TMPDIR/token"
	LISTEN=(--listen 127.0.0.1:0)
	ANSWERS=$BATS_TEST_TMPDIR/answers.jsonl
}

teardown() {
	kill_serve
	! declare -F stop_fakes >/dev/null || stop_fakes
	# Every answer of the test holds to the OpenAPI document.
	answers_valid
}

# start_serve [NAME=VALUE ...] [ARG ...]: iceupd serve on a free loopback
# port (its log in $SERVE_ERR); sets SERVE_PID and BASE.
start_serve() {
	local -a vars=()
	local pf=$BATS_TEST_TMPDIR/port

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	rm -f "$pf"
	mkdir -p "$BATS_TEST_TMPDIR/home"
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR/home" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" ICEUPD_CONFIG=/dev/null \
	    "${vars[@]}" "$ICEUPD" serve "${LISTEN[@]}" --port-file "$pf" \
	    "$@" 3>&- >"$BATS_TEST_TMPDIR/serve.out" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	if ! wait_port_file "$pf" "$SERVE_PID"; then
		echo "iceupd serve did not start:"
		cat "$SERVE_ERR"
		return 1
	fi
	BASE=http://127.0.0.1:$(<"$pf")
}

# kill_serve: a serve still running is killed (SIGKILL) and reaped.
kill_serve() {
	if [[ -n ${SERVE_PID-} ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -KILL "$SERVE_PID"
		wait "$SERVE_PID" 2>/dev/null || true
	fi
}

# stop_serve: SIGTERM; it must exit 0 within 30 s.
stop_serve() {
	local i rc

	kill -TERM "$SERVE_PID"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVE_PID" 2>/dev/null; then
		echo "iceupd serve ignored SIGTERM"
		return 1
	fi
	wait "$SERVE_PID" && rc=0 || rc=$?
	SERVE_PID=
	if [[ $rc -ne 0 ]]; then
		echo "iceupd serve exited $rc on SIGTERM"
		cat "$SERVE_ERR"
		return 1
	fi
}

# req [CURL-ARGS ...] PATH: one request; sets status, output (the body),
# HEADERS (lower-case names).  Each answer is recorded in $ANSWERS, for
# answers_valid.
req() {
	local path=${!#} hf=$BATS_TEST_TMPDIR/headers method=GET a

	set -- "${@:1:$#-1}"
	output=$(curl -sS -D "$hf" --max-time 20 "$@" "$BASE$path") || {
		echo "curl failed on $path"
		return 1
	}
	status=$(awk 'NR == 1 { print $2 }' "$hf")
	HEADERS=$(tr -d '\r' <"$hf" | tr 'A-Z' 'a-z')
	for a in "$@"; do
		case $a in -d | --data*) method=POST ;; esac
	done
	while [[ $# -gt 0 ]]; do
		case $1 in -X) method=$2; shift ;; -I | --head) method=HEAD ;; esac
		shift
	done
	[[ -n ${ANSWERS-} ]] || return 0
	jq -cn --arg m "$method" --arg p "$path" --arg s "$status" \
	    --arg c "$(sed -n 's/^content-type: //p' <<<"$HEADERS")" \
	    --arg b "$output" \
	    '{method: $m, path: $p, status: ($s | tonumber), ctype: $c, body: $b}' \
	    >>"$ANSWERS"
}

# answers_valid: every answer req recorded holds to the OpenAPI document.
answers_valid() {
	[[ -s $ANSWERS ]] || return 0
	python3 "$BATS_TEST_DIRNAME/openapi_answers.py" \
	    "$BATS_TEST_DIRNAME/../../src/serve/openapi.json" "$ANSWERS"
}

expect() {	# STATUS: the last req answered STATUS
	if [[ $status != "$1" ]]; then
		printf 'expected HTTP %s, got %s\n%s\n%s\n' "$1" "$status" \
		    "$HEADERS" "$output"
		return 1
	fi
}

header() {	# NAME VALUE: the last answer had this header (name lower-case)
	if ! grep -qixF "$1: $2" <<<"$HEADERS"; then
		printf 'no header "%s: %s" in:\n%s\n' "$1" "$2" "$HEADERS"
		return 1
	fi
}

no_header() {	# NAME
	if grep -qi "^$1:" <<<"$HEADERS"; then
		printf 'unexpected header %s in:\n%s\n' "$1" "$HEADERS"
		return 1
	fi
}

json() {	# JQ-FILTER: holds on the last body
	if ! jq -e "$1" <<<"$output" >/dev/null 2>&1; then
		printf 'jq -e %s failed on:\n%s\n' "$1" "$output"
		return 1
	fi
}

# wait_stats FILTER: polls /api/ice/stats until FILTER holds (30 s; a
# minute under a slow binary, whose refreshes take seconds).
wait_stats() {
	local i n=300

	[[ -z ${ICEUPD_TEST_SLOW-} ]] || n=600
	for ((i = 0; i < n; i++)); do
		req "${AUTH[@]}" /api/ice/stats
		jq -e "$1" <<<"$output" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "stats never matched $1: $output"
	return 1
}

# no_secret_in_log [EXTRA ...]: neither the secrets, nor EXTRA (handed-out
# credentials) are in the log.
no_secret_in_log() {
	local m

	for m in "$TURN_SECRET" "$API_TOKEN" "$TOKEN" "$@"; do
		if grep -qF -- "$m" "$SERVE_ERR"; then
			echo "the log holds a secret: $m"
			cat "$SERVE_ERR"
			return 1
		fi
	done
}
