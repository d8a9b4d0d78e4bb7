//! Exit codes. Any failure is non-zero (the reference design's contract:
//! compose's `service_completed_successfully` only looks for 0); the finer
//! codes tell scripts why.

use kafka_init_core::{Error, UnknownProfile};

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
}

impl Failure {
    pub fn invalid(message: impl Into<String>) -> Failure {
        Failure {
            code: INVALID,
            message: message.into(),
        }
    }

    /// `plan` reports every error as 1, as its contract says.
    pub fn for_plan(self) -> Failure {
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
            code: code_of(&e),
            message: e.to_string(),
        }
    }
}

fn code_of(e: &Error) -> u8 {
    match e {
        // Raised before anything is sent.
        Error::File(_)
        | Error::Invalid { .. }
        | Error::ClientSettings { .. }
        | Error::Setting { .. }
        | Error::UnknownProfile(_)
        | Error::NoBootstrapServers
        | Error::NoOwnership { .. } => INVALID,
        Error::Unreachable { .. } => UNREACHABLE,
        Error::Authentication { .. } => AUTHENTICATION,
        Error::Refused { .. } | Error::TooManyDeletions { .. } => REFUSED,
        Error::Rejected(problems) => {
            if problems.iter().any(|p| matches!(p, Error::Refused { .. })) {
                REFUSED
            } else if problems.iter().all(|p| code_of(p) == INVALID) {
                INVALID
            } else {
                FAILURE
            }
        }
        Error::Topic { .. } | Error::Request { .. } | Error::Topics(_) | Error::Deadline { .. } => {
            FAILURE
        }
    }
}
