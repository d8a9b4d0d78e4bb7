//! The serving gate: waiting until every partition of every listed topic
//! is served by its leader (it answers ListOffsets) with enough in-sync
//! replicas, so that a write is accepted the moment a run returns.
//!
//! Engine layer (`kafka`, behind `admin`): uses the model; the model never uses it.
use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use tokio::time::Instant;

use tracing::Instrument;

use super::retry::is_permanent;
use super::session::{human, Backoff, Served, Session};
use crate::cluster::ClusterState;
use crate::error::{Error, TopicProblem};
use crate::plan::Plan;
use crate::readiness::{self, Refused, Serving, Target};

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
/// In a watch pass, a partition that served in the previous pass under the
/// leader metadata still shows, its topic showing every partition led with
/// enough in-sync replicas, is not asked again: one partition per such
/// leader is, and that leader's answer counts for the others (the leader
/// answers now and held their logs then). Otherwise asked as above.
///
/// An answer that waiting cannot change (metadata or ListOffsets refused,
/// e.g. `TOPIC_AUTHORIZATION_FAILED`: see `is_permanent`) fails the wait at
/// once, naming the topics and partitions.
pub(super) async fn wait_until_ready(session: &Session, plan: &Plan) -> Result<Serving, Error> {
    let started = Instant::now();
    let targets = &plan.targets;
    let partitions: usize = targets.iter().map(|t| t.partitions.max(0) as usize).sum();
    // Copied only if a look reads metadata again (thousands of small
    // allocations at 1,000 topics, for nothing on a converged pass).
    let mut cluster = Cow::Borrowed(&plan.observed);
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
    // Vouched for by their leader's answer for another partition.
    let (mut carried, asked_for) = carried(targets, &cluster, &session.served_before());
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
                    Ok(now) => cluster.to_mut().topics.extend(now.topics),
                    Err(e) => why_not.push(format!("metadata: {e}")),
                }
                let refused = readiness::refused_metadata(targets, &cluster);
                if !refused.is_empty() {
                    let failures = refused
                        .into_iter()
                        .map(|(topic, e)| {
                            TopicProblem::broker(
                                topic,
                                "read metadata",
                                e.name.clone(),
                                e.message.clone(),
                            )
                        })
                        .collect();
                    return Err(Error::Topics { failures });
                }
            }
            let ask = if carried.is_empty() {
                serving.to_ask(targets)
            } else {
                // As `to_ask`, without copying the names of those carried.
                let mut key = (String::new(), 0);
                let mut ask = Vec::new();
                for t in targets {
                    key.0.clone_from(&t.topic);
                    for p in 0..t.partitions {
                        key.1 = p;
                        if !carried.contains_key(&key) && !serving.has_served(&t.topic, p) {
                            ask.push(key.clone());
                        }
                    }
                }
                ask
            };
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
                    let failures = refused.into_iter().map(refusal_problem).collect();
                    return Err(Error::Topics { failures });
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
            // Once: the rest are asked themselves from the next look on.
            if !carried.is_empty() {
                let at = session.started.elapsed();
                for ((topic, partition), leader) in carried.drain() {
                    let vouched = asked_for
                        .get(&leader)
                        .is_some_and(|(t, p)| serving.has_served(t, *p));
                    if vouched {
                        serving.record(&topic, partition, Ok(()), at);
                    }
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
    session.served_now(|| {
        let mut served = Served::with_capacity(partitions);
        for target in targets {
            let Some(topic) = cluster.topics.get(&target.topic) else {
                continue;
            };
            for p in &topic.partitions {
                if p.id < target.partitions && p.leader >= 0 {
                    served.insert((target.topic.clone(), p.id), p.leader);
                }
            }
        }
        served
    });
    tracing::info!(
        "wait for serving: {partitions} partition(s) serving in {} ({waited_for} waited for)",
        human(started.elapsed()),
    );
    Ok(serving)
}

/// The partitions of `targets` that served under the leader `cluster`
/// still shows (per `earlier`), in topics `cluster` shows ready, but for
/// one per leader; and that one, the partition asked for each leader.
fn carried(
    targets: &[Target],
    cluster: &ClusterState,
    earlier: &Served,
) -> (Served, HashMap<i32, (String, i32)>) {
    let mut carried = Served::new();
    let mut asked_for: HashMap<i32, (String, i32)> = HashMap::new();
    if earlier.is_empty() {
        return (carried, asked_for);
    }
    for target in targets {
        let Some(topic) = cluster.topics.get(&target.topic) else {
            continue;
        };
        if !readiness::is_ready(target, cluster) {
            continue;
        }
        for p in &topic.partitions {
            let key = (target.topic.clone(), p.id);
            if p.id >= target.partitions || earlier.get(&key) != Some(&p.leader) {
                continue;
            }
            if let std::collections::hash_map::Entry::Vacant(e) = asked_for.entry(p.leader) {
                e.insert(key);
            } else {
                carried.insert(key, p.leader);
            }
        }
    }
    (carried, asked_for)
}

/// A partition refusal of the serving probe as a problem naming the topic
/// and its partitions.
fn refusal_problem(refused: Refused) -> TopicProblem {
    let partitions: Vec<String> = refused.partitions.iter().map(i32::to_string).collect();
    let noun = if partitions.len() == 1 {
        "partition"
    } else {
        "partitions"
    };
    TopicProblem::broker(
        refused.topic,
        "list offsets",
        refused.code,
        format!("{noun} {}: {}", partitions.join(", "), refused.message),
    )
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
