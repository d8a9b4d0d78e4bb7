//! A broken `kafka.access`: an unknown topic key, a principal that is not
//! `Type:name`, two groups giving one constant; each at its place. The
//! constants that can be named still exist.

kafka_init::include_topics!("tests/ui/bad_access.yaml");

fn main() {
    let _ = topics::groups::DC_DASHBOARD;
    let _ = topics::ACCESS;
}
