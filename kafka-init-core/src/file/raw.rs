//! The sections of the file decoded from the tree (`kafka`, `client`,
//! `owns`/`protect`, `defaults`, `profiles`, `policy`), and their keys
//! checked; the topics themselves are [`super::resolve`]'s.

use std::borrow::Cow;
use std::collections::HashSet;
use std::path::Path;

use serde_yaml::{Mapping, Value};

use super::diagnostics::{FileError, Layer, Problem, Severity, Warning};
use super::parse::{scalar_key, scalar_string, Id, Pos, Tree};
use super::parsed::Parsed;
use super::resolve::{path_of, strs, DEFAULTS_KEYS};
use super::topic_file::TopicFile;
use crate::client::ClientProperties;
use crate::ownership::{Namespace, Ownership};
use crate::policy::Policy;
use crate::spec::Profile;
use crate::vars::{self, VarError};
use crate::yaml_kind::kind;

/// How `${VAR}` references are resolved; `None` keeps them as written.
pub(super) type Lookup<'a> = Option<&'a mut dyn FnMut(&str) -> Option<String>>;
pub(super) type LookupRef<'a, 'b> = Option<&'a mut (dyn FnMut(&str) -> Option<String> + 'b)>;

pub(super) const FILE_KEYS: &[&str] = &["kafka"];
pub(super) const KAFKA_KEYS: &[&str] = &[
    "bootstrap_servers",
    "client",
    "defaults",
    "profiles",
    "topics",
    "owns",
    "protect",
    "protect_principals",
    "access",
    "policy",
];
pub(super) const PROFILE_KEYS: &[&str] = &[
    "bootstrap_servers",
    "defaults",
    "topics",
    "policy",
    "access",
];
pub(super) const PROFILE_TOPIC_KEYS: &[&str] = &[
    "partitions",
    "replication_factor",
    "config",
    "keep_unmanaged_configs",
];

impl TopicFile {
    /// Parses and checks `text`; `path` is only used to name the file in
    /// errors. `${VAR}` references are checked but kept as written.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        Parsed::new(text, path.as_ref(), None).into_result()
    }

    /// [`TopicFile::parse`], resolving `${VAR}` references with `lookup`.
    pub fn parse_with_env(
        text: &str,
        path: impl AsRef<Path>,
        mut lookup: impl FnMut(&str) -> Option<String>,
    ) -> Result<TopicFile, FileError> {
        Parsed::new(text, path.as_ref(), Some(&mut lookup)).into_result()
    }
}

impl<'t> Parsed<'t> {
    pub(crate) fn new(text: &'t str, path: &Path, lookup: Lookup<'_>) -> Parsed<'t> {
        Parsed::with_policy(text, path, lookup, None)
    }

    /// [`Parsed::new`], checking the topics against `policy` too.
    pub(crate) fn with_policy(
        text: &'t str,
        path: &Path,
        lookup: Lookup<'_>,
        policy: Option<&Policy>,
    ) -> Parsed<'t> {
        let mut parsed = Parsed {
            file: TopicFile {
                path: path.to_owned(),
                bootstrap_servers: None,
                client: ClientProperties::new(),
                topics: Vec::new(),
                profiles: Vec::new(),
                ownership: Ownership::default(),
                access: Vec::new(),
                warnings: Vec::new(),
            },
            problems: Vec::new(),
            warnings: Vec::new(),
            shared: HashSet::new(),
            text,
            external: policy.cloned(),
            own_policy: Policy::default(),
            profile_policies: Vec::new(),
            map: None,
        };
        match Tree::parse(text) {
            Err(e) => {
                parsed
                    .problems
                    .push(Problem::at(e.pos, format!("invalid YAML: {}", e.message)));
            }
            Ok(tree) => {
                let merge_error = tree.merge_error.clone();
                // The topics are read one at a time, from the tree.
                let topics = tree.at(&["kafka", "topics"]).filter(|&id| tree.is_map(id));
                let value = tree.document(topics);
                parsed.map = Some(tree);
                parsed.duplicate_problems();
                if let Some(e) = merge_error {
                    parsed.problems.push(Problem::at(
                        Pos { line: 1, column: 1 },
                        format!("invalid YAML merge (`<<`): {e}"),
                    ));
                }
                parsed.decode_root(&value, lookup, topics);
            }
        }
        parsed.problems.sort_by_key(|p| (p.line, p.column));
        parsed.warnings.sort_by_key(|p| (p.line, p.column));
        let path = parsed.file.path.clone();
        parsed.file.warnings = parsed
            .warnings
            .iter()
            .map(|problem| Warning {
                path: path.clone(),
                problem: problem.clone(),
            })
            .collect();
        parsed
    }

    pub(super) fn decode_root(&mut self, value: &Value, lookup: Lookup<'_>, topics: Option<Id>) {
        let root = match value {
            Value::Mapping(m) => m,
            Value::Null => {
                return self
                    .problem_value(&[], "the file is empty; expected a `kafka:` mapping".into())
            }
            other => {
                return self.problem_value(
                    &[],
                    format!(
                        "expected a mapping with a `kafka` key, found {}",
                        kind(other)
                    ),
                )
            }
        };
        // `x-` keys are free for YAML anchors (`x-defaults: &defaults`),
        // as in compose files. The keys alone: a copy of the values would
        // be a copy of every topic.
        let root_keys: Mapping = root
            .keys()
            .filter(|k| !k.as_str().is_some_and(|k| k.starts_with("x-")))
            .map(|k| (k.clone(), Value::Null))
            .collect();
        self.unknown_keys(&root_keys, &[], FILE_KEYS, "");
        match root.get("kafka") {
            Some(Value::Mapping(kafka)) => self.decode_kafka(kafka, lookup, topics),
            Some(other) => self.problem_value(
                &["kafka"],
                format!("kafka: expected a mapping, found {}", kind(other)),
            ),
            None => self.problem_value(&[], "missing `kafka`".into()),
        }
    }

    /// `kafka`: the mapping, its `topics` (when a mapping) left in the tree
    /// as the node `topics`, to be read one at a time.
    pub(super) fn decode_kafka(
        &mut self,
        kafka: &Mapping,
        mut lookup: Lookup<'_>,
        topics: Option<Id>,
    ) {
        // Deletion is asked for per run, never by a file: a file copied to
        // another cluster must not start deleting there.
        if kafka.contains_key("prune") {
            self.problem_key(
                &["kafka", "prune"],
                "kafka.prune: pruning is not a file setting; ask for it per run with `apply --prune` or `EnsureOptions::prune`".into(),
            );
        }
        // The keys alone (a handful), so `prune` gets only its own message.
        let keys: Mapping = kafka
            .keys()
            .filter(|k| k.as_str() != Some("prune"))
            .map(|k| (k.clone(), Value::Null))
            .collect();
        self.unknown_keys(&keys, &["kafka"], KAFKA_KEYS, "kafka: ");

        match kafka.get("bootstrap_servers") {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                let path = ["kafka", "bootstrap_servers"];
                self.file.bootstrap_servers =
                    self.resolve(&path, "kafka.bootstrap_servers", s, lookup.as_deref_mut());
            }
            Some(other) => self.problem_value(
                &["kafka", "bootstrap_servers"],
                format!(
                    "kafka.bootstrap_servers: expected a string like `host:9092,host2:9092`, found {}",
                    kind(other)
                ),
            ),
        }

        match kafka.get("client") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(client)) => {
                for (k, v) in client {
                    let Some(key) = scalar_key(k) else {
                        self.problem_value(
                            &["kafka", "client"],
                            format!("kafka.client: keys must be strings, found {}", kind(k)),
                        );
                        continue;
                    };
                    let path = ["kafka", "client", key.as_str()];
                    if key == "bootstrap.servers" {
                        self.problem_key(
                            &path,
                            "kafka.client: set `kafka.bootstrap_servers` instead of `bootstrap.servers`".into(),
                        );
                        continue;
                    }
                    let Some(value) = scalar_string(v) else {
                        self.problem_value(
                            &path,
                            format!(
                                "kafka.client.{key}: expected a string, number or boolean, found {}",
                                kind(v)
                            ),
                        );
                        continue;
                    };
                    let what = format!("kafka.client.{key}");
                    if let Some(value) = self.resolve(&path, &what, &value, lookup.as_deref_mut()) {
                        self.file.client.set(key, value);
                    }
                }
            }
            Some(other) => self.problem_value(
                &["kafka", "client"],
                format!(
                    "kafka.client: expected a mapping of client properties, found {}",
                    kind(other)
                ),
            ),
        }

        let defaults = self.defaults_mapping(kafka.get("defaults"), &["kafka", "defaults"], "");
        self.own_policy = self.policy(kafka.get("policy"), &["kafka", "policy"], "kafka.policy");
        let policy = self.effective_policy(None);
        let empty = Mapping::new();
        let topics = match kafka.get("topics") {
            None | Some(Value::Null) => None,
            Some(Value::Mapping(_)) => topics,
            Some(other) => {
                self.problem_value(
                    &["kafka", "topics"],
                    format!("kafka.topics: expected a mapping, found {}", kind(other)),
                );
                None
            }
        };
        self.file.topics = self.decode_topics(topics, defaults, None, &policy);
        // The topic keys, as profiles name them.
        let topic_keys: Vec<String> = match (topics, kafka.get("profiles")) {
            (Some(id), Some(Value::Mapping(_))) => {
                let tree = self.source_map();
                tree.entries(id)
                    .into_iter()
                    .filter_map(|(k, _)| scalar_key(&tree.value_of(k)))
                    .collect()
            }
            _ => Vec::new(),
        };

        match kafka.get("profiles") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(profiles)) => {
                for (k, v) in profiles {
                    let Some(name) = scalar_key(k) else {
                        self.problem_value(
                            &["kafka", "profiles"],
                            format!("kafka.profiles: keys must be strings, found {}", kind(k)),
                        );
                        continue;
                    };
                    let profile = match v {
                        Value::Mapping(m) => m,
                        Value::Null => &empty,
                        other => {
                            self.problem_value(
                                &["kafka", "profiles", &name],
                                format!(
                                    "profile {name}: expected a mapping with `defaults` or `topics`, found {}",
                                    kind(other)
                                ),
                            );
                            continue;
                        }
                    };
                    let profile = self.decode_profile(
                        &name,
                        profile,
                        (topics, &topic_keys),
                        defaults,
                        lookup.as_deref_mut(),
                    );
                    self.file.profiles.push(profile);
                }
            }
            Some(other) => self.problem_value(
                &["kafka", "profiles"],
                format!(
                    "kafka.profiles: expected a mapping of profiles, found {}",
                    kind(other)
                ),
            ),
        }

        self.file.ownership.protect = self.namespace(kafka, "protect").unwrap_or_default();
        self.file.ownership.owns = self.namespace(kafka, "owns");
        if let Some(owns) = self.file.ownership.owns.clone() {
            for index in owns.protected_only() {
                let entry = owns.entries().nth(index).unwrap_or_default().to_owned();
                self.problem_value(
                    &["kafka", "owns", &index.to_string()],
                    format!(
                        "kafka.owns: `{entry}` only matches protected names (internal topics, `_`/`__` or `mm2-` prefixes), which are never owned"
                    ),
                );
            }
            let outside: Vec<(String, String)> = self
                .file
                .topics
                .iter()
                .filter(|spec| !owns.contains(&spec.name))
                .map(|spec| (spec.key.to_string(), spec.name.to_string()))
                .collect();
            for (key, name) in outside {
                self.problem_value(
                    &["kafka", "topics", &key, "name"],
                    format!("topic `{name}`: outside `kafka.owns` ({owns}); a file declares only topics in the namespace it owns"),
                );
            }
        }
        self.file.ownership.protect_principals =
            self.protect_principals(kafka.get("protect_principals"));
        self.decode_access(kafka, lookup);
    }

    /// `kafka.owns` or `kafka.protect`: a list of prefixes and `^`
    /// expressions. `None` when absent or broken (each problem reported).
    pub(super) fn namespace(&mut self, kafka: &Mapping, field: &str) -> Option<Namespace> {
        let items = match kafka.get(field) {
            None => return None,
            Some(Value::Sequence(items)) => items,
            Some(other) => {
                self.problem_value(
                    &["kafka", field],
                    format!(
                        "kafka.{field}: expected a list of name prefixes and `^` regular expressions, like [\"dc.\", \"^sys\\\\.config$\"], found {}",
                        kind(other)
                    ),
                );
                return None;
            }
        };
        let mut entries = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => entries.push(s.clone()),
                other => {
                    self.problem_value(
                        &["kafka", field, &i.to_string()],
                        format!("kafka.{field}: expected a string, found {}", kind(other)),
                    );
                    return None;
                }
            }
        }
        if field == "owns" && entries.is_empty() {
            self.problem_value(
                &["kafka", field],
                "kafka.owns: the list is empty; leave `owns` out to own nothing".into(),
            );
            return None;
        }
        match Namespace::new(&entries) {
            Ok(ns) => Some(ns),
            Err(errors) => {
                for e in errors {
                    self.problem_value(
                        &["kafka", field, &e.index.to_string()],
                        format!("kafka.{field}: {}", e.message),
                    );
                }
                None
            }
        }
    }

    /// A `defaults` mapping, its keys checked; `None` when absent or broken.
    pub(super) fn defaults_mapping<'v>(
        &mut self,
        value: Option<&'v Value>,
        path: &[&str],
        prefix: &str,
    ) -> Option<&'v Mapping> {
        match value {
            None | Some(Value::Null) => None,
            Some(Value::Mapping(m)) => {
                let what = if prefix.is_empty() {
                    "kafka.defaults: ".to_owned()
                } else {
                    format!("{prefix}defaults: ")
                };
                self.unknown_keys(m, path, DEFAULTS_KEYS, &what);
                Some(m)
            }
            Some(other) => {
                self.problem_value(
                    path,
                    format!(
                        "{prefix}defaults: expected a mapping of `partitions`, `replication_factor` and `config`, found {}",
                        kind(other)
                    ),
                );
                None
            }
        }
    }

    /// One profile: its keys checked, and every topic of the base file
    /// decoded and validated with the profile applied. Problems name the
    /// profile; those the base file already has are not repeated.
    pub(super) fn decode_profile(
        &mut self,
        name: &str,
        profile: &Mapping,
        (topics, topic_keys): (Option<Id>, &[String]),
        defaults: Option<&Mapping>,
        lookup: LookupRef<'_, '_>,
    ) -> Profile {
        let prefix = format!("profile {name}: ");
        let base = ["kafka", "profiles", name];
        let at = |rest: &[&str]| -> Vec<String> { path_of(&[&base[..], rest].concat()) };
        self.unknown_keys(profile, &base, PROFILE_KEYS, &prefix);

        let bootstrap_servers = match profile.get("bootstrap_servers") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => {
                let what = format!("{prefix}bootstrap_servers");
                self.resolve(&strs(&at(&["bootstrap_servers"])), &what, s, lookup)
                    .map(Cow::Owned)
            }
            Some(other) => {
                self.problem_value(
                    &strs(&at(&["bootstrap_servers"])),
                    format!(
                        "{prefix}bootstrap_servers: expected a string like `host:9092`, found {}",
                        kind(other)
                    ),
                );
                None
            }
        };

        let profile_policy = self.policy(
            profile.get("policy"),
            &strs(&at(&["policy"])),
            &format!("{prefix}policy"),
        );
        let own_defaults_path = at(&["defaults"]);
        let own_defaults =
            self.defaults_mapping(profile.get("defaults"), &strs(&own_defaults_path), &prefix);
        // `null` in a profile's defaults must remove something somewhere.
        if let Some(Value::Mapping(config)) = own_defaults.and_then(|d| d.get("config")) {
            for (k, v) in config {
                let (Value::Null, Some(ck)) = (v, scalar_key(k)) else {
                    continue;
                };
                let set_below = defaults
                    .and_then(|d| d.get("config"))
                    .and_then(Value::as_mapping)
                    .is_some_and(|c| c.contains_key(ck.as_str()))
                    || topics.is_some_and(|id| {
                        let tree = self.source_map();
                        tree.entries(id).into_iter().any(|(_, t)| {
                            tree.child(t, "config")
                                .is_some_and(|c| tree.child(c, &ck).is_some())
                        })
                    });
                if !set_below {
                    self.problem_value(
                        &strs(&at(&["defaults", "config", &ck])),
                        format!("{prefix}defaults: `{ck}: null` removes nothing: neither `kafka.defaults` nor any topic sets `{ck}`"),
                    );
                }
            }
        }

        let empty = Mapping::new();
        let overrides = match profile.get("topics") {
            None | Some(Value::Null) => &empty,
            Some(Value::Mapping(m)) => m,
            Some(other) => {
                self.problem_value(
                    &strs(&at(&["topics"])),
                    format!(
                        "{prefix}topics: expected a mapping of topic keys, found {}",
                        kind(other)
                    ),
                );
                &empty
            }
        };
        for (k, v) in overrides {
            let Some(key) = scalar_key(k) else { continue };
            let path = at(&["topics", &key]);
            if !topic_keys.contains(&key) {
                let known: Vec<String> = topic_keys.iter().map(|k| format!("`{k}`")).collect();
                self.problem_key(
                    &strs(&path),
                    format!(
                        "{prefix}`{key}` is not a topic key of the base file (a profile changes topics, it cannot add one); the topic keys are {}",
                        known.join(", ")
                    ),
                );
                continue;
            }
            match v {
                Value::Null => {}
                Value::Mapping(m) => {
                    if m.contains_key("name") {
                        self.problem_key(
                            &strs(&[path.clone(), path_of(&["name"])].concat()),
                            format!("{prefix}topic `{key}`: a profile cannot set `name`: topic names are the same in every environment"),
                        );
                    }
                    let rest: Mapping = m
                        .iter()
                        .filter(|(k, _)| k.as_str() != Some("name"))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    self.unknown_keys(
                        &rest,
                        &strs(&path),
                        PROFILE_TOPIC_KEYS,
                        &format!("{prefix}topic `{key}`: "),
                    );
                }
                other => self.problem_value(
                    &strs(&path),
                    format!(
                        "{prefix}topic `{key}`: expected a mapping, found {}",
                        kind(other)
                    ),
                ),
            }
        }

        let place = |p: &Problem| (p.line, p.column, p.message.clone());
        let before: HashSet<(usize, usize, String)> = self
            .problems
            .iter()
            .chain(&self.warnings)
            .map(place)
            .collect();
        let (start, warnings_start) = (self.problems.len(), self.warnings.len());
        let policy = self.effective_policy(Some(&profile_policy));
        self.profile_policies
            .push((name.to_owned(), profile_policy));
        let specs = self.decode_topics(
            topics,
            defaults,
            Some((own_defaults, overrides, own_defaults_path, at(&["topics"]))),
            &policy,
        );
        // What the base file already has is not repeated; what is new
        // names the profile.
        let found: Vec<Problem> = self.problems.drain(start..).collect();
        let doubts: Vec<Problem> = self.warnings.drain(warnings_start..).collect();
        let mut seen = HashSet::new();
        for mut p in found.into_iter().chain(doubts) {
            if before.contains(&place(&p)) {
                continue;
            }
            if !p.message.starts_with(&prefix) {
                p.message = format!("{prefix}{}", p.message);
            }
            if matches!(p.layer, Layer::Base | Layer::Defaults) {
                p.layer = Layer::Profile(name.to_owned());
            }
            if seen.insert(place(&p)) {
                match p.severity {
                    Severity::Error => self.problems.push(p),
                    Severity::Warning => self.warnings.push(p),
                }
            }
        }
        Profile {
            name: Cow::Owned(name.to_owned()),
            bootstrap_servers,
            topics: Cow::Owned(specs),
            access: Cow::Borrowed(&[]),
        }
    }

    /// Checks `${VAR}` references in `value`, resolving them when a lookup
    /// is given.
    pub(super) fn resolve(
        &mut self,
        path: &[&str],
        what: &str,
        value: &str,
        lookup: LookupRef<'_, '_>,
    ) -> Option<String> {
        let result = match lookup {
            Some(lookup) => vars::interpolate(value, lookup),
            None => vars::check(value).map(|()| value.to_owned()),
        };
        match result {
            Ok(v) => Some(v),
            Err(e @ (VarError::Syntax(_) | VarError::Unset(_))) => {
                self.problem_value(path, format!("{what}: {e}"));
                None
            }
        }
    }
}
