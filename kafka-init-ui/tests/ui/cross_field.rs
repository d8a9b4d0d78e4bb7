//! Rules across fields: compaction lags, min.insync.replicas vs RF, tiered storage.

kafka_init::include_topics!("tests/ui/cross_field.yaml");

fn main() {
    let _ = topics::DC_TOPOLOGY;
}
