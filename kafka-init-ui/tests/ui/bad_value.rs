//! Values of the wrong type, out of range, or not among the allowed ones.

kafka_init::include_topics!("tests/ui/bad_value.yaml");

fn main() {
    let _ = topics::DC_TOPOLOGY;
}
