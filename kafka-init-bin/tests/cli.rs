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
