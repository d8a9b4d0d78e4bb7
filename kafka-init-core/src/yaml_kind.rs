//! How a YAML value is named in a problem message: `a string "x"`, `a
//! list`, shared by the topic file's and the policy's parsers.
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
