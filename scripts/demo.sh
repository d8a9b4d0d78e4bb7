#!/usr/bin/env bash
# The main job on a fresh machine: start a local broker, provision
# config/default.yaml with kafka-init, then show the topics as Kafka's own
# tool describes them.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bootstrap=$(scripts/kafka.sh start | tail -n 1)
cargo build --quiet --release -p kafka-init-bin
KAFKA_BOOTSTRAP_SERVERS="$bootstrap" target/release/kafka-init --config config/default.yaml

echo
echo "Topics on $bootstrap, as kafka-topics describes them:"
scripts/kafka.sh topics --describe \
  --topic '^(dc\.workload|dc\.power|dc\.topology|sim\.topology|sys\.config|sim\.results)$'
