//! SASL (PLAIN, SCRAM) against the real broker's SASL listener, and the
//! proof that the password never shows: not at `RUST_LOG=trace` with every
//! librdkafka debug context on, not in errors, not in the JSON report.
//!
//! `scripts/test.sh` starts the broker with `KAFKA_SASL=1` and exports
//! `KAFKA_INIT_TEST_SASL_BOOTSTRAP`; user `kafkainit`, password
//! `kafkainit-secret` (scripts/kafka.sh).

mod runner;
use kafka_init_test_support as support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use rdkafka::admin::AdminClient;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use runner::Run;
use support::unique;

const USER: &str = "kafkainit";
const PASSWORD: &str = "kafkainit-secret";

fn sasl_bootstrap() -> String {
    std::env::var("KAFKA_INIT_TEST_SASL_BOOTSTRAP").expect(
        "KAFKA_INIT_TEST_SASL_BOOTSTRAP is not set: run the tests with scripts/test.sh, which starts a broker with a SASL listener",
    )
}

/// Whether `topic` exists, asked over the SASL listener as the test user.
fn exists(topic: &str) -> bool {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", sasl_bootstrap())
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "SCRAM-SHA-256")
        .set("sasl.username", USER)
        .set("sasl.password", PASSWORD)
        .set("allow.auto.create.topics", "false")
        .create()
        .unwrap();
    let md = admin
        .inner()
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .unwrap();
    md.topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty())
}

fn write_file(client_yaml: &str, topic: &str) -> PathBuf {
    runner::topic_file(&format!(
        "kafka:\n  client:\n{client_yaml}  topics:\n    t:\n      name: \"{topic}\"\n      config:\n        retention.ms: \"60000\"\n"
    ))
}

fn run(args: &[&str], path: &Path, env: &[(&str, &str)]) -> Run {
    runner::kafka_init(args, path, &sasl_bootstrap(), "30s", env)
}

#[test]
fn every_mechanism_provisions_over_sasl_and_the_password_never_shows() {
    for mechanism in ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] {
        let topic = unique(&format!("sasl-{}", mechanism.to_lowercase()));
        // The protocol from the file, the password from the environment.
        let path = write_file(
            &format!("    security.protocol: SASL_PLAINTEXT\n    sasl.username: {USER}\n"),
            &topic,
        );
        let env = [
            ("KAFKA_CLIENT_SASL_MECHANISM", mechanism),
            ("KAFKA_CLIENT_SASL_PASSWORD", PASSWORD),
            ("RUST_LOG", "trace"),
            // librdkafka's own debug output, every context.
            ("KAFKA_CLIENT_DEBUG", "all"),
        ];
        let r = run(&["apply", "--output", "json"], &path, &env);
        assert_eq!(r.code, 0, "{mechanism}: {}", r.all());
        // The password was used: the topic exists, and authentication
        // happened at trace level...
        assert!(exists(&topic), "{mechanism}: {topic} not created");
        assert!(
            r.all().contains("sasl.password"),
            "{mechanism}: no config dump"
        );
        assert!(r.all().contains("TRACE"), "{mechanism}");
        // ...and is nowhere in what the run printed.
        assert!(!r.all().contains(PASSWORD), "{mechanism}: password leaked");

        let r = run(&["plan"], &path, &env);
        assert_eq!(r.code, 0, "{mechanism}: {}", r.all());
        let r = run(&["wait", "--log-format", "json"], &path, &env);
        assert_eq!(r.code, 0, "{mechanism}: {}", r.all());
        assert!(!r.all().contains(PASSWORD), "{mechanism}: password leaked");
    }
}

#[test]
fn a_password_from_the_file_via_a_variable_works_and_the_environment_wins() {
    let topic = unique("sasl-file");
    let path = write_file(
        &format!(
            "    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: SCRAM-SHA-512\n    sasl.username: {USER}\n    sasl.password: \"${{TEST_SASL_PASSWORD}}\"\n"
        ),
        &topic,
    );
    let r = run(
        &["--timeout", "20s"],
        &path,
        &[("TEST_SASL_PASSWORD", PASSWORD), ("RUST_LOG", "trace")],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(exists(&topic));
    assert!(!r.all().contains(PASSWORD), "password leaked");

    // KAFKA_CLIENT_SASL_PASSWORD overrides the file's (right) password
    // with a wrong one: authentication fails; the deadline (3 s) comes
    // before the broker grace (15 s), so the run ends at it, with exit 6.
    let wrong = "wrong-password-9c1e";
    let r = run(
        &["wait", "--timeout", "3s"],
        &path,
        &[
            ("TEST_SASL_PASSWORD", PASSWORD),
            ("KAFKA_CLIENT_SASL_PASSWORD", wrong),
            ("RUST_LOG", "trace"),
            ("KAFKA_CLIENT_DEBUG", "all"),
        ],
    );
    assert_eq!(r.code, 6, "{}", r.all());
    assert!(
        r.all()
            .contains("(SASL_PLAINTEXT, SCRAM-SHA-512, user kafkainit)"),
        "{}",
        r.all()
    );
    assert!(r.all().contains("Authentication failed"), "{}", r.all());
    for secret in [PASSWORD, wrong] {
        assert!(!r.all().contains(secret), "{secret} leaked:\n{}", r.all());
    }
}

#[test]
fn a_refused_client_property_does_not_echo_its_value() {
    // `sasl.passwd` is no librdkafka property; rdkafka's error would end
    // with the value.
    let path = write_file(
        "    security.protocol: SASL_PLAINTEXT\n",
        &unique("sasl-typo"),
    );
    for command in ["apply", "check"] {
        let r = run(
            &[command, "--output", "json"],
            &path,
            &[
                ("KAFKA_CLIENT_SASL_PASSWD", "typo-secret-77"),
                ("RUST_LOG", "trace"),
            ],
        );
        assert_eq!(r.code, 3, "{command}: {}", r.all());
        assert!(r.all().contains("sasl.passwd"), "{command}: {}", r.all());
        assert!(
            !r.all().contains("typo-secret-77"),
            "{command}: {}",
            r.all()
        );
    }
}

#[test]
fn librdkafka_is_built_with_sasl_scram_oidc_and_ssl() {
    let conf = ClientConfig::new().create_native_config().unwrap();
    let features = conf.get("builtin.features").unwrap();
    // `oidc`: rdkafka's `curl-static` and `cmake-build` features (the
    // configure build cannot find the bundled libcurl and drops it).
    for feature in [
        "ssl",
        "sasl_plain",
        "sasl_scram",
        "sasl_oauthbearer",
        "oidc",
    ] {
        assert!(
            features.split(',').any(|f| f == feature),
            "{feature} missing from {features}"
        );
    }
}

/// A user that may create topics and describe their configs but not
/// describe them (the broker runs with `KAFKA_ACL=1`): planning reads the
/// topics' metadata, which the broker refuses, so the run stops at once,
/// before creating anything, rather than at its deadline.
#[test]
fn a_user_that_may_not_describe_its_topics_exits_1_at_once_naming_the_topic() {
    let prefix = unique("sasl-acl");
    let topic = format!("{prefix}.orders");
    support::allow_limited(&["Create", "DescribeConfigs"], &prefix);
    let path = write_file(
        "    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n",
        &topic,
    );
    let env = [
        ("KAFKA_CLIENT_SASL_USERNAME", support::LIMITED_USER),
        ("KAFKA_CLIENT_SASL_PASSWORD", support::LIMITED_PASSWORD),
    ];
    // A deadline far off: waiting for it would fail with another message.
    let r = runner::kafka_init(&["apply"], &path, &sasl_bootstrap(), "120s", &env);
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.stderr.contains(&format!(
            "topic `{topic}`: read metadata failed: TOPIC_AUTHORIZATION_FAILED"
        )),
        "{}",
        r.all()
    );
    assert!(!r.all().contains(support::LIMITED_PASSWORD), "{}", r.all());
    assert!(!exists(&topic), "{topic} was created");
}
