#!/usr/bin/env bats
# browser.bats: what iceupd prints works in a real browser.  A headless
# Chromium is given `iceupd --format rtc --relay` for a coturn on 127.0.0.1
# (TURN REST credentials) and must gather relay candidates from that coturn,
# and nothing else; with a wrong secret it must gather none.  The page and
# its server are in tests/browser/.  Skipped when chromium is not installed.

# shellcheck disable=SC2154 # $stderr comes from run --separate-stderr
# shellcheck disable=SC2016 # jq programs, with their $variables, in '...'

bats_require_minimum_version 1.5.0

load helpers
load ../peers/coturn
load ../browser/gather

setup_file() {
	if ! gather_chromium >/dev/null; then
		export BROWSER_SKIP="chromium is not installed (Debian package chromium)"
		return 0
	fi
	export BROWSER_SKIP=
	export REST_SECRET="browser-$RANDOM$RANDOM-secret"
	# A relay port range of our own, away from coturn_start's listening
	# ports (20000-60000), so that a relay candidate can be told apart.
	export RELAY_MIN=$((61000 + ((RANDOM << 15) | RANDOM) % 4000))
	export RELAY_MAX=$((RELAY_MIN + 199))
	coturn_start --realm=browser.test --use-auth-secret \
	    --static-auth-secret="$REST_SECRET" \
	    --min-port="$RELAY_MIN" --max-port="$RELAY_MAX" || return 1
	# shellcheck disable=SC2153 # set by coturn_start
	export TURN_PID=$COTURN_PID TURN_PORT=$COTURN_PORT TURN_LOG=$COTURN_LOG
	export UDP_URL="turn:127.0.0.1:$TURN_PORT?transport=udp"
	export TCP_URL="turn:127.0.0.1:$TURN_PORT?transport=tcp"
	export STUN_URL="stun:127.0.0.1:$TURN_PORT"
}

teardown_file() {
	coturn_stop "${TURN_PID:-}"
}

setup() {
	[[ -z ${BROWSER_SKIP:-} ]] || skip "$BROWSER_SKIP"
	need_binary || return 1
	work_in work || return 1
	REPORT=$BATS_TEST_TMPDIR/browser/report.json
}

# config NAME=VALUE... ARG...: iceupd with the test coturn's UDP and TCP
# URLs and its shared secret (both can be overridden), -f rtc and ARGs;
# writes its stdout to config.json.
config() {
	run --separate-stderr iceupd \
	    WEBRTC_TURN_URLS="$UDP_URL,$TCP_URL" TURN_SHARED_SECRET="$REST_SECRET" \
	    "$@" -f rtc
	assert_status 0 || return 1
	printf '%s\n' "$output" >config.json
}

# browse: Chromium gathers candidates for config.json; the page's report
# is in $REPORT.
browse() {
	gather config.json "$BATS_TEST_TMPDIR/browser"
}

# browse_relay TRANSPORT URL: config --relay --transport TRANSPORT, which
# must keep URL alone, and browse it.
browse_relay() {
	config --relay --transport "$1"
	run jq -e --arg u "$2" '.iceServers[0].urls == [$u]' config.json
	[[ $status -eq 0 ]] || { cat config.json; return 1; }
	browse
}

# assert_report [JQ-ARGS ...] FILTER: `jq -e` holds on the page's report.
assert_report() {
	if ! jq -e "$@" "$REPORT" >/dev/null; then
		printf 'jq -e failed:'
		printf ' %q' "$@"
		printf '\n--- config.json\n'
		cat config.json
		printf -- '--- report\n'
		cat "$REPORT"
		return 1
	fi
}

# assert_relays_from_coturn: every relay candidate is at 127.0.0.1, on a
# port of the coturn's relay range, where coturn logged a relay address.
assert_relays_from_coturn() {
	local p n=0

	for p in $(jq -r '.candidates[] | select(.type == "relay") | .port' "$REPORT"); do
		n=$((n + 1))
		if ((p < RELAY_MIN || p > RELAY_MAX)); then
			echo "relay port $p is outside $RELAY_MIN-$RELAY_MAX"
			cat "$REPORT"
			return 1
		fi
		coturn_log_wait "$TURN_LOG" 0 "Local relay addr: 127.0.0.1:$p" || {
			echo "coturn logged no relay at 127.0.0.1:$p"
			cat "$REPORT"
			return 1
		}
	done
	((n > 0)) || { echo "no relay candidate"; cat "$REPORT"; return 1; }
}

@test "browser: --format rtc --relay gathers relay candidates from the coturn, and no host or srflx" {
	config --relay
	run jq -e '.iceTransportPolicy == "relay"' config.json
	[[ $status -eq 0 ]] || { cat config.json; return 1; }
	browse
	assert_report '.end == "complete" and .exception == null and
	    .policy == "relay" and .errors == []'
	assert_report '[.candidates[] | select(.type == "relay" and
	    .address == "127.0.0.1" and (.candidate | test(" typ relay( |$)")))]
	    | length >= 1'
	assert_report 'all(.candidates[]; .type == "relay" and
	    (.candidate | test(" typ (host|srflx|prflx)( |$)") | not))'
	assert_relays_from_coturn
}

@test "browser: --transport udp --relay: a relay over UDP" {
	browse_relay udp "$UDP_URL"
	assert_report '.end == "complete" and .errors == [] and
	    (.candidates | length >= 1) and
	    all(.candidates[]; .type == "relay" and .protocol == "udp" and
	        (.relayProtocol == null or .relayProtocol == "udp"))'
	assert_relays_from_coturn
}

@test "browser: --transport tcp --relay: a relay over TCP to the coturn" {
	local mark

	mark=$(coturn_log_mark "$TURN_LOG")
	browse_relay tcp "$TCP_URL"
	assert_report '.end == "complete" and .errors == [] and
	    (.candidates | length >= 1) and
	    all(.candidates[]; .type == "relay" and .relayProtocol == "tcp")'
	assert_relays_from_coturn
	coturn_log_wait "$TURN_LOG" "$mark" "tcp or tls connected to:" || {
		echo "coturn logged no TCP client"
		return 1
	}
}

@test "browser: a wrong secret gathers no relay candidate, and each URL reports 401" {
	config TURN_SHARED_SECRET=not-the-secret --relay
	browse
	assert_report '.end == "complete" and .candidates == []'
	assert_report --arg u "$UDP_URL" --arg t "$TCP_URL" '
	    ([.errors[] | select(.errorCode == 401) | .url] | unique)
	    == ([$u, $t] | sort)'
}

@test "browser: without --relay the same coturn also yields host and srflx candidates" {
	# The counterpart of the first test: what --relay keeps out is there
	# without it.
	config WEBRTC_TURN_URLS="$UDP_URL,$STUN_URL"
	run jq -e 'has("iceTransportPolicy") | not' config.json
	[[ $status -eq 0 ]] || { cat config.json; return 1; }
	browse
	assert_report '.end == "complete" and .policy == "all"'
	assert_report 'any(.candidates[]; .type == "host")'
	assert_report 'any(.candidates[]; .type == "srflx" and .address == "127.0.0.1")'
	# The relay's related address is the client as coturn saw it: the
	# server-reflexive candidate.
	assert_report '[.candidates[] | select(.type == "srflx") |
	    [.address, .port]] as $s |
	    any(.candidates[]; .type == "relay" and
	        ([.relatedAddress, .relatedPort] as $r | $s | any(. == $r)))'
	assert_relays_from_coturn
}
