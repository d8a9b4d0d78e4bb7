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
    /// Partitions; -1 leaves the count to the broker (`partitions: default`).
    pub partitions: i32,
    /// Replication factor; -1 leaves it to the broker (`replication_factor: default`).
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

/// One entry of `kafka.profiles`: the file as one environment sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    /// The profile's name under `kafka.profiles`.
    pub name: Cow<'static, str>,
    /// The profile's `bootstrap_servers`, if it sets one.
    pub bootstrap_servers: Option<Cow<'static, str>>,
    /// Every topic of the base file, with the profile applied. Names and
    /// order are the base file's.
    pub topics: Cow<'static, [TopicSpec]>,
}

impl Profile {
    /// The profile called `name` among `profiles`; `None` selects the base
    /// file. An unknown name is [`UnknownProfile`].
    pub fn select<'p>(
        profiles: &'p [Profile],
        name: Option<&str>,
    ) -> Result<Option<&'p Profile>, UnknownProfile> {
        let Some(name) = name else { return Ok(None) };
        profiles
            .iter()
            .find(|p| p.name == name)
            .map(Some)
            .ok_or_else(|| UnknownProfile {
                name: name.to_owned(),
                known: profiles.iter().map(|p| p.name.to_string()).collect(),
            })
    }
}

/// A profile name the topic file does not declare.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown profile `{name}`: the topic file declares {}", known_profiles(.known))]
pub struct UnknownProfile {
    /// The name asked for.
    pub name: String,
    /// The profiles the file declares, in file order.
    pub known: Vec<String>,
}

fn known_profiles(known: &[String]) -> String {
    if known.is_empty() {
        "no profiles".to_owned()
    } else {
        known
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
