//! Exit 0 means serving: the moment `ensure_topics` returns, a producer
//! that is not kafka-init's code path (rdkafka's `FutureProducer`, no
//! retries, `acks=all`) writes one record to every partition without a
//! single failure.

use kafka_init_test_support as support;

use std::time::{Duration, Instant};

use kafka_init::{ensure_topics, Action, EnsureOptions, Report, TopicFile, TopicSpec};
use support::*;

/// Every listed topic with its declared partition count.
fn partitions(specs: &[TopicSpec]) -> Vec<(String, i32)> {
    specs
        .iter()
        .map(|s| (s.name.to_string(), s.partitions.kafka()))
        .collect()
}

fn assert_every_topic_has_serving_time(report: &Report) {
    for topic in &report.topics {
        assert!(topic.serving_after_ms.is_some(), "{}: {report}", topic.name);
    }
}

#[tokio::test]
async fn every_partition_of_the_reference_topics_takes_a_write_right_after_the_run() {
    let prefix = format!("{}.", unique("serve"));
    let file = TopicFile::parse(&default_yaml_with_prefix(&prefix), "default.yaml").unwrap();
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(60));

    let report = ensure_topics(&file.topics, &options).await.unwrap();
    let writes = write_to_every_partition(&bootstrap(), &partitions(&file.topics)).await;

    assert!(writes.failures.is_empty(), "{:?}", writes.failures);
    assert_eq!(writes.acknowledged, 6);
    assert!(
        report
            .topics
            .iter()
            .all(|t| matches!(t.action, Action::Created(_))),
        "{report}"
    );
    assert_every_topic_has_serving_time(&report);
    // Nothing of kafka-init's is in the topics: the gate only reads.
    let offsets = latest_offsets(&file.topics).await;
    assert!(offsets.iter().all(|(_, o)| *o == 1), "{offsets:?}");
}

/// 1,000 topics of 1 to 4 partitions (2,500 in all) in one run, then one
/// write to every partition at once, none retried.
/// `cargo test --test serving thousand -- --ignored --nocapture`
#[tokio::test]
#[ignore = "provisions 1,000 topics (2,500 partitions); run by hand and by the bench"]
async fn every_partition_of_a_thousand_new_topics_takes_a_write_right_after_the_run() {
    let prefix = unique("serve1k");
    let body: String = (0..1000)
        .map(|i| {
            format!(
                "    t{i}:\n      name: \"{prefix}.{i:04}\"\n      partitions: {}\n",
                i % 4 + 1
            )
        })
        .collect();
    let file = TopicFile::parse(&format!("kafka:\n  topics:\n{body}"), "thousand.yaml").unwrap();
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(300));
    let wanted = partitions(&file.topics);
    assert_eq!(wanted.iter().map(|(_, p)| p).sum::<i32>(), 2500);

    let started = Instant::now();
    let report = ensure_topics(&file.topics, &options).await.unwrap();
    let to_serving = started.elapsed();
    let writes = write_to_every_partition(&bootstrap(), &wanted).await;

    println!(
        "1,000 topics, 2,500 partitions: serving after {to_serving:?}, requests {:?}; \
         first-try writes acknowledged: {} of 2500",
        report.requests, writes.acknowledged
    );
    assert!(writes.failures.is_empty(), "{:?}", writes.failures);
    assert_eq!(writes.acknowledged, 2500);
    assert_eq!(report.created().count(), 1000);
    assert_every_topic_has_serving_time(&report);

    let names: Vec<&str> = file.topics.iter().map(|t| t.name.as_ref()).collect();
    admin()
        .delete_topics(&names, &rdkafka::admin::AdminOptions::new())
        .await
        .unwrap();
}

/// Past one call's worth (1,000 topics per metadata call, 2,500 partitions
/// per ListOffsets call, each librdkafka call bounded since its answer
/// matching is quadratic): 1,001 topics of 3 partitions, 3,003 in all, are
/// created, shown by the broker and written to at once when the run returns,
/// and a re-run finds them unchanged.
#[tokio::test]
async fn more_topics_and_partitions_than_one_call_holds_all_serve_right_after_the_run() {
    let prefix = unique("serve-calls");
    let body: String = (0..1001)
        .map(|i| format!("    t{i}:\n      name: \"{prefix}.{i:04}\"\n      partitions: 3\n"))
        .collect();
    let file = TopicFile::parse(&format!("kafka:\n  topics:\n{body}"), "calls.yaml").unwrap();
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(300));
    let wanted = partitions(&file.topics);

    let report = ensure_topics(&file.topics, &options).await.unwrap();
    let writes = write_to_every_partition(&bootstrap(), &wanted).await;

    assert!(writes.failures.is_empty(), "{:?}", writes.failures);
    assert_eq!(writes.acknowledged, 3003);
    assert_eq!(report.created().count(), 1001);
    let shown: Vec<usize> = metadata()
        .topics()
        .iter()
        .filter(|t| t.name().starts_with(&format!("{prefix}.")) && t.error().is_none())
        .map(|t| t.partitions().len())
        .collect();
    assert_eq!(shown.len(), 1001);
    assert!(shown.iter().all(|&p| p == 3), "{shown:?}");

    let again = ensure_topics(&file.topics, &options).await.unwrap();
    assert!(
        again.topics.iter().all(|t| t.action == Action::Unchanged),
        "{again}"
    );
    assert_every_topic_has_serving_time(&again);

    let names: Vec<&str> = file.topics.iter().map(|t| t.name.as_ref()).collect();
    admin()
        .delete_topics(&names, &rdkafka::admin::AdminOptions::new())
        .await
        .unwrap();
}

/// The latest offset of every partition of `specs`, as an independent
/// consumer sees it.
async fn latest_offsets(specs: &[TopicSpec]) -> Vec<(String, i64)> {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let consumer: BaseConsumer = rdkafka::config::ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", unique("serve-offsets"))
        .create()
        .unwrap();
    let mut out = Vec::new();
    for spec in specs {
        for p in 0..spec.partitions.kafka() {
            let (_, high) = consumer
                .fetch_watermarks(&spec.name, p, Duration::from_secs(10))
                .unwrap();
            out.push((format!("{}/{p}", spec.name), high));
        }
    }
    out
}
