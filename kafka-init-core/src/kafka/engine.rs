//! The entry points: `plan` reads the cluster and says what would change;
//! `apply` executes a plan; `ensure_topics` plans, applies and verifies in
//! one go; `wait_for_cluster` only waits for an answer.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use tracing::Instrument;

use super::converge::converge;
use super::observe::plan_in;
use super::prune::{delete, inventory};
use super::session::{human, Session};
use crate::cluster::Reachable;
use crate::error::{self, Error};
use crate::options::EnsureOptions;
use crate::ownership::{ExistingTopic, Ownership};
use crate::plan::Plan;
use crate::report::Report;
use crate::spec::TopicSpec;

/// What `ensure_topics` would do, changing nothing: DescribeCluster,
/// metadata for the listed topics and batched DescribeConfigs, then a pure
/// diff.
///
/// With [`EnsureOptions::prune`], the plan ends with a `delete` row for
/// each orphan, and fails (changing nothing) when there are more of them
/// than allowed.
pub async fn plan(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Plan, Error> {
    error::check(specs)?;
    check_prune(specs, options)?;
    let session = Session::new(options)?;
    connect(&session).await?;
    let plan = plan_and_prune(&session, specs, options).await;
    session.close_in_background();
    plan
}

/// The file's plan, with the orphans to delete when pruning.
async fn plan_and_prune(
    session: &Session,
    specs: &[TopicSpec],
    options: &EnsureOptions,
) -> Result<Plan, Error> {
    let plan = plan_in(session, specs, "plan").await?;
    let Some(max) = options.prune else {
        return Ok(plan);
    };
    let orphans = orphans_in(session, specs, &options.ownership).await?;
    if orphans.len() > max {
        return Err(Error::TooManyDeletions {
            orphans: orphans.into_iter().map(|o| o.name).collect(),
            max,
        });
    }
    Ok(plan.with_deletions(&orphans))
}

/// Pruning needs a namespace, and every declared topic inside it; checked
/// before anything is sent.
fn check_prune(specs: &[TopicSpec], options: &EnsureOptions) -> Result<(), Error> {
    if options.prune.is_none() {
        return Ok(());
    }
    let Some(owns) = &options.ownership.owns else {
        return Err(Error::NoOwnership {
            operation: "pruning",
        });
    };
    let outside: Vec<Error> = specs
        .iter()
        .filter(|s| !owns.contains(&s.name))
        .map(|s| Error::Invalid {
            topic: s.name.to_string(),
            message: format!("topic `{}`: outside `kafka.owns` ({owns})", s.name),
        })
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected(outside))
    }
}

async fn orphans_in(
    session: &Session,
    specs: &[TopicSpec],
    ownership: &Ownership,
) -> Result<Vec<ExistingTopic>, Error> {
    let declared: std::collections::HashSet<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    inventory(session, |name| {
        ownership.owns(name) && !declared.contains(name) && !ownership.is_protected(name)
    })
    .await
}

/// The orphans: topics inside `ownership`'s `owns` that `specs` do not
/// declare and that are not protected, with their partitions and own
/// configs, sorted by name. Read-only: Metadata for every topic, then
/// DescribeConfigs for the orphans.
pub async fn orphans(
    specs: &[TopicSpec],
    ownership: &Ownership,
    options: &EnsureOptions,
) -> Result<Vec<ExistingTopic>, Error> {
    if ownership.owns.is_none() {
        return Err(Error::NoOwnership {
            operation: "listing orphans",
        });
    }
    let session = Session::new(options)?;
    connect(&session).await?;
    let orphans = orphans_in(&session, specs, ownership).await;
    session.close_in_background();
    orphans
}

/// Every topic inside `ownership`'s `owns` that is not protected, with its
/// partitions, replication factor and own configs, sorted by name: what
/// `export` writes. Read-only.
pub async fn existing_topics(
    ownership: &Ownership,
    options: &EnsureOptions,
) -> Result<Vec<ExistingTopic>, Error> {
    if ownership.owns.is_none() {
        return Err(Error::NoOwnership {
            operation: "exporting",
        });
    }
    let session = Session::new(options)?;
    connect(&session).await?;
    let topics = inventory(&session, |name| {
        ownership.owns(name) && !ownership.is_protected(name)
    })
    .await;
    session.close_in_background();
    topics
}

/// Converges to the file part of `plan`, then, only if that succeeded,
/// deletes the topics the plan lists for deletion.
async fn converge_then_delete(session: &Session, plan: Plan) -> Result<Report, Error> {
    let (plan, deletions) = plan.split_deletions();
    let mut report = converge(session, plan).await?;
    if !deletions.is_empty() {
        let deleted = delete(session, deletions)
            .instrument(tracing::info_span!("delete"))
            .await?;
        report.topics.extend(deleted);
        report.requests = session.requests();
    }
    Ok(report)
}

/// Executes `plan`, then verifies the cluster matches the file it was made
/// from (re-applying whatever another client changed meanwhile), then
/// waits until every partition of every listed topic is serving.
///
/// Nothing is applied when any topic is refused or fails validation. The
/// topics the plan deletes (made with [`EnsureOptions::prune`]) are
/// deleted last, only after everything else succeeded.
pub async fn apply(plan: &Plan, options: &EnsureOptions) -> Result<Report, Error> {
    if let Some(max) = options.prune {
        let orphans: Vec<String> = plan.deletions().map(|t| t.name.clone()).collect();
        if orphans.len() > max {
            return Err(Error::TooManyDeletions { orphans, max });
        }
    }
    let session = Session::new(options)?;
    connect(&session).await?;
    let report = converge_then_delete(&session, plan.clone()).await;
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
///
/// With [`EnsureOptions::prune`], orphans are then deleted, last, and only
/// when everything else succeeded.
///
/// A cluster that does not answer is [`Error::Unreachable`] at the
/// deadline (the binary's exit 4). Credentials the brokers refuse (a
/// failed TLS handshake, a refused client certificate, refused SASL
/// credentials or token) are retried for [`EnsureOptions::broker_grace`],
/// then [`Error::Authentication`] (the binary's exit 6), well before the
/// deadline. Client settings that cannot work (a missing CA or key file, a
/// key its pass phrase does not open, a SASL mechanism without a SASL
/// protocol) are [`Error::ClientSettings`] before anything is sent
/// (exit 3).
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    error::check(specs)?;
    check_prune(specs, options)?;
    let session = Session::new(options)?;
    connect(&session).await?;
    let plan = plan_and_prune(&session, specs, options).await?;
    let report = converge_then_delete(&session, plan).await?;
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
