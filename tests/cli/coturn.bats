#!/usr/bin/env bats
# iceupd against a real coturn on 127.0.0.1: the credentials iceupd prints
# must allocate on the TURN server, over UDP and TCP, for TURN REST (shared
# secret) and static credentials, and wrong or expired ones must not.

# shellcheck disable=SC2154 # $stderr comes from run --separate-stderr

bats_require_minimum_version 1.5.0

load ../peers/coturn

setup_file() {
	export ICEUPD="${ICEUPD:-$BATS_TEST_DIRNAME/../../build/iceupd}"
	if [ ! -x "$ICEUPD" ]; then
		echo "$ICEUPD is missing: run make all" >&2
		return 1
	fi

	export REST_SECRET="north-$RANDOM$RANDOM-wind"
	coturn_start --realm=iceupd.test --use-auth-secret \
	    --static-auth-secret="$REST_SECRET"
	export REST_PID=$COTURN_PID REST_PORT=$COTURN_PORT
	export REST_LOG=$COTURN_LOG
	export REST_URLS="turn:127.0.0.1:$REST_PORT?transport=udp,turn:127.0.0.1:$REST_PORT?transport=tcp"

	export BOB_PASSWORD="it's \$HOME \"q\" \`id\` \\ ;&| %41"
	coturn_start --realm=iceupd.test --lt-cred-mech --user=alice:s3cret \
	    --user="bob:$BOB_PASSWORD"
	export STATIC_PID=$COTURN_PID STATIC_PORT=$COTURN_PORT
	export STATIC_LOG=$COTURN_LOG
	export STATIC_URLS="turn:127.0.0.1:$STATIC_PORT?transport=udp,turn:127.0.0.1:$STATIC_PORT?transport=tcp"
}

teardown_file() {
	coturn_stop "${REST_PID:-}"
	coturn_stop "${STATIC_PID:-}"
}

# iceupd_clean VAR=value... iceupd-arguments...
# Runs the command in an empty environment but for PATH, a HOME of its own and
# no configuration file.
iceupd_clean() {
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null "$@"
}

# rest_run SECRET [VAR=value ...] COMMAND...: iceupd_clean with the REST
# coturn's URLs and TURN REST credentials of SECRET for the user neko,
# through run --separate-stderr.
rest_run() {
	local secret=$1

	shift
	run --separate-stderr iceupd_clean WEBRTC_TURN_URLS="$REST_URLS" \
	    TURN_SHARED_SECRET="$secret" TURN_USER=neko "$@"
}

# static_alice CREDENTIAL: iceupd --format neko, clean, with the static
# coturn's URLs, the user alice and CREDENTIAL, through run
# --separate-stderr.
static_alice() {
	run --separate-stderr iceupd_clean WEBRTC_TURN_URLS="$STATIC_URLS" \
	    WEBRTC_TURN_USERNAME=alice WEBRTC_TURN_CREDENTIAL="$1" \
	    "$ICEUPD" --format neko
}

# turn_url JSON TRANSPORT: the first turn: URL for TRANSPORT in the neko
# array JSON.
turn_url() {
	jq -r --arg t "$2" '[.[] | .urls[] | select(startswith("turn:"))
	    | select(test("transport=" + $t + "$"))] | first // empty' <<<"$1"
}

# uclient URL USERNAME CREDENTIAL LOG: turnutils_uclient (coturn_allocate)
# pointed where URL says, with these credentials, its output shown; sets
# status, output, MARK (where LOG stood before) and TRANSPORT.
uclient() {
	local hp host port

	hp=$(turn_url_host_port "$1") || {
		echo "not a turn: URL: '$1'"
		return 1
	}
	read -r host port TRANSPORT <<<"$hp"
	MARK=$(coturn_log_mark "$4")
	run coturn_allocate "$host" "$port" "$TRANSPORT" "$2" "$3"
	echo "turnutils_uclient ($TRANSPORT to $host:$port as '$2'):"
	echo "$output"
}

# assert_allocates URL USERNAME CREDENTIAL LOG
# turnutils_uclient, pointed where URL says, gets its allocations with these
# credentials and relays its messages, and coturn logs the allocation for
# USERNAME.
assert_allocates() {
	local user=$2 log=$4

	uclient "$@" || return 1
	[ "$status" -eq 0 ]
	[[ $output != *ERROR* ]]
	[[ $output =~ start_mclient:\ tot_send_msgs=2,\ tot_recv_msgs=2 ]]
	coturn_log_wait "$log" "$MARK" \
	    "user <$user>: incoming packet ALLOCATE processed, success" ||
	    { echo "coturn logged no allocation:"; tail -n 30 "$log"; return 1; }
	if [ "$TRANSPORT" = tcp ]; then
		coturn_log_wait "$log" "$MARK" "tcp or tls connected to:" ||
		    { echo "coturn logged no TCP client"; return 1; }
	fi
}

# assert_refused URL USERNAME CREDENTIAL LOG
# coturn answers 401 to these credentials and turnutils_uclient gives up with
# "Cannot complete Allocation".
assert_refused() {
	local user=$2 log=$4

	uclient "$@" || return 1
	[ "$status" -eq 255 ]
	[[ $output == *"ERROR: Cannot complete Allocation"* ]]
	[[ $output != *tot_send_msgs* ]]
	coturn_log_wait "$log" "$MARK" \
	    "user <$user>: incoming packet message processed, error 401: Unauthorized" ||
	    { echo "coturn logged no 401:"; tail -n 30 "$log"; return 1; }
	if tail -n +"$((MARK + 1))" "$log" | grep -qF \
	    "user <$user>: incoming packet ALLOCATE processed, success"; then
		echo "coturn logged an allocation for '$user'"
		return 1
	fi
}

@test "coturn REST: credentials iceupd mints from the shared secret allocate over UDP" {
	rest_run "$REST_SECRET" "$ICEUPD" --format json
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	report=$output
	jq -e '.provider == "coturn" and .has_turn == true
	    and (.iceServers | length) == 1' <<<"$report"
	[ "$(jq -c '.iceServers[0].urls' <<<"$report")" = \
	    "[\"turn:127.0.0.1:$REST_PORT?transport=udp\",\"turn:127.0.0.1:$REST_PORT?transport=tcp\"]" ]
	user=$(jq -r '.iceServers[0].username' <<<"$report")
	cred=$(jq -r '.iceServers[0].credential' <<<"$report")
	[[ $user =~ ^[0-9]+:neko$ ]]
	url=$(turn_url "$(jq -c .iceServers <<<"$report")" udp)

	assert_allocates "$url" "$user" "$cred" "$REST_LOG"
}

@test "coturn REST: credentials iceupd mints from a wrong secret do not allocate" {
	rest_run "$REST_SECRET" "$ICEUPD" --format neko
	[ "$status" -eq 0 ]
	good=$(jq -r '.[0].credential' <<<"$output")
	rest_run "not-$REST_SECRET" "$ICEUPD" --format neko
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	user=$(jq -r '.[0].username' <<<"$output")
	cred=$(jq -r '.[0].credential' <<<"$output")
	[[ $user =~ ^[0-9]+:neko$ ]]
	[ -n "$cred" ]
	[ "$cred" != "$good" ]
	[ "$cred" = "$(turn_rest_password "not-$REST_SECRET" "$user")" ]

	assert_refused "$(turn_url "$output" udp)" "$user" "$cred" "$REST_LOG"
}

@test "coturn REST: coturn refuses an expired username; iceupd's expires TURN_TTL seconds ahead" {
	before=$(date +%s)
	rest_run "$REST_SECRET" TURN_TTL=600 "$ICEUPD" --format json
	after=$(date +%s)
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	report=$output
	user=$(jq -r '.iceServers[0].username' <<<"$report")
	cred=$(jq -r '.iceServers[0].credential' <<<"$report")
	[[ $user =~ ^([0-9]+):neko$ ]]
	expires=${BASH_REMATCH[1]}
	echo "minted between $before and $after, username $user"
	[ "$expires" -ge $((before + 600)) ]
	[ "$expires" -le $((after + 600)) ]
	[ "$(jq -r '.ttl_seconds' <<<"$report")" = 600 ]
	[ "$(jq -r '.expires_at | fromdateiso8601' <<<"$report")" = "$expires" ]
	# The password is the HMAC a TURN REST server computes over the name.
	[ "$cred" = "$(turn_rest_password "$REST_SECRET" "$user")" ]

	# The same HMAC over a name whose time has passed is refused.
	expired="$(($(date +%s) - 60)):neko"
	assert_refused "$(turn_url "$(jq -c .iceServers <<<"$report")" udp)" \
	    "$expired" "$(turn_rest_password "$REST_SECRET" "$expired")" \
	    "$REST_LOG"
}

@test "coturn REST: the ?transport=tcp URL iceupd keeps with --transport tcp allocates over TCP" {
	rest_run "$REST_SECRET" "$ICEUPD" --transport tcp
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.[].urls]' <<<"$output")" = \
	    "[[\"turn:127.0.0.1:$REST_PORT?transport=tcp\"]]" ]
	user=$(jq -r '.[0].username' <<<"$output")
	cred=$(jq -r '.[0].credential' <<<"$output")
	url=$(turn_url "$output" tcp)

	assert_allocates "$url" "$user" "$cred" "$REST_LOG"
	assert_refused "$url" "$user" "x$cred" "$REST_LOG"
}

@test "coturn static: WEBRTC_TURN_USERNAME and WEBRTC_TURN_CREDENTIAL allocate" {
	static_alice s3cret
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	[ "$output" = "[{\"urls\":[\"turn:127.0.0.1:$STATIC_PORT?transport=udp\",\"turn:127.0.0.1:$STATIC_PORT?transport=tcp\"],\"username\":\"alice\",\"credential\":\"s3cret\"}]" ]

	assert_allocates "$(turn_url "$output" udp)" alice s3cret "$STATIC_LOG"
}

@test "coturn static: a wrong WEBRTC_TURN_CREDENTIAL does not allocate" {
	static_alice s3creT
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	user=$(jq -r '.[0].username' <<<"$output")
	cred=$(jq -r '.[0].credential' <<<"$output")
	[ "$user" = alice ]
	[ "$cred" = s3creT ]

	assert_refused "$(turn_url "$output" udp)" "$user" "$cred" \
	    "$STATIC_LOG"
}

# neko_env_in_sh VAR=value...
# In sh, evals what `iceupd --format env` prints with these variables (failing
# when iceupd fails) and prints the NEKO_ICESERVERS it defined.
neko_env_in_sh() {
	sh -c 'set -eu
		iceupd=$1 home=$2
		shift 2
		unset NEKO_ICESERVERS
		out=$(env -i PATH="$PATH" HOME="$home" ICEUPD_CONFIG=/dev/null \
		    "$@" "$iceupd" --format env)
		eval "$out"
		printf "%s" "$NEKO_ICESERVERS"' \
	    sh "$ICEUPD" "$BATS_TEST_TMPDIR" "$@"
}

# assert_neko_shape JSON: what neko v2's strict decoder takes: an array of
# objects with only urls, username and credential, urls an array of strings.
assert_neko_shape() {
	jq -e 'type == "array" and length > 0 and all(.[];
	    type == "object"
	    and ((keys - ["credential", "urls", "username"]) | length) == 0
	    and (.urls | type == "array" and length > 0
		and all(.[]; type == "string"))
	    and ((.username // "") | type == "string")
	    and ((.credential // "") | type == "string"))' <<<"$1"
}

@test "NEKO_ICESERVERS from --format env has neko's shape and its TURN credentials allocate" {
	run --separate-stderr neko_env_in_sh \
	    WEBRTC_TURN_URLS="$REST_URLS" TURN_SHARED_SECRET="$REST_SECRET" \
	    TURN_USER=neko
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	neko=$output
	assert_neko_shape "$neko"
	turn=$(jq -c '[.[] | select(any(.urls[]; startswith("turn:")))]' \
	    <<<"$neko")
	[ "$(jq length <<<"$turn")" -eq 1 ]
	user=$(jq -r '.[0].username' <<<"$turn")
	cred=$(jq -r '.[0].credential' <<<"$turn")
	[[ $user =~ ^[0-9]+:neko$ ]]

	assert_allocates "$(turn_url "$turn" udp)" "$user" "$cred" \
	    "$REST_LOG"
}

@test "NEKO_ICESERVERS from --format env carries a password with quotes, \$ and backslash intact" {
	run --separate-stderr neko_env_in_sh \
	    WEBRTC_TURN_URLS="$STATIC_URLS" WEBRTC_TURN_USERNAME=bob \
	    WEBRTC_TURN_CREDENTIAL="$BOB_PASSWORD"
	echo "stderr: $stderr"
	[ "$status" -eq 0 ]
	neko=$output
	assert_neko_shape "$neko"
	[ "$(jq -r '.[0].username' <<<"$neko")" = bob ]
	[ "$(jq -r '.[0].credential' <<<"$neko")" = "$BOB_PASSWORD" ]

	assert_allocates "$(turn_url "$neko" tcp)" bob "$BOB_PASSWORD" \
	    "$STATIC_LOG"
}
