#!/usr/bin/env python3
"""kafka-init benchmarks: kafka-init against the reference Python flow, Apache Kafka's
kafka-topics and the broker's own floor, on one real broker, in one run.

Run through scripts/bench.sh (which makes the venv and builds the release binary). Every
contender runs as a child process; wall time is measured around fork/exec..wait4, CPU time and
peak RSS come from the child's rusage (wait4, which includes the child's own reaped children).
Requests are counted on the broker side in a separate, untimed pass (the broker's
kafka.request.logger at DEBUG). Start-to-first-request is measured against a local listener that
timestamps the first byte it receives. Writes benches/results/{results.json,results.md,chart.svg}.
"""

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable

CONTENDERS = ["kafka-init", "floor", "python-flow", "kafka-topics"]
SHORT = {"kafka-init": "ki", "floor": "fl", "python-flow": "py", "kafka-topics": "kt"}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --- the broker -------------------------------------------------------------------------------

class Broker:
    def __init__(self, port, state_dir, heap, version, nodes=1):
        self.env = dict(os.environ, KAFKA_PORT=str(port), KAFKA_STATE_DIR=str(state_dir),
                        KAFKA_HEAP=heap, KAFKA_NODES=str(nodes))
        self.nodes, self.port = nodes, port
        if version:
            self.env["KAFKA_VERSION"] = version
        self.state_dir = Path(state_dir)
        self.bootstrap = f"127.0.0.1:{port}"

    def kafka_sh(self, *args):
        out = subprocess.run([str(REPO / "scripts/kafka.sh"), *args], env=self.env,
                             stdout=subprocess.PIPE, text=True, check=True)
        return out.stdout.strip()

    def start(self):
        t = time.perf_counter()
        self.kafka_sh("start")
        log(f"broker up at {self.bootstrap} in {time.perf_counter() - t:.1f}s")

    def stop(self):
        if (self.state_dir / "cluster.env").exists():
            self.kafka_sh("stop")

    def reset(self):
        self.stop()
        self.kafka_sh("reset")

    def fresh(self):
        self.reset()
        self.start()

    @property
    def log_path(self):
        return self.state_dir / "node-1" / "kafka.log"

    @property
    def log_paths(self):
        return [self.state_dir / f"node-{i}" / "kafka.log" for i in range(1, self.nodes + 1)]

    def node_bootstrap(self, i):
        return f"127.0.0.1:{self.port + i - 1}"

    def recorded(self, key):
        for line in (self.state_dir / "cluster.env").read_text().splitlines():
            if line.startswith(key + "="):
                return line.split("=", 1)[1]
        return None

    @property
    def libs(self):
        cache = Path(os.environ.get("KAFKA_INIT_CACHE", Path.home() / ".cache/kafka-init"))
        return cache / f"kafka-{self.recorded('version')}" / "libs"


# --- topic sets -------------------------------------------------------------------------------

def default_topics():
    import yaml
    with open(REPO / "config/default.yaml") as f:
        doc = yaml.safe_load(f)
    return [{"key": k, "name": t["name"], "partitions": t.get("partitions", 1),
             "replication_factor": t.get("replication_factor", 1),
             "config": {ck: str(cv) for ck, cv in (t.get("config") or {}).items()}}
            for k, t in doc["kafka"]["topics"].items()]


def generated_topics(n):
    """n topics, partitions 1-4, one in three compacted, two or three configs each."""
    out = []
    for i in range(n):
        if i % 3 == 0:
            config = {"cleanup.policy": "compact",
                      "min.compaction.lag.ms": str(60000 * (1 + i % 60)),
                      "segment.bytes": "104857600"}
        else:
            config = {"cleanup.policy": "delete",
                      "retention.ms": str(3600000 * (1 + i % 168)),
                      "max.message.bytes": "2097152"}
            if i % 2:
                config["compression.type"] = "zstd"
        out.append({"key": f"t{i:04d}", "name": f"t{i:04d}", "partitions": 1 + i % 4,
                    "replication_factor": 1, "config": config})
    return out


def drifted(topics, count):
    """The same set with `count` topics (every len/count-th) changed by one config value."""
    out = [dict(t, config=dict(t["config"])) for t in topics]
    step = max(1, len(out) // count)
    changed = []
    for t in out[::step][:count]:
        key = "min.compaction.lag.ms" if "min.compaction.lag.ms" in t["config"] else "retention.ms"
        t["config"][key] = str(int(t["config"][key]) + 1000)
        changed.append(dict(t, config={key: t["config"][key]}))
    return out, changed


def prefixed(topics, prefix):
    return [dict(t, name=prefix + t["name"]) for t in topics]


class Spec:
    """One topic set written in the forms the contenders read: YAML, JSON and a TSV list."""

    def __init__(self, workdir, label, topics, bootstrap):
        self.label, self.topics = label, topics
        self.yaml = workdir / f"{label}.yaml"
        self.json = workdir / f"{label}.json"
        self.tsv = workdir / f"{label}.tsv"
        lines = ["kafka:", f"  bootstrap_servers: {json.dumps(bootstrap)}", "  topics:"]
        for t in topics:
            lines += [f"    {t['key']}:", f"      name: {json.dumps(t['name'])}",
                      f"      partitions: {t['partitions']}",
                      f"      replication_factor: {t['replication_factor']}"]
            if t["config"]:
                lines.append("      config:")
                lines += [f"        {k}: {json.dumps(v)}" for k, v in t["config"].items()]
        self.yaml.write_text("\n".join(lines) + "\n")
        self.json.write_text(json.dumps({"topics": topics}))
        self.tsv.write_text("".join(
            "\t".join([t["name"], str(t["partitions"]), str(t["replication_factor"])]
                      + [f"{k}={v}" for k, v in t["config"].items()]) + "\n" for t in topics))

    def __len__(self):
        return len(self.topics)


# --- running one contender --------------------------------------------------------------------

class Runner:
    def __init__(self, args, broker, workdir, logdir):
        self.args, self.broker, self.workdir, self.logdir = args, broker, workdir, logdir
        self.seq = 0

    def argv(self, contender, spec, action, bootstrap):
        if contender == "kafka-init":
            return [self.args.binary, "--config", str(spec.yaml)], {
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap, "KAFKA_INIT_TIMEOUT": "900s"}
        if contender == "python-flow":
            return [PY, str(HERE / "reference_flow.py")], {
                "CONFIG_FILE": str(spec.yaml), "KAFKA_BOOTSTRAP_SERVERS": bootstrap}
        if contender == "kafka-topics":
            return ["bash", str(HERE / "kafka_topics_loop.sh"), str(self.broker.libs),
                    bootstrap, str(spec.tsv)], {}
        if contender == "floor":
            return [PY, str(HERE / "floor.py"), action, str(spec.json), bootstrap], {}
        raise ValueError(contender)

    def settle(self):
        """Waits (untimed) until the broker has caught up with every earlier change, so no
        contender pays for the partitions the one before it created."""
        self.probes = getattr(self, "probes", 0) + 1
        t0 = time.perf_counter()
        got = self.floor_call("settle", f"bench-settle.{os.getpid()}.{self.probes}")
        if got["error_count"]:
            log(f"  settle: {got['errors']}")
        return (time.perf_counter() - t0) * 1000

    def run(self, contender, spec, action="create", timeout=3600, probe=False):
        """Runs one contender to completion; returns wall/CPU/RSS (and the floor's own JSON,
        kafka-init's phase times). With `probe`, the independent writer runs the moment the
        contender has exited ("writes")."""
        settle_ms = self.settle()
        argv, extra = self.argv(contender, spec, action, self.broker.bootstrap)
        env = dict(os.environ, **extra)
        env.pop("RUST_LOG", None)
        self.seq += 1
        name = f"{self.seq:04d}-{SHORT[contender]}-{action}-{spec.label}"
        out_path, err_path = self.logdir / f"{name}.out", self.logdir / f"{name}.err"
        stats_path = self.logdir / f"{name}.rusage"
        with open(out_path, "wb") as out, open(err_path, "wb") as err:
            proc = subprocess.Popen([self.args.spawn, str(stats_path), *argv], env=env, stdout=out,
                                    stderr=err, stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        writes = self.probe(spec) if probe and proc.returncode == 0 else None
        try:
            st = json.loads(stats_path.read_text())
        except (OSError, ValueError):
            st = {"wall_ns": 0, "user_us": 0, "sys_us": 0, "maxrss_kb": 0, "exit": proc.returncode}
        rec = {"contender": contender, "action": action, "spec": spec.label, "topics": len(spec),
               "wall_ms": st["wall_ns"] / 1e6, "cpu_ms": (st["user_us"] + st["sys_us"]) / 1000,
               "user_ms": st["user_us"] / 1000, "sys_ms": st["sys_us"] / 1000,
               "rss_mb": st["maxrss_kb"] / 1024, "rc": st["exit"], "log": name,
               "settle_ms": round(settle_ms, 1)}
        if writes is not None:
            rec["writes"] = writes
        if contender == "floor":
            try:
                rec["floor"] = json.loads(out_path.read_text().strip().splitlines()[-1])
            except (IndexError, ValueError):
                rec["floor"] = None
        if contender == "kafka-init":
            rec["phases"] = phases(err_path.read_text(errors="replace"))
        if rec["rc"] != 0:
            tail = err_path.read_text(errors="replace")[-600:] or out_path.read_text(errors="replace")[-600:]
            log(f"  {contender} {action} {spec.label} exited {rec['rc']}: {tail.strip()}")
        return rec

    def floor_call(self, action, spec, node=None):
        """An untimed helper call of the floor client (verify, logger...), through node 1 or
        the given node."""
        bootstrap = self.broker.node_bootstrap(node) if node else self.broker.bootstrap
        env = dict(os.environ, FLOOR_CLIENT_ID=CHECK_CLIENT, FLOOR_BROKER_ID=str(node or 1))
        out = subprocess.run([PY, str(HERE / "floor.py"), action, str(spec), bootstrap],
                             stdout=subprocess.PIPE, text=True, env=env)
        return json.loads(out.stdout.strip().splitlines()[-1])

    def request_log(self, level):
        """Every node's kafka.request.logger at `level` (DEBUG: one line per request)."""
        for node in range(1, self.broker.nodes + 1):
            got = self.floor_call("logger", level, node)
            if got["error_count"]:
                log(f"  request log {level} on node {node}: {got['errors']}")

    def probe(self, spec):
        """The independent writer, right after a run: one record to every partition, no retries
        (kafka-init-test-support's write-probe). {"partitions", "acknowledged", "failed", ...}."""
        out = subprocess.run([self.args.probe, self.broker.bootstrap, str(spec.tsv)],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        got = {"failures": []}
        for line in out.stdout.splitlines():
            key, _, value = line.partition(" ")
            if key in ("partitions", "acknowledged", "failed"):
                got[key] = int(value)
            elif key == "failure":
                got["failures"].append(value)
        if "acknowledged" not in got:
            got["error"] = out.stdout[-600:]
        return got

    def verify(self, spec_json, patience=120.0):
        """Do the broker's topics match the spec? A create returns once the controller has
        committed; the broker then still creates the partitions (seconds for thousands of them on a
        small machine) and its metadata lags. A mismatch is re-read for up to `patience` seconds,
        which also keeps the next measurement off a broker still busy with the last one."""
        deadline = time.time() + patience
        while True:
            got = self.floor_call("verify", spec_json)
            if got["error_count"] == 0 or time.time() >= deadline:
                return got
            time.sleep(0.25)


PHASE_RES = {
    "plan": re.compile(r"INFO plan: ([0-9.]+)(ms|s)\b"),
    "validate": re.compile(r"INFO validate: ([0-9.]+)(ms|s)\b"),
    "create": re.compile(r"INFO create: \d+ topic\(s\) in ([0-9.]+)(ms|s)\b"),
    "serving": re.compile(r"wait for serving: \d+ partition\(s\) serving in ([0-9.]+)(ms|s)\b"),
}


def phases(text):
    """kafka-init's own phase times (ms) from its log: plan, validate, create, serving."""
    out = {}
    for name, rx in PHASE_RES.items():
        m = rx.search(text)
        if m:
            out[name] = float(m.group(1)) * (1 if m.group(2) == "ms" else 1000)
    return out


# --- request counting (broker side) -----------------------------------------------------------

CHECK_CLIENT = "bench-check"  # the bench's own untimed checks, left out of the request counts
# ...and the independent writer (write_to_every_partition's client.id).
NOT_COUNTED = (CHECK_CLIENT.encode(), b"independent-writer")
REQ_RE = re.compile(rb'"requestApiKeyName":"([A-Z_]+)"')
TOTAL_RE = re.compile(rb'"totalTimeMs":([0-9.]+)')


def log_offsets(broker):
    """Where each node's log ends now: count_requests reads from there."""
    return {p: p.stat().st_size for p in broker.log_paths}


def count_requests(broker, offsets, broker_ms=None):
    """Requests the brokers completed on the client (PLAINTEXT) listener since `offsets`
    (log_offsets); with a dict as `broker_ms`, also the brokers' own totalTimeMs summed per API."""
    time.sleep(0.5)  # the request log line is written when the response has been sent
    counts = {}
    for path, offset in offsets.items():
        with open(path, "rb") as f:
            f.seek(offset)
            lines = f.readlines()
        for line in lines:
            if b"Completed request:" not in line or b'"listener":"PLAINTEXT"' not in line:
                continue
            if any(b'"clientId":"%s"' % c in line[:2000] for c in NOT_COUNTED):
                continue
            m = REQ_RE.search(line[:2000])
            api = m.group(1).decode() if m else "?"
            counts[api] = counts.get(api, 0) + 1
            t = TOTAL_RE.search(line, max(0, len(line) - 3000))
            if broker_ms is not None and t:
                broker_ms[api] = round(broker_ms.get(api, 0) + float(t.group(1)), 1)
    return counts


# --- start to first request -------------------------------------------------------------------

def first_request_ms(runner, contender, spec, timeout=60):
    """Milliseconds from just before fork/exec to the first request byte reaching a listener
    that stands in for the broker (it accepts and reads, never answers)."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(16)
    bootstrap = f"127.0.0.1:{srv.getsockname()[1]}"
    got = {}

    def serve():
        conns = []
        try:
            while "t" not in got:
                c, _ = srv.accept()
                conns.append(c)
                if c.recv(4):
                    got["t"] = time.perf_counter()
        except OSError:
            pass
        for c in conns:
            c.close()

    th = threading.Thread(target=serve, daemon=True)
    th.start()
    argv, extra = runner.argv(contender, spec, "create", bootstrap)
    env = dict(os.environ, **extra)
    env.pop("RUST_LOG", None)
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            stdin=subprocess.DEVNULL, start_new_session=True)
    th.join(timeout)
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()
    srv.close()
    return (got["t"] - t0) * 1000 if "t" in got else None


# --- the bench --------------------------------------------------------------------------------

def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def rotate(items, r):
    r %= len(items)
    return items[r:] + items[:r]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="smoke run: six topics + 100 topics, one run")
    ap.add_argument("--binary", default=str(REPO / "target/release/kafka-init"))
    ap.add_argument("--spawn", default=str(REPO / "target/bench-spawn"), help="benches/spawn.c, built")
    ap.add_argument("--probe", default=str(REPO / "target/release/write-probe"),
                    help="kafka-init-test-support's write-probe, built")
    ap.add_argument("--port", type=int, default=int(os.environ.get("BENCH_KAFKA_PORT", 29700)))
    ap.add_argument("--heap", default=os.environ.get("BENCH_KAFKA_HEAP", "-Xms1g -Xmx1g"))
    ap.add_argument("--kafka-version", default=os.environ.get("KAFKA_VERSION"))
    ap.add_argument("--state-dir", default=str(REPO / "target/bench-kafka"))
    ap.add_argument("--out", default=str(HERE / "results"))
    ap.add_argument("--topics", type=int, default=1000, help="the big scenarios' topic count")
    ap.add_argument("--drift", type=int, default=100, help="topics changed in the drift run")
    ap.add_argument("--runs-six", type=int, default=5)
    ap.add_argument("--runs", type=int, default=3, help="runs of the big scenarios")
    ap.add_argument("--python-topics", type=int, default=1000)
    ap.add_argument("--python-runs", type=int, default=1)
    ap.add_argument("--kt-topics", type=int, default=30)
    ap.add_argument("--kt-runs", type=int, default=1)
    ap.add_argument("--first-request-runs", type=int, default=5)
    ap.add_argument("--growth", default="10,100,1000,10000",
                    help="kafka-init alone at these topic counts, each on a fresh cluster ('' skips)")
    ap.add_argument("--growth-only", action="store_true", help="only the growth pass")
    ap.add_argument("--growth-nodes", type=int, default=3,
                    help="nodes of the growth cluster (RF 1: the nodes share the partitions)")
    ap.add_argument("--growth-state-dir", default=str(REPO / "target/bench-kafka-growth"))
    ap.add_argument("--no-reset", action="store_true", help="keep one broker for all big runs")
    ap.add_argument("--keep-broker", action="store_true", help="leave the broker running at the end")
    ap.add_argument("--render", metavar="RESULTS_JSON",
                    help="only re-render results.md and chart.svg (beside it) from a results.json")
    args = ap.parse_args()
    if args.render:
        path = Path(args.render)
        result = json.loads(path.read_text())
        saved = argparse.Namespace(**result["args"])
        (path.parent / "results.md").write_text(render_markdown(result))
        (path.parent / "chart.svg").write_text(render_svg(result["summary"], saved))
        print(render_markdown(result))
        return
    if args.quick:
        args.topics, args.drift, args.runs_six, args.runs = 100, 10, 1, 1
        args.python_topics, args.python_runs, args.kt_topics, args.kt_runs = 50, 1, 3, 1
        args.first_request_runs = 3
        args.growth = "10,100"
    args.growth = [int(n) for n in args.growth.split(",") if n.strip()]

    out = Path(args.out)
    workdir, logdir = out / "work", out / "logs"
    for d in (workdir, logdir):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    broker = Broker(args.port, args.state_dir, args.heap, args.kafka_version)
    runner = Runner(args, broker, workdir, logdir)
    records, counts, first = [], {}, {}
    started = time.time()
    env_info = machine_info(args)
    log(f"machine: {env_info['cpu']} x{env_info['nproc']}, load {env_info['loadavg_start']}")

    def warm_up(tag):
        spec = Spec(workdir, f"warm{tag}", prefixed(generated_topics(100), f"warm{tag}."), broker.bootstrap)
        runner.run("floor", spec)
        runner.floor_call("verify", spec.json)

    try:
        if args.growth_only:
            raise GrowthOnly
        broker.fresh()
        env_info["broker_version"] = broker.recorded("version")
        warm_up("0")

        # 1. The six topics of config/default.yaml, cold: each contender, each run, new names.
        six = default_topics()
        for r in range(args.runs_six):
            for c in rotate(CONTENDERS, r):
                spec = Spec(workdir, f"s{r}-{SHORT[c]}", prefixed(six, f"s{r}-{SHORT[c]}."), broker.bootstrap)
                rec = runner.run(c, spec)
                rec.update(scenario="six-cold", run=r, verified=runner.verify(spec.json)["error_count"] == 0)
                records.append(rec)
                log(f"six-cold run {r} {c}: {rec['wall_ms']:.0f} ms")

        # 2-4. N topics from scratch, the re-run on them, and a drift run, per run.
        base = generated_topics(args.topics)
        for r in range(args.runs):
            if r > 0 and not args.no_reset:
                broker.fresh()
                warm_up(str(r))
            sizes = {"kafka-init": args.topics, "floor": args.topics,
                     "python-flow": args.python_topics if r < args.python_runs else 0,
                     "kafka-topics": args.kt_topics if r < args.kt_runs else 0}
            order = [c for c in rotate(CONTENDERS, r) if sizes[c]]
            specs = {c: Spec(workdir, f"b{r}-{SHORT[c]}", prefixed(base[:sizes[c]], f"b{r}-{SHORT[c]}."),
                             broker.bootstrap) for c in order}
            for c in order:
                rec = runner.run(c, specs[c], probe=c in ("kafka-init", "floor"))
                rec.update(scenario="create", run=r,
                           verified=runner.verify(specs[c].json)["error_count"] == 0)
                records.append(rec)
                w = rec.get("writes")
                log(f"create run {r} {c} ({sizes[c]} topics): {rec['wall_ms']:.0f} ms"
                    + (f", first-try writes {w.get('acknowledged')}/{w.get('partitions')}" if w else ""))
            for c in order:
                rec = runner.run(c, specs[c], "verify" if c == "floor" else "create")
                rec.update(scenario="rerun", run=r)
                records.append(rec)
                log(f"rerun run {r} {c}: {rec['wall_ms']:.0f} ms")
            for c in ("kafka-init", "floor"):
                full, changed = drifted(specs[c].topics, args.drift)
                if c == "kafka-init":
                    spec = Spec(workdir, f"b{r}-ki-drift", full, broker.bootstrap)
                    rec = runner.run(c, spec)
                else:
                    spec = Spec(workdir, f"b{r}-fl-drift", changed, broker.bootstrap)
                    rec = runner.run(c, spec, "alter")
                    Spec(workdir, f"b{r}-fl-drift-full", full, broker.bootstrap)
                check = runner.verify(workdir / f"b{r}-{SHORT[c]}-drift{'-full' if c == 'floor' else ''}.json", 20)
                rec.update(scenario="drift", run=r, topics=len(full), changed=len(changed),
                           verified=check["error_count"] == 0, unconverged=check["error_count"])
                records.append(rec)
                log(f"drift run {r} {c}: {rec['wall_ms']:.0f} ms, converged={rec['verified']} "
                    f"({check['error_count']} topics differ)")

        # 5. Request counts, on the broker side, in an untimed pass.
        counts = count_pass(args, broker, runner, workdir, six, base)

        # 6. Start to first request.
        first = {}
        fr_specs = {"six": Spec(workdir, "fr-six", prefixed(six, "fr."), "127.0.0.1:1"),
                    "big": Spec(workdir, "fr-big", prefixed(base, "fr."), "127.0.0.1:1"),
                    "kt": Spec(workdir, "fr-kt", prefixed(six[:1], "fr."), "127.0.0.1:1")}
        for c in CONTENDERS:
            for size in ("six", "big"):
                if c == "kafka-topics" and size == "big":
                    continue
                spec = fr_specs["kt" if c == "kafka-topics" else size]
                runs = args.first_request_runs if c != "kafka-topics" else min(3, args.first_request_runs)
                xs = [first_request_ms(runner, c, spec) for _ in range(runs)]
                first[f"{c}/{size}"] = {"runs": xs, "median_ms": median(xs), "topics": len(spec)}
                log(f"first request {c} ({len(spec)} topics): {first[f'{c}/{size}']['median_ms']:.1f} ms")
    except GrowthOnly:
        pass
    finally:
        if not args.keep_broker or args.growth:
            broker.stop()

    # 7. kafka-init alone at growing sizes.
    growth = growth_pass(args, workdir, logdir) if args.growth else []

    env_info["loadavg_end"] = open("/proc/loadavg").read().split()[:3]
    env_info["duration_s"] = round(time.time() - started)
    binary = Path(args.binary)
    env_info["binary"] = {"path": str(binary), "bytes": binary.stat().st_size,
                          "stripped": b".symtab" not in binary.read_bytes()}
    summary = summarize(args, records, counts, first, env_info, growth)
    result = {"args": vars(args), "machine": env_info, "records": records, "counts": counts,
              "first_request": first, "growth": growth, "summary": summary}
    out.mkdir(parents=True, exist_ok=True)
    (out / "results.json").write_text(json.dumps(result, indent=1))
    md = render_markdown(result)
    (out / "results.md").write_text(md)
    (out / "chart.svg").write_text(render_svg(summary, args))
    print(md)
    log(f"wrote {out}/results.json, results.md, chart.svg in {env_info['duration_s']} s")


class GrowthOnly(Exception):
    """--growth-only: straight to the growth pass."""


def growth_pass(args, workdir, logdir):
    """kafka-init alone at each size of args.growth, from scratch on a fresh cluster of
    args.growth_nodes nodes (RF 1): the create (to serving) with the independent writer right
    after it, then the re-run. Requests are counted on the brokers during these timed runs (the
    request log costs the broker one line per request: kafka-init sends a handful)."""
    broker = Broker(args.port, args.growth_state_dir, args.heap, args.kafka_version,
                    nodes=args.growth_nodes)
    runner = Runner(args, broker, workdir, logdir)
    rows = []
    try:
        for n in args.growth:
            broker.fresh()
            spec = Spec(workdir, f"g{n}", prefixed(generated_topics(n), f"g{n}."), broker.bootstrap)
            runner.request_log("DEBUG")
            row = {"topics": n, "partitions": sum(t["partitions"] for t in spec.topics),
                   "nodes": args.growth_nodes}
            for action in ("create", "rerun"):
                offsets = log_offsets(broker)
                rec = runner.run("kafka-init", spec, probe=action == "create")
                rec["requests"] = count_requests(broker, offsets)
                if action == "create":
                    check = runner.verify(spec.json, patience=600)
                    rec["verified"], rec["unconverged"] = check["error_count"] == 0, check["error_count"]
                row[action] = rec
                w = rec.get("writes") or {}
                log(f"growth {n} {action}: {rec['wall_ms']:.0f} ms, rc {rec['rc']}, "
                    f"RSS {rec['rss_mb']:.1f} MB, requests {sum(rec['requests'].values())}"
                    + (f", first-try writes {w.get('acknowledged')}/{w.get('partitions')}" if w else ""))
            runner.request_log("WARN")
            rows.append(row)
    finally:
        broker.stop()
    return rows


def count_pass(args, broker, runner, workdir, six, base):
    """Each contender again on fresh names with the broker's request log on; counts what it sent."""
    runner.request_log("DEBUG")
    counts = {}

    def counted(key, contender, spec, action="create", repeat=1):
        totals, by_api, broker_ms = [], None, None
        for _ in range(repeat):
            offset = log_offsets(broker)
            rec = runner.run(contender, spec, action)
            ms = {}
            got = count_requests(broker, offset, ms)
            totals.append(sum(got.values()))
            by_api, broker_ms = by_api or got, broker_ms or ms
        counts[key] = {"topics": len(spec), "total": max(totals), "totals": totals, "by_api": by_api,
                       "broker_ms": broker_ms, "wall_ms": rec["wall_ms"], "rc": rec["rc"]}
        log(f"requests {key}: {totals} {by_api}")

    try:
        sizes = {"kafka-init": [6, 100, args.topics], "floor": [6, args.topics],
                 "python-flow": [6, min(args.python_topics, 100)],
                 "kafka-topics": [3] if args.quick else [6, 3]}
        for c, ns in sizes.items():
            for n in sorted(set(ns)):
                topics = six if n == 6 else base[:n]
                spec = Spec(workdir, f"c{n}-{SHORT[c]}", prefixed(topics, f"c{n}-{SHORT[c]}."), broker.bootstrap)
                counted(f"{c}/create/{n}", c, spec)
                runner.verify(spec.json)
                counted(f"{c}/rerun/{n}", c, spec, "verify" if c == "floor" else "create",
                        repeat=3 if c == "kafka-init" else 1)
                if n == args.topics and c in ("kafka-init", "floor"):
                    full, changed = drifted(spec.topics, args.drift)
                    if c == "kafka-init":
                        counted(f"{c}/drift/{n}", c, Spec(workdir, f"c{n}-ki-drift", full, broker.bootstrap))
                    else:
                        counted(f"{c}/drift/{n}", c, Spec(workdir, f"c{n}-fl-drift", changed, broker.bootstrap), "alter")
    finally:
        runner.request_log("WARN")
    return counts


def machine_info(args):
    def sh(*cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
        except OSError:
            return None
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
    try:
        import kafka
        kp = kafka.__version__
    except ImportError:
        kp = None
    return {"nproc": os.cpu_count(), "cpu": cpu, "mem_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": platform.release(), "python": platform.python_version(), "kafka_python": kp,
            "java": (sh("java", "-version") or "").splitlines()[0] if shutil.which("java") else None,
            "rustc": sh("rustc", "--version"),
            "git": sh("git", "-C", str(REPO), "describe", "--always", "--dirty"),
            "loadavg_start": open("/proc/loadavg").read().split()[:3],
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}


# --- summary, table, chart --------------------------------------------------------------------

SCENARIOS = [("six-cold", "six topics of config/default.yaml, cold"),
             ("create", "{n} topics from scratch"),
             ("rerun", "re-run on the converged {n}"),
             ("drift", "drift: {d} of the {n} changed")]


def summarize(args, records, counts, first, env, growth=()):
    rows = []
    for scen, _ in SCENARIOS:
        floor_ms = None
        for c in CONTENDERS:
            rs = [r for r in records if r["scenario"] == scen and r["contender"] == c]
            if not rs:
                continue
            ok = all(r["rc"] == 0 for r in rs)
            row = {"scenario": scen, "contender": c, "topics": rs[0]["topics"], "runs": len(rs), "ok": ok,
                   "wall_ms": median(r["wall_ms"] for r in rs), "cpu_ms": median(r["cpu_ms"] for r in rs),
                   "rss_mb": median(r["rss_mb"] for r in rs), "rss_max_mb": max(r["rss_mb"] for r in rs),
                   "verified": all(r.get("verified", True) for r in rs)}
            if c == "floor":
                for key in ("request_ms", "validate_ms", "serving_ms"):
                    row[key] = median((r.get("floor") or {}).get(key) for r in rs)
                floor_ms = row["request_ms"]
            rows.append(row)
        for row in rows:
            if row["scenario"] == scen:
                row["floor_ms"] = floor_ms
    # Request counts for the scenario's size.
    for row in rows:
        n = row["topics"] if row["scenario"] != "six-cold" else 6
        action = {"six-cold": "create", "create": "create", "rerun": "rerun", "drift": "drift"}[row["scenario"]]
        if row["contender"] == "kafka-topics":
            per = counts.get(f"kafka-topics/{action}/3")
            if per and action != "drift":
                exact = counts.get(f"kafka-topics/{action}/{n}")
                row["requests"] = exact["total"] if exact else per["total"] * n // 3
                row["requests_note"] = "" if exact else "scaled from 3 topics"
        elif row["contender"] == "python-flow" and action != "drift":
            got = counts.get(f"python-flow/{action}/{n}")
            if got:
                row["requests"] = got["total"]
            else:
                m = min(args.python_topics, 100)
                small = counts.get(f"python-flow/{action}/{m}")
                if small:
                    # 1 + 2 per topic (create) or 1 per topic (re-run) plus setup: scale the per-topic part.
                    six = counts.get(f"python-flow/{action}/6", {}).get("total")
                    if six is not None:
                        per = (small["total"] - six) / (m - 6)
                        row["requests"] = round(six + per * (n - 6))
                        row["requests_note"] = f"scaled from {m} topics"
        else:
            key = f"{row['contender']}/{action}/{n}"
            if key in counts:
                row["requests"] = counts[key]["total"]
    # Ratios. Slow contenders run on fewer topics: a linear estimate at the scenario's size.
    by = {(r["scenario"], r["contender"]): r for r in rows}
    for row in rows:
        n_scen = by.get((row["scenario"], "kafka-init"), row)["topics"]
        row["est_wall_ms"] = row["wall_ms"] * n_scen / row["topics"] if row["topics"] != n_scen else None
        wall = row["est_wall_ms"] or row["wall_ms"]
        if row["contender"] == "floor":
            wall = row["request_ms"]
        ref_floor = row["floor_ms"]
        # kafka-init's exit means serving: its floor is the floor's time to serving.
        if row["contender"] == "kafka-init" and row["scenario"] in ("six-cold", "create"):
            ref_floor = by.get((row["scenario"], "floor"), {}).get("serving_ms")
        row["x_floor"] = wall / ref_floor if ref_floor else None
        ki = by.get((row["scenario"], "kafka-init"))
        row["x_kafka_init"] = wall / ki["wall_ms"] if ki else None

    ki_rss = max((r["rss_mb"] for r in records if r["contender"] == "kafka-init"), default=None)
    ki_create = by.get(("create", "kafka-init"), {}).get("wall_ms")
    py = by.get(("create", "python-flow"))
    py_ms = py and (py["est_wall_ms"] or py["wall_ms"])
    rerun_reqs = {n: counts.get(f"kafka-init/rerun/{n}", {}).get("total") for n in sorted({6, 100, args.topics})}
    fr = first.get("kafka-init/six", {}).get("median_ms")
    fr_big = first.get("kafka-init/big", {}).get("median_ms")

    def per_run(xs):
        return "per run " + ", ".join(f"{x:.2f}x" for x in xs)

    # Per run, kafka-init against the floor's figures of the same run (same broker).
    serving = []
    for run in sorted({r["run"] for r in records if r["scenario"] == "create"}):
        ki = next((r for r in records if r["scenario"] == "create" and r["run"] == run
                   and r["contender"] == "kafka-init"), None)
        fl = next((r for r in records if r["scenario"] == "create" and r["run"] == run
                   and r["contender"] == "floor"), None)
        rr = next((r for r in records if r["scenario"] == "rerun" and r["run"] == run
                   and r["contender"] == "kafka-init"), None)
        fread = next((r for r in records if r["scenario"] == "rerun" and r["run"] == run
                      and r["contender"] == "floor"), None)
        if not ki or not fl:
            continue
        f, p = fl.get("floor") or {}, ki.get("phases") or {}
        created = ki["wall_ms"] - p["serving"] if "serving" in p else None
        aon = f["validate_ms"] + f["request_ms"] if "validate_ms" in f else None
        serving.append({
            "run": run, "ki_serving_ms": ki["wall_ms"], "floor_serving_ms": f.get("serving_ms"),
            "ki_gate_ms": p.get("serving"), "ki_created_ms": created, "floor_aon_ms": aon,
            "floor_validate_ms": f.get("validate_ms"), "floor_create_ms": f.get("request_ms"),
            "ki_writes": ki.get("writes"), "floor_writes": fl.get("writes"),
            "ki_rerun_ms": rr and rr["wall_ms"], "floor_read_ms": fread and (fread.get("floor") or {}).get("request_ms"),
        })

    def ratio(a, b):
        xs = [s[a] / s[b] for s in serving if s.get(a) and s.get(b)]
        med = (median(s[a] for s in serving if s.get(a)) or 0) / (median(s[b] for s in serving if s.get(b)) or 1)
        return (med if xs else None), median(xs), xs

    serve_med, serve_run, serve_xs = ratio("ki_serving_ms", "floor_serving_ms")
    aon_med, aon_run, aon_xs = ratio("ki_created_ms", "floor_aon_ms")
    read_med, read_run, read_xs = ratio("ki_rerun_ms", "floor_read_ms")
    writes = [s["ki_writes"] for s in serving if s.get("ki_writes")]
    ki_created = median(s["ki_created_ms"] for s in serving)
    g = {row["topics"]: row for row in growth}
    big, ten_k = g.get(1000), g.get(10000)
    targets = [
        {"target": f"time to serving at {args.topics} topics <= 1.2x the floor's (ratio of medians)",
         "value": serve_med, "limit": 1.2, "op": "<=", "fmt": "{:.2f}x",
         "note": "kafka-init's wall time, exit 0 meaning serving, against the floor's CreateTopics + ListOffsets poll"},
        {"target": f"time to serving at {args.topics} topics <= 1.2x the floor's (median of per-run ratios)",
         "value": serve_run, "limit": 1.2, "op": "<=", "fmt": "{:.2f}x", "note": per_run(serve_xs)},
        {"target": f"{args.topics} topics created in <= 1.3x the all-or-nothing floor (validate-only + create)",
         "value": aon_run, "limit": 1.3, "op": "<=", "fmt": "{:.2f}x",
         "note": "median of per-run ratios; kafka-init from its start to the create's answer (wall - its serving "
                 f"wait); {per_run(aon_xs)}"},
        {"target": f"re-run of {args.topics} converged topics in <= 1.2x the floor's own read (Metadata + DescribeConfigs)",
         "value": read_run, "limit": 1.2, "op": "<=", "fmt": "{:.2f}x",
         "note": f"median of per-run ratios; {per_run(read_xs)}"},
        {"target": f"first-try writes of an independent producer right after kafka-init exits 0, {args.topics} topics",
         "value": writes and f"{sum(w.get('acknowledged', 0) for w in writes)} of "
                             f"{sum(w.get('partitions', 0) for w in writes)} partitions over {len(writes)} runs",
         "met": bool(writes) and all(w.get("acknowledged") == w.get("partitions") for w in writes), "fmt": "{}"},
        {"target": "wall time to serving at 10,000 topics <= 12x the time at 1,000 (growth table)",
         "value": ten_k and big and ten_k["create"]["rc"] == 0 and ten_k["create"]["wall_ms"] / big["create"]["wall_ms"],
         "limit": 12, "op": "<=", "fmt": "{:.1f}x"},
        {"target": "peak RSS at 10,000 topics < 60 MB (growth table, create and re-run)",
         "value": ten_k and max(ten_k["create"]["rss_mb"], ten_k["rerun"]["rss_mb"]), "limit": 60, "op": "<",
         "fmt": "{:.1f} MB"},
        {"target": "re-run in a constant number of round trips",
         "value": rerun_reqs, "met": None not in rerun_reqs.values() and
         max(rerun_reqs.values()) <= rerun_reqs[min(rerun_reqs)], "fmt": None,
         "note": "most requests over 3 re-runs at each size; met if it does not grow with the topic count"},
        {"target": f">= 50x faster than the Python flow at {args.topics} topics",
         "value": py_ms / ki_created if py_ms and ki_created else None, "limit": 50, "op": ">=",
         "fmt": "{:.0f}x", "note": ("the flow never waits for serving: against kafka-init up to its create's answer; "
                                    f"{py_ms / ki_create:.0f}x against kafka-init's whole time to serving"
                                    if py_ms and ki_create else "")
         + ("" if not py or not py["est_wall_ms"] else f"; Python measured at {py['topics']} topics, linear estimate")},
        {"target": "start to first request < 20 ms", "value": fr, "limit": 20, "op": "<", "fmt": "{:.1f} ms",
         "note": f"{fr_big:.1f} ms with the {args.topics}-topic file" if fr_big else ""},
        {"target": "peak RSS < 30 MB", "value": ki_rss, "limit": 30, "op": "<", "fmt": "{:.1f} MB",
         "note": "max over every kafka-init run"},
    ]
    for t in targets:
        if t["value"] in (False, 0, ""):
            t["value"] = None
        if "met" not in t:
            v = t["value"]
            t["met"] = None if v is None else {"<=": v <= t["limit"], "<": v < t["limit"], ">=": v >= t["limit"]}[t["op"]]
    return {"rows": rows, "targets": targets, "binary_bytes": env["binary"]["bytes"], "serving": serving}


def fmt_ms(v):
    if v is None:
        return "–"
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def fmt_x(v):
    if v is None:
        return "–"
    return f"{v:,.0f}×" if v >= 100 else f"{v:.1f}×" if v >= 10 else f"{v:.2f}×"


LABEL = {"kafka-init": "kafka-init", "floor": "floor (one raw request)",
         "python-flow": "reference Python flow", "kafka-topics": "kafka-topics loop"}


def render_markdown(result):
    s, m, a = result["summary"], result["machine"], result["args"]
    out = [f"Measured {m['date']} on {m['nproc']} × {m['cpu']}, {m['mem_gib']} GiB, "
           f"Linux {m['kernel']}; Apache Kafka {m.get('broker_version')} (one KRaft node, "
           f"heap `{a['heap']}`); kafka-init {m['git']}; medians of the runs shown. "
           f"Load average at start {' '.join(m['loadavg_start'])}, at end {' '.join(m['loadavg_end'])}.", ""]
    out += ["| scenario | contender | topics | runs | wall ms | CPU ms | peak RSS MB | requests | × floor | × kafka-init | note |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    titles = dict(SCENARIOS)
    n = a["topics"]
    for row in s["rows"]:
        notes = []
        if row["contender"] == "floor":
            notes.append(f"wall = request→response; process {fmt_ms(row['wall_ms'])} ms")
            if row.get("serving_ms"):
                notes.append(f"before it validate-only {fmt_ms(row['validate_ms'])} ms; serving "
                             f"{fmt_ms(row['serving_ms'])} ms after the create's first byte")
        if row["contender"] == "kafka-init" and row["scenario"] in ("six-cold", "create"):
            notes.append("wall = time to serving; × floor vs the floor's time to serving")
        if row["est_wall_ms"]:
            notes.append(f"fewer topics: linear estimate at {n}: {fmt_ms(row['est_wall_ms'])} ms")
        if row.get("requests_note"):
            notes.append(f"requests {row['requests_note']}")
        if not row["ok"]:
            notes.append("**a run failed**")
        if not row["verified"]:
            notes.append("**did not converge**" + (" (binary without config reconcile)" if row["scenario"] == "drift" else ""))
        if row["scenario"] == "rerun" and row["contender"] == "floor":
            notes.append("Metadata + DescribeConfigs")
        if row["scenario"] == "drift" and row["contender"] == "floor":
            notes.append("one IncrementalAlterConfigs")
        wall = row["request_ms"] if row["contender"] == "floor" else row["wall_ms"]
        out.append(f"| {titles[row['scenario']].format(n=n, d=a['drift'])} | {LABEL[row['contender']]} | "
                   f"{row['topics'] if row['scenario'] != 'drift' else str(a['drift']) + ' of ' + str(row['topics'])} | "
                   f"{row['runs']} | {fmt_ms(wall)} | {fmt_ms(row['cpu_ms'])} | {row['rss_mb']:.1f} | "
                   f"{row.get('requests', '–')} | {fmt_x(row['x_floor'])} | {fmt_x(row['x_kafka_init'])} | {'; '.join(notes)} |")
    for scen in ("drift",):
        for c in ("python-flow", "kafka-topics"):
            if any(r["scenario"] == "create" and r["contender"] == c for r in s["rows"]):
                out.append(f"| {titles[scen].format(n=n, d=a['drift'])} | {LABEL[c]} | – | – | – | – | – | – | – | – | not supported: it never alters an existing topic |")
    out += ["", "| target | measured | met |", "|---|---|---|"]
    for t in s["targets"]:
        if t["fmt"]:
            v = "–" if t["value"] is None else t["fmt"].format(t["value"])
        else:
            v = ", ".join(f"{k} topics: {v}" for k, v in t["value"].items())
        note = f" ({t['note']})" if t.get("note") else ""
        out.append(f"| {t['target']} | {v}{note} | {'yes' if t['met'] else 'no' if t['met'] is False else '–'} |")
    if s.get("serving"):
        out += ["", f"Per run, {n} topics from scratch, same broker (ms; kafka-init's phases from its own log):", "",
                "| run | kafka-init to serving | floor to serving | ratio | kafka-init to created | floor validate-only + create | ratio "
                "| kafka-init serving wait | first-try writes after kafka-init | after the floor | kafka-init re-run | floor read | ratio |",
                "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|"]

        def rt(a, b):
            return f"{a / b:.2f}×" if a and b else "–"

        def wr(w):
            return f"{w.get('acknowledged', '?')}/{w.get('partitions', '?')}" if w else "–"
        for x in s["serving"]:
            out.append(f"| {x['run']} | {fmt_ms(x['ki_serving_ms'])} | {fmt_ms(x['floor_serving_ms'])} | "
                       f"{rt(x['ki_serving_ms'], x['floor_serving_ms'])} | {fmt_ms(x['ki_created_ms'])} | "
                       f"{fmt_ms(x['floor_aon_ms'])} ({fmt_ms(x['floor_validate_ms'])} + {fmt_ms(x['floor_create_ms'])}) | "
                       f"{rt(x['ki_created_ms'], x['floor_aon_ms'])} | {fmt_ms(x['ki_gate_ms'])} | {wr(x['ki_writes'])} | "
                       f"{wr(x['floor_writes'])} | {fmt_ms(x['ki_rerun_ms'])} | {fmt_ms(x['floor_read_ms'])} | "
                       f"{rt(x['ki_rerun_ms'], x['floor_read_ms'])} |")
    if result.get("growth"):
        g0 = result["growth"][0]
        out += ["", f"Growth: kafka-init alone, each size from scratch on a fresh {g0['nodes']}-node cluster (RF 1, "
                    "partitions 1–4); requests counted on the brokers during the timed runs:", "",
                "| topics | partitions | to serving ms | serving wait ms | CPU ms | peak RSS MB | requests | by API "
                "| first-try writes | re-run ms | re-run CPU ms | re-run RSS MB | re-run requests | converged |",
                "|---:|---:|---:|---:|---:|---:|---:|---|---|---:|---:|---:|---:|---|"]
        for row in result["growth"]:
            c, r = row["create"], row["rerun"]
            w = c.get("writes") or {}
            out.append(
                f"| {row['topics']:,} | {row['partitions']:,} | {fmt_ms(c['wall_ms'])}"
                f"{'' if c['rc'] == 0 else ' (exit ' + str(c['rc']) + ')'} | "
                f"{fmt_ms((c.get('phases') or {}).get('serving'))} | {fmt_ms(c['cpu_ms'])} | {c['rss_mb']:.1f} | "
                f"{sum(c['requests'].values())} | {', '.join(f'{a} {k}' for a, k in sorted(c['requests'].items()))} | "
                f"{w.get('acknowledged', '–')}/{w.get('partitions', '–')} | {fmt_ms(r['wall_ms'])}"
                f"{'' if r['rc'] == 0 else ' (exit ' + str(r['rc']) + ')'} | {fmt_ms(r['cpu_ms'])} | "
                f"{r['rss_mb']:.1f} | {sum(r['requests'].values())} | "
                f"{'yes' if c.get('verified') else 'no (' + str(c.get('unconverged')) + ' differ)'} |")
    fr = result["first_request"]
    out += ["", "Start to first request (median ms, fork/exec to the first byte at the listener):", "",
            "| contender | topic file | median ms | runs |", "|---|---|---:|---|"]
    for k, v in fr.items():
        c, _ = k.split("/")
        out.append(f"| {LABEL[c]} | {v['topics']} topics | {fmt_ms(v['median_ms'])} | "
                   f"{', '.join(fmt_ms(x) for x in v['runs'])} |")
    b = m["binary"]
    out += ["", f"Release binary: {b['bytes']:,} bytes ({b['bytes'] / 1048576:.1f} MiB), "
                f"{'stripped' if b['stripped'] else 'not stripped'}.", ""]
    out += ["Requests counted on the broker (kafka.request.logger, client listener), untimed pass; "
            "broker ms = the broker's own totalTimeMs per API (first run of each):", "",
            "| contender / scenario / topics | requests | by API | broker ms by API |", "|---|---:|---|---|"]
    for k, v in result["counts"].items():
        total = " / ".join(map(str, v["totals"])) if len(v.get("totals", [])) > 1 else v["total"]
        bms = ", ".join(f"{a} {n:g}" for a, n in sorted((v.get("broker_ms") or {}).items()))
        out.append(f"| {k} | {total} | {', '.join(f'{a} {n}' for a, n in sorted(v['by_api'].items()))} | {bms or '–'} |")
    return "\n".join(out) + "\n"


def render_svg(summary, args):
    """Horizontal bars on a log scale, one panel per scenario; hand-written SVG."""
    import math
    colors = {"kafka-init": "#d9480f", "floor": "#495057", "python-flow": "#1971c2", "kafka-topics": "#2f9e44"}
    rows = summary["rows"]
    width, left, right, bar_h, gap = 900, 230, 140, 18, 6
    scale_w = width - left - right
    walls = [(r["request_ms"] if r["contender"] == "floor" else (r["est_wall_ms"] or r["wall_ms"])) for r in rows]
    lo = 10 ** math.floor(math.log10(max(min(w for w in walls if w), 0.1)))
    hi = 10 ** math.ceil(math.log10(max(walls)))

    def x(v):
        return left + scale_w * (math.log10(max(v, lo)) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))

    parts, y = [], 50
    titles = dict(SCENARIOS)
    for scen, _ in SCENARIOS:
        srows = [r for r in rows if r["scenario"] == scen]
        if not srows:
            continue
        parts.append(f'<text x="10" y="{y}" font-weight="bold">{esc(titles[scen].format(n=args.topics, d=args.drift))}</text>')
        y += 10
        for r in srows:
            est = r["est_wall_ms"] is not None
            w = r["request_ms"] if r["contender"] == "floor" else (r["est_wall_ms"] or r["wall_ms"])
            label = LABEL[r["contender"]] + (f" ({r['topics']} → est.)" if est else "")
            opacity = ' fill-opacity="0.45"' if est else ""
            parts.append(f'<text x="{left - 8}" y="{y + 13}" text-anchor="end">{esc(label)}</text>')
            parts.append(f'<rect x="{left}" y="{y}" width="{max(x(w) - left, 1):.1f}" height="{bar_h}" '
                         f'fill="{colors[r["contender"]]}"{opacity}/>')
            parts.append(f'<text x="{x(w) + 6:.1f}" y="{y + 13}">{fmt_ms(w)} ms</text>')
            y += bar_h + gap
        y += 24
    grid = []
    v = lo
    while v <= hi * 1.0001:
        grid.append(f'<line x1="{x(v):.1f}" y1="35" x2="{x(v):.1f}" y2="{y - 20}" stroke="#dee2e6"/>'
                    f'<text x="{x(v):.1f}" y="{y - 4}" text-anchor="middle" fill="#868e96">{fmt_ms(v)}</text>')
        v *= 10
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{y + 10}" '
            f'font-family="sans-serif" font-size="12">'
            f'<rect width="100%" height="100%" fill="white"/>'
            f'<text x="10" y="20" font-size="14" font-weight="bold">Wall time, ms (log scale; median; '
            f'floor = one raw request, request→response; pale bar = linear estimate)</text>')
    return head + "".join(grid) + "".join(parts) + f'<text x="{left}" y="{y + 5}" fill="#868e96"></text></svg>\n'


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


if __name__ == "__main__":
    main()
