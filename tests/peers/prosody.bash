# prosody.bash: start and stop a real Prosody (Debian package prosody) on
# 127.0.0.1 for tests: anonymous login, BOSH (/http-bind) and WebSocket
# (/xmpp-websocket), and XEP-0215 external services (mod_external_services)
# with TURN REST credentials from a shared secret. Source it (bats: `load`).
# Nothing is written outside a temporary folder.

# shellcheck source=tests/peers/daemon.bash
. "${BASH_SOURCE[0]%/*}/daemon.bash"

PROSODY_DOMAIN=meet.test
# The secret the tests' Prosody mints TURN REST credentials from, and
# their coturn checks them with.
PROSODY_SECRET=prosody-coturn-secret
# The test modules (mod_*.lua) live next to this file.
PROSODY_MODULES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# coturn_for_prosody: coturn_start (tests/peers/coturn.bash, loaded too)
# with TURN REST credentials of PROSODY_SECRET in the realm PROSODY_DOMAIN.
coturn_for_prosody() {
	coturn_start --use-auth-secret --static-auth-secret="$PROSODY_SECRET" \
	    --realm="$PROSODY_DOMAIN"
}

# prosody_start SECRET STUN_PORT [LUA ...]
# Starts prosody in the foreground of a background job, as the current user
# (root included: daemonize is off and every path is in the temporary
# folder), serving HTTP on a random port from 20000 to 60000. Its external
# services are stun/udp, turn/udp (with credentials) and turns/tcp (without:
# as mod_turn_external lists it) on 127.0.0.1:STUN_PORT, credentials minted
# from SECRET. Each LUA argument is one more global line of the
# configuration; PROSODY_HOST_CONFIG, when set, is text added after the
# VirtualHost's lines (more of its options, then Component sections);
# PROSODY_AUTHENTICATION is its authentication, "anonymous" by default (an
# option set twice stops Prosody). The modules next to this file can be
# enabled by name. Waits until BOSH answers. Sets PROSODY_PID, PROSODY_PORT,
# PROSODY_DIR, PROSODY_LOG, PROSODY_BOSH and PROSODY_WS. Returns 0, or 1
# with the reason and the log on stderr.
prosody_start() {
	local secret=$1 stun_port=$2 dir port c2s pid try line
	shift 2

	PROSODY_PID='' PROSODY_PORT='' PROSODY_DIR='' PROSODY_LOG=''
	if ! command -v prosody >/dev/null; then
		echo "prosody_start: prosody is missing (Debian package" \
		    "prosody)" >&2
		return 1
	fi
	dir=$(mktemp -d "${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}/prosody.XXXXXX") ||
	    return 1
	mkdir -p "$dir/data"
	for try in 1 2 3 4 5; do
		port=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
		c2s=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
		[ "$c2s" -ne "$port" ] || continue
		{
			cat <<EOF
-- written by prosody_start for one test run
daemonize = false
pidfile = "$dir/prosody.pid"
plugin_paths = { "$PROSODY_MODULES" }
data_path = "$dir/data"
log = { debug = "$dir/prosody.log" }
interfaces = { "127.0.0.1" }
local_interfaces = { "127.0.0.1" }
c2s_ports = { $c2s }
c2s_interfaces = { "127.0.0.1" }
http_ports = { $port }
http_interfaces = { "127.0.0.1" }
https_ports = { }
modules_enabled = { "saslauth", "disco", "bosh", "websocket", "external_services" }
modules_disabled = { "s2s", "posix" }
c2s_require_encryption = false
consider_bosh_secure = true
consider_websocket_secure = true
cross_domain_bosh = true
cross_domain_websocket = true
bosh_max_inactivity = 30
external_service_secret = "$secret"
external_services = {
	{ type = "stun", transport = "udp", host = "127.0.0.1", port = $stun_port };
	{ type = "turn", transport = "udp", host = "127.0.0.1", port = $stun_port, secret = true };
	{ type = "turns", transport = "tcp", host = "127.0.0.1", port = $stun_port };
}
EOF
			for line in "$@"; do
				printf '%s\n' "$line"
			done
			cat <<EOF

VirtualHost "$PROSODY_DOMAIN"
	authentication = "${PROSODY_AUTHENTICATION:-anonymous}"
EOF
			printf '%s\n' "${PROSODY_HOST_CONFIG:-}"
		} >"$dir/prosody.cfg.lua"
		rm -f "$dir/prosody.log"
		# fd 3 is closed so that bats does not wait for prosody.
		prosody --config "$dir/prosody.cfg.lua" </dev/null \
		    >"$dir/stdout" 2>&1 3>&- &
		pid=$!
		if prosody_wait_ready "$pid" "$port"; then
			PROSODY_PID=$pid PROSODY_PORT=$port PROSODY_DIR=$dir
			PROSODY_LOG=$dir/prosody.log
			PROSODY_BOSH="http://127.0.0.1:$port/http-bind"
			PROSODY_WS="ws://127.0.0.1:$port/xmpp-websocket"
			return 0
		fi
		prosody_stop "$pid"
		if ! grep -qiE 'address already in use|failed to open server port' \
		    "$dir/prosody.log" "$dir/stdout" 2>/dev/null; then
			break	# not a port clash: another port will not help
		fi
	done
	daemon_failed prosody "$try" "$port" "$dir/prosody.log" "$dir/stdout"
}

# prosody_wait_ready PID PORT: 0 once BOSH answers on PORT; 1 when PID died
# or it did not within 30 s (a machine busy with other suites can be that
# slow).
prosody_wait_ready() {
	local pid=$1 port=$2 end=$((SECONDS + 30))

	while ((SECONDS < end)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if curl -fsS -m 1 "http://127.0.0.1:$port/http-bind" \
		    2>/dev/null | grep -q BOSH; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# prosody_stop [PID [DIR]]: SIGTERM, then SIGKILL after 5 s; reaps it;
# removes DIR when given. Always returns 0.
prosody_stop() {
	daemon_stop "${1-${PROSODY_PID:-}}" "${2:-}"
}
