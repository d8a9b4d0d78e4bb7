//! What a topic should look like: the one type the file loader, the macro's
//! generated code and the reconcile engine all share.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::borrow::Cow;
use std::fmt;
use std::num::NonZeroU32;

use serde::{Serialize, Serializer};

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
    /// Partitions: a count, or the broker's default (`partitions: default`).
    pub partitions: Size,
    /// Replication factor: a count, or the broker's default
    /// (`replication_factor: default`).
    pub replication_factor: Size,
    /// Topic-level configs, in file order.
    pub config: Cow<'static, [ConfigEntry]>,
    /// Leave topic-level keys the file does not list alone instead of
    /// deleting them (for topics shared with other tools).
    pub keep_unmanaged_configs: bool,
}

/// A topic's partition count or replication factor, as declared: a count,
/// or whatever the broker's default is (`default` in the file;
/// `num.partitions` and `default.replication.factor` on the broker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Size {
    /// The broker's default, read when a run needs the number.
    BrokerDefault,
    /// This many.
    Count(NonZeroU32),
}

impl Size {
    /// The size Kafka's requests use: the count, or -1 for the broker's
    /// default. Anything below 1 is the default.
    pub const fn from_kafka(n: i32) -> Size {
        match NonZeroU32::new(if n > 0 { n as u32 } else { 0 }) {
            Some(n) => Size::Count(n),
            None => Size::BrokerDefault,
        }
    }

    /// As Kafka's requests take it: the count, or -1 for the broker's default.
    pub const fn kafka(self) -> i32 {
        match self {
            Size::Count(n) => n.get() as i32,
            Size::BrokerDefault => -1,
        }
    }

    /// The count, unless it is the broker's default.
    pub const fn count(self) -> Option<u32> {
        match self {
            Size::Count(n) => Some(n.get()),
            Size::BrokerDefault => None,
        }
    }

    /// Whether this is the broker's default.
    pub const fn is_broker_default(self) -> bool {
        matches!(self, Size::BrokerDefault)
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Size::Count(n) => write!(f, "{n}"),
            Size::BrokerDefault => f.write_str("default"),
        }
    }
}

/// As the file writes it: a number, or `"default"`.
impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Size::Count(n) => s.serialize_u32(n.get()),
            Size::BrokerDefault => s.serialize_str("default"),
        }
    }
}

impl TopicSpec {
    /// The spec `include_topics!` generates, built in a `static`. Not a
    /// public API: it may change in any release.
    #[doc(hidden)]
    pub const fn __new(
        key: &'static str,
        name: &'static str,
        partitions: i32,
        replication_factor: i32,
        config: &'static [ConfigEntry],
        keep_unmanaged_configs: bool,
    ) -> TopicSpec {
        TopicSpec {
            key: Cow::Borrowed(key),
            name: Cow::Borrowed(name),
            partitions: Size::from_kafka(partitions),
            replication_factor: Size::from_kafka(replication_factor),
            config: Cow::Borrowed(config),
            keep_unmanaged_configs,
        }
    }

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
    /// The base file's `kafka.access`, with the profile's `access`
    /// overrides applied.
    pub access: Cow<'static, [crate::access::AccessEntry]>,
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
