//! The code `include_topics!` generates, tested as plain functions:
//! snapshots of the expansion, and the problems only code generation finds.

use std::path::Path;

use proc_macro2::TokenStream;

use super::{const_name, expand};

fn pretty(tokens: TokenStream) -> String {
    prettyplease::unparse(&syn::parse2(tokens).expect("generated code parses"))
}

fn errors(text: &str) -> Vec<String> {
    let e = expand(text, Path::new("f.yaml"));
    e.errors
        .map(|e| e.problems.iter().map(|p| p.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn const_names() {
    assert_eq!(const_name("dc.workload"), "DC_WORKLOAD");
    assert_eq!(const_name("payments-v2.events"), "PAYMENTS_V2_EVENTS");
    assert_eq!(const_name("9lives"), "_9LIVES");
    assert_eq!(const_name("a_b-c.D"), "A_B_C_D");
}

#[test]
fn default_yaml_snapshot() {
    let text = include_str!("../../../config/default.yaml");
    let e = expand(text, Path::new("config/default.yaml"));
    assert!(e.errors.is_none(), "{}", e.errors.unwrap());
    insta::assert_snapshot!(pretty(e.module));
}

/// A file with profiles: the same constants, `SPECS` for the base file and
/// each profile's topics in `PROFILES`.
#[test]
fn profiles_yaml_snapshot() {
    let text = include_str!("../../../config/profiles.yaml");
    let e = expand(text, Path::new("config/profiles.yaml"));
    assert!(e.errors.is_none(), "{}", e.errors.unwrap());
    insta::assert_snapshot!(pretty(e.module));
}

#[test]
fn fallback_snapshot() {
    let text = "kafka:\n  topics:\n    a:\n      name: dc.power\n      partitions: 0\n    b:\n      partitions: 1\n";
    let e = expand(text, Path::new("f.yaml"));
    assert_eq!(
        e.errors.unwrap().to_string(),
        "f.yaml:5:19: topic `dc.power`: partitions must be at least 1, got 0\nf.yaml:6:5: topic `b`: missing `name`"
    );
    insta::assert_snapshot!(pretty(e.module));
}

#[test]
fn names_that_share_a_constant() {
    let text = "kafka:\n  topics:\n    a:\n      name: a-b\n    b:\n      name: a.b\n    c:\n      name: a_b\n    d:\n      name: specs\n";
    assert_eq!(
        errors(text),
        [
            "6:13: topic `b`: name `a.b` gives the constant `A_B`, as does `a-b` (topic `a`); rename one of them",
            "8:13: topic `c`: name `a_b` collides with `a.b` (topic `b`): Kafka treats `.` and `_` in topic names as the same character",
            "8:13: topic `c`: name `a_b` gives the constant `A_B`, as does `a-b` (topic `a`); rename one of them",
            "10:13: topic `d`: name `specs` would be the constant `SPECS`, which the generated module already defines",
        ]
    );
}

#[test]
fn client_values_are_never_embedded() {
    let text = "kafka:\n  bootstrap_servers: \"${HOST:-localhost}:9092\"\n  client:\n    sasl.password: hunter2\n  topics:\n    a:\n      name: a\n";
    let e = expand(text, Path::new("f.yaml"));
    assert!(e.errors.is_none());
    let code = e.module.to_string();
    assert!(!code.contains("hunter2"), "{code}");
    assert!(code.contains("${HOST:-localhost}:9092"), "{code}");
}

#[test]
fn an_export_expands_without_problems() {
    use crate::ownership::{ExistingTopic, Namespace};
    let topics = [
        ExistingTopic {
            name: "dc.workload".into(),
            partitions: 4,
            replication_factor: 1,
            configs: [("retention.ms".to_string(), "86400000".to_string())].into(),
            in_use: None,
        },
        ExistingTopic {
            name: "dc.power".into(),
            partitions: 1,
            replication_factor: 1,
            configs: Default::default(),
            in_use: None,
        },
    ];
    let none = Namespace::default();
    let text = crate::report::topic_file(
        &topics,
        &Namespace::new(["dc."]).unwrap(),
        &none,
        &[],
        &[],
        &[],
    );
    assert_eq!(errors(&text), Vec::<String>::new(), "{text}");
    let code = pretty(expand(&text, Path::new("export.yaml")).module);
    assert!(
        code.contains("pub const DC_WORKLOAD: &str = \"dc.workload\";"),
        "{code}"
    );
}

#[test]
fn a_constant_clash_across_files_names_both_places() {
    let files = [
        (
            "kafka:\n  topics:\n    a:\n      name: a-b\n".to_owned(),
            std::path::PathBuf::from("topics/1.yaml"),
        ),
        (
            "kafka:\n  topics:\n    x:\n      name: x\n    b:\n      name: a.b\n".to_owned(),
            std::path::PathBuf::from("topics/2.yaml"),
        ),
    ];
    let e = super::expand_files("topics", &files).errors.unwrap();
    assert_eq!(
        e.to_string(),
        "topics/2.yaml:6:13: topic `b`: name `a.b` gives the constant `A_B`, as does `a-b` (topic `a` at topics/1.yaml:4:13); rename one of them"
    );
}

/// The example of `kafka.access`: `ACCESS`, each profile's entries, and a
/// constant per group and transactional id (the prefixed one has none).
const ACCESS_FILE: &str = r#"kafka:
  owns: ["dc."]
  topics:
    workload: {name: "dc.workload"}
    power:    {name: "dc.power"}
  access:
    simulator:
      principal: "User:simulator"
      produce: [workload]
      consume: [power]
      groups: ["dc.simulator", "dc.sim*"]
      transactional_ids: ["dc.sim-tx"]
    auditor:
      principal: "User:auditor"
      consume: ["dc.*"]
      groups: ["dc.simulator"]
      allow: [{operation: describe_configs, resource_type: topic, name: "dc.", pattern: prefixed}]
  profiles:
    prod:
      access:
        simulator: {principal: "User:sim-prod", groups: ["dc.simulator", "dc.sim-prod"]}
"#;

#[test]
fn access_yaml_snapshot() {
    let e = expand(ACCESS_FILE, Path::new("config/access.yaml"));
    assert!(e.errors.is_none(), "{}", e.errors.unwrap());
    insta::assert_snapshot!(pretty(e.module));
}

#[test]
fn granted_names_that_share_a_constant() {
    let text = ACCESS_FILE.replace(
        "transactional_ids: [\"dc.sim-tx\"]",
        "transactional_ids: [\"dc.sim-tx\", \"dc.sim_tx\"]",
    );
    assert_eq!(
        errors(&text),
        ["12:40: access `simulator`: transactional id `dc.sim_tx` gives the constant `transactional_ids::DC_SIM_TX`, as does `dc.sim-tx`; rename one of them"]
    );
    // In a profile, at the profile's list.
    let text = ACCESS_FILE.replace("\"dc.sim-prod\"", "\"dc.Simulator\"");
    assert_eq!(
        errors(&text),
        ["21:74: profile prod: access `simulator`: group `dc.Simulator` gives the constant `groups::DC_SIMULATOR`, as does `dc.simulator`; rename one of them"]
    );
    // A group and a transactional id may share a name: two modules.
    let text = ACCESS_FILE.replace("\"dc.sim-tx\"", "\"dc.simulator\"");
    assert_eq!(errors(&text), Vec::<String>::new());
}

#[test]
fn a_granted_constant_clash_across_files_names_both_places() {
    let file = |topic: &str, group: &str| {
        format!("kafka:\n  topics:\n    {topic}: {{name: {topic}}}\n  access:\n    {topic}:\n      principal: \"User:{topic}\"\n      groups: [\"{group}\"]\n")
    };
    let files = [
        (
            file("a", "g.one"),
            std::path::PathBuf::from("topics/1.yaml"),
        ),
        (
            file("b", "g-one"),
            std::path::PathBuf::from("topics/2.yaml"),
        ),
    ];
    let e = super::expand_files("topics", &files).errors.unwrap();
    assert_eq!(
        e.to_string(),
        "topics/2.yaml:7:16: access `b`: group `g-one` gives the constant `groups::G_ONE`, as does `g.one` at topics/1.yaml:7:16; rename one of them"
    );
    // The same group granted by both files is one constant.
    let files = [files[0].clone(), (file("b", "g.one"), files[1].1.clone())];
    let e = super::expand_files("topics", &files);
    assert!(e.errors.is_none(), "{}", e.errors.unwrap());
    let code = pretty(e.module);
    assert_eq!(code.matches("pub const G_ONE").count(), 1, "{code}");
    assert!(code.contains("/// - `User:b` (`b`)"), "{code}");
}
