//! A profile changes topics, never names or the set of topics; `null`
//! must remove something; `default` is only for sizes.

kafka_init::include_topics!("tests/ui/invalid_profile.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
