//! Shared clusters: listing what exists inside a namespace (`orphans`,
//! `export`, the orphans of a pruning run) and deleting orphans, last.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::admin::AdminOptions;
use rdkafka::types::RDKafkaErrorCode;
use tracing::Instrument;

use super::ffi::code_name;
use super::session::{human, Attempt, Backoff, Request, Session};
use crate::error::Error;
use crate::ownership::ExistingTopic;
use crate::plan::{PlannedAction, TopicPlan};
use crate::report::{Action, TopicOutcome};

/// Topics per DeleteTopics request: one controller batch each, small
/// enough that a refusal names few topics at a time.
const DELETE_BATCH: usize = 100;

/// What the cluster has of the topics `keep` accepts: partitions,
/// replication factor and the topics' own configs, sorted by name. One
/// Metadata request for every topic, then batched DescribeConfigs for the
/// kept ones only.
pub(super) async fn inventory(
    session: &Session,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<ExistingTopic>, Error> {
    let started = std::time::Instant::now();
    let listed = session
        .retry("listing topics", Backoff::default(), || async {
            let listed = session.list_topics().await.map_err(Attempt::Retry)?;
            Ok::<_, Attempt>(listed)
        })
        .instrument(tracing::info_span!("list"))
        .await?;
    let mut kept: Vec<ExistingTopic> = listed.into_iter().filter(|t| keep(&t.name)).collect();
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    for batch in kept.chunks_mut(1000) {
        let names: Vec<&str> = batch.iter().map(|t| t.name.as_str()).collect();
        let configs = session
            .retry("describing topics", Backoff::default(), || {
                session.describe_configs(&names)
            })
            .await?;
        for (topic, (_, configs)) in batch.iter_mut().zip(configs) {
            topic.configs = configs.own;
        }
    }
    tracing::info!(
        "list: {} ({} topic(s) in scope)",
        human(started.elapsed()),
        kept.len()
    );
    Ok(kept)
}

impl Session {
    /// One Metadata request for every topic the cluster has.
    async fn list_topics(&self) -> Result<Vec<ExistingTopic>, String> {
        self.count(Request::Metadata);
        let admin = Arc::clone(&self.admin);
        let timeout = self.remaining().min(Duration::from_secs(10));
        let metadata = tokio::task::spawn_blocking(move || {
            admin
                .inner()
                .fetch_metadata(None, timeout)
                .map_err(|e| format!("Metadata: {e}"))
        })
        .await
        .map_err(|e| format!("Metadata: {e}"))??;
        let mut topics = Vec::with_capacity(metadata.topics().len());
        for t in metadata.topics() {
            if let Some(e) = t.error() {
                let code = RDKafkaErrorCode::from(e);
                return Err(format!("metadata for `{}`: {code}", t.name()));
            }
            if t.partitions().is_empty() {
                return Err(format!("metadata for `{}` has no partitions yet", t.name()));
            }
            topics.push(ExistingTopic {
                name: t.name().to_owned(),
                partitions: t.partitions().len() as i32,
                replication_factor: t
                    .partitions()
                    .iter()
                    .map(|p| p.replicas().len())
                    .max()
                    .unwrap_or(0) as i32,
                configs: Default::default(),
            });
        }
        Ok(topics)
    }
}

/// Deletes exactly the topics `deletions` lists (never one found since),
/// in batched DeleteTopics requests, then waits until metadata no longer
/// shows them. A topic already gone counts as deleted; any other refusal
/// fails the run, naming each topic.
pub(super) async fn delete(
    session: &Session,
    deletions: Vec<TopicPlan>,
) -> Result<Vec<TopicOutcome>, Error> {
    let started = std::time::Instant::now();
    let mut outcomes = Vec::with_capacity(deletions.len());
    let mut failures = Vec::new();
    for batch in deletions.chunks(DELETE_BATCH) {
        let names: Vec<&str> = batch.iter().map(|t| t.name.as_str()).collect();
        session.count(Request::DeleteTopics);
        let options = AdminOptions::new()
            .request_timeout(Some(session.remaining()))
            .operation_timeout(Some(session.remaining()));
        let results = session
            .admin
            .delete_topics(&names, &options)
            .await
            .map_err(|e| Error::Request {
                phase: "deleting topics",
                code: e
                    .rdkafka_error_code()
                    .map(code_name)
                    .unwrap_or_else(|| "_CLIENT".into()),
                message: e.to_string(),
            })?;
        for result in results {
            let name = match result {
                Ok(name) | Err((name, RDKafkaErrorCode::UnknownTopicOrPartition)) => name,
                Err((name, code)) => {
                    failures.push(Error::Topic {
                        topic: name,
                        operation: "delete",
                        code: code_name(code),
                        message: code.to_string(),
                    });
                    continue;
                }
            };
            let Some(planned) = batch.iter().find(|t| t.name == name) else {
                continue;
            };
            let PlannedAction::Delete(deletion) = &planned.action else {
                continue;
            };
            tracing::info!("🗑 Deleted topic: {name}");
            outcomes.push(TopicOutcome {
                name,
                action: Action::Deleted(deletion.clone()),
                serving_after_ms: None,
            });
        }
    }
    match failures.len() {
        0 => {}
        1 => return Err(failures.remove(0)),
        _ => return Err(Error::Topics(failures)),
    }
    // The controller has committed the deletions; wait until the brokers'
    // metadata shows them gone, so a caller that looks next sees it.
    let names: Vec<&str> = outcomes.iter().map(|o| o.name.as_str()).collect();
    session
        .retry(
            "waiting for deletions to show",
            Backoff::default(),
            || async {
                let attempt = session.remaining().min(Duration::from_secs(10));
                let cluster = session
                    .describe_topics(&names, attempt)
                    .await
                    .map_err(Attempt::Retry)?;
                match names.iter().find(|n| cluster.topics.contains_key(**n)) {
                    Some(n) => Err(Attempt::Retry(format!("`{n}` is still listed"))),
                    None => Ok(()),
                }
            },
        )
        .await?;
    tracing::info!(
        "delete: {} topic(s) in {}",
        outcomes.len(),
        human(started.elapsed())
    );
    Ok(outcomes)
}
