//! Reading what the cluster has: metadata for the listed topics only, then
//! DescribeConfigs for all of them together. Never one round trip per topic.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashMap;
use std::time::Duration;

use tracing::Instrument;

use super::admin::BrokerError;
use super::retry::is_retriable;
use super::session::{human, Attempt, Backoff, Request, Session};
use crate::cluster::{BrokerDefaults, Observation, TopicConfigs};
use crate::error::{Error, TopicProblem};
use crate::plan::{self, Plan};
use crate::spec::TopicSpec;

/// Topics per DescribeConfigs request. A topic's description is a few KB,
/// so this keeps responses to a few MB; 1,000 topics are one request.
const DESCRIBE_BATCH: usize = 1000;

/// Observes the listed topics and diffs them against `specs`.
/// `phase` names the pass in the log: `plan`, or `verify` after applying.
pub(super) async fn plan_in(
    session: &Session,
    specs: &[TopicSpec],
    phase: &'static str,
) -> Result<Plan, Error> {
    let started = tokio::time::Instant::now();
    let sent = session.requests().total();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    let observed = session
        .observe(&names)
        .instrument(tracing::info_span!("plan", topics = specs.len()))
        .await?;
    let mut plan = if plan::uses_broker_defaults(specs) {
        let defaults = session
            .retry("reading the broker's defaults", Backoff::default(), || {
                session.broker_defaults()
            })
            .await?;
        let mut plan = plan::diff(&plan::with_broker_defaults(specs, defaults), &observed);
        // As declared: creates send -1 for `default`, and verifying
        // resolves them again.
        plan.specs = specs.to_vec();
        plan.mark_broker_defaults(specs);
        plan
    } else {
        plan::diff(specs, &observed)
    };
    plan.brokers = session.registered();
    tracing::info!(
        "{phase}: {} ({} request(s)): {}",
        human(started.elapsed()),
        session.requests().total() - sent,
        plan.summary()
    );
    Ok(plan)
}

impl Session {
    /// Reads the listed topics: their metadata once, then their configs in
    /// batched DescribeConfigs requests. Retries until the answers are
    /// complete (a topic just created can be briefly half-visible).
    async fn observe(&self, names: &[&str]) -> Result<Observation, Error> {
        let started = tokio::time::Instant::now();
        let observation = self
            .retry("reading the cluster", Backoff::default(), || {
                self.observe_once(names)
            })
            .instrument(tracing::debug_span!("observe", topics = names.len()))
            .await?;
        tracing::debug!(elapsed = ?started.elapsed(), "cluster read");
        Ok(observation)
    }

    async fn observe_once(&self, names: &[&str]) -> Result<Observation, Attempt> {
        let attempt = self.remaining().min(Duration::from_secs(10));
        let cluster = self
            .describe_topics(names, attempt)
            .await
            .map_err(Attempt::Retry)?;
        let existing: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| cluster.topics.contains_key(*n))
            .collect();
        for name in &existing {
            let topic = &cluster.topics[*name];
            match &topic.error {
                Some(e) if e.retriable => {
                    return Err(Attempt::Retry(format!(
                        "metadata for `{name}`: {}: {}",
                        e.name, e.message
                    )));
                }
                Some(e) => {
                    let failures = vec![TopicProblem::broker(
                        *name,
                        "read metadata",
                        e.name.clone(),
                        e.message.clone(),
                    )];
                    return Err(Attempt::Fail(Error::Topics { failures }));
                }
                None => {}
            }
            if topic.partitions.is_empty() {
                return Err(Attempt::Retry(format!(
                    "metadata for `{name}` has no partitions yet"
                )));
            }
        }
        let mut configs = HashMap::with_capacity(existing.len());
        for batch in existing.chunks(DESCRIBE_BATCH) {
            configs.extend(self.describe_configs(batch).await?);
        }
        Ok(Observation { cluster, configs })
    }

    /// The broker's `num.partitions` and `default.replication.factor`: one
    /// DescribeCluster for a broker id, one DescribeConfigs of that broker.
    async fn broker_defaults(&self) -> Result<BrokerDefaults, Attempt> {
        let attempt = self.remaining().min(Duration::from_secs(5));
        let ids = self.broker_ids(attempt).await.map_err(Attempt::Retry)?;
        let Some(&id) = ids.iter().min() else {
            return Err(Attempt::Retry("the cluster lists no broker yet".into()));
        };
        let options = self.request(Request::DescribeConfigs, false);
        let configs = self
            .admin
            .broker_configs(id, options)
            .await
            .map_err(|e| Attempt::Retry(format!("DescribeConfigs broker {id}: {e}")))?;
        let value = |key: &str| -> Result<i32, Attempt> {
            configs
                .get(key)
                .and_then(|v| v.trim().parse().ok())
                .ok_or_else(|| Attempt::Retry(format!("broker {id} did not report `{key}`")))
        };
        Ok(BrokerDefaults {
            partitions: value("num.partitions")?,
            replication_factor: value("default.replication.factor")?,
        })
    }

    pub(super) async fn describe_configs(
        &self,
        topics: &[&str],
    ) -> Result<Vec<(String, TopicConfigs)>, Attempt> {
        self.describe_configs_each(topics)
            .await?
            .into_iter()
            .map(|(topic, result)| match result {
                Ok(configs) => Ok((topic, configs)),
                Err(e) if is_retriable(e.code) => {
                    Err(Attempt::Retry(format!("DescribeConfigs `{topic}`: {e}")))
                }
                Err(e) => Err(Attempt::Fail(Error::Topics {
                    failures: vec![TopicProblem::broker(
                        topic,
                        "describe configs",
                        e.name,
                        e.message,
                    )],
                })),
            })
            .collect()
    }

    /// One DescribeConfigs request for `topics`: each topic's configs, or
    /// why the broker did not give them.
    pub(super) async fn describe_configs_each(
        &self,
        topics: &[&str],
    ) -> Result<Vec<(String, Result<TopicConfigs, BrokerError>)>, Attempt> {
        let options = self.request(Request::DescribeConfigs, false);
        let names = topics.iter().map(|t| t.to_string()).collect();
        self.admin
            .describe_configs(names, options)
            .await
            .map_err(|e| Attempt::Retry(format!("DescribeConfigs: {e}")))
    }
}
