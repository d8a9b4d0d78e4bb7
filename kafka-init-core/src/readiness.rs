//! What the readiness gate asks of the cluster: a run succeeds only once
//! every partition of every listed topic is served by its leader (it
//! answered a ListOffsets request, which only a leader holding the
//! partition's log does) and has enough in-sync replicas for producers
//! using `acks=all`. The `kafka` layer asks; this is the pure bookkeeping:
//! which partitions served, since when, what is still waited for, and
//! what the cluster refused for good (waiting would not change it).
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use crate::cluster::{ClusterState, TopicError};

/// What one topic must show in metadata to count as ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub topic: String,
    pub partitions: i32,
    /// min(min.insync.replicas, replication factor).
    pub min_isr: usize,
}

/// Every partition that is not ready yet, as `topic/partition: why`.
pub(crate) fn unready(targets: &[Target], cluster: &ClusterState) -> Vec<String> {
    let mut out = Vec::new();
    for target in targets {
        let Some(topic) = cluster.topics.get(&target.topic) else {
            out.push(format!("{}: not in metadata", target.topic));
            continue;
        };
        if topic.partitions.len() < target.partitions as usize {
            out.push(format!(
                "{}: metadata shows {} of {} partitions",
                target.topic,
                topic.partitions.len(),
                target.partitions
            ));
        }
        for p in &topic.partitions {
            if p.leader < 0 {
                out.push(format!("{}/{}: no leader", target.topic, p.id));
            } else if p.isr.len() < target.min_isr {
                out.push(format!(
                    "{}/{}: {} in-sync replica(s), needs {}",
                    target.topic,
                    p.id,
                    p.isr.len(),
                    target.min_isr
                ));
            }
        }
    }
    out
}

/// The targets whose metadata the cluster refused for good (an error not
/// worth asking again, e.g. `TOPIC_AUTHORIZATION_FAILED`), with the error.
pub(crate) fn refused_metadata<'a>(
    targets: &[Target],
    cluster: &'a ClusterState,
) -> Vec<(String, &'a TopicError)> {
    targets
        .iter()
        .filter_map(|t| {
            let error = cluster.topics.get(&t.topic)?.error.as_ref()?;
            (!error.retriable).then(|| (t.topic.clone(), error))
        })
        .collect()
}

/// Partitions of one topic whose leader refused the serving probe for
/// good, all with the same error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Refused {
    pub topic: String,
    /// Ascending.
    pub partitions: Vec<i32>,
    /// Kafka's name for the error, e.g. `TOPIC_AUTHORIZATION_FAILED`.
    pub code: String,
    pub message: String,
}

/// Whether metadata shows `target` ready: every partition has a leader and
/// enough in-sync replicas.
pub(crate) fn is_ready(target: &Target, cluster: &ClusterState) -> bool {
    unready(std::slice::from_ref(target), cluster).is_empty()
}

/// Which partitions have answered their leader's ListOffsets, and when. A
/// partition that served once is not asked again.
#[derive(Debug, Default)]
pub(crate) struct Serving {
    /// Since the start of the run, when each partition first answered.
    served: HashMap<(String, i32), Duration>,
    /// Why each partition that has not answered did not, as last asked.
    last: HashMap<(String, i32), String>,
    /// Partitions refused for good, with the error's name and message.
    refused: BTreeMap<(String, i32), (String, String)>,
}

impl Serving {
    /// Records one partition's answer, `at` the time since the run started.
    pub(crate) fn record(
        &mut self,
        topic: &str,
        partition: i32,
        answer: Result<(), String>,
        at: Duration,
    ) {
        let key = (topic.to_owned(), partition);
        match answer {
            Ok(()) => {
                self.last.remove(&key);
                self.served.entry(key).or_insert(at);
            }
            Err(why) => {
                if !self.served.contains_key(&key) {
                    self.last.insert(key, why);
                }
            }
        }
    }

    /// Records that a partition's leader refused it for good: no answer
    /// will come however long the run waits.
    pub(crate) fn refuse(&mut self, topic: &str, partition: i32, code: String, message: String) {
        self.refused
            .insert((topic.to_owned(), partition), (code, message));
    }

    /// The refused partitions, one entry per topic and error, in topic order.
    pub(crate) fn refusals(&self) -> Vec<Refused> {
        let mut out: Vec<Refused> = Vec::new();
        for ((topic, partition), (code, message)) in &self.refused {
            match out
                .iter_mut()
                .find(|r| &r.topic == topic && &r.code == code)
            {
                Some(r) => r.partitions.push(*partition),
                None => out.push(Refused {
                    topic: topic.clone(),
                    partitions: vec![*partition],
                    code: code.clone(),
                    message: message.clone(),
                }),
            }
        }
        out
    }

    /// Whether the partition has answered.
    pub(crate) fn has_served(&self, topic: &str, partition: i32) -> bool {
        self.served.contains_key(&(topic.to_owned(), partition))
    }

    /// Every partition of `targets` that has not served yet, to ask.
    pub(crate) fn to_ask(&self, targets: &[Target]) -> Vec<(String, i32)> {
        targets
            .iter()
            .flat_map(|t| (0..t.partitions).map(move |p| (t.topic.clone(), p)))
            .filter(|key| !self.served.contains_key(key))
            .collect()
    }

    /// When the last partition of `target` first served, once all have.
    pub(crate) fn serving_after(&self, target: &Target) -> Option<Duration> {
        (0..target.partitions)
            .map(|p| self.served.get(&(target.topic.clone(), p)).copied())
            .try_fold(Duration::ZERO, |latest, at| Some(latest.max(at?)))
    }

    /// The first `shown` partitions of `targets` not serving yet, as
    /// `topic/partition: not serving (leader N): why`, the leader as
    /// `cluster` last showed it, and how many there are in all (the gate
    /// asks tens of thousands of partitions; its log and error name a few).
    pub(crate) fn waiting(
        &self,
        targets: &[Target],
        cluster: &ClusterState,
        shown: usize,
    ) -> (Vec<String>, usize) {
        let pending = self.to_ask(targets);
        let named = pending
            .iter()
            .take(shown)
            .map(|key| self.why_waiting(cluster, key))
            .collect();
        (named, pending.len())
    }

    fn why_waiting(&self, cluster: &ClusterState, key: &(String, i32)) -> String {
        let (topic, partition) = key;
        let leader = cluster
            .topics
            .get(topic)
            .and_then(|t| t.partitions.iter().find(|p| p.id == *partition))
            .map(|p| p.leader)
            .filter(|&l| l >= 0);
        let leader = match leader {
            Some(id) => format!("leader broker {id}"),
            None => "no leader known".to_owned(),
        };
        let why = self.last.get(key).map_or("not asked yet", String::as_str);
        format!("{topic}/{partition}: not serving ({leader}): {why}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{PartitionState, TopicState};

    fn target(topic: &str, partitions: i32) -> Target {
        Target {
            topic: topic.into(),
            partitions,
            min_isr: 1,
        }
    }

    fn cluster(topic: &str, leaders: &[i32]) -> ClusterState {
        let partitions = leaders
            .iter()
            .enumerate()
            .map(|(i, &leader)| PartitionState {
                id: i as i32,
                leader,
                replicas: vec![leader],
                isr: vec![leader],
            })
            .collect();
        ClusterState {
            topics: [(
                topic.to_owned(),
                TopicState {
                    partitions,
                    error: None,
                },
            )]
            .into(),
        }
    }

    #[test]
    fn a_partition_that_served_is_not_asked_again() {
        let targets = [target("a", 2)];
        let mut serving = Serving::default();
        assert_eq!(serving.to_ask(&targets), [("a".into(), 0), ("a".into(), 1)]);
        serving.record("a", 0, Ok(()), Duration::from_millis(5));
        serving.record(
            "a",
            1,
            Err("NOT_LEADER_OR_FOLLOWER".into()),
            Duration::from_millis(5),
        );
        assert_eq!(serving.to_ask(&targets), [("a".into(), 1)]);
        // A later failure does not undo an answer.
        serving.record("a", 0, Err("_NO_OFFSET".into()), Duration::from_millis(9));
        assert_eq!(serving.to_ask(&targets), [("a".into(), 1)]);
        assert_eq!(serving.served.len(), 1);
    }

    #[test]
    fn a_topic_serves_when_its_last_partition_does() {
        let t = target("a", 2);
        let mut serving = Serving::default();
        serving.record("a", 1, Ok(()), Duration::from_millis(30));
        assert_eq!(serving.serving_after(&t), None);
        serving.record("a", 0, Ok(()), Duration::from_millis(70));
        serving.record("a", 0, Ok(()), Duration::from_millis(90));
        assert_eq!(serving.serving_after(&t), Some(Duration::from_millis(70)));
    }

    #[test]
    fn refusals_group_partitions_by_topic_and_error() {
        let mut serving = Serving::default();
        assert!(serving.refusals().is_empty());
        let denied = || "TOPIC_AUTHORIZATION_FAILED".to_owned();
        serving.refuse("b", 2, denied(), "Topic authorization failed".into());
        serving.refuse("a", 1, denied(), "Topic authorization failed".into());
        serving.refuse("b", 0, denied(), "Topic authorization failed".into());
        serving.refuse("b", 1, "UNSUPPORTED_VERSION".into(), "too old".into());
        serving.record("a", 0, Err("NOT_LEADER_OR_FOLLOWER".into()), Duration::ZERO);
        let refused = |topic: &str, partitions: &[i32], code: &str, message: &str| Refused {
            topic: topic.into(),
            partitions: partitions.to_vec(),
            code: code.into(),
            message: message.into(),
        };
        // A transient answer (a/0) is waited for, not refused.
        assert_eq!(
            serving.refusals(),
            [
                refused(
                    "a",
                    &[1],
                    "TOPIC_AUTHORIZATION_FAILED",
                    "Topic authorization failed"
                ),
                refused(
                    "b",
                    &[0, 2],
                    "TOPIC_AUTHORIZATION_FAILED",
                    "Topic authorization failed"
                ),
                refused("b", &[1], "UNSUPPORTED_VERSION", "too old"),
            ]
        );
    }

    #[test]
    fn only_a_metadata_error_not_worth_asking_again_is_a_refusal() {
        let error = |name: &str, retriable: bool| TopicError {
            name: name.into(),
            message: String::new(),
            retriable,
        };
        let mut state = cluster("ready", &[1]);
        for (topic, e) in [
            ("new", error("LEADER_NOT_AVAILABLE", true)),
            ("denied", error("TOPIC_AUTHORIZATION_FAILED", false)),
            ("unlisted", error("TOPIC_AUTHORIZATION_FAILED", false)),
        ] {
            let topic_state = TopicState {
                partitions: Vec::new(),
                error: Some(e),
            };
            state.topics.insert(topic.into(), topic_state);
        }
        let targets = [target("ready", 1), target("new", 1), target("denied", 2)];
        let refused = refused_metadata(&targets, &state);
        assert_eq!(refused.len(), 1, "{refused:?}");
        assert_eq!(refused[0].0, "denied");
        assert_eq!(refused[0].1.name, "TOPIC_AUTHORIZATION_FAILED");
    }

    #[test]
    fn waiting_names_the_partition_its_leader_and_why() {
        let targets = [target("a", 3)];
        let mut serving = Serving::default();
        serving.record("a", 0, Ok(()), Duration::ZERO);
        serving.record(
            "a",
            1,
            Err("NOT_LEADER_OR_FOLLOWER: not yet".into()),
            Duration::ZERO,
        );
        let cluster = cluster("a", &[1, 2, -1]);
        let lines = [
            "a/1: not serving (leader broker 2): NOT_LEADER_OR_FOLLOWER: not yet",
            "a/2: not serving (no leader known): not asked yet",
        ];
        assert_eq!(
            serving.waiting(&targets, &cluster, 5),
            (lines.map(String::from).to_vec(), 2)
        );
        // A few named, all counted.
        assert_eq!(
            serving.waiting(&targets, &cluster, 1),
            (vec![lines[0].to_owned()], 2)
        );
    }
}
