//! Many `kafka-init` processes at the same moment against the real broker:
//! 16 on one file, plus 8 on files that partly overlap it and each other.
//! Every process exits 0 and the broker ends exactly as the files declare.

use kafka_init_test_support as support;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use support::*;

/// One topic as the files declare it.
#[derive(Clone)]
struct Topic {
    name: String,
    partitions: usize,
    config: Vec<(&'static str, &'static str)>,
}

fn yaml(topics: &[Topic]) -> String {
    let mut s = String::from("kafka:\n  topics:\n");
    for (i, t) in topics.iter().enumerate() {
        s.push_str(&format!(
            "    t{i}:\n      name: \"{}\"\n      partitions: {}\n",
            t.name, t.partitions
        ));
        if !t.config.is_empty() {
            s.push_str("      config:\n");
            for (k, v) in &t.config {
                s.push_str(&format!("        {k}: \"{v}\"\n"));
            }
        }
    }
    s
}

fn spawn(path: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_kafka-init"))
        .arg("--config")
        .arg(path)
        .env("KAFKA_BOOTSTRAP_SERVERS", bootstrap())
        .env("KAFKA_INIT_TIMEOUT", "120s")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kafka-init")
}

#[test]
fn sixteen_on_one_file_and_eight_on_overlapping_files_all_exit_0_exactly() {
    let prefix = unique("conc");
    let dir = std::env::temp_dir().join(&prefix);
    std::fs::create_dir_all(&dir).unwrap();
    let topic = |n: &str, partitions, config: &[(&'static str, &'static str)]| Topic {
        name: format!("{prefix}.{n}"),
        partitions,
        config: config.to_vec(),
    };

    // The shared file: what 16 processes run.
    let shared = vec![
        topic("a", 3, &[("cleanup.policy", "compact")]),
        topic("b", 1, &[("retention.ms", "60000")]),
        topic("c", 6, &[]),
        topic(
            "d",
            2,
            &[("retention.ms", "120000"), ("segment.ms", "3600000")],
        ),
    ];
    // 8 more files: each holds two shared topics, declared identically
    // (otherwise the files would contradict each other and "exact" would
    // have no meaning), and two topics of its own, one of which it shares
    // with its neighbour.
    let mut overlapping: Vec<Vec<Topic>> = Vec::new();
    for i in 0..8 {
        overlapping.push(vec![
            shared[i % shared.len()].clone(),
            shared[(i + 1) % shared.len()].clone(),
            topic(&format!("own{i}"), 1 + i % 3, &[("retention.ms", "300000")]),
            topic(
                &format!("pair{}", i / 2),
                2,
                &[("cleanup.policy", "delete")],
            ),
        ]);
    }

    let write = |name: &str, topics: &[Topic]| -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, yaml(topics)).unwrap();
        path
    };
    let mut paths = vec![write("shared.yaml", &shared); 16];
    for (i, topics) in overlapping.iter().enumerate() {
        paths.push(write(&format!("overlap{i}.yaml"), topics));
    }

    // All 24 start together: each thread spawns its process once all are ready.
    let barrier = Arc::new(Barrier::new(paths.len()));
    let started = Instant::now();
    let threads: Vec<_> = paths
        .into_iter()
        .map(|path| {
            let barrier = Arc::clone(&barrier);
            std::thread::spawn(move || {
                barrier.wait();
                let began = Instant::now();
                let out = spawn(&path).wait_with_output().unwrap();
                (path, out, began.elapsed())
            })
        })
        .collect();
    let mut slowest = Duration::ZERO;
    let mut failures = Vec::new();
    for t in threads {
        let (path, out, took) = t.join().unwrap();
        slowest = slowest.max(took);
        if !out.status.success() {
            failures.push(format!(
                "{}: exit {:?}\n{}",
                path.display(),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
    eprintln!(
        "24 processes done in {:?} (slowest {slowest:?})",
        started.elapsed()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));

    // Exactly as declared: partitions, RF 1, and only the declared configs.
    let mut want: HashMap<String, Topic> = HashMap::new();
    for t in shared.iter().chain(overlapping.iter().flatten()) {
        want.insert(t.name.clone(), t.clone());
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let names: Vec<&str> = want.keys().map(String::as_str).collect();
    let described = rt.block_on(describe(&names));
    for (name, t) in &want {
        assert_eq!(topic_shape(name), Some((t.partitions, 1)), "{name}");
        let got: HashMap<&str, &str> = described[name]
            .iter()
            .filter(|(_, r)| r.topic_level)
            .map(|(k, r)| (k.as_str(), r.value.as_deref().unwrap_or("")))
            .collect();
        let expected: HashMap<&str, &str> = t.config.iter().copied().collect();
        assert_eq!(got, expected, "{name}: topic-level configs");
    }
    // Nothing else with this prefix.
    let extra: Vec<String> = metadata()
        .topics()
        .iter()
        .map(|t| t.name().to_owned())
        .filter(|n| n.starts_with(&prefix) && !want.contains_key(n))
        .collect();
    assert!(extra.is_empty(), "unexpected topics: {extra:?}");
    std::fs::remove_dir_all(&dir).ok();
}
