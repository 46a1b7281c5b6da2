#!/usr/bin/env bash
# tests/image/run.sh (make image-test): builds container/Dockerfile's two
# targets for real with buildah and runs them.  Registries cannot be
# reached, so the base images are made here: Debian 12 by debootstrap,
# tagged as the names the Dockerfile asks for (debian:12, debian:12-slim),
# and neko's image by a stand-in (neko-standin/): supervisord with one
# program that records its environment.  Checks:
#   - the job image runs as uid 65532, its entrypoint iceupd, and
#     `iceupd --version` prints the version of this tree;
#   - in the job image, `iceupd fetch --verify` against a coturn on the
#     host's loopback keeps the relays that answer, drops a dead one;
#   - the neko image's entrypoint and CMD, as built: the supervised program
#     gets NEKO_ICESERVERS with that coturn in it, and no provider secret.
#
# As root (debootstrap, buildah --isolation chroot with the vfs driver; no
# daemon, no user namespaces).  Needs buildah, debootstrap and coturn
# (sh scripts/install-deps.sh --image) and the Debian mirror.
#
# Kept between runs, outside the clone, in $ICEUPD_IMAGE_CACHE
# (/var/cache/iceupd-image-test): the debootstrap tarball, buildah's
# storage (base images, the stand-in, the build's layers), the static
# build's dependencies (build/deps of the build stage) and the downloaded
# Debian packages.  The images built and their layers are removed at the
# end (vfs copies a whole tree per layer).  The first run takes about 9
# minutes on 2 cores (debootstrap, the stand-in, the static build's
# libcurl); a second one about 2, the build stage installing from the
# cached packages and relinking from the cached libraries.  `rm -rf` the
# cache to start over.  Exit 0 when every check passes.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/image
CACHE=${ICEUPD_IMAGE_CACHE:-/var/cache/iceupd-image-test}
MIRROR=${ICEUPD_IMAGE_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
JOB=localhost/iceupd-image-test/job:latest
NEKO=localhost/iceupd-image-test/neko:latest
NEKO_BASE=ghcr.io/m1k1o/neko/firefox:latest
fail=0
t0=$SECONDS
T=""
COTURN_PID=""

say() {
	echo "image-test: $*"
}

die() {
	echo "image-test: $*" >&2
	exit 1
}

bad() {
	echo "image-test: FAIL: $*" >&2
	fail=1
}

# bh ARGS...: buildah on the test's own storage, niced (builds are long).
BH=(nice -n 10 buildah --root "$CACHE/storage" --runroot "$CACHE/run"
    --storage-driver vfs)
bh() {
	"${BH[@]}" "$@"
}

# shellcheck disable=SC2317 # run by the trap
cleanup() {
	local c

	# The built images and their layers go (vfs copies a whole tree per
	# layer); the base images and the stand-in stay.
	if [[ -n $T ]]; then
		bh rm --all >/dev/null 2>&1 || true
		bh rmi -f "$JOB" "$NEKO" >/dev/null 2>&1 || true
		bh rmi --prune >/dev/null 2>&1 || true
	fi
	coturn_stop "$COTURN_PID" >/dev/null 2>&1 || true
	if [[ -n $T ]]; then
		rm -rf "$T"
	fi
}
trap cleanup EXIT

[[ $(id -u) -eq 0 ]] || die "run as root (debootstrap, buildah)"
for tool in buildah debootstrap turnserver jq; do
	command -v "$tool" >/dev/null ||
	    die "no $tool: sh scripts/install-deps.sh --image"
done
# shellcheck source=tests/peers/coturn.bash
. "$ROOT/tests/peers/coturn.bash"
export BUILDAH_ISOLATION=chroot
mkdir -p "$CACHE/static-deps" "$CACHE/apt-archives/partial"
T=$(mktemp -d "${TMPDIR:-/tmp}/iceupd-image.XXXXXX")

# --- base images -----------------------------------------------------------

# Debian 12 (minbase) as a tarball, made once.
rootfs=$CACHE/debian-$SUITE-minbase.tar.gz
if [[ ! -s $rootfs ]]; then
	say "debootstrap $SUITE from $MIRROR (once)"
	debootstrap --variant=minbase "$SUITE" "$T/rootfs" "$MIRROR" \
	    >"$T/debootstrap.log" 2>&1 ||
	    { tail -n 20 "$T/debootstrap.log"; die "debootstrap failed"; }
	rm -rf "$T/rootfs/var/cache/apt/archives/"*.deb
	tar -C "$T/rootfs" --numeric-owner -czf "$rootfs.tmp" .
	mv "$rootfs.tmp" "$rootfs"
	rm -rf "$T/rootfs"
fi
# Imported under the names the Dockerfile uses, unless there from this
# very tarball (the label says which).
sum=$(sha256sum "$rootfs" | cut -c1-16)
have=$(bh inspect --type image --format '{{index .OCIv1.Config.Labels "iceupd.rootfs"}}' \
    docker.io/library/debian:12 2>/dev/null || true)
if [[ $have != "$sum" ]]; then
	say "importing the Debian 12 base image"
	c=$(bh from --pull=never scratch)
	bh add "$c" "$rootfs" / >/dev/null
	bh config --cmd /bin/bash --label "iceupd.rootfs=$sum" "$c"
	bh commit --rm -q "$c" docker.io/library/debian:12 >/dev/null
fi
bh tag docker.io/library/debian:12 docker.io/library/debian:12-slim

# The neko stand-in, rebuilt when its files or the base change.
sum=$(cat "$HERE"/neko-standin/* <(echo "$sum") | sha256sum | cut -c1-16)
have=$(bh inspect --type image --format '{{index .OCIv1.Config.Labels "iceupd.standin"}}' \
    "$NEKO_BASE" 2>/dev/null || true)
if [[ $have != "$sum" ]]; then
	say "building the neko stand-in"
	bh bud --pull=never --layers=false -q \
	    --label "iceupd.standin=$sum" \
	    -v "$CACHE/apt-archives:/var/cache/apt/archives" \
	    -f "$HERE/neko-standin/Containerfile" -t "$NEKO_BASE" \
	    "$HERE/neko-standin" >"$T/standin.log" 2>&1 ||
	    { tail -n 30 "$T/standin.log"; die "the neko stand-in did not build"; }
fi

# --- the images, as a user builds them --------------------------------------

# build TARGET TAG: container/Dockerfile's TARGET from the top of the tree.
# The build stage's build/deps and apt's downloads are the cache's.
build() {
	local t1=$SECONDS

	bh bud --pull=never --layers \
	    -v "$CACHE/static-deps:/src/build/deps" \
	    -v "$CACHE/apt-archives:/var/cache/apt/archives" \
	    -f container/Dockerfile --target "$1" -t "$2" . \
	    >"$T/build-$1.log" 2>&1 ||
	    { tail -n 40 "$T/build-$1.log"; die "the $1 target did not build"; }
	say "built the $1 target in $((SECONDS - t1)) s"
}

cd "$ROOT"
version=$(make -s --no-print-directory version)
build job "$JOB"
build neko "$NEKO"

# --- the job image -------------------------------------------------------------

c=$(bh from --pull=never "$JOB")
entry=$(bh inspect --type container "$c" | jq -c .OCIv1.config.Entrypoint)
[[ $entry == '["/usr/local/bin/iceupd"]' ]] || bad "job entrypoint $entry"
out=$(bh run "$c" -- sh -c 'id -u; id -g; /usr/local/bin/iceupd --version' 2>&1) ||
    bad "job: iceupd --version failed: $out"
[[ $(sed -n 1p <<<"$out") == 65532 && $(sed -n 2p <<<"$out") == 65532 ]] ||
    bad "job: not uid/gid 65532: $out"
[[ $(sed -n 3p <<<"$out") == "iceupd $version" ]] ||
    bad "job: --version says '$(sed -n 3p <<<"$out")', the tree $version"
say "job: $(sed -n 3p <<<"$out"), as uid $(sed -n 1p <<<"$out")"

secret="image-$RANDOM$RANDOM-secret"
coturn_start --realm=iceupd.test --use-auth-secret \
    --static-auth-secret="$secret" || die "coturn did not start"
live_udp="turn:127.0.0.1:$COTURN_PORT?transport=udp"
live_tcp="turn:127.0.0.1:$COTURN_PORT?transport=tcp"
dead="turn:127.0.0.1:9?transport=tcp"
mark=$(coturn_log_mark "$COTURN_LOG")
out=$(bh run --env "WEBRTC_TURN_URLS=$live_udp,$dead,$live_tcp" \
    --env "TURN_SHARED_SECRET=$secret" --env ICEUPD_TIMEOUT_MS=5000 \
    --env ICEUPD_CONFIG=/dev/null "$c" -- \
    /usr/local/bin/iceupd fetch -p coturn --verify 2>"$T/fetch.err") ||
    bad "job: fetch --verify failed: $(cat "$T/fetch.err")"
jq -e --arg u "$live_udp" --arg t "$live_tcp" --arg d "$dead" \
    '[.[].urls[]] as $all | ($all | index($u)) and ($all | index($t)) and
    (($all | index($d)) | not) and all(.[]; .credential | length > 0)' \
    <<<"$out" >/dev/null || bad "job: fetch printed $out"
coturn_log_wait "$COTURN_LOG" "$mark" "incoming packet ALLOCATE processed, success" ||
    bad "job: coturn saw no allocation"
say "job: fetch --verify from coturn at 127.0.0.1:$COTURN_PORT: $(jq -c '[.[].urls[]]' <<<"$out" 2>/dev/null)"

# --- the neko image --------------------------------------------------------------

n=$(bh from --pull=never "$NEKO")
mkdir -p "$T/record"
mapfile -t argv < <(bh inspect --type container "$n" |
    jq -r '.OCIv1.config | (.Entrypoint + .Cmd)[]')
[[ ${argv[0]-} == /usr/local/bin/cloudrun-wrapper.sh ]] ||
    bad "neko entrypoint: ${argv[*]}"
timeout 120 "${BH[@]}" run -v "$T/record:/record" \
    --env NEKO_ICESERVERS=DYNAMIC --env "WEBRTC_TURN_URLS=$live_tcp" \
    --env "TURN_SHARED_SECRET=$secret" --env ICEUPD_CONFIG=/dev/null \
    "$n" -- "${argv[@]}" >"$T/neko.out" 2>&1 ||
    bad "neko: the entrypoint failed: $(tail -n 20 "$T/neko.out")"
if [[ ! -s $T/record/env ]]; then
	bad "neko: the supervised program recorded nothing: $(tail -n 20 "$T/neko.out")"
else
	ice=$(sed -n 's/^NEKO_ICESERVERS=//p' "$T/record/env")
	jq -e --arg t "$live_tcp" '[.[].urls[]] | index($t)' <<<"$ice" >/dev/null ||
	    bad "neko: NEKO_ICESERVERS is '$ice'"
	if grep -q '^TURN_SHARED_SECRET' "$T/record/env" ||
	    grep -qF "$secret" "$T/record/env"; then
		bad "neko: the provider secret reached the supervised program"
	fi
	say "neko: the supervised program got NEKO_ICESERVERS=$ice, no secret"
fi

if [[ $fail -eq 0 ]]; then
	say "ok in $((SECONDS - t0)) s"
fi
exit "$fail"
