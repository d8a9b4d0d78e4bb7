//! The errors `ensure_topics` returns.

use std::time::Duration;

use crate::file::FileError;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    File(#[from] FileError),

    /// No broker answered before the deadline.
    #[error("Kafka at {bootstrap} did not answer within {waited:.1?}: {last_error}")]
    Unreachable {
        bootstrap: String,
        waited: Duration,
        last_error: String,
    },

    /// The broker refused an operation on one topic.
    #[error("topic `{topic}`: {operation} failed: {code} ({message})")]
    Topic {
        topic: String,
        operation: &'static str,
        /// Kafka's error name, e.g. `INVALID_CONFIG`.
        code: String,
        message: String,
    },

    /// Several topics failed; each is listed.
    #[error("{} topics failed:\n{}", .0.len(), .0.iter().map(|e| format!("  {e}")).collect::<Vec<_>>().join("\n"))]
    Topics(Vec<Error>),

    /// The client could not be built or a request failed as a whole.
    #[error("{context}: {message}")]
    Client {
        context: &'static str,
        message: String,
    },

    /// The overall deadline passed while a phase was still running.
    #[error("deadline of {timeout:.1?} passed while {phase}")]
    Deadline {
        timeout: Duration,
        phase: &'static str,
    },
}
