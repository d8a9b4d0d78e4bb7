//! The plan: one action per listed topic, from a pure diff of the file
//! against what the cluster has, and what each topic must show before a run
//! succeeds. `apply` executes it; `report` renders it.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::HashSet;

use indexmap::IndexMap;
use serde::Serialize;

use crate::access::{AccessAction, AccessChange};
use crate::cluster::{BrokerDefaults, ClusterState, Observation};
use crate::keys;
use crate::ownership::ExistingTopic;
use crate::readiness::{self, Target};
use crate::spec::{Size, TopicSpec};
use crate::usage::InUse;

/// What `apply` will do, topic by topic, in file order.
#[derive(Debug, Clone, Serialize)]
#[non_exhaustive]
pub struct Plan {
    /// One row per listed topic, in file order; then, when pruning, one per orphan.
    pub topics: Vec<TopicPlan>,
    /// One row per binding the file's `access` declares (`grant` or
    /// `unchanged`); then, when pruning, one per owned binding it does not
    /// declare (`revoke`). Empty when the run declares no access and does
    /// not prune, or the cluster has no authorizer.
    pub access: Vec<AccessChange>,
    /// The brokers the cluster had registered when the plan was made, to
    /// hold each topic's replication factor against.
    pub brokers: Option<usize>,
    /// The file the plan was made from, to verify against after applying.
    #[serde(skip)]
    pub(crate) specs: Vec<TopicSpec>,
    /// What every listed topic must reach before the run succeeds.
    #[serde(skip)]
    pub(crate) targets: Vec<Target>,
    /// Partitions that were not ready (no leader, short ISR) when observed.
    #[serde(skip)]
    pub(crate) unready: Vec<String>,
    /// The listed topics' metadata as observed (leaders, in-sync replicas).
    #[serde(skip)]
    pub(crate) observed: ClusterState,
}

/// One topic of a plan: its name, what `apply` does to it, and its replication factor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TopicPlan {
    /// The topic name.
    pub name: String,
    /// What `apply` does to it.
    pub action: PlannedAction,
    /// The replication factor the file wants (a `default` one as the
    /// broker resolves it).
    pub replication_factor: i32,
}

/// What `apply` does to one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum PlannedAction {
    /// The topic does not exist: create it as declared.
    Create(Creation),
    /// The topic matches the file.
    Unchanged,
    /// Config changes, partition growth, or both.
    Update {
        /// Topic-level keys to set or reset.
        configs: Vec<ConfigChange>,
        /// Partitions to add, if any.
        partitions: Option<PartitionGrowth>,
    },
    /// A change kafka-init never makes. One refusal stops the whole plan.
    Refused {
        /// Why, one entry per refused change.
        reasons: Vec<Refusal>,
    },
    /// An orphan (owned, not declared, not protected) that a pruning run
    /// deletes, after everything else succeeded. Only in a plan made with
    /// [`EnsureOptions::prune`](crate::EnsureOptions::prune).
    Delete(Deletion),
    /// An orphan that pruning keeps because it is in use (a consumer group
    /// has committed offsets on it, or it was written to recently). Only in
    /// a plan made with [`EnsureOptions::prune`](crate::EnsureOptions::prune).
    Keep(InUse),
}

/// A topic to delete, as the cluster has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Deletion {
    /// The partition count the topic has.
    pub partitions: i32,
    /// The replication factor the topic has.
    pub replication_factor: i32,
    /// Set when the topic is in use and the run deletes it anyway
    /// ([`EnsureOptions::prune_in_use`](crate::EnsureOptions::prune_in_use)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_use: Option<InUse>,
}

/// A topic to create, exactly as the file declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Creation {
    /// Partitions (the broker default when the file says `default`).
    pub partitions: i32,
    /// Replication factor (likewise).
    pub replication_factor: i32,
    /// Topic-level configs, as the file sets them.
    pub configs: IndexMap<String, String>,
}

/// One topic-level key to change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "op")]
#[non_exhaustive]
pub enum ConfigChange {
    /// Set `key` to the file's value. `old` is the topic's own value; `None`
    /// when a broker or cluster default applied.
    Set {
        /// The config key.
        key: String,
        /// The topic's own value, if it had one.
        old: Option<String>,
        /// The file's value.
        new: String,
    },
    /// Remove the topic's own value so the default applies: the file no
    /// longer lists the key, or another client set it.
    Reset {
        /// The config key.
        key: String,
        /// The topic's own value, removed.
        old: String,
    },
}

impl ConfigChange {
    /// The key this change touches.
    pub fn key(&self) -> &str {
        match self {
            ConfigChange::Set { key, .. } | ConfigChange::Reset { key, .. } => key,
        }
    }

    /// One change for `self` followed by `later` on the same key: from the
    /// first old value to the last new one.
    pub(crate) fn then(self, later: ConfigChange) -> ConfigChange {
        use ConfigChange::*;
        match (self, later) {
            (Set { key, old, .. }, Set { new, .. }) => Set { key, old, new },
            (Reset { key, old }, Set { new, .. }) => Set {
                key,
                old: Some(old),
                new,
            },
            (
                Set {
                    key,
                    old: Some(old),
                    ..
                }
                | Reset { key, old },
                Reset { .. },
            ) => Reset { key, old },
            (Set { old: None, .. }, later @ Reset { .. }) => later,
        }
    }
}

/// Partitions added to a topic: from its count to the file's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PartitionGrowth {
    /// The partitions the topic has.
    pub from: i32,
    /// The partitions the file wants.
    pub to: i32,
}

/// A change kafka-init never makes, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "reason")]
#[non_exhaustive]
pub enum Refusal {
    /// Kafka cannot remove partitions; the only way down is to delete and
    /// recreate the topic, losing its data, which kafka-init never does.
    PartitionDecrease {
        /// What the topic has.
        current: i32,
        /// What the file says.
        wanted: i32,
        /// The file says `default`: `wanted` is the broker's default.
        #[serde(skip_serializing_if = "is_false")]
        broker_default: bool,
    },
    /// Changing it means reassigning replicas, a job for an operator.
    ReplicationFactorChange {
        /// What the topic has.
        current: i32,
        /// What the file says.
        wanted: i32,
        /// The file says `default`: `wanted` is the broker's default.
        #[serde(skip_serializing_if = "is_false")]
        broker_default: bool,
    },
}

impl Plan {
    /// True when every topic is `Unchanged` (or an orphan kept in use) and
    /// every binding is in place, with none to revoke.
    pub fn is_converged(&self) -> bool {
        self.topics
            .iter()
            .all(|t| matches!(t.action, PlannedAction::Unchanged | PlannedAction::Keep(_)))
            && self
                .access
                .iter()
                .all(|a| a.action == AccessAction::Unchanged)
    }

    /// The bindings this plan grants, then those it revokes.
    pub fn access_changes(&self) -> impl Iterator<Item = &AccessChange> {
        self.access
            .iter()
            .filter(|a| a.action != AccessAction::Unchanged)
    }

    /// The bindings this plan revokes (pruning).
    pub fn revocations(&self) -> impl Iterator<Item = &AccessChange> {
        self.access
            .iter()
            .filter(|a| a.action == AccessAction::Revoke)
    }

    /// Records that `topics` now match the file.
    pub(crate) fn mark_unchanged(&mut self, topics: &HashSet<String>) {
        for t in &mut self.topics {
            if topics.contains(&t.name) {
                t.action = PlannedAction::Unchanged;
            }
        }
    }

    /// The specs of the topics this plan changes (not `Unchanged`).
    pub(crate) fn changed_specs(&self) -> Vec<TopicSpec> {
        self.specs
            .iter()
            .zip(&self.topics)
            .filter(|(_, t)| t.action != PlannedAction::Unchanged)
            .map(|(s, _)| s.clone())
            .collect()
    }

    /// This plan with the topics of `rechecked` (a plan of some of its
    /// topics, made later) replaced by their newer state.
    pub(crate) fn updated_with(&self, rechecked: Plan) -> Plan {
        let mut plan = self.clone();
        for (topic, target) in rechecked.topics.into_iter().zip(rechecked.targets) {
            if let Some(i) = plan.topics.iter().position(|t| t.name == topic.name) {
                plan.topics[i] = topic;
            }
            if let Some(t) = plan.targets.iter_mut().find(|t| t.topic == target.topic) {
                *t = target;
            }
        }
        // A superset is safe: the readiness gate re-reads every target.
        plan.unready.extend(rechecked.unready);
        plan.observed.topics.extend(rechecked.observed.topics);
        plan
    }

    /// How many topics get each action: `2 to create, 1 unchanged`.
    pub fn summary(&self) -> String {
        let count =
            |f: fn(&PlannedAction) -> bool| self.topics.iter().filter(|t| f(&t.action)).count();
        let parts = [
            (
                count(|a| matches!(a, PlannedAction::Create(_))),
                "to create",
            ),
            (
                count(|a| matches!(a, PlannedAction::Update { .. })),
                "to update",
            ),
            (
                count(|a| matches!(a, PlannedAction::Refused { .. })),
                "refused",
            ),
            (count(|a| *a == PlannedAction::Unchanged), "unchanged"),
            (
                count(|a| matches!(a, PlannedAction::Delete(_))),
                "to delete",
            ),
            (
                count(|a| matches!(a, PlannedAction::Keep(_))),
                "kept in use",
            ),
        ];
        let grants = |a: AccessAction| self.access.iter().filter(|r| r.action == a).count();
        let access = [
            (grants(AccessAction::Grant), "binding(s) to grant"),
            (grants(AccessAction::Revoke), "binding(s) to revoke"),
        ];
        let parts: Vec<String> = parts
            .iter()
            .chain(&access)
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        if parts.is_empty() {
            "no topics".to_owned()
        } else {
            parts.join(", ")
        }
    }

    /// The topics this plan deletes (pruning), in name order.
    pub fn deletions(&self) -> impl Iterator<Item = &TopicPlan> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, PlannedAction::Delete(_)))
    }

    /// This plan with a row for each orphan, after the file's topics
    /// (which keep their places: they line up with `specs`): `delete`, or
    /// `keep` for one in use unless `delete_in_use`.
    pub(crate) fn with_deletions(mut self, orphans: &[ExistingTopic], delete_in_use: bool) -> Plan {
        self.topics.extend(orphans.iter().map(|o| TopicPlan {
            name: o.name.clone(),
            action: match &o.in_use {
                Some(in_use) if !delete_in_use => PlannedAction::Keep(in_use.clone()),
                in_use => PlannedAction::Delete(Deletion {
                    partitions: o.partitions,
                    replication_factor: o.replication_factor,
                    in_use: in_use.clone(),
                }),
            },
            // Not wanted: the topic's own, for the table's column.
            replication_factor: o.replication_factor,
        }));
        self
    }

    /// The plan of the file's topics, and the rows of orphans (deleted or
    /// kept).
    pub(crate) fn split_deletions(mut self) -> (Plan, Vec<TopicPlan>) {
        let (orphans, topics) = std::mem::take(&mut self.topics)
            .into_iter()
            .partition(|t| matches!(t.action, PlannedAction::Delete(_) | PlannedAction::Keep(_)));
        self.topics = topics;
        (self, orphans)
    }

    /// Pairs of a topic this plan creates and one it deletes whose names
    /// collide (`.` and `_` are the same to Kafka): the create would be
    /// refused while the other still exists, and deletions come last.
    pub(crate) fn create_delete_collisions(&self) -> Vec<(&str, &str)> {
        let folded = |n: &str| n.replace('.', "_");
        let deleted: Vec<(String, &str)> = self
            .deletions()
            .map(|t| (folded(&t.name), t.name.as_str()))
            .collect();
        self.topics
            .iter()
            .filter(|t| matches!(t.action, PlannedAction::Create(_)))
            .flat_map(|t| {
                let key = folded(&t.name);
                deleted
                    .iter()
                    .filter(move |(d, _)| *d == key)
                    .map(move |(_, name)| (t.name.as_str(), *name))
            })
            .collect()
    }

    /// Orphans the plan keeps because they are in use, in name order.
    pub fn kept(&self) -> impl Iterator<Item = &TopicPlan> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, PlannedAction::Keep(_)))
    }

    /// The topics the plan lists, with their file declarations.
    pub fn specs(&self) -> &[TopicSpec] {
        &self.specs
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Plan {
    /// Marks the refusals of sizes `declared` leaves to the broker
    /// (`default`), so they say what the file says.
    pub(crate) fn mark_broker_defaults(&mut self, declared: &[TopicSpec]) {
        for (topic, spec) in self.topics.iter_mut().zip(declared) {
            let PlannedAction::Refused { reasons } = &mut topic.action else {
                continue;
            };
            for reason in reasons {
                match reason {
                    Refusal::PartitionDecrease { broker_default, .. } => {
                        *broker_default = spec.partitions.is_broker_default()
                    }
                    Refusal::ReplicationFactorChange { broker_default, .. } => {
                        *broker_default = spec.replication_factor.is_broker_default()
                    }
                }
            }
        }
    }
}

/// Whether a spec leaves its partitions or replication factor to the broker
/// (`default` in the file, -1 in CreateTopics).
pub(crate) fn uses_broker_defaults(specs: &[TopicSpec]) -> bool {
    specs
        .iter()
        .any(|s| s.partitions.is_broker_default() || s.replication_factor.is_broker_default())
}

/// `specs` with `default` sizes replaced by the broker's values, so the
/// diff, the tables and the readiness targets deal in numbers.
pub(crate) fn with_broker_defaults(
    specs: &[TopicSpec],
    defaults: BrokerDefaults,
) -> Vec<TopicSpec> {
    specs
        .iter()
        .map(|s| {
            let mut s = s.clone();
            if s.partitions.is_broker_default() {
                s.partitions = Size::from_kafka(defaults.partitions);
            }
            if s.replication_factor.is_broker_default() {
                s.replication_factor = Size::from_kafka(defaults.replication_factor);
            }
            s
        })
        .collect()
}

/// The plan that makes the cluster match `specs`. Pure: no broker involved.
pub(crate) fn diff(specs: &[TopicSpec], observed: &Observation) -> Plan {
    let mut topics = Vec::with_capacity(specs.len());
    let mut targets = Vec::with_capacity(specs.len());
    for spec in specs {
        let name = spec.name.to_string();
        let existing = observed.cluster.topics.get(&name);
        let configs = observed.configs.get(&name);
        let action = match existing {
            None => PlannedAction::Create(Creation {
                partitions: spec.partitions.kafka(),
                replication_factor: spec.replication_factor.kafka(),
                configs: spec
                    .config
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            }),
            Some(topic) => diff_topic(
                spec,
                topic.partitions.len() as i32,
                topic.replication_factor(),
                configs.map(|c| &c.own),
            ),
        };
        let min_isr = configs
            .and_then(|c| c.min_insync_replicas)
            .or_else(|| {
                spec.config_value("min.insync.replicas")?
                    .trim()
                    .parse()
                    .ok()
            })
            .unwrap_or(1);
        targets.push(Target {
            topic: name.clone(),
            partitions: spec.partitions.kafka(),
            min_isr: min_isr.clamp(1, spec.replication_factor.kafka().max(1)) as usize,
        });
        topics.push(TopicPlan {
            name,
            action,
            replication_factor: spec.replication_factor.kafka(),
        });
    }
    let unready = readiness::unready(&targets, &observed.cluster);
    Plan {
        topics,
        access: Vec::new(),
        brokers: None,
        specs: specs.to_vec(),
        targets,
        unready,
        observed: observed.cluster.clone(),
    }
}

fn diff_topic(
    spec: &TopicSpec,
    partitions: i32,
    replication_factor: i32,
    own: Option<&std::collections::BTreeMap<String, String>>,
) -> PlannedAction {
    let mut reasons = Vec::new();
    if spec.partitions.kafka() < partitions {
        reasons.push(Refusal::PartitionDecrease {
            current: partitions,
            wanted: spec.partitions.kafka(),
            broker_default: false,
        });
    }
    if spec.replication_factor.kafka() != replication_factor {
        reasons.push(Refusal::ReplicationFactorChange {
            current: replication_factor,
            wanted: spec.replication_factor.kafka(),
            broker_default: false,
        });
    }
    if !reasons.is_empty() {
        return PlannedAction::Refused { reasons };
    }

    let empty = Default::default();
    let own = own.unwrap_or(&empty);
    let mut configs = Vec::new();
    for (key, new) in spec.config.iter() {
        match own.get(key.as_ref()) {
            Some(old) if keys::normalize(key, old) == keys::normalize(key, new) => {}
            old => configs.push(ConfigChange::Set {
                key: key.to_string(),
                old: old.cloned(),
                new: new.to_string(),
            }),
        }
    }
    if !spec.keep_unmanaged_configs {
        for (key, old) in own {
            if spec.config_value(key).is_none() {
                configs.push(ConfigChange::Reset {
                    key: key.clone(),
                    old: old.clone(),
                });
            }
        }
    }
    let partitions = (spec.partitions.kafka() > partitions).then_some(PartitionGrowth {
        from: partitions,
        to: spec.partitions.kafka(),
    });
    if configs.is_empty() && partitions.is_none() {
        PlannedAction::Unchanged
    } else {
        PlannedAction::Update {
            configs,
            partitions,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;
    use std::collections::BTreeMap;

    use super::*;
    use crate::cluster::{PartitionState, TopicConfigs, TopicState};
    use crate::error::{check, Error};

    #[test]
    fn a_change_applied_twice_reads_from_the_first_old_value_to_the_last_new_one() {
        let set = |old: Option<&str>, new: &str| ConfigChange::Set {
            key: "retention.ms".into(),
            old: old.map(Into::into),
            new: new.into(),
        };
        let reset = |old: &str| ConfigChange::Reset {
            key: "retention.ms".into(),
            old: old.into(),
        };
        assert_eq!(
            set(Some("1"), "2").then(set(Some("3"), "4")),
            set(Some("1"), "4")
        );
        assert_eq!(reset("1").then(set(None, "2")), set(Some("1"), "2"));
        assert_eq!(set(Some("1"), "2").then(reset("2")), reset("1"));
        assert_eq!(set(None, "2").then(reset("3")), reset("3"));
        assert_eq!(reset("1").then(reset("2")), reset("1"));
    }

    fn spec(name: &str, partitions: i32, rf: i32, config: &[(&str, &str)]) -> TopicSpec {
        TopicSpec {
            key: Cow::Owned(name.into()),
            name: Cow::Owned(name.into()),
            partitions: crate::spec::Size::from_kafka(partitions),
            replication_factor: crate::spec::Size::from_kafka(rf),
            config: config
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string())))
                .collect::<Vec<_>>()
                .into(),
            keep_unmanaged_configs: false,
        }
    }

    /// A cluster where each topic has `partitions` healthy partitions on
    /// brokers 1..=rf and the given topic-level configs.
    /// `(name, partitions, replication factor, topic-level configs)`.
    type Existing<'a> = (&'a str, i32, i32, &'a [(&'a str, &'a str)]);

    fn cluster(topics: &[Existing]) -> Observation {
        let mut observed = Observation::default();
        for (name, partitions, rf, own) in topics {
            let replicas: Vec<i32> = (1..=*rf).collect();
            let state = TopicState {
                partitions: (0..*partitions)
                    .map(|id| PartitionState {
                        id,
                        leader: 1,
                        replicas: replicas.clone(),
                        isr: replicas.clone(),
                    })
                    .collect(),
                error: None,
            };
            observed.cluster.topics.insert(name.to_string(), state);
            observed.configs.insert(
                name.to_string(),
                TopicConfigs {
                    own: own
                        .iter()
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .collect::<BTreeMap<_, _>>(),
                    min_insync_replicas: Some(1),
                },
            );
        }
        observed
    }

    fn action(plan: &Plan, topic: &str) -> PlannedAction {
        plan.topics
            .iter()
            .find(|t| t.name == topic)
            .unwrap()
            .action
            .clone()
    }

    #[test]
    fn a_missing_topic_is_created_as_declared() {
        let plan = diff(
            &[spec("a", 3, 1, &[("retention.ms", "1000")])],
            &Observation::default(),
        );
        assert_eq!(
            action(&plan, "a"),
            PlannedAction::Create(Creation {
                partitions: 3,
                replication_factor: 1,
                configs: [("retention.ms".to_string(), "1000".to_string())].into(),
            })
        );
        assert!(!plan.is_converged());
    }

    #[test]
    fn a_matching_topic_is_unchanged_even_when_values_are_spelt_differently() {
        let specs = [spec(
            "a",
            1,
            1,
            &[
                ("cleanup.policy", "compact,delete"),
                ("preallocate", "TRUE"),
                ("retention.ms", " 1000 "),
            ],
        )];
        let observed = cluster(&[(
            "a",
            1,
            1,
            &[
                ("cleanup.policy", "delete, compact"),
                ("preallocate", "true"),
                ("retention.ms", "1000"),
            ],
        )]);
        let plan = diff(&specs, &observed);
        assert_eq!(action(&plan, "a"), PlannedAction::Unchanged);
        assert!(plan.is_converged());
        assert!(plan.unready.is_empty());
    }

    #[test]
    fn changed_added_and_dropped_keys_become_set_and_reset() {
        let specs = [spec(
            "a",
            1,
            1,
            &[("retention.ms", "2000"), ("segment.ms", "60000")],
        )];
        let observed = cluster(&[(
            "a",
            1,
            1,
            &[("retention.ms", "1000"), ("max.message.bytes", "2048")],
        )]);
        assert_eq!(
            action(&diff(&specs, &observed), "a"),
            PlannedAction::Update {
                configs: vec![
                    ConfigChange::Set {
                        key: "retention.ms".into(),
                        old: Some("1000".into()),
                        new: "2000".into()
                    },
                    ConfigChange::Set {
                        key: "segment.ms".into(),
                        old: None,
                        new: "60000".into()
                    },
                    ConfigChange::Reset {
                        key: "max.message.bytes".into(),
                        old: "2048".into()
                    },
                ],
                partitions: None,
            }
        );
    }

    #[test]
    fn the_opt_out_keeps_keys_the_file_does_not_list() {
        let mut s = spec("a", 1, 1, &[("retention.ms", "1000")]);
        s.keep_unmanaged_configs = true;
        let observed = cluster(&[(
            "a",
            1,
            1,
            &[("retention.ms", "1000"), ("max.message.bytes", "2048")],
        )]);
        assert_eq!(
            action(&diff(&[s], &observed), "a"),
            PlannedAction::Unchanged
        );
    }

    #[test]
    fn more_partitions_grow_and_configs_change_in_one_update() {
        let specs = [spec("a", 4, 1, &[("retention.ms", "2000")])];
        let observed = cluster(&[("a", 1, 1, &[("retention.ms", "1000")])]);
        let plan = diff(&specs, &observed);
        let PlannedAction::Update {
            configs,
            partitions,
        } = action(&plan, "a")
        else {
            panic!("{plan}");
        };
        assert_eq!(configs.len(), 1);
        assert_eq!(partitions, Some(PartitionGrowth { from: 1, to: 4 }));
        // The readiness target is the file's count, not the current one.
        assert_eq!(plan.targets[0].partitions, 4);
    }

    #[test]
    fn fewer_partitions_and_another_replication_factor_are_refused() {
        let specs = [
            spec("a", 2, 3, &[]),
            spec("b", 1, 1, &[("retention.ms", "5")]),
        ];
        let observed = cluster(&[("a", 4, 1, &[]), ("b", 1, 1, &[])]);
        let plan = diff(&specs, &observed);
        assert_eq!(
            action(&plan, "a"),
            PlannedAction::Refused {
                reasons: vec![
                    Refusal::PartitionDecrease {
                        current: 4,
                        wanted: 2,
                        broker_default: false,
                    },
                    Refusal::ReplicationFactorChange {
                        current: 1,
                        wanted: 3,
                        broker_default: false,
                    },
                ]
            }
        );
        let refusals = plan.refusals();
        assert_eq!(refusals.len(), 2, "{refusals:?}");
        assert!(refusals[1].to_string().contains("is 1, the file says 3"));
        assert!(matches!(action(&plan, "b"), PlannedAction::Update { .. }));
    }

    #[test]
    fn readiness_needs_min_isr_capped_by_the_replication_factor() {
        let specs = [spec("a", 1, 1, &[("min.insync.replicas", "2")])];
        let mut observed = cluster(&[("a", 1, 1, &[("min.insync.replicas", "2")])]);
        observed.configs.get_mut("a").unwrap().min_insync_replicas = Some(2);
        let plan = diff(&specs, &observed);
        assert_eq!(plan.targets[0].min_isr, 1);
        assert!(plan.unready.is_empty());
    }

    #[test]
    fn a_partition_without_leader_is_not_ready() {
        let specs = [spec("a", 2, 1, &[])];
        let mut observed = cluster(&[("a", 2, 1, &[])]);
        observed.cluster.topics.get_mut("a").unwrap().partitions[1].leader = -1;
        let plan = diff(&specs, &observed);
        assert!(plan.is_converged());
        assert_eq!(plan.unready, ["a/1: no leader"]);
    }

    #[test]
    fn check_reports_every_problem() {
        // Sizes below 1 cannot be built (`Size`), so a spec has none.
        let specs = [
            spec("a.b", 1, 1, &[]),
            spec("a_b", 1, 1, &[]),
            spec("c", 1, 1, &[]),
            spec("c", 1, 1, &[]),
        ];
        let Err(Error::Rejected { problems }) = check(&specs) else {
            panic!("expected Rejected");
        };
        let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert_eq!(text.len(), 2, "{text:#?}");
        assert!(text[0].contains("collides with `a.b`"));
        assert!(text[1].contains("is already declared"), "{text:#?}");
        assert!(check(&specs[2..3]).is_ok());
        let Err(Error::Rejected { problems }) = check(&[spec("__consumer_offsets", 50, 1, &[])])
        else {
            panic!("internal topic accepted");
        };
        assert!(problems[0].to_string().contains("reserves"), "{problems:?}");
    }

    #[test]
    fn plan_renders_a_table_and_json() {
        let specs = [spec("new", 1, 1, &[]), spec("old", 1, 1, &[])];
        let observed = cluster(&[("old", 1, 1, &[])]);
        let plan = diff(&specs, &observed);
        assert_eq!(
            plan.to_string(),
            "\
TOPIC  ACTION
new    create: partitions 1, replication factor 1
old    unchanged
"
        );
        let json = serde_json::to_value(&plan).unwrap();
        assert_eq!(json["topics"][0]["action"]["kind"], "create");
        assert_eq!(json["topics"][1]["action"]["kind"], "unchanged");
    }
}
