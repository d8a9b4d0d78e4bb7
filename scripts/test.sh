#!/usr/bin/env bash
# Runs every test of the workspace against a real Kafka broker on loopback.
# Starts the broker if none is running (and stops it again afterwards unless
# KAFKA_INIT_KEEP_BROKER=1). Extra arguments go to the test runner.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

started_here=0
if ! scripts/kafka.sh status >/dev/null 2>&1; then
  started_here=1
fi
bootstrap=$(scripts/kafka.sh start | tail -n 1)
if [ "$started_here" = 1 ] && [ "${KAFKA_INIT_KEEP_BROKER:-0}" != 1 ]; then
  trap 'scripts/kafka.sh stop >/dev/null' EXIT
fi
export KAFKA_INIT_TEST_BOOTSTRAP="$bootstrap"
echo "testing against Kafka at $bootstrap" >&2

cargo test --workspace --no-fail-fast "$@"
