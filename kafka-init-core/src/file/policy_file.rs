//! A policy file: a `policy:` mapping at the top level.

use std::path::Path;

use serde_yaml::Value;

use super::diagnostics::{duplicate_message, FileError, Layer, Problem};
use super::parse::{Pos, Tree};
use crate::policy::{self, Policy};

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
    let map = Tree::parse(text).map_err(|e| {
        fail(vec![Problem::at(
            e.pos,
            format!("invalid YAML: {}", e.message),
        )])
    })?;
    let value = map.document(None);
    let mut problems: Vec<Problem> = map
        .duplicates
        .iter()
        .map(|d| Problem::at(d.second, duplicate_message(d)))
        .collect();
    if let Some(e) = &map.merge_error {
        problems.push(Problem::at(
            Pos { line: 1, column: 1 },
            format!("invalid YAML merge (`<<`): {e}"),
        ));
    }
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
