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

    /// Access entries given in code ([`crate::EnsureOptions::access`])
    /// break the rules a topic file's `kafka.access` is held to; each is
    /// listed. Nothing was sent.
    #[error("invalid access; nothing was sent; {} problem(s):\n{}", .problems.len(), .problems.iter().map(|p| format!("  {p}")).collect::<Vec<_>>().join("\n"))]
    InvalidAccess {
        /// What is wrong, each naming its entry.
        problems: Vec<String>,
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

    /// Problems found before anything was changed, one per topic and
    /// problem. The cluster is exactly as it was.
    #[error("nothing was changed; {} problem(s):\n{}", .problems.len(), list(.problems))]
    Rejected {
        /// Every problem found: invalid topics, refused changes, changes
        /// the brokers refused when asked to validate them.
        problems: Vec<TopicProblem>,
    },

    /// The brokers refused operations on topics while changes were being
    /// applied, one entry per topic and operation; the other topics' changes
    /// may have been made.
    #[error("{}", failed(.failures))]
    Topics {
        /// Every refusal, each naming its topic and operation.
        failures: Vec<TopicProblem>,
    },

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

fn list(problems: &[TopicProblem]) -> String {
    problems
        .iter()
        .map(|p| format!("  {p}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// One failure reads as itself; several are counted and listed.
fn failed(failures: &[TopicProblem]) -> String {
    match failures {
        [one] => one.to_string(),
        all => format!("{} topics failed:\n{}", all.len(), list(all)),
    }
}

/// One problem with one topic: which topic, and what kind of problem.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TopicProblem {
    /// The topic the problem is about.
    pub topic: String,
    /// What is wrong, with what a caller needs to act on it.
    pub kind: ProblemKind,
}

/// What kind of problem a [`TopicProblem`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProblemKind {
    /// The topic list breaks a rule, before the cluster is asked.
    Invalid {
        /// What is wrong, naming the topic.
        message: String,
    },
    /// The file asks for a change kafka-init never makes.
    Refused(Refusal),
    /// The broker refused an operation on the topic.
    Broker {
        /// What was refused: `create`, `alter configs`, `add partitions`,
        /// `delete`, `list offsets`, `describe configs`, `read metadata`.
        operation: &'static str,
        /// Kafka's error name, e.g. `INVALID_CONFIG`.
        code: String,
        /// The broker's message, e.g. `Unknown topic config name: foo`.
        message: String,
    },
}

impl std::fmt::Display for TopicProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let topic = &self.topic;
        match &self.kind {
            // The validator's messages name the topic themselves.
            ProblemKind::Invalid { message } => f.write_str(message),
            ProblemKind::Refused(refusal) => write!(f, "topic `{topic}`: refused: {refusal}"),
            ProblemKind::Broker {
                operation,
                code,
                message,
            } => write!(f, "topic `{topic}`: {operation} failed: {code} ({message})"),
        }
    }
}

impl std::error::Error for TopicProblem {}

impl TopicProblem {
    pub(crate) fn invalid(topic: impl Into<String>, message: String) -> TopicProblem {
        TopicProblem {
            topic: topic.into(),
            kind: ProblemKind::Invalid { message },
        }
    }

    pub(crate) fn broker(
        topic: impl Into<String>,
        operation: &'static str,
        code: String,
        message: String,
    ) -> TopicProblem {
        TopicProblem {
            topic: topic.into(),
            kind: ProblemKind::Broker {
                operation,
                code,
                message,
            },
        }
    }

    /// Kafka's name for the error code the broker answered with, e.g.
    /// `TOPIC_AUTHORIZATION_FAILED`; none for a problem of the file.
    pub fn code(&self) -> Option<&str> {
        match &self.kind {
            ProblemKind::Broker { code, .. } => Some(code),
            _ => None,
        }
    }

    /// Whether the principal lacks a right (an ACL) on the topic: asking
    /// again will not help until someone grants it.
    pub fn is_authorization(&self) -> bool {
        self.code().is_some_and(is_authorization)
    }

    /// Whether the same operation may succeed later unchanged: the broker's
    /// code may change by waiting. False for every problem of the file and
    /// every refusal.
    pub fn is_retriable(&self) -> bool {
        self.code().is_some_and(is_retriable)
    }
}

/// Checks the rules a topic list must meet before the cluster is asked
/// anything: the same validator the file loader and `include_topics!` run,
/// so hand-built specs get the same checks. Every problem is reported;
/// warnings (what the broker accepts) are the loader's to report.
pub(crate) fn check(specs: &[TopicSpec]) -> Result<(), Error> {
    let problems: Vec<TopicProblem> = validate::topics(specs)
        .into_iter()
        .filter(|issue| !issue.warning)
        .map(|issue| TopicProblem::invalid(specs[issue.topic].name.to_string(), issue.message))
        .collect();
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected { problems })
    }
}

impl Error {
    /// The per-topic problems this error lists: those of
    /// [`Error::Rejected`] and [`Error::Topics`]; none for any other.
    pub fn problems(&self) -> &[TopicProblem] {
        match self {
            Error::Rejected { problems } => problems,
            Error::Topics { failures } => failures,
            _ => &[],
        }
    }

    /// Whether the principal lacks a right (an ACL) for what failed, on a
    /// topic or for a whole request: asking again will not help until
    /// someone grants it.
    pub fn is_authorization(&self) -> bool {
        match self {
            Error::Request { code, .. } => is_authorization(code),
            other => other.problems().iter().any(TopicProblem::is_authorization),
        }
    }

    /// Whether the same call may succeed later unchanged: the cluster did not
    /// answer in time, or answered with codes that may change by waiting
    /// (a cluster still starting, a leader moving). False for every problem
    /// of the input and for every refusal.
    pub fn is_retriable(&self) -> bool {
        match self {
            Error::Unreachable { .. } | Error::Deadline { .. } => true,
            Error::Request { code, .. } => is_retriable(code),
            other => {
                let problems = other.problems();
                !problems.is_empty() && problems.iter().all(TopicProblem::is_retriable)
            }
        }
    }
}

fn is_authorization(code: &str) -> bool {
    code.ends_with("_AUTHORIZATION_FAILED")
}

fn is_retriable(code: &str) -> bool {
    RETRIABLE.contains(&code)
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
    /// Every refusal in the plan, each naming its topic.
    pub fn refusals(&self) -> Vec<TopicProblem> {
        self.topics
            .iter()
            .flat_map(|t| match &t.action {
                PlannedAction::Refused { reasons } => reasons
                    .iter()
                    .map(|r| TopicProblem {
                        topic: t.name.clone(),
                        kind: ProblemKind::Refused(*r),
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

    fn failed(code: &str) -> TopicProblem {
        TopicProblem::broker("t", "create", code.into(), "why".into())
    }

    #[test]
    fn callers_decide_from_flat_typed_answers() {
        let err = Error::Rejected {
            problems: vec![
                failed("TOPIC_AUTHORIZATION_FAILED"),
                TopicProblem::invalid("u", "topic `u`: bad".into()),
            ],
        };
        let codes: Vec<_> = err.problems().iter().map(TopicProblem::code).collect();
        assert_eq!(codes, [Some("TOPIC_AUTHORIZATION_FAILED"), None]);
        assert!(err.is_authorization());
        assert!(!err.is_retriable());
        assert_eq!(err.problems()[1].topic, "u");
        assert!(failed("NOT_CONTROLLER").is_retriable());
        let retriable = Error::Topics {
            failures: vec![failed("NOT_CONTROLLER"), failed("REQUEST_TIMED_OUT")],
        };
        assert!(retriable.is_retriable());
        assert!(!Error::Topics { failures: vec![] }.is_retriable());
        assert!(!Error::NoBootstrapServers.is_retriable());
        assert!(Error::NoBootstrapServers.problems().is_empty());
    }

    #[test]
    fn one_failure_reads_as_itself() {
        let one = Error::Topics {
            failures: vec![failed("INVALID_CONFIG")],
        };
        assert_eq!(
            one.to_string(),
            "topic `t`: create failed: INVALID_CONFIG (why)"
        );
        let two = Error::Topics {
            failures: vec![failed("INVALID_CONFIG"), failed("POLICY_VIOLATION")],
        };
        assert!(two.to_string().starts_with("2 topics failed:\n  topic `t`"));
    }
}
