#!/usr/bin/env bats
# settings.bats: defaults < config file < environment < flags; config file
# errors; NAME_FILE secrets; coturn settings that conflict; URL validation;
# config file modes; secrets never on stderr.

bats_require_minimum_version 1.5.0
load helpers

STATIC=(WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME=neko WEBRTC_TURN_CREDENTIAL=static-pass)
TCP_ONLY='[{"urls":["turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"],"username":"neko","credential":"static-pass"}]'
UDP_ONLY='[{"urls":["turn:127.0.0.1:3478?transport=udp"],"username":"neko","credential":"static-pass"},{"urls":["stun:127.0.0.1:3478"]}]'
ALL_URLS='[{"urls":["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"],"username":"neko","credential":"static-pass"},{"urls":["stun:127.0.0.1:3478"]}]'

# Distinctive values that must never reach stderr.
SHARED_MARK='Shared-Secret-Marker-5e1f'
CRED_MARK='Static-Credential-Marker-a9d2'

hmac() {	# SECRET USERNAME
	printf %s "$2" | openssl dgst -sha1 -hmac "$1" -binary | base64
}

# conf FILE MODE LINE...: writes a config file.
conf() {
	local file=$1 mode=$2

	shift 2
	printf '%s\n' "$@" >"$file"
	chmod "$mode" "$file"
}

# exits_2 [NAME=VALUE ...] [ARG ...]: iceupd, through run
# --separate-stderr, exits 2 with nothing on stdout.
exits_2() {
	run --separate-stderr iceupd "$@"
	assert_status 2
	assert_no_stdout
}

# config_error FILE TEXT ...: iceupd -c FILE exits 2, nothing on stdout,
# one line on stderr that holds each TEXT.
config_error() {
	local file=$1

	shift
	exits_2 -c "$file"
	assert_stderr_lines 1
	assert_stderr_contains "$@"
}

# --- precedence ----------------------------------------------------------

@test "format: default neko < config file < environment < flag" {
	conf f.conf 600 'format = "rtc";'

	run --separate-stderr iceupd
	assert_status 0
	assert_stdout "$DEFAULT_STUN"

	run --separate-stderr iceupd -c f.conf
	assert_status 0
	assert_no_stderr
	assert_stdout "{\"iceServers\":$DEFAULT_STUN}"

	run --separate-stderr iceupd ICEUPD_FORMAT=json -c f.conf
	assert_status 0
	assert_jq '.provider == "stun" and has("iceServers")'

	run --separate-stderr iceupd ICEUPD_FORMAT=json -c f.conf -f neko
	assert_status 0
	assert_stdout "$DEFAULT_STUN"
}

@test "transport: default any < config file < environment < flag" {
	conf t.conf 600 'transport = "tcp";'

	run --separate-stderr iceupd "${STATIC[@]}" -p coturn
	assert_status 0
	assert_stdout "$ALL_URLS"

	run --separate-stderr iceupd "${STATIC[@]}" -p coturn -c t.conf
	assert_status 0
	assert_no_stderr
	assert_stdout "$TCP_ONLY"

	run --separate-stderr iceupd "${STATIC[@]}" ICEUPD_TRANSPORT=udp -p coturn -c t.conf
	assert_status 0
	assert_stdout "$UDP_ONLY"

	run --separate-stderr iceupd "${STATIC[@]}" ICEUPD_TRANSPORT=udp -p coturn -c t.conf \
	    --transport any
	assert_status 0
	assert_stdout "$ALL_URLS"
}

@test "timeout: each layer is read, and a bad value names the layer it came from" {
	conf ok.conf 600 'timeout_ms = 1000;'
	conf bad.conf 600 '# deadline' 'timeout_ms = 50;'

	run --separate-stderr iceupd ICEUPD_TIMEOUT_MS=2000 -c ok.conf --timeout 3000
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"

	config_error bad.conf "iceupd: error: bad.conf:2 (timeout_ms): " "'50'" \
	    "from 100ms to 10m" "a bare number is milliseconds"

	exits_2 ICEUPD_TIMEOUT_MS=2x -c ok.conf
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: ICEUPD_TIMEOUT_MS (environment): " "'2x'"

	exits_2 ICEUPD_TIMEOUT_MS=2000 -c ok.conf --timeout 99
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: --timeout: " "'99'"
}

@test "-c FILE wins over ICEUPD_CONFIG, which is read when alone" {
	conf rtc.conf 600 'format = "rtc";'
	conf env.conf 600 'format = "dotenv";'

	run --separate-stderr iceupd ICEUPD_CONFIG=env.conf
	assert_status 0
	assert_no_stderr
	assert_stdout "NEKO_ICESERVERS=$DEFAULT_STUN"

	run --separate-stderr iceupd ICEUPD_CONFIG=env.conf -c rtc.conf
	assert_status 0
	assert_stdout "{\"iceServers\":$DEFAULT_STUN}"

	run --separate-stderr iceupd ICEUPD_CONFIG=env.conf --config rtc.conf
	assert_status 0
	assert_stdout "{\"iceServers\":$DEFAULT_STUN}"
}

@test "the config file configures coturn TURN REST; the environment overrides its URLs" {
	local username

	conf c.conf 600 'providers = "coturn";' \
	    'coturn = { urls = ["turn:a.example:3478?transport=udp", "turns:a.example"];' \
	    '  shared_secret = "from-the-file"; user = "neko"; ttl = 600; };'

	run --separate-stderr iceupd -c c.conf -f json
	assert_status 0
	assert_no_stderr
	assert_jq '[.iceServers[].urls[]] == ["turn:a.example:3478?transport=udp", "turns:a.example:5349"]'
	assert_jq '.ttl_seconds == 600'
	username=$(jq -r '.iceServers[0].username' <<<"$output")
	assert_match "$username" '^[0-9]+:neko$'
	assert_jq --arg c "$(hmac from-the-file "$username")" '.iceServers[0].credential == $c'

	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:b.example TURN_USER=other -c c.conf
	assert_status 0
	assert_jq '[.[].urls[]] == ["turn:b.example:3478"]'
	assert_jq '.[0].username | test("^[0-9]+:other$")'
}

@test "config file values of every kind: string, number, boolean, list" {
	conf k.conf 600 'format = "rtc";' 'max_servers = 1;' 'require_turn = true;' \
	    'stun = { urls = ["stun:one.example", "stun:two.example"]; };' \
	    'coturn = { urls = "turns:t.example"; username = "u"; credential = "p"; };' \
	    'providers = "coturn,stun";' 'policy = "merge";'

	run --separate-stderr iceupd -c k.conf
	assert_status 0
	assert_no_stderr
	assert_stdout '{"iceServers":[{"urls":["turns:t.example:5349"],"username":"u","credential":"p"}]}'

	run --separate-stderr iceupd -c k.conf -p stun
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "--require-turn"

	conf r.conf 600 'format = "rtc";' 'relay = true;' 'providers = "coturn";' \
	    'coturn = { urls = ["turns:t.example", "stun:t.example"]; username = "u"; credential = "p"; };'
	run --separate-stderr iceupd -c r.conf
	assert_status 0
	assert_no_stderr
	assert_stdout '{"iceServers":[{"urls":["turns:t.example:5349"],"username":"u","credential":"p"}],"iceTransportPolicy":"relay"}'
}

# --- config file errors --------------------------------------------------

@test "an unknown config key exits 2 naming FILE:LINE and the key" {
	conf typo.conf 600 'format = "rtc";' '' 'fromat = "json";'

	config_error typo.conf "iceupd: error: typo.conf:3: " "fromat"

	conf group.conf 600 'coturn = {' '  urls = ["turn:h"];' '  secret = "x";' '};'
	config_error group.conf "iceupd: error: group.conf:3: " "coturn.secret"
}

@test "a config syntax error exits 2 naming the file and the line" {
	conf syntax.conf 600 'format = "rtc";' 'transport = ;' 'relay = true;'

	config_error syntax.conf "iceupd: error: syntax.conf:2: "
}

@test "a config value of the wrong type exits 2 naming FILE:LINE" {
	conf type.conf 600 'relay = true;' 'format = 3;'
	config_error type.conf "iceupd: error: type.conf:2 (format): "

	conf bool.conf 600 'relay = "maybe";'
	exits_2 -c bool.conf
	assert_stderr_contains "iceupd: error: bool.conf:1 (relay): " "'maybe'"

	conf range.conf 600 'coturn = { urls = ["turn:h"]; shared_secret = "x"; ttl = 5; };'
	exits_2 -c range.conf
	assert_stderr_contains "iceupd: error: range.conf:1 (coturn.ttl): " "'5'"
}

@test "a missing config file exits 2, by -c or by ICEUPD_CONFIG" {
	exits_2 -c missing.conf
	assert_stderr "iceupd: error: config file missing.conf: No such file or directory"

	exits_2 ICEUPD_CONFIG=missing.conf
	assert_stderr "iceupd: error: config file missing.conf: No such file or directory"

	mkdir folder.conf
	config_error folder.conf "folder.conf"
}

@test "bad values name the setting and where it came from" {
	conf v.conf 600 'policy = "merge";' 'transport = "sctp";'
	run --separate-stderr iceupd -c v.conf
	assert_status 2
	assert_stderr_contains "iceupd: error: v.conf:2 (transport): " "'sctp'"

	run --separate-stderr iceupd ICEUPD_TRANSPORT=sctp
	assert_status 2
	assert_stderr_contains "iceupd: error: ICEUPD_TRANSPORT (environment): " "'sctp'"

	run --separate-stderr iceupd --transport sctp
	assert_status 2
	assert_stderr_contains "iceupd: error: --transport: " "'sctp'"

	run --separate-stderr iceupd ICEUPD_RELAY=maybe
	assert_status 2
	assert_stderr_contains "iceupd: error: ICEUPD_RELAY (environment): " "'maybe'"

	run --separate-stderr iceupd TURN_TTL=soon WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET=x
	assert_status 2
	assert_stderr_contains "iceupd: error: TURN_TTL (environment): " "'soon'"
}

# --- NAME_FILE secrets ---------------------------------------------------

@test "TURN_SHARED_SECRET_FILE: the secret without its trailing newline" {
	local username b

	printf '%s\n' "$SHARED_MARK" >secret
	b=$(iceupd WEBRTC_TURN_URLS=turn:h TURN_USER=neko \
	    TURN_SHARED_SECRET_FILE=secret -p coturn)
	username=$(jq -r '.[0].username' <<<"$b")
	[[ $username == [0-9]*:neko ]]
	# The HMAC of the secret as written, without its newline.
	[[ $(jq -r '.[0].credential' <<<"$b") == "$(hmac "$SHARED_MARK" "$username")" ]]
}

@test "WEBRTC_TURN_CREDENTIAL_FILE and WEBRTC_TURN_USERNAME_FILE: same output as the variables" {
	printf '%s\n' "$CRED_MARK" >cred
	printf 'neko\r\n' >user
	iceupd "${STATIC[@]}" WEBRTC_TURN_CREDENTIAL="$CRED_MARK" -p coturn >plain.out
	iceupd WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME=neko \
	    WEBRTC_TURN_CREDENTIAL_FILE=cred -p coturn >file.out
	iceupd WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME_FILE=user \
	    WEBRTC_TURN_CREDENTIAL_FILE="$PWD/cred" -p coturn >both.out
	assert_same_file plain.out file.out
	assert_same_file plain.out both.out
	[[ $(jq -r '.[0].credential' file.out) == "$CRED_MARK" ]]
}

@test "a secret given both as NAME and NAME_FILE exits 2" {
	printf 'x\n' >secret
	exits_2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET=x \
	    TURN_SHARED_SECRET_FILE=secret
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "TURN_SHARED_SECRET and TURN_SHARED_SECRET_FILE"

	exits_2 "${STATIC[@]}" WEBRTC_TURN_CREDENTIAL_FILE=secret
	assert_stderr_contains "WEBRTC_TURN_CREDENTIAL and WEBRTC_TURN_CREDENTIAL_FILE"
}

@test "an unreadable NAME_FILE exits 2 naming the _FILE variable and the path" {
	exits_2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET_FILE=absent
	assert_stderr "iceupd: error: TURN_SHARED_SECRET_FILE: cannot read absent: No such file or directory"

	mkdir adir
	exits_2 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL_FILE=adir
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: WEBRTC_TURN_CREDENTIAL_FILE: " "adir"

	printf 'x\n' >file
	exits_2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET_FILE=file/below
	assert_stderr_contains "iceupd: error: TURN_SHARED_SECRET_FILE: " "file/below"
}

# --- coturn settings that conflict ---------------------------------------

@test "static credentials and a shared secret together exit 2" {
	exits_2 "${STATIC[@]}" TURN_SHARED_SECRET=x
	assert_stderr_lines 1
	assert_stderr_contains "WEBRTC_TURN_USERNAME" "WEBRTC_TURN_CREDENTIAL" "TURN_SHARED_SECRET"
}

@test "a username without a credential, or a credential without a username, exits 2" {
	exits_2 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u
	assert_stderr "iceupd: error: coturn: WEBRTC_TURN_USERNAME (environment) is set without a credential (WEBRTC_TURN_CREDENTIAL, coturn.credential)"

	exits_2 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_CREDENTIAL=p
	assert_stderr "iceupd: error: coturn: WEBRTC_TURN_CREDENTIAL (environment) is set without a username (WEBRTC_TURN_USERNAME, coturn.username)"
}

@test "credentials without WEBRTC_TURN_URLS exit 2" {
	exits_2 TURN_SHARED_SECRET=x
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: coturn: " "WEBRTC_TURN_URLS"

	exits_2 WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p
	assert_stderr_contains "iceupd: error: coturn: " "WEBRTC_TURN_URLS"
}

@test "conflicting coturn settings in the config file are named as written there" {
	conf cc.conf 600 'coturn = {' '  urls = ["turn:h"];' '  credential = "p";' '};'
	config_error cc.conf "cc.conf:3 (coturn.credential)"
}

@test "an invalid static credential is a configuration error" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL=$'tab\there'
	assert_no_stdout
	assert_status 2
	assert_stderr_contains "WEBRTC_TURN_CREDENTIAL"
}

@test "an empty URL list exits 2" {
	exits_2 WEBRTC_TURN_URLS=' , ' TURN_SHARED_SECRET=x
	assert_stderr_contains "WEBRTC_TURN_URLS (environment)" "no URL"

	exits_2 WEBRTC_STUN_URLS=','
	assert_stderr_contains "WEBRTC_STUN_URLS (environment)" "no URL"
}

# --- URL validation ------------------------------------------------------

# bad_turn_url URL WORDS...: WEBRTC_TURN_URLS=URL exits 2; the one line on
# stderr names the variable, the URL and the WORDS.
bad_turn_url() {
	local url=$1

	shift
	exits_2 WEBRTC_TURN_URLS="turn:ok.example,$url" \
	    TURN_SHARED_SECRET=x
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "WEBRTC_TURN_URLS (environment)" "'$url'" "$@"
}

@test "invalid URL turn://h" {
	bad_turn_url 'turn://h' '//'
}

@test "invalid URL turn:h:0" {
	bad_turn_url 'turn:h:0' 'port'
}

@test "invalid URL turn:h:70000" {
	bad_turn_url 'turn:h:70000' 'port'
}

@test "invalid URL stun:h?transport=udp" {
	bad_turn_url 'stun:h?transport=udp' 'transport'
}

@test "invalid URL turn:[::1" {
	bad_turn_url 'turn:[::1' 'IPv6'
}

@test "invalid URL turn:h?transport=sctp" {
	bad_turn_url 'turn:h?transport=sctp' 'udp' 'tcp'
}

@test "invalid URL turn:999.1.1.1" {
	bad_turn_url 'turn:999.1.1.1' 'IPv4'
}

@test "invalid URLs: unknown scheme, no host, bad port text, bad host name" {
	bad_turn_url 'http:h' 'scheme'
	bad_turn_url 'turn:' 'host'
	bad_turn_url 'turn:h:34x' 'port'
	bad_turn_url 'turn:-h.example' 'host'
}

@test "invalid URL in WEBRTC_STUN_URLS or in the config file: named where it was written" {
	exits_2 WEBRTC_STUN_URLS='stun:ok,stun:h:0'
	assert_stderr_contains "WEBRTC_STUN_URLS (environment)" "'stun:h:0'"

	conf u.conf 600 'format = "rtc";' 'coturn = { urls = ["turn:h:0"]; shared_secret = "x"; };'
	exits_2 -c u.conf
	assert_stderr_contains "u.conf:2" "'turn:h:0'"
}

# --- config file modes ---------------------------------------------------

@test "a config file holding a secret and readable by others gets a warning" {
	conf open.conf 644 'coturn = { urls = ["turn:h"]; shared_secret = "x"; };'
	run --separate-stderr iceupd -c open.conf -p coturn
	assert_status 0
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: warning: open.conf" "0644" "chmod 600"
	assert_jq '.[0].urls == ["turn:h:3478"]'

	conf group.conf 640 'coturn = { urls = ["turn:h"]; username = "u"; credential = "p"; };'
	run --separate-stderr iceupd -c group.conf -p coturn
	assert_status 0
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: warning: group.conf" "0640"
}

@test "a config file holding a secret with mode 0600 gets no warning" {
	conf closed.conf 600 'coturn = { urls = ["turn:h"]; shared_secret = "x"; };'
	run --separate-stderr iceupd -c closed.conf -p coturn
	assert_status 0
	assert_no_stderr
	assert_jq '.[0].urls == ["turn:h:3478"]'
}

@test "a config file without secrets may be readable by all" {
	conf plain.conf 644 'format = "rtc";' 'stun = { urls = ["stun:h"]; };'
	run --separate-stderr iceupd -c plain.conf
	assert_status 0
	assert_no_stderr
	assert_stdout '{"iceServers":[{"urls":["stun:h:3478"]}]}'
}

# --- secrets never on stderr ---------------------------------------------

# no_secret STATUS [NAME=VALUE ...] [ARG ...]: the run exits STATUS, says
# something on stderr, and neither marker appears there, at -vv with text
# and with JSON logs.
no_secret() {
	local want=$1 fmt

	shift
	for fmt in text json; do
		run --separate-stderr iceupd "$@" -vv --log-format "$fmt"
		assert_status "$want"
		if [[ -z $stderr ]]; then
			echo "nothing on stderr"
			show_run
			return 1
		fi
		assert_stderr_lacks "$SHARED_MARK" "$CRED_MARK"
	done
}

@test "no secret on stderr: coturn settings that conflict" {
	no_secret 2 "${STATIC[@]}" WEBRTC_TURN_CREDENTIAL="$CRED_MARK" \
	    TURN_SHARED_SECRET="$SHARED_MARK"
	no_secret 2 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_CREDENTIAL="$CRED_MARK"
	no_secret 2 WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL="$CRED_MARK"
	no_secret 2 TURN_SHARED_SECRET="$SHARED_MARK"
}

@test "no secret on stderr: bad settings next to secrets" {
	printf '%s\n' "$SHARED_MARK" >secret
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" \
	    TURN_SHARED_SECRET_FILE=secret
	no_secret 2 WEBRTC_TURN_URLS=turn:h:0 TURN_SHARED_SECRET="$SHARED_MARK"
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" --timeout 5
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" -p coturn,bogus
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" -f env \
	    --env-name 'NOT VALID'
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" \
	    TURN_TTL=5
}

@test "no secret on stderr: failures while fetching and writing" {
	no_secret 1 WEBRTC_TURN_URLS='turn:h?transport=udp' WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL="$CRED_MARK" --transport tcp
	no_secret 1 WEBRTC_TURN_URLS=stun:h TURN_SHARED_SECRET="$SHARED_MARK" -p coturn \
	    --require-turn
	no_secret 2 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL="$CRED_MARK"$'\t'
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" \
	    TURN_USER="$(printf 'u%.0s' $(seq 600))"
	printf 'x\n' >file
	no_secret 1 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" -p coturn \
	    -o file/below
	no_secret 1 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL="$CRED_MARK" -p coturn -o missing/out
}

@test "no secret on stderr: a successful run at -vv" {
	no_secret 0 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SHARED_MARK" -p coturn
	no_secret 0 WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL="$CRED_MARK" -p coturn --policy merge
}

@test "no secret on stderr: config file errors" {
	conf unknown.conf 600 "coturn = { urls = [\"turn:h\"]; shared_secret = \"$SHARED_MARK\"; };" \
	    'typo = 1;'
	no_secret 2 -c unknown.conf
	conf syntax.conf 600 "coturn = { urls = [\"turn:h\"]; shared_secret = \"$SHARED_MARK; };"
	no_secret 2 -c syntax.conf
	conf bare.conf 600 "coturn = { urls = [\"turn:h\"]; credential = $CRED_MARK; };"
	no_secret 2 -c bare.conf
	conf list.conf 600 "coturn = { urls = [\"turn:h\"]; shared_secret = [\"$SHARED_MARK\", 1]; };"
	no_secret 2 -c list.conf
	conf conflict.conf 600 "coturn = { urls = [\"turn:h\"]; credential = \"$CRED_MARK\"; };"
	no_secret 2 -c conflict.conf
	conf open.conf 644 "coturn = { urls = [\"turn:h\"]; shared_secret = \"$SHARED_MARK\"; };"
	no_secret 0 -c open.conf -p coturn
	printf '%s\0x\n' "$SHARED_MARK" >nul
	no_secret 2 WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET_FILE=nul
}

@test "no secret on stderr: a password written into a TURN URL" {
	exits_2 WEBRTC_TURN_URLS="turn:neko:$CRED_MARK@turn.example"
	assert_stderr_contains "WEBRTC_TURN_URLS"
	assert_stderr_lacks "$CRED_MARK"
}

@test "a misspelt ICEUPD_ variable warns in one line with the closest name; the run goes on" {
	run --separate-stderr iceupd ICEUPD_FROMAT=rtc
	assert_status 0
	assert_stderr_lines 1
	assert_stderr_contains "ICEUPD_FROMAT (environment) is not a setting of iceupd: ignored; did you mean ICEUPD_FORMAT?"
	[[ $output == "$DEFAULT_STUN" ]]
	run --separate-stderr iceupd ICEUPD_TIMEOUT=5s
	assert_status 0
	assert_stderr_contains "did you mean ICEUPD_TIMEOUT_MS?"
	run --separate-stderr iceupd ICEUPD_ZZZZZZZZZZZZ=1 ICEUPD_URL_TOKEN_FILE=/dev/null/x
	assert_stderr_contains "ICEUPD_ZZZZZZZZZZZZ (environment) is not a setting of iceupd: ignored; see iceupd(1)"
	# Known names, _FILE forms and the wrapper's own are not warned about.
	run --separate-stderr iceupd ICEUPD_KEEP_SECRETS=true ICEUPD_FORMAT=rtc -q
	assert_status 0
	assert_no_stderr
	run --separate-stderr iceupd ICEUPD_KEEP_SECRETS=true ICEUPD_FORMAT=rtc
	assert_no_stderr
}

@test "an unknown command suggests the closest one" {
	run --separate-stderr iceupd fech
	assert_status 2
	assert_stderr_lines 1
	assert_stderr_contains "unknown command 'fech'; did you mean 'fetch'?"
	run --separate-stderr iceupd wacth -o x
	assert_status 2
	assert_stderr_contains "did you mean 'watch'?"
}
