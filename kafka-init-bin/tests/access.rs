//! Access declared beside topics, proven by the clients themselves: after
//! `apply`, the granted principals produce and consume over SASL, and
//! everyone else is refused by the broker's authorizer; pruning takes a
//! right away and leaves what lies outside `owns` or belongs to a protected
//! principal.
//!
//! `scripts/test.sh` starts the broker with the authorizer on
//! (`KAFKA_ACL=1`): the PLAINTEXT listener is a super user (the binary runs
//! there), `svc-a`, `svc-b` and `limited` are PLAIN users with no rights
//! but what ACLs grant them.

mod runner;
use kafka_init_test_support as support;

use std::path::Path;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::producer::{FutureProducer, FutureRecord};
use rdkafka::{Offset, TopicPartitionList};
use runner::Run;
use support::unique;

fn sasl(user: &str) -> ClientConfig {
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", support::sasl_bootstrap())
        .set("security.protocol", "SASL_PLAINTEXT")
        .set("sasl.mechanism", "PLAIN")
        .set("sasl.username", user)
        .set("sasl.password", format!("{user}-secret"))
        .set("allow.auto.create.topics", "false");
    config
}

/// Writes one record to `topic` as `user` (a super user when `None`): the
/// broker's answer, `Err` naming the error when it refused.
async fn produce(user: Option<&str>, topic: &str) -> Result<(), String> {
    let mut config = match user {
        Some(user) => sasl(user),
        None => {
            let mut c = ClientConfig::new();
            c.set("bootstrap.servers", support::bootstrap());
            c
        }
    };
    let producer: FutureProducer = config
        .set("message.timeout.ms", "15000")
        .create()
        .map_err(|e| e.to_string())?;
    producer
        .send(
            FutureRecord::to(topic).key("k").payload("v"),
            Duration::from_secs(15),
        )
        .await
        .map(|_| ())
        .map_err(|(e, _)| e.to_string())
}

/// Reads the first record of `topic` as `user` in `group` and commits its
/// offset: `Err` naming what the broker refused (the topic or the group).
fn consume(user: &str, topic: &str, group: &str) -> Result<(), String> {
    let consumer: BaseConsumer = sasl(user)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| e.to_string())?;
    // A topic the principal may not read is one it may not describe
    // either: metadata says so, where a fetch would only retry quietly.
    let metadata = consumer
        .fetch_metadata(Some(topic), Duration::from_secs(15))
        .map_err(|e| e.to_string())?;
    if let Some(e) = metadata.topics().first().and_then(|t| t.error()) {
        return Err(format!("{:?}", rdkafka::types::RDKafkaErrorCode::from(e)));
    }
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .map_err(|e| e.to_string())?;
    consumer.assign(&tpl).map_err(|e| e.to_string())?;
    let deadline = Instant::now() + Duration::from_secs(20);
    let offset = loop {
        if Instant::now() > deadline {
            return Err("no record within 20 s".into());
        }
        match consumer.poll(Duration::from_millis(500)) {
            Some(Ok(message)) => break rdkafka::Message::offset(&message),
            Some(Err(e)) => return Err(e.to_string()),
            None => {}
        }
    };
    let mut commit = TopicPartitionList::new();
    commit
        .add_partition_offset(topic, 0, Offset::Offset(offset + 1))
        .map_err(|e| e.to_string())?;
    consumer
        .commit(&commit, CommitMode::Sync)
        .map_err(|e| e.to_string())
}

fn refused(result: Result<(), String>, what: &str) {
    match result {
        Ok(()) => panic!("{what}: allowed, should be refused"),
        Err(e) => assert!(
            e.contains("uthorization") || e.contains("AUTHORIZATION"),
            "{what}: refused for another reason: {e}"
        ),
    }
}

fn run(args: &[&str], path: &Path) -> Run {
    runner::kafka_init(args, path, &support::bootstrap(), "60s", &[])
}

fn file(base: &str, access: &str, extra: &str) -> String {
    format!(
        "kafka:\n  owns: [\"{base}.\"]\n{extra}  topics:\n    input:  {{name: \"{base}.in\"}}\n    output: {{name: \"{base}.out\"}}\n  access:\n{access}"
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn granted_principals_produce_and_consume_others_are_refused_and_prune_takes_rights_away() {
    let base = unique("acl");
    let (input, output) = (format!("{base}.in"), format!("{base}.out"));
    let (group, other_group) = (format!("{base}.g-a"), format!("{base}.g-other"));
    let entry_a = format!(
        "    a:\n      principal: \"User:svc-a\"\n      produce: [output]\n      consume: [input]\n      groups: [\"{group}\"]\n"
    );
    let path = runner::topic_file(&file(&base, &entry_a, ""));

    // Before: no topics, no rights.
    let r = run(&["plan"], &path);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stdout
            .contains(&format!("grant    User:svc-a  WRITE  topic {output}")),
        "{}",
        r.all()
    );

    let r = run(&["apply"], &path);
    assert_eq!(r.code, 0, "{}", r.all());
    produce(None, &input).await.expect("a super user writes");

    // Who may do what, as the broker decides it.
    produce(Some("svc-a"), &output)
        .await
        .expect("svc-a produces to its output");
    consume("svc-a", &input, &group).expect("svc-a consumes its input in its group");
    refused(
        produce(Some("svc-a"), &input).await,
        "svc-a producing to its input",
    );
    refused(
        consume("svc-a", &input, &other_group),
        "svc-a consuming in another group",
    );
    refused(
        produce(Some("svc-b"), &output).await,
        "svc-b, granted nothing",
    );

    // A re-run is converged: one DescribeAcls, nothing created.
    let r = run(&["apply", "--output", "json"], &path);
    assert_eq!(r.code, 0, "{}", r.all());
    let json: serde_json::Value = serde_json::from_str(r.stdout.trim()).unwrap();
    let requests = &json["requests"];
    assert_eq!(requests["describe_acls"], 1, "{}", r.all());
    assert_eq!(requests["create_acls"], 0, "{}", r.all());
    let r = run(&["plan"], &path);
    assert_eq!(r.code, 0, "{}", r.all());

    // Another file grants svc-b inside the namespace (its principal is
    // protected below) and outside it.
    let b_inside = runner::topic_file(&file(
        &base,
        &format!(
            "    b:\n      principal: \"User:svc-b\"\n      consume: [input]\n      groups: [\"{base}.g-b\"]\n"
        ),
        "",
    ));
    let r = run(&["apply"], &b_inside);
    assert_eq!(r.code, 0, "{}", r.all());
    let elsewhere = format!("{base}-x");
    let b_outside = runner::topic_file(&format!(
        "kafka:\n  owns: [\"{elsewhere}.\"]\n  topics:\n    t: {{name: \"{elsewhere}.t\"}}\n  access:\n    b:\n      principal: \"User:svc-b\"\n      produce: [t]\n"
    ));
    let r = run(&["apply"], &b_outside);
    assert_eq!(r.code, 0, "{}", r.all());

    // svc-a loses `consume`; svc-b is protected.
    let entry_a = format!(
        "    a:\n      principal: \"User:svc-a\"\n      produce: [output]\n      groups: [\"{group}\"]\n"
    );
    let pruning = runner::topic_file(&file(
        &base,
        &entry_a,
        "  protect_principals: [\"User:svc-b\"]\n",
    ));
    let r = run(&["plan", "--prune"], &pruning);
    assert_eq!(r.code, 2, "{}", r.all());
    assert!(
        r.stdout
            .contains(&format!("revoke   User:svc-a  READ  topic {input}")),
        "{}",
        r.all()
    );
    assert!(!r.stdout.contains("revoke   User:svc-b"), "{}", r.all());
    let r = run(&["apply", "--prune", "--max-deletions", "1"], &pruning);
    assert_eq!(r.code, 0, "{}", r.all());

    refused(
        consume("svc-a", &input, &group),
        "svc-a consuming after the prune",
    );
    produce(Some("svc-a"), &output)
        .await
        .expect("svc-a still produces to its output");
    consume("svc-b", &input, &format!("{base}.g-b"))
        .expect("svc-b's bindings are protected: it still consumes");
    produce(Some("svc-b"), &format!("{elsewhere}.t"))
        .await
        .expect("svc-b's grant outside the namespace stays");

    // `orphans` shows nothing left to revoke; export round-trips.
    let r = run(&["orphans"], &pruning);
    assert_eq!(r.code, 0, "{}", r.all());
    let exported = pruning.with_file_name("exported.yaml");
    let r = run(
        &["export", "--output-file", exported.to_str().unwrap()],
        &pruning,
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let text = std::fs::read_to_string(&exported).unwrap();
    assert!(text.contains("User:svc-a"), "{text}");
    assert!(text.contains("protect_principals"), "{text}");
    let r = run(&["plan", "--prune"], &exported);
    assert_eq!(
        r.code,
        0,
        "the export plans converged:\n{}\n{text}",
        r.all()
    );
}

#[test]
fn a_principal_without_rights_on_the_cluster_fails_with_1_naming_what_it_lacked() {
    let base = unique("acl-limited");
    support::allow_limited(&["All"], &base);
    let path = runner::topic_file(&format!(
        "kafka:\n  client:\n    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n    sasl.username: limited\n  topics:\n    t: {{name: \"{base}.t\"}}\n  access:\n    a:\n      principal: \"User:svc-a\"\n      produce: [t]\n"
    ));
    let r = runner::kafka_init(
        &["apply"],
        &path,
        &support::sasl_bootstrap(),
        "60s",
        &[("KAFKA_CLIENT_SASL_PASSWORD", "limited-secret")],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains("lacks DESCRIBE on the cluster"),
        "{}",
        r.all()
    );
    assert!(
        r.all().contains("CLUSTER_AUTHORIZATION_FAILED"),
        "{}",
        r.all()
    );
}

#[test]
fn bad_access_is_exit_3_at_its_line_and_nothing_is_sent() {
    let base = unique("acl-bad");
    let path = runner::topic_file(&file(
        &base,
        "    a:\n      principal: \"svc-a\"\n      produce: [nope]\n",
        "",
    ));
    let r = run(&["apply"], &path);
    assert_eq!(r.code, 3, "{}", r.all());
    assert!(
        r.all()
            .contains(":8:18: access `a`: principal `svc-a` is not `Type:name`"),
        "{}",
        r.all()
    );
    assert!(
        r.all()
            .contains(":9:17: access `a`: `nope` is neither a topic key"),
        "{}",
        r.all()
    );
    assert_eq!(support::topic_shape(&format!("{base}.in")), None);
}

/// Kafka's own AclCommand over the PLAINTEXT listener (a super user).
fn acl_command(args: &[&str]) -> String {
    let bootstrap = support::bootstrap();
    let out = std::process::Command::new(support::repo_path("scripts/kafka.sh"))
        .args(["acls", "--bootstrap-server", &bootstrap])
        .args(args)
        .output()
        .expect("run scripts/kafka.sh acls");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "acls {args:?}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn without_alter_on_the_cluster_a_run_with_access_to_grant_changes_nothing_and_exits_1() {
    let base = unique("acl-noalter");
    // svc-b may do anything to its topics and DESCRIBE the cluster, not ALTER it.
    acl_command(&[
        "--add",
        "--allow-principal",
        "User:svc-b",
        "--operation",
        "All",
        "--topic",
        &base,
        "--resource-pattern-type",
        "prefixed",
    ]);
    acl_command(&[
        "--add",
        "--allow-principal",
        "User:svc-b",
        "--operation",
        "Describe",
        "--cluster",
    ]);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let listed = acl_command(&["--list", "--principal", "User:svc-b"]).to_lowercase();
        let granted = listed.contains(&base.to_lowercase())
            && listed.contains("kafka-cluster")
            && listed.contains("operation=describe");
        if granted {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the broker does not list svc-b's grants:\n{listed}"
        );
    }
    let path = runner::topic_file(&format!(
        "kafka:\n  client:\n    security.protocol: SASL_PLAINTEXT\n    sasl.mechanism: PLAIN\n    sasl.username: svc-b\n  topics:\n    t: {{name: \"{base}.t\"}}\n  access:\n    a:\n      principal: \"User:svc-a\"\n      produce: [t]\n"
    ));
    let r = runner::kafka_init(
        &["apply"],
        &path,
        &support::sasl_bootstrap(),
        "60s",
        &[("KAFKA_CLIENT_SASL_PASSWORD", "svc-b-secret")],
    );
    assert_eq!(r.code, 1, "{}", r.all());
    assert!(
        r.all().contains("lacks ALTER on the cluster"),
        "{}",
        r.all()
    );
    // Decided while planning: the topic was never created.
    assert_eq!(support::topic_shape(&format!("{base}.t")), None);
}
