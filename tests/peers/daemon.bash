# daemon.bash: what the real servers of tests/peers (prosody.bash,
# janus.bash) share: stopping one, and the word when one did not start.
# Sourced by them.
# shellcheck shell=bash

# daemon_stop PID [DIR]: SIGTERM, then SIGKILL after 5 s; reaps PID when it
# is a child of this shell; removes DIR when given.  PID empty: nothing to
# stop.  Returns 0.
daemon_stop() {
	local pid=$1 dir=${2:-} i

	if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid" 2>/dev/null || true
		for ((i = 0; i < 100; i++)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.05
		done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	[[ -z $pid ]] || wait "$pid" 2>/dev/null || true
	if [[ -n $dir && -d $dir ]]; then
		rm -rf -- "$dir"
	fi
	return 0
}

# daemon_failed WHAT TRY PORT LOG...: says on stderr that WHAT did not
# start at its last try, with the end of its LOGs.  Returns 1.
daemon_failed() {
	local what=$1 try=$2 port=$3

	shift 3
	echo "${what}_start: $what did not start (try $try, port $port);" \
	    "its log:" >&2
	tail -n 40 "$@" >&2 2>/dev/null
	return 1
}
