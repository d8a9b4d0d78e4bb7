//! The rules a set of topic specs must follow before any broker sees them:
//! Kafka's topic name rules, sizes, config keys and values, and the
//! cross-field rules. The file loader, `include_topics!` and the binary all
//! run these same checks.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::HashMap;

use crate::keys;
use crate::spec::TopicSpec;
pub(crate) use crate::topic_name::check_name;

/// The replication factor is an INT16 in CreateTopics.
pub(crate) const MAX_REPLICATION_FACTOR: i32 = i16::MAX as i32;

/// How `check_config` marks a message as a warning rather than an error.
const WARNING: &str = "warning: ";

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    /// The index of the topic in the checked slice.
    pub topic: usize,
    /// The field the problem is reported at.
    pub at: Field,
    /// Another field of the same topic the rule depends on, if any.
    pub related: Option<Field>,
    pub message: String,
    /// The broker accepts it; it is likely a mistake.
    pub warning: bool,
}

/// A place in one topic's declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Field {
    Name,
    Partitions,
    ReplicationFactor,
    /// The key of one `config` entry.
    ConfigKey(String),
    /// The value of one `config` entry.
    ConfigValue(String),
}

/// Checks every spec and the set as a whole; returns every problem found.
pub(crate) fn topics(specs: &[TopicSpec]) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let mut push = |at: Field, related: Option<Field>, message: String| {
            // Messages of what the broker accepts start with "warning: ".
            let (warning, message) = match message.strip_prefix(WARNING) {
                Some(m) => (true, m.to_owned()),
                None => (false, message),
            };
            issues.push(Issue {
                topic: i,
                at,
                related,
                message,
                warning,
            })
        };
        if let Err(why) = check_name(&spec.name) {
            push(Field::Name, None, format!("topic `{}`: {why}", spec.key));
        }
        let topic = &spec.name;
        // Sizes below 1 cannot be built (`Size`); the file's are refused
        // where they are read.
        if spec
            .replication_factor
            .count()
            .is_some_and(|rf| rf > MAX_REPLICATION_FACTOR as u32)
        {
            push(
                Field::ReplicationFactor,
                None,
                format!(
                    "topic `{topic}`: replication_factor {} is out of range: at most {MAX_REPLICATION_FACTOR}",
                    spec.replication_factor
                ),
            );
        }
        check_config(spec, &mut push);
    }
    check_duplicates(specs, &mut issues);
    issues
}

fn check_config(spec: &TopicSpec, push: &mut impl FnMut(Field, Option<Field>, String)) {
    let topic = &spec.name;
    let mut valid: HashMap<&str, &str> = HashMap::new();
    for (key, value) in spec.config.iter() {
        let key = key.as_ref();
        match keys::lookup(key) {
            Some(k) => match k.check(value) {
                Ok(doubt) => {
                    valid.insert(key, value.trim());
                    if let Some(why) = doubt {
                        push(
                            Field::ConfigValue(key.into()),
                            None,
                            format!("{WARNING}topic `{topic}`: {key}: {why}"),
                        );
                    }
                }
                Err(why) => push(
                    Field::ConfigValue(key.into()),
                    None,
                    format!("topic `{topic}`: {key}: {why}"),
                ),
            },
            None if keys::REMOVED_IN_4_0.contains(&key) => push(
                Field::ConfigKey(key.into()),
                None,
                format!(
                    "topic `{topic}`: config key `{key}` was removed in Kafka 4.0 and brokers reject it; delete it"
                ),
            ),
            None => {
                let hint = match keys::suggest(key) {
                    Some(s) => format!("; did you mean `{s}`?"),
                    None => String::new(),
                };
                push(
                    Field::ConfigKey(key.into()),
                    None,
                    format!("topic `{topic}`: unknown config key `{key}`{hint}"),
                )
            }
        }
    }

    let long = |key: &str| valid.get(key).and_then(|v| v.parse::<i64>().ok());

    if let (Some(min), Some(max)) = (long("min.compaction.lag.ms"), long("max.compaction.lag.ms")) {
        if min > max {
            push(
                Field::ConfigValue("min.compaction.lag.ms".into()),
                None,
                format!(
                    "topic `{topic}`: min.compaction.lag.ms ({min}) is greater than max.compaction.lag.ms ({max})"
                ),
            );
        }
    }

    if let Some(min_isr) = long("min.insync.replicas") {
        if spec
            .replication_factor
            .count()
            .is_some_and(|rf| min_isr > i64::from(rf))
        {
            push(
                Field::ConfigValue("min.insync.replicas".into()),
                Some(Field::ReplicationFactor),
                format!(
                    "{WARNING}topic `{topic}`: min.insync.replicas ({min_isr}) is greater than replication_factor ({}): producers with acks=all could never write",
                    spec.replication_factor
                ),
            );
        }
    }

    let remote = valid
        .get("remote.storage.enable")
        .is_some_and(|v| v.eq_ignore_ascii_case("true"));
    if remote {
        if let Some(policy) = valid.get("cleanup.policy") {
            if keys::list_items(policy).any(|p| p == "compact") {
                push(
                    Field::ConfigValue("remote.storage.enable".into()),
                    None,
                    format!(
                        "topic `{topic}`: remote.storage.enable is true, but tiered storage needs cleanup.policy `delete` and this topic's is `{policy}`"
                    ),
                );
            }
        }
    }

    for (local_key, total_key) in [
        ("local.retention.ms", "retention.ms"),
        ("local.retention.bytes", "retention.bytes"),
    ] {
        let (Some(local), Some(total)) = (long(local_key), long(total_key)) else {
            continue;
        };
        // -1 means unlimited for the total; -2 means "same as the total"
        // for the local part (LogConfig.validateLocalRetention*).
        if total == -1 || local == -2 {
            continue;
        }
        // The broker refuses it only for a topic in tiered storage; it
        // means nothing without, but is likely a mistake.
        let level = if remote { "" } else { WARNING };
        let message = if local == -1 {
            format!(
                "{level}topic `{topic}`: {local_key} is -1 (unlimited) but {total_key} is {total}; local retention cannot exceed the total"
            )
        } else if local > total {
            format!(
                "{level}topic `{topic}`: {local_key} ({local}) is greater than {total_key} ({total})"
            )
        } else {
            continue;
        };
        push(Field::ConfigValue(local_key.into()), None, message);
    }
}

/// Same name twice, or two names Kafka would treat as one (`.` vs `_`).
fn check_duplicates(specs: &[TopicSpec], issues: &mut Vec<Issue>) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, spec) in specs.iter().enumerate() {
        let folded = spec.name.replace('.', "_");
        match seen.get(&folded) {
            Some(&first) => {
                let other = &specs[first];
                let message = if other.name == spec.name {
                    format!(
                        "topic `{}`: name `{}` is already declared by topic `{}`",
                        spec.key, spec.name, other.key
                    )
                } else {
                    format!(
                        "topic `{}`: name `{}` collides with `{}` (topic `{}`): Kafka treats `.` and `_` in topic names as the same character",
                        spec.key, spec.name, other.name, other.key
                    )
                };
                issues.push(Issue {
                    topic: i,
                    at: Field::Name,
                    related: None,
                    message,
                    warning: false,
                });
            }
            None => {
                seen.insert(folded, i);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    fn spec(
        key: &'static str,
        name: &'static str,
        config: &[(&'static str, &'static str)],
    ) -> TopicSpec {
        TopicSpec {
            key: Cow::Borrowed(key),
            name: Cow::Borrowed(name),
            partitions: crate::spec::Size::from_kafka(1),
            replication_factor: crate::spec::Size::from_kafka(1),
            config: config
                .iter()
                .map(|(k, v)| (Cow::Borrowed(*k), Cow::Borrowed(*v)))
                .collect::<Vec<_>>()
                .into(),
            keep_unmanaged_configs: false,
        }
    }

    fn messages(specs: &[TopicSpec]) -> Vec<String> {
        topics(specs).into_iter().map(|i| i.message).collect()
    }

    #[test]
    fn names_follow_kafkas_rules() {
        assert!(check_name("dc.workload").is_ok());
        assert!(check_name("a-b_c.D9").is_ok());
        assert!(check_name("").is_err());
        assert!(check_name(".").is_err());
        assert!(check_name("..").is_err());
        assert!(check_name(&"a".repeat(249)).is_ok());
        assert!(check_name(&"a".repeat(250)).unwrap_err().contains("250"));
        assert!(check_name("dc workload").unwrap_err().contains("a space"));
        assert!(check_name("dc/workload").unwrap_err().contains("`/`"));
        assert!(check_name("dé").is_err());
        assert!(check_name("__consumer_offsets").unwrap_err().contains("__"));
        assert!(check_name("_private").is_ok());
    }

    #[test]
    fn duplicates_and_collisions() {
        let got = messages(&[
            spec("a", "dc.power", &[]),
            spec("b", "dc.power", &[]),
            spec("c", "dc_power", &[]),
        ]);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(got[0].contains("already declared by topic `a`"), "{got:?}");
        assert!(got[1].contains("collides with `dc.power`"), "{got:?}");
    }

    #[test]
    fn sizes() {
        let mut s = spec("a", "a", &[]);
        // Below 1 cannot be built: 0 is the broker's default.
        assert!(crate::spec::Size::from_kafka(0).is_broker_default());
        s.partitions = crate::spec::Size::from_kafka(1);
        s.replication_factor = crate::spec::Size::from_kafka(40_000);
        assert!(messages(&[s])[0].contains("at most 32767"));
    }

    #[test]
    fn config_keys_and_values() {
        let got = messages(&[spec(
            "t",
            "dc.topology",
            &[
                ("cleanup.policy", "compakt"),
                ("retention.mss", "1"),
                ("message.format.version", "3.0"),
                ("retention.ms", "24h"),
                ("min.cleanable.dirty.ratio", "1.5"),
            ],
        )]);
        assert_eq!(
            got,
            [
                "topic `dc.topology`: cleanup.policy: `compakt` is not one of `compact`, `delete`",
                "topic `dc.topology`: unknown config key `retention.mss`; did you mean `retention.ms`?",
                "topic `dc.topology`: config key `message.format.version` was removed in Kafka 4.0 and brokers reject it; delete it",
                "topic `dc.topology`: retention.ms: expected a whole number with no unit, got `24h`",
                "topic `dc.topology`: min.cleanable.dirty.ratio: `1.5` is out of range: 0 to 1",
            ]
        );
    }

    #[test]
    fn cross_field_rules() {
        let got = topics(&[spec(
            "t",
            "t",
            &[
                ("min.compaction.lag.ms", "7200000"),
                ("max.compaction.lag.ms", "3600000"),
                ("min.insync.replicas", "2"),
                ("remote.storage.enable", "true"),
                ("cleanup.policy", "delete,compact"),
                ("retention.ms", "1000"),
                ("local.retention.ms", "2000"),
                ("retention.bytes", "100"),
                ("local.retention.bytes", "-1"),
            ],
        )]);
        let at: Vec<_> = got.iter().map(|i| i.at.clone()).collect();
        assert_eq!(
            at,
            [
                Field::ConfigValue("min.compaction.lag.ms".into()),
                Field::ConfigValue("min.insync.replicas".into()),
                Field::ConfigValue("remote.storage.enable".into()),
                Field::ConfigValue("local.retention.ms".into()),
                Field::ConfigValue("local.retention.bytes".into()),
            ],
            "{got:#?}"
        );
        assert_eq!(got[1].related, Some(Field::ReplicationFactor));

        let fine = topics(&[spec(
            "t",
            "t",
            &[
                ("retention.ms", "-1"),
                ("local.retention.ms", "5000"),
                ("retention.bytes", "100"),
                ("local.retention.bytes", "-2"),
                ("min.compaction.lag.ms", "0"),
                ("max.compaction.lag.ms", "1"),
            ],
        )]);
        assert!(fine.is_empty(), "{fine:#?}");
    }
}
