#!/bin/sh
# Installs the Debian packages that building and testing iceupd need, and
# the npm packages the tests pin in tests/js/package-lock.json.
# With --bench, also what the benchmarks need.
# Idempotent: when everything is present it changes nothing and asks no one.
set -eu

PACKAGES="build-essential pkg-config ca-certificates
libcurl4-openssl-dev libssl-dev libcjson-dev libconfig-dev libexpat1-dev
libunistring-dev
check bats coturn jq openssl python3 prosody janus groff-base dash
shellcheck python3-yaml systemd curl libmicrohttpd-dev
chromium clang libclang-rt-14-dev valgrind python3-jsonschema"
command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"

# `install-deps.sh --bench` adds what the benchmarks need (make bench).
if [ "${1:-}" = "--bench" ]; then
	PACKAGES="$PACKAGES wrk"
fi

# The npm packages, exactly as locked, unless already installed so.
npm_packages() {
	js=$(dirname "$0")/../tests/js
	# node_modules/.iceupd-lock: the lock file it was installed from.
	if ! cmp -s "$js/package-lock.json" "$js/node_modules/.iceupd-lock"; then
		echo "install-deps: npm ci in tests/js" >&2
		(cd "$js" && npm ci --no-audit --no-fund --loglevel=error >&2 &&
		    cp package-lock.json node_modules/.iceupd-lock)
	fi
}

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
if [ -z "$missing" ]; then
	npm_packages
	exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
elif command -v sudo >/dev/null 2>&1; then
	SUDO="sudo"
else
	echo "install-deps: run as root to install:$missing" >&2
	exit 1
fi

echo "install-deps: installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >&2
npm_packages
