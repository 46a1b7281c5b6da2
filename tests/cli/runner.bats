#!/usr/bin/env bats
# runner.bats: what the suites stand on.  tests/suites.sh runs a pass's
# bats files side by side and counts them; tests/unit-pass.sh counts a
# libcheck run; tests/summary.sh prints what each suite cost and the
# closing line that CI reads; tests/peers/coturn.bash survives a machine
# so busy that its child is slow to become turnserver.

bats_require_minimum_version 1.5.0
load helpers
load ../peers/coturn

ROOT="$BATS_TEST_DIRNAME/../.."

setup() {
	mkdir -p "$BATS_TEST_TMPDIR/work" || return 1
	cd "$BATS_TEST_TMPDIR/work" || return 1
	PASS="runner-test-$BATS_TEST_NUMBER-$$"
}

teardown() {
	rm -rf "$ROOT/build/suites/$PASS"
}

# suite NAME BODY...: a bats file NAME.bats with one test per BODY.
suite() {
	local name=$1 i=0
	shift
	{
		echo '#!/usr/bin/env bats'
		for body in "$@"; do
			i=$((i + 1))
			printf '@test "t%d" {\n%s\n}\n' "$i" "$body"
		done
	} >"$name.bats"
}

@test "suites.sh: each file's count and time, a failing or empty file fails the pass, the table sums it" {
	suite good true 'skip "not here"' true
	suite bad true false
	echo 'this is not bats (' >broken.bats
	run --separate-stderr "$ROOT/tests/suites.sh" "$PASS" "$PWD/good.bats" \
	    "$PWD/bad.bats" "$PWD/broken.bats"
	assert_status 1
	[[ $output == *"== $PASS/good"* && $output == *"not ok 2 t2"* &&
	    $output == *"$PASS/broken: no test ran"* ]] || { show_run; return 1; }
	run "$ROOT/tests/summary.sh" tests "$PASS"
	assert_status 0
	assert_match "$output" "$PASS/good +[0-9]+ +2 +0 +1"
	assert_match "$output" "$PASS/bad +[0-9]+ +1 +1 +0"
	assert_match "$output" "$PASS/broken +[0-9]+ +0 +1 +0"
	[[ ${lines[-1]} == "tests: 3 passed, 2 failed, 1 skipped" ]] ||
	    { show_run; return 1; }
}

@test "suites.sh: ICEUPD_TEST_JOBS=2 runs two files at once" {
	# Each file waits for the other's mark: only side by side do both pass.
	local d=$PWD

	suite a "touch $d/a.mark; for i in \$(seq 40); do [ -e $d/b.mark ] && return 0; sleep 0.1; done; false"
	suite b "touch $d/b.mark; for i in \$(seq 40); do [ -e $d/a.mark ] && return 0; sleep 0.1; done; false"
	ICEUPD_TEST_JOBS=2 run "$ROOT/tests/suites.sh" "$PASS" "$d/a.bats" \
	    "$d/b.bats"
	assert_status 0
	rm -f a.mark b.mark
	# One at a time, the first waits in vain.
	ICEUPD_TEST_JOBS=1 run "$ROOT/tests/suites.sh" "$PASS" "$d/a.bats" \
	    "$d/b.bats"
	assert_status 1
}

@test "unit-pass.sh: a libcheck run's count, and no check at all is a failure" {
	local check=$ROOT/build/unit-tests

	[[ -x $check ]] || skip "no build/unit-tests: run 'make build/unit-tests'"
	CK_RUN_SUITE=format run "$ROOT/tests/unit-pass.sh" "$PASS" "$check"
	assert_status 0
	assert_match "$(cat "$ROOT/build/suites/$PASS/times")" \
	    "^$PASS [0-9]+ [1-9][0-9]* 0 0$"
	CK_RUN_SUITE=no-such-suite run "$ROOT/tests/unit-pass.sh" "$PASS" "$check"
	assert_status 1
	[[ $output == *"$PASS: no check ran"* ]] || { show_run; return 1; }
	[[ $(cat "$ROOT/build/suites/$PASS/times") == "$PASS 0 0 1 0" ]]
}

@test "coturn.bash: a child slow to become turnserver is waited for, and stopped before it is" {
	local d=$BATS_TEST_TMPDIR port pid

	command -v turnserver >/dev/null || skip "no turnserver (coturn)"
	port=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
	(sleep 1; exec turnserver -n --verbose --listening-ip=127.0.0.1 \
	    --relay-ip=127.0.0.1 --listening-port="$port" --no-tls --no-dtls \
	    --no-cli --log-file="$d/turn.log" --simple-log --no-stdout-log \
	    --pidfile="$d/pid" --userdb="$d/db") </dev/null >/dev/null 2>&1 3>&- &
	pid=$!
	coturn_wait_ready "$pid" "$port" "$d/turn.log"
	coturn_stop "$pid"
	if kill -0 "$pid" 2>/dev/null; then
		echo "coturn_stop left $pid running"
		return 1
	fi
	# Stopped while still the forked shell: at once, not once it exits.
	(sleep 3; exec turnserver -n --listening-port="$port") </dev/null \
	    >/dev/null 2>&1 3>&- &
	pid=$!
	SECONDS=0
	coturn_stop "$pid"
	((SECONDS < 3))
}
