#![doc = include_str!("../README.md")]

pub use kafka_init_core::*;
