//! A YAML key written twice in one mapping (serde would keep the last).

kafka_init::include_topics!("tests/ui/duplicate_key.yaml");

fn main() {
}
