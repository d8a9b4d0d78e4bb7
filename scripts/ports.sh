# shellcheck shell=bash
# Sourced by scripts/test.sh and scripts/test-versions.sh: picks the ports of a test cluster that
# scripts/kafka.sh starts, so that several checkouts on one machine can run their tests at once.
#
# A cluster of N nodes at PORT needs PORT+i, PORT+50+i (SASL), PORT+100+i (controller) and,
# with KAFKA_TLS=1, PORT+150+i, PORT+200+i, PORT+250+i, PORT+300+i (TLS, mutual TLS, SASL_SSL,
# OIDC) and PORT+350 (the identity provider) for i < N. A block is taken only if each of those ports is free and this shell holds an exclusive
# flock on ${XDG_RUNTIME_DIR:-/tmp}/kafka-init-ports/<port>: the lock covers the time between the
# check and the broker's bind, and a node that is down for a while. Processes started meanwhile
# (the brokers too) inherit the descriptors, so the block stays reserved while any of them runs.
# kafka-init-bin/tests/faults.rs takes the same locks.

ports_lock_dir=${XDG_RUNTIME_DIR:-/tmp}/kafka-init-ports
# Within the 50 ports from FIRST, blocks of any size up to 9 nodes interleave without overlap.
readonly ports_window=50
reserved_fds=()

cluster_ports() {
  local nodes=$1 port=$2 i
  for ((i = 0; i < nodes; i++)); do
    echo $((port + i)) $((port + 50 + i)) $((port + 100 + i))
    [[ ${KAFKA_TLS:-0} != 1 ]] ||
      echo $((port + 150 + i)) $((port + 200 + i)) $((port + 250 + i)) $((port + 300 + i)) $((port + 350 + i))
  done
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

block_in_use() {
  local p
  for p in $(cluster_ports "$1" "$2"); do port_in_use "$p" && return 0; done
  return 1
}

release_ports() {
  local fd
  for fd in "${reserved_fds[@]}"; do exec {fd}>&-; done
  reserved_fds=()
}

# Locks and checks every port of the block at PORT; on failure lets go of what it took.
try_reserve() {
  local nodes=$1 port=$2 p fd fds=()
  for p in $(cluster_ports "$nodes" "$port"); do
    exec {fd}>"$ports_lock_dir/$p"
    fds+=("$fd")
    if ! flock -n "$fd" || port_in_use "$p"; then
      for fd in "${fds[@]}"; do exec {fd}>&-; done
      return 1
    fi
  done
  reserved_fds+=("${fds[@]}")
}

# Reserves the first free block of NODES nodes from FIRST; sets reserved_port.
reserve_ports() {
  local nodes=$1 first=$2 port
  mkdir -p "$ports_lock_dir"
  for ((port = first; port + nodes <= first + ports_window; port++)); do
    if try_reserve "$nodes" "$port"; then
      reserved_port=$port
      return 0
    fi
  done
  echo "no free ports for $nodes node(s) from $first to $((first + ports_window + 100 - 1))" >&2
  return 1
}

# Starts the cluster with `scripts/kafka.sh start` on a reserved block (exporting KAFKA_PORT) and
# sets bootstrap. PREPARE... runs first, with KAFKA_PORT set. A process that takes no lock may
# still bind a port between the check and the broker: then another free block is tried.
start_on_free_ports() {
  local nodes=$1 first=$2 tries=0
  shift 2
  while :; do
    reserve_ports "$nodes" "$first" || return 1
    export KAFKA_PORT=$reserved_port
    (($# == 0)) || "$@"
    # shellcheck disable=SC2034 # the caller's
    if bootstrap=$(scripts/kafka.sh start | tail -n 1); then
      return 0
    fi
    release_ports
    { ((++tries < 3)) && block_in_use "$nodes" "$KAFKA_PORT"; } || return 1
    echo "a port of the block at $KAFKA_PORT was taken meanwhile: trying another block" >&2
  done
}
