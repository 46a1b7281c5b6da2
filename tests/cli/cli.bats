#!/usr/bin/env bats
# cli.bats: the command line as operators type it: help per command,
# options before or after the command, options a command does not read,
# durations with units, --listen forms, what exit 3 and serve's start say,
# plain error messages, and the shell completion script.
#
# Needs curl (the --listen tests).

bats_require_minimum_version 1.5.0
load helpers

STUN_ONLY=(WEBRTC_STUN_URLS=stun:127.0.0.1:3478)
STUN_JSON='[{"urls":["stun:127.0.0.1:3478"]}]'

# The long options of a help text: those in its left column.
help_flags() {
	awk '/^  -/ { print substr($0, 1, 28) }' |
	    grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u
}

# has TEXT PART: TEXT holds PART, as it is.
has() {
	[[ $1 == *"$2"* ]] || { printf '%s\nlacks: %s\n' "$1" "$2"; return 1; }
}

# --- help ------------------------------------------------------------------

@test "help: --help is the overview: every command, the common options, where to read more" {
	run --separate-stderr iceupd --help
	assert_status 0
	assert_no_stderr
	local c
	for c in fetch providers watch deploy check serve help completion; do
		[[ $output =~ (^|$'\n')(usage:)?\ +iceupd\ \[?$c[]\ ] ]] ||
		    { echo "no command $c"; show_run; return 1; }
	done
	has "$output" "--cacert FILE"
	has "$output" "iceupd help COMMAND"
	[[ $output != *--once* && $output != *--listen* ]]
	run -0 iceupd help
	[ "$output" = "$(iceupd --help)" ]
}

@test "help: 'help COMMAND' and 'COMMAND --help' show the same page, with only that command's options" {
	local c page
	for c in fetch providers watch deploy check serve; do
		page=$(iceupd help "$c")
		[[ $page == "usage: iceupd "*"$c"* ]] || { echo "$page"; return 1; }
		[ "$page" = "$(iceupd "$c" --help)" ]
		[ "$page" = "$(iceupd -h "$c")" ]
	done
	run -0 iceupd help watch
	help_flags <<<"$output" >watch.flags
	grep -qx -- --once watch.flags
	grep -qx -- --on-change watch.flags
	! grep -qx -- --listen watch.flags || return 1
	! grep -qx -- --service watch.flags || return 1
	run -0 iceupd help providers
	help_flags <<<"$output" >providers.flags
	grep -qx -- --cache providers.flags
	# -f table or json; nothing to write, nothing to wait for.
	grep -qx -- --format providers.flags
	! grep -qx -- --output providers.flags || return 1
	! grep -qx -- --timeout providers.flags || return 1
}

@test "help: options are grouped and show their defaults and environment names" {
	run -0 iceupd help serve
	local g
	for g in providers output timing cache serve common; do
		grep -qx "$g:" <<<"$output" || { echo "no group $g"; show_run
		    return 1; }
	done
	# Under its group; with default and variable.
	awk '/^timing:/ { f = 1; next } /^[a-z]/ { f = 0 } f' <<<"$output" |
	    grep -q -- '--timeout TIME'
	# Wrapped lines joined.
	local flat
	flat=$(sed -E 's/^ {28}/ /' <<<"$output" | tr -d '\n' | tr -s ' ')
	has "$flat" "--timeout TIME deadline for the whole fetch (default 5s; a bare number is ms) [ICEUPD_TIMEOUT_MS]"
	has "$flat" "(default 1500ms; a bare number is ms) [ICEUPD_GRACE_MS]"
	has "$flat" "--listen ADDR:PORT address to listen on (port 0: any free port) (default 127.0.0.1:8080) [ICEUPD_LISTEN]"
	has "$flat" "--turn-ttl TIME lifetime of per-caller TURN credentials (default 10m; a bare number is seconds) [ICEUPD_SERVE_TURN_TTL]"
	run -0 iceupd help deploy
	has "$output" "GOOGLE_APPLICATION_CREDENTIALS"
	has "$output" "(default 2)"
}

@test "help: an unknown topic exits 2 naming it" {
	run --separate-stderr iceupd help bogus
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "unknown command 'bogus'"
}

# --- options anywhere --------------------------------------------------------

@test "options: before the command, after it, or both" {
	run --separate-stderr iceupd --cacert /etc/ssl/certs/ca-certificates.crt providers
	assert_status 0
	[[ $output == PROVIDER* ]]
	run --separate-stderr iceupd "${STUN_ONLY[@]}" -t 2s fetch --no-cache -f neko
	assert_status 0
	assert_stdout "$STUN_JSON"
	run --separate-stderr iceupd "${STUN_ONLY[@]}" -o out.json --no-cache watch --once
	assert_status 0
	[ "$(cat out.json)" = "$STUN_JSON" ]
}

@test "options: one the command does not read exits 2 naming it and the command" {
	run --separate-stderr iceupd --once
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --once applies to watch, not fetch; see 'iceupd help fetch'"
	run --separate-stderr iceupd --service x
	assert_status 2
	assert_stderr_contains "--service applies to deploy, not fetch"
	run --separate-stderr iceupd check --dry-run
	assert_status 2
	assert_stderr_contains "--dry-run applies to deploy, not check"
	run --separate-stderr iceupd -o x providers
	assert_status 2
	assert_stderr_contains "--output applies to fetch and watch, not providers"
	run --separate-stderr iceupd --listen :0 watch -o x
	assert_status 2
	assert_stderr_contains "--listen applies to serve, not watch"
	[ ! -e x ]
}

@test "options: a value given to a switch is named as typed" {
	run --separate-stderr iceupd --verbose=2
	assert_status 2
	assert_stderr "iceupd: error: option --verbose takes no value"
	run --separate-stderr iceupd --relay=yes
	assert_status 2
	assert_stderr "iceupd: error: option --relay takes no value"
	run --separate-stderr iceupd --timeout
	assert_status 2
	assert_stderr_contains "option --timeout needs a value"
}

# --- durations ---------------------------------------------------------------

@test "durations: units in flags, environment and config file; a bare number keeps its unit" {
	local v
	for v in 2s 2000 1500ms 0.5m; do
		run --separate-stderr iceupd "${STUN_ONLY[@]}" --no-cache --timeout "$v"
		assert_status 0
	done
	run --separate-stderr iceupd "${STUN_ONLY[@]}" ICEUPD_TIMEOUT_MS=3s --no-cache
	assert_status 0
	printf 'timeout_ms = "4s";\nmin_ttl = "2m";\n' >d.conf
	run --separate-stderr iceupd "${STUN_ONLY[@]}" -c d.conf --no-cache
	assert_status 0
	assert_no_stderr
	# What the units mean: --ttl 1h asks coturn for one hour.
	run -0 iceupd WEBRTC_TURN_URLS=turn:127.0.0.1:3478 TURN_SHARED_SECRET=s \
	    -p coturn --no-cache -f json --ttl 1h
	[ "$(jq -r .ttl_seconds <<<"$output")" = 3600 ]
	run -0 iceupd WEBRTC_TURN_URLS=turn:127.0.0.1:3478 TURN_SHARED_SECRET=s \
	    TURN_TTL=2h -p coturn --no-cache -f json
	[ "$(jq -r .ttl_seconds <<<"$output")" = 7200 ]
}

@test "percentages: --refresh-at and ICEUPD_REFRESH_AT take 80 or 80%" {
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o a.json --refresh-at 80%
	assert_status 0
	run --separate-stderr iceupd "${STUN_ONLY[@]}" ICEUPD_REFRESH_AT=50% watch --once -o b.json
	assert_status 0
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o c.json --refresh-at 96%
	assert_status 2
	assert_stderr "iceupd: error: --refresh-at: '96%' is not a whole number from 10 to 95"
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o c.json --refresh-at 8%0
	assert_status 2
}

@test "durations: a bad one names the unit and the range" {
	run --separate-stderr iceupd --timeout 5x
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --timeout: '5x' is not a duration from 100ms to 10m (units ms, s, m, h, d; a bare number is milliseconds)"
	run --separate-stderr iceupd --timeout 11m
	assert_status 2
	assert_stderr_contains "from 100ms to 10m"
	run --separate-stderr iceupd ICEUPD_MIN_TTL=2d
	assert_status 2
	assert_stderr_contains "ICEUPD_MIN_TTL (environment): '2d'" "from 0s to 1d" \
	    "a bare number is seconds"
	printf 'grace_ms = "soon";\n' >g.conf
	run --separate-stderr iceupd -c g.conf
	assert_status 2
	assert_stderr_contains "g.conf:1 (grace_ms): 'soon' is not a duration"
}

# --- serve: --listen and the line at start ------------------------------------

# serve_on ADDR: starts serve on ADDR with a port file; sets SERVE_PID, PORT.
serve_on() {
	rm -f port
	mkdir -p "$BATS_TEST_TMPDIR/home"
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR/home" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/home/cache.json" \
	    ICEUPD_CONFIG=/dev/null "${STUN_ONLY[@]}" "$ICEUPD" serve \
	    --listen "$1" --port-file port "${@:2}" 3>&- 2>serve.err &
	SERVE_PID=$!
	wait_port_file port "$SERVE_PID" || { cat serve.err; return 1; }
	PORT=$(<port)
}

teardown() {
	if [[ -n ${SERVE_PID-} ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -TERM "$SERVE_PID"
		wait "$SERVE_PID" 2>/dev/null || true
	fi
}

@test "serve: --listen :PORT takes every address, IPv4 and IPv6, and says so at start" {
	command -v curl >/dev/null || { echo "curl is not installed"; return 1; }
	serve_on :0
	curl -fsS --max-time 20 "http://127.0.0.1:$PORT/healthz" >/dev/null
	curl -fsS --max-time 20 "http://[::1]:$PORT/healthz" >/dev/null
	run cat serve.err
	[[ ${lines[0]} == "iceupd: listening on [::]:$PORT" ]] ||
	    { cat serve.err; return 1; }
}

@test "serve: on an address other hosts reach, without a token, it warns at start; on loopback or with a token it does not" {
	command -v curl >/dev/null || { echo "curl is not installed"; return 1; }
	serve_on 0.0.0.0:0
	curl -fsS --max-time 20 "http://127.0.0.1:$PORT/healthz" >/dev/null
	run cat serve.err
	[[ ${lines[1]} == "iceupd: warning: 0.0.0.0:$PORT is open to other hosts without a token: anyone who reaches it"*"set --auth-token-file FILE (ICEUPD_AUTH_TOKEN_FILE), or listen on 127.0.0.1" ]] ||
	    { cat serve.err; return 1; }
	kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
	serve_on 127.0.0.1:0
	curl -fsS --max-time 20 "http://127.0.0.1:$PORT/healthz" >/dev/null
	! grep -q "warning" serve.err || { cat serve.err; return 1; }
	kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
	printf 'tok-en\n' >token
	serve_on 0.0.0.0:0 --auth-token-file token
	curl -fsS --max-time 20 "http://127.0.0.1:$PORT/healthz" >/dev/null
	! grep -q "warning" serve.err || { cat serve.err; return 1; }
}

@test "serve: --listen [::]:PORT and ADDR:PORT; -q silences the start line" {
	command -v curl >/dev/null || { echo "curl is not installed"; return 1; }
	serve_on '[::]:0'
	curl -fsS --max-time 20 "http://[::1]:$PORT/healthz" >/dev/null
	grep -qx "iceupd: listening on \[::\]:$PORT" serve.err
	kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
	serve_on 127.0.0.1:0
	grep -qx "iceupd: listening on 127.0.0.1:$PORT" serve.err
	kill -TERM "$SERVE_PID"; wait "$SERVE_PID"
	serve_on 127.0.0.1:0 -q
	curl -fsS --max-time 20 "http://127.0.0.1:$PORT/healthz" >/dev/null
	[ ! -s serve.err ] || { cat serve.err; return 1; }
	run --separate-stderr iceupd serve --listen ':'
	assert_status 2
	assert_stderr_contains "the port must be a number"
	run --separate-stderr iceupd serve --listen '[]:80'
	assert_status 2
	assert_stderr_contains "no address before the port"
}

# --- exit 3 says why ---------------------------------------------------------

@test "exit 3: watch --once with nothing to do says so in one line; -q silences it" {
	run -0 iceupd "${STUN_ONLY[@]}" watch --once -o ice.json
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o ice.json
	assert_status 3
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: ice.json already holds these credentials" \
	    ": nothing to do"
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o ice.json -q
	assert_status 3
	assert_no_stderr
}

# --- messages fixed where they start ----------------------------------------

@test "messages: watch -o into a missing folder names the folder" {
	run --separate-stderr iceupd "${STUN_ONLY[@]}" watch --once -o "$PWD/missing/dir/ice.json"
	assert_status 1
	assert_stderr "iceupd: error: cannot write $PWD/missing/dir/ice.json: no folder $PWD/missing/dir"
	[ ! -e missing ]
}

@test "messages: coturn URLs from the config file are named as written there" {
	printf 'coturn = {\n  urls = "turn:127.0.0.1:3478";\n};\n' >c.conf
	run --separate-stderr iceupd -c c.conf -p coturn,stun
	assert_status 4
	assert_stderr_contains "c.conf:2 (coturn.urls) has TURN URLs but no credentials"
	assert_stderr_lacks "WEBRTC_TURN_URLS"
}

@test "messages: an unreadable GOOGLE_APPLICATION_CREDENTIALS exits 2 before anything is asked" {
	run --separate-stderr iceupd "${STUN_ONLY[@]}" \
	    GOOGLE_APPLICATION_CREDENTIALS="$PWD/no-key.json" deploy --service s \
	    --project p --region r
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: GOOGLE_APPLICATION_CREDENTIALS (environment): cannot read $PWD/no-key.json: No such file or directory"
	# Commands that do not deploy do not read it.
	run --separate-stderr iceupd "${STUN_ONLY[@]}" \
	    GOOGLE_APPLICATION_CREDENTIALS="$PWD/no-key.json" --no-cache
	assert_status 0
}

@test "messages: a plain http:// endpoint is refused in words, not libcurl's" {
	run --separate-stderr iceupd "${STUN_ONLY[@]}" GOOGLE_OAUTH_ACCESS_TOKEN=t \
	    ICEUPD_CLOUDRUN_ENDPOINT=http://127.0.0.1:9 deploy \
	    --service projects/p/locations/r/services/s
	assert_status 1
	assert_stderr_contains "http://127.0.0.1:9/v2/projects/p/locations/r/services/s: plain http:// is refused here: the URL must start with https://"
	assert_stderr_lacks "not supported"
}

# --- completion --------------------------------------------------------------

# complete_words WORD...: what the bash completion offers for the command
# line WORD... (the last one being completed), one a line.
complete_words() {
	bash -c '
	    source <("$ICEUPD" completion bash) || exit 1
	    COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	    COMPREPLY=()
	    "$(complete -p iceupd | sed -E "s/.*-F ([^ ]+).*/\1/")"
	    printf "%s\n" "${COMPREPLY[@]}"' complete_words "$@"
}

@test "completion: bash offers commands, each command's options and enum values" {
	export ICEUPD
	run -0 bash -c 'source <("$ICEUPD" completion bash) && complete -p iceupd'
	[[ $output == "complete -F "*" iceupd" ]]
	[ "$(complete_words iceupd de)" = deploy ]
	[ "$(complete_words iceupd c | sort | tr '\n' ' ')" = "check completion " ]
	[ "$(complete_words iceupd watch --on | sort | tr '\n' ' ')" = "--on-change --once " ]
	[ -z "$(complete_words iceupd fetch --onc)" ]
	[ "$(complete_words iceupd serve --lis)" = --listen ]
	[ "$(complete_words iceupd --format j)" = json ]
	[ "$(complete_words iceupd --format ne)" = neko ]
	[ "$(complete_words iceupd --format '' | wc -l)" = 7 ]
	[ "$(complete_words iceupd check -f t)" = table ]
	[ "$(complete_words iceupd --log-format t)" = text ]
	[ "$(complete_words iceupd fetch -f s)" = str0m ]
	[ "$(complete_words iceupd --transport t)" = tcp ]
	[ "$(complete_words iceupd --policy m)" = merge ]
	[ "$(complete_words iceupd -p twilio,co)" = twilio,coturn ]
	[ "$(complete_words iceupd help wa)" = watch ]
	[ "$(complete_words iceupd completion z)" = zsh ]
	# The value of an option is not taken for the command.
	[ "$(complete_words iceupd -o deploy --on)" = "$(complete_words iceupd --on)" ]
	[ "$(complete_words iceupd --cacert x ser)" = serve ]
	# Every option of every command's help is offered for that command.
	local c missing=""
	for c in fetch providers watch deploy check serve; do
		for o in $(iceupd help "$c" | help_flags); do
			complete_words iceupd "$c" "$o" | grep -qx -- "$o" ||
			    missing="$missing $c:$o"
		done
	done
	[ -z "$missing" ] || { echo "not offered:$missing"; return 1; }
}

@test "completion: zsh gets a script too; other shells exit 2" {
	run -0 iceupd completion zsh
	has "$output" "bashcompinit"
	has "$output" "complete -F _iceupd iceupd"
	run --separate-stderr iceupd completion fish
	assert_status 2
	assert_stderr_contains "completion: name the shell"
	run --separate-stderr iceupd completion
	assert_status 2
}

@test "the overview and every command's help fit in 80 columns" {
	local page c

	for c in "" fetch providers watch deploy check serve help completion; do
		run --separate-stderr iceupd help $c
		assert_status 0
		while IFS= read -r page; do
			((${#page} <= 80)) || {
				echo "help ${c:-(overview)}: ${#page} columns: $page"
				return 1
			}
		done <<<"$output"
	done
}
