//! `${NAME}` references to environment variables in `bootstrap_servers`
//! and `client` values, so a file can name its secrets without holding
//! them.
//!
//! `${NAME}` is the variable's value; `${NAME:-default}` falls back to
//! `default` when the variable is unset or empty; `$$` is a literal `$`.
//! Any other `$` is kept as written.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

/// Why a value could not be resolved. A message never quotes the value: it
/// may be a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum VarError {
    /// The reference itself is malformed (`${`, `${1X}`).
    Syntax(String),
    /// `${NAME}` with no default, and `NAME` is not set.
    Unset(String),
}

impl std::fmt::Display for VarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            VarError::Syntax(m) => f.write_str(m),
            VarError::Unset(name) => write!(
                f,
                "environment variable `{name}` is not set and the reference has no default (write `${{{name}:-default}}` to give one)"
            ),
        }
    }
}

/// Checks the references in `value` without resolving them.
pub(crate) fn check(value: &str) -> Result<(), VarError> {
    expand(value, &mut |_| Some(String::new())).map(|_| ())
}

/// Replaces every reference in `value` with what `lookup` gives for it.
pub(crate) fn interpolate(
    value: &str,
    mut lookup: impl FnMut(&str) -> Option<String>,
) -> Result<String, VarError> {
    expand(value, &mut lookup)
}

/// `interpolate` against the process environment.
pub(crate) fn interpolate_env(value: &str) -> Result<String, VarError> {
    interpolate(value, |name| std::env::var(name).ok())
}

fn expand(value: &str, lookup: &mut dyn FnMut(&str) -> Option<String>) -> Result<String, VarError> {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(tail) = after.strip_prefix('$') {
            out.push('$');
            rest = tail;
        } else if let Some(body) = after.strip_prefix('{') {
            // 1-based, in characters, for the message.
            let at = value[..value.len() - rest.len() + i].chars().count() + 1;
            let end = body.find('}').ok_or_else(|| {
                VarError::Syntax(format!(
                    "the `${{` at character {at} is never closed with `}}`"
                ))
            })?;
            let inner = &body[..end];
            let (name, default) = match inner.split_once(":-") {
                Some((name, default)) => (name, Some(default)),
                None => (inner, None),
            };
            if !is_var_name(name) {
                return Err(VarError::Syntax(format!(
                    "the `${{...}}` at character {at} is not a variable reference: a name is letters, digits and `_`, not starting with a digit (write `$$` for a literal `$`)"
                )));
            }
            match (lookup(name), default) {
                (Some(v), Some(d)) if v.is_empty() => out.push_str(d),
                (Some(v), _) => out.push_str(&v),
                (None, Some(d)) => out.push_str(d),
                (None, None) => return Err(VarError::Unset(name.to_owned())),
            }
            rest = &body[end + 1..];
        } else {
            out.push('$');
            rest = after;
        }
    }
    out.push_str(rest);
    Ok(out)
}

fn is_var_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOST" => Some("kafka".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn resolves_references_and_defaults() {
        let r = |v: &str| interpolate(v, env);
        assert_eq!(r("${HOST}:9092").unwrap(), "kafka:9092");
        assert_eq!(r("${NOPE:-localhost}:9092").unwrap(), "localhost:9092");
        assert_eq!(r("${EMPTY:-x}").unwrap(), "x");
        assert_eq!(r("${HOST:-x}").unwrap(), "kafka");
        assert_eq!(r("pa$$word$").unwrap(), "pa$word$");
        assert_eq!(r("no refs").unwrap(), "no refs");
        assert_eq!(r("${NOPE}"), Err(VarError::Unset("NOPE".into())));
    }

    #[test]
    fn rejects_malformed_references() {
        assert!(matches!(check("${HOST"), Err(VarError::Syntax(_))));
        assert!(matches!(check("${1X}"), Err(VarError::Syntax(_))));
        assert!(matches!(check("${}"), Err(VarError::Syntax(_))));
        assert!(check("${A_1:-x}").is_ok());
    }

    #[test]
    fn a_malformed_reference_never_shows_the_value() {
        // A password that happens to hold `${`: the message places the
        // problem without repeating any of it.
        for secret in ["hunter2${oops", "hunter2${not a name}x"] {
            let message = check(secret).unwrap_err().to_string();
            assert!(!message.contains("hunter2"), "{message}");
            assert!(!message.contains("oops"), "{message}");
            assert!(!message.contains("not a name"), "{message}");
            assert!(message.contains("at character 8"), "{message}");
        }
    }
}
