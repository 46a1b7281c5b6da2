#!/usr/bin/env bats
# health.bats: provider health follows the configuration it was earned
# under, --force-refresh asks every provider, and a TURN provider that is
# backing off still counts as expected TURN: no sequence of failures,
# fixes and configuration changes gives exit 0 without the TURN the
# configuration promises.  Against the Twilio fake (tests/mocks/hosted.py).

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

setup() {
	need_binary || return 1
	work_in work
	CACHE=$BATS_TEST_TMPDIR/cache.json
}

teardown() {
	stop_fakes
}

# ice [NAME=VALUE ...] [ARG ...]: iceupd with the fake's environment (ENVS),
# the test CA and one cache for the whole test.
ice() {
	run --separate-stderr iceupd "${ENVS[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CACHE="$CACHE" "$@"
}

requests() { wc -l <"$TW_LOG"; }

# twilio SCENARIO [hosted.py options]: the Twilio fake; ENVS points at it.
twilio() {
	start_fake twilio "$@"
	ENVS=("${PENV[@]}")
	TW_LOG=$FAKE_LOG
}

# fail_twice ARGS...: two runs that Twilio fails, which starts its backoff.
fail_twice() {
	ice "$@"
	ice "$@"
	[[ $(requests) -eq 2 ]] || { echo "expected 2 requests, got $(requests)"; return 1; }
}

@test "a backing-off TURN provider is still expected: STUN alone is exit 4, and the warning says who, why and until when" {
	twilio unauthorized
	fail_twice -p twilio,stun
	ice -p twilio,stun -f json
	assert_status 4
	[[ $(requests) -eq 2 ]]
	assert_jq '.has_turn == false and .degraded == true and
	    .sources.twilio.asked == false and .sources.twilio.ok == false and
	    (.sources.twilio.error | test("backing off after 2 failures until [0-9T:-]+Z; last error: .*HTTP 401")) and
	    .sources.stun.asked == true'
	assert_stderr_contains "warning: twilio: not asked: backing off after 2 failures until"
	assert_stderr_contains "HTTP 401"
	# The STUN-only answer is not what the cache keeps for next time.
	jq -e '(.list // {} | .provider) != "stun"' "$CACHE" >/dev/null
	ice -p twilio,stun
	assert_status 4
}

@test "--force-refresh asks a provider that is backing off" {
	twilio unauthorized
	fail_twice -p twilio,stun
	ice -p twilio,stun -f json --force-refresh
	assert_status 4
	[[ $(requests) -eq 3 ]]
	assert_jq '.sources.twilio.asked == true and
	    (.sources.twilio.error | test("HTTP 401"))'
}

@test "a fixed token is asked at once, without --force-refresh, and the old failures are forgotten" {
	twilio ok
	fail_twice TWILIO_AUTH_TOKEN=a-wrong-token-e01f -p twilio,stun
	ice TWILIO_AUTH_TOKEN=a-wrong-token-e01f -p twilio,stun
	[[ $(requests) -eq 2 ]]
	assert_status 4
	ice -p twilio,stun -f json
	assert_status 0
	[[ $(requests) -eq 3 ]]
	assert_jq '.provider == "twilio" and .has_turn == true and
	    .sources.twilio.asked == true and .degraded == false'
	jq -e '.health.twilio.failures == 0 and .health.twilio.error == null' "$CACHE" >/dev/null || {
		echo "cache health:"; jq .health "$CACHE"; return 1; }
}

@test "a changed API base after failures starts with clean health" {
	twilio unauthorized
	fail_twice -p twilio,stun
	twilio ok
	ice -p twilio,stun -f json
	assert_status 0
	[[ $(requests) -eq 1 ]]
	assert_jq '.provider == "twilio" and .sources.twilio.asked == true'
	jq -e '.health.twilio.failures == 0' "$CACHE" >/dev/null
	ice providers
	assert_status 0
	assert_match "$output" 'twilio +configured +ok, [0-9]+ ms'
	[[ $output != *"last error"* ]]
}

@test "providers shows no health for a provider no longer configured, nor for an old configuration" {
	twilio unauthorized
	fail_twice -p twilio,stun
	ice providers
	assert_match "$output" 'twilio +configured +2 failed, wait'
	ENVS=()
	ice providers
	assert_status 0
	assert_match "$output" 'twilio +not set +- '
	[[ $output != *"last error"* ]]
	ENVS=("${PENV[@]}" TWILIO_TTL=600)
	ice providers
	assert_match "$output" 'twilio +configured +- '
}

@test "each health entry in the cache records the configuration it was earned under" {
	twilio unauthorized
	fail_twice -p twilio,stun
	jq -e '.health | keys == ["stun", "twilio"] and
	    (.twilio.config | test("^[0-9a-f]{64}$")) and .twilio.failures == 2' "$CACHE" >/dev/null || {
		jq . "$CACHE"; return 1; }
}
