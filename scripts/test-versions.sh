#!/usr/bin/env bash
# Runs the broker-facing integration tests against other Kafka versions than the default,
# each on a cluster of its own (its own port and state dir), stopped and deleted afterwards.
# The default version is covered by scripts/test.sh.
#
# usage: scripts/test-versions.sh [VERSION...]   (default: the oldest version the README claims)
# Extra cargo test arguments: KAFKA_INIT_VERSION_TESTS (default: the reconcile, provision,
# cli and concurrency suites).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

versions=("$@")
((${#versions[@]} > 0)) || versions=(3.9.1)
read -ra tests <<<"${KAFKA_INIT_VERSION_TESTS:---test reconcile --test provision -p kafka-init -p kafka-init-bin --test cli --test concurrency}"

port=29500
for version in "${versions[@]}"; do
  state=.kafka/versions-$version
  export KAFKA_VERSION=$version KAFKA_PORT=$port KAFKA_STATE_DIR=$state
  scripts/kafka.sh reset >/dev/null 2>&1 || true
  trap 'scripts/kafka.sh reset >/dev/null 2>&1 || true' EXIT
  started=$SECONDS
  bootstrap=$(scripts/kafka.sh start | tail -n 1)
  echo "test-versions: Kafka $version at $bootstrap (started in $((SECONDS - started))s)" >&2
  KAFKA_INIT_TEST_BOOTSTRAP=$bootstrap cargo test --no-fail-fast "${tests[@]}"
  scripts/kafka.sh reset >/dev/null
  trap - EXIT
  echo "test-versions: Kafka $version passed in $((SECONDS - started))s" >&2
done
