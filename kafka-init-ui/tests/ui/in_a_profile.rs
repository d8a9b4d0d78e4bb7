//! Every profile is checked, whichever runs: a rule broken only under one
//! profile is an error naming the profile and the place that breaks it.

kafka_init::include_topics!("tests/ui/in_a_profile.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
