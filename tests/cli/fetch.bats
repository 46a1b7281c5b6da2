#!/usr/bin/env bats
# fetch.bats: commands, help, version, providers, exit statuses and logging.

bats_require_minimum_version 1.5.0
load helpers

NO_TURN_WARNING="iceupd: warning: no TURN server in the output although a TURN provider is configured"

# --- the fetch command ---------------------------------------------------

@test "with nothing configured, iceupd prints the public STUN list in neko format" {
	run --separate-stderr iceupd
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"
	assert_jq 'type == "array" and length == 1 and (.[0] | keys) == ["urls"]'
}

@test "the output is one line ending with a newline" {
	iceupd >out
	[[ $(tail -c 2 out | od -An -tx1) == " 5d 0a" ]]
	[[ $(wc -l <out) -eq 1 ]]
}

@test "'fetch' is the default command" {
	run --separate-stderr iceupd fetch
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"

	run --separate-stderr iceupd fetch -f rtc
	assert_status 0
	assert_no_stderr
	assert_stdout "{\"iceServers\":$DEFAULT_STUN}"
}

@test "an unknown command exits 2 with one line on stderr" {
	run --separate-stderr iceupd fecth
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: unknown command 'fecth'" \
	    "fetch" "providers" "iceupd --help"
}

@test "an argument after the options exits 2" {
	run --separate-stderr iceupd fetch extra
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: unexpected argument 'extra'; try 'iceupd help fetch'"

	run --separate-stderr iceupd -f json fetch extra
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: unexpected argument 'extra'; try 'iceupd help fetch'"

	# Options before the command are its options.
	run --separate-stderr iceupd -f neko fetch
	assert_status 0
	assert_stdout "$DEFAULT_STUN"
}

# --- help and version ----------------------------------------------------

# The long options of the settings table in src/settings/table.c: the third
# string of each entry, when it is one.
table_flags() {
	local line in=0
	local re='^[[:space:]]*\{ "[^"]+", (NULL|"[A-Z0-9_]+"), "([a-z0-9-]+)"'

	while IFS= read -r line; do
		[[ $line == "static const struct setting table[]"* ]] && in=1
		[[ $in -eq 1 && $line == "};"* ]] && break
		if [[ $in -eq 1 && $line =~ $re ]]; then
			printf '%s\n' "${BASH_REMATCH[2]}"
		fi
	done <"$BATS_TEST_DIRNAME/../../src/settings/table.c"
	return 0
}

# Every help page: the overview and each command's.
all_help() {
	local c

	iceupd --help
	for c in fetch providers watch deploy check serve; do
		iceupd help "$c"
	done
}

@test "--help and the commands' help name every long option, on stdout, exit 0" {
	local flag
	local -a flags

	mapfile -t flags < <(table_flags)
	[[ ${#flags[@]} -ge 14 ]]
	run --separate-stderr iceupd --help
	assert_status 0
	assert_no_stderr
	[[ ${lines[0]} == "usage: iceupd [fetch] [options]"* ]]
	run --separate-stderr all_help
	assert_status 0
	assert_no_stderr
	for flag in "${flags[@]}" config neko-v3 verbose quiet help version; do
		assert_match "$output" "(^|[[:space:],])--$flag([[:space:],]|\$)"
	done
	for flag in -p -f -o -t -c -v -q -h -V; do
		assert_match "$output" "(^|[[:space:]])$flag[[:space:],]"
	done
}

@test "every long option named by a help page is accepted" {
	local flag
	local -a flags

	run --separate-stderr all_help
	local -A seen=()
	local l w
	local -a words

	for l in "${lines[@]}"; do
		read -ra words <<<"${l//,/ }"
		for w in "${words[@]}"; do
			[[ $w =~ ^--[a-z0-9-]+$ ]] && seen[$w]=1
		done
	done
	flags=("${!seen[@]}")
	[[ ${#flags[@]} -ge 20 ]]
	for flag in "${flags[@]}"; do
		run --separate-stderr iceupd "$flag" 1000
		assert_stderr_lacks "unknown option"
	done
}

# short_is_long SHORT LONG: `iceupd SHORT` succeeds, quietly, with what
# `iceupd LONG` prints.
short_is_long() {
	run --separate-stderr iceupd "$2"
	local long=$output

	run --separate-stderr iceupd "$1"
	assert_status 0
	assert_no_stderr
	assert_stdout "$long"
}

@test "-h is --help" {
	short_is_long -h --help
}

@test "--help wins over a bad value and needs no configuration" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn://bad --help --timeout 5
	assert_status 0
	assert_no_stderr
	[[ ${lines[0]} == "usage: iceupd [fetch] [options]"* ]]
}

@test "--version lists iceupd, libcurl, OpenSSL, cJSON, libconfig and expat" {
	local re l found

	run --separate-stderr iceupd --version
	assert_status 0
	assert_no_stderr
	[[ ${#lines[@]} -eq 6 ]]
	assert_match "${lines[0]}" '^iceupd [0-9]+\.[0-9]+\.[0-9]+'
	for re in '^libcurl [0-9]+\.[0-9]+' '^OpenSSL [0-9]+\.[0-9]+' \
	    '^cJSON [0-9]+\.[0-9]+' '^libconfig [0-9]+\.[0-9]+' \
	    '^expat[_ ][0-9]+\.[0-9]+'; do
		found=0
		for l in "${lines[@]}"; do
			[[ $l =~ $re ]] && found=1
		done
		if [[ $found -ne 1 ]]; then
			echo "no line matches /$re/"
			show_run
			return 1
		fi
	done
}

@test "-V is --version" {
	short_is_long -V --version
}

# --- providers -----------------------------------------------------------

@test "providers: nothing configured shows coturn not set and the public STUN servers" {
	run --separate-stderr iceupd providers
	assert_status 0
	assert_no_stderr
	assert_match "${lines[0]}" '^PROVIDER +STATE +'
	assert_provider coturn "not set" "WEBRTC_TURN_URLS is not set"
	assert_provider stun configured "built-in public STUN servers"
}

@test "providers: coturn with a shared secret, static credentials, or no credentials" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    TURN_SHARED_SECRET=s3cret-providers TURN_TTL=600 providers
	assert_status 0
	assert_no_stderr
	assert_provider coturn configured "4 URLs, TURN REST credentials for 600 s"

	run --separate-stderr iceupd WEBRTC_TURN_URLS=turns:turn.example.org \
	    WEBRTC_TURN_USERNAME=neko WEBRTC_TURN_CREDENTIAL=pass providers
	assert_status 0
	assert_no_stderr
	assert_provider coturn configured "1 URL, static credentials"

	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" providers
	assert_status 0
	assert_no_stderr
	assert_provider coturn configured "4 URLs but no credentials: TURN is dropped"
}

@test "providers: STUN URLs from the environment" {
	run --separate-stderr iceupd WEBRTC_STUN_URLS=stun:a.example,stun:b.example providers
	assert_status 0
	assert_no_stderr
	assert_provider coturn "not set" "WEBRTC_TURN_URLS is not set"
	assert_provider stun configured "2 STUN URLs from WEBRTC_STUN_URLS (environment)"
}

@test "providers: a misconfigured provider is shown and the exit status is 2" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:h:0 providers
	assert_status 2
	assert_no_stderr
	assert_provider coturn misconfigured "WEBRTC_TURN_URLS (environment): 'turn:h:0': port must be 1-65535"
	assert_provider stun configured "built-in public STUN servers"

	run --separate-stderr iceupd WEBRTC_STUN_URLS=turn:h providers
	assert_status 2
	assert_no_stderr
	assert_provider stun misconfigured "WEBRTC_STUN_URLS (environment): 'turn:h': TURN URLs belong in WEBRTC_TURN_URLS"
}

@test "providers: an argument after the command exits 2" {
	run --separate-stderr iceupd providers extra
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: unexpected argument 'extra'; try 'iceupd help providers'"
}

# --- exit status 1: nothing usable ---------------------------------------

@test "--relay with only STUN configured: nothing usable, exit 1" {
	run --separate-stderr iceupd --relay
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: no usable ICE servers" "--relay"
}

@test "--transport tcp with only STUN configured: nothing usable, exit 1" {
	run --separate-stderr iceupd --transport tcp
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: no usable ICE servers" "--transport tcp"
}

@test "a filter that empties the TURN list: exit 1, and the message names the filter" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS='turn:h?transport=udp' \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p --transport tcp
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: no usable ICE servers" "coturn"
	assert_stderr_contains "--transport tcp"
}

@test "--require-turn with only STUN: exit 1 and nothing on stdout" {
	run --separate-stderr iceupd --require-turn
	assert_status 1
	assert_no_stdout
	assert_stderr "iceupd: error: no TURN server obtained and --require-turn is set"

	run --separate-stderr iceupd --require-turn -f env
	assert_status 1
	assert_no_stdout
}

@test "--require-turn with a TURN server succeeds" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:h \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p -p coturn --require-turn
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:h:3478"],"username":"u","credential":"p"}]'
}

# --- exit status 2: usage and configuration errors -----------------------

# usage_error ARGS...: exit 2, nothing on stdout, one line on stderr.
usage_error() {
	run --separate-stderr iceupd "$@"
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
}

@test "an unknown option exits 2" {
	usage_error --frobnicate
	assert_stderr "iceupd: error: unknown option --frobnicate; try 'iceupd --help'"
	usage_error -x
	assert_stderr "iceupd: error: unknown option -x; try 'iceupd --help'"
	usage_error --relay=yes
	assert_stderr "iceupd: error: option --relay takes no value"
}

@test "an unknown short option among grouped ones is the one named" {
	usage_error -v -xq
	assert_stderr_contains "unknown option -x"
	assert_stderr_lacks "unknown option -v"
}

@test "an option without its value exits 2" {
	usage_error --format
	assert_stderr "iceupd: error: option --format needs a value; try 'iceupd --help'"
	usage_error -f json -t
	assert_stderr "iceupd: error: option -t needs a value; try 'iceupd --help'"
}

@test "bad values exit 2 and name the flag, the value and what is allowed" {
	usage_error -f xml
	assert_stderr_contains "iceupd: error: --format: " "'xml'" \
	    "neko, rtc, json, env, dotenv, str0m"
	usage_error --transport sctp
	assert_stderr_contains "iceupd: error: --transport: " "'sctp'" "any, udp, tcp"
	usage_error --policy best
	assert_stderr_contains "iceupd: error: --policy: " "'best'" "first, merge"
	usage_error --timeout 5x
	assert_stderr_contains "iceupd: error: --timeout: " "'5x'" "100ms to 10m"
	usage_error -t 99
	assert_stderr_contains "iceupd: error: --timeout: " "'99'" "100ms to 10m"
	usage_error --grace -1
	assert_stderr_contains "iceupd: error: --grace: " "'-1'"
	usage_error --max-servers -1
	assert_stderr_contains "iceupd: error: --max-servers: " "'-1'"
	usage_error --ttl 8d
	assert_stderr_contains "iceupd: error: --ttl: " "'8d'" "1m to 7d"
	usage_error --log-format yaml
	assert_stderr_contains "iceupd: error: --log-format: " "'yaml'" "text, json"
}

@test "an unknown provider exits 2 and lists the known ones" {
	usage_error -p stun,bogus
	assert_stderr_contains "iceupd: error: --providers: unknown provider 'bogus' (known: " \
	    "coturn" "stun"
	usage_error ICEUPD_PROVIDERS=nope
	assert_stderr_contains "ICEUPD_PROVIDERS (environment): unknown provider 'nope'"
}

@test "a provider listed twice exits 2" {
	usage_error -p stun,stun
	assert_stderr "iceupd: error: --providers: provider 'stun' is listed twice"
}

@test "an empty provider list exits 2" {
	usage_error -p ,
	assert_stderr_contains "iceupd: error: --providers: " "empty"
}

@test "a provider selected explicitly but not configured exits 2" {
	usage_error -p coturn
	assert_stderr "iceupd: error: coturn: not configured: WEBRTC_TURN_URLS is not set"
	usage_error -p stun,coturn
	assert_stderr "iceupd: error: coturn: not configured: WEBRTC_TURN_URLS is not set"
}

@test "a misconfigured provider stops the fetch with exit 2 even when another works" {
	usage_error WEBRTC_TURN_URLS=turn:h:70000 TURN_SHARED_SECRET=x
	assert_stderr "iceupd: error: coturn: WEBRTC_TURN_URLS (environment): 'turn:h:70000': port must be 1-65535"
}

@test "-p picks the providers and their order" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p -p stun
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"

	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p -p stun,coturn -f json
	assert_status 4
	assert_stderr_lines 1
	assert_stderr_contains "$NO_TURN_WARNING"
	assert_jq '.provider == "stun" and .has_turn == false'
}

# --- exit status 4: degraded ---------------------------------------------

@test "coturn URLs without credentials: STUN only, a warning, exit 4" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS"
	assert_status 4
	assert_stdout '[{"urls":["stun:127.0.0.1:3478"]}]'
	assert_stderr_lines 2
	[[ ${stderr_lines[0]} == "iceupd: warning: coturn: WEBRTC_TURN_URLS has no credentials (set WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL, or TURN_SHARED_SECRET): 3 TURN URLs dropped" ]]
	[[ ${stderr_lines[1]} == "$NO_TURN_WARNING"* ]]
}

@test "coturn URLs without credentials and --require-turn: exit 1, nothing on stdout" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" --require-turn
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "iceupd: error: no TURN server obtained and --require-turn is set"
}

@test "coturn with only TURN URLs and no credentials falls back to public STUN, exit 4" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:h,turns:h
	assert_status 4
	assert_stdout "$DEFAULT_STUN"
	assert_stderr_contains "coturn failed: WEBRTC_TURN_URLS has TURN URLs but no credentials" \
	    "$NO_TURN_WARNING"
}

@test "coturn not selected: no TURN expected, exit 0" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" -p stun
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"
}

# --- logging -------------------------------------------------------------

@test "logs go to stderr only: stdout holds only the list at every verbosity" {
	local v

	for v in -q "" -v -vv; do
		run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" $v
		assert_status 4
		assert_stdout '[{"urls":["stun:127.0.0.1:3478"]}]'
	done
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" -vv \
	    --log-format json -f json
	assert_status 4
	assert_jq '.iceServers == [{"urls": ["stun:127.0.0.1:3478"]}]'
}

@test "-q silences warnings but not errors" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" -q
	assert_status 4
	assert_no_stderr
	assert_stdout '[{"urls":["stun:127.0.0.1:3478"]}]'

	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" --quiet
	assert_status 4
	assert_no_stderr

	run --separate-stderr iceupd -q --relay
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: no usable ICE servers"
}

@test "-v adds one info line per provider asked" {
	run --separate-stderr iceupd -v
	assert_status 0
	assert_stdout "$DEFAULT_STUN"
	assert_stderr_lines 1
	assert_match "$stderr" '^iceupd: stun: 2 URLs in [0-9]+ ms$'

	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p -p coturn -v
	assert_status 0
	assert_stderr_lines 1
	assert_match "$stderr" '^iceupd: coturn: 4 URLs in [0-9]+ ms$'

	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p --policy merge -v
	assert_status 0
	assert_stderr_lines 2
	assert_match "${stderr_lines[0]}" '^iceupd: coturn: 4 URLs in [0-9]+ ms$'
	assert_match "${stderr_lines[1]}" '^iceupd: stun: 2 URLs in [0-9]+ ms$'
}

@test "without -v a successful run prints nothing on stderr" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" \
	    TURN_SHARED_SECRET=quiet-secret TURN_USER=neko -f json
	assert_status 0
	assert_no_stderr
	assert_jq '.has_turn == true and .provider == "coturn"'
}

@test "--log-format json: every stderr line is a JSON object with severity and message" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$COTURN_URLS" -p coturn --log-format json -v
	assert_status 4
	assert_stdout '[{"urls":["stun:127.0.0.1:3478"]}]'
	assert_stderr_lines 3
	assert_stderr_json_lines
	[[ $(jq -r .severity <<<"$stderr" | tr '\n' ' ') == "WARNING INFO WARNING " ]]
	jq -e -s '.[0].message | startswith("coturn: WEBRTC_TURN_URLS has no credentials")' \
	    <<<"$stderr" >/dev/null
	jq -e -s '.[1].message | test("^coturn: 1 URL in [0-9]+ ms$")' <<<"$stderr" >/dev/null
	jq -e -s '.[2].message | startswith("no TURN server in the output")' \
	    <<<"$stderr" >/dev/null
}

@test "ICEUPD_LOG_FORMAT=json makes runtime errors JSON lines" {
	run --separate-stderr iceupd ICEUPD_LOG_FORMAT=json -p bogus
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_json_lines
	jq -e '.severity == "ERROR" and (.message | startswith("--providers: unknown provider '"'bogus'"'"))' \
	    <<<"$stderr" >/dev/null

	run --separate-stderr iceupd ICEUPD_LOG_FORMAT=json --relay
	assert_status 1
	assert_stderr_lines 1
	assert_stderr_json_lines
	jq -e '.severity == "ERROR" and (.message | startswith("no usable ICE servers"))' \
	    <<<"$stderr" >/dev/null
}

@test "--log-format json also applies to errors in the settings" {
	run --separate-stderr iceupd --log-format json --timeout 5
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_json_lines
	jq -e '.severity == "ERROR" and (.message | contains("--timeout"))' \
	    <<<"$stderr" >/dev/null
}

# --- robustness ----------------------------------------------------------

@test "no run dies of a signal" {
	local i

	for i in $(seq "${ICEUPD_TEST_RUNS:-300}"); do
		status=0
		iceupd WEBRTC_TURN_URLS="$COTURN_URLS" >/dev/null 2>&1 || status=$?
		if [[ $status -ne 4 ]]; then
			echo "run $i: exit status $status (4 expected)"
			return 1
		fi
		status=0
		iceupd WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME=u \
		    WEBRTC_TURN_CREDENTIAL=p >/dev/null 2>&1 || status=$?
		if [[ $status -ne 0 ]]; then
			echo "run $i: exit status $status (0 expected)"
			return 1
		fi
	done
}
