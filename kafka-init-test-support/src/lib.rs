//! Helpers the test suites of every crate share. They need a real broker:
//! `scripts/test.sh` starts one and exports `KAFKA_INIT_TEST_BOOTSTRAP`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
#[cfg(feature = "broker")]
use std::time::Duration;

#[cfg(feature = "broker")]
use rdkafka::admin::{AdminClient, AdminOptions, AlterConfig, ResourceSpecifier};
#[cfg(feature = "broker")]
use rdkafka::client::DefaultClientContext;
#[cfg(feature = "broker")]
use rdkafka::config::ClientConfig;
#[cfg(feature = "broker")]
use rdkafka::metadata::Metadata;
#[cfg(feature = "broker")]
use rdkafka::producer::{FutureProducer, FutureRecord};

/// The broker the tests run against. Panics (never skips) when unset, so a
/// suite without a broker cannot pass by testing nothing.
pub fn bootstrap() -> String {
    std::env::var("KAFKA_INIT_TEST_BOOTSTRAP").expect(
        "KAFKA_INIT_TEST_BOOTSTRAP is not set: run the tests with scripts/test.sh, which starts a broker",
    )
}

/// The test broker's SASL_PLAINTEXT listener (`KAFKA_SASL=1`). Panics
/// when unset, like [`bootstrap`].
pub fn sasl_bootstrap() -> String {
    std::env::var("KAFKA_INIT_TEST_SASL_BOOTSTRAP").expect(
        "KAFKA_INIT_TEST_SASL_BOOTSTRAP is not set: run the tests with scripts/test.sh, which starts a broker with a SASL listener",
    )
}

/// The test broker's TLS listeners (`KAFKA_TLS=1` in scripts/kafka.sh)
/// and the directory of its CA, certificates and keys.
pub struct Tls {
    /// SSL, server authentication only.
    pub tls: String,
    /// SSL with a required client certificate; the principal is its CN.
    pub mtls: String,
    /// SASL_SSL: PLAIN, SCRAM-SHA-512, OAUTHBEARER (unsecured JWS with the
    /// scope `kafka`).
    pub sasl_ssl: String,
    /// SASL_SSL with OAUTHBEARER tokens the identity provider signs.
    pub oidc: String,
    /// The identity provider's token endpoint (client credentials).
    pub token_url: String,
    pub dir: std::path::PathBuf,
}

/// The identity provider's client (scripts/kafka/oidc.py).
pub const OIDC_CLIENT_ID: &str = "kafkainit-client";
pub const OIDC_CLIENT_SECRET: &str = "kafkainit-client-secret";

/// The pass phrase of the client key `client.key` in [`Tls::dir`].
pub const CLIENT_KEY_PASSWORD: &str = "kafkainit-key-secret";

/// The test broker's TLS listeners. Panics when scripts/test.sh did not
/// export them, like [`bootstrap`].
pub fn tls() -> Tls {
    let var = |name: &str| {
        std::env::var(name).unwrap_or_else(|_| {
            panic!("{name} is not set: run the tests with scripts/test.sh, which starts a broker with TLS listeners (KAFKA_TLS=1)")
        })
    };
    Tls {
        tls: var("KAFKA_INIT_TEST_TLS_BOOTSTRAP"),
        mtls: var("KAFKA_INIT_TEST_MTLS_BOOTSTRAP"),
        sasl_ssl: var("KAFKA_INIT_TEST_SASL_SSL_BOOTSTRAP"),
        oidc: var("KAFKA_INIT_TEST_OIDC_BOOTSTRAP"),
        token_url: var("KAFKA_INIT_TEST_OIDC_TOKEN_URL"),
        dir: var("KAFKA_INIT_TEST_TLS_DIR").into(),
    }
}

impl Tls {
    /// The path of `name` (`ca.pem`, `client.key`, ...) in [`Tls::dir`].
    pub fn file(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }
}

/// The SASL/PLAIN user the test broker restricts (`KAFKA_ACL=1` in
/// scripts/kafka.sh): it may do only what [`allow_limited`] grants.
pub const LIMITED_USER: &str = "limited";
pub const LIMITED_PASSWORD: &str = "limited-secret";

/// Grants [`LIMITED_USER`] `operations` (AclCommand's names: `Create`,
/// `DescribeConfigs`, ...) on every topic whose name starts with `prefix`,
/// with Kafka's own AclCommand over the PLAINTEXT listener (a super user
/// there). Returns once the broker lists the grants, so the next request
/// meets them.
pub fn allow_limited(operations: &[&str], prefix: &str) {
    let principal = format!("User:{LIMITED_USER}");
    let acls = |action: &str, extra: &[&str]| -> String {
        let bootstrap = bootstrap();
        let mut args = vec!["acls", "--bootstrap-server", &bootstrap, action];
        args.extend(extra);
        args.extend(["--topic", prefix, "--resource-pattern-type", "prefixed"]);
        let out = std::process::Command::new(repo_path("scripts/kafka.sh"))
            .args(&args)
            .output()
            .expect("run scripts/kafka.sh acls");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        assert!(
            out.status.success(),
            "scripts/kafka.sh {args:?}: {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    };
    let mut add = vec!["--allow-principal", principal.as_str()];
    for op in operations {
        add.extend(["--operation", op]);
    }
    // AclCommand lists the resource's ACLs after adding, as the broker
    // reports them; list again until they all show.
    let granted = |listed: &str| {
        operations.iter().all(|op| {
            let wanted = format!("operation={}", acl_name(op));
            listed
                .lines()
                .any(|l| l.contains(&principal) && l.to_lowercase().contains(&wanted))
        })
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let mut listed = acls("--add", &add);
    while !granted(&listed) {
        assert!(
            std::time::Instant::now() < deadline,
            "the broker does not list the grants {operations:?} on `{prefix}*`:\n{listed}"
        );
        listed = acls("--list", &[]);
    }
}

/// AclCommand's `DescribeConfigs` as the broker lists it: `describe_configs`.
fn acl_name(operation: &str) -> String {
    let mut name = String::new();
    for (i, c) in operation.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            name.push('_');
        }
        name.push(c.to_ascii_lowercase());
    }
    name
}

/// A topic name no other test (or earlier run) uses.
pub fn unique(prefix: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!(
        "{prefix}-{}-{nanos}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

#[cfg(feature = "broker")]
pub fn admin() -> AdminClient<DefaultClientContext> {
    ClientConfig::new()
        .set("bootstrap.servers", bootstrap())
        .set("allow.auto.create.topics", "false")
        .create()
        .expect("admin client")
}

#[cfg(feature = "broker")]
pub fn metadata() -> Metadata {
    admin()
        .inner()
        .fetch_metadata(None, Duration::from_secs(10))
        .expect("metadata")
}

#[cfg(feature = "broker")]
/// Partition count and replication factor of `topic`, if it exists.
pub fn topic_shape(topic: &str) -> Option<(usize, usize)> {
    let md = metadata();
    let t = md
        .topics()
        .iter()
        .find(|t| t.name() == topic && t.error().is_none())?;
    Some((t.partitions().len(), t.partitions()[0].replicas().len()))
}

#[cfg(feature = "broker")]
/// One config value as the broker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reported {
    pub value: Option<String>,
    /// True when the topic itself sets it (source DYNAMIC_TOPIC_CONFIG).
    pub topic_level: bool,
}

#[cfg(feature = "broker")]
/// DescribeConfigs for `topics`, in one request.
pub async fn describe(topics: &[&str]) -> HashMap<String, HashMap<String, Reported>> {
    let admin = admin();
    let specs: Vec<_> = topics.iter().map(|t| ResourceSpecifier::Topic(t)).collect();
    let results = admin
        .describe_configs(&specs, &AdminOptions::new())
        .await
        .expect("describe_configs");
    let mut out = HashMap::new();
    for (topic, result) in topics.iter().zip(results) {
        let resource = result.unwrap_or_else(|e| panic!("describe {topic}: {e:?}"));
        let entries = resource
            .entries
            .into_iter()
            .map(|e| {
                (
                    e.name,
                    Reported {
                        value: e.value,
                        topic_level: e.source == rdkafka::admin::ConfigSource::DynamicTopic,
                    },
                )
            })
            .collect();
        out.insert(topic.to_string(), entries);
    }
    out
}

#[cfg(feature = "broker")]
/// `num.partitions` and `default.replication.factor` as broker `id` reports
/// them (DescribeConfigs on the broker resource).
pub async fn broker_defaults(id: i32) -> (usize, usize) {
    let results = admin()
        .describe_configs(&[ResourceSpecifier::Broker(id)], &AdminOptions::new())
        .await
        .expect("describe_configs");
    let resource = results.into_iter().next().unwrap().expect("broker configs");
    let value = |key: &str| -> usize {
        resource
            .get(key)
            .and_then(|e| e.value.as_deref())
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("broker {id} reports no `{key}`"))
    };
    (value("num.partitions"), value("default.replication.factor"))
}

#[cfg(feature = "broker")]
/// The topic-level (DYNAMIC_TOPIC_CONFIG) settings of one topic.
pub async fn topic_configs(topic: &str) -> HashMap<String, String> {
    describe(&[topic])
        .await
        .remove(topic)
        .unwrap()
        .into_iter()
        .filter(|(_, r)| r.topic_level)
        .map(|(k, r)| (k, r.value.unwrap_or_default()))
        .collect()
}

/// Sets `key` on `topic` as another tool would, behind kafka-init's back:
/// AlterConfigs with the topic's own settings plus this one (the request
/// replaces the whole set).
#[cfg(feature = "broker")]
pub async fn set_topic_config(topic: &str, key: &str, value: &str) {
    let mut own = topic_configs(topic).await;
    own.insert(key.to_owned(), value.to_owned());
    let mut alter = AlterConfig::new(ResourceSpecifier::Topic(topic));
    for (k, v) in &own {
        alter = alter.set(k, v);
    }
    let results = admin()
        .alter_configs(&[alter], &AdminOptions::new())
        .await
        .expect("alter_configs");
    for result in results {
        result.unwrap_or_else(|(_, e)| panic!("alter configs of {topic}: {e:?}"));
    }
}

/// The facade's example `name`, built by cargo (or found up to date), in
/// the target directory of the test binary that calls this.
pub fn example(name: &str) -> std::path::PathBuf {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["build", "--quiet", "--example", name])
        .current_dir(repo_path(""))
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building the example `{name}` failed");
    let exe = std::env::current_exe().expect("the test binary's path");
    let debug = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("test binaries sit in <target>/<profile>/deps");
    debug.join("examples").join(name)
}

/// A path in the repository, from the repository's root.
pub fn repo_path(relative: &str) -> std::path::PathBuf {
    let here = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    here.parent()
        .expect("the support crate sits in the repository's root")
        .join(relative)
}

/// `config/default.yaml`, with every topic name given `prefix`.
pub fn default_yaml_with_prefix(prefix: &str) -> String {
    let text = std::fs::read_to_string(repo_path("config/default.yaml")).unwrap();
    text.replace("name: \"", &format!("name: \"{prefix}"))
}

pub fn expected_default() -> Vec<(&'static str, HashMap<&'static str, &'static str>)> {
    vec![
        ("dc.workload", HashMap::from([("retention.ms", "86400000")])),
        ("dc.power", HashMap::from([("retention.ms", "3600000")])),
        (
            "dc.topology",
            HashMap::from([
                ("cleanup.policy", "compact"),
                ("min.compaction.lag.ms", "3600000"),
            ]),
        ),
        (
            "sim.topology",
            HashMap::from([
                ("cleanup.policy", "compact"),
                ("min.compaction.lag.ms", "0"),
            ]),
        ),
        ("sys.config", HashMap::from([("cleanup.policy", "compact")])),
        (
            "sim.results",
            HashMap::from([("retention.ms", "604800000")]),
        ),
    ]
}

#[cfg(feature = "broker")]
/// Asserts the six reference topics, names given `prefix`, are on the broker
/// exactly as `config/default.yaml` declares them.
pub async fn assert_default_topics(prefix: &str) {
    for (name, want) in expected_default() {
        let topic = format!("{prefix}{name}");
        assert_eq!(topic_shape(&topic), Some((1, 1)), "{topic}: partitions, RF");
        let got = topic_configs(&topic).await;
        let want: HashMap<String, String> = want
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        assert_eq!(got, want, "{topic}: topic-level configs");
    }
}

#[cfg(feature = "broker")]
/// What an independent producer achieved writing one record to every
/// partition.
#[derive(Debug, Default)]
pub struct Writes {
    /// Partitions whose record was acknowledged at the first try.
    pub acknowledged: usize,
    /// `topic/partition: error` for every record that was not.
    pub failures: Vec<String>,
}

#[cfg(feature = "broker")]
/// Writes one record to every partition of `topics` (name, partition
/// count) through `bootstrap`, as a service starting right after kafka-init
/// would, but one that never retries: rdkafka's `FutureProducer` with
/// `message.send.max.retries=0` and `acks=all`. Every record has a key
/// (compacted topics refuse records without one). All records are sent
/// before any acknowledgement is awaited. Beyond `PER_PRODUCER` partitions
/// the records are spread over several producers, all at once (one
/// librdkafka producer slows down with tens of thousands of partitions and
/// its records time out unsent).
pub async fn write_to_every_partition(bootstrap: &str, topics: &[(String, i32)]) -> Writes {
    const PER_PRODUCER: usize = 2500;
    let records: Vec<(&str, i32)> = topics
        .iter()
        .flat_map(|(topic, partitions)| (0..*partitions).map(move |p| (topic.as_str(), p)))
        .collect();
    let mut pending = Vec::new();
    let mut producers = Vec::new();
    for slice in records.chunks(PER_PRODUCER) {
        let producer: FutureProducer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("client.id", "independent-writer")
            .set("acks", "all")
            .set("message.send.max.retries", "0")
            .set("enable.idempotence", "false")
            .set("allow.auto.create.topics", "false")
            // Bounds a record that can never be sent (a partition the
            // cluster does not have); a sent one fails at its first answer.
            .set("message.timeout.ms", "60000")
            .set("queue.buffering.max.messages", "1000000")
            .set("linger.ms", "5")
            .create()
            .expect("producer");
        for &(topic, partition) in slice {
            let record = FutureRecord::to(topic)
                .partition(partition)
                .key("independent-writer")
                .payload("one record");
            match producer.send_result(record) {
                Ok(delivery) => pending.push((topic, partition, delivery)),
                Err((e, _)) => panic!("{topic}/{partition}: could not enqueue: {e}"),
            }
        }
        producers.push(producer);
    }
    let mut writes = Writes::default();
    for (topic, partition, delivery) in pending {
        match delivery.await {
            Ok(Ok(_)) => writes.acknowledged += 1,
            Ok(Err((e, _))) => writes.failures.push(format!("{topic}/{partition}: {e}")),
            Err(_) => writes
                .failures
                .push(format!("{topic}/{partition}: delivery report dropped")),
        }
    }
    drop(producers);
    writes
}
