//! Partitions or replication factor below 1, out of range, or not a number.

kafka_init::include_topics!("tests/ui/sizes.yaml");

fn main() {
    let _ = topics::DC_WORKLOAD;
}
