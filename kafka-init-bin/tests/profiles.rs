//! One topic file for every environment: `kafka.defaults`, profiles
//! selected with `--profile` / `KAFKA_INIT_PROFILE`, and `default` sizes,
//! against the real broker (one node). Each test asserts what the broker
//! reports afterwards.

mod runner;
use kafka_init_test_support as support;

use std::path::PathBuf;

use runner::Run;
use support::*;

fn kafka_init(args: &[&str], config: &std::path::Path, env: &[(&str, &str)]) -> Run {
    runner::kafka_init(args, config, &bootstrap(), "60s", env)
}

fn show(run: &Run) -> String {
    format!("exit {}\n{}", run.code, run.all())
}

/// The issue's example, with unique names: RF 3 and `min.insync.replicas`
/// 2 by default, `dev` brings both down to 1 and changes `workload`.
fn profiled(workload: &str, power: &str) -> PathBuf {
    runner::topic_file(&format!(
        r#"kafka:
  defaults:
    partitions: 3
    replication_factor: 3
    config:
      min.insync.replicas: "2"
  profiles:
    dev:
      defaults:
        replication_factor: 1
        config:
          min.insync.replicas: "1"
      topics:
        workload:
          partitions: 1
          config:
            retention.ms: "3600000"
            segment.ms: null
    prod:
      topics:
        power:
          partitions: 4
  topics:
    workload:
      name: "{workload}"
      config:
        retention.ms: "86400000"
        segment.ms: "600000"
    power:
      name: "{power}"
"#
    ))
}

fn configs(name: &str) -> std::collections::HashMap<String, String> {
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(topic_configs(name))
}

#[test]
fn dev_profile_on_one_broker_gives_rf_1_and_the_dev_overrides() {
    let (workload, power) = (unique("prof-w"), unique("prof-p"));
    let path = profiled(&workload, &power);

    // The plan holds each wanted replication factor against the brokers
    // the cluster has registered (one here).
    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 2, "{}", show(&run));
    let row = run.stdout.lines().find(|l| l.starts_with(&workload));
    assert!(
        row.is_some_and(|r| r.contains("3/1 (too few brokers)")),
        "{}",
        show(&run)
    );
    let run = kafka_init(
        &["plan", "--profile", "dev", "--output", "json"],
        &path,
        &[],
    );
    assert_eq!(run.code, 2, "{}", show(&run));
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(plan["brokers"], 1, "{plan}");
    assert_eq!(plan["topics"][0]["replication_factor"], 1, "{plan}");
    assert_eq!(plan["topics"][0]["action"]["partitions"], 1, "{plan}");

    let run = kafka_init(&["apply", "--profile", "dev"], &path, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert_eq!(topic_shape(&workload), Some((1, 1)));
    assert_eq!(topic_shape(&power), Some((3, 1)));
    let w = configs(&workload);
    assert_eq!(w.get("retention.ms").map(String::as_str), Some("3600000"));
    assert_eq!(w.get("min.insync.replicas").map(String::as_str), Some("1"));
    assert_eq!(
        w.get("segment.ms"),
        None,
        "null removes the base value: {w:?}"
    );
    let p = configs(&power);
    assert_eq!(p.get("min.insync.replicas").map(String::as_str), Some("1"));

    // The environment variable selects the same profile: nothing to do.
    let run = kafka_init(&["plan"], &path, &[("KAFKA_INIT_PROFILE", "dev")]);
    assert_eq!(run.code, 0, "{}", show(&run));
    // Without it, the base file differs (another replication factor).
    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 1, "{}", show(&run));
    assert!(run.stderr.contains("replication factor"), "{}", show(&run));
}

#[test]
fn the_base_file_wanting_rf_3_on_one_broker_fails_after_the_grace_creating_nothing() {
    let (workload, power) = (unique("prof-w"), unique("prof-p"));
    let path = profiled(&workload, &power);

    let run = kafka_init(&["apply", "--broker-grace", "1s"], &path, &[]);
    assert_eq!(run.code, 1, "{}", show(&run));
    assert!(
        run.stderr
            .contains("replication factor 3 wanted but only 1 broker is available"),
        "{}",
        show(&run)
    );
    assert_eq!(topic_shape(&workload), None);
    assert_eq!(topic_shape(&power), None);
}

#[test]
fn an_unknown_profile_is_invalid_input_naming_the_known_ones_and_sends_nothing() {
    let (workload, power) = (unique("prof-w"), unique("prof-p"));
    let path = profiled(&workload, &power);
    for args in [&["apply"][..], &["plan"], &["check"]] {
        let run = kafka_init(args, &path, &[("KAFKA_INIT_PROFILE", "staging")]);
        // `plan` reports every error as 1, as its contract says.
        let code = if args[0] == "plan" { 1 } else { 3 };
        assert_eq!(run.code, code, "{args:?}: {}", show(&run));
        assert!(
            run.stderr
                .contains("unknown profile `staging`: the topic file declares `dev`, `prod`"),
            "{}",
            show(&run)
        );
    }
    assert_eq!(topic_shape(&workload), None);
}

#[test]
fn a_problem_in_any_profile_fails_every_run_naming_profile_and_place() {
    let (workload, power) = (unique("prof-w"), unique("prof-p"));
    let path = profiled(&workload, &power);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        "          partitions: 4\n",
        "          replication_factor: 1\n          config:\n            min.insync.replicas: 0\n",
    );
    std::fs::write(&path, text).unwrap();
    let at = format!(
        "{}:24:34: profile prod: topic `{power}`: min.insync.replicas: `0` is out of range",
        path.display()
    );
    for args in [&["apply", "--profile", "dev"][..], &["plan"], &["check"]] {
        let run = kafka_init(args, &path, &[]);
        assert_eq!(
            run.code,
            if args[0] == "plan" { 1 } else { 3 },
            "{args:?}: {}",
            show(&run)
        );
        assert!(run.stderr.contains(&at), "{args:?}: {}", show(&run));
    }
    assert_eq!(topic_shape(&workload), None);
    assert_eq!(topic_shape(&power), None);
}

#[test]
fn default_sizes_take_the_brokers_values_and_a_rerun_shows_no_drift() {
    let name = unique("prof-default");
    let path = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      partitions: default\n      replication_factor: default\n"
    ));
    let (partitions, rf) = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(broker_defaults(1));

    let run = kafka_init(&["plan", "--output", "json"], &path, &[]);
    assert_eq!(run.code, 2, "{}", show(&run));
    let plan: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let create = &plan["topics"][0]["action"];
    assert_eq!(create["kind"], "create", "{plan}");
    assert_eq!(create["partitions"], partitions, "{plan}");
    assert_eq!(create["replication_factor"], rf, "{plan}");

    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert_eq!(topic_shape(&name), Some((partitions, rf)));

    let run = kafka_init(&["plan"], &path, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert!(run.stdout.contains("unchanged"), "{}", show(&run));
    let run = kafka_init(&["apply"], &path, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    assert!(run.stderr.contains("already exists"), "{}", show(&run));
}

#[test]
fn a_directory_of_three_files_applies_as_one_and_a_duplicate_across_files_fails_naming_both() {
    let names: Vec<String> = (0..3).map(|i| unique(&format!("dir{i}"))).collect();
    let dir = std::env::temp_dir().join(unique("kafka-init-dir"));
    std::fs::create_dir_all(&dir).unwrap();
    for (i, (file, name)) in ["a.yaml", "b.yml", "c.yaml"].iter().zip(&names).enumerate() {
        let text = format!(
            "kafka:\n  defaults:\n    partitions: {}\n  topics:\n    t{i}:\n      name: \"{name}\"\n",
            i + 1
        );
        std::fs::write(dir.join(file), text).unwrap();
    }
    std::fs::write(dir.join("README.txt"), "not a topic file").unwrap();

    let run = kafka_init(&["apply"], &dir, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));
    for (i, name) in names.iter().enumerate() {
        assert_eq!(topic_shape(name), Some((i + 1, 1)), "{name}");
    }
    let run = kafka_init(&["plan"], &dir, &[]);
    assert_eq!(run.code, 0, "{}", show(&run));

    // A fourth file declaring the first file's topic again, and a new one.
    let fresh = unique("dir3");
    std::fs::write(
        dir.join("d.yaml"),
        format!("kafka:\n  topics:\n    fresh:\n      name: \"{fresh}\"\n    again:\n      name: \"{}\"\n", names[0]),
    )
    .unwrap();
    let run = kafka_init(&["apply"], &dir, &[]);
    assert_eq!(run.code, 3, "{}", show(&run));
    let expected = format!(
        "{}:6:13: topic `{}` is also declared in {}:6:13",
        dir.join("d.yaml").display(),
        names[0],
        dir.join("a.yaml").display()
    );
    assert!(run.stderr.contains(&expected), "{expected}\n{}", show(&run));
    assert_eq!(topic_shape(&fresh), None, "nothing is sent on bad input");

    // `--config` more than once: the same as the directory, minus d.yaml.
    std::fs::remove_file(dir.join("d.yaml")).unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_kafka-init"));
    let out = cmd
        .args(["plan", "--config"])
        .arg(dir.join("a.yaml"))
        .arg("--config")
        .arg(dir.join("b.yml"))
        .arg("--config")
        .arg(dir.join("c.yaml"))
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
        .env_remove("CONFIG_FILE")
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    for name in &names {
        assert!(stdout.contains(name.as_str()), "{stdout}");
    }
}
