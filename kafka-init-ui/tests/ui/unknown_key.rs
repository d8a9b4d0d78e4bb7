//! Unknown keys, with "did you mean"; a key Kafka 4.0 removed.

kafka_init::include_topics!("tests/ui/unknown_key.yaml");

fn main() {
    let _ = topics::DC_WORKLOAD;
}
