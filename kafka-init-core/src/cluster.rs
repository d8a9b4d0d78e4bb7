//! What the cluster has, as plain data: the listed topics' partitions,
//! leaders and in-sync replicas, and their configs. The `kafka` layer fills
//! it in; the plan and the readiness gate only read it.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// What the cluster's metadata says of the listed topics that exist.
#[derive(Debug, Clone, Default)]
pub(crate) struct ClusterState {
    pub topics: HashMap<String, TopicState>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct TopicState {
    pub partitions: Vec<PartitionState>,
    /// Set while the broker has the topic but cannot describe it fully
    /// (e.g. `LEADER_NOT_AVAILABLE` right after a create).
    pub error: Option<TopicError>,
}

/// Why the broker could not describe a topic it has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TopicError {
    /// Kafka's name for the code, e.g. `LEADER_NOT_AVAILABLE`.
    pub name: String,
    pub message: String,
    /// Whether asking again may succeed (the topic is still being set up).
    pub retriable: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct PartitionState {
    pub id: i32,
    /// -1 while the partition has no leader.
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl TopicState {
    /// The largest replica set of any partition: the topic's replication
    /// factor (they only differ mid-reassignment).
    pub(crate) fn replication_factor(&self) -> i32 {
        self.partitions
            .iter()
            .map(|p| p.replicas.len())
            .max()
            .unwrap_or(0) as i32
    }
}

/// A topic's configs as DescribeConfigs reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct TopicConfigs {
    /// Only the keys the topic itself sets (source DYNAMIC_TOPIC_CONFIG):
    /// broker and cluster defaults are never drift.
    pub own: BTreeMap<String, String>,
    /// The effective `min.insync.replicas`, whatever its source.
    pub min_insync_replicas: Option<i32>,
}

/// The cluster as it is, for the listed topics.
#[derive(Debug, Clone, Default)]
pub(crate) struct Observation {
    pub cluster: ClusterState,
    /// Configs of every listed topic that exists.
    pub configs: HashMap<String, TopicConfigs>,
}

/// The broker's `num.partitions` and `default.replication.factor`: what a
/// topic declared with `default` sizes gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct BrokerDefaults {
    pub partitions: i32,
    pub replication_factor: i32,
}

/// A cluster that answered: what `wait_for_cluster` returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Reachable {
    /// The brokers the cluster lists.
    pub brokers: usize,
    /// From the start of the wait to the answer.
    pub elapsed: Duration,
}
