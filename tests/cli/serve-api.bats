#!/usr/bin/env bats
# serve-api.bats: `iceupd serve` as a drop-in for the services it replaces,
# driven with curl: VK-ICE's health routes and field names, force_refresh,
# the TURN REST answer of POST /api/ice/turn, the OpenAPI document, and the
# Server-Sent Events of /api/ice/events.  A coturn with a shared secret
# mints credentials locally; tests/mocks/hosted.py plays Twilio.
#
# Needs curl and jq; the hosted fake needs python3 and openssl.

bats_require_minimum_version 1.5.0
load helpers
load serve
load ../mocks/hosted

setup_file() {
	export CADIR="$BATS_FILE_TMPDIR/ca"
	"$MOCKS/ca.sh" "$CADIR" >/dev/null
}

teardown() {
	if [[ -n $SERVE_PID ]] && kill -0 "$SERVE_PID" 2>/dev/null; then
		kill -KILL "$SERVE_PID"
		wait "$SERVE_PID" 2>/dev/null || true
	fi
	stop_fakes
}

@test "serve-api: /api/ice/health and /health answer VK-ICE's shape" {
	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	wait_stats '.refreshes == 1'
	req "${AUTH[@]}" /api/ice/health
	expect 200
	header content-type application/json
	json 'keys == ["cache_size","providers","status"]'
	json '.status == "healthy" and .cache_size == 1'
	json '.providers | keys == ["coturn","stun"]'
	json '.providers.coturn == {"provider":"coturn","status":"healthy","is_healthy":true,"consecutive_failures":0,"average_latency_ms":.providers.coturn.average_latency_ms}'
	json '.providers.coturn.average_latency_ms | type == "number" and . >= 0'
	# Auth as the API; the compose file's /health needs no token.
	req /api/ice/health
	expect 401
	req /health
	expect 200
	json '.status == "healthy" and .providers.coturn.is_healthy'
	stop_serve
}

@test "serve-api: /health is 503 and unhealthy while there is no list; a failing provider is unhealthy" {
	start_fake twilio error500_forever
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" --timeout 1000 \
	    -p twilio
	wait_stats '.refresh_failures >= 1'
	req /health
	expect 503
	json '.status == "unhealthy" and .cache_size == 0'
	json '.providers.twilio.status == "unhealthy" and (.providers.twilio.is_healthy | not)'
	json '.providers.twilio.consecutive_failures >= 1'
	stop_serve
}

@test "serve-api: a list without TURN while TURN was expected is degraded" {
	start_fake twilio error500_forever
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    WEBRTC_STUN_URLS=stun:127.0.0.1:3478 --timeout 1000 -p twilio,stun
	wait_stats '.refreshes >= 1'
	req /health
	expect 200
	json '.status == "degraded" and .cache_size == 1'
	json '.providers.stun.is_healthy and (.providers.twilio.is_healthy | not)'
	stop_serve
}

@test "serve-api: /api/ice/stats and /api/ice/providers carry VK-ICE's names next to iceupd's" {
	local started

	started=$(date -u +%s)
	start_serve "${COTURN[@]}" -p coturn,stun
	wait_stats '.refreshes == 1'
	req /api/ice/credentials
	req /api/ice/credentials
	req '/api/ice/credentials?force_refresh=true'
	expect 200
	req /api/ice/stats
	expect 200
	# iceupd's own fields stay.
	json 'has("uptime_seconds") and has("requests") and has("credential_requests") and has("refreshes")'
	json '.running == true and .providers == ["coturn","stun"]'
	json '.started_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$")'
	json "(.started_at | fromdateiso8601) - $started | . >= -1 and . <= 30"
	json '.cache_hits == 2 and .cache_misses == 1 and .credential_requests == 3'
	json '.cache_hit_rate > 0.66 and .cache_hit_rate < 0.67'
	json '.total_requests == .requests and .failovers == 0'
	req /api/ice/providers
	expect 200
	json '.providers | type == "array" and (map(.name) | index("coturn")) != null'
	json '.priority_order == ["coturn","stun"]'
	json '.health | keys == ["coturn","stun"]'
	json '.health.coturn | .provider == "coturn" and .status == "healthy" and .is_healthy and .consecutive_failures == 0'
	stop_serve
}

@test "serve-api: force_refresh=true fetches anew; forced callers at once share one fetch" {
	local -a pids=()
	local i before

	start_fake twilio ok --delay-ms 800
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p twilio
	wait_stats '.refreshes == 1'
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	req /api/ice/credentials
	before=$(jq -r .fetched_at <<<"$output")
	sleep 1.1
	for i in 1 2 3 4; do
		curl -sS --max-time 20 -o "$BATS_TEST_TMPDIR/forced.$i" \
		    "$BASE/api/ice/credentials?force_refresh=true" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do
		wait "$i"
	done
	for i in 1 2 3 4; do
		[[ $(jq -r .fetched_at "$BATS_TEST_TMPDIR/forced.$i") > "$before" ]]
	done
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	req /api/ice/stats
	json '.refreshes == 2 and .cache_hits == 1'
	# force_refresh=false is the plain request; anything else is refused.
	req '/api/ice/credentials?force_refresh=false'
	expect 200
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	req '/api/ice/credentials?force_refresh=yes'
	expect 400
	json '.error | test("force_refresh must be true or false")'
	stop_serve
}

@test "serve-api: force_refresh=true with ?provider= fetches that provider though its list is fresh" {
	start_fake twilio ok
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p coturn
	req '/api/ice/credentials?provider=twilio'
	expect 200
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	req '/api/ice/credentials?provider=twilio'
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	req '/api/ice/credentials?provider=twilio&force_refresh=true'
	expect 200
	json '.provider == "twilio"'
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	stop_serve
}

@test "serve-api: POST /api/ice/turn?format=uberti is the TURN REST answer" {
	local user pass exp want now

	start_serve "${COTURN[@]}" --turn-ttl 900
	now=$(date +%s)
	req -X POST '/api/ice/turn?id=alice.01&format=uberti'
	expect 200
	header content-type application/json
	json 'keys == ["password","ttl","uris","username"]'
	json '.ttl == 900'
	json '.uris == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]'
	user=$(jq -r .username <<<"$output")
	pass=$(jq -r .password <<<"$output")
	[[ $user =~ ^([0-9]+):alice\.01$ ]]
	exp=${BASH_REMATCH[1]}
	((exp - now >= 895 && exp - now <= 905))
	want=$(printf '%s' "$user" | openssl dgst -sha1 -hmac "$TURN_SECRET" -binary | base64)
	[[ $pass == "$want" ]]
	# The other shapes stay; an unknown one names all three.
	req -X POST '/api/ice/turn?id=a&format=neko'
	expect 200
	json 'type == "array"'
	req -X POST '/api/ice/turn?id=a&format=orama'
	expect 400
	json '.error == "format must be uberti, neko or rtc"'
	stop_serve
	no_secret_in_log "$pass"
}
