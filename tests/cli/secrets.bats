#!/usr/bin/env bats
# secrets.bats: the secret audit.  Every secret setting (every K_SECRET of
# the table in src/settings/table.c, read from it so that new ones are covered)
# gets a unique marker; then every command runs with -vv, as text and as
# JSON logs, against answering and failing fakes (tests/mocks/hosted.py on
# 127.0.0.1) and against nothing at all.  No marker (nor the HTTP Basic
# encoding of a secret pair) may appear on stderr, on stdout (apart from
# static TURN credentials in a credential list, which are meant to be handed
# out), in the argv of a child process, or in a file not of mode 0600.

bats_require_minimum_version 1.5.0
load helpers

ROOT=$BATS_TEST_DIRNAME/../..

# secret_names: the environment names of the secret settings.
secret_names() {
	awk '/^static const struct setting table\[\] = \{/ { on = 1; next }
	    on && /^\};/ { on = 0 }
	    on { buf = buf $0 " " }
	    END {
		n = split(buf, e, /\{ "/)
		for (i = 2; i <= n; i++)
			if (e[i] ~ /K_SECRET/) {
				split(e[i], q, "\"")
				print q[3]
			}
	    }' "$ROOT/src/settings/table.c"
}

mapfile -t SECRET_NAMES < <(secret_names)
# Global: bats sources this file inside a function.
declare -gA MARK
for n in "${SECRET_NAMES[@]}"; do
	MARK[$n]="mk${RANDOM}${RANDOM}${n//_/}x"
done

# The API secrets the fakes expect are the markers.
SID=AC5f0c3a9e1b2d4c6e8f0a1b2c3d4e5f6a
KEY_SID=SK9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b
TOKEN=${MARK[TWILIO_AUTH_TOKEN]}
KEY_SECRET=${MARK[TWILIO_API_KEY_SECRET]}
CF_KEY=turnkey-0f9e8d7c
CF_TOKEN=${MARK[CLOUDFLARE_TURN_API_TOKEN]}
METERED_KEY=${MARK[METERED_API_KEY]}
XIRSYS_IDENT=xirsys-ident
XIRSYS_SECRET=${MARK[XIRSYS_SECRET]}
TURNIX_TOKEN=${MARK[TURNIX_API_TOKEN]}
load ../mocks/hosted

# Static TURN credentials are handed out as they are: on stdout and in the
# output file they are the product, anywhere else a leak.
HANDED_OUT=("${MARK[WEBRTC_TURN_USERNAME]}" "${MARK[WEBRTC_TURN_CREDENTIAL]}")

setup() {
	need_binary || return 1
	work_in work || return 1
	# A service-account key whose private key must not leak either.
	openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
	    -out "$BATS_TEST_TMPDIR/sa.pem" 2>/dev/null
	jq -n --rawfile k "$BATS_TEST_TMPDIR/sa.pem" '{type: "service_account",
	    project_id: "p", private_key_id: "kid", private_key: $k,
	    client_email: "sa@p.iam.gserviceaccount.com",
	    token_uri: "https://127.0.0.1:1/token"}' >"$BATS_TEST_TMPDIR/sa.json"
	chmod 600 "$BATS_TEST_TMPDIR/sa.json"
	KEY_LINE=$(sed -n 3p "$BATS_TEST_TMPDIR/sa.pem")
	LEAKS=("${MARK[@]}" "$KEY_LINE"
	    "$(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0)"
	    "$(printf '%s:%s' "$KEY_SID" "$KEY_SECRET" | base64 -w0)"
	    "$(printf '%s:%s' "$XIRSYS_IDENT" "$XIRSYS_SECRET" | base64 -w0)"
	    "$(printf '%s:%s' "$SID" "$TOKEN" | base64 -w0 | tr -d =)"
	    "$(printf '%s:%s' "$KEY_SID" "$KEY_SECRET" | base64 -w0 | tr -d =)")
	RUNS=0
	# Every secret has its marker, or the audit would prove nothing.
	if ((${#MARK[@]} != ${#SECRET_NAMES[@]} || ${#SECRET_NAMES[@]} == 0)); then
		echo "markers: ${#MARK[@]} for ${#SECRET_NAMES[@]} secret settings" >&2
		return 1
	fi
}

teardown() {
	stop_fakes
}

# in_list WORD LIST...: WORD is one of LIST.
in_list() {
	local w=$1 x
	shift
	for x in "$@"; do
		[[ $x == "$w" ]] && return 0
	done
	return 1
}

# audit WHAT [NAME=VALUE ...] [ARG ...]: runs iceupd, then checks stderr,
# stdout and every file iceupd may have written.
audit() {
	local what=$1 m f
	shift

	RUNS=$((RUNS + 1))
	run --separate-stderr iceupd "$@"
	# A crash is a finding of its own; a usage error means the audit did
	# not run what it meant to (unless the test expects one).
	if ((status > 4)) || { ((status == 2)) && [[ -z ${ALLOW_USAGE-} ]]; }; then
		echo "$what: exit status $status"
		show_run
		return 1
	fi
	for m in "${LEAKS[@]}"; do
		if [[ $stderr == *"$m"* ]]; then
			echo "$what: a secret reached stderr: $m"
			show_run
			return 1
		fi
		if [[ $output == *"$m"* ]] && ! in_list "$m" "${HANDED_OUT[@]}"; then
			echo "$what: a secret reached stdout: $m"
			show_run
			return 1
		fi
	done
	audit_files "$what"
}

# audit_files WHAT: no file iceupd may have written holds a secret, except
# handed-out credentials in an output file of mode 0600.
audit_files() {
	local what=$1 m f

	while IFS= read -r -d '' f; do
		for m in "${LEAKS[@]}"; do
			grep -qF -- "$m" "$f" || continue
			if [[ $(stat -c %a "$f") != 600 ]]; then
				echo "$what: $f (mode $(stat -c %a "$f")) holds a secret: $m"
				return 1
			fi
			if [[ $f != */out.* ]] || ! in_list "$m" "${HANDED_OUT[@]}"; then
				echo "$what: $f holds a secret: $m"
				return 1
			fi
		done
	done < <(find "$BATS_TEST_TMPDIR/work" "$BATS_TEST_TMPDIR/home" \
	    -type f ! -name 'hook.*' -print0 2>/dev/null)
}

# audit_serve WHAT [NAME=VALUE ...] [ARG ...]: `iceupd serve` with ARGs,
# asked every route (and every provider on demand), then stopped with
# SIGTERM.  No body but a credential list may hold a marker (that one only
# handed-out credentials); then its log, its stdout and the files, as audit.
audit_serve() {
	local what=$1 pf=$BATS_TEST_TMPDIR/serve.port home=$BATS_TEST_TMPDIR/home
	local base pid r m body
	local -a vars=()
	shift

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	RUNS=$((RUNS + 1))
	rm -f "$pf"
	mkdir -p "$home"
	(exec env -i PATH="$PATH" HOME="$home" XDG_CACHE_HOME="$home/.cache" \
	    ICEUPD_CACHE="$home/cache.json" ICEUPD_CONFIG=/dev/null \
	    "${vars[@]}" "$ICEUPD" serve --listen 127.0.0.1:0 --port-file "$pf" \
	    "$@" >serve.out 2>serve.err 3>&-) &
	pid=$!
	if wait_port_file "$pf" "$pid"; then
		base=http://127.0.0.1:$(<"$pf")
		for r in /api/ice/credentials '/api/ice/credentials?format=neko' \
		    '/api/ice/credentials?format=rtc' \
		    '/api/ice/credentials?provider=twilio' \
		    '/api/ice/credentials?provider=cloudflare' \
		    '/api/ice/credentials?provider=metered' \
		    '/api/ice/credentials?provider=coturn' \
		    '/api/ice/credentials?provider=jitsi' \
		    '/api/ice/providers' /api/ice/stats /metrics /readyz \
		    /healthz /nowhere 'POST /api/ice/turn?id=audit' \
		    'POST /api/ice/turn?id=audit&format=uberti' \
		    /api/ice/health /health /openapi.json / \
		    /api/ice/events '/api/ice/events?turn=audit' \
		    'POST /api/ice/refresh' 'DELETE /api/ice/cache' \
		    /api/ice/providers /metrics; do
			if [[ $r == /api/ice/events* ]]; then
				# A stream: what came in a second.
				body=$(curl -sN --max-time 1 "$base$r") || true
			elif [[ $r == *" "* ]]; then
				body=$(curl -s --max-time 20 -X "${r%% *}" \
				    "$base${r#* }") || true
			else
				body=$(curl -s --max-time 20 "$base$r") || true
			fi
			for m in "${LEAKS[@]}"; do
				[[ $body == *"$m"* ]] || continue
				if [[ $r == /api/ice/credentials* ||
				    $r == /api/ice/events* ]] &&
				    in_list "$m" "${HANDED_OUT[@]}"; then
					continue
				fi
				echo "$what: $r answered a secret: $m"
				return 1
			done
		done
	fi
	kill -TERM "$pid" 2>/dev/null || true
	wait "$pid" && status=0 || status=$?
	output=$(<serve.out) stderr=$(<serve.err)
	if ((status != 0)) && { ((status != 2)) || [[ -z ${ALLOW_USAGE-} ]]; }; then
		echo "$what: exit status $status"
		show_run
		return 1
	fi
	# It served: the access log (-vv) names the routes asked.
	if ((status == 0)) && [[ $stderr != *"DELETE /api/ice/cache 204"* ]]; then
		echo "$what: serve did not answer the routes"
		show_run
		return 1
	fi
	for m in "${LEAKS[@]}"; do
		if [[ $stderr == *"$m"* || $output == *"$m"* ]]; then
			echo "$what: a secret reached the log: $m"
			show_run
			return 1
		fi
	done
	rm -f serve.out serve.err
	audit_files "$what"
}

# every_command WHAT [NAME=VALUE ...] [OPTION ...]: each command and format,
# -vv, as text and as JSON logs.  The command word goes first, before the
# options.  Under a slow binary (valgrind), JSON logs and two formats only:
# the other renderings run there in formats.bats, and here natively.
every_command() {
	local what=$1 fmt lf
	local -a env=() logs=(text json) fmts=(neko rtc json env dotenv str0m)
	local -a deadline=(-t 3000)
	shift

	if [[ -n ${ICEUPD_TEST_SLOW-} ]]; then
		logs=(json)
		fmts=(neko env)
		deadline=(-t 15000)	# TLS takes seconds there
	fi
	env=("${@:1:$(leading_vars "$@")}")
	shift "${#env[@]}"
	for lf in "${logs[@]}"; do
		for fmt in "${fmts[@]}"; do
			audit "$what fetch -f $fmt ($lf)" "${env[@]}" fetch "$@" \
			    -vv --log-format "$lf" -f "$fmt" "${deadline[@]}" || return 1
		done
		audit "$what fetch -o ($lf)" "${env[@]}" "$@" -vv \
		    --log-format "$lf" -o out.json "${deadline[@]}" || return 1
		audit "$what watch --once ($lf)" "${env[@]}" watch "$@" --once \
		    -vv --log-format "$lf" -o out.watch --force-refresh \
		    "${deadline[@]}" --on-change "$PWD/hook.sh" || return 1
		audit "$what check ($lf)" "${env[@]}" check "$@" -vv \
		    --log-format "$lf" "${deadline[@]}" || return 1
		audit "$what providers ($lf)" "${env[@]}" providers "$@" -vv \
		    --log-format "$lf" || return 1
		# No Google credentials here: a configuration error, exit 2.
		ALLOW_USAGE=1 audit "$what deploy --dry-run ($lf)" "${env[@]}" \
		    ICEUPD_CLOUDRUN_ENDPOINT=https://127.0.0.1:1 \
		    ICEUPD_SECRETMANAGER_ENDPOINT=https://127.0.0.1:1 \
		    GCE_METADATA_HOST=127.0.0.1:1 deploy "$@" --dry-run -vv \
		    --log-format "$lf" "${deadline[@]}" \
		    --service projects/p/locations/l/services/s || return 1
		audit_serve "$what serve ($lf)" "${env[@]}" "$@" -vv \
		    --log-format "$lf" "${deadline[@]}" || return 1
	done
	audit "$what --help" "${env[@]}" --help || return 1
	audit "$what --version" "${env[@]}" --version || return 1
}

# hook.sh: what --on-change runs; records its own argv, its parent's and
# its grandparent's (iceupd), NUL-separated.
write_hook() {
	cat >hook.sh <<'EOS'
#!/bin/sh
for p in $$ $PPID $(awk '{ print $4 }' /proc/$PPID/stat); do
	cat /proc/$p/cmdline
	echo
done >>"${0%/*}/hook.argv"
cat /proc/$$/environ >>"${0%/*}/hook.environ"
EOS
	chmod +x hook.sh
}

# assert_hook_clean: the hook ran and no argv it saw held a secret.
assert_hook_clean() {
	local m

	if [[ ! -s hook.argv ]]; then
		echo "--on-change never ran"
		return 1
	fi
	for m in "${LEAKS[@]}" "${HANDED_OUT[@]}"; do
		if grep -qF -- "$m" hook.argv; then
			echo "a secret reached the argv of a child process: $m"
			tr '\0' ' ' <hook.argv
			return 1
		fi
	done
}

@test "the table has the secret settings this audit knows of, and no unnamed one" {
	local n

	((${#SECRET_NAMES[@]} >= 9))
	for n in TWILIO_AUTH_TOKEN TWILIO_API_KEY_SECRET CLOUDFLARE_TURN_API_TOKEN \
	    METERED_API_KEY TURN_SHARED_SECRET WEBRTC_TURN_CREDENTIAL \
	    ICEUPD_JITSI_TOKEN GOOGLE_OAUTH_ACCESS_TOKEN XIRSYS_SECRET \
	    TURNIX_API_TOKEN; do
		in_list "$n" "${SECRET_NAMES[@]}"
	done
	for n in "${SECRET_NAMES[@]}"; do
		[[ $n =~ ^[A-Z][A-Z0-9_]*$ ]]
	done
}

@test "every secret set at once, nothing reachable: no marker anywhere" {
	local -a env=() n

	for n in "${SECRET_NAMES[@]}"; do
		env+=("$n=${MARK[$n]}")
	done
	write_hook
	# Conflicting settings (a token and an API key, static and shared
	# TURN secrets) may be refused as a configuration error.
	ALLOW_USAGE=1
	every_command "all secrets" "${env[@]}" TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_API_KEY_SID="$KEY_SID" CLOUDFLARE_TURN_KEY_ID="$CF_KEY" \
	    METERED_APP=app WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
	    XIRSYS_IDENT="$XIRSYS_IDENT" XIRSYS_CHANNEL=default \
	    TWILIO_API_BASE=https://127.0.0.1:1 \
	    CLOUDFLARE_API_BASE=https://127.0.0.1:1 \
	    METERED_API_BASE=https://127.0.0.1:1 \
	    XIRSYS_API_BASE=https://127.0.0.1:1 \
	    TURNIX_API_BASE=https://127.0.0.1:1 \
	    ICEUPD_JITSI_URL="https://127.0.0.1:1/http-bind" \
	    ICEUPD_JITSI_DOMAIN=meet.example.org
}

@test "every secret from a NAME_FILE, nothing reachable: no marker anywhere" {
	local -a env=() n

	for n in "${SECRET_NAMES[@]}"; do
		printf '%s\n' "${MARK[$n]}" >"$BATS_TEST_TMPDIR/$n"
		chmod 600 "$BATS_TEST_TMPDIR/$n"
		env+=("${n}_FILE=$BATS_TEST_TMPDIR/$n")
	done
	write_hook
	ALLOW_USAGE=1
	every_command "secret files" "${env[@]}" TWILIO_ACCOUNT_SID="$SID" \
	    CLOUDFLARE_TURN_KEY_ID="$CF_KEY" METERED_APP=app \
	    WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
	    XIRSYS_IDENT="$XIRSYS_IDENT" XIRSYS_CHANNEL=default \
	    TWILIO_API_BASE=https://127.0.0.1:1 \
	    CLOUDFLARE_API_BASE=https://127.0.0.1:1 \
	    METERED_API_BASE=https://127.0.0.1:1 \
	    XIRSYS_API_BASE=https://127.0.0.1:1 \
	    TURNIX_API_BASE=https://127.0.0.1:1
}

@test "hosted providers answering and failing: no marker anywhere, the hook's argv clean" {
	local p sc

	write_hook
	for p in twilio cloudflare metered xirsys turnix; do
		for sc in ok unauthorized malformed truncated; do
			# hosted.bats audits these answers at -vv already: the
			# newer providers only carry their secrets through every
			# command once.
			[[ $p != xirsys && $p != turnix ]] || [[ $sc == ok ]] ||
			    continue
			start_fake "$p" "$sc"
			every_command "$p $sc" "${PENV[@]}" \
			    ICEUPD_CA_FILE="$CADIR/ca.pem" \
			    GOOGLE_OAUTH_ACCESS_TOKEN="${MARK[GOOGLE_OAUTH_ACCESS_TOKEN]}" \
			    -p "$p"
			stop_fakes
			# start_fake names its folder by the number of running
			# fakes: drop the old port file so it is not reused.
			rm -f "$BATS_TEST_TMPDIR"/fake*/port
		done
	done
	assert_hook_clean
}

@test "twilio with an API key, coturn static and shared-secret, Jitsi token: no marker" {
	write_hook
	start_fake twilio ok --auth "$KEY_SID:$KEY_SECRET"
	every_command "twilio api key" TWILIO_ACCOUNT_SID="$SID" \
	    TWILIO_API_KEY_SID="$KEY_SID" TWILIO_API_KEY_SECRET="$KEY_SECRET" \
	    TWILIO_API_BASE="https://127.0.0.1:$PORT" \
	    ICEUPD_CA_FILE="$CADIR/ca.pem" -p twilio
	stop_fakes
	rm -f "$BATS_TEST_TMPDIR"/fake*/port
	every_command "coturn static" WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
	    WEBRTC_TURN_USERNAME="${MARK[WEBRTC_TURN_USERNAME]}" \
	    WEBRTC_TURN_CREDENTIAL="${MARK[WEBRTC_TURN_CREDENTIAL]}" -p coturn
	# The static credentials are the product: they must be on stdout.
	run --separate-stderr iceupd WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
	    WEBRTC_TURN_USERNAME="${MARK[WEBRTC_TURN_USERNAME]}" \
	    WEBRTC_TURN_CREDENTIAL="${MARK[WEBRTC_TURN_CREDENTIAL]}" -p coturn
	assert_status 0
	[[ $output == *"${MARK[WEBRTC_TURN_CREDENTIAL]}"* ]]
	every_command "coturn rest" WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
	    TURN_SHARED_SECRET="${MARK[TURN_SHARED_SECRET]}" -p coturn
	every_command "jitsi" ICEUPD_JITSI_URL="https://127.0.0.1:1/http-bind" \
	    ICEUPD_JITSI_DOMAIN=meet.example.org \
	    ICEUPD_JITSI_TOKEN="${MARK[ICEUPD_JITSI_TOKEN]}" -p jitsi,stun
	assert_hook_clean
}

@test "deploy with a service-account key or a token, nothing reachable: no secret" {
	local lf

	for lf in text json; do
		audit "deploy key ($lf)" WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
		    TURN_SHARED_SECRET="${MARK[TURN_SHARED_SECRET]}" \
		    GOOGLE_APPLICATION_CREDENTIALS="$BATS_TEST_TMPDIR/sa.json" \
		    ICEUPD_CLOUDRUN_ENDPOINT=https://127.0.0.1:1 \
		    GCE_METADATA_HOST=127.0.0.1:1 deploy --dry-run -vv \
		    --log-format "$lf" -t 3000 --service s --project p --region r
		audit "deploy token ($lf)" WEBRTC_TURN_URLS=turn:127.0.0.1:9 \
		    TURN_SHARED_SECRET="${MARK[TURN_SHARED_SECRET]}" \
		    GOOGLE_OAUTH_ACCESS_TOKEN="${MARK[GOOGLE_OAUTH_ACCESS_TOKEN]}" \
		    ICEUPD_CLOUDRUN_ENDPOINT=https://127.0.0.1:1 deploy -vv \
		    --log-format "$lf" -t 3000 \
		    --service projects/p/locations/l/services/s
	done
}

@test "the audit catches a leak: a marker on stderr fails it" {
	# The checks themselves must be able to fail: an unknown flag is
	# quoted back in the usage error; here the flag is a marker.
	local m=${MARK[TWILIO_AUTH_TOKEN]}
	ALLOW_USAGE=1
	if audit "self-test" "--$m" >self.txt; then
		echo "audit missed a marker on stderr"
		return 1
	fi
	grep -q "a secret reached stderr: $m" self.txt
}
