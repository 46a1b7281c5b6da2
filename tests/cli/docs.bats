#!/usr/bin/env bats
# docs.bats: the man page, the sample configurations and the sample outputs
# agree with the binary and with the settings table in src/settings/table.c.
#
# Needs groff (Debian package groff-base), jq and openssl.
#
# To regenerate samples/output after a deliberate change of a format:
#   for f in neko:neko.json rtc:rtc.json json:report.json env:neko.env \
#       dotenv:neko.dotenv str0m:str0m.txt; do
#     fixed -f "${f%%:*}" >samples/output/"${f#*:}"; done
# with fixed() as defined below (BATS_TEST_TMPDIR set to any folder).

bats_require_minimum_version 1.5.0
load helpers

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	MAN=$ROOT/docs/iceupd.1
	SETTINGS=$ROOT/src/settings/table.c
	SAMPLES=$ROOT/samples
	need_binary || return 1
	cd "$ROOT" || return 1
}

# ice [NAME=VALUE ...] [ARG ...]: the binary in an empty environment, with
# an empty configuration file and a cache of the test's own, so that
# neither the caller's variables nor /etc/iceupd/iceupd.conf nor a cache
# left by another run can change a result.
ice() {
	local -a vars=()

	vars=("${@:1:$(leading_vars "$@")}")
	shift "${#vars[@]}"
	env -i PATH="$PATH" ICEUPD_CONFIG=/dev/null \
	    ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
	    "${vars[@]}" "$ICEUPD" "$@"
}

need_groff() {
	command -v groff >/dev/null ||
	    { echo "groff is not installed (Debian package groff-base)" >&2
	      return 1; }
}

# The man page as plain text, lines broken at a hyphen joined again so
# that an option split across two lines is still found.  RENDER_LL is the
# line length: items() makes it so wide that no paragraph is broken, nor
# any word hyphenated.
render() {
	groff -mandoc -Tascii -P-cbou -rLL="${RENDER_LL:-100}n" "$MAN" \
	    2>/dev/null |
	    sed 's/.\x08//g' |
	    sed -e ':a' -e '/[[:alnum:]]-$/{N;s/-\n[[:space:]]*/-/;ba' -e '}'
}

# Lines of section $1 (a top-level heading such as ENVIRONMENT).
section() {
	render | awk -v h="$1" '$0 == h { f = 1; next } /^[A-Z]/ { f = 0 } f'
}

# The items of the tag list of section $1, one per line: the head, a tab,
# then the head and body joined with single spaces.  An item starts at a
# line indented by 5 whose first character matches $2.
items() {
	RENDER_LL=5000 section "$1" | awk -v first="$2" '
	    function flush() {
		if (head != "") {
			gsub(/[ \t]+/, " ", text)
			print head "\t" text
		}
	    }
	    /^     [^ ]/ && substr($0, 6, 1) ~ first {
		flush()
		head = substr($0, 6)
		sub(/  .*/, "", head)
		text = $0
		next
	    }
	    head != "" { text = text " " $0 }
	    END { flush() }'
}

# item_for LIST NAME: the text of the item of LIST (what items printed)
# whose head names NAME, among names separated by commas.
item_for() {
	awk -F '\t' -v n="$2" '{
	    h = " " $1 " "; gsub(/,/, " ", h)
	    if (index(h, " " n " ")) print $2 }' <<<"$1"
}

# all_found WHERE TEXT ERE WORD ...: each WORD, put for @ in ERE, matches
# in TEXT; else the test fails naming the words not in WHERE.
all_found() {
	local where=$1 text=$2 ere=$3 w missing=""

	shift 3
	for w in "$@"; do
		grep -qE -- "${ere//@/$w}" <<<"$text" || missing="$missing $w"
	done
	[ -z "$missing" ] || { echo "not in $where:$missing"; return 1; }
}

# "key env flag kind default" for every entry of the settings table; env,
# flag and default are NULL when the setting has none.
table() {
	awk '/^static const struct setting table\[\] = \{/ { in_table = 1; next }
	    in_table && /^\};/ { in_table = 0 }
	    in_table { buf = buf " " $0 }
	    END {
		n = split(buf, e, /\},/)
		for (i = 1; i <= n; i++) {
			if (!match(e[i], /\{[ \t]*"[^"]*"[ \t]*,[ \t]*("[^"]*"|NULL)/))
				continue
			# key, env, flag, short, kind, off, min, max,
			# choices, default: no comma before the help text.
			split(substr(e[i], index(e[i], "{") + 1), t, ",")
			for (j = 1; j <= 10; j++) {
				gsub(/^[ \t]+|[ \t]+$/, "", t[j])
				gsub(/"/, "", t[j])
			}
			print t[1], t[2], t[3], t[5], (t[10] == "" ? "?" : t[10])
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

# Every environment variable iceupd reads: the table's, those src/settings/
# reads itself, and those the rest of the source reads with getenv().
env_names() {
	table | awk '$2 != "NULL" { print $2 }'
	grep -ohE 'env_get\(envp, "[A-Z0-9_]+"\)' "$ROOT"/src/settings/*.c |
	    sed -E 's/.*"([A-Z0-9_]+)".*/\1/'
	grep -ohE 'getenv\("[A-Za-z0-9_]+"\)' "$ROOT"/src/*.c \
	    "$ROOT"/src/*/*.c | sed -E 's/.*"([A-Za-z0-9_]+)".*/\1/'
}

# The options of a help text on stdin, one a line ("-c", "--config"): those
# in the left column (28 characters) of the lines that start with "  -".
options_of() {
	awk '/^  -/ { print substr($0, 1, 28) }' |
	    grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
	    sed -E 's/^[ ,]//' | sort -u
}

# The command words that have options of their own.
option_commands() {
	echo fetch providers watch deploy check serve
}

# The options of the overview and of every command's help, one a line.
help_options() {
	local c

	{
		ice --help | options_of
		for c in $(option_commands); do
			ice help "$c" | options_of
		done
	} | sort -u
}

# The options the OPTIONS section of the man page has an item for.
page_options() {
	items OPTIONS '-' | cut -f1 |
	    grep -oE -- '(^|[ ,])--?[A-Za-z0-9][A-Za-z0-9-]*' |
	    sed -E 's/^[ ,]//' | sort -u
}

# The commands: those of the usage lines of --help and of the table.
commands() {
	{
		ice --help | awk '/^(usage:)? +iceupd / {
		    sub(/^(usage:)? +iceupd +/, ""); print $1 }' |
		    tr -d '[]' | grep -E '^[a-z]+$'
		sed -n '/command_names\[\] = {/,/};/p' "$SETTINGS" |
		    grep -oE '"[a-z]+"' | tr -d '"'
	} | sort -u
}

# The fixed configuration the sample outputs were made from.
fixed() {
	env -i PATH="$PATH" ICEUPD_CACHE="$BATS_TEST_TMPDIR/cache.json" \
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
	table) echo providers.txt ;;
	*) return 1 ;;
	esac
}

# The formats, from their list (src/formats.h: X(ENUM, name) lines).
formats() {
	sed -nE 's/^[[:space:]]*X\([A-Z0-9_]+, ([a-z0-9]+)\).*/\1/p' \
	    "$ROOT/src/formats.h"
}

# Runs the binary on sample $1 with the environment that sample expects;
# the command comes first, as iceupd wants it.
with_sample_env() {
	local conf=$1; shift
	printf 'not-a-real-secret\n' >"$BATS_TEST_TMPDIR/turn-secret"
	case $(basename "$conf") in
	coturn-turn-rest.conf|cloudrun-neko.conf)
		ice TURN_SHARED_SECRET_FILE="$BATS_TEST_TMPDIR/turn-secret" \
		    "$@" -c "$conf" ;;
	*)
		ice "$@" -c "$conf" ;;
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
	for s in NAME SYNOPSIS DESCRIPTION COMMANDS OPTIONS PROVIDERS CACHE \
	    "OUTPUT FORMATS" ENVIRONMENT FILES "EXIT STATUS" EXAMPLES \
	    "SEE ALSO" STANDARDS CAVEATS; do
		grep -qx "$s" <<<"$text" || { echo "no section $s"; return 1; }
	done
}

@test "docs: every long option of --help is in the man page" {
	need_groff
	local text opts
	opts=$(help_options | grep -- '^--')
	[ "$(wc -l <<<"$opts")" -ge 30 ]
	text=$(render)
	# shellcheck disable=SC2086 # one option a word
	all_found "the man page" "$text" '(^|[^a-z0-9-])@([^a-z0-9-]|$)' $opts
}

@test "docs: --help and OPTIONS list the same options" {
	need_groff
	local help page
	help=$(help_options)
	page=$(page_options)
	[ "$(wc -l <<<"$help")" -ge 40 ]
	[ "$(wc -l <<<"$page")" -ge 40 ]
	# "<" only in --help, ">" only in the man page.
	diff <(echo "$help") <(echo "$page") ||
	    { echo "--help and OPTIONS differ (< --help, > OPTIONS)"
	      return 1; }
}

@test "docs: an option OPTIONS gives to one command is in that command's help only" {
	need_groff
	local list head body flag cmd c wrong="" n=0
	list=$(items OPTIONS '-')
	while IFS=$'\t' read -r head body; do
		# After the head, the text starts "COMMAND: " (or "COMMAND
		# with ...:").
		body=${body# }
		body=${body#"$head"}
		cmd=$(awk '{ print $1 }' <<<"$body")
		cmd=${cmd%:}
		grep -qw -- "$cmd" <<<"$(option_commands)" || continue
		flag=$(grep -oE -- '--[a-z0-9-]+' <<<"$head" | head -1)
		[ -n "$flag" ] || continue
		n=$((n + 1))
		for c in $(option_commands); do
			if ice help "$c" | options_of | grep -qx -- "$flag"; then
				[ "$c" = "$cmd" ] || wrong="$wrong $flag(in $c)"
			elif [ "$c" = "$cmd" ]; then
				wrong="$wrong $flag(not in $c)"
			fi
		done
	done <<<"$list"
	[ "$n" -ge 15 ]
	[ -z "$wrong" ] || { echo "wrong help:$wrong"; return 1; }
}

@test "docs: each command's help lists exactly the options that command accepts" {
	local c o arg refused switches wrong="" n=0
	switches=$(table | awk '$3 != "NULL" && $4 == "K_BOOL" { print "--" $3 }'
	    printf '%s\n' --neko-v3 --verbose --quiet)
	for c in $(option_commands); do
		for o in $(help_options | grep -- '^--'); do
			[ "$o" != --help ] && [ "$o" != --version ] || continue
			arg=$o=x
			grep -qx -- "$o" <<<"$switches" && arg=$o
			# A bad ICEUPD_FORMAT stops any command the option
			# passed, before it runs.
			ice ICEUPD_FORMAT=bogus "$c" "$arg" >/dev/null \
			    2>"$BATS_TEST_TMPDIR/err" || true
			refused=0
			grep -q "applies to" "$BATS_TEST_TMPDIR/err" && refused=1
			if ice help "$c" | options_of | grep -qx -- "$o"; then
				[ "$refused" = 0 ] || wrong="$wrong $c:$o(refused)"
			else
				[ "$refused" = 1 ] || wrong="$wrong $c:$o(accepted)"
			fi
			n=$((n + 1))
		done
	done
	[ "$n" -ge 200 ]
	[ -z "$wrong" ] || { echo "help and behaviour differ:$wrong"; return 1; }
}

@test "docs: each option in OPTIONS names its variable, key and default" {
	need_groff
	local list key env flag kind def item wrong="" n=0
	list=$(items OPTIONS '-')
	while read -r key env flag kind def; do
		[ "$flag" != NULL ] || continue
		n=$((n + 1))
		item=$(item_for "$list" "--$flag")
		if [ -z "$item" ]; then
			wrong="$wrong --$flag(no item)"
			continue
		fi
		if [ "$env" != NULL ] &&
		    ! grep -qE "(^|[^A-Z0-9_])$env([^A-Z0-9_]|\$)" <<<"$item"
		then
			wrong="$wrong --$flag($env)"
		fi
		grep -qE "key $key[;,.]" <<<"$item" ||
		    wrong="$wrong --$flag(key $key)"
		if [ "$def" != NULL ]; then
			grep -qF "default $def" <<<"$item" ||
			    wrong="$wrong --$flag(default $def)"
		else
			grep -qw default <<<"$item" ||
			    wrong="$wrong --$flag(no word on the default)"
		fi
	done < <(table)
	[ "$n" -ge 30 ]
	[ -z "$wrong" ] || { echo "wrong in OPTIONS:$wrong"; return 1; }
}

@test "docs: every environment variable is in ENVIRONMENT" {
	need_groff
	local text names
	names=$(env_names | sort -u)
	[ "$(wc -l <<<"$names")" -ge 50 ]
	grep -qx K_SERVICE <<<"$names"
	text=$(items ENVIRONMENT '[A-Za-z]' | cut -f1)
	[ -n "$text" ]
	# shellcheck disable=SC2086 # one name a word
	all_found ENVIRONMENT "$text" '(^|[^A-Za-z0-9_])@([^A-Za-z0-9_]|$)' \
	    $names
}

@test "docs: every secret's NAME_FILE is in ENVIRONMENT" {
	need_groff
	local text names
	names=$(table | awk '$4 == "K_SECRET" && $2 != "NULL" { print $2 }')
	[ "$(wc -l <<<"$names")" -ge 9 ]
	text=$(items ENVIRONMENT '[A-Za-z]' | cut -f1)
	# shellcheck disable=SC2046 # one name a word
	all_found ENVIRONMENT "$text" '(^|[^A-Z0-9_])@([^A-Z0-9_]|$)' \
	    $(sed 's/$/_FILE/' <<<"$names")
}

@test "docs: ENVIRONMENT gives the default of every setting without a flag" {
	need_groff
	local list key env flag kind def item wrong="" n=0
	list=$(items ENVIRONMENT '[A-Za-z]')
	while read -r key env flag kind def; do
		[ "$flag" = NULL ] && [ "$env" != NULL ] &&
		    [ "$def" != NULL ] || continue
		n=$((n + 1))
		item=$(item_for "$list" "$env")
		grep -qF "default $def" <<<"$item" ||
		    grep -qF "default '$def'" <<<"$item" ||
		    wrong="$wrong $env($def)"
	done < <(table)
	[ "$n" -ge 5 ]
	[ -z "$wrong" ] || { echo "default not in ENVIRONMENT:$wrong"
	    return 1; }
}

@test "docs: every config key is in the man page" {
	need_groff
	local text keys k missing=""
	keys=$(table | awk '{ print $1 }')
	[ "$(wc -l <<<"$keys")" -ge 60 ]
	text=$(render | tr -s ' \n' '  ')
	for k in $keys; do
		case $k in
		*.*)	grep -qE "(^|[^a-z_.])${k//./\\.}([^a-z0-9_]|\$)" \
			    <<<"$text" || missing="$missing $k" ;;
		*)	grep -qE "key $k[;,.)]" <<<"$text" ||
			    missing="$missing $k" ;;
		esac
	done
	[ -z "$missing" ] || { echo "not in the man page:$missing"; return 1; }
}

@test "docs: every provider is described in PROVIDERS" {
	need_groff
	local text names p missing=""
	run -0 ice providers
	names=$(awk 'NR > 1 && /^[a-z0-9]/ { print $1 }' <<<"$output")
	[ "$(wc -l <<<"$names")" -ge 8 ]
	text=$(section PROVIDERS)
	[ -n "$text" ]
	for p in $names; do
		grep -qE "^ {5}$p( |\$)" <<<"$text" || missing="$missing $p"
	done
	[ -z "$missing" ] || { echo "not in PROVIDERS:$missing"; return 1; }
}

@test "docs: every command is in SYNOPSIS and COMMANDS" {
	need_groff
	local names synopsis text c missing=""
	names=$(commands)
	[ "$(wc -l <<<"$names")" -ge 5 ]
	synopsis=$(section SYNOPSIS)
	text=$(section COMMANDS)
	for c in $names; do
		grep -qE "^ +iceupd \[?$c[] ]" <<<"$synopsis" ||
		    missing="$missing $c(SYNOPSIS)"
		grep -qE "^ {5}$c( |\$)" <<<"$text" ||
		    missing="$missing $c(COMMANDS)"
	done
	[ -z "$missing" ] || { echo "not documented:$missing"; return 1; }
}

@test "docs: EXIT STATUS and --help give the same exit statuses" {
	need_groff
	local codes page
	run -0 ice --help
	codes=$(grep -E '^exit status:' <<<"$output" | grep -oE '[0-9]+' |
	    sort -u)
	[ "$(wc -l <<<"$codes")" -ge 5 ]
	page=$(section "EXIT STATUS" | grep -oE '^ {5}[0-9]+( |$)' |
	    tr -d ' ' | sort -u)
	diff <(echo "$codes") <(echo "$page") ||
	    { echo "--help and EXIT STATUS differ (< --help, > page)"
	      return 1; }
}

@test "docs: every format is described and has a sample output" {
	need_groff
	local text names f missing=""
	names=$(formats)
	[ "$(wc -l <<<"$names")" -ge 6 ]
	text=$(section "OUTPUT FORMATS")
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
	[ "$(wc -l <<<"$keys")" -ge 60 ]
	documented=$(conf_settings "$SAMPLES/iceupd.conf" | awk '{ print $1 }')
	for k in $keys; do
		grep -qx "$k" <<<"$documented" || missing="$missing $k"
	done
	[ -z "$missing" ] || { echo "not in samples/iceupd.conf:$missing"
	    return 1; }
}

@test "samples: every setting of iceupd.conf has a comment" {
	# The line before each setting is a comment (or a commented-out
	# setting of the same kind, or the continuation of a list).
	local bad
	bad=$(awk '
	    /^[ \t]*#?[a-z_][a-z0-9_]*[ \t]*=/ && $0 !~ /\{[ \t]*$/ {
		if (prev !~ /^[ \t]*#/ && prev !~ /[],][ \t]*$/)
			print FILENAME ":" NR ": " $0
	    }
	    { prev = $0 }' "$SAMPLES/iceupd.conf")
	[ -z "$bad" ] || { echo "no comment before:"; echo "$bad"; return 1; }
	# Some settings are there at all.
	[ "$(conf_settings "$SAMPLES/iceupd.conf" | wc -l)" -ge 60 ]
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
	! cmp -s "$SAMPLES/iceupd.conf" "$BATS_TEST_TMPDIR/all.conf" || return 1
	[ "$(conf_settings "$BATS_TEST_TMPDIR/all.conf" |
	    awk '$3 == 1' | wc -l)" -ge 60 ]
	run --separate-stderr ice providers -c "$BATS_TEST_TMPDIR/all.conf"
	[[ "$output" == PROVIDER* ]] || { echo "$stderr"; return 1; }
	[[ "$stderr" != *"unknown setting"* ]]
}

@test "samples: every sample configuration is accepted" {
	local conf n=0
	for conf in "$SAMPLES"/*.conf; do
		run with_sample_env "$conf" providers
		[ "$status" -eq 0 ] ||
		    { echo "$conf: exit $status: $output"; return 1; }
		[[ "$output" == PROVIDER* ]] ||
		    { echo "$conf: $output"; return 1; }
		n=$((n + 1))
	done
	[ "$n" -ge 3 ]
}

@test "samples: what iceupd.conf sets is the built-in default" {
	local k v active def n=0 wrong=""
	while read -r k v active; do
		[ "$active" = 1 ] || continue
		n=$((n + 1))
		def=$(table | awk -v k="$k" '$1 == k { print $5 }')
		[ "$v" = "$def" ] || wrong="$wrong $k=$v(default $def)"
	done < <(conf_settings "$SAMPLES/iceupd.conf")
	[ "$n" -ge 20 ]
	[ -z "$wrong" ] || { echo "not the default:$wrong"; return 1; }
}

@test "samples: iceupd.conf as it is changes nothing" {
	# Loaded or not, the same list for the same environment.
	local with without
	with=$(fixed -f neko -c "$SAMPLES/iceupd.conf")
	without=$(fixed -f neko)
	[ -n "$without" ]
	[ "$with" = "$without" ]
	run -0 ice providers -c "$SAMPLES/iceupd.conf"
	[[ "$output" != *misconfigured* ]]
	run -0 ice providers
	[ "$(grep -c configured <<<"$output")" -ge 1 ]
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
	local f file n=0
	for f in neko rtc env dotenv str0m; do
		file=$SAMPLES/output/$(output_file "$f")
		[ -s "$file" ]
		fixed -f "$f" >"$BATS_TEST_TMPDIR/out"
		diff -u "$file" "$BATS_TEST_TMPDIR/out"
		n=$((n + 1))
	done
	[ "$n" -eq 5 ]
}

@test "samples: report.json matches the binary but for its times" {
	local strip='del(.fetched_at, .expires_at, .remaining_ttl,
	    .sources[]?.latency_ms)'
	fixed -f json >"$BATS_TEST_TMPDIR/report.json"
	jq -S "$strip" "$SAMPLES/output/report.json" >"$BATS_TEST_TMPDIR/want"
	jq -S "$strip" "$BATS_TEST_TMPDIR/report.json" >"$BATS_TEST_TMPDIR/got"
	[ -s "$BATS_TEST_TMPDIR/want" ]
	diff -u "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	[ "$(jq -r .fetched_at "$SAMPLES/output/report.json")" != null ]
}

@test "samples: samples/output holds one file per format, no more" {
	local f want=""
	for f in $(formats); do
		want="$want$(output_file "$f")"$'\n'
	done
	[ "$(ls "$SAMPLES/output" | wc -l)" -ge 6 ]
	[ "$(ls "$SAMPLES/output" | sort)" = "$(sort <<<"${want%$'\n'}")" ]
}

# The code block of the README's Layout section.
readme_layout() {
	awk '/^## Layout/ { s = 1; next } /^## / { s = 0 }
	    s && /^```/ { b = !b; next } s && b' "$ROOT/README.md"
}

@test "README: its layout names every entry of src/ and of its folders, and nothing else" {
	local layout e stem bad=0 n=0 p

	layout=$(readme_layout)
	[ -n "$layout" ]
	# Every entry: a folder as src/NAME/, a top-level file as src/STEM.c,
	# src/STEM.h or src/STEM.[ch] (a header also by its plain name), a file
	# of a folder as STEM.c, STEM.h or STEM.[ch]; src/providers/ is given as
	# a rule, not file by file.
	for e in "$ROOT"/src/* "$ROOT"/src/*/*; do
		p=${e#"$ROOT"/}
		[[ $p == src/providers/* ]] && continue
		n=$((n + 1))
		if [[ -d $e ]]; then
			grep -qF "$p/" <<<"$layout" && continue
		elif [[ $p == src/*/* ]]; then
			stem=${e##*/}
			stem=${stem%.[ch]}
			grep -qE "\<$stem\.(c|h|\[ch\])" <<<"$layout" && continue
			grep -qF "${e##*/}" <<<"$layout" && continue
		else
			stem=${p%.[ch]}
			grep -qE "(^|[ ,(])($stem\.(c|h|\[ch\])|${stem#src/}\.h)" \
			    <<<"$layout" && continue
		fi
		echo "README's layout does not name $p"
		bad=1
	done
	[ "$n" -gt 40 ]
	# Every src/ path it names exists.
	for p in $(grep -oE 'src/[A-Za-z0-9_./]+(\[ch\])?' <<<"$layout" |
	    sed -E 's/[.,;]$//'); do
		if [[ $p == *'.[ch]' ]]; then
			[[ -e $ROOT/${p%'.[ch]'}.c && -e $ROOT/${p%'.[ch]'}.h ]] &&
			    continue
		elif [[ -e $ROOT/$p ]]; then
			continue
		fi
		echo "README's layout names $p, which does not exist"
		bad=1
	done
	[ "$bad" -eq 0 ]
}
