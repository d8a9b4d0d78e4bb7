//! A refusal that waiting cannot change fails the serving gate at once, not
//! at the deadline: a run as a user that may create topics and describe
//! their configs, but not describe them (Metadata and ListOffsets both need
//! DESCRIBE; CREATE does not imply it), ends with
//! `TOPIC_AUTHORIZATION_FAILED` naming the topic.
//!
//! `scripts/test.sh` starts the broker with `KAFKA_ACL=1`: the user
//! `limited` (scripts/kafka.sh) may do only what `allow_limited` grants.
//! The plan is made as a super user, so that the limited user's run gets
//! past planning (which reads the same metadata) and into the gate.
//!
//! librdkafka's ListOffsets finds each partition's leader through Metadata
//! first. A partition refused there comes back with the refusal, unless
//! no partition asked has a leader: then the whole request fails with
//! `_NOENT`, which also means "not created yet", and the gate's next
//! metadata read names the refusal.

use kafka_init_test_support as support;

use std::time::Duration;

use kafka_init::{
    apply, ensure_topics, plan, ClientProperties, EnsureOptions, Error, ProblemKind, TopicFile,
    TopicProblem,
};
use support::*;

/// Long enough that a gate waiting for the deadline shows as a `Deadline`
/// error (or a hung test), never as the refusal asserted.
const TIMEOUT: Duration = Duration::from_secs(120);

fn as_limited() -> EnsureOptions {
    EnsureOptions::new(sasl_bootstrap())
        .timeout(TIMEOUT)
        .client(
            ClientProperties::new()
                .with("security.protocol", "SASL_PLAINTEXT")
                .with("sasl.mechanism", "PLAIN")
                .with("sasl.username", LIMITED_USER)
                .with("sasl.password", LIMITED_PASSWORD),
        )
}

fn as_super_user() -> EnsureOptions {
    EnsureOptions::new(bootstrap()).timeout(TIMEOUT)
}

/// A topic file of `names`, three partitions each.
fn file(names: &[&str]) -> TopicFile {
    let topics: String = names
        .iter()
        .enumerate()
        .map(|(i, name)| format!("    t{i}:\n      name: \"{name}\"\n      partitions: 3\n"))
        .collect();
    TopicFile::parse(&format!("kafka:\n  topics:\n{topics}"), "acl.yaml").unwrap()
}

/// The one failure of `result`, as (topic, operation, code, message).
fn topic_error<T: std::fmt::Debug>(result: Result<T, Error>) -> (String, String, String, String) {
    let failures = match result {
        Err(Error::Topics { failures }) => failures,
        other => panic!("expected one topic's refusal, got {other:?}"),
    };
    match &failures[..] {
        [TopicProblem {
            topic,
            kind:
                ProblemKind::Broker {
                    operation,
                    code,
                    message,
                },
            ..
        }] => (
            topic.clone(),
            operation.to_string(),
            code.clone(),
            message.clone(),
        ),
        other => panic!("expected one topic's refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_topic_created_but_not_describable_fails_the_gate_at_once() {
    let prefix = unique("acl-create");
    let name = format!("{prefix}.orders");
    allow_limited(&["Create", "DescribeConfigs"], &prefix);
    let file = file(&[&name]);
    let planned = plan(&file.topics, &as_super_user()).await.unwrap();

    let result = apply(&planned, &as_limited()).await;

    // The create went through: the broker has the topic as the file says.
    assert_eq!(topic_shape(&name), Some((3, 1)));
    let (topic, operation, code, _) = topic_error(result);
    assert_eq!(
        (topic.as_str(), operation.as_str(), code.as_str()),
        (name.as_str(), "read metadata", "TOPIC_AUTHORIZATION_FAILED")
    );
}

#[tokio::test]
async fn list_offsets_refused_for_one_of_two_existing_topics_fails_the_gate_at_once() {
    let prefix = unique("acl-offsets");
    let (open, closed) = (format!("{prefix}.open"), format!("{prefix}.closed"));
    allow_limited(&["Create", "DescribeConfigs"], &prefix);
    allow_limited(&["Describe"], &open);
    let file = file(&[&open, &closed]);
    ensure_topics(&file.topics, &as_super_user()).await.unwrap();
    // Nothing to change and every partition has its leader: the gate sends
    // no metadata request of its own, only ListOffsets.
    let planned = plan(&file.topics, &as_super_user()).await.unwrap();
    assert!(planned.is_converged(), "{planned}");

    let result = apply(&planned, &as_limited()).await;

    let shown = match &result {
        Err(e) => e.to_string(),
        Ok(report) => panic!("the gate passed: {report}"),
    };
    let (topic, operation, code, message) = topic_error(result);
    assert_eq!(
        (topic.as_str(), operation.as_str(), code.as_str()),
        (
            closed.as_str(),
            "list offsets",
            "TOPIC_AUTHORIZATION_FAILED"
        )
    );
    assert!(message.starts_with("partitions 0, 1, 2: "), "{message}");
    assert!(shown.contains(&format!("topic `{closed}`")), "{shown}");
    assert!(!shown.contains(LIMITED_PASSWORD), "{shown}");
}

#[tokio::test]
async fn an_existing_topic_refused_altogether_fails_the_gate_at_once() {
    let prefix = unique("acl-closed");
    let name = format!("{prefix}.orders");
    allow_limited(&["Create", "DescribeConfigs"], &prefix);
    let file = file(&[&name]);
    ensure_topics(&file.topics, &as_super_user()).await.unwrap();
    let planned = plan(&file.topics, &as_super_user()).await.unwrap();
    assert!(planned.is_converged(), "{planned}");

    let result = apply(&planned, &as_limited()).await;

    let (topic, operation, code, _) = topic_error(result);
    assert_eq!(
        (topic.as_str(), operation.as_str(), code.as_str()),
        (name.as_str(), "read metadata", "TOPIC_AUTHORIZATION_FAILED")
    );
}
