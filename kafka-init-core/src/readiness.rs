//! What the readiness gate asks of the cluster: a run succeeds only once
//! every partition of every listed topic has a leader and enough in-sync
//! replicas for producers using `acks=all`. The `kafka` layer does the
//! waiting; this is the pure check of one observation.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use crate::cluster::ClusterState;

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
