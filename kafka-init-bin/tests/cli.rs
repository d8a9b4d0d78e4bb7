//! The `kafka-init` binary against the real broker.

#[path = "../../tests/support/mod.rs"]
mod support;

use std::process::Command;

use support::*;

#[test]
fn binary_provisions_the_real_default_yaml_twice() {
    let bin = env!("CARGO_BIN_EXE_kafka-init");
    for _ in 0..2 {
        let out = Command::new(bin)
            .arg("--config")
            .arg(repo_path("config/default.yaml"))
            .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
            .env("KAFKA_INIT_TIMEOUT", "60s")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
        assert!(
            stderr.contains("All topics created successfully"),
            "{stderr}"
        );
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(assert_default_topics(""));
}

#[test]
fn binary_logs_an_updated_topic_and_the_broker_has_the_change() {
    let bin = env!("CARGO_BIN_EXE_kafka-init");
    let name = unique("cli-update");
    let dir = std::env::temp_dir().join(unique("kafka-init-cli"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("topics.yaml");
    let run = |retention: &str| {
        std::fs::write(
            &path,
            format!(
                "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      config:\n        retention.ms: \"{retention}\"\n"
            ),
        )
        .unwrap();
        let out = Command::new(bin)
            .arg("--config")
            .arg(&path)
            .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
            .env("KAFKA_INIT_TIMEOUT", "60s")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        assert!(out.status.success(), "exit {:?}\n{stderr}", out.status);
        stderr
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
    std::fs::remove_dir_all(dir).unwrap();
}
