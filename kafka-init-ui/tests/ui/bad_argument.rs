//! The only argument after the path is `policy = "..."`.

kafka_init::include_topics!("config/default.yaml", polcy = "tests/ui/platform/policy.yaml");

fn main() {}
