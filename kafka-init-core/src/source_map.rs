//! Where each key and value sits in a YAML text.
//!
//! serde_yaml reads the values but forgets their places, so a second pass
//! with a marked event parser records the line and column of every mapping
//! key and value by path (`kafka.topics.workload.config.retention.ms`). It
//! also sees what serde hides: a key written twice in one mapping.
//!
//! Model layer: pure, always compiled; no I/O, no tokio, no rdkafka.

use std::collections::HashMap;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A 1-based line and column.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Pos {
    pub line: usize,
    pub column: usize,
}

impl Pos {
    fn of(mark: Marker) -> Pos {
        Pos {
            line: mark.line(),
            column: mark.col() + 1,
        }
    }
}

/// The place of one mapping entry (or of the document itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Entry {
    pub key: Pos,
    pub value: Pos,
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    pub path: Vec<String>,
    pub first: Pos,
    pub second: Pos,
}

/// The places of a document's mapping entries, by path.
#[derive(Debug, Clone, Default)]
pub(crate) struct SourceMap {
    entries: HashMap<Vec<String>, Entry>,
    pub duplicates: Vec<DuplicateKey>,
}

/// A YAML syntax error as the marked parser reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

enum Frame {
    Map {
        /// The key whose value comes next, with its place.
        pending: Option<(String, Pos)>,
        seen: HashMap<String, Pos>,
    },
    Seq {
        next: usize,
    },
}

impl SourceMap {
    pub(crate) fn build(text: &str) -> Result<SourceMap, SyntaxError> {
        let mut map = SourceMap::default();
        let mut path: Vec<String> = Vec::new();
        let mut stack: Vec<Frame> = Vec::new();
        // Whether each open frame is a mapping key rather than a value.
        let mut key_frames: Vec<bool> = Vec::new();
        let mut parser = Parser::new_from_str(text);
        loop {
            let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
                pos: Pos::of(*e.marker()),
                message: e.info().to_owned(),
            })?;
            let pos = Pos::of(mark);
            match event {
                Event::StreamEnd => break,
                Event::Scalar(value, style, ..) => {
                    if map.key_slot(&mut stack, &value, pos) {
                        continue;
                    }
                    // A value left out (`key:` and nothing) is marked where
                    // the next token starts, often the next line: its key
                    // is the place to point at.
                    let omitted = value.is_empty() && style == TScalarStyle::Plain;
                    map.enter_value(&mut stack, &mut path, pos, omitted);
                    map.leave_value(&mut stack, &mut path);
                }
                Event::Alias(_) => {
                    if map.key_slot(&mut stack, "", pos) {
                        continue;
                    }
                    map.enter_value(&mut stack, &mut path, pos, false);
                    map.leave_value(&mut stack, &mut path);
                }
                Event::MappingStart(..) | Event::SequenceStart(..) => {
                    // A mapping or sequence used as a key (rare, and never
                    // valid here) has no path of its own.
                    let is_key = map.key_slot(&mut stack, "", pos);
                    if !is_key {
                        map.enter_value(&mut stack, &mut path, pos, false);
                    }
                    key_frames.push(is_key);
                    stack.push(match event {
                        Event::MappingStart(..) => Frame::Map {
                            pending: None,
                            seen: HashMap::new(),
                        },
                        _ => Frame::Seq { next: 0 },
                    });
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    if key_frames.pop() == Some(false) {
                        map.leave_value(&mut stack, &mut path);
                    }
                }
                _ => {}
            }
        }
        Ok(map)
    }

    /// When the innermost frame is a mapping waiting for a key, records
    /// `key` (checking for duplicates) and returns true.
    fn key_slot(&mut self, stack: &mut [Frame], key: &str, pos: Pos) -> bool {
        let Some(Frame::Map { pending, .. }) = stack.last_mut() else {
            return false;
        };
        if pending.is_some() {
            return false;
        }
        *pending = Some((key.to_owned(), pos));
        true
    }

    /// A value starts at `pos` (or was `omitted`): enter its path and
    /// record the entry.
    fn enter_value(
        &mut self,
        stack: &mut [Frame],
        path: &mut Vec<String>,
        pos: Pos,
        omitted: bool,
    ) {
        match stack.last_mut() {
            None => {
                self.entries.insert(
                    Vec::new(),
                    Entry {
                        key: pos,
                        value: pos,
                    },
                );
            }
            Some(Frame::Seq { next }) => {
                path.push(next.to_string());
                *next += 1;
                self.entries.insert(
                    path.clone(),
                    Entry {
                        key: pos,
                        value: pos,
                    },
                );
            }
            Some(Frame::Map { pending, seen }) => {
                let (key, key_pos) = pending.clone().unwrap_or_default();
                path.push(key.clone());
                if let Some(&first) = seen.get(&key) {
                    self.duplicates.push(DuplicateKey {
                        path: path.clone(),
                        first,
                        second: key_pos,
                    });
                    // Keep the first place: serde reports nothing for it.
                } else {
                    seen.insert(key, key_pos);
                    self.entries.insert(
                        path.clone(),
                        Entry {
                            key: key_pos,
                            value: if omitted { key_pos } else { pos },
                        },
                    );
                }
            }
        }
    }

    /// A value ended: leave its path and ready the parent for the next key.
    fn leave_value(&mut self, stack: &mut [Frame], path: &mut Vec<String>) {
        let entered = match stack.last_mut() {
            None => false,
            Some(Frame::Seq { .. }) => true,
            Some(Frame::Map { pending, .. }) => pending.take().is_some(),
        };
        if entered {
            path.pop();
        }
    }

    /// The entry at `path`, exactly.
    pub(crate) fn get(&self, path: &[&str]) -> Option<Entry> {
        let key: Vec<String> = path.iter().map(|s| (*s).to_owned()).collect();
        self.entries.get(&key).copied()
    }

    /// The place of the key at `path`, or of the nearest ancestor known
    /// (a merged or aliased entry has no place of its own).
    pub(crate) fn key(&self, path: &[&str]) -> Pos {
        self.nearest(path).key
    }

    /// The place of the value at `path`, or of the nearest known ancestor.
    pub(crate) fn value(&self, path: &[&str]) -> Pos {
        match self.get(path) {
            Some(e) => e.value,
            None => self.nearest(path).key,
        }
    }

    fn nearest(&self, path: &[&str]) -> Entry {
        (0..=path.len())
            .rev()
            .find_map(|n| self.get(&path[..n]))
            .unwrap_or(Entry {
                key: Pos { line: 1, column: 1 },
                value: Pos { line: 1, column: 1 },
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
kafka:
  bootstrap_servers: \"kafka:29092\"
  topics:
    workload:
      name: \"dc.workload\"
      config:
        retention.ms: 86400000
    list: [a, {b: 1}]
";

    fn p(line: usize, column: usize) -> Pos {
        Pos { line, column }
    }

    #[test]
    fn records_keys_and_values_by_path() {
        let map = SourceMap::build(TEXT).unwrap();
        let e = map.get(&["kafka", "bootstrap_servers"]).unwrap();
        assert_eq!((e.key, e.value), (p(2, 3), p(2, 22)));
        let e = map
            .get(&["kafka", "topics", "workload", "config", "retention.ms"])
            .unwrap();
        assert_eq!((e.key, e.value), (p(7, 9), p(7, 23)));
        assert_eq!(map.key(&["kafka", "topics", "workload", "name"]), p(5, 7));
        assert_eq!(map.value(&["kafka", "topics", "list", "1", "b"]), p(8, 19));
        // An unknown path falls back to its nearest ancestor.
        assert_eq!(
            map.key(&["kafka", "topics", "workload", "partitions"]),
            p(4, 5)
        );
        assert!(map.duplicates.is_empty());
    }

    #[test]
    fn finds_duplicate_keys() {
        let map = SourceMap::build("a:\n  x: 1\n  y: 2\n  x: 3\n").unwrap();
        assert_eq!(
            map.duplicates,
            [DuplicateKey {
                path: vec!["a".into(), "x".into()],
                first: p(2, 3),
                second: p(4, 3),
            }]
        );
    }

    #[test]
    fn reports_syntax_errors_with_a_place() {
        let err = SourceMap::build("a:\n  b: [1,\n").unwrap_err();
        assert!(err.pos.line >= 2, "{err:?}");
    }
}
