//! The library behind kafka-init, in two layers.
//!
//! - The model, always compiled, with no I/O and no client library: the
//!   topic file (`file`, `yaml_kind`, `vars`, `keys`,
//!   `validate`, `spec`, `ownership`, `policy`),
//!   client properties (`client`), run options (`options`), the cluster as
//!   plain data (`cluster`), the pure diff (`plan`, `readiness`, `batch`),
//!   what a run did and its rendering (`report`) and the errors (`error`);
//!   with the `codegen` feature, the code `include_topics!` generates.
//! - With the `admin` feature, the private `kafka` engine that makes a
//!   cluster match the model, through librdkafka.
//!
//! The public API is the items re-exported below, by name.
#![deny(unsafe_code, unsafe_op_in_unsafe_fn, unreachable_pub, missing_docs)]
// Without the engine, the model's engine-facing half (the cluster state,
// the diff, batching) has no caller but the unit tests.
#![cfg_attr(not(feature = "admin"), allow(dead_code))]

mod access;
mod batch;
mod client;
mod cluster;
mod error;
mod file;
mod hint;
mod keys;
mod options;
mod ownership;
mod plan;
mod policy;
mod readiness;
mod report;
mod spec;
mod topic_name;
mod usage;
mod validate;
mod vars;
mod yaml_kind;

#[cfg(feature = "codegen")]
pub mod codegen;
#[cfg(feature = "admin")]
mod kafka;

#[cfg(all(test, feature = "admin"))]
mod broker_tests;
#[cfg(test)]
mod fuzz;

pub use access::{
    bindings, entries_of, AccessAction, AccessChange, AccessEntry, AclBinding, Grant, Names,
    Operation, PatternType, Permission, ResourceType, CLUSTER_NAME,
};
pub use client::{ClientProperties, ENV_PREFIX as CLIENT_ENV_PREFIX};
pub use cluster::Reachable;
pub use error::{Error, ProblemKind, TopicProblem};
pub use file::{
    load_policy, parse_policy, topic_files, FileError, Layer, Problem, Severity, TopicFile,
    Warning, MAX_FILE_BYTES,
};
#[doc(hidden)]
pub use options::generated_run;
pub use options::{
    EnsureOptions, BOOTSTRAP_ENV, BROKER_GRACE_ENV, DEFAULT_BROKER_GRACE, PROFILE_ENV,
    PRUNE_IDLE_ENV, TIMEOUT_ENV,
};
pub use ownership::{
    is_builtin_protected, overlapping_ownership, EntryError, ExistingTopic, Namespace, OwnedFile,
    Ownership,
};
pub use plan::{
    ConfigChange, Creation, Deletion, PartitionGrowth, Plan, PlannedAction, Refusal, TopicPlan,
};
pub use policy::Policy;
pub use report::{
    topic_file, Action, Export, PlanMarkdown, Report, Requests, TopicOutcome, TopicTable,
};
pub use spec::{ConfigEntry, Profile, Size, TopicSpec, UnknownProfile};
pub use usage::{InUse, Usage, DEFAULT_PRUNE_IDLE};

#[cfg(feature = "admin")]
pub use kafka::{
    apply, ensure_topics, existing_topics, export, orphans, plan, wait_for_cluster, Cluster,
    Declared, Drift, Outcome, Pass, Trigger, WatchOptions,
};
