//! A topic without `name`; the other topic's constant still resolves.

kafka_init::include_topics!("tests/ui/missing_name.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
