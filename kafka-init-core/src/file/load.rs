//! Every read of the disk: topic files (at most [`MAX_FILE_BYTES`]), directories of them, and policy files.

use super::diagnostics::{FileError, Problem};
use super::join::join;
use super::parse::Pos;
use super::parsed::Parsed;
use super::policy_file::parse_policy;
use super::topic_file::TopicFile;
use crate::policy::Policy;

use std::path::{Path, PathBuf};

impl TopicFile {
    /// Reads and parses the file at `path`, resolving `${VAR}` references
    /// in `bootstrap_servers` and `client` from the environment.
    pub fn load(path: impl AsRef<Path>) -> Result<TopicFile, FileError> {
        let path = path.as_ref();
        let text = read_text(path)?;
        TopicFile::parse_with_env(&text, path, |name| std::env::var(name).ok())
    }
}

// Free functions rather than `Policy` methods: the policy model stays
// free of files and their errors.

/// Reads the policy file at `path`: a `policy:` mapping at the top level
/// (`--policy`, `include_topics!`'s `policy = "..."`).
pub fn load_policy(path: impl AsRef<Path>) -> Result<Policy, FileError> {
    let path = path.as_ref();
    let text = read_text(path).map_err(FileError::of_policy)?;
    parse_policy(&text, path)
}

/// The text of the file at `path`, at most [`MAX_FILE_BYTES`], UTF-8.
pub(crate) fn read_text(path: &Path) -> Result<String, FileError> {
    let fail = |problem: Problem| FileError {
        path: path.to_owned(),
        problems: vec![problem],
        others: Vec::new(),
    };
    let unplaced = |message: String| FileError::unplaced(path, message);
    let bytes = read_bounded(path).map_err(|e| unplaced(format!("cannot read file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        // Safe: the prefix up to `valid_up_to` is UTF-8.
        let before = std::str::from_utf8(valid).unwrap_or_default();
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        fail(Problem {
            layer: Default::default(),
            severity: Default::default(),
            line,
            column,
            message: "the file is not UTF-8 text (a YAML file must be UTF-8)".into(),
        })
    })
}

/// The largest topic file `load` reads: 16 MiB holds 100,000 topics with a
/// few configs each. Anything bigger is not a topic file (`/dev/zero`, a
/// log file named by mistake), and parsing costs memory in proportion
/// (about 75 times the file's size), so reading it would only exhaust it.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

fn read_bounded(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    // Sized from the file's length (a regular file's; 0 for a pipe or a
    // device), so a big file is not read into a buffer twice its size.
    let size = file.metadata().map_or(0, |m| m.len().min(MAX_FILE_BYTES));
    let mut bytes = Vec::with_capacity(size as usize + 1);
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "it is larger than {} MiB, far more than any topic file",
            MAX_FILE_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// The topic files `paths` name: each file itself, each directory's
/// `*.yaml` and `*.yml` files (not its subdirectories), sorted by name.
pub fn topic_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, FileError> {
    let mut files = Vec::new();
    for path in paths {
        if !path.is_dir() {
            files.push(path.clone());
            continue;
        }
        let unplaced = |message: String| FileError::unplaced(path.clone(), message);
        let entries =
            std::fs::read_dir(path).map_err(|e| unplaced(format!("cannot read directory: {e}")))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .collect();
        if found.is_empty() {
            return Err(unplaced(
                "the directory holds no topic file (`*.yaml` or `*.yml`)".into(),
            ));
        }
        found.sort();
        files.extend(found);
    }
    given_once(&files)?;
    Ok(files)
}

/// The same file named twice (`--config a.yaml --config a.yaml`, a file
/// and its directory, a symlink) would declare every topic twice: say so.
fn given_once(files: &[PathBuf]) -> Result<(), FileError> {
    let mut seen: Vec<(PathBuf, &PathBuf)> = Vec::with_capacity(files.len());
    for file in files {
        // A path that cannot be resolved fails where it is read.
        let real = std::fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        if let Some((_, first)) = seen.iter().find(|(r, _)| *r == real) {
            let message = if *first == file {
                "the file is given twice".to_owned()
            } else {
                format!(
                    "the file is given twice: as {} and as {}",
                    first.display(),
                    file.display()
                )
            };
            return Err(FileError {
                path: file.clone(),
                problems: vec![Problem::at(Pos { line: 0, column: 0 }, message)],
                others: Vec::new(),
            });
        }
        seen.push((real, file));
    }
    Ok(())
}

impl TopicFile {
    /// Reads every topic file `paths` name (files, and directories of
    /// `*.yaml` / `*.yml` files) and joins them into one, resolving
    /// `${VAR}` references from the environment. Every problem of every
    /// file is reported.
    pub fn load_all(paths: &[PathBuf]) -> Result<TopicFile, FileError> {
        TopicFile::load_all_with_policy(paths, None)
    }

    /// [`TopicFile::load_all`], checking every file's topics against
    /// `policy` as well as the file's own `kafka.policy` (the stricter of
    /// each rule wins).
    pub fn load_all_with_policy(
        paths: &[PathBuf],
        policy: Option<&Policy>,
    ) -> Result<TopicFile, FileError> {
        let files = topic_files(paths)?;
        let mut texts = Vec::new();
        let mut loaded = Vec::new();
        let mut errors = Vec::new();
        for path in &files {
            let text = match read_text(path) {
                Ok(text) => text,
                Err(e) => {
                    errors.push(e);
                    continue;
                }
            };
            let mut lookup = |name: &str| std::env::var(name).ok();
            match Parsed::with_policy(&text, path, Some(&mut lookup), policy).into_result() {
                Ok(file) => {
                    loaded.push(file);
                    texts.push(text);
                }
                Err(e) => errors.push(e),
            }
        }
        if errors.is_empty() {
            return join(loaded, &texts);
        }
        let mut first = errors.remove(0);
        first.others = errors;
        Err(first)
    }
}
