#!/usr/bin/env bats
# formats.bats: the output formats, TURN REST credentials, filters, URL
# canonicalisation and the merge policy.

bats_require_minimum_version 1.5.0
load helpers

SECRET='formats-shared-secret'
# coturn alone (the default selection is the subject of fetch.bats), with
# TURN REST credentials minted from the shared secret.
REST=(ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS="$COTURN_URLS" TURN_SHARED_SECRET="$SECRET" TURN_USER=neko)
# coturn with static credentials.
STATIC=(ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME=neko WEBRTC_TURN_CREDENTIAL=static-pass)
STATIC_NEKO='[{"urls":["turn:127.0.0.1:3478?transport=udp","turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"],"username":"neko","credential":"static-pass"},{"urls":["stun:127.0.0.1:3478"]}]'

# What an RTCIceServer list for neko must look like: an array of objects
# with only urls (a non-empty array of strings), username and credential,
# the last two together or not at all.
NEKO_SHAPE='type == "array" and length > 0 and all(.[];
    type == "object"
    and (keys - ["credential", "urls", "username"]) == []
    and (.urls | type == "array" and length > 0 and all(.[]; type == "string"))
    and ((has("username") and has("credential")
          and (.username | type == "string") and (.credential | type == "string"))
         or (has("username") or has("credential") | not)))'

# hmac USERNAME: the TURN REST credential for USERNAME under $SECRET.
hmac() {
	printf %s "$1" | openssl dgst -sha1 -hmac "$SECRET" -binary | base64
}

# percent_decode TEXT
percent_decode() {
	printf '%b' "${1//%/\\x}"
}

# --- neko ----------------------------------------------------------------

@test "neko, static credentials: TURN URLs grouped in one entry, STUN without credentials" {
	run --separate-stderr iceupd "${STATIC[@]}"
	assert_status 0
	assert_no_stderr
	assert_stdout "$STATIC_NEKO"
	assert_jq "$NEKO_SHAPE"
	assert_jq '.[1] | keys == ["urls"]'
}

@test "neko, TURN REST: only urls, username and credential; STUN entry bare" {
	run --separate-stderr iceupd "${REST[@]}" -f neko
	assert_status 0
	assert_no_stderr
	assert_jq "$NEKO_SHAPE"
	assert_jq 'length == 2'
	assert_jq --argjson turn "$COTURN_TURN_URLS" '.[0].urls == $turn'
	assert_jq '.[0] | keys == ["credential", "urls", "username"]'
	assert_jq '.[1] == {"urls": ["stun:127.0.0.1:3478"]}'
}

@test "neko: a single URL is still written as an array" {
	run --separate-stderr iceupd WEBRTC_STUN_URLS=stun:one.example
	assert_status 0
	assert_stdout '[{"urls":["stun:one.example:3478"]}]'
	assert_jq '.[0].urls | type == "array"'
}

# --- TURN REST credentials -----------------------------------------------

@test "TURN REST: username is <expiry>:neko with expiry now + TURN_TTL" {
	local before after username expiry

	before=$(date +%s)
	run --separate-stderr iceupd "${REST[@]}" TURN_TTL=600
	after=$(date +%s)
	assert_status 0
	username=$(jq -r '.[0].username' <<<"$output")
	assert_match "$username" '^[0-9]+:neko$'
	expiry=${username%%:*}
	[[ $expiry -ge $((before + 600)) && $expiry -le $((after + 600)) ]]
}

@test "TURN REST: the credential is base64(HMAC-SHA1(secret, username))" {
	local username credential

	run --separate-stderr iceupd "${REST[@]}"
	assert_status 0
	username=$(jq -r '.[0].username' <<<"$output")
	credential=$(jq -r '.[0].credential' <<<"$output")
	[[ -n $username ]]
	[[ $credential == "$(hmac "$username")" ]]
	assert_match "$credential" '^[A-Za-z0-9+/]{27}=$'
}

@test "TURN REST: without TURN_USER the username is the expiry alone" {
	local username

	run --separate-stderr iceupd ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS=turn:h TURN_SHARED_SECRET="$SECRET"
	assert_status 0
	username=$(jq -r '.[0].username' <<<"$output")
	assert_match "$username" '^[0-9]+$'
	assert_jq --arg c "$(hmac "$username")" '.[0].credential == $c'
}

@test "TURN REST: a day by default; --ttl over TURN_TTL over ICEUPD_TTL" {
	run --separate-stderr iceupd "${REST[@]}" -f json
	assert_status 0
	assert_jq '.ttl_seconds == 86400'

	run --separate-stderr iceupd "${REST[@]}" ICEUPD_TTL=1200 -f json
	assert_status 0
	assert_jq '.ttl_seconds == 1200'

	run --separate-stderr iceupd "${REST[@]}" ICEUPD_TTL=1200 TURN_TTL=600 -f json
	assert_status 0
	assert_jq '.ttl_seconds == 600'

	run --separate-stderr iceupd "${REST[@]}" TURN_TTL=600 --ttl 900 -f json
	assert_status 0
	assert_jq '.ttl_seconds == 900'
}

# --- rtc -----------------------------------------------------------------

@test "rtc: iceServers holds the same entries as neko, no policy without --relay" {
	run --separate-stderr iceupd "${STATIC[@]}" -f rtc
	assert_status 0
	assert_no_stderr
	assert_stdout "{\"iceServers\":$STATIC_NEKO}"
	assert_jq 'has("iceTransportPolicy") | not'
	assert_jq ".iceServers | $NEKO_SHAPE"
}

@test "rtc --relay: iceTransportPolicy relay and no STUN" {
	run --separate-stderr iceupd "${STATIC[@]}" -f rtc --relay
	assert_status 0
	assert_no_stderr
	assert_stdout "{\"iceServers\":[{\"urls\":$COTURN_TURN_URLS,\"username\":\"neko\",\"credential\":\"static-pass\"}],\"iceTransportPolicy\":\"relay\"}"

	run --separate-stderr iceupd "${REST[@]}" -f rtc --relay
	assert_status 0
	assert_jq '.iceTransportPolicy == "relay"'
	assert_jq '[.iceServers[].urls[] | select(startswith("stun"))] == []'
	assert_jq --argjson turn "$COTURN_TURN_URLS" '.iceServers[0].urls == $turn'
}

# --- json report ---------------------------------------------------------

@test "json: the report of a TURN REST fetch" {
	local before after

	before=$(date +%s)
	run --separate-stderr iceupd "${REST[@]}" TURN_TTL=600 -f json
	after=$(date +%s)
	assert_status 0
	assert_no_stderr
	assert_jq '["expires_at", "fetched_at", "has_stun", "has_turn", "iceServers",
	    "provider", "remaining_ttl", "sources", "stale", "ttl_seconds"] - keys == []'
	assert_jq ".iceServers | $NEKO_SHAPE"
	assert_jq --argjson turn "$COTURN_TURN_URLS" '.iceServers[0].urls == $turn'
	assert_jq '.provider == "coturn"'
	assert_jq '.ttl_seconds == 600'
	assert_jq '.remaining_ttl >= 599 and .remaining_ttl <= 601'
	assert_jq '.has_turn == true and .has_stun == true and .stale == false'
	assert_jq '(.fetched_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))
	    and (.expires_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"))'
	assert_jq --argjson b "$before" --argjson a "$after" \
	    '(.fetched_at | fromdateiso8601) as $f | $f >= $b and $f <= $a'
	assert_jq '(.expires_at | fromdateiso8601) - (.fetched_at | fromdateiso8601) == .ttl_seconds'
	assert_jq '(.expires_at | fromdateiso8601) == (.iceServers[0].username | split(":")[0] | tonumber)'
	assert_jq '.sources.coturn.ok == true and (.sources.coturn.latency_ms | type == "number")
	    and .sources.coturn.error == null'
}

@test "json: --ttl sets ttl_seconds" {
	run --separate-stderr iceupd "${REST[@]}" -f json --ttl 3600
	assert_status 0
	assert_jq '.ttl_seconds == 3600'
	assert_jq '(.expires_at | fromdateiso8601) - (.fetched_at | fromdateiso8601) == 3600'
}

@test "json: static credentials have no expiry: expires_at and ttl are null" {
	run --separate-stderr iceupd "${STATIC[@]}" -f json
	assert_status 0
	assert_no_stderr
	assert_jq --argjson neko "$STATIC_NEKO" '.iceServers == $neko'
	assert_jq '.expires_at == null and .ttl_seconds == null and .remaining_ttl == null'
	assert_jq '.provider == "coturn" and .has_turn == true and .has_stun == true and .stale == false'
	assert_jq '.fetched_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")'
}

@test "json: STUN only has has_turn false" {
	run --separate-stderr iceupd -f json
	assert_status 0
	assert_jq --argjson stun "$DEFAULT_STUN" '.iceServers == $stun'
	assert_jq '.provider == "stun" and .has_turn == false and .has_stun == true'
	assert_jq '.expires_at == null and .ttl_seconds == null'
	assert_jq '.sources.stun.ok == true and .sources.stun.error == null'
}

# --- env and dotenv ------------------------------------------------------

# eval_in SHELL FILE: evaluates FILE (env output) in SHELL, prints
# $NEKO_ICESERVERS and a newline.
eval_in() {
	"$1" -c 'eval "$(cat "$1")" && printf "%s\n" "$NEKO_ICESERVERS"' "$1" "$2"
}

@test "env: one export line, quoted" {
	run --separate-stderr iceupd "${STATIC[@]}" -f env
	assert_status 0
	assert_no_stderr
	assert_stdout "export NEKO_ICESERVERS='$STATIC_NEKO'"
}

@test "env: eval in bash and in sh gives the neko output byte for byte" {
	iceupd "${STATIC[@]}" -f neko >neko.out
	iceupd "${STATIC[@]}" -f env >env.out
	eval_in bash env.out >from-bash
	eval_in sh env.out >from-sh
	assert_same_file neko.out from-bash
	assert_same_file neko.out from-sh
}

@test "env: TURN REST output evaluates to the same list in sh" {
	local value username

	iceupd "${REST[@]}" -f env >env.out
	[[ $(wc -l <env.out) -eq 1 ]]
	value=$(eval_in sh env.out)
	output=$value
	assert_jq "$NEKO_SHAPE"
	assert_jq --argjson turn "$COTURN_TURN_URLS" '.[0].urls == $turn'
	username=$(jq -r '.[0].username' <<<"$value")
	assert_jq --arg c "$(hmac "$username")" '.[0].credential == $c'
}

@test "env: hostile credentials survive eval in sh and bash and run nothing" {
	local user cred

	user=$'it\'s "me" `touch pwned-user` $(touch pwned-user) \\ \'\''
	cred=$'p\'"$(touch pwned)`touch pwned`${HOME}$HOME\\\\\\n\'\\'
	iceupd ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME="$user" \
	    WEBRTC_TURN_CREDENTIAL="$cred" -f neko >neko.out
	iceupd ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS=turn:h WEBRTC_TURN_USERNAME="$user" \
	    WEBRTC_TURN_CREDENTIAL="$cred" -f env >env.out
	eval_in sh env.out >from-sh
	eval_in bash env.out >from-bash
	assert_same_file neko.out from-sh
	assert_same_file neko.out from-bash
	[[ $(jq -r '.[0].username' from-sh) == "$user" ]]
	[[ $(jq -r '.[0].credential' from-sh) == "$cred" ]]
	[[ ! -e pwned && ! -e pwned-user ]]
	[[ $(ls -A) == $'env.out\nfrom-bash\nfrom-sh\nneko.out' ]]
}

@test "env: sourcing the output in sh sets the variable too" {
	iceupd "${STATIC[@]}" -f env >env.sh
	run sh -c '. ./env.sh && printf "%s\n" "$NEKO_ICESERVERS"'
	assert_status 0
	assert_stdout "$STATIC_NEKO"
}

@test "dotenv: NAME=value, unquoted" {
	run --separate-stderr iceupd "${STATIC[@]}" -f dotenv
	assert_status 0
	assert_no_stderr
	assert_stdout "NEKO_ICESERVERS=$STATIC_NEKO"
}

@test "--env-name with two names gives two lines" {
	run --separate-stderr iceupd "${STATIC[@]}" -f env --env-name ICE_A,ICE_B
	assert_status 0
	assert_no_stderr
	assert_stdout "export ICE_A='$STATIC_NEKO'
export ICE_B='$STATIC_NEKO'"

	run --separate-stderr iceupd "${STATIC[@]}" ICEUPD_ENV_NAME=ICE_A,ICE_B -f dotenv
	assert_status 0
	assert_stdout "ICE_A=$STATIC_NEKO
ICE_B=$STATIC_NEKO"
}

@test "--neko-v3 names the front and back end variables" {
	run --separate-stderr iceupd "${STATIC[@]}" -f env --neko-v3
	assert_status 0
	assert_no_stderr
	assert_stdout "export NEKO_WEBRTC_ICESERVERS_FRONTEND='$STATIC_NEKO'
export NEKO_WEBRTC_ICESERVERS_BACKEND='$STATIC_NEKO'"

	run --separate-stderr iceupd "${STATIC[@]}" -f dotenv --neko-v3
	assert_status 0
	assert_stdout "NEKO_WEBRTC_ICESERVERS_FRONTEND=$STATIC_NEKO
NEKO_WEBRTC_ICESERVERS_BACKEND=$STATIC_NEKO"
}

@test "an invalid variable name exits 2" {
	run --separate-stderr iceupd -f env --env-name 1ICE
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --env-name: '1ICE' is not a valid variable name"

	run --separate-stderr iceupd -f env --env-name 'OK,NOT OK'
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --env-name: 'NOT OK' is not a valid variable name"

	run --separate-stderr iceupd ICEUPD_ENV_NAME='A-B' -f dotenv
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: ICEUPD_ENV_NAME (environment): 'A-B' is not a valid variable name"

	run --separate-stderr iceupd -f env --env-name ','
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --env-name: no variable name given"

	run --separate-stderr iceupd -f env --env-name 'X;touch pwned'
	assert_status 2
	assert_no_stdout
	[[ ! -e pwned ]]
}

# --- str0m ---------------------------------------------------------------

@test "str0m: one line per URL with user and password percent-encoded" {
	run --separate-stderr iceupd ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS="$COTURN_URLS" \
	    WEBRTC_TURN_USERNAME='us:er@x/y zé' WEBRTC_TURN_CREDENTIAL='p@ss:w/rd é%+' \
	    -f str0m
	assert_status 0
	assert_no_stderr
	assert_stdout 'turn:us%3Aer%40x%2Fy%20z%C3%A9:p%40ss%3Aw%2Frd%20%C3%A9%25%2B@127.0.0.1:3478?transport=udp
turn:us%3Aer%40x%2Fy%20z%C3%A9:p%40ss%3Aw%2Frd%20%C3%A9%25%2B@127.0.0.1:3478?transport=tcp
turns:us%3Aer%40x%2Fy%20z%C3%A9:p%40ss%3Aw%2Frd%20%C3%A9%25%2B@127.0.0.1:5349
stun:127.0.0.1:3478'
}

@test "str0m: TURN REST user and credential decode to a valid pair" {
	local line userinfo user pass

	run --separate-stderr iceupd "${REST[@]}" -f str0m
	assert_status 0
	[[ ${#lines[@]} -eq 4 ]]
	[[ ${lines[3]} == "stun:127.0.0.1:3478" ]]
	for line in "${lines[@]:0:3}"; do
		assert_match "$line" '^turns?:[0-9]+%3Aneko:[A-Za-z0-9%]+@127\.0\.0\.1:(3478\?transport=(udp|tcp)|5349)$'
		userinfo=${line#*:}
		userinfo=${userinfo%@*}
		user=$(percent_decode "${userinfo%%:*}")
		pass=$(percent_decode "${userinfo#*:}")
		assert_match "$user" '^[0-9]+:neko$'
		[[ $pass == "$(hmac "$user")" ]]
	done
}

@test "str0m: STUN only has no user information" {
	run --separate-stderr iceupd -f str0m
	assert_status 0
	assert_stdout 'stun:stun.l.google.com:19302
stun:stun.cloudflare.com:3478'
}

# --- filters -------------------------------------------------------------

@test "--transport tcp keeps only TURN over TCP and TLS" {
	run --separate-stderr iceupd "${STATIC[@]}" --transport tcp
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"],"username":"neko","credential":"static-pass"}]'

	run --separate-stderr iceupd "${REST[@]}" --transport tcp -f json
	assert_status 0
	assert_jq '[.iceServers[].urls[]] == ["turn:127.0.0.1:3478?transport=tcp", "turns:127.0.0.1:5349"]'
	assert_jq '.has_stun == false and .has_turn == true'
}

@test "--transport udp keeps STUN and TURN over UDP" {
	run --separate-stderr iceupd "${STATIC[@]}" --transport udp
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:127.0.0.1:3478?transport=udp"],"username":"neko","credential":"static-pass"},{"urls":["stun:127.0.0.1:3478"]}]'
}

@test "--relay drops STUN" {
	run --separate-stderr iceupd "${STATIC[@]}" --relay
	assert_status 0
	assert_no_stderr
	assert_stdout "[{\"urls\":$COTURN_TURN_URLS,\"username\":\"neko\",\"credential\":\"static-pass\"}]"

	run --separate-stderr iceupd "${STATIC[@]}" ICEUPD_RELAY=yes
	assert_status 0
	assert_stdout "[{\"urls\":$COTURN_TURN_URLS,\"username\":\"neko\",\"credential\":\"static-pass\"}]"
}

@test "--relay with --transport tcp keeps TURN over TCP and TLS" {
	run --separate-stderr iceupd "${STATIC[@]}" --relay --transport tcp -f rtc
	assert_status 0
	assert_stdout '{"iceServers":[{"urls":["turn:127.0.0.1:3478?transport=tcp","turns:127.0.0.1:5349"],"username":"neko","credential":"static-pass"}],"iceTransportPolicy":"relay"}'
}

# --- URLs ----------------------------------------------------------------

# turn_urls_as_u URLS [ARG ...]: the coturn provider with WEBRTC_TURN_URLS
# URLS, user u and credential p, through run --separate-stderr.
turn_urls_as_u() {
	run --separate-stderr iceupd ICEUPD_PROVIDERS=coturn \
	    WEBRTC_TURN_URLS="$1" WEBRTC_TURN_USERNAME=u \
	    WEBRTC_TURN_CREDENTIAL=p "${@:2}"
}

@test "URLs are canonical: scheme and host lower case, default port added" {
	run --separate-stderr iceupd WEBRTC_STUN_URLS='STUN:Example.COM,STUNS:Secure.Example'
	assert_status 0
	assert_stdout '[{"urls":["stun:example.com:3478","stuns:secure.example:5349"]}]'

	turn_urls_as_u 'TURNS:H,turn:h?transport=TCP,TURN:Relay.Example:80'
	assert_status 0
	assert_stdout '[{"urls":["turns:h:5349","turn:h:3478?transport=tcp","turn:relay.example:80"],"username":"u","credential":"p"}]'
}

@test "duplicate URLs are written once" {
	run --separate-stderr iceupd WEBRTC_STUN_URLS='stun:example.com,STUN:EXAMPLE.COM:3478, stun:example.com:3478 ,stun:other.example'
	assert_status 0
	assert_stdout '[{"urls":["stun:example.com:3478","stun:other.example:3478"]}]'

	turn_urls_as_u 'turns:h,turns:h:5349,TURNS:H'
	assert_status 0
	assert_stdout '[{"urls":["turns:h:5349"],"username":"u","credential":"p"}]'
}

@test "IPv6 literals are kept in brackets" {
	turn_urls_as_u 'turn:[::1]:3478?transport=udp,turn:[::1]?transport=udp,turns:[2001:DB8::1],stun:[::1]'
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:[::1]:3478?transport=udp","turns:[2001:db8::1]:5349"],"username":"u","credential":"p"},{"urls":["stun:[::1]:3478"]}]'

	turn_urls_as_u 'turn:[::1]:3478?transport=udp' -f str0m
	assert_status 0
	assert_stdout 'turn:u:p@[::1]:3478?transport=udp'
}

# --- policy and caps -----------------------------------------------------

MERGE_ENV=(WEBRTC_TURN_URLS='turn:turn.example:3478?transport=udp,turns:turn.example'
    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p
    WEBRTC_STUN_URLS='stun:stun.example,stun:turn.example')

@test "--policy merge: the union of coturn and stun, provider coturn+stun" {
	run --separate-stderr iceupd "${MERGE_ENV[@]}" --policy merge
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:turn.example:3478?transport=udp","turns:turn.example:5349"],"username":"u","credential":"p"},{"urls":["stun:stun.example:3478","stun:turn.example:3478"]}]'

	run --separate-stderr iceupd "${MERGE_ENV[@]}" ICEUPD_POLICY=merge -f json
	assert_status 0
	assert_jq '.provider == "coturn+stun"'
	assert_jq '.sources.coturn.ok == true and .sources.stun.ok == true'
	assert_jq '.has_turn == true and .has_stun == true'
}

@test "--policy merge drops STUN URLs that coturn already gave" {
	run --separate-stderr iceupd WEBRTC_TURN_URLS='turns:h,stun:h' \
	    WEBRTC_TURN_USERNAME=u WEBRTC_TURN_CREDENTIAL=p \
	    WEBRTC_STUN_URLS='STUN:H:3478,stun:other' --policy merge
	assert_status 0
	assert_stdout '[{"urls":["turns:h:5349"],"username":"u","credential":"p"},{"urls":["stun:h:3478","stun:other:3478"]}]'
}

@test "--policy first: coturn only" {
	run --separate-stderr iceupd "${MERGE_ENV[@]}" --policy first
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:turn.example:3478?transport=udp","turns:turn.example:5349"],"username":"u","credential":"p"}]'

	run --separate-stderr iceupd "${MERGE_ENV[@]}" -f json
	assert_status 0
	assert_jq '.provider == "coturn" and .has_stun == false'
}

@test "--max-servers 1 keeps the first entry" {
	run --separate-stderr iceupd "${MERGE_ENV[@]}" --policy merge --max-servers 1
	assert_status 0
	assert_no_stderr
	assert_stdout '[{"urls":["turn:turn.example:3478?transport=udp","turns:turn.example:5349"],"username":"u","credential":"p"}]'

	run --separate-stderr iceupd "${MERGE_ENV[@]}" --policy merge --max-servers 0
	assert_status 0
	assert_jq 'length == 2'
}
