//! The `Cluster` handle against the real broker: the documented example
//! program converges a file on one connection, and dropping a handle
//! leaves no thread behind.

use kafka_init_test_support as support;

use std::process::Command;
use std::time::{Duration, Instant};

use kafka_init::{Cluster, EnsureOptions, TopicFile};
use support::*;

#[tokio::test]
async fn the_example_plans_applies_and_finds_the_cluster_converged() {
    let prefix = format!("{}.", unique("handle"));
    let dir = std::env::temp_dir().join(unique("kafka-init-handle"));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("topics.yaml");
    std::fs::write(&path, default_yaml_with_prefix(&prefix)).unwrap();

    let out = Command::new(example("cluster"))
        .arg(&path)
        .arg(bootstrap())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("created"), "{stdout}");
    assert_default_topics(&prefix).await;
}

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

#[test]
fn dropping_a_handle_leaves_no_thread_behind() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let prefix = format!("{}.", unique("handle-drop"));
    let file = TopicFile::parse(&default_yaml_with_prefix(&prefix), "t.yaml").unwrap();
    // Warm up the runtime's blocking pool so its threads are counted before.
    let before = {
        let cluster = runtime
            .block_on(Cluster::connect(&EnsureOptions::new(bootstrap())))
            .unwrap();
        runtime.block_on(cluster.ensure(&file.topics)).unwrap();
        drop(cluster);
        wait_for(threads);
        threads()
    };
    let cluster = runtime
        .block_on(Cluster::connect(&EnsureOptions::new(bootstrap())))
        .unwrap();
    let plan = runtime.block_on(cluster.plan(&file.topics)).unwrap();
    assert!(plan.is_converged(), "{plan}");
    assert!(threads() > before, "the client runs threads of its own");
    drop(cluster);
    let deadline = Instant::now() + Duration::from_secs(10);
    while threads() > before {
        assert!(
            Instant::now() < deadline,
            "{} thread(s) left after drop",
            threads() - before
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `count` stops changing for a moment (threads winding down).
fn wait_for(count: impl Fn() -> usize) {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = count();
    let mut stable_since = Instant::now();
    while Instant::now() < deadline && stable_since.elapsed() < Duration::from_millis(500) {
        std::thread::sleep(Duration::from_millis(20));
        let now = count();
        if now != last {
            last = now;
            stable_since = Instant::now();
        }
    }
}
