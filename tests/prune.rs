//! Pruning from code: `EnsureOptions::prune` with a file's ownership,
//! against the real broker.

use kafka_init_test_support as support;

use std::time::Duration;

use kafka_init::{ensure_topics, orphans, plan, Action, EnsureOptions, Error, TopicFile};
use support::*;

fn file(base: &str, owns: bool, declared: &[&str]) -> TopicFile {
    let owns = if owns {
        format!("  owns: [\"{base}.\"]\n")
    } else {
        String::new()
    };
    let topics: String = declared
        .iter()
        .map(|t| format!("    {t}:\n      name: \"{base}.{t}\"\n"))
        .collect();
    TopicFile::parse(&format!("kafka:\n{owns}  topics:\n{topics}"), "f.yaml").unwrap()
}

#[tokio::test]
async fn ensure_topics_deletes_the_orphans_it_planned_and_nothing_else() {
    let base = unique("lib-prune");
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(60));
    // Three topics, made by an earlier version of the file.
    let earlier = file(&base, true, &["a", "b", "c-changelog"]);
    ensure_topics(&earlier.topics, &options).await.unwrap();

    let now = file(&base, true, &["a"]);
    let found = orphans(&now.topics, &now.ownership, &options)
        .await
        .unwrap();
    let names: Vec<&str> = found.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, [format!("{base}.b")]);

    // Without pruning nothing is deleted; the generated code's options
    // never prune.
    ensure_topics(&now.topics, &options).await.unwrap();
    assert!(topic_shape(&format!("{base}.b")).is_some());

    let pruning = options.clone().prune(5).ownership(now.ownership.clone());
    let planned = plan(&now.topics, &pruning).await.unwrap();
    assert_eq!(planned.deletions().count(), 1, "{planned}");
    let report = ensure_topics(&now.topics, &pruning).await.unwrap();
    let deleted: Vec<&str> = report.deleted().map(|t| t.name.as_str()).collect();
    assert_eq!(deleted, [format!("{base}.b")], "{report}");
    assert!(matches!(
        report.deleted().next().unwrap().action,
        Action::Deleted(_)
    ));
    assert_eq!(report.requests.delete_topics, 1);
    assert_eq!(topic_shape(&format!("{base}.b")), None);
    assert!(topic_shape(&format!("{base}.a")).is_some());
    assert!(topic_shape(&format!("{base}.c-changelog")).is_some());
}

#[tokio::test]
async fn pruning_needs_owns_and_is_refused_before_connecting() {
    let base = unique("lib-prune-guard");
    let plain = file(&base, false, &["a"]);
    // Nothing listens here: an error other than `NoOwnership` would mean
    // the run tried to connect.
    let options = EnsureOptions::new("127.0.0.1:1")
        .timeout(Duration::from_secs(1))
        .prune(5)
        .ownership(plain.ownership.clone());
    let err = ensure_topics(&plain.topics, &options).await.unwrap_err();
    assert!(matches!(err, Error::NoOwnership { .. }), "{err}");
}
