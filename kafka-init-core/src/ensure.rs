//! The entry points: `plan` reads the cluster and says what would change;
//! `ensure_topics` plans, applies and verifies in one go.

use tracing::Instrument;

use crate::admin::{human, EnsureOptions, Session};
use crate::apply::converge;
use crate::error::Error;
use crate::plan::{self, Plan};
use crate::report::Report;
use crate::spec::TopicSpec;

/// What `ensure_topics` would do, changing nothing: metadata for the listed
/// topics and batched DescribeConfigs, then a pure diff.
pub async fn plan(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Plan, Error> {
    plan::check(specs)?;
    let session = Session::new(options)?;
    connect(&session).await?;
    let plan = plan_in(&session, specs, "plan").await;
    session.close_in_background();
    plan
}

/// Makes the cluster match `specs`: every listed topic exists with the
/// file's partitions and exactly the file's topic-level configs, and every
/// partition has a leader and enough in-sync replicas. Safe to run from any
/// number of processes at once.
///
/// On a cluster that already matches, a run sends three requests: Metadata
/// for the brokers, Metadata for the listed topics, and one DescribeConfigs
/// (per 1,000 topics), then returns.
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    plan::check(specs)?;
    let session = Session::new(options)?;
    connect(&session).await?;
    let plan = plan_in(&session, specs, "plan").await?;
    let report = converge(&session, plan).await?;
    tracing::info!(
        "converged: {} ({} request(s))",
        human(session.started.elapsed()),
        report.requests.total()
    );
    session.close_in_background();
    Ok(report)
}

pub(crate) async fn connect(session: &Session) -> Result<usize, Error> {
    let started = std::time::Instant::now();
    let brokers = session
        .wait_for_cluster()
        .instrument(tracing::info_span!("connect"))
        .await?;
    tracing::info!(
        "connect: {} ({} broker(s))",
        human(started.elapsed()),
        brokers
    );
    Ok(brokers)
}

/// Observes the listed topics and diffs them against `specs`.
/// `phase` names the pass in the log: `plan`, or `verify` after applying.
pub(crate) async fn plan_in(
    session: &Session,
    specs: &[TopicSpec],
    phase: &'static str,
) -> Result<Plan, Error> {
    let started = std::time::Instant::now();
    let sent = session.requests().total();
    let names: Vec<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    let observed = session
        .observe(&names)
        .instrument(tracing::info_span!("plan", topics = specs.len()))
        .await?;
    let plan = plan::diff(specs, &observed);
    tracing::info!(
        "{phase}: {} ({} request(s)): {}",
        human(started.elapsed()),
        session.requests().total() - sent,
        plan.summary()
    );
    Ok(plan)
}
