//! Exit codes. Any failure is non-zero (the reference design's contract:
//! compose's `service_completed_successfully` only looks for 0); the finer
//! codes tell scripts why.

use kafka_init_core::{Error, ProblemKind, UnknownProfile};

pub const SUCCESS: u8 = 0;
/// Any other failure; also every error of `plan`.
pub const FAILURE: u8 = 1;
/// `plan` only: the cluster does not match the file yet.
pub const CHANGES_PENDING: u8 = 2;
/// The file, a flag or a client setting is invalid; nothing was sent.
pub const INVALID: u8 = 3;
/// Kafka did not answer within the deadline.
pub const UNREACHABLE: u8 = 4;
/// An unsafe change was refused (fewer partitions, another replication
/// factor); nothing was changed.
pub const REFUSED: u8 = 5;
/// The brokers refused the credentials (TLS handshake, client certificate,
/// SASL login) for the whole broker grace.
pub const AUTHENTICATION: u8 = 6;

/// Why a run failed, and its exit code.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
    /// What `apply` logs first: `Topic creation failed` only when a create
    /// failed.
    pub headline: &'static str,
    /// The `--output json` document was already printed, with the error in
    /// it: one document per run.
    pub reported: bool,
    /// Keeps its code under `plan`, whose errors are otherwise all 1: a
    /// guard that refuses before anything is sent, as under `apply`.
    pub before_sending: bool,
}

impl Failure {
    pub fn new(code: u8, message: impl Into<String>) -> Failure {
        Failure {
            code,
            message: message.into(),
            headline: "Run failed",
            reported: false,
            before_sending: false,
        }
    }

    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            headline: "Invalid input; nothing was sent",
            ..Failure::new(INVALID, message)
        }
    }

    /// `plan` reports every error as 1, as its contract says, but for the
    /// guards that refuse before anything is sent (`--prune` without
    /// `kafka.owns`: 3, as for `apply`).
    pub fn for_plan(self) -> Failure {
        if self.before_sending {
            return self;
        }
        Failure {
            code: FAILURE,
            ..self
        }
    }
}

impl From<UnknownProfile> for Failure {
    fn from(e: UnknownProfile) -> Failure {
        Error::from(e).into()
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure {
            headline: headline_of(&e),
            before_sending: matches!(e, Error::NoOwnership { .. } | Error::InvalidAccess { .. }),
            ..Failure::new(code_of(&e), e.to_string())
        }
    }
}

/// The first line `apply` logs for `e`: what kind of step failed.
fn headline_of(e: &Error) -> &'static str {
    let failed = |op: &str| match e {
        Error::Request { phase, .. } => match op {
            "create" => *phase == "creating topics",
            "delete" => *phase == "deleting topics",
            _ => false,
        },
        _ => e
            .problems()
            .iter()
            .any(|p| matches!(&p.kind, ProblemKind::Broker { operation, .. } if *operation == op)),
    };
    if failed("create") {
        "Topic creation failed"
    } else if failed("alter configs") || failed("add partitions") {
        "Topic update failed"
    } else if failed("delete") {
        "Pruning failed"
    } else {
        match code_of(e) {
            INVALID => "Invalid input; nothing was sent",
            UNREACHABLE => "Kafka did not answer",
            REFUSED => "Refused; nothing was changed",
            _ => "Run failed",
        }
    }
}

fn code_of(e: &Error) -> u8 {
    match e {
        // Raised before anything is sent.
        Error::File(_)
        | Error::ClientSettings { .. }
        | Error::Setting { .. }
        | Error::UnknownProfile(_)
        | Error::NoBootstrapServers
        | Error::NoOwnership { .. }
        | Error::InvalidAccess { .. } => INVALID,
        Error::Unreachable { .. } => UNREACHABLE,
        Error::Authentication { .. } => AUTHENTICATION,
        Error::TooManyDeletions { .. } => REFUSED,
        Error::Rejected { problems } => {
            if problems
                .iter()
                .any(|p| matches!(p.kind, ProblemKind::Refused(_)))
            {
                REFUSED
            } else if problems
                .iter()
                .all(|p| matches!(p.kind, ProblemKind::Invalid { .. }))
            {
                INVALID
            } else {
                FAILURE
            }
        }
        Error::Request { .. } | Error::Topics { .. } | Error::Deadline { .. } => FAILURE,
        _ => FAILURE,
    }
}
