//! The engine's loops against the in-memory cluster (`fake.rs`): no broker,
//! virtual time (tokio's paused clock), and answers a real broker cannot be
//! made to give on cue. The broker suites test the same paths for real.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

use super::admin::{Admin, ErrorCode, RequestOptions};
use super::cluster::Cluster;
use super::fake::{error, Api, FakeCluster};
use super::watch::{Drift, Outcome, Pass, Trigger, WatchOptions};
use crate::access::{AclBinding, Operation, PatternType, Permission, ResourceType};
use crate::error::{Error, ProblemKind, TopicProblem};
use crate::options::EnsureOptions;
use crate::ownership::{Namespace, Ownership};
use crate::plan::PlannedAction;
use crate::report::Action;
use crate::spec::TopicSpec;

fn spec(name: &str, partitions: i32, config: &[(&str, &str)]) -> TopicSpec {
    TopicSpec {
        key: Cow::Owned(name.replace('.', "_")),
        name: Cow::Owned(name.into()),
        partitions: crate::spec::Size::from_kafka(partitions),
        replication_factor: crate::spec::Size::from_kafka(1),
        config: config
            .iter()
            .map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string())))
            .collect::<Vec<_>>()
            .into(),
        keep_unmanaged_configs: false,
    }
}

fn options() -> EnsureOptions {
    EnsureOptions::new("fake:9092").timeout(Duration::from_secs(30))
}

async fn connect(fake: &Arc<FakeCluster>, options: &EnsureOptions) -> Cluster {
    let admin: Arc<dyn Admin> = Arc::clone(fake) as Arc<dyn Admin>;
    Cluster::with_admin(admin, options).await.unwrap()
}

fn names(n: usize, prefix: &str) -> Vec<TopicSpec> {
    (0..n)
        .map(|i| spec(&format!("{prefix}.{i:05}"), 1, &[]))
        .collect()
}

fn owning(prefix: &str) -> Ownership {
    Ownership {
        owns: Some(Namespace::new([prefix]).unwrap()),
        protect: Namespace::default(),
        protect_principals: Vec::new(),
    }
}

// --- plan -----------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn an_empty_cluster_plans_a_create_per_topic_and_changes_nothing() {
    let fake = Arc::new(FakeCluster::new());
    let cluster = connect(&fake, &options()).await;
    let specs = [spec("a", 2, &[("retention.ms", "1000")]), spec("b", 1, &[])];
    let plan = cluster.plan(&specs).await.unwrap();
    assert!(plan
        .topics
        .iter()
        .all(|t| matches!(t.action, PlannedAction::Create(_))));
    assert!(fake.topic_names().is_empty());
    assert!(fake.calls_of(Api::CreateTopics).is_empty());
}

#[tokio::test(start_paused = true)]
async fn past_1000_topics_every_one_is_described_in_calls_of_at_most_1000() {
    let specs = names(2_500, "big");
    let mut fake = FakeCluster::new();
    for s in &specs {
        fake = fake.with_topic(&s.name, 1, &[]);
    }
    let fake = Arc::new(fake);
    let cluster = connect(&fake, &options()).await;
    let plan = cluster.plan(&specs).await.unwrap();
    // A dropped call would leave its topics looking absent: planned as creates.
    assert!(plan.is_converged(), "{}", plan.summary());
    let described = fake.calls_of(Api::DescribeTopics);
    assert_eq!(described.len(), 3);
    assert!(described.iter().all(|c| c.names.len() <= 1000));
    let mut seen: Vec<String> = described.into_iter().flat_map(|c| c.names).collect();
    seen.sort();
    let wanted: Vec<String> = specs.iter().map(|s| s.name.to_string()).collect();
    assert_eq!(seen, wanted);
    let configs = fake.calls_of(Api::DescribeConfigs);
    assert!(configs.iter().all(|c| c.names.len() <= 1000));
    assert_eq!(configs.iter().map(|c| c.names.len()).sum::<usize>(), 2_500);
}

#[tokio::test(start_paused = true)]
async fn drift_plans_set_and_reset_and_growth_and_refuses_a_decrease() {
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic(
                "drift",
                2,
                &[("retention.ms", "1"), ("segment.ms", "60000")],
            )
            .with_topic("shrink", 4, &[]),
    );
    let cluster = connect(&fake, &options()).await;
    let plan = cluster
        .plan(&[
            spec("drift", 3, &[("retention.ms", "2")]),
            spec("shrink", 2, &[]),
        ])
        .await
        .unwrap();
    let PlannedAction::Update {
        configs,
        partitions,
    } = &plan.topics[0].action
    else {
        panic!("{plan}");
    };
    assert_eq!(configs.len(), 2, "{plan}");
    assert_eq!(partitions.map(|g| (g.from, g.to)), Some((2, 3)));
    assert!(matches!(
        plan.topics[1].action,
        PlannedAction::Refused { .. }
    ));
}

#[tokio::test(start_paused = true)]
async fn metadata_refused_for_a_topic_fails_the_plan_naming_it() {
    let fake = Arc::new(FakeCluster::new().with_topic("secret", 1, &[]));
    fake.fail_topic(
        Api::DescribeTopics,
        "secret",
        usize::MAX,
        None,
        error(
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            "TOPIC_AUTHORIZATION_FAILED",
        ),
    );
    let cluster = connect(&fake, &options()).await;
    let err = cluster.plan(&[spec("secret", 1, &[])]).await.unwrap_err();
    assert!(
        matches!(err.problems(), [p] if p.topic == "secret" && p.code() == Some("TOPIC_AUTHORIZATION_FAILED")),
        "{err}"
    );
}

// --- converge -------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn ensure_creates_alters_and_grows_then_a_rerun_changes_nothing() {
    let fake = Arc::new(FakeCluster::new().with_topic(
        "old",
        1,
        &[("retention.ms", "1"), ("segment.ms", "60000")],
    ));
    let specs = [
        spec("new", 3, &[("cleanup.policy", "compact")]),
        spec("old", 2, &[("retention.ms", "2")]),
    ];
    let cluster = connect(&fake, &options()).await;
    let report = cluster.ensure(&specs).await.unwrap();
    assert!(matches!(report.topics[0].action, Action::Created(_)));
    assert!(matches!(report.topics[1].action, Action::Updated { .. }));
    let (partitions, configs) = fake.topic("new").unwrap();
    assert_eq!(partitions, 3);
    assert_eq!(
        configs.get("cleanup.policy").map(String::as_str),
        Some("compact")
    );
    let (partitions, configs) = fake.topic("old").unwrap();
    assert_eq!(partitions, 2);
    assert_eq!(
        configs.into_iter().collect::<Vec<_>>(),
        [("retention.ms".to_string(), "2".to_string())]
    );
    assert!(report.topics.iter().all(|t| t.serving_after_ms.is_some()));

    let rerun = cluster.ensure(&specs).await.unwrap();
    assert!(rerun.topics.iter().all(|t| t.action == Action::Unchanged));
    let r = rerun.requests;
    assert_eq!(
        (
            r.metadata,
            r.describe_configs,
            r.create_topics,
            r.list_offsets
        ),
        (1, 1, 0, 1),
        "{r:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_change_made_behind_the_engines_back_is_reverted_by_the_next_run() {
    let fake = Arc::new(FakeCluster::new());
    let specs = [spec("a", 1, &[("retention.ms", "1000")])];
    let cluster = connect(&fake, &options()).await;
    cluster.ensure(&specs).await.unwrap();
    fake.set_config("a", "retention.ms", "1");
    fake.set_config("a", "segment.ms", "60000");
    let report = cluster.ensure(&specs).await.unwrap();
    assert!(
        matches!(report.topics[0].action, Action::Updated { ref configs, .. } if configs.len() == 2)
    );
    let (_, configs) = fake.topic("a").unwrap();
    assert_eq!(
        configs.into_iter().collect::<Vec<_>>(),
        [("retention.ms".to_string(), "1000".to_string())]
    );
}

#[tokio::test(start_paused = true)]
async fn the_first_call_on_a_handle_reports_the_connect() {
    let fake = Arc::new(FakeCluster::new());
    let cluster = connect(&fake, &options()).await;
    let first = cluster.ensure(&[spec("a", 1, &[])]).await.unwrap();
    let again = cluster.ensure(&[spec("a", 1, &[])]).await.unwrap();
    assert_eq!(first.requests.describe_cluster, 1);
    assert_eq!(again.requests.describe_cluster, 0);
    assert_eq!(fake.calls_of(Api::DescribeCluster).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn validation_refused_by_the_broker_commits_nothing_and_names_every_problem() {
    let fake = Arc::new(FakeCluster::new().with_topic("t", 1, &[]));
    let invalid = error(ErrorCode(40), "INVALID_CONFIG");
    fake.fail_topic(
        Api::CreateTopics,
        "bad",
        usize::MAX,
        Some(true),
        invalid.clone(),
    );
    fake.fail_topic(Api::AlterConfigs, "t", usize::MAX, Some(true), invalid);
    let cluster = connect(&fake, &options()).await;
    let err = cluster
        .ensure(&[
            spec("good", 1, &[]),
            spec("bad", 1, &[("segment.ms", "1")]),
            spec("t", 1, &[("retention.ms", "5")]),
        ])
        .await
        .unwrap_err();
    let Error::Rejected { problems } = &err else {
        panic!("{err}");
    };
    assert_eq!(problems.len(), 2, "{err}");
    assert_eq!(fake.topic_names(), ["t"]);
    assert!(fake
        .calls()
        .iter()
        .filter(|c| matches!(c.api, Api::CreateTopics | Api::AlterConfigs))
        .all(|c| c.validate_only));
}

#[tokio::test(start_paused = true)]
async fn a_retriable_refusal_is_retried_until_it_ends() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail(
        Api::CreateTopics,
        3,
        error(ErrorCode::NOT_CONTROLLER, "NOT_CONTROLLER"),
    );
    let cluster = connect(&fake, &options()).await;
    cluster.ensure(&[spec("a", 1, &[])]).await.unwrap();
    assert!(fake.topic("a").is_some());
    assert!(fake.calls_of(Api::CreateTopics).len() >= 4);
}

#[tokio::test(start_paused = true)]
async fn a_retriable_refusal_that_never_ends_fails_at_the_deadline() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail(
        Api::CreateTopics,
        usize::MAX,
        error(ErrorCode::REQUEST_TIMED_OUT, "REQUEST_TIMED_OUT"),
    );
    let options = options().timeout(Duration::from_secs(5));
    let cluster = connect(&fake, &options).await;
    let started = tokio::time::Instant::now();
    let err = cluster.ensure(&[spec("a", 1, &[])]).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    assert!(
        started.elapsed() <= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert!(fake.topic("a").is_none());
}

#[tokio::test(start_paused = true)]
async fn a_permanent_refusal_fails_at_once() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail_topic(
        Api::CreateTopics,
        "a",
        usize::MAX,
        None,
        error(
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            "TOPIC_AUTHORIZATION_FAILED",
        ),
    );
    let cluster = connect(&fake, &options()).await;
    let started = tokio::time::Instant::now();
    let err = cluster.ensure(&[spec("a", 1, &[])]).await.unwrap_err();
    assert!(
        err.to_string().contains("TOPIC_AUTHORIZATION_FAILED"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(fake.calls_of(Api::CreateTopics).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_create_raced_with_the_same_settings_is_progress() {
    let fake = Arc::new(FakeCluster::new());
    fake.race("a", 2, &[("retention.ms", "1000")]);
    let cluster = connect(&fake, &options()).await;
    let report = cluster
        .ensure(&[spec("a", 2, &[("retention.ms", "1000")])])
        .await
        .unwrap();
    assert_eq!(report.topics[0].action, Action::Unchanged);
    assert!(fake.calls_of(Api::AlterConfigs).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_create_raced_with_other_settings_is_corrected_by_verification() {
    let fake = Arc::new(FakeCluster::new());
    fake.race("a", 1, &[("retention.ms", "1")]);
    let cluster = connect(&fake, &options()).await;
    cluster
        .ensure(&[spec("a", 1, &[("retention.ms", "1000")])])
        .await
        .unwrap();
    let (_, configs) = fake.topic("a").unwrap();
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("1000")
    );
    assert_eq!(
        fake.calls_of(Api::AlterConfigs)
            .iter()
            .filter(|c| !c.validate_only)
            .count(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn a_batch_over_the_controllers_record_limit_is_halved_until_it_fits() {
    let fake = Arc::new(FakeCluster::new().with_record_limit(50));
    let specs = names(40, "half");
    let cluster = connect(&fake, &options()).await;
    cluster.ensure(&specs).await.unwrap();
    assert_eq!(fake.topic_names().len(), 40);
    let creates: Vec<_> = fake
        .calls_of(Api::CreateTopics)
        .into_iter()
        .filter(|c| !c.validate_only)
        .collect();
    assert!(creates.len() >= 2, "{creates:?}");
    // Each topic is one record and one partition: 25 fit in 50.
    assert!(creates.iter().any(|c| c.names.len() <= 25));
}

#[tokio::test(start_paused = true)]
async fn more_replicas_than_brokers_is_retried_for_the_grace_then_refused() {
    let fake = Arc::new(FakeCluster::new());
    let options = options().broker_grace(Duration::from_secs(3));
    let cluster = connect(&fake, &options).await;
    let mut wide = spec("wide", 1, &[]);
    wide.replication_factor = crate::spec::Size::from_kafka(3);
    let started = tokio::time::Instant::now();
    let err = cluster.ensure(&[wide]).await.unwrap_err();
    assert!(
        err.to_string()
            .contains("replication factor 3 wanted but only 1 broker is available"),
        "{err}"
    );
    assert!(started.elapsed() >= Duration::from_secs(3));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test(start_paused = true)]
async fn three_brokers_take_replication_factor_3() {
    let fake = Arc::new(FakeCluster::new().with_brokers(3));
    let cluster = connect(&fake, &options()).await;
    let mut wide = spec("wide", 3, &[]);
    wide.replication_factor = crate::spec::Size::from_kafka(3);
    cluster.ensure(&[wide]).await.unwrap();
    assert_eq!(cluster.brokers(), 3);
    assert_eq!(fake.topic("wide").unwrap().0, 3);
}

// --- serving --------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn the_gate_waits_until_every_new_partition_serves() {
    let fake = Arc::new(FakeCluster::new().serving_after(3));
    let cluster = connect(&fake, &options()).await;
    let report = cluster.ensure(&[spec("slow", 4, &[])]).await.unwrap();
    // Each partition was refused three times, then served.
    let asks = fake.calls_of(Api::ListOffsets);
    assert!(asks.len() >= 4, "{asks:?}");
    assert!(report.topics[0].serving_after_ms.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_leader_that_does_not_answer_is_asked_again() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail_topic(
        Api::ListOffsets,
        "quiet/0",
        2,
        None,
        error(ErrorCode::NO_OFFSET, "_NO_OFFSET"),
    );
    let cluster = connect(&fake, &options()).await;
    cluster.ensure(&[spec("quiet", 2, &[])]).await.unwrap();
    let asked_0 = fake
        .calls_of(Api::ListOffsets)
        .iter()
        .filter(|c| c.names.contains(&"quiet/0".to_string()))
        .count();
    assert_eq!(asked_0, 3);
}

#[tokio::test(start_paused = true)]
async fn a_partition_refused_for_good_fails_the_gate_at_once_naming_it() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail_topic(
        Api::ListOffsets,
        "locked/1",
        usize::MAX,
        None,
        error(
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            "TOPIC_AUTHORIZATION_FAILED",
        ),
    );
    let cluster = connect(&fake, &options()).await;
    let started = tokio::time::Instant::now();
    let err = cluster.ensure(&[spec("locked", 2, &[])]).await.unwrap_err();
    assert!(
        matches!(err.problems(), [TopicProblem { topic, kind: ProblemKind::Broker { operation: "list offsets", message, .. } }] if topic == "locked" && message.starts_with("partition 1:")),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(1));
}

#[tokio::test(start_paused = true)]
async fn the_gate_asks_in_calls_of_at_most_2500_partitions_and_asks_them_all() {
    let fake = Arc::new(FakeCluster::new());
    let specs: Vec<TopicSpec> = (0..60)
        .map(|i| spec(&format!("wide.{i:02}"), 100, &[]))
        .collect();
    let cluster = connect(&fake, &options()).await;
    cluster.ensure(&specs).await.unwrap();
    let asks = fake.calls_of(Api::ListOffsets);
    assert!(asks.iter().all(|c| c.names.len() <= 2500), "{}", asks.len());
    let mut asked: Vec<String> = asks.into_iter().flat_map(|c| c.names).collect();
    asked.sort();
    asked.dedup();
    assert_eq!(asked.len(), 6_000);
}

#[tokio::test(start_paused = true)]
async fn a_partition_that_never_serves_is_named_at_the_deadline() {
    let fake = Arc::new(FakeCluster::new().serving_after(usize::MAX));
    let options = options().timeout(Duration::from_secs(10));
    let cluster = connect(&fake, &options).await;
    let err = cluster.ensure(&[spec("stuck", 1, &[])]).await.unwrap_err();
    let Error::Deadline { last_error, .. } = &err else {
        panic!("{err}");
    };
    assert!(last_error.contains("stuck/0"), "{last_error}");
}

// --- prune ----------------------------------------------------------------

fn pruning(prefix: &str, max: usize) -> EnsureOptions {
    options().prune(max).ownership(owning(prefix))
}

#[tokio::test(start_paused = true)]
async fn pruning_deletes_last_only_after_everything_else_succeeded() {
    let fake = Arc::new(FakeCluster::new().with_topic("p.old", 1, &[]));
    let cluster = connect(&fake, &pruning("p.", 5)).await;
    cluster.ensure(&[spec("p.new", 1, &[])]).await.unwrap();
    assert_eq!(fake.topic_names(), ["p.new"]);
    let calls = fake.calls();
    let delete = calls
        .iter()
        .position(|c| c.api == Api::DeleteTopics)
        .unwrap();
    let last_create = calls
        .iter()
        .rposition(|c| c.api == Api::CreateTopics)
        .unwrap();
    let last_serving = calls
        .iter()
        .rposition(|c| c.api == Api::ListOffsets && c.names.iter().any(|n| n.starts_with("p.new/")))
        .unwrap();
    assert!(delete > last_create && delete > last_serving);
}

#[tokio::test(start_paused = true)]
async fn a_failed_run_deletes_nothing() {
    let fake = Arc::new(FakeCluster::new().with_topic("p.old", 1, &[]));
    fake.fail_topic(
        Api::CreateTopics,
        "p.new",
        usize::MAX,
        Some(false),
        error(ErrorCode(40), "INVALID_CONFIG"),
    );
    let cluster = connect(&fake, &pruning("p.", 5)).await;
    cluster.ensure(&[spec("p.new", 1, &[])]).await.unwrap_err();
    assert_eq!(fake.topic_names(), ["p.old"]);
    assert!(fake.calls_of(Api::DeleteTopics).is_empty());
}

#[tokio::test(start_paused = true)]
async fn more_orphans_than_allowed_changes_nothing() {
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("p.a", 1, &[])
            .with_topic("p.b", 1, &[]),
    );
    let cluster = connect(&fake, &pruning("p.", 1)).await;
    let err = cluster.ensure(&[spec("p.new", 1, &[])]).await.unwrap_err();
    assert!(
        matches!(err, Error::TooManyDeletions { max: 1, .. }),
        "{err}"
    );
    assert_eq!(fake.topic_names(), ["p.a", "p.b"]);
    assert!(fake.calls_of(Api::CreateTopics).is_empty());
}

#[tokio::test(start_paused = true)]
async fn orphans_in_use_are_kept_with_their_reason_and_idle_ones_deleted() {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("p.read", 1, &[])
            .with_topic("p.fresh", 2, &[])
            .with_topic("p.old", 1, &[])
            .with_topic("p.empty", 1, &[])
            .with_topic("q.other", 1, &[])
            .with_records("p.read", now - 5 * 86_400_000)
            .with_records("p.fresh", now - 60_000)
            .with_records("p.old", now - 3 * 86_400_000)
            .with_offsets("billing", "p.read")
            .with_offsets("unrelated", "q.other"),
    );
    let cluster = connect(&fake, &pruning("p.", 5)).await;
    let plan = cluster.plan(&[]).await.unwrap();
    let action = |name: &str| {
        plan.topics
            .iter()
            .find(|t| t.name == name)
            .unwrap()
            .action
            .clone()
    };
    assert!(matches!(action("p.read"), PlannedAction::Keep(k) if k.groups == ["billing"]));
    assert!(
        matches!(action("p.fresh"), PlannedAction::Keep(k) if k.reason == "in use: last record 1 min ago")
    );
    assert!(matches!(action("p.old"), PlannedAction::Delete(_)));
    assert!(matches!(action("p.empty"), PlannedAction::Delete(_)));
    let report = cluster.apply(&plan).await.unwrap();
    assert_eq!(report.deleted().count(), 2);
    assert_eq!(fake.topic_names(), ["p.fresh", "p.read", "q.other"]);
    // One ListGroups, one OffsetFetch per group.
    assert_eq!(fake.calls_of(Api::ListGroups).len(), 1);
    assert_eq!(fake.calls_of(Api::OffsetFetch).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_orphan_whose_leader_does_not_answer_is_never_taken_for_idle() {
    let fake = Arc::new(FakeCluster::new().with_topic("p.quiet", 1, &[]));
    fake.fail_topic(
        Api::ListOffsets,
        "p.quiet/0",
        usize::MAX,
        None,
        error(ErrorCode::NO_OFFSET, "_NO_OFFSET"),
    );
    let options = pruning("p.", 5).timeout(Duration::from_secs(5));
    let cluster = connect(&fake, &options).await;
    let err = cluster.ensure(&[]).await.unwrap_err();
    assert!(matches!(err, Error::Deadline { .. }), "{err}");
    assert_eq!(fake.topic_names(), ["p.quiet"]);
}

#[tokio::test(start_paused = true)]
async fn a_group_whose_offsets_are_refused_fails_pruning_at_once() {
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("p.x", 1, &[])
            .with_offsets("secret", "p.x"),
    );
    fake.fail_topic(
        Api::OffsetFetch,
        "secret",
        usize::MAX,
        None,
        error(
            ErrorCode::GROUP_AUTHORIZATION_FAILED,
            "GROUP_AUTHORIZATION_FAILED",
        ),
    );
    let cluster = connect(&fake, &pruning("p.", 5)).await;
    let err = cluster.plan(&[]).await.unwrap_err();
    assert!(
        err.to_string().contains("GROUP_AUTHORIZATION_FAILED"),
        "{err}"
    );
    assert_eq!(fake.topic_names(), ["p.x"]);
}

#[tokio::test(start_paused = true)]
async fn an_orphan_deleted_while_being_listed_is_left_out() {
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("p.a", 1, &[])
            .with_topic("p.gone", 1, &[]),
    );
    fake.fail_topic(
        Api::DescribeConfigs,
        "p.gone",
        usize::MAX,
        None,
        error(
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            "UNKNOWN_TOPIC_OR_PARTITION",
        ),
    );
    let cluster = connect(&fake, &options()).await;
    let found = cluster.orphans(&[], &owning("p.")).await.unwrap();
    let names: Vec<&str> = found.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["p.a"]);
    assert_eq!(fake.calls_of(Api::DescribeConfigs).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn creating_x_y_while_deleting_x_dot_y_is_refused_up_front() {
    let fake = Arc::new(FakeCluster::new().with_topic("p.x.y", 1, &[]));
    let cluster = connect(&fake, &pruning("p.", 5)).await;
    let err = cluster.ensure(&[spec("p.x_y", 1, &[])]).await.unwrap_err();
    assert!(err.to_string().contains("collides with `p.x.y`"), "{err}");
    assert_eq!(fake.topic_names(), ["p.x.y"]);
    assert!(fake.calls_of(Api::CreateTopics).is_empty());
}

// --- connecting -------------------------------------------------------------

#[tokio::test(start_paused = true)]
async fn a_cluster_that_never_answers_is_unreachable_with_the_clients_reason() {
    let fake = Arc::new(FakeCluster::new());
    fake.fail(
        Api::DescribeCluster,
        usize::MAX,
        error(ErrorCode::TRANSPORT, "_TRANSPORT"),
    );
    let options = options().timeout(Duration::from_secs(3));
    let admin: Arc<dyn Admin> = Arc::clone(&fake) as Arc<dyn Admin>;
    let err = Cluster::with_admin(admin, &options).await.unwrap_err();
    assert!(
        matches!(&err, Error::Unreachable { last_error, .. } if last_error.contains("_TRANSPORT")),
        "{err}"
    );
}

#[tokio::test(start_paused = true)]
async fn refused_credentials_fail_after_the_grace_not_the_deadline() {
    let fake = Arc::new(FakeCluster::new());
    fake.refuse_login(
        "sasl_ssl://127.0.0.1:9094/1: SASL authentication error: Authentication failed (password=hunter2)",
    );
    let options = options()
        .timeout(Duration::from_secs(60))
        .broker_grace(Duration::from_secs(5))
        .client(crate::ClientProperties::new().with("sasl.password", "hunter2"));
    let admin: Arc<dyn Admin> = Arc::clone(&fake) as Arc<dyn Admin>;
    let started = tokio::time::Instant::now();
    let err = Cluster::with_admin(admin, &options).await.unwrap_err();
    let waited = started.elapsed();
    let Error::Authentication {
        listener,
        login,
        reason,
        ..
    } = &err
    else {
        panic!("{err}");
    };
    assert_eq!(listener, "127.0.0.1:9094");
    assert!(login.contains("SCRAM-SHA-512"), "{login}");
    assert!(!reason.contains("hunter2"), "{reason}");
    assert!(
        waited >= Duration::from_secs(5) && waited < Duration::from_secs(10),
        "{waited:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn broker_defaults_are_read_once_for_default_sizes() {
    let fake = Arc::new(FakeCluster::new().with_brokers(3));
    let cluster = connect(&fake, &options()).await;
    let mut d = spec("d", -1, &[]);
    d.replication_factor = crate::spec::Size::from_kafka(-1);
    cluster.ensure(&[d]).await.unwrap();
    assert_eq!(fake.topic("d").unwrap().0, 1);
    // Read by the plan; a topic this run created is not planned again.
    assert_eq!(fake.calls_of(Api::BrokerConfigs).len(), 1);
}

// --- watch ----------------------------------------------------------------

/// What a test keeps of a pass.
#[derive(Debug)]
struct Seen {
    number: u64,
    trigger: Trigger,
    drift: Option<Drift>,
    changed: Vec<String>,
    failed: bool,
    ready: bool,
    next_in: Duration,
    at: tokio::time::Instant,
}

fn seen(pass: &Pass) -> Seen {
    let changed = match &pass.outcome {
        Outcome::Applied(report) => report
            .topics
            .iter()
            .filter(|t| t.action != Action::Unchanged)
            .map(|t| t.name.clone())
            .collect(),
        _ => Vec::new(),
    };
    Seen {
        number: pass.number,
        trigger: pass.trigger,
        drift: pass.drift.clone(),
        changed,
        failed: matches!(pass.outcome, Outcome::Failed(_)),
        ready: pass.readiness().is_ok(),
        next_in: pass.next_in,
        at: tokio::time::Instant::now(),
    }
}

/// Runs `cluster.watch` beside `script`, which gets the passes as they
/// come and the sender of the specs; the loop ends when `script` drops it.
async fn watching<S, Fut>(
    cluster: &Cluster,
    specs: Vec<TopicSpec>,
    options: WatchOptions,
    script: S,
) where
    S: FnOnce(tokio::sync::watch::Sender<Vec<TopicSpec>>, UnboundedReceiver<Seen>) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let (specs_tx, specs_rx) = tokio::sync::watch::channel(specs);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let looping = cluster.watch(specs_rx, options, move |pass| {
        let _ = tx.send(seen(pass));
    });
    // The loop must end once the script has dropped the sender.
    let ((), ()) = tokio::join!(looping, script(specs_tx, rx));
}

#[tokio::test(start_paused = true)]
async fn watch_fixes_drift_each_pass_and_says_what_it_found() {
    let fake = Arc::new(FakeCluster::new().with_topic("kept", 1, &[("retention.ms", "1000")]));
    let cluster = connect(&fake, &options()).await;
    let specs = vec![
        spec("kept", 1, &[("retention.ms", "1000")]),
        spec("made", 2, &[]),
    ];
    let every = Duration::from_secs(10);
    watching(
        &cluster,
        specs,
        WatchOptions::every(every),
        |tx, mut passes| {
            let fake = Arc::clone(&fake);
            async move {
                let first = passes.recv().await.unwrap();
                assert_eq!(first.trigger, Trigger::Start);
                assert_eq!(first.drift.as_ref().unwrap().missing, ["made"]);
                assert_eq!(first.changed, ["made"]);
                assert!(first.ready && !first.failed);
                assert_eq!(fake.topic("made").map(|t| t.0), Some(2));

                let converged = passes.recv().await.unwrap();
                assert_eq!(converged.trigger, Trigger::Interval);
                assert!(converged.drift.as_ref().unwrap().is_empty());
                assert!(converged.changed.is_empty());
                assert!(converged.at - first.at >= every);

                // Changed and deleted behind the loop's back.
                fake.set_config("kept", "retention.ms", "5");
                fake.delete_topic("made");
                let fixed = passes.recv().await.unwrap();
                let drift = fixed.drift.unwrap();
                assert_eq!(drift.config, ["kept"]);
                assert_eq!(drift.missing, ["made"]);
                assert_eq!(fixed.changed, ["kept", "made"]);
                assert_eq!(
                    fake.topic("kept")
                        .unwrap()
                        .1
                        .get("retention.ms")
                        .map(String::as_str),
                    Some("1000")
                );
                assert!(fake.topic("made").is_some());
                assert_eq!(fixed.number, 3);
                drop(tx);
            }
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn watch_report_only_changes_nothing_and_is_not_ready_while_drifted() {
    let fake = Arc::new(FakeCluster::new().with_topic("t", 1, &[("retention.ms", "5")]));
    let cluster = connect(&fake, &options()).await;
    let specs = vec![
        spec("t", 1, &[("retention.ms", "1000")]),
        spec("new", 1, &[]),
    ];
    let options = WatchOptions::every(Duration::from_secs(10)).report_only(true);
    watching(&cluster, specs, options, |tx, mut passes| async move {
        for _ in 0..2 {
            let pass = passes.recv().await.unwrap();
            let drift = pass.drift.unwrap();
            assert_eq!(drift.config, ["t"]);
            assert_eq!(drift.missing, ["new"]);
            assert!(!pass.ready && !pass.failed);
        }
        drop(tx);
    })
    .await;
    assert_eq!(fake.topic_names(), ["t"]);
    assert!(fake
        .calls()
        .iter()
        .all(|c| !matches!(c.api, Api::CreateTopics | Api::AlterConfigs)));
}

#[tokio::test(start_paused = true)]
async fn watch_retries_a_failed_pass_with_doubling_pauses_then_returns_to_the_interval() {
    let fake = Arc::new(FakeCluster::new().with_topic("a", 1, &[]));
    fake.fail_topic(
        Api::DescribeTopics,
        "a",
        3,
        None,
        error(
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            "TOPIC_AUTHORIZATION_FAILED",
        ),
    );
    let cluster = connect(&fake, &options()).await;
    let every = Duration::from_secs(60);
    watching(
        &cluster,
        vec![spec("a", 1, &[])],
        WatchOptions::every(every),
        |tx, mut passes| async move {
            let mut all = Vec::new();
            for _ in 0..5 {
                all.push(passes.recv().await.unwrap());
            }
            let failed: Vec<bool> = all.iter().map(|p| p.failed).collect();
            assert_eq!(failed, [true, true, true, false, false]);
            assert!(all.iter().all(|p| p.drift.is_some() != p.failed));
            assert!(!all[0].ready && all[3].ready);
            let s = Duration::from_secs;
            let pauses: Vec<Duration> = all.iter().map(|p| p.next_in).collect();
            assert_eq!(pauses, [s(1), s(2), s(4), every, every]);
            let triggers: Vec<Trigger> = all.iter().map(|p| p.trigger).collect();
            use Trigger::*;
            assert_eq!(triggers, [Start, Retry, Retry, Retry, Interval]);
            for pair in all.windows(2) {
                assert!(pair[1].at - pair[0].at >= pair[0].next_in);
            }
            drop(tx);
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn watch_runs_a_pass_at_once_when_the_specs_change() {
    let fake = Arc::new(FakeCluster::new());
    let cluster = connect(&fake, &options()).await;
    let hour = Duration::from_secs(3600);
    watching(
        &cluster,
        vec![spec("one", 1, &[])],
        WatchOptions::every(hour),
        |tx, mut passes| {
            let fake = Arc::clone(&fake);
            async move {
                let first = passes.recv().await.unwrap();
                tx.send(vec![spec("one", 1, &[]), spec("two", 3, &[])])
                    .unwrap();
                let second = passes.recv().await.unwrap();
                assert_eq!(second.trigger, Trigger::Changed);
                assert!(second.at - first.at < Duration::from_secs(1));
                assert_eq!(second.changed, ["two"]);
                assert_eq!(fake.topic("two").map(|t| t.0), Some(3));
                drop(tx);
            }
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn watch_counts_orphans_in_the_namespace_without_pruning_them() {
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("app.a", 1, &[])
            .with_topic("app.stray", 1, &[])
            .with_topic("other", 1, &[]),
    );
    let options = options().ownership(owning("app."));
    let cluster = connect(&fake, &options).await;
    watching(
        &cluster,
        vec![spec("app.a", 1, &[])],
        WatchOptions::every(Duration::from_secs(10)),
        |tx, mut passes| async move {
            let pass = passes.recv().await.unwrap();
            assert_eq!(pass.drift.unwrap().orphan, ["app.stray"]);
            assert!(pass.ready);
            drop(tx);
        },
    )
    .await;
    assert_eq!(fake.topic_names(), ["app.a", "app.stray", "other"]);
}

// --- the fake's ACL store ---------------------------------------------------

fn acl(principal: &str, resource_type: ResourceType, name: &str) -> AclBinding {
    AclBinding::new(
        principal,
        "*",
        Operation::Read,
        Permission::Allow,
        resource_type,
        name,
        PatternType::Literal,
    )
}

fn acl_request() -> RequestOptions {
    RequestOptions {
        timeout: Duration::from_secs(5),
        validate_only: false,
    }
}

#[tokio::test]
async fn the_fakes_acls_are_created_once_and_deleted_only_on_an_exact_match() {
    let theirs = acl("User:other", ResourceType::Topic, "t");
    let fake = FakeCluster::new().with_acl(theirs.clone());
    let (topic, group) = (
        acl("User:a", ResourceType::Topic, "t"),
        acl("User:a", ResourceType::Group, "t"),
    );
    let created = fake
        .create_acls(
            vec![topic.clone(), group.clone(), topic.clone()],
            acl_request(),
        )
        .await
        .unwrap();
    assert!(created.iter().all(|(_, r)| r.is_ok()), "{created:?}");
    let mut want = vec![theirs.clone(), topic.clone(), group.clone()];
    want.sort();
    assert_eq!(fake.describe_acls(acl_request()).await.unwrap(), want);

    // Another host is another binding: deleting it leaves this one.
    let elsewhere = AclBinding {
        host: "10.0.0.1".into(),
        ..topic.clone()
    };
    let deleted = fake
        .delete_acls(vec![elsewhere.clone(), group.clone()], acl_request())
        .await
        .unwrap();
    assert_eq!(deleted, [(elsewhere, Ok(())), (group, Ok(()))]);
    let mut want = vec![theirs, topic];
    want.sort();
    assert_eq!(fake.acls(), want);
    assert_eq!(fake.calls_of(Api::CreateAcls)[0].names.len(), 3);
}

#[tokio::test]
async fn the_fake_refuses_every_acl_request_when_told_and_changes_nothing() {
    let kept = acl("User:a", ResourceType::Topic, "t");
    let fake = FakeCluster::new().with_acl(kept.clone());
    fake.refuse_acls(
        ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
        "CLUSTER_AUTHORIZATION_FAILED",
    );
    let new = acl("User:b", ResourceType::Topic, "t");
    let e = fake
        .create_acls(vec![new], acl_request())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED);
    let e = fake
        .delete_acls(vec![kept.clone()], acl_request())
        .await
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED);
    let e = fake.describe_acls(acl_request()).await.unwrap_err();
    assert_eq!(e.code, ErrorCode::CLUSTER_AUTHORIZATION_FAILED);
    assert_eq!(fake.acls(), [kept]);
}

#[tokio::test]
async fn one_binding_of_a_fake_acl_request_can_be_refused_alone() {
    let fake = FakeCluster::new();
    let (good, bad) = (
        acl("User:a", ResourceType::Topic, "good"),
        acl("User:a", ResourceType::Topic, "bad"),
    );
    fake.fail_topic(
        Api::CreateAcls,
        &bad.to_string(),
        1,
        None,
        error(ErrorCode::INVALID_REQUEST, "INVALID_REQUEST"),
    );
    let created = fake
        .create_acls(vec![good.clone(), bad.clone()], acl_request())
        .await
        .unwrap();
    assert!(created[0].1.is_ok());
    assert_eq!(
        created[1].1.as_ref().unwrap_err().code,
        ErrorCode::INVALID_REQUEST
    );
    assert_eq!(fake.acls(), [good]);
}

// --- access -----------------------------------------------------------------

fn entry(principal: &str) -> crate::access::AccessEntry {
    crate::access::AccessEntry::new("svc", principal)
        .produce(["dc.a"])
        .groups(["dc.g"])
}

fn allow(principal: &str, op: Operation, kind: ResourceType, name: &str) -> AclBinding {
    AclBinding::new(
        principal,
        "*",
        op,
        Permission::Allow,
        kind,
        name,
        PatternType::Literal,
    )
}

#[tokio::test(start_paused = true)]
async fn access_is_granted_after_the_topics_and_a_rerun_reads_it_once_and_creates_nothing() {
    let fake = Arc::new(FakeCluster::new());
    let options = options()
        .ownership(owning("dc."))
        .access([entry("User:svc")]);
    let cluster = connect(&fake, &options).await;
    let specs = [spec("dc.a", 1, &[])];
    let plan = cluster.plan(&specs).await.unwrap();
    let grants: Vec<String> = plan.access_changes().map(|a| a.to_string()).collect();
    assert_eq!(
        grants,
        [
            "grant   User:svc  WRITE  topic dc.a",
            "grant   User:svc  READ  group dc.g"
        ]
    );
    assert!(fake.acls().is_empty(), "planning changed nothing");
    let report = cluster.apply(&plan).await.unwrap();
    assert_eq!(report.access.len(), 2);
    assert_eq!(
        fake.acls(),
        vec![
            allow("User:svc", Operation::Write, ResourceType::Topic, "dc.a"),
            allow("User:svc", Operation::Read, ResourceType::Group, "dc.g"),
        ]
    );
    // The grant came after the topic existed.
    let calls = fake.calls();
    let created = calls
        .iter()
        .position(|c| c.api == Api::CreateTopics)
        .unwrap();
    let granted = calls.iter().position(|c| c.api == Api::CreateAcls).unwrap();
    assert!(created < granted);

    let before = fake.calls().len();
    let again = cluster.plan(&specs).await.unwrap();
    assert!(again.is_converged(), "{}", again.summary());
    let rerun: Vec<Api> = fake.calls()[before..].iter().map(|c| c.api).collect();
    assert_eq!(rerun.iter().filter(|a| **a == Api::DescribeAcls).count(), 1);
    assert!(!rerun.contains(&Api::CreateAcls));
}

#[tokio::test(start_paused = true)]
async fn pruning_revokes_owned_bindings_only_and_counts_them_as_deletions() {
    let stale = allow("User:old", Operation::Read, ResourceType::Topic, "dc.a");
    let outside = allow("User:old", Operation::Read, ResourceType::Topic, "other.t");
    let protected = allow("User:admin", Operation::Read, ResourceType::Group, "dc.g");
    let mut deny = allow("User:old", Operation::Write, ResourceType::Topic, "dc.a");
    deny.permission = Permission::Deny;
    let fake = Arc::new(
        FakeCluster::new()
            .with_topic("dc.a", 1, &[])
            .with_acl(stale.clone())
            .with_acl(outside.clone())
            .with_acl(protected.clone())
            .with_acl(deny.clone()),
    );
    let mut ownership = owning("dc.");
    ownership.protect_principals = vec!["User:admin".into()];
    let specs = [spec("dc.a", 1, &[])];

    // One deletion allowed: the stale binding alone already fills it.
    let tight = options()
        .ownership(ownership.clone())
        .access([entry("User:svc")])
        .prune(0);
    let cluster = connect(&fake, &tight).await;
    let err = cluster.plan(&specs).await.unwrap_err();
    assert!(matches!(err, Error::TooManyDeletions { .. }), "{err}");
    assert!(
        err.to_string()
            .contains("access: User:old  READ  topic dc.a"),
        "{err}"
    );

    let options = tight.prune(1);
    let cluster = connect(&fake, &options).await;
    let plan = cluster.plan(&specs).await.unwrap();
    let revoked: Vec<&AclBinding> = plan.revocations().map(|r| &r.binding).collect();
    assert_eq!(revoked, [&stale]);
    cluster.apply(&plan).await.unwrap();
    let left = fake.acls();
    assert!(!left.contains(&stale));
    for kept in [&outside, &protected, &deny] {
        assert!(left.contains(kept), "{kept} was revoked");
    }
    assert!(left.contains(&allow(
        "User:svc",
        Operation::Write,
        ResourceType::Topic,
        "dc.a"
    )));
}

#[tokio::test(start_paused = true)]
async fn a_principal_without_alter_on_the_cluster_fails_at_once_naming_it() {
    let fake = Arc::new(FakeCluster::new().with_topic("dc.a", 1, &[]));
    let options = options().access([entry("User:svc")]);
    let cluster = connect(&fake, &options).await;
    let plan = cluster.plan(&[spec("dc.a", 1, &[])]).await.unwrap();
    fake.refuse_acls(
        ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
        "CLUSTER_AUTHORIZATION_FAILED",
    );
    let started = tokio::time::Instant::now();
    let err = cluster.apply(&plan).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1), "retried: {err}");
    assert!(err.is_authorization(), "{err}");
    assert!(err.to_string().contains("lacks"), "{err}");
    assert!(fake.acls().is_empty());
}

#[tokio::test(start_paused = true)]
async fn without_an_authorizer_access_is_skipped_not_failed() {
    let fake = Arc::new(FakeCluster::new());
    fake.refuse_acls(ErrorCode::SECURITY_DISABLED, "SECURITY_DISABLED");
    let options = options().access([entry("User:svc")]);
    let cluster = connect(&fake, &options).await;
    let specs = [spec("dc.a", 1, &[])];
    let report = cluster.ensure(&specs).await.unwrap();
    assert!(report.access.is_empty());
    assert!(cluster.plan(&specs).await.unwrap().is_converged());
}

#[tokio::test(start_paused = true)]
async fn watch_asks_one_partition_per_leader_for_those_that_served_under_it_before() {
    let fake = Arc::new(FakeCluster::new().with_brokers(3));
    let cluster = connect(&fake, &options()).await;
    let asked_since = |from: usize| -> Vec<String> {
        let mut asked: Vec<String> = fake.calls_of(Api::ListOffsets)[from..]
            .iter()
            .flat_map(|c| c.names.clone())
            .collect();
        asked.sort();
        asked
    };
    watching(
        &cluster,
        vec![spec("wide", 6, &[])],
        WatchOptions::every(Duration::from_secs(10)),
        |tx, mut passes| {
            let fake = Arc::clone(&fake);
            async move {
                let first = passes.recv().await.unwrap();
                assert!(first.ready);
                assert_eq!(asked_since(0).len(), 6);

                // Leaders 1, 2, 3 each answer for one partition.
                let before = fake.calls_of(Api::ListOffsets).len();
                let second = passes.recv().await.unwrap();
                assert!(second.ready && second.changed.is_empty());
                assert_eq!(asked_since(before), ["wide/0", "wide/1", "wide/2"]);

                // A leader that does not answer vouches for nothing: the
                // partitions it led are asked themselves.
                fake.fail_topic(
                    Api::ListOffsets,
                    "wide/0",
                    1,
                    None,
                    error(ErrorCode::NO_OFFSET, "_NO_OFFSET"),
                );
                let before = fake.calls_of(Api::ListOffsets).len();
                let third = passes.recv().await.unwrap();
                assert!(third.ready);
                assert_eq!(
                    asked_since(before),
                    ["wide/0", "wide/0", "wide/1", "wide/2", "wide/3"]
                );
                drop(tx);
            }
        },
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn watch_grants_the_access_of_a_changed_file_at_once_and_reverts_access_drift() {
    let fake = Arc::new(FakeCluster::new());
    let cluster = connect(&fake, &options().ownership(owning("dc."))).await;
    let specs = vec![spec("dc.a", 1, &[])];
    let first = super::watch::Declared::new(specs.clone(), vec![entry("User:svc")]);
    let (tx, rx) = tokio::sync::watch::channel(first);
    let (seen_tx, mut passes) = tokio::sync::mpsc::unbounded_channel();
    let looping = cluster.watch(
        rx,
        WatchOptions::every(Duration::from_secs(60)),
        move |pass| {
            let _ = seen_tx.send(pass.drift.clone().map(|d| d.access).unwrap_or_default());
        },
    );
    let write = allow("User:svc", Operation::Write, ResourceType::Topic, "dc.a");
    let script = async {
        // The first pass grants the file's access.
        assert_eq!(passes.recv().await.unwrap().len(), 2);
        assert!(fake.acls().contains(&write));
        // Another principal for the same roles: granted at once.
        let moved = super::watch::Declared::new(specs.clone(), vec![entry("User:other")]);
        tx.send(moved).unwrap();
        assert_eq!(passes.recv().await.unwrap().len(), 2);
        assert!(fake.acls().contains(&allow(
            "User:other",
            Operation::Write,
            ResourceType::Topic,
            "dc.a"
        )));
        // A binding deleted behind its back is drift, granted again.
        let admin: Arc<dyn Admin> = Arc::clone(&fake) as Arc<dyn Admin>;
        let other = allow("User:other", Operation::Read, ResourceType::Group, "dc.g");
        admin
            .delete_acls(vec![other.clone()], acl_request())
            .await
            .unwrap();
        let drift = passes.recv().await.unwrap();
        assert_eq!(drift, [other.to_string()]);
        assert!(fake.acls().contains(&other));
        drop(tx);
    };
    let ((), ()) = tokio::join!(looping, script);
}

#[tokio::test(start_paused = true)]
async fn without_alter_on_the_cluster_a_run_with_access_to_change_changes_nothing() {
    let fake = Arc::new(FakeCluster::new().with_cluster_operations(&[Operation::Describe]));
    let options = options().access([entry("User:svc")]);
    let cluster = connect(&fake, &options).await;
    let err = cluster.ensure(&[spec("dc.a", 1, &[])]).await.unwrap_err();
    assert!(err.is_authorization(), "{err}");
    assert!(
        err.to_string().contains("lacks ALTER on the cluster"),
        "{err}"
    );
    assert!(fake.calls_of(Api::CreateTopics).is_empty());
    assert!(fake.topic_names().is_empty());
    // With nothing to change, ALTER is not needed.
    let fake = Arc::new(
        FakeCluster::new()
            .with_cluster_operations(&[Operation::Describe])
            .with_topic("dc.a", 1, &[])
            .with_acl(allow(
                "User:svc",
                Operation::Write,
                ResourceType::Topic,
                "dc.a",
            ))
            .with_acl(allow(
                "User:svc",
                Operation::Read,
                ResourceType::Group,
                "dc.g",
            )),
    );
    let cluster = connect(&fake, &options).await;
    assert!(cluster
        .plan(&[spec("dc.a", 1, &[])])
        .await
        .unwrap()
        .is_converged());
}
