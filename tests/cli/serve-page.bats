#!/usr/bin/env bats
# serve-page.bats: the page of `iceupd serve` (GET /) in a headless
# Chromium driven by playwright-core (tests/js), against a real coturn on
# 127.0.0.1: it loads with no console error and no CSP violation, its test
# button finds a relay through the live coturn URL and none through a dead
# one, and an EventSource in it receives a refresh.  The screenshot goes to
# build/serve-page.png.  Every wait is bounded (the whole file: 3 minutes).

bats_require_minimum_version 1.5.0
load helpers
load serve
load ../peers/coturn
load ../browser/gather

JS=$BATS_TEST_DIRNAME/../js

setup_file() {
	export REST_SECRET="page-$RANDOM$RANDOM-secret"
	coturn_start --realm=page.test --use-auth-secret \
	    --static-auth-secret="$REST_SECRET" || return 1
	# shellcheck disable=SC2153 # set by coturn_start
	export TURN_PID=$COTURN_PID TURN_PORT=$COTURN_PORT
}

teardown_file() {
	coturn_stop "${TURN_PID:-}"
}

teardown() {
	kill_serve
	answers_valid
}

# page [NAME=VALUE ...] SCREENSHOT: tests/js/page.js on the page at $BASE
# (at most 150 s), with NAME=VALUE in its environment; its report goes to
# $REPORT.
page() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	gather_chromium >/dev/null || { echo "no chromium (Debian package chromium)"; return 1; }
	[[ -d $JS/node_modules/playwright-core ]] || {
		echo "no playwright-core in tests/js: run scripts/install-deps.sh"
		return 1
	}
	REPORT=$BATS_TEST_TMPDIR/page.json
	env HOME="$BATS_TEST_TMPDIR" "${vars[@]}" timeout 150 node "$JS/page.js" \
	    "$BASE" "$1" >"$REPORT" || {
		echo "page.js failed"
		cat "$REPORT"
		return 1
	}
}

check() {	# FILTER: holds on the report
	jq -e "$1" "$REPORT" >/dev/null || { echo "failed: $1"; jq . "$REPORT"; return 1; }
}

@test "serve-page: GET / is one page with nothing from elsewhere, under a strict CSP" {
	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	# The page holds no data: no token is needed for it.
	req /
	expect 200
	header content-type 'text/html; charset=utf-8'
	header x-frame-options deny
	grep -q "^content-security-policy: default-src 'none'; script-src 'sha256-[a-z0-9+/=]*'; style-src 'sha256-[a-z0-9+/=]*'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'$" <<<"$HEADERS"
	# Nothing the page loads comes from another origin.
	! grep -Eiq '(src|href)="(https?:)?//' <<<"$output" || return 1
	cmp <(printf '%s\n' "$output") "$BATS_TEST_DIRNAME/../../src/serve/page.html"
	stop_serve
}

@test "serve-page: Chromium: no console error or CSP violation; a relay for the live coturn URL, none for a dead one; an EventSource gets a refresh" {
	local live="turn:127.0.0.1:$TURN_PORT?transport=udp"
	local dead="turn:127.0.0.1:9?transport=udp" shot

	start_serve WEBRTC_TURN_URLS="$live,$dead" TURN_SHARED_SECRET="$REST_SECRET"
	wait_stats '.refreshes >= 1'
	shot=$BATS_TEST_DIRNAME/../../build/serve-page.png
	mkdir -p "$(dirname "$shot")"
	rm -f "$shot"
	page "$shot"
	check '.provider == "coturn"'
	check '.consoleErrors == [] and .pageErrors == [] and .cspViolations == []'
	# Both policies through the live URL find a relay; through the dead
	# one, neither does.
	check "[.results[] | select(.url == \"$live\")] | length == 2 and all(.result == \"ok\")"
	check ".results[] | select(.url == \"$live\" and .policy == \"relay\") | .text | test(\"^works: relay 127[.]0[.]0[.]1:\")"
	check "[.results[] | select(.url == \"$dead\")] | length == 2 and all(.result == \"failed\")"
	# The refresh asked for came as a second event, with the same URLs.
	check '.event.first.iceServers[0].urls | length == 2'
	check '.event.second.iceServers[0].urls == .event.first.iceServers[0].urls'
	check '.event.second.iceServers[0].username | test("^[0-9]+$")'
	check '.refreshRows >= 2'
	[[ -s $shot ]]
	[[ $(head -c 8 "$shot" | od -An -tx1 | tr -d ' ') == 89504e470d0a1a0a ]]
	stop_serve
}

@test "serve-page: Chromium: with --auth-token-file the page asks for the token, then shows the list and its refreshes" {
	start_serve WEBRTC_TURN_URLS="turn:127.0.0.1:$TURN_PORT?transport=udp" \
	    TURN_SHARED_SECRET="$REST_SECRET" --auth-token-file "$BATS_TEST_TMPDIR/token"
	page PAGE_TOKEN="$API_TOKEN" "$BATS_TEST_TMPDIR/shot.png"
	# Refused until the token is in: the browser logs those 401s.
	check '.beforeToken | length >= 1 and all(test("401"))'
	check '.provider == "coturn" and .stream == "connected" and .refreshRows >= 2'
	check '.consoleErrors == [] and .pageErrors == [] and .cspViolations == []'
	stop_serve
	no_secret_in_log
}
