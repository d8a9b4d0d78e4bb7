#!/usr/bin/env bash
# Runs the broker-facing integration tests against other Kafka versions than the default,
# each on a cluster of its own (its own ports and state dir), stopped and deleted afterwards.
# The default version is covered by scripts/test.sh.
#
# usage: scripts/test-versions.sh [VERSION...]   (default: the oldest version the README claims)
# Extra cargo test arguments: KAFKA_INIT_VERSION_TESTS (default: the reconcile, provision,
# cli and concurrency suites). Ports: the first free block from KAFKA_INIT_VERSIONS_PORT
# (default 29500, controller 29600; another checkout may be testing too: scripts/ports.sh).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/ports.sh
source scripts/ports.sh

versions=("$@")
((${#versions[@]} > 0)) || versions=(3.9.1)
read -ra tests <<<"${KAFKA_INIT_VERSION_TESTS:---test reconcile --test provision -p kafka-init -p kafka-init-bin --test cli --test concurrency}"

reset_cluster() { scripts/kafka.sh reset >/dev/null 2>&1 || true; }

first_port=${KAFKA_INIT_VERSIONS_PORT:-29500}
for version in "${versions[@]}"; do
  export KAFKA_VERSION=$version KAFKA_STATE_DIR=.kafka/versions-$version KAFKA_PORT=$first_port
  trap reset_cluster EXIT
  started=$SECONDS
  start_on_free_ports 1 "$first_port" reset_cluster
  echo "test-versions: Kafka $version at $bootstrap (started in $((SECONDS - started))s)" >&2
  KAFKA_INIT_TEST_BOOTSTRAP=$bootstrap cargo test --no-fail-fast "${tests[@]}"
  scripts/kafka.sh reset >/dev/null
  release_ports
  trap - EXIT
  echo "test-versions: Kafka $version passed in $((SECONDS - started))s" >&2
done
