//! Running with specs compiled into the program (`include_topics!`): the
//! explicit entry point and the environment-reading options behind the
//! generated `topics::ensure_topics()`.

use std::path::PathBuf;
use std::time::Duration;

use tracing::Instrument;

use crate::admin::EnsureOptions;
use crate::client::ClientProperties;
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
/// The variable that sets [`EnsureOptions::broker_grace`], as for the binary.
pub const BROKER_GRACE_ENV: &str = "KAFKA_INIT_BROKER_GRACE";

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
    /// `KAFKA_INIT_TIMEOUT` (`30s`, `2m`) when set, otherwise 60 seconds;
    /// the broker grace from `KAFKA_INIT_BROKER_GRACE`, otherwise 15 seconds;
    /// client properties from `KAFKA_CLIENT_<NAME>` variables, as the binary.
    pub fn from_env_or(fallback: Option<&str>) -> Result<EnsureOptions, Error> {
        let mut options = EnsureOptions::new(bootstrap_from_env_or(fallback)?)
            .client(ClientProperties::from_env_vars(std::env::vars()));
        if let Some(timeout) = duration_from_env(TIMEOUT_ENV)? {
            options = options.timeout(timeout);
        }
        if let Some(grace) = duration_from_env(BROKER_GRACE_ENV)? {
            options = options.broker_grace(grace);
        }
        Ok(options)
    }
}

/// A duration (`30s`, `2m`) from the variable `name`, when set and not empty.
fn duration_from_env(name: &'static str) -> Result<Option<Duration>, Error> {
    match std::env::var(name) {
        Ok(t) if !t.trim().is_empty() => {
            humantime::parse_duration(t.trim())
                .map(Some)
                .map_err(|e| Error::Client {
                    context: name,
                    message: format!("invalid value `{t}`: {e} (write e.g. `30s` or `2m`)"),
                })
        }
        _ => Ok(None),
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
