//! Runs the `kafka-init` binary as the tests need it: with a topic file,
//! against a given broker, and with the environment a test adds.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// `text` as `topics.yaml` in a directory of its own under the temp dir.
pub fn topic_file(text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(crate::support::unique("kafka-init-bin"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("topics.yaml");
    std::fs::write(&path, text).unwrap();
    path
}

/// How a run of the binary ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Both streams, labelled: what an assertion message should show.
    pub fn all(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}", self.stdout, self.stderr)
    }
}

/// `kafka-init ARGS --config CONFIG` with `bootstrap` and `timeout` in the
/// environment (as an init container gets them), then `env`. RUST_LOG is
/// removed so the test's own setting cannot change the output.
pub fn kafka_init(
    args: &[&str],
    config: &Path,
    bootstrap: &str,
    timeout: &str,
    env: &[(&str, &str)],
) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kafka-init"));
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap)
        .env("KAFKA_INIT_TIMEOUT", timeout)
        .env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the binary runs");
    Run {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}
