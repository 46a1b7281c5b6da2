#!/usr/bin/env bash
# unit-pass.sh PASS COMMAND...: runs a libcheck unit-test binary (COMMAND,
# perhaps under valgrind), prints its output, and writes its line to
# build/suites/PASS/times ("PASS SECONDS PASSED FAILED 0") for
# tests/summary.sh.  Exits 1 when a check failed, the binary failed, or it
# ran no check.
set -u
# shellcheck source=tests/pass.sh
. "$(dirname "$0")/pass.sh" "$1" || exit 1
shift
echo "== $pass"
start=$EPOCHREALTIME
"$@" >"$dir/check.log" 2>&1
rc=$?
cat "$dir/check.log"
line=$(grep -Eo 'Checks: [0-9]+, Failures: [0-9]+, Errors: [0-9]+' \
    "$dir/check.log" | tail -n 1)
if [ -z "$line" ]; then
	echo "$pass: no result line (exit $rc)"
	echo "$pass 0 0 1 0" >"$dir/times"
	exit 1
fi
read -r n f e < <(echo "$line" | tr -dc '0-9 ' | tr -s ' ')
bad=$((f + e))
# No check at all counts as one failed.
[ "$n" -gt 0 ] || bad=1
awk -v a="$start" -v b="$EPOCHREALTIME" -v s="$pass" \
    -v p=$((n - f - e)) -v f="$bad" \
    'BEGIN { printf "%s %.0f %d %d 0\n", s, b - a, p, f }' >"$dir/times"
[ "$n" -gt 0 ] || echo "$pass: no check ran"
[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]
