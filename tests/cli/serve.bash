# serve.bash: start and stop `iceupd serve` from bats tests (serve.bats,
# abuse.bats, url.bats).  The caller sets LISTEN (the --listen arguments) and
# SERVE_ERR (where its log goes); start_serve sets SERVE_PID and BASE.
# shellcheck shell=bash

# start_serve [NAME=VALUE ...] [ARG ...]: iceupd serve on a free loopback
# port (its log in $SERVE_ERR); sets SERVE_PID and BASE.
start_serve() {
	local -a vars=()
	local pf=$BATS_TEST_TMPDIR/port i

	while [[ $# -gt 0 && $1 =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
		vars+=("$1")
		shift
	done
	rm -f "$pf"
	mkdir -p "$BATS_TEST_TMPDIR/home"
	env -i PATH="$PATH" HOME="$BATS_TEST_TMPDIR/home" \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" ICEUPD_CONFIG=/dev/null \
	    "${vars[@]}" "$ICEUPD" serve "${LISTEN[@]}" --port-file "$pf" \
	    "$@" 3>&- >"$BATS_TEST_TMPDIR/serve.out" 2>"$SERVE_ERR" &
	SERVE_PID=$!
	for ((i = 0; i < 600; i++)); do
		[[ -s $pf ]] && break
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.05
	done
	if [[ ! -s $pf ]]; then
		echo "iceupd serve did not start:"
		cat "$SERVE_ERR"
		return 1
	fi
	BASE=http://127.0.0.1:$(<"$pf")
}

# stop_serve: SIGTERM; it must exit 0 within 30 s.
stop_serve() {
	local i rc

	kill -TERM "$SERVE_PID"
	for ((i = 0; i < 300; i++)); do
		kill -0 "$SERVE_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$SERVE_PID" 2>/dev/null; then
		echo "iceupd serve ignored SIGTERM"
		return 1
	fi
	wait "$SERVE_PID" && rc=0 || rc=$?
	SERVE_PID=
	if [[ $rc -ne 0 ]]; then
		echo "iceupd serve exited $rc on SIGTERM"
		cat "$SERVE_ERR"
		return 1
	fi
}
