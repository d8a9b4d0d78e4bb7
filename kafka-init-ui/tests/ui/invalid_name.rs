//! Names Kafka refuses: characters, `..`, empty, longer than 249.

kafka_init::include_topics!("tests/ui/invalid_name.yaml");

fn main() {
    let _ = topics::DC_FINE;
}
