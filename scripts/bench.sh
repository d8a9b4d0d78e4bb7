#!/usr/bin/env bash
# Benchmarks kafka-init against the reference Python flow, Apache Kafka's kafka-topics and the
# broker's own floor (one raw CreateTopics request, then a raw ListOffsets poll until every
# partition serves), all on one real broker this script starts on its own port (29700) and stops
# at the end; then kafka-init alone from 10 to 10,000 topics on a three-node cluster on the same
# ports. Results go to benches/results/.
#
# usage: scripts/bench.sh [--quick] [bench.py options...]   (scripts/bench.sh --help lists them)
#   --quick   six topics + 100 topics, one run each, growth to 100 (a smoke check)
#
# Needs what scripts/kafka.sh needs (JDK 17+, Maven) plus Rust and Python 3.11+.
# Environment: BENCH_KAFKA_PORT (29700), BENCH_KAFKA_HEAP ("-Xms1g -Xmx1g"), KAFKA_VERSION,
# BENCH_PYTHON (python3.11, else python3), BENCH_BINARY (skip the build, bench this binary).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

venv=.bench-venv
python=${BENCH_PYTHON:-$(command -v python3.11 || command -v python3)}
# Pinned: the contenders' client library and the YAML parser the reference flow reads its file with.
requirements=(kafka-python==2.3.3 PyYAML==6.0.2)

if [[ ! -x $venv/bin/python ]] || ! "$venv/bin/python" -c 'import kafka, yaml' 2>/dev/null ||
  [[ $("$venv/bin/python" -c 'import kafka; print(kafka.__version__)') != 2.3.3 ]]; then
  echo "bench.sh: creating $venv" >&2
  "$python" -m venv "$venv"
  "$venv/bin/pip" install -q "${requirements[@]}"
fi

if [[ -z ${BENCH_BINARY:-} ]]; then
  echo "bench.sh: building the release binary" >&2
  cargo build --release -p kafka-init-bin >&2
  binary=target/release/kafka-init
else
  binary=$BENCH_BINARY
fi
# The independent writer that checks, right after a run, that every partition takes a write.
cargo build --release -p kafka-init-test-support --bin write-probe >&2

# The measuring launcher (wall time, CPU time and peak RSS of each contender; see the file).
mkdir -p target
if [[ ! -x target/bench-spawn || benches/spawn.c -nt target/bench-spawn ]]; then
  "${CC:-cc}" -O2 -Wall -o target/bench-spawn benches/spawn.c
fi

# Thousands of partitions: each holds file descriptors and memory maps in the broker.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

exec "$venv/bin/python" benches/bench.py --binary "$binary" --spawn target/bench-spawn \
  --probe target/release/write-probe "$@"
