//! An absolute path is refused: the path is relative to the crate.

kafka_init::include_topics!("/etc/topics.yaml");

fn main() {
    let _ = topics::DC_WORKLOAD;
}
