//! How a YAML value is named in a problem message (`a string "x"`, `a
//! list`) and how a scalar becomes text, shared by the topic file's and
//! the policy's parsers.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use serde_yaml::Value;

/// What `v` is, for a message that says what was expected instead.
pub(crate) fn kind(v: &Value) -> String {
    match v {
        Value::Null => "nothing (null)".into(),
        Value::Bool(b) => format!("a boolean `{b}`"),
        Value::Number(n) => format!("a number `{n}`"),
        Value::String(s) => format!("a string `{s:?}`"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a mapping".into(),
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

/// The one rule by which a scalar becomes text, for topic values, policy
/// lists and the code `include_topics!` generates: a string as written;
/// `true`/`false`; a whole number in decimal (`0x10` is `16`); any other
/// number in its shortest decimal form that reads back the same, with no
/// exponent and no trailing `.0` (`1.0` is `1`, `1e3` is `1000`, `.5` is
/// `0.5`). Config values are strings on the wire; an unquoted `86400000`
/// or `true` means the same as the quoted one.
pub(crate) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(match (n.as_i64(), n.as_u64(), n.as_f64()) {
            (Some(i), _, _) => i.to_string(),
            (None, Some(u), _) => u.to_string(),
            (None, None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_rule_for_every_scalar() {
        let text = |yaml: &str| scalar_text(&serde_yaml::from_str(yaml).unwrap());
        for (yaml, want) in [
            ("\"1.0\"", "1.0"),
            ("1.0", "1"),
            ("1e3", "1000"),
            (".5", "0.5"),
            ("-1", "-1"),
            ("0x10", "16"),
            ("18446744073709551615", "18446744073709551615"),
            ("0.25", "0.25"),
            ("true", "true"),
            ("compact", "compact"),
        ] {
            assert_eq!(text(yaml).as_deref(), Some(want), "{yaml}");
        }
        assert_eq!(text("[1]"), None);
    }
}
