//! How a run reaches the cluster and how long it keeps trying, and the
//! environment-reading options behind the generated `topics::ensure_topics()`.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::time::Duration;

use crate::access::AccessEntry;
use crate::client::ClientProperties;
use crate::error::Error;
use crate::file::FileError;
use crate::ownership::Ownership;
use crate::spec::{Profile, TopicSpec};
use crate::usage::DEFAULT_PRUNE_IDLE;
use crate::vars;

/// The variable that overrides the bootstrap servers a file declares.
pub const BOOTSTRAP_ENV: &str = "KAFKA_BOOTSTRAP_SERVERS";
/// The variable that sets the deadline (`30s`, `2m`), as for the binary.
pub const TIMEOUT_ENV: &str = "KAFKA_INIT_TIMEOUT";
/// The variable that selects a profile of the topic file, as for the binary.
pub const PROFILE_ENV: &str = "KAFKA_INIT_PROFILE";
/// The variable that sets [`EnsureOptions::broker_grace`], as for the binary.
pub const BROKER_GRACE_ENV: &str = "KAFKA_INIT_BROKER_GRACE";
/// The variable that sets [`EnsureOptions::prune_idle`], as for the binary.
pub const PRUNE_IDLE_ENV: &str = "KAFKA_INIT_PRUNE_IDLE";

/// How to reach the cluster and how long to keep trying: built with
/// [`EnsureOptions::new`] (or [`EnsureOptions::from_env_or`]) and the
/// builder methods, read with the getters of the same names.
#[derive(Debug, Clone)]
pub struct EnsureOptions {
    pub(crate) bootstrap_servers: String,
    pub(crate) timeout: Duration,
    pub(crate) client: ClientProperties,
    pub(crate) broker_grace: Duration,
    pub(crate) prune: Option<usize>,
    pub(crate) ownership: Ownership,
    pub(crate) prune_idle: Duration,
    pub(crate) prune_in_use: bool,
    pub(crate) access: Vec<AccessEntry>,
}

impl EnsureOptions {
    /// Options for `bootstrap_servers` (`host:port[,host:port...]`), with a
    /// one-minute deadline, no client properties and the default broker grace.
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        EnsureOptions {
            bootstrap_servers: bootstrap_servers.into(),
            timeout: Duration::from_secs(60),
            client: ClientProperties::new(),
            broker_grace: DEFAULT_BROKER_GRACE,
            prune: None,
            ownership: Ownership::default(),
            prune_idle: DEFAULT_PRUNE_IDLE,
            prune_in_use: false,
            access: Vec::new(),
        }
    }

    /// Pruning keeps an orphan that is in use: one on which any consumer
    /// group has committed offsets, or whose newest record is younger than
    /// `idle` (default: [`DEFAULT_PRUNE_IDLE`], a day). The plan shows it as
    /// `keep`, with the reason.
    pub fn prune_idle(mut self, idle: Duration) -> Self {
        self.prune_idle = idle;
        self
    }

    /// Prune orphans even when they are in use (the explicit override of
    /// [`EnsureOptions::prune_idle`]'s guard).
    pub fn prune_in_use(mut self, delete_in_use: bool) -> Self {
        self.prune_in_use = delete_in_use;
        self
    }

    /// Delete orphans: topics inside `ownership`'s `owns` that the specs do
    /// not declare and that are not protected. They are deleted last, only
    /// after every create, alter and growth of the run succeeded; a run
    /// that would delete more than `max_deletions` changes nothing and
    /// fails. Needs [`EnsureOptions::ownership`] with `owns`.
    pub fn prune(mut self, max_deletions: usize) -> Self {
        self.prune = Some(max_deletions);
        self
    }

    /// The access the run grants beside its topics: a file's `kafka.access`
    /// ([`TopicFile::access_for`](crate::TopicFile::access_for)). Granted
    /// after the topics exist; with [`EnsureOptions::prune`], owned bindings
    /// the entries do not grant are revoked.
    pub fn access(mut self, entries: impl IntoIterator<Item = AccessEntry>) -> Self {
        self.access = entries.into_iter().collect();
        self
    }

    /// What the run's topics belong to: a file's `ownership`.
    pub fn ownership(mut self, ownership: Ownership) -> Self {
        self.ownership = ownership;
        self
    }

    /// How long the number of brokers must stay the same before a create
    /// that wants more replicas than there are brokers is refused instead
    /// of retried (a cluster still starting registers brokers one by one).
    /// Also how long credentials the brokers refuse are retried (they may
    /// still be propagating on a starting cluster) before
    /// [`Error::Authentication`]. Default: [`DEFAULT_BROKER_GRACE`].
    pub fn broker_grace(mut self, grace: Duration) -> Self {
        self.broker_grace = grace;
        self
    }

    /// librdkafka properties for the connection (security, SASL, TLS).
    pub fn client(mut self, client: ClientProperties) -> Self {
        self.client = client;
        self
    }

    /// One deadline for each run (connecting, or one call on a
    /// [`Cluster`](crate::Cluster)): creating, verifying, waiting for
    /// partitions to serve. Default: one minute.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// `host:port[,host:port...]`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// See [`EnsureOptions::timeout`].
    pub fn deadline(&self) -> Duration {
        self.timeout
    }

    /// See [`EnsureOptions::client`].
    pub fn client_properties(&self) -> &ClientProperties {
        &self.client
    }

    /// See [`EnsureOptions::broker_grace`].
    pub fn grace(&self) -> Duration {
        self.broker_grace
    }

    /// The most orphans a run may delete, when it prunes (see
    /// [`EnsureOptions::prune`]).
    pub fn max_deletions(&self) -> Option<usize> {
        self.prune
    }

    /// See [`EnsureOptions::ownership`].
    pub fn ownership_settings(&self) -> &Ownership {
        &self.ownership
    }

    /// See [`EnsureOptions::access`].
    pub fn access_entries(&self) -> &[AccessEntry] {
        &self.access
    }

    /// See [`EnsureOptions::prune_idle`].
    pub fn idle(&self) -> Duration {
        self.prune_idle
    }

    /// See [`EnsureOptions::prune_in_use`].
    pub fn deletes_in_use(&self) -> bool {
        self.prune_in_use
    }
}

/// The default of [`EnsureOptions::broker_grace`]: long enough for brokers
/// started together to register (a 3-node cluster here: all of them within
/// 2-6 s of the first; every change of the count starts the wait again),
/// short enough that a single-node setup hears the answer well before a
/// one-minute deadline.
pub const DEFAULT_BROKER_GRACE: Duration = Duration::from_secs(15);

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
            .client(ClientProperties::from_env());
        if let Some(timeout) = duration_from_env(TIMEOUT_ENV)? {
            options = options.timeout(timeout);
        }
        if let Some(grace) = duration_from_env(BROKER_GRACE_ENV)? {
            options = options.broker_grace(grace);
        }
        if let Some(idle) = duration_from_env(PRUNE_IDLE_ENV)? {
            options = options.prune_idle(idle);
        }
        Ok(options)
    }
}

/// `KAFKA_INIT_PROFILE`, when set and not empty.
pub(crate) fn profile_from_env() -> Option<String> {
    std::env::var(PROFILE_ENV)
        .ok()
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty())
}

/// What the generated `topics::ensure_topics()` runs with: the profile
/// `KAFKA_INIT_PROFILE` selects among the compiled-in ones (an unknown
/// name is an error naming the known ones), its specs, and options from
/// the environment with the profile's bootstrap servers, else the file's.
#[doc(hidden)]
pub fn generated_run<'s>(
    specs: &'s [TopicSpec],
    profiles: &'s [Profile],
    bootstrap_servers: Option<&str>,
    access: &'s [AccessEntry],
) -> Result<(&'s [TopicSpec], EnsureOptions), Error> {
    let name = profile_from_env();
    let selected = Profile::select(profiles, name.as_deref())?;
    let bootstrap = selected
        .and_then(|p| p.bootstrap_servers.as_deref())
        .or(bootstrap_servers);
    let access = selected.map_or(access, |p| &p.access);
    // Principals may name `${VAR}`s, compiled in as written.
    let mut resolved = Vec::with_capacity(access.len());
    for entry in access {
        let mut entry = entry.clone();
        if entry.principal.contains("${") {
            let principal = vars::interpolate_env(&entry.principal)
                .map_err(|e| compiled_in(format!("kafka.access.{}.principal: {e}", entry.key)))?;
            entry.principal = std::borrow::Cow::Owned(principal);
        }
        resolved.push(entry);
    }
    let options = EnsureOptions::from_env_or(bootstrap)?.access(resolved);
    Ok((selected.map_or(specs, |p| &p.topics), options))
}

/// A duration (`30s`, `2m`) from the variable `name`, when set and not empty.
fn duration_from_env(name: &'static str) -> Result<Option<Duration>, Error> {
    match std::env::var(name) {
        Ok(t) if !t.trim().is_empty() => {
            humantime::parse_duration(t.trim())
                .map(Some)
                .map_err(|e| Error::Setting {
                    variable: name,
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
        return Err(Error::NoBootstrapServers);
    };
    vars::interpolate_env(fallback)
        .map_err(|e| compiled_in(format!("kafka.bootstrap_servers: {e}")))
}

/// A problem of the compiled-in file found at run time (a `${VAR}` unset).
fn compiled_in(message: String) -> Error {
    Error::File(FileError::unplaced("(compiled-in topic file)", message))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The generated `topics::ensure_topics()` runs with these options: it
    /// must never delete.
    #[test]
    fn options_never_prune_unless_asked_in_code() {
        assert_eq!(EnsureOptions::new("k:9092").prune, None);
        let from_env = EnsureOptions::from_env_or(Some("k:9092")).unwrap();
        assert_eq!(from_env.prune, None);
        assert_eq!(from_env.ownership, Ownership::default());
        assert_eq!(EnsureOptions::new("k:9092").prune(3).prune, Some(3));
    }
}
