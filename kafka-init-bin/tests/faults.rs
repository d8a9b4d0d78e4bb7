//! Faults real clusters have, against real brokers this test starts itself
//! (never the shared test broker): a broker that starts after kafka-init, a
//! broker killed mid-run and restarted, a dead broker, a replication factor
//! above the broker count, and a three-node cluster with a node down.
//!
//! Each test runs its scenarios in sequence against one cluster of its own
//! (its own KAFKA_PORT and KAFKA_STATE_DIR under the target dir), and the
//! tests take turns, so at most three broker JVMs run at once. A guard
//! resets the cluster when the test ends, passing or not.
//!
//! The ports are the first free block from `KAFKA_INIT_FAULTS_PORT` (default
//! 19620), reserved as `scripts/ports.sh` does, so that another checkout can
//! run this suite at the same time.

use kafka_init_test_support as support;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, ConfigSource, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::metadata::Metadata;

/// One cluster at a time on a 2-core machine.
///
/// Ports sit below Linux's ephemeral range (32768-60999): a client that
/// keeps connecting to a free port in that range eventually connects to
/// itself (TCP simultaneous open) and then holds the port, so the broker
/// that starts late cannot bind it.
static TURN: Mutex<()> = Mutex::new(());

/// The ports of a cluster of `nodes` at `port`, as `scripts/kafka.sh` lays
/// them out: broker, SASL (+50) and controller (+100) of every node.
fn cluster_ports(nodes: usize, port: u16) -> impl Iterator<Item = u16> {
    (0..nodes as u16).flat_map(move |i| [port + i, port + 50 + i, port + 100 + i])
}

/// Locks on every port of a block (the protocol of `scripts/ports.sh`: an
/// exclusive flock on `${XDG_RUNTIME_DIR:-/tmp}/kafka-init-ports/<port>`),
/// held while the value lives: no other checkout takes the ports while a
/// broker is yet to start or a node is down.
struct Reservation {
    port: u16,
    _locks: Vec<File>,
}

fn reserve_ports(nodes: usize) -> Reservation {
    let first: u16 = std::env::var("KAFKA_INIT_FAULTS_PORT")
        .map(|p| p.parse().expect("KAFKA_INIT_FAULTS_PORT: a port"))
        .unwrap_or(19620);
    let dir = std::env::var_os("XDG_RUNTIME_DIR")
        .map_or_else(|| PathBuf::from("/tmp"), PathBuf::from)
        .join("kafka-init-ports");
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let lock = |p: u16| {
        let path = dir.join(p.to_string());
        let file = File::create(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // SAFETY: flock on a descriptor `file` owns; closing it unlocks.
        let locked = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } == 0;
        (locked && TcpListener::bind(("127.0.0.1", p)).is_ok()).then_some(file)
    };
    // Blocks from `first` interleave without overlap within 50 ports.
    (first..=first + 50 - nodes as u16)
        .find_map(|port| {
            let locks = cluster_ports(nodes, port)
                .map(lock)
                .collect::<Option<_>>()?;
            Some(Reservation {
                port,
                _locks: locks,
            })
        })
        .unwrap_or_else(|| {
            panic!("no free ports for {nodes} node(s) from {first}: set KAFKA_INIT_FAULTS_PORT")
        })
}

/// A cluster started with `scripts/kafka.sh` on ports of its own; reset
/// (stopped, its state deleted) when dropped, then its ports are released.
struct Cluster {
    nodes: usize,
    ports: Reservation,
    state: PathBuf,
}

impl Cluster {
    fn new(name: &str, nodes: usize) -> Cluster {
        let state = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fault-{name}"));
        let ports = reserve_ports(nodes);
        let cluster = Cluster {
            nodes,
            ports,
            state,
        };
        // A run killed before its guard ran may have left one behind.
        cluster.kafka_sh(&["reset"]);
        cluster
    }

    fn kafka_sh(&self, args: &[&str]) -> Output {
        let out = Command::new(support::repo_path("scripts/kafka.sh"))
            .args(args)
            .env("KAFKA_NODES", self.nodes.to_string())
            .env("KAFKA_PORT", self.ports.port.to_string())
            .env("KAFKA_STATE_DIR", &self.state)
            .env("KAFKA_HEAP", "-Xms128m -Xmx512m")
            .stdin(Stdio::null())
            .output()
            .expect("run scripts/kafka.sh");
        assert!(
            out.status.success(),
            "kafka.sh {args:?}: {}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    fn start(&self) {
        self.kafka_sh(&["start"]);
    }

    fn stop_node(&self, node: usize) {
        self.kafka_sh(&["stop-node", &node.to_string()]);
    }

    fn start_node(&self, node: usize) {
        self.kafka_sh(&["start-node", &node.to_string()]);
    }

    fn stop(&self) {
        self.kafka_sh(&["stop"]);
    }

    fn pid(&self, node: usize) -> libc::pid_t {
        let pid_file = self.state.join(format!("node-{node}/pid"));
        let pid = std::fs::read_to_string(&pid_file).expect("pid file");
        pid.trim().parse().expect("a pid")
    }

    /// Freezes node `node` at once (SIGSTOP: it handles no further
    /// request), then SIGKILLs it, as a crash or an OOM kill would: no
    /// controlled shutdown. Returns once its ports are closed.
    fn kill_node(&self, node: usize) {
        let pid = self.pid(node);
        // SAFETY: plain syscalls on a pid this cluster started.
        unsafe {
            libc::kill(pid, libc::SIGSTOP);
            assert_eq!(libc::kill(pid, libc::SIGKILL), 0, "kill -KILL {pid}");
        }
        // The process gone or a zombie is not enough: the leader of a JVM
        // shows Z while its other threads still hold the listening sockets,
        // and a restart would find the ports taken.
        let port = self.ports.port + node as u16 - 1;
        let status_file = format!("/proc/{pid}/status");
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            let dead = std::fs::read_to_string(&status_file).map_or(true, |s| {
                s.lines()
                    .any(|l| l.starts_with("State:") && l.contains('Z'))
            });
            let closed = [port, port + 50, port + 100]
                .iter()
                .all(|p| TcpStream::connect(("127.0.0.1", *p)).is_err());
            if dead && closed {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        panic!("node {node} (pid {pid}) still alive or listening 10 s after SIGKILL");
    }

    fn bootstrap(&self) -> String {
        (0..self.nodes)
            .map(|i| format!("127.0.0.1:{}", self.ports.port as usize + i))
            .collect::<Vec<_>>()
            .join(",")
    }

    fn admin(&self) -> AdminClient<DefaultClientContext> {
        ClientConfig::new()
            .set("bootstrap.servers", self.bootstrap())
            .set("allow.auto.create.topics", "false")
            .create()
            .expect("admin client")
    }

    fn metadata(&self) -> Metadata {
        self.admin()
            .inner()
            .fetch_metadata(None, Duration::from_secs(10))
            .expect("metadata")
    }

    /// Topic-level configs (source DYNAMIC_TOPIC_CONFIG) of `topic`.
    fn topic_configs(&self, topic: &str) -> HashMap<String, String> {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let admin = self.admin();
        let results = rt
            .block_on(admin.describe_configs(
                &[ResourceSpecifier::Topic(topic)],
                &AdminOptions::new().request_timeout(Some(Duration::from_secs(10))),
            ))
            .expect("describe_configs");
        let resource = results
            .into_iter()
            .next()
            .unwrap()
            .unwrap_or_else(|e| panic!("describe {topic}: {e:?}"));
        resource
            .entries
            .into_iter()
            .filter(|e| e.source == ConfigSource::DynamicTopic)
            .map(|e| (e.name, e.value.unwrap_or_default()))
            .collect()
    }

    /// Asserts the topic has exactly these partitions, RF and own configs.
    fn assert_exact(&self, topic: &Topic) {
        let md = self.metadata();
        let t = md
            .topics()
            .iter()
            .find(|t| t.name() == topic.name && t.error().is_none())
            .unwrap_or_else(|| panic!("{} does not exist", topic.name));
        assert_eq!(t.partitions().len(), topic.partitions, "{}", topic.name);
        for p in t.partitions() {
            assert_eq!(
                p.replicas().len(),
                topic.rf,
                "{}/{}: RF",
                topic.name,
                p.id()
            );
        }
        let want: HashMap<String, String> = topic
            .config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        assert_eq!(self.topic_configs(&topic.name), want, "{}", topic.name);
    }

    fn exists(&self, topic: &str) -> bool {
        self.metadata().topics().iter().any(|t| t.name() == topic)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        // Never panic here: a failing test must still show its own message.
        let _ = Command::new(support::repo_path("scripts/kafka.sh"))
            .arg("reset")
            .env("KAFKA_NODES", self.nodes.to_string())
            .env("KAFKA_PORT", self.ports.port.to_string())
            .env("KAFKA_STATE_DIR", &self.state)
            .stdin(Stdio::null())
            .output();
    }
}

#[derive(Clone)]
struct Topic {
    name: String,
    partitions: usize,
    rf: usize,
    config: Vec<(&'static str, &'static str)>,
}

fn topic(
    name: &str,
    partitions: usize,
    rf: usize,
    config: &[(&'static str, &'static str)],
) -> Topic {
    Topic {
        name: name.into(),
        partitions,
        rf,
        config: config.to_vec(),
    }
}

/// Writes `topics` as a topic file in the test's temp dir.
fn file(name: &str, topics: &[Topic]) -> PathBuf {
    let mut s = String::from("kafka:\n  topics:\n");
    for (i, t) in topics.iter().enumerate() {
        s.push_str(&format!(
            "    t{i}:\n      name: \"{}\"\n      partitions: {}\n      replication_factor: {}\n",
            t.name, t.partitions, t.rf
        ));
        if !t.config.is_empty() {
            s.push_str("      config:\n");
            for (k, v) in &t.config {
                s.push_str(&format!("        {k}: \"{v}\"\n"));
            }
        }
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("fault-files");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{}.yaml", support::unique(name)));
    std::fs::write(&path, s).unwrap();
    path
}

fn kafka_init(path: &Path, bootstrap: &str, timeout: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kafka-init"));
    cmd.arg("--config")
        .arg(path)
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
        .env("KAFKA_INIT_TIMEOUT", timeout)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd
}

/// Runs kafka-init to the end; returns the output and how long it took.
fn run(path: &Path, bootstrap: &str, timeout: &str) -> (Output, Duration) {
    let started = Instant::now();
    let out = kafka_init(path, bootstrap, timeout).output().unwrap();
    (out, started.elapsed())
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The line of the table the report gives: fault, what happened, time.
fn observed(fault: &str, what: &str, took: Duration) {
    eprintln!("FAULT | {fault} | {what} | {took:.1?}");
}

/// Right after a run exited 0: an independent producer (no retries,
/// `acks=all`) writes one record to every partition of `topics`; asserts
/// that every write was acknowledged at the first try.
fn assert_every_partition_takes_a_write(bootstrap: &str, topics: &[Topic]) -> usize {
    let wanted: Vec<(String, i32)> = topics
        .iter()
        .map(|t| (t.name.clone(), t.partitions as i32))
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let writes = rt.block_on(support::write_to_every_partition(bootstrap, &wanted));
    assert!(
        writes.failures.is_empty(),
        "writes right after exit 0 failed: {:?}",
        writes.failures
    );
    let total: usize = topics.iter().map(|t| t.partitions).sum();
    assert_eq!(writes.acknowledged, total);
    writes.acknowledged
}

/// Runs kafka-init on `path` and SIGKILLs the cluster's node 1 as soon as
/// the run logs its CreateTopics as done; returns the run's exit status
/// and its whole log. The node is left dead.
fn run_killing_node_after_create(
    cluster: &Cluster,
    path: &Path,
    timeout: &str,
) -> (std::process::ExitStatus, String) {
    let mut child = kafka_init(path, &cluster.bootstrap(), timeout)
        .env("RUST_LOG", "debug")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    let mut killed = false;
    for line in lines.by_ref() {
        let line = plain(&line.unwrap());
        let created = line.contains("request done")
            && line.contains("operation=\"create\"")
            && line.contains("validate_only=false");
        log.push(line);
        if created {
            cluster.kill_node(1);
            killed = true;
            break;
        }
    }
    log.extend(lines.map_while(Result::ok).map(|l| plain(&l)));
    let status = child.wait().unwrap();
    let log = log.join("\n");
    assert!(killed, "the run never logged the create: {status}\n{log}");
    (status, log)
}

#[test]
fn single_node_late_restarted_dead_and_too_small() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::new("single", 1);
    let bootstrap = cluster.bootstrap();
    let run_id = support::unique("fault");

    // 1. Late broker: kafka-init first, the broker 12 s later.
    let late = vec![
        topic(
            &format!("{run_id}.late-a"),
            3,
            1,
            &[("cleanup.policy", "compact")],
        ),
        topic(
            &format!("{run_id}.late-b"),
            1,
            1,
            &[("retention.ms", "60000")],
        ),
    ];
    let path = file("late", &late);
    let started = Instant::now();
    let child = kafka_init(&path, &bootstrap, "90s").spawn().unwrap();
    // The fault itself, not a wait: the broker is down for the first 12 s.
    std::thread::sleep(Duration::from_secs(12));
    cluster.start();
    let broker_up = started.elapsed();
    let out = child.wait_with_output().unwrap();
    let took = started.elapsed();
    assert!(
        out.status.success(),
        "late broker: {}\n{}",
        out.status,
        stderr(&out)
    );
    for t in &late {
        cluster.assert_exact(t);
    }
    observed(
        "broker starts 12 s after kafka-init",
        &format!("exit 0 once the broker answered ({broker_up:.1?} after start); topics exact"),
        took,
    );

    // 2. Broker killed mid-run, right after the create went through: a
    // topic to create, and one to change (configs and partitions).
    let before = vec![topic(
        &format!("{run_id}.restart-a"),
        1,
        1,
        &[("retention.ms", "60000")],
    )];
    let (out, _) = run(&file("restart0", &before), &bootstrap, "60s");
    assert!(out.status.success(), "{}", stderr(&out));
    let after = vec![
        topic(
            &format!("{run_id}.restart-a"),
            4,
            1,
            &[("retention.ms", "120000"), ("segment.ms", "3600000")],
        ),
        topic(
            &format!("{run_id}.restart-b"),
            2,
            1,
            &[("cleanup.policy", "compact")],
        ),
    ];
    let path = file("restart", &after);
    let started = Instant::now();
    let mut child = kafka_init(&path, &bootstrap, "90s")
        .env("RUST_LOG", "debug")
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut log = Vec::new();
    let mut killed = false;
    for line in lines.by_ref() {
        let line = plain(&line.unwrap());
        let created = line.contains("request done")
            && line.contains("operation=\"create\"")
            && line.contains("validate_only=false");
        log.push(line);
        if created {
            cluster.kill_node(1);
            killed = true;
            break;
        }
    }
    let killed_at = started.elapsed();
    // Keep draining the log while the broker restarts: a full pipe would
    // stall the run and hide how it copes.
    let rest = std::thread::spawn(move || {
        lines
            .map_while(Result::ok)
            .map(|l| plain(&l))
            .collect::<Vec<_>>()
    });
    cluster.start_node(1);
    let restarted_at = started.elapsed();
    let status = child.wait().unwrap();
    log.extend(rest.join().unwrap());
    let took = started.elapsed();
    let log = log.join("\n");
    assert!(killed, "the run never logged the create: {status}\n{log}");
    let same_run = if status.success() {
        "the same run converged: exit 0".to_owned()
    } else {
        // A failed run must say what it was doing.
        let said = log
            .lines()
            .find(|l| l.starts_with("kafka-init: "))
            .unwrap_or_else(|| panic!("failed without a message:\n{log}"))
            .to_owned();
        format!("the run failed saying `{said}`")
    };
    let (rerun, rerun_took) = run(&path, &bootstrap, "60s");
    assert!(rerun.status.success(), "re-run: {}", stderr(&rerun));
    for t in &after {
        cluster.assert_exact(t);
    }
    // What the run went through after the kill, from its own log: each
    // alter attempt and the retries.
    let alters: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("operation=\"alter configs\"") && l.contains("validate_only=false"))
        .filter_map(|l| l.split("elapsed=").nth(1))
        .map(str::trim)
        .collect();
    let retries: Vec<&str> = log.lines().filter(|l| l.contains("retrying:")).collect();
    let alter = format!(
        "alter attempts took [{}]; {} retries logged{}",
        alters.join(", "),
        retries.len(),
        retries
            .first()
            .map(|r| format!(", first: `{}`", r.split("DEBUG").last().unwrap_or(r).trim()))
            .unwrap_or_default()
    );
    observed(
        "broker SIGKILLed after the create, restarted",
        &format!(
            "killed at {killed_at:.1?}, back at {restarted_at:.1?}; {alter}; {same_run}; re-run exit 0 in {rerun_took:.1?}; topics exact"
        ),
        took,
    );
    assert!(
        status.success(),
        "the run did not survive the restart:\n{log}"
    );

    // 3. RF above the broker count on a single node: the clear message.
    let name = format!("{run_id}.rf3");
    let path = file("rf3", &[topic(&name, 1, 3, &[])]);
    let (out, took) = run(&path, &bootstrap, "60s");
    let err = stderr(&out);
    assert!(!out.status.success(), "RF 3 on one broker succeeded");
    assert!(
        err.contains("replication factor 3 wanted but only 1 broker is available"),
        "{err}"
    );
    assert!(
        !err.contains("Unable to replicate"),
        "a broker error dump: {err}"
    );
    assert!(took < Duration::from_secs(30), "took {took:?}");
    assert!(!cluster.exists(&name));
    observed(
        "RF 3 on a single broker",
        &format!("exit {:?}: {}", out.status.code(), last_line(&err)),
        took,
    );

    // 3b. The broker dies right after CreateTopics and never comes back:
    // no partition ever serves. The run fails at its deadline (exit 1),
    // naming the partitions still not serving and their leader as last
    // seen (none, when the broker died before metadata showed one).
    let name = format!("{run_id}.never-serves");
    let path = file("never-serves", &[topic(&name, 2, 1, &[])]);
    let started = Instant::now();
    let (status, log) = run_killing_node_after_create(&cluster, &path, "15s");
    let took = started.elapsed();
    assert_eq!(status.code(), Some(1), "{log}");
    let message = log
        .lines()
        .find(|l| {
            l.contains(" ERROR deadline of 15.0s passed while waiting for partitions to serve: ")
        })
        .unwrap_or_else(|| panic!("failed without the deadline's message:\n{log}"));
    for partition in 0..2 {
        assert!(
            message.contains(&format!("{name}/{partition}: not serving (")),
            "{message}"
        );
    }
    assert!(
        message.contains("leader broker 1") || message.contains("no leader known"),
        "{message}"
    );
    observed(
        "broker SIGKILLed after the create, never back (deadline 15 s)",
        &format!(
            "exit 1: {}",
            message.split(" ERROR ").last().unwrap_or(message)
        ),
        took,
    );
    cluster.start_node(1);

    // 4. Dead broker: fails inside its deadline, naming address and wait.
    cluster.stop();
    let (out, took) = run(&path, &bootstrap, "5s");
    let err = stderr(&out);
    assert!(!out.status.success());
    assert!(err.contains(&bootstrap), "{err}");
    assert!(err.contains("did not answer within"), "{err}");
    assert!(took < Duration::from_secs(7), "took {took:?}");
    observed(
        "broker down (deadline 5 s)",
        &format!("exit {:?}: {}", out.status.code(), last_line(&err)),
        took,
    );
}

/// `line` without terminal colour codes (the log colours field names).
fn plain(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            // ESC [ parameters final-byte
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn last_line(text: &str) -> String {
    text.lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .to_owned()
}

#[test]
fn three_nodes_rf3_min_isr_2_then_a_node_down() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let cluster = Cluster::new("three", 3);
    cluster.start();
    observed(
        "3-node KRaft cluster start",
        "all 3 brokers registered",
        started.elapsed(),
    );
    let bootstrap = cluster.bootstrap();
    let run_id = support::unique("fault3");

    // RF 3, min.insync.replicas 2: provisioned, and every partition shows
    // at least 2 in-sync replicas when kafka-init says it is done.
    let durable = vec![
        topic(
            &format!("{run_id}.orders"),
            6,
            3,
            &[("min.insync.replicas", "2")],
        ),
        topic(
            &format!("{run_id}.state"),
            3,
            3,
            &[("min.insync.replicas", "2"), ("cleanup.policy", "compact")],
        ),
    ];
    let path = file("rf3", &durable);
    let (out, took) = run(&path, &bootstrap, "60s");
    assert!(out.status.success(), "{}", stderr(&out));
    let md = cluster.metadata();
    for t in &durable {
        cluster.assert_exact(t);
        let topic = md.topics().iter().find(|m| m.name() == t.name).unwrap();
        for p in topic.partitions() {
            assert!(
                p.isr().len() >= 2,
                "{}/{}: ISR {:?}",
                t.name,
                p.id(),
                p.isr()
            );
        }
    }
    let written = assert_every_partition_takes_a_write(&bootstrap, &durable);
    observed(
        "RF 3, min.insync.replicas 2 on 3 nodes",
        &format!(
            "exit 0; every partition ISR >= 2; exact; {written} of {written} first-try writes (acks=all) acknowledged"
        ),
        took,
    );

    // One node down: the existing topics still pass the gate (ISR 2 of 3).
    cluster.stop_node(3);
    let (out, took) = run(&path, &bootstrap, "60s");
    assert!(
        out.status.success(),
        "re-run with a node down: {}",
        stderr(&out)
    );
    let written = assert_every_partition_takes_a_write(&bootstrap, &durable);
    observed(
        "node 3 stopped; re-run on the RF 3 topics",
        &format!(
            "exit 0 (ISR 2 >= min.insync.replicas 2); {written} first-try writes acknowledged"
        ),
        took,
    );

    // A new RF 3 topic with node 3 stopped: KRaft keeps a stopped broker
    // registered (fenced), and the controller places replicas on it, so
    // the create succeeds, under-replicated, with ISR 2; the gate accepts
    // it because 2 in-sync replicas meet min.insync.replicas 2.
    let stopped = topic(
        &format!("{run_id}.while-stopped"),
        2,
        3,
        &[("min.insync.replicas", "2")],
    );
    let (out, took) = run(
        &file("rf3-stopped", std::slice::from_ref(&stopped)),
        &bootstrap,
        "60s",
    );
    assert!(out.status.success(), "{}", stderr(&out));
    cluster.assert_exact(&stopped);
    observed(
        "node 3 stopped (still registered); new RF 3 topic",
        "exit 0: created RF 3 with ISR 2 (the stopped broker still counts for placement)",
        took,
    );

    // Node 3 unregistered (decommissioned): 2 brokers for RF 3. Retried
    // for the grace period, then refused with both numbers.
    cluster.kafka_sh(&["cluster", "unregister", "--id", "3"]);
    let name = format!("{run_id}.new-rf3");
    let path = file(
        "rf3-down",
        &[topic(&name, 1, 3, &[("min.insync.replicas", "2")])],
    );
    let (out, took) = run(&path, &bootstrap, "60s");
    let err = stderr(&out);
    assert!(!out.status.success(), "RF 3 with 2 brokers succeeded");
    assert!(
        err.contains("replication factor 3 wanted but only 2 brokers are available"),
        "{err}"
    );
    assert!(
        !err.contains("Unable to replicate"),
        "a broker error dump: {err}"
    );
    // Retried for the grace period first: a starting cluster gets the time.
    assert!(
        took >= Duration::from_secs(14),
        "refused after only {took:?}"
    );
    assert!(took < Duration::from_secs(40), "took {took:?}");
    assert!(!cluster.exists(&name));
    observed(
        "node 3 stopped and unregistered; new RF 3 topic",
        &format!(
            "retried, then exit {:?}: {}",
            out.status.code(),
            last_line(&err)
        ),
        took,
    );

    // Back to three: the same file now succeeds.
    cluster.start_node(3);
    let (out, took) = run(&path, &bootstrap, "60s");
    assert!(out.status.success(), "{}", stderr(&out));
    cluster.assert_exact(&topic(&name, 1, 3, &[("min.insync.replicas", "2")]));
    observed("node 3 back; same file", "exit 0; exact", took);
}

/// GET `path` from `address`: the status code and the body's first line.
fn http_get(address: &str, path: &str) -> Option<(u16, String)> {
    use std::io::{Read, Write};
    let mut stream = TcpStream::connect(address).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let code = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")?
        .1
        .lines()
        .next()?
        .to_owned();
    Some((code, body))
}

/// `watch` keeps running while its broker is stopped and restarted:
/// /readyz goes 503 with the reason, then 200 again, with the same process.
#[test]
fn watch_readyz_follows_a_broker_stopped_and_restarted() {
    let _turn = TURN.lock().unwrap_or_else(|e| e.into_inner());
    let cluster = Cluster::new("watch-restart", 1);
    cluster.start();
    let t = topic(
        &support::unique("watch-restart"),
        2,
        1,
        &[("retention.ms", "3600000")],
    );
    let path = file("watch-restart", std::slice::from_ref(&t));
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .arg("watch")
        .arg("--config")
        .arg(&path)
        .args(["--bootstrap-servers", &cluster.bootstrap()])
        .args([
            "--interval",
            "2s",
            "--timeout",
            "5s",
            "--listen",
            "127.0.0.1:0",
        ])
        .env_remove("KAFKA_INIT_LOG_FORMAT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = std::sync::Arc::new(Mutex::new(String::new()));
    let sink = std::sync::Arc::clone(&log);
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    struct Kill(std::process::Child);
    impl Drop for Kill {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let mut child = Kill(child);
    let text = || log.lock().unwrap().clone();
    let started = Instant::now();
    let mut address = None;
    while address.is_none() {
        assert!(started.elapsed() < Duration::from_secs(20), "{}", text());
        address = text()
            .lines()
            .find_map(|l| l.split("/metrics on ").nth(1).map(|a| a.trim().to_owned()));
        std::thread::sleep(Duration::from_millis(50));
    }
    let address = address.unwrap();

    // Every change of /readyz, as seen by a poll every 100 ms.
    let mut transitions: Vec<(Duration, u16, String)> = Vec::new();
    let mut wait_for = |child: &mut Kill, code: u16, limit: Duration| {
        let deadline = Instant::now() + limit;
        loop {
            assert!(
                child.0.try_wait().unwrap().is_none(),
                "kafka-init exited:\n{}",
                text()
            );
            if let Some((now, body)) = http_get(&address, "/readyz") {
                if transitions.last().map(|(_, c, b)| (*c, b)) != Some((now, &body)) {
                    transitions.push((started.elapsed(), now, body));
                }
                if now == code {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "/readyz not {code} within {limit:?}: {transitions:?}\n{}",
                text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    wait_for(&mut child, 200, Duration::from_secs(60));
    cluster.assert_exact(&t);
    let stopped = Instant::now();
    cluster.stop();
    wait_for(&mut child, 503, Duration::from_secs(60));
    observed(
        "broker stopped under watch",
        "/readyz 503",
        stopped.elapsed(),
    );
    let restarted = Instant::now();
    cluster.start();
    wait_for(&mut child, 200, Duration::from_secs(120));
    observed(
        "broker restarted under watch",
        "/readyz 200",
        restarted.elapsed(),
    );
    assert!(child.0.try_wait().unwrap().is_none(), "{}", text());
    cluster.assert_exact(&t);
    let (code, metrics) = {
        use std::io::{Read, Write};
        let mut s = TcpStream::connect(&address).unwrap();
        write!(
            s,
            "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut r = String::new();
        s.read_to_string(&mut r).unwrap();
        (r.split_whitespace().nth(1).unwrap().to_owned(), r)
    };
    assert_eq!(code, "200");
    let failures: f64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("kafka_init_reconciliations_total{result=\"failure\"} "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("{metrics}"));
    assert!(failures >= 1.0, "{metrics}");
    for (at, code, body) in &transitions {
        eprintln!("READYZ | {at:>6.1?} | {code} | {body}");
    }
}
