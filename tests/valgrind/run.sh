#!/bin/sh
# run.sh SUITE...: the CLI suites (tests/cli/SUITE.bats) against
# tests/valgrind/iceupd, in two halves at once: valgrind runs a process on
# one core at a time, and the machine has two.  Each half writes its TAP to
# build/valgrind/; both are shown at the end, with a summary line.  Exits 1
# when a test failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build/valgrind
rm -rf "$out"
mkdir -p "$out"
ICEUPD=$PWD/tests/valgrind/iceupd
ICEUPD_TEST_SLOW=valgrind
ICEUPD_TEST_RUNS=3
export ICEUPD ICEUPD_TEST_SLOW ICEUPD_TEST_RUNS

a="" b="" n=0
for s in "$@"; do
	if [ $((n % 2)) -eq 0 ]; then
		a="$a tests/cli/$s.bats"
	else
		b="$b tests/cli/$s.bats"
	fi
	n=$((n + 1))
done
# shellcheck disable=SC2086 # lists of file names without spaces
bats --tap $a >"$out/1.tap" 2>&1 &
pa=$!
rc=0
if [ -n "$b" ]; then
	# shellcheck disable=SC2086
	bats --tap $b >"$out/2.tap" 2>&1 || rc=1
fi
wait "$pa" || rc=1
cat "$out"/*.tap
cat "$out"/*.tap | awk '
    /^ok .* # skip/ { skipped++; next }
    /^ok / { passed++ }
    /^not ok / { failed++ }
    END { printf "valgrind: %d passed, %d failed, %d skipped\n",
        passed, failed, skipped }'
exit "$rc"
