//! Deciding whether to ask again: which answers may change by waiting,
//! which never will, and how long to pause between tries. The run's
//! deadline and the retry loop itself are the session's.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::time::Duration;

use super::admin::ErrorCode;
use crate::error::Error;

/// How one attempt at a phase ended, when it did not succeed.
pub(crate) enum Attempt {
    /// Worth trying again (a retriable code, a lost connection); says why.
    Retry(String),
    Fail(Error),
}

impl From<Error> for Attempt {
    fn from(e: Error) -> Self {
        Attempt::Fail(e)
    }
}

/// The next pause between tries: doubles from 100 ms up to a cap (2 s).
pub(crate) struct Backoff {
    pub(super) next: Duration,
    pub(super) max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(2))
    }
}

impl Backoff {
    pub(crate) fn new(first: Duration, max: Duration) -> Self {
        Backoff { next: first, max }
    }
}

/// Whether a failed request is worth repeating within the deadline
/// (KAFKA.md: the controller moved, a timeout, throttling, a cluster still
/// registering brokers, metadata not yet propagated, a lost connection).
pub(crate) fn is_retriable(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::NOT_CONTROLLER
            | ErrorCode::REQUEST_TIMED_OUT
            | ErrorCode::THROTTLING_QUOTA_EXCEEDED
            | ErrorCode::INVALID_REPLICATION_FACTOR
            | ErrorCode::UNKNOWN_TOPIC_OR_PARTITION
            | ErrorCode::LEADER_NOT_AVAILABLE
            | ErrorCode::NOT_LEADER_OR_FOLLOWER
            | ErrorCode::BROKER_NOT_AVAILABLE
            | ErrorCode::NETWORK_EXCEPTION
            | ErrorCode::NOT_ENOUGH_REPLICAS
            | ErrorCode::TIMED_OUT
            | ErrorCode::TRANSPORT
            | ErrorCode::ALL_BROKERS_DOWN
            | ErrorCode::RESOLVE
            | ErrorCode::TIMED_OUT_QUEUE
            | ErrorCode::RETRY
            | ErrorCode::WAIT_CACHE
    )
}

/// Whether an answer about a topic or partition will never change by
/// asking again: refused access, a request the broker cannot serve, a
/// malformed one. Kafka marks these non-retriable, and so does librdkafka
/// (`RD_KAFKA_ERR_ACTION_PERMANENT`), except UNKNOWN_TOPIC_OR_PARTITION,
/// which right after a create only means "not yet" (KAFKA.md). Anything
/// not listed here is waited on until the deadline.
pub(crate) fn is_permanent(code: ErrorCode) -> bool {
    matches!(
        code,
        ErrorCode::TOPIC_AUTHORIZATION_FAILED
            | ErrorCode::GROUP_AUTHORIZATION_FAILED
            | ErrorCode::CLUSTER_AUTHORIZATION_FAILED
            | ErrorCode::SASL_AUTHENTICATION_FAILED
            | ErrorCode::AUTHENTICATION
            | ErrorCode::UNSUPPORTED_VERSION
            | ErrorCode::UNSUPPORTED_FEATURE
            | ErrorCode::UNSUPPORTED_FOR_MESSAGE_FORMAT
            | ErrorCode::INVALID_REQUEST
            | ErrorCode::INVALID_TOPIC
            | ErrorCode::INVALID_ARG
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refused_access_is_permanent_and_a_partition_not_ready_yet_is_not() {
        for code in [
            ErrorCode::TOPIC_AUTHORIZATION_FAILED,
            ErrorCode::CLUSTER_AUTHORIZATION_FAILED,
            ErrorCode::GROUP_AUTHORIZATION_FAILED,
            ErrorCode::UNSUPPORTED_VERSION,
            ErrorCode::INVALID_REQUEST,
        ] {
            assert!(is_permanent(code), "{code:?}");
            assert!(!is_retriable(code), "{code:?}");
        }
        // What a partition answers while it is still being set up, and
        // what a slow or moving leader causes.
        for code in [
            ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
            ErrorCode::NOT_LEADER_OR_FOLLOWER,
            ErrorCode::LEADER_NOT_AVAILABLE,
            ErrorCode::NOT_ENOUGH_REPLICAS,
            ErrorCode::REQUEST_TIMED_OUT,
            ErrorCode::TIMED_OUT,
            ErrorCode::TRANSPORT,
            ErrorCode::NO_OFFSET,
            ErrorCode::ALL_BROKERS_DOWN,
        ] {
            assert!(!is_permanent(code), "{code:?}");
        }
    }
}
