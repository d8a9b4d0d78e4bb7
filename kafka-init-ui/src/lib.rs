//! Nothing to link: this crate holds the compile-time tests of
//! `kafka_init::include_topics!` (`tests/compile_fail.rs`,
//! `tests/rebuild.rs`), built against `kafka-init` without its engine.
