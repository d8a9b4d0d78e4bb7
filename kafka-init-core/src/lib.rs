//! The library behind kafka-init: the topic file model and its checks,
//! with the `admin` feature the engine that makes a cluster match it, and
//! with the `codegen` feature the code generation behind `include_topics!`.

pub mod client;
pub mod file;
pub mod keys;
pub mod source_map;
pub mod spec;
pub mod validate;
pub mod vars;

#[cfg(feature = "codegen")]
pub mod codegen;

#[cfg(feature = "admin")]
pub mod admin;
#[cfg(feature = "admin")]
pub mod apply;
#[cfg(feature = "admin")]
mod batch;
#[cfg(feature = "admin")]
pub mod cluster;
#[cfg(feature = "admin")]
pub mod embedded;
#[cfg(feature = "admin")]
pub mod ensure;
#[cfg(feature = "admin")]
pub mod error;
#[cfg(feature = "admin")]
pub mod ffi;
#[cfg(feature = "admin")]
pub mod plan;
#[cfg(feature = "admin")]
mod readiness;
#[cfg(feature = "admin")]
pub mod report;

pub use client::ClientProperties;
pub use file::{FileError, Problem, TopicFile};
pub use spec::{ConfigEntry, TopicSpec};

#[cfg(feature = "admin")]
pub use admin::{EnsureOptions, DEFAULT_BROKER_GRACE};
#[cfg(feature = "admin")]
pub use apply::apply;
#[cfg(feature = "admin")]
pub use embedded::ensure_topics_with;
#[cfg(feature = "admin")]
pub use ensure::{ensure_topics, plan};
#[cfg(feature = "admin")]
pub use error::Error;
#[cfg(feature = "admin")]
pub use plan::{ConfigChange, Creation, PartitionGrowth, Plan, PlannedAction, Refusal, TopicPlan};
#[cfg(feature = "admin")]
pub use report::{Action, Report, Requests, TopicOutcome};
