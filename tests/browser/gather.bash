# gather.bash: have a headless Chromium gather ICE candidates for an
# RTCConfiguration, through gather.html served by server.py on 127.0.0.1.
# Source it (bats: `load ../browser/gather`).  Needs /usr/bin/python3 and
# the Debian package chromium (or CHROMIUM=/path/to/chromium).

GATHER_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Chromium on a machine without a network to reach: no sandbox (tests may
# run as root), no GPU, and none of the background connections (QUIC,
# component updates, sync, field trials) that would only be refused.
GATHER_CHROMIUM_FLAGS=(--headless=new --no-sandbox --disable-gpu
    --disable-quic --no-first-run --disable-background-networking
    --disable-component-update --disable-sync --no-default-browser-check)

# gather_chromium: prints the path of Chromium (CHROMIUM or `chromium` on
# PATH); returns 1 when there is none.
gather_chromium() {
	if [[ -n ${CHROMIUM:-} ]]; then
		[[ -x $CHROMIUM ]] && { echo "$CHROMIUM"; return 0; }
		return 1
	fi
	command -v chromium
}

# gather_alive PID: 0 while PID exists and is not a zombie.
gather_alive() {
	local stat

	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# gather_stop PID GROUP: ends PID (with its process group when GROUP is 1):
# SIGTERM, SIGKILL after 5 s, then reaps it.  Always returns 0.
gather_stop() {
	local pid=$1 group=$2 i

	[[ -n $pid ]] || return 0
	if [[ $group == 1 ]]; then
		kill -TERM -- "-$pid" 2>/dev/null || true
	else
		kill -TERM "$pid" 2>/dev/null || true
	fi
	for ((i = 0; i < 100; i++)); do
		gather_alive "$pid" || break
		sleep 0.05
	done
	if [[ $group == 1 ]]; then
		kill -KILL -- "-$pid" 2>/dev/null || true
		# Chromium's helpers in the group go with it; give them a
		# moment so that nothing writes into DIR once we return.
		for ((i = 0; i < 40; i++)); do
			kill -0 -- "-$pid" 2>/dev/null || break
			sleep 0.05
		done
	else
		kill -KILL "$pid" 2>/dev/null || true
	fi
	wait "$pid" 2>/dev/null || true
	return 0
}

# gather CONFIG DIR [LIMIT_MS [WAIT_S]]
# Serves gather.html with the RTCConfiguration in the file CONFIG, has a
# headless Chromium (profile, HOME and logs in DIR) open it, and waits up to
# WAIT_S seconds (default 30) for the page's report, which lands in
# DIR/report.json: {candidates: [{candidate, type, protocol, address, port,
# relatedAddress, relatedPort, relayProtocol, url}], errors: [{url,
# errorCode, errorText, ...}], end: "complete"|"limit"|"exception",
# exception, policy, userAgent}.  The page gives ICE gathering LIMIT_MS
# (default 10000).  Chromium and the server are stopped before it returns.
# Returns 0 with the report, 1 with the logs on stdout otherwise.
gather() {
	local config=$1 dir=$2 limit=${3:-10000} wait_s=${4:-30}
	local chromium srv_pid='' br_pid='' group=0 port='' i rc=1

	chromium=$(gather_chromium) || {
		echo "gather: no chromium (Debian package chromium)"
		return 1
	}
	mkdir -p "$dir/home" "$dir/profile" || return 1
	rm -f "$dir/port" "$dir/report.json"
	/usr/bin/python3 "$GATHER_DIR/server.py" "$config" "$dir/port" \
	    "$dir/report.json" "$limit" "$((wait_s + 5))" \
	    </dev/null >"$dir/server.log" 2>&1 3>&- &
	srv_pid=$!
	for ((i = 0; i < 100; i++)); do
		[[ -s $dir/port ]] && break
		gather_alive "$srv_pid" || break
		sleep 0.05
	done
	port=$(cat "$dir/port" 2>/dev/null)
	if [[ ! $port =~ ^[0-9]+$ ]]; then
		echo "gather: server.py did not start:"
		cat "$dir/server.log"
		gather_stop "$srv_pid" 0
		return 1
	fi

	# Its own session, so that Chromium's helper processes can be
	# stopped with it as one process group.
	env -i PATH="$PATH" HOME="$dir/home" XDG_CONFIG_HOME="$dir/home/.config" \
	    XDG_CACHE_HOME="$dir/home/.cache" \
	    setsid "$chromium" "${GATHER_CHROMIUM_FLAGS[@]}" \
	    --user-data-dir="$dir/profile" "http://127.0.0.1:$port/" \
	    </dev/null >"$dir/chromium.log" 2>&1 3>&- &
	br_pid=$!
	# setsid runs Chromium in place unless it had to fork; only a group
	# led by br_pid is ours to stop as a whole.
	for ((i = 0; i < 20; i++)); do
		if [[ $(ps -o pgid= -p "$br_pid" 2>/dev/null | tr -d ' ') == "$br_pid" ]]; then
			group=1
			break
		fi
		sleep 0.05
	done

	for ((i = 0; i < wait_s * 10; i++)); do
		[[ -s $dir/report.json ]] && break
		gather_alive "$br_pid" || break
		sleep 0.1
	done
	gather_stop "$br_pid" "$group"
	gather_stop "$srv_pid" 0
	[[ -s $dir/report.json ]] && rc=0
	if [[ $rc -ne 0 ]]; then
		echo "gather: no report from the page within ${wait_s}s"
		echo "--- server.py"
		cat "$dir/server.log"
		echo "--- chromium (last lines)"
		tail -n 30 "$dir/chromium.log"
	fi
	return "$rc"
}
