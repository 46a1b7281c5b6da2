#!/usr/bin/env bats
# lint.bats: static checks of what is not C: every shell script is clean
# under shellcheck, the man page formats without warnings, the YAML files parse,
# the sample env files are plain NAME=value lines that name known variables,
# and every file the Dockerfile copies exists.
#
# Needs shellcheck (Debian package shellcheck), groff (groff-base) and, for
# YAML, python3 with its yaml module (python3-yaml); a test whose tool is
# missing is skipped and says which package to install.

bats_require_minimum_version 1.5.0

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	cd "$ROOT" || return 1
}

need() {	# COMMAND PACKAGE
	command -v "$1" >/dev/null ||
	    skip "$1 is not installed (Debian package $2)"
}

# lint_shell [SHELLCHECK-OPTIONS --] FILE...: shellcheck each FILE (at
# least one must exist), printing every finding; fails if any.
lint_shell() {
	local -a opts=()
	local f bad=0 n=0

	if [[ " $* " == *" -- "* ]]; then
		while [[ $1 != -- ]]; do
			opts+=("$1")
			shift
		done
		shift
	fi
	for f in "$@"; do
		[[ -e $f ]] || continue
		n=$((n + 1))
		if ! shellcheck -x "${opts[@]}" "$f"; then
			bad=1
		fi
	done
	if [[ $n -eq 0 ]]; then
		echo "no file matched: $*"
		return 1
	fi
	return "$bad"
}

@test "shellcheck: scripts/*.sh" {
	need shellcheck shellcheck
	lint_shell scripts/*.sh
}

@test "shellcheck: wrapper/*.sh as POSIX sh (it runs in dash)" {
	need shellcheck shellcheck
	lint_shell -s sh -- wrapper/*.sh
	# The entrypoint is executable and names /bin/sh.
	[[ -x wrapper/cloudrun-wrapper.sh ]]
	[[ $(head -n 1 wrapper/cloudrun-wrapper.sh) == "#!/bin/sh" ]]
}

@test "shellcheck: tests/peers/*.bash (libraries: variables set for the tests that load them are not 'unused')" {
	need shellcheck shellcheck
	lint_shell -s bash -e SC2034 -- tests/peers/*.bash
}

@test "shellcheck: tests/mocks/*.sh and *.bash" {
	need shellcheck shellcheck
	lint_shell tests/mocks/*.sh
	lint_shell -s bash -e SC2034 -- tests/mocks/*.bash
}

@test "shellcheck: tests/cli/helpers.bash (bats sets lines, output, stderr_lines)" {
	need shellcheck shellcheck
	lint_shell -s bash -e SC2034,SC2154 -- tests/cli/helpers.bash
}

@test "shellcheck: bench/*.sh, .ci/run, tests/*.sh, tests/valgrind/" {
	need shellcheck shellcheck
	lint_shell bench/*.sh .ci/run tests/*.sh tests/valgrind/run.sh \
	    tests/valgrind/iceupd
}

@test "shellcheck: tests/package/run.sh and tests/image/ (make package-test, make image-test)" {
	need shellcheck shellcheck
	lint_shell tests/package/run.sh tests/image/run.sh \
	    tests/image/neko-standin/record-env.sh
}

@test "the man page formats without warnings" {
	need groff groff-base
	[[ -f docs/iceupd.1 ]] || { echo "no docs/iceupd.1"; return 1; }
	run --separate-stderr groff -mandoc -Tutf8 -ww -z docs/iceupd.1
	if [[ $status -ne 0 || -n $stderr ]]; then
		printf 'groff: exit %s\n%s\n' "$status" "$stderr"
		return 1
	fi
	if command -v mandoc >/dev/null; then
		run mandoc -Tlint -Wwarning docs/iceupd.1
		[[ $status -eq 0 ]] || { echo "$output"; return 1; }
	fi
}

@test "YAML files parse" {
	local f n=0

	if ! python3 -c 'import yaml' 2>/dev/null; then
		skip "python3 has no yaml module (Debian package python3-yaml)"
	fi
	while IFS= read -r -d '' f; do
		n=$((n + 1))
		run python3 -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d is not None]
assert docs, "no document"
for d in docs:
    assert isinstance(d, dict), "a document is not a mapping"' "$f"
		if [[ $status -ne 0 ]]; then
			printf '%s does not parse:\n%s\n' "$f" "$output"
			return 1
		fi
	done < <(find . -path ./build -prune -o -path ./.git -prune -o \
	    \( -name '*.yaml' -o -name '*.yml' \) -type f -print0)
	[[ $n -gt 0 ]] || { echo "no YAML file found"; return 1; }
}

@test "sample env profiles: NAME=value lines, no quotes or shell syntax, only known names, no secret values" {
	local f line name n=0 known neko

	local bin=$BATS_TEST_DIRNAME/../../build/iceupd c
	known=$("$bin" --help
	    for c in fetch providers watch deploy check serve; do
		"$bin" help "$c"
	    done)
	known+=$'\n'$(<wrapper/cloudrun-wrapper.sh)
	# neko's own settings used by the profiles (see m1k1o/neko's config).
	neko="NEKO_SERVER_BIND NEKO_WEBRTC_ICELITE NEKO_ICESERVERS"
	for f in samples/profiles/*.env; do
		n=$((n + 1))
		while IFS= read -r line || [[ -n $line ]]; do
			[[ -z $line || $line == \#* ]] && continue
			if [[ ! $line =~ ^([A-Z][A-Z0-9_]*)=([^[:space:]\'\"\`\$\\\;\&\|\<\>\(\)]*)$ ]]; then
				printf '%s: not a plain NAME=value line:\n%s\n' "$f" "$line"
				return 1
			fi
			name=${BASH_REMATCH[1]}
			case $name in
			*_FILE) [[ $known == *"${name%_FILE}"* ]] || name=unknown ;;
			NEKO_*) [[ " $neko " == *" $name "* ]] || name=unknown ;;
			*) [[ $known == *"$name"* ]] || name=unknown ;;
			esac
			if [[ $name == unknown ]]; then
				printf '%s: unknown variable in:\n%s\n' "$f" "$line"
				return 1
			fi
			# Secrets only by file: no value for a secret's own name.
			case ${BASH_REMATCH[1]} in
			*TOKEN | *SECRET | *CREDENTIAL | *API_KEY | *PASSWORD)
				printf '%s: a secret given by value:\n%s\n' "$f" "$line"
				return 1
				;;
			esac
		done <"$f"
		# And a POSIX shell reads it as it is.
		sh -n "$f" || { echo "$f: sh -n failed"; return 1; }
	done
	[[ $n -ge 3 ]] || { echo "expected at least 3 profiles, found $n"; return 1; }
}

@test "every file the Dockerfile copies from the repository exists" {
	local src n=0

	while IFS= read -r src; do
		n=$((n + 1))
		if [[ ! -e $src ]]; then
			echo "container/Dockerfile copies $src, which does not exist"
			return 1
		fi
	done < <(dockerfile_sources container/Dockerfile)
	[[ $n -gt 0 ]] || { echo "no COPY found"; return 1; }
}

# dockerfile_sources FILE: the repository paths that COPY/ADD lines without
# --from take, one a line.
dockerfile_sources() {
	awk '
	/^[[:space:]]*#/ { next }
	{ line = line $0 }
	/\\$/ { sub(/\\$/, "", line); next }
	{
		n = split(line, w, /[[:space:]]+/)
		line = ""
		i = 1
		if (w[1] == "") i = 2
		if (toupper(w[i]) != "COPY" && toupper(w[i]) != "ADD") next
		from = 0
		for (j = i + 1; j <= n && w[j] ~ /^--/; j++)
			if (w[j] ~ /^--from=/) from = 1
		if (from) next
		last = n
		while (last > j && w[last] == "") last--
		for (k = j; k < last; k++) print w[k]
	}' "$1"
}

@test "layout: no circle of includes or calls, none running back up, the tree's limits (scripts/levels.py)" {
	local src=$BATS_TEST_TMPDIR/src

	run python3 scripts/levels.py
	[[ $status -eq 0 ]] || { echo "$output"; return 1; }
	# It sees one: the model including the engine above it.
	cp -a src "$src"
	sed -i '0,/^#include/s//#include "engine.h"\n#include/' "$src/ice.h"
	run python3 scripts/levels.py "$src"
	[[ $status -eq 1 && $output == *"circle: "*engine* ]] ||
	    { echo "$output"; return 1; }
	# And one made by a call alone: routes reading a query through http.c.
	rm -rf "$src" && cp -a src "$src"
	printf 'int\nserve_http_query(void)\n{\n\treturn 0;\n}\n' \
	    >>"$src/serve/http.c"
	printf 'static int\ncall_up(void)\n{\n\treturn serve_http_query();\n}\n' \
	    >>"$src/serve/routes.c"
	run python3 scripts/levels.py "$src"
	[[ $status -eq 1 && $output == *"circle: serve/http <-> serve/routes"* ]] ||
	    { echo "$output"; return 1; }
}
