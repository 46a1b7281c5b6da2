#!/usr/bin/env bats
# docs.bats: the man page, the sample configurations and the sample outputs
# agree with the binary and with the settings table in src/settings.c.
#
# Needs groff (Debian package groff-base) and jq.
#
# To regenerate samples/output after a deliberate change of a format:
#   for f in neko:neko.json rtc:rtc.json json:report.json env:neko.env \
#       dotenv:neko.dotenv str0m:str0m.txt; do
#     fixed -f "${f%%:*}" >samples/output/"${f#*:}"; done
# with fixed() as defined below.

bats_require_minimum_version 1.5.0

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	ICEUPD=${ICEUPD:-$BATS_TEST_DIRNAME/../../build/iceupd}
	MAN=$ROOT/docs/iceupd.1
	SETTINGS=$ROOT/src/settings.c
	SAMPLES=$ROOT/samples
	cd "$ROOT" || return 1
}

need_groff() {
	command -v groff >/dev/null ||
	    { echo "groff is not installed (Debian package groff-base)" >&2
	      return 1; }
}

# The man page as plain text, lines broken at a hyphen joined again so
# that an option split across two lines is still found.
render() {
	groff -mandoc -Tascii -P-cbou -rLL=100n "$MAN" 2>/dev/null |
	    sed 's/.\x08//g' |
	    sed -e ':a' -e '/[[:alnum:]]-$/{N;s/-\n[[:space:]]*/-/;ba' -e '}'
}

# Lines of section $1 (a top-level heading such as ENVIRONMENT).
section() {
	render | awk -v h="$1" '$0 == h { f = 1; next } /^[A-Z]/ { f = 0 } f'
}

# Lines of subsection $1 (such as PROVIDERS) of the man page.
subsection() {
	render | awk -v h="   $1" '$0 == h { f = 1; next }
	    /^[A-Z]/ || /^   [A-Z][A-Z ]*$/ { f = 0 } f'
}

# "key env kind default" for every entry of the settings table; env and
# default are NULL when the setting has none.
table() {
	awk '/^static const struct setting table\[\] = \{/ { in_table = 1; next }
	    in_table && /^\};/ { in_table = 0 }
	    in_table { buf = buf " " $0 }
	    END {
		n = split(buf, e, /\},/)
		for (i = 1; i <= n; i++) {
			if (!match(e[i], /\{[ \t]*"[^"]*"[ \t]*,[ \t]*("[^"]*"|NULL)/))
				continue
			head = substr(e[i], RSTART, RLENGTH)
			gsub(/[{" \t]/, "", head)
			split(head, f, ",")
			kind = match(e[i], /K_[A-Z]+/) ? \
			    substr(e[i], RSTART, RLENGTH) : "?"
			# key, env, flag, short, kind, off, min, max,
			# choices, default: no comma before the help text.
			split(substr(e[i], index(e[i], "{") + 1), t, ",")
			def = t[10]
			gsub(/^[ \t]+|[ \t]+$/, "", def)
			gsub(/"/, "", def)
			print f[1], f[2], kind, (def == "" ? "?" : def)
		}
	    }' "$SETTINGS"
}

# "key value active" for every setting in config file $1, set or commented
# out ("#key = value"), keys with their group ("coturn.urls"); value is the
# text after "=" without quotes and ";".
conf_settings() {
	awk '
	    /^[ \t]*[a-z_][a-z0-9_]*[ \t]*[=:][ \t]*\{/ {
		g = $1; sub(/[=:].*/, "", g); next }
	    /^[ \t]*\}[ \t]*;?[ \t]*$/ { g = ""; next }
	    match($0, /^[ \t]*#?[a-z_][a-z0-9_]*[ \t]*[=:]/) {
		k = substr($0, RSTART, RLENGTH)
		active = k !~ /#/
		gsub(/[ \t#=:]/, "", k)
		v = substr($0, RSTART + RLENGTH)
		sub(/^[ \t]+/, "", v); sub(/[ \t]*;?[ \t]*$/, "", v)
		gsub(/"/, "", v)
		print (g == "" ? k : g "." k), (v == "" ? "?" : v), active
	    }' "$1"
}

# Every environment variable iceupd reads: the table's and the config file's.
env_names() {
	table | awk '$2 != "NULL" { print $2 }'
	grep -oE 'env_get\(envp, "[A-Z0-9_]+"\)' "$SETTINGS" |
	    sed -E 's/.*"([A-Z0-9_]+)".*/\1/'
}

# The fixed configuration the sample outputs were made from.
fixed() {
	env -i PATH="$PATH" \
	    WEBRTC_TURN_URLS="turn:turn.example.org:3478?transport=udp,turn:turn.example.org:3478?transport=tcp,turns:turn.example.org:5349" \
	    WEBRTC_TURN_USERNAME=example \
	    WEBRTC_TURN_CREDENTIAL=example-credential \
	    WEBRTC_STUN_URLS=stun:stun.example.org:3478 \
	    "$ICEUPD" -c /dev/null --policy merge "$@"
}

# The sample output file of format $1.
output_file() {
	case $1 in
	neko) echo neko.json ;;
	rtc) echo rtc.json ;;
	json) echo report.json ;;
	env) echo neko.env ;;
	dotenv) echo neko.dotenv ;;
	str0m) echo str0m.txt ;;
	*) return 1 ;;
	esac
}

formats() {
	sed -n '/format_names\[\] = {/,/};/p' "$ROOT/src/format.c" |
	    grep -oE '"[a-z0-9]+"' | tr -d '"'
}

# Runs the binary on sample $1 with the environment that sample expects.
with_sample_env() {
	local conf=$1; shift
	printf 'not-a-real-secret\n' >"$BATS_TEST_TMPDIR/turn-secret"
	case $(basename "$conf") in
	coturn-turn-rest.conf|cloudrun-neko.conf)
		env -i PATH="$PATH" \
		    TURN_SHARED_SECRET_FILE="$BATS_TEST_TMPDIR/turn-secret" \
		    "$ICEUPD" "$@" -c "$conf" ;;
	*)
		env -i PATH="$PATH" "$ICEUPD" "$@" -c "$conf" ;;
	esac
}

@test "docs: the man page renders without groff warnings" {
	need_groff
	run groff -mandoc -Tutf8 -ww -z "$MAN"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "docs: the man page has the usual sections" {
	need_groff
	local text s
	text=$(render)
	for s in NAME SYNOPSIS DESCRIPTION ENVIRONMENT FILES "EXIT STATUS" \
	    EXAMPLES "SEE ALSO" STANDARDS CAVEATS; do
		grep -qx "$s" <<<"$text" || { echo "no section $s"; return 1; }
	done
}

@test "docs: every long option of --help is in the man page" {
	need_groff
	local text opts o missing=""
	run -0 "$ICEUPD" --help
	opts=$(grep -oE -- '--[a-z0-9][a-z0-9-]*' <<<"$output" | sort -u)
	[ "$(wc -l <<<"$opts")" -ge 10 ]
	text=$(render)
	for o in $opts; do
		grep -qE -- "(^|[^a-z0-9-])$o([^a-z0-9-]|\$)" <<<"$text" ||
		    missing="$missing $o"
	done
	[ -z "$missing" ] || { echo "not in the man page:$missing"; return 1; }
}

@test "docs: every environment variable is in ENVIRONMENT" {
	need_groff
	local text names n missing=""
	names=$(env_names | sort -u)
	[ "$(wc -l <<<"$names")" -ge 15 ]
	text=$(section ENVIRONMENT)
	[ -n "$text" ]
	for n in $names; do
		grep -qE "(^|[^A-Z0-9_])$n([^A-Z0-9_]|\$)" <<<"$text" ||
		    missing="$missing $n"
	done
	[ -z "$missing" ] || { echo "not in ENVIRONMENT:$missing"; return 1; }
}

@test "docs: every secret's NAME_FILE is in ENVIRONMENT" {
	need_groff
	local text names n missing=""
	names=$(table | awk '$3 == "K_SECRET" && $2 != "NULL" { print $2 }')
	[ -n "$names" ]
	text=$(section ENVIRONMENT)
	for n in $names; do
		grep -qE "(^|[^A-Z0-9_])${n}_FILE([^A-Z0-9_]|\$)" <<<"$text" ||
		    missing="$missing ${n}_FILE"
	done
	[ -z "$missing" ] || { echo "not in ENVIRONMENT:$missing"; return 1; }
}

@test "docs: every provider is described in PROVIDERS" {
	need_groff
	local text names p missing=""
	run -0 env -i PATH="$PATH" "$ICEUPD" providers -c /dev/null
	names=$(awk 'NR > 1 { print $1 }' <<<"$output")
	[ "$(wc -l <<<"$names")" -ge 2 ]
	text=$(subsection PROVIDERS)
	[ -n "$text" ]
	for p in $names; do
		grep -qE "^ {5}$p( |\$)" <<<"$text" || missing="$missing $p"
	done
	[ -z "$missing" ] || { echo "not in PROVIDERS:$missing"; return 1; }
}

@test "docs: every exit status of --help is in EXIT STATUS" {
	need_groff
	local text codes c missing=""
	run -0 "$ICEUPD" --help
	codes=$(grep -E '^exit status:' <<<"$output" | grep -oE '[0-9]+')
	[ "$(wc -w <<<"$codes")" -ge 5 ]
	text=$(section "EXIT STATUS")
	for c in $codes; do
		grep -qE "^ {5}$c( |\$)" <<<"$text" || missing="$missing $c"
	done
	[ -z "$missing" ] || { echo "not in EXIT STATUS:$missing"; return 1; }
}

@test "docs: every format is described and has a sample output" {
	need_groff
	local text names f missing=""
	names=$(formats)
	[ "$(wc -l <<<"$names")" -ge 6 ]
	text=$(subsection FORMATS)
	for f in $names; do
		grep -qE "^ {5}$f( |\$)" <<<"$text" || missing="$missing $f"
		output_file "$f" >/dev/null &&
		    [ -f "$SAMPLES/output/$(output_file "$f")" ] ||
		    missing="$missing samples/output($f)"
	done
	[ -z "$missing" ] || { echo "missing:$missing"; return 1; }
}

@test "samples: every config key is in samples/iceupd.conf" {
	local keys documented k missing=""
	keys=$(table | awk '{ print $1 }')
	[ "$(wc -l <<<"$keys")" -ge 20 ]
	documented=$(conf_settings "$SAMPLES/iceupd.conf" | awk '{ print $1 }')
	for k in $keys; do
		grep -qx "$k" <<<"$documented" || missing="$missing $k"
	done
	[ -z "$missing" ] || { echo "not in samples/iceupd.conf:$missing"
	    return 1; }
}

@test "samples: the commented-out settings of iceupd.conf are valid" {
	# Uncomment "#key = value" lines and the lines that continue them up
	# to the ";", then load the result: an unknown key or a bad value
	# stops iceupd before it prints anything.
	awk '{
		if (!cont && $0 !~ /^[ \t]*#[a-z_][a-z0-9_]*[ \t]*=/) {
			print; next
		}
		sub(/#/, ""); print
		cont = $0 !~ /;[ \t]*$/
	    }' "$SAMPLES/iceupd.conf" >"$BATS_TEST_TMPDIR/all.conf"
	chmod 600 "$BATS_TEST_TMPDIR/all.conf"
	! cmp -s "$SAMPLES/iceupd.conf" "$BATS_TEST_TMPDIR/all.conf"
	run --separate-stderr env -i PATH="$PATH" "$ICEUPD" providers \
	    -c "$BATS_TEST_TMPDIR/all.conf"
	[[ "$output" == PROVIDER* ]] || { echo "$stderr"; return 1; }
	[[ "$stderr" != *"unknown setting"* ]]
}

@test "samples: every sample configuration is accepted" {
	local conf n=0
	for conf in "$SAMPLES"/*.conf; do
		run with_sample_env "$conf" providers
		[ "$status" -eq 0 ] ||
		    { echo "$conf: exit $status: $output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "samples: what iceupd.conf sets is the built-in default" {
	local k v active def n=0 wrong=""
	while read -r k v active; do
		[ "$active" = 1 ] || continue
		n=$((n + 1))
		def=$(table | awk -v k="$k" '$1 == k { print $4 }')
		[ "$v" = "$def" ] || wrong="$wrong $k=$v(default $def)"
	done < <(conf_settings "$SAMPLES/iceupd.conf")
	[ "$n" -ge 5 ]
	[ -z "$wrong" ] || { echo "not the default:$wrong"; return 1; }
}

@test "samples: coturn-turn-rest.conf makes TURN REST credentials" {
	run -0 with_sample_env "$SAMPLES/coturn-turn-rest.conf" fetch -f json
	local user cred want
	user=$(jq -r '.iceServers[0].username' <<<"$output")
	cred=$(jq -r '.iceServers[0].credential' <<<"$output")
	[[ "$user" =~ ^[0-9]+:neko$ ]]
	[ "$(jq -r .ttl_seconds <<<"$output")" = 3600 ]
	# The formula of the man page: base64(HMAC-SHA1(secret, username)).
	want=$(printf %s "$user" |
	    openssl dgst -sha1 -hmac not-a-real-secret -binary | openssl base64)
	[ "$cred" = "$want" ]
}

@test "samples: cloudrun-neko.conf gives TURN over TCP only, as env" {
	run -0 with_sample_env "$SAMPLES/cloudrun-neko.conf" fetch
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" == "export NEKO_ICESERVERS='"* ]]
	local NEKO_ICESERVERS
	eval "${lines[0]}"
	jq -e 'length > 0 and all(.[].urls[];
	    startswith("turns:") or endswith("?transport=tcp"))' \
	    <<<"$NEKO_ICESERVERS"
}

@test "samples: outputs match what the binary prints now" {
	local f file
	for f in neko rtc env dotenv str0m; do
		file=$SAMPLES/output/$(output_file "$f")
		fixed -f "$f" >"$BATS_TEST_TMPDIR/out"
		diff -u "$file" "$BATS_TEST_TMPDIR/out"
	done
}

@test "samples: report.json matches the binary but for its times" {
	local strip='del(.fetched_at, .expires_at, .remaining_ttl,
	    .sources[]?.latency_ms)'
	fixed -f json >"$BATS_TEST_TMPDIR/report.json"
	jq -S "$strip" "$SAMPLES/output/report.json" >"$BATS_TEST_TMPDIR/want"
	jq -S "$strip" "$BATS_TEST_TMPDIR/report.json" >"$BATS_TEST_TMPDIR/got"
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(jq -r .fetched_at "$SAMPLES/output/report.json")" != null ]
}

@test "samples: samples/output holds one file per format, no more" {
	local f want=""
	for f in $(formats); do
		want="$want$(output_file "$f")"$'\n'
	done
	[ "$(ls "$SAMPLES/output" | sort)" = "$(sort <<<"${want%$'\n'}")" ]
}
