//! The entry points: `plan` reads the cluster and says what would change;
//! `ensure_topics` plans, applies and verifies in one go.

use tracing::Instrument;

use crate::admin::{EnsureOptions, Session};
use crate::apply::converge;
use crate::cluster::ClusterState;
use crate::error::Error;
use crate::plan::{self, Plan};
use crate::report::Report;
use crate::spec::TopicSpec;

/// What `ensure_topics` would do, changing nothing: one metadata request
/// and batched DescribeConfigs, then a pure diff.
pub async fn plan(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Plan, Error> {
    plan::check(specs)?;
    let session = Session::new(options)?;
    let cluster = connect(&session).await?;
    plan_in(&session, specs, Some(cluster)).await
}

/// Makes the cluster match `specs`: every listed topic exists with the
/// file's partitions and exactly the file's topic-level configs, and every
/// partition has a leader and enough in-sync replicas. Safe to run from any
/// number of processes at once.
///
/// On a cluster that already matches, a run sends two requests: one
/// Metadata and one DescribeConfigs (per 1,000 topics), then returns.
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    plan::check(specs)?;
    let session = Session::new(options)?;
    let cluster = connect(&session).await?;
    let plan = plan_in(&session, specs, Some(cluster)).await?;
    let report = converge(&session, plan).await?;
    tracing::info!(
        elapsed = ?session.started.elapsed(),
        requests = report.requests.total(),
        "topics converged"
    );
    Ok(report)
}

async fn connect(session: &Session) -> Result<ClusterState, Error> {
    let started = std::time::Instant::now();
    let cluster = session
        .wait_for_cluster()
        .instrument(tracing::info_span!("connect"))
        .await?;
    tracing::debug!(elapsed = ?started.elapsed(), brokers = cluster.brokers, "connected");
    Ok(cluster)
}

/// Observes the listed topics (starting from `known` metadata, if fresh)
/// and diffs them against `specs`.
pub(crate) async fn plan_in(
    session: &Session,
    specs: &[TopicSpec],
    known: Option<ClusterState>,
) -> Result<Plan, Error> {
    let started = std::time::Instant::now();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    let observed = session
        .observe(&names, known)
        .instrument(tracing::info_span!("plan", topics = specs.len()))
        .await?;
    let plan = plan::diff(specs, &observed);
    tracing::debug!(elapsed = ?started.elapsed(), converged = plan.is_converged(), "planned");
    Ok(plan)
}
