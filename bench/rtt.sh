#!/usr/bin/env bash
# rtt.sh: round trips from start to credentials, per provider path, through
# bench/latency-proxy.py on loopback, beside a bare curl of the same request;
# then the CPU of one cold fetch without added latency, iceupd beside curl.
# Twilio, Cloudflare and Metered are the fakes of tests/mocks/hosted.py; Jitsi
# is a real Prosody (tests/peers/prosody.bash), over BOSH with build/iceupd
# and over WebSocket with build/static/iceupd (`make static`).
#
#   bench/rtt.sh [-n RUNS] [-r RTT_MS] [-c CPU_RUNS] [-p PATHS]
#
# Each figure is the median wall time of RUNS runs divided by the RTT
# (default 5 runs, 100 ms).  cold: a new process with no cache; warm: iceupd
# run again with the cache the cold run left, curl a second request on the
# same connection (`--next`).  conns: TCP connections per iceupd cold run.
# The CPU is the mean user + system time of CPU_RUNS runs (default 30);
# ICEUPD_BASELINE names another build (say, of main) to measure beside.
# PATHS (default all): what to measure, of twilio, cloudflare, metered,
# jitsi (BOSH and WebSocket) and cpu, comma-separated.
# Prints markdown tables.  Not part of `make test`: `make bench` runs it.
set -euo pipefail

cd "$(dirname "$0")/.."
RUNS=5 RTT_MS=100 CPU_RUNS=30 PATHS=twilio,cloudflare,metered,jitsi,cpu
while getopts n:r:c:p: opt; do
	case $opt in
	n) RUNS=$OPTARG ;;
	r) RTT_MS=$OPTARG ;;
	c) CPU_RUNS=$OPTARG ;;
	p) PATHS=$OPTARG ;;
	*) echo "usage: $0 [-n RUNS] [-r RTT_MS] [-c CPU_RUNS] [-p PATHS]" >&2
	   exit 2 ;;
	esac
done
ICEUPD=$(realpath "${ICEUPD:-build/iceupd}")
STATIC=$(realpath "${ICEUPD_STATIC:-build/static/iceupd}")
BENCH=$PWD/bench
MEASURE=$BENCH/measure.py
SID=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a TOKEN=twilio-authtoken-7d2e
CF_KEY=turnkey-0f9e8d7c CF_TOKEN=cloudflare-token-52bd
METERED_KEY=metered-apikey-c3e0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/rtt.XXXXXX")
# shellcheck source=bench/procs.bash
. bench/procs.bash

cleanup() {
	stop_started
	if [[ -n ${PROSODY_PID:-} ]]; then
		prosody_stop "$PROSODY_PID" "${PROSODY_DIR:-}"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT

for bin in "$ICEUPD" "$STATIC"; do
	if [[ ! -x $bin ]]; then
		echo "rtt.sh: $bin is missing: make all static" >&2
		exit 1
	fi
done
sh tests/mocks/ca.sh "$TMP/ca"
CA=$TMP/ca/ca.pem

# measured PATH: 0 when PATHS holds PATH.
measured() {
	[[ ,$PATHS, == *,"$1",* ]]
}

# wait_file FILE: waits up to 10 s for FILE to be written.
wait_file() {
	local _

	for _ in $(seq 200); do
		[[ -s $1 ]] && return 0
		sleep 0.05
	done
	echo "rtt.sh: nothing wrote $1" >&2
	return 1
}

# start_fake PROVIDER: the hosted.py fake of PROVIDER; sets FAKE_PORT.
start_fake() {
	python3 tests/mocks/hosted.py --provider "$1" --scenario ok \
	    --cert "$TMP/ca/server.pem" --key "$TMP/ca/server.key" \
	    --port-file "$TMP/$1.port" --log "$TMP/$1.log" --lifetime 3600 \
	    --account-sid "$SID" --auth "$SID:$TOKEN" --key-id "$CF_KEY" \
	    --token "$CF_TOKEN" --api-key "$METERED_KEY" \
	    --username "$1-user" --credential "$1-cred" >"$TMP/$1.out" 2>&1 &
	PIDS+=("$!")
	wait_file "$TMP/$1.port"
	FAKE_PORT=$(<"$TMP/$1.port")
}

# start_proxy NAME PORT: a latency proxy to 127.0.0.1:PORT; sets PROXY_PORT
# and COUNT (its connection count file).
start_proxy() {
	COUNT=$TMP/$1.count
	python3 "$BENCH/latency-proxy.py" --target "127.0.0.1:$2" \
	    --rtt-ms "$RTT_MS" --port-file "$TMP/$1.proxy" \
	    --count-file "$COUNT" &
	PIDS+=("$!")
	wait_file "$TMP/$1.proxy"
	PROXY_PORT=$(<"$TMP/$1.proxy")
}

# provider_request PROVIDER BASE: sets PENV (iceupd's environment) and CURL
# (curl's arguments for the same request) for the fake at BASE.
provider_request() {
	case $1 in
	twilio)
		PENV=(TWILIO_ACCOUNT_SID="$SID" TWILIO_AUTH_TOKEN="$TOKEN"
		    TWILIO_API_BASE="$2")
		CURL=(-u "$SID:$TOKEN" --data ''
		    "$2/2010-04-01/Accounts/$SID/Tokens.json") ;;
	cloudflare)
		PENV=(CLOUDFLARE_TURN_KEY_ID="$CF_KEY"
		    CLOUDFLARE_TURN_API_TOKEN="$CF_TOKEN" CLOUDFLARE_API_BASE="$2")
		CURL=(-H "Authorization: Bearer $CF_TOKEN"
		    -H 'Content-Type: application/json' --data '{"ttl": 86400}'
		    "$2/v1/turn/keys/$CF_KEY/credentials/generate-ice-servers") ;;
	metered)
		PENV=(METERED_APP=fakeapp METERED_API_KEY="$METERED_KEY"
		    METERED_API_BASE="$2")
		CURL=("$2/api/v1/turn/credentials?apiKey=$METERED_KEY") ;;
	esac
	CURL=(-sS --fail --cacert "$CA" "${CURL[@]}")
}

# iceupd_cmd BIN PROVIDER [ARG ...]: sets CMD, BIN asking PROVIDER alone
# with the environment PENV and nothing else.
iceupd_cmd() {
	local bin=$1 provider=$2
	shift 2

	CMD=(env -i PATH="$PATH" HOME="$TMP" ICEUPD_CONFIG=/dev/null
	    "${PENV[@]}" "$bin" -p "$provider" --cacert "$CA" "$@")
}

# rtts CMD...: RUNS runs of CMD; sets RTTS, the median in RTTs, and CONNS,
# the connections per run through the proxy of COUNT.
rtts() {
	local before after wall _

	before=$(<"$COUNT")
	read -r wall _ < <(python3 "$MEASURE" "$RUNS" "$@")
	after=$(<"$COUNT")
	CONNS=$(((after - before) / RUNS))
	RTTS=$(awk -v w="$wall" -v r="$RTT_MS" 'BEGIN { printf "%.2f", w / r }')
}

# row NAME BIN PROVIDER [CURL]: one table row; CURL says there is a curl
# request to set beside it.
row() {
	local name=$1 bin=$2 provider=$3 cold warm conns ccold=— cwarm=—

	iceupd_cmd "$bin" "$provider" --no-cache
	rtts "${CMD[@]}"
	cold=$RTTS conns=$CONNS
	iceupd_cmd "$bin" "$provider" --cache "$TMP/$provider.cache"
	"${CMD[@]}" >/dev/null
	rtts "${CMD[@]}"
	warm=$RTTS
	if [[ -n ${4:-} ]]; then
		rtts curl "${CURL[@]}"
		ccold=$RTTS
		rtts curl "${CURL[@]}" --next "${CURL[@]}"
		cwarm=$(awk -v a="$ccold" -v b="$RTTS" \
		    'BEGIN { printf "%.2f", b - a }')
	fi
	printf '| %s | %s | %s | %s | %s | %s |\n' "$name" "$cold" "$warm" \
	    "$conns" "$ccold" "$cwarm"
}

echo "Round trips to credentials ($RUNS runs, RTT $RTT_MS ms):"
echo
echo "| path | iceupd cold | iceupd warm | conns | curl cold | curl warm |"
echo "|---|---:|---:|---:|---:|---:|"
for provider in twilio cloudflare metered; do
	measured "$provider" || continue
	start_fake "$provider"
	start_proxy "$provider" "$FAKE_PORT"
	provider_request "$provider" "https://127.0.0.1:$PROXY_PORT"
	row "$provider (HTTPS)" "$ICEUPD" "$provider" curl
done

if measured jitsi; then
	export BATS_FILE_TMPDIR=$TMP	# where prosody.bash puts its folder
	# shellcheck source=tests/peers/prosody.bash
	. tests/peers/prosody.bash
	prosody_start rtt-bench-secret 3478 >"$TMP/prosody.out" 2>&1 || {
		cat "$TMP/prosody.out" >&2
		exit 1
	}
	start_proxy prosody "$PROSODY_PORT"
	PENV=(ICEUPD_JITSI_URL="http://127.0.0.1:$PROXY_PORT/http-bind"
	    ICEUPD_JITSI_DOMAIN=meet.test)
	CURL=(-sS --fail -H 'Content-Type: text/xml; charset=utf-8' --data
	    "<body rid='1' to='meet.test' wait='60' hold='1' ver='1.6'
	    xmlns='http://jabber.org/protocol/httpbind' xmpp:version='1.0'
	    xmlns:xmpp='urn:xmpp:xbosh'/>"
	    "http://127.0.0.1:$PROXY_PORT/http-bind")
	row "Jitsi BOSH (XEP-0215)" "$ICEUPD" jitsi curl
	PENV=(ICEUPD_JITSI_URL="ws://127.0.0.1:$PROXY_PORT/xmpp-websocket"
	    ICEUPD_JITSI_DOMAIN=meet.test)
	row "Jitsi WebSocket (static)" "$STATIC" jitsi
fi
measured cpu || exit 0
[[ -s $TMP/twilio.port ]] || start_fake twilio

echo
echo "CPU of one cold Twilio fetch on loopback, no added latency" \
    "($CPU_RUNS runs):"
echo
echo "| client | CPU ms | of curl |"
echo "|---|---:|---:|"
provider_request twilio "https://127.0.0.1:$(<"$TMP/twilio.port")"
read -r _ curl_cpu < <(python3 "$MEASURE" "$CPU_RUNS" curl "${CURL[@]}")
for bin in "$STATIC" "$ICEUPD" ${ICEUPD_BASELINE:+"$ICEUPD_BASELINE"}; do
	iceupd_cmd "$bin" twilio --no-cache
	read -r _ cpu < <(python3 "$MEASURE" "$CPU_RUNS" "${CMD[@]}")
	awk -v n="${bin#"$PWD"/}" -v c="$cpu" -v k="$curl_cpu" \
	    'BEGIN { printf "| %s | %.1f | %.0f %% |\n", n, c, 100 * c / k }'
done
awk -v c="$curl_cpu" 'BEGIN { printf "| curl | %.1f | 100 %% |\n", c }'
