//! A YAML syntax error.

kafka_init::include_topics!("tests/ui/yaml_syntax.yaml");

fn main() {}
