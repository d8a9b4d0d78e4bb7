//! Loading the topic file (`config/default.yaml`).

use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::Deserialize;

use crate::spec::TopicSpec;

/// A loaded, valid topic file.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicFile {
    pub path: PathBuf,
    pub bootstrap_servers: Option<String>,
    pub topics: Vec<TopicSpec>,
}

/// Everything wrong with a file, each problem with its place in it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct FileError {
    pub path: PathBuf,
    pub problems: Vec<Problem>,
}

/// One problem in a file. `line` and `column` are 1-based; 0 means the
/// problem has no place (the file could not be read at all).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            if p.line == 0 {
                write!(f, "{}: {}", self.path.display(), p.message)?;
            } else {
                write!(
                    f,
                    "{}:{}:{}: {}",
                    self.path.display(),
                    p.line,
                    p.column,
                    p.message
                )?;
            }
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    kafka: RawKafka,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawKafka {
    bootstrap_servers: Option<String>,
    #[serde(default)]
    topics: IndexMap<String, RawTopic>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTopic {
    name: String,
    #[serde(default = "one")]
    partitions: i32,
    #[serde(default = "one")]
    replication_factor: i32,
    #[serde(default)]
    config: IndexMap<String, Scalar>,
    #[serde(default)]
    keep_unmanaged_configs: bool,
}

fn one() -> i32 {
    1
}

/// Config values are strings on the wire; an unquoted `86400000` or `true`
/// in the file means the same thing.
#[derive(Deserialize)]
#[serde(untagged)]
enum Scalar {
    String(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl Scalar {
    fn into_string(self) -> String {
        match self {
            Scalar::String(s) => s,
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(f) => f.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

impl TopicFile {
    /// Reads and parses the file at `path`.
    pub fn load(path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| FileError {
            path: path.to_owned(),
            problems: vec![Problem {
                line: 0,
                column: 0,
                message: format!("cannot read file: {e}"),
            }],
        })?;
        TopicFile::parse(&text, path)
    }

    /// Parses `text`; `path` is only used to name the file in errors.
    pub fn parse(text: &str, path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        let path = path.as_ref().to_owned();
        let raw: RawFile = serde_yaml::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            FileError {
                path: path.clone(),
                problems: vec![Problem {
                    line,
                    column,
                    message: e.to_string(),
                }],
            }
        })?;
        let topics = raw
            .kafka
            .topics
            .into_iter()
            .map(|(key, t)| TopicSpec {
                key: Cow::Owned(key),
                name: Cow::Owned(t.name),
                partitions: t.partitions,
                replication_factor: t.replication_factor,
                config: t
                    .config
                    .into_iter()
                    .map(|(k, v)| (Cow::Owned(k), Cow::Owned(v.into_string())))
                    .collect::<Vec<_>>()
                    .into(),
                keep_unmanaged_configs: t.keep_unmanaged_configs,
            })
            .collect();
        Ok(TopicFile {
            path,
            bootstrap_servers: raw.kafka.bootstrap_servers,
            topics,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let topology = &file.topics[2];
        assert_eq!(topology.partitions, 1);
        assert_eq!(topology.replication_factor, 1);
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
    }

    #[test]
    fn unquoted_scalars_become_strings() {
        let file = TopicFile::parse(
            "kafka:\n  topics:\n    a:\n      name: a\n      config:\n        retention.ms: 1000\n        preallocate: true\n",
            "f.yaml",
        )
        .unwrap();
        assert_eq!(file.topics[0].config_value("retention.ms"), Some("1000"));
        assert_eq!(file.topics[0].config_value("preallocate"), Some("true"));
    }
}
