//! A run's connection to the cluster: the client, the one deadline and
//! retry policy every request shares, and the count of requests sent.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use rdkafka::admin::AdminClient;
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};

use super::credentials;
use super::ffi::{self, MainQueueForwarder, RequestOptions};
use crate::client::{self, ClientProperties};
use crate::cluster::ClusterState;
use crate::error::Error;
use crate::options::EnsureOptions;
use crate::report::Requests;

/// Keeps librdkafka's last complaint so a failed connect can say why.
#[derive(Default)]
pub(super) struct Context {
    last_error: Mutex<Option<String>>,
    /// The last refusal of the credentials, unless another kind of failure
    /// came after it.
    refused: Mutex<Option<String>>,
}

impl Context {
    fn refused(&self) -> Option<String> {
        self.refused
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Whether an error librdkafka raised refuses the credentials
/// (`Some(true)`), is another failure (`Some(false)`), or tells nothing new
/// (`None`: "all brokers are down" follows every failed connect).
fn refuses_login(code: Option<RDKafkaErrorCode>, reason: &str) -> Option<bool> {
    match code {
        // A TLS handshake that failed on our side (an unknown CA, a host
        // name the certificate does not name), or SASL credentials or a
        // token the broker refused.
        Some(RDKafkaErrorCode::SSL | RDKafkaErrorCode::Authentication) => Some(true),
        // The same handshake failure reported as a transport failure (it
        // alternates with the above), or the broker ending the handshake with
        // a TLS alert: it refused the client certificate (missing, from an
        // unknown CA, expired).
        Some(RDKafkaErrorCode::BrokerTransportFailure)
            if [
                "SSL alert number",
                "certificate verify failed",
                "SSL handshake failed",
            ]
            .iter()
            .any(|sign| reason.contains(sign)) =>
        {
            Some(true)
        }
        Some(RDKafkaErrorCode::AllBrokersDown) => None,
        _ => Some(false),
    }
}

/// A token librdkafka could not get (from the OIDC token endpoint, or its
/// own unsecured JWS), as it reports it: only as a log line, never through
/// the error callback. The reason, without the thread prefix.
fn token_failure(fac: &str, message: &str) -> Option<String> {
    let reason = message
        .split_once("]: ")
        .map_or(message, |(_, reason)| reason);
    let failed = (fac == "OIDC" && reason.starts_with("Failed to retrieve OIDC token"))
        || reason.starts_with("Failed to acquire SASL OAUTHBEARER token");
    failed.then(|| reason.to_owned())
}

impl ClientContext for Context {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
        if let Some(reason) = token_failure(fac, log_message) {
            let mut refused = self.refused.lock().unwrap_or_else(|e| e.into_inner());
            // The token endpoint's own line says more (address, HTTP status)
            // than the summary librdkafka logs after it.
            if refused.is_none() || fac == "OIDC" {
                *refused = Some(reason);
            }
        }
        match level {
            RDKafkaLogLevel::Emerg
            | RDKafkaLogLevel::Alert
            | RDKafkaLogLevel::Critical
            | RDKafkaLogLevel::Error => {
                tracing::debug!(target: "librdkafka", "{fac}: {log_message}")
            }
            _ => tracing::trace!(target: "librdkafka", "{fac}: {log_message}"),
        }
    }

    fn error(&self, error: KafkaError, reason: &str) {
        tracing::debug!(target: "librdkafka", "{error}: {reason}");
        if let Some(refused) = refuses_login(error.rdkafka_error_code(), reason) {
            *self.refused.lock().unwrap_or_else(|e| e.into_inner()) =
                refused.then(|| reason.to_owned());
        }
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.to_owned());
    }
}

pub(super) type Admin = AdminClient<Context>;

/// A started run: the client plus the deadline everything shares.
pub(super) struct Session {
    pub(super) admin: Arc<Admin>,
    bootstrap: String,
    /// Protocol, mechanism and who logs in, for [`Error::Authentication`].
    login: String,
    /// To scrub secrets from librdkafka's reasons.
    client: ClientProperties,
    pub(super) started: Instant,
    timeout: Duration,
    pub(super) broker_grace: Duration,
    requests: RequestCounter,
    /// The broker count the last DescribeCluster reported; 0 before one.
    registered: std::sync::atomic::AtomicUsize,
    _events: MainQueueForwarder,
}

/// How one attempt at a phase ended, when it did not succeed.
pub(crate) enum Attempt {
    /// Worth trying again (a retriable code, a lost connection); says why.
    Retry(String),
    Fail(Error),
}

impl From<Error> for Attempt {
    fn from(e: Error) -> Self {
        Attempt::Fail(e)
    }
}

/// The Kafka request kinds a run sends, for `Report::requests`.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Request {
    Metadata,
    DescribeConfigs,
    CreateTopics,
    IncrementalAlterConfigs,
    CreatePartitions,
    DescribeCluster,
    ListOffsets,
    DeleteTopics,
}

#[derive(Default)]
struct RequestCounter([AtomicUsize; 8]);

/// The next pause between tries: doubles from 100 ms up to a cap (2 s).
pub(crate) struct Backoff {
    next: Duration,
    max: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff::new(Duration::from_millis(100), Duration::from_secs(2))
    }
}

impl Backoff {
    pub(crate) fn new(first: Duration, max: Duration) -> Self {
        Backoff { next: first, max }
    }
}

impl Session {
    pub(super) fn new(options: &EnsureOptions) -> Result<Session, Error> {
        // Misconfigurations fail here, before anything is sent (librdkafka
        // would accept most of them and fail at connect time, or say only
        // `PEM lib`).
        let mut problems = options.client.check();
        problems.extend(credentials::unreadable_files(&options.client));
        if !problems.is_empty() {
            return Err(Error::ClientSettings {
                message: problems.join("; "),
            });
        }
        let mut config = ClientConfig::new();
        config.set("client.id", "kafka-init");
        // librdkafka drops the bootstrap connection once it learns the
        // broker's id and holds the reconnect back by half this backoff:
        // 50 ms of every run at the default of 100 ms. Settings may override.
        config.set("reconnect.backoff.ms", "10");
        for (key, value) in options.client.iter() {
            config.set(key, value);
        }
        config
            .set("bootstrap.servers", &options.bootstrap_servers)
            // An admin client is a producer underneath; a metadata request
            // must never create the topic it asks about.
            .set("allow.auto.create.topics", "false")
            .set("log.connection.close", "false");
        let admin = config
            .create_with_context::<_, Admin>(Context::default())
            .map_err(|e| Error::ClientSettings {
                message: redacted_client_error(e),
            })?;
        let admin = Arc::new(admin);
        Ok(Session {
            _events: MainQueueForwarder::start(&admin),
            admin,
            bootstrap: options.bootstrap_servers.clone(),
            login: options
                .client
                .login(credentials::certificate_subject(&options.client).as_deref()),
            client: options.client.clone(),
            started: Instant::now(),
            timeout: options.timeout,
            broker_grace: options.broker_grace,
            requests: RequestCounter::default(),
            registered: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// Shuts the client down on a thread of its own. librdkafka's teardown
    /// sits through its poll intervals (about 100 ms), which a caller that
    /// already has its answer need not wait for.
    pub(super) fn close_in_background(self) {
        // If no thread can be had, the closure (and the session) is dropped
        // here instead, which is only slower.
        let _ = std::thread::Builder::new()
            .name("kafka-init-close".into())
            .spawn(move || drop(self));
    }

    pub(super) fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// Options for one of our own admin requests: it may use what is left
    /// of the deadline.
    pub(crate) fn request(&self, kind: Request, validate_only: bool) -> RequestOptions {
        let timeout = self.remaining().max(Duration::from_millis(1));
        self.request_within(kind, timeout, validate_only)
    }

    /// Options for one of our own admin requests, counted, that may take
    /// `timeout`.
    fn request_within(
        &self,
        kind: Request,
        timeout: Duration,
        validate_only: bool,
    ) -> RequestOptions {
        self.count(kind);
        RequestOptions {
            timeout,
            validate_only,
        }
    }

    pub(crate) fn count(&self, kind: Request) {
        self.requests.0[kind as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// The requests sent so far.
    pub(super) fn requests(&self) -> Requests {
        let n = |k: Request| self.requests.0[k as usize].load(Ordering::Relaxed);
        Requests {
            metadata: n(Request::Metadata),
            describe_configs: n(Request::DescribeConfigs),
            create_topics: n(Request::CreateTopics),
            incremental_alter_configs: n(Request::IncrementalAlterConfigs),
            create_partitions: n(Request::CreatePartitions),
            describe_cluster: n(Request::DescribeCluster),
            list_offsets: n(Request::ListOffsets),
            delete_topics: n(Request::DeleteTopics),
        }
    }

    /// Runs `attempt` until it succeeds, fails for good, or the deadline
    /// passes, with jittered exponential backoff between tries.
    pub(crate) async fn retry<T, F, Fut>(
        &self,
        phase: &'static str,
        mut backoff: Backoff,
        mut attempt: F,
    ) -> Result<T, Error>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Attempt>>,
    {
        loop {
            match attempt().await {
                Ok(value) => return Ok(value),
                Err(Attempt::Fail(e)) => return Err(e),
                Err(Attempt::Retry(why)) => self.pause(&mut backoff, phase, why).await?,
            }
        }
    }

    /// Sleeps before another try at `phase`, or fails with `why` if the
    /// deadline would pass first.
    pub(crate) async fn pause(
        &self,
        backoff: &mut Backoff,
        phase: &'static str,
        why: String,
    ) -> Result<(), Error> {
        tracing::debug!("{phase}: retrying: {why}");
        let pause = rand::rng().random_range(backoff.next / 2..=backoff.next);
        if pause >= self.remaining() {
            return Err(Error::Deadline {
                timeout: self.timeout,
                phase,
                last_error: why,
            });
        }
        tokio::time::sleep(pause).await;
        backoff.next = (backoff.next * 2).min(backoff.max);
        Ok(())
    }

    /// Waits until the cluster answers, retrying with jittered backoff
    /// until the deadline; returns the number of brokers it lists. Refused
    /// credentials are retried only for the broker grace (they may still be
    /// propagating on a starting cluster), then fail the run.
    pub(super) async fn wait_for_cluster(&self) -> Result<usize, Error> {
        let answer = self
            .retry("connecting", Backoff::default(), || async {
                let grace_left = self.broker_grace.saturating_sub(self.started.elapsed());
                let attempt = if self.refused().is_some() {
                    // One request until the grace ends: it succeeds as soon
                    // as the brokers accept the credentials, and fails when
                    // the refusal is due.
                    grace_left.max(Duration::from_millis(50))
                } else if grace_left.is_zero() {
                    Duration::from_secs(2)
                } else {
                    // Back when the grace ends, should a refusal come meanwhile.
                    grace_left.min(Duration::from_secs(2))
                };
                let attempt = attempt.min(self.remaining());
                self.brokers(attempt).await.map_err(|e| {
                    tracing::debug!("DescribeCluster failed: {e}");
                    match self.refused() {
                        Some(reason) if self.started.elapsed() >= self.broker_grace => {
                            Attempt::Fail(self.authentication(reason))
                        }
                        _ => Attempt::Retry(e),
                    }
                })
            })
            .await;
        let answer = match answer {
            Err(Error::Deadline { last_error, .. }) => Err(match self.refused() {
                Some(reason) => self.authentication(reason),
                None => self.unreachable(last_error),
            }),
            other => other,
        };
        match answer {
            Err(Error::Authentication {
                listener,
                login,
                waited,
                reason,
            }) if reason.contains("certificate verify failed") => {
                // librdkafka says only that verification failed (and to
                // check the CA); OpenSSL can say why: another CA, a host
                // name the certificate does not name, an expired one.
                let (address, client) = (listener.clone(), self.client.clone());
                let why = tokio::task::spawn_blocking(move || {
                    credentials::verify_failure(&address, &client)
                })
                .await
                .ok()
                .flatten();
                Err(Error::Authentication {
                    listener,
                    login,
                    waited,
                    reason: match why {
                        Some(why) => format!("{reason}; OpenSSL: {why}"),
                        None => reason,
                    },
                })
            }
            other => other,
        }
    }

    /// librdkafka's last refusal of the credentials, if nothing else failed
    /// since.
    fn refused(&self) -> Option<String> {
        self.admin.inner().context().refused()
    }

    fn authentication(&self, reason: String) -> Error {
        // librdkafka starts its reasons with the broker: `sasl_ssl://host:port/1: ...`.
        let (listener, reason) = match reason.split_once("://").and_then(|(scheme, rest)| {
            if scheme.is_empty() || !scheme.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                return None;
            }
            let (broker, why) = rest.split_once(": ")?;
            Some((broker.split('/').next()?.to_owned(), why.to_owned()))
        }) {
            Some((listener, why)) => (listener, why),
            None => (self.bootstrap.clone(), reason),
        };
        Error::Authentication {
            listener,
            login: self.login.clone(),
            waited: self.started.elapsed(),
            reason: self.client.redact(&reason),
        }
    }

    /// One DescribeCluster request: the number of brokers.
    pub(super) async fn brokers(&self, timeout: Duration) -> Result<usize, String> {
        let options = self.request_within(Request::DescribeCluster, timeout, false);
        let count = ffi::broker_count(&self.admin, options)
            .await
            .map_err(|e| e.to_string())?;
        self.registered
            .store(count, std::sync::atomic::Ordering::Relaxed);
        Ok(count)
    }

    /// The registered brokers as last counted, if counted yet.
    pub(super) fn registered(&self) -> Option<usize> {
        match self.registered.load(std::sync::atomic::Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// One DescribeCluster request: the ids of the registered brokers.
    pub(super) async fn broker_ids(&self, timeout: Duration) -> Result<Vec<i32>, String> {
        let options = self.request_within(Request::DescribeCluster, timeout, false);
        ffi::broker_ids(&self.admin, options)
            .await
            .map_err(|e| e.to_string())
    }

    /// Metadata (DescribeTopics) for the named topics only, so its cost
    /// follows the file, not the cluster's topic count: one request per
    /// `DESCRIBE_TOPICS_BATCH` topics, all within `timeout`.
    pub(super) async fn describe_topics(
        &self,
        names: &[&str],
        timeout: Duration,
    ) -> Result<ClusterState, String> {
        let deadline = Instant::now() + timeout;
        let mut cluster = ClusterState::default();
        for batch in names.chunks(DESCRIBE_TOPICS_BATCH) {
            let names = batch.iter().map(|n| n.to_string()).collect();
            let left = deadline.saturating_duration_since(Instant::now());
            let options = self.request_within(Request::Metadata, left, false);
            let topics = ffi::describe_topics(&self.admin, names, options)
                .await
                .map_err(|e| e.to_string())?;
            cluster.topics.extend(topics);
        }
        Ok(cluster)
    }

    /// ListOffsets (latest) for `partitions`, each asked of its leader;
    /// `leaders` is how many leader brokers they have as last seen, one
    /// request each (librdkafka batches per leader).
    pub(super) async fn list_offsets(
        &self,
        partitions: Vec<(String, i32)>,
        leaders: usize,
        timeout: Duration,
    ) -> Result<Vec<ffi::OffsetResult>, ffi::BrokerError> {
        let options = self.request_within(Request::ListOffsets, timeout, false);
        for _ in 1..leaders {
            self.count(Request::ListOffsets);
        }
        ffi::list_offsets(&self.admin, partitions, options).await
    }

    fn unreachable(&self, fallback: String) -> Error {
        let last = self
            .admin
            .inner()
            .context()
            .last_error
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        Error::Unreachable {
            bootstrap: self.bootstrap.clone(),
            waited: self.started.elapsed(),
            last_error: last.unwrap_or(fallback),
        }
    }
}

/// At most this many topics per DescribeTopics call: librdkafka matches
/// each topic of the answer against the whole call's list (quadratic in its
/// length: seconds of CPU per call at 10,000 topics).
const DESCRIBE_TOPICS_BATCH: usize = 1000;

/// A duration for a log line: `12ms`, `1.25s`.
pub(crate) fn human(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        format!("{}ms", d.as_millis())
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
}

/// A client creation error without the property's value: rdkafka's own
/// message ends with the value, which may be a password (or a misspelled
/// password key librdkafka does not know).
fn redacted_client_error(e: KafkaError) -> String {
    match e {
        KafkaError::ClientConfig(_, desc, key, value) => {
            client::refused_property(&key, &value, &desc)
        }
        other => other.to_string(),
    }
}

impl ClientProperties {
    /// What librdkafka refuses among these properties (an unknown key, a
    /// value it cannot parse), one message per property, none showing a
    /// secret value. Builds no client and contacts no broker.
    ///
    /// Also refused: settings that do not fit together (a SASL mechanism
    /// without a SASL protocol), and a SASL mechanism or TLS that this
    /// build of librdkafka lacks.
    pub fn check(&self) -> Vec<String> {
        let mut problems: Vec<String> = self
            .iter()
            .filter_map(|(k, v)| {
                let mut config = ClientConfig::new();
                config.set(k, v);
                config
                    .create_native_config()
                    .err()
                    .map(redacted_client_error)
            })
            .collect();
        problems.extend(self.conflicts());
        problems.extend(self.missing_features());
        problems
    }

    /// What the settings need that this build of librdkafka lacks.
    fn missing_features(&self) -> Vec<String> {
        let features = ClientConfig::new()
            .create_native_config()
            .ok()
            .and_then(|c| c.get("builtin.features").ok())
            .unwrap_or_default();
        let has = |feature: &str| features.split(',').any(|f| f == feature);
        let mut missing = Vec::new();
        if let Some(mechanism) = self.sasl_mechanism() {
            let needs = client::SASL_MECHANISMS
                .iter()
                .find(|(m, _)| *m == mechanism)
                .map(|(_, feature)| *feature);
            if needs.is_some_and(|feature| !has(feature)) {
                missing.push(format!(
                    "SASL mechanism {mechanism}{}: this build of librdkafka lacks it (it has: {features})",
                    if self.mechanism_set().is_none() {
                        " (librdkafka's default: set `sasl.mechanism`)"
                    } else {
                        ""
                    }
                ));
            }
        }
        if self.uses_tls() && !has("ssl") {
            missing.push(format!(
                "`security.protocol` {}: this build of librdkafka lacks TLS",
                self.security_protocol()
            ));
        }
        missing
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_error(key: &str, value: &str) -> String {
        let options =
            EnsureOptions::new("127.0.0.1:1").client(ClientProperties::new().with(key, value));
        match Session::new(&options) {
            Err(e) => e.to_string(),
            Ok(_) => panic!("`{key}` should be refused"),
        }
    }

    #[test]
    fn a_refused_client_property_never_shows_its_value() {
        // A misspelled password key: librdkafka does not know it.
        let message = client_error("sasl.passwd", "hunter2-value");
        assert!(message.contains("sasl.passwd"), "{message}");
        assert!(!message.contains("hunter2-value"), "{message}");
        // A known key with a value librdkafka refuses.
        let message = client_error("security.protocol", "SASL_PLAINTXT");
        assert!(message.contains("security.protocol"), "{message}");
    }

    #[test]
    fn refusals_of_the_credentials_are_told_from_other_failures() {
        use RDKafkaErrorCode::*;
        let refused = |code, reason| refuses_login(Some(code), reason);
        assert_eq!(refused(SSL, "SSL handshake failed"), Some(true));
        assert_eq!(
            refused(Authentication, "SASL authentication error"),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "Receive failed: sslv3 alert bad certificate: SSL alert number 42"
            ),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "ssl://h:1/bootstrap: error:0A000086:SSL routines::certificate verify failed (after 11ms in state SSL_HANDSHAKE)"
            ),
            Some(true)
        );
        assert_eq!(
            refused(
                BrokerTransportFailure,
                "Connect to ipv4#127.0.0.1:1 failed: Connection refused"
            ),
            Some(false)
        );
        assert_eq!(refused(AllBrokersDown, "1/1 brokers are down"), None);
        assert_eq!(
            token_failure(
                "OIDC",
                "[thrd:background]: Failed to retrieve OIDC token from \"http://idp/token\": (401)"
            )
            .as_deref(),
            Some("Failed to retrieve OIDC token from \"http://idp/token\": (401)")
        );
        assert!(token_failure(
            "ERROR",
            "[thrd:b]: Failed to acquire SASL OAUTHBEARER token: x"
        )
        .is_some());
        assert!(token_failure("ERROR", "[thrd:b]: 1/1 brokers are down").is_none());
    }
}
