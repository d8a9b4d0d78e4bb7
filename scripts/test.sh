#!/usr/bin/env bash
# Runs every test of the workspace against a real Kafka broker on loopback.
# Reuses this checkout's test broker if one is running; else starts one on
# the first free ports from 29092 (another checkout may be testing at the
# same time: scripts/ports.sh) and stops it again afterwards unless
# KAFKA_INIT_KEEP_BROKER=1. KAFKA_PORT forces a port. Extra arguments go to
# `cargo test`; without any, the run ends with scripts/test-versions.sh (the
# oldest supported Kafka).
#
# The broker has a SASL_PLAINTEXT listener too (KAFKA_SASL=1: PLAIN and
# SCRAM, user kafkainit/kafkainit-secret), for the binary's SASL tests:
# KAFKA_INIT_TEST_BOOTSTRAP is the PLAINTEXT listener,
# KAFKA_INIT_TEST_SASL_BOOTSTRAP the SASL one. The authorizer is on too
# (KAFKA_ACL=1): every user but `limited`, `svc-a` and `svc-b` (PLAIN,
# passwords `<user>-secret`; svc-a and svc-b are principals for the access
# tests) is a super user, so only the tests that log in as one of those
# meet ACLs. A running test broker keeps the users it started with:
# `scripts/kafka.sh stop` after they change. And it has TLS listeners
# (KAFKA_TLS=1), for the tests of secured clusters:
# KAFKA_INIT_TEST_TLS_BOOTSTRAP (SSL), KAFKA_INIT_TEST_MTLS_BOOTSTRAP (SSL
# with a required client certificate), KAFKA_INIT_TEST_SASL_SSL_BOOTSTRAP
# (PLAIN, SCRAM-SHA-512, OAUTHBEARER), KAFKA_INIT_TEST_OIDC_BOOTSTRAP
# (OAUTHBEARER tokens from the identity provider at
# KAFKA_INIT_TEST_OIDC_TOKEN_URL), with the CA, certificates and keys in
# KAFKA_INIT_TEST_TLS_DIR.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

export KAFKA_SASL=1 KAFKA_ACL=1 KAFKA_TLS=1
nodes=${KAFKA_NODES:-1}

# A test cluster made without SASL, the authorizer or TLS (by an earlier
# version of this script) cannot gain them in place, nor a state dir its
# port: it is a throwaway, so start it afresh.
reset_if_stale() {
  local state=${KAFKA_STATE_DIR:-.kafka/n$nodes-p$KAFKA_PORT}
  [[ -f $state/cluster.env ]] || return 0
  if ! grep -qx 'sasl=1' "$state/cluster.env" || ! grep -qx 'acl=1' "$state/cluster.env" ||
    ! grep -qx 'tls=1' "$state/cluster.env" || ! grep -qx "port=$KAFKA_PORT" "$state/cluster.env"; then
    echo "the test cluster in $state lacks the SASL listener, the authorizer or TLS, or has another port: resetting it" >&2
    KAFKA_SASL= KAFKA_ACL= KAFKA_TLS= scripts/kafka.sh reset >/dev/null
  fi
}

# The port of this checkout's running test cluster, if any (kafka.sh's
# default state dir names it: .kafka/n<NODES>-p<PORT>).
running_port() {
  local dir port
  for dir in .kafka/n"$nodes"-p*; do
    port=${dir##*-p}
    [[ $port =~ ^[0-9]+$ && -f $dir/cluster.env ]] || continue
    if grep -qx 'sasl=1' "$dir/cluster.env" && grep -qx 'acl=1' "$dir/cluster.env" &&
      grep -qx 'tls=1' "$dir/cluster.env" && KAFKA_PORT=$port scripts/kafka.sh status >/dev/null 2>&1; then
      echo "$port"
      return 0
    fi
  done
  return 1
}

# A state dir of the caller's keeps the port it was made with.
if [[ -z ${KAFKA_PORT:-} && -f ${KAFKA_STATE_DIR:-/nonexistent}/cluster.env ]]; then
  KAFKA_PORT=$(sed -n 's/^port=//p' "$KAFKA_STATE_DIR/cluster.env")
  export KAFKA_PORT
fi
started_here=0
if [[ -n ${KAFKA_PORT:-} ]]; then
  reset_if_stale
  scripts/kafka.sh status >/dev/null 2>&1 || started_here=1
  bootstrap=$(scripts/kafka.sh start | tail -n 1)
elif [[ -z ${KAFKA_STATE_DIR:-} ]] && KAFKA_PORT=$(running_port); then
  export KAFKA_PORT
  bootstrap=$(scripts/kafka.sh bootstrap)
else
  # Another checkout may be testing too: the first free block from 29092
  # (kafka.sh's default port), reserved until this script and the broker end.
  started_here=1
  start_on_free_ports "$nodes" 29092 reset_if_stale
fi
if [ "$started_here" = 1 ] && [ "${KAFKA_INIT_KEEP_BROKER:-0}" != 1 ]; then
  trap 'scripts/kafka.sh stop >/dev/null' EXIT
fi
export KAFKA_INIT_TEST_BOOTSTRAP="$bootstrap"
KAFKA_INIT_TEST_SASL_BOOTSTRAP=$(scripts/kafka.sh sasl-bootstrap)
export KAFKA_INIT_TEST_SASL_BOOTSTRAP
KAFKA_INIT_TEST_TLS_BOOTSTRAP=$(scripts/kafka.sh tls-bootstrap)
KAFKA_INIT_TEST_MTLS_BOOTSTRAP=$(scripts/kafka.sh mtls-bootstrap)
KAFKA_INIT_TEST_SASL_SSL_BOOTSTRAP=$(scripts/kafka.sh sasl-ssl-bootstrap)
KAFKA_INIT_TEST_OIDC_BOOTSTRAP=$(scripts/kafka.sh oidc-bootstrap)
KAFKA_INIT_TEST_OIDC_TOKEN_URL=$(scripts/kafka.sh oidc-token-url)
KAFKA_INIT_TEST_TLS_DIR=$(scripts/kafka.sh tls-dir)
export KAFKA_INIT_TEST_TLS_BOOTSTRAP KAFKA_INIT_TEST_MTLS_BOOTSTRAP KAFKA_INIT_TEST_SASL_SSL_BOOTSTRAP \
  KAFKA_INIT_TEST_OIDC_BOOTSTRAP KAFKA_INIT_TEST_OIDC_TOKEN_URL KAFKA_INIT_TEST_TLS_DIR
echo "testing against Kafka at $bootstrap (SASL: $KAFKA_INIT_TEST_SASL_BOOTSTRAP, TLS: $KAFKA_INIT_TEST_TLS_BOOTSTRAP)" >&2

cargo test --workspace --no-fail-fast "$@"

# A full run (no filter given) also covers the oldest Kafka the README
# claims, on a cluster of its own.
if [ "$#" = 0 ] && [ "${KAFKA_INIT_SKIP_VERSIONS:-0}" != 1 ]; then
  # The oldest version without the TLS listeners: its suites do not use them.
  KAFKA_TLS=0 scripts/test-versions.sh
fi
