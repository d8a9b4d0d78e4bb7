//! Kafka's topic-level config keys: their types, valid values and defaults
//! (Kafka 4.x `LogConfig`), used both to validate a file and to compare a
//! file's value with what a broker reports.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

/// What values a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Boolean,
    /// A 32-bit integer within one of the inclusive ranges.
    Int(&'static [(i64, i64)]),
    /// A 64-bit integer within one of the inclusive ranges.
    Long(&'static [(i64, i64)]),
    /// A floating-point number from 0 to 1 inclusive.
    Ratio,
    /// One of these exact (case-sensitive) strings.
    Enum(&'static [&'static str]),
    /// A comma-separated list, each item one of these strings.
    List(&'static [&'static str]),
    /// `*`, or `partition:broker` pairs separated by commas.
    ThrottledReplicas,
}

/// One topic-level config key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeySpec {
    pub name: &'static str,
    pub kind: Kind,
    /// The broker's default, as DescribeConfigs reports it.
    pub default: &'static str,
    /// The first Kafka version that knows the key, when newer than 4.0.
    pub since: Option<&'static str>,
}

const I32: i64 = i32::MAX as i64;
const I64: i64 = i64::MAX;

const fn key(name: &'static str, kind: Kind, default: &'static str) -> KeySpec {
    KeySpec {
        name,
        kind,
        default,
        since: None,
    }
}

const fn key_since(
    name: &'static str,
    kind: Kind,
    default: &'static str,
    since: &'static str,
) -> KeySpec {
    KeySpec {
        name,
        kind,
        default,
        since: Some(since),
    }
}

/// Every topic-level key, sorted by name.
pub(crate) static KEYS: &[KeySpec] = &[
    key(
        "cleanup.policy",
        Kind::List(&["compact", "delete"]),
        "delete",
    ),
    key(
        "compression.gzip.level",
        Kind::Int(&[(-1, -1), (1, 9)]),
        "-1",
    ),
    key("compression.lz4.level", Kind::Int(&[(1, 17)]), "9"),
    key(
        "compression.type",
        Kind::Enum(&["uncompressed", "zstd", "lz4", "snappy", "gzip", "producer"]),
        "producer",
    ),
    key("compression.zstd.level", Kind::Int(&[(-131072, 22)]), "3"),
    key("delete.retention.ms", Kind::Long(&[(0, I64)]), "86400000"),
    key_since(
        "errors.deadletterqueue.group.enable",
        Kind::Boolean,
        "false",
        "4.4",
    ),
    key("file.delete.delay.ms", Kind::Long(&[(0, I64)]), "60000"),
    key(
        "flush.messages",
        Kind::Long(&[(1, I64)]),
        "9223372036854775807",
    ),
    key("flush.ms", Kind::Long(&[(0, I64)]), "9223372036854775807"),
    key(
        "follower.replication.throttled.replicas",
        Kind::ThrottledReplicas,
        "",
    ),
    key("index.interval.bytes", Kind::Int(&[(0, I32)]), "4096"),
    key(
        "leader.replication.throttled.replicas",
        Kind::ThrottledReplicas,
        "",
    ),
    key("local.retention.bytes", Kind::Long(&[(-2, I64)]), "-2"),
    key("local.retention.ms", Kind::Long(&[(-2, I64)]), "-2"),
    key(
        "max.compaction.lag.ms",
        Kind::Long(&[(1, I64)]),
        "9223372036854775807",
    ),
    key("max.message.bytes", Kind::Int(&[(0, I32)]), "1048588"),
    key(
        "message.timestamp.after.max.ms",
        Kind::Long(&[(0, I64)]),
        "3600000",
    ),
    key(
        "message.timestamp.before.max.ms",
        Kind::Long(&[(0, I64)]),
        "9223372036854775807",
    ),
    key(
        "message.timestamp.type",
        Kind::Enum(&["CreateTime", "LogAppendTime"]),
        "CreateTime",
    ),
    key("min.cleanable.dirty.ratio", Kind::Ratio, "0.5"),
    key("min.compaction.lag.ms", Kind::Long(&[(0, I64)]), "0"),
    key("min.insync.replicas", Kind::Int(&[(1, I32)]), "1"),
    key("preallocate", Kind::Boolean, "false"),
    key_since(
        "remote.copy.lag.bytes",
        Kind::Long(&[(-1, I64)]),
        "-1",
        "4.4",
    ),
    key_since("remote.copy.lag.ms", Kind::Long(&[(-1, I64)]), "-1", "4.4"),
    key("remote.log.copy.disable", Kind::Boolean, "false"),
    key("remote.log.delete.on.disable", Kind::Boolean, "false"),
    key("remote.storage.enable", Kind::Boolean, "false"),
    key("retention.bytes", Kind::Long(&[(i64::MIN, I64)]), "-1"),
    key("retention.ms", Kind::Long(&[(-1, I64)]), "604800000"),
    key("segment.bytes", Kind::Int(&[(14, I32)]), "1073741824"),
    key("segment.index.bytes", Kind::Int(&[(4, I32)]), "10485760"),
    key("segment.jitter.ms", Kind::Long(&[(0, I64)]), "0"),
    key("segment.ms", Kind::Long(&[(1, I64)]), "604800000"),
    key("unclean.leader.election.enable", Kind::Boolean, "false"),
];

/// Keys Kafka 4.0 removed; a 4.x broker rejects them as unknown.
pub(crate) static REMOVED_IN_4_0: &[&str] = &[
    "message.downconversion.enable",
    "message.format.version",
    "message.timestamp.difference.max.ms",
];

/// The spec of a known key.
pub(crate) fn lookup(name: &str) -> Option<&'static KeySpec> {
    KEYS.binary_search_by(|k| k.name.cmp(name))
        .ok()
        .map(|i| &KEYS[i])
}

/// The known key closest to a misspelt one, when one is close enough.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    crate::hint::closest(name, KEYS.iter().map(|k| k.name), 0.85)
}

/// Splits a Kafka list value the way `ConfigDef` does: on commas, trimmed,
/// empty items dropped.
pub(crate) fn list_items(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(str::trim).filter(|s| !s.is_empty())
}

/// The form in which two values of `key` compare equal exactly when Kafka
/// treats them as the same setting.
pub(crate) fn normalize(key: &str, value: &str) -> String {
    let value = value.trim();
    match lookup(key).map(|k| k.kind) {
        Some(Kind::Boolean) => value.to_ascii_lowercase(),
        Some(Kind::List(_)) | Some(Kind::ThrottledReplicas) => {
            let mut items: Vec<&str> = list_items(value).collect();
            items.sort_unstable();
            items.dedup();
            items.join(",")
        }
        _ => value.to_owned(),
    }
}

impl KeySpec {
    /// Checks `value` against the key's type and range, as the broker
    /// would. The message says what was expected. `Ok(Some(why))`: the
    /// broker takes it, but it is likely a mistake.
    pub(crate) fn check(&self, value: &str) -> Result<Option<String>, String> {
        self.check_value(value).map(|()| self.doubt(value.trim()))
    }

    /// Why a value the broker accepts is still likely a mistake.
    fn doubt(&self, v: &str) -> Option<String> {
        match self.kind {
            Kind::Ratio if v.parse::<f64>().is_ok_and(f64::is_nan) => Some(format!(
                "`{v}` is not a number: Kafka accepts it, but no ratio compares with it"
            )),
            Kind::List(_) if list_items(v).next().is_none() => Some(
                "empty: Kafka accepts it, and then neither deletes nor compacts the topic's data"
                    .to_owned(),
            ),
            _ => None,
        }
    }

    fn check_value(&self, value: &str) -> Result<(), String> {
        let v = value.trim();
        match self.kind {
            Kind::Boolean => {
                if v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false") {
                    Ok(())
                } else {
                    Err(format!("expected `true` or `false`, got `{value}`"))
                }
            }
            Kind::Int(ranges) | Kind::Long(ranges) => {
                let n: i64 = v
                    .parse()
                    .map_err(|_| format!("expected a whole number with no unit, got `{value}`"))?;
                if ranges.iter().any(|(lo, hi)| (*lo..=*hi).contains(&n)) {
                    Ok(())
                } else {
                    Err(format!("`{value}` is out of range: {}", describe(ranges)))
                }
            }
            Kind::Ratio => {
                let n: f64 = v
                    .parse()
                    .map_err(|_| format!("expected a number, got `{value}`"))?;
                // The broker's range check lets NaN through (a warning).
                if (0.0..=1.0).contains(&n) || n.is_nan() {
                    Ok(())
                } else {
                    Err(format!("`{value}` is out of range: 0 to 1"))
                }
            }
            Kind::Enum(allowed) => {
                if allowed.contains(&v) {
                    Ok(())
                } else {
                    Err(format!(
                        "`{value}` is not one of {}",
                        quoted_list(allowed.iter().copied())
                    ))
                }
            }
            Kind::List(allowed) => {
                let mut seen: Vec<&str> = Vec::new();
                for item in list_items(v) {
                    if !allowed.contains(&item) {
                        return Err(format!(
                            "`{item}` is not one of {}",
                            quoted_list(allowed.iter().copied())
                        ));
                    }
                    if seen.contains(&item) {
                        return Err(format!("`{item}` is listed twice"));
                    }
                    seen.push(item);
                }
                Ok(())
            }
            Kind::ThrottledReplicas => {
                if v.is_empty() || v == "*" {
                    return Ok(());
                }
                for item in list_items(v) {
                    let ok = item.split_once(':').is_some_and(|(p, b)| {
                        p.trim().parse::<u32>().is_ok() && b.trim().parse::<u32>().is_ok()
                    });
                    if !ok {
                        return Err(format!("`{item}` is not `partition:broker` (or use `*`)"));
                    }
                }
                Ok(())
            }
        }
    }
}

fn describe(ranges: &[(i64, i64)]) -> String {
    ranges
        .iter()
        .map(|&(lo, hi)| match (lo, hi) {
            (lo, hi) if lo == hi => format!("{lo}"),
            (lo, I64) => format!("at least {lo}"),
            (lo, I32) => format!("{lo} to {I32}"),
            (lo, hi) => format!("{lo} to {hi}"),
        })
        .collect::<Vec<_>>()
        .join(" or ")
}

fn quoted_list<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .map(|s| format!("`{s}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_for_lookup() {
        assert!(KEYS.windows(2).all(|w| w[0].name < w[1].name));
        assert_eq!(lookup("retention.ms").unwrap().default, "604800000");
        assert!(lookup("retention.mss").is_none());
    }

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggest("retention.mss"), Some("retention.ms"));
        assert_eq!(suggest("cleanup.polcy"), Some("cleanup.policy"));
        assert_eq!(suggest("zzz"), None);
    }

    #[test]
    fn normalizes_like_kafka() {
        assert_eq!(
            normalize("cleanup.policy", "compact,delete"),
            normalize("cleanup.policy", " delete , compact ")
        );
        assert_eq!(normalize("preallocate", "TRUE"), "true");
        assert_eq!(normalize("retention.ms", " 1000 "), "1000");
        assert_ne!(
            normalize("compression.type", "GZIP"),
            normalize("compression.type", "gzip")
        );
    }

    #[test]
    fn checks_values() {
        let check = |k: &str, v: &str| lookup(k).unwrap().check(v);
        assert!(check("cleanup.policy", "compact").is_ok());
        assert!(check("cleanup.policy", "compact, delete").is_ok());
        assert!(check("cleanup.policy", "compakt")
            .unwrap_err()
            .contains("compakt"));
        assert!(check("cleanup.policy", "compact,compact").is_err());
        assert!(check("retention.ms", "24h").unwrap_err().contains("24h"));
        assert!(check("retention.ms", "-1").is_ok());
        assert!(check("retention.ms", "-2").is_err());
        assert!(check("min.cleanable.dirty.ratio", "1.5").is_err());
        assert_eq!(check("min.cleanable.dirty.ratio", "0.25"), Ok(None));
        // What the broker accepts but is likely a mistake: a warning.
        assert!(check("min.cleanable.dirty.ratio", "NaN").unwrap().is_some());
        assert!(check("cleanup.policy", "").unwrap().is_some());
        assert!(check("cleanup.policy", " , ").unwrap().is_some());
        assert!(check("compression.gzip.level", "0").is_err());
        assert!(check("compression.gzip.level", "-1").is_ok());
        assert!(check("max.message.bytes", "3000000000").is_err());
        assert!(check("preallocate", "True").is_ok());
        assert!(check("preallocate", "yes").is_err());
        assert!(check("leader.replication.throttled.replicas", "0:1, 1:2").is_ok());
        assert!(check("leader.replication.throttled.replicas", "0-1").is_err());
    }
}
