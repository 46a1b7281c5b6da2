#!/usr/bin/env bash
# fanin.sh: a fleet's cold start against one `iceupd serve`.  serve asks
# the Twilio fake (tests/mocks/hosted.py) on 127.0.0.1; then N clients
# (`iceupd -p url`, each with a cache of its own that is empty: a cold
# fetch) start at once.  Prints a markdown table: the wall time of one
# client (median, p99, max), the whole wave, and the requests the upstream
# saw (1 means the fleet shared one fetch).
#
#   bench/fanin.sh            (BENCH_CLIENTS=200)
#
# Needs python3, openssl, curl and jq.
set -euo pipefail

cd "$(dirname "$0")/.."
CLIENTS=${BENCH_CLIENTS:-200}
TMP=$(mktemp -d)
SID=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a
API_TOKEN=bench-fanin-token
# shellcheck source=bench/procs.bash
. bench/procs.bash

cleanup() {
	stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in python3 openssl curl jq; do
	command -v "$tool" >/dev/null || {
		echo "fanin.sh: $tool is not installed" >&2
		exit 1
	}
done
make --no-print-directory all >/dev/null

# wait_file FILE: until FILE is not empty, within 10 s.
wait_file() {
	local i
	for ((i = 0; i < 200; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.05
	done
	echo "fanin.sh: $1 never appeared" >&2
	return 1
}

tests/mocks/ca.sh "$TMP/ca" >/dev/null
: >"$TMP/upstream.log"
python3 tests/mocks/hosted.py --provider twilio --scenario ok \
    --cert "$TMP/ca/server.pem" --key "$TMP/ca/server.key" \
    --port-file "$TMP/upstream.port" --log "$TMP/upstream.log" \
    --account-sid "$SID" --auth "$SID:token" &
PIDS+=("$!")
wait_file "$TMP/upstream.port"
printf '%s\n' "$API_TOKEN" >"$TMP/api-token"
env -i PATH="$PATH" ICEUPD_CONFIG=/dev/null ICEUPD_CACHE="$TMP/serve.json" \
    TWILIO_ACCOUNT_SID="$SID" TWILIO_AUTH_TOKEN=token \
    TWILIO_API_BASE="https://127.0.0.1:$(<"$TMP/upstream.port")" \
    ICEUPD_CA_FILE="$TMP/ca/ca.pem" build/iceupd serve -p twilio \
    --listen 127.0.0.1:0 --port-file "$TMP/serve.port" \
    --auth-token-file "$TMP/api-token" 2>"$TMP/serve.err" &
PIDS+=("$!")
wait_file "$TMP/serve.port"
BASE=http://127.0.0.1:$(<"$TMP/serve.port")
for ((i = 0; i < 200; i++)); do
	curl -sf -o /dev/null "$BASE/readyz" && break
	sleep 0.05
done

# One client: its wall time in ms on a line of its own.
client() {
	local t0 t1
	t0=$(date +%s%N)
	env -i PATH="$PATH" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$TMP/c/$1.json" \
	    ICEUPD_URL="$BASE/api/ice/credentials" ICEUPD_URL_TOKEN="$API_TOKEN" \
	    build/iceupd -p url -f json >"$TMP/c/$1.out" 2>"$TMP/c/$1.err" ||
	    echo "client $1 failed: $(cat "$TMP/c/$1.err")" >&2
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$TMP/c/$1.ms"
}

mkdir -p "$TMP/c"
w0=$(date +%s%N)
CPIDS=()
for ((i = 0; i < CLIENTS; i++)); do
	client "$i" &
	CPIDS+=("$!")
done
for pid in "${CPIDS[@]}"; do
	wait "$pid" || true
done
w1=$(date +%s%N)

ok=$(grep -l '"provider":' "$TMP"/c/*.out 2>/dev/null | wc -l)
sort -n "$TMP"/c/*.ms >"$TMP/ms"
n=$(wc -l <"$TMP/ms")
median=$(awk -v n="$n" 'NR == int((n + 1) / 2) { print; exit }' "$TMP/ms")
p99=$(awk -v n="$n" 'NR == int(n * 0.99 + 0.999) { print; exit }' "$TMP/ms")
max=$(tail -n 1 "$TMP/ms")
upstream=$(wc -l <"$TMP/upstream.log")
echo "| clients | ok | median ms | p99 ms | max ms | wave ms | upstream requests |"
echo "|---|---|---|---|---|---|---|"
echo "| $CLIENTS | $ok | $median | $p99 | $max | $(((w1 - w0) / 1000000)) | $upstream |"
