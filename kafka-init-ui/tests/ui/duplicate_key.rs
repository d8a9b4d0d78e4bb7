//! A YAML key written twice in one mapping (a plain YAML load keeps only
//! one), reported along with the file's other problems.

kafka_init::include_topics!("tests/ui/duplicate_key.yaml");

fn main() {}
