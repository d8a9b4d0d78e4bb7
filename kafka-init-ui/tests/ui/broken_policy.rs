//! A policy file that is itself broken: a regular expression that does not
//! compile, min above max, a rule of the wrong type, an unknown config key
//! and an unknown rule, all reported on the policy's literal.

kafka_init::include_topics!("config/default.yaml", policy = "tests/ui/platform/broken.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
