#![doc = include_str!("../docs/library.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]

// The topic file: loading, checking, selecting a profile.
#[doc(inline)]
pub use kafka_init_core::{
    load_policy, parse_policy, ConfigEntry, FileError, Layer, Policy, Problem, Profile, Severity,
    Size, TopicFile, TopicSpec, UnknownProfile, Warning, MAX_FILE_BYTES,
};

// Reaching the cluster and making it match.
#[cfg(feature = "engine")]
#[doc(inline)]
pub use kafka_init_core::{
    apply, ensure_topics, existing_topics, export, orphans, plan, wait_for_cluster, Cluster,
    Declared, Drift, Outcome, Pass, Trigger, WatchOptions,
};
#[doc(inline)]
pub use kafka_init_core::{
    ClientProperties, EnsureOptions, Reachable, BOOTSTRAP_ENV, BROKER_GRACE_ENV, CLIENT_ENV_PREFIX,
    DEFAULT_BROKER_GRACE, PROFILE_ENV, PRUNE_IDLE_ENV, TIMEOUT_ENV,
};

// What a run would do, and what it did.
#[doc(inline)]
pub use kafka_init_core::{
    Action, ConfigChange, Creation, Deletion, PartitionGrowth, Plan, PlanMarkdown, PlannedAction,
    Refusal, Report, Requests, TopicOutcome, TopicPlan,
};

// Shared clusters: ownership, orphans, pruning, export.
#[doc(inline)]
pub use kafka_init_core::{
    is_builtin_protected, topic_file, EntryError, ExistingTopic, Export, InUse, Namespace,
    Ownership, TopicTable, Usage, DEFAULT_PRUNE_IDLE,
};

// Access: who may produce, consume and use which groups and transactional ids.
#[doc(inline)]
pub use kafka_init_core::{
    bindings, entries_of, AccessAction, AccessChange, AccessEntry, AclBinding, Grant, Operation,
    PatternType, Permission, ResourceType, CLUSTER_NAME,
};

// Errors.
#[doc(inline)]
pub use kafka_init_core::{Error, ProblemKind, TopicProblem};

/// What the code `include_topics!` generates refers to. Not a public API:
/// it may change in any release.
#[doc(hidden)]
pub mod __private {
    pub use kafka_init_core::generated_run;
    pub use kafka_init_core::{
        AccessEntry, Grant, Operation, PatternType, Profile, ResourceType, TopicSpec,
    };
}

/// Checks a topic file at compile time and turns it into typed constants
/// and specs.
///
/// `include_topics!("config/default.yaml")`, at module level, with a path
/// relative to the calling crate's `CARGO_MANIFEST_DIR`, expands to
/// `pub mod topics` holding:
///
/// - one `pub const NAME: &str` per topic, named from the topic's name
///   upper-cased with every character other than a letter or digit
///   replaced by `_` (`dc.workload` is `DC_WORKLOAD`; a name starting with
///   a digit gets a leading `_`), documented with its partitions,
///   replication factor and configs;
/// - `pub static SPECS: &[TopicSpec]`, every topic in file order;
/// - `pub static PROFILES: &[Profile]`, the file's `kafka.profiles`, each
///   with every topic as it sees them (the names, and so the constants, are
///   the same in every profile);
/// - `pub const BOOTSTRAP_SERVERS: Option<&str>`, the file's
///   `kafka.bootstrap_servers` as written;
/// - `pub static ACCESS: &[AccessEntry]`, the file's `kafka.access` (topic
///   keys resolved to names); each profile's own entries are in its
///   `Profile::access`;
/// - `pub mod groups` and `pub mod transactional_ids`, one `pub const
///   NAME: &str` per consumer group and transactional id the file grants
///   (in the base file or any profile), named like the topic constants and
///   documented with who is granted it: a consumer writes
///   `topics::groups::DC_SIMULATOR` and cannot drift from its grant. A
///   prefixed grant (`dc.sim*`) has no constant; two names giving one
///   constant are a compile error;
/// - `pub async fn ensure_topics() -> Result<Report, Error>`, which uses
///   the profile `KAFKA_INIT_PROFILE` names (none: the base file), connects
///   to `KAFKA_BOOTSTRAP_SERVERS` (else the profile's or the file's
///   bootstrap servers, with `${VAR}` references resolved), makes every
///   topic exist and grants the profile's access.
///
/// Every profile is checked, whichever one runs, access included (an
/// unknown topic key, a name outside `owns`, a principal that is not
/// `Type:name`, ...).
///
/// `include_topics!("config/topics.yaml", policy = "../platform/policy.yaml")`
/// also checks every topic against a platform's policy file (a `policy:`
/// mapping; the path is relative to `CARGO_MANIFEST_DIR` too), with the
/// file's own `kafka.policy`: the stricter of each rule applies, and a
/// violation is a compile error naming the rule and where it was set. The
/// policy's `access` rules bind the file's `kafka.access` the same way.
/// Editing the policy file rebuilds the crate as well.
///
/// Every problem in the file is a compile error naming the file, line and
/// column. Editing the file rebuilds the crate. `kafka.client` values are
/// never compiled in; pass client properties to [`ensure_topics`].
pub use kafka_init_macros::include_topics;

/// The `ensure_topics()` of the module `include_topics!` generates, which
/// needs the engine: without the `engine` feature it expands to nothing and
/// the module holds the constants and specs only.
#[cfg(feature = "engine")]
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure_topics {
    () => {
        /// Makes every topic in [`SPECS`] exist and grants [`ACCESS`], then
        /// returns what was done.
        ///
        /// Uses the profile `KAFKA_INIT_PROFILE` names (none: [`SPECS`]; an
        /// unknown name is `Error::UnknownProfile`). Connects to
        /// `KAFKA_BOOTSTRAP_SERVERS` when set, otherwise to the profile's
        /// bootstrap servers or [`BOOTSTRAP_SERVERS`]. The specs are compiled in; no file is
        /// read at run time. For other options (a deadline, client
        /// properties) call `kafka_init::ensure_topics(SPECS, &options)`.
        pub async fn ensure_topics() -> ::core::result::Result<$crate::Report, $crate::Error> {
            let (specs, options) =
                $crate::__private::generated_run(SPECS, PROFILES, BOOTSTRAP_SERVERS, ACCESS)?;
            $crate::ensure_topics(specs, &options).await
        }
    };
    (fallback $message:literal) => {
        pub async fn ensure_topics() -> ::core::result::Result<$crate::Report, $crate::Error> {
            ::core::unimplemented!($message)
        }
    };
}

/// Without the engine there is no `ensure_topics()` to generate.
#[cfg(not(feature = "engine"))]
#[doc(hidden)]
#[macro_export]
macro_rules! __ensure_topics {
    ($($fallback:tt)*) => {};
}

/// The engine's internals are not API. None of these compile: the client
/// library's requests and sessions are private, and no public type carries
/// an rdkafka type.
///
/// ```compile_fail
/// use kafka_init::ffi;
/// ```
///
/// ```compile_fail
/// use kafka_init::admin::Session;
/// ```
///
/// ```compile_fail
/// use kafka_init_core::kafka::session::Session;
/// ```
///
/// ```compile_fail
/// // A broker's refusal carries Kafka's error name, not rdkafka's code.
/// fn code(e: kafka_init::Error) -> rdkafka::types::RDKafkaErrorCode {
///     match e {
///         kafka_init::Error::Request { code, .. } => code,
///         _ => rdkafka::types::RDKafkaErrorCode::Fail,
///     }
/// }
/// ```
///
/// The same code with the types it does use compiles:
///
/// ```
/// fn code(e: kafka_init::Error) -> String {
///     match e {
///         kafka_init::Error::Request { code, .. } => code,
///         _ => String::new(),
///     }
/// }
/// ```
#[cfg(doctest)]
pub struct InternalsAreNotApi;
