//! A file read as far as it goes: the topic file so far, every problem
//! (each recorded once, in its layer), the tree it was read from.

use std::collections::HashSet;

use serde_yaml::Mapping;

use super::diagnostics::{duplicate_message, FileError, Layer, Problem, Severity};
use super::parse::{scalar_key, Tree};
use super::topic_file::TopicFile;
use crate::policy::Policy;

/// A file read as far as it goes: every topic that could be decoded, every
/// problem, and the places of things (what `include_topics!` needs to
/// generate code and a fallback).
pub(crate) struct Parsed<'t> {
    pub file: TopicFile,
    pub problems: Vec<Problem>,
    /// What Kafka accepts but is likely a mistake; errors under a policy
    /// with `warnings: error`.
    pub(super) warnings: Vec<Problem>,
    /// Problems at a value every topic shares (`defaults`), each reported
    /// once whatever the number of topics that inherit it.
    pub(super) shared: HashSet<(usize, usize, String)>,
    pub(super) text: &'t str,
    /// A policy from outside the file (`--policy`), applied with the file's
    /// own, the stricter of each rule winning.
    pub(super) external: Option<Policy>,
    /// The file's own `kafka.policy`.
    pub(super) own_policy: Policy,
    /// Each profile's own `policy`, by profile name (for its access).
    pub(super) profile_policies: Vec<(String, Policy)>,
    /// The parsed text: values are read from it, places looked up in it.
    /// `None` only for a file joined from several (no text of its own).
    pub(super) map: Option<Tree>,
}

impl Parsed<'_> {
    /// A file joined from several ([`crate::files`]): no text of its own,
    /// so places it would look up are 1:1.
    #[cfg(feature = "codegen")]
    pub(crate) fn joined(file: TopicFile) -> Parsed<'static> {
        Parsed {
            file,
            problems: Vec::new(),
            warnings: Vec::new(),
            shared: HashSet::new(),
            text: "",
            external: None,
            own_policy: Policy::default(),
            profile_policies: Vec::new(),
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

    /// Where things are in the text (a joined file has none: 1:1).
    pub(crate) fn source_map(&mut self) -> &Tree {
        let text = self.text;
        self.map
            .get_or_insert_with(|| Tree::parse(text).unwrap_or_default())
    }

    pub(super) fn duplicate_problems(&mut self) {
        let found: Vec<Problem> = self
            .source_map()
            .duplicates
            .iter()
            .map(|d| Problem::at(d.second, duplicate_message(d)))
            .collect();
        self.problems.extend(found);
    }

    pub(super) fn problem_key(&mut self, path: &[&str], message: String) {
        let pos = self.source_map().key(path);
        self.push(path, Problem::at(pos, message), true);
    }

    pub(super) fn problem_value(&mut self, path: &[&str], message: String) {
        let pos = self.source_map().value(path);
        self.push(path, Problem::at(pos, message), true);
    }

    /// Records `problem`, found at `path`, in the layer `path` is in. A
    /// problem of one topic's value that sits in a `defaults` mapping is
    /// that mapping's (when `shared`: it depends on that value alone), and
    /// is reported once, not once per topic that inherits it.
    pub(super) fn push(&mut self, path: &[&str], mut problem: Problem, shared: bool) {
        let (layer, defaults) = match path {
            ["kafka", "defaults", ..] => (Layer::Defaults, "kafka.defaults: "),
            ["kafka", "profiles", name, rest @ ..] => (
                Layer::Profile((*name).to_owned()),
                if rest.first() == Some(&"defaults") {
                    "defaults: "
                } else {
                    ""
                },
            ),
            _ => (Layer::Base, ""),
        };
        if problem.layer == Layer::Base {
            problem.layer = layer;
        }
        if shared && !defaults.is_empty() {
            if let Some(rest) = topic_label_end(&problem.message) {
                problem.message = format!("{defaults}{}", &problem.message[rest..]);
            }
            let key = (problem.line, problem.column, problem.message.clone());
            if !self.shared.insert(key) {
                return;
            }
        }
        match problem.severity {
            Severity::Error => self.problems.push(problem),
            Severity::Warning => self.warnings.push(problem),
        }
    }

    pub(super) fn unknown_keys(
        &mut self,
        mapping: &Mapping,
        path: &[&str],
        known: &[&str],
        prefix: &str,
    ) {
        for k in mapping.keys() {
            let Some(key) = scalar_key(k) else { continue };
            if known.contains(&key.as_str()) {
                continue;
            }
            let hint = crate::hint::unknown(&key, known, "expected");
            let full = [path, &[key.as_str()]].concat();
            self.problem_key(&full, format!("{prefix}unknown key `{key}`{hint}"));
        }
    }
}

/// Where the message starts after a leading "topic `x`: ", if it has one.
fn topic_label_end(message: &str) -> Option<usize> {
    let rest = message.strip_prefix("topic ")?;
    let rest_at = message.len() - rest.len();
    let end = if let Some(quoted) = rest.strip_prefix('`') {
        quoted.find("`: ")? + 1 + "`: ".len()
    } else {
        rest.find(": ")? + ": ".len()
    };
    Some(rest_at + end)
}
