//! What `watch` serves: readiness from the last pass, and the Prometheus
//! metrics every pass moves (OpenMetrics text, by `prometheus-client`).

use std::sync::atomic::AtomicU64;
use std::sync::Mutex;
use std::time::UNIX_EPOCH;

use kafka_init_core::{AccessAction, Action, Outcome, Pass};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use crate::logging::Secrets;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ResultLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ActionLabel {
    action: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ApiLabel {
    api: String,
}

/// The drift kinds, each always exported (0 when none), so an alert rule
/// sees the series before the first drift.
const DRIFT_KINDS: [&str; 6] = [
    "missing",
    "config",
    "partitions",
    "orphan",
    "refused",
    "access",
];
const CHANGE_ACTIONS: [&str; 6] = ["create", "alter", "grow", "delete", "grant", "revoke"];

/// The state `watch` serves over HTTP.
pub struct Status {
    registry: Registry,
    reconciliations: Family<ResultLabel, Counter>,
    duration: Histogram,
    last_success: Gauge<f64, AtomicU64>,
    drift: Family<KindLabel, Gauge>,
    changes: Family<ActionLabel, Counter>,
    file_valid: Gauge,
    topics: Gauge,
    requests: Family<ApiLabel, Counter>,
    /// `Ok` when the last pass converged with every partition serving.
    ready: Mutex<Result<(), String>>,
    secrets: Secrets,
}

impl Status {
    pub fn new(secrets: Secrets) -> Status {
        let mut registry = Registry::default();
        let reconciliations = Family::<ResultLabel, Counter>::default();
        registry.register(
            "kafka_init_reconciliations",
            "Passes that converged (or, report-only, observed) the cluster, and passes that failed",
            reconciliations.clone(),
        );
        // 10 ms to about 80 s.
        let duration = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        registry.register(
            "kafka_init_reconcile_duration_seconds",
            "How long each pass took",
            duration.clone(),
        );
        let last_success = Gauge::<f64, AtomicU64>::default();
        registry.register(
            "kafka_init_last_success_timestamp_seconds",
            "When the last successful pass ended, in seconds since the Unix epoch",
            last_success.clone(),
        );
        let drift = Family::<KindLabel, Gauge>::default();
        registry.register(
            "kafka_init_drift",
            "Topics found drifted in each way at the last look, before fixing",
            drift.clone(),
        );
        let changes = Family::<ActionLabel, Counter>::default();
        registry.register(
            "kafka_init_changes",
            "Changes made: topics created, configs altered, partitions grown, orphans deleted",
            changes.clone(),
        );
        let file_valid = Gauge::default();
        registry.register(
            "kafka_init_file_valid",
            "1 when the topic file last read was valid; 0 when the last good one stays in force",
            file_valid.clone(),
        );
        let topics = Gauge::default();
        registry.register(
            "kafka_init_topics",
            "Topics the file in force declares",
            topics.clone(),
        );
        let requests = Family::<ApiLabel, Counter>::default();
        registry.register(
            "kafka_init_requests",
            "Kafka requests sent, by API",
            requests.clone(),
        );
        for result in ["success", "failure"] {
            let _ = reconciliations.get_or_create(&ResultLabel { result });
        }
        for kind in DRIFT_KINDS {
            let _ = drift.get_or_create(&KindLabel { kind });
        }
        for action in CHANGE_ACTIONS {
            let _ = changes.get_or_create(&ActionLabel { action });
        }
        Status {
            registry,
            reconciliations,
            duration,
            last_success,
            drift,
            changes,
            file_valid,
            topics,
            requests,
            ready: Mutex::new(Err("no pass has finished yet".to_owned())),
            secrets,
        }
    }

    /// Records a finished pass: its result, drift, changes and requests.
    pub fn record(&self, pass: &Pass) {
        let failed = matches!(pass.outcome, Outcome::Failed(_));
        let result = if failed { "failure" } else { "success" };
        self.reconciliations
            .get_or_create(&ResultLabel { result })
            .inc();
        self.duration.observe(pass.duration.as_secs_f64());
        if !failed {
            let at = pass
                .finished
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or_default();
            self.last_success.set(at);
        }
        if let Some(drift) = &pass.drift {
            let counts = [
                drift.missing.len(),
                drift.config.len(),
                drift.partitions.len(),
                drift.orphan.len(),
                drift.refused.len(),
                drift.access.len(),
            ];
            for (kind, n) in DRIFT_KINDS.into_iter().zip(counts) {
                self.drift
                    .get_or_create(&KindLabel { kind })
                    .set(i64::try_from(n).unwrap_or(i64::MAX));
            }
        }
        if let Outcome::Applied(report) = &pass.outcome {
            for topic in &report.topics {
                let actions: &[&'static str] = match &topic.action {
                    Action::Created(_) => &["create"],
                    Action::Deleted(_) => &["delete"],
                    Action::Updated {
                        configs,
                        partitions,
                    } => match (configs.is_empty(), partitions.is_some()) {
                        (false, true) => &["alter", "grow"],
                        (false, false) => &["alter"],
                        (true, true) => &["grow"],
                        (true, false) => &[],
                    },
                    _ => &[],
                };
                for &action in actions {
                    self.changes.get_or_create(&ActionLabel { action }).inc();
                }
            }
            for row in &report.access {
                let action = match row.action {
                    AccessAction::Grant => "grant",
                    AccessAction::Revoke => "revoke",
                    _ => continue,
                };
                self.changes.get_or_create(&ActionLabel { action }).inc();
            }
        }
        // Every field of the report's request counts, by its JSON name.
        if let Ok(serde_json::Value::Object(apis)) = serde_json::to_value(pass.requests) {
            for (api, n) in apis {
                let n = n.as_u64().unwrap_or(0);
                let counter = self.requests.get_or_create(&ApiLabel { api });
                if n > 0 {
                    counter.inc_by(n);
                }
            }
        }
        self.set_ready(pass.readiness());
    }

    /// Readiness when no pass could run (the cluster never answered).
    pub fn failed(&self, why: String) {
        self.reconciliations
            .get_or_create(&ResultLabel { result: "failure" })
            .inc();
        self.set_ready(Err(why));
    }

    fn set_ready(&self, ready: Result<(), String>) {
        let ready = ready.map_err(|why| self.secrets.scrub(&why));
        *self.ready.lock().unwrap_or_else(|e| e.into_inner()) = ready;
    }

    /// The topic file in force: valid or not, and how many topics.
    pub fn file(&self, valid: bool, topics: Option<usize>) {
        self.file_valid.set(i64::from(valid));
        if let Some(n) = topics {
            self.topics.set(i64::try_from(n).unwrap_or(i64::MAX));
        }
    }

    pub fn readiness(&self) -> Result<(), String> {
        self.ready.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The metrics as OpenMetrics text.
    pub fn render(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}
