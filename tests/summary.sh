#!/bin/sh
# summary.sh LABEL PASS...: the table of what each suite of these passes
# cost (suite, seconds, tests passed, failed, skipped; the longest first),
# read from build/suites/PASS/times that tests/suites.sh and tests/run.sh
# write, then one line "LABEL: N passed, N failed, N skipped".
cd "$(dirname "$0")/.." || exit 1
label=$1
shift
files=""
for p in "$@"; do
	[ -f "build/suites/$p/times" ] && files="$files build/suites/$p/times"
done
# shellcheck disable=SC2086 # folder names without spaces
sort -k2,2nr -k1,1 $files /dev/null | awk -v label="$label" '
    BEGIN { printf "%-34s %7s %6s %6s %6s\n", "suite", "seconds", "passed",
        "failed", "skipped" }
    { printf "%-34s %7d %6d %6d %6d\n", $1, $2, $3, $4, $5
      s += $2; p += $3; f += $4; k += $5 }
    END { printf "%-34s %7d %6d %6d %6d\n", "(sum of suites)", s, p, f, k
        printf "%s: %d passed, %d failed, %d skipped\n", label, p, f, k }'
