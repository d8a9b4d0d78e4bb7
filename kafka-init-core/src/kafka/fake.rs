//! A cluster in memory, for the engine's unit tests: it answers every
//! request of [`Admin`] the way a broker does (creates, alters, grows,
//! deletes, offsets, groups), and can be scripted to answer what a real
//! broker cannot be made to answer on cue: retriable errors and their end,
//! refusals, a create raced by another client, partitions that are slow to
//! serve, leaders that do not answer, the controller's record limit. It
//! keeps ACL bindings too, and can refuse the ACL requests as a principal
//! without rights on the cluster is refused.
//! Every call is logged, so a test can say what was asked, and in which
//! order.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use super::admin::{
    AclResult, Admin, AlterOp, BrokerError, ConfigAlteration, ErrorCode, NewPartitions, NewTopic,
    OffsetAnswer, OffsetSpec, Reply, RequestOptions, TopicResult,
};
use crate::access::{AclBinding, Operation};
use crate::cluster::{PartitionState, TopicConfigs, TopicState};
use crate::ownership::ExistingTopic;

/// The requests, as the log and the scripts name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Api {
    DescribeCluster,
    DescribeTopics,
    ListTopics,
    DescribeConfigs,
    BrokerConfigs,
    CreateTopics,
    AlterConfigs,
    CreatePartitions,
    ListOffsets,
    DeleteTopics,
    ListGroups,
    OffsetFetch,
    DescribeAcls,
    CreateAcls,
    DeleteAcls,
}

/// One request as the fake saw it.
#[derive(Debug, Clone)]
pub(super) struct Call {
    pub api: Api,
    /// The topics (or partitions as `topic/n`, the group, or the ACL
    /// bindings as they display) it named.
    pub names: Vec<String>,
    pub validate_only: bool,
}

/// A scripted answer: `error` for the next `times` calls of `api` (for
/// every topic of the call, or only for `topic`).
struct Rule {
    api: Api,
    topic: Option<String>,
    error: BrokerError,
    times: usize,
    validate_only: Option<bool>,
}

#[derive(Clone)]
struct Partition {
    leader: i32,
    replicas: Vec<i32>,
    /// ListOffsets asks still to be answered NOT_LEADER_OR_FOLLOWER.
    unserved_asks: usize,
    earliest: i64,
    latest: i64,
    newest_timestamp: i64,
}

#[derive(Clone)]
struct Topic {
    partitions: Vec<Partition>,
    configs: BTreeMap<String, String>,
}

struct State {
    brokers: Vec<i32>,
    topics: BTreeMap<String, Topic>,
    groups: BTreeMap<String, BTreeSet<String>>,
    acls: BTreeSet<AclBinding>,
    /// What the principal may do to the cluster; `None`: the broker does
    /// not say (everything, as without an authorizer).
    cluster_operations: Option<Vec<Operation>>,
    defaults: (i32, i32),
    /// Controller records one CreateTopics may hold.
    record_limit: usize,
    /// ListOffsets asks each new partition is not yet served for.
    serve_after: usize,
    rules: Vec<Rule>,
    /// Topics another client creates just before our create reaches the
    /// controller.
    races: HashMap<String, NewTopic>,
    calls: Vec<Call>,
    /// What the client says of credentials the brokers refuse.
    refusal: Option<String>,
}

pub(super) struct FakeCluster {
    state: Mutex<State>,
}

pub(super) fn error(code: ErrorCode, name: &str) -> BrokerError {
    BrokerError {
        code,
        name: name.into(),
        message: format!("{name} (scripted)"),
    }
}

impl FakeCluster {
    /// One broker (id 1), no topics, broker defaults of 1 partition and
    /// replication factor 1.
    pub(super) fn new() -> FakeCluster {
        FakeCluster {
            state: Mutex::new(State {
                brokers: vec![1],
                topics: BTreeMap::new(),
                groups: BTreeMap::new(),
                acls: BTreeSet::new(),
                cluster_operations: None,
                defaults: (1, 1),
                record_limit: 10_000,
                serve_after: 0,
                rules: Vec::new(),
                races: HashMap::new(),
                calls: Vec::new(),
                refusal: None,
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub(super) fn with_brokers(self, n: i32) -> Self {
        self.state().brokers = (1..=n).collect();
        self
    }

    pub(super) fn with_record_limit(self, limit: usize) -> Self {
        self.state().record_limit = limit;
        self
    }

    /// New partitions answer ListOffsets only after `asks` refusals.
    pub(super) fn serving_after(self, asks: usize) -> Self {
        self.state().serve_after = asks;
        self
    }

    /// A topic that exists already, as another tool made it.
    pub(super) fn with_topic(self, name: &str, partitions: i32, configs: &[(&str, &str)]) -> Self {
        {
            let mut state = self.state();
            let topic = state.new_topic(
                partitions,
                1,
                configs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
                0,
            );
            state.topics.insert(name.to_owned(), topic);
        }
        self
    }

    /// Records in every partition of `topic`, the newest stamped `timestamp`.
    pub(super) fn with_records(self, topic: &str, timestamp: i64) -> Self {
        if let Some(t) = self.state().topics.get_mut(topic) {
            for p in &mut t.partitions {
                p.latest += 1;
                p.newest_timestamp = timestamp;
            }
        }
        self
    }

    /// `group` has committed offsets on `topic`.
    pub(super) fn with_offsets(self, group: &str, topic: &str) -> Self {
        self.state()
            .groups
            .entry(group.to_owned())
            .or_default()
            .insert(topic.to_owned());
        self
    }

    /// A binding that exists already, as another tool made it.
    pub(super) fn with_acl(self, binding: AclBinding) -> Self {
        self.state().acls.insert(binding);
        self
    }

    /// Every ACL request fails as a whole with `code`, as the broker
    /// answers a principal without DESCRIBE and ALTER on the cluster
    /// (CLUSTER_AUTHORIZATION_FAILED) or a cluster without an authorizer
    /// (SECURITY_DISABLED).
    pub(super) fn refuse_acls(&self, code: ErrorCode, name: &str) {
        for api in [Api::DescribeAcls, Api::CreateAcls, Api::DeleteAcls] {
            self.fail(api, usize::MAX, error(code, name));
        }
    }

    /// The principal may do only `operations` to the cluster.
    pub(super) fn with_cluster_operations(self, operations: &[Operation]) -> Self {
        self.state().cluster_operations = Some(operations.to_vec());
        self
    }

    /// The bindings the cluster has, sorted.
    pub(super) fn acls(&self) -> Vec<AclBinding> {
        self.state().acls.iter().cloned().collect()
    }

    /// The next `times` calls of `api` fail as a whole with `error`.
    pub(super) fn fail(&self, api: Api, times: usize, error: BrokerError) {
        self.state().rules.push(Rule {
            api,
            topic: None,
            error,
            times,
            validate_only: None,
        });
    }

    /// `topic` gets `error` in the next `times` calls of `api` naming it
    /// (only in validate-only or only in real calls, when given). An ACL
    /// binding is named as it displays.
    pub(super) fn fail_topic(
        &self,
        api: Api,
        topic: &str,
        times: usize,
        validate_only: Option<bool>,
        error: BrokerError,
    ) {
        self.state().rules.push(Rule {
            api,
            topic: Some(topic.to_owned()),
            error,
            times,
            validate_only,
        });
    }

    /// Another client creates `topic` as `partitions` and `configs` just
    /// before this engine's (real) create of it.
    pub(super) fn race(&self, topic: &str, partitions: i32, configs: &[(&str, &str)]) {
        self.state().races.insert(
            topic.to_owned(),
            NewTopic {
                name: topic.to_owned(),
                partitions,
                replication_factor: 1,
                configs: configs
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
        );
    }

    /// The brokers refuse the credentials: every DescribeCluster fails, and
    /// the client says why.
    pub(super) fn refuse_login(&self, reason: &str) {
        let mut state = self.state();
        state.refusal = Some(reason.to_owned());
        state.rules.push(Rule {
            api: Api::DescribeCluster,
            topic: None,
            error: error(ErrorCode::AUTHENTICATION, "_AUTHENTICATION"),
            times: usize::MAX,
            validate_only: None,
        });
    }

    /// Sets a topic's config behind the engine's back.
    pub(super) fn set_config(&self, topic: &str, key: &str, value: &str) {
        if let Some(t) = self.state().topics.get_mut(topic) {
            t.configs.insert(key.to_owned(), value.to_owned());
        }
    }

    /// Deletes a topic behind the engine's back.
    pub(super) fn delete_topic(&self, topic: &str) {
        self.state().topics.remove(topic);
    }

    pub(super) fn calls(&self) -> Vec<Call> {
        self.state().calls.clone()
    }

    pub(super) fn calls_of(&self, api: Api) -> Vec<Call> {
        self.calls().into_iter().filter(|c| c.api == api).collect()
    }

    /// The topic's partition count and own configs, if it exists.
    pub(super) fn topic(&self, name: &str) -> Option<(usize, BTreeMap<String, String>)> {
        self.state()
            .topics
            .get(name)
            .map(|t| (t.partitions.len(), t.configs.clone()))
    }

    pub(super) fn topic_names(&self) -> Vec<String> {
        self.state().topics.keys().cloned().collect()
    }
}

impl State {
    fn new_topic(
        &self,
        partitions: i32,
        replication_factor: i32,
        configs: BTreeMap<String, String>,
        unserved_asks: usize,
    ) -> Topic {
        let replicas: Vec<i32> = self
            .brokers
            .iter()
            .copied()
            .take(replication_factor.max(1) as usize)
            .collect();
        Topic {
            partitions: (0..partitions)
                .map(|p| Partition {
                    leader: self.brokers[p as usize % self.brokers.len()],
                    replicas: replicas.clone(),
                    unserved_asks,
                    earliest: 0,
                    latest: 0,
                    newest_timestamp: -1,
                })
                .collect(),
            configs,
        }
    }

    /// Logs the call; the error of a rule for the whole call, if one applies.
    fn begin(
        &mut self,
        api: Api,
        names: Vec<String>,
        validate_only: bool,
    ) -> Result<(), BrokerError> {
        self.calls.push(Call {
            api,
            names,
            validate_only,
        });
        for rule in &mut self.rules {
            if rule.api == api
                && rule.topic.is_none()
                && rule.times > 0
                && rule.validate_only.is_none_or(|v| v == validate_only)
            {
                rule.times -= 1;
                return Err(rule.error.clone());
            }
        }
        Ok(())
    }

    /// The scripted error of `topic` in this call, if one applies.
    fn scripted(&mut self, api: Api, topic: &str, validate_only: bool) -> Option<BrokerError> {
        for rule in &mut self.rules {
            if rule.api == api
                && rule.topic.as_deref() == Some(topic)
                && rule.times > 0
                && rule.validate_only.is_none_or(|v| v == validate_only)
            {
                rule.times -= 1;
                return Some(rule.error.clone());
            }
        }
        None
    }
}

impl State {
    /// A CreateAcls or DeleteAcls: `change` applied to each binding not
    /// scripted to fail. Both are idempotent, as on a broker.
    fn change_acls(
        &mut self,
        api: Api,
        bindings: Vec<AclBinding>,
        change: impl Fn(&mut BTreeSet<AclBinding>, &AclBinding),
    ) -> Result<Vec<AclResult>, BrokerError> {
        let names = bindings.iter().map(AclBinding::to_string).collect();
        self.begin(api, names, false)?;
        Ok(bindings
            .into_iter()
            .map(|b| match self.scripted(api, &b.to_string(), false) {
                Some(e) => (b, Err(e)),
                None => {
                    change(&mut self.acls, &b);
                    (b, Ok(()))
                }
            })
            .collect())
    }
}

fn ready<T: Send + 'static>(answer: Result<T, BrokerError>) -> Reply<'static, T> {
    Box::pin(std::future::ready(answer))
}

fn unknown(topic: &str) -> BrokerError {
    BrokerError {
        code: ErrorCode::UNKNOWN_TOPIC_OR_PARTITION,
        name: "UNKNOWN_TOPIC_OR_PARTITION".into(),
        message: format!("`{topic}` does not exist"),
    }
}

impl Admin for FakeCluster {
    fn describe_cluster(&self, _: RequestOptions) -> Reply<'_, Vec<i32>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::DescribeCluster, vec![], false)
            .map(|()| state.brokers.clone());
        ready(answer)
    }

    fn describe_topics(
        &self,
        names: Vec<String>,
        _: RequestOptions,
    ) -> Reply<'_, HashMap<String, TopicState>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::DescribeTopics, names.clone(), false)
            .map(|()| {
                let mut found = HashMap::new();
                for name in &names {
                    if let Some(e) = state.scripted(Api::DescribeTopics, name, false) {
                        found.insert(
                            name.clone(),
                            TopicState {
                                partitions: Vec::new(),
                                error: Some(crate::cluster::TopicError {
                                    retriable: super::retry::is_retriable(e.code),
                                    name: e.name,
                                    message: e.message,
                                }),
                            },
                        );
                        continue;
                    }
                    if let Some(t) = state.topics.get(name) {
                        let partitions = t
                            .partitions
                            .iter()
                            .enumerate()
                            .map(|(id, p)| PartitionState {
                                id: id as i32,
                                leader: p.leader,
                                replicas: p.replicas.clone(),
                                isr: p.replicas.clone(),
                            })
                            .collect();
                        found.insert(
                            name.clone(),
                            TopicState {
                                partitions,
                                error: None,
                            },
                        );
                    }
                }
                found
            });
        ready(answer)
    }

    fn list_topics(&self, _: RequestOptions) -> Reply<'_, Vec<ExistingTopic>> {
        let mut state = self.state();
        let answer = state.begin(Api::ListTopics, vec![], false).map(|()| {
            state
                .topics
                .iter()
                .map(|(name, t)| ExistingTopic {
                    name: name.clone(),
                    partitions: t.partitions.len() as i32,
                    replication_factor: t.partitions[0].replicas.len() as i32,
                    configs: Default::default(),
                    in_use: None,
                })
                .collect()
        });
        ready(answer)
    }

    fn describe_configs(
        &self,
        topics: Vec<String>,
        _: RequestOptions,
    ) -> Reply<'_, Vec<(String, Result<TopicConfigs, BrokerError>)>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::DescribeConfigs, topics.clone(), false)
            .map(|()| {
                topics
                    .iter()
                    .map(|name| {
                        if let Some(e) = state.scripted(Api::DescribeConfigs, name, false) {
                            return (name.clone(), Err(e));
                        }
                        let configs = match state.topics.get(name) {
                            Some(t) => Ok(TopicConfigs {
                                own: t.configs.clone(),
                                min_insync_replicas: Some(
                                    t.configs
                                        .get("min.insync.replicas")
                                        .and_then(|v| v.parse().ok())
                                        .unwrap_or(1),
                                ),
                            }),
                            None => Err(unknown(name)),
                        };
                        (name.clone(), configs)
                    })
                    .collect()
            });
        ready(answer)
    }

    fn broker_configs(&self, broker: i32, _: RequestOptions) -> Reply<'_, HashMap<String, String>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::BrokerConfigs, vec![broker.to_string()], false)
            .map(|()| {
                HashMap::from([
                    ("num.partitions".to_owned(), state.defaults.0.to_string()),
                    (
                        "default.replication.factor".to_owned(),
                        state.defaults.1.to_string(),
                    ),
                    (
                        "authorizer.class.name".to_owned(),
                        "org.apache.kafka.metadata.authorizer.StandardAuthorizer".to_owned(),
                    ),
                ])
            });
        ready(answer)
    }

    fn create_topics(
        &self,
        topics: Vec<NewTopic>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        let mut state = self.state();
        let names = topics.iter().map(|t| t.name.clone()).collect();
        if let Err(e) = state.begin(Api::CreateTopics, names, options.validate_only) {
            return ready(Err(e));
        }
        let records: usize = topics
            .iter()
            .map(|t| {
                let partitions = if t.partitions < 0 {
                    state.defaults.0
                } else {
                    t.partitions
                };
                1 + t.configs.len() + partitions as usize
            })
            .sum();
        if records > state.record_limit {
            let refused = BrokerError {
                code: ErrorCode::POLICY_VIOLATION,
                name: "POLICY_VIOLATION".into(),
                message: "Unable to perform excessively large batch operation.".into(),
            };
            return ready(Ok(topics
                .into_iter()
                .map(|t| (t.name, Err(refused.clone())))
                .collect()));
        }
        let mut results = Vec::new();
        for t in topics {
            if !options.validate_only {
                if let Some(other) = state.races.remove(&t.name) {
                    let topic = state.new_topic(
                        other.partitions,
                        1,
                        other.configs.into_iter().collect(),
                        0,
                    );
                    state.topics.insert(t.name.clone(), topic);
                }
            }
            if let Some(e) = state.scripted(Api::CreateTopics, &t.name, options.validate_only) {
                results.push((t.name, Err(e)));
                continue;
            }
            if state.topics.contains_key(&t.name) {
                results.push((
                    t.name.clone(),
                    Err(error(
                        ErrorCode::TOPIC_ALREADY_EXISTS,
                        "TOPIC_ALREADY_EXISTS",
                    )),
                ));
                continue;
            }
            let partitions = if t.partitions < 0 {
                state.defaults.0
            } else {
                t.partitions
            };
            let rf = if t.replication_factor < 0 {
                state.defaults.1
            } else {
                t.replication_factor
            };
            if rf as usize > state.brokers.len() {
                results.push((
                    t.name.clone(),
                    Err(BrokerError {
                        code: ErrorCode::INVALID_REPLICATION_FACTOR,
                        name: "INVALID_REPLICATION_FACTOR".into(),
                        message: format!(
                            "Replication factor: {rf} larger than available brokers: {}.",
                            state.brokers.len()
                        ),
                    }),
                ));
                continue;
            }
            if !options.validate_only {
                let serve_after = state.serve_after;
                let topic =
                    state.new_topic(partitions, rf, t.configs.into_iter().collect(), serve_after);
                state.topics.insert(t.name.clone(), topic);
            }
            results.push((t.name, Ok(())));
        }
        ready(Ok(results))
    }

    fn alter_configs(
        &self,
        alterations: Vec<ConfigAlteration>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        let mut state = self.state();
        let names = alterations.iter().map(|a| a.topic.clone()).collect();
        if let Err(e) = state.begin(Api::AlterConfigs, names, options.validate_only) {
            return ready(Err(e));
        }
        let mut results = Vec::new();
        for a in alterations {
            if let Some(e) = state.scripted(Api::AlterConfigs, &a.topic, options.validate_only) {
                results.push((a.topic, Err(e)));
                continue;
            }
            let validate_only = options.validate_only;
            let Some(topic) = state.topics.get_mut(&a.topic) else {
                results.push((a.topic.clone(), Err(unknown(&a.topic))));
                continue;
            };
            if !validate_only {
                for (key, op) in a.ops {
                    match op {
                        AlterOp::Set(v) => topic.configs.insert(key, v),
                        AlterOp::Delete => topic.configs.remove(&key),
                    };
                }
            }
            results.push((a.topic, Ok(())));
        }
        ready(Ok(results))
    }

    fn create_partitions(
        &self,
        growths: Vec<NewPartitions>,
        options: RequestOptions,
    ) -> Reply<'_, Vec<TopicResult>> {
        let mut state = self.state();
        let names = growths.iter().map(|g| g.topic.clone()).collect();
        if let Err(e) = state.begin(Api::CreatePartitions, names, options.validate_only) {
            return ready(Err(e));
        }
        let serve_after = state.serve_after;
        let mut results = Vec::new();
        for g in growths {
            if let Some(e) = state.scripted(Api::CreatePartitions, &g.topic, options.validate_only)
            {
                results.push((g.topic, Err(e)));
                continue;
            }
            let Some(topic) = state.topics.get_mut(&g.topic) else {
                results.push((g.topic.clone(), Err(unknown(&g.topic))));
                continue;
            };
            let have = topic.partitions.len() as i32;
            if g.total <= have {
                results.push((
                    g.topic.clone(),
                    Err(BrokerError {
                        code: ErrorCode::INVALID_PARTITIONS,
                        name: "INVALID_PARTITIONS".into(),
                        message: format!("Topic already has {have} partitions."),
                    }),
                ));
                continue;
            }
            if !options.validate_only {
                let template = topic.partitions[0].clone();
                for _ in have..g.total {
                    topic.partitions.push(Partition {
                        unserved_asks: serve_after,
                        earliest: 0,
                        latest: 0,
                        newest_timestamp: -1,
                        ..template.clone()
                    });
                }
            }
            results.push((g.topic, Ok(())));
        }
        ready(Ok(results))
    }

    fn list_offsets(
        &self,
        partitions: Vec<(String, i32)>,
        spec: OffsetSpec,
        _: RequestOptions,
    ) -> Reply<'_, Vec<OffsetAnswer>> {
        let mut state = self.state();
        let names = partitions.iter().map(|(t, p)| format!("{t}/{p}")).collect();
        if let Err(e) = state.begin(Api::ListOffsets, names, false) {
            return ready(Err(e));
        }
        let mut answers = Vec::new();
        for (topic, id) in partitions {
            let key = format!("{topic}/{id}");
            if let Some(e) = state.scripted(Api::ListOffsets, &key, false) {
                // A leader that did not answer leaves the partition without
                // an offset, and without an error.
                let answer = if e.code == ErrorCode::NO_OFFSET {
                    Ok((-1, -1))
                } else {
                    Err(e)
                };
                answers.push(((topic, id), answer));
                continue;
            }
            let partition = state
                .topics
                .get_mut(&topic)
                .and_then(|t| t.partitions.get_mut(id as usize));
            let answer = match partition {
                None => Err(unknown(&topic)),
                Some(p) if p.unserved_asks > 0 => {
                    p.unserved_asks -= 1;
                    Err(error(
                        ErrorCode::NOT_LEADER_OR_FOLLOWER,
                        "NOT_LEADER_OR_FOLLOWER",
                    ))
                }
                Some(p) => Ok(match spec {
                    OffsetSpec::Earliest => (p.earliest, -1),
                    OffsetSpec::Latest => (p.latest, -1),
                    OffsetSpec::MaxTimestamp if p.latest > p.earliest => {
                        (p.latest - 1, p.newest_timestamp)
                    }
                    OffsetSpec::MaxTimestamp => (-1, -1),
                }),
            };
            answers.push(((topic, id), answer));
        }
        ready(Ok(answers))
    }

    fn delete_topics(&self, names: Vec<String>, _: RequestOptions) -> Reply<'_, Vec<TopicResult>> {
        let mut state = self.state();
        if let Err(e) = state.begin(Api::DeleteTopics, names.clone(), false) {
            return ready(Err(e));
        }
        let results = names
            .into_iter()
            .map(|name| {
                if let Some(e) = state.scripted(Api::DeleteTopics, &name, false) {
                    return (name, Err(e));
                }
                match state.topics.remove(&name) {
                    Some(_) => (name, Ok(())),
                    None => {
                        let e = unknown(&name);
                        (name, Err(e))
                    }
                }
            })
            .collect();
        ready(Ok(results))
    }

    fn list_groups(&self, _: RequestOptions) -> Reply<'_, Vec<String>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::ListGroups, vec![], false)
            .map(|()| state.groups.keys().cloned().collect());
        ready(answer)
    }

    fn committed_topics(&self, group: String, _: RequestOptions) -> Reply<'_, Vec<String>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::OffsetFetch, vec![group.clone()], false)
            .and_then(|()| match state.scripted(Api::OffsetFetch, &group, false) {
                Some(e) => Err(e),
                None => Ok(state
                    .groups
                    .get(&group)
                    .map(|t| t.iter().cloned().collect())
                    .unwrap_or_default()),
            });
        ready(answer)
    }

    fn cluster_operations(&self, _: RequestOptions) -> Reply<'_, Option<Vec<Operation>>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::DescribeCluster, vec![], false)
            .map(|()| state.cluster_operations.clone());
        ready(answer)
    }

    fn describe_acls(&self, _: RequestOptions) -> Reply<'_, Vec<AclBinding>> {
        let mut state = self.state();
        let answer = state
            .begin(Api::DescribeAcls, vec![], false)
            .map(|()| state.acls.iter().cloned().collect());
        ready(answer)
    }

    fn create_acls(
        &self,
        bindings: Vec<AclBinding>,
        _: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>> {
        let mut state = self.state();
        ready(state.change_acls(Api::CreateAcls, bindings, |acls, b| {
            acls.insert(b.clone());
        }))
    }

    fn delete_acls(
        &self,
        bindings: Vec<AclBinding>,
        _: RequestOptions,
    ) -> Reply<'_, Vec<AclResult>> {
        let mut state = self.state();
        ready(state.change_acls(Api::DeleteAcls, bindings, |acls, b| {
            acls.remove(b);
        }))
    }

    fn refused(&self) -> Option<String> {
        self.state().refusal.clone()
    }

    fn login(&self) -> String {
        "SASL_SSL, SCRAM-SHA-512, user svc".into()
    }

    fn certificate_problem(&self, _: String) -> Reply<'_, Option<String>> {
        ready(Ok(None))
    }

    fn last_error(&self) -> Option<String> {
        let state = self.state();
        state
            .rules
            .iter()
            .find(|r| r.api == Api::DescribeCluster)
            .map(|r| r.error.to_string())
    }
}
