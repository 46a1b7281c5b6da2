#!/bin/sh
# ca.sh DIR: a test CA and a server certificate for 127.0.0.1 and localhost,
# for the fake hosted APIs (hosted.py) that iceupd talks to with --cacert.
#
# Writes into DIR (created when missing):
#   ca.pem       the CA certificate: give it to iceupd --cacert / ICEUPD_CA_FILE
#   server.pem   the server certificate, signed by the CA
#   server.key   its private key
# (ca.key stays there too.)  EC P-256 keys, so it takes a few milliseconds.
# Idempotent: when DIR already holds a complete set, nothing is redone.
# Every file is written under a temporary name and renamed into place, so a
# second run at the same time never sees half a file.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 DIR" >&2
	exit 2
fi
dir=$1
mkdir -p "$dir"
cd "$dir"

if [ -s ca.pem ] && [ -s server.pem ] && [ -s server.key ] &&
    openssl verify -CAfile ca.pem server.pem >/dev/null 2>&1; then
	exit 0
fi

tmp=$(mktemp -d ./.ca.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
umask 077

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tmp/ca.key" 2>/dev/null
openssl req -x509 -new -key "$tmp/ca.key" -sha256 -days 3650 \
    -subj "/CN=iceupd test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$tmp/ca.pem"

openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
    -out "$tmp/server.key" 2>/dev/null
openssl req -new -key "$tmp/server.key" -subj "/CN=localhost" \
    -out "$tmp/server.csr"
cat >"$tmp/server.ext" <<'EOF'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1,DNS:localhost
EOF
openssl x509 -req -in "$tmp/server.csr" -CA "$tmp/ca.pem" \
    -CAkey "$tmp/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
    -sha256 -days 3650 -extfile "$tmp/server.ext" \
    -out "$tmp/server.pem" 2>/dev/null
openssl verify -CAfile "$tmp/ca.pem" "$tmp/server.pem" >/dev/null

chmod 0644 "$tmp/ca.pem" "$tmp/server.pem"
chmod 0600 "$tmp/ca.key" "$tmp/server.key"
# Keys first, then certificates, the CA last: a reader that finds ca.pem
# finds the rest.
mv -f "$tmp/ca.key" ca.key
mv -f "$tmp/server.key" server.key
mv -f "$tmp/server.pem" server.pem
mv -f "$tmp/ca.pem" ca.pem
