//! `kafka.access` breaking the file's access policy: each violation at the
//! entry's value, naming the rule and where it was set (`User:*` is
//! refused by default once the policy has access rules).

kafka_init::include_topics!("tests/ui/access_policy.yaml");

fn main() {}
