#!/usr/bin/env bats
# check.bats: `iceupd check` and `--verify` against a real coturn on
# 127.0.0.1 (TURN over UDP, TCP and TLS with a certificate from a test CA,
# STUN, TURN REST credentials): working credentials allocate, wrong or
# expired ones are reported as such, closed and silent ports fail within the
# deadline, and --verify keeps only what works, fastest first.

# shellcheck disable=SC2154 # $stderr comes from run --separate-stderr
# shellcheck disable=SC2016 # jq programs, with their $variables, in '...'

bats_require_minimum_version 1.5.0

load helpers
load ../peers/coturn
load ../peers/scripted

SECRET=check-shared-secret-4711
REST_NAME=check
REALM=check.test

# make_ca DIR: a test CA (DIR/ca.pem, DIR/ca.key) and a relay certificate
# it signed for IP:127.0.0.1 (DIR/relay.pem, DIR/relay.key).
make_ca() {
	local d=$1

	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 \
	    -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 \
	    -subj "/CN=iceupd check test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    >"$d/openssl.log" 2>&1 || return 1
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/relay.key" -out "$d/relay.csr" -subj "/CN=127.0.0.1" \
	    >>"$d/openssl.log" 2>&1 || return 1
	printf '%s\n' "basicConstraints=CA:FALSE" \
	    "keyUsage=critical,digitalSignature" \
	    "extendedKeyUsage=serverAuth" \
	    "subjectAltName=IP:127.0.0.1" >"$d/relay.ext"
	openssl x509 -req -in "$d/relay.csr" -CA "$d/ca.pem" \
	    -CAkey "$d/ca.key" -CAcreateserial -days 2 \
	    -extfile "$d/relay.ext" -out "$d/relay.pem" \
	    >>"$d/openssl.log" 2>&1 || return 1
}

setup_file() {
	need_turnserver || return 1
	make_ca "$BATS_FILE_TMPDIR" || {
		cat "$BATS_FILE_TMPDIR/openssl.log" >&2
		return 1
	}
	coturn_start_rest "$BATS_FILE_TMPDIR/relay.pem" \
	    "$BATS_FILE_TMPDIR/relay.key" "$SECRET" "$REALM" || return 1
	export CHECK_PID=$COTURN_PID CHECK_PORT=$COTURN_PORT
	export CHECK_TLS_PORT=$COTURN_TLS_PORT CHECK_LOG=$COTURN_LOG
	export CHECK_CA=$BATS_FILE_TMPDIR/ca.pem
	export UDP_URL="turn:127.0.0.1:$CHECK_PORT?transport=udp"
	export TCP_URL="turn:127.0.0.1:$CHECK_PORT?transport=tcp"
	export TLS_URL="turns:127.0.0.1:$CHECK_TLS_PORT"
	export STUN_URL="stun:127.0.0.1:$CHECK_PORT"
}

teardown_file() {
	coturn_stop "${CHECK_PID:-}"
}

teardown() {
	stop_peer
}

# start_silent PORTFILE: a UDP socket on 127.0.0.1 that reads and never
# answers.  Sets PEER_PID and PEER_PORT.
start_silent() {
	start_peer "$1" '
import os, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % u.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
while True:
    u.recv(2048)
'
}

# start_slow_proxy PORTFILE TARGET_PORT DELAY_MS: a TCP relay on 127.0.0.1
# to 127.0.0.1:TARGET_PORT that holds every chunk from the client for
# DELAY_MS before passing it on, so that a TURN server behind it answers
# with at least that round-trip time.  Sets PEER_PID and PEER_PORT.
start_slow_proxy() {
	start_peer "$1" '
import os, socket, sys, threading, time
target, delay = int(sys.argv[2]), int(sys.argv[3]) / 1000.0
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", 0))
ls.listen(16)
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write("%d\n" % ls.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])

def pump(src, dst, wait):
    try:
        while True:
            d = src.recv(65536)
            if not d:
                break
            if wait:
                time.sleep(wait)
            dst.sendall(d)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

while True:
    c, _ = ls.accept()
    s = socket.create_connection(("127.0.0.1", target))
    threading.Thread(target=pump, args=(c, s, delay), daemon=True).start()
    threading.Thread(target=pump, args=(s, c, 0), daemon=True).start()
' "$2" "$3"
}

# check_rest [NAME=VALUE ...] [ARG ...]: `iceupd check` of the coturn
# provider (ICEUPD_PROVIDERS, which -p overrides) with WEBRTC_TURN_URLS
# (default: UDP, TCP, TLS and STUN of the test's coturn) and good TURN REST
# credentials, through run --separate-stderr.
check_rest() {
	run --separate-stderr iceupd ICEUPD_PROVIDERS=coturn \
	    WEBRTC_TURN_URLS="$UDP_URL,$TCP_URL,$TLS_URL,$STUN_URL" \
	    TURN_SHARED_SECRET="$SECRET" TURN_USER=check "$@"
}

# assert_row URL RESULT DETAIL-REGEX: the `check` table has a row for URL
# with RESULT, an RTT ("N ms" or "-") and a last column matching
# DETAIL-REGEX.
assert_row() {
	local l re

	re="^$(sed 's/[][\.*^$?+(){}|/]/\\&/g' <<<"$1") +$2 +([0-9]+ ms|-)  $3\$"
	for l in "${lines[@]}"; do
		[[ $l == "$1 "* ]] || continue
		[[ $l =~ $re ]] && return 0
		printf 'row of %s does not match /%s/:\n%s\n' "$1" "$re" "$l"
		show_run
		return 1
	done
	echo "no row for $1"
	show_run
	return 1
}

# assert_relayed_by_coturn ADDR: coturn logged a relay at ADDR (ip:port).
assert_relayed_by_coturn() {
	if ! grep -qF "Local relay addr: $1" "$CHECK_LOG"; then
		echo "coturn logged no relay at $1"
		return 1
	fi
}

@test "check: good TURN REST credentials: every URL ok, with the relayed address coturn gave" {
	local mark n relayed

	mark=$(coturn_log_mark "$CHECK_LOG")
	check_rest check --cacert "$CHECK_CA"
	assert_status 0
	assert_no_stderr
	assert_match "${lines[0]}" '^from coturn, expires [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$'
	assert_match "${lines[1]}" '^URL +RESULT +RTT  RELAYED / MAPPED / WHY$'
	[[ ${#lines[@]} -eq 6 ]] || { echo "expected 6 lines"; show_run; return 1; }
	assert_row "$UDP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$TCP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$TLS_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$STUN_URL" ok '127\.0\.0\.1:[0-9]+'
	# The relayed addresses are coturn's, and each allocation was
	# released (a REFRESH with lifetime 0) once probed.
	for n in 2 3 4; do
		relayed=${lines[n]##* }
		assert_relayed_by_coturn "$relayed"
	done
	coturn_log_wait "$CHECK_LOG" "$mark" "incoming packet REFRESH processed, success" || {
		echo "coturn logged no released allocation"
		return 1
	}
	[[ $(tail -n +"$((mark + 1))" "$CHECK_LOG" |
	    grep -c 'incoming packet REFRESH processed, success') -eq 3 ]] || {
		echo "expected 3 released allocations:"
		tail -n +"$((mark + 1))" "$CHECK_LOG" | grep 'REFRESH\|ALLOCATE'
		return 1
	}
}

@test "check -f json: one result per URL in list order, parsed by jq" {
	check_rest check --cacert "$CHECK_CA" -f json
	assert_status 0
	assert_no_stderr
	assert_jq --arg u "$UDP_URL" --arg t "$TCP_URL" --arg s "$TLS_URL" \
	    --arg m "$STUN_URL" '
	    .provider == "coturn" and .stale == false and
	    (.expires_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")) and
	    ([.results[].url] == [$u, $t, $s, $m]) and
	    all(.results[]; .status == "ok" and .error == null and
	        (.rtt_ms | type == "number" and . >= 0) and
	        (.mapped | test("^127\\.0\\.0\\.1:[0-9]+$"))) and
	    all(.results[0:3][]; .relayed | test("^127\\.0\\.0\\.1:[0-9]+$")) and
	    .results[3].relayed == ""'
	assert_relayed_by_coturn "$(jq -r '.results[0].relayed' <<<"$output")"
}

@test "check: every selected provider is probed, whatever the policy, grouped by provider" {
	local -a env

	env=(WEBRTC_TURN_URLS="$UDP_URL,$TCP_URL" WEBRTC_STUN_URLS="$STUN_URL")
	check_rest "${env[@]}" check -p coturn,stun
	assert_status 0
	assert_no_stderr
	[[ ${lines[0]} == "from coturn, expires "* ]]
	assert_match "${lines[1]}" '^URL +RESULT +RTT  RELAYED / MAPPED / WHY$'
	[[ ${lines[4]} == "from stun, expiry unknown" && $output == *$'\n\nfrom stun'* ]]
	assert_row "$UDP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$TCP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$STUN_URL" ok '127\.0\.0\.1:[0-9]+'
	check_rest "${env[@]}" check -p coturn,stun -f json
	assert_status 0
	assert_jq --arg u "$UDP_URL" --arg t "$TCP_URL" --arg m "$STUN_URL" '
	    .provider == "coturn+stun" and
	    [.providers[].name] == ["coturn", "stun"] and
	    all(.providers[]; .ok and .error == null) and
	    ([.providers[0].results[].url] == [$u, $t]) and
	    ([.providers[1].results[].url] == [$m]) and
	    ([.results[] | [.provider, .url]] ==
	     [["coturn", $u], ["coturn", $t], ["stun", $m]]) and
	    all(.results[]; .status == "ok")'
}

@test "check: a dead STUN server of the stun provider is reported, TURN working keeps exit 0" {
	local dead

	dead="stun:127.0.0.1:$(free_port udp)"
	check_rest WEBRTC_TURN_URLS="$TCP_URL" WEBRTC_STUN_URLS="$dead" \
	    check -p coturn,stun -f json --timeout 1500
	assert_status 0
	assert_jq --arg d "$dead" '
	    .providers[1].name == "stun" and .providers[1].ok and
	    .providers[1].results[0].url == $d and
	    (.providers[1].results[0].status | test("^(unreachable|timeout)$")) and
	    .providers[0].results[0].status == "ok"'
}

@test "check: a wrong shared secret is bad-credentials on every TURN URL, exit 1" {
	check_rest TURN_SHARED_SECRET=not-the-secret check --cacert "$CHECK_CA"
	assert_status 1
	assert_row "$UDP_URL" bad-credentials '.*401.*'
	assert_row "$TCP_URL" bad-credentials '.*401.*'
	assert_row "$TLS_URL" bad-credentials '.*401.*'
	# STUN needs no credentials.
	assert_row "$STUN_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_stderr "iceupd: error: 3 of 3 TURN URLs failed"
	assert_stderr_lacks not-the-secret
	[[ $output != *not-the-secret* ]] || { show_run; return 1; }
}

@test "check: refused TURN REST credentials name TURN_SHARED_SECRET; an untrusted relay certificate names --cacert" {
	check_rest TURN_SHARED_SECRET=not-the-secret check --cacert "$CHECK_CA" -f json
	assert_status 1
	assert_jq 'all(.results[0:3][]; .error | test("401.*is TURN_SHARED_SECRET coturn.s static-auth-secret\\?$")) and
	    .results[3].error == null and all(.providers[]; .error == null)'
	check_rest WEBRTC_TURN_URLS="$TLS_URL" check
	assert_status 1
	assert_row "$TLS_URL" error '.*certificate not trusted.*give the CA that signed it with --cacert FILE'
}

@test "check -f takes table or json only; a list format is refused with exit 2" {
	check_rest check --cacert "$CHECK_CA" -f table
	assert_status 0
	assert_match "${lines[1]}" '^URL +RESULT +RTT  RELAYED / MAPPED / WHY$'
	for f in env neko rtc dotenv str0m; do
		check_rest check --cacert "$CHECK_CA" -f "$f"
		assert_status 2
		assert_no_stdout
		assert_stderr "iceupd: error: --format: check prints table or json, not $f"
	done
	# A list format from the environment is the other commands': a table.
	check_rest ICEUPD_FORMAT=env check --cacert "$CHECK_CA"
	assert_status 0
	assert_match "${lines[1]}" '^URL +RESULT'
}

@test "check -f json: bad credentials are a status, with the error, exit 1" {
	check_rest TURN_SHARED_SECRET=not-the-secret check --cacert "$CHECK_CA" -f json
	assert_status 1
	assert_jq 'all(.results[0:3][]; .status == "bad-credentials" and
	    .relayed == "" and (.error | length > 0)) and
	    .results[3].status == "ok"'
}

@test "check: static credentials that are a live TURN REST pair allocate" {
	local user

	# The counterpart of the expired case below: the same kind of
	# credentials, not expired, must work.
	user=$(rest_user 600)
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$UDP_URL,$TCP_URL" \
	    WEBRTC_TURN_USERNAME="$user" \
	    WEBRTC_TURN_CREDENTIAL="$(turn_rest_password "$SECRET" "$user")" \
	    check
	assert_status 0
	assert_row "$UDP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_row "$TCP_URL" ok '127\.0\.0\.1:[0-9]+'
}

@test "check: an expired TURN REST username with the right HMAC is bad-credentials" {
	local user

	user=$(rest_user -60)
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$UDP_URL,$TCP_URL" \
	    WEBRTC_TURN_USERNAME="$user" \
	    WEBRTC_TURN_CREDENTIAL="$(turn_rest_password "$SECRET" "$user")" \
	    check
	assert_status 1
	assert_row "$UDP_URL" bad-credentials '.*'
	assert_row "$TCP_URL" bad-credentials '.*'
	assert_stderr_contains "2 of 2 TURN URLs failed"
}

# timed_check URLS DEADLINE_MS: `iceupd check -t DEADLINE_MS` of URLS with
# good TURN REST credentials, through run --separate-stderr; ms gets the
# milliseconds it took.
timed_check() {
	local start

	start=$(date +%s%N)
	run --separate-stderr iceupd WEBRTC_TURN_URLS="$1" \
	    TURN_SHARED_SECRET="$SECRET" check -t "$2"
	ms=$((($(date +%s%N) - start) / 1000000))
}

@test "check: closed ports are unreachable at once, well within the deadline, exit 1" {
	needs_real_time
	local up tp ms

	up=$(free_port udp)
	tp=$(free_port tcp)
	timed_check "turn:127.0.0.1:$up?transport=udp,turn:127.0.0.1:$tp?transport=tcp,turns:127.0.0.1:$tp,$UDP_URL" 4000
	assert_status 1
	assert_row "turn:127.0.0.1:$up?transport=udp" unreachable '.+'
	assert_row "turn:127.0.0.1:$tp?transport=tcp" unreachable '.+'
	assert_row "turns:127.0.0.1:$tp" unreachable '.+'
	assert_row "$UDP_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_stderr "iceupd: error: 3 of 4 TURN URLs failed"
	# Refused at once: no waiting for the 4 s deadline.
	((ms < 2000)) || { echo "took $ms ms"; return 1; }
}

@test "check: a server that never answers is timeout at the deadline, not later" {
	needs_real_time
	local ms

	start_silent "$BATS_TEST_TMPDIR/silent.port"
	timed_check "turn:127.0.0.1:$PEER_PORT?transport=udp,$UDP_URL" 2000
	assert_status 1
	assert_row "turn:127.0.0.1:$PEER_PORT?transport=udp" timeout '.+'
	assert_row "$UDP_URL" ok '127\.0\.0\.1:[0-9]+'
	((ms >= 1500 && ms < 3500)) || { echo "took $ms ms"; return 1; }
}

@test "check: turns: verifies against --cacert" {
	check_rest WEBRTC_TURN_URLS="$TLS_URL" check --cacert "$CHECK_CA"
	assert_status 0
	assert_row "$TLS_URL" ok '127\.0\.0\.1:[0-9]+'
	assert_relayed_by_coturn "${lines[2]##* }"
}

@test "check: turns: the CA file may come from ICEUPD_CA_FILE" {
	check_rest WEBRTC_TURN_URLS="$TLS_URL" ICEUPD_CA_FILE="$CHECK_CA" check
	assert_status 0
	assert_row "$TLS_URL" ok '127\.0\.0\.1:[0-9]+'
}

@test "check: turns: without the test CA the certificate does not verify, exit 1" {
	check_rest WEBRTC_TURN_URLS="$TLS_URL" check
	assert_status 1
	assert_row "$TLS_URL" error '.*(certif|verif).*'
	assert_stderr "iceupd: error: 1 of 1 TURN URL failed"
}

@test "check: turns: --insecure-probe allocates without verifying" {
	check_rest WEBRTC_TURN_URLS="$TLS_URL" check --insecure-probe
	assert_status 0
	assert_row "$TLS_URL" ok '127\.0\.0\.1:[0-9]+'
}

@test "check: the RTT column measures the answer: a relay behind a 400 ms delay shows it" {
	local slow

	start_slow_proxy "$BATS_TEST_TMPDIR/slow.port" "$CHECK_PORT" 400
	slow="turn:127.0.0.1:$PEER_PORT?transport=tcp"
	check_rest WEBRTC_TURN_URLS="$slow,$TCP_URL" check -f json
	assert_status 0
	assert_jq --arg s "$slow" --arg t "$TCP_URL" '
	    [.results[].url] == [$s, $t] and all(.results[]; .status == "ok") and
	    .results[0].rtt_ms >= 400 and .results[1].rtt_ms < 400'
}

@test "--verify: a list with a dead URL prints the live ones only, warns about the dead one, exit 0" {
	local dead

	dead="turn:127.0.0.1:$(free_port udp)?transport=udp"
	check_rest WEBRTC_TURN_URLS="$UDP_URL,$dead,$TCP_URL" -p coturn --verify
	assert_status 0
	assert_jq --arg u "$UDP_URL" --arg t "$TCP_URL" '
	    length == 1 and (.[0].urls | sort) == ([$u, $t] | sort) and
	    (.[0].username | test("^[0-9]+:check$")) and
	    (.[0].credential | length > 0) and (.[0] | keys) == ["credential", "urls", "username"]'
	[[ $output != *"$dead"* ]] || { show_run; return 1; }
	assert_stderr_lines 1
	assert_stderr_contains warning "$dead" unreachable
}

@test "--verify: the credentials printed are the ones that were verified" {
	local dead user cred

	dead="turn:127.0.0.1:$(free_port udp)?transport=udp"
	check_rest WEBRTC_TURN_URLS="$dead,$UDP_URL,$TCP_URL" -p coturn \
	    --verify --transport udp
	assert_status 0
	assert_jq --arg u "$UDP_URL" '.[0].urls == [$u]'
	user=$(jq -r '.[0].username' <<<"$output")
	cred=$(jq -r '.[0].credential' <<<"$output")
	[[ $cred == "$(turn_rest_password "$SECRET" "$user")" ]]
	run coturn_allocate 127.0.0.1 "$CHECK_PORT" udp "$user" "$cred"
	[[ $status -eq 0 ]] || { echo "$output"; return 1; }
}

@test "--verify: URLs within an entry are the live ones, fastest first" {
	local slow dead

	start_slow_proxy "$BATS_TEST_TMPDIR/slow.port" "$CHECK_PORT" 400
	slow="turn:127.0.0.1:$PEER_PORT?transport=tcp"
	dead="turn:127.0.0.1:$(free_port udp)?transport=udp"
	check_rest WEBRTC_TURN_URLS="$slow,$dead,$TLS_URL,$UDP_URL,$TCP_URL" \
	    -p coturn --verify --cacert "$CHECK_CA" -f rtc
	assert_status 0
	# A permutation of the live URLs, with the one behind the delay last.
	assert_jq --arg s "$slow" --arg u "$UDP_URL" --arg t "$TCP_URL" \
	    --arg l "$TLS_URL" '
	    (.iceServers | length) == 1 and
	    (.iceServers[0].urls | sort) == ([$s, $u, $t, $l] | sort) and
	    .iceServers[0].urls[-1] == $s'
	assert_stderr_contains "$dead"
}

@test "--verify: all TURN dead fails coturn over to the next provider: STUN only, exit 4" {
	local up tp

	up=$(free_port udp)
	tp=$(free_port tcp)
	check_rest \
	    WEBRTC_TURN_URLS="turn:127.0.0.1:$up?transport=udp,turn:127.0.0.1:$tp?transport=tcp" \
	    WEBRTC_STUN_URLS="$STUN_URL" -p coturn,stun --verify
	assert_status 4
	assert_stdout "[{\"urls\":[\"$STUN_URL\"]}]"
	assert_stderr_contains "coturn" "no TURN server passed --verify" \
	    "turn:127.0.0.1:$up?transport=udp"
}

@test "--verify: all TURN dead with coturn alone: nothing printed, exit 1" {
	local up

	up=$(free_port udp)
	check_rest WEBRTC_TURN_URLS="turn:127.0.0.1:$up?transport=udp" \
	    -p coturn --verify
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "error" "no TURN server passed --verify"
}

@test "--verify: a dead STUN server is dropped from the stun provider too" {
	local up

	up=$(free_port udp)
	run --separate-stderr iceupd \
	    WEBRTC_STUN_URLS="stun:127.0.0.1:$up,$STUN_URL" -p stun --verify
	assert_status 0
	assert_stdout "[{\"urls\":[\"$STUN_URL\"]}]"
	assert_stderr_contains "stun:127.0.0.1:$up"
}

@test "watch --once --verify: writes only the live URLs, and keeps the file when all are dead" {
	local dead

	dead="turn:127.0.0.1:$(free_port udp)?transport=udp"
	check_rest WEBRTC_TURN_URLS="$dead,$UDP_URL" \
	    watch -p coturn --once --verify -o ice.json
	assert_status 0
	assert_stderr_contains warning "$dead"
	run jq -e --arg u "$UDP_URL" 'length == 1 and .[0].urls == [$u]' ice.json
	[[ $status -eq 0 ]] || { cat ice.json; return 1; }
	cp ice.json before.json

	check_rest WEBRTC_TURN_URLS="$dead" \
	    watch -p coturn --once --verify --force-refresh -o ice.json
	assert_status 1
	assert_stderr_contains "no TURN server passed --verify"
	assert_same_file before.json ice.json
}
