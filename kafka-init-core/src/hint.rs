//! "Did you mean": the known name closest to a misspelt one, for keys,
//! rules and config names alike.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

/// The candidate closest to `name`, when it is at least `threshold` alike
/// (Jaro-Winkler).
pub(crate) fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    threshold: f64,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(name, c), c))
        .filter(|(score, _)| *score > threshold)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// What to add after "unknown key `x`": `; did you mean `y`?`, or the known
/// names after `listed` (`; expected `a`, `b``).
pub(crate) fn unknown(name: &str, known: &[&str], listed: &str) -> String {
    match closest(name, known.iter().copied(), 0.8) {
        Some(c) => format!("; did you mean `{c}`?"),
        None => format!(
            "; {listed} {}",
            known
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
