//! Kafka's rules for one topic name, on their own: the validator of topic
//! lists and the access rules both hold names to them.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

/// Kafka's longest topic name (`Topic.MAX_NAME_LENGTH`).
pub(crate) const MAX_NAME_LENGTH: usize = 249;

/// Kafka's rules for one topic name (`Topic.validate`), plus the reserved
/// `__` prefix of internal topics.
pub(crate) fn check_name(name: &str) -> Result<(), String> {
    if name.is_empty() {
        return Err("name is empty".into());
    }
    if name == "." || name == ".." {
        return Err(format!("name `{name}` is not allowed"));
    }
    let len = name.chars().count();
    if len > MAX_NAME_LENGTH {
        return Err(format!(
            "name `{name}` is {len} characters long; Kafka allows at most {MAX_NAME_LENGTH}"
        ));
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
    {
        return Err(format!(
            "name `{name}` contains {}, but Kafka allows only ASCII letters, digits, `.`, `_` and `-`",
            if c == ' ' { "a space".to_owned() } else { format!("`{c}`") }
        ));
    }
    if name.starts_with("__") {
        return Err(format!(
            "name `{name}` starts with `__`, which Kafka reserves for internal topics"
        ));
    }
    Ok(())
}
