#!/usr/bin/env bats
# deploy.bats: `iceupd deploy` against fakes of the Google APIs
# (tests/mocks/google.py: Cloud Run Admin API v2, OAuth token endpoint and
# Secret Manager over HTTPS on 127.0.0.1, the metadata server over HTTP):
# the exact requests, a PATCH that changes nothing but what it must, every
# token source, retries, failures, and secrets kept out of every output.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

FIXTURE=$BATS_TEST_DIRNAME/../fixtures/cloudrun-service.json
SERVICE=projects/demo-project/locations/europe-west1/services/neko
SA_EMAIL=iceupd-deployer@demo-project.iam.gserviceaccount.com
SA_KID=4d1c2b3a9f8e7d6c5b4a39281706f5e4d3c2b1a0

# Tokens: markers that must never reach stdout or stderr.
ACCESS=ya29.access-token-MARK1-6c1e
SA_TOKEN=ya29.sa-token-MARK2-0b7d
META_TOKEN=ya29.metadata-token-MARK3-93fa
USER_TOKEN=ya29.user-token-MARK4-5e2a
# User credentials, as `gcloud auth application-default login` writes them.
CLIENT_ID=764086051850-6qr4p6gpi6hn506pt8ejuq83di341hur.apps.googleusercontent.com
CLIENT_SECRET=d-FL95Q19q7MQmFpd7hHD0Ty-MARK5
REFRESH_TOKEN='1//0gRefresh+token/with=chars-MARK6'

# The paths a deploy changes; everything else must come back as it was.
CHANGED='del(.template.revision,
    .template.annotations["iceupd.dev/expires-at"],
    (.template.containers[0].env[] | select(.name == "NEKO_ICESERVERS")
     | .value))'

setup_file() {
	hosted_ca || return 1
	export KEYDIR="$BATS_FILE_TMPDIR/sa"
	mkdir -p "$KEYDIR"
	(umask 077
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$KEYDIR/key.pem" 2>/dev/null
	openssl pkey -in "$KEYDIR/key.pem" -pubout -out "$KEYDIR/pub.pem")
}

setup() {
	need_binary || return 1
	work_in
	SECRETS=("$ACCESS" "$SA_TOKEN" "$META_TOKEN" "$USER_TOKEN"
	    "$CLIENT_SECRET" "$REFRESH_TOKEN"
	    "$(sed -n 2p "$KEYDIR/key.pem")")
}

teardown() {
	stop_fakes
}

# start_google [google.py options]: starts the fakes on ports of their own
# choosing; sets API (HTTPS port), META (HTTP port), GLOG (request log).
start_google() {
	mock_dir
	start_mock "the Google fakes" google.py --log "$MOCK_DIR/log" \
	    --state "$MOCK_DIR/state.json" --lifetime 120 \
	    --access-token "$ACCESS" --sa-token "$SA_TOKEN" \
	    --metadata-token "$META_TOKEN" --sa-email "$SA_EMAIL" \
	    --sa-key-id "$SA_KID" --sa-pubkey "$KEYDIR/pub.pem" \
	    --client-id "$CLIENT_ID" --client-secret "$CLIENT_SECRET" \
	    --refresh-token "$REFRESH_TOKEN" --user-token "$USER_TOKEN" "$@" ||
	    return 1
	read -r API META <"$MOCK_DIR/port"
	GLOG=$MOCK_DIR/log
	GSTATE=$MOCK_DIR/state.json
}

# deploy_scenario SCENARIO [ARG ...]: the fakes serve the fixture in
# SCENARIO (ARGs to start_google after it); run deploys to it with an
# access token.
deploy_scenario() {
	start_google --service "$FIXTURE" --scenario "$@"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
}

# update_cloudrun [ARG ...]: scripts/update-cloudrun.sh, run by sh with
# the old script's variables for the fakes (service neko, coturn TURN
# REST credentials), given ARGs.
update_cloudrun() {
	run --separate-stderr env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" \
	    ICEUPD="$ICEUPD" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=tcp' TURN_SHARED_SECRET=x \
	    ICEUPD_PROVIDERS=coturn ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CLOUDRUN_ENDPOINT="https://127.0.0.1:$API" \
	    GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" PROJECT_ID=demo-project \
	    REGION=europe-west1 SERVICE_NAME=neko \
	    sh "$BATS_TEST_DIRNAME/../../scripts/update-cloudrun.sh" "$@"
}

# user_file PATH: user credentials (type authorized_user, 0600) at PATH,
# their token_uri the fake's.
user_file() {
	mkdir -p "$(dirname "$1")"
	(umask 077
	jq -n --arg id "$CLIENT_ID" --arg secret "$CLIENT_SECRET" \
	    --arg rt "$REFRESH_TOKEN" --arg uri "https://127.0.0.1:$API/token" \
	    '{account: "", client_id: $id, client_secret: $secret,
	      quota_project_id: "demo-project", refresh_token: $rt,
	      token_uri: $uri, type: "authorized_user",
	      universe_domain: "googleapis.com"}' >"$1")
}

# sa_key_file: a service-account key JSON (0600) whose token_uri is the fake.
sa_key_file() {
	(umask 077
	jq -n --rawfile pk "$KEYDIR/key.pem" --arg email "$SA_EMAIL" \
	    --arg kid "$SA_KID" --arg uri "https://127.0.0.1:$API/token" \
	    '{type: "service_account", project_id: "demo-project",
	      private_key_id: $kid, private_key: $pk, client_email: $email,
	      client_id: "104729348571034857610", token_uri: $uri}' \
	    >"$BATS_TEST_TMPDIR/sa.json")
	echo "$BATS_TEST_TMPDIR/sa.json"
}

# deploy [NAME=VALUE ...] [ARG ...]: iceupd deploy against the fakes, with
# coturn (TURN REST) credentials, then checks that no secret leaked.
deploy() {
	local -a vars=()
	local s

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    WEBRTC_TURN_URLS=turn:127.0.0.1:3478 TURN_SHARED_SECRET=x \
	    ICEUPD_PROVIDERS=coturn ICEUPD_CA_FILE="$CADIR/ca.pem" \
	    ICEUPD_CLOUDRUN_ENDPOINT="https://127.0.0.1:$API" \
	    ICEUPD_SECRETMANAGER_ENDPOINT="https://127.0.0.1:$API" \
	    GCE_METADATA_HOST="127.0.0.1:$META" \
	    "${vars[@]}" "$ICEUPD" deploy "$@" \
	    >"$BATS_TEST_TMPDIR/stdout" 2>"$BATS_TEST_TMPDIR/stderr"
	s=$?
	for v in "${SECRETS[@]}"; do
		if grep -qF -- "$v" "$BATS_TEST_TMPDIR/stdout" \
		    "$BATS_TEST_TMPDIR/stderr"; then
			echo "a secret leaked into the output: ${v:0:12}..." >&2
			cat "$BATS_TEST_TMPDIR/stderr" >&2
			return 99
		fi
	done
	cat "$BATS_TEST_TMPDIR/stdout"
	cat "$BATS_TEST_TMPDIR/stderr" >&2
	return "$s"
}

# requests [JQ FILTER]: the fake's log lines, one compact JSON each.
requests() {
	jq -c -r "${1:-.}" "$GLOG"
}

# no_mismatch: every request the fakes saw was the documented one.
no_mismatch() {
	if jq -e 'select(.mismatch != [])' "$GLOG" >/dev/null; then
		echo "requests that differ from the documented ones:"
		jq -c 'select(.mismatch != []) | {method, path, mismatch}' "$GLOG"
		return 1
	fi
}

count() {	# count METHOD PATH-REGEX
	jq -s --arg m "$1" --arg p "$2" \
	    '[.[] | select(.method == $m and (.path | test($p)))] | length' \
	    "$GLOG"
}

patch_body() {	# patch_body [N]: the Nth PATCH body (default: the last)
	jq -s -r --argjson n "${1:--1}" \
	    '[.[] | select(.method == "PATCH")][$n].body' "$GLOG"
}

# record_view FILE: the names the managed-env record of the service in FILE
# holds, {"CONTAINER":["NAME",...]}, once each digest was checked to be the
# SHA-256 of "NAME=VALUE" for the value the container holds.
record_view() {
	local doc c n d v

	doc=$(<"$1")
	while IFS=$'\t' read -r c n d; do
		v=$(jq -r --arg c "$c" --arg n "$n" '.template.containers[] |
		    select((.name // "") == $c) | .env[] | select(.name == $n) |
		    .value' <<<"$doc")
		[[ $(printf '%s=%s' "$n" "$v" | sha256sum) == "$d "* ]] || {
			echo "the digest of $c/$n is not of its value" >&2
			return 1
		}
	done < <(jq -r '.template.annotations["iceupd.dev/managed-env"] |
	    fromjson | to_entries[] | .key as $c | .value | to_entries[] |
	    [$c, .key, .value] | @tsv' <<<"$doc")
	jq -c '.template.annotations["iceupd.dev/managed-env"] | fromjson |
	    map_values(keys_unsorted)' <<<"$doc"
}

fresh_fixture() {	# a service that got credentials valid until 2099
	jq '.template.annotations["iceupd.dev/expires-at"] =
	    "2099-01-01T00:00:00Z"' "$FIXTURE" >"$BATS_TEST_TMPDIR/fresh.json"
	echo "$BATS_TEST_TMPDIR/fresh.json"
}

@test "deploy: access token: the PATCH sends name, etag and the changed template fields, with their updateMask" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
	assert_status 0
	no_mismatch
	[[ $(requests '[.method, .path, .auth] | join(" ")' | sed 's,/operations/[^:]*,/operations/ID,') == \
"GET /v2/$SERVICE access
PATCH /v2/$SERVICE access
POST /v2/projects/demo-project/locations/europe-west1/operations/ID:wait access" ]] ||
	    { requests; false; }
	requests 'select(.method == "PATCH") | .query' | jq -e '. ==
	    {"updateMask": ["template.containers,template.annotations,template.revision"]}'
	patch_body >patch.json
	# Nothing else: no output-only field, nothing of the service itself.
	jq -e 'keys == ["etag", "name", "template"] and
	    (.template | keys == ["annotations", "containers"])' patch.json
	[[ $(jq -r .name patch.json) == "$SERVICE" ]]
	# Sent back with the etag it came with.
	[[ $(jq -r .etag patch.json) == "$(jq -r .etag "$FIXTURE")" ]]
	# Every container whole (a repeated field is replaced whole), but
	# without buildInfo (output only); only the variable differs.
	diff <(jq -S "$CHANGED | .template.containers | del(.[].buildInfo)" "$FIXTURE") \
	    <(jq -S "$CHANGED | .template.containers" patch.json)
	jq -e '[.template.containers[] | has("buildInfo")] == [false, false]' patch.json
	jq -e '.template.containers[0].env[] | select(.name == "NEKO_ICESERVERS")
	    | .value | fromjson | .[0].urls == ["turn:127.0.0.1:3478"] and
	    (.[0].username | test("^[0-9]+$")) and (.[0].credential | length > 0)' \
	    patch.json
	# The annotations: the user's, the expiry, the variables iceupd manages.
	jq -e '.template.annotations | keys == ["iceupd.dev/expires-at",
	    "iceupd.dev/managed-env", "owner.example/purpose"] and
	    (.["iceupd.dev/expires-at"] | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z$"))' \
	    patch.json
	[[ $(record_view patch.json) == '{"neko":["NEKO_ICESERVERS"]}' ]]
	assert_stderr_contains "$SERVICE: revision neko-00005-"
	# As stored, everything else is as it was, buildInfo included.
	kill -TERM "${FAKE_PIDS[0]}"
	wait "${FAKE_PIDS[0]}" || true
	keep='del(.generation, .etag, .updateTime, .latestCreatedRevision,
	    .latestReadyRevision, .template.annotations["iceupd.dev/managed-env"])'
	diff <(jq -S "$CHANGED | $keep" "$FIXTURE") \
	    <(jq -S --arg s "$SERVICE" ".[\$s] | $CHANGED | $keep" "$GSTATE")
}

@test "deploy: system labels and annotations read back are never sent; the fake refuses them" {
	# Labels and annotations in Cloud Run's own namespaces, as a service
	# written through API v1 may still show them.
	jq '.labels["cloud.googleapis.com/location"] = "europe-west1" |
	    .annotations["run.googleapis.com/ingress"] = "all" |
	    .template.labels["run.googleapis.com/startupProbeType"] = "Default" |
	    .template.annotations["run.googleapis.com/startup-cpu-boost"] = "true" |
	    .template.annotations["autoscaling.knative.dev/maxScale"] = "3" |
	    .template.annotations["x.serving.knative.dev/y"] = "1"' \
	    "$FIXTURE" >system.json
	start_google --service "$PWD/system.json"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
	assert_status 0
	no_mismatch
	patch_body >patch.json
	[[ $(jq '[.. | objects | keys[] | select(test("^([^/]*\\.)?(run\\.googleapis\\.com|cloud\\.googleapis\\.com|serving\\.knative\\.dev|autoscaling\\.knative\\.dev)/"))] | length' patch.json) == 0 ]]
	jq -e '.template.annotations["owner.example/purpose"] == "remote browser"' patch.json

	# The fake refuses what the API refuses: a system annotation, a
	# changed output-only field, an unknown mask path.
	url="https://127.0.0.1:$API/v2/$SERVICE"
	etag=$(jq -r --arg s "$SERVICE" '.etag' patch.json)
	for body in \
	    '{"name":"'"$SERVICE"'","template":{"annotations":{"run.googleapis.com/client-name":"x"}}}' \
	    '{"name":"'"$SERVICE"'","labels":{"cloud.googleapis.com/location":"x"}}' \
	    '{"name":"'"$SERVICE"'","uid":"other"}' \
	    '{"name":"'"$SERVICE"'","template":{"containers":[{"name":"neko","image":"i","buildInfo":{"sourceLocation":"x"}}]}}'; do
		run curl -sS --cacert "$CADIR/ca.pem" -X PATCH \
		    -H "Authorization: Bearer $ACCESS" -H "Content-Type: application/json" \
		    --data "$body" "$url?updateMask=template.containers,template.annotations,labels,uid"
		assert_match "$output" '"INVALID_ARGUMENT"'
	done
	run curl -sS --cacert "$CADIR/ca.pem" -X PATCH \
	    -H "Authorization: Bearer $ACCESS" -H "Content-Type: application/json" \
	    --data '{"name":"'"$SERVICE"'"}' "$url?updateMask=template.nope"
	assert_match "$output" "invalid field mask path 'template.nope'"
}

@test "deploy: every call for one service shares one TLS connection, token included; -v says so" {
	start_google --service "$FIXTURE" --scenario op_slow --op-polls 2
	key=$(sa_key_file)
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$key" \
	    --service "$SERVICE" -v
	assert_status 0
	no_mismatch
	# token, GET, PATCH and three :wait, all on the first connection
	[[ $(requests 'select(.server == "api") | .conn' | paste -sd' ') == "1 1 1 1 1 1" ]] ||
	    { requests '[.conn, .method, .path] | join(" ")'; false; }
	assert_stderr_contains "$SERVICE: 1 TLS handshake"
	[[ $stderr != *"TLS handshakes"* ]]
}

@test "deploy: the variable value is the neko JSON without a trailing newline" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
	assert_status 0
	value=$(patch_body | jq -r '.template.containers[0].env[] |
	    select(.name == "NEKO_ICESERVERS") | .value')
	# Compact, as iceupd fetch prints it, and one line.
	[[ $value == "$(jq -c . <<<"$value")" ]]
	[[ $value != *$'\n'* ]]
	jq -e 'length == 1 and (.[0] | keys == ["credential", "urls", "username"])' \
	    <<<"$value"
}

@test "deploy: --neko-v3 sets both variables, adding them; a NEKO_ICESERVERS iceupd never set stays, as does the sidecar's" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --neko-v3
	assert_status 0
	# neko v3 would take it over its own: a warning, once.
	assert_stderr_contains "$SERVICE: NEKO_ICESERVERS stays (iceupd has no record of setting it), and neko v3 uses it instead of NEKO_WEBRTC_ICESERVERS_*"
	[[ $(grep -c "NEKO_ICESERVERS stays" <<<"$stderr") == 1 ]]
	patch_body >patch.json
	jq -e '[.template.containers[0].env[] | select(.name |
	    startswith("NEKO_WEBRTC_ICESERVERS_")) | .name] ==
	    ["NEKO_WEBRTC_ICESERVERS_FRONTEND", "NEKO_WEBRTC_ICESERVERS_BACKEND"]' \
	    patch.json
	jq -e '[.template.containers[0].env[] | select(.name |
	    startswith("NEKO_WEBRTC_ICESERVERS_")) | .value] | .[0] == .[1]' \
	    patch.json
	# The old NEKO_ICESERVERS (no record says iceupd set it), the secret
	# references and the sidecar stay.
	diff <(jq -S '.template.containers | del(.[].buildInfo)' "$FIXTURE") \
	    <(jq -S '.template.containers | .[0].env |= map(select(.name |
	    startswith("NEKO_WEBRTC_ICESERVERS_") | not))' patch.json)
	[[ $(record_view <(patch_body)) == \
	    '{"neko":["NEKO_WEBRTC_ICESERVERS_FRONTEND","NEKO_WEBRTC_ICESERVERS_BACKEND"]}' ]]
}

# env_names [N]: the names of the first container's variables in the Nth
# PATCH body (default: the last), one line.
env_names() {
	patch_body "${1:--1}" | jq -r '[.template.containers[0].env[].name] | join(" ")'
}

@test "deploy: switching to --neko-v3 removes the NEKO_ICESERVERS iceupd set, and --dry-run says so; switching back removes the v3 pair" {
	start_google --service "$FIXTURE"
	# The fixture's NEKO_ICESERVERS becomes iceupd's with a first deploy.
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
	assert_status 0
	[[ $(env_names) == "NEKO_WEBRTC_ICE_LITE NEKO_ICESERVERS NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN" ]]

	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --neko-v3 --dry-run
	assert_status 0
	assert_line "  NEKO_WEBRTC_ICESERVERS_FRONTEND: added"
	assert_line "  NEKO_WEBRTC_ICESERVERS_BACKEND: added"
	assert_line "  NEKO_ICESERVERS: removed (set by iceupd before, no longer asked for)"
	assert_line '  annotation iceupd.dev/managed-env: {"neko":["NEKO_ICESERVERS"]} -> {"neko":["NEKO_WEBRTC_ICESERVERS_FRONTEND","NEKO_WEBRTC_ICESERVERS_BACKEND"]}'
	[[ $(count PATCH .) == 1 ]]

	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --neko-v3
	assert_status 0
	no_mismatch
	[[ $stderr != *"NEKO_ICESERVERS stays"* ]]
	[[ $(env_names) == "NEKO_WEBRTC_ICE_LITE NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN NEKO_WEBRTC_ICESERVERS_FRONTEND NEKO_WEBRTC_ICESERVERS_BACKEND" ]]
	# The sidecar's variable of the same name is not iceupd's.
	patch_body | jq -e '.template.containers[1].env[0] ==
	    {"name": "NEKO_ICESERVERS", "value": "sidecar-must-not-change"}'

	# Back to v2: the fresh v3 pair goes, NEKO_ICESERVERS is set again.
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE"
	assert_status 0
	[[ $(env_names) == "NEKO_WEBRTC_ICE_LITE NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN NEKO_ICESERVERS" ]]
	[[ $(record_view <(patch_body)) == '{"neko":["NEKO_ICESERVERS"]}' ]]
}

@test "deploy: a name dropped from --env-name is removed although the rest is fresh; one turned into a secret reference stays" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name ICE_A,ICE_B,ICE_C
	assert_status 0
	# Still fresh for ICE_A, but ICE_B and ICE_C are left over: not exit 3.
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name ICE_A,ICE_B --dry-run
	assert_status 0
	assert_line "  ICE_C: removed (set by iceupd before, no longer asked for)"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name ICE_A,ICE_B
	assert_status 0
	[[ $(env_names) == "NEKO_WEBRTC_ICE_LITE NEKO_ICESERVERS NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN ICE_A ICE_B" ]]
	[[ $(count PATCH .) == 2 ]]
	# Now fresh: nothing to do.
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name ICE_A,ICE_B
	assert_status 3

	# Someone turns ICE_B into a secret reference: no longer a value
	# iceupd set, so it stays when iceupd stops managing it.
	kill -TERM "${FAKE_PIDS[0]}"
	wait "${FAKE_PIDS[0]}" || true
	jq --arg s "$SERVICE" '.[$s] | (.template.containers[0].env[] |
	    select(.name == "ICE_B")) |= {name, valueSource: {secretKeyRef:
	    {secret: "ice-b", version: "latest"}}}' "$GSTATE" >edited.json
	start_google --service "$PWD/edited.json"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name ICE_A --force-refresh
	assert_status 0
	no_mismatch
	curl -sS --cacert "$CADIR/ca.pem" -H "Authorization: Bearer $ACCESS" \
	    "https://127.0.0.1:$API/v2/$SERVICE" >stored.json
	[[ $(jq -r '[.template.containers[0].env[].name] | join(" ")' stored.json) == \
	    "NEKO_WEBRTC_ICE_LITE NEKO_ICESERVERS NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN ICE_A ICE_B" ]]
	jq -e '.template.containers[0].env[-1].valueSource.secretKeyRef.secret == "ice-b"' stored.json
	[[ $(record_view stored.json) == '{"neko":["ICE_A"]}' ]]
}

# hostile_fixture RECORD: the fixture with PATH, DATABASE_URL and
# LD_PRELOAD set in its first container and RECORD as its managed-env
# record; prints its path.
hostile_fixture() {
	jq --arg r "$1" '.template.containers[0].env += [
	    {name: "PATH", value: "/usr/local/bin:/usr/bin:/bin"},
	    {name: "DATABASE_URL", value: "postgres://app@db/app"},
	    {name: "LD_PRELOAD", value: ""}] |
	    .template.annotations["iceupd.dev/managed-env"] = $r' "$FIXTURE" \
	    >"$BATS_TEST_TMPDIR/hostile.json"
	echo "$BATS_TEST_TMPDIR/hostile.json"
}

# stored_names: the first container's variables as the fake keeps them.
stored_names() {
	curl -sS --cacert "$CADIR/ca.pem" -H "Authorization: Bearer $ACCESS" \
	    "https://127.0.0.1:$API/v2/$SERVICE" |
	    jq -r '[.template.containers[0].env[].name] | join(" ")'
}

@test "deploy: a managed-env record removes only what still holds the value iceupd set: not PATH, not DATABASE_URL" {
	local zero=0000000000000000000000000000000000000000000000000000000000000000
	local path_digest
	path_digest=$(printf 'PATH=%s' /usr/local/bin:/usr/bin:/bin | sha256sum | cut -d' ' -f1)
	local keep="NEKO_WEBRTC_ICE_LITE NEKO_ICESERVERS NEKO_PASSWORD NEKO_PASSWORD_ADMIN NEKO_SCREEN PATH DATABASE_URL LD_PRELOAD"
	local -a names=(PATH DATABASE_URL LD_PRELOAD)
	for ((i = 0; i < 3000; i++)); do
		names+=("X$i")
	done
	# The names alone (the old form, 3,000 of them); digests that are
	# not of these values; a container given twice, the second naming
	# PATH with the digest of its value.
	for record in "$(jq -cn '{neko: $ARGS.positional}' --args "${names[@]}")" \
	    "{\"neko\":{\"PATH\":\"$zero\",\"DATABASE_URL\":\"$zero\",\"LD_PRELOAD\":\"$zero\"}}" \
	    "{\"neko\":{},\"neko\":{\"PATH\":\"$path_digest\"}}"; do
		start_google --service "$(hostile_fixture "$record")"
		run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
		    --service "$SERVICE" --dry-run
		assert_status 0
		[[ $output != *"set by iceupd before"* ]] || {
			echo "$output"
			return 1
		}
		run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
		    --service "$SERVICE"
		assert_status 0
		no_mismatch
		[[ $(stored_names) == "$keep" ]] || {
			echo "left: $(stored_names)"
			return 1
		}
		[[ $stderr == *"PATH stays"* || $stderr == *"iceupd.dev/managed-env is not a record iceupd writes"* ]]
		# What it records now is only what it set.
		[[ $(record_view <(patch_body)) == '{"neko":["NEKO_ICESERVERS"]}' ]]
		kill -TERM "${FAKE_PIDS[-1]}"
		wait "${FAKE_PIDS[-1]}" || true
	done
	# The digests match: what iceupd set is removed when no longer asked.
	start_google --service "$(hostile_fixture "{\"neko\":{\"PATH\":\"$path_digest\"}}")"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --dry-run
	assert_line "  PATH: removed (set by iceupd before, no longer asked for)"
}

@test "deploy: --container sets the named container only; an unknown one is a usage error" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --container log-shipper
	assert_status 0
	patch_body >patch.json
	jq -e '.template.containers[1].env[0] | .name == "NEKO_ICESERVERS"
	    and .value != "sidecar-must-not-change"' patch.json
	diff <(jq -S '.template.containers[0] | del(.buildInfo)' "$FIXTURE") \
	    <(jq -S '.template.containers[0]' patch.json)

	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --container nope
	assert_status 2
	assert_stderr_contains "no container named 'nope'" "neko, log-shipper"
	[[ $(count PATCH .) == 1 ]]
}

@test "deploy: a variable that comes from Secret Manager is refused, nothing patched" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --env-name NEKO_PASSWORD
	assert_status 2
	assert_stderr_contains "NEKO_PASSWORD comes from Secret Manager" \
	    "--sink secret:"
	[[ $(count PATCH .) == 0 ]]
}

@test "deploy: service-account key: a signed RS256 JWT is traded at token_uri" {
	start_google --service "$FIXTURE"
	key=$(sa_key_file)
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$key" \
	    --service "$SERVICE"
	assert_status 0
	no_mismatch
	[[ $(requests '[.method, .path, .auth] | join(" ")' | head -n 2) == \
"POST /token none
GET /v2/$SERVICE sa" ]] || { requests; false; }
	[[ $(requests 'select(.path != "/token") | .auth' | sort -u) == sa ]]
	[[ $(count POST '^/token$') == 1 ]]
}

@test "deploy: a tampered service-account key fails at the token endpoint" {
	start_google --service "$FIXTURE"
	key=$(sa_key_file)
	# Another RSA key under the same name: the signature cannot verify.
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out other.pem 2>/dev/null
	jq --rawfile pk other.pem '.private_key = $pk' "$key" >sa2.json
	chmod 600 sa2.json
	SECRETS+=("$(sed -n 2p other.pem)")
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/sa2.json" \
	    --service "$SERVICE"
	assert_status 1
	jq -e 'select(.path == "/token") | .mismatch | any(test("jwt signature"))' \
	    "$GLOG"
	assert_stderr_contains "token endpoint https://127.0.0.1:$API/token refused: HTTP 400"
	[[ $(count PATCH .) == 0 ]]
}

@test "deploy: the token endpoint's refusal is one clear error" {
	start_google --service "$FIXTURE" --scenario token_refused
	key=$(sa_key_file)
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$key" \
	    --service "$SERVICE"
	assert_status 1
	assert_stderr_contains "refused: HTTP 400, invalid_grant: Invalid JWT Signature."
	assert_stderr_lines 1
}

@test "deploy: metadata server: token, project and region for a short name" {
	start_google --service "$FIXTURE" --project demo-project \
	    --region europe-west1
	run --separate-stderr deploy --service neko
	assert_status 0
	no_mismatch
	jq -e -s '[.[] | select(.server == "metadata")] | length >= 3 and
	    all(.flavor == "Google")' "$GLOG"
	[[ $(requests 'select(.server == "api") | .auth' | sort -u) == metadata ]]
	[[ $(count PATCH "^/v2/$SERVICE\$") == 1 ]]
}

@test "deploy: GOOGLE_CLOUD_PROJECT and --region name the service without the metadata server" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    GOOGLE_CLOUD_PROJECT=demo-project --region europe-west1 \
	    --service neko
	assert_status 0
	[[ $(requests 'select(.server == "metadata")' | wc -l) == 0 ]]
	[[ $(count PATCH "^/v2/$SERVICE\$") == 1 ]]
}

@test "deploy: no credentials anywhere: one error naming the ways to give them, exit 2" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GCE_METADATA_HOST=127.0.0.1:1 \
	    --service "$SERVICE"
	assert_status 2
	assert_stderr_lines 1
	assert_stderr_contains "GOOGLE_OAUTH_ACCESS_TOKEN" \
	    "GOOGLE_APPLICATION_CREDENTIALS" "metadata server" \
	    "gcloud auth application-default login" \
	    'GOOGLE_OAUTH_ACCESS_TOKEN=$(gcloud auth print-access-token)' \
	    "$BATS_TEST_TMPDIR/.config/gcloud/application_default_credentials.json"
	[[ $(requests | wc -l) == 0 ]]
}

@test "deploy --dry-run: GOOGLE_APPLICATION_CREDENTIALS of type authorized_user trades its refresh token" {
	start_google --service "$FIXTURE"
	user_file "$PWD/adc.json"
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/adc.json" \
	    --service "$SERVICE" --dry-run
	assert_status 0
	no_mismatch
	[[ $(requests '[.method, .path, .auth] | join(" ")' | head -2 | paste -sd,) == \
	    "POST /token none,GET /v2/$SERVICE user" ]] || { requests; false; }
	assert_stderr_lacks "private key"
	# Readable by others: the warning names what it holds.
	chmod 644 adc.json
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/adc.json" \
	    --service "$SERVICE" --dry-run
	assert_status 0
	assert_stderr_contains "adc.json holds a refresh token but others may read it"
	assert_stderr_lacks "private key"
	# A refused refresh token is a failure naming the endpoint.
	start_google --service "$FIXTURE" --scenario token_refused
	user_file "$PWD/adc.json"
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/adc.json" \
	    --service "$SERVICE" --dry-run
	assert_status 1
	assert_stderr_contains "invalid_grant"
}

@test "deploy: a credentials file of another kind, or lacking a field, is a configuration error naming it" {
	start_google --service "$FIXTURE"
	printf '{"type": "external_account", "audience": "x"}\n' >ext.json
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/ext.json" \
	    --service "$SERVICE" --dry-run
	assert_status 2
	assert_stderr_contains "GOOGLE_APPLICATION_CREDENTIALS: $PWD/ext.json is of type \"external_account\": expected \"service_account\" (a key) or \"authorized_user\""
	jq -n '{type: "authorized_user", client_id: "x", client_secret: "y"}' >user.json
	run --separate-stderr deploy GOOGLE_APPLICATION_CREDENTIALS="$PWD/user.json" \
	    --service "$SERVICE" --dry-run
	assert_status 2
	assert_stderr_contains "lacks client_id, client_secret or refresh_token"
	[[ $(requests | wc -l) == 0 ]]
}

@test "deploy --dry-run: gcloud's well-known credentials file, under CLOUDSDK_CONFIG or ~/.config/gcloud" {
	start_google --service "$FIXTURE"
	user_file "$BATS_TEST_TMPDIR/.config/gcloud/application_default_credentials.json"
	run --separate-stderr deploy --service "$SERVICE" --dry-run
	assert_status 0
	no_mismatch
	[[ $(requests 'select(.path == "/v2/'"$SERVICE"'") | .auth') == user ]]
	[[ $(requests 'select(.server == "metadata")' | wc -l) == 0 ]]
	rm "$BATS_TEST_TMPDIR/.config/gcloud/application_default_credentials.json"
	user_file "$PWD/sdk/application_default_credentials.json"
	run --separate-stderr deploy CLOUDSDK_CONFIG="$PWD/sdk" --service "$SERVICE" --dry-run
	assert_status 0
	[[ $(requests 'select(.server == "metadata")' | wc -l) == 0 ]]
	[[ $(requests 'select(.path == "/token")' | wc -l) == 2 ]]
	# GOOGLE_APPLICATION_CREDENTIALS comes first.
	key=$(sa_key_file)
	run --separate-stderr deploy CLOUDSDK_CONFIG="$PWD/sdk" \
	    GOOGLE_APPLICATION_CREDENTIALS="$key" --service "$SERVICE" --dry-run
	assert_status 0
	[[ $(requests '.auth' | tail -1) == sa ]]
}

@test "deploy: credentials still fresh: exit 3, nothing fetched or patched" {
	start_google --service "$(fresh_fixture)"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --min-ttl 3600
	assert_status 3
	[[ $(requests '.method') == GET ]]
	[[ ! -e $BATS_TEST_TMPDIR/cache.json ]]
	# One line says why nothing was done; --dry-run says the same; -q
	# nothing.
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: Cloud Run service $SERVICE already holds credentials valid until 2099-" \
	    ": nothing to do"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --min-ttl 3600 --dry-run
	assert_status 3
	assert_stderr_lines 1
	assert_stderr_contains "already holds credentials valid until"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --min-ttl 3600 -q
	assert_status 3
	assert_no_stderr
}

@test "deploy: --force-refresh deploys although they are fresh" {
	start_google --service "$(fresh_fixture)"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --force-refresh
	assert_status 0
	[[ $(count PATCH .) == 1 ]]
	patch_body | jq -e '.template.annotations["iceupd.dev/expires-at"] !=
	    "2099-01-01T00:00:00Z"'
}

@test "deploy: expiry within --min-ttl: deployed anew" {
	jq --arg t "$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)" \
	    '.template.annotations["iceupd.dev/expires-at"] = $t' "$FIXTURE" \
	    >soon.json
	start_google --service "$PWD/soon.json"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --min-ttl 300
	assert_status 0
	[[ $(count PATCH .) == 1 ]]
}

@test "deploy: a list without TURN is not deployed over credentials still valid (exit 4)" {
	jq --arg t "$(date -u -d '+2 minutes' +%Y-%m-%dT%H:%M:%SZ)" \
	    '.template.annotations["iceupd.dev/expires-at"] = $t' "$FIXTURE" \
	    >soon.json
	start_google --service "$PWD/soon.json"
	# TURN URLs without credentials: coturn keeps only STUN.
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    WEBRTC_TURN_URLS=turn:127.0.0.1:3478,stun:127.0.0.1:3478 \
	    TURN_SHARED_SECRET= --service "$SERVICE" --min-ttl 300
	assert_status 4
	[[ $(count PATCH .) == 0 ]]
	assert_stderr_contains "$SERVICE: keeps its credentials, valid until"
}

@test "deploy: inside Cloud Run, the service itself is refused (exit 2) unless --allow-self" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    K_SERVICE=neko --service "$SERVICE"
	assert_status 2
	assert_stderr_contains "K_SERVICE=neko" "--allow-self"
	[[ $(requests | wc -l) == 0 ]]

	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    K_SERVICE=neko --service "$SERVICE" --allow-self
	assert_status 0
	[[ $(count PATCH .) == 1 ]]

	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    K_SERVICE=refresher TURN_USER=other --service "$SERVICE" \
	    --force-refresh
	assert_status 0
	[[ $(count PATCH .) == 2 ]]
}

@test "deploy: --dry-run shows what would change, never a credential, and patches nothing" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    TURN_TTL=3600 --service "$SERVICE" --dry-run -vv
	assert_status 0
	assert_line "$SERVICE (container neko):"
	assert_line "  NEKO_ICESERVERS: value changed"
	assert_line '  annotation iceupd.dev/managed-env: (none) -> {"neko":["NEKO_ICESERVERS"]}'
	assert_match "$output" "annotation iceupd\.dev/expires-at: \(none\) -> [0-9T:-]+Z"
	assert_match "$output" "template.revision: neko-00004-kqx -> "
	[[ $(count PATCH .) == 0 ]]
	# Neither the old credential nor the new one (TURN REST: the
	# username is the expiry, now + TURN_TTL, within these seconds).
	[[ $output != *b2xkLWNyZWRlbnRpYWw=* && $stderr != *b2xkLWNyZWRlbnRpYWw=* ]]
	now=$(date +%s)
	for ((u = now + 3600 - 30; u <= now + 3600 + 5; u++)); do
		cred=$(printf %s "$u" | openssl dgst -sha1 -hmac x -binary | base64)
		[[ $output != *"$cred"* && $stderr != *"$cred"* ]]
	done
}

@test "deploy: --dry-run with static credentials shows no credential either" {
	start_google --service "$FIXTURE"
	SECRETS+=(static-credential-MARK4-55e1)
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    TURN_SHARED_SECRET= WEBRTC_TURN_USERNAME=neko \
	    WEBRTC_TURN_CREDENTIAL=static-credential-MARK4-55e1 \
	    --service "$SERVICE" --dry-run -vv
	assert_status 0
	assert_line "  NEKO_ICESERVERS: value changed"
	[[ $(count PATCH .) == 0 ]]
}

@test "deploy: 401 is one clear error naming the token source" {
	deploy_scenario unauthorized
	assert_status 1
	assert_stderr_contains "refused the access token from GOOGLE_OAUTH_ACCESS_TOKEN" \
	    "UNAUTHENTICATED"
	assert_stderr_lines 1
}

@test "deploy: 403 on GET names run.services.get" {
	deploy_scenario forbidden_get
	assert_status 1
	assert_stderr_contains "permission denied" "needs run.services.get"
	assert_stderr_lines 1
}

@test "deploy: 403 on PATCH names run.services.update" {
	deploy_scenario forbidden_patch
	assert_status 1
	assert_stderr_contains "needs run.services.update" \
	    "iam.serviceAccounts.actAs"
	assert_stderr_lines 1
}

@test "deploy: 409 ABORTED: read again and retry, keeping the other writer's change" {
	deploy_scenario conflict_once
	assert_status 0
	no_mismatch
	[[ $(count PATCH .) == 2 && $(count GET "^/v2/$SERVICE\$") == 2 ]]
	patch_body -1 | jq -e '.template.annotations["other.example/writer"] == "1"'
	[[ $(patch_body -1 | jq -r .etag) != "$(jq -r .etag "$FIXTURE")" ]]
}

@test "deploy: 429 on GET and 503 on PATCH are retried" {
	deploy_scenario ratelimit_once,unavailable_once
	assert_status 0
	[[ $(requests '.status' | head -n 4 | paste -sd' ') == "429 200 503 200" ]] ||
	    { requests; false; }
}

@test "deploy: a connection that times out is tried again" {
	# Nothing was sent on it, so even the PATCH is safe to repeat.
	start_google --service "$FIXTURE" --scenario stall_connect_once
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" -vv
	assert_status 0
	no_mismatch
	assert_stderr_contains "GET https://127.0.0.1:$API/v2/$SERVICE: no connection within 3000 ms, retrying in 200 ms"
	[[ $(count GET "^/v2/$SERVICE\$") == 1 && $(count PATCH .) == 1 ]]
	assert_stderr_contains "revision neko-00005-"
}

@test "deploy: an API that never connects: exit 1 naming the call" {
	needs_real_time
	start_google --service "$FIXTURE" --scenario stall_connect
	SECONDS=0
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --deploy-timeout 10
	assert_status 1
	assert_stderr_contains "GET https://127.0.0.1:$API/v2/$SERVICE: no connection within"
	[[ ! -s $GLOG ]]	# no request ever arrived
	((SECONDS <= 15))
}

@test "deploy: an operation that ends in error: exit 1 with its message" {
	deploy_scenario op_error
	assert_status 1
	assert_stderr_contains "the rollout failed (code 9)" \
	    "container failed to start"
}

@test "deploy: a slow operation is waited for with :wait" {
	deploy_scenario op_slow --op-polls 3
	assert_status 0
	no_mismatch
	[[ $(count POST ':wait$') == 4 ]]
	assert_stderr_contains "revision neko-00005-"
}

@test "deploy: without :wait, the operation is polled with GET" {
	deploy_scenario no_wait --op-polls 2
	assert_status 0
	no_mismatch
	[[ $(count POST ':wait$') == 1 && $(count GET '/operations/') == 3 ]]
}

@test "deploy: an operation slower than --deploy-timeout is a failure" {
	needs_real_time
	start_google --service "$FIXTURE" --scenario no_wait --op-polls 1000
	SECONDS=0
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --deploy-timeout 10
	assert_status 1
	assert_stderr_contains "still running after --deploy-timeout (10 s)"
	((SECONDS <= 15))
}

@test "deploy: --validate-only asks Cloud Run to validate, nothing more" {
	start_google --service "$FIXTURE"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$SERVICE" --validate-only
	assert_status 0
	requests 'select(.method == "PATCH") | .query' |
	    jq -e '. == {"validateOnly": ["true"], "updateMask":
	    ["template.containers,template.annotations,template.revision"]}'
	assert_stderr_contains "--validate-only: nothing changed"
	kill -TERM "${FAKE_PIDS[0]}"
	wait "${FAKE_PIDS[0]}" || true
	jq -e --arg s "$SERVICE" '.[$s].generation == "4"' "$GSTATE"
}

@test "deploy: several services at once (repeated flag and comma list)" {
	for s in a b c; do
		jq --arg n "projects/demo-project/locations/europe-west1/services/$s" \
		    '.name = $n' "$FIXTURE" >"svc-$s.json"
	done
	start_google --service "$PWD/svc-a.json" --service "$PWD/svc-b.json" \
	    --service "$PWD/svc-c.json" --scenario op_slow --op-polls 1
	p=projects/demo-project/locations/europe-west1/services
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "$p/a" --service "$p/b,$p/c"
	assert_status 0
	no_mismatch
	for s in a b c; do
		[[ $(count PATCH "^/v2/$p/$s\$") == 1 ]]
		assert_stderr_contains "$p/$s: revision $s-00005-"
	done
	# One connection each.
	[[ $(requests 'select(.server == "api") | [.path, .conn] | join(" ")' |
	    sed -n 's,^/v2/projects/demo-project/locations/europe-west1/services/\([abc]\) ,\1 ,p' |
	    sort -u | awk '{print $2}' | sort -u | wc -l) == 3 ]]
	# One credential for all three.
	[[ $(jq -s -r '[.[] | select(.method == "PATCH") | .body | fromjson |
	    .template.containers[0].env[] | select(.name == "NEKO_ICESERVERS")
	    | .value] | unique | length' "$GLOG") == 1 ]]
}

@test "deploy: no service given is a usage error" {
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS"
	assert_status 2
	assert_stderr_contains "no service"
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --service "projects/p/services/x"
	assert_status 2
}

@test "deploy: Secret Manager sink adds a version and keeps --keep enabled, over one connection" {
	secret=projects/demo-project/secrets/neko-ice
	start_google --secret "$secret" --secret-versions 4
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    --sink "secret:$secret" --keep 2 -v
	assert_status 0
	no_mismatch
	# List, add, two disables: one connection.
	[[ $(requests 'select(.server == "api") | .conn' | paste -sd' ') == "1 1 1 1" ]] ||
	    { requests; false; }
	assert_stderr_contains "$secret: 1 TLS handshake"
	[[ $(count POST ":addVersion\$") == 1 ]]
	requests 'select(.path | endswith(":addVersion")) | .body' |
	    jq -r 'fromjson | .payload.data' | base64 -d |
	    jq -e '.[0].urls == ["turn:127.0.0.1:3478"]'
	# Versions 2, 3, 4 were enabled; 5 is new: 4 and 5 stay.
	[[ $(requests 'select(.path | endswith(":disable")) | .path' | sort |
	    paste -sd' ') == "/v1/projects/123456789012/secrets/neko-ice/versions/2:disable /v1/projects/123456789012/secrets/neko-ice/versions/3:disable" ]] ||
	    { requests; false; }
	[[ $(count PATCH .) == 0 ]]
}

@test "deploy: Secret Manager sink: cached credentials already pushed: exit 3" {
	secret=projects/demo-project/secrets/neko-ice
	sid=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a
	SECRETS+=(twilio-authtoken-MARK5-1c2d)
	# A hosted provider, whose answers are cached (coturn's are not).
	start_mock "the twilio fake" hosted.py --provider twilio --lifetime 120 \
	    --account-sid "$sid" --auth "$sid:twilio-authtoken-MARK5-1c2d"
	tw=(ICEUPD_PROVIDERS=twilio TWILIO_ACCOUNT_SID="$sid"
	    TWILIO_AUTH_TOKEN=twilio-authtoken-MARK5-1c2d
	    TWILIO_API_BASE="https://127.0.0.1:$MOCK_PORT")
	start_google --secret "$secret" --secret-versions 1
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    "${tw[@]}" --sink "secret:$secret"
	assert_status 0
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    "${tw[@]}" --sink "secret:$secret"
	assert_status 3
	assert_stderr_contains "already holds these credentials: nothing to do"
	[[ $(count POST ":addVersion\$") == 1 ]]
	run --separate-stderr deploy GOOGLE_OAUTH_ACCESS_TOKEN="$ACCESS" \
	    "${tw[@]}" --sink "secret:$secret" --force-refresh
	assert_status 0
	[[ $(count POST ":addVersion\$") == 2 ]]
}

@test "update-cloudrun.sh: the old script's variables drive iceupd deploy; fresh is success" {
	start_google --service "$FIXTURE"
	script=$BATS_TEST_DIRNAME/../../scripts/update-cloudrun.sh
	update_cloudrun
	assert_status 0
	[[ $(count PATCH "^/v2/$SERVICE\$") == 1 ]]
	# TCP only by default: Cloud Run has no UDP.
	patch_body | jq -e '.template.containers[0].env[] |
	    select(.name == "NEKO_ICESERVERS") | .value | fromjson |
	    .[0].urls == ["turn:127.0.0.1:3478?transport=tcp"]'
	[[ $stderr != *"$ACCESS"* ]]
	# The second run finds them fresh: no new revision, still success.
	update_cloudrun
	assert_status 0
	assert_stderr_contains "still has fresh credentials"
	[[ $(count PATCH .) == 1 ]]
	# Without a project: a configuration error, nothing asked.
	run --separate-stderr env -i PATH="$PATH" ICEUPD="$ICEUPD" \
	    SERVICE_NAME=neko sh "$script"
	assert_status 2
	assert_stderr_contains "PROJECT_ID must be set"
}

@test "update-cloudrun.sh --log-format json: every line on stderr is a JSON log line, its own included" {
	start_google --service "$FIXTURE"
	script=$BATS_TEST_DIRNAME/../../scripts/update-cloudrun.sh
	update_cloudrun --log-format json -v
	assert_status 0
	update_cloudrun --log-format json
	assert_status 0
	assert_stderr_json_lines
	[[ $(jq -r .message <<<"${stderr_lines[-1]}") == "update-cloudrun: neko still has fresh credentials; nothing to do" ]]
	run --separate-stderr env -i PATH="$PATH" ICEUPD="$ICEUPD" \
	    ICEUPD_LOG_FORMAT=json SERVICE_NAME='ne"ko\' sh "$script"
	assert_status 2
	assert_stderr_json_lines
	assert_stderr_lines 1
}
