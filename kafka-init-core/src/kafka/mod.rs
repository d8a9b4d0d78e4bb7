//! The engine: everything that talks to a broker, on top of the model.
//!
//! Arrows point one way: `engine` uses `converge`, which uses `observe`,
//! which uses `session`, which uses `ffi`; each of them uses the model
//! (`plan`, `cluster`, `report`, `error`, ...), and nothing in the model
//! uses this layer. Only `ffi` may hold `unsafe` code.

mod converge;
mod credentials;
mod engine;
#[allow(unsafe_code)]
mod ffi;
#[cfg(test)]
mod ffi_tests;
mod observe;
mod prune;
mod session;

pub use engine::{
    apply, ensure_topics, ensure_topics_with, existing_topics, orphans, plan, wait_for_cluster,
};
