//! What `include_topics!` generates, checked without a broker.

use std::borrow::Cow;

use kafka_init::{EnsureOptions, Error, TopicFile};

kafka_init::include_topics!("config/default.yaml");

#[test]
fn embedded_specs_equal_what_the_runtime_loader_reads() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/config/default.yaml");
    let file = TopicFile::load(path).unwrap();
    assert_eq!(topics::SPECS, file.topics.as_slice());
    assert_eq!(topics::BOOTSTRAP_SERVERS, file.bootstrap_servers.as_deref());
}

#[test]
fn one_constant_per_topic_named_after_the_topic() {
    let consts = [
        topics::DC_WORKLOAD,
        topics::DC_POWER,
        topics::DC_TOPOLOGY,
        topics::SIM_TOPOLOGY,
        topics::SYS_CONFIG,
        topics::SIM_RESULTS,
    ];
    let names: Vec<&str> = topics::SPECS.iter().map(|s| s.name.as_ref()).collect();
    assert_eq!(names, consts);
    // Borrowed all the way down: nothing is parsed or allocated at run time.
    assert!(topics::SPECS
        .iter()
        .all(|s| matches!(s.name, Cow::Borrowed(_)) && matches!(s.config, Cow::Borrowed(_))));
    // With the engine, the module has `ensure_topics()`; its future is
    // built without touching the network.
    let _future = topics::ensure_topics();
}

#[test]
fn bootstrap_servers_come_from_the_environment_first() {
    // The only test in this binary that touches the environment.
    std::env::remove_var("KAFKA_BOOTSTRAP_SERVERS");
    std::env::remove_var("KAFKA_INIT_TEST_HOST");
    let opts = EnsureOptions::from_env_or(topics::BOOTSTRAP_SERVERS).unwrap();
    assert_eq!(opts.bootstrap_servers(), "kafka:29092");

    let opts = EnsureOptions::from_env_or(Some("${KAFKA_INIT_TEST_HOST:-localhost}:9092")).unwrap();
    assert_eq!(opts.bootstrap_servers(), "localhost:9092");
    std::env::set_var("KAFKA_INIT_TEST_HOST", "broker");
    let opts = EnsureOptions::from_env_or(Some("${KAFKA_INIT_TEST_HOST:-localhost}:9092")).unwrap();
    assert_eq!(opts.bootstrap_servers(), "broker:9092");

    let err = EnsureOptions::from_env_or(Some("${KAFKA_INIT_TEST_UNSET}")).unwrap_err();
    assert!(matches!(err, Error::File(_)), "{err}");
    assert!(err.to_string().contains("KAFKA_INIT_TEST_UNSET"), "{err}");
    let err = EnsureOptions::from_env_or(None).unwrap_err();
    assert!(err.to_string().contains("KAFKA_BOOTSTRAP_SERVERS"), "{err}");

    // A variable that is not UTF-8 (any process may inherit one) is
    // skipped, not a panic.
    use std::os::unix::ffi::OsStrExt;
    let not_utf8 = std::ffi::OsStr::from_bytes(b"\xff\xfe");
    std::env::set_var("KAFKA_CLIENT_NOT_UTF8", not_utf8);
    std::env::set_var("KAFKA_INIT_TEST_NOT_UTF8", not_utf8);
    let opts = EnsureOptions::from_env_or(topics::BOOTSTRAP_SERVERS).unwrap();
    assert_eq!(opts.client_properties().get("not.utf8"), None);
    std::env::remove_var("KAFKA_CLIENT_NOT_UTF8");
    std::env::remove_var("KAFKA_INIT_TEST_NOT_UTF8");

    std::env::set_var("KAFKA_BOOTSTRAP_SERVERS", "env-broker:9092");
    let opts = EnsureOptions::from_env_or(topics::BOOTSTRAP_SERVERS).unwrap();
    assert_eq!(opts.bootstrap_servers(), "env-broker:9092");
    std::env::remove_var("KAFKA_BOOTSTRAP_SERVERS");
    std::env::remove_var("KAFKA_INIT_TEST_HOST");
}
