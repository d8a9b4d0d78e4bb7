//! Editing the topic file rebuilds the crate that includes it: renaming a
//! topic in the YAML, with no Rust file touched, makes stale uses of its
//! constant fail to compile. (`include_topics!` emits
//! `const _: &str = include_str!("<file>")`, which makes the file an input
//! of the crate.)
//!
//! A small crate under `target/tmp` is built with cargo three times. It
//! shares trybuild's target dir and flags, so the dependencies `ui` built
//! are reused.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const MAIN: &str = r#"kafka_init::include_topics!("topics.yaml");

fn main() {
    println!("{}", topics::PROBE_OLD);
}
"#;

fn yaml(name: &str) -> String {
    format!("kafka:\n  topics:\n    probe:\n      name: \"{name}\"\n")
}

/// A crate named `name` under `target/tmp` whose `main.rs` is `main`.
fn probe_crate(name: &str, main: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the repository");
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
             [dependencies]\nkafka-init = {{ path = {:?}, default-features = false }}\n\n[workspace]\n",
            root.display().to_string()
        ),
    )
    .unwrap();
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    std::fs::write(dir.join("src/main.rs"), main).unwrap();
    dir
}

#[test]
fn renaming_a_topic_in_the_yaml_breaks_stale_constant_uses() {
    let dir = probe_crate("rebuild-probe", MAIN);

    std::fs::write(dir.join("topics.yaml"), yaml("probe.old")).unwrap();
    let out = build(&dir);
    assert!(out.status.success(), "{}", stderr(&out));

    std::fs::write(dir.join("topics.yaml"), yaml("probe.new")).unwrap();
    let out = build(&dir);
    assert!(!out.status.success(), "a stale constant still compiled");
    assert!(
        stderr(&out).contains("cannot find value `PROBE_OLD` in module `topics`"),
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.join("topics.yaml"), yaml("probe.old")).unwrap();
    let out = build(&dir);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn editing_the_policy_file_rebuilds_the_crate() {
    let main = "kafka_init::include_topics!(\"topics.yaml\", policy = \"policy.yaml\");\n\nfn main() {\n    println!(\"{}\", topics::PROBE_TOPIC);\n}\n";
    let dir = probe_crate("rebuild-policy-probe", main);
    std::fs::write(dir.join("topics.yaml"), yaml("probe.topic")).unwrap();
    let policy = |pattern: &str| format!("policy:\n  name_pattern: \"{pattern}\"\n");
    std::fs::write(dir.join("policy.yaml"), policy("^probe\\\\.")).unwrap();
    let out = build(&dir);
    assert!(out.status.success(), "{}", stderr(&out));

    // Only the policy changes: the crate is built again, and fails.
    std::fs::write(dir.join("policy.yaml"), policy("^dc\\\\.")).unwrap();
    let out = build(&dir);
    assert!(!out.status.success(), "a policy edit did not rebuild");
    assert!(
        stderr(&out).contains(
            "topics.yaml:4:13: topic probe.topic: name does not match policy name_pattern (policy.yaml:2:17)"
        ),
        "{}",
        stderr(&out)
    );

    std::fs::write(dir.join("policy.yaml"), policy("^probe\\\\.")).unwrap();
    let out = build(&dir);
    assert!(out.status.success(), "{}", stderr(&out));
}

fn build(dir: &Path) -> Output {
    let target: PathBuf = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("tests/trybuild");
    // trybuild's flags, so its dependency builds are reused.
    let flags = r#"["--cfg", "trybuild", "--verbose", "-A", "dead_code"]"#;
    Command::new(env!("CARGO"))
        .args(["build", "--offline", "--quiet"])
        .arg(format!("--config=build.rustflags={flags}"))
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("RUSTFLAGS")
        .env("CARGO_INCREMENTAL", "0")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
