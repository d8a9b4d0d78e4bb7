use std::path::Path;

use serde_yaml::Value;

use super::parsed::Parsed;
use super::*;
use crate::file::parse::Tree;
use crate::policy;
use crate::spec::TopicSpec;

fn warnings(text: &str) -> Vec<String> {
    match TopicFile::parse(text, "f.yaml") {
        Ok(file) => file
            .warnings
            .iter()
            .map(|w| w.problem.to_string())
            .collect(),
        Err(e) => panic!("{e}"),
    }
}

fn problems(text: &str) -> Vec<String> {
    match TopicFile::parse(text, "f.yaml") {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
    }
}

#[test]
fn default_yaml_has_the_six_reference_topics() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../config/default.yaml");
    let file = TopicFile::load(path).unwrap();
    let names: Vec<_> = file.topics.iter().map(|t| t.name.as_ref()).collect();
    assert_eq!(
        names,
        [
            "dc.workload",
            "dc.power",
            "dc.topology",
            "sim.topology",
            "sys.config",
            "sim.results"
        ]
    );
    assert_eq!(file.bootstrap_servers.as_deref(), Some("kafka:29092"));
    assert!(file.client.is_empty());
    let topology = &file.topics[2];
    assert_eq!(topology.partitions.kafka(), 1);
    assert_eq!(topology.replication_factor.kafka(), 1);
    assert_eq!(topology.config_value("cleanup.policy"), Some("compact"));
    assert_eq!(
        topology.config_value("min.compaction.lag.ms"),
        Some("3600000")
    );
}

#[test]
fn syntax_error_names_file_line_and_column() {
    let err = TopicFile::parse("kafka:\n  topics: [\n", "bad.yaml").unwrap_err();
    assert_eq!(err.problems.len(), 1);
    assert!(err.problems[0].line >= 2, "{err}");
    assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
    assert!(!err.to_string().contains(" at line "), "{err}");
}

#[test]
fn unquoted_scalars_become_strings() {
    let file = TopicFile::parse(
            "kafka:\n  topics:\n    a:\n      name: a\n      config:\n        retention.ms: 1000\n        preallocate: true\n        min.cleanable.dirty.ratio: 0.25\n",
            "f.yaml",
        )
        .unwrap();
    assert_eq!(file.topics[0].config_value("retention.ms"), Some("1000"));
    assert_eq!(file.topics[0].config_value("preallocate"), Some("true"));
    assert_eq!(
        file.topics[0].config_value("min.cleanable.dirty.ratio"),
        Some("0.25")
    );
}

#[test]
fn a_value_left_out_points_at_its_key_not_the_next_line() {
    let text = "kafka:\n  topics:\n    bad:\n    ok:\n      name: \"a\"\n      partitions:\n";
    assert_eq!(
        problems(text),
        [
            "3:5: topic `bad`: expected a mapping with at least `name`, found nothing (null)",
            "6:7: topic `a`: partitions: expected a whole number, found nothing (null)"
        ]
    );
}

#[test]
fn every_problem_is_reported_with_its_place() {
    let text = "\
kafka:
  topics:
    topology:
      name: \"dc.topology\"
      partitions: 0
      config:
        cleanup.policy: \"compakt\"
        retention.mss: 5
    power:
      partition: 3
    results:
      name: \"__results\"
      replication_factor: \"3\"
";
    assert_eq!(
            problems(text),
            [
                "5:19: topic `dc.topology`: partitions must be at least 1, got 0",
                "7:25: topic `dc.topology`: cleanup.policy: `compakt` is not one of `compact`, `delete`",
                "8:9: topic `dc.topology`: unknown config key `retention.mss`; did you mean `retention.ms`?",
                "9:5: topic `power`: missing `name`",
                "10:7: topic `power`: unknown key `partition`; did you mean `partitions`?",
                "12:13: topic `results`: name `__results` starts with `__`, which Kafka reserves for internal topics",
                "13:27: topic `__results`: replication_factor: expected a whole number, found a string `\"3\"`",
            ]
        );
}

#[test]
fn duplicate_keys_name_both_places() {
    let text =
        "kafka:\n  topics:\n    a:\n      name: a\n    a:\n      name: b\n    c:\n      name: a\n";
    // The first `a` is kept, so the duplicate name is found too.
    assert_eq!(
            problems(text),
            [
                "5:5: key `a` appears twice in `kafka.topics` (first at line 3, column 5); YAML would keep only one",
                "8:13: topic `c`: name `a` is already declared by topic `a`",
            ]
        );
}

#[test]
fn broken_fields_do_not_cause_secondary_problems() {
    let text = "kafka:\n  topics:\n    a:\n      name: a\n      replication_factor: x\n      config:\n        min.insync.replicas: 2\n";
    let got = problems(text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(got[0].starts_with("5:27:"), "{got:?}");
}

#[test]
fn out_of_range_sizes() {
    let text = "kafka:\n  topics:\n    a:\n      name: a\n      partitions: 3000000000\n      replication_factor: 40000\n";
    assert_eq!(
        problems(text),
        [
            "5:19: topic `a`: partitions: 3000000000 is out of range: at most 2147483647",
            "6:27: topic `a`: replication_factor: 40000 is out of range: at most 32767",
        ]
    );
}

#[test]
fn client_properties_and_env_references() {
    let text = "\
kafka:
  bootstrap_servers: \"${KAFKA_HOST:-localhost}:9092\"
  client:
    security.protocol: SASL_SSL
    sasl.password: \"${SASL_PASSWORD}\"
    retries: 3
";
    let raw = TopicFile::parse(text, "f.yaml").unwrap();
    assert_eq!(
        raw.bootstrap_servers.as_deref(),
        Some("${KAFKA_HOST:-localhost}:9092")
    );
    assert_eq!(raw.client.get("sasl.password"), Some("${SASL_PASSWORD}"));

    let env = |name: &str| (name == "SASL_PASSWORD").then(|| "hunter2".to_owned());
    let file = TopicFile::parse_with_env(text, "f.yaml", env).unwrap();
    assert_eq!(file.bootstrap_servers.as_deref(), Some("localhost:9092"));
    assert_eq!(
        file.client.iter().collect::<Vec<_>>(),
        [
            ("security.protocol", "SASL_SSL"),
            ("sasl.password", "hunter2"),
            ("retries", "3")
        ]
    );
    assert!(!format!("{file:?}").contains("hunter2"));

    let err = TopicFile::parse_with_env(text, "f.yaml", |_| None).unwrap_err();
    assert_eq!(err.problems.len(), 1, "{err}");
    let shown = err.to_string();
    assert!(shown.starts_with("f.yaml:5:20: kafka.client.sasl.password: environment variable `SASL_PASSWORD` is not set"), "{shown}");
}

#[test]
fn malformed_references_are_problems_even_unresolved() {
    let text = "kafka:\n  bootstrap_servers: \"${HOST\"\n";
    let got = problems(text);
    assert_eq!(got.len(), 1);
    assert!(
        got[0].starts_with("2:22: kafka.bootstrap_servers: "),
        "{got:?}"
    );
}

#[test]
fn merge_keys_are_applied() {
    let text = "\
x-defaults: &defaults
  partitions: 3
  config:
    retention.ms: 1000
kafka:
  topics:
    a:
      <<: *defaults
      name: a
    b:
      <<: *defaults
      name: b
      partitions: 0
";
    let got = problems(text);
    assert_eq!(
        got,
        ["13:19: topic `b`: partitions must be at least 1, got 0"]
    );
    let text = text.replace("partitions: 0", "partitions: 6");
    // The README's example: a merge inside `config`.
    let readme = "x-compacted: &compacted\n  cleanup.policy: \"compact\"\nkafka:\n  topics:\n    t:\n      name: t\n      config:\n        <<: *compacted\n        min.compaction.lag.ms: \"3600000\"\n";
    let t = &TopicFile::parse(readme, "f.yaml").unwrap().topics[0];
    assert_eq!(t.config_value("cleanup.policy"), Some("compact"));
    assert_eq!(t.config_value("min.compaction.lag.ms"), Some("3600000"));
    let file = TopicFile::parse(&text, "f.yaml").unwrap();
    assert_eq!(file.topics[0].partitions.kafka(), 3);
    assert_eq!(file.topics[1].partitions.kafka(), 6);
    assert_eq!(file.topics[1].config_value("retention.ms"), Some("1000"));
}

const PROFILED: &str = "\
kafka:
  bootstrap_servers: \"kafka:29092\"
  defaults:
    partitions: 3
    replication_factor: 3
    config:
      min.insync.replicas: \"2\"
      retention.ms: \"1000\"
  profiles:
    dev:
      bootstrap_servers: \"localhost:9092\"
      defaults:
        replication_factor: 1
        config:
          min.insync.replicas: \"1\"
      topics:
        a:
          partitions: 1
          config:
            segment.ms: null
    prod: {}
  topics:
    a:
      name: a
      partitions: 6
      replication_factor: default
      config:
        segment.ms: \"60000\"
        retention.ms: null
    b:
      name: b
      replication_factor: 2
";

fn shape(t: &TopicSpec) -> (i32, i32, Vec<(String, String)>) {
    let config = t
        .config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    (t.partitions.kafka(), t.replication_factor.kafka(), config)
}

fn owned(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn precedence_defaults_topic_profile_defaults_profile_topic() {
    let file = TopicFile::parse(PROFILED, "f.yaml").unwrap();
    // Base: the topic's own fields over `defaults`; its `null` removes
    // a default.
    assert_eq!(
        shape(&file.topics[0]),
        (
            6,
            -1,
            owned(&[("min.insync.replicas", "2"), ("segment.ms", "60000")])
        )
    );
    assert_eq!(
        shape(&file.topics[1]),
        (
            3,
            2,
            owned(&[("min.insync.replicas", "2"), ("retention.ms", "1000")])
        )
    );
    let dev = file.topics_for(Some("dev")).unwrap();
    // The profile's defaults win over the topic's own fields, and its
    // `topics.<key>` over everything.
    assert_eq!(
        shape(&dev[0]),
        (1, 1, owned(&[("min.insync.replicas", "1")]))
    );
    assert_eq!(
        shape(&dev[1]),
        (
            3,
            1,
            owned(&[("min.insync.replicas", "1"), ("retention.ms", "1000")])
        )
    );
    assert_eq!(file.topics_for(Some("prod")).unwrap(), &file.topics[..]);
    assert_eq!(file.topics_for(None).unwrap(), &file.topics[..]);
    assert_eq!(
        file.bootstrap_servers_for(Some("dev")),
        Some("localhost:9092")
    );
    assert_eq!(
        file.bootstrap_servers_for(Some("prod")),
        Some("kafka:29092")
    );
    let err = file.topics_for(Some("stage")).unwrap_err().to_string();
    assert_eq!(
        err,
        "unknown profile `stage`: the topic file declares `dev`, `prod`"
    );
}

#[test]
fn a_problem_of_one_profile_names_it_and_the_place_that_causes_it() {
    // prod's RF 1 breaks the base file's min.insync.replicas 2.
    let text = PROFILED.replace(
        "    prod: {}\n",
        "    prod:\n      topics:\n        b:\n          replication_factor: 1\n",
    );
    // Kafka accepts it: a warning, not an error.
    assert_eq!(problems(&text), Vec::<String>::new());
    assert_eq!(
        warnings(&text),
        ["7:28: warning: profile prod: topic `b`: min.insync.replicas (2) is greater than replication_factor (1): producers with acks=all could never write"]
    );
    // What the broker refuses is an error, naming the profile, at the
    // profile's line.
    let text = text.replace(
        "          replication_factor: 1\n",
        "          replication_factor: 0\n",
    );
    assert_eq!(
        problems(&text),
        ["24:31: profile prod: topic `b`: replication_factor must be at least 1, got 0"]
    );
}

#[test]
fn a_base_problem_is_reported_once_not_once_per_profile() {
    let text = PROFILED.replace("segment.ms: \"60000\"", "segment.ms: \"0\"");
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:?}");
    assert!(
        got[0].starts_with("28:21: topic `a`: segment.ms"),
        "{got:?}"
    );
}

#[test]
fn a_literal_minus_one_asks_for_default() {
    let text = "kafka:\n  topics:\n    a:\n      name: a\n      partitions: -1\n";
    assert_eq!(
            problems(text),
            ["5:19: topic `a`: partitions must be at least 1, got -1 (write `default` for the broker's default)"]
        );
}

#[test]
fn owns_and_protect_are_read() {
    let text = "kafka:\n  owns: [\"dc.\", \"^sys\\\\.config$\"]\n  protect: [\"dc.keep\"]\n  topics:\n    a:\n      name: dc.a\n    b:\n      name: sys.config\n";
    let file = TopicFile::parse(text, "f.yaml").unwrap();
    let owns = file.ownership.owns.as_ref().unwrap();
    assert_eq!(
        owns.entries().collect::<Vec<_>>(),
        ["dc.", "^sys\\.config$"]
    );
    assert!(file.ownership.is_protected("dc.keep.me"));
    assert!(file.ownership.owns("dc.other"));
    let plain = TopicFile::parse("kafka:\n  topics:\n", "f.yaml").unwrap();
    assert_eq!(plain.ownership.owns, None);
}

#[test]
fn a_declared_topic_outside_owns_is_named_with_its_line() {
    let text = "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a\n    b:\n      name: sim.b\n";
    assert_eq!(
            problems(text),
            ["7:13: topic `sim.b`: outside `kafka.owns` (`dc.`); a file declares only topics in the namespace it owns"]
        );
}

#[test]
fn bad_owns_entries_point_at_themselves() {
    let text = "kafka:\n  owns:\n    - \"dc.\"\n    - \"\"\n    - \"^(\"\n    - \"__\"\n  protect: \"x\"\n  prune: true\n";
    let got = problems(text);
    assert_eq!(got.len(), 4, "{got:?}");
    assert!(
        got[0].starts_with("4:7: kafka.owns: an entry is empty"),
        "{got:?}"
    );
    assert_eq!(
        got[1],
        "5:7: kafka.owns: `^(` is not a valid regular expression: unclosed group"
    );
    assert!(
        got[2].starts_with("7:12: kafka.protect: expected a list"),
        "{got:?}"
    );
    assert!(
        got[3].starts_with("8:3: kafka.prune: pruning is not a file setting"),
        "{got:?}"
    );
    // Checked once the other entries are valid.
    let text = "kafka:\n  owns: [\"dc.\", \"__\", \"^_schemas$\"]\n";
    let got = problems(text);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with("2:17: kafka.owns: `__` only matches protected names"),
        "{got:?}"
    );
    assert!(problems("kafka:\n  owns: []\n")[0].contains("the list is empty"));
}

#[cfg(test)]
mod policy_tests {
    use super::*;

    const FILE: &str = r#"kafka:
  policy:
    replication_factor: { min: 3 }
    required_config: [retention.ms]
  profiles:
    dev:
      policy:
        replication_factor: { min: 1 }
      defaults:
        replication_factor: 1
    bad:
      defaults:
        replication_factor: 1
  topics:
    power:
      name: dc.power
      replication_factor: 3
"#;

    #[test]
    fn violations_name_their_place_and_a_profile_policy_replaces_rules() {
        let e = TopicFile::parse(FILE, "t.yaml").unwrap_err();
        let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "13:29: profile bad: defaults: replication_factor 1 is below policy replication_factor min 3 (t.yaml:3:32)",
                "15:5: topic dc.power: retention.ms is not set; policy required_config requires it (t.yaml:4:23)",
            ]
        );
    }

    #[test]
    fn a_policy_file_is_a_policy_mapping_and_every_problem_is_a_policy_problem() {
        let p = parse_policy("policy:\n  partitions: { max: 8 }\n", "p.yaml").unwrap();
        assert!(!p.is_empty());
        let e = parse_policy("rules:\n  partitions: { max: 8 }\n", "p.yaml").unwrap_err();
        let problems: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            problems,
            [
                "1:1: unknown key `rules`; a policy file holds `policy:`",
                "1:1: missing `policy`: a policy file is a `policy:` mapping of rules",
            ]
        );
        assert!(e.breaks_policy());
        let e = parse_policy("policy: [\n", "p.yaml").unwrap_err();
        assert!(e.problems[0].message.starts_with("invalid YAML"));
        assert!(e.breaks_policy());
        // A topic file's own problems are not the policy's.
        let e = TopicFile::parse("kafka:\n  topics: 3\n", "t.yaml").unwrap_err();
        assert!(!e.breaks_policy());
        assert!(TopicFile::parse(FILE, "t.yaml")
            .unwrap_err()
            .breaks_policy());
    }

    #[test]
    fn an_external_policy_applies_with_the_stricter_rule_winning() {
        let text = "policy:\n  replication_factor: { min: 2 }\n  name_pattern: \"^sys\\\\.\"\n";
        let value: Value = serde_yaml::from_str(text).unwrap();
        let map = Tree::parse(text).unwrap();
        let (platform, problems) = policy::decode(
            value.get("policy").unwrap(),
            &["policy"],
            Path::new("platform.yaml"),
            &map,
            "policy",
        );
        assert!(problems.is_empty());
        let parsed = Parsed::with_policy(FILE, Path::new("t.yaml"), None, Some(&platform));
        let problems: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        assert!(
            problems.contains(
                &"16:13: topic dc.power: name does not match policy name_pattern (platform.yaml:3:17)"
                    .to_owned()
            ),
            "{problems:?}"
        );
        // dev's own rule is replaced, but the platform's minimum of 2 still binds it.
        assert!(
            problems.contains(
                &"10:29: profile dev: defaults: replication_factor 1 is below policy replication_factor min 2 (platform.yaml:2:30)"
                    .to_owned()
            ),
            "{problems:?}"
        );
    }
}

#[cfg(test)]
mod once_tests {
    use super::*;

    fn problems(text: &str) -> Vec<String> {
        match TopicFile::parse(text, "f.yaml") {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn warnings(text: &str) -> Vec<String> {
        let file = TopicFile::parse(text, "f.yaml").unwrap();
        file.warnings.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn a_bad_value_in_defaults_is_reported_once_at_its_line() {
        let text = "\
kafka:
  defaults:
    partitions: x
    config:
      cleanup.policy: compakt
  profiles:
    dev:
      defaults:
        replication_factor: 0
  topics:
    a: {name: a}
    b: {name: b}
    c: {name: c}
";
        let e = TopicFile::parse(text, "f.yaml").unwrap_err();
        let got: Vec<String> = e.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            got,
            [
                "3:17: kafka.defaults: partitions: expected a whole number, found a string `\"x\"`",
                "5:23: kafka.defaults: cleanup.policy: `compakt` is not one of `compact`, `delete`",
                "9:29: profile dev: defaults: replication_factor must be at least 1, got 0",
            ]
        );
        assert_eq!(e.problems[0].layer, Layer::Defaults);
        assert_eq!(e.problems[2].layer, Layer::Profile("dev".into()));
    }

    #[test]
    fn what_kafka_accepts_is_a_warning_at_its_place() {
        let text = "\
kafka:
  topics:
    a:
      name: a
      replication_factor: 1
      config:
        min.insync.replicas: 2
        cleanup.policy: \"\"
        min.cleanable.dirty.ratio: NaN
        retention.ms: 1000
        local.retention.ms: 2000
";
        assert_eq!(problems(text), Vec::<String>::new());
        assert_eq!(
            warnings(text),
            [
                "f.yaml:7:30: warning: topic `a`: min.insync.replicas (2) is greater than replication_factor (1): producers with acks=all could never write",
                "f.yaml:8:25: warning: topic `a`: cleanup.policy: empty: Kafka accepts it, and then neither deletes nor compacts the topic's data",
                "f.yaml:9:36: warning: topic `a`: min.cleanable.dirty.ratio: `NaN` is not a number: Kafka accepts it, but no ratio compares with it",
                "f.yaml:11:29: warning: topic `a`: local.retention.ms (2000) is greater than retention.ms (1000)",
            ]
        );
        assert!(
            TopicFile::parse(text, "f.yaml").unwrap().warnings[0]
                .problem
                .severity
                == Severity::Warning
        );
        // In tiered storage the broker refuses it: an error.
        let tiered = text.replace(
            "        retention.ms: 1000\n",
            "        retention.ms: 1000\n        remote.storage.enable: true\n",
        );
        let got = problems(&tiered);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(
            got[0].starts_with("12:29: topic `a`: local.retention.ms (2000) is greater"),
            "{got:?}"
        );
    }

    #[test]
    fn a_policy_may_make_warnings_errors() {
        let text = "\
kafka:
  policy:
    warnings: error
  topics:
    a:
      name: a
      config:
        min.insync.replicas: 2
";
        let e = TopicFile::parse(text, "f.yaml").unwrap_err();
        assert!(e.breaks_policy());
        assert_eq!(
            e.to_string(),
            "f.yaml:8:30: topic `a`: min.insync.replicas (2) is greater than replication_factor (1): producers with acks=all could never write; policy warnings: error makes it an error (f.yaml:3:15)"
        );
        // A profile's `warnings: warn` replaces the file's rule; a policy
        // file's `error` still binds.
        let relaxed = text.replace(
            "  topics:",
            "  profiles:\n    dev:\n      policy:\n        warnings: warn\n  topics:",
        );
        let e = TopicFile::parse(&relaxed, "f.yaml").unwrap_err();
        assert_eq!(e.problems.len(), 1, "{e}");
        let platform = parse_policy("policy:\n  warnings: error\n", "p.yaml").unwrap();
        let fine = text.replace("    warnings: error\n", "    warnings: warn\n");
        let parsed = Parsed::with_policy(&fine, Path::new("f.yaml"), None, Some(&platform));
        assert_eq!(parsed.problems.len(), 1);
        assert!(parsed.problems[0].message.ends_with("(p.yaml:2:13)"));
        assert!(parsed.warnings.is_empty());
        let bad = parse_policy("policy:\n  warnings: maybe\n", "p.yaml").unwrap_err();
        assert!(bad
            .to_string()
            .starts_with("p.yaml:2:13: policy: warnings: expected `error`"));
    }

    #[test]
    fn a_rule_set_the_same_in_the_file_and_a_policy_file_is_reported_once() {
        let text = "\
kafka:
  policy:
    required_config: [retention.ms]
    forbidden_config: [preallocate]
    name_pattern: \"^dc\\\\.\"
  topics:
    a:
      name: a
      config:
        preallocate: true
";
        let platform = parse_policy(
            "policy:\n  required_config: [retention.ms]\n  forbidden_config: [preallocate]\n  name_pattern: \"^dc\\\\.\"\n",
            "p.yaml",
        )
        .unwrap();
        let parsed = Parsed::with_policy(text, Path::new("f.yaml"), None, Some(&platform));
        let got: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
        assert_eq!(
            got,
            [
                "7:5: topic a: retention.ms is not set; policy required_config requires it (f.yaml:3:23)",
                "8:13: topic a: name does not match policy name_pattern (f.yaml:5:19)",
                "10:9: topic a: preallocate is forbidden by policy forbidden_config (f.yaml:4:24)",
            ]
        );
    }
}

#[cfg(test)]
mod scalar_tests {
    use super::*;

    #[test]
    fn topic_values_and_policy_lists_normalise_numbers_alike() {
        let text = "\
kafka:
  policy:
    allowed_values:
      min.cleanable.dirty.ratio: [0.5, 1.0]
      retention.ms: [1e3, 0x10]
  topics:
    a:
      name: a
      config:
        min.cleanable.dirty.ratio: 1.0
        retention.ms: 1000
    b:
      name: b
      config:
        min.cleanable.dirty.ratio: .5
        retention.ms: 16
";
        let file = TopicFile::parse(text, "f.yaml").unwrap();
        let values: Vec<_> = file
            .topics
            .iter()
            .flat_map(|t| t.config.iter().map(|(_, v)| v.to_string()))
            .collect();
        assert_eq!(values, ["1", "1000", "0.5", "16"]);
        // A quoted value is text as written: `1.0` is not `1` then.
        let quoted = text.replace("ratio: 1.0\n", "ratio: \"1.0\"\n");
        let e = TopicFile::parse(&quoted, "f.yaml").unwrap_err();
        assert!(e.to_string().contains("`1.0` is not allowed"), "{e}");
    }
}

const ACCESS: &str = r#"kafka:
  owns: ["dc."]
  topics:
    workload: {name: "dc.workload"}
    power:    {name: "dc.power"}
  access:
    simulator:
      principal: "User:simulator"
      produce: [workload]
      consume: [power, "dc.shared*"]
      groups: ["dc.simulator"]
      transactional_ids: ["dc.sim-tx"]
  profiles:
    prod:
      access:
        simulator: {principal: "User:sim-prod"}
"#;

#[test]
fn access_resolves_topic_keys_and_profiles_change_principals() {
    let file = TopicFile::parse(ACCESS, "f.yaml").unwrap();
    let base = file.access_for(None).unwrap();
    assert_eq!(base.len(), 1);
    assert_eq!(base[0].principal, "User:simulator");
    assert_eq!(base[0].produce.as_ref(), ["dc.workload"]);
    assert_eq!(base[0].consume.as_ref(), ["dc.power", "dc.shared*"]);
    let prod = file.access_for(Some("prod")).unwrap();
    assert_eq!(prod[0].principal, "User:sim-prod");
    assert_eq!(prod[0].produce, base[0].produce);
    let bindings: Vec<String> = crate::access::bindings(prod)
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(bindings.contains(&"User:sim-prod  WRITE  topic dc.workload".to_owned()));
    assert!(bindings.contains(&"User:sim-prod  READ  topic dc.shared*".to_owned()));
}

#[test]
fn bad_access_is_reported_at_its_place() {
    let cases: &[(&str, &str, &str)] = &[
        ("produce: [workload]", "produce: [nope]", "9:17: access `simulator`: `nope` is neither a topic key of this file nor a name inside `kafka.owns`"),
        ("groups: [\"dc.simulator\"]", "groups: [\"other.g\"]", "11:16: access `simulator`: group `other.g` is outside `kafka.owns`"),
        ("principal: \"User:simulator\"", "principal: \"simulator\"", "8:18: access `simulator`: principal `simulator` is not `Type:name`"),
        ("groups: [\"dc.simulator\"]", "groups: []", "11:15: access `simulator`: `groups` is an empty list"),
        ("groups: [\"dc.simulator\"]", "groups: [\"dc.a\", \"dc.a\"]", "11:24: access `simulator`: group `dc.a` is listed twice"),
        ("\"dc.shared*\"", "\"dc.sh*red\"", "10:24: access `simulator`: topic `dc.sh*red`: `*` may only end a name"),
        ("\"dc.shared*\"", "\"d*\"", "10:24: access `simulator`: topic `d*`: the prefix is not inside `kafka.owns`"),
    ];
    for (from, to, want) in cases {
        let text = ACCESS.replacen(from, to, 1);
        assert_ne!(text, ACCESS, "{from}");
        let got = problems(&text);
        assert_eq!(got.len(), 1, "{to}: {got:#?}");
        assert!(got[0].contains(want), "{to}: want {want}, got {got:#?}");
    }
}

#[test]
fn a_principal_twice_and_an_unknown_profile_entry_are_refused() {
    let twice = ACCESS.replace(
        "  profiles:",
        "    again:\n      principal: \"User:simulator\"\n      consume: [power]\n  profiles:",
    );
    let got = problems(&twice);
    assert!(
        got.iter()
            .any(|p| p.contains("principal `User:simulator` already has the entry `simulator`")),
        "{got:#?}"
    );
    let unknown = ACCESS.replace("simulator: {principal", "other: {principal");
    let got = problems(&unknown);
    assert!(
        got.iter()
            .any(|p| p.contains("profile prod: access `other` is not an entry")),
        "{got:#?}"
    );
    let no_owns = ACCESS.replace("  owns: [\"dc.\"]\n", "");
    let got = problems(&no_owns);
    assert!(
        got.iter()
            .any(|p| p.contains("topic `dc.shared*`: a prefix needs `kafka.owns`")),
        "{got:#?}"
    );
}

/// `ACCESS` with `policy` (the lines of a `policy` mapping, indented for
/// `kafka.policy`) before its topics.
fn with_access_policy(policy: &str) -> String {
    ACCESS.replacen(
        "  topics:",
        &format!("  policy:\n    access:\n{policy}  topics:"),
        1,
    )
}

#[test]
fn access_policy_principal_pattern_both_sides() {
    assert!(problems(&with_access_policy(
        "      principal_pattern: \"^User:sim\"\n"
    ))
    .is_empty());
    let got = problems(&with_access_policy(
        "      principal_pattern: \"^User:svc-\"\n",
    ));
    // Base and prod each break it, each at its own principal.
    assert_eq!(
        got,
        [
            "11:18: access `simulator`: principal `User:simulator` does not match policy access.principal_pattern `^User:svc-` (f.yaml:5:26)",
            "19:32: profile prod: access `simulator`: principal `User:sim-prod` does not match policy access.principal_pattern `^User:svc-` (f.yaml:5:26)",
        ]
    );
}

#[test]
fn access_policy_refuses_a_wildcard_principal_by_default() {
    let wild =
        |policy: &str| problems(&with_access_policy(policy).replace("User:simulator", "User:*"));
    let got = wild("      max_prefixed: 5\n");
    assert_eq!(
        got,
        ["11:18: access `simulator`: principal `User:*` is every principal of its type, which policy access.wildcard_principal refuses by default (set `wildcard_principal: true` to allow it) (f.yaml:4:5)"]
    );
    assert_eq!(
        wild("      wildcard_principal: false\n"),
        ["11:18: access `simulator`: principal `User:*` is every principal of its type, which policy access.wildcard_principal refuses (f.yaml:5:27)"]
    );
    assert!(wild("      wildcard_principal: true\n").is_empty());
    // Without access rules, a wildcard is the file's business.
    assert!(problems(&ACCESS.replace("User:simulator", "User:*")).is_empty());
}

#[test]
fn access_policy_can_refuse_raw_grants() {
    let text = with_access_policy("      allow: false\n").replace(
        "      groups: [\"dc.simulator\"]\n",
        "      groups: [\"dc.simulator\"]\n      allow: [{operation: describe, resource_type: topic, name: dc.power}]\n",
    );
    let got = problems(&text);
    assert_eq!(got.len(), 1, "{got:#?}");
    assert!(
        got[0].starts_with("15:14: access `simulator`: raw `allow` grants are refused by policy access.allow (f.yaml:5:14)"),
        "{got:#?}"
    );
    assert!(problems(&text.replace("allow: false", "allow: true")).is_empty());
}

#[test]
fn access_policy_caps_prefixed_grants_per_file() {
    let text = with_access_policy("      max_prefixed: 1\n").replace(
        "groups: [\"dc.simulator\"]",
        "groups: [\"dc.simulator\", \"dc.sim*\"]",
    );
    let got = problems(&text);
    assert_eq!(
        got,
        ["14:32: access `simulator`: `dc.sim*` is prefixed grant 2 of this file, more than policy access.max_prefixed 1 (f.yaml:5:21)"]
    );
    assert!(problems(&text.replace("max_prefixed: 1", "max_prefixed: 2")).is_empty());
}

#[test]
fn a_profile_policy_replaces_access_rules_and_an_external_one_binds_every_profile() {
    // prod's own policy replaces the pattern the base file sets.
    let text = with_access_policy("      principal_pattern: \"^User:simulator$\"\n").replace(
        "    prod:\n",
        "    prod:\n      policy:\n        access:\n          principal_pattern: \"^User:sim-\"\n",
    );
    assert!(problems(&text).is_empty(), "{:#?}", problems(&text));
    // A profile's policy applies to the base file's entries it inherits.
    let dev = ACCESS.replace(
        "  profiles:\n",
        "  profiles:\n    dev:\n      policy:\n        access:\n          principal_pattern: \"^User:dev-\"\n",
    );
    let got = problems(&dev);
    assert_eq!(
        got,
        ["8:18: profile dev: access `simulator`: principal `User:simulator` does not match policy access.principal_pattern `^User:dev-` (f.yaml:17:30)"]
    );
    let platform = "policy:\n  access:\n    max_prefixed: 0\n    wildcard_principal: true\n";
    let value: Value = serde_yaml::from_str(platform).unwrap();
    let (platform, found) = policy::decode(
        value.get("policy").unwrap(),
        &["policy"],
        Path::new("p.yaml"),
        &Tree::parse(platform).unwrap(),
        "policy",
    );
    assert!(found.is_empty());
    let parsed = Parsed::with_policy(ACCESS, Path::new("f.yaml"), None, Some(&platform));
    let got: Vec<String> = parsed.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(
        got,
        ["10:24: access `simulator`: `dc.shared*` is prefixed grant 1 of this file, more than policy access.max_prefixed 0 (p.yaml:3:19)"]
    );
}
