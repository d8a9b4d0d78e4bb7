//! librdkafka client properties (`security.protocol`, `sasl.password`, ...)
//! from the file's `kafka.client` map.

use std::fmt;

/// Client properties in file order. Some values are secrets, so `Debug`
/// shows their keys but not their values.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientProperties(Vec<(String, String)>);

impl ClientProperties {
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

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether `key`'s value may be a credential and must not be shown.
    pub fn is_secret(key: &str) -> bool {
        let key = key.to_ascii_lowercase();
        ["password", "secret", "key", "token"]
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
    fn set_replaces_in_place() {
        let props = ClientProperties::new()
            .with("a", "1")
            .with("b", "2")
            .with("a", "3");
        assert_eq!(props.iter().collect::<Vec<_>>(), [("a", "3"), ("b", "2")]);
    }
}
