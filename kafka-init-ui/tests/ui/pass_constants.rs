//! A valid file: constants, specs and the bootstrap servers as written.

kafka_init::include_topics!("tests/ui/valid.yaml");

mod default {
    kafka_init::include_topics!("config/default.yaml");
}

fn main() {
    assert_eq!(topics::PAYMENTS_V2_EVENTS, "payments-v2.events");
    assert_eq!(topics::_9LIVES, "9lives");
    let specs: &[kafka_init::TopicSpec] = topics::SPECS;
    assert_eq!(specs.len(), 2);
    assert_eq!(specs[0].name, topics::PAYMENTS_V2_EVENTS);
    assert_eq!(specs[0].partitions.kafka(), 6);
    assert_eq!(specs[0].config_value("retention.ms"), Some("86400000"));
    assert_eq!(specs[1].partitions.kafka(), 1);
    assert_eq!(
        topics::BOOTSTRAP_SERVERS,
        Some("${KAFKA_HOST:-localhost}:9092")
    );
    assert_eq!(default::topics::DC_WORKLOAD, "dc.workload");
    assert_eq!(default::topics::SPECS.len(), 6);
}
