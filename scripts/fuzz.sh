#!/usr/bin/env bash
# Fuzzes the topic-file parser and validator, the diff, the readiness check and
# the batching (proptest properties in
# kafka-init-core/src/fuzz.rs) for a fixed time: rounds of many random
# cases each, with a fresh seed per round, until SECONDS (default 300) pass.
# A failing input is shrunk and saved in kafka-init-core/src/fuzz.proptest-regressions,
# which every later run (CI's short one too) replays first: commit it with the fix.
#
# usage: scripts/fuzz.sh [SECONDS]   (KAFKA_INIT_FUZZ_CASES: cases per property per round)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

seconds=${1:-300}
[[ $seconds =~ ^[0-9]+$ ]] || { echo "usage: scripts/fuzz.sh [SECONDS]" >&2; exit 2; }
cases=${KAFKA_INIT_FUZZ_CASES:-5000}

# Optimised (many more cases per second than a debug build, same checks), and without the
# admin feature: the parser and validator need no librdkafka.
cargo test -q --release -p kafka-init-core --no-default-features --lib fuzz:: --no-run
deadline=$((SECONDS + seconds))
round=0
while ((SECONDS < deadline)); do
  round=$((round + 1))
  left=$((deadline - SECONDS))
  echo "fuzz round $round: $cases cases per property, ${left}s left" >&2
  # A round that outlives the deadline is cut short: that is not a failure.
  set +e
  KAFKA_INIT_FUZZ_CASES=$cases timeout --signal=INT "$left" \
    cargo test -q --release -p kafka-init-core --no-default-features --lib fuzz::
  status=$?
  set -e
  if ((status == 124 || status == 130)); then break; fi
  ((status == 0)) || { echo "fuzz: a property failed (round $round); see above" >&2; exit 1; }
done
echo "fuzz: $round round(s), no failure in ${seconds}s" >&2
