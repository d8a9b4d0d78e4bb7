//! The library over the test broker's TLS listeners (`KAFKA_TLS=1`,
//! exported by scripts/test.sh): `ensure_topics` connects with every
//! kind of login, and refused credentials are `Error::Authentication`,
//! after the broker grace and well before the deadline, without the secret.

use kafka_init_test_support as support;

use std::time::Duration;

use kafka_init::{ensure_topics, ClientProperties, EnsureOptions, Error, TopicFile};
use support::{unique, Tls, CLIENT_KEY_PASSWORD, OIDC_CLIENT_ID, OIDC_CLIENT_SECRET};

const PASSWORD: &str = "kafkainit-secret";

fn topics(name: &str) -> TopicFile {
    let yaml = format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      partitions: 3\n      config:\n        cleanup.policy: compact\n"
    );
    TopicFile::parse(&yaml, "tls.yaml").unwrap()
}

fn logins(tls: &Tls) -> Vec<(&'static str, String, ClientProperties)> {
    let ssl = ClientProperties::new()
        .with("security.protocol", "SSL")
        .with("ssl.ca.location", tls.file("ca.pem"));
    let sasl_ssl = ClientProperties::new()
        .with("security.protocol", "SASL_SSL")
        .with("ssl.ca.location", tls.file("ca.pem"));
    vec![
        ("tls", tls.tls.clone(), ssl.clone()),
        (
            "mtls",
            tls.mtls.clone(),
            ssl.with("ssl.certificate.location", tls.file("client.pem"))
                .with("ssl.key.location", tls.file("client.key"))
                .with("ssl.key.password", CLIENT_KEY_PASSWORD),
        ),
        (
            "scram",
            tls.sasl_ssl.clone(),
            sasl_ssl
                .clone()
                .with("sasl.mechanism", "SCRAM-SHA-512")
                .with("sasl.username", "kafkainit")
                .with("sasl.password", PASSWORD),
        ),
        (
            "oidc",
            tls.oidc.clone(),
            sasl_ssl
                .clone()
                .with("sasl.mechanism", "OAUTHBEARER")
                .with("sasl.oauthbearer.method", "oidc")
                .with("sasl.oauthbearer.client.id", OIDC_CLIENT_ID)
                .with("sasl.oauthbearer.client.secret", OIDC_CLIENT_SECRET)
                .with("sasl.oauthbearer.token.endpoint.url", tls.token_url.clone())
                .with("sasl.oauthbearer.scope", "kafka"),
        ),
        (
            "oauthbearer",
            tls.sasl_ssl.clone(),
            sasl_ssl
                .with("sasl.mechanism", "OAUTHBEARER")
                .with("enable.sasl.oauthbearer.unsecure.jwt", "true")
                .with("sasl.oauthbearer.config", "principal=admin scope=kafka"),
        ),
    ]
}

#[tokio::test]
async fn ensure_topics_provisions_over_every_kind_of_login() {
    let tls = support::tls();
    for (kind, bootstrap, client) in logins(&tls) {
        let name = unique(&format!("lib-tls-{kind}"));
        let file = topics(&name);
        let options = EnsureOptions::new(bootstrap)
            .client(client)
            .timeout(Duration::from_secs(60));
        let report = ensure_topics(&file.topics, &options)
            .await
            .unwrap_or_else(|e| panic!("{kind}: {e}"));
        assert_eq!(report.topics.len(), 1, "{kind}: {report}");
        // As the broker reports it, over its PLAINTEXT listener.
        assert_eq!(support::topic_shape(&name), Some((3, 1)), "{kind}");
        let configs = support::topic_configs(&name).await;
        assert_eq!(
            configs.get("cleanup.policy").map(String::as_str),
            Some("compact"),
            "{kind}: {configs:?}"
        );
    }
}

#[tokio::test]
async fn refused_credentials_are_an_authentication_error_without_the_secret() {
    let tls = support::tls();
    let wrong = "wrong-password-0b7d";
    let cases = [
        (
            tls.sasl_ssl.clone(),
            ClientProperties::new()
                .with("security.protocol", "SASL_SSL")
                .with("ssl.ca.location", tls.file("ca.pem"))
                .with("sasl.mechanism", "SCRAM-SHA-512")
                .with("sasl.username", "kafkainit")
                .with("sasl.password", wrong),
            "SASL_SSL, SCRAM-SHA-512, user kafkainit",
        ),
        (
            tls.mtls.clone(),
            ClientProperties::new()
                .with("security.protocol", "SSL")
                .with("ssl.ca.location", tls.file("ca.pem"))
                .with("ssl.certificate.location", tls.file("stranger.pem"))
                .with("ssl.key.location", tls.file("stranger.key")),
            "SSL, certificate CN=stranger",
        ),
    ];
    for (bootstrap, client, expected_login) in cases {
        let name = unique("lib-tls-refused");
        let file = topics(&name);
        let deadline = Duration::from_secs(120);
        let options = EnsureOptions::new(bootstrap.clone())
            .client(client)
            .timeout(deadline)
            .broker_grace(Duration::from_secs(1));
        let err = ensure_topics(&file.topics, &options)
            .await
            .expect_err("refused");
        let Error::Authentication {
            listener,
            login,
            waited,
            ..
        } = &err
        else {
            panic!("not an authentication error: {err}");
        };
        assert_eq!(listener, &bootstrap, "{err}");
        assert_eq!(login, expected_login, "{err}");
        assert!(
            *waited >= Duration::from_secs(1) && *waited < deadline / 2,
            "{err}"
        );
        assert!(!format!("{err} {err:?}").contains(wrong), "{err:?}");
        assert_eq!(support::topic_shape(&name), None);
    }
}
