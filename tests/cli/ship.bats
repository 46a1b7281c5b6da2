#!/usr/bin/env bats
# ship.bats: the files that ship iceupd (container/), checked without
# Docker, systemd or Kubernetes running: the Dockerfile builds with the
# commands CI runs and copies what exists, the static binary works with the
# entrypoint, the systemd units verify and are sandboxed, the Kubernetes
# examples run iceupd unprivileged with arguments it accepts.
#
# Needs systemd (for systemd-analyze) and python3-yaml; tests whose tool
# is missing are skipped and say so.

bats_require_minimum_version 1.5.0
load helpers

DOCKERFILE=container/Dockerfile
STATIC_REL=build/static/iceupd

setup() {
	ROOT=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
	cd "$ROOT" || return 1
	T=$BATS_TEST_TMPDIR
}

# instructions [STAGE]: the Dockerfile's instructions, continuation lines
# joined, comments dropped, one a line, each prefixed with its stage name
# ("-" before the first FROM) and a tab.
instructions() {
	awk '
	/^[[:space:]]*#/ { next }
	/^[[:space:]]*$/ { next }
	{ line = line $0 }
	/\\$/ { sub(/\\$/, " ", line); next }
	{
		sub(/^[[:space:]]+/, "", line)
		if (toupper(line) ~ /^FROM /) {
			n = split(line, w, /[[:space:]]+/)
			stage = (n >= 4 && toupper(w[3]) == "AS") ? w[4] : "?"
		}
		print (stage == "" ? "-" : stage) "\t" line
		line = ""
	}' "$DOCKERFILE"
}

# stage_lines STAGE: the instructions of STAGE, prefix removed.
stage_lines() {
	instructions | awk -F '\t' -v s="$1" '$1 == s { print $2 }'
}

@test "Dockerfile: NEKO_IMAGE is an ARG before the first FROM, default neko's firefox image, and the last stage builds on it" {
	local first last

	first=$(instructions | head -n 1)
	[[ $first == $'-\tARG NEKO_IMAGE=ghcr.io/m1k1o/neko/firefox:latest' ]] ||
	    { echo "first instruction: $first"; return 1; }
	last=$(instructions | grep -P '\tFROM ' | tail -n 1)
	[[ $last == *$'\tFROM ${NEKO_IMAGE} AS neko' ]] ||
	    { echo "last stage: $last"; return 1; }
	[[ $(instructions | grep -P '\tFROM ' | head -n 1) == $'build\tFROM debian:12 AS build' ]]
}

@test "Dockerfile: the build stage runs only commands CI runs here, or the build set of install-deps.sh, ending with make static" {
	local cmd n=0 target

	while IFS= read -r cmd; do
		cmd=${cmd#RUN }
		n=$((n + 1))
		# The build packages alone: not the test tools and npm.
		if [[ $cmd == *install-deps.sh* ]]; then
			[[ $cmd == "sh scripts/install-deps.sh --build" ]] ||
			    { echo "the build stage installs more than the build set: $cmd"; return 1; }
			continue
		fi
		if grep -qxF "$cmd" .ci/run; then
			continue
		fi
		if [[ $cmd =~ ^make\ ([a-z]+)$ ]]; then
			target=${BASH_REMATCH[1]}
			grep -qE "^$target:" Makefile ||
			    { echo "no Makefile target '$target'"; return 1; }
			continue
		fi
		echo "the build stage runs a command CI does not: $cmd"
		return 1
	done < <(stage_lines build | grep '^RUN ')
	[[ $n -gt 0 ]] || { echo "no RUN in the build stage"; return 1; }
	[[ $(stage_lines build | grep '^RUN ' | tail -n 1) == "RUN make static" ]]
	[[ $(stage_lines build | grep '^WORKDIR ') == "WORKDIR /src" ]]
}

@test "Dockerfile: what the build stage copies in is enough for make (every source the Makefile names), and each file is one the build reads" {
	local line src dst
	local -a words

	mkdir -p "$T/ctx"
	while IFS= read -r line; do
		read -r -a words <<<"$line"
		dst=${words[-1]}
		for src in "${words[@]:1:${#words[@]}-2}"; do
			# As docker does: a folder's contents, a file into
			# the folder DST/ or as DST.
			if [[ -d $src ]]; then
				mkdir -p "$T/ctx/$dst"
				cp -a "$src/." "$T/ctx/$dst"
			elif [[ $dst == */ ]]; then
				mkdir -p "$T/ctx/$dst"
				cp -a "$src" "$T/ctx/$dst"
			else
				mkdir -p "$T/ctx/$(dirname "$dst")"
				cp -a "$src" "$T/ctx/$dst"
			fi
			# Read by make, or run by the stage: named there
			# (src/ as a whole: the Makefile takes its files
			# by wildcard).
			[[ $src == src/ ]] && continue
			while IFS= read -r f; do
				grep -qF "$f" Makefile ||
				    stage_lines build | grep '^RUN ' | grep -qF "$f" ||
				    { echo "the build stage copies $f, which it does not read"; return 1; }
			done < <(find "$src" -type f)
		done
	done < <(stage_lines build | grep '^COPY ')
	[[ ! -e $T/ctx/tests ]] || { echo "the build stage copies tests/"; return 1; }
	run make -C "$T/ctx" -n all static
	if [[ $status -ne 0 ]]; then
		echo "make -n all static in a copy of the build stage's files:"
		echo "$output"
		return 1
	fi
	[[ -x $T/ctx/scripts/build-static.sh ]]
	[[ -f $T/ctx/scripts/install-deps.sh ]]
}

@test "install-deps.sh --build: the build packages alone, a part of the full set, without the test tools or npm" {
	local build full p

	build=$(sh scripts/install-deps.sh --build --list)
	full=$(sh scripts/install-deps.sh --list)
	[[ -n $build ]]
	for p in $build; do
		grep -qxF "$p" <<<"$full" || { echo "$p: not in the full set"; return 1; }
	done
	for p in build-essential pkg-config libcurl4-openssl-dev libssl-dev \
	    libcjson-dev libconfig-dev libexpat1-dev libunistring-dev \
	    libmicrohttpd-dev; do
		grep -qxF "$p" <<<"$build" || { echo "--build lacks $p"; return 1; }
	done
	for p in bats chromium prosody coturn valgrind clang npm nodejs check \
	    lintian; do
		if grep -qxF "$p" <<<"$build"; then
			echo "--build installs the test tool $p"
			return 1
		fi
	done
	grep -qxF lintian <<<"$full"
	run sh scripts/install-deps.sh --build --bogus
	assert_status 2
}

@test "Dockerfile: files taken from the build stage are ones it makes" {
	local line src

	while IFS= read -r line; do
		src=$(awk '{ print $(NF - 1) }' <<<"$line")
		case $src in
		/src/"$STATIC_REL")
			# scripts/build-static.sh writes there.
			grep -q '^OUT=\$ROOT/build/static$' scripts/build-static.sh ||
			    { echo "build-static.sh no longer writes build/static"; return 1; }
			grep -q 'iceupd' scripts/build-static.sh
			;;
		/etc/ssl/certs/ca-certificates.crt)
			grep -qw ca-certificates scripts/install-deps.sh ||
			    { echo "install-deps.sh does not install ca-certificates"; return 1; }
			;;
		*)
			echo "copied from the build stage, origin unknown: $src"
			return 1
			;;
		esac
	done < <(instructions | grep -P '\tCOPY --from=build ')
}

@test "Dockerfile: the neko stage's entrypoint is the wrapper it copies, its CMD the wrapper's default, and the drop-in updater is where the old image had it" {
	local n

	n=$(stage_lines neko)
	[[ $n == *"COPY wrapper/cloudrun-wrapper.sh /usr/local/bin/cloudrun-wrapper.sh"* ]]
	[[ $n == *"COPY --from=build /src/$STATIC_REL /usr/local/bin/iceupd"* ]]
	[[ $n == *"COPY scripts/twilio-credential-updater.sh /twilio-credential-updater.sh"* ]]
	[[ $n == *'ENTRYPOINT ["/usr/local/bin/cloudrun-wrapper.sh"]'* ]]
	[[ $n == *'CMD ["/usr/bin/supervisord", "-c", "/etc/neko/supervisord.conf"]'* ]]
	grep -qF 'set -- /usr/bin/supervisord -c /etc/neko/supervisord.conf' \
	    wrapper/cloudrun-wrapper.sh
}

@test "Dockerfile: the job image holds the script cloudrun-job.yaml runs" {
	local script

	script=$(grep -oE '/usr/local/share/iceupd/[a-z-]+\.sh' container/cloudrun-job.yaml | head -n 1)
	[[ -n $script ]] || { echo "no script path in cloudrun-job.yaml"; return 1; }
	stage_lines job | grep -qE "^COPY scripts/$(basename "$script") $script\$" ||
	    { echo "the job stage does not copy $script"; return 1; }
}

@test "the static binary (make static) is self-contained and works as the wrapper's iceupd" {
	if [[ ! -x $STATIC_REL ]]; then
		skip "no $STATIC_REL: run 'make static' first"
	fi
	if readelf -l "$STATIC_REL" | grep -q 'INTERP'; then
		echo "$STATIC_REL asks for a dynamic loader"
		return 1
	fi
	run --separate-stderr env -i PATH=/usr/bin:/bin ICEUPD="$ROOT/$STATIC_REL" \
	    ICEUPD_CONFIG=/dev/null ICEUPD_CACHE="$T/cache.json" \
	    WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=udp,turn:127.0.0.1:3478?transport=tcp,turns:127.0.0.1:5349' \
	    TURN_SHARED_SECRET=x \
	    sh wrapper/cloudrun-wrapper.sh sh -c 'printf %s "$NEKO_ICESERVERS"'
	assert_status 0
	jq -e 'length == 1 and .[0].urls == ["turn:127.0.0.1:3478?transport=tcp",
	    "turns:127.0.0.1:5349"] and (.[0].credential | length > 0)' \
	    <<<"$output" >/dev/null || { show_run; return 1; }
}

# unit_copy: the units in $T/units, ExecStart pointing at the built binary
# (systemd-analyze checks that the command exists).
unit_copy() {
	mkdir -p "$T/units"
	sed "s#/usr/local/bin/iceupd#$ICEUPD#" container/iceupd.service \
	    >"$T/units/iceupd.service"
	cp container/iceupd.timer "$T/units/iceupd.timer"
}

@test "systemd: the service and timer verify without a warning" {
	command -v systemd-analyze >/dev/null ||
	    skip "systemd-analyze is not installed (Debian package systemd)"
	unit_copy
	run systemd-analyze verify --man=no "$T/units/iceupd.service" \
	    "$T/units/iceupd.timer"
	if [[ $status -ne 0 || -n $output ]]; then
		echo "$output"
		return 1
	fi
}

@test "systemd: the service is sandboxed (exposure at most 2.0, the settings asked for are there)" {
	local s score

	command -v systemd-analyze >/dev/null ||
	    skip "systemd-analyze is not installed (Debian package systemd)"
	for s in DynamicUser=yes ProtectSystem=strict ProtectHome=yes \
	    PrivateTmp=yes NoNewPrivileges=yes RuntimeDirectory=iceupd \
	    CacheDirectory=iceupd 'Environment=ICEUPD_CACHE=%C/iceupd/cache.json' \
	    EnvironmentFile=-/etc/iceupd/env \
	    'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
	    SystemCallFilter=@system-service CapabilityBoundingSet= \
	    LoadCredential=; do
		grep -q "^$s" container/iceupd.service ||
		    { echo "iceupd.service lacks $s"; return 1; }
	done
	unit_copy
	run systemd-analyze security --offline=yes "$T/units/iceupd.service"
	score=$(grep -oE 'Overall exposure level for iceupd.service: [0-9.]+' <<<"$output" |
	    awk '{ print $NF }')
	[[ -n $score ]] || { echo "$output" | tail -n 5; return 1; }
	awk -v s="$score" 'BEGIN { exit !(s <= 2.0) }' ||
	    { echo "exposure $score"; return 1; }
}

@test "systemd: the service's command line works: a first run writes the file, a second finds it fresh (exit 3, a success)" {
	local args

	args=$(sed -n 's#^ExecStart=/usr/local/bin/iceupd ##p' container/iceupd.service)
	[[ -n $args ]] || { echo "no ExecStart"; return 1; }
	grep -qx 'SuccessExitStatus=3' container/iceupd.service
	# shellcheck disable=SC2086 # the unit's words, as systemd splits them
	set -- ${args//\/run\/iceupd\//$T\/}
	run --separate-stderr iceupd WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=tcp' \
	    TURN_SHARED_SECRET=x "$@"
	assert_status 0
	[[ -s $T/ice.json && $(stat -c %a "$T/ice.json") == 600 ]]
	run --separate-stderr iceupd WEBRTC_TURN_URLS='turn:127.0.0.1:3478?transport=tcp' \
	    TURN_SHARED_SECRET=x "$@"
	assert_status 3
}

# k8s CODE: runs python3 with the Kubernetes examples' documents as `docs`.
k8s() {
	python3 -c 'import sys, yaml
docs = [d for d in yaml.safe_load_all(open("container/k8s-cronjob.yaml")) if d]
def pod(d):
    s = d["spec"]
    if d["kind"] == "CronJob":
        s = s["jobTemplate"]["spec"]
    return s["template"]["spec"]
def iceupd_containers():
    for d in docs:
        p = pod(d)
        for c in p.get("initContainers", []) + p["containers"]:
            if "/iceupd:" in c["image"]:
                yield d, p, c
'"$1"
}

@test "Kubernetes: every iceupd container runs unprivileged with a read-only root" {
	python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3 has no yaml module (Debian package python3-yaml)"
	run k8s '
n = 0
for d, p, c in iceupd_containers():
    n += 1
    sc = c["securityContext"]
    name = d["metadata"]["name"] + "/" + c["name"]
    assert sc["runAsNonRoot"] is True, name
    assert sc["runAsUser"] == 65532, name
    assert sc["readOnlyRootFilesystem"] is True, name
    assert sc["allowPrivilegeEscalation"] is False, name
    assert sc["capabilities"]["drop"] == ["ALL"], name
    assert sc["seccompProfile"]["type"] == "RuntimeDefault", name
    for e in c.get("env", []):
        assert "valueFrom" not in e, name + ": secret in the environment"
        for w in ("TOKEN", "SECRET", "KEY", "CREDENTIAL"):
            assert not e["name"].endswith(w), name + ": " + e["name"]
kinds = sorted(d["kind"] for d in docs)
assert kinds == ["CronJob", "Deployment"], kinds
assert n == 2, n
print("ok")'
	[[ $status -eq 0 && $output == ok ]] || { echo "$output"; return 1; }
}

@test "Kubernetes: the sidecar writes the file neko's wrapper reads, and the arguments are ones iceupd accepts" {
	local line args

	python3 -c 'import yaml' 2>/dev/null ||
	    skip "python3 has no yaml module (Debian package python3-yaml)"
	run k8s '
for d, p, c in iceupd_containers():
    print("\x1f".join(c["args"]))
for d in docs:
    p = pod(d)
    for c in p["containers"]:
        for e in c.get("env", []):
            if e["name"] == "NEKO_ICESERVERS_FILE":
                print("FILE\x1f" + e["value"])'
	[[ $status -eq 0 ]] || { echo "$output"; return 1; }
	[[ $output == *$'\n'$'FILE\x1f/shared/ice.json'* ]] ||
	    { echo "neko does not read /shared/ice.json"; return 1; }
	[[ $output == *$'watch\x1f-o\x1f/shared/ice.json'* ]] ||
	    { echo "no sidecar writes /shared/ice.json"; return 1; }
	while IFS= read -r line; do
		[[ $line == FILE* ]] && continue
		IFS=$'\x1f' read -r -a args <<<"${line//\/shared\//$T\/}"
		# A watcher does one cycle here.
		[[ ${args[0]} == watch ]] && args+=(--once)
		run --separate-stderr iceupd \
		    WEBRTC_TURN_URLS='turn:127.0.0.1:9?transport=tcp' \
		    TURN_SHARED_SECRET=x ICEUPD_TIMEOUT_MS=1000 "${args[@]}"
		if [[ $status -eq 2 ]]; then
			echo "iceupd refuses: ${args[*]}"
			show_run
			return 1
		fi
	done <<<"$output"
}
