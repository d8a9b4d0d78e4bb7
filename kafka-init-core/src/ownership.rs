//! Who answers for which topics on a shared cluster: the namespace a file
//! owns (`kafka.owns`), the names it protects (`kafka.protect`), the names
//! every file protects, and from those the orphans: topics inside the
//! namespace that no declaration covers, the only topics pruning may
//! delete.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use regex::{Regex, RegexBuilder};
use serde::Serialize;

use crate::usage::InUse;

/// A set of topic names, written as a list of entries: a plain string is a
/// name prefix (`dc.`), a string starting with `^` a regular expression
/// that must match the whole name (`^sys\.config$`).
#[derive(Clone, Default)]
pub struct Namespace {
    entries: Vec<Pattern>,
}

#[derive(Clone)]
enum Pattern {
    Prefix(String),
    Regex { source: String, regex: Regex },
}

impl Pattern {
    fn source(&self) -> &str {
        match self {
            Pattern::Prefix(p) => p,
            Pattern::Regex { source, .. } => source,
        }
    }

    fn matches(&self, name: &str) -> bool {
        match self {
            Pattern::Prefix(p) => name.starts_with(p.as_str()),
            Pattern::Regex { regex, .. } => regex.is_match(name),
        }
    }
}

/// Regular expressions come from files a reviewer reads; a pattern that
/// compiles to more than this is a mistake, not a namespace.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

/// Why one entry of `owns` or `protect` cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    /// The entry's index in the list.
    pub index: usize,
    /// Why the entry cannot be used.
    pub message: String,
}

impl Namespace {
    /// The namespace of `entries`; every entry that cannot be used is
    /// reported (empty, or a regular expression that does not compile).
    pub fn new<S: AsRef<str>>(
        entries: impl IntoIterator<Item = S>,
    ) -> Result<Namespace, Vec<EntryError>> {
        let mut patterns = Vec::new();
        let mut errors = Vec::new();
        for (index, entry) in entries.into_iter().enumerate() {
            match Pattern::parse(entry.as_ref()) {
                Ok(p) => patterns.push(p),
                Err(message) => errors.push(EntryError { index, message }),
            }
        }
        if errors.is_empty() {
            Ok(Namespace { entries: patterns })
        } else {
            Err(errors)
        }
    }

    /// Whether `name` falls inside any entry.
    pub fn contains(&self, name: &str) -> bool {
        self.entries.iter().any(|p| p.matches(name))
    }

    /// The entries as written.
    pub fn entries(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(Pattern::source)
    }

    /// True when no entry is listed.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries that can only ever match protected names (`__`, `_schemas`,
    /// `mm2-`): owning them is a mistake. Returns their indices.
    pub(crate) fn protected_only(&self) -> Vec<usize> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                let literal = match p {
                    Pattern::Prefix(prefix) => prefix.as_str(),
                    // The literal start of an anchored expression, past
                    // opening groups; an alternation may match elsewhere.
                    Pattern::Regex { source, .. } if source.contains('|') => return false,
                    Pattern::Regex { source, .. } => {
                        source[1..].trim_start_matches(['(', '?', ':'])
                    }
                };
                literal.starts_with('_') || literal.starts_with("mm2-")
            })
            .map(|(i, _)| i)
            .collect()
    }
}

impl Pattern {
    fn parse(entry: &str) -> Result<Pattern, String> {
        if entry.trim().is_empty() {
            return Err("an entry is empty; it would match every topic".into());
        }
        let Some(body) = entry.strip_prefix('^') else {
            return Ok(Pattern::Prefix(entry.to_owned()));
        };
        // Anchored at both ends: the expression must match the whole name.
        let regex = RegexBuilder::new(&format!("^(?:{body})$"))
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_err(|e| {
                format!(
                    "`{entry}` is not a valid regular expression: {}",
                    regex_problem(e)
                )
            })?;
        let pattern = Pattern::Regex {
            source: entry.to_owned(),
            regex,
        };
        // Decided by trying names, not by reading the expression: `^.*`,
        // `^(a|.*)` and `^[^_].*` all own every topic a cluster may hold.
        if SAMPLE_NAMES.iter().all(|n| pattern.matches(n)) {
            return Err(format!(
                "`{entry}` matches every topic name; it would make every topic on the cluster an orphan. Name the prefixes this file answers for"
            ));
        }
        Ok(pattern)
    }
}

/// Unprotected names of every shape Kafka allows: an entry that matches
/// all of them matches (nearly) everything.
const SAMPLE_NAMES: &[&str] = &[
    "a",
    "Z",
    "0",
    "-",
    ".a",
    "x_y",
    "orders",
    "dc.workload",
    "Billing.Invoices-v2",
    "9lives",
    "-dash-first",
    "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz.topic",
];

/// What the regex crate says about a feature it lacks, as something the
/// author of the entry can change.
fn regex_problem(e: regex::Error) -> String {
    let detail = match e {
        regex::Error::Syntax(s) => {
            let last = s.lines().last().unwrap_or("").trim();
            last.strip_prefix("error: ").unwrap_or(last).to_owned()
        }
        other => other.to_string(),
    };
    if detail.contains("look-around") {
        "look-ahead and look-behind (`(?=`, `(?!`, `(?<=`, `(?<!`) are not supported; list the prefixes to own instead, or exclude names with `kafka.protect`".into()
    } else if detail.contains("backreference") {
        "backreferences (`\\1`) are not supported; write the repeated part out".into()
    } else if detail.contains("Unicode") || detail.contains("feature") {
        "Unicode classes are not supported (topic names are ASCII `[a-zA-Z0-9._-]`); use an ASCII class such as `[a-z0-9]`".into()
    } else if detail.contains("size limit") {
        "the expression is too large; split it into several entries".into()
    } else {
        detail
    }
}

impl PartialEq for Namespace {
    fn eq(&self, other: &Self) -> bool {
        self.entries().eq(other.entries())
    }
}

impl fmt::Debug for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.entries()).finish()
    }
}

impl fmt::Display for Namespace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries: Vec<String> = self.entries().map(|e| format!("`{e}`")).collect();
        f.write_str(&entries.join(", "))
    }
}

/// Names no file may delete or report as an orphan, whatever it owns:
/// Kafka's internal topics and those of the tools that live beside a
/// service on a cluster (Schema Registry, Kafka Streams, Connect,
/// MirrorMaker). Deleting one of them breaks a system the file knows
/// nothing of. Connect's names are configurable: a cluster that renames
/// them lists them in `kafka.protect`.
pub fn is_builtin_protected(name: &str) -> bool {
    name.starts_with('_')
        // Kafka Streams: state stores, repartitioning, and the
        // `<app>-KTABLE-FK-JOIN-SUBSCRIPTION-…-topic` family.
        || name.ends_with("-changelog")
        || name.ends_with("-repartition")
        || (name.ends_with("-topic") && (name.contains("-KTABLE-") || name.contains("-KSTREAM-")))
        || matches!(
            name,
            "connect-configs" | "connect-offsets" | "connect-status"
        )
        // MirrorMaker 2: its own topics and their replicas on other clusters.
        || name.starts_with("mm2-")
        || name == "heartbeats"
        || name.ends_with(".heartbeats")
        || name.ends_with(".internal")
}

/// What a file answers for: `kafka.owns` and `kafka.protect`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ownership {
    /// `None` when the file does not say: then it owns nothing, has no
    /// orphans and cannot prune.
    pub owns: Option<Namespace>,
    /// Names never deleted nor reported as orphans, whatever `owns` says.
    pub protect: Namespace,
    /// `kafka.protect_principals`: principals whose ACL bindings are never
    /// deleted nor reported as orphans.
    pub protect_principals: Vec<String>,
}

impl Ownership {
    /// Whether `name` is protected: built in, or by `kafka.protect`.
    pub fn is_protected(&self, name: &str) -> bool {
        is_builtin_protected(name) || self.protect.contains(name)
    }

    /// Whether the bindings of `principal` are protected from pruning.
    pub fn is_protected_principal(&self, principal: &str) -> bool {
        self.protect_principals.iter().any(|p| p == principal)
    }

    /// Whether `name` is inside `owns`.
    pub fn owns(&self, name: &str) -> bool {
        self.owns.as_ref().is_some_and(|o| o.contains(name))
    }

    /// Of `existing`, the topics inside `owns` that `declared` does not
    /// list and that are not protected, sorted by name.
    pub fn orphans<'a>(
        &self,
        declared: impl IntoIterator<Item = &'a str>,
        existing: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let declared: HashSet<&str> = declared.into_iter().collect();
        let mut orphans: Vec<String> = existing
            .into_iter()
            .filter(|n| self.owns(n) && !declared.contains(n) && !self.is_protected(n))
            .map(str::to_owned)
            .collect();
        orphans.sort();
        orphans.dedup();
        orphans
    }
}

impl Namespace {
    /// Whether every name starting with `prefix` is inside: some prefix
    /// entry is a prefix of it. Expressions never vouch for a prefix.
    pub fn contains_prefix(&self, prefix: &str) -> bool {
        self.prefixes().iter().any(|p| prefix.starts_with(p))
    }

    fn prefixes(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|p| match p {
                Pattern::Prefix(p) => Some(p.as_str()),
                Pattern::Regex { .. } => None,
            })
            .collect()
    }

    /// Whether some name can be in both namespaces, as far as the entries
    /// show without enumerating names: two prefixes overlap when one starts
    /// with the other; an expression overlaps a prefix it matches, or whose
    /// names it matches in `samples` (for files: what either declares).
    fn overlaps<'a>(&self, other: &Namespace, samples: impl Iterator<Item = &'a str>) -> bool {
        let (mine, theirs) = (self.prefixes(), other.prefixes());
        if mine
            .iter()
            .any(|p| theirs.iter().any(|q| p.starts_with(q) || q.starts_with(p)))
        {
            return true;
        }
        if mine.iter().any(|p| other.contains(p)) || theirs.iter().any(|q| self.contains(q)) {
            return true;
        }
        let mut samples = samples;
        samples.any(|n| self.contains(n) && other.contains(n))
    }
}

/// A file as the overlap check sees it: its name, what it owns and what it
/// declares.
pub struct OwnedFile<'a> {
    /// The file, for messages.
    pub path: &'a str,
    /// What it owns and protects.
    pub ownership: &'a Ownership,
    /// The names of the topics it declares.
    pub declared: Vec<&'a str>,
}

/// Files given together may not own overlapping namespaces, unless one of
/// them declares every topic the other declares (a file that declares
/// everything, beside a file that declares a part). One message per
/// offending pair, naming both files.
pub fn overlapping_ownership(files: &[OwnedFile<'_>]) -> Vec<String> {
    let mut problems = Vec::new();
    for (i, a) in files.iter().enumerate() {
        for b in &files[i + 1..] {
            let (Some(oa), Some(ob)) = (&a.ownership.owns, &b.ownership.owns) else {
                continue;
            };
            let samples = a.declared.iter().chain(&b.declared).copied();
            if !oa.overlaps(ob, samples) {
                continue;
            }
            // `x` declares every topic `y` declares.
            let covers =
                |x: &OwnedFile, y: &OwnedFile| y.declared.iter().all(|t| x.declared.contains(t));
            if covers(a, b) || covers(b, a) {
                continue;
            }
            problems.push(format!(
                "{} and {} own overlapping namespaces ({oa} and {ob}): pruning with one would delete the other's topics; narrow `owns` so that no name matches both, or declare all these topics in one file",
                a.path, b.path
            ));
        }
    }
    problems
}

/// A topic as the cluster has it: what `orphans` lists and `export` writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExistingTopic {
    /// The topic name.
    pub name: String,
    /// Its partition count.
    pub partitions: i32,
    /// Its replication factor (the largest replica set of its partitions).
    pub replication_factor: i32,
    /// Only the configs the topic itself sets (never broker or cluster
    /// defaults): what creating it again would need.
    pub configs: BTreeMap<String, String>,
    /// For an orphan: why it is in use, when it is (committed offsets, a
    /// recent record). Pruning keeps such a topic unless told otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_use: Option<InUse>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ns(entries: &[&str]) -> Namespace {
        Namespace::new(entries).unwrap()
    }

    #[test]
    fn prefixes_and_anchored_expressions() {
        let owns = ns(&["dc.", "^sys\\.config$", "^a|b"]);
        assert!(owns.contains("dc.workload"));
        assert!(!owns.contains("xdc.workload"));
        assert!(owns.contains("sys.config"));
        assert!(!owns.contains("sys.configs"));
        assert!(!owns.contains("my.sys.config"));
        // `^a|b` matches the whole name: `a` or `b`, nothing longer.
        assert!(owns.contains("a") && owns.contains("b"));
        assert!(!owns.contains("ab") && !owns.contains("xb"));
    }

    #[test]
    fn bad_entries_are_each_reported() {
        let errors = Namespace::new(["dc.", "", "^(", "  "]).unwrap_err();
        let indices: Vec<usize> = errors.iter().map(|e| e.index).collect();
        assert_eq!(indices, [1, 2, 3]);
        assert!(
            errors[1].message.contains("not a valid regular expression"),
            "{errors:?}"
        );
    }

    #[test]
    fn entries_that_match_every_name_are_refused() {
        for entry in [
            "^.*",
            "^.+",
            "^(a|.*)",
            "^[^_].*",
            "^[a-zA-Z0-9._-]*",
            "^(?s).*",
        ] {
            let errors = Namespace::new(["dc.", entry]).unwrap_err();
            assert_eq!(errors.len(), 1, "{entry}");
            assert_eq!(errors[0].index, 1);
            assert!(
                errors[0].message.contains("matches every topic name"),
                "{entry}: {}",
                errors[0].message
            );
        }
        // Wide but not everything.
        for entry in ["^[a-z].*", "^dc\\..*", "^.*\\.v2$"] {
            assert!(Namespace::new([entry]).is_ok(), "{entry}");
        }
    }

    #[test]
    fn regex_features_are_explained() {
        let message = |entry: &str| Namespace::new([entry]).unwrap_err()[0].message.clone();
        assert!(message("^(?!x).*").contains("look-ahead and look-behind"));
        assert!(message("^(a)\\1").contains("backreferences"));
    }

    #[test]
    fn builtin_protected_names() {
        for name in [
            "__consumer_offsets",
            "_schemas",
            "_confluent-metrics",
            "app-store-changelog",
            "app-agg-repartition",
            "connect-configs",
            "connect-offsets",
            "connect-status",
            "mm2-offset-syncs.b.internal",
            "heartbeats.internal",
            "app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic",
            "app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000012-topic",
            "app-KSTREAM-AGGREGATE-STATE-STORE-0000000003-repartition",
            "heartbeats",
            "us-east.heartbeats",
            "us-east.checkpoints.internal",
        ] {
            assert!(is_builtin_protected(name), "{name}");
        }
        for name in [
            "dc.workload",
            "connect-configs2",
            "changelog",
            "internal",
            "dc.topic",
            "dc.KTABLE-topic",
            "heartbeats2",
        ] {
            assert!(!is_builtin_protected(name), "{name}");
        }
    }

    #[test]
    fn orphans_are_owned_undeclared_and_unprotected() {
        let ownership = Ownership {
            owns: Some(ns(&["a.", "^_a\\..*"])),
            protect: ns(&["a.keep"]),
            ..Ownership::default()
        };
        let existing = [
            "a.1",
            "a.2",
            "a.keep.me",
            "a.x-changelog",
            "_a.hidden",
            "b.1",
            "__consumer_offsets",
        ];
        assert_eq!(ownership.orphans(["a.1"], existing), ["a.2"]);
        let none = Ownership::default();
        assert!(none.orphans([], existing).is_empty());
    }

    #[test]
    fn entries_that_only_match_protected_names() {
        let owns = ns(&[
            "__",
            "dc.",
            "^_schemas$",
            "mm2-",
            "^dc\\..*",
            "^(?:_x)",
            "^(_x|y)",
        ]);
        assert_eq!(owns.protected_only(), [0, 2, 3, 5]);
    }

    #[test]
    fn overlapping_namespaces_name_both_files() {
        let own = |entries: &[&str]| Ownership {
            owns: Some(ns(entries)),
            ..Ownership::default()
        };
        let (a, b, ab, re) = (
            own(&["a."]),
            own(&["b."]),
            own(&["a.b."]),
            own(&["^a\\.x.*"]),
        );
        let file = |path, ownership, declared: &[&'static str]| OwnedFile {
            path,
            ownership,
            declared: declared.to_vec(),
        };
        let disjoint = [file("a.yaml", &a, &["a.1"]), file("b.yaml", &b, &["b.1"])];
        assert!(overlapping_ownership(&disjoint).is_empty());

        let nested = [
            file("a.yaml", &a, &["a.1"]),
            file("ab.yaml", &ab, &["a.b.1"]),
        ];
        let problems = overlapping_ownership(&nested);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].starts_with("a.yaml and ab.yaml own overlapping namespaces"));

        // `a.yaml` declares all of `ab.yaml`'s topics: allowed.
        let covered = [
            file("a.yaml", &a, &["a.1", "a.b.1"]),
            file("ab.yaml", &ab, &["a.b.1"]),
        ];
        assert!(overlapping_ownership(&covered).is_empty());

        // An expression that matches the other's prefix or declared topics.
        let regex = [
            file("a.yaml", &a, &["a.1"]),
            file("re.yaml", &re, &["a.x1"]),
        ];
        assert_eq!(overlapping_ownership(&regex).len(), 1);
    }
}
