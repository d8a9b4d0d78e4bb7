//! A topic file that breaks its own `kafka.policy`: every violation at the
//! offending value, naming the rule and where it was set. The `dev`
//! profile's policy replaces the replication rules, so `dev` passes them.

kafka_init::include_topics!("tests/ui/violates_policy.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
