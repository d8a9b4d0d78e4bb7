//! What a run did, topic by topic, and every rendering of plans and
//! reports: the `TOPIC  ACTION` tables and each part's `Display`.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::fmt;

use serde::Serialize;

use crate::access::{AccessChange, AclBinding};
use crate::ownership::{ExistingTopic, Namespace};
use crate::plan::{
    ConfigChange, Creation, Deletion, PartitionGrowth, Plan, PlannedAction, Refusal, TopicPlan,
};
use crate::usage::InUse;

/// What a run did: every topic, and the requests it took.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Every listed topic, in file order.
    pub topics: Vec<TopicOutcome>,
    /// Every binding of the plan: `grant` rows were created, `revoke` rows
    /// deleted, `unchanged` ones were in place.
    pub access: Vec<AccessChange>,
    /// The Kafka requests the run sent.
    pub requests: Requests,
}

/// One topic of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct TopicOutcome {
    /// The topic name.
    pub name: String,
    /// What the run did to it.
    pub action: Action,
    /// Milliseconds from the start of the run until every partition of the
    /// topic had answered its leader's ListOffsets (serving: a write is
    /// accepted). Set for every topic of a successful run.
    pub serving_after_ms: Option<u64>,
}

/// What this run did to one topic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Action {
    /// The run created the topic, as planned.
    Created(Creation),
    /// The topic already matched the file (possibly because another
    /// process made it so while this run was going).
    Unchanged,
    /// Configs changed, partitions added, or both.
    Updated {
        /// Keys set or reset.
        configs: Vec<ConfigChange>,
        /// Partitions added, if any.
        partitions: Option<PartitionGrowth>,
    },
    /// Pruned: an orphan this run deleted, after every other change.
    Deleted(Deletion),
    /// An orphan pruning left in place because it is in use.
    Kept(InUse),
}

/// Requests sent, by Kafka API, validate-only ones included. librdkafka's
/// own connection setup (ApiVersions, its bootstrap metadata) is not counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Requests {
    /// Metadata (DescribeTopics) requests.
    pub metadata: usize,
    /// DescribeConfigs requests (topics and brokers).
    pub describe_configs: usize,
    /// CreateTopics requests, validate-only ones included.
    pub create_topics: usize,
    /// IncrementalAlterConfigs requests, validate-only ones included.
    pub incremental_alter_configs: usize,
    /// CreatePartitions requests, validate-only ones included.
    pub create_partitions: usize,
    /// DescribeCluster requests (connecting, counting brokers).
    pub describe_cluster: usize,
    /// ListOffsets of the readiness gate, one per leader broker asked.
    pub list_offsets: usize,
    /// DeleteTopics of a pruning run.
    pub delete_topics: usize,
    /// ListGroups of a pruning run's in-use check.
    pub list_groups: usize,
    /// OffsetFetch of a pruning run's in-use check, one per consumer group.
    pub offset_fetch: usize,
    /// DescribeAcls: reading the cluster's access.
    pub describe_acls: usize,
    /// CreateAcls: granting access.
    pub create_acls: usize,
    /// DeleteAcls: revoking access when pruning.
    pub delete_acls: usize,
}

impl Requests {
    /// Every request, all kinds together.
    pub fn total(&self) -> usize {
        self.metadata
            + self.describe_configs
            + self.create_topics
            + self.incremental_alter_configs
            + self.create_partitions
            + self.describe_cluster
            + self.list_offsets
            + self.delete_topics
            + self.list_groups
            + self.offset_fetch
            + self.describe_acls
            + self.create_acls
            + self.delete_acls
    }
}

impl Report {
    /// The topics the run created.
    pub fn created(&self) -> impl Iterator<Item = &TopicOutcome> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, Action::Created(_)))
    }

    /// The topics the run changed.
    pub fn updated(&self) -> impl Iterator<Item = &TopicOutcome> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, Action::Updated { .. }))
    }

    /// The orphans the run deleted.
    pub fn deleted(&self) -> impl Iterator<Item = &TopicOutcome> {
        self.topics
            .iter()
            .filter(|t| matches!(t.action, Action::Deleted(_)))
    }
}

impl Action {
    /// What an update changed, `retention.ms: 1 → 2; add partitions 1 → 4`;
    /// empty for the other actions.
    pub fn changes(&self) -> String {
        match self {
            Action::Updated {
                configs,
                partitions,
            } => describe_update(configs, partitions),
            Action::Created(_) | Action::Unchanged | Action::Deleted(_) | Action::Kept(_) => {
                String::new()
            }
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Action::Created(c) => write!(f, "created: {c}"),
            Action::Unchanged => f.write_str("unchanged"),
            Action::Updated { .. } => write!(f, "updated: {}", self.changes()),
            Action::Deleted(d) => write!(f, "deleted: {d}"),
            Action::Kept(k) => write!(f, "kept: {}", k.reason),
        }
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        table(
            f,
            self.topics
                .iter()
                .map(|t| (t.name.as_str(), t.action.to_string())),
        )?;
        access_rows(f, &self.access, true)
    }
}

/// The access rows under a table: `ACCESS` then one line per binding;
/// `done` words them as a report does (`granted`, `revoked`).
fn access_rows(f: &mut fmt::Formatter<'_>, rows: &[AccessChange], done: bool) -> fmt::Result {
    use crate::access::AccessAction;
    if rows.is_empty() {
        return Ok(());
    }
    writeln!(f, "ACCESS")?;
    for row in rows {
        let verb = match (row.action, done) {
            (AccessAction::Grant, false) => "grant",
            (AccessAction::Grant, true) => "granted",
            (AccessAction::Revoke, false) => "revoke",
            (AccessAction::Revoke, true) => "revoked",
            (AccessAction::Unchanged, _) => "ok",
        };
        writeln!(f, "{verb:<7}  {}", row.binding)?;
    }
    Ok(())
}

/// A two-column `TOPIC  ACTION` table, topic names padded to one width.
pub(crate) fn table<'a>(
    f: &mut fmt::Formatter<'_>,
    rows: impl Iterator<Item = (&'a str, String)> + Clone,
) -> fmt::Result {
    let width = rows
        .clone()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or(0)
        .max("TOPIC".len());
    writeln!(f, "{:width$}  ACTION", "TOPIC")?;
    for (name, action) in rows {
        writeln!(f, "{name:width$}  {action}")?;
    }
    Ok(())
}

impl fmt::Display for ConfigChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigChange::Set {
                key,
                old: Some(old),
                new,
            } => write!(f, "{key}: {old} → {new}"),
            ConfigChange::Set {
                key,
                old: None,
                new,
            } => write!(f, "{key}: (default) → {new}"),
            ConfigChange::Reset { key, old } => write!(f, "{key}: {old} → reset to default"),
        }
    }
}

impl fmt::Display for PartitionGrowth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "add partitions {} → {}", self.from, self.to)
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::PartitionDecrease {
                current,
                wanted,
                broker_default,
            } => write!(
                f,
                "partitions cannot decrease: the topic has {current}, the file says {} \
                 (kafka-init never deletes and recreates a topic)",
                said(*wanted, *broker_default)
            ),
            Refusal::ReplicationFactorChange {
                current,
                wanted,
                broker_default,
            } => write!(
                f,
                "replication factor is {current}, the file says {} \
                 (kafka-init does not reassign replicas)",
                said(*wanted, *broker_default)
            ),
        }
    }
}

/// A size as the file wrote it: `3`, or `default` (with what it resolved to).
fn said(wanted: i32, broker_default: bool) -> String {
    if broker_default {
        format!("`default` (the broker's default, {wanted})")
    } else {
        wanted.to_string()
    }
}

impl fmt::Display for Creation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "partitions {}, replication factor {}",
            self.partitions, self.replication_factor
        )?;
        for (k, v) in &self.configs {
            write!(f, ", {k}={v}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Deletion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "partitions {}, replication factor {}",
            self.partitions, self.replication_factor
        )?;
        match &self.in_use {
            Some(in_use) => write!(f, " ({}; deleted anyway: --prune-in-use)", in_use.reason),
            None => Ok(()),
        }
    }
}

/// `retention.ms: 1 → 2; add partitions 1 → 4`.
fn describe_update(configs: &[ConfigChange], partitions: &Option<PartitionGrowth>) -> String {
    configs
        .iter()
        .map(ToString::to_string)
        .chain(partitions.iter().map(ToString::to_string))
        .collect::<Vec<_>>()
        .join("; ")
}

impl fmt::Display for PlannedAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlannedAction::Create(c) => write!(f, "create: {c}"),
            PlannedAction::Unchanged => f.write_str("unchanged"),
            PlannedAction::Update {
                configs,
                partitions,
            } => {
                let verb = if configs.is_empty() {
                    "grow"
                } else {
                    "update configs"
                };
                write!(f, "{verb}: {}", describe_update(configs, partitions))
            }
            PlannedAction::Refused { reasons } => {
                let reasons: Vec<_> = reasons.iter().map(ToString::to_string).collect();
                write!(f, "refused: {}", reasons.join("; "))
            }
            PlannedAction::Delete(d) => write!(f, "delete: {d}"),
            PlannedAction::Keep(k) => write!(f, "keep: {}", k.reason),
        }
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Some(brokers) = self.brokers else {
            let rows = self
                .topics
                .iter()
                .map(|t| (t.name.as_str(), t.action.to_string()));
            table(f, rows)?;
            return access_rows(f, &self.access, false);
        };
        // The wanted replication factor against the registered brokers.
        let width = self
            .topics
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(0)
            .max("TOPIC".len());
        let rf = |t: &TopicPlan| replication_cell(t, brokers);
        let rf_width = self
            .topics
            .iter()
            .map(|t| rf(t).chars().count())
            .max()
            .unwrap_or(0)
            .max("RF/BROKERS".len());
        writeln!(f, "{:width$}  {:rf_width$}  ACTION", "TOPIC", "RF/BROKERS")?;
        for t in &self.topics {
            writeln!(f, "{:width$}  {:rf_width$}  {}", t.name, rf(t), t.action)?;
        }
        access_rows(f, &self.access, false)
    }
}

/// The wanted replication factor against the registered brokers: `3/1 (too few brokers)`.
fn replication_cell(t: &TopicPlan, brokers: usize) -> String {
    let short = if t.replication_factor as usize > brokers {
        " (too few brokers)"
    } else {
        ""
    };
    format!("{}/{brokers}{short}", t.replication_factor)
}

/// A plan as a GitHub-flavoured markdown table, for a pull request comment
/// (`kafka-init plan --output markdown`): the terminal table's rows, with
/// refusals first and flagged, then the other changes, then the unchanged
/// topics folded away. Every row of the plan is rendered the same way, so a
/// new kind of row needs no code here.
pub struct PlanMarkdown<'a>(pub &'a Plan);

impl fmt::Display for PlanMarkdown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plan = self.0;
        let refused = |t: &&TopicPlan| matches!(t.action, PlannedAction::Refused { .. });
        let unchanged = |t: &&TopicPlan| t.action == PlannedAction::Unchanged;
        let refusals: Vec<&TopicPlan> = plan.topics.iter().filter(refused).collect();
        let changes: Vec<&TopicPlan> = plan
            .topics
            .iter()
            .filter(|t| !refused(t) && !unchanged(t))
            .collect();
        let same: Vec<&TopicPlan> = plan.topics.iter().filter(unchanged).collect();

        writeln!(f, "### kafka-init plan\n")?;
        writeln!(f, "**Plan: {}.**\n", plan.summary())?;
        if !refusals.is_empty() {
            writeln!(
                f,
                "> [!CAUTION]\n> {} change(s) refused: `kafka-init apply` would change nothing \
                 and exit 5 while the file asks for them.\n",
                refusals.len()
            )?;
        }
        let rows = |f: &mut fmt::Formatter<'_>, rows: &[&TopicPlan]| -> fmt::Result {
            match plan.brokers {
                Some(_) => writeln!(f, "| | Topic | RF/brokers | Action |\n|---|---|---|---|")?,
                None => writeln!(f, "| | Topic | Action |\n|---|---|---|")?,
            }
            for t in rows {
                let mark = match &t.action {
                    PlannedAction::Refused { .. } => "⛔",
                    PlannedAction::Unchanged => "",
                    PlannedAction::Create(_) => "➕",
                    PlannedAction::Delete(_) => "🗑️",
                    _ => "✏️",
                };
                write!(f, "| {mark} | {} |", code_span(&t.name))?;
                if let Some(brokers) = plan.brokers {
                    write!(f, " {} |", escape(&replication_cell(t, brokers)))?;
                }
                writeln!(f, " {} |", escape(&t.action.to_string()))?;
            }
            Ok(())
        };
        let changed: Vec<&TopicPlan> = refusals.into_iter().chain(changes).collect();
        if !changed.is_empty() {
            rows(f, &changed)?;
        }
        if !same.is_empty() {
            writeln!(
                f,
                "\n<details><summary>{} unchanged</summary>\n",
                same.len()
            )?;
            rows(f, &same)?;
            writeln!(f, "\n</details>")?;
        }
        Ok(())
    }
}

/// Text a table cell shows as written: markdown's own characters escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A topic name as inline code; Kafka names hold no backtick or `|`.
fn code_span(name: &str) -> String {
    format!("`{}`", name.replace('|', "\\|"))
}

/// Topics as the cluster has them (`orphans`, `export`): a
/// `TOPIC  PARTITIONS  RF  CONFIGS` table, configs as `key=value`.
/// Orphans as the cluster has them: a `TOPIC  PARTITIONS  RF  CONFIGS
/// PRUNE` table, configs as `key=value`, and whether pruning would delete
/// the topic or keep it because it is in use.
pub struct TopicTable<'a>(pub &'a [ExistingTopic]);

impl fmt::Display for TopicTable<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let width = self
            .0
            .iter()
            .map(|t| t.name.len())
            .max()
            .unwrap_or(0)
            .max("TOPIC".len());
        let configs: Vec<String> = self
            .0
            .iter()
            .map(|t| {
                let configs: Vec<String> =
                    t.configs.iter().map(|(k, v)| format!("{k}={v}")).collect();
                if configs.is_empty() {
                    "-".to_owned()
                } else {
                    configs.join(", ")
                }
            })
            .collect();
        let configs_width = configs
            .iter()
            .map(|c| c.chars().count())
            .max()
            .unwrap_or(0)
            .max("CONFIGS".len());
        writeln!(
            f,
            "{:width$}  PARTITIONS  RF  {:configs_width$}  PRUNE",
            "TOPIC", "CONFIGS"
        )?;
        for (t, configs) in self.0.iter().zip(configs) {
            let prune = match &t.in_use {
                Some(in_use) => format!("keep ({})", in_use.reason),
                None => "delete".to_owned(),
            };
            writeln!(
                f,
                "{:width$}  {:>10}  {:>2}  {configs:configs_width$}  {prune}",
                t.name, t.partitions, t.replication_factor
            )?;
        }
        Ok(())
    }
}

/// What `export` made of a namespace.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Export {
    /// The topic file, as [`topic_file`] writes it.
    pub file: String,
    /// How many topics it declares.
    pub topics: usize,
    /// The protected topics inside the namespace, left out of `topics` and
    /// named in `protect`.
    pub protected: Vec<String>,
    /// How many owned ACL bindings its `access` grants.
    pub bindings: usize,
}

/// A topic file declaring `topics` as they are, owning `owns`: what
/// `kafka-init export` writes. Keys come from the names (`dc.workload` is
/// `dc_workload`); configs are the topic's own overrides only, so a plan
/// of the file against the same cluster changes nothing.
///
/// `protect` keeps the entries of the file exported from, and names each
/// topic of `protected` (protected topics that exist inside `owns`) that
/// they do not already cover: pruning with the exported file keeps exactly
/// what pruning with the original kept.
///
/// `access` (the owned bindings) becomes `kafka.access`, one entry per
/// principal ([`crate::access::entries_of`]); `protect_principals` is
/// written as the file exported from had it.
pub fn topic_file(
    topics: &[ExistingTopic],
    owns: &Namespace,
    protect: &Namespace,
    protected: &[String],
    access: &[AclBinding],
    protect_principals: &[String],
) -> String {
    use serde_yaml::{Mapping, Value};
    let mut sorted: Vec<&ExistingTopic> = topics.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let mut taken = std::collections::HashSet::new();
    let mut declared = Mapping::new();
    for t in sorted {
        let base: String = t
            .name
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect();
        let mut key = base.clone();
        let mut n = 2;
        while !taken.insert(key.clone()) {
            key = format!("{base}_{n}");
            n += 1;
        }
        let mut topic = Mapping::new();
        topic.insert("name".into(), t.name.clone().into());
        topic.insert("partitions".into(), t.partitions.into());
        topic.insert("replication_factor".into(), t.replication_factor.into());
        if !t.configs.is_empty() {
            let configs: Mapping = t
                .configs
                .iter()
                .map(|(k, v)| (Value::from(k.clone()), Value::from(v.clone())))
                .collect();
            topic.insert("config".into(), Value::Mapping(configs));
        }
        declared.insert(key.into(), Value::Mapping(topic));
    }
    let mut kafka = Mapping::new();
    kafka.insert(
        "owns".into(),
        Value::Sequence(owns.entries().map(Value::from).collect()),
    );
    let mut protect_entries: Vec<Value> = protect.entries().map(Value::from).collect();
    protect_entries.extend(
        protected
            .iter()
            .filter(|name| !protect.contains(name))
            .map(|name| Value::from(format!("^{}$", regex::escape(name)))),
    );
    if !protect_entries.is_empty() {
        kafka.insert("protect".into(), Value::Sequence(protect_entries));
    }
    if !protect_principals.is_empty() {
        kafka.insert(
            "protect_principals".into(),
            Value::Sequence(
                protect_principals
                    .iter()
                    .map(|p| Value::from(p.as_str()))
                    .collect(),
            ),
        );
    }
    kafka.insert("topics".into(), Value::Mapping(declared));
    let entries = crate::access::entries_of(access);
    if !entries.is_empty() {
        let list = |names: &[std::borrow::Cow<'static, str>]| -> Value {
            Value::Sequence(names.iter().map(|n| Value::from(n.as_ref())).collect())
        };
        let mut section = Mapping::new();
        for e in entries {
            let mut m = Mapping::new();
            m.insert("principal".into(), Value::from(e.principal.as_ref()));
            let hosts: (&str, &[std::borrow::Cow<'static, str>]) = ("hosts", &e.hosts);
            for (field, names) in std::iter::once(hosts).chain(e.roles()) {
                if !names.is_empty() {
                    m.insert(field.into(), list(names));
                }
            }
            if !e.allow.is_empty() {
                let grants = e
                    .allow
                    .iter()
                    .map(|g| {
                        let mut m = Mapping::new();
                        m.insert("operation".into(), g.operation.file_name().into());
                        m.insert("resource_type".into(), g.resource_type.file_name().into());
                        m.insert("name".into(), Value::from(g.name.as_ref()));
                        m.insert("pattern".into(), g.pattern.file_name().into());
                        Value::Mapping(m)
                    })
                    .collect();
                m.insert("allow".into(), Value::Sequence(grants));
            }
            section.insert(Value::from(e.key.as_ref()), Value::Mapping(m));
        }
        kafka.insert("access".into(), Value::Mapping(section));
    }
    let mut root = Mapping::new();
    root.insert("kafka".into(), Value::Mapping(kafka));
    let body = serde_yaml::to_string(&Value::Mapping(root)).unwrap_or_default();
    format!(
        "# Exported by kafka-init: the topics inside {} as the cluster had them\n# (topic-level overrides only; broker defaults are left out).\n{body}",
        owns.entries().map(|e| format!("`{e}`")).collect::<Vec<_>>().join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            access: Vec::new(),
            topics: vec![
                TopicOutcome {
                    name: "orders".into(),
                    action: Action::Created(Creation {
                        partitions: 3,
                        replication_factor: 1,
                        configs: [("retention.ms".to_string(), "1000".to_string())].into(),
                    }),
                    serving_after_ms: Some(41),
                },
                TopicOutcome {
                    name: "payments.v2".into(),
                    action: Action::Updated {
                        configs: vec![
                            ConfigChange::Set {
                                key: "retention.ms".into(),
                                old: Some("1000".into()),
                                new: "2000".into(),
                            },
                            ConfigChange::Reset {
                                key: "segment.ms".into(),
                                old: "60000".into(),
                            },
                        ],
                        partitions: Some(PartitionGrowth { from: 1, to: 4 }),
                    },
                    serving_after_ms: Some(12),
                },
                TopicOutcome {
                    name: "audit".into(),
                    action: Action::Unchanged,
                    serving_after_ms: Some(9),
                },
            ],
            requests: Requests {
                metadata: 2,
                describe_configs: 2,
                ..Requests::default()
            },
        }
    }

    #[test]
    fn display_is_an_aligned_table() {
        assert_eq!(
            report().to_string(),
            "\
TOPIC        ACTION
orders       created: partitions 3, replication factor 1, retention.ms=1000
payments.v2  updated: retention.ms: 1000 → 2000; segment.ms: 60000 → reset to default; add partitions 1 → 4
audit        unchanged
"
        );
    }

    #[test]
    fn json_names_each_action_and_change() {
        let json = serde_json::to_value(report()).unwrap();
        assert_eq!(
            json["topics"][0]["action"],
            serde_json::json!({
                "kind": "created",
                "partitions": 3,
                "replication_factor": 1,
                "configs": {"retention.ms": "1000"}
            })
        );
        assert_eq!(
            json["topics"][1]["action"],
            serde_json::json!({
                "kind": "updated",
                "configs": [
                    {"op": "set", "key": "retention.ms", "old": "1000", "new": "2000"},
                    {"op": "reset", "key": "segment.ms", "old": "60000"}
                ],
                "partitions": {"from": 1, "to": 4}
            })
        );
        assert_eq!(json["topics"][2]["action"]["kind"], "unchanged");
        assert_eq!(json["topics"][0]["serving_after_ms"], 41);
        assert_eq!(json["requests"]["metadata"], 2);
    }

    #[test]
    fn an_export_is_a_valid_file_that_declares_what_exists() {
        let topics = vec![
            ExistingTopic {
                name: "dc.b".into(),
                partitions: 3,
                replication_factor: 1,
                configs: [("retention.ms".to_string(), "1000".to_string())].into(),
                in_use: None,
            },
            ExistingTopic {
                name: "dc.a".into(),
                partitions: 1,
                replication_factor: 1,
                configs: Default::default(),
                in_use: None,
            },
            ExistingTopic {
                name: "dc-a".into(),
                partitions: 1,
                replication_factor: 1,
                configs: Default::default(),
                in_use: None,
            },
        ];
        let owns = Namespace::new(["dc.", "dc-", "^x\\.y$"]).unwrap();
        let protect = Namespace::new(["dc.keep"]).unwrap();
        let protected = ["dc.keep.me".to_string(), "dc.app-changelog".to_string()];
        let text = topic_file(&topics, &owns, &protect, &protected, &[], &[]);
        let file = crate::TopicFile::parse(&text, "export.yaml").unwrap();
        let names: Vec<_> = file.topics.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(names, ["dc-a", "dc.a", "dc.b"]);
        let keys: Vec<_> = file.topics.iter().map(|t| t.key.as_ref()).collect();
        assert_eq!(keys, ["dc_a", "dc_a_2", "dc_b"]);
        assert_eq!(file.topics[2].partitions.kafka(), 3);
        assert_eq!(file.topics[2].config_value("retention.ms"), Some("1000"));
        assert_eq!(file.ownership.owns, Some(owns));
        // The file's own entries, then the protected topics they miss.
        let protect: Vec<_> = file.ownership.protect.entries().collect();
        assert_eq!(protect, ["dc.keep", "^dc\\.app\\-changelog$"]);
        assert!(file.ownership.is_protected("dc.keep.me"));
        let none = topic_file(
            &topics,
            &file.ownership.owns.unwrap(),
            &Namespace::default(),
            &[],
            &[],
            &[],
        );
        assert!(!none.contains("protect"), "{none}");
    }

    #[test]
    fn exported_access_grants_exactly_the_bindings_it_was_made_from() {
        use crate::access::{
            bindings, AclBinding, Operation as Op, PatternType, Permission, ResourceType as R,
        };
        let b = |p: &str, host: &str, op: Op, r: R, name: &str, pattern: PatternType| {
            AclBinding::new(p, host, op, Permission::Allow, r, name, pattern)
        };
        use PatternType::{Literal, Prefixed};
        let mut owned = vec![
            b("User:sim", "*", Op::Write, R::Topic, "dc.a", Literal),
            b("User:sim", "*", Op::Read, R::Topic, "dc.b.", Prefixed),
            b("User:sim", "*", Op::Read, R::Group, "dc.sim", Literal),
            b(
                "User:sim",
                "*",
                Op::Write,
                R::TransactionalId,
                "dc.tx",
                Literal,
            ),
            b(
                "User:sim",
                "*",
                Op::Describe,
                R::TransactionalId,
                "dc.tx",
                Literal,
            ),
            b(
                "User:sim",
                "*",
                Op::Describe,
                R::TransactionalId,
                "dc.only",
                Literal,
            ),
            b("User:sim", "10.0.0.1", Op::Read, R::Topic, "dc.a", Literal),
            b("User:ops", "*", Op::AlterConfigs, R::Topic, "dc.", Prefixed),
        ];
        owned.sort();
        let owns = Namespace::new(["dc."]).unwrap();
        let text = topic_file(
            &[],
            &owns,
            &Namespace::default(),
            &[],
            &owned,
            &["User:admin".into()],
        );
        let file =
            crate::TopicFile::parse(&text, "export.yaml").unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(bindings(&file.access), owned, "{text}");
        assert_eq!(file.ownership.protect_principals, ["User:admin"]);
        assert!(text.contains("transactional_ids:"), "{text}");
    }

    #[test]
    fn plan_markdown_puts_refusals_first_and_escapes_what_markdown_would_read() {
        let row = |name: &str, action: PlannedAction| TopicPlan {
            name: name.into(),
            action,
            replication_factor: 1,
        };
        let plan = Plan {
            access: Vec::new(),
            topics: vec![
                row("same", PlannedAction::Unchanged),
                row(
                    "new_one",
                    PlannedAction::Create(Creation {
                        partitions: 1,
                        replication_factor: 1,
                        configs: [("cleanup.policy".to_string(), "a|b*".to_string())].into(),
                    }),
                ),
                row(
                    "down",
                    PlannedAction::Refused {
                        reasons: vec![Refusal::PartitionDecrease {
                            current: 2,
                            wanted: 1,
                            broker_default: false,
                        }],
                    },
                ),
            ],
            brokers: None,
            specs: vec![],
            targets: vec![],
            unready: vec![],
            observed: Default::default(),
        };
        let md = PlanMarkdown(&plan).to_string();
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with("| ")).collect();
        assert_eq!(
            rows,
            [
                "| | Topic | Action |",
                "| ⛔ | `down` | refused: partitions cannot decrease: the topic has 2, the file says 1 \
                 (kafka-init never deletes and recreates a topic) |",
                "| ➕ | `new_one` | create: partitions 1, replication factor 1, cleanup.policy=a\\|b\\* |",
                "| | Topic | Action |",
                "|  | `same` | unchanged |",
            ],
            "{md}"
        );
        assert!(
            md.contains("**Plan: 1 to create, 1 refused, 1 unchanged.**"),
            "{md}"
        );
    }

    #[test]
    fn topic_table_lists_partitions_and_configs() {
        let topics = [ExistingTopic {
            name: "a.old".into(),
            partitions: 3,
            replication_factor: 1,
            configs: [("cleanup.policy".to_string(), "compact".to_string())].into(),
            in_use: None,
        }];
        assert_eq!(
            TopicTable(&topics).to_string(),
            "TOPIC  PARTITIONS  RF  CONFIGS                 PRUNE\na.old           3   1  cleanup.policy=compact  delete\n"
        );
    }
}
