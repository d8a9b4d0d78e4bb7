//! A run's connection to the cluster: the client, the one deadline and
//! retry policy every request shares, and the count of requests sent.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use super::admin::{Admin, BrokerError, ErrorCode, OffsetSpec, RequestOptions};
pub(crate) use super::retry::{Attempt, Backoff};
use crate::client::ClientProperties;
use crate::cluster::ClusterState;
use crate::error::Error;
use crate::options::EnsureOptions;
use crate::report::Requests;

/// The partitions a watch pass's gate saw serving, with the leader each
/// had then.
pub(super) type Served = std::collections::HashMap<(String, i32), i32>;

/// A started run: the client plus the deadline everything shares.
pub(super) struct Session {
    pub(super) admin: Arc<dyn Admin>,
    bootstrap: String,
    /// To scrub secrets from the client's reasons.
    client: ClientProperties,
    pub(super) started: Instant,
    timeout: Duration,
    pub(super) broker_grace: Duration,
    requests: RequestCounter,
    /// The broker count the last DescribeCluster reported; 0 before one.
    registered: AtomicUsize,
    /// A watch pass's: what the serving gate of the pass before saw
    /// serving (see `wait_until_ready`). `None` in a one-shot run.
    served: Option<Mutex<Served>>,
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
    ListGroups,
    OffsetFetch,
    DescribeAcls,
    CreateAcls,
    DeleteAcls,
}

/// How many kinds [`Request`] has.
const KINDS: usize = 13;

#[derive(Default)]
struct RequestCounter([AtomicUsize; KINDS]);

/// Requests counted by one session, to be reported by a later one.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Counts([usize; KINDS]);

impl Session {
    /// A run on `admin` under `options`' deadline, starting now;
    /// `registered` is the broker count last seen (0: none yet).
    pub(super) fn start(
        admin: Arc<dyn Admin>,
        options: &EnsureOptions,
        registered: usize,
    ) -> Session {
        Session {
            admin,
            bootstrap: options.bootstrap_servers.clone(),
            client: options.client.clone(),
            started: Instant::now(),
            timeout: options.timeout,
            broker_grace: options.broker_grace,
            requests: RequestCounter::default(),
            registered: AtomicUsize::new(registered),
            served: None,
        }
    }

    /// A watch pass's session, handed what the previous pass's serving gate
    /// saw serving.
    pub(super) fn with_served(mut self, served: Served) -> Session {
        self.served = Some(Mutex::new(served));
        self
    }

    /// What the previous pass saw serving, taken: a gate that fails leaves
    /// none for the next pass.
    pub(super) fn served_before(&self) -> Served {
        self.served
            .as_ref()
            .map(|m| std::mem::take(&mut *m.lock().unwrap_or_else(|e| e.into_inner())))
            .unwrap_or_default()
    }

    /// Keeps what this gate saw serving for the next pass (a watch pass
    /// only: `served` is not called otherwise).
    pub(super) fn served_now(&self, served: impl FnOnce() -> Served) {
        if let Some(m) = &self.served {
            *m.lock().unwrap_or_else(|e| e.into_inner()) = served();
        }
    }

    /// What is left for the next pass.
    pub(super) fn into_served(self) -> Served {
        self.served
            .map(|m| m.into_inner().unwrap_or_else(|e| e.into_inner()))
            .unwrap_or_default()
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
    pub(super) fn request_within(
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

    /// What this session sent, handed on (see [`Session::carry`]).
    pub(super) fn counts(&self) -> Counts {
        Counts(std::array::from_fn(|i| {
            self.requests.0[i].load(Ordering::Relaxed)
        }))
    }

    /// Counts `earlier` as this session's own: a connect's requests are
    /// reported by the first call made on the connection.
    pub(super) fn carry(self, earlier: Counts) -> Session {
        for (counter, n) in self.requests.0.iter().zip(earlier.0) {
            counter.fetch_add(n, Ordering::Relaxed);
        }
        self
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
            list_groups: n(Request::ListGroups),
            offset_fetch: n(Request::OffsetFetch),
            describe_acls: n(Request::DescribeAcls),
            create_acls: n(Request::CreateAcls),
            delete_acls: n(Request::DeleteAcls),
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
    /// until the deadline; returns the number of brokers it lists.
    ///
    /// Refused credentials are retried only for the broker grace (they may
    /// still be propagating on a starting cluster), then fail the run.
    pub(super) async fn wait_for_cluster(&self) -> Result<usize, Error> {
        let answer = self
            .retry("connecting", Backoff::default(), || async {
                let grace_left = self.broker_grace.saturating_sub(self.started.elapsed());
                let attempt = if self.admin.refused().is_some() {
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
                    match self.admin.refused() {
                        Some(reason) if self.started.elapsed() >= self.broker_grace => {
                            Attempt::Fail(self.authentication(reason))
                        }
                        _ => Attempt::Retry(e),
                    }
                })
            })
            .await;
        let answer = match answer {
            Err(Error::Deadline { last_error, .. }) => Err(match self.admin.refused() {
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
                // check the CA); the TLS library can say why: another CA, a
                // host name the certificate does not name, an expired one.
                let why = self
                    .admin
                    .certificate_problem(listener.clone())
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
            login: self.admin.login(),
            waited: self.started.elapsed(),
            reason: self.client.redact(&reason),
        }
    }

    /// One DescribeCluster request: the number of brokers.
    pub(super) async fn brokers(&self, timeout: Duration) -> Result<usize, String> {
        let count = self.broker_ids(timeout).await?.len();
        self.registered.store(count, Ordering::Relaxed);
        Ok(count)
    }

    /// The registered brokers as last counted, if counted yet.
    pub(super) fn registered(&self) -> Option<usize> {
        match self.registered.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    /// One DescribeCluster request: the ids of the registered brokers.
    pub(super) async fn broker_ids(&self, timeout: Duration) -> Result<Vec<i32>, String> {
        let options = self.request_within(Request::DescribeCluster, timeout, false);
        self.admin
            .describe_cluster(options)
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
            let topics = self
                .admin
                .describe_topics(names, options)
                .await
                .map_err(|e| e.to_string())?;
            cluster.topics.extend(topics);
        }
        Ok(cluster)
    }

    /// ListOffsets (latest) for `partitions`, each asked of its leader;
    /// `leaders` is how many leader brokers they have as last seen, one
    /// request each (the client batches per leader). A partition left
    /// without an offset (its leader's request failed as a whole) is
    /// `_NO_OFFSET`.
    pub(super) async fn list_offsets(
        &self,
        partitions: Vec<(String, i32)>,
        leaders: usize,
        timeout: Duration,
    ) -> Result<Vec<OffsetResult>, BrokerError> {
        if partitions.is_empty() {
            return Ok(Vec::new());
        }
        let options = self.request_within(Request::ListOffsets, timeout, false);
        for _ in 1..leaders {
            self.count(Request::ListOffsets);
        }
        let answers = self
            .admin
            .list_offsets(partitions, OffsetSpec::Latest, options)
            .await?;
        Ok(answers
            .into_iter()
            .map(|(key, answer)| {
                let answer = match answer {
                    Ok((offset, _)) if offset >= 0 => Ok(offset),
                    Ok(_) => Err(BrokerError {
                        code: ErrorCode::NO_OFFSET,
                        name: "_NO_OFFSET".into(),
                        message: "the leader did not answer".into(),
                    }),
                    Err(e) => Err(e),
                };
                (key, answer)
            })
            .collect())
    }

    fn unreachable(&self, fallback: String) -> Error {
        Error::Unreachable {
            bootstrap: self.bootstrap.clone(),
            waited: self.started.elapsed(),
            last_error: self.admin.last_error().unwrap_or(fallback),
        }
    }
}

/// One partition's answer to ListOffsets (latest): its offset, or why its
/// leader did not give one.
pub(super) type OffsetResult = ((String, i32), Result<i64, BrokerError>);

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
