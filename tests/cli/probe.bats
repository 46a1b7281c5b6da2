#!/usr/bin/env bats
# probe.bats: the STUN/TURN probe against a real coturn on 127.0.0.1 (UDP,
# TCP and TLS, TURN REST credentials), and against ports where nothing or
# something silent listens.  Driven by tests/unit/probe_main.c, built here.

bats_require_minimum_version 1.5.0

load helpers
load ../peers/coturn
load ../peers/scripted

SECRET=probe-shared-secret-0123
REST_NAME=probe
REALM=probe.test

# The driver is built from the sources under test and the objects of
# `make all` (less main.o), with the project's warning flags.
build_driver() {
	local root=$1

	make -C "$root" -s --no-print-directory build/probe-main >&2 || return 1
	ln -sf probe-main "$root/build/probe_main"
}

# make_cert DIR NAME SAN: a self-signed certificate DIR/NAME.pem with its
# key DIR/NAME.key, for the subjectAltName SAN.
make_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$1/$2.key" -out "$1/$2.pem" -days 2 -subj "/CN=$2" \
	    -addext "subjectAltName=$3" >/dev/null 2>&1
}

setup_file() {
	local root

	root=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	need_turnserver || return 1
	build_driver "$root" || return 1
	make_cert "$BATS_FILE_TMPDIR" relay IP:127.0.0.1 || return 1
	coturn_start_rest "$BATS_FILE_TMPDIR/relay.pem" \
	    "$BATS_FILE_TMPDIR/relay.key" "$SECRET" "$REALM" || return 1
	export PROBE_MAIN=$root/build/probe_main PROBE_CA=$BATS_FILE_TMPDIR/relay.pem
	export PROBE_PID=$COTURN_PID PROBE_PORT=$COTURN_PORT
	export PROBE_TLS_PORT=$COTURN_TLS_PORT PROBE_LOG=$COTURN_LOG
}

teardown_file() {
	coturn_stop "${PROBE_PID:-}"
}

setup() {
	work_in
}

teardown() {
	stop_peer
}

# probe USERNAME CREDENTIAL [ARG ...]: the driver with those credentials.
probe() {
	local user=$1 cred=$2

	shift 2
	env -i PATH="$PATH" PROBE_USERNAME="$user" PROBE_CREDENTIAL="$cred" \
	    "$PROBE_MAIN" "$@"
}

# probe_ok [ARG ...]: the driver with good TURN REST credentials.
probe_ok() {
	local user

	user=$(rest_user 3600)
	probe "$user" "$(turn_rest_password "$SECRET" "$user")" "$@"
}

# start_silent PORTFILE LOG [N]: N (default 1) UDP sockets on 127.0.0.1 and
# a TCP listener on the port of the first, none of which ever answers.  Each
# datagram is logged as "MS TID" in LOG (MS since the first one, TID the
# transaction id in hex).  Writes the ports, one a line, to PORTFILE once
# listening; sets PEER_PID.
start_silent() {
	start_peer "$1" '
import os, select, socket, sys, time
us = []
for i in range(int(sys.argv[3])):
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    us.append(u)
t = socket.socket()
t.bind(("127.0.0.1", us[0].getsockname()[1]))
t.listen(64)
with open(sys.argv[1] + ".tmp", "w") as f:
    for u in us:
        f.write("%d\n" % u.getsockname()[1])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
start = None
log = open(sys.argv[2], "w", buffering=1)
while True:
    for u in select.select(us, [], [])[0]:
        d = u.recv(2048)
        now = time.monotonic()
        start = start or now
        log.write("%d %s\n" % ((now - start) * 1000, d[8:20].hex()))
' "$2" "${3:-1}"
}

# start_fake MODE PORTFILE LOG: a TURN server over UDP on 127.0.0.1 that
# follows a script, for what coturn will not do on demand.  It checks the
# MESSAGE-INTEGRITY of requests itself (user "fake", password "pw", realm
# "fake.test") and logs one line per request: METHOD, "auth" or "noauth",
# the NONCE.  MODE: "stale" answers the first authenticated Allocate with
# 438 and a new nonce; "stale-always" does so every time; "forged" signs its
# success with the wrong key.  Sets PEER_PID.
start_fake() {
	start_peer "$2" '
import hashlib, hmac, os, socket, struct, sys
portfile, mode, logfile = sys.argv[1:4]
COOKIE = 0x2112A442
key = hashlib.md5(b"fake:fake.test:pw").digest()
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.bind(("127.0.0.1", 0))
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % u.getsockname()[1])
os.rename(portfile + ".tmp", portfile)
log = open(logfile, "w", buffering=1)

def attr(t, v):
    return struct.pack("!HH", t, len(v)) + v + b"\0" * (-len(v) % 4)

def msg(t, tid, attrs, k=None):
    body = b"".join(attrs)
    if k is not None:
        h = struct.pack("!HHI", t, len(body) + 24, COOKIE) + tid + body
        body += attr(0x0008, hmac.new(k, h, hashlib.sha1).digest())
    return struct.pack("!HHI", t, len(body), COOKIE) + tid + body

def xaddr(ip, port):
    a = struct.unpack("!I", socket.inet_aton(ip))[0] ^ COOKIE
    return struct.pack("!BBHI", 0, 1, port ^ (COOKIE >> 16), a)

def error(code, reason):
    return attr(0x0009, struct.pack("!HBB", 0, code // 100, code % 100) + reason)

nonces = iter("n%d" % i for i in range(1, 100))
nonce = next(nonces)
while True:
    d, peer = u.recvfrom(2048)
    t, n = struct.unpack("!HH", d[:4])
    tid = d[8:20]
    attrs, off, mi = {}, 20, None
    while off + 4 <= len(d):
        at, al = struct.unpack("!HH", d[off:off + 4])
        if at == 0x0008:
            mi = off
        attrs.setdefault(at, d[off + 4:off + 4 + al])
        off += 4 + al + (-al % 4)
    auth = mi is not None
    if auth:
        h = d[:2] + struct.pack("!H", mi + 24 - 20) + d[4:mi]
        if hmac.new(key, h, hashlib.sha1).digest() != d[mi + 4:mi + 24]:
            auth = False
    log.write("%s %s %s\n" % ({3: "allocate", 4: "refresh"}.get(t, t),
        "auth" if auth else "noauth", attrs.get(0x0015, b"-").decode()))
    method = t & 0x3eef
    if not auth:
        r = msg(method | 0x110, tid, [error(401, b"Unauthorized"),
            attr(0x0014, b"fake.test"), attr(0x0015, nonce.encode())])
    elif mode == "stale-always" or (mode == "stale" and nonce == "n1"):
        nonce = next(nonces)
        r = msg(method | 0x110, tid, [error(438, b"Stale Nonce"),
            attr(0x0014, b"fake.test"), attr(0x0015, nonce.encode())])
    else:
        k = b"x" * 16 if mode == "forged" else key
        a = [attr(0x000d, struct.pack("!I", 0 if method == 4 else 600))]
        if method == 3:
            a += [attr(0x0016, xaddr("127.0.0.1", 50000)),
                attr(0x0020, xaddr(*peer))]
        r = msg(method | 0x100, tid, a, k)
    u.sendto(r, peer)
' "$1" "$3"
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# assert_result URL STATUS: stdout has the driver's line for URL with
# STATUS; the line is left in RESULT.
assert_result() {
	local l

	for l in "${lines[@]}"; do
		if [[ $l == "$1 "* ]]; then
			RESULT=$l
			if [[ $l == "$1 $2 "* ]]; then
				return 0
			fi
			printf 'expected %s for %s\n' "$2" "$1"
			show_run
			return 1
		fi
	done
	printf 'no line for %s\n' "$1"
	show_run
	return 1
}

# probe_is STATUS RESULT PATTERN [ARG ...] URL: probe_ok ARGs URL, through
# run --separate-stderr, exits STATUS and URL's line says RESULT and
# matches PATTERN.
probe_is() {
	local status=$1 result=$2 pattern=$3 url=${*: -1}

	shift 3
	run --separate-stderr probe_ok "$@"
	assert_status "$status"
	assert_result "$url" "$result"
	assert_match "$RESULT" "$pattern"
}

# times_out DEADLINE_MS URL SENT: probe_ok -t DEADLINE_MS URL, a silent
# server, through run --separate-stderr: URL timed out having SENT ("3
# requests sent"); ms gets the milliseconds it took.
times_out() {
	local t0

	t0=$(now_ms)
	run --separate-stderr probe_ok -t "$1" "$2"
	ms=$(($(now_ms) - t0))
	assert_status 1
	assert_result "$2" timeout
	assert_match "$RESULT" "error=no answer within the deadline \\($3\\)\$"
}

# probe_fake MODE [ARG ...]: the fake TURN server of start_fake in MODE
# (its port in port, what it was asked in requests), probed at FAKE_URL
# over UDP with the user fake, password pw and ARGs, through run
# --separate-stderr.
probe_fake() {
	local mode=$1

	shift
	start_fake "$mode" port requests
	FAKE_URL="turn:127.0.0.1:$(<port)?transport=udp"
	run --separate-stderr probe fake pw "$@" "$FAKE_URL"
}

# An allocation that worked: a relayed and a mapped address on loopback,
# a lifetime, an RTT, no error.
ALLOCATED='relayed=127\.0\.0\.1:[0-9]+ mapped=127\.0\.0\.1:[0-9]+ rtt=[0-9]+ lifetime=[1-9][0-9]* error=$'

@test "TURN over UDP: REST credentials allocate, and the allocation is released" {
	local url="turn:127.0.0.1:$PROBE_PORT?transport=udp" mark

	mark=$(coturn_log_mark "$PROBE_LOG")
	probe_is 0 ok "$ALLOCATED" "$url"
	# The 401 challenge, the allocation, then a Refresh to lifetime 0.
	coturn_log_wait "$PROBE_LOG" "$mark" "error 401: Unauthorized"
	coturn_log_wait "$PROBE_LOG" "$mark" "incoming packet ALLOCATE processed, success"
	coturn_log_wait "$PROBE_LOG" "$mark" ":probe>, lifetime=0"
}

@test "TURN over TCP: REST credentials allocate" {
	local url="turn:127.0.0.1:$PROBE_PORT?transport=tcp" mark

	mark=$(coturn_log_mark "$PROBE_LOG")
	probe_is 0 ok "$ALLOCATED" "$url"
	coturn_log_wait "$PROBE_LOG" "$mark" ":probe>, lifetime=0"
}

@test "TURN over TLS: allocates when the certificate verifies against --cacert" {
	local url="turns:127.0.0.1:$PROBE_TLS_PORT"

	probe_is 0 ok "$ALLOCATED" -C "$PROBE_CA" "$url"
}

@test "TURN over TLS: a certificate no CA vouches for is refused" {
	local url="turns:127.0.0.1:$PROBE_TLS_PORT"

	probe_is 1 error 'relayed= .* error=TLS: certificate not trusted: self-signed certificate; give the CA that signed it with --cacert FILE$' "$url"
}

@test "TURN over TLS: a certificate for another name is refused, even from a trusted CA" {
	# The certificate names IP 127.0.0.1, not localhost.
	local url="turns:localhost:$PROBE_TLS_PORT"

	probe_is 1 error 'error=TLS: certificate not trusted: .*mismatch$' -C "$PROBE_CA" "$url"
}

@test "TURN over TLS: the insecure switch accepts a self-signed relay" {
	local url="turns:localhost:$PROBE_TLS_PORT"

	probe_is 0 ok "$ALLOCATED" -k "$url"
}

@test "STUN binding over UDP and TLS reports the mapped address" {
	local udp="stun:127.0.0.1:$PROBE_PORT" tls="stuns:127.0.0.1:$PROBE_TLS_PORT"

	run --separate-stderr probe_ok -C "$PROBE_CA" "$udp" "$tls"
	assert_status 0
	assert_result "$udp" ok
	assert_match "$RESULT" '^stun:[^ ]+ ok relayed= mapped=127\.0\.0\.1:[0-9]+ rtt=[0-9]+ lifetime=0 error=$'
	assert_result "$tls" ok
	assert_match "$RESULT" 'relayed= mapped=127\.0\.0\.1:[0-9]+ rtt=[0-9]+ lifetime=0 error=$'
}

@test "a wrong password is bad credentials on every transport, and never shown" {
	local user pass=wrong-password-4f2a9 u t s

	user=$(rest_user 3600)
	u="turn:127.0.0.1:$PROBE_PORT?transport=udp"
	t="turn:127.0.0.1:$PROBE_PORT?transport=tcp"
	s="turns:127.0.0.1:$PROBE_TLS_PORT"
	run --separate-stderr probe "$user" "$pass" -vv -C "$PROBE_CA" "$u" "$t" "$s"
	assert_status 1
	assert_result "$u" bad-credentials
	assert_match "$RESULT" 'error=credentials refused: 401 Unauthorized$'
	assert_result "$t" bad-credentials
	assert_result "$s" bad-credentials
	[[ $output != *"$pass"* ]] || { show_run; return 1; }
	[[ $stderr != *"$pass"* ]] || { show_run; return 1; }
	# -vv told how it went.
	assert_stderr_contains "401 Unauthorized, authenticating"
}

@test "an expired TURN REST username with the right HMAC is refused" {
	local user url="turn:127.0.0.1:$PROBE_PORT?transport=udp" mark

	user=$(rest_user -60)
	mark=$(coturn_log_mark "$PROBE_LOG")
	run --separate-stderr probe "$user" "$(turn_rest_password "$SECRET" "$user")" "$url"
	assert_status 1
	assert_result "$url" bad-credentials
	assert_match "$RESULT" 'relayed= '
	coturn_log_wait "$PROBE_LOG" "$mark" "error 401"
}

@test "a closed port is unreachable at once, over UDP, TCP and TLS" {
	local p t0 t1

	p=$(free_port udp)
	t0=$(now_ms)
	run --separate-stderr probe_ok -t 4000 "stun:127.0.0.1:$p" \
	    "turn:127.0.0.1:$p?transport=udp" "turn:127.0.0.1:$p?transport=tcp" \
	    "turns:127.0.0.1:$p"
	t1=$(now_ms)
	assert_status 1
	assert_result "stun:127.0.0.1:$p" unreachable
	assert_match "$RESULT" 'error=recv: Connection refused$'
	assert_result "turn:127.0.0.1:$p?transport=udp" unreachable
	assert_result "turn:127.0.0.1:$p?transport=tcp" unreachable
	assert_match "$RESULT" 'error=connect: Connection refused$'
	assert_result "turns:127.0.0.1:$p" unreachable
	# ICMP and RST arrive at once: no waiting for the deadline.
	((t1 - t0 < 2000)) || { echo "took $((t1 - t0)) ms"; return 1; }
}

@test "a silent UDP server times out at the deadline after retransmissions at 0, 500, 1500 ms" {
	local p ms first

	start_silent port dgrams
	p=$(<port)
	times_out 2000 "stun:127.0.0.1:$p" "3 requests sent"
	((ms >= 1900 && ms < 2600)) || { echo "took $ms ms"; return 1; }
	# The same transaction sent three times, RTO 500 ms doubling.
	mapfile -t got <dgrams
	[[ ${#got[@]} -eq 3 ]] || { printf '%s\n' "${got[@]}"; return 1; }
	first=${got[0]#* }
	[[ ${got[1]#* } == "$first" && ${got[2]#* } == "$first" ]] ||
	    { printf '%s\n' "${got[@]}"; return 1; }
	((${got[1]%% *} >= 450 && ${got[1]%% *} <= 700)) ||
	    { printf '%s\n' "${got[@]}"; return 1; }
	((${got[2]%% *} >= 1400 && ${got[2]%% *} <= 1700)) ||
	    { printf '%s\n' "${got[@]}"; return 1; }
}

@test "a silent TCP server times out at the deadline, one request sent" {
	local p ms

	start_silent port dgrams
	p=$(<port)
	times_out 1500 "turn:127.0.0.1:$p?transport=tcp" "1 request sent"
	((ms >= 1400 && ms < 2100)) || { echo "took $ms ms"; return 1; }
}

@test "a whole list is probed at once under one deadline, results in list order" {
	local t0 t1 i p urls=() ports=()

	# The real servers first, then 20 silent ones: more than run at once,
	# so the last start late and must still end at the one deadline.
	start_silent ports dgrams 20
	mapfile -t ports <ports
	urls=("turn:127.0.0.1:$PROBE_PORT?transport=udp"
	    "turns:127.0.0.1:$PROBE_TLS_PORT"
	    "turn:127.0.0.1:$PROBE_PORT?transport=tcp")
	for p in "${ports[@]}"; do
		urls+=("turn:127.0.0.1:$p?transport=udp")
	done
	t0=$(now_ms)
	run --separate-stderr probe_ok -t 1500 -C "$PROBE_CA" "${urls[@]}"
	t1=$(now_ms)
	assert_status 1
	[[ ${#lines[@]} -eq 23 ]] || { show_run; return 1; }
	for ((i = 0; i < 23; i++)); do
		[[ ${lines[i]} == "${urls[i]} "* ]] ||
		    { echo "line $i is not ${urls[i]}"; show_run; return 1; }
	done
	for ((i = 0; i < 3; i++)); do
		assert_match "${lines[i]}" "^[^ ]+ ok $ALLOCATED"
	done
	for ((i = 3; i < 23; i++)); do
		assert_match "${lines[i]}" '^[^ ]+ timeout '
	done
	((t1 - t0 >= 1400 && t1 - t0 < 2200)) || { echo "took $((t1 - t0)) ms"; return 1; }
}

@test "filtering a probed list keeps only the servers that worked" {
	local p good bad stun

	p=$(free_port udp)
	good="turn:127.0.0.1:$PROBE_PORT?transport=udp"
	bad="turn:127.0.0.1:$p?transport=udp"
	stun="stun:127.0.0.1:$PROBE_PORT"
	run --separate-stderr probe_ok -F "$good" "$bad" "$stun"
	assert_status 1
	assert_result "$bad" unreachable
	[[ ${lines[3]} == "kept $good" && ${lines[4]} == "kept $stun" &&
	    ${#lines[@]} -eq 5 ]] || { show_run; return 1; }
}

@test "a stale nonce (438) is retried once with the new nonce, and the release signed with it" {
	probe_fake stale
	assert_status 0
	assert_result "$FAKE_URL" ok
	assert_match "$RESULT" 'relayed=127\.0\.0\.1:50000 mapped=127\.0\.0\.1:[0-9]+ rtt=[0-9]+ lifetime=600 error=$'
	# Every authenticated request passed the server's own HMAC check.
	run cat requests
	assert_stdout "allocate noauth -
allocate auth n1
allocate auth n2
refresh auth n2"
}

@test "a second stale nonce in a row is an error, not a loop" {
	probe_fake stale-always
	assert_status 1
	assert_result "$FAKE_URL" error
	assert_match "$RESULT" 'error=allocation refused: 438 Stale Nonce$'
	run cat requests
	assert_stdout "allocate noauth -
allocate auth n1
allocate auth n2"
}

@test "a success answer that fails MESSAGE-INTEGRITY is not believed" {
	probe_fake forged -t 1200
	assert_status 1
	assert_result "$FAKE_URL" error
	assert_match "$RESULT" 'relayed= .*error=answers failed the MESSAGE-INTEGRITY check'
}

# sni_seen HOST: probes stuns:HOST at a one-shot TLS server on a free port
# and prints what it logged about the name the client sent.
sni_seen() {
	local p i

	p=$(free_port tcp)
	openssl s_server -www -naccept 1 -accept "127.0.0.1:$p" \
	    -cert "$PROBE_CA" -key "${PROBE_CA%.pem}.key" \
	    -servername localhost -cert2 "$PROBE_CA" \
	    -key2 "${PROBE_CA%.pem}.key" </dev/null >"sni.$1" 2>&1 3>&- &
	PEER_PID=$!
	for ((i = 0; i < 100; i++)); do
		grep -q ACCEPT "sni.$1" 2>/dev/null && break
		sleep 0.05
	done
	probe x y -k -t 500 "stuns:$1:$p" >/dev/null || true
	wait "$PEER_PID" 2>/dev/null || true
	PEER_PID=
	grep -a 'TLS extension' "sni.$1" || true
}

@test "TLS sends the host name as SNI, and no SNI for an address" {
	run sni_seen localhost
	assert_stdout 'Hostname in TLS extension: "localhost"'
	run sni_seen 127.0.0.1
	assert_no_stdout
}
