//! The same name twice, and names that collide on `.` vs `_`.

kafka_init::include_topics!("tests/ui/duplicate_name.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
