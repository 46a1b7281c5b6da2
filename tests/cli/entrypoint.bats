#!/usr/bin/env bats
# entrypoint.bats: the container entrypoints that the README and the man
# page give, run verbatim by sh, dash and bash against the Twilio fake:
# the failure branch runs when nothing usable came back, the strict one on
# a degraded list too, and the command starts only when it should.

bats_require_minimum_version 1.5.0
load helpers
load ../mocks/hosted

ROOT=$BATS_TEST_DIRNAME/../..
SHELLS=(sh dash bash)

teardown() {
	stop_fakes
}

# readme_block N: the Nth ```sh block of the README that runs iceupd into
# "ice", as printed there.
readme_block() {
	awk -v want="$1" '
	    /^```sh$/ { inb = 1; text = ""; next }
	    /^```$/ && inb { inb = 0
		if (text ~ /ice=\$\(iceupd/ && ++n == want) { printf "%s", text; exit }
		next }
	    inb { text = text $0 "\n" }' "$ROOT/README.md"
}

# entry SHELL SCRIPT [NAME=VALUE ...]: runs SCRIPT as the entrypoint with
# "printenv NEKO_ICESERVERS" as the container's command, iceupd on PATH,
# the fake's environment and a cache of the test's own.
entry() {
	local sh=$1 script=$2

	shift 2
	printf '%s' "$script" >entry.sh
	run --separate-stderr env -i PATH="$(dirname "$ICEUPD"):/usr/bin:/bin" \
	    HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    ICEUPD_CA_FILE="$CADIR/ca.pem" "${PENV[@]}" "$@" \
	    "$sh" entry.sh printenv NEKO_ICESERVERS
}

@test "the README gives a strict and a degraded-allowed entrypoint, and the man page the same lines" {
	local n line block

	for n in 1 2; do
		block=$(readme_block "$n")
		[[ $block == *'ice=$(iceupd'* && $block == *'eval "$ice"'* ]] || {
			echo "README block $n: $block"; return 1; }
		while IFS= read -r line; do
			grep -qxF -- "$line" "$ROOT/docs/iceupd.1" || {
				echo "not in the man page: $line"; return 1; }
		done <<<"$block"
	done
	[[ $(readme_block 1) != *'-eq 4'* && $(readme_block 2) == *'-eq 4'* ]]
	# The pattern that cannot fail is given nowhere as one to use.
	! grep -nE '^[#[:space:]]*eval "\$\(iceupd[^|]*\|\|' "$ROOT/README.md" \
	    "$ROOT/docs/iceupd.1" "$ROOT"/samples/*.conf
}

@test "strict entrypoint: a refused provider runs the failure branch and the command never starts" {
	local sh

	start_fake twilio unauthorized
	for sh in "${SHELLS[@]}"; do
		entry "$sh" "$(readme_block 1)" ICEUPD_PROVIDERS=twilio
		assert_status 1
		assert_no_stdout
		assert_stderr_contains "iceupd: no relay credentials"
	done
}

@test "strict entrypoint: good credentials start the command with them" {
	local sh

	start_fake twilio ok
	for sh in "${SHELLS[@]}"; do
		entry "$sh" "$(readme_block 1)" ICEUPD_PROVIDERS=twilio
		assert_status 0
		[[ $(jq -r '.[0].urls[0]' <<<"$output") == turn:* ]]
		[[ $(jq -r '.[0].username' <<<"$output") == "$(turn_user twilio)" ]]
	done
}

@test "degraded-allowed entrypoint: starts on stale credentials (exit 4), the strict one does not" {
	local sh

	start_fake twilio ok
	entry sh "$(readme_block 1)" ICEUPD_PROVIDERS=twilio
	assert_status 0
	stop_fakes	# the provider is gone: only the cached list is left
	sleep 1		# and it has less than --min-ttl 86400 left
	for sh in "${SHELLS[@]}"; do
		entry "$sh" "$(readme_block 2)" ICEUPD_PROVIDERS=twilio \
		    ICEUPD_MIN_TTL=86400 ICEUPD_TIMEOUT_MS=2000
		assert_status 0
		[[ $(jq -r '.[0].username' <<<"$output") == "$(turn_user twilio)" ]]
		assert_stderr_contains "serving cached credentials"
		entry "$sh" "$(readme_block 1)" ICEUPD_PROVIDERS=twilio \
		    ICEUPD_MIN_TTL=86400 ICEUPD_TIMEOUT_MS=2000
		assert_status 1
		assert_no_stdout
		assert_stderr_contains "iceupd: no relay credentials"
	done
}

@test "degraded-allowed entrypoint: nothing usable (exit 1) runs the failure branch" {
	local sh

	start_fake twilio unauthorized
	for sh in "${SHELLS[@]}"; do
		entry "$sh" "$(readme_block 2)" ICEUPD_PROVIDERS=twilio
		assert_status 1
		assert_no_stdout
		assert_stderr_contains "iceupd: no ICE servers"
	done
}

@test "both README entrypoints exec the command without a provider secret or its _FILE path in its environment" {
	local n name sh

	start_fake twilio ok
	printf 'x' >secret.file
	for n in 1 2; do
		# Every secret iceupd reads is named, for the providers not run here.
		for name in $(secret_names); do
			[[ $(readme_block "$n") == *"$name"* ]] || {
				echo "README block $n leaves $name"; return 1; }
		done
		for sh in "${SHELLS[@]}"; do
			printf '%s' "$(readme_block "$n")" >entry.sh
			run --separate-stderr env -i PATH="$(dirname "$ICEUPD"):/usr/bin:/bin" \
			    HOME="$BATS_TEST_TMPDIR" ICEUPD_CONFIG=/dev/null \
			    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
			    ICEUPD_CA_FILE="$CADIR/ca.pem" "${PENV[@]}" \
			    ICEUPD_PROVIDERS=twilio,coturn WEBRTC_TURN_URLS=turn:127.0.0.1:3478 \
			    TURN_SHARED_SECRET_FILE="$PWD/secret.file" \
			    "$sh" entry.sh env
			assert_status 0
			[[ $output == *NEKO_ICESERVERS=* ]]
			for name in TWILIO_AUTH_TOKEN TURN_SHARED_SECRET_FILE; do
				[[ $output != *"$name="* ]] || {
					echo "block $n, $sh: $name reached the command"; show_run; return 1; }
			done
			[[ $output != *"$TOKEN"* ]]
		done
	done
}

@test "no example reloads neko after a change: it reads its ICE servers only when it starts" {
	run grep -rn -- "--on-change.*reload neko" "$ROOT/README.md" "$ROOT/docs/iceupd.1" \
	    "$ROOT/samples" "$ROOT/container" "$ROOT/wrapper"
	[[ $status -eq 1 ]] || { echo "$output"; return 1; }
}
