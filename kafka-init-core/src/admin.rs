//! Connecting to the cluster and reading its metadata.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use rdkafka::admin::AdminClient;
use rdkafka::client::ClientContext;
use rdkafka::config::{ClientConfig, RDKafkaLogLevel};
use rdkafka::error::KafkaError;

use crate::client::ClientProperties;
use crate::error::Error;

/// How to reach the cluster and how long to keep trying.
#[derive(Debug, Clone)]
pub struct EnsureOptions {
    /// `host:port[,host:port...]`.
    pub bootstrap_servers: String,
    /// One deadline for the whole run: connecting, creating, verifying.
    pub timeout: Duration,
    /// librdkafka properties for the connection (security, SASL, TLS).
    pub client: ClientProperties,
}

impl EnsureOptions {
    pub fn new(bootstrap_servers: impl Into<String>) -> Self {
        EnsureOptions {
            bootstrap_servers: bootstrap_servers.into(),
            timeout: Duration::from_secs(60),
            client: ClientProperties::new(),
        }
    }

    pub fn client(mut self, client: ClientProperties) -> Self {
        self.client = client;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }
}

/// Keeps librdkafka's last complaint so a failed connect can say why.
#[derive(Default)]
pub struct Context {
    last_error: Mutex<Option<String>>,
}

impl ClientContext for Context {
    fn log(&self, level: RDKafkaLogLevel, fac: &str, log_message: &str) {
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
        *self.last_error.lock().unwrap_or_else(|e| e.into_inner()) = Some(reason.to_owned());
    }
}

pub type Admin = AdminClient<Context>;

/// A started run: the client plus the deadline everything shares.
pub struct Session {
    pub admin: Arc<Admin>,
    pub bootstrap: String,
    pub started: Instant,
    pub timeout: Duration,
}

impl Session {
    pub fn new(options: &EnsureOptions) -> Result<Session, Error> {
        let mut config = ClientConfig::new();
        config.set("client.id", "kafka-init");
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
            .map_err(|e| Error::Client {
                context: "cannot create Kafka client",
                message: e.to_string(),
            })?;
        Ok(Session {
            admin: Arc::new(admin),
            bootstrap: options.bootstrap_servers.clone(),
            started: Instant::now(),
            timeout: options.timeout,
        })
    }

    pub fn remaining(&self) -> Duration {
        self.timeout.saturating_sub(self.started.elapsed())
    }

    /// Fetches all topic metadata, retrying with jittered backoff until the
    /// cluster answers or the deadline passes.
    pub async fn wait_for_cluster(&self) -> Result<ClusterState, Error> {
        let mut backoff = Duration::from_millis(100);
        loop {
            let attempt = self.remaining().min(Duration::from_secs(2));
            if attempt.is_zero() {
                return Err(self.unreachable("no attempt made".into()));
            }
            match self.fetch_metadata(attempt).await {
                Ok(state) => return Ok(state),
                Err(e) => {
                    tracing::debug!("metadata request failed: {e}");
                    let pause = rand::rng().random_range(Duration::ZERO..=backoff);
                    if pause >= self.remaining() {
                        return Err(self.unreachable(e));
                    }
                    tokio::time::sleep(pause).await;
                    backoff = (backoff * 2).min(Duration::from_secs(2));
                }
            }
        }
    }

    /// One metadata request for every topic, off the async workers since
    /// librdkafka blocks.
    pub async fn fetch_metadata(&self, timeout: Duration) -> Result<ClusterState, String> {
        let admin = Arc::clone(&self.admin);
        tokio::task::spawn_blocking(move || {
            let md = admin
                .inner()
                .fetch_metadata(None, timeout)
                .map_err(|e| e.to_string())?;
            Ok(ClusterState::from_metadata(&md))
        })
        .await
        .map_err(|e| e.to_string())?
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

/// What the cluster's metadata says.
#[derive(Debug, Clone, Default)]
pub struct ClusterState {
    pub brokers: usize,
    pub topics: HashMap<String, TopicState>,
}

#[derive(Debug, Clone)]
pub struct TopicState {
    pub partitions: Vec<PartitionState>,
}

#[derive(Debug, Clone)]
pub struct PartitionState {
    pub id: i32,
    /// -1 while the partition has no leader.
    pub leader: i32,
    pub replicas: Vec<i32>,
    pub isr: Vec<i32>,
}

impl ClusterState {
    fn from_metadata(md: &rdkafka::metadata::Metadata) -> ClusterState {
        let topics = md
            .topics()
            .iter()
            .filter(|t| t.error().is_none())
            .map(|t| {
                let partitions = t
                    .partitions()
                    .iter()
                    .map(|p| PartitionState {
                        id: p.id(),
                        leader: p.leader(),
                        replicas: p.replicas().to_vec(),
                        isr: p.isr().to_vec(),
                    })
                    .collect();
                (t.name().to_owned(), TopicState { partitions })
            })
            .collect();
        ClusterState {
            brokers: md.brokers().len(),
            topics,
        }
    }
}
