#!/usr/bin/env bats
# hosted.bats: iceupd against fakes of the hosted APIs (Twilio, Cloudflare,
# Metered, Xirsys, Turnix; tests/mocks/hosted.py over HTTPS on 127.0.0.1): the exact request
# each provider documents, its documented answers, its misbehaviour, TLS,
# configuration errors, and secrets kept out of every output.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

# What iceupd is given.  Every secret is a marker that must never reach
# stderr, nor stdout (coturn's credential aside when coturn answered).
SID=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a
KEY_SID=SK9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b
TOKEN=twilio-authtoken-MARK1-7d2e
KEY_SECRET=twilio-keysecret-MARK2-a91c
CF_KEY=turnkey-0f9e8d7c
CF_TOKEN=cloudflare-token-MARK3-52bd
METERED_KEY=metered-apikey-MARK4-c3e0
COTURN_CRED=coturn-credential-MARK5-18fa
XIRSYS_IDENT=xirsys-ident-77c2
XIRSYS_SECRET=xirsys-secret-MARK9-e40b
XIRSYS_CHANNEL=voice/production
TURNIX_TOKEN=turnix-token-MARK10-5a9f
SECRETS=("$TOKEN" "$KEY_SECRET" "$CF_TOKEN" "$METERED_KEY" "$XIRSYS_SECRET"
	"$TURNIX_TOKEN"
	"$(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0)"
	"$(printf '%s:%s' "$KEY_SID" "$KEY_SECRET" | base64 -w0)"
	"$(printf '%s:%s' "$XIRSYS_IDENT" "$XIRSYS_SECRET" | base64 -w0)")
# The hosted providers, for the tests that hold for each.
HOSTED=(twilio cloudflare metered xirsys turnix)

# What the fakes hand out: different from every API secret.
turn_user() { echo "$1-turn-user-41c7"; }
turn_cred() { echo "$1-turn-cred-b06e"; }

COTURN_ENV=(WEBRTC_TURN_URLS=turn:127.0.0.1:3478
	WEBRTC_TURN_USERNAME=coturn-user WEBRTC_TURN_CREDENTIAL="$COTURN_CRED")
COTURN_LIST='[{"urls":["turn:127.0.0.1:3478"],"username":"coturn-user","credential":"'$COTURN_CRED'"}]'

setup() {
	need_binary || return 1
	work_in
	CA=$CADIR/ca.pem
	RUNS=0
}

teardown() {
	stop_fakes
}

# fetch [NAME=VALUE ...] [ARG ...]: runs iceupd with PENV, the test CA and
# a cache of its own, then checks that no secret leaked.
fetch() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	fetch_bare "${vars[@]}" "$@" --cacert "$CA"
}

# fetch_bare: the same without --cacert.
fetch_bare() {
	local t0

	RUNS=$((RUNS + 1))
	t0=$(date +%s%N)
	run --separate-stderr iceupd \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache$RUNS.json" "${PENV[@]}" "$@"
	ELAPSED_MS=$((($(date +%s%N) - t0) / 1000000))
	no_leak
}

# no_leak: no secret on stderr or stdout, no handed-out credential on
# stderr, coturn's credential on stdout only as coturn's answer.
no_leak() {
	local p

	assert_no_secret_in stderr "${SECRETS[@]}" "$COTURN_CRED" || return 1
	assert_no_secret_in stdout "${SECRETS[@]}" || return 1
	for p in "${HOSTED[@]}"; do
		if [[ $stderr == *"$(turn_cred "$p")"* ]]; then
			echo "the $p credential reached stderr"
			show_run
			return 1
		fi
	done
	if [[ $output == *"$COTURN_CRED"* && $output != "$COTURN_LIST" ]]; then
		echo "coturn's credential is on stdout outside coturn's list"
		show_run
		return 1
	fi
}

# assert_log_body N BODY: request N (1-based) carried exactly BODY.
assert_log_body() {
	local got

	got=$(jq -rs --argjson n "$1" '.[$n - 1].body' "$FAKE_LOG")
	if [[ $got != "$2" ]]; then
		printf 'request %s body: expected %s, got %s\n' "$1" "$2" "$got"
		return 1
	fi
}

assert_between() {	# NAME VALUE MIN MAX
	if ((${2} < ${3} || ${2} > ${4})); then
		echo "$1 = $2, expected from $3 to $4"
		show_run
		return 1
	fi
}

# assert_one_error WORD ...: stderr is one error line holding every WORD.
assert_one_error() {
	assert_stderr_lines 1
	[[ ${stderr_lines[0]} == "iceupd: error: "* ]] || {
		echo "not an error line"
		show_run
		return 1
	}
	assert_stderr_contains "$@"
}

# neko_list PROVIDER STUN TURN: the neko list of the STUN URL and the TURN
# URLs (JSON strings, with commas between) with PROVIDER's credentials.
neko_list() {
	printf '[{"urls":["%s"]},{"urls":[%s],"username":"%s","credential":"%s"}]' \
	    "$2" "$3" "$(turn_user "$1")" "$(turn_cred "$1")"
}

# The neko list each fake's documented answer gives.
expected_ok() {
	case $1 in
	twilio)
		neko_list "$1" stun:global.stun.twilio.com:3478 \
		    '"turn:global.turn.twilio.com:3478?transport=udp","turn:global.turn.twilio.com:3478?transport=tcp","turn:global.turn.twilio.com:443?transport=tcp"' ;;
	cloudflare)
		neko_list "$1" stun:stun.cloudflare.com:3478 \
		    '"turn:turn.cloudflare.com:3478?transport=udp","turn:turn.cloudflare.com:3478?transport=tcp","turn:turn.cloudflare.com:80?transport=tcp","turns:turn.cloudflare.com:5349?transport=tcp","turns:turn.cloudflare.com:443?transport=tcp"' ;;
	metered)
		neko_list "$1" stun:stun.relay.metered.ca:80 \
		    '"turn:global.relay.metered.ca:80","turn:global.relay.metered.ca:80?transport=tcp","turn:global.relay.metered.ca:443","turns:global.relay.metered.ca:443?transport=tcp"' ;;
	xirsys)
		neko_list "$1" stun:eu-turn1.xirsys.com:3478 \
		    '"turn:eu-turn1.xirsys.com:80?transport=udp","turn:eu-turn1.xirsys.com:3478?transport=udp","turn:eu-turn1.xirsys.com:80?transport=tcp","turn:eu-turn1.xirsys.com:3478?transport=tcp","turns:eu-turn1.xirsys.com:443?transport=tcp","turns:eu-turn1.xirsys.com:5349?transport=tcp"' ;;
	turnix)
		neko_list "$1" stun:stun.turnix.io:3478 \
		    '"turn:eu-central.turnix.io:3478?transport=udp","turn:eu-central.turnix.io:3478?transport=tcp"' ;;
	esac
}

# The list the badurls answers leave once the invalid URIs are dropped.
expected_badurls() {
	case $1 in
	cloudflare)
		neko_list "$1" stun:stun.cloudflare.com:3478 \
		    '"turn:turn.cloudflare.com:3478?transport=udp","turn:turn.cloudflare.com:3478?transport=tcp","turns:turn.cloudflare.com:443?transport=tcp"' ;;
	turnix)
		neko_list "$1" stun:stun.turnix.io:3478 \
		    '"turn:eu-central.turnix.io:3478?transport=udp","turn:eu-central.turnix.io:3478?transport=tcp"' ;;
	*)
		expected_ok "$1" ;;
	esac
}

# The status of a provider's documented success.
ok_status() {
	[[ $1 == twilio || $1 == cloudflare ]] && echo 201 || echo 200
}

# The settings a provider's 401 and 404 errors point at.
auth_hint() {
	case $1 in
	twilio) echo TWILIO_AUTH_TOKEN ;;
	cloudflare) echo CLOUDFLARE_TURN_API_TOKEN ;;
	metered) echo METERED_API_KEY ;;
	xirsys) echo "XIRSYS_IDENT and XIRSYS_SECRET" ;;
	turnix) echo TURNIX_API_TOKEN ;;
	esac
}
missing_hint() {
	case $1 in
	twilio) echo "TWILIO_ACCOUNT_SID and TWILIO_API_BASE" ;;
	cloudflare) echo "CLOUDFLARE_TURN_KEY_ID and CLOUDFLARE_API_BASE" ;;
	metered) echo "METERED_APP or METERED_API_BASE" ;;
	xirsys) echo "XIRSYS_CHANNEL and XIRSYS_API_BASE" ;;
	turnix) echo TURNIX_API_BASE ;;
	esac
}

# --- documented answers ----------------------------------------------------

@test "twilio: one documented POST; string urls become arrays, STUN and TURN grouped" {
	start_fake twilio ok
	fetch -p twilio
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok twilio)"
	assert_jq 'all(.[]; (.urls | type == "array" and all(type == "string"))
	    and (keys - ["credential","urls","username"] == []))'
	assert_requests 1
	assert_log_body 1 ""
	[[ $(jq -r .headers.authorization "$FAKE_LOG") == "Basic $(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0)" ]]
}

@test "cloudflare: one documented POST; :53 URLs dropped without a warning" {
	start_fake cloudflare ok
	fetch -p cloudflare
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok cloudflare)"
	assert_jq '[.[].urls[] | select(test(":53($|\\?)"))] == []'
	assert_requests 1
	assert_log_body 1 '{"ttl":86400}'
	[[ $(jq -r .headers.authorization "$FAKE_LOG") == "Bearer $CF_TOKEN" ]]
}

@test "metered: one documented GET with the key in the query; entries grouped" {
	start_fake metered ok
	fetch -p metered
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok metered)"
	assert_requests 1
	[[ $(jq -c '[.method, .query, .body]' "$FAKE_LOG") == "[\"GET\",{\"apiKey\":[\"$METERED_KEY\"]},\"\"]" ]]
	[[ $(jq -r '.headers.authorization' "$FAKE_LOG") == null ]]
}

@test "twilio: the json report takes ttl_seconds from the string ttl of the answer" {
	start_fake twilio ok --answer-ttl 3600
	fetch -p twilio -f json
	assert_status 0
	assert_no_stderr
	assert_requests 1
	assert_jq '.provider == "twilio" and .has_turn and .has_stun
	    and (.ttl_seconds | . >= 3599 and . <= 3600)
	    and .sources.twilio.ok and .sources.twilio.error == null'
	assert_jq --argjson want "$(expected_ok twilio)" '.iceServers == $want'
}

@test "cloudflare: the json report's ttl_seconds is the ttl asked for" {
	start_fake cloudflare ok
	fetch -p cloudflare -f json
	assert_status 0
	assert_jq '.provider == "cloudflare" and (.ttl_seconds | . >= 86399 and . <= 86400)'
	fetch -p cloudflare -f json --ttl 600
	assert_status 0
	assert_jq '.ttl_seconds | . >= 599 and . <= 600'
	assert_requests 2
	assert_log_body 2 '{"ttl":600}'
}

@test "metered: the answer carries no lifetime: ttl_seconds and expires_at are null" {
	start_fake metered ok
	fetch -p metered -f json
	assert_status 0
	assert_jq '.provider == "metered" and .ttl_seconds == null
	    and .expires_at == null and .has_turn'
	assert_requests 1
}

@test "xirsys: one documented PUT to the channel path with expire; the one answer object split into STUN and TURN" {
	start_fake xirsys ok
	fetch -p xirsys
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok xirsys)"
	assert_requests 1
	assert_log_body 1 '{"format":"urls"}'
	[[ $(jq -c '[.method, .path, .query]' "$FAKE_LOG") == '["PUT","/_turn/voice/production",{"expire":["3600"]}]' ]]
	[[ $(jq -r .headers.authorization "$FAKE_LOG") == "Basic $(printf '%s:%s' "$XIRSYS_IDENT" "$XIRSYS_SECRET" | base64 -w0)" ]]
}

@test "xirsys: the json report's expiry is the expire asked; --ttl is sent, at most 21600" {
	start_fake xirsys ok
	fetch -p xirsys -f json
	assert_status 0
	assert_jq '.provider == "xirsys" and .has_turn and .has_stun
	    and (.ttl_seconds | . >= 3599 and . <= 3600)'
	fetch -p xirsys -f json --ttl 600
	assert_status 0
	assert_jq '.ttl_seconds | . >= 599 and . <= 600'
	fetch -p xirsys -f json --ttl 100000
	assert_status 0
	assert_jq '.ttl_seconds | . >= 21599 and . <= 21600'
	assert_requests 3
	[[ $(jq -sc 'map(.query.expire[0])' "$FAKE_LOG") == '["3600","600","21600"]' ]]
}

@test "xirsys: an error sent with HTTP 200 fails on its \"s\", naming Xirsys's reason; coturn next takes over" {
	start_fake xirsys error200
	fetch -p xirsys
	assert_status 1
	assert_no_stdout
	assert_one_error xirsys "Xirsys refused: unauthorized" XIRSYS_SECRET
	assert_requests 1
	[[ $(jq .status "$FAKE_LOG") == 200 ]]

	fetch "${COTURN_ENV[@]}" -p xirsys,coturn -vv
	assert_status 0
	assert_stdout "$COTURN_LIST"
	assert_stderr_contains "xirsys" "unauthorized"
}

@test "xirsys: the service's 401 envelope gives its reason" {
	start_fake xirsys unauthorized
	fetch -p xirsys
	assert_status 1
	assert_one_error xirsys "HTTP 401" "unauthorized"
}

@test "turnix: one documented POST that asks for the ttl iceupd wants, never Turnix's 30 s default" {
	start_fake turnix ok
	fetch -p turnix
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok turnix)"
	fetch -p turnix --ttl 600
	assert_status 0
	assert_requests 2
	assert_log_body 1 '{"ttl":3600}'
	assert_log_body 2 '{"ttl":600}'
	[[ $(jq -sc 'map([.method, .path, .headers.authorization])' "$FAKE_LOG") == "$(printf '[["POST","/api/v1/credentials/ice","Bearer %s"],["POST","/api/v1/credentials/ice","Bearer %s"]]' "$TURNIX_TOKEN" "$TURNIX_TOKEN")" ]]
}

@test "turnix: the json report's expiry is expiresAt, shorter when less was granted; the ttl asked without it" {
	start_fake turnix ok --grant-ttl 120
	fetch -p turnix -f json -v
	assert_status 0
	assert_jq '.provider == "turnix" and (.ttl_seconds | . >= 118 and . <= 120)'
	assert_stderr_contains "granted 1" "of the 3600 asked"

	start_fake turnix legacy
	fetch -p turnix -f json --ttl 900
	assert_status 0
	assert_jq '.ttl_seconds | . >= 899 and . <= 900'
	assert_requests 1
}

@test "--ttl 600 is sent as Ttl=600 and {\"ttl\":600}; TWILIO_TTL when no --ttl" {
	start_fake twilio ok --expect-body Ttl=600
	fetch -p twilio --ttl 600 -f json
	assert_status 0
	assert_requests 1
	assert_log_body 1 Ttl=600
	assert_jq '.ttl_seconds | . >= 599 and . <= 600'

	start_fake twilio ok --expect-body Ttl=1200
	fetch TWILIO_TTL=1200 -p twilio
	assert_status 0
	assert_requests 1

	start_fake cloudflare ok --expect-body '{"ttl":600}'
	fetch -p cloudflare --ttl 600
	assert_status 0
	assert_stdout "$(expected_ok cloudflare)"
	assert_requests 1
}

@test "--ttl above a provider's maximum asks for the maximum" {
	start_fake twilio ok --expect-body Ttl=86400
	fetch -p twilio --ttl 200000
	assert_status 0
	assert_requests 1

	start_fake cloudflare ok --expect-body '{"ttl":172800}'
	fetch -p cloudflare --ttl 200000
	assert_status 0
	assert_requests 1
}

# api_key_env: PENV for twilio with the Account SID and an API key, at
# the fake.
api_key_env() {
	PENV=(TWILIO_ACCOUNT_SID="$SID" TWILIO_API_KEY_SID="$KEY_SID"
	    TWILIO_API_KEY_SECRET="$KEY_SECRET"
	    TWILIO_API_BASE="https://127.0.0.1:$PORT")
}

@test "twilio: an API key authenticates, the Account SID stays in the path" {
	start_fake twilio ok --auth "$KEY_SID:$KEY_SECRET"
	api_key_env
	fetch -p twilio
	assert_status 0
	assert_no_stderr
	assert_stdout "$(expected_ok twilio)"
	assert_requests 1
	[[ $(jq -r .path "$FAKE_LOG") == "/2010-04-01/Accounts/$SID/Tokens.json" ]]
	[[ $(jq -r .headers.authorization "$FAKE_LOG") == "Basic $(printf '%s:%s' "$KEY_SID" "$KEY_SECRET" | base64 -w0)" ]]
}

@test "twilio: a refused API key names the key settings" {
	start_fake twilio unauthorized --auth "$KEY_SID:$KEY_SECRET"
	api_key_env
	fetch -p twilio
	assert_status 1
	assert_no_stdout
	assert_one_error twilio 401 TWILIO_API_KEY_SID TWILIO_API_KEY_SECRET
	assert_requests 1
}

@test "secrets with reserved characters reach the API intact" {
	local token='MARK7:a b%41+/=?&#' key='MARK8 k+y/=&?#%41'

	start_fake twilio ok --auth "$SID:$token"
	PENV=(TWILIO_ACCOUNT_SID="$SID" TWILIO_AUTH_TOKEN="$token"
	    TWILIO_API_BASE="https://127.0.0.1:$PORT")
	fetch -p twilio -vv
	assert_status 0
	assert_stdout "$(expected_ok twilio)"
	assert_stderr_lacks MARK7
	assert_requests 1

	start_fake metered ok --api-key "$key"
	PENV=(METERED_API_KEY="$key" METERED_API_BASE="https://127.0.0.1:$PORT")
	fetch -p metered -vv
	assert_status 0
	assert_stdout "$(expected_ok metered)"
	assert_stderr_lacks MARK8
	assert_requests 1
	[[ $(jq -r '.query.apiKey[0]' "$FAKE_LOG") == "$key" ]]
}

@test "legacy shapes: Twilio 'url' keys, Cloudflare iceServers as one object, Xirsys without format=urls" {
	local p

	for p in twilio cloudflare xirsys; do
		start_fake "$p" legacy
		fetch -p "$p"
		assert_status 0
		assert_no_stderr
		assert_stdout "$(expected_ok "$p")"
		assert_requests 1
	done
}

@test "a mismatched request is refused by the fake, and iceupd says so" {
	# Guards the fakes themselves: a wrong secret must not pass unnoticed.
	start_fake cloudflare ok --token other-token
	fetch -p cloudflare
	assert_status 1
	assert_one_error cloudflare 400 "request mismatch" authorization
	[[ $(jq -r '.mismatch[0]' "$FAKE_LOG") == "authorization: expected Bearer"* ]]

	start_fake twilio ok --expect-body Ttl=5
	fetch -p twilio
	assert_status 1
	assert_one_error twilio 400 "request mismatch" body
}

# --- Twilio's regions and edges ------------------------------------------------
# The hosts of regions and edges cannot be served here (no DNS, no port 443):
# `iceupd providers` shows the host a fetch would use, with no request; the
# rule itself is unit-tested (test_providers_api.c).

# twilio_host NAME=VALUE ...: the host `iceupd providers` shows for twilio.
twilio_host() {
	run --separate-stderr iceupd TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_AUTH_TOKEN="$TOKEN" "$@" providers
	assert_status 0
	no_leak
	awk '$1 == "twilio" { print $NF }' <<<"$output"
}

@test "twilio: TWILIO_REGION and TWILIO_EDGE give the SDKs' hosts: edge alone in us1, us1 alone" {
	[[ $(twilio_host) == api.twilio.com ]]
	[[ $(twilio_host TWILIO_REGION=ie1 TWILIO_EDGE=dublin) == api.dublin.ie1.twilio.com ]]
	[[ $(twilio_host TWILIO_REGION=au1 TWILIO_EDGE=sydney) == api.sydney.au1.twilio.com ]]
	[[ $(twilio_host TWILIO_REGION=IE1 TWILIO_EDGE=Dublin) == api.dublin.ie1.twilio.com ]]
	[[ $(twilio_host TWILIO_EDGE=sydney) == api.sydney.us1.twilio.com ]]
	[[ $(twilio_host TWILIO_REGION=us1) == api.us1.twilio.com ]]
	[[ $(twilio_host TWILIO_REGION=ie1 TWILIO_EDGE=dublin \
	    TWILIO_API_BASE=https://twilio.test.example) == twilio.test.example ]]
	# The global host, as the sample configuration writes it, serves no
	# region: region and edge still choose.
	[[ $(twilio_host TWILIO_REGION=ie1 TWILIO_EDGE=dublin \
	    TWILIO_API_BASE=https://api.twilio.com/) == api.dublin.ie1.twilio.com ]]
}

@test "twilio: a region other than us1 without TWILIO_EDGE is a configuration error (exit 2) naming the edge" {
	local r

	for r in ie1:dublin au1:sydney de1:frankfurt us2:umatilla; do
		config_error TWILIO_EDGE TWILIO_ACCOUNT_SID="$SID" \
		    TWILIO_AUTH_TOKEN="$TOKEN" TWILIO_REGION="${r%%:*}"
		assert_stderr_contains "TWILIO_EDGE=${r#*:}" "retired"
	done
	config_error TWILIO_EDGE TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_AUTH_TOKEN="$TOKEN" TWILIO_REGION=xx9
	assert_stderr_contains "only us1 works alone"
	# A host name label or nothing: no other URL can be made.
	config_error TWILIO_REGION TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_AUTH_TOKEN="$TOKEN" TWILIO_REGION=ie1.evil.example \
	    TWILIO_EDGE=dublin
	config_error TWILIO_EDGE TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_AUTH_TOKEN="$TOKEN" TWILIO_REGION=ie1 TWILIO_EDGE='a/b'
}

@test "twilio: TWILIO_API_BASE wins over TWILIO_REGION and TWILIO_EDGE" {
	start_fake twilio ok
	fetch TWILIO_REGION=ie1 -p twilio
	assert_status 0
	assert_stdout "$(expected_ok twilio)"
	fetch TWILIO_REGION=au1 TWILIO_EDGE=sydney -p twilio
	assert_status 0
	assert_requests 2
}

# --- the provider says no ----------------------------------------------------

@test "401 and 404: alone, exit 1 with one line naming the provider and the setting" {
	local p

	for p in "${HOSTED[@]}"; do
		start_fake "$p" unauthorized
		fetch -p "$p"
		assert_status 1
		assert_no_stdout
		assert_one_error "$p" "HTTP 401" "$(auth_hint "$p")"
		assert_requests 1

		start_fake "$p" notfound
		fetch -p "$p"
		assert_status 1
		assert_no_stdout
		assert_one_error "$p" "HTTP 404" "$(missing_hint "$p")"
		assert_requests 1
	done
}

@test "401 and 404 carry the provider's own message" {
	start_fake twilio unauthorized
	fetch -p twilio
	assert_stderr_contains "Authenticate (code 20003)"
	start_fake twilio notfound
	fetch -p twilio
	assert_stderr_contains "(code 20404)"
	start_fake metered unauthorized
	fetch -p metered
	assert_stderr_contains "Invalid API Key"
}

@test "401 and 404 with coturn next: failover to coturn's list, exit 0" {
	local p sc

	for p in twilio cloudflare metered; do
		for sc in unauthorized notfound; do
			start_fake "$p" "$sc"
			fetch "${COTURN_ENV[@]}" -p "$p,coturn"
			assert_status 0
			assert_stdout "$COTURN_LIST"
			assert_stderr_lines 1
			assert_match "${stderr_lines[0]}" "^iceupd: warning: $p failed: "
			if [[ $sc == unauthorized ]]; then
				assert_stderr_contains "$(auth_hint "$p")"
			else
				assert_stderr_contains "$(missing_hint "$p")"
			fi
			assert_requests 1
		done
	done
}

# --- retries -------------------------------------------------------------------

@test "429 with Retry-After: 1 is retried after a second, then succeeds" {
	needs_real_time
	local p gap

	for p in twilio cloudflare metered; do
		start_fake "$p" ratelimit
		fetch -p "$p"
		assert_status 0
		assert_stdout "$(expected_ok "$p")"
		assert_requests 2
		[[ $(jq -s -c 'map(.status)' "$FAKE_LOG") == "[429,$(ok_status "$p")]" ]]
		gap=$(jq -s '((.[1].time - .[0].time) * 1000) | floor' "$FAKE_LOG")
		assert_between "ms between the requests" "$gap" 900 3000
	done
}

@test "a 500 is retried, then succeeds" {
	local p

	for p in twilio cloudflare metered; do
		start_fake "$p" error500
		fetch -p "$p"
		assert_status 0
		assert_stdout "$(expected_ok "$p")"
		assert_requests 2
		[[ $(jq -s -c 'map(.status)' "$FAKE_LOG") == "[500,$(ok_status "$p")]" ]]
	done
}

@test "429 forever: alone exit 1 within the deadline, a bounded number of tries" {
	needs_real_time
	local n

	start_fake twilio ratelimit_forever
	fetch -p twilio -t 2500
	assert_status 1
	assert_no_stdout
	assert_one_error twilio "HTTP 429"
	assert_between "elapsed ms" "$ELAPSED_MS" 900 4500
	n=$(jq -s length "$FAKE_LOG")
	assert_between requests "$n" 2 4
}

@test "500 forever: alone exit 1 within the deadline, a bounded number of tries" {
	needs_real_time
	local n

	start_fake cloudflare error500_forever
	fetch -p cloudflare -t 2000
	assert_status 1
	assert_no_stdout
	assert_one_error cloudflare "HTTP 500"
	assert_between "elapsed ms" "$ELAPSED_MS" 200 4000
	n=$(jq -s length "$FAKE_LOG")
	assert_between requests "$n" 2 8
}

@test "429 and 500 forever with coturn next: failover, exit 0" {
	start_fake metered ratelimit_forever
	fetch "${COTURN_ENV[@]}" -p metered,coturn -t 3000 --grace 200
	assert_status 0
	assert_stdout "$COTURN_LIST"

	start_fake twilio error500_forever
	fetch "${COTURN_ENV[@]}" -p twilio,coturn -t 3000 --grace 200
	assert_status 0
	assert_stdout "$COTURN_LIST"
}

# --- answers that cannot be used -------------------------------------------------

# unusable SCENARIO REASON [PROVIDER ...]: alone exit 1 with one line naming
# the provider and REASON; with coturn next, coturn's list and exit 0.  The
# providers are Twilio's, Cloudflare's and Metered's unless named.
unusable() {
	local p sc=$1 why=$2
	local -a ps=(twilio cloudflare metered)

	shift 2
	[[ $# -eq 0 ]] || ps=("$@")
	set -- "$sc" "$why"
	for p in "${ps[@]}"; do
		start_fake "$p" "$1"
		fetch -p "$p"
		assert_status 1
		assert_no_stdout
		assert_one_error "$p" "$2"
		assert_requests 1

		start_fake "$p" "$1"
		fetch "${COTURN_ENV[@]}" -p "$p,coturn"
		assert_status 0
		assert_stdout "$COTURN_LIST"
		assert_stderr_lines 1
		assert_stderr_contains "$p" "$2"
	done
}

@test "malformed JSON: failure with a clear reason, or failover" {
	unusable malformed "not JSON"
}

@test "valid JSON without servers: failure with a clear reason, or failover" {
	unusable empty "no usable server" "${HOSTED[@]}"
}

@test "a 10 MB answer: refused, failure or failover" {
	unusable huge "larger than"
}

@test "an answer shorter than its Content-Length: failure or failover" {
	unusable truncated "remaining"
}

@test "a NUL inside a credential: the entries are not used, failure or failover" {
	unusable nul "NUL character"
}

@test "an escaped backslash before u0000 is text, not a NUL: the credential is used as sent" {
	local p cred

	for p in twilio cloudflare metered; do
		start_fake "$p" backslash
		fetch -p "$p"
		assert_status 0
		assert_no_stderr
		cred=$(turn_cred "$p")
		cred="${cred:0:8}\\u0000${cred:8}"
		[[ $(jq -r '.[0].credential' <<<"$output") == "$cred" ]] || {
			echo "credential: $(jq -r '.[0].credential' <<<"$output"), expected $cred"
			return 1
		}
		assert_requests 1
		stop_fakes
	done
}

@test "a credential that is not UTF-8: the entries are not used, failure or failover" {
	unusable badutf8 "no usable server"
}

@test "invalid URIs in the answer are dropped with a warning; the good servers stay" {
	local p

	for p in "${HOSTED[@]}"; do
		start_fake "$p" badurls
		fetch -p "$p"
		assert_status 0
		assert_stdout "$(expected_badurls "$p")"
		assert_stderr_lines 1
		assert_match "${stderr_lines[0]}" "^iceupd: warning: $p: 4 entries dropped; first: dropped '(turn://x|stun:x:3478\\?transport=udp)': "
		assert_requests 1
	done
}

# --- time ---------------------------------------------------------------------------

@test "an API that never answers: alone, exit 1 after about the timeout" {
	needs_real_time
	local -a cf
	local cflog

	start_fake twilio hang
	fetch -p twilio -t 2000
	assert_status 1
	assert_no_stdout
	assert_one_error twilio "no answer"
	assert_between "elapsed ms" "$ELAPSED_MS" 1900 4500
	assert_requests 1

	# Both at once, under the same deadline.
	start_fake cloudflare hang
	cf=("${PENV[@]}")
	cflog=$FAKE_LOG
	start_fake metered hang
	PENV+=("${cf[@]}")
	fetch -p cloudflare,metered -t 2000
	assert_status 1
	assert_no_stdout
	# Each gave no answer: as the engine saw it at the deadline, or as
	# the provider's own request ended there, whichever came first.
	assert_one_error "cloudflare: " "metered: "
	assert_match "${stderr_lines[0]}" 'cloudflare: [^;]*no answer'
	assert_match "${stderr_lines[0]}" 'metered: [^;]*no answer'
	assert_between "elapsed ms" "$ELAPSED_MS" 1900 4500
	assert_requests 1
	FAKE_LOG=$cflog assert_requests 1
}

@test "an API that never answers, coturn next: coturn's list after about the grace period" {
	needs_real_time
	start_fake twilio hang
	fetch "${COTURN_ENV[@]}" -p twilio,coturn -t 5000 --grace 1500
	assert_status 0
	assert_stdout "$COTURN_LIST"
	assert_between "elapsed ms" "$ELAPSED_MS" 1400 4900
	assert_stderr_lines 1
	assert_stderr_contains "twilio" "no answer"
}

@test "an answer trickling 1 byte every 200 ms is bounded by the deadline" {
	needs_real_time
	start_fake cloudflare trickle
	fetch -p cloudflare -t 2000
	assert_status 1
	assert_no_stdout
	assert_one_error cloudflare "no answer"
	assert_between "elapsed ms" "$ELAPSED_MS" 1900 4500

	start_fake metered trickle
	fetch "${COTURN_ENV[@]}" -p metered,coturn -t 5000 --grace 1000
	assert_status 0
	assert_stdout "$COTURN_LIST"
	assert_between "elapsed ms" "$ELAPSED_MS" 900 4900
}

# --- TLS ------------------------------------------------------------------------------

@test "without --cacert the fake's certificate is refused: exit 1, no request made" {
	local p

	for p in twilio cloudflare metered; do
		start_fake "$p" ok
		fetch_bare -p "$p"
		assert_status 1
		assert_no_stdout
		assert_one_error "$p" certificate
		assert_requests 0
	done
}

@test "ICEUPD_CA_FILE works as --cacert" {
	start_fake twilio ok
	fetch_bare ICEUPD_CA_FILE="$CA" -p twilio
	assert_status 0
	assert_stdout "$(expected_ok twilio)"
	assert_requests 1
}

@test "a CA that did not sign the server's certificate is refused" {
	"$MOCKS/ca.sh" "$BATS_TEST_TMPDIR/other-ca"
	start_fake metered ok
	fetch_bare -p metered --cacert "$BATS_TEST_TMPDIR/other-ca/ca.pem"
	assert_status 1
	assert_one_error metered certificate
	assert_requests 0
}

@test "a --cacert file that does not exist is a configuration error (exit 2)" {
	start_fake twilio ok
	fetch_bare -p twilio --cacert "$BATS_TEST_TMPDIR/missing.pem"
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "missing.pem"
	assert_requests 0
}

@test "an http:// API base is a configuration error (exit 2) naming the variable" {
	local p var

	for p in "${HOSTED[@]}"; do
		start_fake "$p" ok
		provider_env "$p" "http://127.0.0.1:$PORT"
		fetch -p "$p"
		assert_status 2
		assert_no_stdout
		assert_stderr_lines 1
		var=${p^^}_API_BASE
		assert_stderr_contains "$var" "http://127.0.0.1:$PORT"
		assert_requests 0
	done
}

# --- configuration errors ------------------------------------------------------------

# config_error VARIABLE NAME=VALUE ...: exit 2 with one line naming VARIABLE,
# selected with -p and found by itself alike.
config_error() {
	local var=$1 p

	shift
	case $var in
	TWILIO*) p=twilio ;;
	CLOUDFLARE*) p=cloudflare ;;
	METERED*) p=metered ;;
	XIRSYS*) p=xirsys ;;
	esac
	PENV=()
	fetch "$@" -p "$p"
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$var"
	fetch "$@"
	assert_status 2
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "$var"
}

@test "a TWILIO_ACCOUNT_SID that is not AC and 32 hex digits: exit 2" {
	local sid

	for sid in AC123 "${KEY_SID}" AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6g \
	    "${SID}0" ac5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a; do
		config_error TWILIO_ACCOUNT_SID TWILIO_ACCOUNT_SID="$sid" \
		    TWILIO_AUTH_TOKEN="$TOKEN"
	done
}

@test "TWILIO_API_KEY_SID without TWILIO_API_KEY_SECRET: exit 2" {
	config_error TWILIO_API_KEY_SECRET TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_API_KEY_SID="$KEY_SID"
	config_error TWILIO_API_KEY_SID TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_API_KEY_SECRET="$KEY_SECRET"
}

@test "CLOUDFLARE_TURN_KEY_ID without CLOUDFLARE_TURN_API_TOKEN: exit 2" {
	config_error CLOUDFLARE_TURN_API_TOKEN CLOUDFLARE_TURN_KEY_ID="$CF_KEY"
	config_error CLOUDFLARE_TURN_KEY_ID CLOUDFLARE_TURN_API_TOKEN="$CF_TOKEN"
}

@test "a CLOUDFLARE_TURN_KEY_ID that would change the URL path: exit 2" {
	local id

	for id in ../x a/b 'a?b' 'a b' '%2e%2e'; do
		config_error CLOUDFLARE_TURN_KEY_ID CLOUDFLARE_TURN_KEY_ID="$id" \
		    CLOUDFLARE_TURN_API_TOKEN="$CF_TOKEN"
	done
}

@test "XIRSYS_IDENT, XIRSYS_SECRET and XIRSYS_CHANNEL go together: exit 2 naming the missing one" {
	config_error XIRSYS_SECRET XIRSYS_IDENT="$XIRSYS_IDENT" \
	    XIRSYS_CHANNEL="$XIRSYS_CHANNEL"
	config_error XIRSYS_CHANNEL XIRSYS_IDENT="$XIRSYS_IDENT" \
	    XIRSYS_SECRET="$XIRSYS_SECRET"
	config_error XIRSYS_IDENT XIRSYS_SECRET="$XIRSYS_SECRET"
}

@test "a XIRSYS_CHANNEL or XIRSYS_IDENT that would change the URL or the Basic pair: exit 2" {
	local c

	for c in ../x a//b /a a/ 'a?b' 'a b' '%2e%2e' 'a#b'; do
		config_error XIRSYS_CHANNEL XIRSYS_CHANNEL="$c" \
		    XIRSYS_IDENT="$XIRSYS_IDENT" XIRSYS_SECRET="$XIRSYS_SECRET"
	done
	config_error XIRSYS_IDENT XIRSYS_IDENT="a:b" \
	    XIRSYS_CHANNEL="$XIRSYS_CHANNEL" XIRSYS_SECRET="$XIRSYS_SECRET"
}

@test "METERED_API_KEY without METERED_APP: exit 2" {
	config_error METERED_APP METERED_API_KEY="$METERED_KEY"
}

# --- secrets --------------------------------------------------------------------------

@test "no secret on stderr at -vv, in text and JSON logs, whatever the answer" {
	local p sc fmt
	local -a scs

	for p in "${HOSTED[@]}"; do
		# The answers that reach api.c's shared parts are played by
		# the first three; the others', by each.
		case $p in
		xirsys) scs=(ok unauthorized badurls error200) ;;
		turnix) scs=(ok unauthorized badurls) ;;
		*) scs=(ok unauthorized malformed badurls truncated nul
		    badutf8) ;;
		esac
		for sc in "${scs[@]}"; do
			start_fake "$p" "$sc"
			for fmt in text json; do
				# fetch checks every run with no_leak.
				fetch "${COTURN_ENV[@]}" -p "$p,coturn" -vv \
				    --log-format "$fmt"
				[[ $status == 0 ]] || { show_run; return 1; }
				[[ $fmt == text ]] || assert_stderr_json_lines
			done
		done
		# A request the fake refuses as not documented.
		start_fake "$p" ok --token x --auth "$SID:x" --api-key x
		fetch -p "$p" -vv
		assert_status 1
	done
}

@test "stdout holds the provider's credential and none of the API secrets" {
	local p fmt

	for p in "${HOSTED[@]}"; do
		start_fake "$p" ok
		for fmt in neko rtc json env dotenv str0m; do
			fetch -p "$p" -f "$fmt"
			assert_status 0
			[[ $output == *"$(turn_cred "$p")"* ]] || {
				echo "no credential in $fmt output"
				show_run
				return 1
			}
		done
	done
}
