//! Reconcile against the real broker: every transition is asserted from
//! what the broker reports afterwards (metadata, DescribeConfigs).

use kafka_init_test_support as support;

use std::collections::HashMap;
use std::time::{Duration, Instant};

use kafka_init::{
    apply, ensure_topics, plan, Action, ConfigChange, EnsureOptions, Error, PlannedAction,
    ProblemKind, Refusal, TopicFile, TopicProblem, TopicSpec, DEFAULT_BROKER_GRACE,
};
use support::*;

fn options() -> EnsureOptions {
    EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(60))
}

/// Topics from a `kafka.topics` YAML body (indented by four spaces).
fn topics(body: &str) -> Vec<TopicSpec> {
    let text = format!("kafka:\n  topics:\n{body}");
    TopicFile::parse(&text, "test.yaml")
        .unwrap_or_else(|e| panic!("{e}\n{text}"))
        .topics
}

/// One topic entry for `topics`.
fn entry(name: &str, partitions: i32, config: &[(&str, &str)], keep_unmanaged: bool) -> String {
    let mut s = format!(
        "    {key}:\n      name: \"{name}\"\n      partitions: {partitions}\n      keep_unmanaged_configs: {keep_unmanaged}\n      config:\n",
        key = name.replace(['.', '-'], "_")
    );
    for (k, v) in config {
        s.push_str(&format!("        {k}: \"{v}\"\n"));
    }
    if config.is_empty() {
        s = s.replace("      config:\n", "");
    }
    s
}

fn owned(pairs: &[(&str, &str)]) -> HashMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn action<'a>(report: &'a kafka_init::Report, topic: &str) -> &'a Action {
    &report
        .topics
        .iter()
        .find(|t| t.name == topic)
        .unwrap()
        .action
}

/// Sets `key` on `topic` as another tool would, behind kafka-init's back.
async fn set_behind_our_back(topic: &str, key: &str, value: &str) {
    set_topic_config(topic, key, value).await;
    assert_eq!(
        topic_configs(topic).await.get(key).map(String::as_str),
        Some(value)
    );
}

#[tokio::test]
async fn a_changed_retention_in_the_file_reaches_the_broker() {
    let name = unique("retention");
    ensure_topics(
        &topics(&entry(&name, 1, &[("retention.ms", "1000")], false)),
        &options(),
    )
    .await
    .unwrap();

    let report = ensure_topics(
        &topics(&entry(&name, 1, &[("retention.ms", "2000")], false)),
        &options(),
    )
    .await
    .unwrap();

    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "2000")])
    );
    assert_eq!(
        action(&report, &name),
        &Action::Updated {
            configs: vec![ConfigChange::Set {
                key: "retention.ms".into(),
                old: Some("1000".into()),
                new: "2000".into()
            }],
            partitions: None
        }
    );
}

#[tokio::test]
async fn a_key_dropped_from_the_file_returns_to_the_default() {
    let name = unique("dropped");
    ensure_topics(
        &topics(&entry(
            &name,
            1,
            &[("retention.ms", "1000"), ("segment.ms", "3600000")],
            false,
        )),
        &options(),
    )
    .await
    .unwrap();
    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "1000"), ("segment.ms", "3600000")])
    );

    ensure_topics(
        &topics(&entry(&name, 1, &[("retention.ms", "1000")], false)),
        &options(),
    )
    .await
    .unwrap();

    let reported = describe(&[&name]).await.remove(&name).unwrap();
    let segment = &reported["segment.ms"];
    assert!(
        !segment.topic_level,
        "segment.ms still set on the topic: {segment:?}"
    );
    assert_eq!(segment.value.as_deref(), Some("604800000"), "the default");
    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "1000")])
    );
}

#[tokio::test]
async fn a_key_set_by_another_client_is_removed() {
    let name = unique("foreign");
    let file = topics(&entry(&name, 1, &[("retention.ms", "1000")], false));
    ensure_topics(&file, &options()).await.unwrap();
    set_behind_our_back(&name, "max.message.bytes", "2048").await;

    let report = ensure_topics(&file, &options()).await.unwrap();

    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "1000")])
    );
    assert_eq!(
        action(&report, &name),
        &Action::Updated {
            configs: vec![ConfigChange::Reset {
                key: "max.message.bytes".into(),
                old: "2048".into()
            }],
            partitions: None
        }
    );
}

#[tokio::test]
async fn the_opt_out_keeps_a_key_set_by_another_client() {
    let name = unique("optout");
    let file = topics(&entry(&name, 1, &[("retention.ms", "1000")], true));
    ensure_topics(&file, &options()).await.unwrap();
    set_behind_our_back(&name, "max.message.bytes", "2048").await;

    let report = ensure_topics(&file, &options()).await.unwrap();

    assert_eq!(action(&report, &name), &Action::Unchanged);
    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "1000"), ("max.message.bytes", "2048")])
    );
}

#[tokio::test]
async fn partitions_grow_from_1_to_4_and_all_have_leaders() {
    let name = unique("grow");
    ensure_topics(&topics(&entry(&name, 1, &[], false)), &options())
        .await
        .unwrap();
    assert_eq!(topic_shape(&name), Some((1, 1)));

    let report = ensure_topics(&topics(&entry(&name, 4, &[], false)), &options())
        .await
        .unwrap();

    let Action::Updated {
        configs,
        partitions: Some(growth),
    } = action(&report, &name)
    else {
        panic!("{report}");
    };
    assert!(configs.is_empty(), "{report}");
    assert_eq!((growth.from, growth.to), (1, 4));
    let md = metadata();
    let topic = md.topics().iter().find(|t| t.name() == name).unwrap();
    assert_eq!(topic.partitions().len(), 4);
    for p in topic.partitions() {
        assert!(p.leader() >= 0, "partition {} has no leader", p.id());
        assert!(!p.isr().is_empty(), "partition {} has no ISR", p.id());
    }
}

#[tokio::test]
async fn a_decrease_in_one_topic_stops_a_valid_change_in_another() {
    let (shrink, change) = (unique("shrink"), unique("change"));
    let before = format!(
        "{}{}",
        entry(&shrink, 2, &[], false),
        entry(&change, 1, &[("retention.ms", "1000")], false)
    );
    ensure_topics(&topics(&before), &options()).await.unwrap();

    let after = format!(
        "{}{}",
        entry(&shrink, 1, &[], false),
        entry(&change, 1, &[("retention.ms", "2000")], false)
    );
    let err = ensure_topics(&topics(&after), &options())
        .await
        .unwrap_err();

    let Error::Rejected { problems } = &err else {
        panic!("expected Rejected, got {err}");
    };
    assert!(
        matches!(
            &problems[..],
            [TopicProblem {
                topic,
                kind: ProblemKind::Refused(Refusal::PartitionDecrease {
                    current: 2,
                    wanted: 1,
                    broker_default: false,
                }),
                ..
            }] if *topic == shrink
        ),
        "{err}"
    );
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(topic_shape(&shrink), Some((2, 1)));
    assert_eq!(
        topic_configs(&change).await,
        owned(&[("retention.ms", "1000")])
    );
}

#[tokio::test]
async fn a_replication_factor_change_is_refused_with_both_values() {
    let name = unique("rf");
    ensure_topics(&topics(&entry(&name, 1, &[], false)), &options())
        .await
        .unwrap();
    let file = topics(&entry(&name, 1, &[], false).replace(
        "      partitions: 1\n",
        "      partitions: 1\n      replication_factor: 2\n",
    ));

    let planned = plan(&file, &options()).await.unwrap();
    assert_eq!(
        planned.topics[0].action,
        PlannedAction::Refused {
            reasons: vec![Refusal::ReplicationFactorChange {
                current: 1,
                wanted: 2,
                broker_default: false,
            }]
        }
    );
    let err = ensure_topics(&file, &options()).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("replication factor is 1, the file says 2"),
        "{err}"
    );
    assert_eq!(topic_shape(&name), Some((1, 1)));
}

#[tokio::test]
async fn plan_on_a_converged_cluster_is_all_unchanged() {
    let prefix = format!("{}.", unique("plan"));
    let file = TopicFile::parse(&default_yaml_with_prefix(&prefix), "default.yaml").unwrap();
    let first = plan(&file.topics, &options()).await.unwrap();
    assert!(first
        .topics
        .iter()
        .all(|t| matches!(t.action, PlannedAction::Create(_))));
    // Planning changes nothing.
    assert_eq!(topic_shape(&format!("{prefix}dc.workload")), None);

    ensure_topics(&file.topics, &options()).await.unwrap();
    let converged = plan(&file.topics, &options()).await.unwrap();

    assert!(converged.is_converged(), "{converged}");
    assert_eq!(converged.topics.len(), 6);
    let rerun = ensure_topics(&file.topics, &options()).await.unwrap();
    assert!(
        rerun.topics.iter().all(|t| t.action == Action::Unchanged),
        "{rerun}"
    );
    // A converged re-run reads the cluster once: the brokers, the listed
    // topics' metadata, then their configs; then the readiness gate asks
    // the one leader (a single broker) whether every partition serves.
    assert_eq!(rerun.requests.describe_cluster, 1, "{:?}", rerun.requests);
    assert_eq!(rerun.requests.metadata, 1, "{:?}", rerun.requests);
    assert_eq!(rerun.requests.describe_configs, 1, "{:?}", rerun.requests);
    assert_eq!(rerun.requests.list_offsets, 1, "{:?}", rerun.requests);
    assert_eq!(rerun.requests.total(), 4, "{:?}", rerun.requests);
    assert_default_topics(&prefix).await;
}

#[tokio::test]
async fn one_bad_topic_fails_the_run_before_any_topic_is_created() {
    // Values the local validator accepts but this broker (no tiered storage)
    // refuses, so the refusal comes from CreateTopics' validate_only.
    let (good, bad, worse) = (unique("good"), unique("bad"), unique("worse"));
    let file = format!(
        "{}{}{}",
        entry(&good, 1, &[("retention.ms", "1000")], false),
        entry(&bad, 1, &[("remote.storage.enable", "true")], false),
        entry(&worse, 1, &[("remote.storage.enable", "true")], false),
    );

    let err = ensure_topics(&topics(&file), &options()).await.unwrap_err();

    let Error::Rejected { problems } = &err else {
        panic!("expected Rejected, got {err}");
    };
    assert_eq!(problems.len(), 2, "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("topic `{bad}`: create failed: INVALID_CONFIG")),
        "{text}"
    );
    assert!(
        text.contains("Tiered Storage"),
        "the broker's message: {text}"
    );
    assert!(text.contains(&format!("topic `{worse}`")), "{text}");
    for topic in [&good, &bad, &worse] {
        assert_eq!(topic_shape(topic), None, "{topic} was created");
    }
}

#[tokio::test]
async fn a_bad_config_change_stops_a_create_and_a_growth_in_the_same_run() {
    let (existing, grown, fresh) = (unique("badalter"), unique("badalter"), unique("badalter"));
    ensure_topics(
        &topics(&format!(
            "{}{}",
            entry(&existing, 1, &[("retention.ms", "1000")], false),
            entry(&grown, 1, &[], false)
        )),
        &options(),
    )
    .await
    .unwrap();

    let err = ensure_topics(
        &topics(&format!(
            "{}{}{}",
            entry(&existing, 1, &[("remote.storage.enable", "true")], false),
            entry(&grown, 3, &[], false),
            entry(&fresh, 1, &[], false)
        )),
        &options(),
    )
    .await
    .unwrap_err();

    let text = err.to_string();
    assert!(matches!(err, Error::Rejected { .. }), "{text}");
    assert!(
        text.contains(&format!(
            "topic `{existing}`: alter configs failed: INVALID_CONFIG"
        )),
        "{text}"
    );
    assert_eq!(
        topic_configs(&existing).await,
        owned(&[("retention.ms", "1000")])
    );
    assert_eq!(topic_shape(&grown), Some((1, 1)));
    assert_eq!(topic_shape(&fresh), None);
}

#[tokio::test]
async fn eight_concurrent_runs_on_one_file_all_succeed_with_exact_configs() {
    let (fresh, drifted, grown) = (unique("race"), unique("race"), unique("race"));
    // One topic exists already with drift, so the runs race on every kind
    // of change: create, alter (SET and DELETE) and add partitions.
    ensure_topics(
        &topics(&format!(
            "{}{}",
            entry(
                &drifted,
                1,
                &[("retention.ms", "1000"), ("segment.ms", "3600000")],
                false
            ),
            entry(&grown, 1, &[], false)
        )),
        &options(),
    )
    .await
    .unwrap();
    let file = topics(&format!(
        "{}{}{}",
        entry(
            &fresh,
            3,
            &[
                ("cleanup.policy", "compact"),
                ("min.compaction.lag.ms", "0")
            ],
            false
        ),
        entry(&drifted, 1, &[("retention.ms", "2000")], false),
        entry(&grown, 4, &[("retention.ms", "3000")], false),
    ));

    let runs: Vec<_> = (0..8)
        .map(|_| {
            let file = file.clone();
            tokio::spawn(async move { ensure_topics(&file, &options()).await })
        })
        .collect();
    for run in runs {
        let report = run.await.unwrap().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(report.topics.len(), 3);
    }

    assert_eq!(topic_shape(&fresh), Some((3, 1)));
    assert_eq!(topic_shape(&drifted), Some((1, 1)));
    assert_eq!(topic_shape(&grown), Some((4, 1)));
    assert_eq!(
        topic_configs(&fresh).await,
        owned(&[
            ("cleanup.policy", "compact"),
            ("min.compaction.lag.ms", "0")
        ])
    );
    assert_eq!(
        topic_configs(&drifted).await,
        owned(&[("retention.ms", "2000")])
    );
    assert_eq!(
        topic_configs(&grown).await,
        owned(&[("retention.ms", "3000")])
    );
}

#[tokio::test]
async fn plan_then_apply_executes_the_plan() {
    let name = unique("apply");
    let file = topics(&entry(&name, 2, &[("retention.ms", "1000")], false));

    let planned = plan(&file, &options()).await.unwrap();
    assert!(
        matches!(planned.topics[0].action, PlannedAction::Create(_)),
        "{planned}"
    );
    let report = apply(&planned, &options()).await.unwrap();

    assert!(
        matches!(action(&report, &name), Action::Created(_)),
        "{report}"
    );
    assert_eq!(topic_shape(&name), Some((2, 1)));
    assert_eq!(
        topic_configs(&name).await,
        owned(&[("retention.ms", "1000")])
    );
    assert!(plan(&file, &options()).await.unwrap().is_converged());
}

/// One topic wanting 3 replicas: more than the test broker has.
fn one_topic_with_rf3(name: &str) -> Vec<TopicSpec> {
    topics(&entry(name, 1, &[], false).replace(
        "      partitions: 1\n",
        "      partitions: 1\n      replication_factor: 3\n",
    ))
}

#[tokio::test]
async fn more_replicas_than_brokers_fails_at_the_deadline_with_the_brokers_reason() {
    let name = unique("rf3");
    let file = one_topic_with_rf3(&name);
    // A cluster still starting may register more brokers, so this is
    // retried until the deadline rather than failed at once.
    let timeout = Duration::from_secs(3);
    let started = Instant::now();
    let err = ensure_topics(&file, &EnsureOptions::new(bootstrap()).timeout(timeout))
        .await
        .unwrap_err();
    let elapsed = started.elapsed();

    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    assert!(
        err.to_string().contains("INVALID_REPLICATION_FACTOR"),
        "{err}"
    );
    assert!(
        elapsed < timeout + Duration::from_secs(2),
        "deadline overrun: {elapsed:?}"
    );
    assert_eq!(topic_shape(&name), None);
}

#[tokio::test]
async fn a_short_broker_grace_fails_more_replicas_than_brokers_early() {
    let name = unique("rf3-grace");
    let file = one_topic_with_rf3(&name);
    let options = EnsureOptions::new(bootstrap())
        .timeout(Duration::from_secs(60))
        .broker_grace(Duration::from_secs(1));
    let started = Instant::now();
    let err = ensure_topics(&file, &options).await.unwrap_err();
    let elapsed = started.elapsed();

    assert!(!matches!(err, Error::Deadline { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("replication factor 3 wanted but only 1 broker is available"),
        "{err}"
    );
    // The default grace (15 s) would still be retrying.
    assert!(elapsed < DEFAULT_BROKER_GRACE, "took {elapsed:?}");
    assert_eq!(topic_shape(&name), None);
}

/// 26 valid topic-level settings. With its topic and partition records, and
/// the extra record `min.insync.replicas` brings, a topic costs the
/// controller 29 records: 344 fit in one request, 345 fail it whole.
const MANY_CONFIGS: &[(&str, &str)] = &[
    ("cleanup.policy", "delete"),
    ("compression.type", "producer"),
    ("compression.gzip.level", "5"),
    ("compression.lz4.level", "9"),
    ("compression.zstd.level", "3"),
    ("delete.retention.ms", "86400000"),
    ("file.delete.delay.ms", "60000"),
    ("flush.messages", "100000"),
    ("flush.ms", "100000"),
    ("index.interval.bytes", "4096"),
    ("max.compaction.lag.ms", "100000000"),
    ("max.message.bytes", "1048588"),
    ("message.timestamp.after.max.ms", "3600000"),
    ("message.timestamp.before.max.ms", "3600000"),
    ("message.timestamp.type", "CreateTime"),
    ("min.cleanable.dirty.ratio", "0.5"),
    ("min.compaction.lag.ms", "0"),
    ("min.insync.replicas", "1"),
    ("preallocate", "false"),
    ("retention.bytes", "-1"),
    ("retention.ms", "604800000"),
    ("segment.bytes", "1073741824"),
    ("segment.index.bytes", "10485760"),
    ("segment.jitter.ms", "0"),
    ("segment.ms", "604800000"),
    ("unclean.leader.election.enable", "false"),
];

#[tokio::test]
async fn creates_over_the_controllers_record_limit_are_split() {
    let prefix = unique("split");
    // 400 topics x 29 records = 11,600 records: over 10,000, so two requests.
    let body: String = (0..400)
        .map(|i| entry(&format!("{prefix}.{i:03}"), 1, MANY_CONFIGS, false))
        .collect();
    let file = topics(&body);

    let report = ensure_topics(&file, &options()).await.unwrap();

    // Two validate-only requests and two real ones.
    // Two batches, each validated then created; retries under load may add more.
    assert!(report.requests.create_topics >= 4, "{:?}", report.requests);
    assert_eq!(report.created().count(), 400);
    let want = owned(MANY_CONFIGS);
    for topic in [&file[0], &file[343], &file[344], &file[399]] {
        assert_eq!(topic_shape(&topic.name), Some((1, 1)), "{}", topic.name);
        assert_eq!(topic_configs(&topic.name).await, want, "{}", topic.name);
    }
    assert!(plan(&file, &options()).await.unwrap().is_converged());

    let names: Vec<&str> = file.iter().map(|t| t.name.as_ref()).collect();
    admin()
        .delete_topics(&names, &rdkafka::admin::AdminOptions::new())
        .await
        .unwrap();
}

/// Provisions 1,000 topics, then re-runs and prints the requests and time
/// the converged re-run takes. Deletes its topics afterwards.
/// `cargo test --test reconcile thousand -- --ignored --nocapture`
#[tokio::test]
#[ignore = "provisions 1,000 topics; run by hand to measure"]
async fn thousand_topics_rerun_reads_the_cluster_in_four_requests() {
    let prefix = unique("thousand");
    let body: String = (0..1000)
        .map(|i| {
            entry(
                &format!("{prefix}.{i:04}"),
                1,
                &[("retention.ms", "3600000")],
                false,
            )
        })
        .collect();
    let file = topics(&body);
    let options = EnsureOptions::new(bootstrap()).timeout(Duration::from_secs(300));

    let started = Instant::now();
    let first = ensure_topics(&file, &options).await.unwrap();
    let create_time = started.elapsed();
    assert_eq!(first.created().count(), 1000);

    let started = Instant::now();
    let rerun = ensure_topics(&file, &options).await.unwrap();
    let rerun_time = started.elapsed();
    let started = Instant::now();
    let planned = plan(&file, &options).await.unwrap();
    let plan_time = started.elapsed();

    println!(
        "first run (create 1,000): {create_time:?}, requests {:?}",
        first.requests
    );
    println!(
        "re-run (converged):       {rerun_time:?}, requests {:?}",
        rerun.requests
    );
    println!("plan (converged):         {plan_time:?}");
    assert!(planned.is_converged());
    assert!(rerun.topics.iter().all(|t| t.action == Action::Unchanged));
    assert_eq!(rerun.requests.list_offsets, 1, "{:?}", rerun.requests);
    assert_eq!(rerun.requests.total(), 4, "{:?}", rerun.requests);

    let names: Vec<&str> = file.iter().map(|t| t.name.as_ref()).collect();
    admin()
        .delete_topics(&names, &rdkafka::admin::AdminOptions::new())
        .await
        .unwrap();
}
