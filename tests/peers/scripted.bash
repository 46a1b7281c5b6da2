# scripted.bash: a peer that follows a script (python3, given inline) on
# 127.0.0.1, for what no real server does on demand: silence, a scripted
# TURN answer, a port where nothing listens.  One peer a test, in PEER_PID;
# teardown calls stop_peer.  Source it (bats: `load`).
# shellcheck shell=bash

PEER_PID=

# start_peer PORTFILE SCRIPT [ARG ...]: runs the python3 SCRIPT in the
# background (its argv[1] is PORTFILE, to which it writes its port(s), one
# a line, once listening; its output goes to PORTFILE.log) and waits up to
# 5 s for that.  Sets PEER_PID and PEER_PORT (the first port).
start_peer() {
	local portfile=$1 script=$2 i

	shift 2
	python3 -c "$script" "$portfile" "$@" </dev/null \
	    >"$portfile.log" 2>&1 3>&- &
	PEER_PID=$!
	for ((i = 0; i < 100; i++)); do
		if [[ -s $portfile ]]; then
			PEER_PORT=$(head -n 1 "$portfile")
			return 0
		fi
		sleep 0.05
	done
	echo "the peer did not start:" >&2
	cat "$portfile.log" >&2
	return 1
}

# stop_peer: the peer of the test, if any, is stopped and reaped.
stop_peer() {
	if [[ -n ${PEER_PID:-} ]]; then
		kill "$PEER_PID" 2>/dev/null || true
		wait "$PEER_PID" 2>/dev/null || true
	fi
	PEER_PID=
}

# free_port udp|tcp: a port on 127.0.0.1 where nothing listens right now.
free_port() {
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET,
    socket.SOCK_DGRAM if sys.argv[1] == "udp" else socket.SOCK_STREAM)
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])' "$1"
}
