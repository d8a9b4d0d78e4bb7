//! Log lines on stderr, as text for people or JSON for collectors, with
//! every known secret value scrubbed from whatever is written.

use std::fmt;
use std::io::{self, Write};
use std::sync::{Arc, RwLock};

use tracing::{Event, Subscriber};
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::time::{FormatTime, SystemTime};
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::EnvFilter;

use crate::cli::LogFormat;

/// Secret values (passwords, keys) that must never be printed. Shared by
/// the log writer and the final error message; filled once the settings
/// are known. A second line of defence: secrets are kept out of messages
/// where they are made, and this catches whatever a dependency prints.
#[derive(Clone, Default)]
pub struct Secrets(Arc<RwLock<Vec<String>>>);

impl Secrets {
    pub fn add<'a>(&self, values: impl IntoIterator<Item = &'a str>) {
        let mut known = self.0.write().unwrap_or_else(|e| e.into_inner());
        for value in values.into_iter().filter(|v| !v.is_empty()) {
            // As written, and as a JSON string escapes it.
            let escaped = serde_json::to_string(value).unwrap_or_default();
            let escaped = escaped.trim_matches('"').to_owned();
            for v in [value.to_owned(), escaped] {
                if !known.contains(&v) {
                    known.push(v);
                }
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        known.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    pub fn scrub(&self, text: &str) -> String {
        let known = self.0.read().unwrap_or_else(|e| e.into_inner());
        let mut text = text.to_owned();
        for secret in known.iter() {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), "<redacted>");
            }
        }
        text
    }
}

/// Installs the global subscriber: `RUST_LOG` (default `info`), on stderr.
pub fn init(format: LogFormat, secrets: Secrets) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let writer = ScrubbingStderr(secrets);
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    match format {
        LogFormat::Text => builder.event_format(Text).init(),
        LogFormat::Json => builder.json().init(),
    }
}

/// `2026-01-01T12:00:00.000000Z  INFO message key=value`: the reference
/// design's lines with a timestamp and level, no span prefixes (each phase
/// names itself), and the target only for other crates' lines.
struct Text;

impl<S, N> FormatEvent<S, N> for Text
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let meta = event.metadata();
        SystemTime.format_time(&mut writer)?;
        write!(writer, " {:>5} ", meta.level())?;
        if !meta.target().starts_with("kafka_init") {
            write!(writer, "{}: ", meta.target())?;
        }
        ctx.field_format().format_fields(writer.by_ref(), event)?;
        writeln!(writer)
    }
}

/// Each log line is buffered whole, scrubbed, then written to stderr.
struct ScrubbingStderr(Secrets);

impl<'a> MakeWriter<'a> for ScrubbingStderr {
    type Writer = LineWriter;

    fn make_writer(&'a self) -> LineWriter {
        LineWriter {
            secrets: self.0.clone(),
            buf: Vec::new(),
        }
    }
}

struct LineWriter {
    secrets: Secrets,
    buf: Vec<u8>,
}

impl Write for LineWriter {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let text = String::from_utf8_lossy(&self.buf);
        let clean = self.secrets.scrub(&text);
        self.buf.clear();
        io::stderr().lock().write_all(clean.as_bytes())
    }
}

impl Drop for LineWriter {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrub_replaces_every_form_of_a_secret() {
        let secrets = Secrets::default();
        secrets.add(["pa\"ss", "", "hunter2"]);
        assert_eq!(
            secrets.scrub(r#"a pa"ss b "pa\"ss" hunter2"#),
            r#"a <redacted> b "<redacted>" <redacted>"#
        );
    }
}
