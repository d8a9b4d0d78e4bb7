//! The errors `plan`, `apply`, `ensure_topics` and `wait_for_cluster`
//! return: one variant per kind of failure, each with what a caller needs
//! to act on it. No variant carries a client library's type.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::time::Duration;

use crate::file::FileError;
use crate::plan::{Plan, PlannedAction, Refusal};
use crate::spec::{TopicSpec, UnknownProfile};
use crate::validate;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The topic file cannot be read or has problems.
    #[error(transparent)]
    File(#[from] FileError),

    /// The topic list itself breaks a rule, before the cluster is asked.
    /// The message names the topic.
    #[error("{message}")]
    Invalid { topic: String, message: String },

    /// librdkafka refused the client properties (an unknown key, a value it
    /// cannot parse), so no client was built. The message names the
    /// property and never shows a secret value.
    #[error("cannot create Kafka client: {message}")]
    ClientSettings { message: String },

    /// An environment variable holds a value that cannot be used.
    #[error("{variable}: {message}")]
    Setting {
        variable: &'static str,
        message: String,
    },

    /// `--profile`, `KAFKA_INIT_PROFILE` or [`crate::EnsureOptions::profile`]
    /// names a profile the topic file does not declare.
    #[error(transparent)]
    UnknownProfile(#[from] UnknownProfile),

    /// Neither the environment nor the topic file names a broker.
    #[error(
        "no Kafka bootstrap servers: set KAFKA_BOOTSTRAP_SERVERS or `kafka.bootstrap_servers` in the topic file"
    )]
    NoBootstrapServers,

    /// No broker answered before the deadline.
    #[error("Kafka at {bootstrap} did not answer within {waited:.1?}: {last_error}")]
    Unreachable {
        bootstrap: String,
        waited: Duration,
        last_error: String,
    },

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

    /// The broker refused a request as a whole, for every topic in it.
    #[error("{phase}: {code}: {message}")]
    Request {
        /// What the run was doing: `creating topics`.
        phase: &'static str,
        /// Kafka's (or librdkafka's, `_`-prefixed) error name.
        code: String,
        message: String,
    },

    /// Pruning, `orphans` or `export` without a namespace to work in.
    #[error(
        "{operation} needs `kafka.owns` (the namespace the file answers for); nothing was sent"
    )]
    NoOwnership { operation: &'static str },

    /// Pruning would delete more topics than allowed; nothing was changed.
    #[error(
        "refused: pruning would delete {} topic(s), more than the {max} allowed (raise --max-deletions if that is meant); nothing was changed: {}",
        .orphans.len(),
        .orphans.join(", ")
    )]
    TooManyDeletions { orphans: Vec<String>, max: usize },

    /// Problems found before anything was changed; each is listed. The
    /// cluster is exactly as it was.
    #[error("nothing was changed; {} problem(s):\n{}", .0.len(), list(.0))]
    Rejected(Vec<Error>),

    /// Several topics failed while changes were being applied; each is listed.
    #[error("{} topics failed:\n{}", .0.len(), list(.0))]
    Topics(Vec<Error>),

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

/// Checks the rules a topic list must meet before the cluster is asked
/// anything: the same validator the file loader and `include_topics!` run,
/// so hand-built specs get the same checks. Every problem is reported;
/// warnings (what the broker accepts) are the loader's to report.
pub(crate) fn check(specs: &[TopicSpec]) -> Result<(), Error> {
    let problems: Vec<Error> = validate::topics(specs)
        .into_iter()
        .filter(|issue| !issue.warning)
        .map(|issue| Error::Invalid {
            topic: specs[issue.topic].name.to_string(),
            message: issue.message,
        })
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(problems))
    }
}

impl Error {
    /// Every refusal in `plan`, as errors naming their topic. (The plan
    /// itself knows nothing of errors.)
    pub fn refusals(plan: &Plan) -> Vec<Error> {
        plan.topics
            .iter()
            .flat_map(|t| match &t.action {
                PlannedAction::Refused { reasons } => reasons
                    .iter()
                    .map(|r| Error::Refused {
                        topic: t.name.clone(),
                        refusal: *r,
                    })
                    .collect(),
                _ => Vec::new(),
            })
            .collect()
    }
}
