# hosted.bash: start and stop the fakes of tests/mocks (hosted.py, google.py,
# endpoint.py, faults.py) from bats tests, over HTTPS with a CA of the
# file's own.  The caller may set SID, TOKEN, CF_KEY, CF_TOKEN, METERED_KEY,
# XIRSYS_IDENT, XIRSYS_SECRET, XIRSYS_CHANNEL, TURNIX_TOKEN (the API secrets
# the fakes of hosted.py expect) and turn_user/turn_cred (what they hand
# out) before loading; defaults are set here.  FAKE_PIDS lists the fakes
# started; stop_fakes (from teardown) stops them all.  Loading this file
# gives the test file a setup_file that makes the CA; a file with a
# setup_file of its own calls hosted_ca in it.
# shellcheck shell=bash disable=SC2034

MOCKS=$BATS_TEST_DIRNAME/../mocks
PYTHON=/usr/bin/python3
: "${SID:=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a}"
: "${TOKEN:=twilio-authtoken-7d2e}"
: "${CF_KEY:=turnkey-0f9e8d7c}"
: "${CF_TOKEN:=cloudflare-token-52bd}"
: "${METERED_KEY:=metered-apikey-c3e0}"
: "${XIRSYS_IDENT:=xirsys-ident-4f1e}"
: "${XIRSYS_SECRET:=xirsys-secret-8a3b}"
: "${XIRSYS_CHANNEL:=voice/production}"
: "${TURNIX_TOKEN:=turnix-token-6d0c}"
FAKE_PIDS=()
declare -F turn_user >/dev/null || turn_user() { echo "$1-turn-user-41c7"; }
declare -F turn_cred >/dev/null || turn_cred() { echo "$1-turn-cred-b06e"; }

setup_file() {
	hosted_ca
}

# hosted_ca: a test CA and a certificate for 127.0.0.1 (ca.sh) in CADIR,
# once per file.
hosted_ca() {
	export CADIR="$BATS_FILE_TMPDIR/ca"
	"$MOCKS/ca.sh" "$CADIR" >/dev/null
}

# Stops every fake of the test: each must end cleanly (exit 0) on SIGTERM
# within 5 s.
stop_fakes() {
	local pid rc=0

	for pid in "${FAKE_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${FAKE_PIDS[@]}"; do
		stop_fake "$pid" || rc=1
	done
	FAKE_PIDS=()
	return "$rc"
}

stop_fake() {
	local i

	for ((i = 0; i < 50; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1"
		wait "$1" 2>/dev/null
		echo "a fake (pid $1) ignored SIGTERM"
		return 1
	fi
	if ! wait "$1"; then
		echo "a fake (pid $1) did not exit 0 on SIGTERM"
		return 1
	fi
}

# mock_dir: a new folder for the next fake, in MOCK_DIR (a port file left by
# an earlier fake must not be taken for this one's).
mock_dir() {
	FAKE_COUNT=$((${FAKE_COUNT:-0} + 1))
	MOCK_DIR=$BATS_TEST_TMPDIR/fake$FAKE_COUNT
	mkdir -p "$MOCK_DIR"
	: >"$MOCK_DIR/log"
}

# start_mock WHAT SCRIPT [ARG ...]: runs tests/mocks/SCRIPT with the CA's
# server certificate, the port file $MOCK_DIR/port and ARGs (its output in
# $MOCK_DIR/out), adds it to FAKE_PIDS and waits up to 5 s for the port;
# sets MOCK_PORT (the first one written).  WHAT names it when it fails.
# Makes a mock_dir unless the caller made one for its ARGs.
start_mock() {
	local what=$1 script=$2 i

	shift 2
	[[ -n ${MOCK_DIR-} && ! -e $MOCK_DIR/out ]] || mock_dir
	"$PYTHON" "$MOCKS/$script" --cert "$CADIR/server.pem" \
	    --key "$CADIR/server.key" --port-file "$MOCK_DIR/port" "$@" \
	    3>&- >"$MOCK_DIR/out" 2>&1 &
	FAKE_PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		[[ -s $MOCK_DIR/port ]] && break
		sleep 0.05
	done
	if [[ ! -s $MOCK_DIR/port ]]; then
		echo "$what did not start:"
		cat "$MOCK_DIR/out"
		return 1
	fi
	read -r MOCK_PORT _ <"$MOCK_DIR/port"
}

# start_fake PROVIDER SCENARIO [hosted.py options]
# Starts a fake on a port of its own choosing; sets PORT, FAKE_LOG and
# PENV, the environment that points iceupd at it.
start_fake() {
	local provider=$1 scenario=$2
	local -a own=()
	shift 2

	# The secrets of the providers that share an option with Twilio's or
	# Cloudflare's.
	case $provider in
	xirsys) own=(--auth "$XIRSYS_IDENT:$XIRSYS_SECRET"
	    --channel "$XIRSYS_CHANNEL") ;;
	turnix) own=(--token "$TURNIX_TOKEN") ;;
	esac

	mock_dir
	start_mock "the $provider fake" hosted.py --provider "$provider" \
	    --scenario "$scenario" --log "$MOCK_DIR/log" --lifetime 120 \
	    --account-sid "$SID" --auth "$SID:$TOKEN" \
	    --key-id "$CF_KEY" --token "$CF_TOKEN" --api-key "$METERED_KEY" \
	    --username "$(turn_user "$provider")" \
	    --credential "$(turn_cred "$provider")" "${own[@]}" "$@" || return 1
	PORT=$MOCK_PORT
	FAKE_LOG=$MOCK_DIR/log
	provider_env "$provider" "https://127.0.0.1:$PORT"
}

# provider_env PROVIDER BASE: sets PENV.
provider_env() {
	case $1 in
	twilio)
		PENV=(TWILIO_ACCOUNT_SID="$SID" TWILIO_AUTH_TOKEN="$TOKEN"
		    TWILIO_API_BASE="$2") ;;
	cloudflare)
		PENV=(CLOUDFLARE_TURN_KEY_ID="$CF_KEY"
		    CLOUDFLARE_TURN_API_TOKEN="$CF_TOKEN"
		    CLOUDFLARE_API_BASE="$2") ;;
	metered)
		PENV=(METERED_APP=fakeapp METERED_API_KEY="$METERED_KEY"
		    METERED_API_BASE="$2") ;;
	xirsys)
		PENV=(XIRSYS_IDENT="$XIRSYS_IDENT" XIRSYS_SECRET="$XIRSYS_SECRET"
		    XIRSYS_CHANNEL="$XIRSYS_CHANNEL" XIRSYS_API_BASE="$2") ;;
	turnix)
		PENV=(TURNIX_API_TOKEN="$TURNIX_TOKEN" TURNIX_API_BASE="$2") ;;
	esac
}

# assert_requests N: the last fake started (FAKE_LOG) got exactly N
# requests, all as documented.
assert_requests() {
	local n

	n=$(jq -s length "$FAKE_LOG")
	if [[ $n != "$1" ]]; then
		echo "expected $1 request(s), the fake got $n:"
		cat "$FAKE_LOG"
		return 1
	fi
	if ! jq -se 'all(.mismatch == [])' "$FAKE_LOG" >/dev/null; then
		echo "a request differs from the documented one:"
		jq -c .mismatch "$FAKE_LOG"
		return 1
	fi
}
