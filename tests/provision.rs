//! End to end against the real broker: provisioning the reference file.

use kafka_init_test_support as support;

use std::time::{Duration, Instant};

use kafka_init::{ensure_topics, Action, EnsureOptions, Error, TopicFile};
use support::*;

#[tokio::test]
async fn default_yaml_is_provisioned_then_rerun_creates_nothing() {
    let prefix = format!("{}.", unique("prov"));
    let file = TopicFile::parse(&default_yaml_with_prefix(&prefix), "default.yaml").unwrap();
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(60));

    let first = ensure_topics(&file.topics, &options).await.unwrap();
    assert_eq!(first.topics.len(), 6);
    assert!(
        first
            .topics
            .iter()
            .all(|t| matches!(t.action, Action::Created(_))),
        "{first}"
    );
    assert_default_topics(&prefix).await;

    let second = ensure_topics(&file.topics, &options).await.unwrap();
    assert!(
        second.topics.iter().all(|t| t.action == Action::Unchanged),
        "{second}"
    );
    assert_default_topics(&prefix).await;
}

#[tokio::test]
async fn unreachable_broker_fails_within_the_deadline_naming_the_address() {
    let file = TopicFile::parse(&default_yaml_with_prefix("x."), "default.yaml").unwrap();
    let timeout = Duration::from_secs(2);
    let options = EnsureOptions::new("127.0.0.1:1").timeout(timeout);
    let started = Instant::now();
    let err = ensure_topics(&file.topics, &options).await.unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(err, Error::Unreachable { .. }), "{err}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");
    // librdkafka's own reason, not just "transport failure".
    assert!(err.to_string().contains("Connection refused"), "{err}");
    assert!(
        elapsed < timeout + Duration::from_secs(1),
        "deadline overrun: {elapsed:?}"
    );
}
