//! Access declared beside topics (`kafka.access`): who may produce to,
//! consume from, and use which groups and transactional ids, turned into
//! Kafka's ACL bindings; the rules those declarations follow; and the diff
//! of the bindings a file declares against those the cluster has.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::fmt;

use serde::Serialize;

use crate::ownership::Ownership;

/// A list of names as `include_topics!` builds it in a `static`.
pub type Names = Cow<'static, [Cow<'static, str>]>;

/// One entry of `kafka.access`: one principal's rights, by role.
///
/// Topic names are the topics' names (a file's topic keys already
/// resolved). A name ending in `*` is a prefix: the binding is PREFIXED on
/// what comes before the `*`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccessEntry {
    /// The entry's key under `kafka.access`.
    pub key: Cow<'static, str>,
    /// Who: `Type:name`, e.g. `User:simulator`.
    pub principal: Cow<'static, str>,
    /// The hosts the rights hold from; `*` (any host) when the file says none.
    pub hosts: Names,
    /// Topics it may write to (WRITE; Kafka implies DESCRIBE).
    pub produce: Names,
    /// Topics it may read from (READ).
    pub consume: Names,
    /// Consumer groups it may use (READ on the group).
    pub groups: Names,
    /// Transactional ids it may use (WRITE and DESCRIBE).
    pub transactional_ids: Names,
    /// Raw grants for what the roles do not cover.
    pub allow: Cow<'static, [Grant]>,
}

/// One raw grant of `allow`: an operation on a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Grant {
    /// What may be done.
    pub operation: Operation,
    /// On what kind of resource.
    pub resource_type: ResourceType,
    /// The resource's name (`kafka-cluster` for the cluster).
    pub name: Cow<'static, str>,
    /// Whether `name` is the whole name or a prefix.
    pub pattern: PatternType,
}

impl Grant {
    /// The grant `include_topics!` generates, built in a `static`. Not a
    /// public API: it may change in any release.
    #[doc(hidden)]
    pub const fn __new(
        operation: Operation,
        resource_type: ResourceType,
        name: &'static str,
        pattern: PatternType,
    ) -> Grant {
        Grant {
            operation,
            resource_type,
            name: Cow::Borrowed(name),
            pattern,
        }
    }
}

impl AccessEntry {
    /// An entry for `principal` with no rights yet, under `key`; the
    /// builder methods add them.
    pub fn new(key: impl Into<String>, principal: impl Into<String>) -> AccessEntry {
        AccessEntry {
            key: Cow::Owned(key.into()),
            principal: Cow::Owned(principal.into()),
            hosts: Cow::Borrowed(&[]),
            produce: Cow::Borrowed(&[]),
            consume: Cow::Borrowed(&[]),
            groups: Cow::Borrowed(&[]),
            transactional_ids: Cow::Borrowed(&[]),
            allow: Cow::Borrowed(&[]),
        }
    }

    /// The entry `include_topics!` generates, built in a `static`. Not a
    /// public API: it may change in any release.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    pub const fn __new(
        key: &'static str,
        principal: &'static str,
        hosts: &'static [Cow<'static, str>],
        produce: &'static [Cow<'static, str>],
        consume: &'static [Cow<'static, str>],
        groups: &'static [Cow<'static, str>],
        transactional_ids: &'static [Cow<'static, str>],
        allow: &'static [Grant],
    ) -> AccessEntry {
        AccessEntry {
            key: Cow::Borrowed(key),
            principal: Cow::Borrowed(principal),
            hosts: Cow::Borrowed(hosts),
            produce: Cow::Borrowed(produce),
            consume: Cow::Borrowed(consume),
            groups: Cow::Borrowed(groups),
            transactional_ids: Cow::Borrowed(transactional_ids),
            allow: Cow::Borrowed(allow),
        }
    }

    /// Adds topics it may write to.
    pub fn produce<S: Into<String>>(mut self, topics: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.produce, topics);
        self
    }

    /// Adds topics it may read from.
    pub fn consume<S: Into<String>>(mut self, topics: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.consume, topics);
        self
    }

    /// Adds consumer groups it may use.
    pub fn groups<S: Into<String>>(mut self, groups: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.groups, groups);
        self
    }

    /// Adds transactional ids it may use.
    pub fn transactional_ids<S: Into<String>>(mut self, ids: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.transactional_ids, ids);
        self
    }

    /// Limits the rights to these hosts (default: any host).
    pub fn hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        extend(&mut self.hosts, hosts);
        self
    }

    /// Adds a raw grant.
    pub fn allow(mut self, grant: Grant) -> Self {
        self.allow.to_mut().push(grant);
        self
    }

    /// The role lists by their names in the file, in file order.
    pub(crate) fn roles(&self) -> [(&'static str, &[Cow<'static, str>]); 4] {
        [
            ("produce", &self.produce),
            ("consume", &self.consume),
            ("groups", &self.groups),
            ("transactional_ids", &self.transactional_ids),
        ]
    }

    /// The bindings the entry grants, one per host.
    pub fn bindings(&self) -> Vec<AclBinding> {
        let any = [Cow::Borrowed("*")];
        let hosts: &[Cow<'static, str>] = if self.hosts.is_empty() {
            &any
        } else {
            &self.hosts
        };
        let mut out = Vec::new();
        let mut add = |operation, resource_type, name: &str, pattern| {
            for host in hosts {
                out.push(AclBinding {
                    principal: self.principal.to_string(),
                    host: host.to_string(),
                    operation,
                    permission: Permission::Allow,
                    resource_type,
                    name: name.to_owned(),
                    pattern,
                });
            }
        };
        for name in self.produce.iter() {
            let (name, pattern) = split_pattern(name);
            add(Operation::Write, ResourceType::Topic, name, pattern);
        }
        for name in self.consume.iter() {
            let (name, pattern) = split_pattern(name);
            add(Operation::Read, ResourceType::Topic, name, pattern);
        }
        for name in self.groups.iter() {
            let (name, pattern) = split_pattern(name);
            add(Operation::Read, ResourceType::Group, name, pattern);
        }
        for name in self.transactional_ids.iter() {
            let (name, pattern) = split_pattern(name);
            add(
                Operation::Write,
                ResourceType::TransactionalId,
                name,
                pattern,
            );
            add(
                Operation::Describe,
                ResourceType::TransactionalId,
                name,
                pattern,
            );
        }
        for grant in self.allow.iter() {
            add(
                grant.operation,
                grant.resource_type,
                &grant.name,
                grant.pattern,
            );
        }
        out
    }
}

fn extend<S: Into<String>>(list: &mut Names, items: impl IntoIterator<Item = S>) {
    list.to_mut()
        .extend(items.into_iter().map(|s| Cow::Owned(s.into())));
}

/// `dc.*` is the prefix `dc.`; anything else is a literal name.
pub(crate) fn split_pattern(name: &str) -> (&str, PatternType) {
    match name.strip_suffix('*') {
        Some(prefix) => (prefix, PatternType::Prefixed),
        None => (name, PatternType::Literal),
    }
}

/// Every binding `entries` grant, each once, sorted.
pub fn bindings(entries: &[AccessEntry]) -> Vec<AclBinding> {
    let set: BTreeSet<AclBinding> = entries.iter().flat_map(AccessEntry::bindings).collect();
    set.into_iter().collect()
}

/// The entries a file writes for `bindings` (what `export` writes): one
/// per principal and host set, in principal order, each binding in its
/// role (`produce` for WRITE on a topic, `consume` for READ, `groups`,
/// `transactional_ids` for WRITE with DESCRIBE), the rest in `allow`. The
/// entries grant exactly `bindings` (DENY ones are left out: a file
/// declares only what it allows).
pub fn entries_of(bindings: &[AclBinding]) -> Vec<AccessEntry> {
    use std::collections::BTreeMap;
    let mut by_who: BTreeMap<(&str, &str), Vec<&AclBinding>> = BTreeMap::new();
    for b in bindings
        .iter()
        .filter(|b| b.permission == Permission::Allow)
    {
        by_who.entry((&b.principal, &b.host)).or_default().push(b);
    }
    let mut taken = BTreeSet::new();
    let mut out = Vec::new();
    for ((principal, host), list) in by_who {
        let base: String = principal
            .split_once(':')
            .map_or(principal, |(_, n)| n)
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let base = if host == "*" {
            base
        } else {
            format!("{base}_{host}")
        };
        let mut key = base.clone();
        let mut n = 2;
        while !taken.insert(key.clone()) {
            key = format!("{base}_{n}");
            n += 1;
        }
        let mut entry = AccessEntry::new(key, principal);
        if host != "*" {
            entry = entry.hosts([host]);
        }
        let has = |op: Operation, name: &str, pattern: PatternType| {
            list.iter().any(|b| {
                b.resource_type == ResourceType::TransactionalId
                    && b.operation == op
                    && b.name == name
                    && b.pattern == pattern
            })
        };
        for b in &list {
            let name = b.resource_name();
            match (b.resource_type, b.operation) {
                (ResourceType::Topic, Operation::Write) => entry = entry.produce([name]),
                (ResourceType::Topic, Operation::Read) => entry = entry.consume([name]),
                (ResourceType::Group, Operation::Read) => entry = entry.groups([name]),
                (ResourceType::TransactionalId, Operation::Write)
                    if has(Operation::Describe, &b.name, b.pattern) =>
                {
                    entry = entry.transactional_ids([name])
                }
                (ResourceType::TransactionalId, Operation::Describe)
                    if has(Operation::Write, &b.name, b.pattern) => {}
                _ => {
                    entry = entry.allow(Grant {
                        operation: b.operation,
                        resource_type: b.resource_type,
                        name: Cow::Owned(b.name.clone()),
                        pattern: b.pattern,
                    })
                }
            }
        }
        out.push(entry);
    }
    out
}

/// One ACL binding: a principal allowed (or denied) an operation on a
/// resource, from a host.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[non_exhaustive]
pub struct AclBinding {
    /// `Type:name`, e.g. `User:simulator`.
    pub principal: String,
    /// The kind of resource.
    pub resource_type: ResourceType,
    /// The resource's name, or prefix when `pattern` is prefixed.
    pub name: String,
    /// Whether `name` is the whole name or a prefix.
    pub pattern: PatternType,
    /// What may (or may not) be done.
    pub operation: Operation,
    /// Allow or deny.
    pub permission: Permission,
    /// The host, or `*` for any.
    pub host: String,
}

impl AclBinding {
    /// A binding with every field given.
    pub fn new(
        principal: impl Into<String>,
        host: impl Into<String>,
        operation: Operation,
        permission: Permission,
        resource_type: ResourceType,
        name: impl Into<String>,
        pattern: PatternType,
    ) -> AclBinding {
        AclBinding {
            principal: principal.into(),
            host: host.into(),
            operation,
            permission,
            resource_type,
            name: name.into(),
            pattern,
        }
    }

    /// The resource as a file writes it: the name, with `*` after a prefix.
    pub fn resource_name(&self) -> String {
        match self.pattern {
            PatternType::Literal => self.name.clone(),
            PatternType::Prefixed => format!("{}*", self.name),
        }
    }
}

/// `User:simulator  WRITE  topic dc.workload`, with ` from host` when the
/// host is not `*` and `DENY` before a denied operation.
impl fmt::Display for AclBinding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let deny = match self.permission {
            Permission::Allow => "",
            Permission::Deny => "DENY ",
        };
        write!(
            f,
            "{}  {deny}{}  {} {}",
            self.principal,
            self.operation,
            self.resource_type,
            self.resource_name()
        )?;
        if self.host != "*" {
            write!(f, " from {}", self.host)?;
        }
        Ok(())
    }
}

macro_rules! names {
    ($(#[$doc:meta])* $ty:ident { $($(#[$vdoc:meta])* $variant:ident = $kafka:literal / $file:literal,)* }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $ty {
            $($(#[$vdoc])* $variant,)*
        }

        impl $ty {
            /// Every value, in Kafka's order.
            pub const ALL: &'static [$ty] = &[$($ty::$variant,)*];

            /// Kafka's name, as its tools print it: `READ`.
            pub const fn kafka_name(self) -> &'static str {
                match self { $($ty::$variant => $kafka,)* }
            }

            /// The name a topic file uses: `read`.
            pub const fn file_name(self) -> &'static str {
                match self { $($ty::$variant => $file,)* }
            }

            /// Reads either name, in any case; `-` and `_` are the same.
            pub fn parse(text: &str) -> Option<$ty> {
                let want = text.trim().replace('-', "_").to_ascii_lowercase();
                $ty::ALL.iter().copied().find(|v| {
                    v.file_name() == want
                        || v.kafka_name().to_ascii_lowercase() == want
                        || v.kafka_name().to_ascii_lowercase().replace('_', "") == want
                })
            }
        }

        impl Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.file_name())
            }
        }
    };
}

names! {
    /// An operation an ACL allows or denies.
    Operation {
        /// Every operation.
        All = "ALL" / "all",
        /// Read (consume; use a group).
        Read = "READ" / "read",
        /// Write (produce; use a transactional id).
        Write = "WRITE" / "write",
        /// Create topics.
        Create = "CREATE" / "create",
        /// Delete topics or records.
        Delete = "DELETE" / "delete",
        /// Alter (partitions; ACLs on the cluster).
        Alter = "ALTER" / "alter",
        /// Describe (metadata, offsets).
        Describe = "DESCRIBE" / "describe",
        /// Inter-broker actions.
        ClusterAction = "CLUSTER_ACTION" / "cluster_action",
        /// Describe configs.
        DescribeConfigs = "DESCRIBE_CONFIGS" / "describe_configs",
        /// Alter configs.
        AlterConfigs = "ALTER_CONFIGS" / "alter_configs",
        /// Idempotent produce.
        IdempotentWrite = "IDEMPOTENT_WRITE" / "idempotent_write",
    }
}

names! {
    /// The kind of resource an ACL is about.
    ResourceType {
        /// A topic.
        Topic = "TOPIC" / "topic",
        /// A consumer group.
        Group = "GROUP" / "group",
        /// The cluster (`kafka-cluster`).
        Cluster = "CLUSTER" / "cluster",
        /// A transactional id.
        TransactionalId = "TRANSACTIONAL_ID" / "transactional_id",
    }
}

names! {
    /// Whether a binding's name is the whole name or a prefix.
    PatternType {
        /// The whole name (or `*`, every name).
        Literal = "LITERAL" / "literal",
        /// A prefix of names.
        Prefixed = "PREFIXED" / "prefixed",
    }
}

names! {
    /// Whether a binding allows or denies.
    Permission {
        /// Allows the operation.
        Allow = "ALLOW" / "allow",
        /// Denies it, whatever else allows it.
        Deny = "DENY" / "deny",
    }
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kafka_name())
    }
}

impl fmt::Display for ResourceType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.file_name())
    }
}

/// The cluster resource's one name.
pub const CLUSTER_NAME: &str = "kafka-cluster";

/// Whether a binding belongs to the file with `ownership`: an ALLOW binding
/// of a principal it does not protect, on a topic, group or transactional
/// id inside `owns` (a prefix only when every name it covers is).
pub(crate) fn owned(binding: &AclBinding, ownership: &Ownership) -> bool {
    let Some(owns) = &ownership.owns else {
        return false;
    };
    if binding.permission != Permission::Allow
        || ownership.is_protected_principal(&binding.principal)
    {
        return false;
    }
    let inside = match binding.pattern {
        PatternType::Literal => binding.name != "*" && owns.contains(&binding.name),
        PatternType::Prefixed => owns.contains_prefix(&binding.name),
    };
    match binding.resource_type {
        ResourceType::Topic => inside && !ownership.is_protected(&binding.name),
        ResourceType::Group | ResourceType::TransactionalId => inside,
        ResourceType::Cluster => false,
    }
}

/// One broken rule of an access entry, at a field (and an item of a list).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Issue {
    /// The entry's index in the checked slice.
    pub entry: usize,
    /// The field: `principal`, `hosts`, `produce`, …, `allow`.
    pub field: &'static str,
    /// The item of a list field, when the problem is one item.
    pub item: Option<usize>,
    pub message: String,
    /// A prefix without `owns` to lie in: a file's problem; entries built
    /// in code without an ownership are not held to it.
    pub needs_owns: bool,
}

/// The rules every access entry follows, wherever it comes from (a file,
/// `include_topics!`, code): a `Type:name` principal, at least one right,
/// no item twice, `*` only at the end, every name inside `owns` when the
/// file has one (and a prefix only then), one entry per principal.
pub(crate) fn check(entries: &[AccessEntry], ownership: &Ownership) -> Vec<Issue> {
    let mut issues = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let mut push = |field: &'static str, item: Option<usize>, message: String| {
            issues.push(Issue {
                entry: i,
                field,
                item,
                needs_owns: message.contains(NEEDS_OWNS),
                message: format!("access `{}`: {message}", entry.key),
            })
        };
        if let Err(why) = check_principal(&entry.principal) {
            push("principal", None, why);
        }
        let same = |e: &&AccessEntry| e.principal == entry.principal && e.hosts == entry.hosts;
        if let Some(first) = entries[..i].iter().find(same) {
            push(
                "principal",
                None,
                format!(
                    "principal `{}` already has the entry `{}` (for the same hosts); give each principal one entry",
                    entry.principal, first.key
                ),
            );
        }
        if entry.roles().iter().all(|(_, l)| l.is_empty()) && entry.allow.is_empty() {
            push(
                "principal",
                None,
                "grants nothing: give it `produce`, `consume`, `groups`, `transactional_ids` or `allow`".into(),
            );
        }
        for (j, host) in entry.hosts.iter().enumerate() {
            if host.trim().is_empty() {
                push(
                    "hosts",
                    Some(j),
                    "a host is empty; leave `hosts` out for any host".into(),
                );
            } else if entry.hosts[..j].contains(host) {
                push("hosts", Some(j), format!("host `{host}` is listed twice"));
            }
        }
        for (field, list) in entry.roles() {
            let what = match field {
                "produce" | "consume" => "topic",
                "groups" => "group",
                _ => "transactional id",
            };
            for (j, name) in list.iter().enumerate() {
                if list[..j].contains(name) {
                    push(field, Some(j), format!("{what} `{name}` is listed twice"));
                    continue;
                }
                if let Some(why) = check_name(name, what, ownership) {
                    push(field, Some(j), why);
                }
            }
        }
        for (j, grant) in entry.allow.iter().enumerate() {
            if entry.allow[..j].contains(grant) {
                push("allow", Some(j), "this grant is listed twice".into());
                continue;
            }
            if grant.resource_type == ResourceType::Cluster {
                if grant.name != CLUSTER_NAME || grant.pattern != PatternType::Literal {
                    push(
                        "allow",
                        Some(j),
                        format!(
                            "the cluster resource is named `{CLUSTER_NAME}` (literal), not `{}`",
                            grant.name
                        ),
                    );
                }
                continue;
            }
            let written = match grant.pattern {
                PatternType::Literal => grant.name.to_string(),
                PatternType::Prefixed => format!("{}*", grant.name),
            };
            if grant.name.contains('*') {
                push(
                    "allow",
                    Some(j),
                    format!(
                        "`{}`: `*` is not allowed in a name; set `pattern: prefixed` for a prefix",
                        grant.name
                    ),
                );
            } else if let Some(why) =
                check_name(&written, grant.resource_type.file_name(), ownership)
            {
                push("allow", Some(j), why);
            }
        }
    }
    issues
}

const NEEDS_OWNS: &str = "a prefix needs `kafka.owns`";

/// `Type:name`, both parts non-empty, no spaces.
pub(crate) fn check_principal(principal: &str) -> Result<(), String> {
    match principal.split_once(':') {
        Some((kind, name))
            if !kind.is_empty()
                && !name.is_empty()
                && kind.chars().all(|c| c.is_ascii_alphanumeric())
                && !principal.chars().any(char::is_whitespace) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "principal `{principal}` is not `Type:name` (e.g. `User:simulator`)"
        )),
    }
}

/// A name of a role list: `*` only at the end, inside `owns` when the file
/// has one; a prefix only inside `owns`.
fn check_name(name: &str, what: &str, ownership: &Ownership) -> Option<String> {
    let (bare, pattern) = split_pattern(name);
    if bare.contains('*') {
        return Some(format!(
            "{what} `{name}`: `*` may only end a name (`dc.*` is every name starting with `dc.`)"
        ));
    }
    if name.trim().is_empty() {
        return Some(format!("a {what} name is empty"));
    }
    if what == "topic" && pattern == PatternType::Literal {
        if let Err(why) = crate::topic_name::check_name(bare) {
            return Some(format!("{what} `{name}`: {why}"));
        }
    }
    match (&ownership.owns, pattern) {
        (None, PatternType::Prefixed) => Some(format!(
            "{what} `{name}`: {NEEDS_OWNS}, and must lie inside it"
        )),
        (None, PatternType::Literal) => None,
        (Some(owns), PatternType::Prefixed) if !owns.contains_prefix(bare) => Some(format!(
            "{what} `{name}`: the prefix is not inside `kafka.owns` ({owns}); a file grants only what it owns"
        )),
        (Some(owns), PatternType::Literal) if !owns.contains(bare) => Some(format!(
            "{what} `{name}` is outside `kafka.owns` ({owns}); a file grants only what it owns"
        )),
        _ => None,
    }
}

/// What `apply` does to one binding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AccessAction {
    /// The file declares it and the cluster lacks it: create it.
    Grant,
    /// The cluster has it as declared.
    Unchanged,
    /// Owned, not declared: a pruning run deletes it.
    Revoke,
}

/// One binding of a plan and what `apply` does to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct AccessChange {
    /// What `apply` does.
    pub action: AccessAction,
    /// The binding.
    #[serde(flatten)]
    pub binding: AclBinding,
}

impl fmt::Display for AccessChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.action {
            AccessAction::Grant => "grant",
            AccessAction::Unchanged => "ok",
            AccessAction::Revoke => "revoke",
        };
        write!(f, "{verb:<6}  {}", self.binding)
    }
}

/// The owned bindings of `existing` that `declared` does not list: the
/// access orphans, sorted.
pub(crate) fn orphans(
    declared: &[AclBinding],
    existing: &[AclBinding],
    ownership: &Ownership,
) -> Vec<AclBinding> {
    let declared: BTreeSet<&AclBinding> = declared.iter().collect();
    let set: BTreeSet<&AclBinding> = existing
        .iter()
        .filter(|b| owned(b, ownership) && !declared.contains(b))
        .collect();
    set.into_iter().cloned().collect()
}

/// The plan's access rows: every declared binding (granted or unchanged),
/// then, when pruning, every orphan to revoke.
pub(crate) fn diff(
    declared: &[AclBinding],
    existing: &[AclBinding],
    ownership: &Ownership,
    prune: bool,
) -> Vec<AccessChange> {
    let have: BTreeSet<&AclBinding> = existing.iter().collect();
    let mut rows: Vec<AccessChange> = declared
        .iter()
        .map(|b| AccessChange {
            action: if have.contains(b) {
                AccessAction::Unchanged
            } else {
                AccessAction::Grant
            },
            binding: b.clone(),
        })
        .collect();
    if prune {
        rows.extend(
            orphans(declared, existing, ownership)
                .into_iter()
                .map(|binding| AccessChange {
                    action: AccessAction::Revoke,
                    binding,
                }),
        );
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ownership::Namespace;

    fn ownership(owns: &[&str]) -> Ownership {
        Ownership {
            owns: Some(Namespace::new(owns).unwrap()),
            ..Ownership::default()
        }
    }

    fn topic(principal: &str, op: Operation, name: &str) -> AclBinding {
        let (name, pattern) = split_pattern(name);
        AclBinding::new(
            principal,
            "*",
            op,
            Permission::Allow,
            ResourceType::Topic,
            name,
            pattern,
        )
    }

    #[test]
    fn roles_become_bindings() {
        let entry = AccessEntry::new("sim", "User:sim")
            .produce(["dc.workload"])
            .consume(["dc.power*"])
            .groups(["dc.sim"])
            .transactional_ids(["dc.tx"]);
        let all: Vec<String> = bindings(&[entry]).iter().map(|b| b.to_string()).collect();
        assert_eq!(
            all,
            [
                "User:sim  READ  topic dc.power*",
                "User:sim  WRITE  topic dc.workload",
                "User:sim  READ  group dc.sim",
                "User:sim  WRITE  transactional_id dc.tx",
                "User:sim  DESCRIBE  transactional_id dc.tx",
            ]
        );
    }

    #[test]
    fn owned_bindings_lie_inside_owns() {
        let own = ownership(&["dc."]);
        assert!(owned(&topic("User:a", Operation::Read, "dc.x"), &own));
        assert!(owned(&topic("User:a", Operation::Read, "dc.x*"), &own));
        assert!(!owned(&topic("User:a", Operation::Read, "d*"), &own));
        assert!(!owned(&topic("User:a", Operation::Read, "other"), &own));
        assert!(!owned(&topic("User:a", Operation::Read, "*"), &own));
        let mut deny = topic("User:a", Operation::Read, "dc.x");
        deny.permission = Permission::Deny;
        assert!(!owned(&deny, &own));
        let protected = Ownership {
            protect_principals: vec!["User:a".into()],
            ..own.clone()
        };
        assert!(!owned(
            &topic("User:a", Operation::Read, "dc.x"),
            &protected
        ));
        assert!(!owned(
            &topic("User:a", Operation::Read, "dc.x"),
            &Ownership::default()
        ));
    }

    #[test]
    fn the_diff_grants_what_is_missing_and_revokes_only_when_pruning() {
        let own = ownership(&["dc."]);
        let declared = vec![topic("User:a", Operation::Write, "dc.x")];
        let existing = vec![
            topic("User:a", Operation::Read, "dc.x"),
            topic("User:a", Operation::Read, "other"),
        ];
        let rows = diff(&declared, &existing, &own, false);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].action, AccessAction::Grant);
        let rows = diff(&declared, &existing, &own, true);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].action, AccessAction::Revoke);
        assert_eq!(rows[1].binding, existing[0]);
        let rows = diff(&declared, &declared, &own, true);
        assert_eq!(rows[0].action, AccessAction::Unchanged);
    }

    #[test]
    fn names_read_both_spellings() {
        assert_eq!(Operation::parse("READ"), Some(Operation::Read));
        assert_eq!(
            Operation::parse("describe-configs"),
            Some(Operation::DescribeConfigs)
        );
        assert_eq!(
            Operation::parse("DescribeConfigs"),
            Some(Operation::DescribeConfigs)
        );
        assert_eq!(
            ResourceType::parse("transactional_id"),
            Some(ResourceType::TransactionalId)
        );
        assert_eq!(Operation::parse("fly"), None);
    }
}
