//! Converging: validate all of a plan, then create, alter and grow in
//! batched requests (`dispatch`); then plan again to verify, until the
//! cluster matches; then wait until every partition is serving
//! (`serving`). All within the run's one deadline.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.
use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

use tracing::Instrument;

use super::admin::{AlterOp, ConfigAlteration, NewPartitions, NewTopic};
use super::dispatch::{send, topic_error, AddPartitions, AlterConfigs, CreateTopic, Kind, Outcome};
use super::observe::plan_in;
use super::serving::wait_until_ready;
use super::session::{human, Backoff, Session};
use crate::error::{Error, TopicProblem};
use crate::plan::{ConfigChange, Plan, PlannedAction};
use crate::report::{Action, Report, TopicOutcome};
use crate::spec::{Size, TopicSpec};

/// Executes `plan`, then verifies the cluster matches the file it was made
/// from (re-applying whatever another client changed meanwhile), then
/// waits until every partition of every listed topic is serving. Nothing is applied when any
/// topic is refused or fails validation.
pub(super) async fn converge(session: &Session, mut plan: Plan) -> Result<Report, Error> {
    let mut done: HashMap<String, Action> = HashMap::new();
    let serving = loop {
        tracing::trace!("plan:\n{plan}");
        let mut problems = plan.refusals();
        if plan.is_converged() {
            break wait_until_ready(session, &plan).await?;
        }
        // Validate even a refused plan, to report every problem at once.
        match validate(session, &plan)
            .instrument(tracing::info_span!("validate"))
            .await
        {
            Ok(found) => problems.extend(found),
            // The refusals stand whatever stopped the validation: they
            // need the file changed, whatever the cluster says.
            Err(e) if !problems.is_empty() => {
                tracing::warn!("validation stopped: {e}")
            }
            Err(e) => return Err(e),
        }
        if !problems.is_empty() {
            return Err(Error::Rejected { problems });
        }
        execute(session, &plan, &mut done).await?;
        // A topic this run created has the file's settings by construction
        // (CreateTopics is atomic); only raced creates need a second look.
        let created: HashSet<String> = plan
            .topics
            .iter()
            .filter(|t| {
                matches!(t.action, PlannedAction::Create(_))
                    && matches!(done.get(&t.name), Some(Action::Created(_)))
            })
            .map(|t| t.name.clone())
            .collect();
        plan.mark_unchanged(&created);
        plan = verify(session, &plan)
            .instrument(tracing::info_span!("verify"))
            .await?;
    };
    let topics = plan
        .topics
        .iter()
        .zip(&plan.targets)
        .map(|(t, target)| TopicOutcome {
            name: t.name.clone(),
            action: done.remove(&t.name).unwrap_or(Action::Unchanged),
            serving_after_ms: serving
                .serving_after(target)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
        })
        .collect();
    Ok(Report {
        topics,
        access: Vec::new(),
        requests: session.requests(),
    })
}

/// Once the cluster shows some of a run's changes, how long the rest may
/// still trail before they count as changed again by another client.
const SETTLE: Duration = Duration::from_secs(5);

/// Plans again after `applied` was executed. Brokers answer metadata and
/// DescribeConfigs from an image that trails the controller: by a moment
/// usually, by seconds while a broker is still creating the logs of
/// thousands of new partitions. A change the broker acknowledged is
/// waited for, not applied again, until the broker shows it (or the
/// deadline passes). Only when the image has visibly caught up (some of
/// the changes show) and a topic still differs after `SETTLE` is it
/// planned afresh. Only the changed topics are described again.
async fn verify(session: &Session, applied: &Plan) -> Result<Plan, Error> {
    // Short pauses: the wait ends when the broker's image catches up.
    let mut backoff = Backoff::new(Duration::from_millis(25), Duration::from_millis(500));
    let mut caught_up: Option<Instant> = None;
    let changed = applied.changed_specs();
    if changed.is_empty() {
        return Ok(applied.clone());
    }
    loop {
        let rechecked = plan_in(session, &changed, "verify").await?;
        let stale: Vec<&str> = rechecked
            .topics
            .iter()
            .filter(|now| {
                now.action != PlannedAction::Unchanged
                    && applied
                        .topics
                        .iter()
                        .any(|before| before.name == now.name && before.action == now.action)
            })
            .map(|now| now.name.as_str())
            .collect();
        if stale.len() < changed.len() {
            caught_up.get_or_insert_with(Instant::now);
        }
        if stale.is_empty() || caught_up.is_some_and(|t| t.elapsed() >= SETTLE) {
            return Ok(applied.updated_with(rechecked));
        }
        let why = format!(
            "{} topic(s) do not show the change yet, e.g. `{}`",
            stale.len(),
            stale[0]
        );
        session
            .pause(
                &mut backoff,
                "waiting for the cluster to show the changes",
                why,
            )
            .await?;
    }
}

/// The requests a plan turns into.
#[derive(Default)]
struct Changes {
    creates: Vec<NewTopic>,
    alterations: Vec<ConfigAlteration>,
    growths: Vec<NewPartitions>,
}

impl Changes {
    fn of(plan: &Plan) -> Changes {
        let mut changes = Changes::default();
        // `default` sizes go to the broker as -1, which picks its own.
        let declared: HashMap<&str, &TopicSpec> =
            plan.specs.iter().map(|s| (s.name.as_ref(), s)).collect();
        let size = |topic: &str, planned: i32, of: fn(&TopicSpec) -> Size| match declared.get(topic)
        {
            Some(spec) if of(spec).is_broker_default() => -1,
            _ => planned,
        };
        for topic in &plan.topics {
            match &topic.action {
                PlannedAction::Create(c) => changes.creates.push(NewTopic {
                    name: topic.name.clone(),
                    partitions: size(&topic.name, c.partitions, |s| s.partitions),
                    replication_factor: size(&topic.name, c.replication_factor, |s| {
                        s.replication_factor
                    }),
                    configs: c.configs.clone().into_iter().collect(),
                }),
                PlannedAction::Update {
                    configs,
                    partitions,
                } => {
                    if !configs.is_empty() {
                        changes.alterations.push(ConfigAlteration {
                            topic: topic.name.clone(),
                            ops: configs.iter().map(alter_op).collect(),
                        });
                    }
                    if let Some(growth) = partitions {
                        changes.growths.push(NewPartitions {
                            topic: topic.name.clone(),
                            total: growth.to,
                        });
                    }
                }
                // Deletions are split off before converging (`prune`).
                PlannedAction::Unchanged
                | PlannedAction::Refused { .. }
                | PlannedAction::Delete(_)
                | PlannedAction::Keep(_) => {}
            }
        }
        changes
    }
}

fn alter_op(change: &ConfigChange) -> (String, AlterOp) {
    match change {
        ConfigChange::Set { key, new, .. } => (key.clone(), AlterOp::Set(new.clone())),
        ConfigChange::Reset { key, .. } => (key.clone(), AlterOp::Delete),
    }
}

/// Asks the broker to check every change with `validate_only`, committing
/// nothing. Returns the problems found, all of them.
async fn validate(session: &Session, plan: &Plan) -> Result<Vec<TopicProblem>, Error> {
    let started = Instant::now();
    let changes = Changes::of(plan);
    let mut problems = Vec::new();
    let mut note = |operation: &'static str, outcomes: Vec<(String, Outcome)>| {
        for (topic, outcome) in outcomes {
            if let Outcome::Failed(e) = outcome {
                problems.push(topic_error(topic, operation, e));
            }
        }
    };
    // Nothing is committed, so the three requests can go out together.
    let (created, altered, grown) = tokio::join!(
        send::<CreateTopic>(session, changes.creates, true),
        send::<AlterConfigs>(session, changes.alterations, true),
        send::<AddPartitions>(session, changes.growths, true),
    );
    note(CreateTopic::OPERATION, created?);
    note(AlterConfigs::OPERATION, altered?);
    note(AddPartitions::OPERATION, grown?);
    tracing::info!(
        "validate: {} ({} problem(s))",
        human(started.elapsed()),
        problems.len()
    );
    Ok(problems)
}

/// Applies the plan's changes: creates first, then config changes, then
/// partition growth. Records what succeeded in `done`.
async fn execute(
    session: &Session,
    plan: &Plan,
    done: &mut HashMap<String, Action>,
) -> Result<(), Error> {
    let changes = Changes::of(plan);
    let mut failures = Vec::new();
    let mut record =
        |topic: String, operation: &'static str, outcome: Outcome, action: Option<Action>| {
            match outcome {
                Outcome::Done => {
                    tracing::debug!("{topic}: {operation} done");
                    if let Some(action) = action {
                        merge(done, topic, action);
                    }
                }
                Outcome::Raced => {
                    tracing::debug!("{topic}: another client did the {operation} first")
                }
                Outcome::Failed(e) => failures.push(topic_error(topic, operation, e)),
            }
        };
    let planned: HashMap<&str, &PlannedAction> = plan
        .topics
        .iter()
        .map(|t| (t.name.as_str(), &t.action))
        .collect();
    let action_of = |topic: &str| planned.get(topic).copied();

    let results = timed("create", changes.creates, |items| {
        send::<CreateTopic>(session, items, false).instrument(tracing::info_span!("create"))
    })
    .await?;
    for (topic, outcome) in results {
        let action = match action_of(&topic) {
            Some(PlannedAction::Create(c)) => Some(Action::Created(c.clone())),
            _ => None,
        };
        record(topic, CreateTopic::OPERATION, outcome, action);
    }
    let results = timed("alter", changes.alterations, |items| {
        send::<AlterConfigs>(session, items, false).instrument(tracing::info_span!("alter"))
    })
    .await?;
    for (topic, outcome) in results {
        let action = match action_of(&topic) {
            Some(PlannedAction::Update { configs, .. }) => Some(Action::Updated {
                configs: configs.clone(),
                partitions: None,
            }),
            _ => None,
        };
        record(topic, AlterConfigs::OPERATION, outcome, action);
    }
    let results = timed("add partitions", changes.growths, |items| {
        send::<AddPartitions>(session, items, false).instrument(tracing::info_span!("partitions"))
    })
    .await?;
    for (topic, outcome) in results {
        let action = match action_of(&topic) {
            Some(PlannedAction::Update { partitions, .. }) => Some(Action::Updated {
                configs: Vec::new(),
                partitions: *partitions,
            }),
            _ => None,
        };
        record(topic, AddPartitions::OPERATION, outcome, action);
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(Error::Topics { failures })
    }
}

/// Runs one phase of `execute` on `items`, logging its duration at info
/// when there was something to do.
async fn timed<I, T, F, Fut>(phase: &str, items: Vec<I>, run: F) -> Result<Vec<T>, Error>
where
    F: FnOnce(Vec<I>) -> Fut,
    Fut: Future<Output = Result<Vec<T>, Error>>,
{
    if items.is_empty() {
        return Ok(Vec::new());
    }
    let n = items.len();
    let started = Instant::now();
    let results = run(items).await?;
    tracing::info!("{phase}: {n} topic(s) in {}", human(started.elapsed()));
    Ok(results)
}

/// Adds `action` to what was already done to `topic` in this run.
fn merge(done: &mut HashMap<String, Action>, topic: String, action: Action) {
    use std::collections::hash_map::Entry;
    match (done.entry(topic), action) {
        (Entry::Vacant(e), action) => {
            e.insert(action);
        }
        (
            Entry::Occupied(mut e),
            Action::Updated {
                configs,
                partitions,
            },
        ) => {
            if let Action::Updated {
                configs: c,
                partitions: p,
            } = e.get_mut()
            {
                for change in configs {
                    match c.iter_mut().find(|first| first.key() == change.key()) {
                        Some(first) => *first = first.clone().then(change),
                        None => c.push(change),
                    }
                }
                *p = partitions.or(*p);
            }
        }
        (Entry::Occupied(mut e), action) => {
            e.insert(action);
        }
    }
}
