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

/// The threads of kafka-init's clients in this process: librdkafka's own
/// (`rdk:…`) and the one delivering its events. Counted by name, so other
/// tests running in the same process do not count.
fn client_threads() -> usize {
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .filter(|name| name.starts_with("rdk:") || name.starts_with("kafka-init-even"))
        .count()
}

#[test]
fn dropping_a_handle_leaves_no_thread_behind() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let prefix = format!("{}.", unique("handle-drop"));
    let file = TopicFile::parse(&default_yaml_with_prefix(&prefix), "t.yaml").unwrap();
    let cluster = runtime
        .block_on(Cluster::connect(&EnsureOptions::new(bootstrap())))
        .unwrap();
    runtime.block_on(cluster.ensure(&file.topics)).unwrap();
    let plan = runtime.block_on(cluster.plan(&file.topics)).unwrap();
    assert!(plan.is_converged(), "{plan}");
    assert!(client_threads() > 0, "the client runs threads of its own");
    drop(cluster);
    let deadline = Instant::now() + Duration::from_secs(10);
    while client_threads() > 0 {
        assert!(
            Instant::now() < deadline,
            "{} client thread(s) left after drop",
            client_threads()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
