//! A policy file: a `policy:` mapping at the top level.

use std::path::Path;

use serde_yaml::Value;

use super::parse::strip_location;
use super::{FileError, Layer, Problem};
use crate::policy::{self, Policy};
use crate::source_map::{Pos, SourceMap};

/// Parses and checks the policy file `text`; `path` names it in errors and
/// in the violations its rules cause.
pub fn parse_policy(text: &str, path: impl AsRef<Path>) -> Result<Policy, FileError> {
    let path = path.as_ref();
    let fail = |problems: Vec<Problem>| {
        FileError::of_policy(FileError {
            path: path.to_owned(),
            problems,
            others: Vec::new(),
        })
    };
    let value: Value = serde_yaml::from_str(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line(), l.column()))
            .unwrap_or((1, 1));
        fail(vec![Problem {
            layer: Default::default(),
            severity: Default::default(),
            line,
            column,
            message: format!("invalid YAML: {}", strip_location(&e.to_string())),
        }])
    })?;
    let map = SourceMap::build(text).unwrap_or_default();
    let mut problems = Vec::new();
    let rules = match &value {
        Value::Mapping(root) => {
            for key in root.keys() {
                let Some(k) = key.as_str() else { continue };
                if k != "policy" && !k.starts_with("x-") {
                    problems.push(Problem::at(
                        map.key(&[k]),
                        format!("unknown key `{k}`; a policy file holds `policy:`"),
                    ));
                }
            }
            root.get("policy")
        }
        _ => None,
    };
    let Some(rules) = rules else {
        problems.push(Problem::at(
            Pos { line: 1, column: 1 },
            "missing `policy`: a policy file is a `policy:` mapping of rules".to_owned(),
        ));
        return Err(fail(problems));
    };
    let (policy, found) = policy::decode(rules, &["policy"], path, &map, "policy");
    problems.extend(found.into_iter().map(|(pos, m)| Problem {
        layer: Layer::Policy,
        ..Problem::at(pos, m)
    }));
    if problems.is_empty() {
        Ok(policy)
    } else {
        problems.sort_by_key(|p| (p.line, p.column));
        Err(fail(problems))
    }
}
