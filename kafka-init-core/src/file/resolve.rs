//! Layers into topics: `kafka.defaults` < the topic < the profile's
//! `defaults` < the profile's `topics.<key>`, `null` removing a key, and
//! the policies that apply, the stricter of each rule winning.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use serde_yaml::{Mapping, Value};

use super::diagnostics::{Layer, Problem, Severity};
use super::parse::{scalar_key, scalar_string, Id, Pos};
use super::parsed::Parsed;
use crate::keys;
use crate::policy::{self, At, Policy};
use crate::spec::{ConfigEntry, Size, TopicSpec};
use crate::validate::{self, Field};
use crate::yaml_kind::kind;

/// The fields of a topic, and those a `defaults` mapping may set.
pub(super) const TOPIC_KEYS: &[&str] = &[
    "name",
    "partitions",
    "replication_factor",
    "config",
    "keep_unmanaged_configs",
];
pub(super) const DEFAULTS_KEYS: &[&str] = &["partitions", "replication_factor", "config"];

/// `partitions: default`, `replication_factor: default`: the broker's value.
const DEFAULT: &str = "default";

/// A profile's `defaults`, its `topics`, and the paths of both.
pub(super) type ProfileLayers<'v> = (Option<&'v Mapping>, &'v Mapping, Vec<String>, Vec<String>);

/// One level of the precedence that makes a topic: `kafka.defaults`, the
/// topic itself, a profile's `defaults`, the profile's `topics.<key>`.
pub(super) struct Level<'v> {
    map: &'v Mapping,
    path: Vec<String>,
    /// A `defaults` mapping, shared by every topic.
    shared: bool,
}

/// A topic's fields with every layer applied, and where each came from.
pub(super) struct Merged {
    fields: Mapping,
    /// Field path (`["config", "retention.ms"]`) to its place in the file,
    /// for fields a shared layer or a profile set; a field the topic's own
    /// mapping sets is at `own` + its path (most fields: not stored).
    origins: HashMap<Vec<String>, Vec<String>>,
    /// The topic's key: its own path is `kafka.topics.<key>`.
    key: String,
}

impl Merged {
    pub(super) fn at(&self, rel: &[&str]) -> Vec<String> {
        let rel: Vec<String> = rel.iter().map(|s| s.to_string()).collect();
        self.origins
            .get(&rel)
            .cloned()
            .unwrap_or_else(|| [self.own(), rel].concat())
    }

    /// The topic's own path.
    fn own(&self) -> Vec<String> {
        path_of(&["kafka", "topics", &self.key])
    }
}

pub(super) fn strs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

pub(super) fn path_of(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}

impl Parsed<'_> {
    /// Decodes and validates every topic of `topics` with the layers that
    /// apply: `kafka.defaults`, then, for a profile, its `defaults` and
    /// `topics` (with the paths of both).
    pub(super) fn decode_topics(
        &mut self,
        topics: Option<Id>,
        defaults: Option<&Mapping>,
        profile: Option<ProfileLayers<'_>>,
        policy: &Policy,
    ) -> Vec<TopicSpec> {
        let mut specs = Vec::new();
        // Fields that failed to decode, per spec: rules that depend on them
        // would only report noise.
        let mut broken: Vec<HashSet<&'static str>> = Vec::new();
        let mut places: Vec<Merged> = Vec::new();
        let entries = match topics {
            Some(id) => self.source_map().entries(id),
            None => Vec::new(),
        };
        for (k, v) in entries {
            // One topic at a time out of the tree.
            let (k, v) = {
                let tree = self.source_map();
                (tree.value_of(k), tree.value_of(v))
            };
            let Some(key) = scalar_key(&k) else {
                self.problem_value(
                    &["kafka", "topics"],
                    format!("kafka.topics: keys must be strings, found {}", kind(&k)),
                );
                continue;
            };
            let Value::Mapping(topic) = &v else {
                self.problem_value(
                    &["kafka", "topics", &key],
                    format!(
                        "topic `{key}`: expected a mapping with at least `name`, found {}",
                        kind(&v)
                    ),
                );
                continue;
            };
            let mut layers = Vec::new();
            if let Some(d) = defaults {
                layers.push(Level {
                    map: d,
                    path: path_of(&["kafka", "defaults"]),
                    shared: true,
                });
            }
            layers.push(Level {
                map: topic,
                path: path_of(&["kafka", "topics", &key]),
                shared: false,
            });
            if let Some((own_defaults, overrides, defaults_path, topics_path)) = &profile {
                if let Some(d) = own_defaults {
                    layers.push(Level {
                        map: d,
                        path: defaults_path.clone(),
                        shared: true,
                    });
                }
                if let Some(Value::Mapping(t)) = overrides.get(key.as_str()) {
                    layers.push(Level {
                        map: t,
                        path: [topics_path.clone(), vec![key.clone()]].concat(),
                        shared: false,
                    });
                }
            }
            let merged = self.merge(&layers);
            let mut failed = HashSet::new();
            let raw = profile.is_none().then_some(topic);
            if let Some(spec) = self.decode_topic(&key, &merged, raw, &mut failed) {
                specs.push(spec);
                broken.push(failed);
                // Only places are needed from here on, for the checks
                // across topics; not a second copy of every topic's values.
                places.push(Merged {
                    fields: Mapping::new(),
                    ..merged
                });
            }
        }

        let warnings_are_errors = policy.warnings_are_errors().cloned();
        for issue in validate::topics(&specs) {
            let failed = &broken[issue.topic];
            let involved = [Some(&issue.at), issue.related.as_ref()];
            if involved
                .iter()
                .flatten()
                .any(|f| failed.contains(field_name(f)))
            {
                continue;
            }
            let (path, pos) = self.place_of(&places[issue.topic], &issue.at);
            let mut problem = Problem::at(pos, issue.message);
            if issue.warning {
                match &warnings_are_errors {
                    Some(origin) => {
                        problem.layer = Layer::Policy;
                        problem.message = format!(
                            "{}; policy warnings: error makes it an error ({origin})",
                            problem.message
                        );
                    }
                    None => problem.severity = Severity::Warning,
                }
            }
            self.push(&strs(&path), problem, issue.related.is_none());
        }
        for violation in policy::check(policy, &specs) {
            let merged = &places[violation.topic];
            let (path, pos) = match &violation.at {
                At::Topics => {
                    let path = path_of(&["kafka", "topics"]);
                    let pos = self.source_map().key(&strs(&path));
                    (path, pos)
                }
                At::Topic => {
                    let own = merged.own();
                    let pos = self.source_map().key(&strs(&own));
                    (own, pos)
                }
                At::Field(field) => {
                    if broken[violation.topic].contains(field_name(field)) {
                        continue;
                    }
                    self.place_of(merged, field)
                }
            };
            let problem = Problem::at(pos, violation.message).in_layer(Layer::Policy);
            self.push(&strs(&path), problem, true);
        }
        specs
    }

    /// Where `field` of a topic was set (the path of the layer that set
    /// it) and its place in the text.
    fn place_of(&mut self, merged: &Merged, field: &Field) -> (Vec<String>, Pos) {
        let (path, key) = match field {
            Field::Name => (merged.at(&["name"]), false),
            Field::Partitions => (merged.at(&["partitions"]), false),
            Field::ReplicationFactor => (merged.at(&["replication_factor"]), false),
            Field::ConfigKey(k) => (merged.at(&["config", k.as_str()]), true),
            Field::ConfigValue(k) => (merged.at(&["config", k.as_str()]), false),
        };
        let map = self.source_map();
        let pos = if key {
            map.key(&strs(&path))
        } else {
            map.value(&strs(&path))
        };
        (path, pos)
    }

    /// A `policy` mapping at `path`, its problems reported.
    pub(super) fn policy(&mut self, value: Option<&Value>, path: &[&str], what: &str) -> Policy {
        let Some(value) = value else {
            return Policy::default();
        };
        let file = self.file.path.clone();
        let (policy, problems) = policy::decode(value, path, &file, self.source_map(), what);
        for (pos, message) in problems {
            self.problems.push(Problem {
                layer: Layer::Policy,
                ..Problem::at(pos, message)
            });
        }
        policy
    }

    /// The rules topics are checked against: the file's own policy, a
    /// profile's replacing the rules it sets, and the external one, the
    /// stricter of each rule winning.
    pub(super) fn effective_policy(&self, profile: Option<&Policy>) -> Policy {
        let own = match profile {
            Some(p) => self.own_policy.replaced_by(p),
            None => self.own_policy.clone(),
        };
        match &self.external {
            Some(external) => own.stricter(external),
            None => own,
        }
    }

    /// Applies `layers` in order: a later layer's value wins; `null` for a
    /// config key removes what a lower layer set.
    pub(super) fn merge(&mut self, layers: &[Level<'_>]) -> Merged {
        let own = layers
            .iter()
            .find(|l| !l.shared)
            .map(|l| l.path.clone())
            .unwrap_or_default();
        let mut fields = Mapping::new();
        let mut origins = HashMap::new();
        let mut config = Mapping::new();
        let mut has_config = false;
        for (i, layer) in layers.iter().enumerate() {
            let within = |rest: &[&str]| [layer.path.clone(), path_of(rest)].concat();
            let is_own = layer.path == own;
            // What `Merged::at` answers when nothing is stored.
            let origin = |origins: &mut HashMap<Vec<String>, Vec<String>>, rest: &[&str]| {
                if is_own {
                    origins.remove(&path_of(rest));
                } else {
                    origins.insert(path_of(rest), within(rest));
                }
            };
            for field in TOPIC_KEYS {
                // Only the topic itself names it (a profile that tries was
                // told so where its keys were checked).
                let named_elsewhere = *field == "name" && layer.path != own;
                if *field == "config"
                    || named_elsewhere
                    || (layer.shared && !DEFAULTS_KEYS.contains(field))
                {
                    continue;
                }
                if let Some(v) = layer.map.get(*field) {
                    fields.insert(Value::from(*field), v.clone());
                    origin(&mut origins, &[field]);
                }
            }
            match layer.map.get("config") {
                None | Some(Value::Null) => {}
                Some(Value::Mapping(entries)) => {
                    has_config = true;
                    origin(&mut origins, &["config"]);
                    for (k, v) in entries {
                        let Some(ck) = scalar_key(k) else {
                            // Reported where the topic's own config is decoded.
                            if !layer.shared {
                                config.insert(k.clone(), v.clone());
                            }
                            continue;
                        };
                        let rel = path_of(&["config", &ck]);
                        if v.is_null() && i > 0 {
                            if config.shift_remove(ck.as_str()).is_some() {
                                origins.remove(&rel);
                            } else if !layer.shared {
                                let at = within(&["config", &ck]);
                                self.problem_value(
                                    &strs(&at),
                                    format!(
                                        "topic `{}`: `{ck}: null` removes nothing: no lower level sets `{ck}` for this topic",
                                        own.last().map(String::as_str).unwrap_or_default()
                                    ),
                                );
                            }
                            continue;
                        }
                        config.insert(Value::String(ck.clone()), v.clone());
                        origin(&mut origins, &["config", &ck]);
                    }
                }
                Some(other) => {
                    // Not a mapping: the topic's decoder reports it, here.
                    fields.insert(Value::from("config"), other.clone());
                    origin(&mut origins, &["config"]);
                    has_config = false;
                    config = Mapping::new();
                }
            }
        }
        if has_config {
            fields.insert(Value::from("config"), Value::Mapping(config));
        }
        Merged {
            fields,
            origins,
            key: own.last().cloned().unwrap_or_default(),
        }
    }

    pub(super) fn decode_topic(
        &mut self,
        key: &str,
        merged: &Merged,
        raw: Option<&Mapping>,
        failed: &mut HashSet<&'static str>,
    ) -> Option<TopicSpec> {
        let topic = &merged.fields;
        let own = merged.own();
        let base = strs(&own);
        let at = |field: &'static str| -> Vec<String> { merged.at(&[field]) };

        let name = match topic.get("name") {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem_value(
                    &strs(&at("name")),
                    format!(
                        "topic `{key}`: name: expected a string, found {}",
                        kind(other)
                    ),
                );
                None
            }
            None => {
                self.problem_key(&base, format!("topic `{key}`: missing `name`"));
                None
            }
        };

        // Problems name the topic by its name when it has one, as the
        // validator does.
        let label = match &name {
            Some(n) if !n.is_empty() => n.clone(),
            _ => key.to_owned(),
        };
        if let Some(raw) = raw {
            self.unknown_keys(raw, &base, TOPIC_KEYS, &format!("topic `{label}`: "));
        }

        let mut int = |field: &'static str, max: i64| -> i32 {
            let Some(v) = topic.get(field) else {
                return 1;
            };
            let n = match v {
                // The broker's own default: -1 in CreateTopics.
                Value::String(s) if s == DEFAULT => return -1,
                Value::Number(n) if n.as_i64() == Some(-1) => {
                    failed.insert(field);
                    self.problem_value(
                        &strs(&at(field)),
                        format!(
                            "topic `{label}`: {field} must be at least 1, got -1 (write `default` for the broker's default)"
                        ),
                    );
                    return 1;
                }
                Value::Number(n) if n.is_i64() || n.is_u64() => n,
                other => {
                    failed.insert(field);
                    self.problem_value(
                        &strs(&at(field)),
                        format!(
                            "topic `{label}`: {field}: expected a whole number, found {}",
                            kind(other)
                        ),
                    );
                    return 1;
                }
            };
            match n.as_i64().filter(|n| *n <= max) {
                Some(n) if n < 1 => {
                    failed.insert(field);
                    self.problem_value(
                        &strs(&at(field)),
                        format!("topic `{label}`: {field} must be at least 1, got {n}"),
                    );
                    1
                }
                Some(n) => n as i32,
                _ => {
                    failed.insert(field);
                    self.problem_value(
                        &strs(&at(field)),
                        format!("topic `{label}`: {field}: {n} is out of range: at most {max}"),
                    );
                    1
                }
            }
        };
        let partitions = int("partitions", i64::from(i32::MAX));
        let replication_factor = int(
            "replication_factor",
            i64::from(validate::MAX_REPLICATION_FACTOR),
        );

        let mut config: Vec<ConfigEntry> = Vec::new();
        match topic.get("config") {
            None | Some(Value::Null) => {}
            Some(Value::Mapping(entries)) => {
                for (k, v) in entries {
                    let Some(ck) = scalar_key(k) else {
                        self.problem_value(
                            &strs(&at("config")),
                            format!(
                                "topic `{label}`: config keys must be strings, found {}",
                                kind(k)
                            ),
                        );
                        continue;
                    };
                    let path = merged.at(&["config", ck.as_str()]);
                    let path = strs(&path);
                    match v {
                        Value::Sequence(_) => self.problem_value(
                            &path,
                            format!(
                                "topic `{label}`: {ck}: expected a single value, found a list; write a list as one string, like `compact,delete`"
                            ),
                        ),
                        Value::String(s) if s == DEFAULT => self.problem_value(
                            &path,
                            format!(
                                "topic `{label}`: {ck}: `default` is only for `partitions` and `replication_factor`; leave a config key out for the broker's default"
                            ),
                        ),
                        _ => match scalar_string(v) {
                            // A known key's name is the table's: one copy,
                            // however many topics set it.
                            Some(value) => config.push((
                                keys::lookup(&ck).map_or(Cow::Owned(ck), |k| Cow::Borrowed(k.name)),
                                Cow::Owned(value),
                            )),
                            None => self.problem_value(
                                &path,
                                format!(
                                    "topic `{label}`: {ck}: expected a string, number or boolean, found {}",
                                    kind(v)
                                ),
                            ),
                        },
                    }
                }
            }
            Some(other) => self.problem_value(
                &strs(&at("config")),
                format!(
                    "topic `{label}`: config: expected a mapping of topic configs, found {}",
                    kind(other)
                ),
            ),
        }

        let keep_unmanaged_configs = match topic.get("keep_unmanaged_configs") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => {
                self.problem_value(
                    &strs(&at("keep_unmanaged_configs")),
                    format!(
                        "topic `{label}`: keep_unmanaged_configs: expected `true` or `false`, found {}",
                        kind(other)
                    ),
                );
                false
            }
        };

        Some(TopicSpec {
            key: Cow::Owned(key.to_owned()),
            name: Cow::Owned(name?),
            partitions: Size::from_kafka(partitions),
            replication_factor: Size::from_kafka(replication_factor),
            config: config.into(),
            keep_unmanaged_configs,
        })
    }
}

fn field_name(field: &Field) -> &'static str {
    match field {
        Field::Name => "name",
        Field::Partitions => "partitions",
        Field::ReplicationFactor => "replication_factor",
        Field::ConfigKey(_) | Field::ConfigValue(_) => "config",
    }
}
