//! Each subcommand's exit codes and outputs, against the real broker
//! (`check` against none).

mod runner;
use kafka_init_test_support as support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use runner::Run;
use support::*;

fn kafka_init(args: &[&str], config: &Path, env: &[(&str, &str)]) -> Run {
    runner::kafka_init(args, config, &bootstrap(), "60s", env)
}

impl Run {
    /// stdout as one JSON document.
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {self}"))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// A topic file in a fresh directory; `topics` is the YAML under `topics:`.
fn file(topics: &str) -> PathBuf {
    runner::topic_file(&format!("kafka:\n  topics:\n{topics}"))
}

fn topic(key: &str, name: &str, partitions: i32, retention: &str) -> String {
    format!(
        "    {key}:\n      name: \"{name}\"\n      partitions: {partitions}\n      config:\n        retention.ms: \"{retention}\"\n"
    )
}

fn retention(name: &str) -> Option<String> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(topic_configs(name)).remove("retention.ms")
}

#[test]
fn plan_exits_2_when_changes_are_pending_0_when_converged_1_on_error_and_changes_nothing() {
    let name = unique("cmd-plan");
    let path = file(&topic("t", &name, 2, "1000"));

    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(
        run.stdout.contains(&name) && run.stdout.contains("create"),
        "{run}"
    );
    assert_eq!(topic_shape(&name), None, "plan must not create");

    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("unchanged"), "{run}");

    // A config change is pending, and plan does not make it.
    std::fs::write(
        &path,
        format!("kafka:\n  topics:\n{}", topic("t", &name, 2, "2000")),
    )
    .unwrap();
    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 2, "{run}");
    assert!(run.stdout.contains("retention.ms: 1000 → 2000"), "{run}");
    assert_eq!(retention(&name).as_deref(), Some("1000"));

    // Fewer partitions: apply would refuse, so plan fails.
    std::fs::write(
        &path,
        format!("kafka:\n  topics:\n{}", topic("t", &name, 1, "1000")),
    )
    .unwrap();
    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stdout.contains("refused"), "{run}");

    // Unreachable, and an invalid file: plan's errors are all 1.
    let run = kafka_init(
        &["plan", "--timeout", "1s"],
        &path,
        &[("KAFKA_BOOTSTRAP_SERVERS", &dead_address())],
    );
    assert_eq!(run.code, 1, "{run}");
    let bad = file("    t:\n      name: \"..\"\n");
    let run = kafka_init(&["plan"], &bad, &[]);
    assert_eq!(run.code, 1, "{run}");
}

#[test]
fn apply_refuses_a_partition_decrease_with_exit_5_and_changes_nothing() {
    let name = unique("cmd-refuse");
    let path = file(&topic("t", &name, 3, "1000"));
    let run = kafka_init(&[], &path, &[]);
    assert_eq!(run.code, 0, "{run}");

    std::fs::write(
        &path,
        format!("kafka:\n  topics:\n{}", topic("t", &name, 1, "5000")),
    )
    .unwrap();
    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 5, "{run}");
    assert!(run.stderr.contains("partitions cannot decrease"), "{run}");
    assert_eq!(topic_shape(&name), Some((3, 1)));
    assert_eq!(retention(&name).as_deref(), Some("1000"), "nothing changed");
}

#[test]
fn an_invalid_file_exits_3_and_sends_nothing() {
    let good = unique("cmd-invalid-good");
    let path = file(&format!(
        "{}    bad:\n      name: \"{}\"\n      config:\n        retention.ms: \"24h\"\n",
        topic("good", &good, 1, "1000"),
        unique("cmd-invalid-bad")
    ));
    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stderr.contains("topics.yaml:11:23:"), "{run}");
    assert_eq!(topic_shape(&good), None, "the valid topic was not created");
}

/// An address where nothing listens.
fn dead_address() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    drop(listener);
    addr
}

#[test]
fn an_unreachable_broker_exits_4_within_the_deadline_plus_a_second() {
    let addr = dead_address();
    let path = file(&topic("t", &unique("cmd-unreachable"), 1, "1000"));
    for command in ["apply", "wait"] {
        let started = Instant::now();
        let run = kafka_init(
            &[command, "--timeout", "3s"],
            &path,
            &[("KAFKA_BOOTSTRAP_SERVERS", &addr)],
        );
        let took = started.elapsed();
        assert_eq!(run.code, 4, "{command}: {run}");
        assert!(
            took >= Duration::from_secs(3) && took < Duration::from_secs(4),
            "{command}: took {took:?}"
        );
        assert!(run.stderr.contains(&addr), "{command}: {run}");
        assert!(run.stderr.contains("did not answer within 3.0s"), "{run}");
    }
}

#[test]
fn wait_exits_0_once_the_broker_answers_even_without_a_file() {
    let run = kafka_init(&["wait"], Path::new("/nonexistent/topics.yaml"), &[]);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stderr.contains("is ready: 1 broker(s)"), "{run}");
    let run = kafka_init(
        &["wait", "--output", "json"],
        Path::new("/nonexistent/topics.yaml"),
        &[],
    );
    let json = run.json();
    assert_eq!(json["status"], "ok");
    assert_eq!(json["brokers"], 1);
}

#[test]
fn check_needs_no_broker_and_reports_every_problem_with_file_line_column() {
    // A listener that would notice any connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let env = [("KAFKA_BOOTSTRAP_SERVERS", addr.as_str())];

    let run = kafka_init(&["check"], &repo_path("config/default.yaml"), &env);
    assert_eq!(run.code, 0, "{run}");
    assert!(run.stdout.contains("OK, 6 topic(s)"), "{run}");

    let path = file(
        "    a:\n      name: \"a\"\n      partitions: 0\n    b:\n      name: \"b\"\n      config:\n        retention.ms: \"24h\"\n        retension.ms: \"1\"\n",
    );
    let run = kafka_init(&["check"], &path, &env);
    assert_eq!(run.code, 3, "{run}");
    let shown = path.display().to_string();
    for at in ["5:19:", "9:23:", "10:9:"] {
        assert!(run.stderr.contains(&format!("{shown}:{at}")), "{at}: {run}");
    }
    assert!(run.stderr.contains("did you mean"), "{run}");

    let run = kafka_init(&["check", "--output", "json"], &path, &env);
    assert_eq!(run.code, 3, "{run}");
    let json = run.json();
    assert_eq!(json["valid"], false);
    assert_eq!(json["problems"].as_array().unwrap().len(), 3, "{json}");

    // An invalid client setting is found offline too.
    let run = kafka_init(
        &["check"],
        &repo_path("config/default.yaml"),
        &[
            ("KAFKA_BOOTSTRAP_SERVERS", addr.as_str()),
            ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_PLAINTXT"),
        ],
    );
    assert_eq!(run.code, 3, "{run}");
    assert!(run.stderr.contains("security.protocol"), "{run}");

    // A secret that shows up in another property's refusal is scrubbed
    // from the JSON on stdout as from stderr.
    let env = [
        ("KAFKA_BOOTSTRAP_SERVERS", addr.as_str()),
        ("KAFKA_CLIENT_SASL_PASSWORD", "hunter2-json"),
        ("KAFKA_CLIENT_SECURITY_PROTOCOL", "hunter2-json"),
    ];
    let default = repo_path("config/default.yaml");
    let run = kafka_init(&["check", "--output", "json"], &default, &env);
    assert_eq!(run.code, 3, "{run}");
    assert!(!run.all().contains("hunter2-json"), "{run}");
    let problems = run.json()["problems"].to_string();
    assert!(problems.contains("security.protocol"), "{problems}");

    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "check connected to the broker address"
    );
}

#[test]
fn the_json_report_parses_and_names_every_topic() {
    let prefix = unique("cmd-json");
    let (a, b, c) = (
        format!("{prefix}.a"),
        format!("{prefix}.b"),
        format!("{prefix}.c"),
    );
    let path = file(&format!(
        "{}{}",
        topic("a", &a, 1, "1000"),
        topic("b", &b, 1, "1000")
    ));
    assert_eq!(kafka_init(&[], &path, &[]).code, 0);
    // a unchanged, b updated and grown, c created.
    std::fs::write(
        &path,
        format!(
            "kafka:\n  topics:\n{}{}{}",
            topic("a", &a, 1, "1000"),
            topic("b", &b, 2, "2000"),
            topic("c", &c, 1, "3000")
        ),
    )
    .unwrap();

    let run = kafka_init(&["plan", "--output", "json"], &path, &[]);
    assert_eq!(run.code, 2, "{run}");
    let plan = run.json();
    assert_eq!(plan["converged"], false);
    let kinds: Vec<(&str, &str)> = plan["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["name"].as_str().unwrap(),
                t["action"]["kind"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            (a.as_str(), "unchanged"),
            (b.as_str(), "update"),
            (c.as_str(), "create")
        ]
    );

    let run = kafka_init(&["apply", "--output", "json"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    let report = run.json();
    assert_eq!(report["status"], "ok");
    let topics = report["topics"].as_array().unwrap();
    let names: Vec<&str> = topics.iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, [a.as_str(), b.as_str(), c.as_str()]);
    assert_eq!(topics[0]["action"]["kind"], "unchanged");
    assert_eq!(topics[1]["action"]["kind"], "updated");
    assert_eq!(topics[1]["action"]["partitions"]["to"], 2);
    assert_eq!(topics[1]["action"]["configs"][0]["new"], "2000");
    assert_eq!(topics[2]["action"]["kind"], "created");
    assert_eq!(topics[2]["action"]["configs"]["retention.ms"], "3000");
    assert!(report["requests"]["create_topics"].as_u64().unwrap() >= 1);
    // What the report says is what the broker has.
    assert_eq!(topic_shape(&b), Some((2, 1)));
    assert_eq!(retention(&b).as_deref(), Some("2000"));
    assert_eq!(retention(&c).as_deref(), Some("3000"));

    // A failure in JSON mode is JSON too.
    let run = kafka_init(
        &["--output", "json", "--timeout", "1s"],
        &path,
        &[("KAFKA_BOOTSTRAP_SERVERS", &dead_address())],
    );
    assert_eq!(run.code, 4, "{run}");
    let error = run.json();
    assert_eq!(error["status"], "error");
    assert_eq!(error["exit_code"], 4);
}

#[test]
fn each_phase_is_logged_at_info_with_its_duration() {
    let name = unique("cmd-phases");
    let path = file(&topic("t", &name, 1, "1000"));
    let run = kafka_init(&[], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    std::fs::write(
        &path,
        format!("kafka:\n  topics:\n{}", topic("t", &name, 1, "2000")),
    )
    .unwrap();
    let second = kafka_init(&[], &path, &[]);
    assert_eq!(second.code, 0, "{second}");
    let duration = |log: &str, phase: &str| {
        log.lines().any(|l| {
            l.contains(" INFO ")
                && l.split_once(&format!(" INFO {phase}: "))
                    .is_some_and(|(_, rest)| rest.contains("ms") || rest.contains('s'))
        })
    };
    for phase in ["connect", "plan", "create", "wait for serving"] {
        assert!(duration(&run.stderr, phase), "{phase}: {run}");
    }
    // A created topic needs no second look; an altered one is verified.
    for phase in ["alter", "verify"] {
        assert!(duration(&second.stderr, phase), "{phase}: {second}");
    }
    for line in [
        format!("Loading configuration from {}", path.display()),
        format!("Connecting to Kafka at {}", bootstrap()),
        format!("✅ Created topic: {name}"),
        "All topics created successfully".to_owned(),
    ] {
        assert!(run.stderr.contains(&line), "{line}: {run}");
    }

    // RUST_LOG is respected.
    let quiet = kafka_init(&[], &path, &[("RUST_LOG", "warn")]);
    assert_eq!(quiet.code, 0, "{quiet}");
    assert!(!quiet.stderr.contains("INFO"), "{quiet}");
    let debug = kafka_init(&[], &path, &[("RUST_LOG", "kafka_init_core=debug")]);
    assert!(debug.stderr.contains("DEBUG"), "{debug}");
}

#[test]
fn json_logs_are_one_object_per_line() {
    let path = file(&topic("t", &unique("cmd-jsonlog"), 1, "1000"));
    let run = kafka_init(&["--log-format", "json"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    let mut messages = Vec::new();
    for line in run.stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect(line);
        messages.push(v["fields"]["message"].as_str().unwrap_or("").to_owned());
    }
    assert!(
        messages
            .iter()
            .any(|m| m == "All topics created successfully"),
        "{run}"
    );
}

#[test]
fn usage_help_and_version() {
    let bin = env!("CARGO_BIN_EXE_kafka-init");
    let out = Command::new(bin).arg("--version").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("kafka-init "));
    let out = Command::new(bin).arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for word in [
        "apply",
        "plan",
        "check",
        "wait",
        "--config",
        "--bootstrap-servers",
        "--timeout",
        "--output",
        "--log-format",
        "EXIT CODES",
    ] {
        assert!(help.contains(word), "{word}: {help}");
    }
    // A usage error is "invalid", never 2 (plan's "changes pending").
    for args in [&["--timeout", "soon"][..], &["bogus"], &["--output", "xml"]] {
        let out = Command::new(bin).args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(3), "{args:?}");
    }
}

#[test]
fn a_change_the_broker_refuses_exits_1_and_creates_nothing() {
    // Valid to the local checks, refused by this broker (no tiered
    // storage) in CreateTopics' validate_only.
    let (good, bad) = (unique("cmd-broker-good"), unique("cmd-broker-bad"));
    let path = file(&format!(
        "{}    bad:\n      name: \"{bad}\"\n      config:\n        remote.storage.enable: \"true\"\n",
        topic("good", &good, 1, "1000")
    ));
    let run = kafka_init(&["check"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 1, "{run}");
    assert!(run.stderr.contains("INVALID_CONFIG"), "{run}");
    assert!(run.stderr.contains("Topic creation failed"), "{run}");
    assert_eq!(topic_shape(&good), None);
    assert_eq!(topic_shape(&bad), None);
}

#[test]
fn the_broker_grace_comes_from_the_environment() {
    // RF 3 on one broker: refused once the broker count has been stable
    // for KAFKA_INIT_BROKER_GRACE (1 s here). With the default grace (15 s)
    // the 8 s deadline would pass first.
    let name = unique("cmd-grace");
    let path = file(&format!(
        "    t:\n      name: \"{name}\"\n      replication_factor: 3\n"
    ));
    let run = kafka_init(
        &["apply"],
        &path,
        &[
            ("KAFKA_INIT_BROKER_GRACE", "1s"),
            ("KAFKA_INIT_TIMEOUT", "8s"),
        ],
    );
    assert_eq!(run.code, 1, "{run}");
    assert!(
        run.stderr
            .contains("replication factor 3 wanted but only 1 broker is available"),
        "{run}"
    );
    assert!(!run.stderr.contains("deadline of"), "{run}");
    assert_eq!(topic_shape(&name), None);
    let run = kafka_init(&["apply"], &path, &[("KAFKA_INIT_BROKER_GRACE", "soon")]);
    assert_eq!(run.code, 3, "{run}");
}

#[test]
fn exit_0_means_every_partition_of_the_reference_topics_takes_a_write() {
    let prefix = format!("{}.", unique("cmd-serve"));
    let path = runner::topic_file(&default_yaml_with_prefix(&prefix));
    let run = kafka_init(&["--output", "json"], &path, &[]);
    assert_eq!(run.code, 0, "{run}");
    // At once, as a service gated on the exit code would: one record to
    // every partition, no retries, acks=all.
    let wanted: Vec<(String, i32)> = expected_default()
        .iter()
        .map(|(name, _)| (format!("{prefix}{name}"), 1))
        .collect();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let writes = rt.block_on(write_to_every_partition(&bootstrap(), &wanted));
    assert!(writes.failures.is_empty(), "{:?}\n{run}", writes.failures);
    assert_eq!(writes.acknowledged, 6);
    for topic in run.json()["topics"].as_array().unwrap() {
        assert!(topic["serving_after_ms"].is_u64(), "{topic}\n{run}");
    }
    assert!(
        run.stderr
            .contains("wait for serving: 6 partition(s) serving in "),
        "{run}"
    );
}

/// The rows of every markdown table in `text`: (mark, topic, action), with
/// the markdown escapes undone.
fn markdown_rows(text: &str) -> Vec<(String, String, String)> {
    text.lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| | Topic"))
        .map(|line| {
            // Split on `|` not escaped with a backslash.
            let mut cells = vec![String::new()];
            let mut chars = line.chars();
            while let Some(c) = chars.next() {
                match c {
                    '\\' => cells.last_mut().unwrap().extend(chars.next()),
                    '|' => cells.push(String::new()),
                    c => cells.last_mut().unwrap().push(c),
                }
            }
            let cells: Vec<String> = cells.iter().map(|c| c.trim().to_owned()).collect();
            let last = cells.len() - 2;
            (
                cells[1].clone(),
                cells[2].trim_matches('`').to_owned(),
                cells[last].clone(),
            )
        })
        .collect()
}

/// The terminal table's rows: (topic, action).
fn text_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| {
            let (name, rest) = l.split_once("  ").unwrap();
            let action = rest.trim_start().split_once("  ").unwrap().1.trim_start();
            (name.to_owned(), action.to_owned())
        })
        .collect()
}

#[test]
fn plan_output_markdown_has_the_tables_rows_refusals_first_then_changes_then_unchanged() {
    let [same, changed, refused, new] =
        ["same", "changed", "refused", "new"].map(|k| unique(&format!("cmd-md-{k}")));
    let path = file(
        &[
            topic("same", &same, 1, "1000"),
            topic("changed", &changed, 1, "1000"),
            topic("refused", &refused, 2, "1000"),
        ]
        .concat(),
    );
    assert_eq!(kafka_init(&["apply"], &path, &[]).code, 0);
    std::fs::write(
        &path,
        format!(
            "kafka:\n  topics:\n{}",
            [
                topic("same", &same, 1, "1000"),
                topic("refused", &refused, 1, "1000"),
                topic("new", &new, 3, "5000"),
                topic("changed", &changed, 1, "2000"),
            ]
            .concat()
        ),
    )
    .unwrap();

    let run = kafka_init(&["plan", "--output", "markdown"], &path, &[]);
    assert_eq!(run.code, 1, "a refusal fails plan, as with text: {run}");
    assert!(
        run.stdout
            .contains("**Plan: 1 to create, 1 to update, 1 refused, 1 unchanged.**"),
        "{run}"
    );
    assert!(run.stdout.contains("> [!CAUTION]"), "{run}");
    let rows = markdown_rows(&run.stdout);
    let order: Vec<(&str, &str)> = rows
        .iter()
        .map(|(mark, name, _)| (mark.as_str(), name.as_str()))
        .collect();
    assert_eq!(
        order,
        [
            ("⛔", refused.as_str()),
            ("➕", new.as_str()),
            ("✏️", changed.as_str()),
            ("", same.as_str()),
        ],
        "{run}"
    );
    assert!(
        rows[0].2.starts_with("refused: partitions cannot decrease"),
        "{run}"
    );
    assert_eq!(
        rows[2].2, "update configs: retention.ms: 1000 → 2000",
        "{run}"
    );
    assert!(
        run.stdout
            .contains("<details><summary>1 unchanged</summary>"),
        "{run}"
    );

    // The same rows as the terminal table, action for action.
    let text = kafka_init(&["plan"], &path, &[]);
    let mut from_text = text_rows(&text.stdout);
    let mut from_markdown: Vec<(String, String)> = rows
        .into_iter()
        .map(|(_, name, action)| (name, action))
        .collect();
    from_text.sort();
    from_markdown.sort();
    assert_eq!(from_markdown, from_text, "{text}");

    // Planning changed nothing on the broker.
    assert_eq!(topic_shape(&new), None);
    assert_eq!(topic_shape(&refused), Some((2, 1)));
    assert_eq!(retention(&changed).as_deref(), Some("1000"));

    // Other subcommands refuse it rather than print something else.
    let run = kafka_init(&["check", "--output", "markdown"], &path, &[]);
    assert_eq!(run.code, 3, "{run}");
    assert!(
        run.stderr
            .contains("--output markdown applies to `plan` only"),
        "{run}"
    );
}
