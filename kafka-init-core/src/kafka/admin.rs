//! The requests the engine makes of a cluster, as one trait: the seam
//! between the engine's loops (plan, converge, serving, prune) and the
//! client library. `librdkafka.rs` implements it over librdkafka, the only
//! code that touches rdkafka; the crate's tests implement it in memory
//! (`fake.rs`) to script what a broker cannot be made to do on cue.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use crate::access::{AclBinding, Operation};
use crate::cluster::{TopicConfigs, TopicState};
use crate::ownership::ExistingTopic;

/// An answer still on its way.
pub(crate) type Reply<'a, T> = Pin<Box<dyn Future<Output = Result<T, BrokerError>> + Send + 'a>>;

/// Kafka's numeric error code; librdkafka's own (local) codes are negative.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ErrorCode(pub(crate) i32);

impl ErrorCode {
    pub(crate) const FAIL: ErrorCode = ErrorCode(-196);
    pub(crate) const TRANSPORT: ErrorCode = ErrorCode(-195);
    pub(crate) const RESOLVE: ErrorCode = ErrorCode(-193);
    pub(crate) const ALL_BROKERS_DOWN: ErrorCode = ErrorCode(-187);
    pub(crate) const INVALID_ARG: ErrorCode = ErrorCode(-186);
    pub(crate) const TIMED_OUT: ErrorCode = ErrorCode(-185);
    pub(crate) const AUTHENTICATION: ErrorCode = ErrorCode(-169);
    pub(crate) const NO_OFFSET: ErrorCode = ErrorCode(-168);
    pub(crate) const TIMED_OUT_QUEUE: ErrorCode = ErrorCode(-166);
    pub(crate) const UNSUPPORTED_FEATURE: ErrorCode = ErrorCode(-165);
    pub(crate) const WAIT_CACHE: ErrorCode = ErrorCode(-164);
    pub(crate) const RETRY: ErrorCode = ErrorCode(-153);
    pub(crate) const UNKNOWN_TOPIC_OR_PARTITION: ErrorCode = ErrorCode(3);
    pub(crate) const LEADER_NOT_AVAILABLE: ErrorCode = ErrorCode(5);
    pub(crate) const NOT_LEADER_OR_FOLLOWER: ErrorCode = ErrorCode(6);
    pub(crate) const REQUEST_TIMED_OUT: ErrorCode = ErrorCode(7);
    pub(crate) const BROKER_NOT_AVAILABLE: ErrorCode = ErrorCode(8);
    pub(crate) const NETWORK_EXCEPTION: ErrorCode = ErrorCode(13);
    pub(crate) const INVALID_TOPIC: ErrorCode = ErrorCode(17);
    pub(crate) const NOT_ENOUGH_REPLICAS: ErrorCode = ErrorCode(19);
    pub(crate) const TOPIC_AUTHORIZATION_FAILED: ErrorCode = ErrorCode(29);
    pub(crate) const GROUP_AUTHORIZATION_FAILED: ErrorCode = ErrorCode(30);
    pub(crate) const CLUSTER_AUTHORIZATION_FAILED: ErrorCode = ErrorCode(31);
    pub(crate) const UNSUPPORTED_VERSION: ErrorCode = ErrorCode(35);
    pub(crate) const TOPIC_ALREADY_EXISTS: ErrorCode = ErrorCode(36);
    pub(crate) const INVALID_PARTITIONS: ErrorCode = ErrorCode(37);
    pub(crate) const INVALID_REPLICATION_FACTOR: ErrorCode = ErrorCode(38);
    pub(crate) const NOT_CONTROLLER: ErrorCode = ErrorCode(41);
    pub(crate) const INVALID_REQUEST: ErrorCode = ErrorCode(42);
    pub(crate) const UNSUPPORTED_FOR_MESSAGE_FORMAT: ErrorCode = ErrorCode(43);
    pub(crate) const POLICY_VIOLATION: ErrorCode = ErrorCode(44);
    pub(crate) const SECURITY_DISABLED: ErrorCode = ErrorCode(54);
    pub(crate) const SASL_AUTHENTICATION_FAILED: ErrorCode = ErrorCode(58);
    pub(crate) const GROUP_ID_NOT_FOUND: ErrorCode = ErrorCode(69);
    pub(crate) const THROTTLING_QUOTA_EXCEEDED: ErrorCode = ErrorCode(89);
}

/// An error code with the broker's (or the client's) own words for it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name}: {message}")]
pub(crate) struct BrokerError {
    pub code: ErrorCode,
    /// Kafka's name for the code, e.g. `INVALID_CONFIG`; the client's own
    /// codes start with `_`, e.g. `_TIMED_OUT`.
    pub name: String,
    /// The broker's message, or the code's description when it sent none.
    pub message: String,
}

/// One topic's outcome within a multi-topic request.
pub(crate) type TopicResult = (String, Result<(), BrokerError>);

/// One binding's outcome within a CreateAcls or DeleteAcls request.
pub(crate) type AclResult = (AclBinding, Result<(), BrokerError>);

/// How a request is sent.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestOptions {
    /// How long the request may take, including the broker's own work.
    pub timeout: Duration,
    /// Ask the broker to run every check and commit nothing.
    pub validate_only: bool,
}

/// One key's change in an IncrementalAlterConfigs request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AlterOp {
    Set(String),
    /// Remove the topic's own value, so the broker's default applies again.
    Delete,
}

/// The changes to one topic's configs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ConfigAlteration {
    pub topic: String,
    pub ops: Vec<(String, AlterOp)>,
}

/// A topic for CreateTopics; -1 sizes leave them to the broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewTopic {
    pub name: String,
    pub partitions: i32,
    pub replication_factor: i32,
    pub configs: Vec<(String, String)>,
}

/// Grow `topic` to `total` partitions (a total, not an increment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NewPartitions {
    pub topic: String,
    pub total: i32,
}

/// Which offset ListOffsets asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OffsetSpec {
    Earliest,
    Latest,
    /// The record with the largest timestamp (Kafka 3.0+).
    MaxTimestamp,
}

/// What a leader says of a partition for one offset spec: the offset and
/// the record's timestamp (-1 for none), or why it did not say. A leader
/// whose request failed as a whole leaves its partitions at offset -1
/// without an error.
pub(crate) type OffsetAnswer = ((String, i32), Result<(i64, i64), BrokerError>);

/// The requests the engine makes. Every method is one request (or, where
/// the client fans out per broker, one call), and none retries: retrying is
/// the engine's decision (`retry.rs`).
pub(crate) trait Admin: Send + Sync {
    /// DescribeCluster: the ids of the registered brokers.
    fn describe_cluster(&self, options: RequestOptions) -> Reply<'_, Vec<i32>>;

    /// Metadata (DescribeTopics) for the named topics only. A topic the
    /// cluster does not have is left out; one it cannot describe yet comes
    /// back with its error.
    fn describe_topics(
        &self,
        names: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, HashMap<String, TopicState>>;

    /// Metadata for every topic: names, partition counts and replication
    /// factors (configs left empty).
    fn list_topics(&self, options: RequestOptions) -> Reply<'_, Vec<ExistingTopic>>;

    /// DescribeConfigs of topics: each one's configs, or why not.
    fn describe_configs(
        &self,
        topics: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<(String, Result<TopicConfigs, BrokerError>)>>;

    /// DescribeConfigs of one broker: its effective values by key.
    fn broker_configs(
        &self,
        broker: i32,
        options: RequestOptions,
    ) -> Reply<'_, HashMap<String, String>>;

    fn create_topics(
        &self,
        topics: Vec<NewTopic>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>>;

    /// IncrementalAlterConfigs: SET or DELETE single keys.
    fn alter_configs(
        &self,
        alterations: Vec<ConfigAlteration>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>>;

    fn create_partitions(
        &self,
        growths: Vec<NewPartitions>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>>;

    /// ListOffsets, each partition asked of its leader.
    fn list_offsets(
        &self,
        partitions: Vec<(String, i32)>,
        spec: OffsetSpec,
        options: RequestOptions,
    ) -> Reply<'_, Vec<OffsetAnswer>>;

    fn delete_topics(
        &self,
        names: Vec<String>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>>;

    /// ListGroups: every consumer group. A broker that did not answer fails
    /// the call.
    fn list_groups(&self, options: RequestOptions) -> Reply<'_, Vec<String>>;

    /// OffsetFetch: the topics on which `group` has committed offsets.
    fn committed_topics(&self, group: String, options: RequestOptions) -> Reply<'_, Vec<String>>;

    /// DescribeAcls with a filter matching every binding. Bindings the model
    /// has no words for (a resource type such as DELEGATION_TOKEN or USER,
    /// an operation or pattern it does not know) are left out: no file owns
    /// them, so nothing prunes them. A principal not allowed to DESCRIBE
    /// the cluster fails the call (CLUSTER_AUTHORIZATION_FAILED). A broker
    /// without an authorizer answers with no bindings.
    fn describe_acls(&self, options: RequestOptions) -> Reply<'_, Vec<AclBinding>>;

    /// DescribeCluster with the operations the principal may perform on the
    /// cluster (`ALTER` for changing ACLs); `None` when the broker does not
    /// say. A broker without an authorizer allows every operation.
    fn cluster_operations(&self, options: RequestOptions) -> Reply<'_, Option<Vec<Operation>>>;

    /// CreateAcls: each binding's result. Creating a binding the cluster
    /// has already succeeds. A refusal of the whole request
    /// (CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster,
    /// SECURITY_DISABLED without an authorizer) fails the call.
    fn create_acls(
        &self,
        bindings: Vec<AclBinding>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>>;

    /// DeleteAcls with one exact filter per binding (every field given, the
    /// pattern LITERAL or PREFIXED, never MATCH or ANY), so it deletes that
    /// binding and nothing else; one that is not there is no error. Whole
    /// refusals fail the call, as for `create_acls`.
    fn delete_acls(
        &self,
        bindings: Vec<AclBinding>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>>;

    /// The client's last complaint about reaching the cluster, if any.
    fn last_error(&self) -> Option<String>;

    /// The client's last refusal of the credentials (a failed TLS
    /// handshake, a refused client certificate, refused SASL credentials or
    /// token), unless another kind of failure came after it.
    fn refused(&self) -> Option<String>;

    /// Who logs in, for messages: `SASL_SSL, SCRAM-SHA-512, user svc`;
    /// `SSL, certificate CN=svc`. Never a secret.
    fn login(&self) -> String;

    /// Why the certificate of the broker at `listener` (`host:port`) does
    /// not verify, as the TLS library says it, when it can say.
    fn certificate_problem(&self, listener: String) -> Reply<'_, Option<String>>;
}
