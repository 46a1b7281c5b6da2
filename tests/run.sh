#!/usr/bin/env bash
# Runs every suite (unit, unit under ASan+UBSan, CLI and integration) and
# ends with one line: "tests: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1

passed=0 failed=0 skipped=0 status=0
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

unit() {	# name binary
	local out="$log/$1"
	echo "== $1"
	"$2" >"$out" 2>&1
	local rc=$?
	cat "$out"
	local line n f e
	line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' "$out" | tail -n 1)
	if [ -z "$line" ]; then
		echo "$1: no result line (exit $rc)"
		failed=$((failed + 1)); status=1; return
	fi
	read -r n f e < <(echo "$line" | tr -dc '0-9 ' | tr -s ' ')
	passed=$((passed + n - f - e)); failed=$((failed + f + e))
	[ "$rc" -eq 0 ] && [ $((f + e)) -eq 0 ] || status=1
}

unit unit build/unit-tests
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	unit unit-asan build/asan/unit-tests

bats_suite() {	# name files...
	local name=$1 out="$log/$1"
	shift
	echo "== $name"
	bats --tap "$@" >"$out" 2>&1
	local rc=$? ok skip bad
	cat "$out"
	[ "$rc" -eq 0 ] || status=1
	ok=$(grep -cE '^ok ' "$out")
	skip=$(grep -cE '^ok .* # skip' "$out")
	bad=$(grep -cE '^not ok ' "$out")
	passed=$((passed + ok - skip)); skipped=$((skipped + skip))
	failed=$((failed + bad))
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		echo "$name: no test ran"; status=1
	fi
}

bats_suite cli tests/cli
# The shipped static binary goes through the user-facing suites too.
if [ -x build/static/iceupd ]; then
	ICEUPD=$PWD/build/static/iceupd bats_suite cli-static \
	    tests/cli/fetch.bats tests/cli/formats.bats tests/cli/settings.bats \
	    tests/cli/output.bats tests/cli/hosted.bats tests/cli/cache.bats \
	    tests/cli/coturn.bats
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
