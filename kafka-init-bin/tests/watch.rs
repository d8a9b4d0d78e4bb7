//! `kafka-init watch` against the test broker: drift reverted (a config
//! changed, a topic deleted), report-only changing nothing, a file replaced
//! by rename or by a ConfigMap's symlink swap taking effect before the next
//! interval, a broken edit keeping the last good file, SIGTERM ending with
//! 0, and /metrics read by the Prometheus project's own parser.
//!
//! Every assertion about the cluster asks the broker (metadata,
//! DescribeConfigs); every wait has a deadline.

use kafka_init_test_support as support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rdkafka::admin::AdminOptions;

/// A running `kafka-init watch`, killed when dropped.
struct Watch {
    child: Child,
    log: Arc<Mutex<String>>,
    address: String,
}

impl Watch {
    /// Starts `watch` on `config` with `args`, serving on a free port.
    fn start(config: &Path, bootstrap: &str, args: &[&str]) -> Watch {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-init"));
        child
            .arg("watch")
            .arg("--config")
            .arg(config)
            .args(["--bootstrap-servers", bootstrap, "--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("KAFKA_INIT_INTERVAL")
            .env_remove("KAFKA_INIT_REPORT_ONLY")
            .env_remove("KAFKA_INIT_LISTEN")
            .env_remove("KAFKA_INIT_LOG_FORMAT")
            .env_remove("KAFKA_INIT_PROFILE")
            .env_remove("KAFKA_INIT_POLICY")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        let mut child = child.spawn().expect("start kafka-init watch");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut watch = Watch {
            child,
            log,
            address: String::new(),
        };
        // The port the OS gave: from the line saying where it serves.
        let marker = "/metrics on ";
        watch.wait_for("the HTTP endpoints", Duration::from_secs(20), |w| {
            w.log()
                .lines()
                .find_map(|l| l.split(marker).nth(1))
                .map(|a| a.trim().to_owned())
                .is_some()
        });
        watch.address = watch
            .log()
            .lines()
            .find_map(|l| l.split(marker).nth(1))
            .unwrap()
            .trim()
            .to_owned();
        watch
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    /// Waits until `done`, failing the test with the log after `limit`.
    fn wait_for(&mut self, what: &str, limit: Duration, mut done: impl FnMut(&mut Watch) -> bool) {
        let deadline = Instant::now() + limit;
        loop {
            if done(self) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!(
                    "kafka-init exited ({status}) waiting for {what}:\n{}",
                    self.log()
                );
            }
            assert!(
                Instant::now() < deadline,
                "no {what} within {limit:?}:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// GET `path`: the status code and the body.
    fn get(&self, path: &str) -> (u16, String) {
        let mut stream = TcpStream::connect(&self.address).expect("connect to /healthz port");
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let code = response
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP response: {response}"));
        let body = response
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_owned())
            .unwrap_or_default();
        (code, body)
    }

    /// /metrics, parsed by prometheus_client's OpenMetrics parser.
    fn metrics(&self) -> Metrics {
        let (code, text) = self.get("/metrics");
        assert_eq!(code, 200, "{text}");
        Metrics::parse(&text)
    }

    fn wait_ready(&mut self, limit: Duration) {
        self.wait_for("/readyz 200", limit, |w| w.get("/readyz").0 == 200);
    }

    fn signal(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on the pid of a child this test owns.
        assert_eq!(
            unsafe { libc::kill(self.child.id() as libc::pid_t, signal) },
            0
        );
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Samples of one scrape: (name, labels) → value.
struct Metrics {
    samples: BTreeMap<(String, BTreeMap<String, String>), f64>,
    text: String,
}

impl Metrics {
    fn parse(text: &str) -> Metrics {
        let mut child = Command::new(python())
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/openmetrics.py"))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run the OpenMetrics parser");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "prometheus_client refused the scrape: {}\n{text}",
            String::from_utf8_lossy(&out.stderr)
        );
        let parsed: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
        let samples = parsed
            .into_iter()
            .map(|s| {
                let labels = s["labels"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                    .collect();
                (
                    (s["name"].as_str().unwrap().to_owned(), labels),
                    s["value"].as_f64().unwrap(),
                )
            })
            .collect();
        Metrics {
            samples,
            text: text.to_owned(),
        }
    }

    /// The sample `name{label="value"}`, which must exist.
    fn get(&self, name: &str, labels: &[(&str, &str)]) -> f64 {
        let labels: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        *self
            .samples
            .get(&(name.to_owned(), labels.clone()))
            .unwrap_or_else(|| panic!("no {name}{labels:?} in:\n{}", self.text))
    }
}

/// A Python with prometheus_client: the system's, or a virtualenv under the
/// target dir with it installed from PyPI.
fn python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let has_it = |python: &Path| {
                Command::new(python)
                    .args(["-c", "import prometheus_client"])
                    .stderr(Stdio::null())
                    .status()
                    .is_ok_and(|s| s.success())
            };
            let system = PathBuf::from("python3");
            if has_it(&system) {
                return system;
            }
            let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("openmetrics-venv");
            let python = venv.join("bin/python3");
            if !has_it(&python) {
                let made = Command::new("python3")
                    .args(["-m", "venv"])
                    .arg(&venv)
                    .status()
                    .expect("python3 -m venv");
                assert!(made.success(), "python3 -m venv {}", venv.display());
                let installed = Command::new(&python)
                    .args(["-m", "pip", "install", "--quiet", "prometheus-client"])
                    .status()
                    .expect("pip install prometheus-client");
                assert!(installed.success(), "pip install prometheus-client");
            }
            python
        })
        .clone()
}

/// A directory of the test's own.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("watch")
        .join(support::unique(name));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A topic file declaring `topics` as (name, partitions, retention.ms).
fn topic_file(topics: &[(&str, i32, &str)]) -> String {
    let mut s = String::from("kafka:\n  topics:\n");
    for (i, (name, partitions, retention)) in topics.iter().enumerate() {
        s.push_str(&format!(
            "    t{i}:\n      name: \"{name}\"\n      partitions: {partitions}\n      replication_factor: 1\n      config:\n        retention.ms: \"{retention}\"\n"
        ));
    }
    s
}

/// Replaces `path` as editors and `kubectl cp` do: a new file renamed over
/// it (a new inode; the old one is never written).
fn replace(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn retention(rt: &tokio::runtime::Runtime, topic: &str) -> Option<String> {
    rt.block_on(support::topic_configs(topic))
        .get("retention.ms")
        .cloned()
}

fn delete_topic(rt: &tokio::runtime::Runtime, topic: &str) {
    let results = rt
        .block_on(support::admin().delete_topics(&[topic], &AdminOptions::new()))
        .expect("delete_topics");
    for r in results {
        r.unwrap_or_else(|(t, e)| panic!("delete {t}: {e:?}"));
    }
}

#[test]
fn drift_is_reverted_within_two_intervals_and_a_deleted_topic_created_again() {
    let rt = runtime();
    let topic = support::unique("watch-drift");
    let dir = scratch("drift");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[(&topic, 2, "3600000")])).unwrap();
    let interval = Duration::from_secs(2);
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "2s"]);
    watch.wait_ready(Duration::from_secs(30));
    assert_eq!(support::topic_shape(&topic), Some((2, 1)));
    let before = watch.metrics();
    assert_eq!(
        before.get("kafka_init_changes_total", &[("action", "create")]),
        1.0
    );
    assert_eq!(before.get("kafka_init_topics", &[]), 1.0);
    assert_eq!(before.get("kafka_init_file_valid", &[]), 1.0);

    // Changed behind its back: back within two intervals (plus a pass).
    rt.block_on(support::set_topic_config(&topic, "retention.ms", "1234"));
    assert_eq!(retention(&rt, &topic).as_deref(), Some("1234"));
    let changed = Instant::now();
    watch.wait_for(
        "retention.ms reverted",
        interval * 2 + Duration::from_secs(5),
        |_| retention(&rt, &topic).as_deref() == Some("3600000"),
    );
    eprintln!("config drift reverted after {:?}", changed.elapsed());

    // Deleted behind its back: created again.
    delete_topic(&rt, &topic);
    watch.wait_for(
        "the topic created again",
        interval * 2 + Duration::from_secs(10),
        |_| support::topic_shape(&topic) == Some((2, 1)),
    );
    assert_eq!(retention(&rt, &topic).as_deref(), Some("3600000"));

    // The counters moved with the passes.
    watch.wait_for("the fixes counted", Duration::from_secs(10), |w| {
        let m = w.metrics();
        m.get("kafka_init_changes_total", &[("action", "create")]) >= 2.0
            && m.get("kafka_init_changes_total", &[("action", "alter")]) >= 1.0
    });
    let after = watch.metrics();
    let success = [("result", "success")];
    assert!(
        after.get("kafka_init_reconciliations_total", &success)
            > before.get("kafka_init_reconciliations_total", &success)
    );
    assert!(
        after.get("kafka_init_requests_total", &[("api", "metadata")])
            > before.get("kafka_init_requests_total", &[("api", "metadata")])
    );
    assert_eq!(
        after.get("kafka_init_reconciliations_total", &[("result", "failure")]),
        0.0
    );
    assert!(after.get("kafka_init_reconcile_duration_seconds_count", &[]) >= 3.0);
    assert!(after.get("kafka_init_last_success_timestamp_seconds", &[]) > 1.7e9);
    for kind in ["missing", "config", "partitions", "orphan"] {
        after.get("kafka_init_drift", &[("kind", kind)]);
    }
    eprintln!("--- /metrics after the drift was fixed ---\n{}", after.text);
}

#[test]
fn report_only_changes_nothing_and_the_drift_gauge_shows_it() {
    let rt = runtime();
    let drifted = support::unique("watch-ro");
    let missing = support::unique("watch-ro-missing");
    let dir = scratch("report-only");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[(&drifted, 1, "3600000")])).unwrap();
    let made = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .arg("--config")
        .arg(&config)
        .args(["--bootstrap-servers", &support::bootstrap()])
        .stderr(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
    rt.block_on(support::set_topic_config(&drifted, "retention.ms", "1234"));
    std::fs::write(
        &config,
        topic_file(&[(&drifted, 1, "3600000"), (&missing, 1, "3600000")]),
    )
    .unwrap();

    let mut watch = Watch::start(
        &config,
        &support::bootstrap(),
        &["--interval", "1s", "--report-only"],
    );
    watch.wait_for("three passes", Duration::from_secs(30), |w| {
        w.metrics()
            .get("kafka_init_reconciliations_total", &[("result", "success")])
            >= 3.0
    });
    let m = watch.metrics();
    assert_eq!(m.get("kafka_init_drift", &[("kind", "config")]), 1.0);
    assert_eq!(m.get("kafka_init_drift", &[("kind", "missing")]), 1.0);
    assert_eq!(m.get("kafka_init_drift", &[("kind", "partitions")]), 0.0);
    for action in ["create", "alter", "grow", "delete"] {
        assert_eq!(
            m.get("kafka_init_changes_total", &[("action", action)]),
            0.0
        );
    }
    let (code, body) = watch.get("/readyz");
    assert_eq!(code, 503, "{body}");
    assert!(body.contains("report-only"), "{body}");
    assert_eq!(watch.get("/healthz").0, 200);
    // The broker still has the drift.
    assert_eq!(retention(&rt, &drifted).as_deref(), Some("1234"));
    assert_eq!(support::topic_shape(&missing), None);
}

#[test]
fn a_file_replaced_by_rename_takes_effect_before_the_next_interval() {
    let rt = runtime();
    let first = support::unique("watch-rename");
    let second = support::unique("watch-rename-added");
    let dir = scratch("rename");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[(&first, 1, "3600000")])).unwrap();
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "1h"]);
    watch.wait_ready(Duration::from_secs(30));
    assert_eq!(retention(&rt, &first).as_deref(), Some("3600000"));

    replace(
        &config,
        &topic_file(&[(&first, 1, "7200000"), (&second, 3, "3600000")]),
    );
    let replaced = Instant::now();
    watch.wait_for("the new file applied", Duration::from_secs(20), |_| {
        retention(&rt, &first).as_deref() == Some("7200000")
            && support::topic_shape(&second) == Some((3, 1))
    });
    eprintln!("renamed file applied after {:?}", replaced.elapsed());
    assert_eq!(watch.metrics().get("kafka_init_topics", &[]), 2.0);
}

#[test]
fn a_configmap_symlink_swap_takes_effect_before_the_next_interval() {
    let rt = runtime();
    let topic = support::unique("watch-configmap");
    let dir = scratch("configmap");
    // The kubelet's layout: topics.yaml -> ..data/topics.yaml, and
    // ..data -> ..<timestamp>, swapped by renaming a new symlink over it.
    let version = |name: &str, text: &str| {
        std::fs::create_dir_all(dir.join(name)).unwrap();
        std::fs::write(dir.join(name).join("topics.yaml"), text).unwrap();
    };
    version("..v1", &topic_file(&[(&topic, 1, "3600000")]));
    std::os::unix::fs::symlink("..v1", dir.join("..data")).unwrap();
    std::os::unix::fs::symlink("..data/topics.yaml", dir.join("topics.yaml")).unwrap();
    let mut watch = Watch::start(
        &dir.join("topics.yaml"),
        &support::bootstrap(),
        &["--interval", "1h"],
    );
    watch.wait_ready(Duration::from_secs(30));

    version("..v2", &topic_file(&[(&topic, 2, "7200000")]));
    std::os::unix::fs::symlink("..v2", dir.join("..data_tmp")).unwrap();
    std::fs::rename(dir.join("..data_tmp"), dir.join("..data")).unwrap();
    watch.wait_for("the swapped file applied", Duration::from_secs(20), |_| {
        retention(&rt, &topic).as_deref() == Some("7200000")
            && support::topic_shape(&topic) == Some((2, 1))
    });
}

#[test]
fn a_broken_edit_keeps_the_process_healthz_and_the_last_good_file() {
    let rt = runtime();
    let topic = support::unique("watch-broken");
    let dir = scratch("broken");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[(&topic, 1, "3600000")])).unwrap();
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "2s"]);
    watch.wait_ready(Duration::from_secs(30));

    replace(
        &config,
        &topic_file(&[(&topic, 1, "3600000")]).replace("partitions: 1", "partitions: many"),
    );
    watch.wait_for("kafka_init_file_valid 0", Duration::from_secs(20), |w| {
        w.metrics().get("kafka_init_file_valid", &[]) == 0.0
    });
    let log = watch.log();
    assert!(
        log.contains("topics.yaml:5:"),
        "the problem at file:line:\n{log}"
    );
    assert_eq!(watch.get("/healthz").0, 200);
    // The last good file is in force: drift is still reverted to it.
    rt.block_on(support::set_topic_config(&topic, "retention.ms", "1234"));
    watch.wait_for(
        "retention.ms reverted to the last good file",
        Duration::from_secs(20),
        |_| retention(&rt, &topic).as_deref() == Some("3600000"),
    );
    assert!(watch.child.try_wait().unwrap().is_none());
    assert_eq!(watch.get("/healthz").0, 200);
    assert_eq!(watch.get("/readyz").0, 200);

    // Fixed: the new file is in force.
    replace(&config, &topic_file(&[(&topic, 1, "7200000")]));
    watch.wait_for("the fixed file applied", Duration::from_secs(20), |_| {
        retention(&rt, &topic).as_deref() == Some("7200000")
    });
    assert_eq!(watch.metrics().get("kafka_init_file_valid", &[]), 1.0);
}

/// Waits up to 5 s (the contract) for the process to exit; its code.
fn exit_within_5s(watch: &mut Watch) -> i32 {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        if let Some(status) = watch.child.try_wait().unwrap() {
            return status.code().expect("an exit code, not death by signal");
        }
        assert!(
            Instant::now() < deadline,
            "still running 5 s after SIGTERM:\n{}",
            watch.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn sigterm_exits_0_within_5_seconds_between_passes_and_during_one() {
    let topic = support::unique("watch-stop");
    let dir = scratch("stop");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[(&topic, 1, "3600000")])).unwrap();
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "1h"]);
    watch.wait_ready(Duration::from_secs(30));
    watch.signal(libc::SIGTERM);
    assert_eq!(exit_within_5s(&mut watch), 0, "{}", watch.log());

    // Still connecting to a port nobody answers on: the attempt is
    // abandoned.
    let mut watch = Watch::start(
        &config,
        "127.0.0.1:9",
        &["--interval", "1h", "--timeout", "60s"],
    );
    watch.wait_for("a connection attempt", Duration::from_secs(10), |w| {
        w.log().contains("Connecting to Kafka")
    });
    assert_eq!(watch.get("/readyz").0, 503);
    watch.signal(libc::SIGTERM);
    assert_eq!(exit_within_5s(&mut watch), 0, "{}", watch.log());
}

#[test]
fn prune_without_owns_is_refused_at_start_with_3() {
    let dir = scratch("prune");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[("watch-prune-unused", 1, "3600000")])).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .args(["watch", "--prune", "--listen", "127.0.0.1:0"])
        .arg("--config")
        .arg(&config)
        .args(["--bootstrap-servers", "127.0.0.1:9"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("kafka.owns"));
}

/// Creates `topics` with a one-shot `apply`, as another team's tool would.
fn create(topics: &[(&str, i32, &str)]) {
    let dir = scratch("create");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(topics)).unwrap();
    let made = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .arg("--config")
        .arg(&config)
        .args(["--bootstrap-servers", &support::bootstrap()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(made.success());
}

#[test]
fn orphans_are_counted_and_pruned_only_with_prune() {
    let prefix = format!("{}.", support::unique("watch-own"));
    let declared = format!("{prefix}declared");
    let stray = format!("{prefix}stray");
    create(&[(&stray, 1, "3600000")]);
    let dir = scratch("orphans");
    let config = dir.join("topics.yaml");
    std::fs::write(
        &config,
        topic_file(&[(&declared, 1, "3600000")])
            .replace("kafka:\n", &format!("kafka:\n  owns: [\"{prefix}\"]\n")),
    )
    .unwrap();

    // Without --prune: counted, kept.
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "1s"]);
    watch.wait_for("two passes", Duration::from_secs(30), |w| {
        w.metrics()
            .get("kafka_init_reconciliations_total", &[("result", "success")])
            >= 2.0
    });
    assert_eq!(
        watch
            .metrics()
            .get("kafka_init_drift", &[("kind", "orphan")]),
        1.0
    );
    assert_eq!(support::topic_shape(&stray), Some((1, 1)));
    drop(watch);

    // With --prune: deleted, and counted as a change.
    let mut watch = Watch::start(
        &config,
        &support::bootstrap(),
        &["--interval", "1s", "--prune"],
    );
    watch.wait_for("the orphan deleted", Duration::from_secs(30), |_| {
        support::topic_shape(&stray).is_none()
    });
    watch.wait_for("the deletion counted", Duration::from_secs(10), |w| {
        w.metrics()
            .get("kafka_init_changes_total", &[("action", "delete")])
            == 1.0
    });
    assert_eq!(support::topic_shape(&declared), Some((1, 1)));
}

#[test]
fn refused_credentials_end_watch_at_start_with_6_and_the_password_never_shows() {
    let dir = scratch("auth");
    let config = dir.join("topics.yaml");
    std::fs::write(&config, topic_file(&[("watch-auth-unused", 1, "3600000")])).unwrap();
    let wrong = "wrong-password-5e0b";
    let mut child = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .args(["watch", "--listen", "127.0.0.1:0", "--timeout", "3s"])
        .arg("--config")
        .arg(&config)
        .args(["--bootstrap-servers", &support::sasl_bootstrap()])
        .env("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_PLAINTEXT")
        .env("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512")
        .env("KAFKA_CLIENT_SASL_USERNAME", "kafkainit")
        .env("KAFKA_CLIENT_SASL_PASSWORD", wrong)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("still retrying refused credentials after 60 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let log = reader.join().unwrap();
    assert_eq!(status.code(), Some(6), "{log}");
    assert!(!log.contains(wrong), "the password leaked:\n{log}");
}

/// Whether `user` (a PLAIN user of the test broker) may write to `topic`:
/// one record, as the broker's authorizer decides.
fn can_produce(rt: &tokio::runtime::Runtime, user: &str, topic: &str) -> bool {
    use rdkafka::producer::{FutureProducer, FutureRecord};
    let producer: FutureProducer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", support::sasl_bootstrap())
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "PLAIN")
        .set("sasl.username", user)
        .set("sasl.password", format!("{user}-secret"))
        .set("message.timeout.ms", "5000")
        .create()
        .unwrap();
    rt.block_on(producer.send(
        FutureRecord::to(topic).key("k").payload("v"),
        Duration::from_secs(5),
    ))
    .is_ok()
}

#[test]
fn access_added_to_the_file_is_granted_before_the_next_interval() {
    let rt = runtime();
    let topic = support::unique("watch-access");
    let dir = scratch("access");
    let config = dir.join("topics.yaml");
    let text = topic_file(&[(&topic, 1, "3600000")]);
    std::fs::write(&config, &text).unwrap();
    let mut watch = Watch::start(&config, &support::bootstrap(), &["--interval", "1h"]);
    watch.wait_ready(Duration::from_secs(30));
    assert!(
        !can_produce(&rt, "svc-a", &topic),
        "granted before the file says so"
    );

    replace(
        &config,
        &format!("{text}  access:\n    a:\n      principal: \"User:svc-a\"\n      produce: [t0]\n"),
    );
    watch.wait_for("svc-a let in", Duration::from_secs(30), |_| {
        can_produce(&rt, "svc-a", &topic)
    });
    assert!(
        watch
            .metrics()
            .get("kafka_init_changes_total", &[("action", "grant")])
            >= 1.0
    );
}
