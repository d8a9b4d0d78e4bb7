//! Secured clusters through the binary, against the test broker's TLS
//! listeners (`KAFKA_TLS=1`: scripts/test.sh exports their addresses and
//! the directory of the certificates): each kind of login provisions, each
//! refused credential exits 6 well before the deadline with one line that
//! says who was refused where and why, and each misconfiguration exits 3
//! before anything is sent. No secret shows at any log level.

mod runner;
use kafka_init_test_support as support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use runner::Run;
use support::{unique, Tls, CLIENT_KEY_PASSWORD, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET};

const USER: &str = "kafkainit";
const PASSWORD: &str = "kafkainit-secret";

/// A topic file with one topic, `client_yaml` as its `kafka.client`.
fn write_file(client_yaml: &str, topic: &str) -> PathBuf {
    runner::topic_file(&format!(
        "kafka:\n  client:\n{client_yaml}  topics:\n    t:\n      name: \"{topic}\"\n      partitions: 2\n      config:\n        retention.ms: \"60000\"\n"
    ))
}

fn run(args: &[&str], path: &Path, bootstrap: &str, env: &[(&str, &str)]) -> Run {
    runner::kafka_init(args, path, bootstrap, "120s", env)
}

/// What the broker reports for `topic`, over its PLAINTEXT listener.
async fn assert_provisioned(topic: &str) {
    assert_eq!(support::topic_shape(topic), Some((2, 1)), "{topic}");
    let configs = support::topic_configs(topic).await;
    assert_eq!(
        configs.get("retention.ms").map(String::as_str),
        Some("60000"),
        "{topic}: {configs:?}"
    );
}

/// Every way of logging in, as `KAFKA_CLIENT_*` variables, with the
/// listener it is for.
/// A kind of login: its name, the listener and the variables to set.
type Login = (&'static str, String, Vec<(&'static str, String)>);

/// Variables for one run.
type Env<'a> = Vec<(&'a str, &'a str)>;

fn logins(tls: &Tls) -> Vec<Login> {
    let ca = ("KAFKA_CLIENT_SSL_CA_LOCATION", tls.file("ca.pem"));
    let ssl = ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL".to_owned());
    let sasl_ssl = ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL".to_owned());
    vec![
        ("tls", tls.tls.clone(), vec![ssl.clone(), ca.clone()]),
        (
            "mtls",
            tls.mtls.clone(),
            vec![
                ssl,
                ca.clone(),
                (
                    "KAFKA_CLIENT_SSL_CERTIFICATE_LOCATION",
                    tls.file("client.pem"),
                ),
                ("KAFKA_CLIENT_SSL_KEY_LOCATION", tls.file("client.key")),
                ("KAFKA_CLIENT_SSL_KEY_PASSWORD", CLIENT_KEY_PASSWORD.into()),
            ],
        ),
        (
            "scram",
            tls.sasl_ssl.clone(),
            vec![
                sasl_ssl.clone(),
                ca.clone(),
                ("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512".into()),
                ("KAFKA_CLIENT_SASL_USERNAME", USER.into()),
                ("KAFKA_CLIENT_SASL_PASSWORD", PASSWORD.into()),
            ],
        ),
        (
            "oidc",
            tls.oidc.clone(),
            vec![
                sasl_ssl.clone(),
                ca.clone(),
                ("KAFKA_CLIENT_SASL_MECHANISM", "OAUTHBEARER".into()),
                ("KAFKA_CLIENT_SASL_OAUTHBEARER_METHOD", "oidc".into()),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_CLIENT_ID",
                    OIDC_CLIENT_ID.into(),
                ),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_CLIENT_SECRET",
                    OIDC_CLIENT_SECRET.into(),
                ),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL",
                    tls.token_url.clone(),
                ),
                ("KAFKA_CLIENT_SASL_OAUTHBEARER_SCOPE", "kafka".into()),
            ],
        ),
        (
            "oauthbearer",
            tls.sasl_ssl.clone(),
            vec![
                sasl_ssl,
                ca,
                ("KAFKA_CLIENT_SASL_MECHANISM", "OAUTHBEARER".into()),
                (
                    "KAFKA_CLIENT_ENABLE_SASL_OAUTHBEARER_UNSECURE_JWT",
                    "true".into(),
                ),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_CONFIG",
                    "principal=admin scope=kafka".into(),
                ),
            ],
        ),
    ]
}

#[tokio::test]
async fn every_kind_of_login_provisions_and_no_secret_shows() {
    let tls = support::tls();
    for (kind, bootstrap, vars) in logins(&tls) {
        let topic = unique(&format!("tls-{kind}"));
        let path = write_file("", &topic);
        let mut env: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
        env.extend([("RUST_LOG", "trace"), ("KAFKA_CLIENT_DEBUG", "all")]);
        let r = run(&["apply", "--output", "json"], &path, &bootstrap, &env);
        assert_eq!(r.code, 0, "{kind}: {}", r.all());
        assert_provisioned(&topic).await;
        for secret in [PASSWORD, CLIENT_KEY_PASSWORD, OIDC_CLIENT_SECRET] {
            assert!(!r.all().contains(secret), "{kind}: {secret} leaked");
        }
        // A JWT's header, `{"`, base64-encoded: no token shows either.
        assert!(!r.all().contains("eyJ"), "{kind}: a token leaked");
        // A second run over the same listener finds nothing to change.
        let r = run(&["plan"], &path, &bootstrap, &env[..env.len() - 2]);
        assert_eq!(r.code, 0, "{kind}: {}", r.all());
    }
}

/// The key's pass phrase from the file through a `${VAR}`; unset, the run
/// stops before connecting, naming the variable.
#[tokio::test]
async fn mutual_tls_with_the_key_pass_phrase_from_a_variable() {
    let tls = support::tls();
    let topic = unique("tls-mtls-file");
    let path = write_file(
        &format!(
            "    security.protocol: SSL\n    ssl.ca.location: \"{}\"\n    ssl.certificate.location: \"{}\"\n    ssl.key.location: \"{}\"\n    ssl.key.password: \"${{TEST_KEY_PASSWORD}}\"\n",
            tls.file("ca.pem"),
            tls.file("client.pem"),
            tls.file("client.key")
        ),
        &topic,
    );
    let r = run(&["apply"], &path, &tls.mtls, &[]);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(r.stderr.contains("TEST_KEY_PASSWORD"), "{}", r.all());
    assert_eq!(support::topic_shape(&topic), None);

    let r = run(
        &["apply"],
        &path,
        &tls.mtls,
        &[
            ("TEST_KEY_PASSWORD", CLIENT_KEY_PASSWORD),
            ("RUST_LOG", "trace"),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    assert!(!r.all().contains(CLIENT_KEY_PASSWORD), "{}", r.all());
    assert_provisioned(&topic).await;
}

/// A credential the brokers refuse: exit 6 once the broker grace (1 s
/// here) has passed, far from the deadline (120 s), with one line naming
/// the listener, the login and librdkafka's reason, and nothing created.
#[test]
fn a_refused_credential_exits_6_after_the_grace_naming_who_and_why() {
    let tls = support::tls();
    let ca = tls.file("ca.pem");
    let wrong_password = "wrong-password-5e2a";
    // 127.1 reaches 127.0.0.1, but the broker's certificate names only
    // 127.0.0.1 and localhost.
    let other_name = tls.tls.replace("127.0.0.1", "127.1");
    let [other_ca, stranger_pem, stranger_key, expired_pem, expired_key] = [
        "other-ca.pem",
        "stranger.pem",
        "stranger.key",
        "expired.pem",
        "expired.key",
    ]
    .map(|name| tls.file(name));
    // What, where, with what, the login the line names, librdkafka's reason.
    let cases: Vec<(&str, &str, Env, &str, &str)> = vec![
        (
            "wrong CA",
            &tls.tls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &other_ca),
            ],
            "(SSL, no client certificate)",
            "certificate verify failed",
        ),
        (
            "host name mismatch",
            &other_name,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
            ],
            "(SSL, no client certificate)",
            // librdkafka says to check the CA; OpenSSL says why.
            "OpenSSL: hostname mismatch",
        ),
        (
            "missing client certificate",
            &tls.mtls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
            ],
            "(SSL, no client certificate)",
            "SSL alert",
        ),
        (
            "client certificate from another CA",
            &tls.mtls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SSL_CERTIFICATE_LOCATION", &stranger_pem),
                ("KAFKA_CLIENT_SSL_KEY_LOCATION", &stranger_key),
            ],
            "(SSL, certificate CN=stranger)",
            "SSL alert",
        ),
        (
            "expired client certificate",
            &tls.mtls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SSL_CERTIFICATE_LOCATION", &expired_pem),
                ("KAFKA_CLIENT_SSL_KEY_LOCATION", &expired_key),
            ],
            "(SSL, certificate CN=expired)",
            "SSL alert",
        ),
        (
            "wrong password",
            &tls.sasl_ssl,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"),
                ("KAFKA_CLIENT_SASL_USERNAME", USER),
                ("KAFKA_CLIENT_SASL_PASSWORD", wrong_password),
            ],
            "(SASL_SSL, SCRAM-SHA-512, user kafkainit)",
            "invalid credentials",
        ),
        (
            "token without the required scope",
            &tls.sasl_ssl,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SASL_MECHANISM", "OAUTHBEARER"),
                ("KAFKA_CLIENT_ENABLE_SASL_OAUTHBEARER_UNSECURE_JWT", "true"),
                ("KAFKA_CLIENT_SASL_OAUTHBEARER_CONFIG", "principal=admin"),
            ],
            "(SASL_SSL, OAUTHBEARER, principal admin)",
            "insufficient_scope",
        ),
        (
            "wrong OIDC client secret",
            &tls.oidc,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SASL_MECHANISM", "OAUTHBEARER"),
                ("KAFKA_CLIENT_SASL_OAUTHBEARER_METHOD", "oidc"),
                ("KAFKA_CLIENT_SASL_OAUTHBEARER_CLIENT_ID", OIDC_CLIENT_ID),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_CLIENT_SECRET",
                    wrong_password,
                ),
                (
                    "KAFKA_CLIENT_SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL",
                    &tls.token_url,
                ),
            ],
            "(SASL_SSL, OAUTHBEARER, client id kafkainit-client)",
            "401",
        ),
    ];
    for (case, bootstrap, mut env, login, reason) in cases {
        let topic = unique("tls-refused");
        let path = write_file("", &topic);
        env.extend([("RUST_LOG", "trace"), ("KAFKA_CLIENT_DEBUG", "all")]);
        let started = Instant::now();
        let r = run(&["apply", "--broker-grace", "1s"], &path, bootstrap, &env);
        let elapsed = started.elapsed();
        assert_eq!(r.code, 6, "{case}: {}", r.all());
        let listener = bootstrap.split(',').next().unwrap();
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains("authentication failed at"))
            .unwrap_or_else(|| panic!("{case}: no authentication line\n{}", r.all()));
        assert!(
            line.contains(&format!("authentication failed at {listener} {login}")),
            "{case}: {line}"
        );
        assert!(line.contains(reason), "{case}: {line}");
        // After the grace, not at the deadline.
        assert!(elapsed < Duration::from_secs(60), "{case}: {elapsed:?}");
        for secret in [wrong_password, PASSWORD] {
            assert!(!r.all().contains(secret), "{case}: {secret} leaked");
        }
        assert_eq!(support::topic_shape(&topic), None, "{case}");
    }
}

/// Settings that cannot work fail before connecting, exit 3, naming the
/// property and file (never a key's content or pass phrase).
#[test]
fn a_misconfiguration_exits_3_before_connecting() {
    let tls = support::tls();
    let ca = tls.file("ca.pem");
    let dir = std::env::temp_dir().join(unique("tls-bad"));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing-ca.pem").to_string_lossy().into_owned();
    // A CA bundle with a damaged certificate appended.
    let damaged = dir.join("damaged-ca.pem");
    let mut bundle = std::fs::read_to_string(&ca).unwrap();
    bundle.push_str(
        "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n",
    );
    std::fs::write(&damaged, bundle).unwrap();
    let damaged = damaged.to_string_lossy().into_owned();
    let client_pem = tls.file("client.pem");
    let client_key = tls.file("client.key");
    let cases: Vec<(&str, &str, Env, String)> = vec![
        (
            "a CA file that does not exist",
            &tls.tls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &missing),
            ],
            format!("client property `ssl.ca.location`: cannot read `{missing}`"),
        ),
        (
            "a CA bundle with a damaged certificate",
            &tls.tls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &damaged),
            ],
            format!("`{damaged}` holds a certificate OpenSSL cannot read"),
        ),
        (
            "a key file that is a certificate",
            &tls.mtls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SSL_CERTIFICATE_LOCATION", &client_pem),
                ("KAFKA_CLIENT_SSL_KEY_LOCATION", &client_pem),
            ],
            format!("`{client_pem}` holds a certificate, not a private key"),
        ),
        (
            "a wrong key pass phrase",
            &tls.mtls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SSL_CERTIFICATE_LOCATION", &client_pem),
                ("KAFKA_CLIENT_SSL_KEY_LOCATION", &client_key),
                ("KAFKA_CLIENT_SSL_KEY_PASSWORD", "wrong-pass-phrase-77"),
            ],
            format!("`ssl.key.password` does not open the key in `{client_key}`"),
        ),
        (
            "a SASL mechanism without a SASL protocol",
            &tls.tls,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
                ("KAFKA_CLIENT_SASL_MECHANISM", "SCRAM-SHA-512"),
            ],
            "`sasl.mechanism` is SCRAM-SHA-512 but `security.protocol` is SSL".to_owned(),
        ),
        (
            "a mechanism this build lacks (librdkafka's default, GSSAPI)",
            &tls.sasl_ssl,
            vec![
                ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
                ("KAFKA_CLIENT_SSL_CA_LOCATION", &ca),
            ],
            "No provider for SASL mechanism GSSAPI".to_owned(),
        ),
    ];
    for (case, bootstrap, mut env, message) in cases {
        let topic = unique("tls-misconfigured");
        let path = write_file("", &topic);
        env.push(("RUST_LOG", "trace"));
        let r = run(&["apply"], &path, bootstrap, &env);
        assert_eq!(r.code, 3, "{case}: {}", r.all());
        assert!(r.stderr.contains(&message), "{case}: {}", r.all());
        assert!(!r.all().contains("wrong-pass-phrase-77"), "{case}: leaked");
        assert!(
            !r.all().contains("PRIVATE KEY"),
            "{case}: key content shown"
        );
        assert_eq!(support::topic_shape(&topic), None, "{case}");
    }
}
