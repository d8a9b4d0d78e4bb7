//! Platform policies: the topic file's own `kafka.policy` and a shared
//! `--policy` file (or `KAFKA_INIT_POLICY`), checked by `check`, `plan` and
//! `apply` before anything is sent (exit 3, every violation listed), and a
//! file that meets them applied to the real broker as it is.

mod runner;
use kafka_init_test_support as support;

use std::net::TcpListener;
use std::path::{Path, PathBuf};

use runner::Run;
use support::*;

fn kafka_init(args: &[&str], config: &Path, bootstrap: &str, env: &[(&str, &str)]) -> Run {
    runner::kafka_init(args, config, bootstrap, "10s", env)
}

/// `text` as `policy.yaml` next to the topic file `beside`.
fn policy_file(beside: &Path, text: &str) -> PathBuf {
    let path = beside.with_file_name("policy.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

const PLATFORM: &str = r#"policy:
  name_pattern: "^(dc|sim|sys)\\.[a-z][a-z0-9_-]*(\\.[a-z][a-z0-9_-]*)*$"
  partitions: { min: 1, max: 32 }
  replication_factor: { min: 2 }
  forbidden_config: [unclean.leader.election.enable]
"#;

const TEAM: &str = r#"kafka:
  policy:
    partitions: { max: 64 }
    replication_factor: { min: 3 }
    required_config: [retention.ms]
  topics:
    power:
      name: "dc.Power"
      partitions: 48
      replication_factor: 1
      config:
        unclean.leader.election.enable: "true"
"#;

#[test]
fn check_plan_and_apply_exit_3_listing_every_violation_from_both_files_and_send_nothing() {
    // A listener that would notice any connection.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap().to_string();

    let topics = runner::topic_file(TEAM);
    let policy = policy_file(&topics, PLATFORM);
    let (t, p) = (topics.display(), policy.display());
    let expected = [
        format!("{t}:7:5: topic dc.Power: retention.ms is not set; policy required_config requires it ({t}:5:23)"),
        format!("{t}:8:13: topic dc.Power: name does not match policy name_pattern ({p}:2:17)"),
        // The stricter of each pair: the platform's max, the file's min.
        format!("{t}:9:19: topic dc.Power: partitions 48 is above policy partitions max 32 ({p}:3:30)"),
        format!("{t}:10:27: topic dc.Power: replication_factor 1 is below policy replication_factor min 3 ({t}:4:32)"),
        format!("{t}:12:9: topic dc.Power: unclean.leader.election.enable is forbidden by policy forbidden_config ({p}:5:22)"),
    ];
    let by_flag = ["--policy", policy.to_str().unwrap()];
    for command in ["check", "plan", "apply"] {
        let run = kafka_init(&[command, by_flag[0], by_flag[1]], &topics, &addr, &[]);
        assert_eq!(run.code, 3, "{command}: {}", run.all());
        for line in &expected {
            assert!(
                run.stderr.contains(line.as_str()),
                "{command}: {line}\n{}",
                run.all()
            );
        }
        let run = kafka_init(
            &[command],
            &topics,
            &addr,
            &[("KAFKA_INIT_POLICY", policy.to_str().unwrap())],
        );
        assert_eq!(run.code, 3, "{command}: {}", run.all());
        assert!(
            run.stderr.contains(&expected[1]),
            "{command}: {}",
            run.all()
        );
    }
    // Without the platform's file, only the file's own rules apply.
    let run = kafka_init(&["check"], &topics, &addr, &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains(&expected[0]), "{}", run.all());
    assert!(!run.stderr.contains("name_pattern"), "{}", run.all());

    assert!(
        matches!(listener.accept(), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock),
        "a run connected to the broker address"
    );
}

#[test]
fn a_broken_policy_file_is_invalid_input_with_every_problem() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let topics = runner::topic_file(
        "kafka:\n  topics:\n    power:\n      name: \"dc.power\"\n      replication_factor: 3\n",
    );
    let policy = policy_file(
        &topics,
        "policy:\n  name_pattern: \"^(dc\"\n  partitions: { min: 8, max: 4 }\n  replication_factor: 3\n  forbidden_config: [unclean.leader.election.enabled]\n  max_topics: 1\n",
    );
    let p = policy.display();
    for command in ["check", "plan", "apply"] {
        let run = kafka_init(
            &[command, "--policy", policy.to_str().unwrap()],
            &topics,
            &addr,
            &[],
        );
        assert_eq!(run.code, 3, "{command}: {}", run.all());
        for at in [
            format!("{p}:2:17: policy: name_pattern:"),
            format!("{p}:3:22: policy: partitions: min 8 is above max 4"),
            format!("{p}:4:23: policy: replication_factor: expected a mapping"),
            format!("{p}:5:22: policy: forbidden_config: unknown config key `unclean.leader.election.enabled`; did you mean `unclean.leader.election.enable`?"),
            format!("{p}:6:3: policy: unknown rule `max_topics`"),
        ] {
            assert!(run.stderr.contains(&at), "{command}: {at}\n{}", run.all());
        }
    }
}

#[test]
fn a_file_that_meets_the_shared_policy_applies_unchanged_and_one_that_does_not_creates_nothing() {
    let name = unique("dc.policy");
    let topics = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      partitions: 2\n      config:\n        retention.ms: \"3600000\"\n"
    ));
    let policy = policy_file(
        &topics,
        "policy:\n  name_pattern: \"^dc\\\\.policy-\"\n  partitions: { min: 2, max: 8 }\n  required_config: [retention.ms]\n",
    );
    let policy = policy.to_str().unwrap();
    let run = kafka_init(&["apply", "--policy", policy], &topics, &bootstrap(), &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(topic_shape(&name), Some((2, 1)));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let configs = rt.block_on(topic_configs(&name));
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("3600000")
    );

    let other = unique("dc.policy");
    let breaking = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{other}\"\n      partitions: 9\n      config:\n        retention.ms: \"3600000\"\n"
    ));
    let run = kafka_init(&["apply", "--policy", policy], &breaking, &bootstrap(), &[]);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(
        run.stderr
            .contains("partitions 9 is above policy partitions max 8"),
        "{}",
        run.all()
    );
    assert_eq!(topic_shape(&other), None);
}

/// What Kafka accepts but is likely a mistake (`min.insync.replicas` above
/// the replication factor, `local.retention.ms` above `retention.ms`
/// without tiered storage, an empty `cleanup.policy`, a `NaN` ratio) is a
/// warning: `check` exits 0 and lists it, `apply` creates the topic as
/// written; a policy's `warnings: error` makes it invalid input (3).
#[test]
fn what_kafka_accepts_is_a_warning_unless_a_policy_says_error() {
    let name = unique("dc.doubtful");
    let topics = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      config:\n        min.insync.replicas: 2\n        retention.ms: 1000\n        local.retention.ms: 2000\n        cleanup.policy: \"\"\n        min.cleanable.dirty.ratio: NaN\n"
    ));
    let t = topics.display();
    let run = kafka_init(&["check"], &topics, &bootstrap(), &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    for line in [
        format!("{t}:6:30: warning: topic `{name}`: min.insync.replicas (2) is greater than replication_factor (1)"),
        format!("{t}:8:29: warning: topic `{name}`: local.retention.ms (2000) is greater than retention.ms (1000)"),
        format!("{t}:9:25: warning: topic `{name}`: cleanup.policy: empty"),
        format!("{t}:10:36: warning: topic `{name}`: min.cleanable.dirty.ratio: `NaN`"),
    ] {
        assert!(run.stderr.contains(&line), "{line}\n{}", run.all());
    }
    let run = kafka_init(&["check", "--output", "json"], &topics, &bootstrap(), &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let body: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(body["valid"], true, "{}", run.all());
    assert_eq!(
        body["warnings"].as_array().map(Vec::len),
        Some(4),
        "{}",
        run.all()
    );
    assert_eq!(body["warnings"][0]["line"], 6, "{}", run.all());

    let strict = policy_file(&topics, "policy:\n  warnings: error\n");
    let strict = strict.to_str().unwrap();
    for command in ["check", "apply"] {
        let run = kafka_init(&[command, "--policy", strict], &topics, &bootstrap(), &[]);
        assert_eq!(run.code, 3, "{command}: {}", run.all());
        assert!(
            run.stderr
                .contains("policy warnings: error makes it an error"),
            "{command}: {}",
            run.all()
        );
    }
    assert_eq!(topic_shape(&name), None);

    // The broker takes it as written.
    let run = kafka_init(&["apply"], &topics, &bootstrap(), &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains("min.insync.replicas (2) is greater"),
        "{}",
        run.all()
    );
    assert_eq!(topic_shape(&name), Some((1, 1)));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let configs = rt.block_on(topic_configs(&name));
    assert_eq!(
        configs.get("min.insync.replicas").map(String::as_str),
        Some("2")
    );
    assert_eq!(
        configs.get("local.retention.ms").map(String::as_str),
        Some("2000")
    );
}
