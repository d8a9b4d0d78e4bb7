//! A topic name in two files of a directory: an error naming both places.

kafka_init::include_topics!("tests/ui/duplicate_dir");

fn main() {
    let _ = topics::SVC_A;
}
