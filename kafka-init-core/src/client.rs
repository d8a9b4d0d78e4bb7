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
        ["password", "passwd", "secret", "key", "token"]
            .iter()
            .any(|word| key.contains(word))
            || key == "sasl.jaas.config"
            || key == "sasl.oauthbearer.config"
    }
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
    fn set_replaces_in_place() {
        let props = ClientProperties::new()
            .with("a", "1")
            .with("b", "2")
            .with("a", "3");
        assert_eq!(props.iter().collect::<Vec<_>>(), [("a", "3"), ("b", "2")]);
    }
}
