#!/usr/bin/env bats
# output.bats: -o FILE (atomic replacement, mode 0600) and failures of the
# sink.

bats_require_minimum_version 1.5.0
load helpers

# coturn alone with static credentials: the same answer on every run.
STATIC=(ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS="$COTURN_URLS" WEBRTC_TURN_USERNAME=neko WEBRTC_TURN_CREDENTIAL=static-pass)

# assert_folder DIR NAME...: DIR holds exactly the NAMEs (hidden ones too).
assert_folder() {
	local dir=$1 want have

	shift
	want=$(printf '%s\n' "$@" | sort)
	have=$(ls -A "$dir" | sort)
	if [[ $have != "$want" ]]; then
		printf 'folder %s holds:\n%s\nexpected:\n%s\n' "$dir" "$have" "$want"
		return 1
	fi
}

@test "-o FILE writes the bytes stdout would get, in every format" {
	local fmt

	mkdir out
	for fmt in neko rtc env dotenv str0m; do
		iceupd "${STATIC[@]}" -f "$fmt" >"stdout.$fmt"
		run --separate-stderr iceupd "${STATIC[@]}" -f "$fmt" -o "out/$fmt"
		assert_status 0
		assert_no_stdout
		assert_no_stderr
		assert_same_file "stdout.$fmt" "out/$fmt"
	done
	iceupd >stdout.default
	iceupd --output out/default
	assert_same_file stdout.default out/default
}

@test "-o FILE with the json format writes the report" {
	run --separate-stderr iceupd "${STATIC[@]}" -f json -o report.json
	assert_status 0
	assert_no_stdout
	assert_no_stderr
	[[ -s report.json ]]
	jq -e '.provider == "coturn" and .has_turn == true and (.iceServers | length) == 2' \
	    report.json >/dev/null
}

@test "-o creates the file with mode 0600, whatever the umask" {
	run --separate-stderr iceupd -o new
	assert_status 0
	[[ $(stat -c %a new) == 600 ]]

	(umask 000 && iceupd -o open)
	[[ $(stat -c %a open) == 600 ]]
	[[ $(cat open) == "$DEFAULT_STUN" ]]
}

@test "-o replaces an existing file, mode 0644 becoming 0600" {
	printf 'old content\n' >ice.json
	chmod 644 ice.json

	run --separate-stderr iceupd "${STATIC[@]}" -o ice.json
	assert_status 0
	assert_no_stdout
	assert_no_stderr
	[[ $(stat -c %a ice.json) == 600 ]]
	iceupd "${STATIC[@]}" >expected
	assert_same_file expected ice.json
}

@test "-o replaces the file by renaming a new one, never rewriting the old in place" {
	local inode

	printf 'old content\n' >ice.json
	ln ice.json hardlink
	inode=$(stat -c %i ice.json)

	run --separate-stderr iceupd -o ice.json
	assert_status 0
	[[ $(stat -c %i ice.json) != "$inode" ]]
	[[ $(cat hardlink) == "old content" ]]
	[[ $(cat ice.json) == "$DEFAULT_STUN" ]]
}

@test "-o leaves no temporary file behind in the folder" {
	mkdir dir
	run --separate-stderr iceupd -o dir/ice.json
	assert_status 0
	assert_folder dir ice.json

	run --separate-stderr iceupd "${STATIC[@]}" -f env -o dir/ice.json
	assert_status 0
	assert_folder dir ice.json

	run --separate-stderr iceupd -o "$PWD/dir/ice.json"
	assert_status 0
	assert_folder dir ice.json

	run --separate-stderr iceupd -o here.json
	assert_status 0
	assert_folder . dir here.json
}

@test "-o still writes the list when the result is degraded (exit 4)" {
	run --separate-stderr iceupd ICEUPD_PROVIDERS=coturn WEBRTC_TURN_URLS="$COTURN_URLS" -o ice.json
	assert_status 4
	assert_no_stdout
	[[ $(cat ice.json) == '[{"urls":["stun:127.0.0.1:3478"]}]' ]]
	[[ $(stat -c %a ice.json) == 600 ]]
}

# --- failures ------------------------------------------------------------

@test "-o below a regular file: exit 1, nothing on stdout, nothing created" {
	printf 'a file\n' >file
	run --separate-stderr iceupd -o file/ice.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "file/ice.json"
	[[ $(cat file) == "a file" ]]
	assert_folder . file
}

@test "-o in a missing folder: exit 1, nothing on stdout" {
	run --separate-stderr iceupd "${STATIC[@]}" -o missing/ice.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "missing/ice.json"
	assert_folder .
}

@test "-o onto a folder: exit 1, the folder intact, no temporary file left" {
	mkdir ice.json
	printf 'keep\n' >ice.json/inside
	run --separate-stderr iceupd -o ice.json
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "ice.json"
	[[ -d ice.json && $(cat ice.json/inside) == keep ]]
	assert_folder . ice.json
	assert_folder ice.json inside
}

@test "when nothing usable is fetched, the old file stays as it was" {
	local inode

	printf 'old content\n' >ice.json
	chmod 640 ice.json
	inode=$(stat -c %i ice.json)

	run --separate-stderr iceupd --relay -o ice.json
	assert_status 1
	assert_no_stdout
	assert_stderr_contains "iceupd: error: "

	run --separate-stderr iceupd --require-turn -o ice.json
	assert_status 1
	assert_no_stdout

	run --separate-stderr iceupd --timeout 5 -o ice.json
	assert_status 2
	assert_no_stdout

	[[ $(cat ice.json) == "old content" ]]
	[[ $(stat -c %a ice.json) == 640 ]]
	[[ $(stat -c %i ice.json) == "$inode" ]]
	assert_folder . ice.json
}

# iceupd_to_full ARGS...: iceupd with its stdout on /dev/full.
iceupd_to_full() {
	iceupd "$@" >/dev/full
}

@test "a stdout that cannot be written: exit 1 and one error line" {
	run --separate-stderr iceupd_to_full
	assert_status 1
	assert_no_stdout
	assert_stderr_lines 1
	assert_stderr_contains "iceupd: error: " "stdout"

	run --separate-stderr iceupd_to_full "${STATIC[@]}" -f env
	assert_status 1
	assert_stderr_lines 1
	assert_stderr_lacks "static-pass"
}

@test "-o - is standard output, and creates no file named -" {
	iceupd "${STATIC[@]}" >expected
	run --separate-stderr iceupd "${STATIC[@]}" -o -
	assert_status 0
	assert_no_stderr
	[[ $output == "$(<expected)" ]]
	[[ ! -e - ]]
	[[ -z $(ls -A | grep -vx expected) ]]
}

@test "-f table is for check and providers: fetch and watch refuse it, exit 2, naming --format" {
	run --separate-stderr iceupd "${STATIC[@]}" -f table
	assert_status 2
	assert_no_stdout
	assert_stderr "iceupd: error: --format: table is a format of check and providers only"
	run --separate-stderr iceupd "${STATIC[@]}" watch --once -o out.json -f table
	assert_status 2
	[[ ! -e out.json ]]
}
