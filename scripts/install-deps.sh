#!/bin/sh
# Installs the Debian packages that building and testing iceupd need, and
# the npm packages the tests pin in tests/js/package-lock.json.
#   --build   only what `make` and `make static` need (no test tools, no
#             npm): what container/Dockerfile's build stage installs
#   --bench   also what the benchmarks need (make bench)
#   --image   also what the image test needs (make image-test)
#   --list    print the chosen Debian packages, one a line; install nothing
# Idempotent: when everything is present it changes nothing and asks no one.
set -eu

# `make` (the dynamic build); `make static` adds its own in build-static.sh.
BUILD="build-essential pkg-config ca-certificates
libcurl4-openssl-dev libssl-dev libcjson-dev libconfig-dev libexpat1-dev
libunistring-dev libmicrohttpd-dev"
# The tests, the Debian package's test (debhelper, lintian, devscripts),
# the fuzzers and valgrind.
TEST="check bats coturn jq openssl python3 prosody janus groff-base dash
shellcheck python3-yaml systemd curl
chromium clang libclang-rt-14-dev valgrind python3-jsonschema
debhelper lintian devscripts"

build_only=0
list=0
extra=""
for arg in "$@"; do
	case $arg in
	--build) build_only=1 ;;
	--bench) extra="$extra wrk" ;;
	--image) extra="$extra buildah debootstrap" ;;
	--list) list=1 ;;
	*)
		echo "install-deps: unknown option '$arg'" \
		    "(--build, --bench, --image, --list)" >&2
		exit 2
		;;
	esac
done
if [ "$build_only" -eq 1 ]; then
	if [ -n "$extra" ]; then
		echo "install-deps: --build goes alone" >&2
		exit 2
	fi
	PACKAGES=$BUILD
else
	PACKAGES="$BUILD $TEST$extra"
	command -v node >/dev/null 2>&1 || PACKAGES="$PACKAGES nodejs"
	command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
fi
if [ "$list" -eq 1 ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $PACKAGES
	exit 0
fi

# The npm packages, exactly as locked, unless already installed so (the
# tests' only: not with --build).
npm_packages() {
	[ "$build_only" -eq 0 ] || return 0
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
