#!/usr/bin/env bash
# Builds the kafka-init image from the project's Dockerfile and runs it for real: as a user would
# with `docker run`, the reference docker-compose.yml end to end, the fault cases, and an offline
# schema check of the Kubernetes manifests.
#
# usage: scripts/container.sh [COMMAND]   (scripts/container.sh help lists the commands and knobs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")
cd "$repo"

usage() {
  cat <<EOF
usage: scripts/container.sh [COMMAND]

commands:
  all         build, run, tls, faults, compose and kubernetes, in that order (the default)
  build       build kafka-init:latest from ./Dockerfile (stand-in base images first, where
              the Dockerfile's cannot be pulled)
  run         the image against a test broker as a user runs it: apply (the image's own topic
              file, then a mounted one), plan (2, then 0), check of a bad file (3), wait;
              uid 10001 and --read-only; SIGTERM in the middle of an apply
  tls         the image against a broker's TLS listeners (a broker of its own, KAFKA_TLS=1, on
              KAFKA_TLS_PORT): apply over SSL with the CA file mounted read-only, over SASL_SSL
              with SCRAM, and another CA's file (6, after the broker grace)
  faults      no broker (4 at the deadline), a missing mounted file (3), SIGTERM (ends < 1 s)
  compose     docker-compose.yml end to end with podman-compose: kafka, then kafka-init, then
              dc-mock; a second up; a topic file that fails keeps dc-mock from starting
  kubernetes  validate deploy/kubernetes/*.yaml against the Kubernetes API schemas (offline)
  stand-ins   build the local stand-in images now (the other commands do it when needed)

environment:
  CONTAINER_ENGINE         docker or podman (default: docker if its engine answers, else podman)
  KAFKA_BOOTSTRAP_SERVERS  a broker on this host for 'run' (default: this script starts one with
                           scripts/kafka.sh on KAFKA_PORT and stops it afterwards)
  KAFKA_PORT               the port of that broker (default 29300; its controller listens on
                           KAFKA_PORT+100)
  KAFKA_STATE_DIR          its state dir (default: scripts/kafka.sh's)
  KAFKA_TLS_PORT           the first port of the broker for 'tls' (default 29320; it also takes
                           +50, +100 (controller), +150 (SSL), +200 (mutual TLS), +250 (SASL_SSL),
                           +300 (OIDC) and +350 (its identity provider))
  COMPOSE_PROJECT_NAME     the compose project (default kafka-init-check); its Kafka listens in
                           the project's own network, never on the host's ports
  KAFKA_INIT_CACHE         cache for the Kafka jars, podman-compose and the validator
                           (default ~/.cache/kafka-init)
  DEBIAN_MIRROR            for the stand-in images (default http://deb.debian.org)
EOF
}

say() { echo "container.sh: $*" >&2; }
die() {
  say "error: $*"
  exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

cache=${KAFKA_INIT_CACHE:-$HOME/.cache/kafka-init}
work=$cache/container
mkdir -p "$work"
mirror=${DEBIAN_MIRROR:-http://deb.debian.org}
image=kafka-init:latest
project=${COMPOSE_PROJECT_NAME:-kafka-init-check}
# A stand-in recipe's version: bump it when the recipe changes, and the stand-in is rebuilt.
recipe() {
  case $1 in
  apache/kafka:*) echo 2 ;;
  *) echo 1 ;;
  esac
}

# --- engine -----------------------------------------------------------------------------------

engine=${CONTAINER_ENGINE:-}
if [[ -z $engine ]]; then
  if command -v docker >/dev/null && docker info >/dev/null 2>&1; then
    engine=docker
    # docker's client in front of podman's Docker API: through it, `docker run --rm` exits 0
    # whatever the container's code (podman issue 18889, podman 4.3 to 4.5 at least).
    server=$(docker version --format '{{range .Server.Components}}{{.Name}} {{end}}' 2>/dev/null || true)
    if [[ ${server,,} == *podman* ]] && command -v podman >/dev/null; then
      say "docker's engine is podman: using podman itself (through its Docker API, docker run --rm loses exit codes)"
      engine=podman
    fi
  elif command -v podman >/dev/null; then
    engine=podman
  else
    die "no container engine: neither a docker engine that answers nor podman (apt-get install podman runc)"
  fi
fi
[[ $engine == docker || $engine == podman ]] || die "CONTAINER_ENGINE must be docker or podman, got '$engine'"
ctr() { "$engine" "$@"; }

# Where the OCI runtime's defaults do not work (crun on a hybrid cgroup layout; rlimits above
# what the calling process may set), podman gets a containers.conf with runc and the caller's
# own limits. Written once the first image exists, and used by podman-compose's podman too.
podman_conf=$work/containers.conf
podman_checked=0
check_runtime() {
  [[ $engine == podman && $podman_checked == 0 ]] || return 0
  podman_checked=1
  # IMAGE: run its /bin/true; IMAGE ARGS...: an image without one (distroless), its entrypoint with ARGS.
  local probe=(--entrypoint /bin/true "$1") err
  [[ $# == 1 ]] || probe=("$@")
  if [[ -f $podman_conf ]]; then
    export CONTAINERS_CONF=$podman_conf
    if podman run --rm --network none "${probe[@]}" >/dev/null 2>&1; then
      say "using $podman_conf (podman's defaults failed here before)"
      return 0
    fi
    rm -f "$podman_conf"
  fi
  unset CONTAINERS_CONF
  if err=$(podman run --rm --network none "${probe[@]}" 2>&1); then
    return 0
  fi
  say "podman cannot run a container with its defaults here: $(tail -n 1 <<<"$err")"
  local runtime=runc
  command -v runc >/dev/null || die "runc not found (apt-get install runc)"
  cat >"$podman_conf" <<EOF
# Written by scripts/container.sh: podman's defaults failed on this host.
[containers]
default_ulimits = ["nofile=$(ulimit -Hn):$(ulimit -Hn)", "nproc=4096:4096"]
[engine]
runtime = "$runtime"
EOF
  export CONTAINERS_CONF=$podman_conf
  say "using $podman_conf: runtime $runtime, nofile $(ulimit -Hn), nproc 4096"
  podman run --rm --network none "${probe[@]}" ||
    die "podman cannot run containers here, not even with $podman_conf"
}

# --- images: pulled, or local stand-ins ---------------------------------------------------------

has_image() { ctr image inspect "$1" >/dev/null 2>&1; }

standin_label() { ctr image inspect --format '{{ index .Config.Labels "org.kafka-init.stand-in" }}' "$1" 2>/dev/null || true; }

# The images the Dockerfile starts from, with its ARG defaults substituted.
dockerfile_bases() {
  awk '
    toupper($1) == "ARG" && index($2, "=") { split($2, kv, "="); arg[kv[1]] = kv[2] }
    toupper($1) == "FROM" {
      img = ""
      for (i = 2; i <= NF; i++) if ($i !~ /^--/) { img = $i; break }
      for (k in arg) { gsub("\\$\\{" k "\\}", arg[k], img); gsub("\\$" k, arg[k], img) }
      if (!(img in stage)) print img
      for (i = 2; i < NF; i++) if (toupper($i) == "AS") stage[$(i + 1)] = 1
    }' Dockerfile
}

# Docker Hub's name for a short one: podman has no search registry by default.
qualified() {
  case $1 in
  */*/*) echo "$1" ;;
  *.*/* | localhost/*) echo "$1" ;;
  */*) echo "docker.io/$1" ;;
  *) echo "docker.io/library/$1" ;;
  esac
}

# An image the engine has, or can pull; otherwise a stand-in made here.
ensure_image() {
  local img=$1 label old=''
  if has_image "$img"; then
    label=$(standin_label "$img")
    if [[ -z $label || $label == "$(recipe "$img")" ]]; then
      [[ -z $label ]] || say "using the local stand-in for $img (cached)"
      return 0
    fi
    say "the stand-in for $img is from an older recipe: rebuilding it"
    old=$(ctr image inspect --format '{{.Id}}' "$img")
  elif timeout 120 "$engine" pull -q "$(qualified "$img")" >/dev/null 2>"$work/pull.log"; then
    ctr tag "$(qualified "$img")" "$img"
    return 0
  else
    say "cannot pull $img ($(tail -n 1 "$work/pull.log")): building a local stand-in"
  fi
  case $img in
  debian:bookworm-slim) standin_debian "$img" ;;
  gcr.io/distroless/cc-debian12) standin_distroless_cc "$img" ;;
  rust:*-bookworm) standin_rust "$img" "${img#rust:}" ;;
  apache/kafka:*) standin_kafka "$img" "${img#apache/kafka:}" ;;
  *) die "no stand-in recipe for $img" ;;
  esac
  [[ -z $old ]] || ctr rmi "$old" >/dev/null 2>&1 || true
}

mmdebstrap_slim() {
  # debian:bookworm-slim as the official images make it: minbase, merged /usr without the
  # usrmerge package, no docs, man pages or locales, and apt set to keep no caches.
  local out=$1
  shift
  command -v mmdebstrap >/dev/null || die "mmdebstrap not found (apt-get install mmdebstrap)"
  cat >"$work/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  printf 'Acquire::Languages "none";\n' >"$work/docker-no-languages"
  local excludes=() path
  for path in /usr/share/man/ /usr/share/doc/ /usr/share/info/ /usr/share/locale/ \
    /usr/share/groff/ /usr/share/lintian/ /usr/share/linda/; do
    excludes+=(--dpkgopt="path-exclude=$path*")
  done
  excludes+=(--dpkgopt='path-include=/usr/share/doc/*/copyright')
  local log=$work/mmdebstrap.log
  # shellcheck disable=SC2016 # "$1" in a hook is the root dir, for the hook's own shell
  nice mmdebstrap --variant=minbase --quiet --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    "${excludes[@]}" \
    --customize-hook="upload $work/docker-clean /etc/apt/apt.conf.d/docker-clean" \
    --customize-hook="upload $work/docker-no-languages /etc/apt/apt.conf.d/docker-no-languages" \
    "$@" \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin "$1"/var/cache/apt/archives/*.deb "$1"/var/log/*.log "$1"/var/log/apt/*' \
    bookworm "$out" \
    "deb $mirror/debian bookworm main" \
    "deb $mirror/debian bookworm-updates main" \
    "deb $mirror/debian-security bookworm-security main" >"$log" 2>&1 || {
    tail -n 30 "$log" >&2
    die "mmdebstrap failed (whole log: $log)"
  }
}

standin_debian() {
  local img=$1 start tar=$work/bookworm-slim.tar
  start=$(now)
  mmdebstrap_slim "$tar"
  ctr import -q --change "LABEL org.kafka-init.stand-in=$(recipe "$img")" \
    --change 'CMD ["bash"]' "$tar" "$img" >/dev/null
  rm -f "$tar"
  say "built the stand-in $img with mmdebstrap in $(since "$start") s"
}

standin_distroless_cc() {
  # gcr.io/distroless/cc-debian12 as distroless builds it: the contents of Debian 12's
  # base-files, netbase, tzdata, libc6, libgcc-s1, libgomp1, libstdc++6 and libssl3 packages,
  # unpacked without running any of their scripts; the CA bundle ca-certificates generates;
  # /etc/passwd and /etc/group with root, nobody and nonroot (65532); /tmp; distroless's
  # environment (PATH, SSL_CERT_FILE). No shell, no package manager, no dpkg database.
  local img=$1 start ctx=$work/distroless-standin
  start=$(now)
  ensure_image debian:bookworm-slim
  rm -rf "$ctx"
  mkdir -p "$ctx"
  cat >"$ctx/Containerfile" <<EOF
FROM debian:bookworm-slim AS debs
WORKDIR /debs
RUN apt-get update \\
 && apt-get install -y --no-install-recommends ca-certificates \\
 && apt-get download base-files netbase tzdata libc6 libgcc-s1 libgomp1 libstdc++6 libssl3 \\
 && for deb in *.deb; do dpkg-deb -x "\$deb" /rootfs; done \\
 && rm -rf /rootfs/usr/share/doc/*/changelog* /rootfs/usr/share/man /rootfs/usr/share/info \\
      /rootfs/usr/share/lintian /rootfs/usr/share/locale \\
 && install -D -m 644 /etc/ssl/certs/ca-certificates.crt /rootfs/etc/ssl/certs/ca-certificates.crt \\
 && printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin' \\
      'nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin' >/rootfs/etc/passwd \\
 && printf '%s\n' 'root:x:0:' 'nobody:x:65534:' 'tty:x:5:' 'staff:x:50:' 'nonroot:x:65532:' >/rootfs/etc/group \\
 && mkdir -p /rootfs/tmp /rootfs/root /rootfs/home/nonroot \\
 && chmod 1777 /rootfs/tmp && chmod 700 /rootfs/root \\
 && chown 65532:65532 /rootfs/home/nonroot && chmod 700 /rootfs/home/nonroot

FROM scratch
COPY --from=debs /rootfs/ /
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.kafka-init.stand-in=$(recipe "$img")
EOF
  local args=()
  [[ $engine == podman ]] && args+=(--network host)
  nice "$engine" build "${args[@]}" -t "$img" -f "$ctx/Containerfile" "$ctx" >"$work/distroless-standin.log" 2>&1 || {
    tail -n 30 "$work/distroless-standin.log" >&2
    die "building the stand-in $img failed (whole log: $work/distroless-standin.log)"
  }
  rm -rf "$ctx"
  say "built the stand-in $img (Debian 12's packages, unpacked) in $(since "$start") s"
}

standin_rust() {
  # rust:<version>-bookworm: the official image is bookworm with build tools and rustup's
  # toolchain in /usr/local/cargo and /usr/local/rustup. The stand-in carries this host's
  # toolchain of that version (its binaries and libraries, not its docs).
  local img=$1 version=${2%-bookworm} start sysroot='' have tar=$work/rust-bookworm.tar
  start=$(now)
  # rustup names a toolchain 1.95.0 or 1.95; without rustup, the rustc on PATH may fit.
  local tc
  for tc in "$version" "$version.0" ""; do
    have=$(RUSTUP_TOOLCHAIN=$tc rustc --version 2>/dev/null | awk '{ print $2 }') || continue
    [[ $have == "$version" || $have == "$version".* ]] || continue
    sysroot=$(RUSTUP_TOOLCHAIN=$tc rustc --print sysroot) && break
  done
  [[ -n ${sysroot:-} ]] ||
    die "the stand-in for $img needs Rust $version on this host (rustup toolchain install $version)"
  sysroot=$(realpath "$sysroot")
  local parts=() part
  for part in bin lib libexec etc; do [[ -e $sysroot/$part ]] && parts+=("$part"); done
  local toolchain=/usr/local/rustup/toolchains/$version-x86_64-unknown-linux-gnu
  # The build stage downloads crates: a host that reaches crates.io through a TLS proxy of its
  # own trusts that proxy's CA (/usr/local/share/ca-certificates), and so does its stand-in.
  local cas=()
  if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    # shellcheck disable=SC2016 # $1 is the root dir, for the hook's own shell
    cas+=(--customize-hook='cp /usr/local/share/ca-certificates/*.crt "$1/usr/local/share/ca-certificates/" && chroot "$1" update-ca-certificates >/dev/null')
    say "the stand-in $img trusts this host's CA certificates in /usr/local/share/ca-certificates"
  fi
  mmdebstrap_slim "$tar" \
    --include=ca-certificates,curl,gcc,g++,libc6-dev,make,pkg-config,git,xz-utils \
    --customize-hook="mkdir -p \"\$1$toolchain\" \"\$1/usr/local/cargo/bin\"" \
    --customize-hook="tar -C '$sysroot' -c ${parts[*]} | tar -C \"\$1$toolchain\" -x" \
    --customize-hook="for b in \"\$1$toolchain\"/bin/*; do ln -s $toolchain/bin/\$(basename \"\$b\") \"\$1/usr/local/cargo/bin/\"; done" \
    "${cas[@]}"
  ctr import -q --change "LABEL org.kafka-init.stand-in=$(recipe "$img")" \
    --change 'ENV RUSTUP_HOME=/usr/local/rustup' --change 'ENV CARGO_HOME=/usr/local/cargo' \
    --change 'ENV PATH=/usr/local/cargo/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change "ENV RUST_VERSION=$have" --change 'CMD ["bash"]' "$tar" "$img" >/dev/null
  rm -f "$tar"
  say "built the stand-in $img (Rust $have from $sysroot) in $(since "$start") s"
}

standin_kafka() {
  # apache/kafka:<version>: Debian's JRE and the jars scripts/kafka.sh fetches from Maven Central,
  # configured like the official image: each KAFKA_<NAME> variable becomes a server property
  # (lower case, _ -> ., __ -> _, ___ -> -), CLUSTER_ID or the image's default cluster id;
  # the broker is the default command (/etc/kafka/docker/run), a `command:` runs a tool from
  # /opt/kafka/bin/*.sh instead; it runs as uid 1000.
  local img=$1 version=$2 start libs ctx=$work/kafka-standin
  start=$(now)
  ensure_image debian:bookworm-slim
  KAFKA_VERSION=$version "$here/kafka.sh" fetch
  libs=$cache/kafka-$version/libs-$(sha256sum <"$here/kafka/pom.xml" | cut -c1-16)
  [[ -d $libs ]] || die "scripts/kafka.sh fetch left no jars in $libs"
  rm -rf "$ctx"
  mkdir -p "$ctx/bin"
  cp -r "$libs" "$ctx/libs"
  cp "$here/kafka/log4j2.properties" "$ctx/log4j2.properties"
  cat >"$ctx/bin/kafka-run-class.sh" <<'SH'
#!/bin/sh
exec java ${KAFKA_HEAP_OPTS:--Xmx256m} -XX:+UseSerialGC -XX:TieredStopAtLevel=1 \
  -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties $KAFKA_OPTS -cp '/opt/kafka/libs/*' "$@"
SH
  local tool
  for tool in kafka-topics:org.apache.kafka.tools.TopicCommand \
    kafka-configs:org.apache.kafka.tools.ConfigCommand \
    kafka-broker-api-versions:org.apache.kafka.tools.BrokerApiVersionsCommand \
    kafka-storage:kafka.tools.StorageTool kafka-server-start:kafka.Kafka; do
    printf '#!/bin/sh\nexec /opt/kafka/bin/kafka-run-class.sh %s "$@"\n' "${tool#*:}" >"$ctx/bin/${tool%%:*}.sh"
  done
  cat >"$ctx/run" <<'SH'
#!/bin/bash
# The official image's entrypoint, as far as a single KRaft node needs it.
set -euo pipefail
props=/tmp/server.properties
declare -A set=()
: >"$props"
for name in $(compgen -e); do
  case $name in
  KAFKA_VERSION | KAFKA_HEAP_OPTS | KAFKA_OPTS | KAFKA_LOG4J_OPTS | KAFKA_JMX_OPTS | KAFKA_JVM_PERFORMANCE_OPTS | KAFKA_GC_LOG_OPTS) continue ;;
  KAFKA_*) ;;
  *) continue ;;
  esac
  key=${name#KAFKA_}
  key=${key,,}
  key=${key//___/-}
  key=${key//__/@}
  key=${key//_/.}
  key=${key//@/_}
  echo "$key=${!name}" >>"$props"
  set[$key]=1
done
[[ -n ${set[log.dirs]:-} ]] || echo "log.dirs=/tmp/kraft-combined-logs" >>"$props"
format=(format --ignore-formatted -t "${CLUSTER_ID:-5L6g3nShT-eMCtK--X86sw}" -c "$props")
[[ -n ${set[controller.quorum.voters]:-} ]] || format+=(--standalone)
KAFKA_HEAP_OPTS=-Xmx256m /opt/kafka/bin/kafka-storage.sh "${format[@]}" >/dev/null
export KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}
exec /opt/kafka/bin/kafka-server-start.sh "$props"
SH
  chmod +x "$ctx"/bin/* "$ctx/run"
  cat >"$ctx/Containerfile" <<EOF
FROM debian:bookworm-slim
# The JRE's postinst links its man page: slim images have no /usr/share/man/man1.
RUN mkdir -p /usr/share/man/man1 \\
 && apt-get update \\
 && apt-get install -y --no-install-recommends openjdk-17-jre-headless \\
 && rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin \\
 && useradd --uid 1000 --user-group --no-create-home appuser
COPY libs /opt/kafka/libs
COPY bin /opt/kafka/bin
COPY log4j2.properties /opt/kafka/config/log4j2.properties
COPY run /etc/kafka/docker/run
LABEL org.kafka-init.stand-in=$(recipe "$img")
USER 1000:1000
CMD ["/etc/kafka/docker/run"]
EOF
  local args=()
  [[ $engine == podman ]] && args+=(--network host)
  nice "$engine" build "${args[@]}" -t "$img" -f "$ctx/Containerfile" "$ctx" >"$work/kafka-standin.log" 2>&1 || {
    tail -n 30 "$work/kafka-standin.log" >&2
    die "building the stand-in $img failed (whole log: $work/kafka-standin.log)"
  }
  rm -rf "$ctx"
  say "built the stand-in $img (Debian's JRE 17 and Kafka $version's jars) in $(since "$start") s"
}

ensure_standins() {
  local img
  while read -r img; do ensure_image "$img"; done < <(dockerfile_bases)
}

# --- build ------------------------------------------------------------------------------------

cmd_build() {
  ensure_standins
  # The build image has /bin/true; the runtime base has no shell tools at all.
  check_runtime "$(dockerfile_bases | head -n 1)"
  local start old args=()
  [[ $engine == podman ]] && args+=(--network host --layers)
  old=$(ctr image inspect --format '{{.Id}}' "$image" 2>/dev/null || true)
  start=$(now)
  say "building $image with $engine"
  nice "$engine" build "${args[@]}" -t "$image" -f Dockerfile . >"$work/build.log" 2>&1 || {
    tail -n 40 "$work/build.log" >&2
    die "the image build failed (whole log: $work/build.log)"
  }
  say "built $image in $(since "$start") s"
  # The image this build replaced, unless something still uses it.
  [[ -z $old || $old == "$(ctr image inspect --format '{{.Id}}' "$image")" ]] ||
    ctr rmi "$old" >/dev/null 2>&1 || true
  report_size
}

report_size() {
  local base total base_size
  base=$(dockerfile_bases | tail -n 1)
  total=$(ctr image inspect --format '{{.Size}}' "$image")
  base_size=$(ctr image inspect --format '{{.Size}}' "$base")
  say "image size: $image $((total / 1000000)) MB = $base $((base_size / 1000000)) MB + $(((total - base_size) / 1000000)) MB added"
}

# --- checks -----------------------------------------------------------------------------------

failures=0 ok=0
check() {
  # check STATUS DESCRIPTION: PASS or FAIL, from the status of the test before it
  if [[ $1 == 0 ]]; then
    echo "PASS  $2"
  else
    echo "FAIL  $2"
    failures=$((failures + 1))
  fi
}

tmp=$(mktemp -d)
cleanups=()
cleanup() {
  local c
  for c in "${cleanups[@]}"; do eval "$c" || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# A directory the image's uid 10001 can read when mounted (mktemp makes 0700 ones).
shared_dir() {
  mkdir -p "$tmp/$1"
  chmod 755 "$tmp" "$tmp/$1"
  echo "$tmp/$1"
}

ensure_kafka_init_image() {
  if ! has_image "$image"; then
    cmd_build
  else
    check_runtime "$image" --version
  fi
}

# kafka-init in the image, as a user runs it: stdout to $tmp/out, stderr to $tmp/err, the exit
# code in $rc, the seconds it took in $secs.
rc=0 secs=0
krun() {
  local start
  start=$(now)
  set +e
  ctr run --rm "$@" >"$tmp/out" 2>"$tmp/err"
  rc=$?
  set -e
  secs=$(since "$start")
}

show_err() { sed 's/^/      | /' "$tmp/err" | tail -n "${1:-3}"; }

# A broker on this host for 'run', in $bootstrap: KAFKA_BOOTSTRAP_SERVERS, or one that
# scripts/kafka.sh starts (and the script stops).
bootstrap=''
broker_bootstrap() {
  if [[ -n ${KAFKA_BOOTSTRAP_SERVERS:-} ]]; then
    bootstrap=$KAFKA_BOOTSTRAP_SERVERS
    return
  fi
  export KAFKA_PORT=${KAFKA_PORT:-29300} KAFKA_NODES=1 KAFKA_SASL=0
  if ! "$here/kafka.sh" status >/dev/null 2>&1; then
    say "starting a test broker on 127.0.0.1:$KAFKA_PORT (scripts/kafka.sh)"
    "$here/kafka.sh" start >/dev/null
    cleanups+=("'$here/kafka.sh' reset >/dev/null")
    started_broker=1
  fi
  bootstrap=$("$here/kafka.sh" bootstrap)
}
started_broker=0

cmd_run() {
  ensure_kafka_init_image
  local dir run_id start
  broker_bootstrap
  dir=$(shared_dir run)
  run_id=$(date +%s%N | tail -c 9)
  cat >"$dir/topics.yaml" <<EOF
kafka:
  bootstrap_servers: "unused:9092"
  topics:
    events:
      name: "container.$run_id.events"
      partitions: 3
      config:
        retention.ms: "3600000"
    state:
      name: "container.$run_id.state"
      config:
        cleanup.policy: "compact"
EOF
  cat >"$dir/bad.yaml" <<'EOF'
kafka:
  bootstrap_servers: "kafka:9092"
  topics:
    events:
      name: "events"
      partitions: 0
EOF
  chmod 644 "$dir"/*.yaml
  start=$(now)
  echo "== docker run checks: $engine, $image, broker $bootstrap"
  local net=(--network host -e "KAFKA_BOOTSTRAP_SERVERS=$bootstrap")
  local ro=(--read-only -v "$dir:/config:ro")

  # No `id` in the image: ask the engine about its running process. podman reads the user
  # from /proc and names it from the image's /etc/passwd; docker's top shows the uid.
  local probe_name=kafka-init-uid-$run_id user='' want=10001
  ctr run -d --name "$probe_name" --network none "$image" \
    wait --bootstrap-servers 127.0.0.1:9 --timeout 60s >/dev/null
  cleanups+=("$engine rm -f $probe_name >/dev/null 2>&1")
  if [[ $engine == podman ]]; then
    user=$(podman top "$probe_name" user | tail -n 1 || true)
    want=kafka-init
  else
    user=$(docker top "$probe_name" -o uid | tail -n 1 || true)
  fi
  ctr rm -f "$probe_name" >/dev/null 2>&1 || true
  [[ ${user// /} == "$want" && $(ctr image inspect --format '{{.Config.User}}' "$image") == 10001:10001 ]] && ok=0 || ok=1
  check $ok "the image runs as uid 10001, kafka-init in its /etc/passwd ($engine top: ${user// /})"

  local absent=() tool
  for tool in /bin/sh /bin/bash /usr/bin/apt-get /usr/bin/dpkg; do
    krun --network none --entrypoint "$tool" "$image" --version
    [[ $rc == 0 ]] || absent+=("$tool")
  done
  [[ ${#absent[@]} == 4 ]] && ok=0 || ok=1
  check $ok "no shell and no package manager in the image (${absent[*]}: not found)"

  krun "${net[@]}" --read-only "$image"
  [[ $rc == 0 ]] && grep -q 'Loading configuration from /app/config/simulation.yaml' "$tmp/err" && ok=0 || ok=1
  check $ok "apply, the image's own topic file (/app/config/simulation.yaml), --read-only: exit $rc in ${secs}s"
  [[ $rc == 0 ]] || show_err

  krun "${net[@]}" "${ro[@]}" "$image" plan --config /config/topics.yaml
  [[ $rc == 2 ]] && grep -q "container.$run_id.events" "$tmp/out" && ok=0 || ok=1
  check $ok "plan of a mounted file with two new topics: exit $rc (2: changes pending)"

  krun "${net[@]}" "${ro[@]}" -e CONFIG_FILE=/config/topics.yaml "$image"
  [[ $rc == 0 ]] && grep -q "Created topic: container.$run_id.events" "$tmp/err" && ok=0 || ok=1
  check $ok "apply of the mounted file (CONFIG_FILE=/config/topics.yaml): exit $rc in ${secs}s, topics created"
  [[ $rc == 0 ]] || show_err

  krun "${net[@]}" "${ro[@]}" "$image" plan --config /config/topics.yaml --output json
  [[ $rc == 0 ]] && grep -q '"converged"' "$tmp/out" && ok=0 || ok=1
  check $ok "plan again: exit $rc (0: the cluster matches)"

  krun "${net[@]}" "${ro[@]}" -e CONFIG_FILE=/config/topics.yaml "$image" apply
  [[ $rc == 0 ]] && grep -q "already exists" "$tmp/err" && ! grep -q "Created topic" "$tmp/err" && ok=0 || ok=1
  check $ok "apply again: exit $rc in ${secs}s, nothing created"

  krun --network none "${ro[@]}" "$image" check --config /config/bad.yaml
  [[ $rc == 3 ]] && grep -q '/config/bad.yaml:6:' "$tmp/err" && ok=0 || ok=1
  check $ok "check of a bad file: exit $rc, stderr: $(grep -m1 'bad.yaml:' "$tmp/err" | cut -c1-90)"

  krun "${net[@]}" --read-only "$image" wait --timeout 10s
  [[ $rc == 0 ]] && ok=0 || ok=1
  check $ok "wait (no topic file needed): exit $rc in ${secs}s"

  krun --network none --read-only --cap-drop ALL --security-opt no-new-privileges "$image" --version
  [[ $rc == 0 ]] && ok=0 || ok=1
  check $ok "--version with no capabilities: $(cat "$tmp/out")"
  # SIGTERM in the middle of creating 500 topics: never 0 unless all exist, and a re-run converges.
  local name=kafka-init-sigterm-apply-$$ i code t0
  {
    printf 'kafka:\n  topics:\n'
    for i in $(seq 500); do printf '    t%s:\n      name: "container.%s.many.%s"\n' "$i" "$run_id" "$i"; done
  } >"$dir/many.yaml"
  chmod 644 "$dir/many.yaml"
  cleanups+=("$engine rm -f $name >/dev/null 2>&1")
  ctr run -d --name "$name" "${net[@]}" "${ro[@]}" "$image" apply --config /config/many.yaml >/dev/null
  for i in $(seq 100); do
    [[ $(ctr logs "$name" 2>&1) == *'Connecting to Kafka'* ]] && break
    sleep 0.02
  done
  t0=$(now)
  ctr kill --signal TERM "$name" >/dev/null 2>&1 || true
  ctr wait "$name" >/dev/null
  secs=$(since "$t0")
  code=$(ctr inspect --format '{{.State.ExitCode}}' "$name")
  ctr logs "$name" >"$tmp/first.log" 2>&1
  ctr rm -f "$name" >/dev/null
  krun "${net[@]}" "${ro[@]}" "$image" apply --config /config/many.yaml
  local rerun=$rc created
  created=$(grep -c 'Created topic' "$tmp/err" || true)
  krun "${net[@]}" "${ro[@]}" "$image" plan --config /config/many.yaml
  { { [[ $code == 143 ]] && grep -q 'stopped by SIGTERM' "$tmp/first.log"; } ||
    { [[ $code == 0 ]] && grep -q 'All topics created successfully' "$tmp/first.log"; }; } &&
    [[ $rerun == 0 && $rc == 0 ]] && ok=0 || ok=1
  check $ok "SIGTERM while applying 500 topics: exit $code after ${secs}s ($(grep -o 'stopped by SIGTERM\|All topics created successfully' "$tmp/first.log" | head -n 1)); the re-run exits $rerun ($created created by it), then plan exits $rc"
  say "run checks took $(since "$start") s"
  if [[ $started_broker == 1 ]]; then
    "$here/kafka.sh" reset >/dev/null
    started_broker=0
  fi
}

# --- TLS: the image against a broker's TLS listeners ------------------------------------------

cmd_tls() {
  ensure_kafka_init_image
  local dir run_id start tls_dir tls_bootstrap sasl_ssl_bootstrap plaintext ok
  # A broker of its own: the one of 'run' has no TLS listeners.
  kafka_tls() {
    KAFKA_PORT=${KAFKA_TLS_PORT:-29320} KAFKA_NODES=1 KAFKA_SASL=1 KAFKA_ACL=0 KAFKA_TLS=1 \
      KAFKA_STATE_DIR=$repo/.kafka/container-tls "$here/kafka.sh" "$@"
  }
  say "starting a TLS test broker on 127.0.0.1:${KAFKA_TLS_PORT:-29320} (scripts/kafka.sh, KAFKA_TLS=1)"
  kafka_tls start >/dev/null || die "could not start the TLS test broker"
  cleanups+=("kafka_tls reset >/dev/null")
  tls_dir=$(kafka_tls tls-dir)
  tls_bootstrap=$(kafka_tls tls-bootstrap)
  sasl_ssl_bootstrap=$(kafka_tls sasl-ssl-bootstrap)
  plaintext=$(kafka_tls bootstrap)
  dir=$(shared_dir tls)
  run_id=$(date +%s%N | tail -c 9)
  cp "$tls_dir/ca.pem" "$dir/ca.pem"
  cp "$tls_dir/other-ca.pem" "$dir/other-ca.pem"
  cat >"$dir/topics.yaml" <<EOF
kafka:
  client:
    ssl.ca.location: /tls/ca.pem
  topics:
    events:
      name: "container.tls.$run_id.events"
      partitions: 3
EOF
  chmod 644 "$dir"/*
  start=$(now)
  echo "== TLS checks: $engine, $image, broker $tls_bootstrap (SASL_SSL $sasl_ssl_bootstrap)"
  local ro=(--network host --read-only -v "$dir/topics.yaml:/config/topics.yaml:ro" -v "$dir/ca.pem:/tls/ca.pem:ro")

  krun "${ro[@]}" -e "KAFKA_BOOTSTRAP_SERVERS=$tls_bootstrap" -e KAFKA_CLIENT_SECURITY_PROTOCOL=SSL \
    "$image" apply --config /config/topics.yaml
  [[ $rc == 0 ]] && kafka_tls topics --describe --topic "container.tls.$run_id.events" 2>/dev/null |
    grep -q 'PartitionCount: 3' && ok=0 || ok=1
  check $ok "apply over SSL with the CA file mounted read-only: exit $rc in ${secs}s; the broker lists the topic with 3 partitions"
  [[ $rc == 0 ]] || show_err

  sed -i "s/\.events\"/.scram\"/; s/events:/scram:/" "$dir/topics.yaml"
  krun "${ro[@]}" -e "KAFKA_BOOTSTRAP_SERVERS=$sasl_ssl_bootstrap" -e KAFKA_CLIENT_SECURITY_PROTOCOL=SASL_SSL \
    -e KAFKA_CLIENT_SASL_MECHANISM=SCRAM-SHA-512 -e KAFKA_CLIENT_SASL_USERNAME=kafkainit \
    -e KAFKA_CLIENT_SASL_PASSWORD=kafkainit-secret "$image" apply --config /config/topics.yaml
  [[ $rc == 0 ]] && kafka_tls topics --describe --topic "container.tls.$run_id.scram" 2>/dev/null |
    grep -q 'PartitionCount: 3' && ! grep -q kafkainit-secret "$tmp/err" "$tmp/out" && ok=0 || ok=1
  check $ok "apply over SASL_SSL with SCRAM-SHA-512: exit $rc in ${secs}s; the broker lists the topic; no password in the output"
  [[ $rc == 0 ]] || show_err

  krun --network host --read-only -v "$dir/topics.yaml:/config/topics.yaml:ro" -v "$dir/other-ca.pem:/tls/ca.pem:ro" \
    -e "KAFKA_BOOTSTRAP_SERVERS=$tls_bootstrap" -e KAFKA_CLIENT_SECURITY_PROTOCOL=SSL \
    "$image" apply --config /config/topics.yaml --broker-grace 2s --timeout 60s
  [[ $rc == 6 ]] && grep -q 'authentication failed at' "$tmp/err" && ok=0 || ok=1
  check $ok "another CA's file: exit $rc in ${secs}s (6: authentication failed): $(grep -o 'authentication failed at [^:]*:[0-9]* ([^)]*)' "$tmp/err" | head -n 1)"
  [[ $rc == 6 ]] || show_err
  say "TLS checks took $(since "$start") s (broker at $plaintext)"
  kafka_tls reset >/dev/null
}

cmd_faults() {
  ensure_kafka_init_image
  local dir start name
  dir=$(shared_dir faults)
  cp config/default.yaml "$dir/topics.yaml"
  chmod 644 "$dir/topics.yaml"
  start=$(now)
  echo "== fault checks: $engine, $image"

  # Nothing listens on port 9 in a network namespace of its own: refused until the deadline.
  krun --network none --read-only -e KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 "$image" apply --timeout 3s
  [[ $rc == 4 ]] && grep -q '127.0.0.1:9' "$tmp/err" &&
    awk -v s="$secs" 'BEGIN { exit !(s >= 3 && s < 5) }' && ok=0 || ok=1
  check $ok "no broker: exit $rc after ${secs}s (deadline 3s, container start included), the address named"
  [[ $rc == 4 ]] || show_err

  krun --network none --read-only -v "$dir:/config:ro" -e CONFIG_FILE=/config/missing.yaml "$image"
  [[ $rc == 3 ]] && grep -q '/config/missing.yaml' "$tmp/err" && ok=0 || ok=1
  check $ok "missing mounted file: exit $rc, stderr: $(grep -v INFO "$tmp/err" | grep -m1 'missing.yaml' | cut -c1-120)"

  # SIGTERM while kafka-init retries an unreachable broker (a 60 s deadline): PID 1 of the
  # container must end at once, not at the end of the engine's grace period, and never with 0.
  name=kafka-init-sigterm-$$
  cleanups+=("$engine rm -f $name >/dev/null 2>&1")
  ctr run -d --name "$name" --network none --read-only -e KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:9 \
    "$image" apply --timeout 60s >/dev/null
  local i
  for i in $(seq 50); do
    [[ $(ctr logs "$name" 2>&1) == *'Connecting to Kafka'* ]] && break
    sleep 0.1
  done
  local t0 code
  t0=$(now)
  ctr stop -t 10 "$name" >/dev/null
  secs=$(since "$t0")
  code=$(ctr inspect --format '{{.State.ExitCode}}' "$name")
  ctr logs "$name" >"$tmp/err" 2>&1
  awk -v s="$secs" 'BEGIN { exit !(s < 1) }' && [[ $code == 143 ]] && grep -q 'stopped by SIGTERM' "$tmp/err" && ok=0 || ok=1
  check $ok "SIGTERM (stop, 10 s grace): ended in ${secs}s, exit $code, stderr: $(grep -m1 -o 'stopped by SIGTERM.*' "$tmp/err")"
  ctr rm -f "$name" >/dev/null
  say "fault checks took $(since "$start") s"
}

# --- compose ----------------------------------------------------------------------------------

venv=$work/venv
readonly podman_compose_version=1.6.0 kubernetes_validate_version=1.37.0
# podman-compose 1.6.0, the newest on PyPI, with podman 4.3, Debian 12's, gets three things of
# docker-compose.yml wrong; the copy this script installs is fixed so that the check tests the
# compose file, not them (each fix applies once, and fails loudly if podman-compose changed):
# - `service_completed_successfully` waits for the dependency to stop, whatever its exit code
#   (containers/podman-compose#1330; fixed upstream by #1481, after 1.6.0): require 0;
# - `service_healthy` is skipped below podman 4.6 (no `podman wait --condition=healthy`): run
#   the dependency's health check with `podman healthcheck run` until it passes (podman 4.3 runs
#   health checks on systemd timers only, and a container host may have no systemd);
# - every `depends_on` also becomes `podman create --requires`, and podman 4.3 cannot start the
#   last container of a chain of them ("depends on container ... not found in input list"):
#   leave the order to podman-compose's own checks, as docker compose does.
ensure_venv() {
  local have
  have=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("podman-compose"), m.version("kubernetes-validate"))' 2>/dev/null || true)
  if [[ $have != "$podman_compose_version $kubernetes_validate_version" ]]; then
    say "installing podman-compose $podman_compose_version and kubernetes-validate $kubernetes_validate_version from PyPI into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "podman-compose==$podman_compose_version" \
      "kubernetes-validate==$kubernetes_validate_version"
  fi
  "$venv/bin/python" - <<'EOF'
import pathlib
import podman_compose

path = pathlib.Path(podman_compose.__file__)
text = path.read_text()
fixes = [
    (
        "service_completed_successfully requires exit code 0",
        """                    log.debug(
                        "dependencies for condition %s have been fulfilled on containers %s",""",
        """                    # service_completed_successfully requires exit code 0
                    if condition == ServiceDependencyCondition.STOPPED:
                        codes = await compose.podman.output(
                            [], "inspect", ["--format", "{{.State.ExitCode}}"] + deps_cd
                        )
                        if any(c != "0" for c in codes.decode().split()):
                            raise RuntimeError(f"{', '.join(deps_cd)} did not exit 0")
                    log.debug(
                        "dependencies for condition %s have been fulfilled on containers %s",""",
    ),
    (
        "a dependency that failed is not started",
        """        await check_dep_conditions(compose, deps)
""",
        """        # a dependency that failed is not started
        try:
            await check_dep_conditions(compose, deps)
        except RuntimeError as e:
            log.error("not starting %s: %s", name, e)
            return 1
""",
    ),
    (
        "healthy without podman wait --condition=healthy",
        """                    log.warning(
                        "Ignored %s condition check due to podman %s doesn't support %s!",
                        d.name,
                        compose.podman_version,
                        condition.value,
                    )
                    continue
""",
        """                    # healthy without podman wait --condition=healthy
                    if condition == ServiceDependencyCondition.HEALTHY:
                        for name in compose.container_names_by_service[d.name]:
                            for _ in range(120):
                                try:
                                    await compose.podman.output([], "healthcheck", ["run", name])
                                    break
                                except subprocess.CalledProcessError:
                                    await asyncio.sleep(1)
                            else:
                                raise RuntimeError(f"{name} did not become healthy")
                    continue
""",
    ),
    (
        "no --requires: podman 4.3 cannot start a chain",
        """    if deps and not no_deps:
        deps_csv = ",".join(deps)
        podman_args.append(f"--requires={deps_csv}")
""",
        """    # no --requires: podman 4.3 cannot start a chain
""",
    ),
]
for marker, old, new in fixes:
    if marker in text:
        continue
    assert text.count(old) == 1, f"podman-compose changed: review the fix '{marker}'"
    text = text.replace(old, new)
path.write_text(text)
EOF
}

pc() { "$venv/bin/podman-compose" "$@"; }

# A compose project's containers as started, one line each, in start order.
timeline() {
  local c
  for c in $(ctr ps -a --filter "label=io.podman.compose.project=$1" --format '{{.Names}}'); do
    ctr inspect --format "{{.State.StartedAt}}|{{.State.FinishedAt}}|{{.State.ExitCode}}|{{.State.Status}}|$c" "$c"
  done | sort | awk -F'|' '{
      started = ($1 ~ /^0001/) ? "never started" : "started " substr($1, 12, 12)
      line = sprintf("      %-36s %s", $5, started)
      if ($4 == "exited") line = line sprintf(", exited %s with %s", substr($2, 12, 12), $3)
      else line = line sprintf(" (%s)", $4)
      print line
    }'
}

container_of() {
  ctr ps -a --filter "label=io.podman.compose.project=$1" --filter "label=io.podman.compose.service=$2" \
    --format '{{.Names}}' | head -n 1
}
state_of() { ctr inspect --format "{{.State.$3}}" "$(container_of "$1" "$2")"; }

# Waits until a service's container has exited, up to $3 seconds.
await_exit() {
  local i c
  for i in $(seq "$3"); do
    c=$(container_of "$1" "$2")
    [[ -n $c && $(ctr inspect --format '{{.State.Status}}' "$c") == exited ]] && return 0
    sleep 1
  done
  return 1
}

cmd_compose() {
  [[ $engine == podman ]] || die "the compose check runs podman-compose, which needs podman (CONTAINER_ENGINE=podman)"
  ensure_kafka_init_image
  local kafka_image start t0 topics n
  kafka_image=$(awk '/^  kafka:/ { k = 1 } k && /image:/ { print $2; exit }' docker-compose.yml)
  ensure_image "$kafka_image"
  ensure_venv
  start=$(now)
  echo "== compose checks: docker-compose.yml with podman-compose $podman_compose_version and $engine"
  topics=$(sed -n 's/^ *name: *"\{0,1\}\([^"]*\)"\{0,1\}.*/\1/p' config/default.yaml)
  n=$(wc -w <<<"$topics")

  # 1. The shipped file as it is, from nothing.
  local p=$project
  cleanups+=("'$venv/bin/podman-compose' -p $p -f '$repo/docker-compose.yml' down -t 2 >/dev/null 2>&1")
  pc -p "$p" -f docker-compose.yml down -t 2 >/dev/null 2>&1 || true
  t0=$(now)
  pc -p "$p" -f docker-compose.yml up -d >"$tmp/up.log" 2>&1 || true
  await_exit "$p" dc-mock 180 || true
  echo "   up ($p): $(since "$t0") s until dc-mock exited"
  timeline "$p"
  local init_code init_end mock_start mock_code
  init_code=$(state_of "$p" kafka-init ExitCode)
  init_end=$(state_of "$p" kafka-init FinishedAt)
  mock_start=$(state_of "$p" dc-mock StartedAt)
  mock_code=$(state_of "$p" dc-mock ExitCode)
  ctr logs "$(container_of "$p" kafka-init)" >"$tmp/init1.log" 2>&1 || true
  ctr logs "$(container_of "$p" dc-mock)" >"$tmp/mock1.log" 2>&1 || true
  [[ $init_code == 0 ]] && grep -q 'All topics created successfully' "$tmp/init1.log" && ok=0 || ok=1
  check $ok "kafka-init exited $init_code after creating the topics"
  [[ $init_code == 0 ]] || sed 's/^/      | /' "$tmp/init1.log" | tail -n 5
  [[ $mock_start != 0001* && ! $mock_start < $init_end ]] && ok=0 || ok=1
  check $ok "dc-mock started (${mock_start:11:12}) after kafka-init exited (${init_end:11:12})"
  local missing=() t
  for t in $topics; do grep -q "Topic: $t" "$tmp/mock1.log" || missing+=("$t"); done
  [[ $mock_code == 0 && ${#missing[@]} == 0 ]] && ok=0 || ok=1
  check $ok "dc-mock exited $mock_code and listed the $n topics of config/default.yaml${missing:+ (missing: ${missing[*]})}"
  [[ $ok == 0 ]] || sed 's/^/      | /' "$tmp/mock1.log" | tail -n 5

  # 2. up again: kafka-init runs again and changes nothing.
  t0=$(now)
  local since_arg
  since_arg=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  pc -p "$p" -f docker-compose.yml up -d >"$tmp/up2.log" 2>&1 || true
  sleep 1
  await_exit "$p" dc-mock 120 || true
  echo "   up again: $(since "$t0") s"
  timeline "$p"
  ctr logs --since "$since_arg" "$(container_of "$p" kafka-init)" >"$tmp/init2.log" 2>&1 || true
  init_code=$(state_of "$p" kafka-init ExitCode)
  [[ $init_code == 0 ]] && ! grep -q 'Created topic\|Updated topic' "$tmp/init2.log" &&
    [[ $(grep -c 'already exists' "$tmp/init2.log") == "$n" ]] && ok=0 || ok=1
  check $ok "up again: kafka-init exited $init_code, each of the $n topics 'already exists', nothing created or changed"
  pc -p "$p" -f docker-compose.yml down -t 2 >/dev/null 2>&1 || true

  # 3. The same compose file with a topic file that fails: dc-mock must not start.
  local fail_dir q=$project-fail mock_status
  fail_dir=$(shared_dir compose-fail)
  cp docker-compose.yml "$fail_dir/"
  mkdir -p "$fail_dir/config"
  cat >"$fail_dir/config/default.yaml" <<'EOF'
kafka:
  bootstrap_servers: "kafka:29092"
  topics:
    workload:
      name: "dc.workload"
      config:
        cleanup.policy: "sometimes"
EOF
  chmod -R a+rX "$fail_dir"
  cleanups+=("'$venv/bin/podman-compose' -p $q -f '$fail_dir/docker-compose.yml' down -t 2 >/dev/null 2>&1")
  t0=$(now)
  pc -p "$q" -f "$fail_dir/docker-compose.yml" up -d >"$tmp/up3.log" 2>&1 || true
  await_exit "$q" kafka-init 120 || true
  sleep 3
  echo "   up with a topic file that fails ($q): $(since "$t0") s"
  timeline "$q"
  init_code=$(state_of "$q" kafka-init ExitCode)
  mock_status=$(state_of "$q" dc-mock Status)
  ctr logs "$(container_of "$q" kafka-init)" >"$tmp/init3.log" 2>&1 || true
  [[ $init_code != 0 && $mock_status != running && $mock_status != exited ]] &&
    [[ $(state_of "$q" dc-mock StartedAt) == 0001* ]] && ok=0 || ok=1
  check $ok "a topic file that fails: kafka-init exited $init_code, dc-mock never started (status: $mock_status)"
  grep -v INFO "$tmp/init3.log" | tail -n 2 | cut -c1-160 | sed 's/^/      | /'  || true
  pc -p "$q" -f "$fail_dir/docker-compose.yml" down -t 2 >/dev/null 2>&1 || true
  say "compose checks took $(since "$start") s"
}

# --- kubernetes -------------------------------------------------------------------------------

cmd_kubernetes() {
  ensure_venv
  echo "== Kubernetes manifests: kubernetes-validate $kubernetes_validate_version (its bundled API schemas, strict)"
  local version files=(deploy/kubernetes/*.yaml)
  for version in 1.25.0 1.37.0; do
    "$venv/bin/kubernetes-validate" --strict --quiet -k "$version" "${files[@]}" >"$tmp/k8s.log" 2>&1 && ok=0 || ok=1
    check $ok "${files[*]} against Kubernetes $version's API schemas, unknown fields refused"
    [[ ! -s $tmp/k8s.log ]] || sed 's/^/      | /' "$tmp/k8s.log"
  done
  # The validator refuses what the API server would.
  cat >"$tmp/bad-job.yaml" <<'EOF'
apiVersion: batch/v1
kind: Job
metadata: { name: bad }
spec:
  backofflimit: 3
  template:
    spec:
      restartPolicy: Never
      containers:
        - name: kafka-init
          image: kafka-init:latest
EOF
  ! "$venv/bin/kubernetes-validate" --strict --quiet "$tmp/bad-job.yaml" >/dev/null 2>&1 && ok=0 || ok=1
  check $ok "the validator refuses a Job with a misspelt field (backofflimit)"
}

# --- main -------------------------------------------------------------------------------------

run_all() {
  local start
  start=$(now)
  cmd_build
  cmd_run
  cmd_tls
  cmd_faults
  cmd_kubernetes
  if [[ $engine == podman ]]; then cmd_compose; else say "compose: skipped, it runs podman-compose"; fi
  say "all container checks took $(since "$start") s"
}

case ${1:-all} in
all) run_all ;;
build) cmd_build ;;
run) cmd_run ;;
tls) cmd_tls ;;
faults) cmd_faults ;;
compose) cmd_compose ;;
kubernetes) cmd_kubernetes ;;
stand-ins)
  ensure_standins
  ensure_image "$(awk '/^  kafka:/ { k = 1 } k && /image:/ { print $2; exit }' docker-compose.yml)"
  ;;
help | -h | --help) usage ;;
*)
  usage >&2
  exit 1
  ;;
esac
