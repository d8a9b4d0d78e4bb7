#!/usr/bin/env bash
# Parse time and peak memory of `kafka-init check` (no broker: reading and
# checking the file is all it does) on files from the bench's generator
# (benches/bench.py: partitions 1-4, one in three compacted, two or three
# configs each). Peak RSS is /usr/bin/time's (the child's ru_maxrss); CPU
# time is the rusage of that child and its own child, kafka-init, at
# microsecond resolution (time's own output has 10 ms). Usage:
#   benches/parse_check.sh [BINARY] [RUNS]   (default target/release/kafka-init, 9)
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-target/release/kafka-init}
runs=${2:-9}
[[ -x $binary ]] || cargo build --release -p kafka-init-bin
python3 - "$binary" "$runs" <<'PY'
import os, pathlib, statistics, subprocess, sys, tempfile, time
sys.path.insert(0, "benches")
import bench
binary, runs = sys.argv[1], int(sys.argv[2])
with tempfile.TemporaryDirectory() as work:
    for n in (1000, 10000):
        spec = bench.Spec(pathlib.Path(work), f"t{n}", bench.generated_topics(n), "127.0.0.1:9092")
        walls, cpus, rss = [], [], 0
        for _ in range(runs):
            started = time.monotonic()
            child = subprocess.Popen(
                ["/usr/bin/time", "-f", "%M", binary, "check", "--config", str(spec.yaml)],
                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            err = child.stderr.read()
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.monotonic() - started)
            assert status == 0, f"check exited {status}: {err}"
            cpus.append(usage.ru_utime + usage.ru_stime)
            rss = max(rss, int(err.split()[-1]))
        size = spec.yaml.stat().st_size / 1e6
        print(f"check, {n:,} topics ({size:.1f} MB): median CPU {statistics.median(cpus) * 1000:.1f} ms, "
              f"median wall {statistics.median(walls) * 1000:.1f} ms, peak RSS {rss / 1024:.1f} MB "
              f"(max of {runs} runs)")
PY
