//! The entry points: `plan` reads the cluster and says what would change;
//! `apply` executes a plan; `ensure_topics` plans, applies and verifies in
//! one go; `wait_for_cluster` only waits for an answer.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use tracing::Instrument;

use super::converge::converge;
use super::observe::plan_in;
use super::session::{human, Session};
use crate::cluster::Reachable;
use crate::error::{self, Error};
use crate::options::EnsureOptions;
use crate::plan::Plan;
use crate::report::Report;
use crate::spec::TopicSpec;

/// What `ensure_topics` would do, changing nothing: DescribeCluster,
/// metadata for the listed topics and batched DescribeConfigs, then a pure
/// diff.
pub async fn plan(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Plan, Error> {
    error::check(specs)?;
    let session = Session::new(options)?;
    connect(&session).await?;
    let plan = plan_in(&session, specs, "plan").await;
    session.close_in_background();
    plan
}

/// Executes `plan`, then verifies the cluster matches the file it was made
/// from (re-applying whatever another client changed meanwhile), then
/// waits until every partition of every listed topic is serving.
///
/// Nothing is applied when any topic is refused or fails validation.
pub async fn apply(plan: &Plan, options: &EnsureOptions) -> Result<Report, Error> {
    let session = Session::new(options)?;
    connect(&session).await?;
    let report = converge(&session, plan.clone()).await;
    session.close_in_background();
    report
}

/// Makes the cluster match `specs`: every listed topic exists with the
/// file's partitions and exactly the file's topic-level configs, and every
/// partition is serving: its leader answers ListOffsets for it and it has
/// enough in-sync replicas, so a write with `acks=all` is accepted the
/// moment this returns. Safe to run from any number of processes at once.
///
/// On a cluster that already matches, a run sends DescribeCluster,
/// Metadata (DescribeTopics) for the listed topics, one DescribeConfigs
/// (per 1,000 topics) and one ListOffsets per leader broker, then returns.
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    error::check(specs)?;
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

/// Waits until the cluster at `options.bootstrap_servers` answers, within
/// `options.timeout`, and says how many brokers it lists. Sends one
/// DescribeCluster per try; changes nothing.
pub async fn wait_for_cluster(options: &EnsureOptions) -> Result<Reachable, Error> {
    let session = Session::new(options)?;
    let brokers = session.wait_for_cluster().await;
    let elapsed = session.started.elapsed();
    session.close_in_background();
    Ok(Reachable {
        brokers: brokers?,
        elapsed,
    })
}

async fn connect(session: &Session) -> Result<usize, Error> {
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
