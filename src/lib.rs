//! kafka-init makes Kafka topics exist, exactly as declared, before
//! services need them.

pub use kafka_init_core::*;
