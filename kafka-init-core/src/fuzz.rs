//! Property tests (fuzzing on stable Rust) of the parser and validator:
//! whatever the bytes, `TopicFile::parse` returns, quickly, without a
//! panic; every problem it reports has a place inside the text; and a file
//! it accepts is one the validator accepts too. And of the engine's pure
//! parts, with no broker and no librdkafka: the diff, the readiness check
//! and the batching.
//!
//! CI runs a modest number of cases per property; `scripts/fuzz.sh SECONDS`
//! runs them for a fixed time with many more (`KAFKA_INIT_FUZZ_CASES`).
//! Inputs that once broke a property are kept in `regressions` below.

use std::time::{Duration, Instant};

use std::collections::{BTreeMap, HashMap};

use crate::batch::{self, Cost};
use crate::cluster::{ClusterState, Observation, PartitionState, TopicConfigs, TopicState};
use crate::file::{FileError, TopicFile};
use crate::plan::{self, PlannedAction};
use crate::readiness::{self, Target};
use crate::spec::TopicSpec;
use crate::{keys, validate, vars};
use proptest::prelude::*;
use proptest::test_runner::{Config, FileFailurePersistence};

/// Cases per property: small for CI, large when `scripts/fuzz.sh` runs.
fn config() -> Config {
    let cases = std::env::var("KAFKA_INIT_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(256);
    Config {
        cases,
        // Shrunk failures are written next to this file and replayed first.
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource(
            "proptest-regressions",
        ))),
        ..Config::default()
    }
}

/// How long one parse may take, even in a debug build on a busy machine:
/// a hang detector, not a benchmark (inputs here are at most a few KB).
const PARSE_BOUND: Duration = Duration::from_secs(10);

/// Parses `text` and checks the contract; returns the result for more checks.
fn parse_checked(text: &str) -> Result<TopicFile, FileError> {
    let started = Instant::now();
    let result = TopicFile::parse(text, "fuzz.yaml");
    let elapsed = started.elapsed();
    assert!(
        elapsed < PARSE_BOUND,
        "parse took {elapsed:?} for {} bytes",
        text.len()
    );
    let lines = yaml_lines(text);
    match &result {
        Ok(file) => {
            // What the parser accepts, the shared validator accepts (a
            // warning is the parser's too, in `file.warnings`).
            let issues: Vec<_> = validate::topics(&file.topics)
                .into_iter()
                .filter(|i| !i.warning)
                .collect();
            assert!(
                issues.is_empty(),
                "accepted but invalid: {issues:?}\n{text}"
            );
        }
        Err(e) => {
            assert!(!e.problems.is_empty(), "an error without problems");
            for p in &e.problems {
                assert!(!p.message.is_empty(), "empty message\n{text:?}");
                // `parse` has no unreadable-file case: every problem has a place.
                assert!(p.line >= 1 && p.column >= 1, "no place: {p:?}\n{text:?}");
                assert!(
                    p.line <= lines + 1,
                    "line {} past the end ({lines} lines): {p:?}\n{text:?}",
                    p.line
                );
            }
            let shown = e.to_string();
            assert!(shown.starts_with("fuzz.yaml:"), "{shown}");
        }
    }
    result
}

/// Lines as YAML counts them: besides `\n`, `\r\n` and `\r`, YAML 1.1
/// breaks lines at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR, which most
/// editors and `str::lines` do not (found by this fuzzer; see
/// `regressions::unicode_line_separators`).
fn yaml_lines(text: &str) -> usize {
    let text = text.replace("\r\n", "\n");
    1 + text
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count()
}

/// Pieces YAML is made of, and the words this file format uses, so random
/// sequences of them reach deep into the parser and decoder.
const TOKENS: &[&str] = &[
    "kafka",
    "topics",
    "name",
    "partitions",
    "replication_factor",
    "config",
    "keep_unmanaged_configs",
    "bootstrap_servers",
    "client",
    "x-a",
    "<<",
    "retention.ms",
    "cleanup.policy",
    "min.insync.replicas",
    "compact",
    "delete",
    "min.compaction.lag.ms",
    "max.compaction.lag.ms",
    "remote.storage.enable",
    "local.retention.ms",
    "segment.bytes",
    "message.format.version",
    "a.b",
    "a_b",
    "__x",
    ":",
    ": ",
    "\n",
    "\n  ",
    "\n    ",
    "\n      ",
    "\n        ",
    "- ",
    "  ",
    "\t",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!str ",
    "!!int ",
    "!tag ",
    "? ",
    "|",
    ">",
    "#",
    "---",
    "...",
    "%YAML 1.2\n",
    "~",
    "null",
    "true",
    "false",
    "0",
    "-1",
    "1",
    "3",
    "2147483648",
    "1e3",
    "0x10",
    ".inf",
    "${X}",
    "${X:-y}",
    "$$",
    "${",
    "é",
    "\u{0}",
    "\u{feff}",
    "\r\n",
];

fn yamlish() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(TOKENS), 0..120).prop_map(|t| t.concat())
}

/// A value for a config key: often valid, often almost valid.
fn config_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,20}",
        "(compact|delete|producer|zstd|CreateTime|true|false|TRUE)",
        "(compact|delete)( ?, ?(compact|delete)){0,2}",
        "0?\\.[0-9]{1,3}",
        "[ -~]{0,12}",
        Just(String::new()),
    ]
}

/// A topic name: valid, or breaking one of Kafka's rules.
fn topic_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => "[a-z][a-z0-9._-]{0,20}",
        1 => "__[a-z]{1,5}",
        1 => "[a-z]{1,3}[._][a-z]{1,3}",
        1 => "[a-z ]{1,5}",
        1 => Just(".".to_owned()),
        1 => Just(String::new()),
        1 => "[a-z]{250,260}",
        1 => "\\PC{1,8}",
    ]
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?[0-9]{1,12}",
        Just("2147483648".to_owned()),
        Just("\"3\"".to_owned()),
        Just("[1, 2]".to_owned()),
        Just("{a: 1}".to_owned()),
        Just("~".to_owned()),
        Just("true".to_owned()),
    ]
}

/// A topic file with the right shape and random contents.
fn topic_file() -> impl Strategy<Value = String> {
    let key = prop_oneof![
        6 => prop::sample::select(keys::KEYS.iter().map(|k| k.name).collect::<Vec<_>>()),
        1 => prop::sample::select(keys::REMOVED_IN_4_0.to_vec()),
        1 => Just("retention.mss"),
        1 => Just("<<"),
    ];
    let config = prop::collection::vec((key, config_value()), 0..6);
    let topic = (
        "[a-z]{1,6}",
        topic_name(),
        prop::option::of(scalar()),
        prop::option::of(scalar()),
        prop::option::of(config),
        prop::option::of(prop::bool::ANY),
        prop::option::of("[a-z_]{1,12}"),
    );
    (
        prop::collection::vec(topic, 0..8),
        prop::option::of("[a-z0-9:.,${}-]{0,30}"),
    )
        .prop_map(|(topics, bootstrap)| {
            let mut s = String::from("kafka:\n");
            if let Some(b) = bootstrap {
                s.push_str(&format!("  bootstrap_servers: \"{b}\"\n"));
            }
            s.push_str("  topics:\n");
            for (key, name, partitions, rf, config, keep, extra) in topics {
                s.push_str(&format!("    {key}:\n      name: {name:?}\n"));
                if let Some(p) = partitions {
                    s.push_str(&format!("      partitions: {p}\n"));
                }
                if let Some(r) = rf {
                    s.push_str(&format!("      replication_factor: {r}\n"));
                }
                if let Some(keep) = keep {
                    s.push_str(&format!("      keep_unmanaged_configs: {keep}\n"));
                }
                if let Some(extra) = extra {
                    s.push_str(&format!("      {extra}: 1\n"));
                }
                if let Some(config) = config {
                    s.push_str("      config:\n");
                    for (k, v) in config {
                        s.push_str(&format!("        {k}: {v:?}\n"));
                    }
                }
            }
            s
        })
}

/// Hand-built specs, as a library user may pass them: the validator must
/// cope with any values at all.
fn spec() -> impl Strategy<Value = TopicSpec> {
    let config = prop::collection::vec(
        (
            "[a-z.]{1,30}|retention.ms|min.insync.replicas",
            config_value(),
        ),
        0..5,
    );
    (
        topic_name(),
        any::<i32>(),
        any::<i32>(),
        config,
        any::<bool>(),
    )
        .prop_map(
            |(name, partitions, replication_factor, config, keep)| TopicSpec {
                key: name.clone().into(),
                name: name.into(),
                partitions: crate::spec::Size::from_kafka(partitions),
                replication_factor: crate::spec::Size::from_kafka(replication_factor),
                config: config
                    .into_iter()
                    .map(|(k, v)| (k.into(), v.into()))
                    .collect::<Vec<_>>()
                    .into(),
                keep_unmanaged_configs: keep,
            },
        )
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        // Invalid UTF-8 never reaches `parse` (it takes text); the lossy
        // decoding is what a reader of the bytes would see.
        parse_checked(&String::from_utf8_lossy(&bytes)).ok();
    }

    #[test]
    fn arbitrary_text(text in "\\PC{0,400}") {
        parse_checked(&text).ok();
    }

    #[test]
    fn yaml_like_text(text in yamlish()) {
        parse_checked(&text).ok();
    }

    #[test]
    fn structured_topic_files(text in topic_file()) {
        let first = parse_checked(&text);
        // Deterministic: the same text gives the same answer.
        prop_assert_eq!(first, TopicFile::parse(&text, "fuzz.yaml"));
    }

    #[test]
    fn validator_takes_any_specs(specs in prop::collection::vec(spec(), 0..6)) {
        for issue in validate::topics(&specs) {
            prop_assert!(issue.topic < specs.len());
            prop_assert!(!issue.message.is_empty());
        }
    }

    #[test]
    fn every_key_checks_any_value(value in "\\PC{0,40}") {
        for key in keys::KEYS {
            let _ = key.check(&value);
            let _ = keys::normalize(key.name, &value);
        }
    }

    #[test]
    fn env_references_never_panic(value in "([a-zA-Z0-9_:{}-]|\\$){0,40}") {
        let _ = vars::check(&value);
        let _ = vars::interpolate(&value, |name| (name.len() % 2 == 0).then(|| name.to_owned()));
    }
}

/// What the cluster shows of one topic: partitions, each with a leader
/// (or -1), replicas and in-sync replicas.
fn topic_state() -> impl Strategy<Value = TopicState> {
    let partition = (-1..4i32, 0..4usize, 0..4usize).prop_map(|(leader, replicas, isr)| {
        (
            leader,
            (0..replicas as i32).collect::<Vec<_>>(),
            (0..isr as i32).collect(),
        )
    });
    prop::collection::vec(partition, 0..6).prop_map(|partitions| TopicState {
        partitions: partitions
            .into_iter()
            .enumerate()
            .map(|(id, (leader, replicas, isr))| PartitionState {
                id: id as i32,
                leader,
                replicas,
                isr,
            })
            .collect(),
        error: None,
    })
}

/// Specs with sizes a cluster could have, so an observation can match them.
fn sized_spec() -> impl Strategy<Value = TopicSpec> {
    (spec(), 1..6i32, 1..4i32).prop_map(|(mut spec, partitions, rf)| {
        spec.partitions = crate::spec::Size::from_kafka(partitions);
        spec.replication_factor = crate::spec::Size::from_kafka(rf);
        spec
    })
}

/// The observation of a cluster on which `specs` were applied exactly.
fn applied(specs: &[TopicSpec]) -> Observation {
    let mut observation = Observation::default();
    for spec in specs {
        let partitions = (0..spec.partitions.kafka())
            .map(|id| PartitionState {
                id,
                leader: 0,
                replicas: (0..spec.replication_factor.kafka()).collect(),
                isr: (0..spec.replication_factor.kafka()).collect(),
            })
            .collect();
        let name = spec.name.to_string();
        observation.cluster.topics.insert(
            name.clone(),
            TopicState {
                partitions,
                error: None,
            },
        );
        let own: BTreeMap<String, String> = spec
            .config
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        observation.configs.insert(
            name,
            TopicConfigs {
                own,
                min_insync_replicas: None,
            },
        );
    }
    observation
}

/// Distinct names and keys, as the validator guarantees before a diff.
fn distinct(specs: Vec<TopicSpec>) -> Vec<TopicSpec> {
    let mut seen = std::collections::HashSet::new();
    specs
        .into_iter()
        .filter(|s| seen.insert(s.name.to_string()))
        .map(|mut s| {
            let mut keys = std::collections::HashSet::new();
            s.config = s
                .config
                .iter()
                .filter(|(k, _)| keys.insert(k.to_string()))
                .cloned()
                .collect::<Vec<_>>()
                .into();
            s
        })
        .collect()
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn diff_takes_any_specs_and_any_cluster(
        specs in prop::collection::vec(spec(), 0..6),
        states in prop::collection::vec(topic_state(), 0..6),
    ) {
        let mut observed = Observation::default();
        for (spec, state) in specs.iter().zip(states) {
            observed.cluster.topics.insert(spec.name.to_string(), state);
        }
        let plan = plan::diff(&specs, &observed);
        // One action per listed topic, in file order.
        let names: Vec<&str> = plan.topics.iter().map(|t| t.name.as_str()).collect();
        let wanted: Vec<&str> = specs.iter().map(|s| s.name.as_ref()).collect();
        prop_assert_eq!(names, wanted);
        for (topic, spec) in plan.topics.iter().zip(&specs) {
            let exists = observed.cluster.topics.contains_key(spec.name.as_ref());
            prop_assert_eq!(matches!(topic.action, PlannedAction::Create(_)), !exists);
        }
        let _ = plan.to_string();
        let _ = plan.summary();
    }

    #[test]
    fn a_cluster_that_matches_the_file_is_converged(
        specs in prop::collection::vec(sized_spec(), 0..6),
    ) {
        let specs = distinct(specs);
        let plan = plan::diff(&specs, &applied(&specs));
        prop_assert!(plan.is_converged(), "{}", plan);
    }

    #[test]
    fn fewer_partitions_than_the_cluster_has_are_refused(
        spec in sized_spec(),
        extra in 1..4i32,
    ) {
        let specs = vec![spec];
        let mut observed = applied(&specs);
        let mut smaller = specs.clone();
        smaller[0].partitions =
            crate::spec::Size::from_kafka((specs[0].partitions.kafka() - extra).max(1));
        let topic = observed.cluster.topics.get_mut(specs[0].name.as_ref()).unwrap();
        topic.partitions.truncate(specs[0].partitions.kafka() as usize);
        let plan = plan::diff(&smaller, &observed);
        let refused = matches!(plan.topics[0].action, PlannedAction::Refused { .. });
        prop_assert_eq!(refused, smaller[0].partitions.kafka() < specs[0].partitions.kafka());
    }

    #[test]
    fn unready_lists_exactly_the_partitions_that_are_not_ready(
        states in prop::collection::vec(topic_state(), 0..5),
        wanted in prop::collection::vec((0..6i32, 1..4usize), 0..5),
    ) {
        let cluster = ClusterState {
            topics: states
                .into_iter()
                .enumerate()
                .map(|(i, s)| (format!("t{i}"), s))
                .collect::<HashMap<_, _>>(),
        };
        let targets: Vec<Target> = wanted
            .into_iter()
            .enumerate()
            .map(|(i, (partitions, min_isr))| Target {
                topic: format!("t{i}"),
                partitions,
                min_isr,
            })
            .collect();
        let waiting = readiness::unready(&targets, &cluster);
        let ready = targets.iter().all(|t| match cluster.topics.get(&t.topic) {
            None => false,
            Some(topic) => {
                topic.partitions.len() >= t.partitions as usize
                    && topic.partitions.iter().all(|p| p.leader >= 0 && p.isr.len() >= t.min_isr)
            }
        });
        prop_assert_eq!(waiting.is_empty(), ready, "{:?}", waiting);
        for line in &waiting {
            prop_assert!(targets.iter().any(|t| line.starts_with(&t.topic)), "{}", line);
        }
    }

    #[test]
    fn batches_keep_order_fit_the_limits_and_are_fewest(
        costs in prop::collection::vec((0..12_000usize, 0..12_000usize), 0..40),
    ) {
        let cost = |&(records, partitions): &(usize, usize)| Cost { records, partitions };
        let batches = batch::split(costs.clone(), cost);
        // Every item once, in order; no empty batch.
        prop_assert_eq!(batches.concat(), costs);
        prop_assert!(batches.iter().all(|b| !b.is_empty()));
        let total = |b: &[(usize, usize)]| {
            (b.iter().map(|c| c.0).sum::<usize>(), b.iter().map(|c| c.1).sum::<usize>())
        };
        for (i, b) in batches.iter().enumerate() {
            let (records, partitions) = total(b);
            // Within the limits, unless one item alone is over them.
            prop_assert!(
                b.len() == 1 || (records <= batch::MAX_RECORDS && partitions <= batch::MAX_PARTITIONS)
            );
            // Fewest: the next batch's first item did not fit in this one.
            if let Some(next) = batches.get(i + 1) {
                let (r, p) = next[0];
                prop_assert!(records + r > batch::MAX_RECORDS || partitions + p > batch::MAX_PARTITIONS);
            }
        }
    }
}

/// Inputs kept from fuzzing and from the hostile corpus that stress the
/// parser's corners; each must get a placed error, quickly.
mod regressions {
    use super::*;

    fn rejected(text: &str) {
        assert!(parse_checked(text).is_err(), "accepted:\n{text}");
    }

    #[test]
    fn alias_bomb_is_rejected_quickly() {
        // Nine levels of nine aliases: 9^9 nodes if expanded.
        let mut text = String::from("a: &a [x, x, x, x, x, x, x, x, x]\n");
        let mut prev = 'a';
        for c in 'b'..='j' {
            let refs = vec![format!("*{prev}"); 9].join(", ");
            text.push_str(&format!("{c}: &{c} [{refs}]\n"));
            prev = c;
        }
        text.push_str("kafka:\n  topics:\n    t:\n      name: t\n      config: *j\n");
        rejected(&text);
    }

    #[test]
    fn nesting_through_aliases_is_rejected_not_a_stack_overflow() {
        // Each anchor nests the one before 60 deeper: 120,000 levels if
        // read whole.
        let mut text = String::from("x-a0: &a0 [1]\n");
        for i in 1..2000 {
            let (open, close) = ("[".repeat(60), "]".repeat(60));
            text.push_str(&format!("x-a{i}: &a{i} {open}*a{}{close}\n", i - 1));
        }
        text.push_str("kafka:\n  topics: {}\n");
        let e = parse_checked(&text).unwrap_err();
        assert!(
            e.problems[0].message.contains("recursion limit exceeded"),
            "{e}"
        );
    }

    #[test]
    fn merge_of_a_scalar() {
        rejected("kafka:\n  topics:\n    t:\n      <<: 1\n      name: t\n");
    }

    #[test]
    fn byte_order_mark_and_nul() {
        parse_checked("\u{feff}kafka:\n  topics: {}\n").ok();
        rejected("kafka:\u{0}\n");
    }

    #[test]
    fn tagged_values_everywhere() {
        rejected("!x kafka: !y\n  topics: !z\n    t: !w\n      name: !v t\n");
    }

    /// Found by `arbitrary_text`: the YAML parser counts U+2028 as a line
    /// break, so a problem can be on "line 3" of what an editor shows as
    /// one line. The place is still inside the text as YAML reads it.
    #[test]
    fn unicode_line_separators() {
        let err = parse_checked("a\u{2028}b\u{2028}c{: x").unwrap_err();
        assert!(err.problems[0].line <= 3, "{err}");
    }

    #[test]
    fn deep_nesting() {
        let text = format!("kafka: {}{}", "[".repeat(5000), "]".repeat(5000));
        parse_checked(&text).ok();
    }
}

/// A mistake put into a generated file, and the text the reported place
/// must point at.
#[derive(Debug, Clone)]
enum Fault {
    /// `partitions: 0`: the value.
    Partitions,
    /// A config value the key does not take: the value.
    ConfigValue,
    /// A config key Kafka does not know: the key.
    ConfigKey,
    /// A topic field that does not exist: the key.
    TopicKey,
    /// A bad `kafka.defaults` value every topic inherits: the value,
    /// reported once.
    Defaults,
}

fn fault() -> impl Strategy<Value = Fault> {
    prop_oneof![
        Just(Fault::Partitions),
        Just(Fault::ConfigValue),
        Just(Fault::ConfigKey),
        Just(Fault::TopicKey),
        Just(Fault::Defaults),
    ]
}

/// A valid topic file of `topics` topics in one of several layouts (block
/// or flow config, quoted or plain values, comments, CRLF), with `fault`
/// put into topic `at`; returns the text and what the problem must point at.
fn faulty_file(
    topics: usize,
    at: usize,
    fault: &Fault,
    (indent, flow, quoted, comments, crlf): (usize, bool, bool, bool, bool),
) -> (String, &'static str) {
    let pad = |level: usize| " ".repeat(indent * level);
    let q = |v: &str| {
        if quoted {
            format!("\"{v}\"")
        } else {
            v.to_owned()
        }
    };
    let mut lines = vec!["kafka:".to_owned()];
    if comments {
        lines.push(format!("{}# generated", pad(1)));
    }
    if matches!(fault, Fault::Defaults) {
        lines.push(format!("{}defaults:", pad(1)));
        lines.push(format!("{}replication_factor: -7", pad(2)));
    }
    lines.push(format!("{}topics:", pad(1)));
    let mut target = "";
    for i in 0..topics {
        let here = i == at;
        lines.push(format!("{}t{i}:", pad(2)));
        lines.push(format!("{}name: {}", pad(3), q(&format!("dc.t{i}"))));
        if here && matches!(fault, Fault::Partitions) {
            lines.push(format!("{}partitions: 0", pad(3)));
            target = "0";
        } else {
            lines.push(format!("{}partitions: {}", pad(3), 1 + i % 4));
        }
        if here && matches!(fault, Fault::TopicKey) {
            lines.push(format!("{}partition: 3", pad(3)));
            target = "partition";
        }
        if comments {
            lines.push(format!("{}# topic {i}", pad(3)));
        }
        let mut config = vec![("retention.ms".to_owned(), q("3600000"))];
        if here && matches!(fault, Fault::ConfigValue) {
            config.push(("cleanup.policy".into(), "compakt".into()));
            target = "compakt";
        }
        if here && matches!(fault, Fault::ConfigKey) {
            config.push(("retention.mss".into(), "5".into()));
            target = "retention.mss";
        }
        if flow {
            let entries: Vec<String> = config.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            lines.push(format!("{}config: {{{}}}", pad(3), entries.join(", ")));
        } else {
            lines.push(format!("{}config:", pad(3)));
            for (k, v) in &config {
                lines.push(format!("{}{k}: {v}", pad(4)));
            }
        }
    }
    if matches!(fault, Fault::Defaults) {
        target = "-7";
    }
    let eol = if crlf { "\r\n" } else { "\n" };
    (lines.join(eol) + eol, target)
}

proptest! {
    #![proptest_config(config())]

    /// Whatever the layout, the one problem of a generated file is reported
    /// once, and its line and column point at the offending key or value.
    #[test]
    fn positions_point_at_the_offending_key_or_value(
        topics in 1usize..8,
        at in 0usize..8,
        fault in fault(),
        layout in (prop_oneof![Just(2usize), Just(4)], any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()),
    ) {
        let at = at % topics;
        let (text, target) = faulty_file(topics, at, &fault, layout);
        let e = TopicFile::parse(&text, "gen.yaml").expect_err("a faulty file");
        prop_assert_eq!(e.problems.len(), 1, "{}\n{}", e, text);
        let p = &e.problems[0];
        let line = text.split('\n').nth(p.line - 1).unwrap_or_default();
        let from: String = line.chars().skip(p.column - 1).collect();
        prop_assert!(
            from.starts_with(target),
            "{fault:?}: {p} points at {from:?}, not {target:?}\n{text}"
        );
    }
}
