#!/usr/bin/env bash
# End-to-end benchmark of the real binary against the HTTPS fakes of the
# hosted APIs with set latencies and faults: time-to-credentials beside a
# sequential failover (each provider in turn, 0.5 s between), and the cost
# of a cache hit.  Prints a markdown table; not a test.
set -euo pipefail
cd "$(dirname "$0")/.."

ICEUPD=${ICEUPD:-build/iceupd}
RUNS=${RUNS:-5}
HITS=${HITS:-50}
DELAY=${DELAY:-200}
SID=AC0123456789abcdef0123456789abcdef
work=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

tests/mocks/ca.sh "$work/ca" >/dev/null

# fake NAME PROVIDER SCENARIO DELAY_MS: starts a fake, sets port[NAME].
declare -A port
fake() {
	local extra=()
	case $2 in
	twilio) extra=(--account-sid "$SID" --auth "$SID:bench-token") ;;
	cloudflare) extra=(--token bench-token) ;;
	metered) extra=(--api-key bench-key) ;;
	esac
	/usr/bin/python3 tests/mocks/hosted.py --provider "$2" --scenario "$3" \
	    --delay-ms "$4" --cert "$work/ca/server.pem" --key "$work/ca/server.key" \
	    --port-file "$work/$1.port" "${extra[@]}" 2>/dev/null &
	pids+=($!)
	for _ in $(seq 100); do [ -s "$work/$1.port" ] && break; sleep 0.05; done
	port[$1]=$(cat "$work/$1.port")
}

fake tw twilio ok "$DELAY"
fake cf cloudflare ok "$DELAY"
fake me metered ok "$DELAY"
fake twfail twilio unauthorized 20
fake twhang twilio hang 0

# run TWILIO_PORT [args...]: iceupd against the fakes, no cache.
run() {
	local tw=$1; shift
	env -i PATH="$PATH" ICEUPD_CONFIG=/dev/null \
	    TWILIO_ACCOUNT_SID=$SID TWILIO_AUTH_TOKEN=bench-token \
	    TWILIO_API_BASE="https://127.0.0.1:$tw" \
	    CLOUDFLARE_TURN_KEY_ID=turnkey CLOUDFLARE_TURN_API_TOKEN=bench-token \
	    CLOUDFLARE_API_BASE="https://127.0.0.1:${port[cf]}" \
	    METERED_API_KEY=bench-key METERED_API_BASE="https://127.0.0.1:${port[me]}" \
	    ICEUPD_CA_FILE="$work/ca/ca.pem" ICEUPD_CACHE="$work/cache.json" \
	    "$ICEUPD" -q "$@" >/dev/null
}

ms() { echo $(( $(date +%s%N) / 1000000 )); }

# median of RUNS wall times of run "$@", in ms
median() {
	local t=() s
	for _ in $(seq "$RUNS"); do
		s=$(ms); run "$@" --no-cache || true; t+=($(( $(ms) - s )))
	done
	printf '%s\n' "${t[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p"
}

# The old way: each provider alone, in priority order, until one answers,
# 0.5 s between tries.
sequential() {
	local tw=$1 s p; shift
	s=$(ms)
	for p in "$@"; do
		run "$tw" -p "$p" --no-cache --require-turn && break
		sleep 0.5
	done
	echo $(( $(ms) - s ))
}

echo "| scenario (hosted fakes over HTTPS, ${DELAY} ms each) | iceupd | sequential |"
echo "|---|---:|---:|"
echo "| 1 provider | $(median "${port[tw]}" -p twilio) ms | $(sequential "${port[tw]}" twilio) ms |"
echo "| 3 providers | $(median "${port[tw]}" -p twilio,cloudflare,metered) ms | $(sequential "${port[tw]}" twilio cloudflare metered) ms |"
echo "| 3 providers, merge | $(median "${port[tw]}" -p twilio,cloudflare,metered --policy merge) ms | n/a |"
echo "| primary fails fast (401 in 20 ms) | $(median "${port[twfail]}" -p twilio,cloudflare,metered) ms | $(sequential "${port[twfail]}" twilio cloudflare metered) ms |"
echo "| primary hangs (timeout 5 s, grace 1.5 s) | $(median "${port[twhang]}" -p twilio,cloudflare,metered) ms | $(sequential "${port[twhang]}" twilio cloudflare metered) ms |"

# Cache hit: a fresh cached list answers without asking anyone.
run "${port[tw]}" -p twilio || true
TIMEFORMAT='%R %U %S'
times=$( { time for _ in $(seq "$HITS"); do run "${port[tw]}" -p twilio || true; done; } 2>&1 )
read -r real user sys <<<"$times"
echo
echo "cache hit, mean of $HITS runs: $(echo "$real $HITS" | awk '{printf "%.1f", $1 * 1000 / $2}') ms wall," \
    "$(echo "$user $sys $HITS" | awk '{printf "%.1f", ($1 + $2) * 1000 / $3}') ms CPU (user+sys) per process"
