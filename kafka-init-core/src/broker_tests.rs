//! The librdkafka wrappers in `kafka::ffi` against the real broker. Kept
//! outside `kafka::` so that `cargo test --lib -- kafka::` runs the engine's
//! own tests with no broker anywhere.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::kafka::admin::OffsetSpec;
use crate::kafka::ffi::usage::list_offsets_for;
use crate::kafka::ffi::{
    broker_ids, create_partitions, create_topics, describe_topics, incremental_alter_configs,
    AlterOp, ConfigAlteration, NewPartitions, NewTopic, RequestOptions,
};
use std::collections::HashMap;

use kafka_init_test_support::{bootstrap, unique};
use rdkafka::admin::{AdminClient, AdminOptions, ConfigSource, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::metadata::Metadata;

// What the broker reports is read with rdkafka's own calls, not the wrappers
// under test. These few helpers sit here rather than in the support crate's
// `broker` feature, which the `admin` feature would otherwise have to turn on.
fn admin() -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("allow.auto.create.topics", "false")
        .create()
        .expect("admin client")
}

fn client() -> Arc<AdminClient<DefaultClientContext>> {
    Arc::new(admin())
}

fn metadata() -> Metadata {
    admin()
        .inner()
        .fetch_metadata(None, Duration::from_secs(10))
        .expect("metadata")
}

/// Partition count and replication factor of `topic`, if it exists.
fn topic_shape(topic: &str) -> Option<(usize, usize)> {
    let md = metadata();
    let t = md
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none())?;
    Some((t.partitions().len(), t.partitions()[0].replicas().len()))
}

/// The topic-level (DYNAMIC_TOPIC_CONFIG) settings of one topic.
async fn topic_configs(topic: &str) -> HashMap<String, String> {
    let results = admin()
        .describe_configs(&[ResourceSpecifier::Topic(topic)], &AdminOptions::new())
        .await
        .expect("describe_configs");
    let resource = results.into_iter().next().unwrap().expect("topic configs");
    resource
        .entries
        .into_iter()
        .filter(|e| e.source == ConfigSource::DynamicTopic)
        .map(|e| (e.name, e.value.unwrap_or_default()))
        .collect()
}

fn send(validate_only: bool) -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(15),
        validate_only,
    }
}

fn new_topic(name: &str, configs: &[(&str, &str)]) -> NewTopic {
    NewTopic {
        name: name.into(),
        partitions: 1,
        replication_factor: 1,
        configs: configs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

fn alteration(topic: &str, ops: &[(&str, Option<&str>)]) -> ConfigAlteration {
    ConfigAlteration {
        topic: topic.into(),
        ops: ops
            .iter()
            .map(|(k, v)| {
                let op = match v {
                    Some(v) => AlterOp::Set(v.to_string()),
                    None => AlterOp::Delete,
                };
                (k.to_string(), op)
            })
            .collect(),
    }
}

async fn create(name: &str, configs: &[(&str, &str)]) {
    let results = create_topics(&client(), vec![new_topic(name, configs)], send(false))
        .await
        .unwrap();
    assert_eq!(results, [(name.to_string(), Ok(()))]);
}

#[tokio::test]
async fn set_and_delete_touch_only_the_named_keys() {
    let name = unique("ffi-alter");
    create(
        &name,
        &[
            ("retention.ms", "1000"),
            ("segment.ms", "3600000"),
            ("max.message.bytes", "2048"),
        ],
    )
    .await;

    let results = incremental_alter_configs(
        &client(),
        vec![alteration(
            &name,
            &[
                ("retention.ms", Some("2000")),
                ("segment.ms", None),
                ("flush.ms", Some("5000")),
            ],
        )],
        send(false),
    )
    .await
    .unwrap();

    assert_eq!(results, [(name.clone(), Ok(()))]);
    let got = topic_configs(&name).await;
    assert_eq!(got.get("retention.ms").map(String::as_str), Some("2000"));
    assert_eq!(got.get("flush.ms").map(String::as_str), Some("5000"));
    assert_eq!(got.get("segment.ms"), None, "deleted");
    assert_eq!(
        got.get("max.message.bytes").map(String::as_str),
        Some("2048"),
        "a key not sent is kept, unlike legacy AlterConfigs"
    );
}

#[tokio::test]
async fn validate_only_commits_nothing() {
    let name = unique("ffi-validate");
    create(&name, &[("retention.ms", "1000")]).await;
    let other = unique("ffi-validate");

    let altered = incremental_alter_configs(
        &client(),
        vec![alteration(&name, &[("retention.ms", Some("2000"))])],
        send(true),
    )
    .await
    .unwrap();
    let created = create_topics(&client(), vec![new_topic(&other, &[])], send(true))
        .await
        .unwrap();
    let grown = create_partitions(
        &client(),
        vec![NewPartitions {
            topic: name.clone(),
            total: 3,
        }],
        send(true),
    )
    .await
    .unwrap();

    assert_eq!(altered, [(name.clone(), Ok(()))]);
    assert_eq!(created, [(other.clone(), Ok(()))]);
    assert_eq!(grown, [(name.clone(), Ok(()))]);
    assert_eq!(
        topic_configs(&name)
            .await
            .get("retention.ms")
            .map(String::as_str),
        Some("1000")
    );
    assert_eq!(topic_shape(&name), Some((1, 1)));
    assert_eq!(topic_shape(&other), None);
}

#[tokio::test]
async fn each_topic_gets_its_own_error_with_the_brokers_message() {
    let (good, bad) = (unique("ffi-good"), unique("ffi-bad"));
    create(&good, &[]).await;

    let altered = incremental_alter_configs(
        &client(),
        vec![
            alteration(&good, &[("retention.ms", Some("2000"))]),
            alteration(&bad, &[("retention.ms", Some("2000"))]),
            alteration(&good, &[("no.such.key", Some("1"))]),
        ],
        send(true),
    )
    .await;
    // Two resources for one topic are a request-level error in librdkafka;
    // send them apart.
    assert!(altered.is_err(), "{altered:?}");

    let altered = incremental_alter_configs(
        &client(),
        vec![alteration(&good, &[("no.such.key", Some("1"))])],
        send(true),
    )
    .await
    .unwrap();
    let (topic, result) = &altered[0];
    assert_eq!(topic, &good);
    let e = result.as_ref().unwrap_err();
    assert_eq!(e.code, crate::kafka::admin::ErrorCode(40));
    assert_eq!(e.name, "INVALID_CONFIG");
    assert!(e.message.contains("no.such.key"), "{e}");

    let created = create_topics(
        &client(),
        vec![
            new_topic(&good, &[]),
            new_topic(&bad, &[("cleanup.policy", "sometimes")]),
        ],
        send(true),
    )
    .await
    .unwrap();
    let by_name: std::collections::HashMap<_, _> = created.into_iter().collect();
    let exists = by_name[&good].as_ref().unwrap_err();
    assert_eq!(
        exists.code,
        crate::kafka::admin::ErrorCode::TOPIC_ALREADY_EXISTS
    );
    assert!(exists.message.contains("already exists"), "{exists}");
    let invalid = by_name[&bad].as_ref().unwrap_err();
    assert_eq!(invalid.name, "INVALID_CONFIG");
    assert!(invalid.message.contains("sometimes"), "{invalid}");

    let shrunk = create_partitions(
        &client(),
        vec![NewPartitions {
            topic: good.clone(),
            total: 1,
        }],
        send(true),
    )
    .await
    .unwrap();
    let e = shrunk[0].1.as_ref().unwrap_err();
    assert_eq!(e.code, crate::kafka::admin::ErrorCode::INVALID_PARTITIONS);
    assert!(e.message.contains("already has 1 partition"), "{e}");
}

#[tokio::test]
async fn partitions_grow_to_the_total() {
    let name = unique("ffi-grow");
    create(&name, &[]).await;
    let grown = create_partitions(
        &client(),
        vec![NewPartitions {
            topic: name.clone(),
            total: 3,
        }],
        send(false),
    )
    .await
    .unwrap();
    assert_eq!(grown, [(name.clone(), Ok(()))]);
    assert_eq!(topic_shape(&name).map(|s| s.0), Some(3));
}

#[tokio::test]
async fn describe_topics_answers_for_the_named_topics_only() {
    let (two, one, absent) = (
        unique("ffi-dt2"),
        unique("ffi-dt1"),
        unique("ffi-dt-absent"),
    );
    create(&one, &[]).await;
    create(&two, &[]).await;
    create_partitions(
        &client(),
        vec![NewPartitions {
            topic: two.clone(),
            total: 2,
        }],
        send(false),
    )
    .await
    .unwrap();
    // Leaders can trail the create by a moment; the metadata cache decides.
    let deadline = Instant::now() + Duration::from_secs(15);
    let topics = loop {
        let topics = describe_topics(
            &client(),
            vec![one.clone(), two.clone(), absent.clone()],
            send(false),
        )
        .await
        .unwrap();
        let led = topics
            .values()
            .flat_map(|t| &t.partitions)
            .all(|p| p.leader >= 0);
        if (led && topics.get(&two).is_some_and(|t| t.partitions.len() == 2))
            || Instant::now() >= deadline
        {
            break topics;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    // The absent topic is left out, not reported as an error; no other
    // topic of the cluster is in the answer.
    let mut names: Vec<&String> = topics.keys().collect();
    names.sort();
    let mut expected = vec![&one, &two];
    expected.sort();
    assert_eq!(names, expected);
    let two = &topics[&two];
    assert_eq!(two.error, None);
    let mut ids: Vec<i32> = two.partitions.iter().map(|p| p.id).collect();
    ids.sort();
    assert_eq!(ids, [0, 1]);
    for p in topics.values().flat_map(|t| &t.partitions) {
        assert!(p.leader >= 0, "{p:?}");
        assert_eq!(p.replicas, [p.leader]);
        assert_eq!(p.isr, [p.leader]);
    }
    // Nothing asked, nothing sent.
    assert!(describe_topics(&client(), vec![], send(false))
        .await
        .unwrap()
        .is_empty());
}

#[tokio::test]
async fn broker_count_is_the_brokers_metadata_lists() {
    let count = broker_ids(&client(), send(false)).await.unwrap().len();
    assert_eq!(count, metadata().brokers().len());
    assert!(count >= 1);
}

#[tokio::test]
async fn an_unreachable_cluster_fails_within_the_request_timeout() {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", "127.0.0.1:1")
        .create()
        .unwrap();
    let timeout = Duration::from_secs(2);
    let started = Instant::now();
    let result = incremental_alter_configs(
        &Arc::new(admin),
        vec![alteration("t", &[("retention.ms", Some("1"))])],
        RequestOptions {
            timeout,
            validate_only: true,
        },
    )
    .await;
    let elapsed = started.elapsed();
    let e = result.unwrap_err();
    assert!(e.name.starts_with('_'), "a local error: {e}");
    assert!(
        elapsed < timeout + Duration::from_secs(2),
        "took {elapsed:?}"
    );
}

#[tokio::test]
async fn list_offsets_answers_each_partition_with_its_latest_offset_or_its_error() {
    let name = unique("ffi-offsets");
    let results = create_topics(
        &client(),
        vec![NewTopic {
            partitions: 3,
            ..new_topic(&name, &[])
        }],
        send(false),
    )
    .await
    .unwrap();
    assert_eq!(results, [(name.clone(), Ok(()))]);
    // Asked until every partition has answered once (the broker creates the
    // logs after the create returns); the first answers are the latest
    // offsets of empty partitions.
    let deadline = Instant::now() + Duration::from_secs(30);
    let partitions: Vec<(String, i32)> = (0..3).map(|p| (name.clone(), p)).collect();
    let mut answered = std::collections::BTreeMap::new();
    while answered.len() < 3 {
        assert!(Instant::now() < deadline, "answered only {answered:?}");
        let answers = latest(partitions.clone()).await;
        assert_eq!(answers.len(), 3);
        for ((topic, partition), answer) in answers {
            assert_eq!(topic, name);
            if let Ok((offset, _)) = answer {
                if offset >= 0 {
                    answered.insert(partition, offset);
                }
            }
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(answered, [(0, 0), (1, 0), (2, 0)].into());

    // A partition the topic does not have: an error for that one only.
    let answers = latest(vec![(name.clone(), 0), (name.clone(), 7)]).await;
    let by_partition: std::collections::HashMap<i32, _> =
        answers.into_iter().map(|((_, p), a)| (p, a)).collect();
    assert_eq!(by_partition[&0].as_ref().map(|(o, _)| *o), Ok(0));
    assert!(by_partition[&7].is_err(), "{:?}", by_partition[&7]);
    assert!(latest(Vec::new()).await.is_empty());
}

async fn latest(partitions: Vec<(String, i32)>) -> Vec<crate::kafka::admin::OffsetAnswer> {
    list_offsets_for(&client(), partitions, OffsetSpec::Latest, send(false))
        .await
        .unwrap()
}

// --- ACLs, through the engine's `Librdkafka` admin over the SASL listener --

mod acls {
    use std::collections::BTreeSet;
    use std::time::{Duration, Instant};

    use kafka_init_test_support::{sasl_bootstrap, unique, LIMITED_PASSWORD, LIMITED_USER};

    use super::send;
    use crate::access::{AclBinding, Operation, PatternType, Permission, ResourceType};
    use crate::client::ClientProperties;
    use crate::kafka::admin::{Admin, ErrorCode};
    use crate::kafka::librdkafka::Librdkafka;
    use crate::options::EnsureOptions;

    /// A client logged in over SASL/PLAIN.
    fn login(user: &str, password: &str) -> Librdkafka {
        let options = EnsureOptions::new(sasl_bootstrap()).client(
            ClientProperties::new()
                .with("security.protocol", "SASL_PLAINTEXT")
                .with("sasl.mechanism", "PLAIN")
                .with("sasl.username", user)
                .with("sasl.password", password),
        );
        Librdkafka::new(&options).expect("client")
    }

    /// A super user (scripts/kafka.sh).
    fn super_user() -> Librdkafka {
        login("kafkainit", "kafkainit-secret")
    }

    fn binding(
        operation: Operation,
        resource_type: ResourceType,
        name: &str,
        pattern: PatternType,
        host: &str,
    ) -> AclBinding {
        AclBinding::new(
            "User:svc-a",
            host,
            operation,
            Permission::Allow,
            resource_type,
            name,
            pattern,
        )
    }

    /// The bindings the broker lists, once `done` holds for them. A change
    /// reaches the broker's authorizer shortly after the controller commits it.
    async fn listed_once(
        admin: &Librdkafka,
        what: &str,
        done: impl Fn(&[AclBinding]) -> bool,
    ) -> Vec<AclBinding> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let listed = admin.describe_acls(send(false)).await.unwrap();
            if done(&listed) {
                return listed;
            }
            assert!(Instant::now() < deadline, "never {what}: {listed:#?}");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    #[tokio::test]
    async fn bindings_are_created_listed_and_deleted_exactly() {
        let admin = super_user();
        let topic = unique("acl-topic");
        let prefix = format!("{}.", unique("acl-group"));
        let literal = binding(
            Operation::Write,
            ResourceType::Topic,
            &topic,
            PatternType::Literal,
            "*",
        );
        let prefixed = binding(
            Operation::Read,
            ResourceType::Group,
            &prefix,
            PatternType::Prefixed,
            "127.0.0.1",
        );
        let ours = |listed: &[AclBinding]| -> BTreeSet<AclBinding> {
            listed
                .iter()
                .filter(|b| b.name == topic || b.name == prefix)
                .cloned()
                .collect()
        };

        let created = admin
            .create_acls(vec![literal.clone(), prefixed.clone()], send(false))
            .await
            .unwrap();
        assert_eq!(
            created,
            [(literal.clone(), Ok(())), (prefixed.clone(), Ok(()))]
        );
        // Every field as created: principal, host, operation, permission,
        // resource type, name, pattern.
        let both = BTreeSet::from([literal.clone(), prefixed.clone()]);
        listed_once(&admin, "listed both", |l| ours(l) == both).await;

        // Filters that differ in one field each delete nothing.
        let near_misses = vec![
            AclBinding {
                operation: Operation::Read,
                ..literal.clone()
            },
            AclBinding {
                host: "127.0.0.1".into(),
                ..literal.clone()
            },
            AclBinding {
                pattern: PatternType::Literal,
                ..prefixed.clone()
            },
            AclBinding {
                permission: Permission::Deny,
                ..prefixed.clone()
            },
            AclBinding {
                principal: "User:svc-b".into(),
                ..prefixed.clone()
            },
        ];
        let deleted = admin
            .delete_acls(near_misses.clone(), send(false))
            .await
            .unwrap();
        assert_eq!(deleted.len(), near_misses.len());
        assert!(deleted.iter().all(|(_, r)| r.is_ok()), "{deleted:?}");

        // The exact one goes; the controller applies changes in order, so
        // once it is gone any near miss that deleted would show too.
        let deleted = admin
            .delete_acls(vec![literal.clone()], send(false))
            .await
            .unwrap();
        assert_eq!(deleted, [(literal.clone(), Ok(()))]);
        let listed = listed_once(&admin, "dropped the literal", |l| {
            !ours(l).contains(&literal)
        })
        .await;
        assert_eq!(ours(&listed), BTreeSet::from([prefixed.clone()]));

        admin
            .delete_acls(vec![prefixed.clone()], send(false))
            .await
            .unwrap();
        listed_once(&admin, "dropped the prefix", |l| ours(l).is_empty()).await;
    }

    #[tokio::test]
    async fn a_principal_without_rights_on_the_cluster_is_refused_every_acl_request() {
        let admin = super_user();
        let limited = login(LIMITED_USER, LIMITED_PASSWORD);
        let name = unique("acl-refused");
        let kept = binding(
            Operation::Read,
            ResourceType::Topic,
            &name,
            PatternType::Literal,
            "*",
        );
        let refused = AclBinding {
            operation: Operation::Write,
            ..kept.clone()
        };
        let ours = |listed: &[AclBinding]| -> BTreeSet<AclBinding> {
            listed.iter().filter(|b| b.name == name).cloned().collect()
        };
        admin
            .create_acls(vec![kept.clone()], send(false))
            .await
            .unwrap();
        listed_once(&admin, "listed the binding", |l| ours(l).contains(&kept)).await;

        let denied = |e: crate::kafka::admin::BrokerError| {
            assert_eq!(e.code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED, "{e}");
            assert_eq!(e.name, "CLUSTER_AUTHORIZATION_FAILED");
            assert!(!e.message.is_empty());
        };
        denied(
            limited
                .create_acls(vec![refused.clone()], send(false))
                .await
                .unwrap_err(),
        );
        denied(
            limited
                .delete_acls(vec![kept.clone()], send(false))
                .await
                .unwrap_err(),
        );
        denied(limited.describe_acls(send(false)).await.unwrap_err());

        // A marker made after the refusals: once the broker lists it, it
        // would list whatever they changed too.
        let marker = AclBinding {
            operation: Operation::Describe,
            ..kept.clone()
        };
        admin
            .create_acls(vec![marker.clone()], send(false))
            .await
            .unwrap();
        let listed = listed_once(&admin, "listed the marker", |l| ours(l).contains(&marker)).await;
        assert_eq!(
            ours(&listed),
            BTreeSet::from([kept.clone(), marker.clone()])
        );

        admin
            .delete_acls(vec![kept, marker], send(false))
            .await
            .unwrap();
        listed_once(&admin, "dropped both", |l| ours(l).is_empty()).await;
    }
}
