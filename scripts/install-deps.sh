#!/bin/sh
# Installs the Debian packages that building and testing iceupd need.
# With --bench, also what the benchmarks need.
# Idempotent: when everything is present it changes nothing and asks no one.
set -eu

PACKAGES="build-essential pkg-config ca-certificates
libcurl4-openssl-dev libssl-dev libcjson-dev libconfig-dev libexpat1-dev
check bats coturn jq openssl python3 prosody groff-base dash
shellcheck python3-yaml systemd curl libmicrohttpd-dev
chromium clang libclang-rt-14-dev valgrind"

# `install-deps.sh --bench` adds what the benchmarks need (make bench).
if [ "${1:-}" = "--bench" ]; then
	PACKAGES="$PACKAGES wrk"
	command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
fi

missing=""
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

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
