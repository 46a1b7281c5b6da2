#!/usr/bin/env bats
# cache.bats: the engine's policies against real HTTPS fakes of the hosted
# APIs, and the last-known-good cache: hits ask nobody, stale-if-error,
# expired credentials never emitted, corrupt files ignored, concurrent runs,
# provider health and backoff.  Times are checked with generous bounds only.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

setup() {
	need_binary || return 1
	work_in
	CACHE=$BATS_TEST_TMPDIR/cache.json
}

teardown() {
	stop_fakes
}

# ice [NAME=VALUE ...] [ARG ...]: iceupd against the fakes started, with
# the test CA and the test's own cache.
ice() {
	iceupd "${ENVS[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" ICEUPD_CACHE="$CACHE" "$@"
}

requests() { wc -l <"$1"; }

ms() { echo $(($(date +%s%N) / 1000000)); }

# twilio: starts the Twilio fake with SCENARIO; ENVS points iceupd at it.
twilio() {
	start_fake twilio "$@"
	ENVS=("${PENV[@]}")
	TW_LOG=$FAKE_LOG
}

@test "a fresh cached list answers without asking anyone" {
	twilio ok
	run --separate-stderr ice -p twilio
	assert_status 0
	first=$output
	[[ $(requests "$TW_LOG") -eq 1 ]]

	run --separate-stderr ice -p twilio -f json
	assert_status 0
	[[ $(requests "$TW_LOG") -eq 1 ]]
	assert_jq '.from_cache == true and .stale == false and .provider == "twilio"'

	run --separate-stderr ice -p twilio
	assert_stdout "$first"
	[[ $(requests "$TW_LOG") -eq 1 ]]
}

@test "--force-refresh and --no-cache ask again; --no-cache writes nothing" {
	twilio ok
	run --separate-stderr ice -p twilio
	run --separate-stderr ice -p twilio --force-refresh
	assert_status 0
	[[ $(requests "$TW_LOG") -eq 2 ]]
	rm -f "$CACHE" "$CACHE.lock"
	run --separate-stderr ice -p twilio --no-cache
	assert_status 0
	[[ $(requests "$TW_LOG") -eq 3 ]]
	[[ ! -e $CACHE ]]
}

@test "the cache and its lock are 0600 and hold the cache's own format" {
	twilio ok
	run --separate-stderr ice -p twilio
	assert_status 0
	[[ $(stat -c %a "$CACHE") == 600 ]]
	[[ $(stat -c %a "$CACHE.lock") == 600 ]]
	run jq -e '.iceupd_cache == 2 and (.list.servers | length) > 0 and
	    .list.provider == "twilio" and (.list.fetched_at | test("Z$")) and
	    (.list | keys) == ["fetched_at", "provider", "servers"] and
	    all(.list.servers[]; has("urls") and has("expires_at")) and
	    any(.list.servers[]; (.expires_at // "") | test("Z$")) and
	    .health.twilio.failures == 0' "$CACHE"
	assert_status 0
}

@test "a cache file of format 1 (the list as the json report) is still read" {
	twilio ok
	run --separate-stderr ice -p twilio
	good=$output
	# The same list as format 1 wrote it.
	jq '.iceupd_cache = 1 | .list = {iceServers: .list.servers,
	    provider: .list.provider, fetched_at: .list.fetched_at}' "$CACHE" >c.tmp
	mv c.tmp "$CACHE"
	run --separate-stderr ice -p twilio -f json
	assert_status 0
	assert_jq '.from_cache == true and .provider == "twilio"'
	[[ $(requests "$TW_LOG") -eq 1 ]]
	run --separate-stderr ice -p twilio
	assert_stdout "$good"
}

@test "every provider down: unexpired cached credentials, marked stale, exit 4" {
	twilio ok
	run --separate-stderr ice -p twilio
	good=$output
	stop_fakes
	run --separate-stderr ice -p twilio --force-refresh
	assert_status 4
	assert_stdout "$good"
	assert_stderr_contains "serving cached credentials from twilio"
	run --separate-stderr ice -p twilio --force-refresh -f json
	assert_status 4
	assert_jq '.stale == true and .has_turn == true'
}

@test "expired cached credentials are never emitted" {
	twilio ok
	run --separate-stderr ice -p twilio
	stop_fakes
	jq '.list.servers |= map(if .expires_at then .expires_at = "2001-01-01T00:00:00Z" else . end)' \
	    "$CACHE" >c.tmp
	mv c.tmp "$CACHE"
	run --separate-stderr ice -p twilio
	assert_status 1
	assert_no_stdout
	assert_stderr_lacks "serving cached"
}

@test "a cache for other settings is not used" {
	twilio ok
	run --separate-stderr ice -p twilio
	stop_fakes
	run --separate-stderr ice -p twilio --transport tcp --force-refresh
	assert_status 1
	assert_no_stdout
}

@test "a corrupt cache is reported and ignored, then rewritten" {
	twilio ok
	printf '{"iceupd_cache":1,"list":' >"$CACHE"
	run --separate-stderr ice -p twilio
	assert_status 0
	assert_stderr_contains "is corrupt; ignored"
	run jq -e '.list.provider == "twilio"' "$CACHE"
	assert_status 0
}

@test "concurrent runs sharing one cache all answer and leave it valid" {
	# Each waits for the lock a third of --timeout at most: under
	# valgrind, eight runs in a row outlast that.
	needs_real_time
	twilio ok
	for i in $(seq 8); do
		ice -p twilio --force-refresh >"out$i" 2>"err$i" &
	done
	fails=0
	for i in $(seq 8); do
		wait -n || fails=$((fails + 1))
	done
	[[ $fails -eq 0 ]]
	for i in $(seq 8); do
		jq -e 'length > 0' "out$i" >/dev/null
	done
	run jq -e '.list.provider == "twilio"' "$CACHE"
	assert_status 0
	[[ ! -e $CACHE.tmp ]]
	[[ -z $(find . -maxdepth 1 -name '.cache.json.*') ]]
}

@test "a provider that keeps failing is backed off, and providers shows it" {
	twilio unauthorized
	ENVS+=(WEBRTC_TURN_URLS=turn:127.0.0.1:3478 WEBRTC_TURN_USERNAME=u
	    WEBRTC_TURN_CREDENTIAL=p)
	run --separate-stderr ice -p twilio,coturn
	assert_status 0
	run --separate-stderr ice -p twilio,coturn
	assert_status 0
	# The cached failover answer did not stop a retry of the primary.
	[[ $(requests "$TW_LOG") -eq 2 ]]
	# Two failures in a row: the next runs do not ask, even past the cache.
	run --separate-stderr ice -p twilio,coturn -f json
	assert_status 0
	assert_jq '.from_cache == true and .provider == "coturn"'
	# Past the cache (its list gone, its health kept), still not asked.
	jq 'del(.list)' "$CACHE" >cache.tmp && mv cache.tmp "$CACHE"
	run --separate-stderr ice -p twilio,coturn -f json
	assert_status 0
	[[ $(requests "$TW_LOG") -eq 2 ]]
	assert_jq '.sources.twilio.asked == false and
	    (.sources.twilio.error | test("backing off after 2 failures"))'
	# --force-refresh asks it all the same.
	run --separate-stderr ice -p twilio,coturn -f json --force-refresh
	assert_status 0
	[[ $(requests "$TW_LOG") -eq 3 ]]
	assert_jq '.sources.twilio.asked == true'
	run --separate-stderr ice providers
	assert_status 0
	assert_match "$output" 'twilio +configured +3 failed, wait'
	assert_match "$output" 'last error: .*HTTP 401'
}

@test "policy first: a hanging primary costs the grace period, not the timeout" {
	needs_real_time
	twilio hang
	tw=("${PENV[@]}")
	start_fake cloudflare ok --delay-ms 200
	ENVS=("${tw[@]}" "${PENV[@]}")
	t=$(ms)
	run --separate-stderr ice -p twilio,cloudflare --no-cache -t 20000 --grace 1000 -f json
	t=$(($(ms) - t))
	assert_status 0
	assert_jq '.provider == "cloudflare"'
	((t < 10000))
}

@test "policy first: once the best answer is in, nobody slower is waited for" {
	needs_real_time
	twilio ok
	tw=("${PENV[@]}")
	start_fake cloudflare hang
	ENVS=("${tw[@]}" "${PENV[@]}")
	t=$(ms)
	run --separate-stderr ice -p twilio,cloudflare --no-cache -t 20000 --grace 15000 -f json
	t=$(($(ms) - t))
	assert_status 0
	assert_jq '.provider == "twilio" and
	    .sources.cloudflare.result == "not_waited" and .sources.cloudflare.error == null and
	    (.sources.cloudflare.note | test("not waited for: twilio answered first"))'
	((t < 10000))
}

@test "policy first: a primary failing for good costs nothing" {
	twilio unauthorized
	tw=("${PENV[@]}")
	start_fake cloudflare ok
	ENVS=("${tw[@]}" "${PENV[@]}")
	run --separate-stderr ice -p twilio,cloudflare --no-cache -f json
	assert_status 0
	assert_jq '.provider == "cloudflare" and .sources.twilio.ok == false'
	assert_stderr_contains "twilio failed: "
}

@test "policy merge: the union, preferred provider first, capped by --max-servers" {
	twilio ok
	tw=("${PENV[@]}")
	start_fake cloudflare ok
	ENVS=("${tw[@]}" "${PENV[@]}")
	run --separate-stderr ice -p twilio,cloudflare --no-cache --policy merge -f json
	assert_status 0
	assert_jq '.provider == "twilio+cloudflare" and
	    (.iceServers[0].urls[0] | startswith("stun:global.stun.twilio.com")) and
	    ([.iceServers[].urls[]] | any(test("cloudflare")))'
	n=$(jq '.iceServers | length' <<<"$output")
	run --separate-stderr ice -p twilio,cloudflare --no-cache --policy merge \
	    --max-servers 1 -f json
	assert_status 0
	assert_jq '.iceServers | length == 1'
	((n > 1))
}

@test "an unusable cache is one warning line, at default verbosity, whatever is wrong with it" {
	twilio ok
	CACHE=/dev/null/c.json
	run --separate-stderr ice -p twilio
	assert_status 0
	assert_stderr_lines 1
	assert_stderr_contains "cache /dev/null/c.json: cannot write: Not a directory; no cached credentials if the providers fail"
	mkfifo "$BATS_TEST_TMPDIR/fifo.json"
	CACHE=$BATS_TEST_TMPDIR/fifo.json
	run --separate-stderr ice -p twilio
	assert_status 0
	assert_stderr_lines 1
	assert_stderr_contains "cache $CACHE: cannot write:"
	run --separate-stderr ice -p twilio -q
	assert_no_stderr
}
