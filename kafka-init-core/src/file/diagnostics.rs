//! What is wrong with a file: each problem with its place.

use std::fmt;
use std::path::PathBuf;

use crate::source_map::Pos;

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
    pub(crate) fn at(pos: Pos, message: impl Into<String>) -> Problem {
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
    pub(super) fn of_policy(mut self) -> FileError {
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
