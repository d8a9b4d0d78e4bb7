//! A typo in a topic constant (or a topic renamed in the YAML) is a compile
//! error, not a silent new topic.

kafka_init::include_topics!("tests/ui/valid.yaml");

fn main() {
    let _ = topics::PAYMENTS_V2_EVENTS;
    let _ = topics::PAYMENTS_V2_EVENT;
}
