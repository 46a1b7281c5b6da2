#!/usr/bin/env bash
# build-static.sh: builds build/static/iceupd, one statically linked
# executable that needs nothing from the system it runs on but the kernel,
# a CA bundle for HTTPS and, for host names, /etc/resolv.conf and /etc/hosts.
#
# Called by `make static`, which passes in the environment:
#   ICEUPD_STATIC_SRCS    the program's sources (the Makefile's SRCS and main.c)
#   ICEUPD_STATIC_CFLAGS  the compiler flags of `make all`, less pkg-config's
#   ICEUPD_STATIC_PKGS    the pkg-config names the program links against
#   ICEUPD_STATIC_LIBS    the libraries it links against that have no
#                         pkg-config file (-lNAME; their static archives)
#   ICEUPD_STATIC_CC      the compiler
#
# Every library comes from Debian: the static archives of the -dev packages
# where Debian ships one (OpenSSL, nghttp2, c-ares, libconfig, expat,
# libunistring), and for the others the Debian source package, built here:
#   - libcurl, cut down to HTTP(S) and WebSocket (ws, wss) over OpenSSL, with
#     HTTP/2 (nghttp2) and c-ares as resolver.  c-ares reads /etc/resolv.conf
#     and /etc/hosts itself, so no glibc NSS module is loaded at run time.
#   - cJSON (libcjson-dev ships no static archive).
#   - libmicrohttpd without HTTPS (Debian's archive pulls in GnuTLS and
#     p11-kit, which cannot be linked statically; serve speaks plain HTTP).
# Sources and the install prefix live in build/deps/; each dependency is
# rebuilt only when its Debian version or its build recipe changes, so a
# second run only recompiles the program's changed sources and relinks.
# ICEUPD_DEPS_DIR puts them in a folder outside the checkout instead (CI
# keeps them across fresh clones), with build/deps a link to it.
#
# Quiet on success but for a summary; on failure it prints the end of the
# log of the step that failed.  `rm -rf build/deps` starts over.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
DEPS=$ROOT/build/deps
if [[ -n ${ICEUPD_DEPS_DIR:-} ]]; then
	# The physical path: the prefix is written into the built libraries'
	# pkg-config files, and must not name a checkout that may be gone.
	mkdir -p "$ICEUPD_DEPS_DIR" "$ROOT/build"
	DEPS=$(cd "$ICEUPD_DEPS_DIR" && pwd -P)
	[[ -d $ROOT/build/deps && ! -L $ROOT/build/deps ]] ||
	    ln -sfn "$DEPS" "$ROOT/build/deps"
fi
SRC=$DEPS/src
PREFIX=$DEPS/prefix
LOGS=$DEPS/log
OUT=$ROOT/build/static
JOBS=2
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt

# The build must not inherit the calling make's job server or flags.
unset MAKEFLAGS MFLAGS MAKELEVEL CFLAGS CPPFLAGS LDFLAGS LIBS
export LC_ALL=C

CC=${ICEUPD_STATIC_CC:-cc}
export CC

# Debian packages the static build needs, besides what `make deps` installs.
BUILD_PACKAGES="build-essential dpkg-dev pkg-config file ca-certificates
libssl-dev libconfig-dev libexpat1-dev libnghttp2-dev libc-ares-dev
libunistring-dev"

# libcurl's build recipe: what is left in.  Changing it rebuilds libcurl.
CURL_CONFIGURE=(
	--disable-shared --enable-static --with-pic
	--disable-dependency-tracking --disable-silent-rules
	--enable-optimize --disable-debug --disable-curldebug
	--disable-warnings --disable-werror
	--enable-symbol-hiding
	--with-openssl --with-nghttp2
	--enable-ares --disable-threaded-resolver
	--enable-websockets
	--enable-http --enable-proxy --enable-cookies --enable-http-auth
	--enable-ipv6 --enable-dateparse --enable-hsts --enable-alt-svc
	--disable-ftp --disable-file --disable-ldap --disable-ldaps
	--disable-rtsp --disable-dict --disable-telnet --disable-tftp
	--disable-pop3 --disable-imap --disable-smb --disable-smtp
	--disable-gopher --disable-mqtt
	--disable-manual --disable-libcurl-option --disable-netrc
	--disable-ntlm --disable-ntlm-wb --disable-kerberos-auth
	--disable-unix-sockets --disable-doh
	--without-zlib --without-brotli --without-zstd
	--without-libidn2 --without-libpsl --without-gssapi
	--without-librtmp --without-libssh2 --without-libssh --without-wolfssh
	--without-libgsasl --without-hyper
	--without-ngtcp2 --without-nghttp3 --without-quiche --without-msh3
	--without-gnutls --without-mbedtls --without-wolfssl --without-bearssl
	--without-rustls --without-nss
	"--with-ca-bundle=$CA_BUNDLE" --without-ca-path --without-ca-fallback
	--without-zsh-functions-dir --without-fish-functions-dir
)
CURL_CFLAGS="-O2 -g -ffunction-sections -fdata-sections"
CJSON_CFLAGS="-std=c89 -O2 -g -ffunction-sections -fdata-sections -fPIC"
MHD_CONFIGURE=(
	--disable-shared --enable-static --with-pic
	--disable-dependency-tracking --disable-doc --disable-examples
	--disable-curl --disable-https --without-gnutls
	--enable-epoll --disable-nls
)
MHD_CFLAGS="-O2 -g -ffunction-sections -fdata-sections"

step=""
log=/dev/null

die() {
	echo "build-static: $*" >&2
	exit 1
}

on_exit() {
	local rc=$?

	if [[ $rc -ne 0 && -n $step ]]; then
		echo "build-static: failed while $step" >&2
		if [[ -s $log ]]; then
			echo "--- last lines of $log" >&2
			tail -n 40 "$log" >&2
		fi
	fi
}
trap on_exit EXIT

# run LOGFILE CMD...: runs CMD with its output appended to LOGFILE.
run() {
	local f=$1

	shift
	log=$f
	"$@" >>"$f" 2>&1
}

as_root() {
	if [[ $(id -u) -eq 0 ]]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "run as root (or with sudo) to: $*"
	fi
}

# --- 1. build dependencies from Debian --------------------------------------

have_deb_src() {
	grep -rqsE '^[[:space:]]*(deb-src[[:space:]]|Types:.*deb-src)' \
	    /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null
}

# Writes a deb-src entry mirroring the machine's own Debian deb entries.
add_deb_src() {
	local f=/etc/apt/sources.list.d/iceupd-deb-src.sources
	local codename="" tmp

	tmp=$(mktemp)
	if [[ -f /etc/apt/sources.list.d/debian.sources ]] &&
	    grep -q '^Types:.*deb' /etc/apt/sources.list.d/debian.sources; then
		{
			echo "# Debian source packages, for scripts/build-static.sh."
			sed -E 's/^Types:.*/Types: deb-src/' \
			    /etc/apt/sources.list.d/debian.sources
		} >"$tmp"
	elif grep -qsE '^deb[[:space:]]' /etc/apt/sources.list; then
		# One-line entries go in a .list file (.sources is deb822).
		f=/etc/apt/sources.list.d/iceupd-deb-src.list
		{
			echo "# Debian source packages, for scripts/build-static.sh."
			sed -nE 's/^deb([[:space:]])/deb-src\1/p' \
			    /etc/apt/sources.list
		} >"$tmp"
	else
		# shellcheck disable=SC1091
		codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
		[[ -n $codename ]] || die "no Debian release name in /etc/os-release"
		cat >"$tmp" <<EOF
# Debian source packages, for scripts/build-static.sh.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $codename-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
	fi
	chmod 0644 "$tmp"
	as_root install -m 0644 "$tmp" "$f"
	rm -f "$tmp"
}

install_build_deps() {
	local missing="" p status update=0

	for p in $BUILD_PACKAGES; do
		status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
		[[ $status == *"install ok installed"* ]] || missing="$missing $p"
	done
	if ! have_deb_src; then
		add_deb_src
		update=1
	fi
	[[ -n $missing ]] && update=1
	# Source indexes never fetched yet (deb-src added by hand, say).
	if [[ $update -eq 0 ]] &&
	    [[ -z $(apt-cache showsrc --only-source curl 2>/dev/null) ]]; then
		update=1
	fi
	[[ $update -eq 1 ]] || return 0

	step="installing build dependencies:${missing:- (source indexes)}"
	mkdir -p "$LOGS"
	: >"$LOGS/apt.log"
	export DEBIAN_FRONTEND=noninteractive
	run "$LOGS/apt.log" as_root apt-get update -q
	if [[ -n $missing ]]; then
		# shellcheck disable=SC2086
		run "$LOGS/apt.log" as_root apt-get install -y -q \
		    --no-install-recommends $missing
		echo "build-static: installed:$missing"
	fi
}

# --- 2. Debian source packages ------------------------------------------------

# fetch_source NAME: unpacks Debian's source package NAME (with Debian's
# patches applied) under $SRC, unless that version is already there.
# Sets FETCHED to the source folder.
fetch_source() {
	local name=$1 want dir

	want=$(apt-cache showsrc --only-source "$name" 2>/dev/null |
	    sed -n 's/^Version: //p' | sort -V | tail -n 1)
	[[ -n $want ]] || die "no Debian source package '$name' (deb-src?)"
	if [[ -f $SRC/$name.version && -f $SRC/$name.dir &&
	    $(cat "$SRC/$name.version") == "$want" &&
	    -d $(cat "$SRC/$name.dir") ]]; then
		FETCHED=$(cat "$SRC/$name.dir")
		return 0
	fi
	step="fetching the Debian source of $name $want"
	mkdir -p "$SRC/$name.tmp" "$LOGS"
	rm -rf "${SRC:?}/$name.tmp/"*
	: >"$LOGS/source-$name.log"
	# apt-get source unpacks into the current folder, as _apt when it can.
	chmod 0755 "$SRC/$name.tmp"
	(cd "$SRC/$name.tmp" &&
	    run "$LOGS/source-$name.log" apt-get source -q "$name=$want")
	dir=$(find "$SRC/$name.tmp" -mindepth 1 -maxdepth 1 -type d | head -n 1)
	[[ -n $dir ]] || die "apt-get source $name left no folder"
	rm -rf "${SRC:?}/$name"
	mv "$SRC/$name.tmp" "$SRC/$name"
	dir=$SRC/$name/$(basename "$dir")
	echo "$dir" >"$SRC/$name.dir"
	echo "$want" >"$SRC/$name.version"
	FETCHED=$dir
}

# recipe_key TEXT...: a short hash of what a dependency is built from.
recipe_key() {
	printf '%s\n' "$@" | sha256sum | cut -c1-16
}

# --- 3. libcurl ----------------------------------------------------------------

build_curl() {
	local dir version key b

	fetch_source curl
	dir=$FETCHED
	version=$(cat "$SRC/curl.version")
	key=$(recipe_key "$version" "$CC" "$CURL_CFLAGS" "${CURL_CONFIGURE[@]}" \
	    "$(dpkg-query -W -f='${Version}' libssl-dev libnghttp2-dev \
	    libc-ares-dev)")
	if [[ -f $PREFIX/.curl.key && $(cat "$PREFIX/.curl.key") == "$key" &&
	    -f $PREFIX/lib/libcurl.a ]]; then
		return 0
	fi
	built_something=1
	b=$DEPS/build/curl
	rm -rf "$b" "$PREFIX/include/curl" "$PREFIX/lib/libcurl".* \
	    "$PREFIX/lib/pkgconfig/libcurl.pc"
	mkdir -p "$b" "$PREFIX"
	: >"$LOGS/curl.log"

	# Debian's source package carries two patches on top of its series
	# that rename the library for its GnuTLS and NSS flavours
	# (debian/rules pops them for the OpenSSL one): take them off.
	step="preparing the curl source"
	if [[ ! -f $dir/.iceupd-unflavoured ]]; then
		for p in 99_nss 90_gnutls; do
			if [[ -f $dir/debian/patches/$p.patch ]] &&
			    patch -d "$dir" -p1 -R -s -f --dry-run \
			    <"$dir/debian/patches/$p.patch" >/dev/null 2>&1; then
				run "$LOGS/curl.log" patch -d "$dir" -p1 -R -s \
				    <"$dir/debian/patches/$p.patch"
			fi
		done
		touch "$dir/.iceupd-unflavoured"
	fi

	step="configuring libcurl (log: build/deps/log/curl.log)"
	(cd "$b" && run "$LOGS/curl.log" "$dir/configure" \
	    --prefix="$PREFIX" CFLAGS="$CURL_CFLAGS" \
	    CPPFLAGS="-DCURL_PATCHSTAMP=\\\"$version\\\"" \
	    "${CURL_CONFIGURE[@]}")
	step="building libcurl (log: build/deps/log/curl.log)"
	run "$LOGS/curl.log" make -C "$b/lib" -j"$JOBS"
	run "$LOGS/curl.log" make -C "$b/lib" install
	run "$LOGS/curl.log" make -C "$b/include" install
	run "$LOGS/curl.log" make -C "$b" install-pkgconfigDATA \
	    install-binSCRIPTS
	echo "$key" >"$PREFIX/.curl.key"
}

# --- 4. cJSON -----------------------------------------------------------------

build_cjson() {
	local dir version key b

	fetch_source cjson
	dir=$FETCHED
	version=$(cat "$SRC/cjson.version")
	key=$(recipe_key "$version" "$CC" "$CJSON_CFLAGS")
	if [[ -f $PREFIX/.cjson.key && $(cat "$PREFIX/.cjson.key") == "$key" &&
	    -f $PREFIX/lib/libcjson.a ]]; then
		return 0
	fi
	built_something=1
	step="building cJSON (log: build/deps/log/cjson.log)"
	b=$DEPS/build/cjson
	rm -rf "$b"
	mkdir -p "$b" "$PREFIX/lib/pkgconfig" "$PREFIX/include/cjson"
	: >"$LOGS/cjson.log"
	# shellcheck disable=SC2086
	run "$LOGS/cjson.log" "$CC" $CJSON_CFLAGS -c -o "$b/cJSON.o" \
	    "$dir/cJSON.c"
	rm -f "$PREFIX/lib/libcjson.a"
	run "$LOGS/cjson.log" ar rcs "$PREFIX/lib/libcjson.a" "$b/cJSON.o"
	install -m 0644 "$dir/cJSON.h" "$PREFIX/include/cjson/cJSON.h"
	cat >"$PREFIX/lib/pkgconfig/libcjson.pc" <<EOF
prefix=$PREFIX
libdir=\${prefix}/lib
includedir=\${prefix}/include

Name: libcjson
Version: ${version%%-*}
Description: Ultralightweight JSON parser in ANSI C (static, Debian $version)
Libs: \${libdir}/libcjson.a
Libs.private: -lm
Cflags: -I\${includedir}
EOF
	echo "$key" >"$PREFIX/.cjson.key"
}

# --- 4b. libmicrohttpd ----------------------------------------------------------

build_microhttpd() {
	local dir version key b

	fetch_source libmicrohttpd
	dir=$FETCHED
	version=$(cat "$SRC/libmicrohttpd.version")
	key=$(recipe_key "$version" "$CC" "$MHD_CFLAGS" "${MHD_CONFIGURE[@]}")
	if [[ -f $PREFIX/.microhttpd.key &&
	    $(cat "$PREFIX/.microhttpd.key") == "$key" &&
	    -f $PREFIX/lib/libmicrohttpd.a ]]; then
		return 0
	fi
	built_something=1
	b=$DEPS/build/microhttpd
	rm -rf "$b" "$PREFIX/lib/libmicrohttpd".* \
	    "$PREFIX/lib/pkgconfig/libmicrohttpd.pc"
	mkdir -p "$b" "$PREFIX"
	: >"$LOGS/microhttpd.log"
	step="configuring libmicrohttpd (log: build/deps/log/microhttpd.log)"
	(cd "$b" && run "$LOGS/microhttpd.log" "$dir/configure" \
	    --prefix="$PREFIX" CFLAGS="$MHD_CFLAGS" "${MHD_CONFIGURE[@]}")
	step="building libmicrohttpd (log: build/deps/log/microhttpd.log)"
	run "$LOGS/microhttpd.log" make -C "$b/src/microhttpd" -j"$JOBS"
	run "$LOGS/microhttpd.log" make -C "$b/src/microhttpd" install
	run "$LOGS/microhttpd.log" make -C "$b/src/include" install
	run "$LOGS/microhttpd.log" make -C "$b" install-pkgconfigDATA
	echo "$key" >"$PREFIX/.microhttpd.key"
}

# --- 5. the program -------------------------------------------------------------

# compile SRC OBJ: one translation unit with the flags of `make all`.
compile() {
	mkdir -p "$(dirname "$2")"
	"$CC" "${CFLAGS_WORDS[@]}" -c -o "$2" "$1"
}

build_program() {
	local s o p newest_hdr="" h stamp key lkey fail=0 need=0
	local -a srcs=() todo=() objs=() libs=() pids=()

	[[ -n ${ICEUPD_STATIC_SRCS:-} ]] ||
	    die "ICEUPD_STATIC_SRCS is empty: run 'make static'"
	# Each source once, in the order given (main.c may join SRCS one day).
	# shellcheck disable=SC2086
	read -r -a srcs <<<"$(printf '%s\n' $ICEUPD_STATIC_SRCS | awk '!seen[$0]++' |
	    tr '\n' ' ')"
	# The flags are shell words, as make hands them to the shell.
	eval "CFLAGS_WORDS=( ${ICEUPD_STATIC_CFLAGS:-} )"
	export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
	# shellcheck disable=SC2207,SC2086
	CFLAGS_WORDS+=( $(pkg-config --cflags $PKGS) )
	# shellcheck disable=SC2207,SC2086,SC2206 # words, as make gives them
	libs=( $(pkg-config --static --libs $PKGS) ${ICEUPD_STATIC_LIBS:-}
	    -pthread )

	mkdir -p "$OUT/obj"
	# Objects are rebuilt when the flags, a header or the libraries'
	# headers change, or their source is newer.
	key=$(recipe_key "$CC" "${CFLAGS_WORDS[@]}" "$(cat "$PREFIX/.curl.key" \
	    "$PREFIX/.cjson.key" "$PREFIX/.microhttpd.key")")
	stamp=$OUT/obj/.key
	if [[ ! -f $stamp || $(cat "$stamp") != "$key" ]]; then
		rm -rf "$OUT/obj"
		mkdir -p "$OUT/obj"
	fi
	for h in src/*.h src/*/*.h; do
		[[ -e $h ]] || continue
		if [[ -z $newest_hdr || $h -nt $newest_hdr ]]; then
			newest_hdr=$h
		fi
	done
	step="compiling the program"
	log=/dev/null
	for s in "${srcs[@]}"; do
		o=$OUT/obj/${s%.c}.o
		objs+=("$o")
		if [[ ! -f $o || $s -nt $o || ( -n $newest_hdr && $newest_hdr -nt $o ) ]]; then
			todo+=("$s")
		fi
	done
	# $JOBS compilers at a time; each one waited for by its pid.
	for s in "${todo[@]}"; do
		if [[ ${#pids[@]} -ge $JOBS ]]; then
			wait "${pids[0]}" || fail=1
			pids=("${pids[@]:1}")
		fi
		compile "$s" "$OUT/obj/${s%.c}.o" &
		pids+=($!)
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail=1
	done
	[[ $fail -eq 0 ]] || die "compilation failed"
	echo "$key" >"$stamp"

	# Relinked when an object or library is newer, or the list changed.
	lkey=$(recipe_key "${objs[@]}" "${libs[@]}")
	[[ -f $OUT/.link.key && $(cat "$OUT/.link.key") == "$lkey" ]] || need=1
	for o in "${objs[@]}" "$PREFIX/lib/libcurl.a" "$PREFIX/lib/libcjson.a" \
	    "$PREFIX/lib/libmicrohttpd.a"; do
		[[ -f $OUT/iceupd && ! $o -nt $OUT/iceupd ]] || need=1
	done
	[[ $need -eq 1 || ${#todo[@]} -gt 0 ]] || return 0

	step="linking build/static/iceupd (log: build/deps/log/link.log)"
	: >"$LOGS/link.log"
	run "$LOGS/link.log" "$CC" -static -O2 -Wl,--gc-sections \
	    -o "$OUT/iceupd.full" "${objs[@]}" "${libs[@]}"
	run "$LOGS/link.log" objcopy --only-keep-debug "$OUT/iceupd.full" \
	    "$OUT/iceupd.debug"
	run "$LOGS/link.log" strip --strip-all -o "$OUT/iceupd.tmp" \
	    "$OUT/iceupd.full"
	run "$LOGS/link.log" objcopy --add-gnu-debuglink="$OUT/iceupd.debug" \
	    "$OUT/iceupd.tmp"
	rm -f "$OUT/iceupd.full"
	mv -f "$OUT/iceupd.tmp" "$OUT/iceupd"
	echo "$lkey" >"$OUT/.link.key"
	linked=built
	check_nss_warnings "$LOGS/link.log"
}

# Static glibc warns about each function it can only serve by loading NSS
# modules (or other shared objects) at run time.  These are linked in but
# never called when the program runs:
#   dlopen         OpenSSL's DSO loader (only for engines or providers named
#                  in an openssl.cnf)
#   getaddrinfo, gethostbyname
#                  OpenSSL's BIO_lookup / BIO_gethostbyname (libcurl opens
#                  its own sockets and resolves through c-ares); getaddrinfo
#                  is also how the STUN/TURN probe (check, --verify) resolves
#                  relay names: numeric addresses always work, names only
#                  where glibc's NSS modules are installed
#   getservbyname  c-ares for a non-numeric service (libcurl passes the port
#                  as a number with ARES_AI_NUMERICSERV)
#   getservbyport_r
#                  c-ares's ares_getnameinfo (not used by libcurl)
# Any other one is reported, so that a new use of NSS does not go unseen.
check_nss_warnings() {
	local fn known=" dlopen getaddrinfo gethostbyname getservbyname getservbyport_r "

	# shellcheck disable=SC2013
	for fn in $(sed -nE "s/.*warning: Using '([a-z_0-9]+)' in statically linked.*/\1/p" "$1" | sort -u); do
		[[ $known == *" $fn "* ]] && continue
		echo "build-static: warning: the static binary calls $fn," \
		    "which needs glibc's shared NSS modules at run time" \
		    "(see build/deps/log/link.log)" >&2
	done
}

# --- 6. checks and summary ------------------------------------------------------

check_static() {
	local f=$OUT/iceupd info

	step="checking build/static/iceupd"
	info=$(file -b "$f")
	[[ $info == *"statically linked"* ]] ||
	    die "$f is not statically linked: $info"
	if readelf -d "$f" 2>/dev/null | grep -q NEEDED; then
		die "$f needs shared libraries"
	fi
	"$f" --version >/dev/null || die "$f --version failed"
}

debver() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "?"
}

summary() {
	local f=$OUT/iceupd size cc=$PREFIX/bin/curl-config

	size=$(stat -c %s "$f")
	printf 'build-static: build/static/iceupd %s: %d KiB, stripped, static x86-64\n' \
	    "${linked:-up to date}" $((size / 1024))
	printf 'build-static: libcurl %s (Debian %s): %s; %s\n' \
	    "$("$cc" --version | cut -d' ' -f2)" "$(cat "$SRC/curl.version")" \
	    "$("$cc" --protocols | tr 'A-Z\n' 'a-z ' | sed 's/ $//')" \
	    "$("$cc" --features | tr '\n' ' ' | sed 's/ $//')"
	printf 'build-static: cJSON %s, libmicrohttpd %s, OpenSSL %s, nghttp2 %s, c-ares %s, libconfig %s, expat %s (Debian)\n' \
	    "$(cat "$SRC/cjson.version")" \
	    "$(cat "$SRC/libmicrohttpd.version")" "$(debver libssl-dev)" \
	    "$(debver libnghttp2-dev)" "$(debver libc-ares-dev)" \
	    "$(debver libconfig-dev)" "$(debver libexpat1-dev)"
	if [[ $size -gt $((8 * 1024 * 1024)) ]]; then
		echo "build-static: warning: larger than 8 MiB" >&2
	fi
}

main() {
	local t0=$SECONDS

	PKGS=${ICEUPD_STATIC_PKGS:-libcurl openssl libcjson libconfig expat}
	built_something=0
	linked=""
	mkdir -p "$DEPS" "$SRC" "$PREFIX" "$LOGS" "$OUT"
	install_build_deps
	build_curl
	build_cjson
	build_microhttpd
	build_program
	check_static
	step=""
	summary
	if [[ $built_something -eq 1 ]]; then
		echo "build-static: dependencies built in $((SECONDS - t0)) s"
	fi
}

main "$@"
