//! A file that cannot be read.

kafka_init::include_topics!("tests/ui/no_such_file.yaml");

fn main() {
    let _ = topics::DC_WORKLOAD;
}
