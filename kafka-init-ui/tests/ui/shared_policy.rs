//! A platform's policy file binds the service at compile time, with the
//! file's own policy: the stricter of each rule applies, and each message
//! names the file that set it.

kafka_init::include_topics!("tests/ui/shared_policy.yaml", policy = "tests/ui/platform/policy.yaml");

fn main() {
    let _ = topics::DC_POWER;
}
