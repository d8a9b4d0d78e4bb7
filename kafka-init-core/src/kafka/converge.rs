//! Converging: validate all of a plan, then create, alter and grow in
//! batched requests; then plan again to verify, until the cluster matches;
//! then wait until every partition is serving (its leader answers
//! ListOffsets for it). All within the run's one deadline.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.
use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::types::RDKafkaErrorCode;
use tracing::Instrument;

use super::ffi::{
    self, is_permanent, is_retriable, AlterOp, BrokerError, ConfigAlteration, NewPartitions,
    NewTopic, RequestOptions, TopicResult,
};
use super::observe::plan_in;
use super::session::{human, Admin, Backoff, Request, Session};
use crate::batch::{self, Cost};
use crate::cluster::ClusterState;
use crate::error::Error;
use crate::plan::{ConfigChange, Plan, PlannedAction};
use crate::readiness::{self, Refused, Serving};
use crate::report::{Action, Report, TopicOutcome};
use crate::spec::TopicSpec;

/// Executes `plan`, then verifies the cluster matches the file it was made
/// from (re-applying whatever another client changed meanwhile), then
/// waits until every partition of every listed topic is serving. Nothing is applied when any
/// topic is refused or fails validation.
pub(super) async fn converge(session: &Session, mut plan: Plan) -> Result<Report, Error> {
    let mut done: HashMap<String, Action> = HashMap::new();
    let serving = loop {
        tracing::trace!("plan:\n{plan}");
        let mut problems = Error::refusals(&plan);
        if plan.is_converged() {
            break wait_until_ready(session, &plan).await?;
        }
        // Validate even a refused plan, to report every problem at once.
        match validate(session, &plan)
            .instrument(tracing::info_span!("validate"))
            .await
        {
            Ok(found) => problems.extend(found),
            // The refusals stand whatever stopped the validation.
            Err(e) if !problems.is_empty() => problems.push(e),
            Err(e) => return Err(e),
        }
        if !problems.is_empty() {
            return Err(Error::Rejected(problems));
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
        let size = |topic: &str, planned: i32, of: fn(&TopicSpec) -> i32| match declared.get(topic)
        {
            Some(spec) if of(spec) == -1 => -1,
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
async fn validate(session: &Session, plan: &Plan) -> Result<Vec<Error>, Error> {
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
    match failures.len() {
        0 => Ok(()),
        1 => Err(failures.remove(0)),
        _ => Err(Error::Topics(failures)),
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

/// How one topic fared in a request.
enum Outcome {
    Done,
    /// Another client made this change first: progress, to be verified.
    Raced,
    Failed(BrokerError),
}

fn topic_error(topic: String, operation: &'static str, e: BrokerError) -> Error {
    Error::Topic {
        topic,
        operation,
        code: e.name,
        message: e.message,
    }
}

/// One kind of per-topic admin request.
trait Kind {
    type Item: Clone + Send + 'static;
    /// What it does to a topic, for messages: `create`.
    const OPERATION: &'static str;
    /// What the run is doing while it retries: `creating topics`.
    const PHASE: &'static str;
    const REQUEST: Request;
    fn topic(item: &Self::Item) -> &str;
    fn cost(item: &Self::Item) -> Cost;
    /// True when the broker refused because another client already did it.
    fn raced(code: RDKafkaErrorCode) -> bool;
    /// The replication factor the item asks for, when it places replicas.
    fn replication_factor(_item: &Self::Item) -> Option<i32> {
        None
    }
    fn send(
        admin: &Arc<Admin>,
        items: Vec<Self::Item>,
        options: RequestOptions,
    ) -> impl Future<Output = Result<Vec<TopicResult>, BrokerError>> + Send;
}

struct CreateTopic;
struct AlterConfigs;
struct AddPartitions;

impl Kind for CreateTopic {
    type Item = NewTopic;
    const OPERATION: &'static str = "create";
    const PHASE: &'static str = "creating topics";
    const REQUEST: Request = Request::CreateTopics;
    fn topic(item: &NewTopic) -> &str {
        &item.name
    }
    fn cost(item: &NewTopic) -> Cost {
        let partitions = item.partitions.max(0) as usize;
        let keys = item.configs.iter().map(|(k, _)| k.as_str());
        Cost {
            records: 1 + config_records(keys) + partitions,
            partitions,
        }
    }
    fn raced(code: RDKafkaErrorCode) -> bool {
        code == RDKafkaErrorCode::TopicAlreadyExists
    }
    fn replication_factor(item: &NewTopic) -> Option<i32> {
        // -1: the broker's default; if it does not fit, the broker says so.
        (item.replication_factor > 0).then_some(item.replication_factor)
    }
    fn send(
        admin: &Arc<Admin>,
        items: Vec<NewTopic>,
        options: RequestOptions,
    ) -> impl Future<Output = Result<Vec<TopicResult>, BrokerError>> + Send {
        ffi::create_topics(admin, items, options)
    }
}

impl Kind for AlterConfigs {
    type Item = ConfigAlteration;
    const OPERATION: &'static str = "alter configs";
    const PHASE: &'static str = "altering configs";
    const REQUEST: Request = Request::IncrementalAlterConfigs;
    fn topic(item: &ConfigAlteration) -> &str {
        &item.topic
    }
    fn cost(item: &ConfigAlteration) -> Cost {
        Cost {
            records: config_records(item.ops.iter().map(|(k, _)| k.as_str())),
            partitions: 0,
        }
    }
    fn raced(_: RDKafkaErrorCode) -> bool {
        // Setting a value twice, or deleting one already gone, succeeds.
        false
    }
    fn send(
        admin: &Arc<Admin>,
        items: Vec<ConfigAlteration>,
        options: RequestOptions,
    ) -> impl Future<Output = Result<Vec<TopicResult>, BrokerError>> + Send {
        ffi::incremental_alter_configs(admin, items, options)
    }
}

impl Kind for AddPartitions {
    type Item = NewPartitions;
    const OPERATION: &'static str = "add partitions";
    const PHASE: &'static str = "adding partitions";
    const REQUEST: Request = Request::CreatePartitions;
    fn topic(item: &NewPartitions) -> &str {
        &item.topic
    }
    fn cost(item: &NewPartitions) -> Cost {
        // The total bounds the new partitions from above.
        let partitions = item.total.max(0) as usize;
        Cost {
            records: partitions,
            partitions,
        }
    }
    fn raced(code: RDKafkaErrorCode) -> bool {
        // "Topic already has N partitions": a decrease is refused while
        // planning, so here it means another client grew the topic first.
        code == RDKafkaErrorCode::InvalidPartitions
    }
    fn send(
        admin: &Arc<Admin>,
        items: Vec<NewPartitions>,
        options: RequestOptions,
    ) -> impl Future<Output = Result<Vec<TopicResult>, BrokerError>> + Send {
        ffi::create_partitions(admin, items, options)
    }
}

/// The controller's answer to a request over its record limit.
fn too_large(result: &Result<(), BrokerError>) -> bool {
    matches!(result, Err(e) if e.code == RDKafkaErrorCode::PolicyViolation
        && e.message.contains("excessively large batch"))
}

/// Controller records for one topic's config changes: one per key, and one
/// more (a ClearElrRecord, Kafka 4.x) when `min.insync.replicas` changes.
/// Measured against a 4.4 broker: 26 keys on a one-partition topic cost 29.
fn config_records<'a>(keys: impl Iterator<Item = &'a str>) -> usize {
    let (mut records, mut min_isr) = (0, false);
    for key in keys {
        records += 1;
        min_isr |= key == "min.insync.replicas";
    }
    records + usize::from(min_isr)
}

/// Sends `items` in batches that fit the controller's limits, retrying the
/// topics that failed with a retriable error until the deadline.
async fn send<K: Kind>(
    session: &Session,
    items: Vec<K::Item>,
    validate_only: bool,
) -> Result<Vec<(String, Outcome)>, Error> {
    let mut outcomes = Vec::with_capacity(items.len());
    let mut pending = items;
    let mut backoff = Backoff::default();
    let mut brokers = BrokerCount::default();
    while !pending.is_empty() {
        let mut retry = Vec::new();
        let mut too_few_brokers = Vec::new();
        let mut why = String::new();
        let mut batches: VecDeque<Vec<K::Item>> = batch::split(pending, K::cost).into();
        while let Some(mut batch) = batches.pop_front() {
            let started = std::time::Instant::now();
            let options = session.request(K::REQUEST, validate_only);
            let results = K::send(&session.admin, batch.clone(), options).await;
            tracing::debug!(
                operation = K::OPERATION,
                validate_only,
                topics = batch.len(),
                elapsed = ?started.elapsed(),
                "request done"
            );
            let mut results: HashMap<String, Result<(), BrokerError>> = match results {
                Ok(results) => results.into_iter().collect(),
                Err(e) if is_retriable(e.code) => {
                    why = e.to_string();
                    retry.extend(batch);
                    continue;
                }
                Err(e) => {
                    return Err(Error::Request {
                        phase: K::PHASE,
                        code: e.name,
                        message: e.message,
                    })
                }
            };
            // Our record count is a model of the controller's; should the
            // controller count more, halve the batch rather than fail it.
            if batch.len() > 1 && !results.is_empty() && results.values().all(too_large) {
                tracing::debug!(
                    topics = batch.len(),
                    "batch too large for the controller, halving"
                );
                let second = batch.split_off(batch.len() / 2);
                batches.push_front(second);
                batches.push_front(batch);
                continue;
            }
            for item in batch {
                let topic = K::topic(&item).to_owned();
                let outcome = match results.remove(&topic) {
                    Some(Ok(())) => Outcome::Done,
                    Some(Err(e)) if K::raced(e.code) => Outcome::Raced,
                    Some(Err(e)) if e.code == RDKafkaErrorCode::InvalidReplicationFactor => {
                        too_few_brokers.push((item, e));
                        continue;
                    }
                    Some(Err(e)) if is_retriable(e.code) => {
                        why = format!("topic `{topic}`: {e}");
                        retry.push(item);
                        continue;
                    }
                    Some(Err(e)) => Outcome::Failed(e),
                    None => Outcome::Failed(BrokerError {
                        code: RDKafkaErrorCode::Fail,
                        name: "_FAIL".into(),
                        message: "the response did not mention this topic".into(),
                    }),
                };
                outcomes.push((topic, outcome));
            }
        }
        if !too_few_brokers.is_empty() {
            let available = brokers.observe(session).await;
            let settled = brokers.settled(session.broker_grace);
            for (item, e) in too_few_brokers {
                let topic = K::topic(&item).to_owned();
                // Counted brokers enough: the broker's own words say why.
                let short = K::replication_factor(&item)
                    .zip(available)
                    .filter(|&(wanted, available)| wanted as usize > available);
                let message = match short {
                    Some((wanted, available)) => too_few_brokers_message(wanted, available),
                    None => e.message.clone(),
                };
                if settled && short.is_some() {
                    outcomes.push((topic, Outcome::Failed(BrokerError { message, ..e })));
                } else {
                    why = format!("topic `{topic}`: {}: {message}", e.name);
                    retry.push(item);
                }
            }
        }
        if !retry.is_empty() {
            session.pause(&mut backoff, K::PHASE, why).await?;
        }
        pending = retry;
    }
    Ok(outcomes)
}

/// The number of registered brokers across retries, and since when it has
/// been what it is.
#[derive(Default)]
struct BrokerCount {
    seen: Option<(usize, Instant)>,
}

impl BrokerCount {
    /// Reads the count (DescribeCluster); `None` when the cluster did not say.
    async fn observe(&mut self, session: &Session) -> Option<usize> {
        let attempt = session.remaining().min(Duration::from_secs(5));
        let count = session.brokers(attempt).await.ok()?;
        match self.seen {
            Some((n, _)) if n == count => {}
            _ => self.seen = Some((count, Instant::now())),
        }
        Some(count)
    }

    /// True once the count has not changed for `grace`
    /// ([`EnsureOptions::broker_grace`]): the cluster as it is (a
    /// single-node dev setup, a node that is down), and waiting out the
    /// whole deadline would only hide the answer.
    fn settled(&self, grace: Duration) -> bool {
        self.seen.is_some_and(|(_, since)| since.elapsed() >= grace)
    }
}

fn too_few_brokers_message(wanted: i32, available: usize) -> String {
    let brokers = match available {
        1 => "only 1 broker is available".to_owned(),
        n => format!("only {n} brokers are available"),
    };
    format!("replication factor {wanted} wanted but {brokers}")
}

/// How long one ListOffsets or metadata look may take: a leader that
/// does not answer within it is asked again in the next look (or named
/// when the deadline passes).
const LOOK: Duration = Duration::from_secs(5);

/// How often the gate reads metadata again for partitions that are merely
/// not serving yet (see `look_again`).
const REFRESH: Duration = Duration::from_secs(1);

/// How often the gate asks every partition not serving yet, not only up to
/// the first call that is still waiting.
const SWEEP: Duration = Duration::from_secs(5);

/// At most this many partitions per ListOffsets call: librdkafka matches
/// every partition of each leader's answer against the whole call's list
/// (quadratic in its length: 25,000 partitions cost seconds of CPU per look).
/// 2,500 keeps 1,000 topics of a few partitions to one call.
const LIST_OFFSETS_BATCH: usize = 2500;

/// Waits until every partition of every target is serving: its leader
/// answers ListOffsets (latest) for it, one request per leader broker,
/// and metadata shows enough in-sync replicas. Partitions that served are
/// not asked again. Metadata (DescribeTopics) is read again only while the
/// plan's observation (or the last look) showed a partition without a
/// leader or short of in-sync replicas, or a partition is not serving yet
/// (to name its leader). All within the run's deadline; returns when each
/// partition first served.
///
/// An answer that waiting cannot change (metadata or ListOffsets refused,
/// e.g. `TOPIC_AUTHORIZATION_FAILED`: see `is_permanent`) fails the wait at
/// once, naming the topics and partitions.
async fn wait_until_ready(session: &Session, plan: &Plan) -> Result<Serving, Error> {
    let started = Instant::now();
    let targets = &plan.targets;
    let partitions: usize = targets.iter().map(|t| t.partitions.max(0) as usize).sum();
    let mut cluster = plan.observed.clone();
    let mut serving = Serving::default();
    // The topics whose metadata to read (again): those the last look showed
    // short of leaders or in-sync replicas; and, once per REFRESH, those
    // with a partition asked and not serving yet, to see a leader move and
    // name the leader should the deadline come. Not every look: after
    // thousands of new partitions that read would compete with the broker
    // creating them.
    let mut refreshed = Instant::now();
    let mut swept = Instant::now();
    let mut look_again = |cluster: &ClusterState, pending: &[(String, i32)]| -> Vec<&str> {
        let refresh = refreshed.elapsed() >= REFRESH;
        if refresh {
            refreshed = Instant::now();
        }
        let pending: HashSet<&str> = pending.iter().map(|(t, _)| t.as_str()).collect();
        targets
            .iter()
            .filter(|t| {
                !readiness::is_ready(t, cluster) || (refresh && pending.contains(t.topic.as_str()))
            })
            .map(|t| t.topic.as_str())
            .collect()
    };
    let mut look: Vec<&str> = targets
        .iter()
        .filter(|t| !readiness::is_ready(t, &cluster))
        .map(|t| t.topic.as_str())
        .collect();
    let mut waited_for = 0;
    let mut backoff = Backoff::new(Duration::from_millis(10), Duration::from_millis(500));
    let span = tracing::info_span!("wait for serving", topics = targets.len());
    async {
        loop {
            let mut why_not = Vec::new();
            if !look.is_empty() {
                let attempt = session.remaining().min(LOOK);
                match session.describe_topics(&look, attempt).await {
                    // Keep what the last look knew of a topic this one lacks.
                    Ok(now) => cluster.topics.extend(now.topics),
                    Err(e) => why_not.push(format!("metadata: {e}")),
                }
                let refused = readiness::refused_metadata(targets, &cluster);
                if !refused.is_empty() {
                    return Err(one_or_all(
                        refused
                            .into_iter()
                            .map(|(topic, e)| Error::Topic {
                                topic,
                                operation: "read metadata",
                                code: e.name.clone(),
                                message: e.message.clone(),
                            })
                            .collect(),
                    ));
                }
            }
            let ask = serving.to_ask(targets);
            // Leaders create new partitions' logs in about the order the
            // partitions were created: while one call's partitions are not
            // all serving, the later calls wait for the next look, but for a
            // sweep of all every SWEEP (to see them, and to name them should
            // the deadline come).
            let sweep = swept.elapsed() >= SWEEP;
            if sweep {
                swept = Instant::now();
            }
            let mut stalled = Vec::new();
            for ask in ask.chunks(LIST_OFFSETS_BATCH) {
                let leaders = leaders_of(&cluster, ask);
                let attempt = session.remaining().min(LOOK);
                match session.list_offsets(ask.to_vec(), leaders, attempt).await {
                    Ok(answers) => {
                        let at = session.started.elapsed();
                        for ((topic, partition), answer) in answers {
                            match answer {
                                Ok(_) => serving.record(&topic, partition, Ok(()), at),
                                Err(e) if is_permanent(e.code) => {
                                    serving.refuse(&topic, partition, e.name, e.message)
                                }
                                Err(e) => serving.record(&topic, partition, Err(e.to_string()), at),
                            }
                        }
                    }
                    Err(e) if is_permanent(e.code) => {
                        return Err(Error::Request {
                            phase: "waiting for partitions to serve",
                            code: e.name,
                            message: e.message,
                        })
                    }
                    // No partition answered: each keeps the request's error.
                    Err(e) => {
                        let at = session.started.elapsed();
                        for (topic, partition) in ask {
                            serving.record(topic, *partition, Err(format!("ListOffsets: {e}")), at);
                        }
                    }
                }
                let refused = serving.refusals();
                if !refused.is_empty() {
                    return Err(one_or_all(refused.into_iter().map(refusal_error).collect()));
                }
                stalled.extend(
                    ask.iter()
                        .filter(|(topic, partition)| !serving.has_served(topic, *partition))
                        .cloned(),
                );
                if !stalled.is_empty() && !sweep {
                    break;
                }
            }
            why_not.extend(readiness::unready(targets, &cluster));
            let (not_serving, waiting) = serving.waiting(targets, &cluster, SHOWN);
            waited_for = waited_for.max(waiting);
            let reasons = why_not.len() + waiting;
            why_not.extend(not_serving);
            if reasons == 0 {
                return Ok::<(), Error>(());
            }
            look = look_again(&cluster, &stalled);
            session
                .pause(
                    &mut backoff,
                    "waiting for partitions to serve",
                    summary(&why_not, reasons),
                )
                .await?;
        }
    }
    .instrument(span)
    .await?;
    tracing::info!(
        "wait for serving: {partitions} partition(s) serving in {} ({waited_for} waited for)",
        human(started.elapsed()),
    );
    Ok(serving)
}

/// A partition refusal of the serving probe as an error naming the topic
/// and its partitions.
fn refusal_error(refused: Refused) -> Error {
    let partitions: Vec<String> = refused.partitions.iter().map(i32::to_string).collect();
    let noun = if partitions.len() == 1 {
        "partition"
    } else {
        "partitions"
    };
    Error::Topic {
        topic: refused.topic,
        operation: "list offsets",
        code: refused.code,
        message: format!("{noun} {}: {}", partitions.join(", "), refused.message),
    }
}

/// One error as itself, several as [`Error::Topics`].
fn one_or_all(mut errors: Vec<Error>) -> Error {
    if errors.len() == 1 {
        errors.remove(0)
    } else {
        Error::Topics(errors)
    }
}

/// How many leader brokers `partitions` have, as `cluster` shows them: the
/// ListOffsets requests librdkafka sends for them (at least one).
fn leaders_of(cluster: &ClusterState, partitions: &[(String, i32)]) -> usize {
    let leaders: HashSet<i32> = partitions
        .iter()
        .filter_map(|(topic, id)| {
            let topic = cluster.topics.get(topic)?;
            topic
                .partitions
                .iter()
                .find(|p| p.id == *id)
                .map(|p| p.leader)
        })
        .filter(|&l| l >= 0)
        .collect();
    leaders.len().max(1)
}

/// How many reasons a log line or error names.
const SHOWN: usize = 5;

/// The first few of `total` reasons, and how many more there are.
fn summary(why_not: &[String], total: usize) -> String {
    let shown = &why_not[..why_not.len().min(SHOWN)];
    match total.saturating_sub(shown.len()) {
        0 => shown.join("; "),
        more => format!("{}; and {more} more", shown.join("; ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn too_few_brokers_names_both_numbers() {
        assert_eq!(
            too_few_brokers_message(3, 1),
            "replication factor 3 wanted but only 1 broker is available"
        );
        assert_eq!(
            too_few_brokers_message(3, 2),
            "replication factor 3 wanted but only 2 brokers are available"
        );
    }

    #[test]
    fn min_insync_replicas_costs_the_controller_one_more_record() {
        assert_eq!(
            config_records(["retention.ms", "segment.ms"].into_iter()),
            2
        );
        assert_eq!(
            config_records(["retention.ms", "min.insync.replicas"].into_iter()),
            3
        );
        assert_eq!(config_records(std::iter::empty()), 0);
    }

    #[test]
    fn a_new_topic_costs_its_record_configs_and_partitions() {
        let topic = NewTopic {
            name: "t".into(),
            partitions: 3,
            replication_factor: 1,
            configs: vec![
                ("min.insync.replicas".into(), "1".into()),
                ("retention.ms".into(), "1".into()),
            ],
        };
        assert_eq!(
            CreateTopic::cost(&topic),
            Cost {
                records: 1 + 2 + 1 + 3,
                partitions: 3
            }
        );
    }
}
