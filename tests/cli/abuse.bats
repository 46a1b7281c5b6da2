#!/usr/bin/env bats
# abuse.bats: hostile neighbours and hostile peers.  Links planted by
# another user in a shared folder, FIFOs and held locks where files should
# be, read-only folders and files left by a killed run; providers whose
# errors repeat the secrets, absurd Retry-After and health counts; a
# slow-header flood against serve; signals at start, core dumps and the
# --on-change child's environment.  Every wait is bounded; all traffic
# stays on loopback.  The tests about other users need root (they skip
# otherwise).
#
# Needs curl, jq, python3 and openssl (for the hosted fake).

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted
load serve

METERED_KEY=metered-apikey-MARK21-5e7a
TURN_SECRET=turn-shared-secret-MARK22-0c3f
LOCAL=(WEBRTC_TURN_URLS='turn:127.0.0.1:3478' TURN_SHARED_SECRET="$TURN_SECRET")

setup() {
	need_binary || return 1
	work_in work || return 1
	CA=$CADIR/ca.pem
	PIDS=()
	SERVE_PID=
	SERVE_ERR=$BATS_TEST_TMPDIR/serve.err
	LISTEN=(--listen 127.0.0.1:0)
}

teardown() {
	# shellcheck disable=SC2086 # no SERVE_PID: no word
	stop_pids -KILL "${PIDS[@]}" $SERVE_PID
	stop_fakes
}

needs_root() {
	[[ $(id -u) == 0 ]] || skip "needs root: files of another user"
}

# shared_folder: a sticky, world-writable folder like /tmp, in SHARED.
shared_folder() {
	SHARED=$BATS_TEST_TMPDIR/shared
	mkdir -p "$SHARED"
	chmod 1777 "$SHARED"
	chmod 755 "$BATS_TEST_TMPDIR"
}

# plant NAME TARGET: a link in SHARED owned by nobody, as another user
# would leave it.
plant() {
	ln -s "$2" "$SHARED/$1"
	chown -h nobody "$SHARED/$1"
}

# decoy: a root file a planted link aims at; DECOY holds its path.
decoy() {
	DECOY=$BATS_TEST_TMPDIR/shadow
	printf 'root:secret-hash:0:0\n' >"$DECOY"
	chmod 640 "$DECOY"
	DECOY_SUM=$(sha256sum <"$DECOY")
}

assert_decoy_intact() {
	if [[ $(sha256sum <"$DECOY") != "$DECOY_SUM" ||
	    $(stat -c %a "$DECOY") != 640 ]]; then
		echo "the file the planted link aims at was changed:"
		ls -l "$DECOY"
		cat "$DECOY"
		return 1
	fi
}

# metered [NAME=VALUE ...] [ARG ...]: iceupd with the Metered fake.
metered() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	run --separate-stderr timeout 60 env -i PATH="$PATH" \
	    HOME="$BATS_TEST_TMPDIR/home" ICEUPD_CONFIG=/dev/null \
	    "${PENV[@]}" "${vars[@]}" "$ICEUPD" "$@" --cacert "$CA"
}

# local_run [ARG ...]: iceupd minting TURN REST credentials locally, no
# cache, at most 60 s.
local_run() {
	run --separate-stderr timeout 60 env -i PATH="$PATH" \
	    HOME="$BATS_TEST_TMPDIR/home" ICEUPD_CONFIG=/dev/null \
	    "${LOCAL[@]}" "$ICEUPD" "$@"
}

# get PATH: one request with a generous bound; sets status and output.
get() {
	local hf=$BATS_TEST_TMPDIR/headers

	output=$(curl -sS -D "$hf" --max-time 15 "$@") || {
		echo "no answer to $*"
		return 1
	}
	status=$(awk 'NR == 1 { print $2 }' "$hf")
}

# wait_for_text FILE TEXT: until FILE holds TEXT, at most 60 s.
wait_for_text() {
	local i

	for ((i = 0; i < 600; i++)); do
		grep -qF "$2" "$1" && return 0
		sleep 0.1
	done
	echo "$1 never said: $2"
	cat "$1"
	return 1
}

# hold_lock FILE: another process holds an exclusive flock on FILE (until
# teardown); returns once it does, at most 10 s later.
hold_lock() {
	local i

	flock "$1" sleep 120 &
	PIDS+=("$!")
	for ((i = 0; i < 100; i++)); do
		flock -n "$1" true || return 0
		sleep 0.1
	done
	echo "$1 was not locked"
	return 1
}

# wait_for FILE: until FILE is not empty, at most 60 s.
wait_for() {
	local i

	for ((i = 0; i < 600; i++)); do
		[[ -s $1 ]] && return 0
		sleep 0.1
	done
	echo "$1 never came"
	return 1
}

# --- links, FIFOs, locks and temporary files ------------------------------

@test "a link another user planted in a shared folder is not written through: -o, cache, locks" {
	needs_root
	shared_folder
	decoy
	start_fake metered ok
	plant out.json "$DECOY"
	metered -o "$SHARED/out.json" -p metered -f json
	assert_status 1
	assert_stderr_contains "$SHARED/out.json" "another user"
	assert_decoy_intact
	[[ -L $SHARED/out.json ]]

	# The cache and its lock: the answer is still given, nothing written
	# through either link.
	plant cache.json "$DECOY"
	metered ICEUPD_CACHE="$SHARED/cache.json" -p metered -f json
	assert_status 0
	assert_jq '.provider == "metered"'
	assert_decoy_intact
	rm -f "$SHARED/cache.json" "$SHARED/cache.json.lock"
	plant cache.json.lock "$DECOY"
	metered ICEUPD_CACHE="$SHARED/cache.json" -p metered -f json
	assert_status 0
	assert_decoy_intact
	[[ ! -e $SHARED/cache.json ]]

	# A watcher's lock, the same.
	plant watched.json.lock "$DECOY"
	local_run watch --once -o "$SHARED/watched.json"
	assert_status 1
	assert_decoy_intact
	[[ ! -e $SHARED/watched.json ]]
}

@test "-o still follows a link of the caller's own, in a shared folder too" {
	needs_root
	shared_folder
	mkdir -p "$BATS_TEST_TMPDIR/private"
	ln -s "$BATS_TEST_TMPDIR/private/real.json" "$SHARED/mine.json"
	local_run -o "$SHARED/mine.json" -f json
	assert_status 0
	[[ -L $SHARED/mine.json ]]
	jq -e '.has_turn' "$BATS_TEST_TMPDIR/private/real.json" >/dev/null
	# Relative, named from the current folder.
	mkdir -p sub
	ln -s sub/real.json rel.json
	local_run -o rel.json -f json
	assert_status 0
	[[ -L rel.json ]] && jq -e '.has_turn' sub/real.json >/dev/null
	# A link of root's own (the folder's owner) as well, chained.
	ln -s mine.json "$SHARED/chain.json"
	local_run -o "$SHARED/chain.json" -f json
	assert_status 0
	[[ -L $SHARED/chain.json && -L $SHARED/mine.json ]]
}

@test "a FIFO as cache, lock or output file: fetch and watch neither hang nor lose the answer" {
	start_fake metered ok
	mkfifo fifo.json
	metered ICEUPD_CACHE="$PWD/fifo.json" -p metered -f json
	assert_status 0
	assert_jq '.provider == "metered"'
	assert_stderr_contains "fifo.json" "not a regular file"

	mkfifo cache.json.lock
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 0
	assert_jq '.provider == "metered"'

	metered ICEUPD_CACHE="$PWD/fifo.json" watch --once -o out.json \
	    -p metered -f json
	assert_status 0
	jq -e '.provider == "metered"' out.json >/dev/null

	local_run watch --once -o fifo.json
	assert_status 1
	assert_stderr_contains "fifo.json" "not a regular file"
}

@test "a cache lock held by a stuck process: fetch waits a bounded time, then still answers" {
	start_fake metered ok
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 0
	hold_lock cache.json.lock
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 0
	assert_jq '.provider == "metered" and .from_cache'
	# Writing waits a bounded time too, then gives up on the cache only.
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json \
	    --force-refresh
	assert_status 0
	assert_jq '.provider == "metered" and (.from_cache | not)'
	assert_stderr_contains "cache.json: cannot write"
}

@test "a cache lock held by a stuck process costs at most a third of --timeout, reading and writing" {
	local t0 ms

	needs_real_time
	start_fake metered ok
	hold_lock cache.json.lock
	t0=$(date +%s%N)
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json -t 900
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_status 0
	assert_jq '.provider == "metered"'
	# Two waits of 300 ms and the fetch; 3 s each would be 6 s.
	((ms < 4000)) || { echo "took $ms ms"; return 1; }
}

@test "a fresh cache in a folder the caller cannot write is still used" {
	needs_root
	start_fake metered ok
	mkdir -p ro && chown nobody ro
	chmod 755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/work"
	# Relative paths: nobody may not cross the test's folders.
	cp "$CA" ca.pem && chmod 644 ca.pem && CA=ca.pem
	run --separate-stderr timeout 60 setpriv --reuid nobody --regid nogroup \
	    --clear-groups env -i PATH="$PATH" HOME=/nonexistent \
	    ICEUPD_CONFIG=/dev/null ICEUPD_CACHE=ro/cache.json \
	    "${PENV[@]}" "$ICEUPD" -p metered -f json --cacert "$CA"
	assert_status 0
	rm -f ro/cache.json.lock
	chmod 555 ro
	stop_fakes
	run --separate-stderr timeout 60 setpriv --reuid nobody --regid nogroup \
	    --clear-groups env -i PATH="$PATH" HOME=/nonexistent \
	    ICEUPD_CONFIG=/dev/null ICEUPD_CACHE=ro/cache.json \
	    "${PENV[@]}" "$ICEUPD" -p metered -f json --cacert "$CA"
	assert_status 0
	assert_jq '.provider == "metered" and .from_cache'
}

@test "temporary files left by a killed run are removed: by the cache's writer and watch at once, by -o once stale" {
	start_fake metered ok
	printf 'credentials' >.cache.json.AbC123
	touch -d '-10 minutes' .cache.json.AbC123
	printf 'credentials' >.cache.json.XyZ789
	printf 'credentials' >.out.json.Qw3rT5
	touch -d '-10 minutes' .out.json.Qw3rT5
	printf 'maybe being written' >.out.json.Fr35h0
	printf 'another file' >.cache.jsonx.Ot4er0
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -o out.json
	assert_status 0
	[[ ! -e .cache.json.AbC123 && ! -e .cache.json.XyZ789 ]]
	[[ ! -e .out.json.Qw3rT5 && -e .out.json.Fr35h0 && -e .cache.jsonx.Ot4er0 ]]
	[[ -s cache.json && -s out.json ]]

	# watch holds the output's lock: whatever is left is a killed run's.
	printf 'credentials' >.watched.json.Ab12Cd
	local_run watch --once -o watched.json
	assert_status 0
	[[ ! -e .watched.json.Ab12Cd && -s watched.json ]]
}

# serve_metered [ARG ...]: start_serve with the cache in this folder, the
# metered provider of the fake (PENV) and its CA.
serve_metered() {
	start_serve ICEUPD_CACHE="$PWD/cache.json" "${PENV[@]}" --cacert "$CA" \
	    -p metered "$@"
}

# --- what peers and files say ---------------------------------------------

@test "provider errors repeating the API key are redacted in the report, the cache, providers and serve" {
	start_fake metered echo
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 1
	assert_stderr_contains "[redacted]"
	[[ $output != *"$METERED_KEY"* ]]
	grep -q 'redacted' cache.json
	! grep -qF "$METERED_KEY" cache.json || return 1
	metered ICEUPD_CACHE="$PWD/cache.json" providers
	assert_stdout_lacks_key
	[[ $output == *"[redacted]"* ]]

	serve_metered
	for ((i = 0; i < 600; i++)); do
		get "$BASE/api/ice/providers"
		jq -e '.providers[] | select(.name == "metered") |
		    .last_fetch.error != null' <<<"$output" >/dev/null && break
		sleep 0.1
	done
	[[ $output == *"[redacted]"* ]]
	assert_stdout_lacks_key
	get "$BASE/api/ice/credentials?provider=metered"
	[[ $status == 502 ]]
	assert_stdout_lacks_key
	! grep -qF "$METERED_KEY" "$SERVE_ERR" || return 1
	stop_serve
}

assert_stdout_lacks_key() {
	if [[ $output == *"$METERED_KEY"* ]]; then
		echo "the API key is in the answer:"
		echo "$output"
		return 1
	fi
}

@test "Retry-After: 9223372036854775807 is taken as a long wait, not an overflow" {
	start_fake metered retry_huge
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json --timeout 5000
	assert_status 1
	assert_stderr_contains "HTTP 429"
	[[ $(wc -l <"$FAKE_LOG") == 1 ]] || {
		echo "asked $(wc -l <"$FAKE_LOG") times"
		return 1
	}
}

@test "the cache's health: junk names take no slot, absurd failure counts saturate" {
	start_fake metered unauthorized
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 1
	# The file as a hostile hand leaves it: 16 junk names first, then
	# metered (under its own configuration) failed INT_MAX times.
	jq '.health = ([range(16) | {key: "junk\(.)", value: {failures: 1}}]
	    | from_entries) + (.health | .metered.failures = 2147483647 |
	    .metered.latency_ms = 1e300 | .metered.next_try = null)' \
	    cache.json >hostile.json
	mv hostile.json cache.json
	metered ICEUPD_CACHE="$PWD/cache.json" -p metered -f json
	assert_status 1
	jq -e '(.health | keys) == ["metered"] and
	    .health.metered.failures >= 1000 and
	    .health.metered.failures <= 2147483647 and
	    .health.metered.latency_ms == 0 and
	    (.health.metered.error | test("401|Invalid"))' cache.json >/dev/null || {
		cat cache.json
		return 1
	}
}

@test "serve: a provider username holding JSON-looking text keeps the body valid JSON" {
	start_serve "${LOCAL[@]}" TURN_USER='u@remaining_ttl@"}' --no-cache
	get "$BASE/api/ice/credentials"
	[[ $status == 200 ]]
	jq -e '(.iceServers[0].username | endswith(":u@remaining_ttl@\"}")) and
	    (.remaining_ttl | type == "number")' <<<"$output" >/dev/null || {
		echo "$output"
		return 1
	}
	stop_serve
}

# --- serve under local abuse ------------------------------------------------

@test "serve: with a FIFO as cache, /healthz, /api/ice/providers and SIGTERM still answer" {
	mkfifo fifo.json
	start_serve ICEUPD_CACHE="$PWD/fifo.json" WEBRTC_STUN_URLS=stun:127.0.0.1:3478
	get "$BASE/healthz"
	[[ $status == 200 ]]
	get "$BASE/api/ice/providers"
	[[ $status == 200 ]]
	get "$BASE/metrics"
	[[ $status == 200 ]]
	stop_serve
}

@test "serve: /api/ice/providers answers from memory while another process holds the cache lock" {
	start_serve ICEUPD_CACHE="$PWD/cache.json" "${LOCAL[@]}" \
	    WEBRTC_STUN_URLS=stun:127.0.0.1:3478
	get "$BASE/healthz"
	hold_lock cache.json.lock
	# Over curl's 15 s bound if the answer waited for the lock.
	get "$BASE/api/ice/providers"
	[[ $status == 200 ]]
	stop_serve
}

@test "serve: /healthz answers under a slow-header flood from 9 addresses; a slow client is dropped" {
	start_serve "${LOCAL[@]}" --no-cache
	python3 "$BATS_TEST_DIRNAME/../peers/slowloris.py" \
	    --port "${BASE##*:}" --sources 9 --per-source 125 --every 1 \
	    --ready flood.ready --watch-one one.state --limit 90 \
	    3>&- >flood.out 2>&1 &
	PIDS+=("$!")
	wait_for flood.ready
	for ((i = 0; i < 3; i++)); do
		get "$BASE/healthz"
		[[ $status == 200 ]]
	done
	wait_for one.state
	[[ $(<one.state) == closed ]] || {
		echo "a connection sending one header byte a second was kept"
		return 1
	}
	get "$BASE/healthz"
	[[ $status == 200 ]]
	stop_serve
}

@test "serve: /healthz answers within 3 s under a slow-body flood of 1,100 connections from 11 addresses" {
	start_serve "${LOCAL[@]}" --no-cache
	# Whole headers announcing a body, then a body byte every 2 s: each
	# byte would restart an idle timeout.
	python3 "$BATS_TEST_DIRNAME/../peers/slowloris.py" --body \
	    --port "${BASE##*:}" --sources 11 --per-source 100 --every 2 \
	    --ready flood.ready --watch-one one.state --limit 40 \
	    3>&- >flood.out 2>&1 &
	PIDS+=("$!")
	wait_for flood.ready
	local t0=$SECONDS slow=0
	while ((SECONDS - t0 < 25)); do
		curl -s -o /dev/null --max-time 3 -w '%{http_code}\n' \
		    "$BASE/healthz" >>probes || echo fail >>probes
		sleep 1
	done
	grep -qv '^200$' probes && {
		echo "/healthz under the flood ($(<flood.ready) open refused):"
		sort probes | uniq -c
		return 1
	}
	[[ -s one.state && $(<one.state) == closed ]] || {
		echo "a connection sending one body byte every 2 s was kept"
		return 1
	}
	stop_serve
}

@test "serve: a body sent to a route that takes none is refused at once, unread" {
	start_serve "${LOCAL[@]}" --no-cache
	# Headers announce 4096 bytes that never come: the answer may not
	# wait for them.
	run python3 - "${BASE##*:}" <<-'EOF'
		import socket, sys
		s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
		s.settimeout(3)
		s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n"
		          b"Content-Length: 4096\r\n\r\n")
		print(s.recv(4096).split(b"\r\n")[0].decode())
	EOF
	[[ $status == 0 && $output == 'HTTP/1.1 413 '* ]] || {
		echo "$output"
		return 1
	}
	stop_serve
}

@test "serve: ?provider= requests get the list their fetch made, DELETE /api/ice/cache racing them" {
	start_fake metered ok
	serve_metered
	local -a fetches=() drops=()
	for ((i = 0; i < 150; i++)); do
		fetches+=(-o /dev/null "$BASE/api/ice/credentials?provider=metered")
		drops+=(-o /dev/null -X DELETE "$BASE/api/ice/cache")
	done
	for n in 1 2 3; do
		curl -s --max-time 120 -o /dev/null -w '%{http_code}\n' \
		    "${fetches[@]}" >"codes$n" &
		PIDS+=("$!")
	done
	curl -s --max-time 120 -o /dev/null -w '%{http_code}\n' \
	    "${drops[@]}" >drops
	for pid in "${PIDS[@]}"; do
		wait "$pid"
	done
	PIDS=()
	[[ $(sort -u codes1 codes2 codes3) == 200 ]] || {
		sort codes1 codes2 codes3 | uniq -c
		grep -m3 failed "$SERVE_ERR"
		return 1
	}
	[[ $(sort -u drops) == 204 ]]
	stop_serve
}

@test "serve: refresh requests that come while a refresh runs are absorbed by it" {
	start_fake metered hang
	serve_metered --timeout 8000
	local -a posts=()
	for ((i = 0; i < 50; i++)); do
		posts+=(-X POST "$BASE/api/ice/refresh")
	done
	curl -s --max-time 60 "${posts[@]}" >/dev/null
	# Until the first refresh has failed and the next is scheduled: a
	# refresh asked for meanwhile would have started at once.
	for ((i = 0; i < 600; i++)); do
		get "$BASE/api/ice/stats"
		jq -e '.refresh_failures >= 1 and .next_refresh != null and
		    (.next_refresh | fromdateiso8601) > now' <<<"$output" \
		    >/dev/null && break
		sleep 0.1
	done
	[[ $(wc -l <"$FAKE_LOG") == 1 ]] || {
		echo "the provider was asked $(wc -l <"$FAKE_LOG") times"
		cat "$FAKE_LOG" "$SERVE_ERR"
		return 1
	}
	stop_serve
}

@test "serve: a NUL in a caller id is a 400 from every source: query, form, JSON body, ?turn=" {
	start_serve "${LOCAL[@]}" --no-cache
	local code
	code() { curl -s -o /dev/null --max-time 10 -w '%{http_code}' "$@"; }
	[[ $(code -X POST "$BASE/api/ice/turn?id=ab") == 200 ]]
	[[ $(code -X POST "$BASE/api/ice/turn?id=a%00b") == 400 ]]
	[[ $(code -d 'id=a%00b' "$BASE/api/ice/turn") == 400 ]]
	[[ $(code -H 'Content-Type: application/json' -d '{"id":"a\u0000b"}' \
	    "$BASE/api/ice/turn") == 400 ]]
	[[ $(code -H 'Content-Type: application/json' -d '{"id":"ab"}' \
	    "$BASE/api/ice/turn") == 200 ]]
	[[ $(code --max-time 2 "$BASE/api/ice/events?turn=a%00b") == 400 ]]
	stop_serve
}

@test "serve: 16 event streams per address, the 17th refused while others get theirs; a closed stream's slot is free within 1.5 s" {
	start_serve "${LOCAL[@]}" --no-cache
	run python3 - "${BASE##*:}" <<-'EOF'
		import socket, sys, time
		port = int(sys.argv[1])
		def stream(src):
		    s = socket.socket()
		    s.bind((src, 0))
		    s.settimeout(5)
		    s.connect(("127.0.0.1", port))
		    s.sendall(b"GET /api/ice/events HTTP/1.1\r\nHost: x\r\n\r\n")
		    head = b""
		    while b"\r\n" not in head:
		        head += s.recv(64)
		    return s, int(head.split()[1])
		def fill(src, n):
		    for i in range(n):
		        s, code = stream(src)
		        if code != 200:
		            sys.exit("%s, stream %d: %d" % (src, i + 1, code))
		        held.setdefault(src, []).append(s)
		held = {}
		fill("127.0.0.1", 16)
		s, code = stream("127.0.0.1")
		print("17th", code)
		s.close()
		fill("127.0.0.2", 16)
		fill("127.0.0.3", 16)
		fill("127.0.0.4", 16)
		s, code = stream("127.0.0.5")
		print("65th", code)
		s.close()
		held["127.0.0.3"].pop().close()
		t = time.monotonic()
		while True:
		    s, code = stream("127.0.0.5")
		    if code == 200:
		        print("freed")
		        break
		    s.close()
		    if time.monotonic() - t > 1.5:
		        print("still taken")
		        break
		    time.sleep(0.1)
	EOF
	[[ $status == 0 ]] || { echo "$output"; return 1; }
	[[ $output == $'17th 503\n65th 503\nfreed' ]] || { echo "$output"; return 1; }
	stop_serve
}

# One request of a curl command line that makes many, its status a line.
ASK=(--next -s -o /dev/null --max-time 20 -w '%{http_code}\n')

@test "serve: forced refreshes against a provider that said 429 Retry-After: 3600 do not ask it again" {
	start_fake metered ratelimit_hour
	serve_metered --timeout 3000
	local -a asks=()
	for ((i = 0; i < 40; i++)); do
		asks+=("${ASK[@]}" -X POST "$BASE/api/ice/refresh"
		    "${ASK[@]}" "$BASE/api/ice/credentials?force_refresh=true"
		    "${ASK[@]}" "$BASE/api/ice/credentials?provider=metered&force_refresh=true")
	done
	curl "${asks[@]:1}" >codes || true
	[[ $(grep -c . codes) == 120 ]]
	# And the same from other processes, with --force-refresh.
	for ((i = 0; i < 3; i++)); do
		metered ICEUPD_CACHE="$PWD/cache.json" -p metered --force-refresh \
		    --timeout 3000
		assert_status 1
	done
	[[ $(wc -l <"$FAKE_LOG") -le 3 ]] || {
		echo "the provider was asked $(wc -l <"$FAKE_LOG") times"
		return 1
	}
	stop_serve
}

@test "serve: forced asks of one provider are coalesced to one per 5 s, whatever it answers" {
	start_fake metered ok
	serve_metered
	get "$BASE/api/ice/credentials"
	[[ $status == 200 ]]
	local -a asks=()
	for ((i = 0; i < 20; i++)); do
		asks+=("${ASK[@]}" "$BASE/api/ice/credentials?provider=metered&force_refresh=true"
		    "${ASK[@]}" -X POST "$BASE/api/ice/refresh")
	done
	local t0=$SECONDS
	curl "${asks[@]:1}" >codes || true
	[[ $(grep -c . codes) == 40 ]]
	local n=$(wc -l <"$FAKE_LOG") most=$((2 + (SECONDS - t0) / 5 + 1))
	[[ $n -le $most ]] || {
		echo "asked $n times in $((SECONDS - t0)) s"
		return 1
	}
	stop_serve
}

# --- signals, cores, children ------------------------------------------------

# feed_config: the FIFO conf.fifo, the config file of the process started,
# is opened (that waits, at most 30 s, until the process reads it) and
# closed: an empty config.
feed_config() {
	timeout 30 bash -c 'exec 5>conf.fifo' || {
		echo "the config file was not read"
		return 1
	}
}

# hup_while_reading_config: once the process started reads conf.fifo (it
# is in its settings, set up no further), SIGHUP; then the config.
hup_while_reading_config() {
	exec 5>conf.fifo
	kill -HUP "$1"
	exec 5>&-
}

@test "watch and serve survive a SIGHUP that comes while they still read their settings" {
	mkfifo conf.fifo
	env -i PATH="$PATH" ICEUPD_CONFIG=conf.fifo "${LOCAL[@]}" \
	    "$ICEUPD" watch -o out.json 3>&- 2>watch.err &
	pid=$!
	PIDS+=("$pid")
	hup_while_reading_config "$pid"
	wait_for out.json
	feed_config		# SIGHUP: settings read again
	kill -0 "$pid" || { echo "watch died of SIGHUP"; cat watch.err; return 1; }
	wait_for_text watch.err "settings reloaded"
	kill -TERM "$pid"
	wait "$pid"

	env -i PATH="$PATH" ICEUPD_CONFIG=conf.fifo "${LOCAL[@]}" "$ICEUPD" \
	    serve --no-cache --listen 127.0.0.1:0 --port-file port 3>&- 2>serve.err &
	SERVE_PID=$!
	SERVE_ERR=serve.err
	hup_while_reading_config "$SERVE_PID"
	wait_for port
	kill -0 "$SERVE_PID"
	stop_serve
}

@test "no core dump and no ptrace by the same user; the --on-change child gets no secret" {
	needs_root
	chmod 755 "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/work"
	chown nobody .
	setpriv --reuid nobody --regid nogroup --clear-groups env -i \
	    PATH="$PATH" HOME=/nonexistent ICEUPD_CONFIG=/dev/null \
	    "${LOCAL[@]}" "$ICEUPD" watch -o out.json \
	    --on-change 'env >child.env' 3>&- 2>watch.err &
	pid=$!
	PIDS+=("$pid")
	wait_for child.env
	# A process that may not dump: /proc/PID/ belongs to root.
	[[ $(stat -c %U "/proc/$pid/environ") == root ]] || {
		echo "/proc/$pid/environ belongs to $(stat -c %U "/proc/$pid/environ")"
		return 1
	}
	grep -Eq '^Max core file size +0 +0 ' "/proc/$pid/limits"
	grep -q '^ICEUPD_OUTPUT=' child.env
	! grep -qF "$TURN_SECRET" child.env || return 1
	grep -q '^WEBRTC_TURN_URLS=' child.env
}

@test "a URL setting with a key in its query or user part reaches no --on-change child and no message" {
	local key=url-query-key-MARK31-77ab user=url-user-pw-MARK32-19cd
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    "${LOCAL[@]}" ICEUPD_URL="https://127.0.0.1:9/x?key=$key" \
	    ICEUPD_JITSI_URL="https://me:$user@meet.example/room" \
	    MATRIX_HOMESERVER=https://matrix.example \
	    "$ICEUPD" watch -p coturn --no-cache -o out.json \
	    --on-change 'env >child.env' 3>&- 2>watch.err &
	PIDS+=("$!")
	wait_for child.env
	! grep -q "$key\|$user" child.env || {
		grep "$key\|$user" child.env
		return 1
	}
	# A URL without a key is no secret: the child keeps it.
	grep -qx 'MATRIX_HOMESERVER=https://matrix.example' child.env
	grep -q '^WEBRTC_TURN_URLS=' child.env
	# Nor does any message repeat them: not even a URL refused whole.
	url_run() {
		run --separate-stderr timeout 60 env -i PATH="$PATH" \
		    HOME="$BATS_TEST_TMPDIR/home" ICEUPD_CONFIG=/dev/null "$@" \
		    "$ICEUPD" --no-cache
	}
	url_run ICEUPD_URL="https://me:$user@h@x/y?key=$key"
	assert_status 2
	assert_stderr_contains "is not a usable URL"
	[[ $stderr != *"$key"* && $stderr != *"$user"* && $stderr != *pw-MARK* ]] || {
		echo "$stderr"
		return 1
	}
	url_run ICEUPD_URL="ftp://me:$user@h/y?key=$key"
	[[ $stderr != *"$key"* && $stderr != *"$user"* ]] || { echo "$stderr"; return 1; }
	url_run TWILIO_API_BASE="https://me:$user@h/y?key=$key" \
	    TWILIO_ACCOUNT_SID=AC0123 TWILIO_AUTH_TOKEN=tok-MARK33-aaaa
	[[ $stderr != *"$key"* && $stderr != *"$user"* ]] || { echo "$stderr"; return 1; }
}
