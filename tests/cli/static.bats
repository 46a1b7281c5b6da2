#!/usr/bin/env bats
# static.bats: the statically linked build/static/iceupd that `make static`
# makes.  It must run where nothing else is installed: an empty root with
# only the binary, /etc/hosts, /etc/resolv.conf and a CA bundle, no /lib and
# no NSS module.  Host names there are resolved by c-ares, from /etc/hosts
# or by asking the name server in /etc/resolv.conf.
# `make test` does not build it: these tests are skipped until `make static`.

bats_require_minimum_version 1.5.0
load helpers

STATIC="$BATS_TEST_DIRNAME/../../build/static/iceupd"
PREFIX="$BATS_TEST_DIRNAME/../../build/deps/prefix"
# A name that only the empty root's /etc/hosts knows, and one that only the
# test DNS server knows.
TEST_HOST=api.iceupd.test
DNS_HOST=dns.iceupd.test
SID=AC0123456789abcdef0123456789abcdef

setup_file() {
	local d=$BATS_FILE_TMPDIR

	[[ -x $STATIC ]] || return 0	# every test skips

	# A test CA and a server certificate for the test names.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/ca.key" -out "$d/ca.pem" -days 2 -subj "/CN=iceupd static test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$d/server.key" -out "$d/server.csr" -subj "/CN=localhost" \
	    2>/dev/null
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "extendedKeyUsage=serverAuth" \
	    "subjectAltName=DNS:localhost,DNS:$TEST_HOST,DNS:$DNS_HOST,IP:127.0.0.1" \
	    >"$d/server.ext"
	openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
	    -CAcreateserial -days 2 -extfile "$d/server.ext" \
	    -out "$d/server.pem" 2>/dev/null

	write_server "$d/server.py"
	write_probe "$d/probe.c"
	# The probe is linked against the same static libcurl as the binary.
	if [[ -f $PREFIX/lib/libcurl.a ]]; then
		# shellcheck disable=SC2046
		cc -std=c11 -Wall -Werror -static -O1 -I"$PREFIX/include" \
		    -o "$d/probe" "$d/probe.c" \
		    $(PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig \
		    pkg-config --static --libs libcurl) -pthread \
		    2>"$d/probe.log" || true
	fi
}

setup() {
	if [[ ! -x $STATIC ]]; then
		skip "no build/static/iceupd: run 'make static' first"
	fi
	cd "$BATS_TEST_TMPDIR" || return 1
	ROOT=$BATS_TEST_TMPDIR/root
	SERVER_PIDS=()
}

teardown() {
	stop_pids "${SERVER_PIDS[@]}"
}

need_root() {
	if [[ $(id -u) -ne 0 ]] || ! command -v chroot >/dev/null; then
		skip "needs root and chroot for the empty root"
	fi
}

need_probe() {
	if [[ ! -x $BATS_FILE_TMPDIR/probe ]]; then
		skip "no static libcurl in build/deps/prefix to link the probe with"
	fi
}

# make_root [FILE ...]: an empty root holding the static binary as /iceupd,
# /etc/hosts, /etc/resolv.conf (a name server on loopback, where nothing
# listens unless a test starts its DNS server), the system's CA bundle at the path
# libcurl was built with, the test CA as /ca.pem, and the FILEs in /.
make_root() {
	local f

	mkdir -p "$ROOT/etc/ssl/certs"
	cp "$STATIC" "$ROOT/iceupd"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost\n127.0.0.1\t%s\n' \
	    "$TEST_HOST" >"$ROOT/etc/hosts"
	echo "nameserver 127.0.0.1" >"$ROOT/etc/resolv.conf"
	if [[ -f /etc/ssl/certs/ca-certificates.crt ]]; then
		cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/"
	else
		: >"$ROOT/etc/ssl/certs/ca-certificates.crt"
	fi
	cp "$BATS_FILE_TMPDIR/ca.pem" "$ROOT/ca.pem"
	for f in "$@"; do
		cp "$f" "$ROOT/"
	done
}

# in_root CMD [ARG ...]: runs CMD inside the empty root, with an empty
# environment but for the NAME=VALUE words before CMD.
in_root() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	env -i "${vars[@]}" "$(command -v chroot)" "$ROOT" "$@"
}

# start_server MODE: a test server on 127.0.0.1 that logs what it was asked
# to MODE.log.  twilio: HTTPS answering the Twilio token request; ws: a
# WebSocket echo over TLS; dns: a DNS server on port 53 that knows one name,
# $DNS_HOST.  Sets PORT; returns 1 when the server could not start.
start_server() {
	local _

	python3 "$BATS_FILE_TMPDIR/server.py" "$1" "$BATS_FILE_TMPDIR/server.pem" \
	    "$BATS_FILE_TMPDIR/server.key" "$1.port" "$1.log" \
	    >"$1.out" 2>&1 3>&- &
	SERVER_PIDS+=("$!")
	for _ in $(seq 100); do
		[[ -s $1.port ]] && break
		kill -0 "$!" 2>/dev/null || break
		sleep 0.05
	done
	PORT=$(cat "$1.port" 2>/dev/null)
	if [[ -z $PORT ]]; then
		cat "$1.out"
		return 1
	fi
}

@test "static: the binary is a static x86-64 executable with no interpreter" {
	run file -b "$STATIC"
	[[ $output == *"ELF 64-bit"*"x86-64"*"statically linked"* ]] || {
		echo "file: $output"; return 1; }
	run ldd "$STATIC"
	[[ $status -ne 0 || $output == *"not a dynamic executable"* ||
	    $output == *"statically linked"* ]] || { echo "ldd: $output"; return 1; }
	run readelf -ld "$STATIC"
	[[ $output != *"INTERP"* && $output != *"NEEDED"* ]] || {
		echo "$output"; return 1; }
}

@test "static: it is at most 8 MiB" {
	local size

	size=$(stat -c %s "$STATIC")
	[[ $size -le $((8 * 1024 * 1024)) ]] || {
		echo "size $size bytes"; return 1; }
}

@test "static: --version names the libraries it was built with" {
	run --separate-stderr "$STATIC" --version
	assert_status 0
	assert_no_stderr
	assert_match "$output" $'(^|\n)libcurl 7\\.[0-9]+\\.[0-9]+'
	assert_match "$output" $'(^|\n)OpenSSL 3\\.'
	assert_match "$output" $'(^|\n)cJSON [0-9]'
	assert_match "$output" $'(^|\n)libconfig [0-9]'
	assert_match "$output" $'(^|\n)expat[ _][0-9]'
	# When --version lists libcurl's protocols, WebSocket is among them.
	if [[ $output == *" https "* || $output == *"https,"* ]]; then
		[[ $output == *ws* && $output == *wss* ]] || {
			echo "no ws/wss in: $output"; return 1; }
	fi
}

@test "static: its libcurl has HTTPS, WebSocket, HTTP/2 and the c-ares resolver" {
	need_probe
	run --separate-stderr "$BATS_FILE_TMPDIR/probe" version
	assert_status 0
	local p
	for p in " http " " https " " ws " " wss "; do
		[[ " ${lines[*]} " == *"protocols"*"$p"* ]] || {
			echo "protocol${p}missing"; show_run; return 1; }
	done
	for p in SSL HTTP2 AsynchDNS IPv6; do
		[[ $output == *"features"*" $p"* ]] || {
			echo "feature $p missing"; show_run; return 1; }
	done
	assert_match "$output" $'\nssl OpenSSL/3\\.'
	assert_match "$output" $'\nares 1\\.[0-9]+'
	assert_match "$output" $'\nnghttp2 1\\.[0-9]+'
	# Nothing a minimal build leaves out.
	for p in " ftp " " file " " ldap " " smtp " " IDN" " GSS-API" " brotli" \
	    " zstd" " PSL"; do
		[[ $output != *"$p"* ]] || { echo "unexpected:$p"; show_run; return 1; }
	done
}

@test "static: in an empty root, iceupd prints the default STUN list" {
	need_root
	make_root
	run --separate-stderr in_root /iceupd
	assert_status 0
	assert_no_stderr
	assert_stdout "$DEFAULT_STUN"
	[[ ! -e $ROOT/lib && ! -e $ROOT/usr ]]
}

# root_with_twilio: an empty root (as root) and the fake Twilio.
root_with_twilio() {
	need_root
	make_root
	start_server twilio
}

# twilio_in_root HOST [ARG ...]: /iceupd -p twilio --no-cache ARGs in the
# root, the fake Twilio's API at HOST, through run --separate-stderr.
twilio_in_root() {
	local host=$1

	shift
	run --separate-stderr in_root TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_AUTH_TOKEN=x TWILIO_API_BASE="https://$host:$PORT" \
	    /iceupd -p twilio --no-cache "$@"
}

@test "static: in an empty root, HTTPS to a name from /etc/hosts works (Twilio)" {
	root_with_twilio
	twilio_in_root "$TEST_HOST" --cacert /ca.pem -t 8000
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["stun:127.0.0.1:3478"]},{"urls":["turn:127.0.0.1:3478?transport=udp","turns:127.0.0.1:5349?transport=tcp"],"username":"static-user","credential":"static-pass"}]'
	run cat twilio.log
	assert_line "POST /2010-04-01/Accounts/$SID/Tokens.json Basic $(printf '%s:x' "$SID" | base64 -w0)"
}

@test "static: in an empty root, HTTPS to localhost works" {
	# libcurl answers "localhost" itself, without a resolver.
	root_with_twilio
	twilio_in_root localhost --cacert /ca.pem -f json -t 8000
	assert_status 0
	assert_jq '.provider == "twilio" and .has_turn == true'
}

@test "static: in an empty root, a certificate from an unknown CA is refused" {
	root_with_twilio
	twilio_in_root "$TEST_HOST" -t 8000
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "twilio" "certificate"
	[[ ! -s twilio.log ]]
}

# fetch_in_root [ARG ...]: the Twilio fetch of the test server, in the empty
# root, with the ARGs.
fetch_in_root() {
	twilio_in_root "$TEST_HOST" -t 8000 "$@"
}

# hash_ca PEM: installs PEM in the empty root's /etc/ssl/certs under its
# OpenSSL hashed name, as update-ca-certificates does.
hash_ca() {
	cp "$1" "$ROOT/etc/ssl/certs/$(openssl x509 -hash -noout -in "$1").0"
}

# other_ca: a second CA, which signed nothing the tests serve; sets OTHER_CA.
other_ca() {
	OTHER_CA=$BATS_TEST_TMPDIR/other-ca.pem
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$BATS_TEST_TMPDIR/other-ca.key" -out "$OTHER_CA" -days 2 \
	    -subj "/CN=iceupd other test CA" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign" 2>/dev/null
}

@test "static: in an empty root, the system's CAs are looked up by hashed name beside the bundle" {
	# The bundle lacks the test CA; only its hashed name in /etc/ssl/certs
	# can make the server's certificate verify.
	need_root
	make_root
	hash_ca "$BATS_FILE_TMPDIR/ca.pem"
	start_server twilio
	fetch_in_root
	assert_status 0
	assert_no_stderr
	[[ -s twilio.log ]]
}

@test "static: in an empty root, --cacert is trusted besides a hashed CA directory, which still counts" {
	need_root
	make_root
	other_ca
	cp "$OTHER_CA" "$ROOT/other.pem"
	start_server twilio
	hash_ca "$OTHER_CA"
	fetch_in_root --cacert /ca.pem
	assert_status 0
	assert_no_stderr

	rm "$ROOT"/etc/ssl/certs/*.0
	hash_ca "$BATS_FILE_TMPDIR/ca.pem"
	fetch_in_root --cacert /other.pem
	assert_status 0
	assert_no_stderr

	rm "$ROOT"/etc/ssl/certs/*.0
	hash_ca "$OTHER_CA"
	fetch_in_root
	assert_status 1
	assert_stderr_contains "twilio" "certificate"
}

@test "static: in an empty root, names that are not hashed leave the bundle in use" {
	need_root
	make_root
	other_ca
	cp "$BATS_FILE_TMPDIR/ca.pem" "$ROOT/etc/ssl/certs/ca-certificates.crt"
	h=$(openssl x509 -hash -noout -in "$OTHER_CA")
	for n in "$h.pem" "$h.x" "$h." "x$h.0" "0123ABCD.0" "${h:1}.0"; do
		cp "$OTHER_CA" "$ROOT/etc/ssl/certs/$n"
	done
	start_server twilio
	fetch_in_root
	assert_status 0
	assert_no_stderr
}

@test "static: in an empty root, a name is resolved by the DNS server in resolv.conf" {
	need_root
	make_root
	if ss -Hlun 'sport = :53' 2>/dev/null | grep -q . ||
	    ! start_server dns; then
		skip "cannot run a DNS server on 127.0.0.1:53"
	fi
	start_server twilio
	twilio_in_root "$DNS_HOST" --cacert /ca.pem -f json -t 8000
	assert_status 0
	assert_jq '.provider == "twilio" and .has_turn == true'
	run cat dns.log
	assert_line "A $DNS_HOST"
}

@test "static: in an empty root, an unknown host name fails cleanly" {
	need_root
	make_root
	run --separate-stderr in_root TWILIO_ACCOUNT_SID=$SID \
	    TWILIO_AUTH_TOKEN=x TWILIO_API_BASE="https://nowhere.iceupd.test" \
	    /iceupd -p twilio --no-cache -t 3000
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "nowhere.iceupd.test"
}

@test "static: in an empty root, a wss:// WebSocket round trip works" {
	need_root
	need_probe
	make_root "$BATS_FILE_TMPDIR/probe"
	start_server ws
	run --separate-stderr in_root /probe ws \
	    "wss://$TEST_HOST:$PORT/xmpp-websocket" /ca.pem \
	    "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.org' version='1.0'/>"
	assert_status 0
	assert_stdout "<open xmlns='urn:ietf:params:xml:ns:xmpp-framing' to='example.org' version='1.0'/>"
	run cat ws.log
	assert_line "GET /xmpp-websocket websocket 13 xmpp"
}

# --- the test server and the libcurl probe ------------------------------------

write_server() {
	cat >"$1" <<'EOF'
"""Test server on 127.0.0.1: HTTPS Twilio token API, or a WebSocket echo."""
import base64, hashlib, http.server, json, re, socketserver, ssl, sys

mode, cert, key, portfile, logfile = sys.argv[1:6]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)


def log(line):
    with open(logfile, "a") as f:
        f.write(line + "\n")


class Twilio(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        auth = (self.headers.get("Authorization") or "").split(" ", 1)
        log(" ".join([self.command, self.path] + auth))
        if not re.fullmatch(r"/2010-04-01/Accounts/AC[0-9a-f]{32}/Tokens\.json",
                            self.path):
            self.send_error(404)
            return
        body = json.dumps({
            "username": "static-user", "password": "static-pass",
            "ttl": "86400",
            "ice_servers": [
                {"url": "stun:127.0.0.1:3478", "urls": "stun:127.0.0.1:3478"},
                {"url": "turn:127.0.0.1:3478?transport=udp",
                 "urls": "turn:127.0.0.1:3478?transport=udp",
                 "username": "static-user", "credential": "static-pass"},
                {"url": "turns:127.0.0.1:5349?transport=tcp",
                 "urls": "turns:127.0.0.1:5349?transport=tcp",
                 "username": "static-user", "credential": "static-pass"},
            ]}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Echo(socketserver.BaseRequestHandler):
    GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

    def read(self, n):
        while len(self.buf) < n:
            d = self.request.recv(65536)
            if not d:
                raise EOFError
            self.buf += d
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def frame(self, op, payload):
        n = len(payload)
        head = bytes([0x80 | op])
        if n < 126:
            head += bytes([n])
        elif n < 65536:
            head += bytes([126]) + n.to_bytes(2, "big")
        else:
            head += bytes([127]) + n.to_bytes(8, "big")
        self.request.sendall(head + payload)

    def handle(self):
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            d = self.request.recv(65536)
            if not d:
                return
            self.buf += d
        head, self.buf = self.buf.split(b"\r\n\r\n", 1)
        lines = head.decode("latin-1").split("\r\n")
        h = {}
        for line in lines[1:]:
            k, _, v = line.partition(":")
            h[k.strip().lower()] = v.strip()
        proto = h.get("sec-websocket-protocol", "").split(",")[0].strip()
        log(" ".join([lines[0].split(" ")[0], lines[0].split(" ")[1],
                      h.get("upgrade", "-").lower(),
                      h.get("sec-websocket-version", "-"), proto or "-"]))
        accept = base64.b64encode(hashlib.sha1(
            (h.get("sec-websocket-key", "") + self.GUID).encode()).digest())
        resp = ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Accept: %s\r\n"
                % accept.decode())
        if proto:
            resp += "Sec-WebSocket-Protocol: %s\r\n" % proto
        self.request.sendall((resp + "\r\n").encode())
        try:
            while True:
                b0, b1 = self.read(2)
                op, n = b0 & 0x0F, b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(self.read(2), "big")
                elif n == 127:
                    n = int.from_bytes(self.read(8), "big")
                mask = self.read(4) if b1 & 0x80 else b"\0\0\0\0"
                data = bytes(c ^ mask[i % 4] for i, c in enumerate(self.read(n)))
                if op == 8:
                    self.frame(8, data[:2])
                    return
                if op == 9:
                    self.frame(10, data)
                elif op in (1, 2):
                    self.frame(op, data)
        except (EOFError, ConnectionError, ssl.SSLError):
            pass


def dns():
    """Answers A queries for dns.iceupd.test with 127.0.0.1: NXDOMAIN for
    any other name, no answer for other types of that one."""
    import socket
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 53))
    with open(portfile, "w") as f:
        f.write("53\n")
    while True:
        q, peer = s.recvfrom(4096)
        i, labels = 12, []
        while i < len(q) and q[i]:
            labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
            i += 1 + q[i]
        qtype = int.from_bytes(q[i + 1:i + 3], "big")
        end = i + 5
        name = ".".join(labels).lower()
        log("%s %s" % ({1: "A", 28: "AAAA"}.get(qtype, str(qtype)), name))
        known = name == "dns.iceupd.test"
        answer = b""
        if known and qtype == 1:
            answer = (b"\xc0\x0c\x00\x01\x00\x01" + (60).to_bytes(4, "big")
                      + b"\x00\x04" + bytes([127, 0, 0, 1]))
        flags = 0x8180 | (0 if known else 3)
        head = (q[:2] + flags.to_bytes(2, "big") + b"\x00\x01"
                + (1 if answer else 0).to_bytes(2, "big") + b"\x00\x00\x00\x00")
        s.sendto(head + q[12:end] + answer, peer)


open(logfile, "w").close()
if mode == "dns":
    dns()
if mode == "twilio":
    srv = http.server.HTTPServer(("127.0.0.1", 0), Twilio)
else:
    srv = socketserver.TCPServer(("127.0.0.1", 0), Echo)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
with open(portfile + ".tmp", "w") as f:
    f.write("%d\n" % srv.server_address[1])
import os
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
EOF
}

write_probe() {
	cat >"$1" <<'EOF'
/* probe.c: what the static libcurl can do.
 *   probe version                  its version, TLS, resolver, protocols, features
 *   probe ws URL CAFILE MESSAGE    a WebSocket (XMPP subprotocol) round trip:
 *                                  sends MESSAGE, prints the echo */
#define _POSIX_C_SOURCE 200809L
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static int
version(void)
{
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
	const char *const *p;

	printf("version %s\n", v->version);
	printf("ssl %s\n", v->ssl_version ? v->ssl_version : "none");
	printf("ares %s\n", v->ares ? v->ares : "none");
	printf("nghttp2 %s\n", v->nghttp2_version ? v->nghttp2_version : "none");
	printf("protocols");
	for (p = v->protocols; *p != NULL; p++)
		printf(" %s", *p);
	printf("\nfeatures");
	for (p = v->feature_names; p != NULL && *p != NULL; p++)
		printf(" %s", *p);
	printf("\n");
	return 0;
}

static int
ws(const char *url, const char *ca, const char *msg)
{
	struct curl_slist *h = NULL;
	struct curl_ws_frame *meta;	/* const from curl 8 on */
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char	 err[CURL_ERROR_SIZE] = "", buf[65536];
	size_t	 sent, got = 0, n;
	CURLcode cc;
	CURL	*c;
	int	 i;

	c = curl_easy_init();
	h = curl_slist_append(h, "Sec-WebSocket-Protocol: xmpp");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CAINFO, ca);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_CONNECT_ONLY, 2L);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 10L);
	if ((cc = curl_easy_perform(c)) != CURLE_OK) {
		fprintf(stderr, "probe: %s: %s\n", url,
		    err[0] ? err : curl_easy_strerror(cc));
		return 1;
	}
	if ((cc = curl_ws_send(c, msg, strlen(msg), &sent, 0, CURLWS_TEXT)) !=
	    CURLE_OK || sent != strlen(msg)) {
		fprintf(stderr, "probe: send: %s\n", curl_easy_strerror(cc));
		return 1;
	}
	for (i = 0; i < 500 && got < strlen(msg); i++) {
		cc = curl_ws_recv(c, buf + got, sizeof(buf) - 1 - got, &n, &meta);
		if (cc == CURLE_AGAIN) {
			nanosleep(&tick, NULL);
			continue;
		}
		if (cc != CURLE_OK) {
			fprintf(stderr, "probe: recv: %s\n", curl_easy_strerror(cc));
			return 1;
		}
		if (!(meta->flags & CURLWS_TEXT)) {
			fprintf(stderr, "probe: not a text frame (flags %d)\n",
			    meta->flags);
			return 1;
		}
		got += n;
	}
	buf[got] = '\0';
	printf("%s\n", buf);
	curl_ws_send(c, "", 0, &sent, 0, CURLWS_CLOSE);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	return got == strlen(msg) ? 0 : 1;
}

int
main(int argc, char **argv)
{
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (argc == 2 && strcmp(argv[1], "version") == 0)
		rc = version();
	else if (argc == 5 && strcmp(argv[1], "ws") == 0)
		rc = ws(argv[2], argv[3], argv[4]);
	else {
		fprintf(stderr, "usage: probe version | probe ws URL CAFILE MESSAGE\n");
		rc = 2;
	}
	curl_global_cleanup();
	return rc;
}
EOF
}
