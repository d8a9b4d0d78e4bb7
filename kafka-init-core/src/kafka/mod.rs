//! The engine: everything that talks to a broker, on top of the model.
//!
//! Arrows point one way: `engine` (the one-call shorthands) uses
//! `cluster` (the `Cluster` handle), which uses `converge`, `prune` and
//! `observe`, which use `session` (the deadline and retries, `retry`),
//! which sends every request through the `admin` trait. `librdkafka`
//! implements it over `ffi`, the only code holding `unsafe`; the tests
//! implement it in memory (`fake`). Each of them uses the model (`plan`,
//! `cluster`, `report`, `error`, ...), and nothing in the model uses this
//! layer.

pub(crate) mod admin;
mod cluster;
mod converge;
mod credentials;
mod dispatch;
mod engine;
#[cfg(test)]
mod fake;
#[allow(unsafe_code)]
pub(crate) mod ffi;
mod grants;
pub(crate) mod librdkafka;
mod observe;
mod prune;
mod retry;
mod serving;
mod session;
#[cfg(test)]
mod tests;
mod watch;

pub use cluster::Cluster;
pub use engine::{apply, ensure_topics, existing_topics, export, orphans, plan, wait_for_cluster};
pub use watch::{Declared, Drift, Outcome, Pass, Trigger, WatchOptions};
