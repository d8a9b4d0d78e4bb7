//! Loading the topic file (`config/default.yaml`).
//!
//! serde_yaml reads the YAML; a [`SourceMap`] says where each key and
//! value is, so every problem, whether the YAML's shape or a broken
//! [`validate`] rule, names its line and column. All problems are
//! collected, not just the first.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde::de::DeserializeSeed;
use serde_yaml::{Mapping, Value};

use crate::client::ClientProperties;
use crate::ownership::{Namespace, Ownership};
use crate::policy::{self, At, Policy};
use crate::source_map::{Pos, SourceMap};
use crate::spec::{ConfigEntry, Profile, TopicSpec, UnknownProfile};
use crate::validate::{self, Field};
use crate::vars::{self, VarError};
use crate::yaml_kind::kind;

/// A loaded, valid topic file.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFile {
    pub path: PathBuf,
    /// `kafka.bootstrap_servers`. `${VAR}` references are resolved by
    /// [`TopicFile::load`], kept as written by [`TopicFile::parse`].
    pub bootstrap_servers: Option<String>,
    /// `kafka.client`: librdkafka properties for connecting (security,
    /// SASL, TLS), resolved like `bootstrap_servers`.
    pub client: ClientProperties,
    /// The base file's topics: `kafka.defaults` applied, no profile.
    pub topics: Vec<TopicSpec>,
    /// `kafka.profiles`, in file order, each with its effective topics.
    pub profiles: Vec<Profile>,
    /// `kafka.owns` and `kafka.protect`: what the file answers for on a
    /// shared cluster.
    pub ownership: Ownership,
}

/// Everything wrong with a file, each problem with its place in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
    /// The problems of further files, when several were loaded together
    /// ([`TopicFile::load_all`]).
    pub others: Vec<FileError>,
}

/// One problem in a file. `line` and `column` are 1-based; 0 means the
/// problem has no place (the file could not be read at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// A policy rule is broken, or a policy itself is: the platform's
    /// verdict rather than Kafka's (`plan` exits 3 on it, not 1).
    pub policy: bool,
}

impl Problem {
    fn at(pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            policy: false,
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            f.write_str(&self.message)
        } else {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        }
    }
}

impl FileError {
    /// Whether a policy is broken (a rule by a topic, or the policy's own
    /// text), in this file or any other loaded with it.
    fn of_policy(mut self) -> FileError {
        for p in &mut self.problems {
            p.policy = true;
        }
        self
    }

    pub fn breaks_policy(&self) -> bool {
        self.problems.iter().any(|p| p.policy) || self.others.iter().any(FileError::breaks_policy)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            let sep = if p.line == 0 { ": " } else { ":" };
            write!(f, "{}{sep}{p}", self.path.display())?;
        }
        for other in &self.others {
            write!(f, "\n{other}")?;
        }
        Ok(())
    }
}

impl TopicFile {
    /// Reads and parses the file at `path`, resolving `${VAR}` references
    /// in `bootstrap_servers` and `client` from the environment.
    pub fn load(path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        TopicFile::parse_with_env(&text, path, |name| std::env::var(name).ok())
    }
}

// Free functions rather than `Policy` methods: the policy model stays
// free of files and their errors.

/// Reads the policy file at `path`: a `policy:` mapping at the top level
/// (`--policy`, `include_topics!`'s `policy = "..."`).
pub fn load_policy(path: impl AsRef<Path>) -> Result<Policy, FileError> {
    let path = path.as_ref();
    let text = read_text(path).map_err(FileError::of_policy)?;
    parse_policy(&text, path)
}

/// Parses and checks the policy file `text`; `path` names it in errors and
/// in the violations its rules cause.
pub fn parse_policy(text: &str, path: impl AsRef<Path>) -> Result<Policy, FileError> {
    let path = path.as_ref();
    let fail = |problems: Vec<Problem>| {
        FileError::of_policy(FileError {
            path: path.to_owned(),
            problems,
            others: Vec::new(),
        })
    };
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        fail(vec![Problem {
            policy: false,
            line,
            column,
            message: format!("invalid YAML: {}", strip_location(&e.to_string())),
        }])
    })?;
    let map = SourceMap::build(text).unwrap_or_default();
    let mut problems = Vec::new();
    let rules = match &value {
        Value::Mapping(root) => {
            for key in root.keys() {
                let Some(k) = key.as_str() else { continue };
                if k != "policy" && !k.starts_with("x-") {
                    problems.push(Problem::at(
                        map.key(&[k]),
                        format!("unknown key `{k}`; a policy file holds `policy:`"),
                    ));
                }
            }
            root.get("policy")
        }
        _ => None,
    };
    let Some(rules) = rules else {
        problems.push(Problem::at(
            Pos { line: 1, column: 1 },
            "missing `policy`: a policy file is a `policy:` mapping of rules".to_owned(),
        ));
        return Err(fail(problems));
    };
    let (policy, found) = policy::decode(rules, &["policy"], path, &map, "policy");
    problems.extend(found.into_iter().map(|(pos, m)| Problem {
        policy: true,
        ..Problem::at(pos, m)
    }));
    if problems.is_empty() {
        Ok(policy)
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(fail(problems))
    }
}

/// The text of the file at `path`, at most [`MAX_FILE_BYTES`], UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, FileError> {
    let fail = |problem: Problem| FileError {
        path: path.to_owned(),
        problems: vec![problem],
        others: Vec::new(),
    };
    let unplaced = |message: String| {
        fail(Problem {
            policy: false,
            line: 0,
            column: 0,
            message,
        })
    };
    let bytes = read_bounded(path).map_err(|e| unplaced(format!("cannot read file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Safe: the prefix up to `valid_up_to` is UTF-8.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        fail(Problem {
            policy: false,
            line,
            column,
            message: "the file is not UTF-8 text (a YAML file must be UTF-8)".into(),
        })
    })
}

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

impl TopicFile {
    /// The topics as the profile `name` sees them (`None`: the base file).
    /// An unknown name is [`UnknownProfile`], naming the
    /// known ones.
    pub fn topics_for(&self, profile: Option<&str>) -> Result<&[TopicSpec], UnknownProfile> {
        Ok(match Profile::select(&self.profiles, profile)? {
            Some(p) => &p.topics,
            None => &self.topics,
        })
    }

    /// The bootstrap servers under the profile `name`: the profile's own,
    /// else the file's.
    pub fn bootstrap_servers_for(&self, profile: Option<&str>) -> Option<&str> {
        Profile::select(&self.profiles, profile)
            .ok()
            .flatten()
            .and_then(|p| p.bootstrap_servers.as_deref())
            .or(self.bootstrap_servers.as_deref())
    }
}

/// The largest topic file `load` reads: 16 MiB holds 100,000 topics with a
/// few configs each. Anything bigger is not a topic file (`/dev/zero`, a
/// log file named by mistake), and parsing costs memory in proportion
/// (about 75 times the file's size), so reading it would only exhaust it.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the file's length (a regular file's; 0 for a pipe or a
    // device), so a big file is not read into a buffer twice its size.
    let size = file.metadata().map_or(0, |m| m.len().min(MAX_FILE_BYTES));
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, far more than any topic file",
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// A file read as far as it goes: every topic that could be decoded, every
/// problem, and the places of things (what `include_topics!` needs to
/// generate code and a fallback).
pub(crate) struct Parsed<'t> {
    pub file: TopicFile,
    pub problems: Vec<Problem>,
    text: &'t str,
    /// A policy from outside the file (`--policy`), applied with the file's
    /// own, the stricter of each rule winning.
    external: Option<Policy>,
    /// The file's own `kafka.policy`.
    own_policy: Policy,
    /// Built on first use: a file without problems never needs it, and the
    /// second parse is about half of the parsing time.
    map: Option<SourceMap>,
}

/// How `${VAR}` references are resolved; `None` keeps them as written.
type Lookup<'a> = Option<&'a mut dyn FnMut(&str) -> Option<String>>;
type LookupRef<'a, 'b> = Option<&'a mut (dyn FnMut(&str) -> Option<String> + 'b)>;

const FILE_KEYS: &[&str] = &["kafka"];
const KAFKA_KEYS: &[&str] = &[
    "bootstrap_servers",
    "client",
    "defaults",
    "profiles",
    "topics",
    "owns",
    "protect",
    "policy",
];
const DEFAULTS_KEYS: &[&str] = &["partitions", "replication_factor", "config"];
const PROFILE_KEYS: &[&str] = &["bootstrap_servers", "defaults", "topics", "policy"];
const PROFILE_TOPIC_KEYS: &[&str] = &[
    "partitions",
    "replication_factor",
    "config",
    "keep_unmanaged_configs",
];

/// `partitions: default`, `replication_factor: default`: the broker's value.
const DEFAULT: &str = "default";

/// A profile's `defaults`, its `topics`, and the paths of both.
type ProfileLayers<'v> = (Option<&'v Mapping>, &'v Mapping, Vec<String>, Vec<String>);

/// One level of the precedence that makes a topic: `kafka.defaults`, the
/// topic itself, a profile's `defaults`, the profile's `topics.<key>`.
struct Layer<'v> {
    map: &'v Mapping,
    path: Vec<String>,
    /// A `defaults` mapping, shared by every topic.
    shared: bool,
}

/// A topic's fields with every layer applied, and where each came from.
struct Merged {
    fields: Mapping,
    /// Field path (`["config", "retention.ms"]`) to its place in the file,
    /// for fields a shared layer or a profile set; a field the topic's own
    /// mapping sets is at `own` + its path (most fields: not stored).
    origins: HashMap<Vec<String>, Vec<String>>,
    /// The topic's own path, `kafka.topics.<key>`.
    own: Vec<String>,
}

impl Merged {
    fn at(&self, rel: &[&str]) -> Vec<String> {
        let rel: Vec<String> = rel.iter().map(|s| s.to_string()).collect();
        self.origins
            .get(&rel)
            .cloned()
            .unwrap_or_else(|| [self.own.clone(), rel].concat())
    }
}

fn strs(path: &[String]) -> Vec<&str> {
    path.iter().map(String::as_str).collect()
}

fn path_of(parts: &[&str]) -> Vec<String> {
    parts.iter().map(|s| s.to_string()).collect()
}
const TOPIC_KEYS: &[&str] = &[
    "name",
    "partitions",
    "replication_factor",
    "config",
    "keep_unmanaged_configs",
];

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
            },
            problems: Vec::new(),
            text,
            external: policy.cloned(),
            own_policy: Policy::default(),
            map: None,
        };
        let duplicates = Cell::new(false);
        match Lenient(&duplicates).deserialize(serde_yaml::Deserializer::from_str(text)) {
            Err(e) => {
                let (line, column) = e
                    .location()
                    .map(|l| (l.line(), l.column()))
                    .unwrap_or((1, 1));
                parsed.problems.push(Problem {
                    policy: false,
                    line,
                    column,
                    message: format!("invalid YAML: {}", strip_location(&e.to_string())),
                });
            }
            Ok(mut value) => {
                if duplicates.get() {
                    parsed.duplicate_problems();
                }
                if let Err(e) = value.apply_merge() {
                    parsed.problems.push(Problem::at(
                        Pos { line: 1, column: 1 },
                        format!("invalid YAML merge (`<<`): {e}"),
                    ));
                }
                parsed.decode_root(&value, lookup);
            }
        }
        parsed.problems.sort_by_key(|p| (p.line, p.column));
        parsed
    }

    /// A file joined from several ([`crate::files`]): no text of its own,
    /// so places it would look up are 1:1.
    #[cfg(feature = "codegen")]
    pub(crate) fn joined(file: TopicFile) -> Parsed<'static> {
        Parsed {
            file,
            problems: Vec::new(),
            text: "",
            external: None,
            own_policy: Policy::default(),
            map: None,
        }
    }

    pub(crate) fn into_result(self) -> Result<TopicFile, FileError> {
        if self.problems.is_empty() {
            Ok(self.file)
        } else {
            Err(FileError {
                path: self.file.path,
                problems: self.problems,
                others: Vec::new(),
            })
        }
    }

    /// Where things are in the text. A text the marked parser cannot read
    /// (it is stricter in corners of YAML) still loads; problems then point
    /// at 1:1.
    pub(crate) fn source_map(&mut self) -> &SourceMap {
        let text = self.text;
        self.map
            .get_or_insert_with(|| SourceMap::build(text).unwrap_or_default())
    }

    fn duplicate_problems(&mut self) {
        let duplicates = self.source_map().duplicates.clone();
        for d in &duplicates {
            let (key, parent) = d.path.split_last().expect("a key has a path");
            let within = if parent.is_empty() {
                "the top level".to_owned()
            } else {
                format!("`{}`", parent.join("."))
            };
            self.problems.push(Problem::at(
                d.second,
                format!(
                    "key `{key}` appears twice in {within} (first at line {}, column {}); YAML would keep only one",
                    d.first.line, d.first.column
                ),
            ));
        }
    }

    fn problem_key(&mut self, path: &[&str], message: String) {
        let pos = self.source_map().key(path);
        self.problems.push(Problem::at(pos, message));
    }

    fn problem_value(&mut self, path: &[&str], message: String) {
        let pos = self.source_map().value(path);
        self.problems.push(Problem::at(pos, message));
    }

    fn decode_root(&mut self, value: &Value, lookup: Lookup<'_>) {
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
            Some(Value::Mapping(kafka)) => self.decode_kafka(kafka, lookup),
            Some(other) => self.problem_value(
                &["kafka"],
                format!("kafka: expected a mapping, found {}", kind(other)),
            ),
            None => self.problem_value(&[], "missing `kafka`".into()),
        }
    }

    fn decode_kafka(&mut self, kafka: &Mapping, mut lookup: Lookup<'_>) {
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
            None | Some(Value::Null) => &empty,
            Some(Value::Mapping(topics)) => topics,
            Some(other) => {
                self.problem_value(
                    &["kafka", "topics"],
                    format!("kafka.topics: expected a mapping, found {}", kind(other)),
                );
                &empty
            }
        };
        self.file.topics = self.decode_topics(topics, defaults, None, &policy);

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
                        topics,
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
    }

    /// `kafka.owns` or `kafka.protect`: a list of prefixes and `^`
    /// expressions. `None` when absent or broken (each problem reported).
    fn namespace(&mut self, kafka: &Mapping, field: &str) -> Option<Namespace> {
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
    fn defaults_mapping<'v>(
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
    fn decode_profile(
        &mut self,
        name: &str,
        profile: &Mapping,
        topics: &Mapping,
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
                    || topics.values().any(|t| {
                        t.get("config")
                            .and_then(Value::as_mapping)
                            .is_some_and(|c| c.contains_key(ck.as_str()))
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
            if !topics.contains_key(key.as_str()) {
                let known: Vec<String> = topics
                    .keys()
                    .filter_map(scalar_key)
                    .map(|k| format!("`{k}`"))
                    .collect();
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

        let before: HashSet<(usize, usize, String)> = self
            .problems
            .iter()
            .map(|p| (p.line, p.column, p.message.clone()))
            .collect();
        let start = self.problems.len();
        let policy = self.effective_policy(Some(&profile_policy));
        let specs = self.decode_topics(
            topics,
            defaults,
            Some((own_defaults, overrides, own_defaults_path, at(&["topics"]))),
            &policy,
        );
        let mut found: Vec<Problem> = self.problems.drain(start..).collect();
        found.retain(|p| !before.contains(&(p.line, p.column, p.message.clone())));
        let mut seen = HashSet::new();
        for mut p in found {
            if !p.message.starts_with(&prefix) {
                p.message = format!("{prefix}{}", p.message);
            }
            if seen.insert((p.line, p.column, p.message.clone())) {
                self.problems.push(p);
            }
        }
        Profile {
            name: Cow::Owned(name.to_owned()),
            bootstrap_servers,
            topics: Cow::Owned(specs),
        }
    }

    /// Checks `${VAR}` references in `value`, resolving them when a lookup
    /// is given.
    fn resolve(
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

    /// Decodes and validates every topic of `topics` with the layers that
    /// apply: `kafka.defaults`, then, for a profile, its `defaults` and
    /// `topics` (with the paths of both).
    fn decode_topics(
        &mut self,
        topics: &Mapping,
        defaults: Option<&Mapping>,
        profile: Option<ProfileLayers<'_>>,
        policy: &Policy,
    ) -> Vec<TopicSpec> {
        let mut specs = Vec::new();
        // Fields that failed to decode, per spec: rules that depend on them
        // would only report noise.
        let mut broken: Vec<HashSet<&'static str>> = Vec::new();
        let mut places: Vec<Merged> = Vec::new();
        for (k, v) in topics {
            let Some(key) = scalar_key(k) else {
                self.problem_value(
                    &["kafka", "topics"],
                    format!("kafka.topics: keys must be strings, found {}", kind(k)),
                );
                continue;
            };
            let Value::Mapping(topic) = v else {
                self.problem_value(
                    &["kafka", "topics", &key],
                    format!(
                        "topic `{key}`: expected a mapping with at least `name`, found {}",
                        kind(v)
                    ),
                );
                continue;
            };
            let mut layers = Vec::new();
            if let Some(d) = defaults {
                layers.push(Layer {
                    map: d,
                    path: path_of(&["kafka", "defaults"]),
                    shared: true,
                });
            }
            layers.push(Layer {
                map: topic,
                path: path_of(&["kafka", "topics", &key]),
                shared: false,
            });
            if let Some((own_defaults, overrides, defaults_path, topics_path)) = &profile {
                if let Some(d) = own_defaults {
                    layers.push(Layer {
                        map: d,
                        path: defaults_path.clone(),
                        shared: true,
                    });
                }
                if let Some(Value::Mapping(t)) = overrides.get(key.as_str()) {
                    layers.push(Layer {
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
            let merged = &places[issue.topic];
            let pos = {
                let map = self.source_map();
                match &issue.at {
                    Field::Name => map.value(&strs(&merged.at(&["name"]))),
                    Field::Partitions => map.value(&strs(&merged.at(&["partitions"]))),
                    Field::ReplicationFactor => {
                        map.value(&strs(&merged.at(&["replication_factor"])))
                    }
                    Field::ConfigKey(k) => map.key(&strs(&merged.at(&["config", k.as_str()]))),
                    Field::ConfigValue(k) => map.value(&strs(&merged.at(&["config", k.as_str()]))),
                }
            };
            self.problems.push(Problem::at(pos, issue.message));
        }
        for violation in policy::check(policy, &specs) {
            let pos = {
                let map = self.source_map();
                match &violation.at {
                    At::Topics => map.key(&["kafka", "topics"]),
                    At::Topic => map.key(&strs(&places[violation.topic].own)),
                    At::Field(field) => {
                        if broken[violation.topic].contains(field_name(field)) {
                            continue;
                        }
                        let merged = &places[violation.topic];
                        match field {
                            Field::Name => map.value(&strs(&merged.at(&["name"]))),
                            Field::Partitions => map.value(&strs(&merged.at(&["partitions"]))),
                            Field::ReplicationFactor => {
                                map.value(&strs(&merged.at(&["replication_factor"])))
                            }
                            Field::ConfigKey(k) => {
                                map.key(&strs(&merged.at(&["config", k.as_str()])))
                            }
                            Field::ConfigValue(k) => {
                                map.value(&strs(&merged.at(&["config", k.as_str()])))
                            }
                        }
                    }
                }
            };
            self.problems.push(Problem {
                policy: true,
                ..Problem::at(pos, violation.message)
            });
        }
        specs
    }

    /// A `policy` mapping at `path`, its problems reported.
    fn policy(&mut self, value: Option<&Value>, path: &[&str], what: &str) -> Policy {
        let Some(value) = value else {
            return Policy::default();
        };
        let file = self.file.path.clone();
        let (policy, problems) = policy::decode(value, path, &file, self.source_map(), what);
        for (pos, message) in problems {
            self.problems.push(Problem {
                policy: true,
                ..Problem::at(pos, message)
            });
        }
        policy
    }

    /// The rules topics are checked against: the file's own policy, a
    /// profile's replacing the rules it sets, and the external one, the
    /// stricter of each rule winning.
    fn effective_policy(&self, profile: Option<&Policy>) -> Policy {
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
    fn merge(&mut self, layers: &[Layer<'_>]) -> Merged {
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
            own,
        }
    }

    fn decode_topic(
        &mut self,
        key: &str,
        merged: &Merged,
        raw: Option<&Mapping>,
        failed: &mut HashSet<&'static str>,
    ) -> Option<TopicSpec> {
        let topic = &merged.fields;
        let base = strs(&merged.own);
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
                Some(n) if n >= i64::from(i32::MIN) => n as i32,
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
                            Some(value) => config.push((Cow::Owned(ck), Cow::Owned(value))),
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
            partitions,
            replication_factor,
            config: config.into(),
            keep_unmanaged_configs,
        })
    }

    fn unknown_keys(&mut self, mapping: &Mapping, path: &[&str], known: &[&str], prefix: &str) {
        for k in mapping.keys() {
            let Some(key) = scalar_key(k) else { continue };
            if known.contains(&key.as_str()) {
                continue;
            }
            let hint = match known
                .iter()
                .map(|c| (strsim::jaro_winkler(&key, c), *c))
                .filter(|(score, _)| *score > 0.8)
                .max_by(|a, b| a.0.total_cmp(&b.0))
            {
                Some((_, c)) => format!("; did you mean `{c}`?"),
                None => format!(
                    "; expected {}",
                    known
                        .iter()
                        .map(|c| format!("`{c}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let full = [path, &[key.as_str()]].concat();
            self.problem_key(&full, format!("{prefix}unknown key `{key}`{hint}"));
        }
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

/// A mapping key as text, when it is a scalar.
fn scalar_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => scalar_string(v),
        _ => None,
    }
}

/// Config values are strings on the wire; an unquoted `86400000` or `true`
/// in the file means the same thing.
fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

/// serde_yaml appends "at line L column C"; the problem carries both.
fn strip_location(message: &str) -> String {
    let mut out = message.to_owned();
    while let Some(i) = out.find(" at line ") {
        let rest = &out[i + " at line ".len()..];
        let digits = rest.chars().take_while(char::is_ascii_digit).count();
        let Some(after) = rest[digits..].strip_prefix(" column ") else {
            break;
        };
        let col_digits = after.chars().take_while(char::is_ascii_digit).count();
        let end = i + " at line ".len() + digits + " column ".len() + col_digits;
        out.replace_range(i..end, "");
    }
    out
}

/// Reads a YAML value with serde_yaml, keeping the first of a key written
/// twice instead of failing, so every other problem in the file can still be
/// found; the flag notes that it happened (the source map then says where).
#[derive(Clone, Copy)]
struct Lenient<'a>(&'a Cell<bool>);

impl<'de> DeserializeSeed<'de> for Lenient<'_> {
    type Value = Value;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Lenient<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, b: bool) -> Result<Value, E> {
        Ok(Value::Bool(b))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Value, E> {
        Ok(Value::Number(i.into()))
    }

    fn visit_u64<E>(self, u: u64) -> Result<Value, E> {
        Ok(Value::Number(u.into()))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Value, E> {
        Ok(Value::Number(f.into()))
    }

    fn visit_str<E>(self, s: &str) -> Result<Value, E> {
        Ok(Value::String(s.to_owned()))
    }

    fn visit_string<E>(self, s: String) -> Result<Value, E> {
        Ok(Value::String(s))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(self)? {
            items.push(v);
        }
        Ok(Value::Sequence(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut mapping = Mapping::new();
        while let Some((k, v)) = map.next_entry_seed(self, self)? {
            if mapping.contains_key(&k) {
                self.0.set(true);
            } else {
                mapping.insert(k, v);
            }
        }
        Ok(Value::Mapping(mapping))
    }

    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<Value, A::Error> {
        use serde::de::VariantAccess;
        let (tag, contents): (String, _) = data.variant()?;
        let value = contents.newtype_variant_seed(self)?;
        Ok(Value::Tagged(Box::new(serde_yaml::value::TaggedValue {
            tag: serde_yaml::value::Tag::new(tag),
            value,
        })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match TopicFile::parse(text, "f.yaml") {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn default_yaml_has_the_six_reference_topics() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/default.yaml");
        let file = TopicFile::load(path).unwrap();
        let names: Vec<_> = file.topics.iter().map(|t| t.name.as_ref()).collect();
        assert_eq!(
            names,
            [
                "dc.workload",
                "dc.power",
                "dc.topology",
                "sim.topology",
                "sys.config",
                "sim.results"
            ]
        );
        assert_eq!(file.bootstrap_servers.as_deref(), Some("kafka:29092"));
        assert!(file.client.is_empty());
        let topology = &file.topics[2];
        assert_eq!(topology.partitions, 1);
        assert_eq!(topology.replication_factor, 1);
        assert_eq!(topology.config_value("cleanup.policy"), Some("compact"));
        assert_eq!(
            topology.config_value("min.compaction.lag.ms"),
            Some("3600000")
        );
    }

    #[test]
    fn syntax_error_names_file_line_and_column() {
        let err = TopicFile::parse("kafka:\n  topics: [\n", "bad.yaml").unwrap_err();
        assert_eq!(err.problems.len(), 1);
        assert!(err.problems[0].line >= 2, "{err}");
        assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
        assert!(!err.to_string().contains(" at line "), "{err}");
    }

    #[test]
    fn unquoted_scalars_become_strings() {
        let file = TopicFile::parse(
            "kafka:\n  topics:\n    a:\n      name: a\n      config:\n        retention.ms: 1000\n        preallocate: true\n        min.cleanable.dirty.ratio: 0.25\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(file.topics[0].config_value("retention.ms"), Some("1000"));
        assert_eq!(file.topics[0].config_value("preallocate"), Some("true"));
        assert_eq!(
            file.topics[0].config_value("min.cleanable.dirty.ratio"),
            Some("0.25")
        );
    }

    #[test]
    fn a_value_left_out_points_at_its_key_not_the_next_line() {
        let text = "kafka:\n  topics:\n    bad:\n    ok:\n      name: \"a\"\n      partitions:\n";
        assert_eq!(
            problems(text),
            [
                "3:5: topic `bad`: expected a mapping with at least `name`, found nothing (null)",
                "6:7: topic `a`: partitions: expected a whole number, found nothing (null)"
            ]
        );
    }

    #[test]
    fn every_problem_is_reported_with_its_place() {
        let text = "\
kafka:
  topics:
    topology:
      name: \"dc.topology\"
      partitions: 0
      config:
        cleanup.policy: \"compakt\"
        retention.mss: 5
    power:
      partition: 3
    results:
      name: \"__results\"
      replication_factor: \"3\"
";
        assert_eq!(
            problems(text),
            [
                "5:19: topic `dc.topology`: partitions must be at least 1, got 0",
                "7:25: topic `dc.topology`: cleanup.policy: `compakt` is not one of `compact`, `delete`",
                "8:9: topic `dc.topology`: unknown config key `retention.mss`; did you mean `retention.ms`?",
                "9:5: topic `power`: missing `name`",
                "10:7: topic `power`: unknown key `partition`; did you mean `partitions`?",
                "12:13: topic `results`: name `__results` starts with `__`, which Kafka reserves for internal topics",
                "13:27: topic `__results`: replication_factor: expected a whole number, found a string `\"3\"`",
            ]
        );
    }

    #[test]
    fn duplicate_keys_name_both_places() {
        let text = "kafka:\n  topics:\n    a:\n      name: a\n    a:\n      name: b\n    c:\n      name: a\n";
        // The first `a` is kept, so the duplicate name is found too.
        assert_eq!(
            problems(text),
            [
                "5:5: key `a` appears twice in `kafka.topics` (first at line 3, column 5); YAML would keep only one",
                "8:13: topic `c`: name `a` is already declared by topic `a`",
            ]
        );
    }

    #[test]
    fn broken_fields_do_not_cause_secondary_problems() {
        let text = "kafka:\n  topics:\n    a:\n      name: a\n      replication_factor: x\n      config:\n        min.insync.replicas: 2\n";
        let got = problems(text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with("5:27:"), "{got:?}");
    }

    #[test]
    fn out_of_range_sizes() {
        let text = "kafka:\n  topics:\n    a:\n      name: a\n      partitions: 3000000000\n      replication_factor: 40000\n";
        assert_eq!(
            problems(text),
            [
                "5:19: topic `a`: partitions: 3000000000 is out of range: at most 2147483647",
                "6:27: topic `a`: replication_factor: 40000 is out of range: at most 32767",
            ]
        );
    }

    #[test]
    fn client_properties_and_env_references() {
        let text = "\
kafka:
  bootstrap_servers: \"${KAFKA_HOST:-localhost}:9092\"
  client:
    security.protocol: SASL_SSL
    sasl.password: \"${SASL_PASSWORD}\"
    retries: 3
";
        let raw = TopicFile::parse(text, "f.yaml").unwrap();
        assert_eq!(
            raw.bootstrap_servers.as_deref(),
            Some("${KAFKA_HOST:-localhost}:9092")
        );
        assert_eq!(raw.client.get("sasl.password"), Some("${SASL_PASSWORD}"));

        let env = |name: &str| (name == "SASL_PASSWORD").then(|| "hunter2".to_owned());
        let file = TopicFile::parse_with_env(text, "f.yaml", env).unwrap();
        assert_eq!(file.bootstrap_servers.as_deref(), Some("localhost:9092"));
        assert_eq!(
            file.client.iter().collect::<Vec<_>>(),
            [
                ("security.protocol", "SASL_SSL"),
                ("sasl.password", "hunter2"),
                ("retries", "3")
            ]
        );
        assert!(!format!("{file:?}").contains("hunter2"));

        let err = TopicFile::parse_with_env(text, "f.yaml", |_| None).unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        let shown = err.to_string();
        assert!(shown.starts_with("f.yaml:5:20: kafka.client.sasl.password: environment variable `SASL_PASSWORD` is not set"), "{shown}");
    }

    #[test]
    fn malformed_references_are_problems_even_unresolved() {
        let text = "kafka:\n  bootstrap_servers: \"${HOST\"\n";
        let got = problems(text);
        assert_eq!(got.len(), 1);
        assert!(
            got[0].starts_with("2:22: kafka.bootstrap_servers: "),
            "{got:?}"
        );
    }

    #[test]
    fn merge_keys_are_applied() {
        let text = "\
x-defaults: &defaults
  partitions: 3
  config:
    retention.ms: 1000
kafka:
  topics:
    a:
      <<: *defaults
      name: a
    b:
      <<: *defaults
      name: b
      partitions: 0
";
        let got = problems(text);
        assert_eq!(
            got,
            ["13:19: topic `b`: partitions must be at least 1, got 0"]
        );
        let text = text.replace("partitions: 0", "partitions: 6");
        // The README's example: a merge inside `config`.
        let readme = "x-compacted: &compacted\n  cleanup.policy: \"compact\"\nkafka:\n  topics:\n    t:\n      name: t\n      config:\n        <<: *compacted\n        min.compaction.lag.ms: \"3600000\"\n";
        let t = &TopicFile::parse(readme, "f.yaml").unwrap().topics[0];
        assert_eq!(t.config_value("cleanup.policy"), Some("compact"));
        assert_eq!(t.config_value("min.compaction.lag.ms"), Some("3600000"));
        let file = TopicFile::parse(&text, "f.yaml").unwrap();
        assert_eq!(file.topics[0].partitions, 3);
        assert_eq!(file.topics[1].partitions, 6);
        assert_eq!(file.topics[1].config_value("retention.ms"), Some("1000"));
    }

    const PROFILED: &str = "\
kafka:
  bootstrap_servers: \"kafka:29092\"
  defaults:
    partitions: 3
    replication_factor: 3
    config:
      min.insync.replicas: \"2\"
      retention.ms: \"1000\"
  profiles:
    dev:
      bootstrap_servers: \"localhost:9092\"
      defaults:
        replication_factor: 1
        config:
          min.insync.replicas: \"1\"
      topics:
        a:
          partitions: 1
          config:
            segment.ms: null
    prod: {}
  topics:
    a:
      name: a
      partitions: 6
      replication_factor: default
      config:
        segment.ms: \"60000\"
        retention.ms: null
    b:
      name: b
      replication_factor: 2
";

    fn shape(t: &TopicSpec) -> (i32, i32, Vec<(String, String)>) {
        let config = t
            .config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        (t.partitions, t.replication_factor, config)
    }

    fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn precedence_defaults_topic_profile_defaults_profile_topic() {
        let file = TopicFile::parse(PROFILED, "f.yaml").unwrap();
        // Base: the topic's own fields over `defaults`; its `null` removes
        // a default.
        assert_eq!(
            shape(&file.topics[0]),
            (
                6,
                -1,
                owned(&[("min.insync.replicas", "2"), ("segment.ms", "60000")])
            )
        );
        assert_eq!(
            shape(&file.topics[1]),
            (
                3,
                2,
                owned(&[("min.insync.replicas", "2"), ("retention.ms", "1000")])
            )
        );
        let dev = file.topics_for(Some("dev")).unwrap();
        // The profile's defaults win over the topic's own fields, and its
        // `topics.<key>` over everything.
        assert_eq!(
            shape(&dev[0]),
            (1, 1, owned(&[("min.insync.replicas", "1")]))
        );
        assert_eq!(
            shape(&dev[1]),
            (
                3,
                1,
                owned(&[("min.insync.replicas", "1"), ("retention.ms", "1000")])
            )
        );
        assert_eq!(file.topics_for(Some("prod")).unwrap(), &file.topics[..]);
        assert_eq!(file.topics_for(None).unwrap(), &file.topics[..]);
        assert_eq!(
            file.bootstrap_servers_for(Some("dev")),
            Some("localhost:9092")
        );
        assert_eq!(
            file.bootstrap_servers_for(Some("prod")),
            Some("kafka:29092")
        );
        let err = file.topics_for(Some("stage")).unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown profile `stage`: the topic file declares `dev`, `prod`"
        );
    }

    #[test]
    fn a_problem_of_one_profile_names_it_and_the_place_that_causes_it() {
        // prod's RF 1 breaks the base file's min.insync.replicas 2.
        let text = PROFILED.replace(
            "    prod: {}\n",
            "    prod:\n      topics:\n        b:\n          replication_factor: 1\n",
        );
        assert_eq!(
            problems(&text),
            ["7:28: profile prod: topic `b`: min.insync.replicas (2) is greater than replication_factor (1): producers with acks=all could never write"]
        );
    }

    #[test]
    fn a_base_problem_is_reported_once_not_once_per_profile() {
        let text = PROFILED.replace("segment.ms: \"60000\"", "segment.ms: \"0\"");
        let got = problems(&text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("28:21: topic `a`: segment.ms"),
            "{got:?}"
        );
    }

    #[test]
    fn a_literal_minus_one_asks_for_default() {
        let text = "kafka:\n  topics:\n    a:\n      name: a\n      partitions: -1\n";
        assert_eq!(
            problems(text),
            ["5:19: topic `a`: partitions must be at least 1, got -1 (write `default` for the broker's default)"]
        );
    }

    #[test]
    fn owns_and_protect_are_read() {
        let text = "kafka:\n  owns: [\"dc.\", \"^sys\\\\.config$\"]\n  protect: [\"dc.keep\"]\n  topics:\n    a:\n      name: dc.a\n    b:\n      name: sys.config\n";
        let file = TopicFile::parse(text, "f.yaml").unwrap();
        let owns = file.ownership.owns.as_ref().unwrap();
        assert_eq!(
            owns.entries().collect::<Vec<_>>(),
            ["dc.", "^sys\\.config$"]
        );
        assert!(file.ownership.is_protected("dc.keep.me"));
        assert!(file.ownership.owns("dc.other"));
        let plain = TopicFile::parse("kafka:\n  topics:\n", "f.yaml").unwrap();
        assert_eq!(plain.ownership.owns, None);
    }

    #[test]
    fn a_declared_topic_outside_owns_is_named_with_its_line() {
        let text = "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a\n    b:\n      name: sim.b\n";
        assert_eq!(
            problems(text),
            ["7:13: topic `sim.b`: outside `kafka.owns` (`dc.`); a file declares only topics in the namespace it owns"]
        );
    }

    #[test]
    fn bad_owns_entries_point_at_themselves() {
        let text = "kafka:\n  owns:\n    - \"dc.\"\n    - \"\"\n    - \"^(\"\n    - \"__\"\n  protect: \"x\"\n  prune: true\n";
        let got = problems(text);
        assert_eq!(got.len(), 4, "{got:?}");
        assert!(
            got[0].starts_with("4:7: kafka.owns: an entry is empty"),
            "{got:?}"
        );
        assert_eq!(
            got[1],
            "5:7: kafka.owns: `^(` is not a valid regular expression: unclosed group"
        );
        assert!(
            got[2].starts_with("7:12: kafka.protect: expected a list"),
            "{got:?}"
        );
        assert!(
            got[3].starts_with("8:3: kafka.prune: pruning is not a file setting"),
            "{got:?}"
        );
        // Checked once the other entries are valid.
        let text = "kafka:\n  owns: [\"dc.\", \"__\", \"^_schemas$\"]\n";
        let got = problems(text);
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].starts_with("2:17: kafka.owns: `__` only matches protected names"),
            "{got:?}"
        );
        assert!(problems("kafka:\n  owns: []\n")[0].contains("the list is empty"));
    }
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    const FILE: &str = r#"kafka:
  policy:
    replication_factor: { min: 3 }
    required_config: [retention.ms]
  profiles:
    dev:
      policy:
        replication_factor: { min: 1 }
      defaults:
        replication_factor: 1
    bad:
      defaults:
        replication_factor: 1
  topics:
    power:
      name: dc.power
      replication_factor: 3
"#;

    #[test]
    fn violations_name_their_place_and_a_profile_policy_replaces_rules() {
        let e = TopicFile::parse(FILE, "t.yaml").unwrap_err();
        let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "13:29: profile bad: topic dc.power: replication_factor 1 is below policy replication_factor min 3 (t.yaml:3:32)",
                "15:5: topic dc.power: retention.ms is not set; policy required_config requires it (t.yaml:4:23)",
            ]
        );
    }

    #[test]
    fn a_policy_file_is_a_policy_mapping_and_every_problem_is_a_policy_problem() {
        let p = parse_policy("policy:\n  partitions: { max: 8 }\n", "p.yaml").unwrap();
        assert!(!p.is_empty());
        let e = parse_policy("rules:\n  partitions: { max: 8 }\n", "p.yaml").unwrap_err();
        let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "1:1: unknown key `rules`; a policy file holds `policy:`",
                "1:1: missing `policy`: a policy file is a `policy:` mapping of rules",
            ]
        );
        assert!(e.breaks_policy());
        let e = parse_policy("policy: [\n", "p.yaml").unwrap_err();
        assert!(e.problems[0].message.starts_with("invalid YAML"));
        assert!(e.breaks_policy());
        // A topic file's own problems are not the policy's.
        let e = TopicFile::parse("kafka:\n  topics: 3\n", "t.yaml").unwrap_err();
        assert!(!e.breaks_policy());
        assert!(TopicFile::parse(FILE, "t.yaml")
            .unwrap_err()
            .breaks_policy());
    }

    #[test]
    fn an_external_policy_applies_with_the_stricter_rule_winning() {
        let text = "policy:\n  replication_factor: { min: 2 }\n  name_pattern: \"^sys\\\\.\"\n";
        let value: Value = serde_yaml::from_str(text).unwrap();
        let map = SourceMap::build(text).unwrap();
        let (platform, problems) = policy::decode(
            value.get("policy").unwrap(),
            &["policy"],
            Path::new("platform.yaml"),
            &map,
            "policy",
        );
        assert!(problems.is_empty());
        let parsed = Parsed::with_policy(FILE, Path::new("t.yaml"), None, Some(&platform));
        let problems: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            problems.contains(
                &"16:13: topic dc.power: name does not match policy name_pattern (platform.yaml:3:17)"
                    .to_owned()
            ),
            "{problems:?}"
        );
        // dev's own rule is replaced, but the platform's minimum of 2 still binds it.
        assert!(
            problems.contains(
                &"10:29: profile dev: topic dc.power: replication_factor 1 is below policy replication_factor min 2 (platform.yaml:2:30)"
                    .to_owned()
            ),
            "{problems:?}"
        );
    }
}
