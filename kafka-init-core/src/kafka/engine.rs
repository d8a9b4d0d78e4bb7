//! The one-call entry points, each a shorthand for connecting a
//! [`Cluster`] and making one call on it.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::sync::Arc;

use tracing::Instrument;

use super::cluster::{check_run, Cluster};
use super::librdkafka::Librdkafka;
use super::session::Session;
use crate::cluster::Reachable;
use crate::error::{self, Error};
use crate::options::EnsureOptions;
use crate::ownership::{ExistingTopic, Ownership};
use crate::plan::Plan;
use crate::report::{Export, Report};
use crate::spec::TopicSpec;

/// What [`ensure_topics`] would do, changing nothing: [`Cluster::plan`] on a
/// fresh connection.
pub async fn plan(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Plan, Error> {
    // Checked before connecting: bad input never waits for a cluster.
    error::check(specs)?;
    check_run(specs, options)?;
    Cluster::connect(options).await?.plan(specs).await
}

/// [`Cluster::orphans`] on a fresh connection. Read-only.
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
    Cluster::connect(options)
        .await?
        .orphans(specs, ownership)
        .await
}

/// [`Cluster::existing_topics`] on a fresh connection. Read-only.
pub async fn existing_topics(
    ownership: &Ownership,
    options: &EnsureOptions,
) -> Result<Vec<ExistingTopic>, Error> {
    if ownership.owns.is_none() {
        return Err(Error::NoOwnership {
            operation: "exporting",
        });
    }
    Cluster::connect(options)
        .await?
        .existing_topics(ownership)
        .await
}

/// [`Cluster::export`] on a fresh connection. Read-only.
pub async fn export(ownership: &Ownership, options: &EnsureOptions) -> Result<Export, Error> {
    if ownership.owns.is_none() {
        return Err(Error::NoOwnership {
            operation: "exporting",
        });
    }
    Cluster::connect(options).await?.export(ownership).await
}

/// [`Cluster::apply`] on a fresh connection.
pub async fn apply(plan: &Plan, options: &EnsureOptions) -> Result<Report, Error> {
    Cluster::connect(options).await?.apply(plan).await
}

/// [`Cluster::ensure`] on a fresh connection: makes the cluster match
/// `specs`, every partition serving when it returns.
///
/// On a cluster that already matches, a run sends DescribeCluster,
/// Metadata (DescribeTopics) for the listed topics, one DescribeConfigs
/// (per 1,000 topics) and one ListOffsets per leader broker, then returns.
///
/// A cluster that does not answer is [`Error::Unreachable`] at the
/// deadline (the binary's exit 4). Credentials the brokers refuse (a
/// failed TLS handshake, a refused client certificate, refused SASL
/// credentials or token) are retried for the broker grace
/// ([`EnsureOptions::broker_grace`]), then [`Error::Authentication`] (the
/// binary's exit 6), well before the deadline. Client settings that cannot
/// work (a missing CA or key file, a key its pass phrase does not open, a
/// SASL mechanism without a SASL protocol) are [`Error::ClientSettings`]
/// before anything is sent (exit 3).
///
/// The explicit form of the generated `topics::ensure_topics()`:
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
/// let report = kafka_init_core::ensure_topics(specs, &options).await?;
/// println!("{report}");
/// # Ok(()) }
/// ```
pub async fn ensure_topics(specs: &[TopicSpec], options: &EnsureOptions) -> Result<Report, Error> {
    let span = tracing::info_span!(
        "ensure_topics",
        topics = specs.len(),
        bootstrap = %options.bootstrap_servers
    );
    async {
        error::check(specs)?;
        check_run(specs, options)?;
        Cluster::connect(options).await?.ensure(specs).await
    }
    .instrument(span)
    .await
}

/// Waits until the cluster at `options.bootstrap_servers` answers, within
/// `options.timeout`, and says how many brokers it lists. Sends one
/// DescribeCluster per try; changes nothing.
pub async fn wait_for_cluster(options: &EnsureOptions) -> Result<Reachable, Error> {
    let session = Session::start(Arc::new(Librdkafka::new(options)?), options, 0);
    let brokers = session.wait_for_cluster().await?;
    Ok(Reachable {
        brokers,
        elapsed: session.started.elapsed(),
    })
}
