//! Shared clusters: listing what exists inside a namespace (`orphans`,
//! `export`, the orphans of a pruning run) and deleting orphans, last.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tracing::Instrument;

use super::admin::{BrokerError, ErrorCode, OffsetSpec};
use super::retry::{is_permanent, is_retriable};
use super::session::{human, Attempt, Backoff, Request, Session};
use crate::error::{Error, TopicProblem};
use crate::ownership::ExistingTopic;
use crate::plan::{PlannedAction, TopicPlan};
use crate::report::{Action, TopicOutcome};
use crate::usage::Usage;

/// Topics per DeleteTopics request: one controller batch each, small
/// enough that a refusal names few topics at a time.
const DELETE_BATCH: usize = 100;

/// What the cluster has of the topics `keep` accepts: partitions,
/// replication factor and the topics' own configs, sorted by name. One
/// Metadata request for every topic, then batched DescribeConfigs for the
/// kept ones only.
pub(super) async fn inventory(
    session: &Session,
    mut keep: impl FnMut(&str) -> bool,
) -> Result<Vec<ExistingTopic>, Error> {
    let started = tokio::time::Instant::now();
    let listed = session
        .retry("listing topics", Backoff::default(), || async {
            let listed = session.list_topics().await.map_err(Attempt::Retry)?;
            Ok::<_, Attempt>(listed)
        })
        .instrument(tracing::info_span!("list"))
        .await?;
    let mut kept: Vec<ExistingTopic> = listed.into_iter().filter(|t| keep(&t.name)).collect();
    kept.sort_by(|a, b| a.name.cmp(&b.name));
    let mut gone = HashSet::new();
    for batch in kept.chunks_mut(1000) {
        let names: Vec<&str> = batch.iter().map(|t| t.name.as_str()).collect();
        let configs = session
            .retry("describing topics", Backoff::default(), || async {
                let mut answers = Vec::with_capacity(names.len());
                for (topic, result) in session.describe_configs_each(&names).await? {
                    match result {
                        Ok(configs) => answers.push((topic, Some(configs))),
                        // Deleted by someone else since the listing: it is
                        // no longer there to report, export or prune.
                        Err(e) if e.code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION => {
                            answers.push((topic, None))
                        }
                        Err(e) if is_retriable(e.code) => {
                            return Err(Attempt::Retry(format!("DescribeConfigs `{topic}`: {e}")))
                        }
                        Err(e) => {
                            let failures = vec![TopicProblem::broker(
                                topic,
                                "describe configs",
                                e.name,
                                e.message,
                            )];
                            return Err(Attempt::Fail(Error::Topics { failures }));
                        }
                    }
                }
                Ok(answers)
            })
            .await?;
        for (topic, (_, configs)) in batch.iter_mut().zip(configs) {
            match configs {
                Some(configs) => topic.configs = configs.own,
                None => {
                    gone.insert(topic.name.clone());
                }
            }
        }
    }
    if !gone.is_empty() {
        tracing::info!(
            "{} topic(s) deleted while being listed, left out",
            gone.len()
        );
        kept.retain(|t| !gone.contains(&t.name));
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
    pub(super) async fn list_topics(&self) -> Result<Vec<ExistingTopic>, String> {
        let timeout = self.remaining().min(Duration::from_secs(10));
        let options = self.request_within(Request::Metadata, timeout, false);
        self.admin
            .list_topics(options)
            .await
            .map_err(|e| e.to_string())
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
    let started = tokio::time::Instant::now();
    let mut outcomes = Vec::with_capacity(deletions.len());
    let mut failures = Vec::new();
    for batch in deletions.chunks(DELETE_BATCH) {
        let names: Vec<&str> = batch.iter().map(|t| t.name.as_str()).collect();
        let options = session.request(Request::DeleteTopics, false);
        let names = names.iter().map(|n| n.to_string()).collect();
        let results = session
            .admin
            .delete_topics(names, options)
            .await
            .map_err(|e| Error::Request {
                phase: "deleting topics",
                code: e.name,
                message: e.message,
            })?;
        for result in results {
            let name = match result {
                (name, Ok(())) => name,
                (name, Err(e)) if e.code == ErrorCode::UNKNOWN_TOPIC_OR_PARTITION => name,
                (name, Err(e)) => {
                    failures.push(TopicProblem::broker(name, "delete", e.name, e.message));
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
    if !failures.is_empty() {
        return Err(Error::Topics { failures });
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

/// Partitions per ListOffsets call, as for the serving gate: librdkafka's
/// answer merge is quadratic in the call's length.
const OFFSETS_BATCH: usize = 2500;

/// Consumer groups asked for their offsets at once (one request each:
/// librdkafka takes one group per call).
const GROUPS_AT_ONCE: usize = 8;

/// Marks each of `orphans` that is in use: a consumer group has committed
/// offsets on it, or its newest record is younger than `idle`. Read-only:
/// ListGroups, one OffsetFetch per group, and ListOffsets (max timestamp,
/// then earliest and latest for partitions without an answer) in calls of
/// at most 2,500 partitions. Whatever cannot be read fails the run: a topic
/// is never taken for idle because a broker did not answer.
pub(super) async fn mark_in_use(
    session: &Session,
    orphans: &mut [ExistingTopic],
    idle: Duration,
) -> Result<(), Error> {
    if orphans.is_empty() {
        return Ok(());
    }
    let started = tokio::time::Instant::now();
    let names: HashSet<&str> = orphans.iter().map(|o| o.name.as_str()).collect();
    let readers = session
        .retry("listing consumer group offsets", Backoff::default(), || {
            readers_of(session, &names)
        })
        .await?;
    let partitions: Vec<(String, i32)> = orphans
        .iter()
        .flat_map(|o| (0..o.partitions).map(|p| (o.name.clone(), p)))
        .collect();
    let mut newest: HashMap<String, i64> = HashMap::new();
    for batch in partitions.chunks(OFFSETS_BATCH) {
        let found = session
            .retry("reading the newest records", Backoff::default(), || {
                newest_records(session, batch)
            })
            .await?;
        for (topic, ts) in found {
            let e = newest.entry(topic).or_insert(ts);
            *e = (*e).max(ts);
        }
    }
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64);
    for orphan in orphans.iter_mut() {
        let usage = Usage {
            groups: readers.get(&orphan.name).cloned().unwrap_or_default(),
            last_record_ms: newest.get(&orphan.name).copied(),
        };
        orphan.in_use = usage.in_use(now, idle);
    }
    tracing::info!(
        "in use: {} ({} of {} orphan(s) in use)",
        human(started.elapsed()),
        orphans.iter().filter(|o| o.in_use.is_some()).count(),
        orphans.len()
    );
    Ok(())
}

/// An error of a read that decides whether a topic is in use: retried
/// unless it cannot change by waiting.
fn attempt(what: &str, e: BrokerError) -> Attempt {
    if is_permanent(e.code) {
        Attempt::Fail(Error::Request {
            phase: "checking whether orphans are in use",
            code: e.name,
            message: format!("{what}: {}", e.message),
        })
    } else {
        Attempt::Retry(format!("{what}: {e}"))
    }
}

/// For each topic of `names` with committed offsets, the groups that
/// committed them, sorted.
async fn readers_of(
    session: &Session,
    names: &HashSet<&str>,
) -> Result<HashMap<String, Vec<String>>, Attempt> {
    let options = session.request(Request::ListGroups, false);
    let groups = session
        .admin
        .list_groups(options)
        .await
        .map_err(|e| attempt("ListGroups", e))?;
    let mut readers: HashMap<String, Vec<String>> = HashMap::new();
    for chunk in groups.chunks(GROUPS_AT_ONCE) {
        let mut calls = tokio::task::JoinSet::new();
        for group in chunk {
            let options = session.request(Request::OffsetFetch, false);
            let admin = Arc::clone(&session.admin);
            let group = group.clone();
            calls.spawn(async move {
                let topics = admin.committed_topics(group.clone(), options).await;
                (group, topics)
            });
        }
        while let Some(joined) = calls.join_next().await {
            let (group, topics) =
                joined.map_err(|e| Attempt::Retry(format!("OffsetFetch task: {e}")))?;
            let topics = match topics {
                Ok(topics) => topics,
                // Deleted since the listing: it has no offsets any more.
                Err(e) if e.code == ErrorCode::GROUP_ID_NOT_FOUND => continue,
                Err(e) => return Err(attempt(&format!("OffsetFetch for group `{group}`"), e)),
            };
            for topic in topics.into_iter().filter(|t| names.contains(t.as_str())) {
                readers.entry(topic).or_default().push(group.clone());
            }
        }
    }
    for groups in readers.values_mut() {
        groups.sort();
    }
    Ok(readers)
}

/// The newest record's timestamp of each topic of `partitions` that holds
/// any record. A partition that has records but gave no timestamp, or
/// whose leader did not answer, is an error to retry.
async fn newest_records(
    session: &Session,
    partitions: &[(String, i32)],
) -> Result<Vec<(String, i64)>, Attempt> {
    let ask = |spec| {
        let options = session.request(Request::ListOffsets, false);
        session
            .admin
            .list_offsets(partitions.to_vec(), spec, options)
    };
    let mut newest = Vec::new();
    let mut unanswered = Vec::new();
    for (key, answer) in ask(OffsetSpec::MaxTimestamp)
        .await
        .map_err(|e| attempt("ListOffsets", e))?
    {
        match answer.map_err(|e| attempt(&format!("ListOffsets `{}/{}`", key.0, key.1), e))? {
            // A record without a timestamp cannot be shown old.
            (offset, ts) if offset >= 0 => newest.push((key.0, if ts < 0 { i64::MAX } else { ts })),
            _ => unanswered.push(key),
        }
    }
    if unanswered.is_empty() {
        return Ok(newest);
    }
    // Empty, or the leader did not answer: an empty partition's first and
    // next offsets are equal.
    let unanswered = &unanswered;
    let ends = |spec| async move {
        let options = session.request(Request::ListOffsets, false);
        let answers = session
            .admin
            .list_offsets(unanswered.clone(), spec, options)
            .await
            .map_err(|e| attempt("ListOffsets", e))?;
        answers
            .into_iter()
            .map(|(key, answer)| match answer {
                Ok((offset, _)) if offset >= 0 => Ok((key, offset)),
                Ok(_) => Err(Attempt::Retry(format!(
                    "ListOffsets `{}/{}`: the leader did not answer",
                    key.0, key.1
                ))),
                Err(e) => Err(attempt(&format!("ListOffsets `{}/{}`", key.0, key.1), e)),
            })
            .collect::<Result<HashMap<_, _>, Attempt>>()
    };
    let first = ends(OffsetSpec::Earliest).await?;
    let next = ends(OffsetSpec::Latest).await?;
    for key in unanswered {
        match (first.get(key), next.get(key)) {
            (Some(a), Some(b)) if a == b => {}
            _ => {
                return Err(Attempt::Retry(format!(
                    "`{}/{}` holds records but its leader gave no newest timestamp",
                    key.0, key.1
                )))
            }
        }
    }
    Ok(newest)
}
