//! `kafka.access` and `kafka.protect_principals` decoded from the tree:
//! each entry's keys and types checked, topic keys resolved to names,
//! profiles' overrides applied; then the model's one set of access rules
//! ([`crate::access`]) run and its findings placed in the file.

use std::borrow::Cow;

use serde_yaml::{Mapping, Value};

use super::diagnostics::{Layer, Problem};
use super::parse::scalar_key;
use super::parsed::Parsed;
use super::raw::LookupRef;
use crate::access::{self, AccessEntry, Grant, Operation, PatternType, ResourceType};
use crate::policy::{self, Policy};
use crate::yaml_kind::kind;

pub(super) const ACCESS_KEYS: &[&str] = &[
    "principal",
    "hosts",
    "produce",
    "consume",
    "groups",
    "transactional_ids",
    "allow",
];
const GRANT_KEYS: &[&str] = &["operation", "resource_type", "name", "pattern"];

/// Where an access section sits: `kafka.access` or a profile's.
struct Section<'p> {
    path: Vec<&'p str>,
    /// `profile prod: ` or empty.
    prefix: String,
}

impl Parsed<'_> {
    /// `kafka.protect_principals`: a list of `Type:name` strings.
    pub(super) fn protect_principals(&mut self, value: Option<&Value>) -> Vec<String> {
        let path = ["kafka", "protect_principals"];
        let items = match value {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Sequence(items)) => items,
            Some(other) => {
                self.problem_value(
                    &path,
                    format!(
                        "kafka.protect_principals: expected a list of principals like [\"User:admin\"], found {}",
                        kind(other)
                    ),
                );
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            match item {
                Value::String(p)
                    if p.split_once(':')
                        .is_some_and(|(t, n)| !t.is_empty() && !n.is_empty()) =>
                {
                    out.push(p.clone())
                }
                other => self.problem_value(
                    &["kafka", "protect_principals", &index],
                    format!(
                        "kafka.protect_principals: expected a principal `Type:name`, found {}",
                        describe(other)
                    ),
                ),
            }
        }
        out
    }

    /// `kafka.access` of the base file and each profile's `access`, after
    /// the topics and `owns` are known.
    pub(super) fn decode_access(&mut self, kafka: &Mapping, mut lookup: LookupRef<'_, '_>) {
        let base = Section {
            path: vec!["kafka", "access"],
            prefix: String::new(),
        };
        let entries = match kafka.get("access") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Mapping(m)) => {
                let mut out = Vec::new();
                for (k, v) in m {
                    let Some(key) = scalar_key(k) else {
                        self.problem_value(
                            &base.path,
                            format!("kafka.access: keys must be strings, found {}", kind(k)),
                        );
                        continue;
                    };
                    let Some(fields) = self.entry_mapping(&base, &key, v) else {
                        continue;
                    };
                    if !fields.contains_key("principal") {
                        self.problem_key(
                            &["kafka", "access", &key],
                            format!("access `{key}`: missing `principal` (`Type:name`, e.g. `User:{key}`)"),
                        );
                        continue;
                    }
                    let entry = AccessEntry::new(key.clone(), String::new());
                    match self.apply_fields(&base, entry, fields, lookup.as_deref_mut()) {
                        Some(entry) => out.push(entry),
                        // A broken entry's principal is still checked.
                        None => {
                            if let Some(Err(why)) = fields
                                .get("principal")
                                .and_then(Value::as_str)
                                .map(access::check_principal)
                            {
                                self.problem_value(
                                    &["kafka", "access", &key, "principal"],
                                    format!("access `{key}`: {why}"),
                                );
                            }
                        }
                    }
                }
                out
            }
            Some(other) => {
                self.problem_value(
                    &base.path,
                    format!(
                        "kafka.access: expected a mapping of entries (a key of your choosing, then `principal`, `produce`, `consume`, …), found {}",
                        kind(other)
                    ),
                );
                Vec::new()
            }
        };
        let found = self.check_access(&base, &entries, &[]);
        let policy = self.effective_policy(None);
        let broken = self.check_access_policy(&base, &entries, &[], &policy);
        self.file.access = entries.clone();
        for profile in &mut self.file.profiles {
            profile.access = Cow::Owned(entries.clone());
        }

        let Some(Value::Mapping(profiles)) = kafka.get("profiles") else {
            return;
        };
        for (k, v) in profiles {
            let (Some(name), Value::Mapping(profile)) = (scalar_key(k), v) else {
                continue;
            };
            let section = Section {
                path: vec!["kafka", "profiles", &name, "access"],
                prefix: format!("profile {name}: "),
            };
            let own = self
                .profile_policies
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, p)| p.clone())
                .unwrap_or_default();
            let policy = self.effective_policy(Some(&own));
            let Some(overrides) = profile.get("access") else {
                // The base file's entries, under the profile's policy.
                self.check_access_policy(&section, &entries, &broken, &policy);
                continue;
            };
            let mut effective = entries.clone();
            match overrides {
                Value::Null => {}
                Value::Mapping(m) => {
                    for (k, v) in m {
                        let Some(key) = scalar_key(k) else { continue };
                        let declared = matches!(kafka.get("access"), Some(Value::Mapping(m)) if m.contains_key(key.as_str()));
                        let Some(index) = effective.iter().position(|e| e.key == key) else {
                            if declared {
                                // Broken in the base file: reported there.
                                continue;
                            }
                            let known: Vec<String> =
                                entries.iter().map(|e| format!("`{}`", e.key)).collect();
                            let mut path = section.path.clone();
                            path.push(&key);
                            self.problem_key(
                                &path,
                                format!(
                                    "{}access `{key}` is not an entry of the base file's `kafka.access` (a profile changes entries, it cannot add one); the entries are {}",
                                    section.prefix,
                                    if known.is_empty() { "none".to_owned() } else { known.join(", ") }
                                ),
                            );
                            continue;
                        };
                        let Some(fields) = self.entry_mapping(&section, &key, v) else {
                            continue;
                        };
                        let entry = effective[index].clone();
                        if let Some(entry) =
                            self.apply_fields(&section, entry, fields, lookup.as_deref_mut())
                        {
                            effective[index] = entry;
                        }
                    }
                }
                other => {
                    self.problem_value(
                        &section.path,
                        format!(
                            "{}access: expected a mapping of the base file's entries, found {}",
                            section.prefix,
                            kind(other)
                        ),
                    );
                    continue;
                }
            }
            // What the base file already has is not repeated.
            self.check_access(&section, &effective, &found);
            self.check_access_policy(&section, &effective, &broken, &policy);
            if let Some(p) = self.file.profiles.iter_mut().find(|p| p.name == name) {
                p.access = Cow::Owned(effective);
            }
        }
    }

    /// An entry's value: a mapping, its keys checked.
    fn entry_mapping<'v>(
        &mut self,
        section: &Section<'_>,
        key: &str,
        value: &'v Value,
    ) -> Option<&'v Mapping> {
        let mut path = section.path.clone();
        path.push(key);
        match value {
            Value::Mapping(m) => {
                self.unknown_keys(
                    m,
                    &path,
                    ACCESS_KEYS,
                    &format!("{}access `{key}`: ", section.prefix),
                );
                Some(m)
            }
            other => {
                self.problem_value(
                    &path,
                    format!(
                        "{}access `{key}`: expected a mapping with `principal` and its roles (`produce`, `consume`, `groups`, `transactional_ids`), found {}",
                        section.prefix,
                        kind(other)
                    ),
                );
                None
            }
        }
    }

    /// `entry` with the fields `fields` sets; `None` when one is broken
    /// (each problem reported).
    fn apply_fields(
        &mut self,
        section: &Section<'_>,
        mut entry: AccessEntry,
        fields: &Mapping,
        lookup: LookupRef<'_, '_>,
    ) -> Option<AccessEntry> {
        let key = entry.key.to_string();
        let what = format!("{}access `{key}`", section.prefix);
        let at = |field: &str| -> Vec<String> {
            let mut p: Vec<String> = section.path.iter().map(|s| s.to_string()).collect();
            p.push(key.clone());
            p.push(field.to_owned());
            p
        };
        let mut ok = true;
        if let Some(v) = fields.get("principal") {
            let path = at("principal");
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            match v {
                Value::String(s) => {
                    match self.resolve(&path, &format!("{what}: principal"), s, lookup) {
                        Some(p) => entry.principal = Cow::Owned(p),
                        None => ok = false,
                    }
                }
                other => {
                    self.problem_value(
                        &path,
                        format!(
                            "{what}: principal: expected a string `Type:name` (e.g. `User:{key}`), found {}",
                            kind(other)
                        ),
                    );
                    ok = false;
                }
            }
        }
        for field in ["hosts", "produce", "consume", "groups", "transactional_ids"] {
            let Some(v) = fields.get(field) else { continue };
            let path = at(field);
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            let Some(items) = self.strings(&path, &what, field, v) else {
                ok = false;
                continue;
            };
            let items = if matches!(field, "produce" | "consume") {
                match self.topic_names(&path, &what, items) {
                    Some(names) => names,
                    None => {
                        ok = false;
                        continue;
                    }
                }
            } else {
                items
            };
            let list: Vec<Cow<'static, str>> = items.into_iter().map(Cow::Owned).collect();
            let list = Cow::Owned(list);
            match field {
                "hosts" => entry.hosts = list,
                "produce" => entry.produce = list,
                "consume" => entry.consume = list,
                "groups" => entry.groups = list,
                _ => entry.transactional_ids = list,
            }
        }
        if let Some(v) = fields.get("allow") {
            let path = at("allow");
            let path: Vec<&str> = path.iter().map(String::as_str).collect();
            match self.grants(&path, &what, v) {
                Some(grants) => entry.allow = Cow::Owned(grants),
                None => ok = false,
            }
        }
        ok.then_some(entry)
    }

    /// A role's list, not empty: each missing or empty one is a problem.
    fn role_list<'v>(
        &mut self,
        path: &[&str],
        what: &str,
        field: &str,
        items_are: &str,
        v: &'v Value,
    ) -> Option<&'v Vec<Value>> {
        match v {
            Value::Sequence(items) if items.is_empty() => {
                self.problem_value(
                    path,
                    format!("{what}: `{field}` is an empty list; leave it out to grant nothing"),
                );
                None
            }
            Value::Sequence(items) => Some(items),
            other => {
                self.problem_value(
                    path,
                    format!(
                        "{what}: `{field}`: expected a list of {items_are}, found {}",
                        kind(other)
                    ),
                );
                None
            }
        }
    }

    /// A non-empty list of strings.
    fn strings(
        &mut self,
        path: &[&str],
        what: &str,
        field: &str,
        v: &Value,
    ) -> Option<Vec<String>> {
        let items = self.role_list(path, what, field, "names", v)?;
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            let item_path = [path, &[index.as_str()]].concat();
            match item {
                Value::String(s) => out.push(s.clone()),
                other => {
                    self.problem_value(
                        &item_path,
                        format!(
                            "{what}: `{field}`: expected a name, found {}",
                            describe(other)
                        ),
                    );
                    ok = false;
                }
            }
        }
        ok.then_some(out)
    }

    /// Topic keys of this file become their names; a name that is not a
    /// key must lie inside `owns` (the model checks it), and without
    /// `owns` only keys are allowed.
    fn topic_names(
        &mut self,
        path: &[&str],
        what: &str,
        items: Vec<String>,
    ) -> Option<Vec<String>> {
        let owns = self.file.ownership.owns.clone();
        let mut out = Vec::with_capacity(items.len());
        let mut ok = true;
        for (i, item) in items.into_iter().enumerate() {
            if let Some(spec) = self.file.topics.iter().find(|t| t.key == item) {
                out.push(spec.name.to_string());
                continue;
            }
            let inside = owns.as_ref().is_some_and(|o| {
                let (bare, pattern) = access::split_pattern(&item);
                match pattern {
                    PatternType::Literal => o.contains(bare),
                    PatternType::Prefixed => o.contains_prefix(bare),
                }
            });
            let declared_name = self.file.topics.iter().any(|t| t.name == item);
            if inside || declared_name || item.contains('*') {
                // A name: the model's rules say whether it may be granted.
                out.push(item);
                continue;
            }
            let keys: Vec<String> = self
                .file
                .topics
                .iter()
                .map(|t| format!("`{}`", t.key))
                .collect();
            let keys = if keys.is_empty() {
                "none".to_owned()
            } else {
                keys.join(", ")
            };
            let message = match &owns {
                Some(owns) => format!(
                    "{what}: `{item}` is neither a topic key of this file nor a name inside `kafka.owns` ({owns}); the topic keys are {keys}"
                ),
                None => format!(
                    "{what}: `{item}` is not a topic key of this file; the topic keys are {keys} (naming other topics needs `kafka.owns`)"
                ),
            };
            let index = i.to_string();
            self.problem_value(&[path, &[index.as_str()]].concat(), message);
            ok = false;
        }
        ok.then_some(out)
    }

    /// `allow`: a list of `{operation, resource_type, name, pattern}`.
    fn grants(&mut self, path: &[&str], what: &str, v: &Value) -> Option<Vec<Grant>> {
        let items = self.role_list(
            path,
            what,
            "allow",
            "{operation, resource_type, name, pattern}",
            v,
        )?;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            let here = [path, &[index.as_str()]].concat();
            let Value::Mapping(m) = item else {
                self.problem_value(
                    &here,
                    format!(
                        "{what}: `allow`: expected a mapping {{operation, resource_type, name, pattern}}, found {}",
                        kind(item)
                    ),
                );
                ok = false;
                continue;
            };
            self.unknown_keys(m, &here, GRANT_KEYS, &format!("{what}: allow: "));
            let operation = self.enum_field(
                &here,
                what,
                m,
                "operation",
                Operation::parse,
                Operation::ALL.iter().map(|o| o.file_name()),
            );
            let resource_type = self.enum_field(
                &here,
                what,
                m,
                "resource_type",
                ResourceType::parse,
                ResourceType::ALL.iter().map(|r| r.file_name()),
            );
            let pattern = match m.get("pattern") {
                None => Some(PatternType::Literal),
                Some(_) => self.enum_field(
                    &here,
                    what,
                    m,
                    "pattern",
                    PatternType::parse,
                    PatternType::ALL.iter().map(|p| p.file_name()),
                ),
            };
            let name = match m.get("name") {
                Some(Value::String(s)) => Some(s.clone()),
                None if resource_type == Some(ResourceType::Cluster) => {
                    Some(access::CLUSTER_NAME.to_owned())
                }
                other => {
                    let found = other.map_or("nothing".to_owned(), describe);
                    self.problem_value(
                        &[&here[..], &["name"]].concat(),
                        format!(
                            "{what}: allow: `name`: expected the resource's name, found {found}"
                        ),
                    );
                    None
                }
            };
            match (operation, resource_type, name, pattern) {
                (Some(operation), Some(resource_type), Some(name), Some(pattern)) => {
                    out.push(Grant {
                        operation,
                        resource_type,
                        name: Cow::Owned(name),
                        pattern,
                    })
                }
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn enum_field<T>(
        &mut self,
        here: &[&str],
        what: &str,
        m: &Mapping,
        field: &str,
        parse: fn(&str) -> Option<T>,
        known: impl Iterator<Item = &'static str>,
    ) -> Option<T> {
        let value = m.get(field);
        if let Some(v) = value.and_then(Value::as_str).and_then(parse) {
            return Some(v);
        }
        let known: Vec<String> = known.map(|k| format!("`{k}`")).collect();
        let found = value.map_or("nothing".to_owned(), describe);
        let path = [here, &[field]].concat();
        self.problem_value(
            &path,
            format!(
                "{what}: allow: `{field}`: expected one of {}, found {found}",
                known.join(", ")
            ),
        );
        None
    }

    /// Runs the model's rules over `entries` and places each finding, but
    /// those in `known`; returns every finding's message.
    fn check_access(
        &mut self,
        section: &Section<'_>,
        entries: &[AccessEntry],
        known: &[String],
    ) -> Vec<String> {
        let ownership = self.file.ownership.clone();
        let issues = access::check(entries, &ownership);
        let messages = issues.iter().map(|i| i.message.clone()).collect();
        for issue in issues.into_iter().filter(|i| !known.contains(&i.message)) {
            let key = entries[issue.entry].key.to_string();
            let mut path: Vec<String> = section.path.iter().map(|s| s.to_string()).collect();
            path.push(key);
            path.push(issue.field.to_owned());
            if let Some(item) = issue.item {
                path.push(item.to_string());
            }
            // A profile that does not set the field: the base file's place.
            let strs: Vec<&str> = path.iter().map(String::as_str).collect();
            let message = format!("{}{}", section.prefix, issue.message);
            self.problem_value(&strs, message);
        }
        messages
    }
}

impl Parsed<'_> {
    /// Checks `entries` against `policy` and places each violation, but
    /// those in `known`, at the entry's field in `section` (the base
    /// file's when a profile does not set it); returns every message.
    fn check_access_policy(
        &mut self,
        section: &Section<'_>,
        entries: &[AccessEntry],
        known: &[String],
        policy: &Policy,
    ) -> Vec<String> {
        let issues = policy::check_access(policy, entries);
        let messages = issues.iter().map(|i| i.message.clone()).collect();
        for issue in issues.into_iter().filter(|i| !known.contains(&i.message)) {
            let key = entries[issue.entry].key.to_string();
            let item = issue.item.map(|i| i.to_string());
            let rest: Vec<&str> = [key.as_str(), issue.field]
                .into_iter()
                .chain(item.as_deref())
                .collect();
            let here: Vec<&str> = section.path.iter().copied().chain(rest.clone()).collect();
            let path = if self.source_map().get(&here).is_some() {
                here
            } else {
                ["kafka", "access"].into_iter().chain(rest).collect()
            };
            let pos = self.source_map().value(&path);
            let problem = Problem::at(pos, format!("{}{}", section.prefix, issue.message))
                .in_layer(Layer::Policy);
            self.push(&path, problem, true);
        }
        messages
    }
}

/// A scalar as written (`42`, `true`), or its kind.
fn describe(v: &Value) -> String {
    match v {
        Value::String(s) => format!("`{s}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::Bool(b) => format!("`{b}`"),
        other => kind(other).to_owned(),
    }
}
