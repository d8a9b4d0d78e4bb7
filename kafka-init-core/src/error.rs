//! The errors `plan`, `apply` and `ensure_topics` return.

use std::time::Duration;

use crate::file::FileError;
use crate::plan::Refusal;

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

    /// The topic list itself breaks a rule, before the cluster is asked.
    /// The message names the topic.
    #[error("{message}")]
    Invalid { topic: String, message: String },

    /// The file asks for a change kafka-init never makes.
    #[error("topic `{topic}`: refused: {refusal}")]
    Refused { topic: String, refusal: Refusal },

    /// The broker refused an operation on one topic.
    #[error("topic `{topic}`: {operation} failed: {code} ({message})")]
    Topic {
        topic: String,
        operation: &'static str,
        /// Kafka's error name, e.g. `INVALID_CONFIG`.
        code: String,
        /// The broker's message, e.g. `Unknown topic config name: foo`.
        message: String,
    },

    /// Problems found before anything was changed; each is listed. The
    /// cluster is exactly as it was.
    #[error("nothing was changed; {} problem(s):\n{}", .0.len(), list(.0))]
    Rejected(Vec<Error>),

    /// Several topics failed while changes were being applied; each is listed.
    #[error("{} topics failed:\n{}", .0.len(), list(.0))]
    Topics(Vec<Error>),

    /// The client could not be built or a request failed as a whole.
    #[error("{context}: {message}")]
    Client {
        context: &'static str,
        message: String,
    },

    /// The overall deadline passed while a phase was still running.
    #[error("deadline of {timeout:.1?} passed while {phase}: {last_error}")]
    Deadline {
        timeout: Duration,
        phase: &'static str,
        /// Why the last attempt did not finish the phase.
        last_error: String,
    },
}

fn list(errors: &[Error]) -> String {
    errors
        .iter()
        .map(|e| format!("  {e}"))
        .collect::<Vec<_>>()
        .join("\n")
}
