//! The same file as `profiles.rs` on a three-node cluster, without a
//! profile: replication factor 3 and `min.insync.replicas` 2, as the base
//! file says. Needs a running three-node cluster, named by
//! `KAFKA_INIT_TEST_CLUSTER_BOOTSTRAP`
//! (`KAFKA_NODES=3 KAFKA_PORT=... scripts/kafka.sh start`), so it is
//! ignored unless asked for: `cargo test --test profiles_cluster -- --ignored`.

mod runner;
use kafka_init_test_support as support;

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, ResourceSpecifier};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;

fn cluster() -> String {
    std::env::var("KAFKA_INIT_TEST_CLUSTER_BOOTSTRAP")
        .expect("KAFKA_INIT_TEST_CLUSTER_BOOTSTRAP: a three-node cluster")
}

fn admin() -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", cluster())
        .set("allow.auto.create.topics", "false")
        .create()
        .expect("admin client")
}

#[test]
#[ignore = "needs a three-node cluster: KAFKA_INIT_TEST_CLUSTER_BOOTSTRAP"]
fn the_base_file_on_three_nodes_gives_rf_3_and_min_isr_2() {
    let name = support::unique("prof3");
    let path = runner::topic_file(&format!(
        r#"kafka:
  defaults:
    partitions: 3
    replication_factor: 3
    config:
      min.insync.replicas: "2"
  profiles:
    dev:
      defaults:
        replication_factor: 1
        config:
          min.insync.replicas: "1"
  topics:
    workload:
      name: "{name}"
"#
    ));
    let run = runner::kafka_init(&["apply"], &path, &cluster(), "90s", &[]);
    assert_eq!(run.code, 0, "{}", run.all());

    let metadata = admin()
        .inner()
        .fetch_metadata(Some(&name), Duration::from_secs(10))
        .expect("metadata");
    let topic = &metadata.topics()[0];
    assert_eq!(topic.partitions().len(), 3);
    for p in topic.partitions() {
        assert_eq!(p.replicas().len(), 3, "partition {}", p.id());
    }
    let rt = tokio::runtime::Runtime::new().unwrap();
    let configs = rt
        .block_on(
            admin().describe_configs(&[ResourceSpecifier::Topic(&name)], &AdminOptions::new()),
        )
        .expect("describe_configs");
    let resource = configs.into_iter().next().unwrap().expect("topic configs");
    let min_isr = resource
        .get("min.insync.replicas")
        .and_then(|e| e.value.clone());
    assert_eq!(min_isr.as_deref(), Some("2"));

    let run = runner::kafka_init(&["plan"], &path, &cluster(), "30s", &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.contains("3/3"), "{}", run.all());
}
