//! The one parse of a YAML text: yaml-rust2's marked events become a
//! compact tree that knows where every key and value is. Later stages read
//! values from it as serde_yaml [`Value`]s, one part at a time (a topic,
//! the file without its topics), so a big file is never held twice, and
//! look places up in it by path when a problem needs one. It also sees
//! what a value tree hides: a key written twice in one mapping (the first
//! is kept, as YAML readers do, and the second reported).
//!
//! Values follow serde_yaml's reading of YAML 1.2 (its core schema,
//! `<<` merges, tags, and its limits on nesting and alias expansion), so
//! a file means what it meant when serde_yaml read it.

use std::collections::HashMap;

use serde_yaml::value::{Tag as ValueTag, TaggedValue};
use serde_yaml::{Mapping, Value};

use crate::yaml_kind::scalar_text;
use yaml_rust2::parser::{Event, Parser, Tag};
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

/// A text that is not YAML, or that serde_yaml would refuse to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SyntaxError {
    pub pos: Pos,
    pub message: String,
}

/// serde_yaml's limits: nesting depth, and alias expansions per event.
const MAX_DEPTH: usize = 128;
const REPETITIONS_PER_EVENT: u64 = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `start..start + len` of [`Tree::text`].
    Scalar,
    /// `start..start + len` of [`Tree::kids`].
    Seq,
    /// `start..start + len` of [`Tree::kids`]: keys and values in turn.
    Map,
    /// `start` is the node the alias names.
    Alias,
}

#[derive(Debug, Clone, Copy)]
struct Node {
    line: u32,
    column: u32,
    kind: Kind,
    plain: bool,
    tagged: bool,
    start: u32,
    len: u32,
}

/// A node id.
pub(crate) type Id = u32;

/// The positioned tree of one YAML document.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tree {
    nodes: Vec<Node>,
    kids: Vec<Id>,
    text: String,
    /// Full tags of the few tagged nodes.
    tags: HashMap<Id, String>,
    root: Option<Id>,
    pub duplicates: Vec<DuplicateKey>,
    /// A `<<` that cannot be merged (the mapping keeps it as written).
    pub merge_error: Option<String>,
}

/// An open sequence or mapping.
struct Frame {
    map: bool,
    /// Where its children start in the pending list.
    from: usize,
    mark: Marker,
    anchor: usize,
    tag: Option<String>,
    /// Alias expansions its content costs when read whole.
    jumps: u64,
    /// How deep its content nests when read whole, aliases followed.
    depth: usize,
    /// This container's path segment within its parent.
    segment: String,
    /// Keys seen so far, for duplicates (mappings only).
    keys: HashMap<String, Pos>,
    /// The next child is a key (mappings) / its index (sequences).
    index: usize,
    /// The value of a duplicate key: left out.
    skip_value: bool,
}

struct Builder {
    tree: Tree,
    pending: Vec<Id>,
    frames: Vec<Frame>,
    /// Anchor id to its node, its expansion cost and its depth.
    anchors: HashMap<usize, (Id, u64, usize)>,
    /// The document's own expansion cost.
    jumps: u64,
    /// Events read so far, and mapping entries `<<` merges copied: each
    /// copy costs memory, as an alias expansion does.
    events: u64,
    copied: u64,
}

impl Tree {
    /// Parses `text`: one document at most (none is a null document).
    pub(crate) fn parse(text: &str) -> Result<Tree, SyntaxError> {
        // A byte order mark is no part of the document.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut b = Builder {
            tree: Tree::default(),
            pending: Vec::new(),
            frames: Vec::new(),
            anchors: HashMap::new(),
            jumps: 0,
            events: 0,
            copied: 0,
        };
        // About one node per 10 bytes of a topic file; capacity that is
        // never touched costs no memory.
        b.tree.nodes.reserve(text.len() / 8);
        b.tree.kids.reserve(text.len() / 8);
        let mut parser = Parser::new_from_str(text);
        let mut events: u64 = 0;
        let mut documents = 0;
        loop {
            let (event, mark) = parser.next_token().map_err(|e| SyntaxError {
                pos: Pos::of(*e.marker()),
                message: e.info().to_owned(),
            })?;
            events += 1;
            b.events = events;
            match event {
                Event::StreamEnd => break,
                Event::DocumentStart => {
                    documents += 1;
                    if documents > 1 {
                        return Err(SyntaxError {
                            pos: Pos::of(mark),
                            message: "deserializing from YAML containing more than one document is not supported".into(),
                        });
                    }
                }
                Event::Scalar(value, style, anchor, tag) => {
                    let id = b.tree.push_scalar(&value, style, tag, mark);
                    b.anchor(anchor, id, 0, 0);
                    b.add(id, 0, 0, mark);
                }
                Event::Alias(anchor) => {
                    let Some(&(target, cost, depth)) = b.anchors.get(&anchor) else {
                        return Err(SyntaxError {
                            pos: Pos::of(mark),
                            message: "unknown anchor".into(),
                        });
                    };
                    let id = b.tree.push(Node {
                        kind: Kind::Alias,
                        start: target,
                        len: 0,
                        ..node_at(mark)
                    });
                    // What the alias stands for nests as deep here as
                    // where it was written.
                    b.deep_enough(depth, mark)?;
                    b.add(id, cost.saturating_add(1), depth, mark);
                }
                Event::SequenceStart(anchor, tag) => b.open(false, anchor, tag, mark)?,
                Event::MappingStart(anchor, tag) => b.open(true, anchor, tag, mark)?,
                Event::SequenceEnd | Event::MappingEnd => b.close()?,
                _ => {}
            }
        }
        if b.jumps > events.saturating_mul(REPETITIONS_PER_EVENT) {
            return Err(SyntaxError {
                pos: Pos { line: 1, column: 1 },
                message: "repetition limit exceeded".into(),
            });
        }
        b.tree.root = b.pending.first().copied();
        Ok(b.tree)
    }

    fn push(&mut self, node: Node) -> Id {
        self.nodes.push(node);
        (self.nodes.len() - 1) as Id
    }

    fn push_scalar(
        &mut self,
        value: &str,
        style: TScalarStyle,
        tag: Option<Tag>,
        mark: Marker,
    ) -> Id {
        let start = self.text.len() as u32;
        self.text.push_str(value);
        let id = self.push(Node {
            kind: Kind::Scalar,
            plain: style == TScalarStyle::Plain,
            start,
            len: value.len() as u32,
            ..node_at(mark)
        });
        if let Some(tag) = tag {
            self.tags.insert(id, full_tag(tag));
            self.nodes[id as usize].tagged = true;
        }
        id
    }

    fn node(&self, id: Id) -> Node {
        self.nodes[id as usize]
    }

    /// `id`, or the node it is an alias of.
    fn target(&self, id: Id) -> Id {
        let n = self.node(id);
        if n.kind == Kind::Alias {
            n.start
        } else {
            id
        }
    }

    fn pos(&self, id: Id) -> Pos {
        let n = self.node(id);
        Pos {
            line: n.line as usize,
            column: n.column as usize,
        }
    }

    /// The text of a scalar node (through an alias).
    fn scalar(&self, id: Id) -> Option<&str> {
        let n = self.node(self.target(id));
        (n.kind == Kind::Scalar).then(|| &self.text[n.start as usize..(n.start + n.len) as usize])
    }

    fn kids(&self, id: Id) -> &[Id] {
        let n = self.node(id);
        &self.kids[n.start as usize..(n.start + n.len) as usize]
    }

    /// The entries of the mapping `id` (through an alias): keys and values.
    pub(crate) fn entries(&self, id: Id) -> Vec<(Id, Id)> {
        let id = self.target(id);
        if self.node(id).kind != Kind::Map {
            return Vec::new();
        }
        self.kids(id).chunks(2).map(|kv| (kv[0], kv[1])).collect()
    }

    /// The value of `key` in the mapping `id`, if it is one and has it.
    pub(crate) fn child(&self, id: Id, key: &str) -> Option<Id> {
        let id = self.target(id);
        let n = self.node(id);
        match n.kind {
            Kind::Map => self
                .kids(id)
                .chunks(2)
                .find(|kv| self.scalar(kv[0]) == Some(key))
                .map(|kv| kv[1]),
            Kind::Seq => key
                .parse::<usize>()
                .ok()
                .and_then(|i| self.kids(id).get(i).copied()),
            _ => None,
        }
    }

    pub(crate) fn is_map(&self, id: Id) -> bool {
        self.node(self.target(id)).kind == Kind::Map
    }

    /// The node at `path` from the root, if there is one.
    pub(crate) fn at(&self, path: &[&str]) -> Option<Id> {
        path.iter()
            .try_fold(self.root?, |id, key| self.child(id, key))
    }

    /// The entry at `path`, exactly.
    pub(crate) fn get(&self, path: &[&str]) -> Option<Entry> {
        let mut id = self.root?;
        let mut entry = Entry {
            key: self.pos(id),
            value: self.pos(id),
        };
        for key in path {
            let parent = self.target(id);
            let n = self.node(parent);
            let (key_pos, value) = match n.kind {
                Kind::Map => {
                    let kv = self
                        .kids(parent)
                        .chunks(2)
                        .find(|kv| self.scalar(kv[0]) == Some(*key))?;
                    (self.pos(kv[0]), kv[1])
                }
                Kind::Seq => {
                    let v = *self.kids(parent).get(key.parse::<usize>().ok()?)?;
                    (self.pos(v), v)
                }
                _ => return None,
            };
            // A value left out (`key:` and nothing) is marked where the
            // next token starts, often the next line: its key is the place.
            let v = self.node(value);
            let omitted = v.kind == Kind::Scalar && v.plain && v.len == 0 && !v.tagged;
            entry = Entry {
                key: key_pos,
                value: if omitted { key_pos } else { self.pos(value) },
            };
            id = value;
        }
        Some(entry)
    }

    /// The place of the key at `path`, or of the nearest ancestor known.
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

    /// The document as a value (null when there is none), the node `skip`
    /// read as an empty mapping (the topics, read one at a time).
    pub(crate) fn document(&self, skip: Option<Id>) -> Value {
        let Some(root) = self.root else {
            return Value::Null;
        };
        if !self.is_map(root) || self.tags.contains_key(&self.target(root)) {
            return self.value_skipping(root, skip);
        }
        // `x-` entries hold anchors for the rest; only their keys are read.
        let mut m = Mapping::new();
        for (k, v) in self.entries(root) {
            let key = self.value_of(k);
            let value = match key.as_str() {
                Some(name) if name.starts_with("x-") => Value::Null,
                _ => self.value_skipping(v, skip),
            };
            m.insert(key, value);
        }
        Value::Mapping(m)
    }

    /// The value of the node `id`.
    pub(crate) fn value_of(&self, id: Id) -> Value {
        self.value_skipping(id, None)
    }

    fn value_skipping(&self, id: Id, skip: Option<Id>) -> Value {
        if Some(self.target(id)) == skip {
            return Value::Mapping(Mapping::new());
        }
        let id = self.target(id);
        let n = self.node(id);
        let tag = self.tags.get(&id).map(String::as_str);
        // serde_yaml reads a `!name` tag as an enum: a tagged value, its
        // content read as if untagged.
        let custom = tag.filter(|t| t.starts_with('!')).map(|t| {
            let name = t.strip_prefix('!').filter(|r| !r.is_empty()).unwrap_or(t);
            ValueTag::new(name)
        });
        let value = match n.kind {
            Kind::Scalar => {
                let text = &self.text[n.start as usize..(n.start + n.len) as usize];
                scalar_value(text, n.plain, if custom.is_some() { None } else { tag })
            }
            Kind::Seq => Value::Sequence(
                self.kids(id)
                    .iter()
                    .map(|&k| self.value_skipping(k, skip))
                    .collect(),
            ),
            Kind::Map => {
                let mut m = Mapping::with_capacity(n.len as usize / 2);
                for kv in self.kids(id).chunks(2) {
                    m.insert(
                        self.value_skipping(kv[0], skip),
                        self.value_skipping(kv[1], skip),
                    );
                }
                Value::Mapping(m)
            }
            Kind::Alias => Value::Null,
        };
        match custom {
            Some(tag) => Value::Tagged(Box::new(TaggedValue { tag, value })),
            None => value,
        }
    }
}

fn node_at(mark: Marker) -> Node {
    let pos = Pos::of(mark);
    Node {
        line: pos.line as u32,
        column: pos.column as u32,
        kind: Kind::Scalar,
        plain: false,
        tagged: false,
        start: 0,
        len: 0,
    }
}

fn full_tag(tag: Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

impl Builder {
    fn open(
        &mut self,
        map: bool,
        anchor: usize,
        tag: Option<Tag>,
        mark: Marker,
    ) -> Result<(), SyntaxError> {
        if self.frames.len() >= MAX_DEPTH {
            return Err(SyntaxError {
                pos: Pos::of(mark),
                message: "recursion limit exceeded".into(),
            });
        }
        let segment = self.segment();
        self.frames.push(Frame {
            map,
            from: self.pending.len(),
            mark,
            anchor,
            tag: tag.map(full_tag),
            jumps: 0,
            depth: 0,
            segment,
            keys: HashMap::new(),
            index: 0,
            skip_value: false,
        });
        Ok(())
    }

    fn anchor(&mut self, anchor: usize, id: Id, cost: u64, depth: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (id, cost, depth));
        }
    }

    /// serde_yaml's nesting limit, counting what aliases stand for: a
    /// value `depth` deep at the innermost frame.
    fn deep_enough(&self, depth: usize, mark: Marker) -> Result<(), SyntaxError> {
        if self.frames.len() + depth > MAX_DEPTH {
            return Err(SyntaxError {
                pos: Pos::of(mark),
                message: "recursion limit exceeded".into(),
            });
        }
        Ok(())
    }

    /// The path segment of the next child of the innermost frame.
    fn segment(&self) -> String {
        match self.frames.last() {
            Some(f) if f.map => {
                // The key is the last pending node.
                let key = self.pending.last().copied();
                key.and_then(|k| self.tree.scalar(k))
                    .unwrap_or_default()
                    .to_owned()
            }
            Some(f) => f.index.to_string(),
            None => String::new(),
        }
    }

    /// A finished node `id` joins the innermost frame (or is the document).
    fn add(&mut self, id: Id, cost: u64, depth: usize, mark: Marker) {
        if let Some(frame) = self.frames.last_mut() {
            frame.depth = frame.depth.max(depth);
        }
        let Some(frame) = self.frames.last_mut() else {
            self.jumps = self.jumps.saturating_add(cost);
            self.pending.push(id);
            return;
        };
        if !frame.map {
            frame.index += 1;
            frame.jumps = frame.jumps.saturating_add(cost);
            self.pending.push(id);
            return;
        }
        let is_key = frame.index % 2 == 0;
        frame.index += 1;
        if !is_key {
            if std::mem::take(&mut frame.skip_value) {
                return;
            }
            frame.jumps = frame.jumps.saturating_add(cost);
            self.pending.push(id);
            return;
        }
        let Some(key) = self.tree.scalar(id).map(str::to_owned) else {
            frame.jumps = frame.jumps.saturating_add(cost);
            self.pending.push(id);
            return;
        };
        let pos = Pos::of(mark);
        if let Some(&first) = frame.keys.get(&key) {
            frame.skip_value = true;
            let mut path: Vec<String> =
                self.frames[1..].iter().map(|f| f.segment.clone()).collect();
            path.push(key);
            self.tree.duplicates.push(DuplicateKey {
                path,
                first,
                second: pos,
            });
            return;
        }
        frame.keys.insert(key, pos);
        frame.jumps = frame.jumps.saturating_add(cost);
        self.pending.push(id);
    }

    fn close(&mut self) -> Result<(), SyntaxError> {
        let Some(frame) = self.frames.pop() else {
            return Ok(());
        };
        let depth = frame.depth + 1;
        self.deep_enough(depth, frame.mark)?;
        let mut kids: Vec<Id> = self.pending.drain(frame.from..).collect();
        if frame.map {
            self.merge(&mut kids, frame.mark)?;
        }
        let start = self.tree.kids.len() as u32;
        self.tree.kids.extend_from_slice(&kids);
        let id = self.tree.push(Node {
            kind: if frame.map { Kind::Map } else { Kind::Seq },
            start,
            len: kids.len() as u32,
            ..node_at(frame.mark)
        });
        if let Some(tag) = frame.tag {
            self.tree.tags.insert(id, tag);
            self.tree.nodes[id as usize].tagged = true;
        }
        self.anchor(frame.anchor, id, frame.jumps, depth);
        self.add(id, frame.jumps, depth, frame.mark);
        Ok(())
    }

    /// Applies a `<<` entry of a mapping as serde_yaml does: the merged
    /// mappings' entries whose keys the mapping lacks are added, in order.
    fn merge(&mut self, kids: &mut Vec<Id>, mark: Marker) -> Result<(), SyntaxError> {
        let t = &self.tree;
        let Some(at) = kids
            .chunks(2)
            .position(|kv| kv.len() == 2 && t.scalar(kv[0]) == Some("<<"))
        else {
            return Ok(());
        };
        let source = t.target(kids[at * 2 + 1]);
        let tagged = |id: Id| t.tags.get(&id).is_some_and(|tag| tag.starts_with('!'));
        let sources: Vec<Id> = match t.node(source).kind {
            _ if tagged(source) => return self.merge_failed("unexpected tagged value in merge"),
            Kind::Map => vec![source],
            Kind::Seq => {
                let mut maps = Vec::new();
                for &item in t.kids(source) {
                    let item = t.target(item);
                    match t.node(item).kind {
                        _ if tagged(item) => {
                            return self.merge_failed("unexpected tagged value in merge")
                        }
                        Kind::Map => maps.push(item),
                        Kind::Seq => {
                            return self
                                .merge_failed("expected a mapping for merging, but found sequence")
                        }
                        _ => {
                            return self
                                .merge_failed("expected a mapping for merging, but found scalar")
                        }
                    }
                }
                maps
            }
            _ => {
                return self.merge_failed(
                    "expected a mapping or list of mappings for merging, but found scalar",
                )
            }
        };
        kids.drain(at * 2..at * 2 + 2);
        let mut present: HashMap<String, ()> = kids
            .chunks(2)
            .filter_map(|kv| t.scalar(kv[0]).map(|k| (k.to_owned(), ())))
            .collect();
        for map in sources {
            for kv in t.kids(map).chunks(2) {
                let fresh = match t.scalar(kv[0]) {
                    Some(k) => present.insert(k.to_owned(), ()).is_none(),
                    None => true,
                };
                if fresh {
                    kids.extend_from_slice(kv);
                    self.copied += 1;
                }
            }
        }
        if self.copied > self.events.saturating_mul(REPETITIONS_PER_EVENT) {
            return Err(SyntaxError {
                pos: Pos::of(mark),
                message: "repetition limit exceeded".into(),
            });
        }
        Ok(())
    }

    /// A `<<` that cannot be merged: the mapping keeps it, and the file
    /// gets the problem.
    fn merge_failed(&mut self, message: &str) -> Result<(), SyntaxError> {
        self.tree
            .merge_error
            .get_or_insert_with(|| message.to_owned());
        Ok(())
    }
}

/// A mapping key as text, when it is a scalar.
pub(super) fn scalar_key(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => scalar_string(v),
        _ => None,
    }
}

/// A config value as text: see [`scalar_text`].
pub(super) fn scalar_string(v: &Value) -> Option<String> {
    scalar_text(v)
}

/// A scalar as serde_yaml reads it: YAML 1.2's core schema for a plain
/// scalar (null, booleans, integers in any base, floats), `!!bool`,
/// `!!int`, `!!float` and `!!null` for a tagged one, text otherwise.
fn scalar_value(text: &str, plain: bool, tag: Option<&str>) -> Value {
    const CORE: &str = "tag:yaml.org,2002:";
    match tag.and_then(|t| t.strip_prefix(CORE)) {
        Some("bool") => return bool_of(text).map_or(Value::String(text.to_owned()), Value::Bool),
        Some("int") => {
            return int_of(text).unwrap_or_else(|| Value::String(text.to_owned()));
        }
        Some("float") => return float_of(text).map_or(Value::String(text.to_owned()), Value::from),
        Some("null") if null_of(text) => return Value::Null,
        _ => {}
    }
    if !plain || tag.is_some() {
        return Value::String(text.to_owned());
    }
    if text.is_empty() || null_of(text) {
        return Value::Null;
    }
    if let Some(b) = bool_of(text) {
        return Value::Bool(b);
    }
    if let Some(n) = int_of(text) {
        return n;
    }
    if !digits_but_not_number(text) {
        if let Some(f) = float_of(text) {
            return Value::from(f);
        }
    }
    Value::String(text.to_owned())
}

fn null_of(s: &str) -> bool {
    matches!(s, "null" | "Null" | "NULL" | "~")
}

fn bool_of(s: &str) -> Option<bool> {
    match s {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// An integer: decimal, `0x`, `0o` or `0b`, with a sign; leading zeros
/// make a string. One beyond 64 bits is a string too (serde_yaml refused
/// to read it into a value; no field here takes one).
fn int_of(s: &str) -> Option<Value> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.starts_with(['+', '-']) {
        return None;
    }
    let (radix, body) = if let Some(r) = digits.strip_prefix("0x") {
        (16, r)
    } else if let Some(r) = digits.strip_prefix("0o") {
        (8, r)
    } else if let Some(r) = digits.strip_prefix("0b") {
        (2, r)
    } else {
        if digits_but_not_number(s) {
            return None;
        }
        (10, digits)
    };
    if body.is_empty() || body.starts_with(['+', '-']) {
        return None;
    }
    let magnitude = u128::from_str_radix(body, radix).ok()?;
    if negative {
        let n = i64::try_from(magnitude)
            .ok()
            .map(|n| -n)
            .or_else(|| (magnitude == 1u128 << 63).then_some(i64::MIN))?;
        Some(Value::from(n))
    } else {
        u64::try_from(magnitude).ok().map(Value::from)
    }
}

fn float_of(s: &str) -> Option<f64> {
    let unsigned = match s.strip_prefix('+') {
        Some(rest) if rest.starts_with(['+', '-']) => return None,
        Some(rest) => rest,
        None => s,
    };
    match unsigned {
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    match s {
        "-.inf" | "-.Inf" | "-.INF" => return Some(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        _ => {}
    }
    unsigned.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Leading zeros followed by digits: a string in YAML 1.2.
fn digits_but_not_number(s: &str) -> bool {
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    s.len() > 1 && s.starts_with('0') && s[1..].bytes().all(|b| b.is_ascii_digit())
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
        let map = Tree::parse(TEXT).unwrap();
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
    fn finds_duplicate_keys_and_keeps_the_first() {
        let map = Tree::parse("a:\n  x: 1\n  y: 2\n  x: 3\n").unwrap();
        assert_eq!(
            map.duplicates,
            [DuplicateKey {
                path: vec!["a".into(), "x".into()],
                first: p(2, 3),
                second: p(4, 3),
            }]
        );
        let v = map.document(None);
        assert_eq!(v["a"]["x"], Value::from(1));
    }

    #[test]
    fn reports_syntax_errors_with_a_place() {
        let err = Tree::parse("a:\n  b: [1,\n").unwrap_err();
        assert!(err.pos.line >= 2, "{err:?}");
    }

    /// The values serde_yaml reads from the same text.
    #[test]
    fn values_are_serde_yamls() {
        for text in [
            "a: 1e3\nb: .5\nc: -1\nd: 0x1F\ne: -0o17\nf: 007\ng: +12\nh: ~\ni:\nj: True\nk: .inf\nl: -.Inf\nm: 1_000\nn: \"12\"\no: !!str 12\np: !!int \"7\"\nq: 'true'\nr: 18446744073709551615\ns: -9223372036854775808\nt: 1.0\nu: 0.25\n",
            "\u{feff}a: 1\r\nb: [x, {y: z}]\r\n",
            "---\nx-d: &d {partitions: 3, config: {retention.ms: 1000}}\nt:\n  <<: *d\n  partitions: 6\n...\n",
            "a: &a [1, 2]\nb: *a\nc: !custom 5\nd: !custom [1]\nm: {<<: [{x: 1}, {x: 2, y: 3}]}\n",
            "",
            "# only a comment\n",
        ] {
            let tree = Tree::parse(text).unwrap();
            let ours = tree.root.map_or(Value::Null, |root| tree.value_of(root));
            let mut theirs: Value =
                serde_yaml::from_str(text.trim_start_matches('\u{feff}'))
                    .unwrap_or_else(|e| panic!("{text:?}: {e}"));
            theirs.apply_merge().unwrap();
            assert_eq!(ours, theirs, "{text:?}");
        }
    }

    #[test]
    fn serde_yamls_limits_hold() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb += &format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            );
        }
        let err = Tree::parse(&bomb).unwrap_err();
        assert_eq!(err.message, "repetition limit exceeded");
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert_eq!(
            Tree::parse(&deep).unwrap_err().message,
            "recursion limit exceeded"
        );
        // Nesting through aliases counts too: reading it would overflow
        // the stack.
        let mut chain = String::from("a0: &a0 [1]\n");
        for i in 1..40 {
            chain += &format!(
                "a{i}: &a{i} {}*a{}{}\n",
                "[".repeat(20),
                i - 1,
                "]".repeat(20)
            );
        }
        let err = Tree::parse(&chain).unwrap_err();
        assert_eq!(err.message, "recursion limit exceeded");
        let shallow = "a0: &a0 [[1]]\na1: [*a0, [*a0]]\n";
        assert!(Tree::parse(shallow).is_ok());
        // Merges copy entries: many merges of a big mapping cost as much
        // as expanding it.
        let keys: Vec<String> = (0..2000).map(|i| format!("k{i}: 1")).collect();
        let mut merges = format!("big: &big {{{}}}\n", keys.join(", "));
        for i in 0..1000 {
            merges += &format!("m{i}: {{<<: *big}}\n");
        }
        let err = Tree::parse(&merges).unwrap_err();
        assert_eq!(err.message, "repetition limit exceeded");
        let few = merges.lines().take(3).collect::<Vec<_>>().join("\n");
        assert!(Tree::parse(&few).is_ok());
        let two = Tree::parse("a: 1\n---\nb: 2\n").unwrap_err();
        assert!(two.message.contains("more than one document"), "{two:?}");
        let merge = Tree::parse("a: {<<: 1}\n").unwrap();
        assert!(merge.merge_error.unwrap().contains("found scalar"));
    }
}
