#!/usr/bin/env bats
# serve.bats: `iceupd serve`, the credential HTTP API, driven with curl:
# every route and status, authentication, CORS, limits, refreshes while
# serving, SIGTERM under load, and the access log.  A coturn with a shared
# secret mints credentials locally; tests/mocks/hosted.py plays Twilio.
#
# Needs curl and jq; the hosted fake needs python3 and openssl.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted
load serve

# twilio_failed_twice: the Twilio fake refuses; two runs that keep their
# cache in $BATS_TEST_TMPDIR/cache.json fail on it.
twilio_failed_twice() {
	start_fake twilio unauthorized
	run --separate-stderr iceupd "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" -p twilio,stun
	run --separate-stderr iceupd "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" -p twilio,stun
}

@test "serve: GET /api/ice/credentials is the json report, from memory, not cached by clients" {
	start_serve "${COTURN[@]}" TURN_TTL=3600
	wait_stats '.refreshes == 1'
	req /api/ice/credentials
	expect 200
	header content-type application/json
	header cache-control no-store
	json '.provider == "coturn" and .has_turn == true and .has_stun == true'
	json '.ttl_seconds == 3600 and .remaining_ttl <= 3600 and .remaining_ttl > 3590'
	json '[.iceServers[] | select(.username != null)] | length == 1'
	json '.iceServers[0].urls == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]'
	json '.iceServers[0].username | test("^[0-9]+$")'
	json '.iceServers[1] == {"urls":["stun:127.0.0.1:3478"]}'
	# The same list again: served from memory, nothing minted anew.
	local first=$output
	req /api/ice/credentials
	expect 200
	[[ $(jq -c .iceServers <<<"$output") == "$(jq -c .iceServers <<<"$first")" ]]
	req /api/ice/stats
	json '.cache_hits == 2 and .refreshes == 1 and .credential_requests == 2'
	stop_serve
}

@test "serve: ?format=neko and ?format=rtc pick the body; another format is 400" {
	start_serve "${COTURN[@]}" --relay
	req '/api/ice/credentials?format=neko'
	expect 200
	json 'type == "array" and length == 1 and (.[0] | keys) == ["credential","urls","username"]'
	req '/api/ice/credentials?format=rtc'
	expect 200
	json '.iceTransportPolicy == "relay" and (.iceServers | length) == 1'
	req '/api/ice/credentials?format=json'
	expect 200
	json '.provider == "coturn"'
	req '/api/ice/credentials?format=xml'
	expect 400
	json '.error | test("json, neko or rtc")'
	stop_serve
}

@test "serve: ?provider=NAME fetches that one on demand, once while fresh; unknown or unset is 400" {
	start_fake twilio ok
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p coturn
	req /api/ice/credentials
	expect 200
	json '.provider == "coturn"'
	[[ $(jq -s length "$FAKE_LOG") == 0 ]]
	req '/api/ice/credentials?provider=twilio&format=neko'
	expect 200
	json '[.[] | select(.username == "twilio-turn-user-41c7")] | length == 1'
	req '/api/ice/credentials?provider=twilio'
	expect 200
	json '.provider == "twilio"'
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	req '/api/ice/credentials?provider=coturn'
	expect 200
	json '.provider == "coturn"'
	req '/api/ice/credentials?provider=nosuch'
	expect 400
	json '.error | test("unknown provider .nosuch.")'
	req '/api/ice/credentials?provider=metered'
	expect 400
	json '.error | test("metered is not configured")'
	req /api/ice/stats
	json '.on_demand_fetches == 1'
	stop_serve
	no_secret_in_log twilio-turn-cred-b06e
}

@test "serve: a provider that fails on demand is 502, bounded by --timeout" {
	needs_real_time
	start_fake twilio hang
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p coturn --timeout 800
	local t0=$SECONDS
	req '/api/ice/credentials?provider=twilio'
	expect 502
	json '.error | test("^twilio failed")'
	((SECONDS - t0 <= 4))
	stop_serve
}

@test "serve: a slow ?provider= fetch holds up no other request, and callers share it" {
	local i pids=()

	start_fake twilio ok --delay-ms 3000
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    -p coturn --timeout 8000
	req /api/ice/credentials
	expect 200
	for i in 1 2 3 4; do
		curl -s -o "$BATS_TEST_TMPDIR/slow$i" -w '%{http_code}' \
		    "$BASE/api/ice/credentials?provider=twilio" \
		    >"$BATS_TEST_TMPDIR/slow$i.code" 3>&- &
		pids+=("$!")
	done
	for ((i = 0; i < 600; i++)); do
		[[ -s $FAKE_LOG ]] && break
		sleep 0.05
	done
	[[ -s $FAKE_LOG ]]
	# The fetch is under way: the cached list, the health and the metrics
	# are still answered, while the four wait.
	req /api/ice/credentials
	expect 200
	json '.provider == "coturn"'
	req /healthz
	expect 200
	req /metrics
	expect 200
	for i in 0 1 2 3; do
		kill -0 "${pids[i]}"
	done
	for i in 0 1 2 3; do
		wait "${pids[i]}"
	done
	for i in 1 2 3 4; do
		[[ $(<"$BATS_TEST_TMPDIR/slow$i.code") == 200 ]]
		jq -e '.provider == "twilio"' "$BATS_TEST_TMPDIR/slow$i" >/dev/null
	done
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	req /api/ice/stats
	json '.on_demand_fetches == 1'
	stop_serve
}

@test "serve: /api/ice/providers shows each provider's state and health" {
	start_serve "${COTURN[@]}"
	# Until the first list is in, nothing is being served.
	wait_stats '.refreshes == 1'
	req /api/ice/providers
	expect 200
	json '.serving == "coturn"'
	json '.providers | map(.name) | index("coturn") != null and index("twilio") != null'
	json '.providers[] | select(.name == "coturn") | .state == "configured" and .selected and .last_fetch.ok'
	json '.providers[] | select(.name == "twilio") | .state == "not set" and (.selected | not) and .last_fetch == null'
	stop_serve
}

@test "serve: /api/ice/providers shows no failures of a provider no longer configured" {
	twilio_failed_twice
	jq -e '.health.twilio.failures == 2' "$BATS_TEST_TMPDIR/cache.json" >/dev/null
	start_serve "${COTURN[@]}"
	wait_stats '.refreshes == 1'
	req /api/ice/providers
	expect 200
	json '.providers[] | select(.name == "twilio") | .state == "not set" and .health == null'
	stop_serve
}

@test "serve: a refresh asks the hosted provider again over the connection it kept" {
	local p

	for p in twilio xirsys turnix; do
		start_fake "$p" ok
		start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p "$p"
		wait_stats '.refreshes == 1'
		req -X POST /api/ice/refresh
		expect 202
		wait_stats '.refreshes == 2'
		req -X POST /api/ice/refresh
		wait_stats '.refreshes == 3'
		[[ $(jq -s 'length' "$FAKE_LOG") == 3 ]]
		[[ $(jq -s '[.[].conn] | unique' -c "$FAKE_LOG") == "[1]" ]] || {
			echo "$p connections: $(jq -s -c '[.[].conn]' "$FAKE_LOG")"
			return 1; }
		stop_serve
		stop_fakes
		rm -f "$BATS_TEST_TMPDIR/cache.json"
	done
}

@test "serve: a list with TURN is not replaced by an answer without it" {
	local good i

	start_fake twilio ok
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p twilio,stun \
	    --no-cache
	req /api/ice/credentials
	expect 200
	json '.provider == "twilio" and .has_turn == true'
	good=$(jq -c .iceServers <<<"$output")
	stop_fakes
	req -X POST /api/ice/refresh
	expect 202
	for ((i = 0; i < 600; i++)); do
		grep -q "is kept" "$SERVE_ERR" && break
		sleep 0.05
	done
	assert_match "$(<"$SERVE_ERR")" \
	    "has no TURN or is stale; the list from twilio is kept; next try in 5 s"
	req /api/ice/credentials
	expect 200
	json '.provider == "twilio" and .has_turn == true'
	[[ $(jq -c .iceServers <<<"$output") == "$good" ]]
	stop_serve
}

@test "serve: POST /api/ice/refresh is 202 and installs a new list" {
	start_serve "${COTURN[@]}" TURN_TTL=3600
	req /api/ice/credentials
	local before
	before=$(jq -r .fetched_at <<<"$output")
	sleep 1.1
	req -X POST /api/ice/refresh
	expect 202
	wait_stats '.refreshes == 2'
	req /api/ice/credentials
	expect 200
	[[ $(jq -r .fetched_at <<<"$output") > "$before" ]]
	# SIGUSR1 refreshes too.
	kill -USR1 "$SERVE_PID"
	wait_stats '.refreshes == 3'
	stop_serve
}

@test "serve: DELETE /api/ice/cache drops the lists in memory and on disk; the next request refreshes" {
	# Slow answers: the refresh DELETE starts is still under way when
	# the disk cache is looked at, and the next request waits for it.
	start_fake twilio ok --delay-ms 800
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem"
	req /api/ice/credentials
	expect 200
	json '.provider == "twilio"'
	jq -e '.list.provider == "twilio"' "$BATS_TEST_TMPDIR/cache.json" >/dev/null
	req -X DELETE /api/ice/cache
	expect 204
	[[ -z $output ]]
	jq -e 'has("list") | not' "$BATS_TEST_TMPDIR/cache.json" >/dev/null
	jq -e '.health.twilio.failures == 0' "$BATS_TEST_TMPDIR/cache.json" >/dev/null
	req /api/ice/credentials
	expect 200
	json '.provider == "twilio" and .from_cache == false'
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	stop_serve
}

@test "serve: a warm disk cache is served without asking the provider" {
	start_fake twilio ok
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem"
	req /api/ice/credentials
	expect 200
	stop_serve
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem"
	req /api/ice/credentials
	expect 200
	json '.from_cache == true'
	[[ $(jq -s length "$FAKE_LOG") == 1 ]]
	stop_serve
}

@test "serve: a backing-off TURN provider: ready on STUN, the report says degraded and names it" {
	twilio_failed_twice
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p twilio,stun
	wait_stats '.refreshes == 1'
	req /readyz
	expect 200
	req /api/ice/credentials
	expect 200
	json '.degraded == true and .has_turn == false and
	    .sources.twilio.asked == false and
	    (.sources.twilio.error | test("backing off after 2 failures"))'
	grep -q "twilio: not asked: backing off" "$SERVE_ERR"
	[[ $(jq -s length "$FAKE_LOG") == 2 ]]
	# A refresh asked for over HTTP asks it, backing off or not.
	req "${AUTH[@]}" -X POST /api/ice/refresh
	for _ in $(seq 300); do
		[[ $(jq -s length "$FAKE_LOG") == 3 ]] && break
		sleep 0.1
	done
	[[ $(jq -s length "$FAKE_LOG") == 3 ]]
	stop_serve
}

@test "serve: no list yet: /readyz and credentials are 503 (with Retry-After), /healthz 200" {
	start_fake twilio error500_forever
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" --timeout 1000 \
	    -p twilio
	req /healthz
	expect 200
	[[ $output == ok ]]
	req /readyz
	expect 503
	req /api/ice/credentials
	expect 503
	grep -q '^retry-after: [0-9]\+$' <<<"$HEADERS"
	json '.error | test("no usable ICE servers")'
	stop_serve
}

@test "serve: /readyz is 200 once a list is cached" {
	start_serve "${COTURN[@]}"
	wait_stats '.refreshes == 1'
	req /readyz
	expect 200
	[[ $output == ready ]]
	stop_serve
}

@test "serve: POST /api/ice/turn mints per-caller TURN REST credentials" {
	local user cred exp want now

	start_serve "${COTURN[@]}"
	now=$(date +%s)
	req -X POST '/api/ice/turn?id=alice.01'
	expect 200
	json 'type == "array" and length == 2'
	json '.[0].urls == ["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"]'
	user=$(jq -r '.[0].username' <<<"$output")
	cred=$(jq -r '.[0].credential' <<<"$output")
	[[ $user =~ ^([0-9]+):alice\.01$ ]]
	exp=${BASH_REMATCH[1]}
	((exp - now >= 595 && exp - now <= 605))
	want=$(printf '%s' "$user" | openssl dgst -sha1 -hmac "$TURN_SECRET" -binary | base64)
	[[ $cred == "$want" ]]
	# In a form body, or JSON; rtc shape on request.
	req -X POST -d 'id=bob_2' /api/ice/turn
	expect 200
	json '.[0].username | test("^[0-9]+:bob_2$")'
	req -X POST -H 'Content-Type: application/json' -d '{"id":"carol-3"}' '/api/ice/turn?format=rtc'
	expect 200
	json '.iceServers[0].username | test("^[0-9]+:carol-3$")'
	stop_serve
	no_secret_in_log "$cred"
}

@test "serve: POST /api/ice/turn honours --turn-ttl and refuses bad caller ids" {
	local now exp

	start_serve "${COTURN[@]}" ICEUPD_SERVE_TURN_TTL=120
	now=$(date +%s)
	req -X POST '/api/ice/turn?id=x'
	expect 200
	exp=$(jq -r '.[0].username | split(":")[0]' <<<"$output")
	((exp - now >= 115 && exp - now <= 125))
	req -X POST /api/ice/turn
	expect 400
	json '.error | test("caller id is needed")'
	req -X POST '/api/ice/turn?id=a%20b'
	expect 400
	req -X POST "/api/ice/turn?id=$(printf 'a%.0s' {1..65})"
	expect 400
	req -X POST -d 'id=a:b' /api/ice/turn
	expect 400
	req -X POST "/api/ice/turn?id=$(printf 'a%.0s' {1..64})"
	expect 200
	stop_serve
}

@test "serve: POST /api/ice/turn without a shared secret is 404" {
	start_serve WEBRTC_TURN_URLS=turn:127.0.0.1:3478 WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL=static-credential-xyz
	req -X POST '/api/ice/turn?id=alice'
	expect 404
	json '.error | test("TURN_SHARED_SECRET")'
	stop_serve
}

@test "serve: /metrics is Prometheus text with the iceupd_ series" {
	start_serve "${COTURN[@]}" TURN_TTL=3600
	req /healthz
	req /api/ice/credentials
	req /metrics
	expect 200
	header content-type 'text/plain; version=0.0.4; charset=utf-8'
	grep -qx 'iceupd_fetches_total{provider="coturn",result="ok"} 1' <<<"$output"
	grep -qx 'iceupd_fetch_duration_seconds_bucket{provider="coturn",le="+Inf"} 1' <<<"$output"
	grep -qx 'iceupd_fetch_duration_seconds_count{provider="coturn"} 1' <<<"$output"
	grep -qx '# TYPE iceupd_fetch_duration_seconds histogram' <<<"$output"
	grep -qE '^iceupd_credentials_expiry_seconds 3[56][0-9]{2}$' <<<"$output"
	grep -qx 'iceupd_http_requests_total{route="/healthz",code="200"} 1' <<<"$output"
	grep -qx 'iceupd_http_requests_total{route="/api/ice/credentials",code="200"} 1' <<<"$output"
	grep -qx 'iceupd_http_requests_total{route="/metrics",code="200"} 1' <<<"$output"
	# Every line is a comment or "name{labels} value".
	! grep -vE '^(# (HELP|TYPE) [a-z_]+ .+|[a-z_]+(\{[a-z_]+="[^"]*"(,[a-z_]+="[^"]*")*\})? [0-9.e+-]+)$' <<<"$output" || return 1
	stop_serve
}

@test "serve: with --auth-token-file the API needs the bearer token; health and metrics do not" {
	local p

	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	for p in /api/ice/credentials /api/ice/providers /api/ice/stats; do
		req "$p"
		expect 401
		header www-authenticate 'bearer realm="iceupd"'
		req -H 'Authorization: Bearer wrong-token' "$p"
		expect 401
		req -H "Authorization: Bearer ${API_TOKEN}x" "$p"
		expect 401
		req -H "Authorization: Basic $API_TOKEN" "$p"
		expect 401
		req "${AUTH[@]}" "$p"
		expect 200
	done
	req -X POST /api/ice/refresh
	expect 401
	req -X DELETE /api/ice/cache
	expect 401
	req -X POST '/api/ice/turn?id=a'
	expect 401
	req -H "authorization: bearer $API_TOKEN" /api/ice/credentials
	expect 200
	for p in /healthz /readyz /metrics; do
		req "$p"
		expect 200
	done
	stop_serve
	no_secret_in_log
}

@test "serve: SIGHUP reads the token file again; a bad one keeps the old token" {
	local new=api-bearer-token-MARK10-e1f3 i

	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token"
	req "${AUTH[@]}" /api/ice/stats
	expect 200
	printf '%s\n' "$new" >"$BATS_TEST_TMPDIR/token"
	kill -HUP "$SERVE_PID"
	for ((i = 0; i < 300; i++)); do
		req -H "Authorization: Bearer $new" /api/ice/stats
		[[ $status == 200 ]] && break
		sleep 0.1
	done
	expect 200
	req "${AUTH[@]}" /api/ice/stats
	expect 401
	# Two tokens in the file: refused, the one read before still works.
	printf 'one two\n' >"$BATS_TEST_TMPDIR/token"
	kill -HUP "$SERVE_PID"
	for ((i = 0; i < 300; i++)); do
		grep -q 'keeping the bearer token' "$SERVE_ERR" && break
		sleep 0.1
	done
	grep -q 'must hold one token' "$SERVE_ERR"
	req -H "Authorization: Bearer $new" /api/ice/stats
	expect 200
	stop_serve
	no_secret_in_log "$new"
}

@test "serve: without --auth-token-file no token is needed" {
	start_serve "${COTURN[@]}"
	req /api/ice/stats
	expect 200
	no_header www-authenticate
	stop_serve
}

@test "serve: wrong methods are 405 with Allow; unknown routes 404" {
	start_serve "${COTURN[@]}"
	req -X PUT /api/ice/credentials
	expect 405
	header allow 'GET, HEAD'
	req -X POST /api/ice/credentials
	expect 405
	req /api/ice/refresh
	expect 405
	header allow POST
	req -X POST /api/ice/cache
	expect 405
	header allow DELETE
	req -X DELETE /api/ice/turn
	expect 405
	header allow 'GET, HEAD, POST'
	req -X DELETE /healthz
	expect 405
	req -X OPTIONS /api/ice/credentials
	expect 405
	req -I /api/ice/credentials
	expect 200
	req /api/ice/nothing
	expect 404
	req /index.html
	expect 404
	req -X POST /
	expect 405
	req -X PATCH /nowhere
	expect 404
	stop_serve
}

@test "serve: CORS only for --cors-origin, with preflight" {
	start_serve "${COTURN[@]}" --cors-origin https://app.example.org \
	    --auth-token-file "$BATS_TEST_TMPDIR/token"
	req -X OPTIONS -H 'Origin: https://app.example.org' \
	    -H 'Access-Control-Request-Method: GET' /api/ice/credentials
	expect 204
	header access-control-allow-origin https://app.example.org
	header access-control-allow-methods 'GET, HEAD, OPTIONS'
	grep -qi '^access-control-allow-headers: .*authorization' <<<"$HEADERS"
	req -X OPTIONS -H 'Origin: https://evil.example.net' /api/ice/credentials
	expect 403
	no_header access-control-allow-origin
	req "${AUTH[@]}" -H 'Origin: https://app.example.org' /api/ice/credentials
	expect 200
	header access-control-allow-origin https://app.example.org
	header vary origin
	req "${AUTH[@]}" -H 'Origin: https://evil.example.net' /api/ice/credentials
	expect 200
	no_header access-control-allow-origin
	stop_serve
	start_serve "${COTURN[@]}"
	req -H 'Origin: https://app.example.org' /api/ice/credentials
	expect 200
	no_header access-control-allow-origin
	stop_serve
}

@test "serve: bodies over 4 KiB are 413, huge headers and URLs refused" {
	start_serve "${COTURN[@]}"
	head -c 4097 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/big"
	req -X POST --data-binary @"$BATS_TEST_TMPDIR/big" '/api/ice/turn'
	expect 413
	req -X POST -H 'Transfer-Encoding: chunked' \
	    --data-binary @"$BATS_TEST_TMPDIR/big" '/api/ice/turn'
	expect 413
	req -X POST --data-binary @"$BATS_TEST_TMPDIR/big" /api/ice/refresh
	expect 413
	head -c 4096 /dev/zero | tr '\0' a >"$BATS_TEST_TMPDIR/ok"
	req -X POST --data-binary @"$BATS_TEST_TMPDIR/ok" '/api/ice/turn?id=a'
	expect 200
	req -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" /api/ice/credentials
	[[ $status == 431 || $status == 413 ]] || expect 431
	req "/api/ice/credentials?x=$(head -c 20000 /dev/zero | tr '\0' a)"
	[[ $status == 414 || $status == 431 || $status == 413 ]] || expect 414
	# Still serving.
	req /api/ice/credentials
	expect 200
	stop_serve
}

# load_check DIR N FILTER: DIR holds N answers, each one JSON text for
# which FILTER holds.
load_check() {
	local -a files=()
	local f

	shopt -s nullglob
	files=("$1"/*)
	shopt -u nullglob
	if [[ ${#files[@]} -ne $2 ]]; then
		echo "${#files[@]} answers, expected $2"
		return 1
	fi
	if ! jq -en --argjson n "$2" "[inputs | $3] | length == \$n and all" \
	    "${files[@]}" >/dev/null 2>&1; then
		for f in "${files[@]}"; do
			jq -e "$3" "$f" >/dev/null 2>&1 ||
			    { echo "bad answer in $f: $(cat "$f")"; break; }
		done
		return 1
	fi
}

# A full neko list from coturn: TURN with credentials, and STUN.
FULL='type == "array" and length == 2 and (.[0].username | length > 0)'

# hammer N DIR: N credential requests, 8 at a time, one file each.
hammer() {
	local cfg=$BATS_TEST_TMPDIR/curl.cfg

	mkdir -p "$2"
	awk -v n="$1" -v base="$BASE" -v dir="$2" 'BEGIN {
	    for (i = 0; i < n; i++)
		printf "url = \"%s/api/ice/credentials?format=neko\"\noutput = \"%s/%d\"\n", base, dir, i
	}' >"$cfg"
	curl -sS --fail --parallel --parallel-max 8 --max-time 20 -K "$cfg"
}

@test "serve: refreshes while serving (coturn): no request ever sees an empty list" {
	local i

	start_serve "${COTURN[@]}"
	(
		for ((i = 0; i < 40; i++)); do
			curl -s -o /dev/null -X POST "$BASE/api/ice/refresh"
			kill -USR1 "$SERVE_PID" 2>/dev/null
			sleep 0.02
		done
	) 3>&- &
	local bg=$!
	hammer 1500 "$BATS_TEST_TMPDIR/answers"
	wait "$bg"
	load_check "$BATS_TEST_TMPDIR/answers" 1500 "$FULL"
	wait_stats '.refreshes >= 10'
	stop_serve
	no_secret_in_log
}

@test "serve: refreshes while serving (hosted fake): no request ever sees an empty list" {
	local i

	start_fake twilio ok
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" --relay
	# Asked for while the first is under way, they would all make one.
	wait_stats '.refreshes == 1'
	(
		for ((i = 0; i < 20; i++)); do
			curl -s -o /dev/null -X POST "$BASE/api/ice/refresh"
			sleep 0.05
		done
	) 3>&- &
	local bg=$!
	hammer 800 "$BATS_TEST_TMPDIR/answers"
	wait "$bg"
	# --relay: the TURN entry only.
	load_check "$BATS_TEST_TMPDIR/answers" 800 \
	    'length == 1 and .[0].username == "twilio-turn-user-41c7"'
	wait_stats '.refreshes >= 3'
	[[ $(jq -s length "$FAKE_LOG") -ge 3 ]]
	stop_serve
	no_secret_in_log twilio-turn-cred-b06e
}

@test "serve: SIGTERM under load: requests in flight finish, new ones are refused, exit 0" {
	local rc slow_rc i

	start_fake twilio hang
	start_serve "${COTURN[@]}" "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    -p coturn --timeout 1500
	# One slow request in flight (an on-demand fetch that times out).
	curl -s -o "$BATS_TEST_TMPDIR/slow" -w '%{http_code}' \
	    "$BASE/api/ice/credentials?provider=twilio" \
	    >"$BATS_TEST_TMPDIR/slow.code" 3>&- &
	local slow=$!
	hammer 3000 "$BATS_TEST_TMPDIR/answers" 2>/dev/null 3>&- &
	local load=$!
	for ((i = 0; i < 50; i++)); do
		[[ -s $BATS_TEST_TMPDIR/answers/20 ]] && break
		sleep 0.05
	done
	sleep 0.2
	kill -TERM "$SERVE_PID"
	wait "$slow" && slow_rc=0 || slow_rc=$?
	wait "$load" || true
	wait "$SERVE_PID" && rc=0 || rc=$?
	SERVE_PID=
	[[ $rc == 0 ]] || { echo "exit $rc"; cat "$SERVE_ERR"; return 1; }
	# The slow one got its whole answer.
	[[ $slow_rc == 0 ]]
	[[ $(<"$BATS_TEST_TMPDIR/slow.code") == 502 ]]
	jq -e '.error | test("twilio failed")' "$BATS_TEST_TMPDIR/slow" >/dev/null
	# Whatever was answered is whole; later ones never connected.
	find "$BATS_TEST_TMPDIR/answers" -type f -empty -delete
	local n
	n=$(find "$BATS_TEST_TMPDIR/answers" -type f | wc -l)
	echo "$n answered before the stop"
	((n > 20))
	load_check "$BATS_TEST_TMPDIR/answers" "$n" "$FULL"
	run curl -s "$BASE/healthz"
	[[ $status == 7 ]]
}

@test "serve: the access log: one line per request with -v, no query, token or credential" {
	local cred

	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token" -v
	req "${AUTH[@]}" '/api/ice/credentials?format=neko&provider=coturn'
	cred=$(jq -r '.[0].credential' <<<"$output")
	req /api/ice/credentials
	req "/api/ice/x$API_TOKEN"
	stop_serve
	grep -qE '^iceupd: GET /api/ice/credentials 200 [0-9.]+ ms 127\.0\.0\.1$' "$SERVE_ERR"
	grep -qE '^iceupd: GET /api/ice/credentials 401 ' "$SERVE_ERR"
	grep -qE '^iceupd: GET \[redacted\] 404 ' "$SERVE_ERR"
	! grep -q 'format=neko' "$SERVE_ERR" || return 1
	no_secret_in_log "$cred"
}

@test "serve: --log-format json: one JSON line per request with method, path, status, duration_ms, remote_addr" {
	local cred

	start_serve "${COTURN[@]}" --auth-token-file "$BATS_TEST_TMPDIR/token" \
	    --log-format json -v
	req "${AUTH[@]}" '/api/ice/credentials?format=neko'
	cred=$(jq -r '.[0].credential' <<<"$output")
	req -X POST "${AUTH[@]}" '/api/ice/turn?id=alice'
	req /nowhere
	stop_serve
	jq -e . "$SERVE_ERR" >/dev/null
	jq -se '[.[] | select(.method == "GET" and .path == "/api/ice/credentials"
	    and .status == 200 and (.duration_ms | type == "number")
	    and .remote_addr == "127.0.0.1" and .severity == "INFO"
	    and .httpRequest.status == 200)] | length == 1' "$SERVE_ERR" >/dev/null
	jq -se '[.[] | select(.method == "POST" and .path == "/api/ice/turn" and .status == 200)] | length == 1' "$SERVE_ERR" >/dev/null
	jq -se '[.[] | select(.path == "/nowhere" and .status == 404)] | length == 1' "$SERVE_ERR" >/dev/null
	! grep -q alice "$SERVE_ERR" || return 1
	no_secret_in_log "$cred"
}

@test "serve: without -v there is no access log" {
	start_serve "${COTURN[@]}"
	req /api/ice/credentials
	stop_serve
	! grep -q 'GET /api' "$SERVE_ERR" || return 1
}

@test "serve: bad settings are exit 2, a port in use exit 1" {
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen nonsense
	assert_status 2
	assert_stderr_contains "--listen" "ADDRESS:PORT"
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen 127.0.0.1:99999
	assert_status 2
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen 127.0.0.1:0 \
	    --auth-token-file "$BATS_TEST_TMPDIR/missing"
	assert_status 2
	assert_stderr_contains "cannot read"
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen 127.0.0.1:0 \
	    --auth-token-file "$BATS_TEST_TMPDIR/empty"
	assert_status 2
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen 127.0.0.1:0 \
	    --cors-origin 'https://a.example/path'
	assert_status 2
	assert_stderr_contains "not an origin"
	run --separate-stderr iceupd "${COTURN[@]}" ICEUPD_SERVE_TURN_TTL=5 serve
	assert_status 2
	start_serve "${COTURN[@]}"
	run --separate-stderr iceupd "${COTURN[@]}" serve --listen "${BASE#http://}"
	assert_status 1
	assert_stderr_contains "cannot listen on" "Address already in use"
	stop_serve
}

@test "serve: ICEUPD_LISTEN sets the address; serve --help lists its options" {
	local port=0 i

	run -0 iceupd serve --help
	[[ $output == *"iceupd serve"* && $output == *"--listen ADDR:PORT"* &&
	    $output == *"--auth-token-file FILE"* && $output == *"--cors-origin ORIGIN"* &&
	    $output == *"--turn-ttl TIME"* && $output == *"[ICEUPD_LISTEN]"* ]]
	# A port chosen at random, retried when taken.
	LISTEN=()
	for ((i = 0; i < 5; i++)); do
		port=$((20000 + RANDOM % 40000))
		start_serve "${COTURN[@]}" ICEUPD_LISTEN=127.0.0.1:$port && break
	done
	[[ -n $SERVE_PID ]]
	curl -sf "http://127.0.0.1:$port/healthz"
	stop_serve
}
