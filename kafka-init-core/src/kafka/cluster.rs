//! `Cluster`: one connection, every entry point. `connect` waits for the
//! cluster to answer and keeps one client for every later call; each call
//! gets the options' deadline afresh. Dropping the handle closes the
//! client.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use tracing::Instrument;

use super::admin::Admin;
use super::converge::converge;
use super::grants;
use super::librdkafka::Librdkafka;
use super::observe::plan_in;
use super::prune::{delete, inventory, mark_in_use};
use super::session::{human, Counts, Session};
use crate::access::{self, AccessEntry, AclBinding};
use crate::error::{self, Error, TopicProblem};
use crate::options::EnsureOptions;
use crate::ownership::{ExistingTopic, Ownership};
use crate::plan::{Plan, PlannedAction};
use crate::report::{topic_file, Action, Export, Report, TopicOutcome};
use crate::spec::TopicSpec;

/// A connected cluster: one client for every call, each call within the
/// options' deadline.
///
/// ```no_run
/// # async fn run(specs: &[kafka_init_core::TopicSpec]) -> Result<(), kafka_init_core::Error> {
/// use kafka_init_core::{Cluster, EnsureOptions};
///
/// let cluster = Cluster::connect(&EnsureOptions::new("localhost:9092")).await?;
/// let plan = cluster.plan(specs).await?;
/// if !plan.is_converged() {
///     println!("{}", cluster.apply(&plan).await?);
/// }
/// # Ok(()) }
/// ```
pub struct Cluster {
    admin: Arc<dyn Admin>,
    pub(super) options: EnsureOptions,
    /// The brokers the cluster listed when it last answered DescribeCluster.
    brokers: usize,
    /// The requests of connecting, until a call reports them.
    unreported: Mutex<Counts>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster")
            .field("bootstrap_servers", &self.options.bootstrap_servers)
            .field("brokers", &self.brokers)
            .finish_non_exhaustive()
    }
}

impl Cluster {
    /// Connects to the cluster `options` name and waits, within their
    /// deadline, until it answers (DescribeCluster); changes nothing.
    pub async fn connect(options: &EnsureOptions) -> Result<Cluster, Error> {
        let admin: Arc<dyn Admin> = Arc::new(Librdkafka::new(options)?);
        Cluster::with_admin(admin, options).await
    }

    /// The handle over any implementation of the requests: librdkafka, or
    /// a scripted cluster in tests.
    pub(crate) async fn with_admin(
        admin: Arc<dyn Admin>,
        options: &EnsureOptions,
    ) -> Result<Cluster, Error> {
        let session = Session::start(Arc::clone(&admin), options, 0);
        let started = tokio::time::Instant::now();
        let brokers = session
            .wait_for_cluster()
            .instrument(tracing::info_span!("connect"))
            .await?;
        tracing::info!(
            "connect: {} ({} broker(s))",
            human(started.elapsed()),
            brokers
        );
        Ok(Cluster {
            admin,
            options: options.clone(),
            brokers,
            unreported: Mutex::new(session.counts()),
        })
    }

    /// The brokers the cluster listed when it answered `connect`.
    pub fn brokers(&self) -> usize {
        self.brokers
    }

    /// The options the handle was connected with.
    pub fn options(&self) -> &EnsureOptions {
        &self.options
    }

    /// A call's run: the options' deadline from now. The first one also
    /// reports the requests of connecting.
    pub(super) fn session(&self) -> Session {
        let earlier =
            std::mem::take(&mut *self.unreported.lock().unwrap_or_else(|e| e.into_inner()));
        Session::start(Arc::clone(&self.admin), &self.options, self.brokers).carry(earlier)
    }

    /// What [`Cluster::ensure`] would do, changing nothing: metadata for the
    /// listed topics and batched DescribeConfigs, then a pure diff.
    ///
    /// With [`EnsureOptions::prune`], the plan ends with a `delete` row for
    /// each orphan not in use and a `keep` row for each one in use, and
    /// fails (changing nothing) when more would be deleted than allowed.
    pub async fn plan(&self, specs: &[TopicSpec]) -> Result<Plan, Error> {
        error::check(specs)?;
        check_run(specs, &self.options)?;
        plan_and_prune(&self.session(), specs, &self.options).await
    }

    /// Executes `plan`, then verifies the cluster matches the file it was
    /// made from (re-applying whatever another client changed meanwhile),
    /// then waits until every partition of every listed topic is serving.
    ///
    /// Nothing is applied when any topic is refused or fails validation.
    /// The topics the plan deletes (made with [`EnsureOptions::prune`]) are
    /// deleted last, only after everything else succeeded.
    pub async fn apply(&self, plan: &Plan) -> Result<Report, Error> {
        if let Some(max) = self.options.prune {
            let orphans = deletions_of(plan);
            if orphans.len() > max {
                return Err(Error::TooManyDeletions { orphans, max });
            }
        }
        converge_then_delete(&self.session(), plan.clone()).await
    }

    /// Makes the cluster match `specs`: every listed topic exists with the
    /// file's partitions and exactly the file's topic-level configs, and
    /// every partition is serving: its leader answers ListOffsets for it and
    /// it has enough in-sync replicas, so a write with `acks=all` is
    /// accepted the moment this returns. Safe to run from any number of
    /// processes at once.
    ///
    /// With [`EnsureOptions::prune`], orphans not in use are then deleted,
    /// last, and only when everything else succeeded.
    pub async fn ensure(&self, specs: &[TopicSpec]) -> Result<Report, Error> {
        error::check(specs)?;
        check_run(specs, &self.options)?;
        let session = self.session();
        let plan = plan_and_prune(&session, specs, &self.options).await?;
        let report = converge_then_delete(&session, plan).await?;
        tracing::info!(
            "converged: {} ({} request(s))",
            human(session.started.elapsed()),
            report.requests.total()
        );
        Ok(report)
    }

    /// The orphans: topics inside `ownership`'s `owns` that `specs` do not
    /// declare and that are not protected, with their partitions, own
    /// configs and whether they are in use (see
    /// [`EnsureOptions::prune_idle`]), sorted by name. Read-only.
    pub async fn orphans(
        &self,
        specs: &[TopicSpec],
        ownership: &Ownership,
    ) -> Result<Vec<ExistingTopic>, Error> {
        if ownership.owns.is_none() {
            return Err(Error::NoOwnership {
                operation: "listing orphans",
            });
        }
        let options = self.options.clone().ownership(ownership.clone());
        orphans_in(&self.session(), specs, &options).await
    }

    /// The access orphans: bindings the cluster has that `ownership` owns
    /// (an ALLOW binding on a topic, group or transactional id inside
    /// `owns`, of a principal not in `protect_principals`) and `entries` do
    /// not grant, sorted. Empty when the cluster has no authorizer.
    /// Read-only: one DescribeAcls.
    pub async fn access_orphans(
        &self,
        entries: &[AccessEntry],
        ownership: &Ownership,
    ) -> Result<Vec<AclBinding>, Error> {
        if ownership.owns.is_none() {
            return Err(Error::NoOwnership {
                operation: "listing orphans",
            });
        }
        let existing = self.session().acl_bindings().await?.unwrap_or_default();
        Ok(access::orphans(
            &access::bindings(entries),
            &existing,
            ownership,
        ))
    }

    /// Every topic inside `ownership`'s `owns` that is not protected, with
    /// its partitions, replication factor and own configs, sorted by name.
    /// Read-only.
    pub async fn existing_topics(
        &self,
        ownership: &Ownership,
    ) -> Result<Vec<ExistingTopic>, Error> {
        if ownership.owns.is_none() {
            return Err(Error::NoOwnership {
                operation: "exporting",
            });
        }
        inventory(&self.session(), |name| {
            ownership.owns(name) && !ownership.is_protected(name)
        })
        .await
    }

    /// A topic file declaring every topic inside `ownership`'s `owns`, as
    /// [`topic_file`] writes it: protected topics are left out of `topics`
    /// and named in `protect`, so pruning with the export keeps what
    /// pruning with the original kept. The owned ACL bindings become its
    /// `access` (none when the cluster has no authorizer, or the principal
    /// may not read them: a warning says so). Read-only.
    pub async fn export(&self, ownership: &Ownership) -> Result<Export, Error> {
        let Some(owns) = &ownership.owns else {
            return Err(Error::NoOwnership {
                operation: "exporting",
            });
        };
        let session = self.session();
        let bindings = match session.acl_bindings().await {
            Ok(all) => all.unwrap_or_default(),
            Err(e) if e.is_authorization() => {
                tracing::warn!("access not exported: {e}");
                Vec::new()
            }
            Err(e) => return Err(e),
        };
        let owned: Vec<AclBinding> = bindings
            .into_iter()
            .filter(|b| access::owned(b, ownership))
            .collect();
        let mut protected = Vec::new();
        let topics = inventory(&session, |name| {
            if !ownership.owns(name) {
                return false;
            }
            if ownership.is_protected(name) {
                protected.push(name.to_owned());
                return false;
            }
            true
        })
        .await?;
        protected.sort();
        Ok(Export {
            file: topic_file(
                &topics,
                owns,
                &ownership.protect,
                &protected,
                &owned,
                &ownership.protect_principals,
            ),
            bindings: owned.len(),
            topics: topics.len(),
            protected,
        })
    }
}

/// The file's plan, with the orphans to delete (or keep) when pruning.
pub(super) async fn plan_and_prune(
    session: &Session,
    specs: &[TopicSpec],
    options: &EnsureOptions,
) -> Result<Plan, Error> {
    let mut plan = plan_in(session, specs, "plan").await?;
    plan.access = grants::plan(session, options)
        .instrument(tracing::info_span!("access"))
        .await?;
    let Some(max) = options.prune else {
        return Ok(plan);
    };
    let orphans = orphans_in(session, specs, options).await?;
    let plan = plan.with_deletions(&orphans, options.prune_in_use);
    let collisions: Vec<TopicProblem> = plan
        .create_delete_collisions()
        .into_iter()
        .map(|(created, deleted)| TopicProblem::invalid(
            created,
            format!(
                "topic `{created}`: collides with `{deleted}`, which this run would delete (Kafka treats `.` and `_` alike, and deletions come last); prune `{deleted}` in a run that does not declare `{created}` first, or rename it"
            ),
        ))
        .collect();
    if !collisions.is_empty() {
        return Err(Error::Rejected {
            problems: collisions,
        });
    }
    let deletions = deletions_of(&plan);
    if deletions.len() > max {
        return Err(Error::TooManyDeletions {
            orphans: deletions,
            max,
        });
    }
    Ok(plan)
}

/// What a pruning plan deletes, counted against `--max-deletions`: the
/// orphan topics, then the bindings it revokes (`access: ` and the binding).
fn deletions_of(plan: &Plan) -> Vec<String> {
    plan.deletions()
        .map(|t| t.name.clone())
        .chain(plan.revocations().map(|r| format!("access: {}", r.binding)))
        .collect()
}

/// Access entries follow the file's rules; pruning needs a namespace, and
/// every declared topic inside it. Checked before anything is sent.
pub(super) fn check_run(specs: &[TopicSpec], options: &EnsureOptions) -> Result<(), Error> {
    let owns = options.ownership.owns.is_some();
    let problems: Vec<String> = access::check(&options.access, &options.ownership)
        .into_iter()
        .filter(|issue| owns || !issue.needs_owns)
        .map(|issue| issue.message)
        .collect();
    if !problems.is_empty() {
        return Err(Error::InvalidAccess { problems });
    }
    if options.prune.is_none() {
        return Ok(());
    }
    let Some(owns) = &options.ownership.owns else {
        return Err(Error::NoOwnership {
            operation: "pruning",
        });
    };
    let outside: Vec<TopicProblem> = specs
        .iter()
        .filter(|s| !owns.contains(&s.name))
        .map(|s| {
            TopicProblem::invalid(
                s.name.to_string(),
                format!("topic `{}`: outside `kafka.owns` ({owns})", s.name),
            )
        })
        .collect();
    if outside.is_empty() {
        Ok(())
    } else {
        Err(Error::Rejected { problems: outside })
    }
}

/// The orphans of `specs` in `options.ownership`, each marked when in use.
async fn orphans_in(
    session: &Session,
    specs: &[TopicSpec],
    options: &EnsureOptions,
) -> Result<Vec<ExistingTopic>, Error> {
    let ownership = &options.ownership;
    let declared: HashSet<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
    let mut orphans = inventory(session, |name| {
        ownership.owns(name) && !declared.contains(name) && !ownership.is_protected(name)
    })
    .await?;
    mark_in_use(session, &mut orphans, options.prune_idle)
        .instrument(tracing::info_span!("in_use"))
        .await?;
    Ok(orphans)
}

/// Converges to the file part of `plan`, then, only if that succeeded,
/// deletes the topics the plan lists for deletion.
pub(super) async fn converge_then_delete(
    session: &Session,
    mut plan: Plan,
) -> Result<Report, Error> {
    let access = std::mem::take(&mut plan.access);
    let (plan, orphans) = plan.split_deletions();
    let (deletions, kept): (Vec<_>, Vec<_>) = orphans
        .into_iter()
        .partition(|t| matches!(t.action, PlannedAction::Delete(_)));
    let mut report = converge(session, plan).await?;
    // Rights to topics that now exist and serve.
    report.access = grants::grant(session, &access)
        .instrument(tracing::info_span!("grant"))
        .await?;
    for topic in kept {
        if let PlannedAction::Keep(in_use) = topic.action {
            tracing::info!("Kept orphan {}: {}", topic.name, in_use.reason);
            report.topics.push(TopicOutcome {
                name: topic.name,
                action: Action::Kept(in_use),
                serving_after_ms: None,
            });
        }
    }
    if !deletions.is_empty() {
        let deleted = delete(session, deletions)
            .instrument(tracing::info_span!("delete"))
            .await?;
        report.topics.extend(deleted);
    }
    grants::revoke(session, &access)
        .instrument(tracing::info_span!("revoke"))
        .await?;
    report.requests = session.requests();
    Ok(report)
}
