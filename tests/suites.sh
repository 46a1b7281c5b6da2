#!/usr/bin/env bash
# suites.sh PASS FILE...: runs each bats FILE as a job of its own, JOBS at
# once (ICEUPD_TEST_JOBS, default the number of cores), starting them in
# the order given: put the longest first, so that no long file starts last.
# The files must not depend on each other (the README's Tests section
# says how).
#
# Each file's TAP goes to build/suites/PASS/FILE.tap and is printed whole
# once the file ends; build/suites/PASS/times gets one line per file:
# "PASS/FILE SECONDS PASSED FAILED SKIPPED".  Exits 1 when a test failed or
# a file ran none.  tests/summary.sh reads the times of every pass.
set -u
# shellcheck source=tests/pass.sh
. "$(dirname "$0")/pass.sh" "$1" || exit 1
shift
jobs=${ICEUPD_TEST_JOBS:-$(nproc 2>/dev/null || echo 2)}

# run_file FILE: one bats run, its TAP, exit status and times kept.
run_file() {
	local name start rc
	name=$(basename "$1" .bats)
	start=$EPOCHREALTIME
	bats --tap "$1" >"$dir/$name.tap" 2>&1
	rc=$?
	echo "$rc $start $EPOCHREALTIME" >"$dir/$name.end"
}

# report FILE: prints its TAP and appends its line to times; returns 1
# when it failed or ran no test.
report() {
	local name rc start end ok skip bad secs
	name=$(basename "$1" .bats)
	read -r rc start end <"$dir/$name.end"
	echo "== $pass/$name"
	cat "$dir/$name.tap"
	ok=$(grep -cE '^ok ' "$dir/$name.tap")
	skip=$(grep -cE '^ok .* # skip' "$dir/$name.tap")
	bad=$(grep -cE '^not ok ' "$dir/$name.tap")
	secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }')
	if [ "$ok" -eq 0 ] && [ "$bad" -eq 0 ]; then
		echo "$pass/$name: no test ran"
		bad=1	# counted as one failed
	fi
	echo "$pass/$name $secs $((ok - skip)) $bad $skip" >>"$dir/times"
	[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]
}

status=0
declare -A running=()	# pid -> file
for f in "$@"; do
	while [ "${#running[@]}" -ge "$jobs" ]; do
		wait -n
		for pid in "${!running[@]}"; do
			kill -0 "$pid" 2>/dev/null && continue
			wait "$pid"
			report "${running[$pid]}" || status=1
			unset "running[$pid]"
		done
	done
	run_file "$f" &
	running[$!]=$f
done
for pid in "${!running[@]}"; do
	wait "$pid"
	report "${running[$pid]}" || status=1
done
exit "$status"
