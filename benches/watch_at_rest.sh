#!/usr/bin/env bash
# The cost at rest of `kafka-init watch`: TOPICS converged topics (1,000), a pass every
# INTERVAL (10s), for SECONDS (600). Reports, from /proc and the process's own /metrics:
# CPU time per pass (user + system over the measured window, idle time between passes
# included, divided by the passes in it), requests per pass, pass duration and peak RSS.
#
# usage: benches/watch_at_rest.sh [BOOTSTRAP]
#   BOOTSTRAP defaults to this checkout's running test broker (scripts/kafka.sh bootstrap).
# Environment: WATCH_BENCH_TOPICS (1000), WATCH_BENCH_INTERVAL (10s), WATCH_BENCH_SECONDS (600),
# BENCH_BINARY (target/release/kafka-init, built when missing).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

bootstrap=${1:-$(scripts/kafka.sh bootstrap)}
topics=${WATCH_BENCH_TOPICS:-1000}
interval=${WATCH_BENCH_INTERVAL:-10s}
seconds=${WATCH_BENCH_SECONDS:-600}
binary=${BENCH_BINARY:-target/release/kafka-init}
[[ -x $binary ]] || cargo build --release -p kafka-init-bin >&2

dir=$(mktemp -d)
pid=
cleanup() {
  [[ -z $pid ]] || kill "$pid" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

# The bench's topics, like scripts/bench.sh's: partitions 1-4, one in three compacted, two or
# three configs each, under a prefix of their own (deleted again at the end with --prune).
prefix="rest$(date +%s)."
python3 - "$prefix" "$topics" >"$dir/topics.yaml" <<'PY'
import sys
prefix, n = sys.argv[1], int(sys.argv[2])
print("kafka:\n  owns: [\"%s\"]\n  topics:" % prefix)
for i in range(n):
    print("    t%05d:\n      name: \"%s%05d\"\n      partitions: %d\n      replication_factor: 1\n      config:" % (i, prefix, i, 1 + i % 4))
    if i % 3 == 0:
        print("        cleanup.policy: compact\n        min.compaction.lag.ms: \"60000\"")
    else:
        print("        retention.ms: \"%d\"\n        segment.bytes: \"%d\"" % (3600000 * (1 + i % 24), 1048576 * (64 + i % 4)))
    if i % 2 == 0:
        print("        max.message.bytes: \"2097152\"")
PY

echo "watch_at_rest: $topics topics at $bootstrap, converging them first" >&2
"$binary" apply --config "$dir/topics.yaml" --bootstrap-servers "$bootstrap" --timeout 300s \
  2>"$dir/apply.log" || { tail "$dir/apply.log" >&2; exit 1; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$binary" watch --config "$dir/topics.yaml" --bootstrap-servers "$bootstrap" \
  --interval "$interval" --listen "127.0.0.1:$port" 2>"$dir/watch.log" &
pid=$!

metrics() { curl -sf "http://127.0.0.1:$port/metrics"; }
# sample NAME: the sum of every sample of NAME (over its labels).
sample() { awk -v n="$1" '$1 == n || index($1, n "{") == 1 { s += $NF } END { printf "%.6f\n", s }'; }
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$pid/stat"; }
snapshot() {
  local m
  m=$(metrics)
  echo "$(cpu_ticks) $(sample kafka_init_reconciliations_total <<<"$m") $(sample kafka_init_requests_total <<<"$m") $(sample kafka_init_reconcile_duration_seconds_sum <<<"$m") $(sample kafka_init_changes_total <<<"$m")"
}

# From the end of the first pass (the start: connecting, a plan with nothing to do).
deadline=$((SECONDS + 120))
until m=$(metrics 2>/dev/null) && [[ $(sample kafka_init_reconciliations_total <<<"$m") != 0.000000 ]]; do
  ((SECONDS < deadline)) || { echo "no pass within 120 s" >&2; tail "$dir/watch.log" >&2; exit 1; }
  sleep 0.2
done
read -r cpu0 passes0 requests0 busy0 changes0 < <(snapshot)
echo "watch_at_rest: measuring for $seconds s" >&2
sleep "$seconds"
read -r cpu1 passes1 requests1 busy1 changes1 < <(snapshot)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
threads=$(awk '/^Threads/ { print $2 }' "/proc/$pid/status")
started=$SECONDS
kill -TERM "$pid"
code=0
wait "$pid" || code=$?
stopped=$((SECONDS - started))
pid=

tck=$(getconf CLK_TCK)
python3 - "$cpu0" "$cpu1" "$passes0" "$passes1" "$requests0" "$requests1" "$busy0" "$busy1" \
  "$changes0" "$changes1" "$hwm" "$rss" "$threads" "$tck" "$seconds" "$topics" "$interval" "$code" "$stopped" <<'PY'
import sys
a = sys.argv[1:]
cpu0, cpu1, p0, p1, r0, r1, b0, b1, c0, c1 = map(float, a[:10])
hwm, rss, threads, tck, seconds, topics = map(int, a[10:16])
interval, code, stopped = a[16], a[17], a[18]
passes = p1 - p0
print(f"topics {topics}, interval {interval}, measured {seconds} s: {passes:.0f} passes")
print(f"CPU per pass:          {(cpu1 - cpu0) / tck / passes * 1000:.1f} ms (user+system over the window / passes; clock tick {1000 / tck:.0f} ms)")
print(f"requests per pass:     {(r1 - r0) / passes:.2f}")
print(f"pass duration (mean):  {(b1 - b0) / passes * 1000:.1f} ms")
print(f"changes in the window: {c1 - c0:.0f}")
print(f"peak RSS (VmHWM):      {hwm / 1024:.1f} MB; RSS at the end {rss / 1024:.1f} MB; {threads} threads")
print(f"SIGTERM: exit {code} after {stopped} s")
PY

# Leave the shared broker as found: prune the bench's topics (an empty file owning them).
printf 'kafka:\n  owns: ["%s"]\n  topics: {}\n' "$prefix" >"$dir/empty.yaml"
"$binary" apply --prune --max-deletions "$topics" --config "$dir/empty.yaml" \
  --bootstrap-servers "$bootstrap" --timeout 300s 2>"$dir/prune.log" ||
  echo "watch_at_rest: could not delete the bench's topics (prefix $prefix): $(tail -n 1 "$dir/prune.log")" >&2
