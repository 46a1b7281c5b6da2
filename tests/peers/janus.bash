# janus.bash: start and stop a real Janus WebRTC server (Debian package
# janus) on 127.0.0.1 for tests, with only its HTTP transport and its
# EchoTest plugin, and drive its HTTP API with curl. Source it (bats: `load`).
# Nothing is written outside a temporary folder.
# shellcheck shell=bash

# shellcheck source=tests/peers/daemon.bash
. "${BASH_SOURCE[0]%/*}/daemon.bash"

# janus_start DIR TURN-REST-URL METHOD [KEY]
# Starts janus in the background, its configuration, log and plugin links in
# DIR (created), its HTTP API on 127.0.0.1 at a random port, asking
# TURN-REST-URL (nat.turn_rest_api) with METHOD (get or post) and KEY
# (turn_rest_api_key) when given, at debug level 6 (the credentials it got
# are logged). Waits until the API answers; when the port is taken, tries
# another. Sets JANUS_PID, JANUS_URL (the API's base) and JANUS_LOG.
# Returns 0, or 1 with the reason and the log on stderr.
janus_start() {
	local dir=$1 api=$2 method=$3 key=${4:-} port try i lib
	local libdir=/usr/lib/x86_64-linux-gnu/janus

	JANUS_PID='' JANUS_URL='' JANUS_LOG=''
	command -v janus >/dev/null || {
		echo "janus_start: janus is missing (Debian package janus)" >&2
		return 1
	}
	lib=$(dirname "$(dpkg -L janus 2>/dev/null |
	    grep -m1 '/plugins/libjanus_echotest\.so$')" 2>/dev/null)
	[[ -n $lib && $lib != . ]] && libdir=${lib%/plugins}
	mkdir -p "$dir/conf" "$dir/plugins" "$dir/transports" || return 1
	ln -sf "$libdir/plugins/libjanus_echotest.so" "$dir/plugins/"
	ln -sf "$libdir/transports/libjanus_http.so" "$dir/transports/"
	for try in 1 2 3 4 5; do
		port=$((20000 + ((RANDOM << 15) | RANDOM) % 40001))
		cat >"$dir/conf/janus.jcfg" <<-EOF
		general: {
			configs_folder = "$dir/conf"
			plugins_folder = "$dir/plugins"
			transports_folder = "$dir/transports"
			debug_level = 6
		}
		media: {
			rtp_port_range = "20000-60000"
		}
		nat: {
			turn_rest_api = "$api"
			turn_rest_api_method = "$method"
			turn_rest_api_timeout = 5
			${key:+turn_rest_api_key = \"$key\"}
		}
		EOF
		cat >"$dir/conf/janus.transport.http.jcfg" <<-EOF
		general: {
			json = "plain"
			base_path = "/janus"
			http = true
			port = $port
			ip = "127.0.0.1"
			https = false
		}
		admin: {
			admin_http = false
		}
		EOF
		rm -f "$dir/janus.log"
		# fd 3 is closed so that bats does not wait for janus.
		janus -C "$dir/conf/janus.jcfg" -F "$dir/conf" -N -o \
		    -L "$dir/janus.log" </dev/null >"$dir/stdout" 2>&1 3>&- &
		JANUS_PID=$!
		for ((i = 0; i < 200; i++)); do
			kill -0 "$JANUS_PID" 2>/dev/null || break
			if curl -sf -o /dev/null --max-time 2 \
			    "http://127.0.0.1:$port/janus/info"; then
				JANUS_URL=http://127.0.0.1:$port/janus
				JANUS_LOG=$dir/janus.log
				return 0
			fi
			sleep 0.05
		done
		janus_stop "$JANUS_PID"
		grep -q "Couldn't start webserver\|Address already in use" \
		    "$dir/janus.log" "$dir/stdout" 2>/dev/null || break
	done
	daemon_failed janus "$try" "$port" "$dir/janus.log" "$dir/stdout"
}

# janus_stop [PID]: SIGTERM, then SIGKILL after 5 s; reaps it. Returns 0.
janus_stop() {
	daemon_stop "${1-${JANUS_PID:-}}"
	JANUS_PID=''
}

# janus_post URL JSON: POSTs JSON to the API, prints the answer. 0, or 1.
janus_post() {
	curl -sf --max-time 10 -H 'Content-Type: application/json' \
	    --data-binary "$2" "$1"
}

# janus_offer: prints an SDP offer of one audio stream (Opus), as a browser
# sends it, without candidates: the answer has to carry Janus's.
janus_offer() {
	local fp

	fp=$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n' |
	    sed 's/../&:/g; s/:$//' | tr a-f A-F)
	printf '%s\r\n' v=0 "o=- 1 1 IN IP4 127.0.0.1" s=- "t=0 0" \
	    "a=group:BUNDLE 0" "a=msid-semantic: WMS" \
	    "m=audio 9 UDP/TLS/RTP/SAVPF 111" "c=IN IP4 0.0.0.0" \
	    "a=rtcp:9 IN IP4 0.0.0.0" "a=ice-ufrag:iceu" \
	    "a=ice-pwd:iceupdtestpassword0123456" "a=ice-options:trickle" \
	    "a=fingerprint:sha-256 $fp" a=setup:actpass a=mid:0 a=sendrecv \
	    a=rtcp-mux "a=rtpmap:111 opus/48000/2"
}

# janus_echotest BASE OPAQUE-ID
# Opens a session and an EchoTest handle named OPAQUE-ID, sends it an offer
# and prints the SDP of Janus's answer (it gathers its candidates first:
# half trickle). Returns 0, or 1 with what went wrong on stderr.
janus_echotest() {
	local base=$1 opaque=$2 sid hid ans ev i msg

	if ! ans=$(janus_post "$base" '{"janus":"create","transaction":"c"}') ||
	    ! sid=$(jq -er '.data.id' <<<"$ans"); then
		echo "janus_echotest: create: $ans" >&2
		return 1
	fi
	if ! ans=$(janus_post "$base/$sid" "$(jq -nc --arg o "$opaque" \
	    '{janus:"attach",plugin:"janus.plugin.echotest",opaque_id:$o,
	    transaction:"a"}')") || ! hid=$(jq -er '.data.id' <<<"$ans"); then
		echo "janus_echotest: attach: $ans" >&2
		return 1
	fi
	msg=$(jq -nc --arg sdp "$(janus_offer)" '{janus:"message",
	    body:{audio:true,video:false},jsep:{type:"offer",sdp:$sdp},
	    transaction:"m"}')
	ans=$(janus_post "$base/$sid/$hid" "$msg") || {
		echo "janus_echotest: message: $ans" >&2; return 1; }
	for ((i = 0; i < 20; i++)); do
		ev=$(curl -sf --max-time 10 "$base/$sid?maxev=1&rid=$i") ||
		    break
		if jq -e '.jsep.sdp' <<<"$ev" >/dev/null 2>&1; then
			jq -r '.jsep.sdp' <<<"$ev"
			janus_post "$base/$sid" \
			    '{"janus":"destroy","transaction":"d"}' >/dev/null
			return 0
		fi
	done
	echo "janus_echotest: no answer; last event: $ev" >&2
	return 1
}
