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

# draft_ok USER-RE: the last answer is the TURN REST answer of the draft,
# for a username matching ^[0-9]+USER-RE$, with the password coturn checks.
draft_ok() {
	local user pass

	expect 200
	json 'keys == ["password","ttl","uris","username"]'
	json '.uris == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]'
	user=$(jq -r .username <<<"$output")
	pass=$(jq -r .password <<<"$output")
	[[ $user =~ ^[0-9]+$1$ ]] || { echo "username '$user'"; return 1; }
	[[ $pass == "$(printf '%s' "$user" |
	    openssl dgst -sha1 -hmac "$TURN_SECRET" -binary | base64)" ]]
}

@test "serve-api: /api/ice/turn takes draft-uberti-behave-turn-rest's request: GET or POST, service=turn, username" {
	start_serve "${COTURN[@]}"
	# The draft's sample: GET, the caller in username; no format needed.
	req '/api/ice/turn?service=turn&username=echotest-Xy12'
	draft_ok ':echotest-Xy12'
	# Janus's default: POST, the same in the query and as a form body.
	req -X POST -d 'service=turn&username=user%40example.org' \
	    '/api/ice/turn?service=turn&username=user%40example.org'
	draft_ok ':user@example\.org'
	# A form body alone; id wins over username.
	req -X POST -d 'service=turn&username=a.b&id=c+d~' /api/ice/turn
	expect 400
	json '.error == "the caller id must be 1 to 64 of A-Z a-z 0-9 ._-~@+"'
	req -X POST -d 'service=turn&username=a.b&id=c_d~' /api/ice/turn
	draft_ok ':c_d~'
	# The draft's username is optional: a credential without a user part.
	req '/api/ice/turn?service=turn'
	draft_ok ''
	# iceupd's own request still wants a caller.
	req '/api/ice/turn?format=uberti'
	expect 400
	json '.error | test("^a caller id is needed: id=ID or username=ID")'
	# Malformed requests: an error body a client logs.
	req '/api/ice/turn?service=stun&username=a'
	expect 400
	json '.error == "service must be turn"'
	req '/api/ice/turn?service=turn&username=a:b'
	expect 400
	json '.error | test("caller id must be")'
	req '/api/ice/turn?service=turn&username=a%2Fb'
	expect 400
	req '/api/ice/turn?service=turn&username=a%00b'
	expect 400
	req '/api/ice/turn?service=turn&format=neko&username=a'
	expect 400
	json '.error | test("format must be uberti or absent")'
	req -X POST -d 'service=turn&username=%zz' /api/ice/turn
	expect 400
	req -X POST -H 'Content-Type: application/json' \
	    -d '{"service":"turn","username":7}' /api/ice/turn
	expect 400
	req -X POST -H 'Content-Type: application/json' \
	    -d '{"service":"turn","username":"bob@host"}' /api/ice/turn
	draft_ok ':bob@host'
	stop_serve
}

@test "serve-api: /api/ice/turn takes the token as the draft's key= or Janus's api=; other routes do not" {
	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token" -v
	req '/api/ice/turn?service=turn&username=a'
	expect 401
	json '.error == "a bearer token is needed"'
	req "/api/ice/turn?service=turn&username=a&key=$API_TOKEN"
	draft_ok ':a'
	req -X POST "/api/ice/turn?service=turn&api=$API_TOKEN&key=$API_TOKEN&username=b"
	draft_ok ':b'
	req "/api/ice/turn?service=turn&username=a&api=$API_TOKEN"
	draft_ok ':a'
	req "/api/ice/turn?service=turn&username=a&key=x$API_TOKEN"
	expect 401
	req "/api/ice/turn?service=turn&username=a&key=$API_TOKEN&api=x"
	draft_ok ':a'
	req "/api/ice/turn?service=turn&username=a&key=x&api=$API_TOKEN"
	expect 401
	req "${AUTH[@]}" '/api/ice/turn?service=turn&username=a'
	draft_ok ':a'
	# Only where TURN REST clients ask.
	req "/api/ice/credentials?key=$API_TOKEN"
	expect 401
	req "/api/ice/stats?api=$API_TOKEN"
	expect 401
	stop_serve
	no_secret_in_log "$API_TOKEN"
}

# sse_open NAME [CURL-ARGS ...] PATH: reads the event stream at PATH into
# $BATS_TEST_TMPDIR/NAME.sse, in the background (at most 60 s).
sse_open() {
	local name=$1 path=${!#}

	set -- "${@:2:$#-2}"
	curl -sSN --max-time 60 -D "$BATS_TEST_TMPDIR/$name.headers" "$@" \
	    "$BASE$path" >"$BATS_TEST_TMPDIR/$name.sse" 2>/dev/null &
	SSE_PIDS+=($!)
}

# sse_wait NAME COUNT [PATTERN]: waits (30 s at most) until NAME's stream
# holds COUNT lines matching PATTERN (default: credentials events).
sse_wait() {
	local f=$BATS_TEST_TMPDIR/$1.sse i n

	for ((i = 0; i < 300; i++)); do
		n=$(grep -c -- "${3:-^event: credentials$}" "$f" 2>/dev/null) || n=0
		((n >= $2)) && return 0
		sleep 0.1
	done
	echo "stream $1 never had $2 of ${3:-credentials events}:"
	cat "$f"
	return 1
}

# sse_data NAME N: the data of the Nth credentials event of NAME.
sse_data() {
	awk -v n="$2" '/^event: credentials$/ { k++ } k == n && /^data: / {
	    sub(/^data: /, ""); print; exit }' "$BATS_TEST_TMPDIR/$1.sse"
}

sse_close() {
	stop_pids "${SSE_PIDS[@]}"
	SSE_PIDS=()
}

@test "serve-api: /api/ice/events pushes the list on connect and each refresh, in rtc shape" {
	local first second
	SSE_PIDS=()

	start_serve "${COTURN[@]}" TURN_TTL=60 --refresh-at 10 --min-ttl 1
	wait_stats '.refreshes >= 1'
	sse_open a /api/ice/events
	sse_wait a 1
	grep -qix 'content-type: text/event-stream' <(tr -d '\r' <"$BATS_TEST_TMPDIR/a.headers")
	grep -qix 'cache-control: no-store' <(tr -d '\r' <"$BATS_TEST_TMPDIR/a.headers")
	first=$(sse_data a 1)
	# What the list route serves, unless a refresh came in between.
	req '/api/ice/credentials?format=rtc'
	[[ $first == "$output" ]] || sse_wait a 2
	jq -e '.iceServers[0].urls == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]' <<<"$first"
	# The short lifetime refreshes every 6 s; each new list is pushed.
	sse_wait a 2
	second=$(sse_data a 2)
	[[ $(jq -r '.iceServers[0].username' <<<"$second") > $(jq -r '.iceServers[0].username' <<<"$first") ]]
	grep -q '^id: 2$' "$BATS_TEST_TMPDIR/a.sse"
	# Asked for, too.
	req -X POST /api/ice/refresh
	sse_wait a 3
	sse_close
	stop_serve
	no_secret_in_log "$(jq -r '.iceServers[0].credential' <<<"$second")"
}

@test "serve-api: /api/ice/events?turn=ID pushes per-caller TURN minted anew at --refresh-at of --turn-ttl" {
	local first second now
	SSE_PIDS=()

	start_serve "${COTURN[@]}" --turn-ttl 60 --refresh-at 10
	now=$(date +%s)
	sse_open b '/api/ice/events?turn=bob.7'
	sse_wait b 2
	first=$(sse_data b 1)
	second=$(sse_data b 2)
	jq -e '.iceServers[0].urls == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]' <<<"$first"
	jq -e '.iceServers[1] == {"urls":["stun:127.0.0.1:3478"]}' <<<"$first"
	jq -e '.iceServers[0].username | test("^[0-9]+:bob\\.7$")' <<<"$first"
	[[ $(jq -r '.iceServers[0].username' <<<"$first") =~ ^([0-9]+): ]]
	((BASH_REMATCH[1] - now >= 55 && BASH_REMATCH[1] - now <= 65))
	[[ $(jq -r '.iceServers[0].username' <<<"$second") > $(jq -r '.iceServers[0].username' <<<"$first") ]]
	want=$(printf '%s' "$(jq -r '.iceServers[0].username' <<<"$second")" |
	    openssl dgst -sha1 -hmac "$TURN_SECRET" -binary | base64)
	[[ $(jq -r '.iceServers[0].credential' <<<"$second") == "$want" ]]
	req /api/ice/stats
	json '.turn_credentials_minted >= 0'
	req '/api/ice/events?turn=bad/id'
	expect 400
	json '.error | test("caller id")'
	sse_close
	stop_serve
}

@test "serve-api: /api/ice/events?turn= without a shared secret is 404" {
	start_serve WEBRTC_STUN_URLS=stun:127.0.0.1:3478
	req '/api/ice/events?turn=a'
	expect 404
	json '.error | test("TURN_SHARED_SECRET")'
	stop_serve
}

@test "serve-api: /api/ice/events needs the token as the API does; heartbeats keep it open" {
	SSE_PIDS=()

	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	req /api/ice/events
	expect 401
	sse_open c "${AUTH[@]}" /api/ice/events
	sse_wait c 1
	# A comment line every 15 s.
	sse_wait c 1 '^: heartbeat$'
	sse_close
	stop_serve
}

@test "serve-api: /api/ice/events takes 64 streams at once, then 503; SIGTERM ends them" {
	local i
	SSE_PIDS=()

	start_serve "${COTURN[@]}"
	wait_stats '.refreshes >= 1'
	# 16 from each of 4 addresses: no more from one.
	for ((i = 0; i < 64; i++)); do
		sse_open "s$i" --interface "127.0.0.$((2 + i / 16))" /api/ice/events
	done
	for ((i = 0; i < 64; i++)); do
		sse_wait "s$i" 1
	done
	req /api/ice/events
	expect 503
	grep -q '^retry-after: 5$' <<<"$HEADERS"
	json '.error == "too many event streams"'
	# The other routes still answer.
	req /api/ice/credentials
	expect 200
	stop_serve
	# Every stream ended at once: no request was left to time out.
	if grep -q 'unfinished' "$SERVE_ERR"; then
		cat "$SERVE_ERR"
		return 1
	fi
	for i in "${SSE_PIDS[@]}"; do
		wait "$i" || true
	done
	SSE_PIDS=()
}

@test "serve-api: GET /openapi.json is the document of src/serve/openapi.json, valid OpenAPI 3.1" {
	local js=$BATS_TEST_DIRNAME/../js

	[[ -d $js/node_modules/@apidevtools/swagger-parser ]] || {
		echo "no swagger-parser in tests/js: run scripts/install-deps.sh"
		return 1
	}
	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	# No token needed: it describes, it holds nothing.
	req /openapi.json
	expect 200
	header content-type application/json
	cmp <(printf '%s\n' "$output") "$BATS_TEST_DIRNAME/../../src/serve/openapi.json"
	json '.openapi == "3.1.0"'
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/openapi.json"
	run -0 node "$js/openapi-validate.js" "$BATS_TEST_TMPDIR/openapi.json"
	stop_serve
}

@test "serve-api: the document has every route of the endpoint table, with the methods each allows" {
	local p want got
	local doc=$BATS_TEST_DIRNAME/../../src/serve/openapi.json

	# The routes the binary knows: the paths of its endpoint table, one
	# of them by its name.
	local routes=$BATS_TEST_DIRNAME/../../src/serve/routes.c cred
	cred=$(sed -nE 's/^#define ROUTE_CREDENTIALS[[:space:]]+//p' "$routes")
	[[ -n $cred ]]
	want=$(sed -n '/^static const struct endpoint endpoints\[\]/,/};/p' \
	    "$routes" | sed "s|ROUTE_CREDENTIALS|$cred|" |
	    grep -oE '^[[:space:]]*\{ "/[^"]*"' | grep -o '"/[^"]*"' |
	    tr -d '"' | sort)
	got=$(jq -r '.paths | keys[]' "$doc" | sort)
	[[ $want == "$got" ]] || { diff <(echo "$want") <(echo "$got"); return 1; }
	# With --cors-origin, the API routes allow OPTIONS too.
	start_serve "${COTURN[@]}" --cors-origin https://app.example.org
	for p in $got; do
		# What the server allows, against what the document lists.
		curl -sS -o /dev/null -D "$BATS_TEST_TMPDIR/h" -X PUT "$BASE$p"
		want=$(tr -d '\r' <"$BATS_TEST_TMPDIR/h" | sed -n 's/^Allow: //ip' |
		    tr -d ' ' | tr ',' '\n' | grep -vx HEAD | tr 'A-Z' 'a-z' | sort)
		got=$(jq -r --arg p "$p" '.paths[$p] | keys[]' "$doc" | sort)
		[[ $want == "$got" ]] || { echo "$p: allows $want, documented $got"; return 1; }
	done
	stop_serve
}

@test "serve-api: a provider not waited for, coturn having answered first, is no error in metrics, health, providers or report" {
	start_fake twilio hang
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    -p coturn,twilio --timeout 3000
	wait_stats '.refreshes == 1'
	req /metrics
	expect 200
	[[ $output == *'iceupd_fetches_total{provider="twilio",result="not_waited"} 1'* ]]
	[[ $output != *'iceupd_fetches_total{provider="twilio",result="error"} 1'* ]]
	req /health
	expect 200
	json '.status == "healthy" and .providers.twilio.status == "unknown"'
	json '.providers.twilio.consecutive_failures == 0'
	req /api/ice/providers
	expect 200
	json '.providers[] | select(.name == "twilio") | .health == null and
	    .last_fetch.result == "not_waited" and .last_fetch.error == null and
	    (.last_fetch.note | test("not waited for: coturn answered first"))'
	req '/api/ice/credentials?format=json'
	json '.sources.twilio.result == "not_waited" and .sources.twilio.error == null'
	stop_serve
}

@test "serve-api: providers -f json prints the objects of /api/ice/providers" {
	start_serve "${COTURN[@]}" -p coturn,stun
	wait_stats '.refreshes == 1'
	req /api/ice/providers
	expect 200
	jq -S '[.providers[] | del(.last_fetch)]' <<<"$output" >api.json
	run --separate-stderr iceupd "${COTURN[@]}" ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    providers -p coturn,stun -f json
	assert_status 0
	assert_no_stderr
	jq -e 'all(.[]; .last_fetch == null)' <<<"$output" >/dev/null
	jq -S '[.[] | del(.last_fetch)]' <<<"$output" >cli.json
	diff api.json cli.json
	jq -e '[.[] | select(.selected) | .name] == ["coturn","stun"]' cli.json >/dev/null
	stop_serve
}
