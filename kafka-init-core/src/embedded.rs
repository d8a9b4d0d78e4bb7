//! Running with specs compiled into the program (`include_topics!`): the
//! explicit entry point and the environment-reading options behind the
//! generated `topics::ensure_topics()`.

use std::path::PathBuf;

use tracing::Instrument;

use crate::admin::EnsureOptions;
use crate::ensure::ensure_topics;
use crate::error::Error;
use crate::file::{FileError, Problem};
use crate::report::Report;
use crate::spec::TopicSpec;
use crate::vars;

/// The variable that overrides the bootstrap servers a file declares.
pub const BOOTSTRAP_ENV: &str = "KAFKA_BOOTSTRAP_SERVERS";
/// The variable that sets the deadline (`30s`, `2m`), as for the binary.
pub const TIMEOUT_ENV: &str = "KAFKA_INIT_TIMEOUT";

/// Makes every topic in `specs` exist, as `options` say: the explicit form
/// of the generated `topics::ensure_topics()`.
///
/// ```no_run
/// # async fn run() -> Result<(), kafka_init_core::Error> {
/// # let specs: &[kafka_init_core::TopicSpec] = &[];
/// use std::time::Duration;
/// use kafka_init_core::{ClientProperties, EnsureOptions};
///
/// let options = EnsureOptions::new("broker-1:9092,broker-2:9092")
///     .timeout(Duration::from_secs(30))
///     .client(ClientProperties::new().with("security.protocol", "SASL_SSL"));
/// let report = kafka_init_core::ensure_topics_with(specs, options).await?;
/// println!("{report}");
/// # Ok(()) }
/// ```
pub async fn ensure_topics_with(
    specs: &[TopicSpec],
    options: EnsureOptions,
) -> Result<Report, Error> {
    let span = tracing::info_span!(
        "ensure_topics",
        topics = specs.len(),
        bootstrap = %options.bootstrap_servers
    );
    ensure_topics(specs, &options).instrument(span).await
}

impl EnsureOptions {
    /// Options for a service: the bootstrap servers from
    /// `KAFKA_BOOTSTRAP_SERVERS` when set and not empty, otherwise
    /// `fallback` (a file's `bootstrap_servers`) with its `${VAR}`
    /// references resolved from the environment; the deadline from
    /// `KAFKA_INIT_TIMEOUT` (`30s`, `2m`) when set, otherwise 60 seconds.
    pub fn from_env_or(fallback: Option<&str>) -> Result<EnsureOptions, Error> {
        let options = EnsureOptions::new(bootstrap_from_env_or(fallback)?);
        match std::env::var(TIMEOUT_ENV) {
            Ok(t) if !t.trim().is_empty() => {
                let timeout = humantime::parse_duration(t.trim()).map_err(|e| Error::Client {
                    context: "invalid KAFKA_INIT_TIMEOUT",
                    message: format!("`{t}`: {e} (write e.g. `30s` or `2m`)"),
                })?;
                Ok(options.timeout(timeout))
            }
            _ => Ok(options),
        }
    }
}

fn bootstrap_from_env_or(fallback: Option<&str>) -> Result<String, Error> {
    if let Some(servers) = std::env::var(BOOTSTRAP_ENV)
        .ok()
        .filter(|s| !s.trim().is_empty())
    {
        return Ok(servers);
    }
    let Some(fallback) = fallback else {
        return Err(Error::Client {
            context: "no Kafka bootstrap servers",
            message: format!("set {BOOTSTRAP_ENV} or `kafka.bootstrap_servers` in the topic file"),
        });
    };
    vars::interpolate_env(fallback).map_err(|e| {
        Error::File(FileError {
            path: PathBuf::from("(compiled-in topic file)"),
            problems: vec![Problem {
                line: 0,
                column: 0,
                message: format!("kafka.bootstrap_servers: {e}"),
            }],
        })
    })
}
