//! The readiness gate: a run succeeds only once every partition of every
//! listed topic has a leader and enough in-sync replicas for producers
//! using `acks=all`.

use std::time::Duration;

use tracing::Instrument;

use crate::admin::{human, Attempt, Backoff, Session};
use crate::cluster::ClusterState;
use crate::error::Error;

/// What one topic must show in metadata to count as ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub topic: String,
    pub partitions: i32,
    /// min(min.insync.replicas, replication factor).
    pub min_isr: usize,
}

/// Every partition that is not ready yet, as `topic/partition: why`.
pub(crate) fn unready(targets: &[Target], cluster: &ClusterState) -> Vec<String> {
    let mut out = Vec::new();
    for target in targets {
        let Some(topic) = cluster.topics.get(&target.topic) else {
            out.push(format!("{}: not in metadata", target.topic));
            continue;
        };
        if topic.partitions.len() < target.partitions as usize {
            out.push(format!(
                "{}: metadata shows {} of {} partitions",
                target.topic,
                topic.partitions.len(),
                target.partitions
            ));
        }
        for p in &topic.partitions {
            if p.leader < 0 {
                out.push(format!("{}/{}: no leader", target.topic, p.id));
            } else if p.isr.len() < target.min_isr {
                out.push(format!(
                    "{}/{}: {} in-sync replica(s), needs {}",
                    target.topic,
                    p.id,
                    p.isr.len(),
                    target.min_isr
                ));
            }
        }
    }
    out
}

/// Polls metadata until every target is ready, within the run's deadline;
/// `not_ready` is what the last observation found not ready (nothing to wait
/// for when empty).
pub(crate) async fn wait(
    session: &Session,
    targets: &[Target],
    not_ready: &[String],
) -> Result<(), Error> {
    let started = std::time::Instant::now();
    let partitions: i64 = targets.iter().map(|t| i64::from(t.partitions)).sum();
    if not_ready.is_empty() {
        tracing::info!("wait for leaders: {partitions} partition(s) ready (0ms)");
        return Ok(());
    }
    let names: Vec<&str> = targets.iter().map(|t| t.topic.as_str()).collect();
    session
        // A broker shows new leaders within milliseconds when it is not busy:
        // look again soon.
        .retry(
            "waiting for leaders and in-sync replicas",
            Backoff::new(Duration::from_millis(10), Duration::from_secs(1)),
            || async {
                let attempt = session.remaining().min(Duration::from_secs(10));
                let cluster = session
                    .describe_topics(&names, attempt)
                    .await
                    .map_err(Attempt::Retry)?;
                let waiting = unready(targets, &cluster);
                match waiting.len() {
                    0 => Ok(()),
                    n if n <= 5 => Err(Attempt::Retry(waiting.join("; "))),
                    n => Err(Attempt::Retry(format!(
                        "{}; and {} more",
                        waiting[..5].join("; "),
                        n - 5
                    ))),
                }
            },
        )
        .instrument(tracing::info_span!(
            "wait for leaders",
            topics = targets.len()
        ))
        .await?;
    tracing::info!(
        "wait for leaders: {partitions} partition(s) ready in {}",
        human(started.elapsed())
    );
    Ok(())
}
