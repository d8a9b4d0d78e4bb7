//! Sending one kind of per-topic change (create, alter configs, add
//! partitions) in batches that fit the controller's limits, and retrying
//! what may succeed later: a moving controller, a cluster still
//! registering brokers, a request over the controller's record limit.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.
use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use tokio::time::Instant;

use super::admin::{
    Admin, BrokerError, ConfigAlteration, ErrorCode, NewPartitions, NewTopic, Reply,
    RequestOptions, TopicResult,
};
use super::retry::is_retriable;
use super::session::{Backoff, Request, Session};
use crate::batch::{self, Cost};
use crate::error::{Error, TopicProblem};

/// How one topic fared in a request.
pub(super) enum Outcome {
    Done,
    /// Another client made this change first: progress, to be verified.
    Raced,
    Failed(BrokerError),
}

pub(super) fn topic_error(topic: String, operation: &'static str, e: BrokerError) -> TopicProblem {
    TopicProblem::broker(topic, operation, e.name, e.message)
}

/// One kind of per-topic admin request.
pub(super) trait Kind {
    type Item: Clone + Send + 'static;
    /// What it does to a topic, for messages: `create`.
    const OPERATION: &'static str;
    /// What the run is doing while it retries: `creating topics`.
    const PHASE: &'static str;
    const REQUEST: Request;
    fn topic(item: &Self::Item) -> &str;
    fn cost(item: &Self::Item) -> Cost;
    /// True when the broker refused because another client already did it.
    fn raced(code: ErrorCode) -> bool;
    /// The replication factor the item asks for, when it places replicas.
    fn replication_factor(_item: &Self::Item) -> Option<i32> {
        None
    }
    fn send(
        admin: &dyn Admin,
        items: Vec<Self::Item>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>>;
}

pub(super) struct CreateTopic;
pub(super) struct AlterConfigs;
pub(super) struct AddPartitions;

impl Kind for CreateTopic {
    type Item = NewTopic;
    const OPERATION: &'static str = "create";
    const PHASE: &'static str = "creating topics";
    const REQUEST: Request = Request::CreateTopics;
    fn topic(item: &NewTopic) -> &str {
        &item.name
    }
    fn cost(item: &NewTopic) -> Cost {
        let partitions = item.partitions.max(0) as usize;
        let keys = item.configs.iter().map(|(k, _)| k.as_str());
        Cost {
            records: 1 + config_records(keys) + partitions,
            partitions,
        }
    }
    fn raced(code: ErrorCode) -> bool {
        code == ErrorCode::TOPIC_ALREADY_EXISTS
    }
    fn replication_factor(item: &NewTopic) -> Option<i32> {
        // -1: the broker's default; if it does not fit, the broker says so.
        (item.replication_factor > 0).then_some(item.replication_factor)
    }
    fn send(
        admin: &dyn Admin,
        items: Vec<NewTopic>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        admin.create_topics(items, options)
    }
}

impl Kind for AlterConfigs {
    type Item = ConfigAlteration;
    const OPERATION: &'static str = "alter configs";
    const PHASE: &'static str = "altering configs";
    const REQUEST: Request = Request::IncrementalAlterConfigs;
    fn topic(item: &ConfigAlteration) -> &str {
        &item.topic
    }
    fn cost(item: &ConfigAlteration) -> Cost {
        Cost {
            records: config_records(item.ops.iter().map(|(k, _)| k.as_str())),
            partitions: 0,
        }
    }
    fn raced(_: ErrorCode) -> bool {
        // Setting a value twice, or deleting one already gone, succeeds.
        false
    }
    fn send(
        admin: &dyn Admin,
        items: Vec<ConfigAlteration>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        admin.alter_configs(items, options)
    }
}

impl Kind for AddPartitions {
    type Item = NewPartitions;
    const OPERATION: &'static str = "add partitions";
    const PHASE: &'static str = "adding partitions";
    const REQUEST: Request = Request::CreatePartitions;
    fn topic(item: &NewPartitions) -> &str {
        &item.topic
    }
    fn cost(item: &NewPartitions) -> Cost {
        // The total bounds the new partitions from above.
        let partitions = item.total.max(0) as usize;
        Cost {
            records: partitions,
            partitions,
        }
    }
    fn raced(code: ErrorCode) -> bool {
        // "Topic already has N partitions": a decrease is refused while
        // planning, so here it means another client grew the topic first.
        code == ErrorCode::INVALID_PARTITIONS
    }
    fn send(
        admin: &dyn Admin,
        items: Vec<NewPartitions>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        admin.create_partitions(items, options)
    }
}

/// The controller's answer to a request over its record limit.
fn too_large(result: &Result<(), BrokerError>) -> bool {
    matches!(result, Err(e) if e.code == ErrorCode::POLICY_VIOLATION
        && e.message.contains("excessively large batch"))
}

/// Controller records for one topic's config changes: one per key, and one
/// more (a ClearElrRecord, Kafka 4.x) when `min.insync.replicas` changes.
/// Measured against a 4.4 broker: 26 keys on a one-partition topic cost 29.
fn config_records<'a>(keys: impl Iterator<Item = &'a str>) -> usize {
    let (mut records, mut min_isr) = (0, false);
    for key in keys {
        records += 1;
        min_isr |= key == "min.insync.replicas";
    }
    records + usize::from(min_isr)
}

/// Sends `items` in batches that fit the controller's limits, retrying the
/// topics that failed with a retriable error until the deadline.
pub(super) async fn send<K: Kind>(
    session: &Session,
    items: Vec<K::Item>,
    validate_only: bool,
) -> Result<Vec<(String, Outcome)>, Error> {
    let mut outcomes = Vec::with_capacity(items.len());
    let mut pending = items;
    let mut backoff = Backoff::default();
    let mut brokers = BrokerCount::default();
    while !pending.is_empty() {
        let mut retry = Vec::new();
        let mut too_few_brokers = Vec::new();
        let mut why = String::new();
        let mut batches: VecDeque<Vec<K::Item>> = batch::split(pending, K::cost).into();
        while let Some(mut batch) = batches.pop_front() {
            let started = tokio::time::Instant::now();
            let options = session.request(K::REQUEST, validate_only);
            let results = K::send(session.admin.as_ref(), batch.clone(), options).await;
            tracing::debug!(
                operation = K::OPERATION,
                validate_only,
                topics = batch.len(),
                elapsed = ?started.elapsed(),
                "request done"
            );
            let mut results: HashMap<String, Result<(), BrokerError>> = match results {
                Ok(results) => results.into_iter().collect(),
                Err(e) if is_retriable(e.code) => {
                    why = e.to_string();
                    retry.extend(batch);
                    continue;
                }
                Err(e) => {
                    return Err(Error::Request {
                        phase: K::PHASE,
                        code: e.name,
                        message: e.message,
                    })
                }
            };
            // Our record count is a model of the controller's; should the
            // controller count more, halve the batch rather than fail it.
            if batch.len() > 1 && !results.is_empty() && results.values().all(too_large) {
                tracing::debug!(
                    topics = batch.len(),
                    "batch too large for the controller, halving"
                );
                let second = batch.split_off(batch.len() / 2);
                batches.push_front(second);
                batches.push_front(batch);
                continue;
            }
            for item in batch {
                let topic = K::topic(&item).to_owned();
                let outcome = match results.remove(&topic) {
                    Some(Ok(())) => Outcome::Done,
                    Some(Err(e)) if K::raced(e.code) => Outcome::Raced,
                    Some(Err(e)) if e.code == ErrorCode::INVALID_REPLICATION_FACTOR => {
                        too_few_brokers.push((item, e));
                        continue;
                    }
                    Some(Err(e)) if is_retriable(e.code) => {
                        why = format!("topic `{topic}`: {e}");
                        retry.push(item);
                        continue;
                    }
                    Some(Err(e)) => Outcome::Failed(e),
                    None => Outcome::Failed(BrokerError {
                        code: ErrorCode::FAIL,
                        name: "_FAIL".into(),
                        message: "the response did not mention this topic".into(),
                    }),
                };
                outcomes.push((topic, outcome));
            }
        }
        if !too_few_brokers.is_empty() {
            let available = brokers.observe(session).await;
            let settled = brokers.settled(session.broker_grace);
            for (item, e) in too_few_brokers {
                let topic = K::topic(&item).to_owned();
                // Counted brokers enough: the broker's own words say why.
                let short = K::replication_factor(&item)
                    .zip(available)
                    .filter(|&(wanted, available)| wanted as usize > available);
                let message = match short {
                    Some((wanted, available)) => too_few_brokers_message(wanted, available),
                    None => e.message.clone(),
                };
                if settled && short.is_some() {
                    outcomes.push((topic, Outcome::Failed(BrokerError { message, ..e })));
                } else {
                    why = format!("topic `{topic}`: {}: {message}", e.name);
                    retry.push(item);
                }
            }
        }
        if !retry.is_empty() {
            session.pause(&mut backoff, K::PHASE, why).await?;
        }
        pending = retry;
    }
    Ok(outcomes)
}

/// The number of registered brokers across retries, and since when it has
/// been what it is.
#[derive(Default)]
struct BrokerCount {
    seen: Option<(usize, Instant)>,
}

impl BrokerCount {
    /// Reads the count (DescribeCluster); `None` when the cluster did not say.
    async fn observe(&mut self, session: &Session) -> Option<usize> {
        let attempt = session.remaining().min(Duration::from_secs(5));
        let count = session.brokers(attempt).await.ok()?;
        match self.seen {
            Some((n, _)) if n == count => {}
            _ => self.seen = Some((count, Instant::now())),
        }
        Some(count)
    }

    /// True once the count has not changed for `grace`
    /// ([`EnsureOptions::broker_grace`]): the cluster as it is (a
    /// single-node dev setup, a node that is down), and waiting out the
    /// whole deadline would only hide the answer.
    fn settled(&self, grace: Duration) -> bool {
        self.seen.is_some_and(|(_, since)| since.elapsed() >= grace)
    }
}

fn too_few_brokers_message(wanted: i32, available: usize) -> String {
    let brokers = match available {
        1 => "only 1 broker is available".to_owned(),
        n => format!("only {n} brokers are available"),
    };
    format!("replication factor {wanted} wanted but {brokers}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_brokers_names_both_numbers() {
        assert_eq!(
            too_few_brokers_message(3, 1),
            "replication factor 3 wanted but only 1 broker is available"
        );
        assert_eq!(
            too_few_brokers_message(3, 2),
            "replication factor 3 wanted but only 2 brokers are available"
        );
    }

    #[test]
    fn min_insync_replicas_costs_the_controller_one_more_record() {
        assert_eq!(
            config_records(["retention.ms", "segment.ms"].into_iter()),
            2
        );
        assert_eq!(
            config_records(["retention.ms", "min.insync.replicas"].into_iter()),
            3
        );
        assert_eq!(config_records(std::iter::empty()), 0);
    }

    #[test]
    fn a_new_topic_costs_its_record_configs_and_partitions() {
        let topic = NewTopic {
            name: "t".into(),
            partitions: 3,
            replication_factor: 1,
            configs: vec![
                ("min.insync.replicas".into(), "1".into()),
                ("retention.ms".into(), "1".into()),
            ],
        };
        assert_eq!(
            CreateTopic::cost(&topic),
            Cost {
                records: 1 + 2 + 1 + 3,
                partitions: 3
            }
        );
    }
}
