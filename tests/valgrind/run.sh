#!/bin/sh
# run.sh SUITE...: valgrind where it adds to ASan: the unit tests, and the
# CLI suites (tests/cli/SUITE.bats) whose runs leave provider threads
# behind at exit, against tests/valgrind/iceupd (memcheck on the plain -O2
# build: uninitialised reads ASan does not see, and what an abandoned
# thread still holds).  The CLI files run two at once (tests/suites.sh);
# ends with the table of what each cost and the line
# "valgrind: N passed, N failed, N skipped".  Exits 1 when a test failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
rc=0
# Bounds on time stretch (tests/unit/unit.h, tests/cli/helpers.bash).
ICEUPD_TEST_SLOW=valgrind
CK_TIMEOUT_MULTIPLIER=10
export ICEUPD_TEST_SLOW CK_TIMEOUT_MULTIPLIER
tests/unit-pass.sh valgrind-unit valgrind --error-exitcode=99 \
    --leak-check=full --errors-for-leak-kinds=definite --fair-sched=yes -q \
    --suppressions=tests/valgrind/valgrind.supp build/unit-tests || rc=1

files=""
for s in "$@"; do
	files="$files tests/cli/$s.bats"
done
ICEUPD=$PWD/tests/valgrind/iceupd
ICEUPD_TEST_RUNS=3
export ICEUPD ICEUPD_TEST_RUNS
# shellcheck disable=SC2086 # file names without spaces
tests/suites.sh valgrind-cli $files || rc=1
tests/summary.sh valgrind valgrind-unit valgrind-cli
exit "$rc"
