//! Several files on one cluster: `orphans`, `apply --prune`, `plan --prune`
//! and `export`, against the real broker. Every topic here carries the
//! test's own unique prefix, and only those are ever deleted.

mod runner;
use kafka_init_test_support as support;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use rdkafka::admin::{AdminOptions, NewTopic, TopicReplication};
use runner::Run;
use support::*;

fn kafka_init(args: &[&str], config: &Path) -> Run {
    runner::kafka_init(args, config, &bootstrap(), "60s", &[])
}

fn json(run: &Run) -> serde_json::Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.all()))
}

/// A topic to create: name, partitions, topic-level configs.
type Made<'a> = (&'a str, i32, &'a [(&'a str, &'a str)]);

/// Creates `topics` with the admin API, as another tool would, and waits
/// for the broker's answer.
fn create(topics: &[Made]) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let admin = admin();
    let new: Vec<NewTopic> = topics
        .iter()
        .map(|(name, partitions, configs)| {
            configs.iter().fold(
                NewTopic::new(name, *partitions, TopicReplication::Fixed(1)),
                |t, (k, v)| t.set(k, v),
            )
        })
        .collect();
    let options = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    for result in rt.block_on(admin.create_topics(&new, &options)).unwrap() {
        result.unwrap_or_else(|e| panic!("create {e:?}"));
    }
}

/// Which of `names` the broker's metadata lists.
fn existing<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let md = metadata();
    names
        .iter()
        .copied()
        .filter(|n| {
            md.topics()
                .iter()
                .any(|t| t.name() == *n && t.error().is_none())
        })
        .collect()
}

struct Cluster {
    base: String,
}

impl Cluster {
    fn name(&self, suffix: &str) -> String {
        format!("{}.{suffix}", self.base)
    }

    /// File `a`: owns `<base>.a.` and, by an expression, `_<base>-*` (always
    /// protected) and `<base>.z`; protects `<base>.a.guarded`;
    /// declares `a.keep` (existing) and `a.new` (missing).
    fn file_a(&self, keep_partitions: i32) -> std::path::PathBuf {
        let b = &self.base;
        runner::topic_file(&format!(
            "kafka:\n  owns: [\"{b}.a.\", \"^(_{b}-.*|{b}\\\\.z)\"]\n  protect: [\"{b}.a.guarded\"]\n  topics:\n    keep:\n      name: \"{b}.a.keep\"\n      partitions: {keep_partitions}\n    new:\n      name: \"{b}.a.new\"\n"
        ))
    }

    fn file_b(&self) -> std::path::PathBuf {
        let b = &self.base;
        runner::topic_file(&format!(
            "kafka:\n  owns: [\"{b}.b.\"]\n  topics:\n    orders:\n      name: \"{b}.b.orders\"\n      partitions: 2\n      config:\n        retention.ms: \"3600000\"\n"
        ))
    }
}

#[test]
fn two_files_prune_only_their_own_orphans_and_never_protected_topics() {
    let c = Cluster {
        base: unique("own"),
    };
    let [keep, new, old1, old2, changelog, guarded, schemas, b_orders, b_old] = [
        c.name("a.keep"),
        c.name("a.new"),
        c.name("a.old1"),
        c.name("a.old2"),
        c.name("a.x-changelog"),
        c.name("a.guarded"),
        format!("_{}-schemas", c.base),
        c.name("b.orders"),
        c.name("b.old"),
    ];
    create(&[
        (&keep, 2, &[]),
        (&old1, 3, &[("cleanup.policy", "compact")]),
        (&old2, 1, &[]),
        (&changelog, 1, &[]),
        (&guarded, 1, &[]),
        (&schemas, 1, &[]),
        (&b_orders, 2, &[("retention.ms", "3600000")]),
        (&b_old, 1, &[]),
    ]);
    let all = [
        keep.as_str(),
        new.as_str(),
        old1.as_str(),
        old2.as_str(),
        changelog.as_str(),
        guarded.as_str(),
        schemas.as_str(),
        b_orders.as_str(),
        b_old.as_str(),
    ];
    let before = existing(&all);
    let a = c.file_a(2);
    let b = c.file_b();

    // The orphans of `a`: owned, undeclared, unprotected; with their shape.
    let run = kafka_init(&["orphans", "--output", "json"], &a);
    assert_eq!(run.code, 2, "{}", run.all());
    let orphans = json(&run)["orphans"].clone();
    let listed: Vec<&str> = orphans
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    assert_eq!(listed, [old1.as_str(), old2.as_str()], "{}", run.all());
    assert_eq!(orphans[0]["partitions"], 3);
    assert_eq!(orphans[0]["configs"]["cleanup.policy"], "compact");
    let run = kafka_init(&["orphans"], &a);
    assert_eq!(run.code, 2, "{}", run.all());
    assert!(run.stdout.contains(&old1) && !run.stdout.contains(&keep));

    // plan --prune shows the deletions, as rows and in JSON, and does nothing.
    let run = kafka_init(&["plan", "--prune"], &a);
    assert_eq!(run.code, 2, "{}", run.all());
    // The row: the name, the RF/BROKERS column, the action.
    let row = run.stdout.lines().find(|l| l.starts_with(old1.as_str()));
    assert!(
        row.is_some_and(|r| r.contains("  delete: partitions 3")),
        "{}",
        run.all()
    );
    let run = kafka_init(&["plan", "--prune", "--output", "json"], &a);
    let deletes: Vec<String> = json(&run)["topics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["action"]["kind"] == "delete")
        .map(|t| t["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(deletes, [old1.clone(), old2.clone()]);
    assert_eq!(existing(&all), before, "plan changed the cluster");

    // More orphans than allowed: refused, nothing created nor deleted.
    let run = kafka_init(&["apply", "--prune", "--max-deletions", "1"], &a);
    assert_eq!(run.code, 5, "{}", run.all());
    assert_eq!(existing(&all), before, "a refused run changed the cluster");

    // A refused change to a declared topic: nothing is deleted either.
    let run = kafka_init(&["apply", "--prune"], &c.file_a(1));
    assert_eq!(run.code, 5, "{}", run.all());
    assert_eq!(existing(&all), before, "a refused run changed the cluster");

    // Pruning with `a` deletes its two orphans and nothing else.
    let run = kafka_init(&["apply", "--prune"], &a);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(
        run.stderr.contains(&format!("🗑 Deleted topic: {old1}")),
        "{}",
        run.all()
    );
    assert_eq!(
        existing(&all),
        [
            keep.as_str(),
            new.as_str(),
            changelog.as_str(),
            guarded.as_str(),
            schemas.as_str(),
            b_orders.as_str(),
            b_old.as_str()
        ]
    );
    let run = kafka_init(&["orphans"], &a);
    assert_eq!(run.code, 0, "{}", run.all());

    // Pruning with `b` deletes `b`'s orphan only.
    let run = kafka_init(&["apply", "--prune"], &b);
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(
        existing(&all),
        [
            keep.as_str(),
            new.as_str(),
            changelog.as_str(),
            guarded.as_str(),
            schemas.as_str(),
            b_orders.as_str()
        ]
    );
}

#[test]
fn pruning_without_owns_or_asked_for_in_the_file_is_refused_before_anything_is_sent() {
    let name = unique("own-guard");
    let plain = runner::topic_file(&format!(
        "kafka:\n  topics:\n    t:\n      name: \"{name}\"\n"
    ));
    // Refused before anything is sent: 3 for `plan` too, as for `apply`.
    for (args, code) in [(&["apply", "--prune"], 3), (&["plan", "--prune"], 3)] {
        let run = kafka_init(args, &plain);
        assert_eq!(run.code, code, "{}", run.all());
        assert!(run.stderr.contains("needs `kafka.owns`"), "{}", run.all());
    }
    let run = kafka_init(&["orphans"], &plain);
    assert_eq!(run.code, 3, "{}", run.all());

    let in_file = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{name}\"]\n  prune: true\n  topics:\n    t:\n      name: \"{name}\"\n"
    ));
    let run = kafka_init(&["apply"], &in_file);
    assert_eq!(run.code, 3, "{}", run.all());
    assert!(run.stderr.contains(":3:3: kafka.prune:"), "{}", run.all());

    let bad_regex = runner::topic_file(&format!(
        "kafka:\n  owns: [\"^({name}\"]\n  topics:\n    t:\n      name: \"{name}\"\n"
    ));
    let run = kafka_init(&["apply", "--prune"], &bad_regex);
    assert_eq!(run.code, 3, "{}", run.all());

    let ok = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{name}\"]\n  topics:\n    t:\n      name: \"{name}\"\n"
    ));
    let run = kafka_init(&["apply", "--prune", "--max-deletions", "some"], &ok);
    assert_eq!(run.code, 3, "{}", run.all());
    assert_eq!(topic_shape(&name), None, "a refused run created the topic");
}

#[test]
fn an_export_declares_what_exists_with_its_own_overrides_only() {
    let base = unique("own-export");
    let (one, two, internal) = (
        format!("{base}.one"),
        format!("{base}.two"),
        format!("{base}.agg-repartition"),
    );
    create(&[
        (
            &one,
            3,
            &[("retention.ms", "7200000"), ("cleanup.policy", "compact")],
        ),
        (&two, 1, &[]),
        (&internal, 1, &[]),
    ]);
    let dir = std::env::temp_dir().join(unique("kafka-init-export"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("export.yaml");
    let prefix = format!("{base}.");
    // No topic file: the namespace and the servers come from flags.
    let out = Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .args(["export", "--owns", &prefix, "--output-file"])
        .arg(&path)
        .args(["--bootstrap-servers", &bootstrap()])
        .env("CONFIG_FILE", dir.join("absent.yaml"))
        .env_remove("KAFKA_BOOTSTRAP_SERVERS")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&path).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(&text).unwrap();
    let topics = yaml["kafka"]["topics"].as_mapping().unwrap();
    let names: Vec<&str> = topics
        .values()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, [one.as_str(), two.as_str()], "{text}");
    let first = &topics.values().next().unwrap();
    assert_eq!(first["partitions"].as_i64(), Some(3));
    let configs: Vec<&str> = first["config"]
        .as_mapping()
        .unwrap()
        .keys()
        .map(|k| k.as_str().unwrap())
        .collect();
    assert_eq!(configs, ["cleanup.policy", "retention.ms"], "{text}");
    assert!(topics.values().nth(1).unwrap().get("config").is_none());

    let run = kafka_init(&["check"], &path);
    assert_eq!(run.code, 0, "{}", run.all());
    let run = kafka_init(&["plan"], &path);
    assert_eq!(run.code, 0, "{}", run.all());
}
