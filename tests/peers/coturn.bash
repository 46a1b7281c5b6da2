# coturn.bash: start and stop a real coturn (turnserver) on 127.0.0.1 for
# tests, and talk to it with turnutils_uclient. Source it (bats: `load`).
# Needs the Debian package coturn: turnserver, turnutils_uclient and
# turnutils_stunclient. Nothing is written outside a temporary folder.

# need_turnserver: fails, naming the package, when turnserver is missing
# (for a setup to stop before it makes what only coturn would use).
need_turnserver() {
	command -v turnserver >/dev/null && return 0
	echo "turnserver is missing (Debian package coturn)" >&2
	return 1
}

# coturn_start_rest CERT KEY SECRET REALM: coturn_start_tls with CERT and
# KEY, taking TURN REST credentials of SECRET in REALM.
coturn_start_rest() {
	coturn_start_tls "$1" "$2" --use-auth-secret \
	    --static-auth-secret="$3" --realm="$4"
}

# coturn_start [turnserver options...]
# Starts turnserver in the background on 127.0.0.1, at a random port from
# 20000 to 60000, with the given options added (realm, authentication). Its
# log, pid file and user database live in a new temporary folder. Waits until
# its UDP and TCP listeners are open and it answers a STUN binding; when the
# port is taken, tries another. Sets COTURN_PID, COTURN_PORT, COTURN_DIR and
# COTURN_LOG. Returns 0, or 1 with the reason and the log on stderr.
coturn_start() {
	coturn_launch "" "" "$@"
}

# coturn_start_tls CERT KEY [turnserver options...]
# The same with TURN over TLS too, with CERT and KEY, at another random port
# (COTURN_TLS_PORT; it takes plain TCP as well).
coturn_start_tls() {
	local cert=$1 key=$2

	shift 2
	coturn_launch "$cert" "$key" "$@"
}

# coturn_launch CERT KEY [turnserver options...]: coturn_start, with TLS
# when CERT is not empty.
coturn_launch() {
	local cert=$1 key=$2 dir port tport pid try
	local -a tls

	shift 2
	# shellcheck disable=SC2034 # the caller's
	COTURN_PID='' COTURN_PORT='' COTURN_TLS_PORT='' COTURN_DIR='' \
	    COTURN_LOG=''
	if ! command -v turnserver >/dev/null ||
	    ! command -v turnutils_stunclient >/dev/null; then
		echo "coturn_start: turnserver or turnutils_stunclient is" \
		    "missing (Debian package coturn)" >&2
		return 1
	fi
	dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/coturn.XXXXXX") ||
	    return 1
	for try in 1 2 3 4 5; do
		port=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
		tport=
		tls=(--no-tls)
		if [ -n "$cert" ]; then
			tport=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
			[ "$tport" != "$port" ] || continue
			tls=(--tls-listening-port="$tport" --cert="$cert"
			    --pkey="$key")
		fi
		rm -f "$dir/turn.log" "$dir/turnserver.pid" "$dir/turndb"
		# -n: read no configuration file (not /etc/turnserver.conf).
		# fd 3 is closed so that bats does not wait for coturn.
		turnserver -n --verbose \
		    --listening-ip=127.0.0.1 --relay-ip=127.0.0.1 \
		    --listening-port="$port" "${tls[@]}" \
		    --no-dtls --no-cli --allow-loopback-peers \
		    --log-file="$dir/turn.log" --simple-log --no-stdout-log \
		    --pidfile="$dir/turnserver.pid" --userdb="$dir/turndb" \
		    "$@" </dev/null >"$dir/stderr" 2>&1 3>&- &
		pid=$!
		if coturn_wait_ready "$pid" "$port" "$dir/turn.log" "$tport"; then
			# shellcheck disable=SC2034 # the caller's
			COTURN_PID=$pid COTURN_PORT=$port COTURN_DIR=$dir \
			    COTURN_TLS_PORT=$tport COTURN_LOG=$dir/turn.log
			return 0
		fi
		coturn_stop "$pid"
		if ! grep -q 'Cannot bind' "$dir/turn.log" 2>/dev/null; then
			break	# not a port clash: another port will not help
		fi
	done
	echo "coturn_start: turnserver did not start (try $try, port" \
	    "$port); its log:" >&2
	tail -n 40 "$dir/turn.log" "$dir/stderr" >&2 2>/dev/null
	rm -rf -- "$dir"
	return 1
}

# coturn_wait_ready PID PORT LOG [TLS-PORT]
# Returns 0 once coturn PID logged its UDP and TCP listeners on 127.0.0.1:PORT
# (and its TLS one on TLS-PORT) and answers a STUN binding there; 1 when it
# died, could not bind, or was not ready within 30 s (a machine busy with
# other suites can be that slow).  With TLS on, coturn names its TCP
# listeners "TLS/TCP".
coturn_wait_ready() {
	local pid=$1 port=$2 log=$3 tport=${4:-} end=$((SECONDS + 30))

	while ((SECONDS < end)); do
		# Alive, whether it has become turnserver yet or not: on a
		# busy machine the child can still be the forked shell.
		coturn_running "$pid" any || return 1
		if grep -q 'Cannot bind' "$log" 2>/dev/null; then
			return 1
		fi
		if grep -qF "UDP listener opened on: 127.0.0.1:$port" \
		    "$log" 2>/dev/null &&
		    grep -qF "TCP listener opened on : 127.0.0.1:$port" \
		    "$log" 2>/dev/null &&
		    { [ -z "$tport" ] ||
		    grep -qF "TLS/TCP listener opened on : 127.0.0.1:$tport" \
		    "$log" 2>/dev/null; }; then
			timeout 5 turnutils_stunclient -p "$port" 127.0.0.1 \
			    >/dev/null 2>&1 || return 1
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# coturn_running PID [any]: 0 when PID is a live turnserver (not a
# zombie); with "any", also a child of this shell that is not turnserver
# yet (forked, not yet exec'd: on a busy machine that takes a while).
coturn_running() {
	local comm state ppid

	[ -n "${1:-}" ] || return 1
	comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
	# After the name in /proc/PID/stat: the state, then the parent's pid.
	read -r state ppid _ < <(sed 's/.*) //' "/proc/$1/stat" 2>/dev/null) ||
	    return 1
	[ "$state" != Z ] || return 1
	[ "$comm" = turnserver ] ||
	    { [ "${2:-}" = any ] && [ "$ppid" = "$BASHPID" ]; }
}

# coturn_stop [PID [DIR]]
# Stops the turnserver PID (default COTURN_PID): SIGTERM, then SIGKILL after
# 5 s; reaps it when it is a child of this shell; removes DIR when given.
# Always returns 0.
coturn_stop() {
	local pid=${1-${COTURN_PID:-}} dir=${2:-} i

	if [ -n "$pid" ]; then
		# A child not yet turnserver is stopped too: else the
		# wait below would outlast it.
		if coturn_running "$pid" any; then
			kill -TERM "$pid" 2>/dev/null || true
			for ((i = 0; i < 100; i++)); do
				coturn_running "$pid" any || break
				sleep 0.05
			done
			if coturn_running "$pid" any; then
				kill -KILL "$pid" 2>/dev/null || true
			fi
		fi
		wait "$pid" 2>/dev/null || true
	fi
	if [ -n "$dir" ] && [ -d "$dir" ]; then
		rm -rf -- "$dir"
	fi
	return 0
}

# turn_url_host_port URL
# Prints "HOST PORT TRANSPORT" of a turn: URL (RFC 7065): PORT defaults to
# 3478, TRANSPORT to udp. Returns 1 for anything else (turns: included).
turn_url_host_port() {
	local re='^turn:(\[[0-9A-Fa-f:.]+\]|[^]:?/@[]+)(:([0-9]+))?(\?transport=(udp|tcp))?$'

	[[ $1 =~ $re ]] || return 1
	printf '%s %s %s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[3]:-3478}" \
	    "${BASH_REMATCH[5]:-udp}"
}

# turn_rest_password SECRET USERNAME
# Prints base64(HMAC-SHA1(SECRET, USERNAME)), the password coturn expects for
# a TURN REST username (--use-auth-secret).
turn_rest_password() {
	printf '%s' "$2" | openssl dgst -sha1 -hmac "$1" -binary | base64
}

# rest_user SECONDS: a TURN REST username valid for SECONDS from now
# (negative: expired that long ago), "EXPIRY:$REST_NAME".
rest_user() {
	echo "$(($(date +%s) + $1)):${REST_NAME:-user}"
}

# coturn_allocate HOST PORT TRANSPORT USERNAME CREDENTIAL
# Runs turnutils_uclient in client-to-client mode (-y: two allocations that
# relay one message each to the other; -c: no RTCP pair) against HOST:PORT
# over TRANSPORT (udp or tcp), bounded to 20 s; prints its output and returns
# its exit status: 0 when both allocations worked and the messages went
# through, 255 when coturn refused ("ERROR: Cannot complete Allocation"),
# 124 when it timed out.
coturn_allocate() {
	local host=$1 port=$2 transport=$3 user=$4 cred=$5 tcp=()

	host=${host#[}
	host=${host%]}
	case $transport in
	udp) ;;
	tcp) tcp=(-t) ;;
	*) echo "coturn_allocate: transport '$transport'" >&2; return 2 ;;
	esac
	timeout 20 turnutils_uclient "${tcp[@]}" -y -c -n 1 -m 1 \
	    -u "$user" -w "$cred" -p "$port" "$host" 2>&1
}

# coturn_allocate_listed JSON [PORT]
# Allocates with the credentials of the first entry of the neko-style JSON
# list that has some, at its first turn: URL (on PORT when given), and
# fails when a wrong password allocates too. Returns 0, or 1.
coturn_allocate_listed() {
	local user cred url host port transport

	user=$(jq -r '[.[] | select(.username)][0].username' <<<"$1")
	cred=$(jq -r '[.[] | select(.username)][0].credential' <<<"$1")
	url=$(jq -r '[.[] | select(.username)][0].urls[] |
	    select(startswith("turn:"))' <<<"$1" | head -n 1)
	read -r host port transport < <(turn_url_host_port "$url") || return 1
	[[ -z ${2:-} || $port == "$2" ]] || return 1
	coturn_allocate "$host" "$port" "$transport" "$user" "$cred" ||
	    return 1
	if coturn_allocate "$host" "$port" "$transport" "$user" "x$cred" \
	    >/dev/null; then
		echo "coturn_allocate_listed: a wrong password allocated" >&2
		return 1
	fi
}

# coturn_log_mark LOG: prints the number of lines in LOG so far.
coturn_log_mark() {
	wc -l <"$1"
}

# coturn_log_wait LOG MARK TEXT
# Returns 0 once a line after line MARK of LOG contains TEXT (a fixed string),
# 1 when none did within 3 s.
coturn_log_wait() {
	local i

	for ((i = 0; i < 60; i++)); do
		if tail -n +"$(($2 + 1))" "$1" | grep -qF -- "$3"; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}
