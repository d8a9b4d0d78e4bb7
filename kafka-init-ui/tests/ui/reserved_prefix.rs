//! The `__` prefix is reserved for internal topics.

kafka_init::include_topics!("tests/ui/reserved_prefix.yaml");

fn main() {}
