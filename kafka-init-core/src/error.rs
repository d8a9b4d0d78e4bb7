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

/// Why a run, a plan or a file failed: one variant per kind of failure.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The topic file cannot be read or has problems.
    #[error(transparent)]
    File(#[from] FileError),

    /// The topic list itself breaks a rule, before the cluster is asked.
    /// The message names the topic.
    #[error("{message}")]
    Invalid {
        /// The topic the problem is about.
        topic: String,
        /// What is wrong, naming the topic.
        message: String,
    },

    /// librdkafka refused the client properties (an unknown key, a value it
    /// cannot parse), so no client was built. The message names the
    /// property and never shows a secret value.
    #[error("cannot create Kafka client: {message}")]
    ClientSettings {
        /// The property refused and why, never its value.
        message: String,
    },

    /// An environment variable holds a value that cannot be used.
    #[error("{variable}: {message}")]
    Setting {
        /// The variable, e.g. `KAFKA_INIT_TIMEOUT`.
        variable: &'static str,
        /// What is wrong with its value.
        message: String,
    },

    /// `--profile`, `KAFKA_INIT_PROFILE` or [`crate::TopicFile::topics_for`]
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
        /// The bootstrap servers asked.
        bootstrap: String,
        /// How long the run waited.
        waited: Duration,
        /// The client's last complaint, e.g. a refused connection.
        last_error: String,
    },

    /// The brokers refused the connection's credentials (a failed TLS
    /// handshake, a client certificate they do not accept, refused SASL
    /// credentials or token) and kept refusing for the broker grace, or
    /// until the deadline when that came first. Names the listener, the
    /// security protocol and mechanism, the user or certificate subject and
    /// librdkafka's reason; never a password, pass phrase or token.
    #[error("authentication failed at {listener} ({login}) for {waited:.1?}: {reason}")]
    Authentication {
        /// The broker address that refused, `host:port`.
        listener: String,
        /// Protocol, mechanism and who logs in: `SASL_SSL, SCRAM-SHA-512,
        /// user svc`; `SSL, certificate CN=svc`.
        login: String,
        /// Since the run started.
        waited: Duration,
        /// librdkafka's reason, with any secret value shown as `***`.
        reason: String,
    },

    /// The file asks for a change kafka-init never makes.
    #[error("topic `{topic}`: refused: {refusal}")]
    Refused {
        /// The topic.
        topic: String,
        /// The change refused, with the topic's and the file's values.
        refusal: Refusal,
    },

    /// The broker refused an operation on one topic.
    #[error("topic `{topic}`: {operation} failed: {code} ({message})")]
    Topic {
        /// The topic refused.
        topic: String,
        /// What was refused: `create`, `alter configs`, `add partitions`, `delete`, `list offsets`.
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
        /// The broker's (or client's) message.
        message: String,
    },

    /// Pruning, `orphans` or `export` without a namespace to work in.
    #[error(
        "{operation} needs `kafka.owns` (the namespace the file answers for); nothing was sent"
    )]
    NoOwnership {
        /// What needed it: `pruning`, `listing orphans`, `exporting`.
        operation: &'static str,
    },

    /// Pruning would delete more topics than allowed; nothing was changed.
    #[error(
        "refused: pruning would delete {} topic(s), more than the {max} allowed (raise --max-deletions if that is meant); nothing was changed: {}",
        .orphans.len(),
        .orphans.join(", ")
    )]
    TooManyDeletions {
        /// The orphans the run would delete.
        orphans: Vec<String>,
        /// The most it may delete (`--max-deletions`).
        max: usize,
    },

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
        /// The deadline of the run.
        timeout: Duration,
        /// What the run was doing: `creating topics`.
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
    /// This error and every error it lists (a [`Error::Rejected`] or
    /// [`Error::Topics`] names one per topic), depth first: the flat list
    /// a caller walks to decide per topic.
    pub fn errors(&self) -> Vec<&Error> {
        match self {
            Error::Rejected(all) | Error::Topics(all) => {
                all.iter().flat_map(Error::errors).collect()
            }
            other => vec![other],
        }
    }

    /// The topic this error is about, when it is about one.
    pub fn topic(&self) -> Option<&str> {
        match self {
            Error::Invalid { topic, .. }
            | Error::Refused { topic, .. }
            | Error::Topic { topic, .. } => Some(topic),
            _ => None,
        }
    }

    /// Kafka's name for the error code the broker (or the client, for
    /// names starting with `_`) answered with, e.g. `INVALID_CONFIG`.
    pub fn code(&self) -> Option<&str> {
        match self {
            Error::Topic { code, .. } | Error::Request { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the principal lacks a right (an ACL) for what failed: asking
    /// again will not help until someone grants it.
    pub fn is_authorization(&self) -> bool {
        self.errors().iter().any(|e| {
            e.code()
                .is_some_and(|c| c.ends_with("_AUTHORIZATION_FAILED"))
        })
    }

    /// Whether the same call may succeed later unchanged: the cluster did not
    /// answer in time, or answered with a code that may change by waiting
    /// (a cluster still starting, a leader moving). False for every problem
    /// of the input and for every refusal.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Unreachable { .. } | Error::Deadline { .. } => true,
            Error::Topic { code, .. } | Error::Request { code, .. } => {
                RETRIABLE.contains(&code.as_str())
            }
            Error::Topics(all) => !all.is_empty() && all.iter().all(Error::is_retriable),
            _ => false,
        }
    }
}

/// Kafka's names of the codes waiting may change.
const RETRIABLE: &[&str] = &[
    "NOT_CONTROLLER",
    "REQUEST_TIMED_OUT",
    "THROTTLING_QUOTA_EXCEEDED",
    "LEADER_NOT_AVAILABLE",
    "NOT_LEADER_OR_FOLLOWER",
    "BROKER_NOT_AVAILABLE",
    "NETWORK_EXCEPTION",
    "NOT_ENOUGH_REPLICAS",
    "UNKNOWN_TOPIC_OR_PARTITION",
    "_TIMED_OUT",
    "_TRANSPORT",
    "_ALL_BROKERS_DOWN",
];

impl Plan {
    /// Every refusal in the plan, as errors naming their topic.
    pub fn refusals(&self) -> Vec<Error> {
        self.topics
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

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(code: &str) -> Error {
        Error::Topic {
            topic: "t".into(),
            operation: "create",
            code: code.into(),
            message: String::new(),
        }
    }

    #[test]
    fn callers_decide_from_flat_typed_answers() {
        let err = Error::Rejected(vec![
            topic("TOPIC_AUTHORIZATION_FAILED"),
            Error::Topics(vec![topic("INVALID_CONFIG")]),
        ]);
        let codes: Vec<_> = err.errors().iter().filter_map(|e| e.code()).collect();
        assert_eq!(codes, ["TOPIC_AUTHORIZATION_FAILED", "INVALID_CONFIG"]);
        assert!(err.is_authorization());
        assert!(!err.is_retriable());
        assert_eq!(topic("INVALID_CONFIG").topic(), Some("t"));
        assert!(topic("NOT_CONTROLLER").is_retriable());
        assert!(
            Error::Topics(vec![topic("NOT_CONTROLLER"), topic("REQUEST_TIMED_OUT")]).is_retriable()
        );
        assert!(!Error::NoBootstrapServers.is_retriable());
    }
}
