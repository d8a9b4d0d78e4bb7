//! The `kafka-init` binary against the real broker.

mod runner;
use kafka_init_test_support as support;

use std::process::Command;

use support::*;

#[test]
fn binary_provisions_the_real_default_yaml_twice() {
    let config = repo_path("config/default.yaml");
    for _ in 0..2 {
        let r = runner::kafka_init(&[], &config, &bootstrap(), "60s", &[]);
        assert_eq!(r.code, 0, "{}", r.all());
        assert!(
            r.stderr.contains("All topics created successfully"),
            "{}",
            r.stderr
        );
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(assert_default_topics(""));
}

#[test]
fn binary_logs_an_updated_topic_and_the_broker_has_the_change() {
    let name = unique("cli-update");
    // Each run below writes the file it needs.
    let path = runner::topic_file("");
    let run = |retention: &str| {
        std::fs::write(
            &path,
            format!(
                "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      config:\n        retention.ms: \"{retention}\"\n"
            ),
        )
        .unwrap();
        let r = runner::kafka_init(&[], &path, &bootstrap(), "60s", &[]);
        assert_eq!(r.code, 0, "{}", r.all());
        r.stderr
    };

    let first = run("1000");
    assert!(
        first.contains(&format!("✅ Created topic: {name}")),
        "{first}"
    );
    let second = run("2000");
    assert!(
        second.contains(&format!(
            "🔄 Updated topic: {name} (retention.ms: 1000 → 2000)"
        )),
        "{second}"
    );
    assert!(
        second.contains("All topics created successfully"),
        "{second}"
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let configs = rt.block_on(topic_configs(&name));
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("2000")
    );
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

#[test]
fn eight_binary_processes_on_one_file_all_exit_0_with_exact_configs() {
    let bin = env!("CARGO_BIN_EXE_kafka-init");
    let prefix = unique("cli-race");
    let path = runner::topic_file(&format!(
        "kafka:\n  topics:\n    a:\n      name: \"{prefix}.a\"\n      partitions: 3\n      config:\n        cleanup.policy: \"compact\"\n    b:\n      name: \"{prefix}.b\"\n      config:\n        retention.ms: \"60000\"\n"
    ));

    let children: Vec<_> = (0..8)
        .map(|_| {
            Command::new(bin)
                .arg("--config")
                .arg(&path)
                .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
                .env("KAFKA_INIT_TIMEOUT", "60s")
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
    }

    assert_eq!(topic_shape(&format!("{prefix}.a")), Some((3, 1)));
    assert_eq!(topic_shape(&format!("{prefix}.b")), Some((1, 1)));
    let rt = tokio::runtime::Runtime::new().unwrap();
    let a = rt.block_on(topic_configs(&format!("{prefix}.a")));
    let b = rt.block_on(topic_configs(&format!("{prefix}.b")));
    assert_eq!(a.len(), 1, "{a:?}");
    assert_eq!(a.get("cleanup.policy").map(String::as_str), Some("compact"));
    assert_eq!(b.len(), 1, "{b:?}");
    assert_eq!(b.get("retention.ms").map(String::as_str), Some("60000"));
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}
