//! The generated `topics::ensure_topics()` selects its profile at run time
//! from `KAFKA_INIT_PROFILE`, against the real broker (one node).

use kafka_init_test_support as support;

use kafka_init::Error;
use support::*;

kafka_init::include_topics!("tests/profiles/topics.yaml");

// One test: it sets process-wide variables.
#[tokio::test]
async fn ensure_topics_takes_the_profile_from_the_environment() {
    std::env::set_var("KAFKA_BOOTSTRAP_SERVERS", bootstrap());
    std::env::set_var("KAFKA_INIT_TIMEOUT", "30s");

    // An unknown profile: an error naming the known ones, nothing sent.
    std::env::set_var("KAFKA_INIT_PROFILE", "staging");
    match topics::ensure_topics().await {
        Err(Error::UnknownProfile(e)) => {
            assert_eq!(e.name, "staging");
            assert_eq!(e.known, ["dev"]);
        }
        other => panic!("expected UnknownProfile, got {other:?}"),
    }

    std::env::set_var("KAFKA_INIT_PROFILE", "dev");
    let report = topics::ensure_topics()
        .await
        .expect("the dev profile applies");
    assert_eq!(report.topics.len(), 2);
    std::env::remove_var("KAFKA_INIT_PROFILE");

    assert_eq!(
        topic_shape(topics::KAFKA_INIT_PROFILES_EVENTS),
        Some((3, 1))
    );
    assert_eq!(topic_shape(topics::KAFKA_INIT_PROFILES_AUDIT), Some((2, 1)));
    let audit = topic_configs(topics::KAFKA_INIT_PROFILES_AUDIT).await;
    assert_eq!(
        audit.get("min.insync.replicas").map(String::as_str),
        Some("1")
    );
    assert_eq!(
        audit.get("retention.ms").map(String::as_str),
        Some("3600000")
    );
    // The base file's specs are compiled in too, unchanged.
    assert_eq!(topics::SPECS[0].replication_factor.count(), Some(3));
}
