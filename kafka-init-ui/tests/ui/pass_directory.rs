//! `include_topics!` on a directory: every `*.yaml` / `*.yml` file in it,
//! sorted, as one file.

kafka_init::include_topics!("tests/ui/topics_dir");

fn main() {
    assert_eq!(topics::SVC_A, "svc.a");
    assert_eq!(topics::SVC_B, "svc.b");
    assert_eq!(topics::SPECS.len(), 2);
    assert_eq!(topics::SPECS[1].partitions.kafka(), 2);
    assert_eq!(topics::BOOTSTRAP_SERVERS, Some("kafka:9092"));
    // A profile of one file: the other file's topics as they are.
    assert_eq!(topics::PROFILES[0].topics.len(), 2);
}
