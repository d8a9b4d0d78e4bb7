//! A topic file that meets the platform's policy compiles.

kafka_init::include_topics!("config/default.yaml", policy = "tests/ui/platform/naming.yaml");

fn main() {
    let _: &str = topics::DC_POWER;
}
