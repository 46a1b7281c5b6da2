#!/usr/bin/env bats
# install.bats: the Makefile's ways out of the tree: `make install` and
# `make uninstall` into a DESTDIR (the same files, none left behind), the
# caller's CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags), `make dist`
# (the same bytes twice) and the one version they all carry.
# Runs make in the repository: `make install` uses build/iceupd and the
# completion scripts `make all` writes.

bats_require_minimum_version 1.5.0
load helpers

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	cd "$ROOT" || return 1
	T=$BATS_TEST_TMPDIR
	VERSION=$(make --no-print-directory version)
}

# files DIR: every entry under DIR that is not a folder, relative, sorted.
files() {
	(cd "$1" && find . ! -type d | sed 's#^\./##' | LC_ALL=C sort)
}

# expected BINDIR MANDIR BASHDIR ZSHDIR UNITDIR DOCDIR: what install puts
# there, relative to DESTDIR, sorted.
expected() {
	local s

	{
		echo "${1#/}/iceupd"
		echo "${2#/}/man1/iceupd.1"
		echo "${3#/}/iceupd"
		echo "${4#/}/_iceupd"
		echo "${5#/}/iceupd.service"
		echo "${5#/}/iceupd.timer"
		for s in samples/*.conf samples/*/*; do
			echo "${6#/}/examples/${s#samples/}"
		done
	} | LC_ALL=C sort
}

@test "make install PREFIX=/usr DESTDIR=...: binary, man page, completion, units running the installed binary, samples; uninstall leaves no file" {
	local d=$T/root unit

	run make --no-print-directory install PREFIX=/usr DESTDIR="$d"
	assert_status 0
	diff <(expected /usr/bin /usr/share/man \
	    /usr/share/bash-completion/completions /usr/share/zsh/site-functions \
	    /usr/lib/systemd/system /usr/share/doc/iceupd) <(files "$d")
	[[ -x $d/usr/bin/iceupd ]]
	[[ $("$d/usr/bin/iceupd" --version | head -n 1) == "iceupd $VERSION" ]]
	cmp "$d/usr/share/man/man1/iceupd.1" docs/iceupd.1
	cmp "$d/usr/share/bash-completion/completions/iceupd" \
	    <("$d/usr/bin/iceupd" completion bash)
	cmp "$d/usr/share/zsh/site-functions/_iceupd" \
	    <("$d/usr/bin/iceupd" completion zsh)
	cmp "$d/usr/share/doc/iceupd/examples/profiles/jitsi.env" \
	    samples/profiles/jitsi.env
	unit=$d/usr/lib/systemd/system/iceupd.service
	grep -qx 'ExecStart=/usr/bin/iceupd watch --once -o /run/iceupd/ice.json' \
	    "$unit" || { grep ExecStart "$unit"; return 1; }
	# The unit is the shipped one but for that line.
	diff <(grep -v '^ExecStart=' container/iceupd.service) \
	    <(grep -v '^ExecStart=' "$unit")
	cmp "$d/usr/lib/systemd/system/iceupd.timer" container/iceupd.timer
	[[ $(stat -c %a "$unit") == 644 ]]

	run make --no-print-directory uninstall PREFIX=/usr DESTDIR="$d"
	assert_status 0
	[[ -z $(files "$d") ]] || { files "$d"; return 1; }
	[[ ! -e $d/usr/share/doc/iceupd ]]
}

@test "make install: BINDIR, MANDIR, BASHCOMPDIR, ZSHCOMPDIR, SYSTEMDUNITDIR and DOCDIR each move their files, and the unit follows BINDIR" {
	local d=$T/root
	local -a dirs=(BINDIR=/opt/ice/sbin MANDIR=/opt/man
	    BASHCOMPDIR=/etc/bash_completion.d ZSHCOMPDIR=/opt/zsh
	    SYSTEMDUNITDIR=/etc/systemd/system DOCDIR=/opt/doc/ice)

	run make --no-print-directory install PREFIX=/nowhere DESTDIR="$d" "${dirs[@]}"
	assert_status 0
	diff <(expected /opt/ice/sbin /opt/man /etc/bash_completion.d /opt/zsh \
	    /etc/systemd/system /opt/doc/ice) <(files "$d")
	grep -q '^ExecStart=/opt/ice/sbin/iceupd ' \
	    "$d/etc/systemd/system/iceupd.service"
	run grep -E '^Exec[A-Za-z]*=.*/usr/local' "$d"/etc/systemd/system/*
	[[ $status -eq 1 ]] || { echo "$output"; return 1; }
	run make --no-print-directory uninstall PREFIX=/nowhere DESTDIR="$d" "${dirs[@]}"
	assert_status 0
	[[ -z $(files "$d") ]] || { files "$d"; return 1; }
}

@test "make takes CPPFLAGS, CFLAGS and LDFLAGS from its caller, its own flags after them" {
	local c l

	run make --no-print-directory -n -B build/iceupd \
	    CPPFLAGS='-DCALLER_CPP=1 -D_FORTIFY_SOURCE=2' CFLAGS='-O1 -fcaller' \
	    LDFLAGS='-Wl,-z,relro -Wl,-z,now'
	assert_status 0
	c=$(grep -m 1 -- ' -c -o build/obj/src/main.o ' <<<"$output")
	[[ $c == *' -DCALLER_CPP=1 -D_FORTIFY_SOURCE=2 -O1 -fcaller '*' -Werror '* ]] ||
	    { echo "compile: $c"; return 1; }
	[[ $c == *"-DICEUPD_VERSION='\"$VERSION\"'"* ]]
	l=$(grep -- ' -o build/iceupd ' <<<"$output")
	[[ $l == *' -O1 -fcaller -Wl,-z,relro -Wl,-z,now -o build/iceupd '* ]] ||
	    { echo "link: $l"; return 1; }
}

@test "one version: debian/changelog's first line, which iceupd --version and make version print" {
	[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || { echo "version '$VERSION'"; return 1; }
	[[ $(head -n 1 debian/changelog) == "iceupd ($VERSION) "* ]]
	[[ $("$ICEUPD" --version | head -n 1) == "iceupd $VERSION" ]]
	# No second copy of the number in the sources.
	run grep -rn --include='*.[ch]' -E '"[0-9]+\.[0-9]+\.[0-9]+"' src/
	[[ $status -eq 1 ]] || { echo "$output"; return 1; }
}

@test "make dist: build/iceupd-VERSION.tar.gz of HEAD, in iceupd-VERSION/, the same bytes when made twice" {
	local tgz=build/iceupd-$VERSION.tar.gz sum1 sum2

	git rev-parse --verify -q HEAD >/dev/null || skip "not a git checkout"
	rm -f "$tgz"
	run make --no-print-directory dist
	assert_status 0
	[[ -s $tgz ]]
	sum1=$(sha256sum "$tgz" | cut -d' ' -f1)
	cp "$tgz" "$T/first.tar.gz"
	# Another second: nothing of the clock goes in.
	sleep 1
	run make --no-print-directory dist
	assert_status 0
	sum2=$(sha256sum "$tgz" | cut -d' ' -f1)
	[[ $sum1 == "$sum2" ]] || { echo "$sum1 != $sum2"; return 1; }
	# Every file of HEAD, nothing else, owned by root, under one folder.
	diff <(git ls-tree -r --name-only HEAD | sed "s#^#iceupd-$VERSION/#" |
	    LC_ALL=C sort) \
	    <(tar -tzf "$tgz" | grep -v '/$' | LC_ALL=C sort)
	[[ -z $(tar -tvzf "$tgz" | awk '$2 != "root/root"') ]]
	tar -xzf "$tgz" -C "$T" "iceupd-$VERSION/debian/changelog"
	[[ $(head -n 1 "$T/iceupd-$VERSION/debian/changelog") == "iceupd ($VERSION) "* ]]
}
