//! Pruning that cannot lose data, against the real broker: topics in use
//! (committed offsets, a fresh record) are kept, idle orphans deleted; the
//! export round trip keeps protection; the guards and messages around
//! pruning and export. Every topic carries the test's own unique prefix.

mod runner;
use kafka_init_test_support as support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rdkafka::admin::{AdminOptions, NewTopic, TopicReplication};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use runner::Run;
use support::*;

fn kafka_init(args: &[&str], config: &Path) -> Run {
    runner::kafka_init(args, config, &bootstrap(), "60s", &[])
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

/// Creates topics of one partition with `configs`, as another tool would.
fn create(topics: &[(&str, &[(&str, &str)])]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(name, configs)| {
            configs.iter().fold(
                NewTopic::new(name, 1, TopicReplication::Fixed(1)),
                |t, (k, v)| t.set(k, v),
            )
        })
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for result in rt.block_on(admin().create_topics(&new, &options)).unwrap() {
        result.unwrap_or_else(|e| panic!("create {e:?}"));
    }
}

/// Which of `names` the broker's metadata lists.
fn existing(names: &[&str]) -> Vec<String> {
    let md = metadata();
    names
        .iter()
        .filter(|n| {
            md.topics()
                .iter()
                .any(|t| t.name() == **n && t.error().is_none())
        })
        .map(|n| n.to_string())
        .collect()
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// Writes one keyed record to partition 0 of `topic`, stamped `timestamp`.
fn write(topic: &str, timestamp: i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let producer: FutureProducer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("message.timeout.ms", "30000")
        .create()
        .unwrap();
    let record = FutureRecord::to(topic)
        .key("k")
        .payload("v")
        .partition(0)
        .timestamp(timestamp);
    rt.block_on(producer.send(record, Duration::from_secs(30)))
        .unwrap_or_else(|(e, _)| panic!("write to {topic}: {e}"));
}

/// Commits offset 0 of `topic`'s partition 0 for `group`, as a consumer
/// that stopped would have left it.
fn commit(group: &str, topic: &str) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Offset(0))
        .unwrap();
    consumer
        .commit(&tpl, CommitMode::Sync)
        .unwrap_or_else(|e| panic!("commit for {group}: {e}"));
}

/// Four orphans under one owned prefix: one with a group's offsets, one
/// with a fresh record, one with only a two-day-old record, one empty.
struct Orphans {
    base: String,
    group: String,
}

impl Orphans {
    fn new(label: &str) -> Orphans {
        let base = unique(label);
        let orphans = Orphans {
            group: format!("{base}-billing"),
            base,
        };
        let (read, fresh, old, empty) = orphans.names();
        create(&[(&read, &[]), (&fresh, &[]), (&old, &[]), (&empty, &[])]);
        write(&read, now_ms() - 3 * 86_400_000);
        commit(&orphans.group, &read);
        write(&fresh, now_ms() - 3 * 60_000);
        write(&old, now_ms() - 2 * 86_400_000);
        orphans
    }

    fn names(&self) -> (String, String, String, String) {
        let b = &self.base;
        (
            format!("{b}.read"),
            format!("{b}.fresh"),
            format!("{b}.old"),
            format!("{b}.empty"),
        )
    }

    fn file(&self) -> std::path::PathBuf {
        let b = &self.base;
        runner::topic_file(&format!(
            "kafka:\n  owns: [\"{b}.\"]\n  topics:\n    kept:\n      name: \"{b}.declared\"\n"
        ))
    }
}

#[test]
fn topics_in_use_are_kept_and_idle_orphans_deleted() {
    let orphans = Orphans::new("prune-use");
    let (read, fresh, old, empty) = orphans.names();
    let file = orphans.file();

    // `orphans` lists all four, saying which are in use and why.
    let run = kafka_init(&["orphans", "--output", "json"], &file);
    assert_eq!(run.code, 2, "{}", run.all());
    let listed = json(&run)["orphans"].as_array().unwrap().clone();
    let in_use = |name: &str| {
        listed
            .iter()
            .find(|o| o["name"] == name)
            .unwrap_or_else(|| panic!("{name} not listed: {}", run.all()))["in_use"]
            .clone()
    };
    assert_eq!(in_use(&read)["groups"], serde_json::json!([orphans.group]));
    let reason = in_use(&read)["reason"].as_str().unwrap().to_owned();
    assert!(
        reason.starts_with(&format!("in use: group {} (offsets)", orphans.group)),
        "{reason}"
    );
    assert!(in_use(&fresh)["reason"]
        .as_str()
        .unwrap()
        .contains("last record 3 min ago"));
    assert!(in_use(&old).is_null(), "{}", run.all());
    assert!(in_use(&empty).is_null(), "{}", run.all());

    // The plan keeps the two in use, with their reasons, and deletes the rest.
    let run = kafka_init(&["plan", "--prune"], &file);
    assert_eq!(run.code, 2, "{}", run.all());
    let row = |name: &str| {
        run.stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}: {}", run.all()))
            .to_owned()
    };
    assert!(row(&read).contains("keep: in use: group"), "{}", row(&read));
    assert!(
        row(&fresh).contains("keep: in use: last record"),
        "{}",
        row(&fresh)
    );
    assert!(row(&old).contains("delete:"), "{}", row(&old));
    assert!(row(&empty).contains("delete:"), "{}", row(&empty));

    // Apply deletes exactly the idle ones: the broker still has the others.
    let run = kafka_init(&["apply", "--prune"], &file);
    assert_eq!(run.code, 0, "{}", run.all());
    let all = [read.as_str(), &fresh, &old, &empty];
    assert_eq!(existing(&all), [read.clone(), fresh.clone()]);

    // A shorter idle time frees the fresh one; the group still holds the other.
    let run = runner::kafka_init(
        &["apply", "--prune"],
        &file,
        &bootstrap(),
        "60s",
        &[("KAFKA_INIT_PRUNE_IDLE", "1m")],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(existing(&all), std::slice::from_ref(&read));

    // The override deletes a topic in use, and says so in the plan.
    let run = kafka_init(&["plan", "--prune", "--prune-in-use"], &file);
    assert!(
        run.stdout.contains("deleted anyway: --prune-in-use"),
        "{}",
        run.all()
    );
    let run = kafka_init(&["apply", "--prune", "--prune-in-use"], &file);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(existing(&all), Vec::<String>::new());
}

#[test]
fn kafka_streams_and_mirrormaker_topics_are_never_orphans() {
    let base = unique("prune-streams");
    let names = [
        format!("{base}.app-KTABLE-FK-JOIN-SUBSCRIPTION-REGISTRATION-0000000006-topic"),
        format!("{base}.app-KTABLE-FK-JOIN-SUBSCRIPTION-RESPONSE-0000000012-topic"),
        format!("{base}.app-store-changelog"),
        format!("{base}.us-east.heartbeats"),
        format!("{base}.us-east.checkpoints.internal"),
    ];
    let made: Vec<(&str, &[(&str, &str)])> = names.iter().map(|n| (n.as_str(), &[][..])).collect();
    create(&made);
    let file = runner::topic_file(&format!("kafka:\n  owns: [\"{base}.\"]\n  topics: {{}}\n"));
    let run = kafka_init(&["orphans"], &file);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = kafka_init(&["apply", "--prune"], &file);
    assert_eq!(run.code, 0, "{}", run.all());
    let all: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_eq!(existing(&all).len(), names.len());
}

#[test]
fn an_export_keeps_protection_and_passes_check_and_plan() {
    let base = unique("prune-export");
    let (one, keep, odd, orphan) = (
        format!("{base}.one"),
        format!("{base}.keep"),
        format!("{base}.odd"),
        format!("{base}.orphan"),
    );
    create(&[
        (&one, &[("retention.ms", "3600000")]),
        (&keep, &[]),
        // Accepted by Kafka, so export writes it and check must accept it.
        (
            &odd,
            &[
                ("min.insync.replicas", "2"),
                ("retention.ms", "3600000"),
                ("local.retention.ms", "7200000"),
                ("min.cleanable.dirty.ratio", "NaN"),
            ],
        ),
    ]);
    let original = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{base}.\"]\n  protect: [\"{keep}\"]\n  topics:\n    one:\n      name: \"{one}\"\n      config:\n        retention.ms: 3600000\n"
    ));
    let run = kafka_init(&["plan", "--prune"], &original);
    assert!(
        run.stdout.lines().all(|l| !l.starts_with(&keep)),
        "{}",
        run.all()
    );

    let dir = original.parent().unwrap();
    let exported = dir.join("exported.yaml");
    let out = exported.to_str().unwrap();
    let run = kafka_init(&["export", "--output-file", out], &original);
    assert_eq!(run.code, 0, "{}", run.all());
    let text = std::fs::read_to_string(&exported).unwrap();
    let doc: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    assert_eq!(
        doc["kafka"]["protect"][0].as_str(),
        Some(keep.as_str()),
        "{text}"
    );
    assert!(doc["kafka"]["topics"]
        .as_mapping()
        .unwrap()
        .values()
        .all(|t| t["name"].as_str() != Some(keep.as_str())));

    // The round trip: check passes, plan finds nothing to do.
    let run = kafka_init(&["check"], &exported);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = kafka_init(&["plan"], &exported);
    assert_eq!(run.code, 0, "{}", run.all());

    // Pruning with the export keeps the protected topic and deletes a new orphan.
    create(&[(&orphan, &[])]);
    let run = kafka_init(&["apply", "--prune"], &exported);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        existing(&[&one, &keep, &odd, &orphan]),
        [one.clone(), keep.clone(), odd.clone()]
    );
    // A deletion-only run does not claim to have created anything.
    assert!(
        !run.stderr.contains("All topics created successfully"),
        "{}",
        run.all()
    );
    assert!(run.stderr.contains("1 orphan(s) deleted"), "{}", run.all());

    // Never over an existing file without --force, never over its input.
    let run = kafka_init(&["export", "--output-file", out], &original);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("--force"), "{}", run.all());
    let run = kafka_init(&["export", "--output-file", out, "--force"], &original);
    assert_eq!(run.code, 0, "{}", run.all());
    let input = original.to_str().unwrap();
    let run = kafka_init(&["export", "--output-file", input, "--force"], &original);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(
        std::fs::read_to_string(&original)
            .unwrap()
            .contains("protect"),
        "the input was overwritten"
    );
}

#[test]
fn an_export_to_stdout_that_cannot_be_written_exits_1() {
    let base = unique("prune-full");
    create(&[(&format!("{base}.one"), &[])]);
    let file = runner::topic_file(&format!("kafka:\n  owns: [\"{base}.\"]\n  topics: {{}}\n"));
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .args(["export", "--config"])
        .arg(&file)
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
        .stdout(Stdio::from(full))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("cannot write the export to stdout"),
        "{stderr}"
    );
}

#[test]
fn a_refused_plan_prints_one_json_document_naming_default() {
    let name = unique("prune-json");
    create(&[(&name, &[])]);
    // Grow it to 3, then ask for the broker's default (1).
    let grown = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      partitions: 3\n"
    ));
    assert_eq!(kafka_init(&["apply"], &grown).code, 0);
    let file = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n      partitions: default\n"
    ));
    let run = kafka_init(&["plan", "--output", "json"], &file);
    assert_eq!(run.code, 1, "{}", run.all());
    let doc = json(&run);
    assert_eq!(doc["status"], "error", "{}", run.all());
    let error = doc["error"].as_str().unwrap();
    assert!(
        error.contains("the file says `default` (the broker's default, 1)"),
        "{error}"
    );
    assert_eq!(topic_shape(&name), Some((3, 1)));
}

#[test]
fn guards_around_pruning() {
    let base = unique("prune-guard");
    // `owns` that matches every name is refused at its line.
    let everything = runner::topic_file(&format!(
        "kafka:\n  owns:\n    - \"{base}.\"\n    - \"^.*\"\n  topics:\n    t:\n      name: \"{base}.t\"\n"
    ));
    let run = kafka_init(&["check"], &everything);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains(":4:7:"), "{}", run.all());
    assert!(
        run.stderr.contains("matches every topic name"),
        "{}",
        run.all()
    );

    let ok = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{base}.\"]\n  topics:\n    t:\n      name: \"{base}.t\"\n"
    ));
    for args in [
        &["apply", "--max-deletions", "3"][..],
        &["plan", "--prune-in-use"],
    ] {
        let run = kafka_init(args, &ok);
        assert_eq!(run.code, 3, "{args:?}: {}", run.all());
        assert!(run.stderr.contains("with --prune only"), "{}", run.all());
    }
    assert_eq!(topic_shape(&format!("{base}.t")), None);

    // Creating `x_y` while deleting `x.y` collides: refused before anything changes.
    let dotted = format!("{base}.x.y");
    create(&[(&dotted, &[])]);
    let underscored = format!("{base}.x_y");
    let colliding = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{base}.\"]\n  topics:\n    t:\n      name: \"{underscored}\"\n"
    ));
    let run = kafka_init(&["apply", "--prune"], &colliding);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains("collides with"), "{}", run.all());
    assert!(
        !run.stderr.contains("Topic creation failed"),
        "{}",
        run.all()
    );
    assert_eq!(
        existing(&[&dotted, &underscored]),
        std::slice::from_ref(&dotted)
    );
}
