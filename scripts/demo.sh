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

# The broker stays up for more runs (`scripts/kafka.sh topics --list`, a
# second `kafka-init` run); say how to stop it, with the knobs it was started with.
knobs=""
for var in KAFKA_PORT KAFKA_NODES KAFKA_STATE_DIR; do
  if [ -n "${!var:-}" ]; then knobs+="$var=$(printf '%q' "${!var}") "; fi
done
echo
echo "The broker on $bootstrap is still running. Stop it with:"
echo "  ${knobs}scripts/kafka.sh stop"
