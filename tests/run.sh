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

echo "== cli"
bats --tap tests/cli >"$log/cli" 2>&1
rc=$?
cat "$log/cli"
[ "$rc" -eq 0 ] || status=1
ok=$(grep -cE '^ok ' "$log/cli")
skip=$(grep -cE '^ok .* # skip' "$log/cli")
bad=$(grep -cE '^not ok ' "$log/cli")
passed=$((passed + ok - skip)); skipped=$((skipped + skip)); failed=$((failed + bad))
if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
	echo "cli: no test ran"; status=1
fi

echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
