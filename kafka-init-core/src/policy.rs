//! Platform policies: rules every topic must meet on a shared cluster
//! (a name pattern, size bounds, required, forbidden and allowed configs,
//! a cap on topics per file), and rules for `kafka.access` (a principal
//! pattern, no wildcard principal, no raw `allow`, a cap on prefixed
//! grants). A policy comes from the topic file's
//! `kafka.policy`, from a profile's `policy` (which replaces the rules it
//! sets), or from a policy file of its own (`--policy`, `include_topics!`'s
//! `policy = "..."`); when two apply, the stricter of each pair wins. Every
//! rule remembers the file, line and column that set it, so a violation
//! names it.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::fmt;
use std::path::{Path, PathBuf};

use regex::Regex;
use serde_yaml::Value;

use crate::access::{AccessEntry, Issue, PatternType};
use crate::file::parse::{Pos, Tree};
use crate::keys;
use crate::spec::TopicSpec;
use crate::validate::Field;
use crate::yaml_kind::{kind, scalar_text};

/// The rules a `policy` mapping may hold.
const RULES: &[&str] = &[
    "name_pattern",
    "partitions",
    "replication_factor",
    "min_insync_replicas",
    "required_config",
    "forbidden_config",
    "allowed_values",
    "topics_per_file",
    "warnings",
    "access",
];

/// The rules an `access` mapping of a policy may hold.
const ACCESS_RULES: &[&str] = &[
    "principal_pattern",
    "wildcard_principal",
    "allow",
    "max_prefixed",
];

/// Where a rule was set: a file, line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    pub(crate) file: PathBuf,
    pub(crate) line: usize,
    pub(crate) column: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// One value of a rule and where it was set.
#[derive(Debug, Clone)]
struct Set<T> {
    value: T,
    origin: Origin,
}

/// `{ min: 1, max: 64 }`; either side optional.
#[derive(Debug, Clone, Default)]
struct Bound {
    min: Option<Set<i64>>,
    max: Option<Set<i64>>,
}

impl Bound {
    /// The stricter of each side.
    fn stricter(self, other: Bound) -> Bound {
        let pick = |a: Option<Set<i64>>, b: Option<Set<i64>>, higher: bool| match (a, b) {
            (Some(a), Some(b)) => Some(if (b.value > a.value) == higher && b.value != a.value {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        };
        Bound {
            min: pick(self.min, other.min, true),
            max: pick(self.max, other.max, false),
        }
    }
}

/// `access.wildcard_principal`: whether `User:*` may be granted. An
/// `access` mapping that leaves it out refuses it (`implicit`), which a
/// profile's policy does not count as setting it.
#[derive(Debug, Clone)]
struct Wildcard {
    allowed: Set<bool>,
    implicit: bool,
}

/// Config values a key may take.
#[derive(Debug, Clone)]
struct Allowed {
    key: String,
    values: Vec<String>,
    origin: Origin,
}

/// A set of platform rules. Each rule is optional; `None` means the policy
/// does not set it (so a profile's policy leaves it to the base one).
#[derive(Debug, Clone, Default)]
pub struct Policy {
    /// Every pattern must match (two policies may each set one).
    name_pattern: Option<Vec<Set<Regex>>>,
    partitions: Option<Bound>,
    replication_factor: Option<Bound>,
    min_insync_replicas: Option<Bound>,
    required_config: Option<Vec<Set<String>>>,
    forbidden_config: Option<Vec<Set<String>>>,
    allowed_values: Option<Vec<Allowed>>,
    topics_per_file: Option<Bound>,
    /// `warnings: error`: what Kafka accepts but is likely a mistake is an
    /// error (`Some(true)`), or stays a warning (`warnings: warn`).
    warnings: Option<Set<bool>>,
    /// `access.principal_pattern`: every principal must match each.
    principal_pattern: Option<Vec<Set<Regex>>>,
    wildcard_principal: Option<Wildcard>,
    /// `access.allow: false` refuses raw `allow` grants.
    raw_allow: Option<Set<bool>>,
    /// `access.max_prefixed`: the most prefixed grants of one file.
    max_prefixed: Option<Set<i64>>,
}

/// Every item of both; an item both set the same way once (the first's,
/// so a violation is reported once, naming one place).
fn both<T, K: PartialEq>(
    a: Option<Vec<T>>,
    b: Option<Vec<T>>,
    same: impl Fn(&T) -> K,
) -> Option<Vec<T>> {
    match (a, b) {
        (Some(mut a), Some(b)) => {
            for item in b {
                if !a.iter().any(|x| same(x) == same(&item)) {
                    a.push(item);
                }
            }
            Some(a)
        }
        (a, b) => a.or(b),
    }
}

fn stricter_bound(a: Option<Bound>, b: Option<Bound>) -> Option<Bound> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.stricter(b)),
        (a, b) => a.or(b),
    }
}

impl Policy {
    /// Whether the policy sets no rule at all.
    pub fn is_empty(&self) -> bool {
        self.name_pattern.is_none()
            && self.partitions.is_none()
            && self.replication_factor.is_none()
            && self.min_insync_replicas.is_none()
            && self.required_config.is_none()
            && self.forbidden_config.is_none()
            && self.allowed_values.is_none()
            && self.topics_per_file.is_none()
            && self.warnings.is_none()
            && self.principal_pattern.is_none()
            && self.wildcard_principal.is_none()
            && self.raw_allow.is_none()
            && self.max_prefixed.is_none()
    }

    /// Where `warnings: error` was set, if it applies.
    pub(crate) fn warnings_are_errors(&self) -> Option<&Origin> {
        self.warnings
            .as_ref()
            .filter(|w| w.value)
            .map(|w| &w.origin)
    }

    /// Both policies at once: for each rule both set, the stricter applies
    /// (the higher minimum, the lower maximum, every pattern, every
    /// required and forbidden key, every list of allowed values).
    pub fn stricter(self, other: &Policy) -> Policy {
        let other = other.clone();
        Policy {
            name_pattern: both(self.name_pattern, other.name_pattern, |p| {
                p.value.as_str().to_owned()
            }),
            partitions: stricter_bound(self.partitions, other.partitions),
            replication_factor: stricter_bound(self.replication_factor, other.replication_factor),
            min_insync_replicas: stricter_bound(
                self.min_insync_replicas,
                other.min_insync_replicas,
            ),
            required_config: both(self.required_config, other.required_config, |k| {
                k.value.clone()
            }),
            forbidden_config: both(self.forbidden_config, other.forbidden_config, |k| {
                k.value.clone()
            }),
            allowed_values: both(self.allowed_values, other.allowed_values, |a| {
                (a.key.clone(), a.values.clone())
            }),
            topics_per_file: stricter_bound(self.topics_per_file, other.topics_per_file),
            // `error` is the stricter.
            warnings: match (self.warnings, other.warnings) {
                (Some(a), Some(b)) => Some(if b.value && !a.value { b } else { a }),
                (a, b) => a.or(b),
            },
            principal_pattern: both(self.principal_pattern, other.principal_pattern, |p| {
                p.value.as_str().to_owned()
            }),
            // Refusing is the stricter; an explicit refusal names its place.
            wildcard_principal: match (self.wildcard_principal, other.wildcard_principal) {
                (Some(a), Some(b)) => Some(
                    if (a.allowed.value && !b.allowed.value)
                        || (a.allowed.value == b.allowed.value && a.implicit && !b.implicit)
                    {
                        b
                    } else {
                        a
                    },
                ),
                (a, b) => a.or(b),
            },
            raw_allow: match (self.raw_allow, other.raw_allow) {
                (Some(a), Some(b)) => Some(if a.value && !b.value { b } else { a }),
                (a, b) => a.or(b),
            },
            max_prefixed: match (self.max_prefixed, other.max_prefixed) {
                (Some(a), Some(b)) => Some(if b.value < a.value { b } else { a }),
                (a, b) => a.or(b),
            },
        }
    }

    /// This policy with every rule `over` sets replaced by `over`'s (a
    /// profile's policy over the base file's).
    pub(crate) fn replaced_by(&self, over: &Policy) -> Policy {
        let over = over.clone();
        let base = self.clone();
        Policy {
            name_pattern: over.name_pattern.or(base.name_pattern),
            partitions: over.partitions.or(base.partitions),
            replication_factor: over.replication_factor.or(base.replication_factor),
            min_insync_replicas: over.min_insync_replicas.or(base.min_insync_replicas),
            required_config: over.required_config.or(base.required_config),
            forbidden_config: over.forbidden_config.or(base.forbidden_config),
            allowed_values: over.allowed_values.or(base.allowed_values),
            topics_per_file: over.topics_per_file.or(base.topics_per_file),
            warnings: over.warnings.or(base.warnings),
            principal_pattern: over.principal_pattern.or(base.principal_pattern),
            // The default an `access` mapping implies replaces nothing set.
            wildcard_principal: match (over.wildcard_principal, base.wildcard_principal) {
                (Some(o), Some(b)) if o.implicit => Some(b),
                (o, b) => o.or(b),
            },
            raw_allow: over.raw_allow.or(base.raw_allow),
            max_prefixed: over.max_prefixed.or(base.max_prefixed),
        }
    }
}

/// A problem in a policy's own text, at a place of the file holding it.
pub(crate) type InputProblem = (Pos, String);

/// Reads a `policy` mapping at `path` of a document whose places `map`
/// knows; `file` is how origins name that document. `what` prefixes
/// messages (`kafka.policy`, `profile dev: policy`). Every problem is
/// returned; a broken rule is left out of the policy.
pub(crate) fn decode(
    value: &Value,
    path: &[&str],
    file: &Path,
    map: &Tree,
    what: &str,
) -> (Policy, Vec<InputProblem>) {
    let mut d = Decoder {
        path,
        file,
        map,
        what,
        problems: Vec::new(),
    };
    let policy = d.policy(value);
    (policy, d.problems)
}

struct Decoder<'a> {
    path: &'a [&'a str],
    file: &'a Path,
    map: &'a Tree,
    what: &'a str,
    problems: Vec<InputProblem>,
}

impl Decoder<'_> {
    fn at(&self, rest: &[&str]) -> Vec<String> {
        self.path
            .iter()
            .chain(rest)
            .map(|s| s.to_string())
            .collect()
    }

    fn value_pos(&self, rest: &[&str]) -> Pos {
        let path = self.at(rest);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        self.map.value(&path)
    }

    fn key_pos(&self, rest: &[&str]) -> Pos {
        let path = self.at(rest);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        self.map.key(&path)
    }

    fn origin(&self, rest: &[&str]) -> Origin {
        let pos = self.value_pos(rest);
        Origin {
            file: self.file.to_owned(),
            line: pos.line,
            column: pos.column,
        }
    }

    fn problem(&mut self, pos: Pos, message: String) {
        let what = self.what;
        self.problems.push((pos, format!("{what}: {message}")));
    }

    fn policy(&mut self, value: &Value) -> Policy {
        let mut policy = Policy::default();
        let rules = match value {
            Value::Null => return policy,
            Value::Mapping(m) => m,
            other => {
                let pos = self.value_pos(&[]);
                self.problem(
                    pos,
                    format!("expected a mapping of rules, found {}", kind(other)),
                );
                return policy;
            }
        };
        for (k, v) in rules {
            let Some(rule) = k.as_str() else {
                let pos = self.value_pos(&[]);
                self.problem(pos, format!("rule names are strings, found {}", kind(k)));
                continue;
            };
            match rule {
                "name_pattern" => {
                    policy.name_pattern = self.pattern(&["name_pattern"], v).map(|p| vec![p]);
                }
                "access" => self.access(v, &mut policy),
                "partitions" | "replication_factor" | "min_insync_replicas" => {
                    let bound = self.bound(rule, v, true);
                    match rule {
                        "partitions" => policy.partitions = bound,
                        "replication_factor" => policy.replication_factor = bound,
                        _ => policy.min_insync_replicas = bound,
                    }
                }
                "topics_per_file" => policy.topics_per_file = self.bound(rule, v, false),
                "required_config" | "forbidden_config" => {
                    let keys = self.keys(rule, v);
                    if rule == "required_config" {
                        policy.required_config = keys;
                    } else {
                        policy.forbidden_config = keys;
                    }
                }
                "allowed_values" => policy.allowed_values = self.allowed(v),
                "warnings" => match v.as_str() {
                    Some(level @ ("error" | "warn")) => {
                        policy.warnings = Some(Set {
                            value: level == "error",
                            origin: self.origin(&["warnings"]),
                        })
                    }
                    _ => {
                        let pos = self.value_pos(&["warnings"]);
                        self.problem(
                            pos,
                            format!(
                                "warnings: expected `error` (what Kafka accepts but is likely a mistake fails the check) or `warn`, found {}",
                                kind(v)
                            ),
                        );
                    }
                },
                unknown => {
                    let hint = crate::hint::unknown(unknown, RULES, "the rules are");
                    let pos = self.key_pos(&[unknown]);
                    self.problem(pos, format!("unknown rule `{unknown}`{hint}"));
                }
            }
        }
        policy
    }

    /// The rules of `access`, into `policy`.
    fn access(&mut self, v: &Value, policy: &mut Policy) {
        let rules = match v {
            Value::Mapping(m) => m,
            other => {
                let pos = self.value_pos(&["access"]);
                self.problem(
                    pos,
                    format!(
                        "access: expected a mapping of access rules like {{ principal_pattern: \"^User:svc-\", max_prefixed: 2 }}, found {}",
                        kind(other)
                    ),
                );
                return;
            }
        };
        for (k, v) in rules {
            let rule = k.as_str().unwrap_or_default();
            match rule {
                "principal_pattern" => {
                    policy.principal_pattern = self
                        .pattern(&["access", "principal_pattern"], v)
                        .map(|p| vec![p]);
                }
                "wildcard_principal" | "allow" => {
                    let Some(value) = v.as_bool() else {
                        let pos = self.value_pos(&["access", rule]);
                        self.problem(
                            pos,
                            format!(
                                "access.{rule}: expected `true` or `false`, found {}",
                                kind(v)
                            ),
                        );
                        continue;
                    };
                    let set = Set {
                        value,
                        origin: self.origin(&["access", rule]),
                    };
                    if rule == "allow" {
                        policy.raw_allow = Some(set);
                    } else {
                        policy.wildcard_principal = Some(Wildcard {
                            allowed: set,
                            implicit: false,
                        });
                    }
                }
                "max_prefixed" => match v.as_i64().filter(|n| *n >= 0) {
                    Some(n) => {
                        policy.max_prefixed = Some(Set {
                            value: n,
                            origin: self.origin(&["access", rule]),
                        })
                    }
                    None => {
                        let pos = self.value_pos(&["access", rule]);
                        self.problem(
                            pos,
                            format!(
                                "access.max_prefixed: expected a whole number, at least 0, found {}",
                                kind(v)
                            ),
                        );
                    }
                },
                unknown => {
                    let hint = crate::hint::unknown(unknown, ACCESS_RULES, "the access rules are");
                    let pos = self.key_pos(&["access", unknown]);
                    self.problem(pos, format!("access: unknown rule `{unknown}`{hint}"));
                }
            }
        }
        // Access rules refuse a wildcard principal unless they allow it.
        if policy.wildcard_principal.is_none() {
            let pos = self.key_pos(&["access"]);
            policy.wildcard_principal = Some(Wildcard {
                allowed: Set {
                    value: false,
                    origin: Origin {
                        file: self.file.to_owned(),
                        line: pos.line,
                        column: pos.column,
                    },
                },
                implicit: true,
            });
        }
    }

    /// A regular expression at `rule` (`name_pattern`, `access.principal_pattern`).
    fn pattern(&mut self, rule: &[&str], v: &Value) -> Option<Set<Regex>> {
        let pos = self.value_pos(rule);
        let name = rule.join(".");
        let Value::String(s) = v else {
            self.problem(
                pos,
                format!(
                    "{name}: expected a regular expression (a string), found {}",
                    kind(v)
                ),
            );
            return None;
        };
        match Regex::new(s) {
            Ok(re) => Some(Set {
                value: re,
                origin: self.origin(rule),
            }),
            Err(e) => {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or_default().trim();
                let why = why.strip_prefix("error: ").unwrap_or(why);
                self.problem(
                    pos,
                    format!("{name}: `{s}` is not a valid regular expression: {why}"),
                );
                None
            }
        }
    }

    /// `{ min: N, max: N }` (`topics_per_file`: `max` only).
    fn bound(&mut self, rule: &str, v: &Value, with_min: bool) -> Option<Bound> {
        let sides: &[&str] = if with_min { &["min", "max"] } else { &["max"] };
        let example = if with_min {
            "{ min: 1, max: 64 }"
        } else {
            "{ max: 200 }"
        };
        let Value::Mapping(m) = v else {
            let pos = self.value_pos(&[rule]);
            self.problem(
                pos,
                format!(
                    "{rule}: expected a mapping like {example}, found {}",
                    kind(v)
                ),
            );
            return None;
        };
        let mut bound = Bound::default();
        let mut ok = true;
        for (k, side_value) in m {
            let side = k.as_str().unwrap_or_default();
            if !sides.contains(&side) {
                let pos = self.key_pos(&[rule, side]);
                let expected = sides
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(" and ");
                self.problem(
                    pos,
                    format!("{rule}: unknown key `{side}`; expected {expected}"),
                );
                ok = false;
                continue;
            }
            match side_value.as_i64().filter(|n| *n >= 0) {
                Some(n) => {
                    let set = Set {
                        value: n,
                        origin: self.origin(&[rule, side]),
                    };
                    if side == "min" {
                        bound.min = Some(set);
                    } else {
                        bound.max = Some(set);
                    }
                }
                None => {
                    let pos = self.value_pos(&[rule, side]);
                    self.problem(
                        pos,
                        format!(
                            "{rule}.{side}: expected a whole number, at least 0, found {}",
                            kind(side_value)
                        ),
                    );
                    ok = false;
                }
            }
        }
        if let (Some(min), Some(max)) = (&bound.min, &bound.max) {
            if min.value > max.value {
                let pos = self.value_pos(&[rule, "min"]);
                self.problem(
                    pos,
                    format!(
                        "{rule}: min {} is above max {}: no value could satisfy it",
                        min.value, max.value
                    ),
                );
                ok = false;
            }
        }
        ok.then_some(bound)
    }

    /// A config key of a rule, checked like the topic checks do.
    fn config_key(&mut self, rule: &str, key: &str, pos: Pos) -> bool {
        if keys::lookup(key).is_some() {
            return true;
        }
        let hint = match keys::suggest(key) {
            Some(k) => format!("; did you mean `{k}`?"),
            None => String::new(),
        };
        self.problem(pos, format!("{rule}: unknown config key `{key}`{hint}"));
        false
    }

    fn keys(&mut self, rule: &str, v: &Value) -> Option<Vec<Set<String>>> {
        let Value::Sequence(items) = v else {
            let pos = self.value_pos(&[rule]);
            self.problem(
                pos,
                format!(
                    "{rule}: expected a list of config keys like [retention.ms], found {}",
                    kind(v)
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            let index = i.to_string();
            let pos = self.value_pos(&[rule, &index]);
            let Value::String(key) = item else {
                self.problem(
                    pos,
                    format!("{rule}: expected a config key, found {}", kind(item)),
                );
                ok = false;
                continue;
            };
            if self.config_key(rule, key, pos) {
                out.push(Set {
                    value: key.clone(),
                    origin: self.origin(&[rule, &index]),
                });
            } else {
                ok = false;
            }
        }
        ok.then_some(out)
    }

    fn allowed(&mut self, v: &Value) -> Option<Vec<Allowed>> {
        let rule = "allowed_values";
        let Value::Mapping(m) = v else {
            let pos = self.value_pos(&[rule]);
            self.problem(
                pos,
                format!(
                    "{rule}: expected a mapping of config keys to lists of values, like cleanup.policy: [\"delete\"], found {}",
                    kind(v)
                ),
            );
            return None;
        };
        let mut out = Vec::new();
        let mut ok = true;
        for (k, values) in m {
            let Some(key) = k.as_str() else {
                let pos = self.value_pos(&[rule]);
                self.problem(
                    pos,
                    format!("{rule}: keys are config keys, found {}", kind(k)),
                );
                ok = false;
                continue;
            };
            let key_pos = self.key_pos(&[rule, key]);
            if !self.config_key(rule, key, key_pos) {
                ok = false;
                continue;
            }
            let Value::Sequence(items) = values else {
                let pos = self.value_pos(&[rule, key]);
                self.problem(
                    pos,
                    format!(
                        "{rule}.{key}: expected a list of values, found {}",
                        kind(values)
                    ),
                );
                ok = false;
                continue;
            };
            let mut listed = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match scalar_text(item) {
                    Some(s) => listed.push(keys::normalize(key, &s)),
                    None => {
                        let pos = self.value_pos(&[rule, key, &i.to_string()]);
                        self.problem(
                            pos,
                            format!(
                                "{rule}.{key}: expected a string, number or boolean, found {}",
                                kind(item)
                            ),
                        );
                        ok = false;
                    }
                }
            }
            out.push(Allowed {
                key: key.to_owned(),
                values: listed,
                origin: self.origin(&[rule, key]),
            });
        }
        ok.then_some(out)
    }
}

/// Where a violation is reported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum At {
    /// A field of one topic.
    Field(Field),
    /// The topic as a whole (its key): something it lacks.
    Topic,
    /// `kafka.topics` as a whole.
    Topics,
}

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Violation {
    /// The index of the topic in the checked slice, for `At::Field` and
    /// `At::Topic`.
    pub topic: usize,
    pub at: At,
    pub message: String,
}

/// Checks every spec of one file against `policy`; returns every violation.
pub(crate) fn check(policy: &Policy, specs: &[TopicSpec]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        let mut push = |at: At, message: String| {
            out.push(Violation {
                topic: i,
                at,
                message: format!("topic {}: {message}", spec.name),
            })
        };
        for p in policy.name_pattern.iter().flatten() {
            if !p.value.is_match(&spec.name) {
                push(
                    At::Field(Field::Name),
                    format!("name does not match policy name_pattern ({})", p.origin),
                );
            }
        }
        let sizes = [
            (
                "partitions",
                &policy.partitions,
                spec.partitions,
                Field::Partitions,
            ),
            (
                "replication_factor",
                &policy.replication_factor,
                spec.replication_factor,
                Field::ReplicationFactor,
            ),
        ];
        for (rule, bound, value, field) in sizes {
            let Some(bound) = bound else { continue };
            let value = value.count().map(|n| i32::try_from(n).unwrap_or(i32::MAX));
            for message in bound_violations(rule, rule, bound, value) {
                push(At::Field(field.clone()), message);
            }
        }
        if let Some(bound) = &policy.min_insync_replicas {
            let key = "min.insync.replicas";
            match spec.config_value(key) {
                None => {
                    if let Some(min) = &bound.min {
                        push(
                            At::Topic,
                            format!(
                                "{key} is not set; policy min_insync_replicas requires at least {} ({})",
                                min.value, min.origin
                            ),
                        );
                    }
                }
                Some(v) => {
                    let value = v.trim().parse::<i32>().ok();
                    for message in bound_violations(key, "min_insync_replicas", bound, value) {
                        push(At::Field(Field::ConfigValue(key.into())), message);
                    }
                }
            }
        }
        for required in policy.required_config.iter().flatten() {
            if spec.config_value(&required.value).is_none() {
                push(
                    At::Topic,
                    format!(
                        "{} is not set; policy required_config requires it ({})",
                        required.value, required.origin
                    ),
                );
            }
        }
        for forbidden in policy.forbidden_config.iter().flatten() {
            if spec.config_value(&forbidden.value).is_some() {
                push(
                    At::Field(Field::ConfigKey(forbidden.value.clone())),
                    format!(
                        "{} is forbidden by policy forbidden_config ({})",
                        forbidden.value, forbidden.origin
                    ),
                );
            }
        }
        for allowed in policy.allowed_values.iter().flatten() {
            let Some(value) = spec.config_value(&allowed.key) else {
                continue;
            };
            let listed = |v: &str| allowed.values.contains(&keys::normalize(&allowed.key, v));
            // A list value (`cleanup.policy: compact,delete`) passes when
            // it is listed as a whole or each of its items is.
            if !listed(value) && !keys::list_items(value).all(listed) {
                push(
                    At::Field(Field::ConfigValue(allowed.key.clone())),
                    format!(
                        "{} `{value}` is not allowed by policy allowed_values, which allows {} ({})",
                        allowed.key,
                        allowed
                            .values
                            .iter()
                            .map(|v| format!("`{v}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        allowed.origin
                    ),
                );
            }
        }
    }
    if let Some(max) = policy.topics_per_file.as_ref().and_then(|b| b.max.as_ref()) {
        if specs.len() as i64 > max.value {
            out.push(Violation {
                topic: 0,
                at: At::Topics,
                message: format!(
                    "{} topics, more than policy topics_per_file max {} ({})",
                    specs.len(),
                    max.value,
                    max.origin
                ),
            });
        }
    }
    out
}

/// Checks one file's access entries (the base file's, or a profile's
/// effective ones) against `policy`; each violation is at the entry's
/// field, and item when one item breaks the rule.
pub(crate) fn check_access(policy: &Policy, entries: &[AccessEntry]) -> Vec<Issue> {
    let mut out = Vec::new();
    let mut prefixed = 0i64;
    for (i, entry) in entries.iter().enumerate() {
        let mut push = |field: &'static str, item: Option<usize>, message: String| {
            out.push(Issue {
                entry: i,
                field,
                item,
                message: format!("access `{}`: {message}", entry.key),
                needs_owns: false,
            })
        };
        for p in policy.principal_pattern.iter().flatten() {
            if !p.value.is_match(&entry.principal) {
                push(
                    "principal",
                    None,
                    format!(
                        "principal `{}` does not match policy access.principal_pattern `{}` ({})",
                        entry.principal,
                        p.value.as_str(),
                        p.origin
                    ),
                );
            }
        }
        if let Some(w) = policy
            .wildcard_principal
            .as_ref()
            .filter(|w| !w.allowed.value)
        {
            if entry
                .principal
                .split_once(':')
                .is_some_and(|(_, n)| n == "*")
            {
                let how = if w.implicit {
                    "refuses by default (set `wildcard_principal: true` to allow it)"
                } else {
                    "refuses"
                };
                push(
                    "principal",
                    None,
                    format!(
                        "principal `{}` is every principal of its type, which policy access.wildcard_principal {how} ({})",
                        entry.principal, w.allowed.origin
                    ),
                );
            }
        }
        if let Some(allow) = policy.raw_allow.as_ref().filter(|a| !a.value) {
            if !entry.allow.is_empty() {
                push(
                    "allow",
                    None,
                    format!(
                        "raw `allow` grants are refused by policy access.allow ({}); grant through the roles (`produce`, `consume`, `groups`, `transactional_ids`)",
                        allow.origin
                    ),
                );
            }
        }
        let Some(max) = &policy.max_prefixed else {
            continue;
        };
        // Every prefixed name, in file order: roles, then `allow`.
        let mut names: Vec<(&'static str, usize, String)> = Vec::new();
        for (field, list) in entry.roles() {
            for (j, name) in list.iter().enumerate() {
                if name.ends_with('*') {
                    names.push((field, j, name.to_string()));
                }
            }
        }
        for (j, grant) in entry.allow.iter().enumerate() {
            if grant.pattern == PatternType::Prefixed {
                names.push(("allow", j, format!("{}*", grant.name)));
            }
        }
        for (field, j, name) in names {
            prefixed += 1;
            if prefixed > max.value {
                push(
                    field,
                    Some(j),
                    format!(
                        "`{name}` is prefixed grant {prefixed} of this file, more than policy access.max_prefixed {} ({})",
                        max.value, max.origin
                    ),
                );
            }
        }
    }
    out
}

/// What breaks `bound` for `value` (`None`: the broker's default or a value
/// that is not a number, which no bound can vouch for).
fn bound_violations(field: &str, rule: &str, bound: &Bound, value: Option<i32>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(value) = value else {
        let origin = bound
            .min
            .as_ref()
            .or(bound.max.as_ref())
            .map(|s| s.origin.to_string())
            .unwrap_or_default();
        return vec![format!(
            "{field} is the broker's default, which policy {rule} cannot vouch for; set a number ({origin})"
        )];
    };
    if let Some(min) = &bound.min {
        if i64::from(value) < min.value {
            out.push(format!(
                "{field} {value} is below policy {rule} min {} ({})",
                min.value, min.origin
            ));
        }
    }
    if let Some(max) = &bound.max {
        if i64::from(value) > max.value {
            out.push(format!(
                "{field} {value} is above policy {rule} max {} ({})",
                max.value, max.origin
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::borrow::Cow;

    use super::*;

    /// The policy `yaml` (a document whose top level is the rules).
    fn decoded(yaml: &str) -> (Policy, Vec<String>) {
        let value: Value = serde_yaml::from_str(yaml).unwrap();
        let map = Tree::parse(yaml).unwrap();
        let (policy, problems) = decode(&value, &[], Path::new("p.yaml"), &map, "policy");
        let problems = problems
            .into_iter()
            .map(|(pos, m)| format!("{}:{}: {m}", pos.line, pos.column))
            .collect();
        (policy, problems)
    }

    fn policy(yaml: &str) -> Policy {
        let (policy, problems) = decoded(yaml);
        assert!(problems.is_empty(), "{problems:?}");
        policy
    }

    fn topic(name: &str, partitions: i32, rf: i32, config: &[(&str, &str)]) -> TopicSpec {
        TopicSpec {
            key: Cow::Owned(name.replace('.', "_")),
            name: Cow::Owned(name.to_owned()),
            partitions: crate::spec::Size::from_kafka(partitions),
            replication_factor: crate::spec::Size::from_kafka(rf),
            config: config
                .iter()
                .map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string())))
                .collect(),
            keep_unmanaged_configs: false,
        }
    }

    fn violations(policy: &Policy, specs: &[TopicSpec]) -> Vec<String> {
        check(policy, specs)
            .into_iter()
            .map(|v| v.message)
            .collect()
    }

    #[test]
    fn name_pattern_both_sides() {
        let p = policy("name_pattern: \"^dc\\\\.[a-z]+$\"\n");
        assert!(violations(&p, &[topic("dc.power", 1, 1, &[])]).is_empty());
        assert_eq!(
            violations(&p, &[topic("dc.Power", 1, 1, &[])]),
            ["topic dc.Power: name does not match policy name_pattern (p.yaml:1:15)"]
        );
    }

    #[test]
    fn size_bounds_both_sides() {
        let p = policy("partitions: { min: 2, max: 64 }\nreplication_factor: { min: 3 }\n");
        for ok in [2, 64] {
            assert!(violations(&p, &[topic("a", ok, 3, &[])]).is_empty());
        }
        assert_eq!(
            violations(&p, &[topic("a", 1, 3, &[])]),
            ["topic a: partitions 1 is below policy partitions min 2 (p.yaml:1:20)"]
        );
        assert_eq!(
            violations(&p, &[topic("a", 65, 2, &[])]),
            [
                "topic a: partitions 65 is above policy partitions max 64 (p.yaml:1:28)",
                "topic a: replication_factor 2 is below policy replication_factor min 3 (p.yaml:2:28)"
            ]
        );
        // The broker's default cannot be vouched for.
        assert_eq!(violations(&p, &[topic("a", 2, -1, &[])]).len(), 1);
    }

    #[test]
    fn min_insync_replicas_must_be_set_and_in_bounds() {
        let p = policy("min_insync_replicas: { min: 2 }\n");
        assert!(violations(&p, &[topic("a", 1, 3, &[("min.insync.replicas", "2")])]).is_empty());
        assert_eq!(
            violations(&p, &[topic("a", 1, 3, &[("min.insync.replicas", "1")])]),
            ["topic a: min.insync.replicas 1 is below policy min_insync_replicas min 2 (p.yaml:1:29)"]
        );
        assert_eq!(
            violations(&p, &[topic("a", 1, 3, &[])]),
            ["topic a: min.insync.replicas is not set; policy min_insync_replicas requires at least 2 (p.yaml:1:29)"]
        );
    }

    #[test]
    fn required_forbidden_and_allowed_configs() {
        let p = policy(
            "required_config: [retention.ms]\nforbidden_config: [unclean.leader.election.enable]\nallowed_values:\n  cleanup.policy: [\"delete\", \"compact\"]\n",
        );
        let good = topic(
            "a",
            1,
            1,
            &[("retention.ms", "1"), ("cleanup.policy", "compact,delete")],
        );
        assert!(violations(&p, &[good]).is_empty());
        let bad = topic(
            "a",
            1,
            1,
            &[
                ("unclean.leader.election.enable", "true"),
                ("cleanup.policy", "none"),
            ],
        );
        assert_eq!(
            violations(&p, &[bad]),
            [
                "topic a: retention.ms is not set; policy required_config requires it (p.yaml:1:19)",
                "topic a: unclean.leader.election.enable is forbidden by policy forbidden_config (p.yaml:2:20)",
                "topic a: cleanup.policy `none` is not allowed by policy allowed_values, which allows `delete`, `compact` (p.yaml:4:19)"
            ]
        );
    }

    #[test]
    fn topics_per_file_both_sides() {
        let p = policy("topics_per_file: { max: 2 }\n");
        let two = [topic("a", 1, 1, &[]), topic("b", 1, 1, &[])];
        assert!(violations(&p, &two).is_empty());
        let three = [two[0].clone(), two[1].clone(), topic("c", 1, 1, &[])];
        assert_eq!(
            violations(&p, &three),
            ["3 topics, more than policy topics_per_file max 2 (p.yaml:1:25)"]
        );
    }

    #[test]
    fn broken_policies_are_reported_each_at_its_place() {
        let (p, problems) = decoded(
            "name_pattern: \"(\"\npartitions: { min: 8, max: 4 }\nreplication_factor: 3\nrequired_config: [retention.mss]\nforbiden_config: []\ntopics_per_file: { min: 1 }\n",
        );
        assert!(p.is_empty());
        assert_eq!(problems.len(), 6, "{problems:?}");
        assert!(problems[0]
            .starts_with("1:15: policy: name_pattern: `(` is not a valid regular expression"));
        assert_eq!(
            problems[1..],
            [
                "2:20: policy: partitions: min 8 is above max 4: no value could satisfy it",
                "3:21: policy: replication_factor: expected a mapping like { min: 1, max: 64 }, found a number `3`",
                "4:19: policy: required_config: unknown config key `retention.mss`; did you mean `retention.ms`?",
                "5:1: policy: unknown rule `forbiden_config`; did you mean `forbidden_config`?",
                "6:20: policy: topics_per_file: unknown key `min`; expected `max`",
            ]
        );
    }

    #[test]
    fn the_stricter_rule_wins_and_a_profile_replaces() {
        let platform = policy("partitions: { min: 2, max: 64 }\nreplication_factor: { min: 3 }\n");
        let (team, _) = decoded("partitions: { min: 1, max: 8 }\n");
        let both = team.clone().stricter(&platform);
        let v = violations(&both, &[topic("a", 1, 3, &[])]);
        assert_eq!(
            v,
            ["topic a: partitions 1 is below policy partitions min 2 (p.yaml:1:20)"]
        );
        let v = violations(&both, &[topic("a", 9, 3, &[])]);
        assert_eq!(
            v,
            ["topic a: partitions 9 is above policy partitions max 8 (p.yaml:1:28)"]
        );
        let dev = policy("replication_factor: { min: 1 }\n");
        let replaced = platform.replaced_by(&dev);
        assert!(violations(&replaced, &[topic("a", 2, 1, &[])]).is_empty());
        assert_eq!(violations(&replaced, &[topic("a", 1, 1, &[])]).len(), 1);
    }

    fn entry(principal: &str) -> AccessEntry {
        AccessEntry::new("e", principal)
            .produce(["dc.a", "dc.b*"])
            .groups(["dc.g*"])
    }

    fn access_violations(policy: &Policy, entries: &[AccessEntry]) -> Vec<String> {
        check_access(policy, entries)
            .into_iter()
            .map(|i| format!("{}[{:?}]: {}", i.field, i.item, i.message))
            .collect()
    }

    #[test]
    fn access_rules_stricter_and_replaced() {
        let platform = policy("access:\n  max_prefixed: 1\n  wildcard_principal: true\n");
        let (team, _) = decoded("access:\n  max_prefixed: 3\n  allow: false\n");
        let both = team.clone().stricter(&platform);
        // The lower cap wins; the team's implicit refusal beats `true`.
        assert_eq!(
            access_violations(&both, &[entry("User:*")]),
            [
                "principal[None]: access `e`: principal `User:*` is every principal of its type, which policy access.wildcard_principal refuses by default (set `wildcard_principal: true` to allow it) (p.yaml:1:1)",
                "groups[Some(0)]: access `e`: `dc.g*` is prefixed grant 2 of this file, more than policy access.max_prefixed 1 (p.yaml:2:17)",
            ]
        );
        // A profile's implicit default replaces no explicit rule.
        let profile = policy("access:\n  principal_pattern: \"^User:\"\n");
        let replaced = platform.replaced_by(&profile);
        assert_eq!(access_violations(&replaced, &[entry("User:*")]).len(), 1);
        let raw = entry("User:a").allow(crate::access::Grant::__new(
            crate::access::Operation::Describe,
            crate::access::ResourceType::Topic,
            "dc.a",
            PatternType::Literal,
        ));
        assert_eq!(
            access_violations(&team, &[raw]),
            ["allow[None]: access `e`: raw `allow` grants are refused by policy access.allow (p.yaml:3:10); grant through the roles (`produce`, `consume`, `groups`, `transactional_ids`)"]
        );
    }

    #[test]
    fn broken_access_rules_are_reported() {
        let (p, problems) = decoded(
            "access:\n  principal_pattern: \"(\"\n  wildcard_principal: nope\n  max_prefixed: -1\n  alow: false\n",
        );
        assert!(p.principal_pattern.is_none() && p.max_prefixed.is_none());
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with(
            "2:22: policy: access.principal_pattern: `(` is not a valid regular expression"
        ));
        assert_eq!(
            problems[1..],
            [
                "3:23: policy: access.wildcard_principal: expected `true` or `false`, found a string `\"nope\"`",
                "4:17: policy: access.max_prefixed: expected a whole number, at least 0, found a number `-1`",
                "5:3: policy: access: unknown rule `alow`; did you mean `allow`?",
            ]
        );
        let (_, problems) = decoded("access: [max_prefixed]\n");
        assert_eq!(problems.len(), 1, "{problems:?}");
    }
}
