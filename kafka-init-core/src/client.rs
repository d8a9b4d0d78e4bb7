//! librdkafka client properties (`security.protocol`, `sasl.password`, ...)
//! from the file's `kafka.client` map and `KAFKA_CLIENT_*` variables.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::fmt;

/// The prefix of the environment variables that set client properties:
/// `KAFKA_CLIENT_SASL_PASSWORD` sets `sasl.password`.
pub const ENV_PREFIX: &str = "KAFKA_CLIENT_";

/// Client properties in file order. Some values are secrets, so `Debug`
/// shows their keys but not their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientProperties(Vec<(String, String)>);

impl ClientProperties {
    /// No properties.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets `key`, replacing an earlier value in place.
    pub fn set(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        let (key, value) = (key.into(), value.into());
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(entry) => entry.1 = value,
            None => self.0.push((key, value)),
        }
        self
    }

    /// `set`, by value, for building in one expression.
    pub fn with(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.set(key, value);
        self
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Every property, in the order set.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// How many properties are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when no property is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The client properties `KAFKA_CLIENT_<NAME>` variables among `vars`
    /// set, sorted by variable name: `<NAME>` lower-cased with every `_`
    /// read as `.` (`KAFKA_CLIENT_SECURITY_PROTOCOL` sets
    /// `security.protocol`). Other variables are ignored.
    pub fn from_env_vars(vars: impl IntoIterator<Item = (String, String)>) -> ClientProperties {
        let mut found: Vec<(String, String)> = vars
            .into_iter()
            .filter_map(|(name, value)| Some((ClientProperties::env_property(&name)?, value)))
            .collect();
        found.sort();
        found.into_iter().collect()
    }

    /// The client properties `KAFKA_CLIENT_<NAME>` variables of this
    /// process's environment set, as [`ClientProperties::from_env_vars`].
    /// A variable whose name or value is not Unicode sets nothing.
    pub fn from_env() -> ClientProperties {
        let vars = std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)));
        ClientProperties::from_env_vars(vars)
    }

    /// The property the variable `name` sets, if it is a `KAFKA_CLIENT_*` one.
    pub fn env_property(name: &str) -> Option<String> {
        let rest = name.strip_prefix(ENV_PREFIX)?;
        if rest.is_empty() {
            return None;
        }
        Some(rest.to_ascii_lowercase().replace('_', "."))
    }

    /// Sets every property of `other` over these: `other` wins.
    pub fn extend(&mut self, other: &ClientProperties) {
        for (k, v) in other.iter() {
            self.set(k, v);
        }
    }

    /// The values of the secret keys, for scrubbing them from output.
    pub fn secret_values(&self) -> Vec<&str> {
        self.0
            .iter()
            .filter(|(k, v)| ClientProperties::is_secret(k) && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// Whether `key`'s value may be a credential and must not be shown.
    pub fn is_secret(key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        // A file's path (`ssl.key.location`) or an address
        // (`sasl.oauthbearer.token.endpoint.url`), not a credential.
        if key.ends_with(".location") || key.ends_with(".url") {
            return false;
        }
        ["password", "passwd", "secret", "key", "token"]
            .iter()
            .any(|word| key.contains(word))
            || key == "sasl.jaas.config"
            || key == "sasl.oauthbearer.config"
    }
}

/// The SASL mechanisms librdkafka knows, by the build feature each needs
/// (`builtin.features`).
pub(crate) const SASL_MECHANISMS: [(&str, &str); 5] = [
    ("GSSAPI", "sasl_gssapi"),
    ("PLAIN", "sasl_plain"),
    ("SCRAM-SHA-256", "sasl_scram"),
    ("SCRAM-SHA-512", "sasl_scram"),
    ("OAUTHBEARER", "sasl_oauthbearer"),
];

/// The properties that name a file librdkafka reads when it uses TLS.
pub(crate) const TLS_FILES: [&str; 5] = [
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.keystore.location",
    "ssl.crl.location",
];

impl ClientProperties {
    /// `security.protocol`, upper-cased; librdkafka's default, `PLAINTEXT`,
    /// when unset.
    pub(crate) fn security_protocol(&self) -> String {
        self.get("security.protocol")
            .map(|p| p.trim().to_ascii_uppercase())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "PLAINTEXT".to_owned())
    }

    pub(crate) fn uses_sasl(&self) -> bool {
        self.security_protocol().starts_with("SASL_")
    }

    pub(crate) fn uses_tls(&self) -> bool {
        matches!(self.security_protocol().as_str(), "SSL" | "SASL_SSL")
    }

    /// The SASL mechanism as set (`sasl.mechanism`, or its alias
    /// `sasl.mechanisms`), upper-cased.
    pub(crate) fn mechanism_set(&self) -> Option<String> {
        self.get("sasl.mechanism")
            .or_else(|| self.get("sasl.mechanisms"))
            .map(|m| m.trim().to_ascii_uppercase())
            .filter(|m| !m.is_empty())
    }

    /// The SASL mechanism a SASL connection uses: as set, else librdkafka's
    /// default, `GSSAPI`. `None` without SASL.
    pub(crate) fn sasl_mechanism(&self) -> Option<String> {
        self.uses_sasl()
            .then(|| self.mechanism_set().unwrap_or_else(|| "GSSAPI".to_owned()))
    }

    /// Settings that do not fit together, which librdkafka would accept
    /// and then ignore or fail on only at connect time: a SASL mechanism
    /// without a SASL protocol, a mechanism librdkafka does not know.
    pub(crate) fn conflicts(&self) -> Vec<String> {
        let mut problems = Vec::new();
        let protocol = self.security_protocol();
        if let Some(mechanism) = self.mechanism_set() {
            if !self.uses_sasl() {
                problems.push(format!(
                    "`sasl.mechanism` is {mechanism} but `security.protocol` is {protocol}: SASL is used only with SASL_SSL or SASL_PLAINTEXT"
                ));
            } else if !SASL_MECHANISMS.iter().any(|(m, _)| *m == mechanism) {
                problems.push(format!(
                    "`sasl.mechanism` {mechanism} is not a SASL mechanism librdkafka knows (one of {})",
                    SASL_MECHANISMS.map(|(m, _)| m).join(", ")
                ));
            }
        }
        problems
    }

    /// Who logs in and how, for messages: `SASL_SSL, SCRAM-SHA-512, user
    /// svc`. `certificate` is the client certificate's subject, when there
    /// is one. Never a secret.
    pub(crate) fn login(&self, certificate: Option<&str>) -> String {
        let mut parts = vec![self.security_protocol()];
        if let Some(mechanism) = self.sasl_mechanism() {
            let who = match mechanism.as_str() {
                "OAUTHBEARER"
                    if self
                        .get("sasl.oauthbearer.method")
                        .is_some_and(|m| m.eq_ignore_ascii_case("oidc")) =>
                {
                    self.get("sasl.oauthbearer.client.id")
                        .map(|id| format!("client id {id}"))
                }
                "OAUTHBEARER" => self
                    .get("sasl.oauthbearer.config")
                    .and_then(unsecured_principal)
                    .map(|p| format!("principal {p}")),
                _ => self.get("sasl.username").map(|u| format!("user {u}")),
            };
            parts.push(mechanism);
            parts.extend(who);
        }
        if self.uses_tls() {
            match certificate {
                Some(subject) => parts.push(format!("certificate {subject}")),
                None if self.get("ssl.keystore.location").is_some() => {
                    parts.push("certificate from `ssl.keystore.location`".to_owned())
                }
                None if !self.uses_sasl() => parts.push("no client certificate".to_owned()),
                None => {}
            }
        }
        parts.join(", ")
    }

    /// `text` with every secret value of these properties shown as `***`.
    pub(crate) fn redact(&self, text: &str) -> String {
        let mut secrets = self.secret_values();
        // The longest first, so one secret inside another leaves no tail.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets
            .into_iter()
            .fold(text.to_owned(), |text, secret| text.replace(secret, "***"))
    }
}

/// The `principal=` of librdkafka's unsecured-JWT `sasl.oauthbearer.config`
/// (`principal=admin scope=kafka`).
fn unsecured_principal(config: &str) -> Option<&str> {
    config
        .split_whitespace()
        .find_map(|part| part.strip_prefix("principal="))
}

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for ClientProperties {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut props = ClientProperties::new();
        for (k, v) in iter {
            props.set(k, v);
        }
        props
    }
}

impl fmt::Debug for ClientProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut map = f.debug_map();
        for (k, v) in &self.0 {
            if ClientProperties::is_secret(k) {
                map.entry(k, &format_args!("<redacted>"));
            } else {
                map.entry(k, v);
            }
        }
        map.finish()
    }
}

/// librdkafka's refusal of `key = value` (`desc`), without the value when it
/// is a secret: librdkafka's own message ends with the value, which may be a
/// password (or a misspelled password key it does not know).
pub(crate) fn refused_property(key: &str, value: &str, desc: &str) -> String {
    let desc = if ClientProperties::is_secret(key) && !value.is_empty() {
        desc.replace(value, "<redacted>")
    } else {
        desc.to_owned()
    };
    format!("client property `{key}`: {desc}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let props: ClientProperties = [
            ("security.protocol", "SASL_SSL"),
            ("sasl.username", "svc"),
            ("sasl.password", "hunter2"),
            ("ssl.key.password", "k3y"),
            ("sasl.oauthbearer.client.secret", "s3cret"),
            ("sasl.jaas.config", "org.apache... password=\"pw\";"),
        ]
        .into_iter()
        .collect();
        let shown = format!("{props:?}");
        for secret in ["hunter2", "k3y", "s3cret", "pw"] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert!(
            shown.contains("SASL_SSL") && shown.contains("svc"),
            "{shown}"
        );
        assert!(shown.contains("\"sasl.password\": <redacted>"), "{shown}");
    }

    #[test]
    fn env_variables_name_properties() {
        let vars = [
            ("KAFKA_CLIENT_SECURITY_PROTOCOL", "SASL_SSL"),
            ("KAFKA_CLIENT_SASL_PASSWORD", "pw"),
            ("KAFKA_CLIENT_", "ignored"),
            ("KAFKA_BOOTSTRAP_SERVERS", "ignored"),
            ("PATH", "/bin"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let props = ClientProperties::from_env_vars(vars);
        assert_eq!(
            props.iter().collect::<Vec<_>>(),
            [("sasl.password", "pw"), ("security.protocol", "SASL_SSL")]
        );
        assert_eq!(props.secret_values(), ["pw"]);
    }

    #[test]
    fn a_mechanism_needs_a_sasl_protocol_and_a_known_name() {
        let props =
            |pairs: &[(&str, &str)]| -> ClientProperties { pairs.iter().copied().collect() };
        assert!(props(&[
            ("security.protocol", "sasl_ssl"),
            ("sasl.mechanism", "SCRAM-SHA-512")
        ])
        .conflicts()
        .is_empty());
        assert!(props(&[]).conflicts().is_empty());
        let ssl = props(&[("security.protocol", "SSL"), ("sasl.mechanism", "PLAIN")]).conflicts();
        assert_eq!(
            ssl,
            ["`sasl.mechanism` is PLAIN but `security.protocol` is SSL: SASL is used only with SASL_SSL or SASL_PLAINTEXT"]
        );
        let unset = props(&[("sasl.mechanisms", "OAUTHBEARER")]).conflicts();
        assert!(
            unset[0].contains("`security.protocol` is PLAINTEXT"),
            "{unset:?}"
        );
        let unknown = props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-1"),
        ])
        .conflicts();
        assert!(
            unknown[0].contains("SCRAM-SHA-1 is not a SASL mechanism"),
            "{unknown:?}"
        );
    }

    #[test]
    fn login_names_protocol_mechanism_and_who_but_no_secret() {
        let props =
            |pairs: &[(&str, &str)]| -> ClientProperties { pairs.iter().copied().collect() };
        let scram = props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "SCRAM-SHA-512"),
            ("sasl.username", "svc"),
            ("sasl.password", "hunter2"),
        ]);
        assert_eq!(scram.login(None), "SASL_SSL, SCRAM-SHA-512, user svc");
        let jwt = props(&[
            ("security.protocol", "SASL_SSL"),
            ("sasl.mechanism", "OAUTHBEARER"),
            ("sasl.oauthbearer.config", "principal=admin scope=kafka"),
        ]);
        assert_eq!(jwt.login(None), "SASL_SSL, OAUTHBEARER, principal admin");
        let mtls = props(&[("security.protocol", "ssl")]);
        assert_eq!(mtls.login(Some("CN=svc")), "SSL, certificate CN=svc");
        assert_eq!(mtls.login(None), "SSL, no client certificate");
        assert_eq!(props(&[]).login(None), "PLAINTEXT");
        assert_eq!(scram.redact("bad hunter2 for svc"), "bad *** for svc");
    }

    #[test]
    fn set_replaces_in_place() {
        let props = ClientProperties::new()
            .with("a", "1")
            .with("b", "2")
            .with("a", "3");
        assert_eq!(props.iter().collect::<Vec<_>>(), [("a", "3"), ("b", "2")]);
    }
}
