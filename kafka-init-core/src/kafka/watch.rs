//! Watching: the one-shot path (plan, then apply, through the same
//! `Cluster`) run again on an interval and whenever the declared topics
//! change, each pass handed to the caller. A failed pass is retried with
//! backoff, capped at the interval; the loop itself never fails.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.

use std::collections::HashSet;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use tokio::sync::watch::Receiver;
use tokio::time::Instant;
use tracing::Instrument;

use super::cluster::{check_run, converge_then_delete, plan_and_prune, Cluster};
use super::session::{Attempt, Backoff, Served, Session};
use crate::access::AccessEntry;
use crate::error::{self, Error};
use crate::plan::{Plan, PlannedAction};
use crate::report::{Report, Requests};
use crate::spec::TopicSpec;

/// What [`Cluster::watch`] keeps in place: the topics, and the access
/// granted beside them. A `Vec<TopicSpec>` converts into one that keeps
/// the handle's own [`EnsureOptions::access`](crate::EnsureOptions::access).
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Declared {
    /// The topics.
    pub topics: Vec<TopicSpec>,
    /// The access entries; `None` keeps the handle's options' entries.
    pub access: Option<Vec<AccessEntry>>,
}

impl Declared {
    /// `topics`, with `access` in place of the handle's options' entries.
    pub fn new(topics: Vec<TopicSpec>, access: Vec<AccessEntry>) -> Declared {
        Declared {
            topics,
            access: Some(access),
        }
    }
}

impl From<Vec<TopicSpec>> for Declared {
    fn from(topics: Vec<TopicSpec>) -> Declared {
        Declared {
            topics,
            access: None,
        }
    }
}

/// How [`Cluster::watch`] loops: a pass every `interval`, and at once when
/// the declared topics change.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WatchOptions {
    interval: Duration,
    report_only: bool,
    first_retry: Duration,
}

impl WatchOptions {
    /// A pass every `interval` (at least a millisecond), fixing what
    /// drifted; the first retry of a failed pass after a second.
    pub fn every(interval: Duration) -> WatchOptions {
        WatchOptions {
            interval: interval.max(Duration::from_millis(1)),
            report_only: false,
            first_retry: Duration::from_secs(1),
        }
    }

    /// Observe and report drift, change nothing.
    pub fn report_only(mut self, report_only: bool) -> WatchOptions {
        self.report_only = report_only;
        self
    }

    /// The pause before the first retry of a failed pass; each further
    /// failure doubles it, up to the interval.
    pub fn first_retry(mut self, pause: Duration) -> WatchOptions {
        self.first_retry = pause;
        self
    }

    /// The pause between passes.
    pub fn interval(&self) -> Duration {
        self.interval
    }

    /// Whether passes only look.
    pub fn is_report_only(&self) -> bool {
        self.report_only
    }
}

/// What a pass found before fixing anything: the topics drifted in each
/// way, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Drift {
    /// Declared topics that do not exist.
    pub missing: Vec<String>,
    /// Declared topics whose own configs differ from the file's.
    pub config: Vec<String>,
    /// Declared topics with fewer partitions than the file says.
    pub partitions: Vec<String>,
    /// Topics inside `kafka.owns` that the file does not declare and that
    /// are not protected (looked for only when the options name an
    /// ownership).
    pub orphan: Vec<String>,
    /// Declared topics that differ in a way kafka-init never changes
    /// (fewer partitions, another replication factor).
    pub refused: Vec<String>,
    /// ACL bindings the file's `access` declares that the cluster lacks,
    /// then (when pruning) owned ones it does not declare, each as
    /// `User:svc  WRITE  topic dc.x`.
    pub access: Vec<String>,
}

impl Drift {
    /// The drift a plan shows (orphans only when it was made pruning).
    pub fn of(plan: &Plan) -> Drift {
        let mut drift = Drift::default();
        for t in &plan.topics {
            let name = t.name.clone();
            match &t.action {
                PlannedAction::Create(_) => drift.missing.push(name),
                PlannedAction::Update {
                    configs,
                    partitions,
                } => {
                    if !configs.is_empty() {
                        drift.config.push(name.clone());
                    }
                    if partitions.is_some() {
                        drift.partitions.push(name);
                    }
                }
                PlannedAction::Refused { .. } => drift.refused.push(name),
                PlannedAction::Delete(_) | PlannedAction::Keep(_) => drift.orphan.push(name),
                PlannedAction::Unchanged => {}
            }
        }
        drift.access = plan
            .access_changes()
            .map(|a| a.binding.to_string())
            .collect();
        drift
    }

    /// No topic drifted in any way.
    pub fn is_empty(&self) -> bool {
        self.missing.is_empty()
            && self.config.is_empty()
            && self.partitions.is_empty()
            && self.orphan.is_empty()
            && self.refused.is_empty()
            && self.access.is_empty()
    }
}

/// Why a pass ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Trigger {
    /// The first pass.
    Start,
    /// The interval passed.
    Interval,
    /// The declared topics changed.
    Changed,
    /// The previous pass failed.
    Retry,
}

/// How a pass ended.
#[derive(Debug)]
#[non_exhaustive]
pub enum Outcome {
    /// Applied: the cluster matches and every partition is serving; what
    /// the pass changed. A partition that served in the previous pass
    /// under the leader metadata still shows (with enough in-sync replicas)
    /// counts as serving once that leader answers for another of its
    /// partitions: one ListOffsets per leader, not per partition.
    Applied(Report),
    /// Report-only: what the pass found, changed nothing.
    Observed(Plan),
    /// The pass failed (the cluster did not answer, a change was refused,
    /// ...); it is retried.
    Failed(Error),
}

/// One pass of [`Cluster::watch`].
#[derive(Debug)]
#[non_exhaustive]
pub struct Pass {
    /// 1 for the first pass.
    pub number: u64,
    /// Why the pass ran.
    pub trigger: Trigger,
    /// The topics declared for this pass.
    pub declared: usize,
    /// What the pass found before fixing anything; `None` when it failed
    /// before its plan.
    pub drift: Option<Drift>,
    /// How the pass ended.
    pub outcome: Outcome,
    /// The requests the pass sent, failed or not.
    pub requests: Requests,
    /// How long the pass took.
    pub duration: Duration,
    /// When the pass ended.
    pub finished: SystemTime,
    /// How long until the next pass, unless the declared topics change.
    pub next_in: Duration,
}

impl Pass {
    /// `Ok` when the pass left the cluster as declared with every
    /// partition serving; else why not, in a sentence.
    pub fn readiness(&self) -> Result<(), String> {
        match &self.outcome {
            Outcome::Applied(_) => Ok(()),
            Outcome::Failed(e) => Err(format!("the last pass failed: {e}")),
            Outcome::Observed(plan) => {
                if !plan.is_converged() {
                    Err(format!(
                        "report-only: drift left as found ({})",
                        plan.summary()
                    ))
                } else if !plan.unready.is_empty() {
                    Err(format!(
                        "report-only: {} partition(s) without a leader or in-sync replicas",
                        plan.unready.len()
                    ))
                } else {
                    Ok(())
                }
            }
        }
    }
}

impl Cluster {
    /// Keeps the cluster as `specs` declares (a `Vec<TopicSpec>`, or a
    /// [`Declared`] with the access to grant beside them): a pass at once,
    /// then one every interval, and one as soon as `specs` changes. A pass is
    /// [`Cluster::ensure`] (or, report-only, [`Cluster::plan`]) with the
    /// handle's options, drift recorded in between; `on_pass` gets each.
    /// A failed pass is retried after a pause that doubles from
    /// [`WatchOptions::first_retry`] up to the interval.
    ///
    /// Returns once the sender of `specs` is dropped, after the pass in
    /// progress; drop the future to abandon that pass too (a request
    /// already sent is atomic on the broker, and the next run converges
    /// from wherever the cluster is).
    ///
    /// ```no_run
    /// # async fn run(specs: Vec<kafka_init_core::TopicSpec>) -> Result<(), kafka_init_core::Error> {
    /// use std::time::Duration;
    /// use kafka_init_core::{Cluster, EnsureOptions, WatchOptions};
    ///
    /// let cluster = Cluster::connect(&EnsureOptions::new("localhost:9092")).await?;
    /// let (_keep, specs) = tokio::sync::watch::channel(specs);
    /// cluster
    ///     .watch(specs, WatchOptions::every(Duration::from_secs(60)), |pass| {
    ///         if let Err(why) = pass.readiness() {
    ///             eprintln!("pass {}: {why}", pass.number);
    ///         }
    ///     })
    ///     .await;
    /// # Ok(()) }
    /// ```
    pub async fn watch<D, F>(&self, mut specs: Receiver<D>, options: WatchOptions, mut on_pass: F)
    where
        D: Clone + Into<Declared>,
        F: FnMut(&Pass),
    {
        let mut trigger = Trigger::Start;
        let mut failures: u32 = 0;
        let mut served = Served::default();
        for number in 1.. {
            let declared: Declared = specs.borrow_and_update().clone().into();
            let started = Instant::now();
            let (drift, outcome, requests) = self
                .pass(&declared, &options, &mut served)
                .instrument(tracing::info_span!("pass", number))
                .await;
            let failed = matches!(outcome, Outcome::Failed(_));
            let next_in = if failed {
                failures = failures.saturating_add(1);
                retry_pause(failures, options.first_retry, options.interval)
            } else {
                failures = 0;
                options.interval
            };
            on_pass(&Pass {
                number,
                trigger,
                declared: declared.topics.len(),
                drift,
                outcome,
                requests,
                duration: started.elapsed(),
                finished: SystemTime::now(),
                next_in,
            });
            tokio::select! {
                () = tokio::time::sleep(next_in) => {
                    trigger = if failed { Trigger::Retry } else { Trigger::Interval };
                }
                changed = specs.changed() => match changed {
                    Ok(()) => trigger = Trigger::Changed,
                    Err(_) => return,
                },
            }
        }
    }

    /// One pass: the plan (with the orphans, when the options name an
    /// ownership), then, unless report-only, the same apply as
    /// [`Cluster::ensure`], in one session. `served` is what the last
    /// serving gate saw serving, passed on to the next.
    async fn pass(
        &self,
        declared: &Declared,
        options: &WatchOptions,
        served: &mut Served,
    ) -> (Option<Drift>, Outcome, Requests) {
        let session = self.session().with_served(std::mem::take(served));
        let mut drift = None;
        let outcome = match self.pass_in(&session, declared, options, &mut drift).await {
            Ok(outcome) => outcome,
            Err(e) => Outcome::Failed(e),
        };
        let requests = session.requests();
        *served = session.into_served();
        (drift, outcome, requests)
    }

    async fn pass_in(
        &self,
        session: &Session,
        declared: &Declared,
        options: &WatchOptions,
        drift: &mut Option<Drift>,
    ) -> Result<Outcome, Error> {
        let specs = &declared.topics;
        let run = match &declared.access {
            Some(access) => self.options.clone().access(access.iter().cloned()),
            None => self.options.clone(),
        };
        error::check(specs)?;
        check_run(specs, &run)?;
        let plan = plan_and_prune(session, specs, &run).await?;
        let mut found = Drift::of(&plan);
        if self.options.prune.is_none() && self.options.ownership.owns.is_some() {
            found.orphan = self.orphan_names(session, specs).await?;
        }
        *drift = Some(found);
        if options.report_only {
            return Ok(Outcome::Observed(plan));
        }
        Ok(Outcome::Applied(converge_then_delete(session, plan).await?))
    }

    /// Orphans by name, without pruning: one Metadata request.
    async fn orphan_names(
        &self,
        session: &Session,
        specs: &[TopicSpec],
    ) -> Result<Vec<String>, Error> {
        let ownership = &self.options.ownership;
        let declared: HashSet<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
        let listed = session
            .retry("listing topics", Backoff::default(), || async {
                session.list_topics().await.map_err(Attempt::Retry)
            })
            .await?;
        let mut names: Vec<String> = listed
            .into_iter()
            .map(|t| t.name)
            .filter(|name| {
                ownership.owns(name)
                    && !declared.contains(name.as_str())
                    && !ownership.is_protected(name)
            })
            .collect();
        names.sort();
        Ok(names)
    }
}

/// The pause after `failures` failed passes in a row: `first`, doubled per
/// further failure, never above `cap`.
fn retry_pause(failures: u32, first: Duration, cap: Duration) -> Duration {
    let doublings = failures.saturating_sub(1).min(20);
    first.saturating_mul(1 << doublings).min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_double_up_to_the_interval() {
        let s = Duration::from_secs;
        let pauses: Vec<Duration> = (1..=8).map(|n| retry_pause(n, s(1), s(60))).collect();
        assert_eq!(pauses, [s(1), s(2), s(4), s(8), s(16), s(32), s(60), s(60)]);
        assert_eq!(retry_pause(u32::MAX, s(1), s(60)), s(60));
    }
}
