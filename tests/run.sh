#!/usr/bin/env bash
# run.sh [PASS...]: every suite of `make test`, or only the passes named.  The unit tests run plain and under
# ASan+UBSan; the CLI and integration suites run once, against the
# ASan+UBSan build, as many files at once as there are cores
# (tests/suites.sh); then the files that only the plain binary and the
# static one can show run against those (the README's Tests section says
# which and why).  Ends with the table of what each suite cost and one
# line: "tests: N passed, N failed, N skipped".
set -u
cd "$(dirname "$0")/.." || exit 1
status=0

# The CLI files, the longest first (tests/suites.sh starts them in this
# order); any file not named here runs after them.
LONGEST="secrets abuse hosted deploy docs serve-api jitsi-deployments fetch
serve faults check coturn serve-page url"

# cli_files: every tests/cli/*.bats, the longest first.
cli_files() {
	local n f

	for n in $LONGEST; do
		[ -f "tests/cli/$n.bats" ] && echo "tests/cli/$n.bats"
	done
	for f in tests/cli/*.bats; do
		n=$(basename "$f" .bats)
		[[ " ${LONGEST//$'\n'/ } " == *" $n "* ]] || echo "$f"
	done
}

# run_pass NAME: one pass; the others build on the same binaries.
run_pass() {
	local -a files
	case $1 in
	unit)
		tests/unit-pass.sh unit build/unit-tests ;;
	unit-asan)
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		    UBSAN_OPTIONS=print_stacktrace=1 \
		    tests/unit-pass.sh unit-asan build/asan/unit-tests ;;
	cli)
		mapfile -t files < <(cli_files)
		ICEUPD=$PWD/build/asan/iceupd \
		    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		    LSAN_OPTIONS=suppressions=$PWD/fuzz/lsan.supp \
		    UBSAN_OPTIONS=print_stacktrace=1 \
		    tests/suites.sh cli "${files[@]}" ;;
	cli-plain)
		# The binary `make all` leaves, as the README's commands and
		# the shells that find it on PATH run it.
		tests/suites.sh cli-plain tests/cli/docs.bats \
		    tests/cli/entrypoint.bats tests/cli/cli.bats ;;
	cli-static)
		# The shipped static binary: its own libcurl, resolver and
		# CA bundle, through the user-facing suites.
		if [ ! -x build/static/iceupd ]; then
			rm -rf build/suites/cli-static
			return 0
		fi
		ICEUPD=$PWD/build/static/iceupd tests/suites.sh cli-static \
		    tests/cli/hosted.bats tests/cli/fetch.bats \
		    tests/cli/settings.bats tests/cli/coturn.bats \
		    tests/cli/formats.bats tests/cli/cache.bats \
		    tests/cli/output.bats ;;
	*)
		echo "run.sh: no pass '$1'" >&2
		return 1 ;;
	esac
}

passes=("$@")
[ $# -gt 0 ] || passes=(unit unit-asan cli cli-plain cli-static)
for p in "${passes[@]}"; do
	run_pass "$p" || status=1
done
tests/summary.sh tests "${passes[@]}"
exit "$status"
