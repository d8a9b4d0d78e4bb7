//! What is wrong with a file: each problem with its place.

use std::fmt;
use std::path::PathBuf;

use super::parse::{DuplicateKey, Pos};

/// Everything wrong with a file, each problem with its place in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    /// The file the problems are in (or the policy file, for its own).
    pub path: PathBuf,
    /// Every problem, in file order.
    pub problems: Vec<Problem>,
    /// The problems of further files, when several were loaded together
    /// ([`crate::TopicFile::load_all`]).
    pub others: Vec<FileError>,
}

/// One problem in a file. `line` and `column` are 1-based; 0 means the
/// problem has no place (the file could not be read at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// 1-based line; 0 when the problem has no place in the file.
    pub line: usize,
    /// 1-based column; 0 likewise.
    pub column: usize,
    /// What is wrong, naming the key and the value.
    pub message: String,
    /// Where in the precedence of the file the problem comes from.
    pub layer: Layer,
    /// An error (the file is refused) or a warning (accepted, reported).
    pub severity: Severity,
}

/// The level of a file a problem comes from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Layer {
    /// The base file: its topics, `owns`, `client`, its YAML.
    #[default]
    Base,
    /// `kafka.defaults`, shared by every topic.
    Defaults,
    /// The profile of this name: its `defaults`, `topics` or `policy`.
    Profile(String),
    /// A policy rule is broken, or a policy itself is: the platform's
    /// verdict rather than Kafka's (`plan` exits 3 on it, not 1).
    Policy,
}

/// Whether a problem stops the file from loading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Severity {
    /// The file is refused.
    #[default]
    Error,
    /// Kafka accepts it, but it is likely a mistake (`min.insync.replicas`
    /// above the replication factor). A policy's `warnings: error` makes
    /// it an error.
    Warning,
}

impl Problem {
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> Problem {
        Problem {
            line: pos.line,
            column: pos.column,
            message: message.into(),
            layer: Layer::Base,
            severity: Severity::Error,
        }
    }

    pub(crate) fn in_layer(self, layer: Layer) -> Problem {
        Problem { layer, ..self }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let warning = match self.severity {
            Severity::Warning => "warning: ",
            Severity::Error => "",
        };
        if self.line == 0 {
            write!(f, "{warning}{}", self.message)
        } else {
            write!(
                f,
                "{}:{}: {warning}{}",
                self.line, self.column, self.message
            )
        }
    }
}

/// A warning of a loaded file: `path:line:column: warning: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file the warning is about.
    pub path: PathBuf,
    /// The warning, with its place and layer.
    pub problem: Problem,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.problem.line == 0 { ": " } else { ":" };
        write!(f, "{}{sep}{}", self.path.display(), self.problem)
    }
}

impl FileError {
    /// One problem of the file as a whole, at no line (it cannot be read;
    /// a compiled-in value is unusable at run time).
    pub(crate) fn unplaced(path: impl Into<PathBuf>, message: String) -> FileError {
        FileError {
            path: path.into(),
            problems: vec![Problem {
                layer: Default::default(),
                severity: Default::default(),
                line: 0,
                column: 0,
                message,
            }],
            others: Vec::new(),
        }
    }

    /// Whether a policy is broken (a rule by a topic, or the policy's own
    /// text), in this file or any other loaded with it.
    pub(super) fn of_policy(mut self) -> FileError {
        for p in &mut self.problems {
            p.layer = Layer::Policy;
        }
        self
    }

    /// Whether the problems come from a policy (the platform's rules)
    /// rather than from the file's own mistakes.
    pub fn breaks_policy(&self) -> bool {
        self.problems.iter().any(|p| p.layer == Layer::Policy)
            || self.others.iter().any(FileError::breaks_policy)
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

/// A key written twice in one mapping, said at the second.
pub(super) fn duplicate_message(d: &DuplicateKey) -> String {
    let (key, parent) = d.path.split_last().expect("a key has a path");
    let within = if parent.is_empty() {
        "the top level".to_owned()
    } else {
        format!("`{}`", parent.join("."))
    };
    format!(
        "key `{key}` appears twice in {within} (first at line {}, column {}); YAML would keep only one",
        d.first.line, d.first.column
    )
}
