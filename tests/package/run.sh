#!/usr/bin/env bash
# tests/package/run.sh: builds the Debian package from a clean clone of
# HEAD (dpkg-buildpackage -us -uc -b), then checks it: lintian finds no
# error, hardening-check finds PIE, stack protector, fortify, RELRO and
# bind-now, the files and paths are the ones the README promises, the
# units run /usr/bin/iceupd and nothing enables the timer, the version is
# debian/changelog's and iceupd --version's.  Lists the package's files.
#
# Needs debhelper, lintian and devscripts (scripts/install-deps.sh) and the
# build dependencies of debian/control.  Works in a temporary folder,
# removed at the end; KEEP=1 keeps it.  Exit 0 when every check passes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/iceupd-package.XXXXXX")
fail=0

# shellcheck disable=SC2317 # run by the trap
cleanup() {
	if [[ -n ${KEEP-} ]]; then
		echo "package: kept $T"
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT

bad() {
	echo "package: FAIL: $*" >&2
	fail=1
}

for tool in dpkg-buildpackage lintian hardening-check; do
	command -v "$tool" >/dev/null ||
	    { echo "package: no $tool (sh scripts/install-deps.sh)" >&2; exit 1; }
done

# A clean clone: only what is committed, no build/ of the worktree.
git clone -q --no-hardlinks "$ROOT" "$T/iceupd"
version=$(make -s -C "$T/iceupd" --no-print-directory version)
(cd "$T/iceupd" && dpkg-buildpackage -us -uc -b -j2 >"$T/build.log" 2>&1) ||
    { tail -n 40 "$T/build.log"; echo "package: FAIL: dpkg-buildpackage" >&2; exit 1; }
deb=$T/iceupd_${version}_$(dpkg --print-architecture).deb
[[ -f $deb ]] || { ls "$T"; echo "package: FAIL: no $deb" >&2; exit 1; }

echo "== contents of $(basename "$deb")"
dpkg-deb -c "$deb"

echo "== lintian"
lintian --fail-on error "$deb" ||
    bad "lintian reports an error"

echo "== hardening-check"
dpkg-deb -x "$deb" "$T/root"
dpkg-deb -e "$deb" "$T/control"
# Control-flow protection (CET) is not among dpkg-buildflags' defaults.
hc=(hardening-check --nocfprotection)
"${hc[@]}" "$T/root/usr/bin/iceupd" || bad "hardening-check"
out=$("${hc[@]}" "$T/root/usr/bin/iceupd" || true)
for want in 'Position Independent Executable: yes' 'Stack protected: yes' \
    'Fortify Source functions: yes' 'Read-only relocations: yes' \
    'Immediate binding: yes'; do
	grep -qF "$want" <<<"$out" || bad "hardening-check: not '$want'"
done

echo "== files and fields"
for f in usr/bin/iceupd usr/share/man/man1/iceupd.1.gz \
    usr/share/bash-completion/completions/iceupd \
    usr/share/zsh/vendor-completions/_iceupd \
    usr/lib/systemd/system/iceupd.service usr/lib/systemd/system/iceupd.timer \
    usr/share/doc/iceupd/copyright \
    usr/share/doc/iceupd/examples/iceupd.conf \
    usr/share/doc/iceupd/examples/profiles/selfhosted-coturn.env; do
	[[ -f $T/root/$f ]] || bad "no /$f"
done
[[ $(stat -c %a "$T/root/usr/bin/iceupd") == 755 ]] || bad "/usr/bin/iceupd not 0755"
grep -qx 'ExecStart=/usr/bin/iceupd watch --once -o /run/iceupd/ice.json' \
    "$T/root/usr/lib/systemd/system/iceupd.service" ||
    bad "iceupd.service does not run /usr/bin/iceupd"
if grep -qE '^Exec[A-Za-z]*=.*/usr/local' "$T"/root/usr/lib/systemd/system/*; then
	bad "a unit runs something in /usr/local"
fi
# Installed, not enabled: no maintainer script enables or starts a unit.
if grep -qsE 'deb-systemd-helper (enable|unmask)|systemctl.*(start|enable)' \
    "$T/control/postinst"; then
	bad "postinst enables or starts a unit"
fi
[[ -z $(find "$T/root/etc" -path '*wants*' 2>/dev/null) ]] ||
    bad "the package ships an enablement link"
[[ $(dpkg-deb -f "$deb" Version) == "$version" ]] ||
    bad "package version $(dpkg-deb -f "$deb" Version), make version $version"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libcjson1 libconfig9 libexpat1 libmicrohttpd12 libssl3; do
	[[ $depends == *"$lib"* ]] || bad "Depends lacks $lib: $depends"
done
# The binary runs where it is installed, with the libraries it depends on.
v=$("$T/root/usr/bin/iceupd" --version | head -n 1)
[[ $v == "iceupd $version" ]] || bad "--version says '$v', the package $version"

if [[ $fail -eq 0 ]]; then
	echo "package: ok: $(basename "$deb") ($depends)"
fi
exit "$fail"
