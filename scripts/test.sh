#!/usr/bin/env bash
# Runs every test of the workspace against a real Kafka broker on loopback.
# Starts the broker if none is running (and stops it again afterwards unless
# KAFKA_INIT_KEEP_BROKER=1). Extra arguments go to `cargo test`; without
# any, the run ends with scripts/test-versions.sh (the oldest supported Kafka).
#
# The broker has a SASL_PLAINTEXT listener too (KAFKA_SASL=1: PLAIN and
# SCRAM, user kafkainit/kafkainit-secret), for the binary's SASL tests:
# KAFKA_INIT_TEST_BOOTSTRAP is the PLAINTEXT listener,
# KAFKA_INIT_TEST_SASL_BOOTSTRAP the SASL one. The authorizer is on too
# (KAFKA_ACL=1): every user but `limited` is a super user, so only the
# tests that log in as `limited` meet ACLs.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# A test cluster made without SASL or the authorizer (by an earlier version
# of this script) cannot gain them in place: it is a throwaway, so start it
# afresh.
state=${KAFKA_STATE_DIR:-.kafka/n${KAFKA_NODES:-1}-p${KAFKA_PORT:-29092}}
if [[ -f $state/cluster.env ]] &&
  ! { grep -qx 'sasl=1' "$state/cluster.env" && grep -qx 'acl=1' "$state/cluster.env"; }; then
  echo "the test cluster in $state lacks the SASL listener or the authorizer: resetting it" >&2
  KAFKA_SASL= KAFKA_ACL= scripts/kafka.sh reset >/dev/null
fi
export KAFKA_SASL=1 KAFKA_ACL=1

started_here=0
if ! scripts/kafka.sh status >/dev/null 2>&1; then
  started_here=1
fi
bootstrap=$(scripts/kafka.sh start | tail -n 1)
if [ "$started_here" = 1 ] && [ "${KAFKA_INIT_KEEP_BROKER:-0}" != 1 ]; then
  trap 'scripts/kafka.sh stop >/dev/null' EXIT
fi
export KAFKA_INIT_TEST_BOOTSTRAP="$bootstrap"
KAFKA_INIT_TEST_SASL_BOOTSTRAP=$(scripts/kafka.sh sasl-bootstrap)
export KAFKA_INIT_TEST_SASL_BOOTSTRAP
echo "testing against Kafka at $bootstrap (SASL: $KAFKA_INIT_TEST_SASL_BOOTSTRAP)" >&2

cargo test --workspace --no-fail-fast "$@"

# A full run (no filter given) also covers the oldest Kafka the README
# claims, on a cluster of its own.
if [ "$#" = 0 ] && [ "${KAFKA_INIT_SKIP_VERSIONS:-0}" != 1 ]; then
  scripts/test-versions.sh
fi
