#!/usr/bin/env python3
"""The floor: the least a client can ask of the broker, written straight on the Kafka wire.

A minimal client (standard library only) that opens one socket to the broker and sends the
requests by hand, non-flexible versions all supported by Kafka 4.x:

  create  one CreateTopics v4 holding every topic of the spec: the broker's own cost of
          creating them (one controller batch, "request_ms"). Around it, untimed as far as
          request_ms goes: first the same request with validate_only (what an all-or-nothing
          create must ask first, "validate_ms"), and after it a ListOffsets (latest) poll of
          every partition at its leader until all answer ("serving_ms": from the create's
          first byte to the last partition's first answer; Metadata only to learn leaders).
  verify  one Metadata v8 for the named topics plus one DescribeConfigs v1 for them: the least
          a client must read to know a converged set is converged (the re-run floor).
  alter   one IncrementalAlterConfigs v0 SET for the given keys (the drift floor).
  logger  IncrementalAlterConfigs v0 on the BROKER_LOGGER resource of broker FLOOR_BROKER_ID (1),
          which BOOTSTRAP must reach (used by the bench to switch the broker's request log on
          for its request-counting pass).
  settle  creates the probe topic named by the second argument, then polls Metadata until the
          broker shows it (deadline 300 s). A broker publishes metadata changes in order, each
          after it has created the partitions of the one before, so the probe showing means the
          broker has caught up with every earlier change (the bench's quiet point between runs).

The spec is a JSON file: {"topics": [{"name", "partitions", "replication_factor", "config"}]}.
Prints one JSON line: the time from the first request byte sent to the last response byte
received ("request_ms", summed over the requests), the request count and the process wall time.
Exits 1 if any topic's error code is not 0.
"""

import json
import os
import socket
import struct
import sys
import time

PROCESS_T0 = time.perf_counter()

CREATE_TOPICS, METADATA, DESCRIBE_CONFIGS, INCREMENTAL_ALTER_CONFIGS, LIST_OFFSETS = 19, 3, 32, 44, 2
TOPIC, BROKER_LOGGER = 2, 8


# --- encoding ---------------------------------------------------------------------------------

def i8(v):
    return struct.pack(">b", v)


def i16(v):
    return struct.pack(">h", v)


def i32(v):
    return struct.pack(">i", v)


def i64(v):
    return struct.pack(">q", v)


def string(s):
    b = s.encode()
    return i16(len(b)) + b


def nstring(s):
    return i16(-1) if s is None else string(s)


def array(items, enc):
    return i32(len(items)) + b"".join(enc(x) for x in items)


class Reader:
    def __init__(self, buf):
        self.buf, self.pos = buf, 0

    def take(self, fmt):
        (v,) = struct.unpack_from(fmt, self.buf, self.pos)
        self.pos += struct.calcsize(fmt)
        return v

    def i8(self):
        return self.take(">b")

    def i16(self):
        return self.take(">h")

    def i32(self):
        return self.take(">i")

    def i64(self):
        return self.take(">q")

    def nstring(self):
        n = self.i16()
        if n < 0:
            return None
        s = self.buf[self.pos:self.pos + n].decode()
        self.pos += n
        return s

    string = nstring

    def array(self, dec):
        n = self.i32()
        return [dec(self) for _ in range(max(n, 0))]


# --- connection -------------------------------------------------------------------------------

class Connection:
    def __init__(self, bootstrap, client_id="floor"):
        host, port = bootstrap.split(",")[0].rsplit(":", 1)
        self.address = f"{host}:{port}"
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.client_id = client_id
        self.correlation = 0
        self.requests = 0
        self.request_s = 0.0

    def call(self, api_key, version, body):
        self.correlation += 1
        header = i16(api_key) + i16(version) + i32(self.correlation) + nstring(self.client_id)
        frame = i32(len(header) + len(body)) + header + body
        t0 = time.perf_counter()
        self.sock.sendall(frame)
        size = struct.unpack(">i", self.recv_exact(4))[0]
        payload = self.recv_exact(size)
        self.request_s += time.perf_counter() - t0
        self.requests += 1
        r = Reader(payload)
        if r.i32() != self.correlation:
            raise RuntimeError("correlation id mismatch")
        return r

    def recv_exact(self, n):
        buf = bytearray(n)
        view = memoryview(buf)
        got = 0
        while got < n:
            k = self.sock.recv_into(view[got:], n - got)
            if k == 0:
                raise RuntimeError("broker closed the connection")
            got += k
        return bytes(buf)


# --- requests ---------------------------------------------------------------------------------

def create_topics(conn, topics, timeout_ms=60000, validate_only=False):
    def topic(t):
        configs = sorted(t.get("config", {}).items())
        return (string(t["name"]) + i32(t.get("partitions", 1)) + i16(t.get("replication_factor", 1))
                + array([], None) + array(configs, lambda kv: string(kv[0]) + nstring(str(kv[1]))))
    body = array(topics, topic) + i32(timeout_ms) + i8(1 if validate_only else 0)
    r = conn.call(CREATE_TOPICS, 4, body)
    r.i32()  # throttle_time_ms
    return {name: (code, msg) for name, code, msg in
            r.array(lambda r: (r.string(), r.i16(), r.nstring()))}


def metadata_full(conn, names):
    """Metadata v8: ({broker id: "host:port"}, {topic: (error code, {partition: leader})})."""
    body = array(names, lambda n: string(n)) + i8(0) + i8(0) + i8(0)
    r = conn.call(METADATA, 8, body)
    r.i32()  # throttle_time_ms
    brokers = {node: f"{host}:{port}" for node, host, port, _ in
               r.array(lambda r: (r.i32(), r.string(), r.i32(), r.nstring()))}
    r.nstring()  # cluster id
    r.i32()  # controller id

    def partition(r):
        r.i16()  # error code
        index, leader = r.i32(), r.i32()
        r.i32()  # leader epoch
        for _ in range(3):
            r.array(lambda r: r.i32())
        return index, leader

    def topic(r):
        code, name = r.i16(), r.string()
        r.i8()  # is_internal
        parts = dict(r.array(partition))
        r.i32()  # authorized operations
        return name, (code, parts)
    return brokers, dict(r.array(topic))


def metadata(conn, names):
    """{topic: (error code, partition count)}."""
    return {name: (code, len(parts)) for name, (code, parts) in metadata_full(conn, names)[1].items()}


def list_offsets(conn, partitions):
    """ListOffsets v2, latest offset: {(topic, partition): error code}."""
    by_topic = {}
    for topic, index in partitions:
        by_topic.setdefault(topic, []).append(index)
    body = (i32(-1) + i8(0)
            + array(sorted(by_topic.items()),
                    lambda t: string(t[0]) + array(t[1], lambda p: i32(p) + i64(-1))))
    r = conn.call(LIST_OFFSETS, 2, body)
    r.i32()  # throttle_time_ms
    out = {}
    for name, parts in r.array(lambda r: (r.string(), r.array(
            lambda r: (r.i32(), r.i16(), r.i64(), r.i64())))):
        for index, code, _, _ in parts:
            out[(name, index)] = code
    return out


def wait_serving(conn, topics, deadline_s=600):
    """Polls ListOffsets at each partition's leader, every POLL_S, until every partition has
    answered once; Metadata only for partitions whose leader is not known (yet). Returns the
    errors left."""
    pending = {(t["name"], p) for t in topics for p in range(t.get("partitions", 1))}
    leaders, brokers, conns = {}, {}, {}
    deadline = time.perf_counter() + deadline_s
    while pending:
        unknown = sorted({t for t, p in pending if (t, p) not in leaders})
        if unknown:
            found, md = metadata_full(conn, unknown)
            brokers.update(found)
            for name, (_, parts) in md.items():
                for index, leader in parts.items():
                    if leader >= 0 and (name, index) in pending:
                        leaders[(name, index)] = leader
        by_leader = {}
        for tp in pending:
            if tp in leaders:
                by_leader.setdefault(leaders[tp], []).append(tp)
        for leader, tps in by_leader.items():
            if leader not in conns:
                address = brokers[leader]
                conns[leader] = conn if address == conn.address else Connection(address, conn.client_id)
            # Until the leader has created the partition's log it answers NOT_LEADER_OR_FOLLOWER:
            # asked again at the same leader (the floor's cluster does not move leaders).
            for tp, code in list_offsets(conns[leader], tps).items():
                if code == 0:
                    pending.discard(tp)
        if pending:
            if time.perf_counter() >= deadline:
                return [f"{len(pending)} partition(s) not serving within {deadline_s} s"]
            time.sleep(POLL_S)
    for c in conns.values():
        if c is not conn:
            conn.requests += c.requests
            c.sock.close()
    return []


def describe_configs(conn, names):
    body = array(names, lambda n: i8(TOPIC) + string(n) + i32(-1)) + i8(0)
    r = conn.call(DESCRIBE_CONFIGS, 1, body)
    r.i32()  # throttle_time_ms

    def entry(r):
        name, value = r.string(), r.nstring()
        r.i8()  # read_only
        source = r.i8()
        r.i8()  # is_sensitive
        r.array(lambda r: (r.string(), r.nstring(), r.i8()))  # synonyms
        return name, value, source

    def result(r):
        code, msg = r.i16(), r.nstring()
        r.i8()
        name = r.string()
        return name, (code, msg, r.array(entry))
    return dict(r.array(result))


def incremental_alter(conn, resource_type, changes):
    """changes: {resource name: {key: value}}; every key SET."""
    def resource(item):
        name, cfg = item
        return (i8(resource_type) + string(name)
                + array(sorted(cfg.items()), lambda kv: string(kv[0]) + i8(0) + nstring(str(kv[1]))))
    body = array(sorted(changes.items()), resource) + i8(0)
    r = conn.call(INCREMENTAL_ALTER_CONFIGS, 0, body)
    r.i32()
    return {name: (code, msg) for code, msg, _, name in
            r.array(lambda r: (r.i16(), r.nstring(), r.i8(), r.string()))}


# --- commands ---------------------------------------------------------------------------------

DYNAMIC_TOPIC_CONFIG = 1
# Between two looks at the partitions not serving yet.
POLL_S = float(os.environ.get("FLOOR_POLL_S", 0.01))


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: floor.py create|verify|alter SPEC.json BOOTSTRAP | logger LEVEL BOOTSTRAP | settle TOPIC BOOTSTRAP")
    cmd, arg, bootstrap = argv[0], argv[1], argv[2]
    conn = Connection(bootstrap, os.environ.get("FLOOR_CLIENT_ID", "floor"))
    errors, timings = [], {}
    if cmd == "logger":
        node = os.environ.get("FLOOR_BROKER_ID", "1")  # the broker BOOTSTRAP reaches
        result = incremental_alter(conn, BROKER_LOGGER, {node: {"kafka.request.logger": arg}})
        errors = [f"{n}: {c} {m}" for n, (c, m) in result.items() if c]
    elif cmd == "settle":
        result = create_topics(conn, [{"name": arg, "partitions": 1, "replication_factor": 1}])
        errors = [f"{n}: error {c} {m}" for n, (c, m) in result.items() if c]
        deadline, pause = time.perf_counter() + 300, 0.005
        while not errors and metadata(conn, [arg]).get(arg, (-1, 0)) != (0, 1):
            if time.perf_counter() >= deadline:
                errors.append(f"{arg}: not shown within 300 s")
            time.sleep(pause)
            pause = min(pause * 2, 0.1)
    else:
        with open(arg) as f:
            topics = json.load(f)["topics"]
        if cmd == "create":
            result = create_topics(conn, topics, validate_only=True)
            errors = [f"{n}: validate: error {c} {m}" for n, (c, m) in result.items() if c]
            timings["validate_ms"] = conn.request_s * 1000
            conn.request_s = 0.0
            serving_t0 = time.perf_counter()
            result = create_topics(conn, topics)
            errors += [f"{n}: error {c} {m}" for n, (c, m) in result.items() if c]
            if len(result) != len(topics):
                errors.append(f"{len(result)} results for {len(topics)} topics")
            create_s = conn.request_s
            if not errors:
                errors += wait_serving(conn, topics)
                timings["serving_ms"] = (time.perf_counter() - serving_t0) * 1000
            conn.request_s = create_s
        elif cmd == "verify":
            names = [t["name"] for t in topics]
            md = metadata(conn, names)
            configs = describe_configs(conn, names)
            for t in topics:
                code, parts = md.get(t["name"], (-1, 0))
                if code or parts != t.get("partitions", 1):
                    errors.append(f"{t['name']}: metadata error {code}, {parts} partitions")
                ccode, msg, entries = configs.get(t["name"], (-1, "missing", []))
                actual = {n: v for n, v, s in entries if s == DYNAMIC_TOPIC_CONFIG}
                want = {k: str(v) for k, v in t.get("config", {}).items()}
                if ccode or actual != want:
                    errors.append(f"{t['name']}: configs differ: {actual} != {want}")
        elif cmd == "alter":
            result = incremental_alter(conn, TOPIC, {t["name"]: t["config"] for t in topics})
            errors = [f"{n}: error {c} {m}" for n, (c, m) in result.items() if c]
        else:
            sys.exit(f"unknown command {cmd}")
    conn.sock.close()
    print(json.dumps({
        "request_ms": conn.request_s * 1000,
        **timings,
        "requests": conn.requests,
        "process_ms": (time.perf_counter() - PROCESS_T0) * 1000,
        "errors": errors[:10],
        "error_count": len(errors),
    }))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
