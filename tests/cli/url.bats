#!/usr/bin/env bats
# url.bats: the url provider and its matrix preset.  Chained for real: an
# `iceupd serve` asks the Twilio fake (tests/mocks/hosted.py), and
# `iceupd -p url` and the container wrapper ask that serve.  The endpoints
# that cannot run here (a Matrix homeserver, STUNner's auth service, and
# hostile ones) are tests/mocks/endpoint.py, which checks each request.
#
# Needs curl, jq, python3 and openssl.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted
load serve

TOKEN=twilio-authtoken-MARK3-77aa
API_TOKEN=fanin-bearer-token-MARK4-19cf
MATRIX_TOKEN=syt_bWFyaw_MARK5-0c1d
FLEET_COTURN=(WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=tcp'
    WEBRTC_TURN_USERNAME=fallback-user WEBRTC_TURN_CREDENTIAL=fallback-cred)

setup() {
	need_binary || return 1
	work_in work || return 1
	SERVE_PID=
	SERVE_ERR=$BATS_TEST_TMPDIR/serve.err
	LISTEN=(--listen 127.0.0.1:0)
	printf '%s\n' "$API_TOKEN" >"$BATS_TEST_TMPDIR/api-token"
}

teardown() {
	kill_serve
	stop_fakes
}

# start_endpoint SHAPE [endpoint.py options]: sets EP (its https base URL)
# and EP_LOG.
start_endpoint() {
	mock_dir
	start_mock endpoint.py endpoint.py --shape "$@" --log "$MOCK_DIR/log" \
	    --lifetime 120 || return 1
	EP=https://127.0.0.1:$MOCK_PORT
	EP_LOG=$MOCK_DIR/log
}

# requests LOG: how many requests the fake logged; each must be right.
requests() {
	jq -se 'all(.mismatch == [])' "$1" >/dev/null ||
	    { echo "a request differed:"; cat "$1"; return 1; }
	jq -s length "$1"
}

# serve_twilio [ARG ...]: iceupd serve on the Twilio fake, token required;
# waits for its first list.  SERVED is that list's json report.
serve_twilio() {
	local i

	start_fake twilio ok
	start_serve "${PENV[@]}" ICEUPD_CA_FILE="$CADIR/ca.pem" -p twilio \
	    --auth-token-file "$BATS_TEST_TMPDIR/api-token" "$@"
	for ((i = 0; i < 600; i++)); do
		SERVED=$(curl -sf -H "Authorization: Bearer $API_TOKEN" \
		    "$BASE/api/ice/credentials") && break
		sleep 0.1
	done
	[[ -n $SERVED ]] || { echo "serve never had a list"; cat "$SERVE_ERR"; return 1; }
	FANIN=(ICEUPD_URL="$BASE/api/ice/credentials"
	    ICEUPD_URL_TOKEN="$API_TOKEN")
}

# neko_wrapper [NAME=VALUE ...]: the container wrapper with the real
# binary and a cache of its own in an environment of only these; the
# command it execs writes its environment, one variable a line, to
# ./environ.  The wrapper must exit 0 (the command's status).
neko_wrapper() {
	local child=$BATS_TEST_TMPDIR/child

	printf '#!/bin/sh\nenv -0 >"%s/environ"\n' "$BATS_TEST_TMPDIR" >"$child"
	chmod +x "$child"
	run --separate-stderr env -i PATH=/usr/bin:/bin HOME="$BATS_TEST_TMPDIR" \
	    ICEUPD_CONFIG=/dev/null ICEUPD="$ICEUPD" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/wrap-cache.json" "$@" sh \
	    "$BATS_TEST_DIRNAME/../../wrapper/cloudrun-wrapper.sh" "$child"
	assert_status 0
	tr '\0' '\n' <"$BATS_TEST_TMPDIR/environ" >environ
}

@test "url: a client of iceupd serve gets the upstream's credentials and expiry, and says what it read" {
	serve_twilio
	run --separate-stderr iceupd "${FANIN[@]}" -p url -f json -v
	assert_status 0
	assert_jq --arg u "$(turn_user twilio)" --arg c "$(turn_cred twilio)" \
	    '[.iceServers[] | select(.username == $u and .credential == $c)] | length == 1'
	[[ $(jq -r .expires_at <<<"$output") == "$(jq -r .expires_at <<<"$SERVED")" ]]
	[[ $(jq -r .fetched_at <<<"$output") == "$(jq -r .fetched_at <<<"$SERVED")" ]]
	assert_jq '.provider == "url" and .ttl_seconds == 86400'
	assert_stderr_contains "url: 4 URLs in" "an iceupd json report from twilio"
	assert_stderr_lacks "$API_TOKEN" "$(turn_cred twilio)"
	# The cache keeps the upstream's expiry: a second run is served from it.
	run --separate-stderr iceupd "${FANIN[@]}" -p url -f json
	assert_status 0
	assert_jq '.from_cache == true'
	[[ $(jq -r .expires_at <<<"$output") == "$(jq -r .expires_at <<<"$SERVED")" ]]
	# neko and rtc answers of serve are read too, without expiry.
	run --separate-stderr iceupd ICEUPD_URL="$BASE/api/ice/credentials?format=rtc" \
	    ICEUPD_URL_TOKEN="$API_TOKEN" -p url --no-cache -v
	assert_status 0
	assert_stderr_contains "an RTCConfiguration, no expiry given"
	run --separate-stderr iceupd ICEUPD_URL="$BASE/api/ice/credentials?format=neko" \
	    ICEUPD_URL_HEADER="Authorization: Bearer $API_TOKEN" -p url --no-cache -v
	assert_status 0
	assert_stderr_contains "a bare iceServers array"
	# Without the token serve says 401, and the message says what to set.
	run --separate-stderr iceupd ICEUPD_URL="$BASE/api/ice/credentials" -p url
	assert_status 1
	assert_stderr_contains "HTTP 401" "ICEUPD_URL_TOKEN or ICEUPD_URL_HEADER"
	[[ $(requests "$FAKE_LOG") == 1 ]]
	# serve gone: the cached answer is used, stale-if-error, never lost.
	stop_serve
	run --separate-stderr iceupd "${FANIN[@]}" -p url -f json --force-refresh
	assert_status 4
	assert_jq --arg c "$(turn_cred twilio)" '.stale == true and any(.iceServers[]; .credential == $c)'
}

@test "url: 50 concurrent clients during one TTL cost the upstream one request" {
	local i
	local -a pids=()

	serve_twilio
	for ((i = 0; i < 50; i++)); do
		iceupd "${FANIN[@]}" ICEUPD_CACHE="$BATS_TEST_TMPDIR/c$i.json" \
		    -p url -f json >"out$i" 2>"err$i" &
		pids+=("$!")
	done
	for i in "${!pids[@]}"; do
		wait "${pids[$i]}" || { echo "client $i failed:"; cat "err$i"; return 1; }
		jq -e --arg c "$(turn_cred twilio)" \
		    'any(.iceServers[]; .credential == $c)' "out$i" >/dev/null
		[[ $(jq -r .expires_at "out$i") == "$(jq -r .expires_at <<<"$SERVED")" ]]
	done
	[[ $(requests "$FAKE_LOG") == 1 ]]
	run curl -sf -H "Authorization: Bearer $API_TOKEN" "$BASE/api/ice/stats"
	assert_jq '.credential_requests == 51'
	stop_serve
}

@test "url: the container wrapper asks serve with -p url, keeps the token from neko, and falls back when serve is gone" {
	local -a wrap_env

	serve_twilio
	wrap_env=(ICEUPD_PROVIDERS=url,coturn "${FANIN[@]}" "${FLEET_COTURN[@]}")
	neko_wrapper "${wrap_env[@]}"
	# TURN over TCP/TLS from Twilio, through serve; no token for neko.
	grep -qF "$(turn_cred twilio)" environ
	grep -q '^NEKO_ICESERVERS=.*turn:global.turn.twilio.com:443?transport=tcp' environ
	if grep -qF -e ICEUPD_URL_TOKEN -e "$API_TOKEN" environ; then
		echo "the token reached neko:"; cat environ; return 1
	fi
	[[ $(requests "$FAKE_LOG") == 1 ]]
	# serve gone, no cache: the fallback provider answers.
	stop_serve
	rm -f "$BATS_TEST_TMPDIR/wrap-cache.json"
	neko_wrapper "${wrap_env[@]}"
	grep -q '^NEKO_ICESERVERS=.*fallback-cred' environ
}

@test "matrix: GET /_matrix/client/v3/voip/turnServer with the access token; ttl gives the expiry" {
	start_endpoint matrix --auth "Bearer $MATRIX_TOKEN" --ttl 3600
	run --separate-stderr iceupd MATRIX_HOMESERVER="$EP/" \
	    MATRIX_ACCESS_TOKEN="$MATRIX_TOKEN" --cacert "$CADIR/ca.pem" \
	    -p matrix -f json -v
	assert_status 0
	assert_jq '.iceServers == [{"urls":["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"],"username":"1700000000:fleet","credential":"endpoint-turn-cred-5a1f"}]'
	assert_jq '.ttl_seconds == 3600 and .provider == "matrix"'
	assert_stderr_contains "a Matrix turnServer answer"
	assert_stderr_lacks "$MATRIX_TOKEN"
	[[ $(requests "$EP_LOG") == 1 ]]
	# A token file works the same; a wrong token is 401 naming the setting.
	printf 'wrong-token\n' >tokenfile
	run --separate-stderr iceupd MATRIX_HOMESERVER="$EP" \
	    MATRIX_ACCESS_TOKEN_FILE=tokenfile --cacert "$CADIR/ca.pem" -p matrix
	assert_status 1
	assert_stderr_contains "HTTP 401 (check MATRIX_ACCESS_TOKEN): Invalid access token passed."
	assert_stderr_lacks wrong-token
}

@test "matrix: a homeserver without TURN, half a configuration, a base URL with a path" {
	start_endpoint matrix-empty --path /_matrix/client/v3/voip/turnServer \
	    --auth "Bearer $MATRIX_TOKEN"
	run --separate-stderr iceupd MATRIX_HOMESERVER="$EP" \
	    MATRIX_ACCESS_TOKEN="$MATRIX_TOKEN" --cacert "$CADIR/ca.pem" -p matrix
	assert_status 1
	assert_stderr_contains "matrix: the homeserver offers no TURN server"
	run --separate-stderr iceupd MATRIX_HOMESERVER="$EP" -p matrix
	assert_status 2
	assert_stderr_contains "MATRIX_HOMESERVER and MATRIX_ACCESS_TOKEN go together"
	run --separate-stderr iceupd MATRIX_HOMESERVER="$EP/_matrix" \
	    MATRIX_ACCESS_TOKEN=t -p matrix
	assert_status 2
	assert_stderr_contains "MATRIX_HOMESERVER: give the homeserver's base URL"
}

@test "url: STUNner's TURN REST and /ice answers, with the token as a header" {
	start_endpoint stunner --auth "Bearer stunner-MARK6" --ttl 600
	run --separate-stderr iceupd ICEUPD_URL="$EP/?service=turn" \
	    ICEUPD_URL_HEADER="Authorization: Bearer stunner-MARK6" \
	    --cacert "$CADIR/ca.pem" -p url -f json -v
	assert_status 0
	assert_jq '.ttl_seconds == 600 and (.iceServers | length) == 1'
	assert_jq '.iceServers[0].credential == "endpoint-turn-cred-5a1f"'
	assert_stderr_contains "a TURN REST answer"
	assert_stderr_lacks "stunner-MARK6"
	[[ $(requests "$EP_LOG") == 1 ]]
	# The query may hold a key: messages never show it.
	run --separate-stderr iceupd ICEUPD_URL="$EP/?service=turn" \
	    ICEUPD_URL_TOKEN=wrong-MARK8 --cacert "$CADIR/ca.pem" -p url
	assert_status 1
	assert_stderr_contains "url: GET $EP/?[redacted]: HTTP 400: Authorization header missing or wrong"
	assert_stderr_lacks "service=turn" "wrong-MARK8"
	start_endpoint stunner-ice --auth "Bearer stunner-MARK6"
	run --separate-stderr iceupd ICEUPD_URL="$EP/ice?service=turn" \
	    ICEUPD_URL_TOKEN=stunner-MARK6 --cacert "$CADIR/ca.pem" -p url -v
	assert_status 0
	assert_stdout '[{"urls":["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp"],"username":"1700000000:fleet","credential":"endpoint-turn-cred-5a1f"}]'
	assert_stderr_contains "an RTCConfiguration"
}

@test "url: POST for a {urls,username,credential,ttl} service; VK-ICE's remaining_ttl gives the expiry" {
	start_endpoint urls --header "X-Api-Key: ns-key-MARK7" --ttl 900
	run --separate-stderr iceupd ICEUPD_URL="$EP/v1/webrtc/turn/credentials" \
	    ICEUPD_URL_METHOD=post ICEUPD_URL_HEADER="X-Api-Key: ns-key-MARK7" \
	    --cacert "$CADIR/ca.pem" -p url -f json -v
	assert_status 0
	assert_jq '.ttl_seconds == 900 and .iceServers[0].username == "1700000000:fleet"'
	assert_stderr_contains "a TURN service answer"
	[[ $(jq -r '.[0].method' -s "$EP_LOG") == POST ]]
	[[ $(requests "$EP_LOG") == 1 ]]
	start_endpoint vkice --ttl 3600
	run --separate-stderr iceupd ICEUPD_URL="$EP/api/ice/credentials" \
	    --cacert "$CADIR/ca.pem" -p url -f json -v
	assert_status 0
	# remaining_ttl 3595 of 3600: made 5 s before the answer.
	assert_jq '.ttl_seconds == 3600 and .remaining_ttl <= 3595 and .remaining_ttl > 3500'
	assert_jq '.has_stun and .has_turn'
	assert_stderr_contains "a VK-ICE answer from 8x8"
}

@test "url: an expires_at in 2099 is held to 30 days, in the answer and in the cache" {
	start_endpoint far
	run --separate-stderr iceupd ICEUPD_URL="$EP/" --cacert "$CADIR/ca.pem" \
	    -p url -f json
	assert_status 0
	assert_jq '.remaining_ttl <= 2592000 and (.expires_at |
	    fromdateiso8601) <= now + 2592000'
	assert_stderr_contains "url: a lifetime over 30 days was cut to that"
	jq -e '[.list.servers[].expires_at | fromdateiso8601] | max <= now + 2592000' \
	    "$BATS_TEST_TMPDIR/home/cache.json"
}

@test "url: hostile answers fail clearly (exit 1), the next provider answers, nothing good is lost" {
	local shape

	for shape in wrong huge badurl expired; do
		start_endpoint "$shape"
		run --separate-stderr iceupd ICEUPD_URL="$EP/" --cacert "$CADIR/ca.pem" -p url
		assert_status 1
		assert_no_stdout
		assert_stderr_lines 1
		case $shape in
		wrong) assert_stderr_contains "url: answer is not one of the shapes known: expected an RTCConfiguration {iceServers}, an iceServers array, an iceupd or VK-ICE report, TURN REST {username,password,ttl,uris} or {urls,username,credential,ttl}" ;;
		huge) assert_stderr_contains "url: GET $EP/: response larger than 1024 KiB" ;;
		badurl) assert_stderr_contains "url: answer holds no usable server: 3 entries dropped" ;;
		expired) assert_stderr_contains "url: a VK-ICE answer whose credentials have expired" ;;
		esac
		# Failover: coturn answers, and the url failure is a warning.
		run --separate-stderr iceupd ICEUPD_URL="$EP/" "${FLEET_COTURN[@]}" \
		    --cacert "$CADIR/ca.pem" -p url,coturn --no-cache
		assert_status 0
		assert_jq 'any(.[]; .credential == "fallback-cred")'
		assert_stderr_contains "url failed:"
	done
}

@test "url: a trickling body is cut at the deadline; a good output file is kept" {
	needs_real_time
	start_endpoint stunner --ttl 3600
	run --separate-stderr iceupd ICEUPD_URL="$EP/?service=turn" \
	    --cacert "$CADIR/ca.pem" -p url -o list.json
	assert_status 0
	cp list.json good.json
	start_endpoint trickle
	run --separate-stderr iceupd ICEUPD_URL="$EP/" --cacert "$CADIR/ca.pem" \
	    -p url --timeout 1500 --no-cache -o list.json
	assert_status 1
	# The engine's deadline or the transfer's own, whichever ends first.
	assert_match "$stderr" 'url: (no answer after 1500 ms|GET .*: no answer within the deadline)$'
	assert_same_file good.json list.json
}

@test "url: configuration errors name the setting (exit 2)" {
	run --separate-stderr iceupd ICEUPD_URL=http://10.1.2.3/creds -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL: plain http:// to 10.1.2.3 would send the credentials unencrypted" "ICEUPD_URL_ALLOW_HTTP=true"
	# A name that starts like a loopback address is not one.
	run --separate-stderr iceupd ICEUPD_URL=http://127.0.0.1.example.org/ -p url
	assert_status 2
	run --separate-stderr iceupd ICEUPD_URL=http://10.1.2.3/creds \
	    ICEUPD_URL_ALLOW_HTTP=true providers
	assert_status 0
	assert_match "$output" $'(^|\n)url +configured +- +http://10.1.2.3/creds, GET(\n|$)'
	run --separate-stderr iceupd ICEUPD_URL=ftp://h/ -p url
	assert_status 2
	assert_stderr_contains "url: ICEUPD_URL: 'ftp://h/' is not an https http URL"
	run --separate-stderr iceupd ICEUPD_URL=https://h/ \
	    ICEUPD_URL_HEADER=$'X-A: b\r\nX-Injected: c' -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL_HEADER: not one 'Name: value' header"
	run --separate-stderr iceupd ICEUPD_URL=https://h/ ICEUPD_URL_TOKEN=t \
	    ICEUPD_URL_HEADER='authorization: Bearer u' -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL_TOKEN and an Authorization ICEUPD_URL_HEADER are both set"
	run --separate-stderr iceupd ICEUPD_URL=https://h/ ICEUPD_URL_TOKEN='a b' -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL_TOKEN: not a bearer token"
	run --separate-stderr iceupd ICEUPD_URL_TOKEN=t -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL_TOKEN is set without ICEUPD_URL"
	run --separate-stderr iceupd ICEUPD_URL=https://h/ ICEUPD_URL_METHOD=PUT -p url
	assert_status 2
	assert_stderr_contains "ICEUPD_URL_METHOD (environment): 'PUT' is not one of: GET, POST"
}

# fanin CODE: python3 with the documents of container/k8s-fanin.yaml as
# `docs`, `kind(k)` (those of kind k) and `env(c)` (a container's as a dict).
fanin() {
	python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3 has no yaml module (Debian package python3-yaml)"
	python3 -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
def kind(k):
    return [d for d in docs if d["kind"] == k]
def env(c):
    return {e["name"]: e["value"] for e in c.get("env", [])}
def mounted_secret(pod, c, path):
    """The Secret and key a file path of container c comes from."""
    vols = {v["name"]: v for v in pod["volumes"]}
    for m in c["volumeMounts"]:
        if path.startswith(m["mountPath"] + "/"):
            return vols[m["name"]]["secret"]["secretName"], path[len(m["mountPath"]) + 1:]
    raise AssertionError("no volume holds " + path)
'"$1" "$BATS_TEST_DIRNAME/../../container/k8s-fanin.yaml"
}

@test "fan-in manifests: serve has 2 replicas, /readyz, a PodDisruptionBudget, a Service, its Secrets; neko asks it with -p url and a fallback" {
	run fanin '
from urllib.parse import urlsplit
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["Deployment", "Deployment", "NetworkPolicy",
    "PodDisruptionBudget", "Secret", "Secret", "Service"], kinds
deps = {d["metadata"]["name"]: d for d in kind("Deployment")}
serve, neko = deps["iceupd"], deps["neko"]
spod, npod = serve["spec"]["template"]["spec"], neko["spec"]["template"]["spec"]
labels = serve["spec"]["template"]["metadata"]["labels"]
assert serve["spec"]["replicas"] == 2
assert serve["spec"]["selector"]["matchLabels"].items() <= labels.items()
(c,) = spod["containers"]
assert c["args"][0] == "serve", c["args"]
e = env(c)
ports = {p["name"]: p["containerPort"] for p in c["ports"]}
assert e["ICEUPD_LISTEN"] == "0.0.0.0:%d" % ports["http"], e["ICEUPD_LISTEN"]
rp = c["readinessProbe"]["httpGet"]
assert rp["path"] == "/readyz" and rp["port"] == "http", rp
assert c["livenessProbe"]["httpGet"]["path"] == "/healthz"
secrets = {d["metadata"]["name"]: d for d in kind("Secret")}
name, key = mounted_secret(spod, c, e["TWILIO_AUTH_TOKEN_FILE"])
assert key in secrets[name]["stringData"], (name, key)
api_token = mounted_secret(spod, c, e["ICEUPD_AUTH_TOKEN_FILE"])
assert api_token[1] in secrets[api_token[0]]["stringData"], api_token
assert name != api_token[0], "the upstream secret and the token share a Secret"
assert e["ICEUPD_CACHE"].startswith("/var/cache/iceupd/")
assert any(m["mountPath"] == "/var/cache/iceupd" for m in c["volumeMounts"])
(pdb,) = kind("PodDisruptionBudget")
assert pdb["spec"]["selector"]["matchLabels"].items() <= labels.items()
assert 1 <= pdb["spec"]["minAvailable"] < serve["spec"]["replicas"]
(svc,) = kind("Service")
assert svc["spec"]["selector"].items() <= labels.items()
(sp,) = svc["spec"]["ports"]
assert sp["targetPort"] == "http"
(np,) = kind("NetworkPolicy")
assert np["spec"]["podSelector"]["matchLabels"].items() <= labels.items()
nlabels = neko["spec"]["template"]["metadata"]["labels"]
assert np["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"].items() <= nlabels.items()
(n,) = npod["containers"]
assert "/neko-iceupd:" in n["image"]
ne = env(n)
provs = ne["ICEUPD_PROVIDERS"].split(",")
assert provs[0] == "url" and len(provs) >= 2, provs
u = urlsplit(ne["ICEUPD_URL"])
assert (u.hostname, u.port, u.path) == (svc["metadata"]["name"], sp["port"],
    "/api/ice/credentials"), ne["ICEUPD_URL"]
assert u.scheme == "https" or ne.get("ICEUPD_URL_ALLOW_HTTP") == "true"
assert mounted_secret(npod, n, ne["ICEUPD_URL_TOKEN_FILE"]) == api_token
for d in kind("Deployment"):
    for k in d["spec"]["template"]["spec"]["containers"]:
        for v in k.get("env", []):
            assert "valueFrom" not in v, k["name"] + ": secret in the environment"
        if "/iceupd:" not in k["image"]:
            continue
        sc = k["securityContext"]
        assert sc["runAsNonRoot"] is True and sc["runAsUser"] == 65532
        assert sc["readOnlyRootFilesystem"] is True
        assert sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert sc["seccompProfile"]["type"] == "RuntimeDefault"
print("ok")'
	[[ $status -eq 0 && $output == ok ]] || { echo "$output"; return 1; }
}

@test "fan-in manifests run: serve with the Deployment's settings on the Twilio fake, neko's wrapper with its settings" {
	local root=$BATS_TEST_TMPDIR/root
	local -a serve_env serve_args neko_env

	run fanin '
deps = {d["metadata"]["name"]: d for d in kind("Deployment")}
for name in ("iceupd", "neko"):
    (c,) = deps[name]["spec"]["template"]["spec"]["containers"]
    print(name + "\x1f" + "\x1f".join(c.get("args", [])) + "\x1f--" +
        "".join("\x1f%s=%s" % kv for kv in env(c).items()))'
	[[ $status -eq 0 ]] || { echo "$output"; return 1; }
	start_fake twilio ok
	# The Secrets' files, under $root; the fake's account and base.
	mkdir -p "$root/run/secrets/iceupd-upstream" "$root/run/secrets/iceupd-api" \
	    "$root/var/cache/iceupd"
	printf '%s' "$TOKEN" >"$root/run/secrets/iceupd-upstream/twilio-auth-token"
	printf '%s' "$API_TOKEN" >"$root/run/secrets/iceupd-api/token"
	IFS=$'\x1f' read -r -a serve_args <<<"$(sed -n 's/^iceupd\x1f//p' <<<"$output" | sed 's/\x1f--.*//')"
	IFS=$'\x1f' read -r -a serve_env <<<"$(sed -n 's/^iceupd\x1f.*\x1f--\x1f//p' <<<"$output" | sed "s#=/#=$root/#g")"
	IFS=$'\x1f' read -r -a neko_env <<<"$(sed -n 's/^neko\x1f\x1f--\x1f//p' <<<"$output" | sed "s#=/#=$root/#g")"
	[[ ${serve_args[0]} == serve ]]
	LISTEN=()
	start_serve "${serve_env[@]}" ICEUPD_LISTEN=127.0.0.1:0 \
	    TWILIO_ACCOUNT_SID="$SID" TWILIO_API_BASE="https://127.0.0.1:$PORT" \
	    ICEUPD_CA_FILE="$CADIR/ca.pem" "${serve_args[@]:1}"
	for ((i = 0; i < 600; i++)); do
		curl -sf "$BASE/readyz" >/dev/null && break
		sleep 0.1
	done
	neko_wrapper "${neko_env[@]}" ICEUPD_URL="${BASE}/api/ice/credentials"
	grep -q "^NEKO_ICESERVERS=.*$(turn_cred twilio)" environ ||
	    { echo "neko did not get Twilio's credentials:"; cat environ; show_run; return 1; }
	grep -q '^NEKO_ICESERVERS=.*stun:global.stun.twilio.com' environ
	[[ $(requests "$FAKE_LOG") == 1 ]]
	# serve gone and no cache: neko starts with the fallback, public STUN.
	stop_serve
	rm -f "$BATS_TEST_TMPDIR/wrap-cache.json"
	neko_wrapper "${neko_env[@]}" ICEUPD_URL="${BASE}/api/ice/credentials"
	grep -qF 'NEKO_ICESERVERS=[{"urls":["stun:stun.l.google.com:19302"' environ ||
	    { cat environ; show_run; return 1; }
	assert_stderr_contains "url failed:"
}
