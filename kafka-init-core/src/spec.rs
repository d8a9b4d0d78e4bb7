//! What a topic should look like: the one type the file loader, the macro's
//! generated code and the reconcile engine all share.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::borrow::Cow;

use serde::Serialize;

/// One topic-level setting, `retention.ms = "86400000"`.
pub type ConfigEntry = (Cow<'static, str>, Cow<'static, str>);

/// A topic as declared. `Cow` lets `include_topics!` build these in a
/// `static` while the runtime loader builds owned ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TopicSpec {
    /// The key under `kafka.topics` in the file (`workload`).
    pub key: Cow<'static, str>,
    /// The Kafka topic name (`dc.workload`).
    pub name: Cow<'static, str>,
    pub partitions: i32,
    pub replication_factor: i32,
    /// Topic-level configs, in file order.
    pub config: Cow<'static, [ConfigEntry]>,
    /// Leave topic-level keys the file does not list alone instead of
    /// deleting them (for topics shared with other tools).
    pub keep_unmanaged_configs: bool,
}

impl TopicSpec {
    /// The value the file sets for `key`, if any.
    pub fn config_value(&self, key: &str) -> Option<&str> {
        self.config
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_ref())
    }
}
