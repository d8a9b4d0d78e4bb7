//! Two names that give the same constant, and a name taken by the module.

kafka_init::include_topics!("tests/ui/const_collision.yaml");

fn main() {
    let _ = topics::PAYMENTS_V2_EVENTS;
}
