//! Whether an orphan is still in use, decided from what the engine read of
//! it: consumer groups with committed offsets, and its newest record. A
//! topic in use is kept by pruning unless the run says otherwise
//! ([`EnsureOptions::prune_in_use`](crate::EnsureOptions::prune_in_use)).
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::time::Duration;

use serde::Serialize;

/// What the cluster showed of one topic's use.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Consumer groups with committed offsets on the topic, sorted.
    pub groups: Vec<String>,
    /// The newest record's timestamp over every partition, in milliseconds
    /// since the epoch; `None` when no partition holds a record.
    pub last_record_ms: Option<i64>,
}

/// Why an orphan counts as in use, as pruning reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct InUse {
    /// `group billing (offsets), last record 3 min ago`.
    pub reason: String,
    /// Consumer groups with committed offsets on the topic, sorted.
    pub groups: Vec<String>,
    /// The newest record's timestamp (ms since the epoch), if any record.
    pub last_record_ms: Option<i64>,
}

/// The default of [`EnsureOptions::prune_idle`](crate::EnsureOptions::prune_idle):
/// a topic written to within a day is in use.
pub const DEFAULT_PRUNE_IDLE: Duration = Duration::from_secs(24 * 60 * 60);

impl Usage {
    /// Whether the topic is in use at `now_ms` (milliseconds since the
    /// epoch): a group has committed offsets on it, or its newest record is
    /// younger than `idle`. A record stamped in the future counts as new.
    pub fn in_use(&self, now_ms: i64, idle: Duration) -> Option<InUse> {
        let recent = self
            .last_record_ms
            .filter(|&ts| now_ms.saturating_sub(ts) < idle.as_millis() as i64);
        if self.groups.is_empty() && recent.is_none() {
            return None;
        }
        let mut parts = Vec::new();
        match self.groups.as_slice() {
            [] => {}
            [one] => parts.push(format!("group {one} (offsets)")),
            many => parts.push(format!("groups {} (offsets)", many.join(", "))),
        }
        if let Some(ts) = self.last_record_ms {
            parts.push(format!("last record {}", age(now_ms.saturating_sub(ts))));
        }
        Some(InUse {
            reason: format!("in use: {}", parts.join(", ")),
            groups: self.groups.clone(),
            last_record_ms: self.last_record_ms,
        })
    }
}

/// `3 min ago`, coarse on purpose: the reason is read by a person.
fn age(ms: i64) -> String {
    if ms < 1_000 {
        return "just now".into();
    }
    let s = ms / 1_000;
    match s {
        0..=59 => format!("{s} s ago"),
        60..=3_599 => format!("{} min ago", s / 60),
        3_600..=172_799 => format!("{} h ago", s / 3_600),
        _ => format!("{} d ago", s / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const DAY: Duration = DEFAULT_PRUNE_IDLE;

    #[test]
    fn an_idle_topic_without_offsets_is_not_in_use() {
        assert_eq!(Usage::default().in_use(NOW, DAY), None);
        let old = Usage {
            groups: vec![],
            last_record_ms: Some(NOW - 25 * 3_600_000),
        };
        assert_eq!(old.in_use(NOW, DAY), None);
    }

    #[test]
    fn committed_offsets_keep_a_topic_however_old_its_records() {
        let usage = Usage {
            groups: vec!["billing".into()],
            last_record_ms: Some(NOW - 3 * 86_400_000),
        };
        let kept = usage.in_use(NOW, DAY).unwrap();
        assert_eq!(
            kept.reason,
            "in use: group billing (offsets), last record 3 d ago"
        );
        let two = Usage {
            groups: vec!["a".into(), "b".into()],
            last_record_ms: None,
        };
        assert_eq!(
            two.in_use(NOW, DAY).unwrap().reason,
            "in use: groups a, b (offsets)"
        );
    }

    #[test]
    fn a_fresh_record_keeps_a_topic() {
        let usage = Usage {
            groups: vec![],
            last_record_ms: Some(NOW - 3 * 60_000 - 500),
        };
        assert_eq!(
            usage.in_use(NOW, DAY).unwrap().reason,
            "in use: last record 3 min ago"
        );
        // The same record, with a shorter idle time, no longer keeps it.
        assert_eq!(usage.in_use(NOW, Duration::from_secs(60)), None);
        let future = Usage {
            groups: vec![],
            last_record_ms: Some(NOW + 60_000),
        };
        assert_eq!(
            future.in_use(NOW, DAY).unwrap().reason,
            "in use: last record just now"
        );
    }
}
