//! `include_topics!` against the real broker: the example program, and
//! the explicit form with the compiled-in specs.

use kafka_init_test_support as support;

use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use kafka_init::{ensure_topics, Action, EnsureOptions, TopicSpec};
use support::*;

kafka_init::include_topics!("config/default.yaml");

/// `examples/self_provision`, built (or found up to date) by cargo.
fn example_binary() -> PathBuf {
    static BUILT: OnceLock<PathBuf> = OnceLock::new();
    BUILT.get_or_init(|| example("self_provision")).clone()
}

#[tokio::test]
async fn the_example_provisions_the_default_topics() {
    // These are the reference names: other tests and people may have made
    // them already, so only the end state is asserted, not "created".
    let out = Command::new(example_binary())
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for spec in topics::SPECS {
        assert!(stdout.contains(spec.name.as_ref()), "{stdout}");
    }
    assert!(stdout.contains("producing to dc.workload"), "{stdout}");
    assert_default_topics("").await;
}

#[tokio::test]
async fn the_example_fails_when_the_broker_is_unreachable() {
    let out = Command::new(example_binary())
        .env("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:1")
        .env("KAFKA_INIT_TIMEOUT", "2s")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("127.0.0.1:1"), "{stderr}");
}

#[tokio::test]
async fn compiled_in_specs_provision_through_the_explicit_form() {
    let prefix = format!("{}.", unique("macro"));
    let specs: Vec<TopicSpec> = topics::SPECS
        .iter()
        .map(|s| TopicSpec {
            name: format!("{prefix}{}", s.name).into(),
            ..s.clone()
        })
        .collect();
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(60));
    let report = ensure_topics(&specs, &options).await.unwrap();
    assert!(
        report
            .topics
            .iter()
            .all(|t| matches!(t.action, Action::Created(_))),
        "{report}"
    );
    assert_default_topics(&prefix).await;

    let again = ensure_topics(&specs, &options).await.unwrap();
    assert!(
        again.topics.iter().all(|t| t.action == Action::Unchanged),
        "{again}"
    );
}
