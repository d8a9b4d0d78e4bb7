//! Several valid topic files as one (`--config` given more than once, or
//! a directory of them): a topic declared in two files is an error naming
//! both places.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::collections::HashMap;
use std::path::Path;

use super::diagnostics::{FileError, Problem};
use super::parse::Tree;
use super::topic_file::TopicFile;
use crate::ownership::{overlapping_ownership, Namespace, OwnedFile, Ownership};
use crate::spec::{Profile, TopicSpec};

fn owned(f: &TopicFile) -> OwnedFile<'_> {
    OwnedFile {
        path: f.path.to_str().unwrap_or_default(),
        ownership: &f.ownership,
        declared: f.topics.iter().map(|t| t.name.as_ref()).collect(),
    }
}

/// One file from several valid ones: topics in order, a topic name in two
/// files an error naming both places, `bootstrap_servers` set the same
/// wherever it is set.
pub(crate) fn join(mut files: Vec<TopicFile>, texts: &[String]) -> Result<TopicFile, FileError> {
    if files.len() == 1 {
        return Ok(files.remove(0));
    }
    let mut errors: Vec<FileError> = Vec::new();
    let mut problem = |path: &Path, line: usize, column: usize, message: String| {
        let p = Problem {
            layer: Default::default(),
            severity: Default::default(),
            line,
            column,
            message,
        };
        match errors.iter_mut().find(|e| e.path == path) {
            Some(e) => e.problems.push(p),
            None => errors.push(FileError {
                path: path.to_owned(),
                problems: vec![p],
                others: Vec::new(),
            }),
        }
    };
    // Places are looked up only for a problem: valid files are not parsed
    // again.
    let trees: Vec<OnceCell<Tree>> = texts.iter().map(|_| OnceCell::new()).collect();
    let map =
        |file: usize| trees[file].get_or_init(|| Tree::parse(&texts[file]).unwrap_or_default());
    let name_at = |file: usize, key: &str| map(file).value(&["kafka", "topics", key, "name"]);
    let owns_at = |file: usize| map(file).value(&["kafka", "owns"]);

    // A name, or one that collides with it on `.` vs `_`, in two files.
    let mut seen: HashMap<String, (usize, &TopicSpec)> = HashMap::new();
    for (i, file) in files.iter().enumerate() {
        for spec in &file.topics {
            let folded = spec.name.replace('.', "_");
            if let Some((j, first)) = seen.get(&folded) {
                let at = name_at(*j, &first.key);
                let here = name_at(i, &spec.key);
                let what = if first.name == spec.name {
                    format!("topic `{}` is also declared", spec.name)
                } else {
                    format!(
                        "topic `{}` collides with `{}` (Kafka treats `.` and `_` alike), declared",
                        spec.name, first.name
                    )
                };
                problem(
                    &file.path,
                    here.line,
                    here.column,
                    format!(
                        "{what} in {}:{}:{}",
                        files[*j].path.display(),
                        at.line,
                        at.column
                    ),
                );
            } else {
                seen.insert(folded, (i, spec));
            }
        }
    }

    // `bootstrap_servers`: the same wherever it is set.
    let mut servers: Option<(usize, &str)> = None;
    for (i, file) in files.iter().enumerate() {
        let Some(s) = file.bootstrap_servers.as_deref() else {
            continue;
        };
        match servers {
            Some((j, first)) if first != s => {
                let at = map(i).value(&["kafka", "bootstrap_servers"]);
                problem(
                    &file.path,
                    at.line,
                    at.column,
                    format!(
                        "kafka.bootstrap_servers `{s}` differs from `{first}` in {}; set it in one file only",
                        files[j].path.display()
                    ),
                );
            }
            Some(_) => {}
            None => servers = Some((i, s)),
        }
    }
    // Files given together may not own overlapping namespaces: each pair
    // is reported at the later file's `owns`, naming the other's.
    for (j, b) in files.iter().enumerate() {
        for (i, a) in files[..j].iter().enumerate() {
            for message in overlapping_ownership(&[owned(a), owned(b)]) {
                let (at, first) = (owns_at(j), owns_at(i));
                problem(
                    &b.path,
                    at.line,
                    at.column,
                    format!(
                        "{message} (`owns` at {}:{}:{})",
                        a.path.display(),
                        first.line,
                        first.column
                    ),
                );
            }
        }
    }
    // Either every file says what it owns, or none does: the union of the
    // others' would leave this file's topics outside it.
    if let Some(owner) = files.iter().position(|f| f.ownership.owns.is_some()) {
        for (i, file) in files.iter().enumerate() {
            if file.ownership.owns.is_some() {
                continue;
            }
            let at = map(i).key(&["kafka"]);
            let first = owns_at(owner);
            problem(
                &file.path,
                at.line,
                at.column,
                format!(
                    "no `kafka.owns`, while {} owns {} (at line {}): files given together either all declare what they own or none does; add `owns` here",
                    files[owner].path.display(),
                    files[owner].ownership.owns.as_ref().map(ToString::to_string).unwrap_or_default(),
                    first.line,
                ),
            );
        }
    }

    if !errors.is_empty() {
        for e in &mut errors {
            e.problems.sort_by_key(|p| (p.line, p.column));
        }
        let mut first = errors.remove(0);
        first.others = errors;
        return Err(first);
    }

    // A profile applies to the files that declare it; the others take
    // their base topics under it.
    let mut names: Vec<Cow<'static, str>> = Vec::new();
    for file in &files {
        for p in &file.profiles {
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
        }
    }
    let profiles = names
        .into_iter()
        .map(|name| {
            let mut topics = Vec::new();
            let mut access = Vec::new();
            let mut bootstrap_servers = None;
            for file in &files {
                match file.profiles.iter().find(|p| p.name == name) {
                    Some(p) => {
                        topics.extend(p.topics.iter().cloned());
                        access.extend(p.access.iter().cloned());
                        bootstrap_servers = bootstrap_servers.or(p.bootstrap_servers.clone());
                    }
                    None => {
                        topics.extend(file.topics.iter().cloned());
                        access.extend(file.access.iter().cloned());
                    }
                }
            }
            Profile {
                name,
                bootstrap_servers,
                topics: Cow::Owned(topics),
                access: Cow::Owned(access),
            }
        })
        .collect();

    let mut client = files[0].client.clone();
    for file in &files[1..] {
        client.extend(&file.client);
    }
    // What the files own together: every file's `owns` and `protect`.
    let union = |of: &dyn Fn(&Ownership) -> Option<&Namespace>| -> Option<Namespace> {
        let entries: Vec<&str> = files
            .iter()
            .filter_map(|f| of(&f.ownership))
            .flat_map(|n| n.entries())
            .collect();
        let any = files.iter().any(|f| of(&f.ownership).is_some());
        // Each entry was valid in its own file.
        any.then(|| Namespace::new(entries).unwrap_or_default())
    };
    let ownership = Ownership {
        owns: union(&|o| o.owns.as_ref()),
        protect: union(&|o| Some(&o.protect)).unwrap_or_default(),
        protect_principals: {
            let mut all: Vec<String> = files
                .iter()
                .flat_map(|f| f.ownership.protect_principals.iter().cloned())
                .collect();
            all.sort();
            all.dedup();
            all
        },
    };
    Ok(TopicFile {
        ownership,
        warnings: files.iter().flat_map(|f| f.warnings.clone()).collect(),
        path: files[0].path.clone(),
        bootstrap_servers: servers.map(|(_, s)| s.to_owned()),
        client,
        topics: files.iter().flat_map(|f| f.topics.clone()).collect(),
        access: files.iter().flat_map(|f| f.access.clone()).collect(),
        profiles,
    })
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    pub(super) fn dir_with(test: &str, files: &[(&str, &str)]) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("kafka-init-files-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn a_profile_of_one_file_leaves_the_others_as_they_are() {
        let dir = dir_with("profile", &[
            ("a.yaml", "kafka:\n  profiles:\n    dev:\n      defaults:\n        partitions: 1\n  defaults:\n    partitions: 3\n  topics:\n    a:\n      name: a\n"),
            ("b.yml", "kafka:\n  bootstrap_servers: \"k:9092\"\n  topics:\n    b:\n      name: b\n      partitions: 2\n"),
            ("notes.md", "not a topic file"),
        ]);
        let file = TopicFile::load_all(&[dir]).unwrap();
        let sizes = |topics: &[TopicSpec]| -> Vec<(String, i32)> {
            topics
                .iter()
                .map(|t| (t.name.to_string(), t.partitions.kafka()))
                .collect()
        };
        assert_eq!(
            sizes(&file.topics),
            [("a".to_owned(), 3), ("b".to_owned(), 2)]
        );
        assert_eq!(
            sizes(file.topics_for(Some("dev")).unwrap()),
            [("a".to_owned(), 1), ("b".to_owned(), 2)]
        );
        assert_eq!(file.bootstrap_servers.as_deref(), Some("k:9092"));
    }

    #[test]
    fn a_name_in_two_files_and_two_bootstrap_servers_name_both_files() {
        let dir = dir_with(
            "twice",
            &[
                (
                    "1.yaml",
                    "kafka:\n  bootstrap_servers: \"k:1\"\n  topics:\n    a:\n      name: a\n",
                ),
                (
                    "2.yaml",
                    "kafka:\n  bootstrap_servers: \"k:2\"\n  topics:\n    again:\n      name: a\n",
                ),
            ],
        );
        let err = TopicFile::load_all(std::slice::from_ref(&dir)).unwrap_err();
        let (one, two) = (dir.join("1.yaml"), dir.join("2.yaml"));
        assert_eq!(
            err.to_string(),
            format!(
                "{two}:2:22: kafka.bootstrap_servers `k:2` differs from `k:1` in {one}; set it in one file only\n{two}:5:13: topic `a` is also declared in {one}:5:13",
                one = one.display(),
                two = two.display()
            )
        );
    }

    #[test]
    fn files_given_together_may_not_own_overlapping_namespaces() {
        let dir = dir_with(
            "owns",
            &[
                (
                    "1.yaml",
                    "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a\n",
                ),
                (
                    "2.yaml",
                    "kafka:\n  owns: [\"dc.\"]\n  topics:\n    b:\n      name: dc.b\n",
                ),
            ],
        );
        let err = TopicFile::load_all(std::slice::from_ref(&dir)).unwrap_err();
        let shown = err.to_string();
        assert!(shown.contains("own overlapping namespaces"), "{shown}");
        assert!(
            shown.starts_with(&format!("{}:2:", dir.join("2.yaml").display())),
            "{shown}"
        );

        // Disjoint ones join, owning both.
        std::fs::write(
            dir.join("2.yaml"),
            "kafka:\n  owns: [\"sim.\"]\n  topics:\n    b:\n      name: sim.b\n",
        )
        .unwrap();
        let file = TopicFile::load_all(&[dir]).unwrap();
        assert!(file.ownership.owns("dc.x") && file.ownership.owns("sim.x"));
        assert!(!file.ownership.owns("other.x"));
    }
}

#[cfg(test)]
mod given_together_tests {
    use std::path::PathBuf;

    use super::tests::dir_with;
    use super::*;

    #[test]
    fn a_file_without_owns_among_owning_ones_is_named() {
        let dir = dir_with(
            "owns-missing",
            &[
                (
                    "1.yaml",
                    "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a\n",
                ),
                ("2.yaml", "kafka:\n  topics:\n    b:\n      name: sim.b\n"),
            ],
        );
        let err = TopicFile::load_all(std::slice::from_ref(&dir)).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:1:1: no `kafka.owns`, while {} owns `dc.` (at line 2): files given together either all declare what they own or none does; add `owns` here",
                dir.join("2.yaml").display(),
                dir.join("1.yaml").display()
            )
        );
        // Following the advice loads.
        std::fs::write(
            dir.join("2.yaml"),
            "kafka:\n  owns: [\"sim.\"]\n  topics:\n    b:\n      name: sim.b\n",
        )
        .unwrap();
        assert!(TopicFile::load_all(&[dir]).is_ok());
    }

    #[test]
    fn the_same_file_given_twice_is_reported_as_such() {
        let dir = dir_with(
            "twice-given",
            &[("a.yaml", "kafka:\n  topics:\n    a:\n      name: a\n")],
        );
        let a = dir.join("a.yaml");
        let link = dir.join("link.yml");
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(&a, &link).unwrap();
        let shown = |paths: &[PathBuf]| TopicFile::load_all(paths).unwrap_err().to_string();
        assert_eq!(
            shown(&[a.clone(), a.clone()]),
            format!("{}: the file is given twice", a.display())
        );
        // The directory holds the file and a link to it.
        assert_eq!(
            shown(std::slice::from_ref(&dir)),
            format!(
                "{}: the file is given twice: as {} and as {}",
                link.display(),
                a.display(),
                link.display()
            )
        );
        std::fs::remove_file(&link).unwrap();
        // A file and its directory.
        assert_eq!(
            shown(&[a.clone(), dir.clone()]),
            format!("{}: the file is given twice", a.display())
        );
        let relative = dir.join(".").join("a.yaml");
        assert!(shown(&[a.clone(), relative]).contains("given twice"));
        assert!(!shown(&[a.clone(), a]).contains("declared"));
    }

    #[test]
    fn the_overlap_advice_can_be_followed() {
        let dir = dir_with(
            "overlap-advice",
            &[
                (
                    "1.yaml",
                    "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a.x\n",
                ),
                (
                    "2.yaml",
                    "kafka:\n  owns: [\"dc.b.\"]\n  topics:\n    b:\n      name: dc.b.y\n",
                ),
            ],
        );
        let err = TopicFile::load_all(std::slice::from_ref(&dir)).unwrap_err();
        let (one, two) = (dir.join("1.yaml"), dir.join("2.yaml"));
        assert_eq!(
            err.to_string(),
            format!(
                "{two}:2:9: {one} and {two} own overlapping namespaces (`dc.` and `dc.b.`): pruning with one would delete the other's topics; narrow `owns` so that no name matches both, or declare all these topics in one file (`owns` at {one}:2:9)",
                one = one.display(),
                two = two.display()
            )
        );
        // Narrowing `owns` so that no name matches both.
        std::fs::write(
            &one,
            "kafka:\n  owns: [\"dc.a.\"]\n  topics:\n    a:\n      name: dc.a.x\n",
        )
        .unwrap();
        let file = TopicFile::load_all(std::slice::from_ref(&dir)).unwrap();
        assert!(file.ownership.owns("dc.a.z") && file.ownership.owns("dc.b.z"));
        // Or all these topics in one file.
        std::fs::remove_file(&two).unwrap();
        std::fs::write(
            &one,
            "kafka:\n  owns: [\"dc.\"]\n  topics:\n    a:\n      name: dc.a.x\n    b:\n      name: dc.b.y\n",
        )
        .unwrap();
        assert_eq!(TopicFile::load_all(&[dir]).unwrap().topics.len(), 2);
    }
}
