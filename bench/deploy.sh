#!/usr/bin/env bash
# deploy.sh: what `iceupd deploy` costs Google per service: requests, TLS
# handshakes (as iceupd -v reports them) and the TLS connections the fake
# Google APIs (tests/mocks/google.py on 127.0.0.1) saw, for 1, 4 and 16
# services updated in one run.  The token comes from a service-account key
# (a call to the fake's token endpoint) and every rollout needs three :wait
# calls, so a service takes token (once per run), GET, PATCH and 3 :wait.
# Prints a markdown table; the wall time includes the fake's TLS.
#
#   bench/deploy.sh                      (the binary of this tree)
#   BENCH_BASELINE=/path/to/iceupd bench/deploy.sh   (and another, to compare)
#
# Needs python3, jq and openssl.
set -euo pipefail

cd "$(dirname "$0")/.."
TMP=$(mktemp -d)
FAKE=

cleanup() {
	if [[ -n $FAKE ]]; then
		kill -TERM "$FAKE" 2>/dev/null || true
		wait "$FAKE" 2>/dev/null || true
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in python3 jq openssl; do
	command -v "$tool" >/dev/null || {
		echo "deploy.sh: $tool is not installed" >&2
		exit 1
	}
done
make --no-print-directory all >/dev/null
tests/mocks/ca.sh "$TMP/ca"
(umask 077
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
    -out "$TMP/key.pem" 2>/dev/null
openssl pkey -in "$TMP/key.pem" -pubout -out "$TMP/pub.pem")
EMAIL=bench@demo-project.iam.gserviceaccount.com
P=projects/demo-project/locations/europe-west1/services

# start N: the fakes with services s1..sN; sets API and LOG.
start() {
	local i args=()

	for ((i = 1; i <= $1; i++)); do
		jq --arg n "$P/s$i" '.name = $n' \
		    tests/fixtures/cloudrun-service.json >"$TMP/s$i.json"
		args+=(--service "$TMP/s$i.json")
	done
	LOG=$TMP/log.$1.$RANDOM
	rm -f "$TMP/port"
	python3 tests/mocks/google.py --cert "$TMP/ca/server.pem" \
	    --key "$TMP/ca/server.key" --port-file "$TMP/port" --log "$LOG" \
	    --lifetime 300 --sa-email "$EMAIL" --sa-pubkey "$TMP/pub.pem" \
	    --sa-token ya29.bench --scenario op_slow --op-polls 2 \
	    "${args[@]}" >"$TMP/fake.out" 2>&1 &
	FAKE=$!
	for ((i = 0; i < 100; i++)); do
		[[ -s $TMP/port ]] && break
		sleep 0.05
	done
	read -r API _ <"$TMP/port"
	jq -n --rawfile pk "$TMP/key.pem" --arg email "$EMAIL" \
	    --arg uri "https://127.0.0.1:$API/token" \
	    '{type: "service_account", project_id: "demo-project",
	      private_key: $pk, client_email: $email, token_uri: $uri}' \
	    >"$TMP/sa.json"
	chmod 600 "$TMP/sa.json"
}

stop() {
	kill -TERM "$FAKE" 2>/dev/null || true
	wait "$FAKE" 2>/dev/null || true
	FAKE=
}

# run NAME BINARY N: one deploy of N services; appends a table row.
ROWS=()
run() {
	local name=$1 bin=$2 n=$3 svcs=() i t0 t1 hs reqs conns

	for ((i = 1; i <= n; i++)); do
		svcs+=(--service "$P/s$i")
	done
	start "$n"
	t0=$(date +%s%N)
	env -i PATH="$PATH" HOME="$TMP" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$TMP/cache.json" WEBRTC_TURN_URLS=turn:127.0.0.1:3478 \
	    TURN_SHARED_SECRET=x ICEUPD_PROVIDERS=coturn \
	    ICEUPD_CA_FILE="$TMP/ca/ca.pem" \
	    ICEUPD_CLOUDRUN_ENDPOINT="https://127.0.0.1:$API" \
	    GOOGLE_APPLICATION_CREDENTIALS="$TMP/sa.json" \
	    "$bin" deploy "${svcs[@]}" -v >/dev/null 2>"$TMP/stderr" || {
		cat "$TMP/stderr" >&2
		exit 1
	}
	t1=$(date +%s%N)
	stop
	hs=$(sed -n 's/.*: \([0-9]*\) TLS handshakes\{0,1\}$/\1/p' \
	    "$TMP/stderr" | paste -sd+ - | sed 's/^$/n\/a/')
	[[ $hs == n/a ]] || hs="$((hs)) ($(sed -n \
	    's/.*: \([0-9]*\) TLS handshakes\{0,1\}$/\1/p' "$TMP/stderr" |
	    sort -u | paste -sd/ -) each)"
	reqs=$(jq -s '[.[] | select(.server == "api")] | length' "$LOG")
	conns=$(jq -s '[.[] | select(.server == "api") | .conn] | unique |
	    length' "$LOG")
	ROWS+=("| $name | $n | $reqs | $hs | $conns | $(( (t1 - t0) / 1000000 )) ms |")
}

for n in 1 4 16; do
	run iceupd build/iceupd "$n"
	if [[ -n ${BENCH_BASELINE:-} ]]; then
		run baseline "$BENCH_BASELINE" "$n"
	fi
done
echo "| binary | services | requests | TLS handshakes (-v) | TLS connections seen | wall |"
echo "|---|---:|---:|---:|---:|---:|"
printf '%s\n' "${ROWS[@]}"
