#!/usr/bin/env bash
# serve.sh: `iceupd serve` against the Node/Express service it replaces:
# wrk -t2 -c32 on GET /api/ice/credentials with a warm cache, for each
# server in turn on 127.0.0.1; prints a markdown table of requests/s, the
# p50/p90/p99 latencies and memory (VmRSS sampled under load, VmHWM at the
# end).
#
#   bench/serve.sh            (BENCH_DURATION=10s, BENCH_CONNECTIONS=32)
#
# Needs wrk, curl, jq, node and npm (express is installed from
# bench/express/package-lock.json on the first run).  Targets for iceupd:
# 20,000 req/s on 2 cores, p99 under 5 ms, RSS under 20 MB.
set -euo pipefail

cd "$(dirname "$0")/.."
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
TMP=$(mktemp -d)
# shellcheck source=bench/procs.bash
. bench/procs.bash

cleanup() {
	stop_started
	rm -rf "$TMP"
}
trap cleanup EXIT

for tool in wrk curl jq node npm; do
	command -v "$tool" >/dev/null || {
		echo "serve.sh: $tool is not installed" >&2
		exit 1
	}
done
make --no-print-directory all >/dev/null
if [[ ! -d bench/express/node_modules/express ]]; then
	(cd bench/express && npm ci --no-audit --no-fund --loglevel=error >&2)
fi

# wait_port FILE: the port a server wrote, within 5 s.
wait_http() {
	local i
	for ((i = 0; i < 100; i++)); do
		curl -sf -o /dev/null "$1" && return 0
		sleep 0.05
	done
	echo "serve.sh: nothing answers $1" >&2
	return 1
}

# mem PID FIELD: FIELD (VmRSS, VmHWM) of PID in MB.
mem() {
	awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# run NAME PID URL: wrk against URL; appends a table row.
ROWS=()
run() {
	local name=$1 pid=$2 url=$3 out=$TMP/wrk.$1 rss rps p50 p90 p99 errs

	wrk -t2 -c"$CONNS" -d2s "$url" >/dev/null	# warm-up
	wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency "$url" >"$out" &
	local w=$!
	sleep "$(( ${DURATION%s} / 2 ))"
	rss=$(mem "$pid" VmRSS)
	wait "$w"
	rps=$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")
	p50=$(awk '$1 == "50%" { print $2 }' "$out")
	p90=$(awk '$1 == "90%" { print $2 }' "$out")
	p99=$(awk '$1 == "99%" { print $2 }' "$out")
	errs=$(awk '/Non-2xx|Socket errors/ { $1 = $1; print }' "$out" |
	    paste -sd ';' -)
	ROWS+=("| $name | $rps | $p50 | $p90 | $p99 | $rss | $(mem "$pid" VmHWM) | ${errs:-none} |")
	cat "$out" >&2
}

# iceupd serve: coturn with a shared secret (credentials minted locally).
env -i PATH="$PATH" HOME="$TMP" ICEUPD_CONFIG=/dev/null \
    ICEUPD_CACHE="$TMP/cache.json" \
    WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp,turns:127.0.0.1:5349,stun:127.0.0.1:3478' \
    TURN_SHARED_SECRET=bench-secret TURN_TTL=86400 \
    build/iceupd serve --listen 127.0.0.1:0 --port-file "$TMP/port" \
    2>"$TMP/iceupd.log" &
PIDS+=("$!")
ICEUPD_PID=$!
for ((i = 0; i < 100; i++)); do
	[[ -s $TMP/port ]] && break
	sleep 0.05
done
ICEUPD_URL="http://127.0.0.1:$(<"$TMP/port")/api/ice/credentials"
wait_http "$ICEUPD_URL"
curl -sf "$ICEUPD_URL" >"$TMP/report.json"
BYTES=$(wc -c <"$TMP/report.json")

# The Express service, answering the same report from memory.
EXPRESS_PORT=$((20000 + RANDOM % 20000))
BODY_FILE="$TMP/report.json" PORT=$EXPRESS_PORT \
    node bench/express/server.js 2>"$TMP/express.log" &
PIDS+=("$!")
EXPRESS_PID=$!
EXPRESS_URL="http://127.0.0.1:$EXPRESS_PORT/api/ice/credentials"
wait_http "$EXPRESS_URL"
[[ $(curl -sf "$EXPRESS_URL" | jq -c 'del(.remaining_ttl)') == \
    "$(jq -c 'del(.remaining_ttl)' "$TMP/report.json")" ]] || {
	echo "serve.sh: the two servers do not answer the same JSON" >&2
	exit 1
}

run "iceupd serve" "$ICEUPD_PID" "$ICEUPD_URL"
run "node $(node --version) + express $(node -p 'require("./bench/express/node_modules/express/package.json").version')" \
    "$EXPRESS_PID" "$EXPRESS_URL"

echo
echo "GET /api/ice/credentials ($BYTES-byte JSON report), wrk -t$THREADS -c$CONNS -d$DURATION, $(nproc) CPUs, $(uname -r)"
echo
echo "| server | requests/s | p50 | p90 | p99 | RSS under load (MB) | peak RSS (MB) | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
