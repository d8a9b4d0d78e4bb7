//! Reading what the cluster has: metadata for the listed topics only, then
//! DescribeConfigs for all of them together. Never one round trip per topic.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use rdkafka::admin::{AdminOptions, ConfigSource, ResourceSpecifier};
use rdkafka::types::RDKafkaErrorCode;
use tracing::Instrument;

use crate::admin::{is_retriable, Attempt, Backoff, Request, Session};
use crate::error::Error;

/// Topics per DescribeConfigs request. A topic's description is a few KB,
/// so this keeps responses to a few MB; 1,000 topics are one request.
const DESCRIBE_BATCH: usize = 1000;

/// What the cluster's metadata says of the listed topics that exist.
#[derive(Debug, Clone, Default)]
pub struct ClusterState {
    pub topics: HashMap<String, TopicState>,
}

#[derive(Debug, Clone, Default)]
pub struct TopicState {
    pub partitions: Vec<PartitionState>,
    /// Set while the broker has the topic but cannot describe it fully
    /// (e.g. `LEADER_NOT_AVAILABLE` right after a create).
    pub error: Option<RDKafkaErrorCode>,
}

#[derive(Debug, Clone)]
pub struct PartitionState {
    pub id: i32,
    /// -1 while the partition has no leader.
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl TopicState {
    /// The largest replica set of any partition: the topic's replication
    /// factor (they only differ mid-reassignment).
    pub fn replication_factor(&self) -> i32 {
        self.partitions
            .iter()
            .map(|p| p.replicas.len())
            .max()
            .unwrap_or(0) as i32
    }
}

/// A topic's configs as DescribeConfigs reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopicConfigs {
    /// Only the keys the topic itself sets (source DYNAMIC_TOPIC_CONFIG):
    /// broker and cluster defaults are never drift.
    pub own: BTreeMap<String, String>,
    /// The effective `min.insync.replicas`, whatever its source.
    pub min_insync_replicas: Option<i32>,
}

/// The cluster as it is, for the listed topics.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    pub cluster: ClusterState,
    /// Configs of every listed topic that exists.
    pub configs: HashMap<String, TopicConfigs>,
}

impl Session {
    /// Reads the listed topics: their metadata once, then their configs in
    /// batched DescribeConfigs requests. Retries until the answers are
    /// complete (a topic just created can be briefly half-visible).
    pub async fn observe(&self, names: &[&str]) -> Result<Observation, Error> {
        let started = std::time::Instant::now();
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
            match topic.error {
                Some(code) if is_retriable(code) => {
                    return Err(Attempt::Retry(format!("metadata for `{name}`: {code}")));
                }
                Some(code) => {
                    return Err(Attempt::Fail(Error::Topic {
                        topic: name.to_string(),
                        operation: "read metadata",
                        code: crate::ffi::code_name(code),
                        message: code.to_string(),
                    }));
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

    async fn describe_configs(
        &self,
        topics: &[&str],
    ) -> Result<Vec<(String, TopicConfigs)>, Attempt> {
        let specs: Vec<_> = topics.iter().map(|t| ResourceSpecifier::Topic(t)).collect();
        self.count(Request::DescribeConfigs);
        let options = AdminOptions::new().request_timeout(Some(self.remaining()));
        let results = self
            .admin
            .describe_configs(&specs, &options)
            .await
            .map_err(|e| Attempt::Retry(format!("DescribeConfigs: {e}")))?;
        // Results come back in request order; an error carries no name.
        topics
            .iter()
            .zip(results)
            .map(|(topic, result)| match result {
                Ok(resource) => {
                    let mut configs = TopicConfigs::default();
                    for entry in resource.entries {
                        if entry.name == "min.insync.replicas" {
                            configs.min_insync_replicas =
                                entry.value.as_deref().and_then(|v| v.trim().parse().ok());
                        }
                        if entry.source == ConfigSource::DynamicTopic {
                            configs
                                .own
                                .insert(entry.name, entry.value.unwrap_or_default());
                        }
                    }
                    Ok((topic.to_string(), configs))
                }
                Err(code) if is_retriable(code) => {
                    Err(Attempt::Retry(format!("DescribeConfigs `{topic}`: {code}")))
                }
                Err(code) => Err(Attempt::Fail(Error::Topic {
                    topic: topic.to_string(),
                    operation: "describe configs",
                    code: crate::ffi::code_name(code),
                    message: code.to_string(),
                })),
            })
            .collect()
    }
}
